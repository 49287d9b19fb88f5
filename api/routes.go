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
	acc, cat, cp, msg, nt, con := s.accounts, s.catalog, s.complaints, s.messages, s.notices, s.console
	vol, act, cr, wx, o3 := s.volunteers, s.activities, s.credit, s.wechat, s.open311
	noOpen311 := o3.open311 == nil
	noVolunteer, noCredit, noNotices := vol.volunteer == nil, cr.credit == nil, nt == nil
	poi, apr, law, wea, dsp := s.poi, s.approvals, s.laws, s.weather, s.disputes
	noPOI, noApprovals, noLaws, noWeather, noDisputes := poi == nil, apr.approvals == nil, law.laws == nil, wea.weather == nil, dsp.mediation == nil
	weatherStaff := []guanjia.Role{guanjia.RoleDispatcher, guanjia.RoleAdmin, guanjia.RoleDepartment} // the console's weather map and imports
	alertPublishers := []guanjia.Role{guanjia.RoleDispatcher, guanjia.RoleAdmin}
	desk := []guanjia.Role{guanjia.RoleAgent, guanjia.RoleDispatcher, guanjia.RoleAdmin} // take calls, search nearby
	return []route{
		{get, "/healthz", public, s.handleHealth, false},
		{get, "/readyz", public, s.handleReady, false},
		{get, "/media/photos/:photo", public, cp.handlePhotoSigned, false}, // signed links for content security
		{anyMethod, "/wechat/callback", public, echo.WrapHandler(s.cfg.WeChatCallback), s.cfg.WeChatCallback == nil},
		{anyMethod, "/__fake/wechat/*", public, echo.WrapHandler(s.cfg.FakeWeChat), s.cfg.FakeWeChat == nil},
		{get, "/__fake/sms/messages", public, echo.WrapHandler(s.cfg.FakeSMS), s.cfg.FakeSMS == nil}, // the demo's offline SMS: what callers' phones got
		// The 回访 page of 12345 callers: the signed link (办结 SMS) is the authority.
		{get, "/r/:token", public, cp.handleRatePage, false},
		{post, "/r/:token", public, cp.handleRateSubmit, false},
		{anyMethod, "/admin/queues*", only(guanjia.RoleAdmin), echo.WrapHandler(s.cfg.AdminQueuesUI), s.cfg.AdminQueuesUI == nil},

		// The OpenAPI description of /api/v1 (openapi.go) and a page to browse it.
		{get, "/api/v1/openapi.json", public, s.handleOpenAPI, false},
		{get, "/api/docs", public, con.handleAPIDocs, false},
		{post, "/api/v1/auth/login", public, acc.handleLogin, false},
		{post, "/api/v1/auth/logout", public, acc.handleLogout, false},
		{get, "/api/v1/me", signedIn, acc.handleMe, false},
		{put, "/api/v1/me/position", only(guanjia.RoleCrew), acc.handleMePosition, false},
		{put, "/api/v1/me/password", signedIn, acc.handleMePassword, false},
		// Accounts, for administrators; every change is audited (useradmin.go).
		{get, "/api/v1/users", only(guanjia.RoleAdmin), acc.handleUserList, false},
		{post, "/api/v1/users", only(guanjia.RoleAdmin), acc.handleUserCreate, false},
		{get, "/api/v1/users/audit", only(guanjia.RoleAdmin), acc.handleUserAudit, false},
		{get, "/api/v1/users/:id", only(guanjia.RoleAdmin), acc.handleUserGet, false},
		{post, "/api/v1/users/:id/disable", only(guanjia.RoleAdmin), acc.handleUserDisable, false},
		{post, "/api/v1/users/:id/enable", only(guanjia.RoleAdmin), acc.handleUserEnable, false},
		{put, "/api/v1/users/:id/role", only(guanjia.RoleAdmin), acc.handleUserRole, false},
		{post, "/api/v1/users/:id/password", only(guanjia.RoleAdmin), acc.handleUserPassword, false},
		{post, "/api/v1/users/:id/unlock", only(guanjia.RoleAdmin), acc.handleUserUnlock, false},

		{get, "/api/v1/categories", signedIn, cat.handleCategoryList, false},
		{put, "/api/v1/categories/:code", only(guanjia.RoleAdmin), cat.handleCategoryUpdate, false},
		{post, "/api/v1/categories/suggest", only(append([]guanjia.Role{guanjia.RoleCitizen}, deskStaff...)...), cat.handleCategorySuggest, false},
		{get, "/api/v1/units", only(staff...), cat.handleUnitList, false},
		{get, "/api/v1/grids", signedIn, cat.handleGridList, false},

		{post, "/api/v1/complaints", signedIn, cp.handleComplaintCreate, false},
		{get, "/api/v1/complaints", signedIn, cp.handleComplaintList, false},
		{get, "/api/v1/complaints/nearby", only(desk...), cp.handleComplaintNearby, false},
		{get, "/api/v1/complaints/open-nearby", only(guanjia.RoleCitizen), cp.handleComplaintOpenNearby, false}, // the mini-program's "already reported?": yes or no, never the reports
		{get, "/api/v1/complaints/:id", signedIn, cp.handleComplaintGet, false},
		{post, "/api/v1/complaints/:id/:action", signedIn, cp.handleComplaintAction, false},
		{post, "/api/v1/complaints/:id/photos", signedIn, cp.handlePhotoUpload, false},
		{get, "/api/v1/photos/:photo", signedIn, cp.handlePhotoGet, false},
		{get, "/api/v1/crews", only(deskStaff...), cp.handleCrewList, false},

		// 热点诉求: what the worker found; a dispatcher opens a 主动巡查 order from one.
		{get, "/api/v1/hotspots", only(deskStaff...), cp.handleHotspotList, false},
		{post, "/api/v1/hotspots/:id/patrol", only(guanjia.RoleDispatcher, guanjia.RoleAdmin), cp.handleHotspotPatrol, false},
		{put, "/api/v1/hotspots/thresholds/:code", only(guanjia.RoleAdmin), cp.handleHotspotThreshold, false},
		{get, "/api/v1/stats", only(deskStaff...), cp.handleStats, false},
		{get, "/api/v1/stats/ranking", only(deskStaff...), cp.handleStatsRanking, false},
		{get, "/api/v1/stats/deliveries", only(deskStaff...), msg.handleDeliveryStats, msg.deliveries == nil},
		{get, "/api/v1/notifications", only(staff...), msg.handleNotificationList, false},
		{get, "/api/v1/live", only(inboxReaders...), con.handleLive, con.live == nil},
		// 站内消息: each staff member reads and marks their own.
		{get, "/api/v1/inbox", only(inboxReaders...), msg.handleInboxList, msg.inbox == nil},
		{post, "/api/v1/inbox/read", only(inboxReaders...), msg.handleInboxReadAll, msg.inbox == nil},
		{post, "/api/v1/inbox/:id/read", only(inboxReaders...), msg.handleInboxRead, msg.inbox == nil},
		// 温馨告知: citizens read them before reporting.
		{get, "/api/v1/notices", public, nt.handleNoticeList, noNotices},
		{get, "/api/v1/notices/all", only(deskStaff...), nt.handleNoticeListAll, noNotices},
		{post, "/api/v1/notices", only(guanjia.RoleDispatcher, guanjia.RoleAdmin), nt.handleNoticeCreate, noNotices},
		{post, "/api/v1/notices/:id/withdraw", only(guanjia.RoleDispatcher, guanjia.RoleAdmin), nt.handleNoticeWithdraw, noNotices},

		// 公益海口: volunteers, teams, activities. Anyone holding a certificate checks it.
		{get, "/api/v1/volunteer/certificates/:number", public, vol.handleCertificateVerify, noVolunteer},
		{post, "/api/v1/volunteer/certify", signedIn, vol.handleVolunteerCertify, noVolunteer},
		{get, "/api/v1/volunteer/me", signedIn, vol.handleVolunteerMe, noVolunteer},
		{get, "/api/v1/volunteer/me/hours", signedIn, vol.handleVolunteerHours, noVolunteer},
		{get, "/api/v1/volunteer/me/signups", signedIn, act.handleMySignups, noVolunteer},
		{get, "/api/v1/volunteer/skills", signedIn, vol.handleSkillCatalogue, noVolunteer},
		{get, "/api/v1/volunteer/me/skills", signedIn, vol.handleMySkills, noVolunteer},
		{put, "/api/v1/volunteer/me/skills", signedIn, vol.handleMySkillsSet, noVolunteer},
		{get, "/api/v1/volunteer/me/invitations", signedIn, act.handleMyInvitations, noVolunteer},
		{post, "/api/v1/volunteer/me/invitations/:id/accept", signedIn, act.handleInvitationAccept, noVolunteer},
		{post, "/api/v1/volunteer/me/invitations/:id/decline", signedIn, act.handleInvitationDecline, noVolunteer},
		{get, "/api/v1/volunteers/search", signedIn, vol.handleVolunteerSearch, noVolunteer},
		{post, "/api/v1/volunteer/certificates", signedIn, vol.handleCertificateCreate, noVolunteer},
		{get, "/api/v1/volunteer/certificates/:number/pdf", signedIn, vol.handleCertificatePDF, noVolunteer},
		{post, "/api/v1/volunteer/hours", signedIn, vol.handleHoursCreate, noVolunteer},
		{post, "/api/v1/volunteer/hours/:id/correct", signedIn, vol.handleHoursCorrect, noVolunteer},
		{get, "/api/v1/volunteer/stats", signedIn, vol.handleVolunteerStats, noVolunteer},
		{post, "/api/v1/teams", signedIn, vol.handleTeamCreate, noVolunteer},
		{get, "/api/v1/teams", signedIn, vol.handleTeamList, noVolunteer},
		{get, "/api/v1/teams/:id", signedIn, vol.handleTeamGet, noVolunteer},
		{post, "/api/v1/teams/:id/review", only(guanjia.RoleAdmin), vol.handleTeamReview, noVolunteer},
		{post, "/api/v1/teams/:id/join", signedIn, vol.handleTeamJoin, noVolunteer},
		{get, "/api/v1/teams/:id/members", signedIn, vol.handleTeamMembers, noVolunteer},
		{put, "/api/v1/teams/:id/members/:user/skills", signedIn, vol.handleSkillVerify, noVolunteer},
		{post, "/api/v1/teams/:id/admins", signedIn, vol.handleTeamAdminAdd, noVolunteer},
		{del, "/api/v1/teams/:id/admins/:user", signedIn, vol.handleTeamAdminRemove, noVolunteer},
		{del, "/api/v1/teams/:id/members/:user", signedIn, vol.handleTeamMemberRemove, noVolunteer},
		{get, "/api/v1/teams/:id/hours", signedIn, vol.handleTeamHours, noVolunteer},
		{post, "/api/v1/activities", signedIn, act.handleActivityCreate, noVolunteer},
		{get, "/api/v1/activities", signedIn, act.handleActivityList, noVolunteer},
		{get, "/api/v1/activities/:id", signedIn, act.handleActivityGet, noVolunteer},
		{put, "/api/v1/activities/:id", signedIn, act.handleActivityUpdate, noVolunteer},
		{post, "/api/v1/activities/:id/submit", signedIn, act.handleActivitySubmit, noVolunteer},
		{post, "/api/v1/activities/:id/review", only(guanjia.RoleAdmin), act.handleActivityReview, noVolunteer},
		{post, "/api/v1/activities/:id/cancel", signedIn, act.handleActivityCancel, noVolunteer},
		{post, "/api/v1/activities/:id/reschedule", signedIn, act.handleActivityReschedule, noVolunteer},
		{post, "/api/v1/activities/:id/signup", signedIn, act.handleSignupCreate, noVolunteer},
		{del, "/api/v1/activities/:id/signup", signedIn, act.handleSignupCancel, noVolunteer},
		{get, "/api/v1/activities/:id/signups", signedIn, act.handleSignupList, noVolunteer},
		{post, "/api/v1/activities/:id/invitations", signedIn, act.handleInvitationCreate, noVolunteer},
		{get, "/api/v1/activities/:id/invitations", signedIn, act.handleInvitationList, noVolunteer},
		{get, "/api/v1/activities/:id/checkin-token", signedIn, act.handleCheckinToken, noVolunteer},
		{post, "/api/v1/activities/:id/checkin", signedIn, act.handleCheckin, noVolunteer},
		{post, "/api/v1/activities/:id/checkout", signedIn, act.handleCheckout, noVolunteer},
		{post, "/api/v1/activities/:id/signups/:user/checkin", signedIn, act.handleManualCheckin, noVolunteer},
		{post, "/api/v1/activities/:id/signups/:user/checkout", signedIn, act.handleManualCheckout, noVolunteer},
		{post, "/api/v1/activities/:id/photos", signedIn, act.handleActivityPhotoUpload, noVolunteer},
		{get, "/api/v1/activities/:id/photos", signedIn, act.handleActivityPhotoList, noVolunteer},
		{get, "/api/v1/activities/:id/photos/:photo", signedIn, act.handleActivityPhotoGet, noVolunteer},
		{get, "/console/volunteer", pageFor(guanjia.RoleAdmin), con.page("volunteer", "公益海口审核"), noVolunteer},
		{post, "/api/v1/help-requests", signedIn, vol.handleHelpRequestCreate, noVolunteer},
		{get, "/api/v1/help-requests", signedIn, vol.handleHelpRequestList, noVolunteer},
		{get, "/api/v1/help-requests/:id", signedIn, vol.handleHelpRequestGet, noVolunteer},
		{post, "/api/v1/help-requests/:id/:action", signedIn, vol.handleHelpRequestAction, noVolunteer},

		// 诚信海口: lookups are public, as on the 诚信海口 site (staff who send a
		// token see more); publishing is not.
		{get, "/api/v1/credit/types", viewer, cr.handleCreditTypes, noCredit},
		{get, "/api/v1/credit/templates/:type", viewer, cr.handleCreditTemplate, noCredit},
		{get, "/api/v1/credit/subjects", viewer, cr.handleCreditSubjectSearch, noCredit},
		{get, "/api/v1/credit/subjects/:code", viewer, cr.handleCreditSubjectGet, noCredit},
		{get, "/api/v1/credit/check", viewer, cr.handleCreditCheck, noCredit},
		{get, "/api/v1/credit/lists/:kind", viewer, cr.handleCreditList, noCredit},
		{get, "/api/v1/credit/entries/:id", viewer, cr.handleCreditEntryGet, noCredit},
		{get, "/api/v1/credit/articles", viewer, cr.handleArticleList, noCredit},
		{get, "/api/v1/credit/articles/:id", viewer, cr.handleArticleGet, noCredit},
		{post, "/api/v1/credit/imports", only(creditStaff...), cr.handleCreditImportCreate, noCredit},
		{get, "/api/v1/credit/imports", only(creditStaff...), cr.handleCreditImportList, noCredit},
		{get, "/api/v1/credit/imports/:id", only(creditStaff...), cr.handleCreditImportGet, noCredit},
		{post, "/api/v1/credit/entries/:id/revoke", only(creditStaff...), cr.handleCreditEntryRevoke, noCredit},
		{post, "/api/v1/credit/repairs", signedIn, cr.handleCreditRepairCreate, noCredit},
		{get, "/api/v1/credit/repairs", signedIn, cr.handleCreditRepairList, noCredit},
		{get, "/api/v1/credit/repairs/:id", signedIn, cr.handleCreditRepairGet, noCredit},
		{post, "/api/v1/credit/repairs/:id/decide", only(creditStaff...), cr.handleCreditRepairDecide, noCredit},
		// Who stands for a subject in 信用修复: its 法定代表人 (name and ID number
		// checked), or an agent whose 授权委托书 the publishing department accepted.
		{post, "/api/v1/credit/subjects/:code/representatives", only(guanjia.RoleCitizen), cr.handleCreditRepresentativeBind, noCredit},
		{post, "/api/v1/credit/entries/:id/power-of-attorney", only(guanjia.RoleCitizen), cr.handleCreditPowerOfAttorneyCreate, noCredit},
		{get, "/api/v1/credit/representatives", signedIn, cr.handleCreditRepresentativeList, noCredit},
		{get, "/api/v1/credit/representatives/:id", signedIn, cr.handleCreditRepresentativeGet, noCredit},
		{get, "/api/v1/credit/representatives/:id/document", signedIn, cr.handleCreditRepresentativeDocument, noCredit},
		{post, "/api/v1/credit/representatives/:id/decide", only(creditStaff...), cr.handleCreditRepresentativeDecide, noCredit},
		{get, "/api/v1/credit/departments", only(creditStaff...), cr.handleCreditDepartmentList, noCredit},
		{put, "/api/v1/credit/departments/:unit", only(guanjia.RoleAdmin), cr.handleCreditDepartmentUpdate, noCredit},
		{post, "/api/v1/credit/articles", only(creditStaff...), cr.handleArticleCreate, noCredit},
		{put, "/api/v1/credit/articles/:id", only(creditStaff...), cr.handleArticleUpdate, noCredit},
		{post, "/api/v1/credit/articles/:id/:action", only(creditStaff...), cr.handleArticleAction, noCredit},
		{get, "/console/credit", pageFor(creditStaff...), con.page("credit", "诚信海口"), noCredit},

		// 15分钟便民生活圈: what is within a walk is public; places come from staff's files.
		{get, "/api/v1/poi/kinds", public, poi.handlePOIKinds, noPOI},
		{get, "/api/v1/poi/nearby", public, poi.handlePOINearby, noPOI},
		{post, "/api/v1/poi/imports", only(poiImporters...), poi.handlePOIImportCreate, noPOI},
		{get, "/api/v1/poi/imports", only(poiPlanners...), poi.handlePOIImportList, noPOI},
		{get, "/api/v1/poi/gaps", only(poiPlanners...), poi.handlePOIGaps, noPOI},
		{get, "/console/poi", pageFor(poiPlanners...), con.page("poi", "生活圈"), noPOI},
		// 行政审批查询 (approval.go): progress by 受理编号 + phone tail (misses throttled
		// per address and per number); the approval system pushes signed records; staff import CSV.
		{get, "/api/v1/approvals/followed", only(guanjia.RoleCitizen), apr.handleApprovalFollowed, noApprovals},
		{get, "/api/v1/approvals/events", only(approvalStaff...), apr.handleApprovalEvents, noApprovals},
		{post, "/api/v1/approvals/push", public, apr.handleApprovalPush, noApprovals || apr.pushSecret == ""},
		{post, "/api/v1/approvals/import", only(guanjia.RoleDepartment, guanjia.RoleAdmin), apr.handleApprovalImport, noApprovals},
		{get, "/api/v1/approvals/:number", public, apr.handleApprovalGet, noApprovals},
		{post, "/api/v1/approvals/:number/follow", only(guanjia.RoleCitizen), apr.handleApprovalFollow, noApprovals},
		{del, "/api/v1/approvals/:number/follow", only(guanjia.RoleCitizen), apr.handleApprovalUnfollow, noApprovals},
		{get, "/console/approvals", pageFor(approvalStaff...), con.page("approvals", "行政审批"), noApprovals},
		// 法律法规 (law.go): anyone reads and searches; department staff and administrators edit.
		{get, "/api/v1/laws", public, law.handleLawList, noLaws},
		{get, "/api/v1/laws/:id", public, law.handleLawGet, noLaws},
		{post, "/api/v1/laws", only(lawEditors...), law.handleLawCreate, noLaws},
		{put, "/api/v1/laws/:id", only(lawEditors...), law.handleLawUpdate, noLaws},
		{post, "/api/v1/laws/:id/status", only(lawEditors...), law.handleLawStatus, noLaws},
		{get, "/console/laws", pageFor(lawEditors...), con.page("laws", "法律法规"), noLaws},
		// 台风 / 气象 / 积水 (weather.go): reads are public; the sensor system
		// pushes depths as a department account with its own token (guanjia token).
		{get, "/api/v1/typhoons", public, wea.handleTyphoonList, noWeather},
		{get, "/api/v1/typhoons/:id", public, wea.handleTyphoonGet, noWeather},
		{post, "/api/v1/typhoons/imports", only(weatherStaff...), wea.handleTyphoonImport, noWeather},
		{get, "/api/v1/waterlogging", public, wea.handleWaterlogging, noWeather},
		{put, "/api/v1/waterlogging/points/:code", only(guanjia.RoleAdmin, guanjia.RoleDepartment), wea.handleWaterloggingPointPut, noWeather},
		{post, "/api/v1/waterlogging/readings", only(guanjia.RoleDepartment, guanjia.RoleAdmin), wea.handleWaterReadings, noWeather},
		{get, "/api/v1/alerts", public, wea.handleAlertList, noWeather},
		{get, "/api/v1/alerts/all", only(weatherStaff...), wea.handleAlertListAll, noWeather},
		{post, "/api/v1/alerts", only(alertPublishers...), wea.handleAlertCreate, noWeather},
		{post, "/api/v1/alerts/:id/withdraw", only(alertPublishers...), wea.handleAlertWithdraw, noWeather},
		{get, "/api/v1/me/places", only(guanjia.RoleCitizen), wea.handleMyPlaces, noWeather},
		{post, "/api/v1/me/places", only(guanjia.RoleCitizen), wea.handleMyPlaceCreate, noWeather},
		{del, "/api/v1/me/places/:id", only(guanjia.RoleCitizen), wea.handleMyPlaceDelete, noWeather},
		{get, "/api/v1/me/alerts", only(guanjia.RoleCitizen), wea.handleMyAlerts, noWeather},
		{get, "/console/weather", pageFor(weatherStaff...), con.page("weather", "台风气象积水"), noWeather},
		// 大调解 console pages over the dispute API: the queue and the case page.
		{get, "/console/disputes", pageFor(disputePageRoles...), con.page("disputes", "矛盾纠纷"), noDisputes},
		{get, "/console/disputes/:id", pageFor(disputePageRoles...), con.page("dispute", "纠纷详情"), noDisputes},
		// 大调解 (api/dispute.go): intake from anywhere, the workflow, the 协议书, the figures.
		{get, "/api/v1/disputes/types", public, dsp.handleDisputeTypes, noDisputes},
		{get, "/api/v1/disputes/stats", only(disputeStaff...), dsp.handleDisputeStats, noDisputes},
		{get, "/api/v1/mediation/committees", signedIn, dsp.handleCommitteeList, noDisputes},
		{get, "/api/v1/mediation/committees/:code/mediators", only(disputeStaff...), dsp.handleCommitteeMediators, noDisputes},
		{post, "/api/v1/disputes", only(disputeIntake...), dsp.handleDisputeCreate, noDisputes},
		{get, "/api/v1/disputes", only(disputeReaders...), dsp.handleDisputeList, noDisputes},
		{get, "/api/v1/disputes/:id", only(disputeReaders...), dsp.handleDisputeGet, noDisputes},
		{get, "/api/v1/disputes/:id/agreement.pdf", only(disputeReaders...), dsp.handleDisputeAgreement, noDisputes},
		{post, "/api/v1/disputes/:id/:action", only(disputeActors...), dsp.handleDisputeAction, noDisputes},
		// Open311 GeoReport v2: public as the specification is; filing checks
		// the client's api_key. The suffix (.xml or .json) picks the format.
		{get, "/open311/v2/discovery.:fmt", public, o3.serve("fmt", o3.handleDiscovery), noOpen311},
		{get, "/open311/v2/services.:fmt", public, o3.serve("fmt", o3.handleServices), noOpen311},
		{get, "/open311/v2/services/:file", public, o3.serve("file", o3.handleServiceDefinition), noOpen311},
		{post, "/open311/v2/requests.:fmt", public, o3.serve("fmt", o3.handleRequestCreate), noOpen311},
		{get, "/open311/v2/requests.:fmt", public, o3.serve("fmt", o3.handleRequestList), noOpen311},
		{get, "/open311/v2/requests/:file", public, o3.serve("file", o3.handleRequestGet), noOpen311},
		{get, "/open311/v2/servicerequestupdates.:fmt", public, o3.serve("fmt", o3.handleUpdates), noOpen311},
		{post, "/api/v1/open311/clients", only(guanjia.RoleAdmin), o3.handleClientCreate, noOpen311},
		{get, "/api/v1/open311/clients", only(guanjia.RoleAdmin), o3.handleClientList, noOpen311},
		{post, "/api/v1/open311/clients/:name/revoke", only(guanjia.RoleAdmin), o3.handleClientRevoke, noOpen311},

		// WeChat mini-program.
		{post, "/api/v1/wechat/login", public, wx.handleWeChatLogin, false},
		{post, "/api/v1/wechat/phone", only(guanjia.RoleCitizen), wx.handleWeChatPhone, false},
		{get, "/api/v1/wechat/subscriptions", signedIn, wx.handleWeChatSubscriptionList, false},
		{post, "/api/v1/wechat/subscriptions", signedIn, wx.handleWeChatSubscriptions, false},
		{get, "/api/v1/wechat/wxacode", signedIn, wx.handleWeChatCode, false},

		// 12345 console and crew pages: server-rendered shells over this same
		// API, with the live queue, 温馨告知 and the new-call form's nearby search.
		{get, "/static/*", public, con.handleStatic, false},
		{get, "/console", public, con.handleConsoleHome, false},
		{get, "/console/login", public, con.handleConsoleLogin, false},
		{get, "/console/queue", pageFor(consoleRoles...), con.page("queue", "实时队列"), false},
		{get, "/console/new", pageFor(desk...), con.page("new", "新建工单"), false},
		{get, "/console/orders/:id", pageFor(consoleRoles...), con.page("order", "工单详情"), false},
		{get, "/console/dashboard", pageFor(consoleRoles...), con.page("dashboard", "统计看板"), false},
		{get, "/console/notices", pageFor(consoleRoles...), con.page("notices", "温馨告知"), false},
		{get, "/console/inbox", pageFor(inboxReaders...), con.page("inbox", "站内消息"), false},
		{get, "/console/users", pageFor(guanjia.RoleAdmin), con.page("users", "账号管理"), false},
		{get, "/console/categories", pageFor(guanjia.RoleAdmin), con.page("categories", "分类管理"), false},
		{get, "/crew", pageFor(guanjia.RoleCrew, guanjia.RoleGridManager), con.page("crew", "我的任务"), false},
	}
}

// routes registers the route table behind the common middleware.
func (s *Server) routes() {
	e := s.echo
	e.Use(middleware.RequestID(), s.logRequests, s.measure, middleware.Recover(), s.open311.open311Errors, refuseBadParams)
	table := s.routeTable()
	s.console.nav = navFor(table)
	for _, rt := range table {
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
	e.RouteNotFound("/api/v1/*", echo.NotFoundHandler, s.sessions.authenticate)
}

// notReplayed are the POST routes the idempotency middleware skips: one that
// changes nothing (a body too rich for a query string), where storing an
// answer per call (a suggestion per pause in typing) protects nothing, and
// those whose body or answer is a secret, which is not to be kept beside the
// key (a hash of a password, a client's API key shown once).
var notReplayed = map[string]bool{
	"/api/v1/categories/suggest": true, // read-only
	"/api/v1/users/:id/password": true, // the new password
	"/api/v1/users":              true, // the first password
	"/api/v1/open311/clients":    true, // the API key
}

// guard turns a route's access into its middleware.
func (s *Server) guard(rt route) []echo.MiddlewareFunc {
	switch rt.access.kind {
	case accessPublic:
		return nil
	case accessViewer:
		return []echo.MiddlewareFunc{s.sessions.creditViewer}
	case accessSignedIn, accessRoles:
		// The role is checked before a body is read or an answer replayed:
		// a caller refused today gets no answer stored for them yesterday.
		mw := []echo.MiddlewareFunc{s.sessions.authenticate}
		if rt.access.kind == accessRoles {
			mw = append(mw, allow(rt.access.roles...))
		}
		if strings.HasPrefix(rt.path, "/api/") && !(rt.method == http.MethodPost && notReplayed[rt.path]) {
			mw = append(mw, s.idempotent)
		}
		return mw
	case accessPage:
		return []echo.MiddlewareFunc{s.sessions.pageSession, s.console.pageAllow(rt.access.roles...)}
	}
	panic(fmt.Sprintf("api: route %s %s declares no access", rt.method, rt.path))
}
