package api

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"

	"guanjia"
)

// logRequests writes one JSON log line per request with its request id.
// Bodies and query strings are not logged: they may hold phone numbers.
func (s *Server) logRequests(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		start := time.Now()
		err := next(c)
		if err != nil {
			c.Error(err)
		}
		s.log.Info("http", "method", c.Request().Method, "path", c.Path(), "status", c.Response().Status,
			"ms", time.Since(start).Milliseconds(), "request_id", c.Response().Header().Get(echo.HeaderXRequestID))
		return nil
	}
}

type httpMetrics struct {
	requests *prometheus.CounterVec
	seconds  *prometheus.HistogramVec
}

func newHTTPMetrics(reg prometheus.Registerer) *httpMetrics {
	m := &httpMetrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "guanjia_http_requests_total",
			Help: "HTTP requests, by route and status."}, []string{"method", "route", "status"}),
		seconds: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "guanjia_http_request_seconds",
			Help: "HTTP request latency, by route.", Buckets: prometheus.DefBuckets}, []string{"method", "route"}),
	}
	reg.MustRegister(m.requests, m.seconds)
	return m
}

func (s *Server) measure(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		start := time.Now()
		err := next(c)
		if err != nil {
			c.Error(err)
		}
		route := c.Path()
		s.metrics.requests.WithLabelValues(c.Request().Method, route, strconv.Itoa(c.Response().Status)).Inc()
		s.metrics.seconds.WithLabelValues(c.Request().Method, route).Observe(time.Since(start).Seconds())
		return nil
	}
}

// idempotent makes a POST carrying an Idempotency-Key safe to retry: the
// first answer is stored and replayed; the same key with another body is a
// 422; a retry while the first is still running is a 409.
func (s *Server) idempotent(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		key := c.Request().Header.Get("Idempotency-Key")
		if c.Request().Method != http.MethodPost || key == "" {
			return next(c)
		}
		if len(key) > 200 {
			return invalid("Idempotency-Key", "Idempotency-Key is longer than 200 characters")
		}
		if strings.ContainsFunc(key, func(r rune) bool { return r < ' ' || r > '~' }) {
			return invalid("Idempotency-Key", "Idempotency-Key is printable ASCII: letters, digits and punctuation")
		}
		body, err := io.ReadAll(http.MaxBytesReader(c.Response(), c.Request().Body, s.maxBody))
		if err != nil {
			return guanjia.Errorf(guanjia.ETOOLARGE, "request body is too large")
		}
		c.Request().Body = io.NopCloser(bytes.NewReader(body))
		h := sha256.New()
		h.Write([]byte(c.Request().Method + " " + c.Request().URL.Path + "\n"))
		h.Write(body)
		rec := &guanjia.IdempotentResponse{Key: key, UserID: claimsOf(c).UserID, BodyHash: hex.EncodeToString(h.Sum(nil))}
		ctx := c.Request().Context()
		old, err := s.idem.BeginIdempotent(ctx, rec)
		if err != nil {
			return err
		}
		if old != nil {
			switch {
			case old.BodyHash != rec.BodyHash:
				return guanjia.FieldError(guanjia.EUNPROCESSABLE, "Idempotency-Key", "this Idempotency-Key was used with a different request")
			case old.Status == 0:
				return guanjia.Errorf(guanjia.ECONFLICT, "the first request with this Idempotency-Key is still running")
			}
			c.Response().Header().Set("Idempotent-Replayed", "true")
			return c.Blob(old.Status, echo.MIMEApplicationJSONCharsetUTF8, old.Body)
		}
		capture := &captureWriter{ResponseWriter: c.Response().Writer}
		c.Response().Writer = capture
		defer func() {
			if p := recover(); p != nil {
				// Free the key so the client's retry runs, then let Recover answer 500.
				if err := s.idem.AbortIdempotent(context.WithoutCancel(ctx), rec.UserID, key); err != nil {
					s.log.Error("free idempotency key after a panic", "err", err)
				}
				panic(p)
			}
		}()
		err = next(c)
		if err != nil {
			c.Error(err) // render now so the answer can be stored
		}
		status := c.Response().Status
		if status >= 500 || status == http.StatusConflict || status == http.StatusTooManyRequests {
			// Worth retrying: forget the key.
			return s.idem.AbortIdempotent(ctx, rec.UserID, key)
		}
		rec.Status, rec.Body = status, capture.body.Bytes()
		return s.idem.FinishIdempotent(ctx, rec)
	}
}

type captureWriter struct {
	http.ResponseWriter
	body bytes.Buffer
}

func (w *captureWriter) Write(b []byte) (int, error) {
	w.body.Write(b)
	return w.ResponseWriter.Write(b)
}
