package api

import (
	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"guanjia"
)

// routes is the whole route table. Each line says the method, the path, who
// may call it and the handler; the handlers live in one file per resource.
func (s *Server) routes() {
	e := s.echo
	e.Use(middleware.RequestID(), s.logRequests, s.measure, middleware.Recover())

	e.GET("/healthz", s.handleHealth)
	e.GET("/readyz", s.handleReady)
	e.GET("/metrics", echo.WrapHandler(promhttp.HandlerFor(s.registry, promhttp.HandlerOpts{})))
	if s.cfg.WeChatCallback != nil {
		e.Any("/wechat/callback", echo.WrapHandler(s.cfg.WeChatCallback))
	}
	if s.cfg.FakeWeChat != nil {
		e.Any("/__fake/wechat/*", echo.WrapHandler(s.cfg.FakeWeChat))
	}

	v1 := e.Group("/api/v1")
	v1.POST("/auth/login", s.handleLogin)
	v1.POST("/auth/logout", s.handleLogout)

	a := v1.Group("", s.authenticate, s.idempotent)
	a.GET("/me", s.handleMe)
	a.PUT("/me/position", s.handleMePosition, allow(guanjia.RoleCrew))

	a.GET("/categories", s.handleCategoryList)
	a.PUT("/categories/:code", s.handleCategoryUpdate, allow(guanjia.RoleAdmin))
	a.GET("/units", s.handleUnitList, allow(staff...))
	a.GET("/grids", s.handleGridList)

	a.POST("/complaints", s.handleComplaintCreate)
	a.GET("/complaints", s.handleComplaintList)
	a.GET("/complaints/:id", s.handleComplaintGet)
	a.POST("/complaints/:id/:action", s.handleComplaintAction)
	a.POST("/complaints/:id/photos", s.handlePhotoUpload)
	a.GET("/photos/:photo", s.handlePhotoGet)

	a.GET("/stats", s.handleStats, allow(deskStaff...))
	a.GET("/notifications", s.handleNotificationList, allow(staff...))

	// 公益海口: volunteers, teams, activities.

	// 诚信海口: public credit.

	// WeChat mini-program.

	if s.cfg.AdminQueuesUI != nil {
		e.Any("/admin/queues*", echo.WrapHandler(s.cfg.AdminQueuesUI), s.authenticate, allow(guanjia.RoleAdmin))
	}
}
