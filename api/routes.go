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
	e.GET("/media/photos/:photo", s.handlePhotoSigned) // signed links for content security
	if s.cfg.WeChatCallback != nil {
		e.Any("/wechat/callback", echo.WrapHandler(s.cfg.WeChatCallback))
	}
	if s.cfg.FakeWeChat != nil {
		e.Any("/__fake/wechat/*", echo.WrapHandler(s.cfg.FakeWeChat))
	}
	if s.cfg.FakeSMS != nil {
		e.GET("/__fake/sms/messages", echo.WrapHandler(s.cfg.FakeSMS)) // the demo's offline SMS: what callers' phones got
	}
	// The 回访 page of 12345 callers: public, the signed link (办结 SMS) is the authority.
	e.GET("/r/:token", s.handleRatePage)
	e.POST("/r/:token", s.handleRateSubmit)

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
	a.GET("/stats/ranking", s.handleStatsRanking, allow(deskStaff...))
	a.GET("/notifications", s.handleNotificationList, allow(staff...))
	if s.deliveries != nil {
		a.GET("/stats/deliveries", s.handleDeliveryStats, allow(deskStaff...))
	}
	if s.inbox != nil { // 站内消息: each staff member reads and marks their own
		a.GET("/inbox", s.handleInboxList, allow(staff...))
		a.POST("/inbox/read", s.handleInboxReadAll, allow(staff...))
		a.POST("/inbox/:id/read", s.handleInboxRead, allow(staff...))
	}

	// 公益海口: volunteers, teams, activities.
	if s.volunteer != nil {
		v1.GET("/volunteer/certificates/:number", s.handleCertificateVerify) // public: anyone holding a certificate checks it
		a.POST("/volunteer/certify", s.handleVolunteerCertify)
		a.GET("/volunteer/me", s.handleVolunteerMe)
		a.GET("/volunteer/me/hours", s.handleVolunteerHours)
		a.GET("/volunteer/me/signups", s.handleMySignups)
		a.POST("/volunteer/certificates", s.handleCertificateCreate)
		a.GET("/volunteer/certificates/:number/pdf", s.handleCertificatePDF)
		a.POST("/volunteer/hours", s.handleHoursCreate)
		a.POST("/volunteer/hours/:id/correct", s.handleHoursCorrect)
		a.GET("/volunteer/stats", s.handleVolunteerStats)
		a.POST("/teams", s.handleTeamCreate)
		a.GET("/teams", s.handleTeamList)
		a.GET("/teams/:id", s.handleTeamGet)
		a.POST("/teams/:id/review", s.handleTeamReview, allow(guanjia.RoleAdmin))
		a.POST("/teams/:id/join", s.handleTeamJoin)
		a.GET("/teams/:id/members", s.handleTeamMembers)
		a.POST("/teams/:id/admins", s.handleTeamAdminAdd)
		a.GET("/teams/:id/hours", s.handleTeamHours)
		a.POST("/activities", s.handleActivityCreate)
		a.GET("/activities", s.handleActivityList)
		a.GET("/activities/:id", s.handleActivityGet)
		a.PUT("/activities/:id", s.handleActivityUpdate)
		a.POST("/activities/:id/submit", s.handleActivitySubmit)
		a.POST("/activities/:id/review", s.handleActivityReview, allow(guanjia.RoleAdmin))
		a.POST("/activities/:id/cancel", s.handleActivityCancel)
		a.POST("/activities/:id/reschedule", s.handleActivityReschedule)
		a.POST("/activities/:id/signup", s.handleSignupCreate)
		a.DELETE("/activities/:id/signup", s.handleSignupCancel)
		a.GET("/activities/:id/signups", s.handleSignupList)
		a.GET("/activities/:id/checkin-token", s.handleCheckinToken)
		a.POST("/activities/:id/checkin", s.handleCheckin)
		a.POST("/activities/:id/checkout", s.handleCheckout)
		a.POST("/activities/:id/signups/:user/checkin", s.handleManualCheckin)
		a.POST("/activities/:id/signups/:user/checkout", s.handleManualCheckout)
		a.POST("/activities/:id/photos", s.handleActivityPhotoUpload)
		a.GET("/activities/:id/photos", s.handleActivityPhotoList)
		a.GET("/activities/:id/photos/:photo", s.handleActivityPhotoGet)
		a.POST("/help-requests", s.handleHelpRequestCreate)
		a.GET("/help-requests", s.handleHelpRequestList)
		a.GET("/help-requests/:id", s.handleHelpRequestGet)
		a.POST("/help-requests/:id/:action", s.handleHelpRequestAction)
	}

	// 诚信海口: public credit. Lookups are public, as on the 诚信海口 site
	// (creditViewer: staff who send a token see more); publishing is not.
	if s.credit != nil {
		v1.GET("/credit/types", s.handleCreditTypes, s.creditViewer)
		v1.GET("/credit/templates/:type", s.handleCreditTemplate, s.creditViewer)
		v1.GET("/credit/subjects", s.handleCreditSubjectSearch, s.creditViewer)
		v1.GET("/credit/subjects/:code", s.handleCreditSubjectGet, s.creditViewer)
		v1.GET("/credit/check", s.handleCreditCheck, s.creditViewer)
		v1.GET("/credit/lists/:kind", s.handleCreditList, s.creditViewer)
		v1.GET("/credit/entries/:id", s.handleCreditEntryGet, s.creditViewer)
		v1.GET("/credit/articles", s.handleArticleList, s.creditViewer)
		v1.GET("/credit/articles/:id", s.handleArticleGet, s.creditViewer)
		a.POST("/credit/imports", s.handleCreditImportCreate, allow(creditStaff...))
		a.GET("/credit/imports", s.handleCreditImportList, allow(creditStaff...))
		a.GET("/credit/imports/:id", s.handleCreditImportGet, allow(creditStaff...))
		a.POST("/credit/entries/:id/revoke", s.handleCreditEntryRevoke, allow(creditStaff...))
		a.POST("/credit/repairs", s.handleCreditRepairCreate)
		a.GET("/credit/repairs", s.handleCreditRepairList)
		a.GET("/credit/repairs/:id", s.handleCreditRepairGet)
		a.POST("/credit/repairs/:id/decide", s.handleCreditRepairDecide, allow(creditStaff...))
		a.GET("/credit/departments", s.handleCreditDepartmentList, allow(creditStaff...))
		a.PUT("/credit/departments/:unit", s.handleCreditDepartmentUpdate, allow(guanjia.RoleAdmin))
		a.POST("/credit/articles", s.handleArticleCreate, allow(creditStaff...))
		a.PUT("/credit/articles/:id", s.handleArticleUpdate, allow(creditStaff...))
		a.POST("/credit/articles/:id/:action", s.handleArticleAction, allow(creditStaff...))
	}

	// WeChat mini-program.
	v1.POST("/wechat/login", s.handleWeChatLogin)
	a.POST("/wechat/phone", s.handleWeChatPhone, allow(guanjia.RoleCitizen))
	a.POST("/wechat/subscriptions", s.handleWeChatSubscriptions)
	a.GET("/wechat/wxacode", s.handleWeChatCode)

	// 12345 console and crew pages: server-rendered shells over this same API,
	// with the live queue, 温馨告知 and the new-call form's nearby search.
	e.GET("/static/*", s.handleStatic)
	e.GET("/console", s.handleConsoleHome)
	e.GET("/console/login", s.handleConsoleLogin)
	e.GET("/console/queue", s.page("queue", "实时队列", consoleRoles...), s.pageSession)
	e.GET("/console/new", s.page("new", "新建工单", guanjia.RoleAgent, guanjia.RoleDispatcher, guanjia.RoleAdmin), s.pageSession)
	e.GET("/console/orders/:id", s.page("order", "工单详情", consoleRoles...), s.pageSession)
	e.GET("/console/dashboard", s.page("dashboard", "统计看板", consoleRoles...), s.pageSession)
	e.GET("/console/notices", s.page("notices", "温馨告知", consoleRoles...), s.pageSession)
	e.GET("/console/inbox", s.page("inbox", "站内消息", consoleRoles...), s.pageSession)
	e.GET("/crew", s.page("crew", "我的任务", guanjia.RoleCrew), s.pageSession)
	if s.live != nil {
		a.GET("/live", s.handleLive, allow(staff...))
	}
	a.GET("/crews", s.handleCrewList, allow(deskStaff...))
	a.GET("/complaints/nearby", s.handleComplaintNearby, allow(guanjia.RoleAgent, guanjia.RoleDispatcher, guanjia.RoleAdmin))
	if s.notices != nil {
		v1.GET("/notices", s.handleNoticeList) // public: citizens read them before reporting
		a.GET("/notices/all", s.handleNoticeListAll, allow(deskStaff...))
		a.POST("/notices", s.handleNoticeCreate, allow(guanjia.RoleDispatcher, guanjia.RoleAdmin))
		a.POST("/notices/:id/withdraw", s.handleNoticeWithdraw, allow(guanjia.RoleDispatcher, guanjia.RoleAdmin))
	}

	if s.cfg.AdminQueuesUI != nil {
		e.Any("/admin/queues*", echo.WrapHandler(s.cfg.AdminQueuesUI), s.authenticate, allow(guanjia.RoleAdmin))
	}
}
