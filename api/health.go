package api

import (
	"context"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"guanjia"
	"guanjia/i18n"
)

// handleHealth answers while the process is up.
func (s *Server) handleHealth(c echo.Context) error {
	return c.JSON(http.StatusOK, map[string]string{"status": "ok"})
}

// handleReady answers 200 only when the database and Redis answer.
func (s *Server) handleReady(c echo.Context) error {
	ctx, cancel := context.WithTimeout(c.Request().Context(), 2*time.Second)
	defer cancel()
	if err := s.ready(ctx); err != nil {
		s.log.Warn("not ready", "err", err)
		return c.JSON(http.StatusServiceUnavailable, errorJSON(guanjia.EINTERNAL, i18n.Text(langOf(c), "not ready: database or Redis unreachable")))
	}
	return c.JSON(http.StatusOK, map[string]string{"status": "ready"})
}

func errorJSON(code, msg string) errorBody {
	var b errorBody
	b.Error.Code, b.Error.Message = code, msg
	return b
}
