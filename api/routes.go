package api

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"guanjia"
)

// route is one line of the route table: method, path, who may call it, handler.
type route struct {
	method  string // an HTTP method, or anyMethod
	path    string
	access  access
	handler echo.HandlerFunc
	skip    bool // the service behind it is not configured: not served
}

// anyMethod registers a route for every HTTP method (mounted sub-handlers).
const anyMethod = "ANY"

// access says who may call a route. Every route declares one: registration
// panics on a route without it, and the role-matrix test (routes_test.go)
// calls every route as every role and checks the guard's answer.
type access struct {
	kind  accessKind
	roles []guanjia.Role // accessRoles and accessPage: who is admitted
}

type accessKind int

const (
	accessPublic   accessKind = iota + 1 // anyone, no token
	accessViewer                         // anyone; a valid token, when sent, shows staff more (creditViewer)
	accessSignedIn                       // any signed-in role; the handler narrows by ownership
	accessRoles                          // signed in with one of the listed roles
	accessPage                           // console page: session cookie or the login page; other roles go to their own start page
)

var (
	public   = access{kind: accessPublic}
	viewer   = access{kind: accessViewer}
	signedIn = access{kind: accessSignedIn}
)

// only admits signed-in users with one of roles.
func only(roles ...guanjia.Role) access { return access{kind: accessRoles, roles: roles} }

// pageFor is a console page for roles.
func pageFor(roles ...guanjia.Role) access { return access{kind: accessPage, roles: roles} }

// guardHeader marks a refusal by the route's access guard (not by the
// handler), so the role-matrix test can tell the two apart.
const guardHeader = "X-Guanjia-Guard"

// routeTable is the whole route table: method, path, who may call it and the
// handler; the handlers live in one file per resource.
func (s *Server) routeTable() []route {
	const get, post, put, del = http.MethodGet, http.MethodPost, http.MethodPut, http.MethodDelete
	noVolunteer, noCredit, noNotices := s.volunteer == nil, s.credit == nil, s.notices == nil
	desk := []guanjia.Role{guanjia.RoleAgent, guanjia.RoleDispatcher, guanjia.RoleAdmin} // take calls, search nearby
	return []route{
		{get, "/healthz", public, s.handleHealth, false},
		{get, "/readyz", public, s.handleReady, false},
		{get, "/media/photos/:photo", public, s.handlePhotoSigned, false}, // signed links for content security
		{anyMethod, "/wechat/callback", public, echo.WrapHandler(s.cfg.WeChatCallback), s.cfg.WeChatCallback == nil},
		{anyMethod, "/__fake/wechat/*", public, echo.WrapHandler(s.cfg.FakeWeChat), s.cfg.FakeWeChat == nil},
		{get, "/__fake/sms/messages", public, echo.WrapHandler(s.cfg.FakeSMS), s.cfg.FakeSMS == nil}, // the demo's offline SMS: what callers' phones got
		// The 回访 page of 12345 callers: the signed link (办结 SMS) is the authority.
		{get, "/r/:token", public, s.handleRatePage, false},
		{post, "/r/:token", public, s.handleRateSubmit, false},
		{anyMethod, "/admin/queues*", only(guanjia.RoleAdmin), echo.WrapHandler(s.cfg.AdminQueuesUI), s.cfg.AdminQueuesUI == nil},

		{post, "/api/v1/auth/login", public, s.handleLogin, false},
		{post, "/api/v1/auth/logout", public, s.handleLogout, false},
		{get, "/api/v1/me", signedIn, s.handleMe, false},
		{put, "/api/v1/me/position", only(guanjia.RoleCrew), s.handleMePosition, false},
		{put, "/api/v1/me/password", signedIn, s.handleMePassword, false},
		// Accounts, for administrators; every change is audited (useradmin.go).
		{get, "/api/v1/users", only(guanjia.RoleAdmin), s.handleUserList, false},
		{get, "/api/v1/users/audit", only(guanjia.RoleAdmin), s.handleUserAudit, false},
		{get, "/api/v1/users/:id", only(guanjia.RoleAdmin), s.handleUserGet, false},
		{post, "/api/v1/users/:id/disable", only(guanjia.RoleAdmin), s.handleUserDisable, false},
		{post, "/api/v1/users/:id/enable", only(guanjia.RoleAdmin), s.handleUserEnable, false},
		{put, "/api/v1/users/:id/role", only(guanjia.RoleAdmin), s.handleUserRole, false},
		{post, "/api/v1/users/:id/password", only(guanjia.RoleAdmin), s.handleUserPassword, false},
		{post, "/api/v1/users/:id/unlock", only(guanjia.RoleAdmin), s.handleUserUnlock, false},

		{get, "/api/v1/categories", signedIn, s.handleCategoryList, false},
		{put, "/api/v1/categories/:code", only(guanjia.RoleAdmin), s.handleCategoryUpdate, false},
		{get, "/api/v1/units", only(staff...), s.handleUnitList, false},
		{get, "/api/v1/grids", signedIn, s.handleGridList, false},

		{post, "/api/v1/complaints", signedIn, s.handleComplaintCreate, false},
		{get, "/api/v1/complaints", signedIn, s.handleComplaintList, false},
		{get, "/api/v1/complaints/nearby", only(desk...), s.handleComplaintNearby, false},
		{get, "/api/v1/complaints/open-nearby", only(guanjia.RoleCitizen), s.handleComplaintOpenNearby, false}, // the mini-program's "already reported?": yes or no, never the reports
		{get, "/api/v1/complaints/:id", signedIn, s.handleComplaintGet, false},
		{post, "/api/v1/complaints/:id/:action", signedIn, s.handleComplaintAction, false},
		{post, "/api/v1/complaints/:id/photos", signedIn, s.handlePhotoUpload, false},
		{get, "/api/v1/photos/:photo", signedIn, s.handlePhotoGet, false},
		{get, "/api/v1/crews", only(deskStaff...), s.handleCrewList, false},

		{get, "/api/v1/stats", only(deskStaff...), s.handleStats, false},
		{get, "/api/v1/stats/ranking", only(deskStaff...), s.handleStatsRanking, false},
		{get, "/api/v1/stats/deliveries", only(deskStaff...), s.handleDeliveryStats, s.deliveries == nil},
		{get, "/api/v1/notifications", only(staff...), s.handleNotificationList, false},
		{get, "/api/v1/live", only(staff...), s.handleLive, s.live == nil},
		// 站内消息: each staff member reads and marks their own.
		{get, "/api/v1/inbox", only(staff...), s.handleInboxList, s.inbox == nil},
		{post, "/api/v1/inbox/read", only(staff...), s.handleInboxReadAll, s.inbox == nil},
		{post, "/api/v1/inbox/:id/read", only(staff...), s.handleInboxRead, s.inbox == nil},
		// 温馨告知: citizens read them before reporting.
		{get, "/api/v1/notices", public, s.handleNoticeList, noNotices},
		{get, "/api/v1/notices/all", only(deskStaff...), s.handleNoticeListAll, noNotices},
		{post, "/api/v1/notices", only(guanjia.RoleDispatcher, guanjia.RoleAdmin), s.handleNoticeCreate, noNotices},
		{post, "/api/v1/notices/:id/withdraw", only(guanjia.RoleDispatcher, guanjia.RoleAdmin), s.handleNoticeWithdraw, noNotices},

		// 公益海口: volunteers, teams, activities. Anyone holding a certificate checks it.
		{get, "/api/v1/volunteer/certificates/:number", public, s.handleCertificateVerify, noVolunteer},
		{post, "/api/v1/volunteer/certify", signedIn, s.handleVolunteerCertify, noVolunteer},
		{get, "/api/v1/volunteer/me", signedIn, s.handleVolunteerMe, noVolunteer},
		{get, "/api/v1/volunteer/me/hours", signedIn, s.handleVolunteerHours, noVolunteer},
		{get, "/api/v1/volunteer/me/signups", signedIn, s.handleMySignups, noVolunteer},
		{post, "/api/v1/volunteer/certificates", signedIn, s.handleCertificateCreate, noVolunteer},
		{get, "/api/v1/volunteer/certificates/:number/pdf", signedIn, s.handleCertificatePDF, noVolunteer},
		{post, "/api/v1/volunteer/hours", signedIn, s.handleHoursCreate, noVolunteer},
		{post, "/api/v1/volunteer/hours/:id/correct", signedIn, s.handleHoursCorrect, noVolunteer},
		{get, "/api/v1/volunteer/stats", signedIn, s.handleVolunteerStats, noVolunteer},
		{post, "/api/v1/teams", signedIn, s.handleTeamCreate, noVolunteer},
		{get, "/api/v1/teams", signedIn, s.handleTeamList, noVolunteer},
		{get, "/api/v1/teams/:id", signedIn, s.handleTeamGet, noVolunteer},
		{post, "/api/v1/teams/:id/review", only(guanjia.RoleAdmin), s.handleTeamReview, noVolunteer},
		{post, "/api/v1/teams/:id/join", signedIn, s.handleTeamJoin, noVolunteer},
		{get, "/api/v1/teams/:id/members", signedIn, s.handleTeamMembers, noVolunteer},
		{post, "/api/v1/teams/:id/admins", signedIn, s.handleTeamAdminAdd, noVolunteer},
		{get, "/api/v1/teams/:id/hours", signedIn, s.handleTeamHours, noVolunteer},
		{post, "/api/v1/activities", signedIn, s.handleActivityCreate, noVolunteer},
		{get, "/api/v1/activities", signedIn, s.handleActivityList, noVolunteer},
		{get, "/api/v1/activities/:id", signedIn, s.handleActivityGet, noVolunteer},
		{put, "/api/v1/activities/:id", signedIn, s.handleActivityUpdate, noVolunteer},
		{post, "/api/v1/activities/:id/submit", signedIn, s.handleActivitySubmit, noVolunteer},
		{post, "/api/v1/activities/:id/review", only(guanjia.RoleAdmin), s.handleActivityReview, noVolunteer},
		{post, "/api/v1/activities/:id/cancel", signedIn, s.handleActivityCancel, noVolunteer},
		{post, "/api/v1/activities/:id/reschedule", signedIn, s.handleActivityReschedule, noVolunteer},
		{post, "/api/v1/activities/:id/signup", signedIn, s.handleSignupCreate, noVolunteer},
		{del, "/api/v1/activities/:id/signup", signedIn, s.handleSignupCancel, noVolunteer},
		{get, "/api/v1/activities/:id/signups", signedIn, s.handleSignupList, noVolunteer},
		{get, "/api/v1/activities/:id/checkin-token", signedIn, s.handleCheckinToken, noVolunteer},
		{post, "/api/v1/activities/:id/checkin", signedIn, s.handleCheckin, noVolunteer},
		{post, "/api/v1/activities/:id/checkout", signedIn, s.handleCheckout, noVolunteer},
		{post, "/api/v1/activities/:id/signups/:user/checkin", signedIn, s.handleManualCheckin, noVolunteer},
		{post, "/api/v1/activities/:id/signups/:user/checkout", signedIn, s.handleManualCheckout, noVolunteer},
		{post, "/api/v1/activities/:id/photos", signedIn, s.handleActivityPhotoUpload, noVolunteer},
		{get, "/api/v1/activities/:id/photos", signedIn, s.handleActivityPhotoList, noVolunteer},
		{get, "/api/v1/activities/:id/photos/:photo", signedIn, s.handleActivityPhotoGet, noVolunteer},
		{post, "/api/v1/help-requests", signedIn, s.handleHelpRequestCreate, noVolunteer},
		{get, "/api/v1/help-requests", signedIn, s.handleHelpRequestList, noVolunteer},
		{get, "/api/v1/help-requests/:id", signedIn, s.handleHelpRequestGet, noVolunteer},
		{post, "/api/v1/help-requests/:id/:action", signedIn, s.handleHelpRequestAction, noVolunteer},

		// 诚信海口: lookups are public, as on the 诚信海口 site (staff who send a
		// token see more); publishing is not.
		{get, "/api/v1/credit/types", viewer, s.handleCreditTypes, noCredit},
		{get, "/api/v1/credit/templates/:type", viewer, s.handleCreditTemplate, noCredit},
		{get, "/api/v1/credit/subjects", viewer, s.handleCreditSubjectSearch, noCredit},
		{get, "/api/v1/credit/subjects/:code", viewer, s.handleCreditSubjectGet, noCredit},
		{get, "/api/v1/credit/check", viewer, s.handleCreditCheck, noCredit},
		{get, "/api/v1/credit/lists/:kind", viewer, s.handleCreditList, noCredit},
		{get, "/api/v1/credit/entries/:id", viewer, s.handleCreditEntryGet, noCredit},
		{get, "/api/v1/credit/articles", viewer, s.handleArticleList, noCredit},
		{get, "/api/v1/credit/articles/:id", viewer, s.handleArticleGet, noCredit},
		{post, "/api/v1/credit/imports", only(creditStaff...), s.handleCreditImportCreate, noCredit},
		{get, "/api/v1/credit/imports", only(creditStaff...), s.handleCreditImportList, noCredit},
		{get, "/api/v1/credit/imports/:id", only(creditStaff...), s.handleCreditImportGet, noCredit},
		{post, "/api/v1/credit/entries/:id/revoke", only(creditStaff...), s.handleCreditEntryRevoke, noCredit},
		{post, "/api/v1/credit/repairs", signedIn, s.handleCreditRepairCreate, noCredit},
		{get, "/api/v1/credit/repairs", signedIn, s.handleCreditRepairList, noCredit},
		{get, "/api/v1/credit/repairs/:id", signedIn, s.handleCreditRepairGet, noCredit},
		{post, "/api/v1/credit/repairs/:id/decide", only(creditStaff...), s.handleCreditRepairDecide, noCredit},
		// Who stands for a subject in 信用修复: its 法定代表人 (name and ID number
		// checked), or an agent whose 授权委托书 the publishing department accepted.
		{post, "/api/v1/credit/subjects/:code/representatives", only(guanjia.RoleCitizen), s.handleCreditRepresentativeBind, noCredit},
		{post, "/api/v1/credit/entries/:id/power-of-attorney", only(guanjia.RoleCitizen), s.handleCreditPowerOfAttorneyCreate, noCredit},
		{get, "/api/v1/credit/representatives", signedIn, s.handleCreditRepresentativeList, noCredit},
		{get, "/api/v1/credit/representatives/:id", signedIn, s.handleCreditRepresentativeGet, noCredit},
		{get, "/api/v1/credit/representatives/:id/document", signedIn, s.handleCreditRepresentativeDocument, noCredit},
		{post, "/api/v1/credit/representatives/:id/decide", only(creditStaff...), s.handleCreditRepresentativeDecide, noCredit},
		{get, "/api/v1/credit/departments", only(creditStaff...), s.handleCreditDepartmentList, noCredit},
		{put, "/api/v1/credit/departments/:unit", only(guanjia.RoleAdmin), s.handleCreditDepartmentUpdate, noCredit},
		{post, "/api/v1/credit/articles", only(creditStaff...), s.handleArticleCreate, noCredit},
		{put, "/api/v1/credit/articles/:id", only(creditStaff...), s.handleArticleUpdate, noCredit},
		{post, "/api/v1/credit/articles/:id/:action", only(creditStaff...), s.handleArticleAction, noCredit},

		// WeChat mini-program.
		{post, "/api/v1/wechat/login", public, s.handleWeChatLogin, false},
		{post, "/api/v1/wechat/phone", only(guanjia.RoleCitizen), s.handleWeChatPhone, false},
		{get, "/api/v1/wechat/subscriptions", signedIn, s.handleWeChatSubscriptionList, false},
		{post, "/api/v1/wechat/subscriptions", signedIn, s.handleWeChatSubscriptions, false},
		{get, "/api/v1/wechat/wxacode", signedIn, s.handleWeChatCode, false},

		// 12345 console and crew pages: server-rendered shells over this same
		// API, with the live queue, 温馨告知 and the new-call form's nearby search.
		{get, "/static/*", public, s.handleStatic, false},
		{get, "/console", public, s.handleConsoleHome, false},
		{get, "/console/login", public, s.handleConsoleLogin, false},
		{get, "/console/queue", pageFor(consoleRoles...), s.page("queue", "实时队列"), false},
		{get, "/console/new", pageFor(desk...), s.page("new", "新建工单"), false},
		{get, "/console/orders/:id", pageFor(consoleRoles...), s.page("order", "工单详情"), false},
		{get, "/console/dashboard", pageFor(consoleRoles...), s.page("dashboard", "统计看板"), false},
		{get, "/console/notices", pageFor(consoleRoles...), s.page("notices", "温馨告知"), false},
		{get, "/console/inbox", pageFor(consoleRoles...), s.page("inbox", "站内消息"), false},
		{get, "/crew", pageFor(guanjia.RoleCrew), s.page("crew", "我的任务"), false},
	}
}

// routes registers the route table behind the common middleware.
func (s *Server) routes() {
	e := s.echo
	e.Use(middleware.RequestID(), s.logRequests, s.measure, middleware.Recover(), refuseBadParams)
	for _, rt := range s.routeTable() {
		if rt.skip {
			continue
		}
		mw := s.guard(rt)
		if rt.method == anyMethod {
			e.Any(rt.path, rt.handler, mw...)
		} else {
			e.Add(rt.method, rt.path, rt.handler, mw...)
		}
	}
	// An unknown API path asks for a token first, so paths cannot be probed anonymously.
	e.RouteNotFound("/api/v1/*", echo.NotFoundHandler, s.authenticate)
}

// guard turns a route's access into its middleware.
func (s *Server) guard(rt route) []echo.MiddlewareFunc {
	switch rt.access.kind {
	case accessPublic:
		return nil
	case accessViewer:
		return []echo.MiddlewareFunc{s.creditViewer}
	case accessSignedIn, accessRoles:
		mw := []echo.MiddlewareFunc{s.authenticate}
		if strings.HasPrefix(rt.path, "/api/") {
			mw = append(mw, s.idempotent)
		}
		if rt.access.kind == accessRoles {
			mw = append(mw, allow(rt.access.roles...))
		}
		return mw
	case accessPage:
		return []echo.MiddlewareFunc{s.pageSession, pageAllow(rt.access.roles...)}
	}
	panic(fmt.Sprintf("api: route %s %s declares no access", rt.method, rt.path))
}
