package main

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// startMetrics serves Prometheus' /metrics on a listener of its own
// (GUANJIA_METRICS_ADDR, loopback by default), never on the public port:
// the figures tell outsiders how busy the city is and what fails. Every
// process serves it — api, worker and the all-in-one — so a scraper on the
// private network sees each one. "off" serves none.
//
// The all-in-one demo only warns when the address is taken, so a second
// demo still starts; api and worker refuse to start without their metrics.
func (m *Main) startMetrics(mode Mode) error {
	l := m.MetricsListener
	if l == nil {
		addr := m.Config.MetricsAddr
		if addr == "" || addr == "off" {
			return nil
		}
		var err error
		if l, err = net.Listen("tcp", addr); err != nil {
			if mode == ModeAll {
				m.Log.Warn("metrics not served: the address is taken; set GUANJIA_METRICS_ADDR", "addr", addr, "err", err)
				return nil
			}
			return fmt.Errorf("listen %s (GUANJIA_METRICS_ADDR): %w", addr, err)
		}
		m.MetricsListener = l
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(m.Registry, promhttp.HandlerOpts{}))
	m.metrics = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	m.MetricsURL = "http://" + l.Addr().String()
	go func(srv *http.Server) {
		if err := srv.Serve(l); err != nil && !errors.Is(err, http.ErrServerClosed) {
			m.Log.Error("metrics listener", "err", err)
		}
	}(m.metrics)
	m.Log.Info("metrics listening", "url", m.MetricsURL+"/metrics")
	return nil
}
