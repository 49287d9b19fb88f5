package api

import (
	"net/http"
	"time"

	"guanjia"
	"guanjia/dispatch"
)

// body declares the JSON bodies of one route for the OpenAPI document: the
// Go type the handler decodes (req) and the one it answers (resp), which
// the document's schemas are reflected from. openapi_test.go checks that
// every /api/v1 route has an entry and that every handler decoding a JSON
// body declares its type.
type body struct {
	summary     string
	req         any    // the request body's type; nil: none
	optionalReq bool   // the body may be left out
	multipart   string // a multipart/form-data upload: its file field's description
	resp        any    // the answer's type; nil: a JSON object not described further; mediaBody: not JSON
	status      int    // the success status; 0: 200
	also        []int  // other statuses answered with resp
	query       []string
}

// mediaBody is an answer that is not JSON: its media type.
type mediaBody string

// Answers the handlers build as maps, spelled out for the document.
type (
	complaintList struct {
		Complaints []complaintJSON `json:"complaints"`
		Total      int64           `json:"total"`
		Page       int             `json:"page"`
	}
	nearbyList struct {
		Complaints []nearbyJSON `json:"complaints"`
		RadiusM    float64      `json:"radius_m"`
	}
	openNearbyAnswer struct {
		OpenNearby bool    `json:"open_nearby"`
		WillMerge  bool    `json:"will_merge"`
		RadiusM    float64 `json:"radius_m"`
	}
	statsAnswer struct {
		From       string             `json:"from"`
		To         string             `json:"to"`
		Total      guanjia.Stats      `json:"total"`
		ByUnit     []guanjia.StatsRow `json:"by_unit"`
		ByDistrict []guanjia.StatsRow `json:"by_district"`
		ByCategory []guanjia.StatsRow `json:"by_category"`
		ByDay      []guanjia.StatsRow `json:"by_day"`
	}
	rankingAnswer struct {
		Month     string             `json:"month"`
		Weights   map[string]float64 `json:"weights"`
		Units     []dispatch.Rank    `json:"units"`
		Districts []dispatch.Rank    `json:"districts"`
	}
	inboxList struct {
		Messages   []inboxJSON `json:"messages"`
		Unread     int64       `json:"unread"`
		NextBefore *int64      `json:"next_before"`
	}
	inboxReadAnswer struct {
		Message inboxJSON `json:"message"`
		Unread  int64     `json:"unread"`
	}
	inboxReadAllAnswer struct {
		Marked int64 `json:"marked"`
		Unread int64 `json:"unread"`
	}
	categoryList struct {
		Categories []categoryJSON `json:"categories"`
	}
	unitList struct {
		Units []unitJSON `json:"units"`
	}
	crewList struct {
		Crews []crewJSON `json:"crews"`
	}
	noticeList struct {
		Notices []noticeJSON `json:"notices"`
	}
	notificationList struct {
		Notifications []notificationJSON `json:"notifications"`
	}
	userList struct {
		Users   []adminUserJSON `json:"users"`
		Total   int             `json:"total"`
		Page    int             `json:"page"`
		PerPage int             `json:"per_page"`
	}
	userAuditList struct {
		Audit      []userAuditJSON `json:"audit"`
		NextBefore int64           `json:"next_before,omitempty"`
	}
	activityList struct {
		Activities []activityJSON `json:"activities"`
	}
	signupList struct {
		Signups []signupJSON `json:"signups"`
	}
	checkoutAnswer struct {
		Signup signupJSON     `json:"signup"`
		Hours  hoursEntryJSON `json:"hours"`
	}
	albumList struct {
		Photos []albumPhotoJSON `json:"photos"`
	}
	teamList struct {
		Teams []teamJSON `json:"teams"`
	}
	memberList struct {
		Members []memberJSON `json:"members"`
	}
	helpRequestList struct {
		HelpRequests []helpRequestJSON `json:"help_requests"`
	}
	articleList struct {
		Articles []articleJSON `json:"articles"`
		Total    int64         `json:"total"`
		Page     int           `json:"page"`
	}
	creditSubjectList struct {
		Subjects []*creditSubjectJSON `json:"subjects"`
		Page     int                  `json:"page"`
		More     bool                 `json:"more"`
	}
	creditSubjectAnswer struct {
		Subject *creditSubjectJSON `json:"subject"`
		Black   []creditEntryJSON  `json:"black"`
		Red     []creditEntryJSON  `json:"red"`
		Records []creditEntryJSON  `json:"records"`
	}
	creditCheckAnswer struct {
		Code  string            `json:"code"`
		Black []creditEntryJSON `json:"black"`
		Red   []creditEntryJSON `json:"red"`
	}
	creditEntryList struct {
		Entries []creditEntryJSON `json:"entries"`
		Total   int64             `json:"total"`
		Page    int               `json:"page"`
	}
	creditEntryAnswer struct {
		Entry  creditEntryJSON   `json:"entry"`
		Events []creditEventJSON `json:"events,omitempty"`
	}
	creditImportList struct {
		Imports []creditBatchJSON `json:"imports"`
		Total   int64             `json:"total"`
		Page    int               `json:"page"`
	}
	creditRepairList struct {
		Repairs []creditRepairJSON `json:"repairs"`
		Total   int64              `json:"total"`
		Page    int                `json:"page"`
	}
	creditRepresentativeList struct {
		Representatives []creditRepresentativeJSON `json:"representatives"`
		Total           int64                      `json:"total"`
		Page            int                        `json:"page"`
	}
	remitList struct {
		Departments []remitJSON `json:"departments"`
	}
	subscriptionList struct {
		Subscriptions []subscriptionJSON `json:"subscriptions"`
	}
	subscriptionsAnswer struct {
		Recorded int `json:"recorded"`
	}
	phoneAnswer struct {
		Phone string `json:"phone"`
	}
	hoursSummary struct {
		TotalHours  float64          `json:"total_hours"`
		CreditHours float64          `json:"credit_hours"`
		HonorHours  float64          `json:"honor_hours"`
		MonthHours  float64          `json:"month_hours"`
		Entries     []hoursEntryJSON `json:"entries"`
	}
	teamHours struct {
		hoursSummary
		TeamID int64 `json:"team_id"`
	}
	volunteerStats struct {
		Teams              int64   `json:"teams"`
		Volunteers         int64   `json:"volunteers"`
		Activities         int64   `json:"activities"`
		ActivitiesUpcoming int64   `json:"activities_upcoming"`
		TotalHours         float64 `json:"total_hours"`
		MonthHours         float64 `json:"month_hours"`
		HelpRequestsDone   int64   `json:"help_requests_done"`
		HelpRequestsOpen   int64   `json:"help_requests_open"`
	}
	deliveryStats struct {
		Since        time.Time               `json:"since"`
		Days         int                     `json:"days"`
		Failed       int                     `json:"failed"`
		Retrying     int                     `json:"retrying"`
		Pending      int                     `json:"pending"`
		NoChannel    int                     `json:"no_channel"`
		NoConsent    int                     `json:"no_consent"`
		Sent         int                     `json:"sent"`
		ByChannel    []guanjia.DeliveryCount `json:"by_channel"`
		RecentFailed []notificationJSON      `json:"recent_failed"`
	}
	creditTypeList struct {
		Types []struct {
			Code     string `json:"code"`
			Name     string `json:"name"`
			List     bool   `json:"list"`
			Negative bool   `json:"negative"`
			Columns  []struct {
				Key      string   `json:"key"`
				Header   string   `json:"header"`
				Required bool     `json:"required"`
				Values   []string `json:"values,omitempty"`
			} `json:"columns"`
		} `json:"types"`
	}
)

// apiBodies holds the bodies of every /api/v1 route, keyed "METHOD path" as in the route table.
var apiBodies = map[string]body{
	"GET /api/v1/poi/kinds":                            {summary: "生活圈设施类型 (kinds of place and the walking model)", resp: poiKindsAnswer{}},
	"GET /api/v1/poi/nearby":                           {summary: "15分钟生活圈 (what is within a 15-minute walk)", resp: poiNearbyAnswer{}, query: []string{"lat", "lng", "coord_system"}},
	"POST /api/v1/poi/imports":                         {summary: "导入便民设施 (import places from CSV or GeoJSON)", multipart: "file: the CSV or GeoJSON; coord_system (wgs84 or gcj02); format; source", resp: poiImportJSON{}, status: http.StatusCreated, also: []int{http.StatusUnprocessableEntity}},
	"GET /api/v1/poi/imports":                          {summary: "便民设施导入记录 (recent imports)", resp: poiImportList{}, query: []string{"limit"}},
	"GET /api/v1/poi/gaps":                             {summary: "生活圈缺口 (kinds missing per grid)", resp: poiGapsAnswer{}},
	"GET /api/v1/approvals/:number":                    {summary: "行政审批进度 (an application's progress by 受理编号 and phone tail; misses throttled per address and per number)", resp: approvalJSON{}, query: []string{"phone_tail"}},
	"POST /api/v1/approvals/push":                      {summary: "审批系统推送 (signed push: X-Guanjia-Timestamp, X-Guanjia-Signature = sha256= HMAC of timestamp.body)", req: approvalPushRequest{}, resp: approvalPushAnswer{}},
	"POST /api/v1/approvals/import":                    {summary: "导入审批记录 (import a CSV, all or nothing)", multipart: "file: the CSV", resp: approvalImportAnswer{}, status: http.StatusCreated, also: []int{http.StatusUnprocessableEntity}},
	"POST /api/v1/approvals/:number/follow":            {summary: "关注审批进度 (follow an application)", req: approvalFollowRequest{}, resp: approvalJSON{}},
	"DELETE /api/v1/approvals/:number/follow":          {summary: "取消关注 (unfollow)", status: http.StatusNoContent},
	"GET /api/v1/approvals/followed":                   {summary: "我关注的审批 (applications I follow)", resp: approvalList{}},
	"GET /api/v1/approvals/events":                     {summary: "审批动态 (recent changes of status)", resp: approvalEventList{}, query: []string{"limit"}},
	"GET /api/v1/laws":                                 {summary: "法律法规 (search with q in title and articles, or list)", resp: lawSearchAnswer{}, query: []string{"q", "status", "page", "per_page"}},
	"GET /api/v1/laws/:id":                             {summary: "法规全文 (a law with its articles)", resp: lawJSON{}},
	"POST /api/v1/laws":                                {summary: "新增法规 (add a law with its articles)", req: lawRequest{}, resp: lawJSON{}, status: http.StatusCreated},
	"PUT /api/v1/laws/:id":                             {summary: "修改法规 (replace a law and its articles)", req: lawRequest{}, resp: lawJSON{}},
	"POST /api/v1/laws/:id/status":                     {summary: "法规状态 (现行有效 / 已修订 / 已废止)", req: lawStatusRequest{}, resp: lawJSON{}},
	"GET /api/v1/typhoons":                             {summary: "台风路径 (active and recent typhoons with tracks and cones)", resp: typhoonList{}, query: []string{"limit"}},
	"GET /api/v1/typhoons/:id":                         {summary: "台风详情 (one typhoon's track and cone)", resp: typhoonJSON{}},
	"POST /api/v1/typhoons/imports":                    {summary: "导入台风路径 (import a track: CSV or the feed's JSON)", multipart: "file: the track; format: csv or feed", resp: typhoonJSON{}, status: http.StatusCreated},
	"GET /api/v1/waterlogging":                         {summary: "积水点 (waterlogging points with depths, and open 道路积水 reports)", resp: waterloggingAnswer{}},
	"PUT /api/v1/waterlogging/points/:code":            {summary: "保存积水点 (create or update a waterlogging point)", req: waterloggingPointRequest{}, resp: waterloggingPointJSON{}},
	"POST /api/v1/waterlogging/readings":               {summary: "上报积水深度 (the sensor system pushes depths)", req: waterReadingsRequest{}, resp: waterReadingsAnswer{}},
	"GET /api/v1/alerts":                               {summary: "气象预警 (alerts in force)", resp: alertList{}},
	"GET /api/v1/alerts/all":                           {summary: "全部气象预警 (all alerts)", resp: alertList{}, query: []string{"limit"}},
	"POST /api/v1/alerts":                              {summary: "发布预警 (publish an alert; citizens with a place inside are told)", req: alertRequest{}, resp: alertJSON{}, status: http.StatusCreated},
	"POST /api/v1/alerts/:id/withdraw":                 {summary: "撤回预警 (withdraw an alert)", resp: alertJSON{}},
	"GET /api/v1/me/places":                            {summary: "我的地点 (my saved places)", resp: placeList{}},
	"POST /api/v1/me/places":                           {summary: "添加地点 (save a place)", req: placeRequest{}, resp: placeJSON{}, status: http.StatusCreated},
	"DELETE /api/v1/me/places/:id":                     {summary: "删除地点 (remove a place)", status: http.StatusNoContent},
	"GET /api/v1/me/alerts":                            {summary: "我的预警 (alerts in force over my places)", resp: alertList{}},
	"GET /api/v1/disputes/types":                       {summary: "矛盾纠纷类别 (the dispute catalogue)", resp: disputeTypeList{}},
	"GET /api/v1/disputes/stats":                       {summary: "大调解统计 (handled, resolved, 调处成功率, 诉前; by level, type, committee)", resp: disputeFigures{}, query: []string{"from", "to"}},
	"GET /api/v1/mediation/committees":                 {summary: "人民调解委员会 (mediation committees)", resp: committeeList{}},
	"GET /api/v1/mediation/committees/:code/mediators": {summary: "委员会可指派的调解员 (a committee's mediators)", resp: mediatorList{}},
	"POST /api/v1/disputes":                            {summary: "登记矛盾纠纷 (take in a dispute)", req: disputeRequest{}, resp: disputeJSON{}, status: http.StatusCreated},
	"GET /api/v1/disputes":                             {summary: "纠纷列表 (disputes the caller may see)", resp: disputeList{}, query: []string{"status", "level", "committee", "mine", "page", "per_page"}},
	"GET /api/v1/disputes/:id":                         {summary: "纠纷详情 (a dispute with its timeline and next actions)", resp: disputeJSON{}},
	"GET /api/v1/disputes/:id/agreement.pdf":           {summary: "人民调解协议书 (the agreement PDF)", resp: mediaBody("application/pdf")},
	"POST /api/v1/disputes/:id/:action": {summary: "纠纷操作 (accept, route, assign, schedule, record, succeed, fail, withdraw, request_confirmation, confirm, follow_up, close)",
		req: disputeActionRequest{}, optionalReq: true, resp: disputeJSON{}},
	"GET /api/v1/openapi.json":        {summary: "本文档 (this OpenAPI document)"},
	"POST /api/v1/auth/login":         {summary: "登录 (sign in with username and password)", req: loginRequest{}, resp: loginResponse{}},
	"POST /api/v1/auth/logout":        {summary: "退出登录 (end the session)", status: http.StatusNoContent},
	"GET /api/v1/me":                  {summary: "当前用户 (the caller)", resp: userJSON{}},
	"PUT /api/v1/me/position":         {summary: "上报位置 (a crew member's position)", req: positionRequest{}, resp: userJSON{}},
	"PUT /api/v1/me/password":         {summary: "修改密码 (change my password)", req: myPasswordRequest{}, status: http.StatusNoContent},
	"GET /api/v1/users":               {summary: "账号列表 (accounts)", resp: userList{}, query: []string{"q", "role", "unit", "disabled", "page", "per_page"}},
	"POST /api/v1/users":              {summary: "新建账号 (create a staff account)", req: userCreateRequest{}, resp: adminUserJSON{}, status: http.StatusCreated},
	"GET /api/v1/users/audit":         {summary: "账号审计日志 (account audit log)", resp: userAuditList{}, query: []string{"user", "before", "limit"}},
	"GET /api/v1/users/:id":           {summary: "账号详情 (one account)", resp: adminUserJSON{}},
	"POST /api/v1/users/:id/disable":  {summary: "停用账号 (disable)", resp: adminUserJSON{}},
	"POST /api/v1/users/:id/enable":   {summary: "启用账号 (enable)", resp: adminUserJSON{}},
	"PUT /api/v1/users/:id/role":      {summary: "设置角色 (set role, unit, grid)", req: userRoleRequest{}, resp: adminUserJSON{}},
	"POST /api/v1/users/:id/password": {summary: "重置密码 (set a new password)", req: passwordRequest{}, resp: adminUserJSON{}},
	"POST /api/v1/users/:id/unlock":   {summary: "解除登录锁定 (unlock sign-in)", resp: adminUserJSON{}},

	"GET /api/v1/categories":          {summary: "问题分类 (the catalogue of categories, retired ones marked)", resp: categoryList{}},
	"PUT /api/v1/categories/:code":    {summary: "修改、停用或启用分类 (edit, retire or bring back a category)", req: categoryJSON{}, resp: categoryJSON{}},
	"POST /api/v1/categories/suggest": {summary: "智能分类 (the three most likely categories of a description)", req: suggestRequest{}, resp: suggestAnswer{}},
	"GET /api/v1/units":               {summary: "责任单位 (responsible units)", resp: unitList{}},
	"GET /api/v1/grids":               {summary: "网格 (grids, GeoJSON)", resp: mediaBody("application/geo+json")},

	"POST /api/v1/complaints": {summary: "上报问题 / 新建工单 (file a complaint)", req: complaintRequest{}, resp: complaintJSON{}, status: http.StatusCreated},
	"GET /api/v1/complaints": {summary: "工单列表 (complaints the caller may see)", resp: complaintList{},
		query: []string{"status", "category", "unit", "source", "q", "from", "to", "page", "per_page"}},
	"GET /api/v1/hotspots":                  {summary: "热点诉求 (current hotspots)", resp: hotspotList{}},
	"PUT /api/v1/hotspots/thresholds/:code": {summary: "热点阈值 (a category's hotspot thresholds)", req: hotspotThresholdRequest{}, resp: hotspotThresholdJSON{}},
	"POST /api/v1/hotspots/:id/patrol":      {summary: "主动巡查 (open a patrol order at a hotspot)", req: patrolRequest{}, optionalReq: true, resp: complaintJSON{}, status: http.StatusCreated},
	"GET /api/v1/complaints/nearby":         {summary: "附近工单 (likely duplicates near a point)", resp: nearbyList{}, query: []string{"lat", "lng", "category", "coord_system"}},
	"GET /api/v1/complaints/open-nearby":    {summary: "附近是否已有人上报 (is it already reported?)", resp: openNearbyAnswer{}, query: []string{"lat", "lng", "category", "coord_system"}},
	"GET /api/v1/complaints/:id":            {summary: "工单详情 (a complaint with its timeline and next actions)", resp: complaintJSON{}},
	"POST /api/v1/complaints/:id/:action": {summary: "工单操作 (accept, arrive, resolve, return, dispatch, close, reject, merge, reopen, rate, extend, remind, escalate, followup)",
		req: actionRequest{}, optionalReq: true, resp: complaintJSON{}},
	"POST /api/v1/complaints/:id/photos": {summary: "上传照片 (upload a photo)", multipart: "file: the photo; kind: before or after", resp: photoJSON{}, status: http.StatusCreated},
	"GET /api/v1/photos/:photo":          {summary: "照片 (a photo)", resp: mediaBody("image/jpeg")},
	"GET /api/v1/crews":                  {summary: "处置人员及其任务量 (crews and their load)", resp: crewList{}, query: []string{"unit"}},

	"GET /api/v1/stats":                         {summary: "统计 (figures by unit, district, category, day)", resp: statsAnswer{}, query: []string{"from", "to"}},
	"GET /api/v1/stats/ranking":                 {summary: "月度排名 (monthly ranking)", resp: rankingAnswer{}, query: []string{"month"}},
	"GET /api/v1/stats/deliveries":              {summary: "消息送达统计 (delivery figures)", resp: deliveryStats{}, query: []string{"days"}},
	"GET /api/v1/notifications":                 {summary: "通知记录 (notifications sent)", resp: notificationList{}, query: []string{"complaint", "status", "limit"}},
	"GET /api/v1/live":                          {summary: "实时队列 (live queue, server-sent events)", resp: mediaBody("text/event-stream")},
	"GET /api/v1/inbox":                         {summary: "站内消息 (my messages)", resp: inboxList{}, query: []string{"before", "limit"}},
	"POST /api/v1/inbox/read":                   {summary: "全部已读 (mark all read)", resp: inboxReadAllAnswer{}},
	"POST /api/v1/inbox/:id/read":               {summary: "标记已读 (mark one read)", resp: inboxReadAnswer{}},
	"GET /api/v1/notices":                       {summary: "温馨告知 (notices in force)", resp: noticeList{}},
	"GET /api/v1/notices/all":                   {summary: "全部温馨告知 (all notices)", resp: noticeList{}},
	"POST /api/v1/notices":                      {summary: "发布温馨告知 (publish a notice)", req: noticeRequest{}, resp: noticeJSON{}, status: http.StatusCreated},
	"POST /api/v1/notices/:id/withdraw":         {summary: "撤回温馨告知 (withdraw)", resp: noticeJSON{}},
	"POST /api/v1/open311/clients":              {summary: "新增 Open311 客户端 (add a client; its key is answered only here)", req: open311ClientRequest{}, resp: open311ClientJSON{}, status: http.StatusCreated},
	"GET /api/v1/open311/clients":               {summary: "Open311 客户端 (clients, revoked ones included)", resp: open311ClientList{}},
	"POST /api/v1/open311/clients/:name/revoke": {summary: "吊销 Open311 客户端 (revoke a client's key)", resp: open311ClientJSON{}},

	"GET /api/v1/volunteer/certificates/:number":        {summary: "核验证明 (verify a certificate)", resp: certificateJSON{}},
	"POST /api/v1/volunteer/certify":                    {summary: "志愿者实名认证 (become a volunteer)", req: certifyRequest{}, resp: volunteerJSON{}, status: http.StatusCreated},
	"GET /api/v1/volunteer/me":                          {summary: "我的志愿者信息 (my volunteer record)", resp: volunteerJSON{}},
	"GET /api/v1/volunteer/me/hours":                    {summary: "我的服务时长 (my hours)", resp: hoursSummary{}},
	"GET /api/v1/volunteer/me/signups":                  {summary: "我的报名 (my signups)", resp: signupList{}},
	"GET /api/v1/volunteer/skills":                      {summary: "技能目录 (skill catalogue)", resp: skillCatalogue{}},
	"GET /api/v1/volunteer/me/skills":                   {summary: "我的技能与服务区域 (my skills and area)", resp: matchProfileJSON{}},
	"PUT /api/v1/volunteer/me/skills":                   {summary: "设置技能、服务区域、可被搜索 (set skills, area, findable)", req: skillsRequest{}, resp: matchProfileJSON{}},
	"GET /api/v1/volunteer/me/invitations":              {summary: "我收到的邀请，附活动概要 (my invitations, each with its activity)", resp: myInvitationList{}},
	"POST /api/v1/volunteer/me/invitations/:id/accept":  {summary: "接受邀请并报名 (accept: sign up)", resp: acceptJSON{}},
	"POST /api/v1/volunteer/me/invitations/:id/decline": {summary: "谢绝邀请 (decline)", resp: invitationJSON{}},
	"GET /api/v1/volunteers/search": {summary: "搜索志愿者 (search volunteers; names masked)", resp: candidateList{},
		query: []string{"skill", "lat", "lng", "radius_m", "activity", "page", "per_page"}},
	"PUT /api/v1/teams/:id/members/:user/skills":         {summary: "核验队员技能证书 (verify a member's skill)", req: verifySkillRequest{}, resp: memberSkillsJSON{}},
	"POST /api/v1/activities/:id/invitations":            {summary: "邀请志愿者 (invite volunteers)", req: inviteRequest{}, resp: invitationList{}, status: http.StatusCreated},
	"GET /api/v1/activities/:id/invitations":             {summary: "活动邀请 (the activity's invitations)", resp: invitationList{}},
	"POST /api/v1/volunteer/certificates":                {summary: "开具服务证明 (issue a certificate)", req: certificateRequest{}, resp: certificateJSON{}, status: http.StatusCreated},
	"GET /api/v1/volunteer/certificates/:number/pdf":     {summary: "证明 PDF", resp: mediaBody("application/pdf")},
	"POST /api/v1/volunteer/hours":                       {summary: "录入荣誉时长 (enter honour hours)", req: honorRequest{}, resp: hoursEntryJSON{}, status: http.StatusCreated},
	"POST /api/v1/volunteer/hours/:id/correct":           {summary: "更正时长 (correct an entry)", req: correctionRequest{}, resp: hoursEntryJSON{}, status: http.StatusCreated},
	"GET /api/v1/volunteer/stats":                        {summary: "公益海口概况 (headline figures)", resp: volunteerStats{}},
	"POST /api/v1/teams":                                 {summary: "创建队伍 (register a team)", req: teamRequest{}, resp: teamJSON{}, status: http.StatusCreated},
	"GET /api/v1/teams":                                  {summary: "队伍 (teams)", resp: teamList{}, query: []string{"status", "mine", "near", "radius", "coord_system"}},
	"GET /api/v1/teams/:id":                              {summary: "队伍详情 (a team)", resp: teamJSON{}},
	"POST /api/v1/teams/:id/review":                      {summary: "审核队伍 (review a team)", req: reviewRequest{}, resp: teamJSON{}},
	"POST /api/v1/teams/:id/join":                        {summary: "加入队伍 (join)", resp: memberJSON{}, status: http.StatusCreated},
	"GET /api/v1/teams/:id/members":                      {summary: "队员 (members)", resp: memberList{}},
	"POST /api/v1/teams/:id/admins":                      {summary: "设置队伍管理员 (make a member an admin)", req: teamAdminRequest{}, resp: memberJSON{}},
	"DELETE /api/v1/teams/:id/admins/:user":              {summary: "取消队伍管理员或卸任 (remove an admin, or step down; not the last)", resp: memberJSON{}},
	"DELETE /api/v1/teams/:id/members/:user":             {summary: "退出队伍或移出队员 (leave, or remove a member; admins step down first)", status: http.StatusNoContent},
	"GET /api/v1/teams/:id/hours":                        {summary: "队伍服务时长 (a team's hours)", resp: teamHours{}},
	"POST /api/v1/activities":                            {summary: "创建活动 (draft an activity)", req: activityRequest{}, resp: activityJSON{}, status: http.StatusCreated},
	"GET /api/v1/activities":                             {summary: "活动 (activities)", resp: activityList{}, query: []string{"team", "status", "near", "radius", "coord_system"}},
	"GET /api/v1/activities/:id":                         {summary: "活动详情 (an activity)", resp: activityJSON{}},
	"PUT /api/v1/activities/:id":                         {summary: "修改活动 (edit a draft)", req: activityRequest{}, resp: activityJSON{}},
	"POST /api/v1/activities/:id/submit":                 {summary: "提交审核 (submit for review)", resp: activityJSON{}},
	"POST /api/v1/activities/:id/review":                 {summary: "审核活动 (review)", req: reviewRequest{}, resp: activityJSON{}},
	"POST /api/v1/activities/:id/cancel":                 {summary: "取消活动 (cancel)", req: reasonRequest{}, resp: activityJSON{}},
	"POST /api/v1/activities/:id/reschedule":             {summary: "改期 (reschedule)", req: rescheduleRequest{}, resp: activityJSON{}},
	"POST /api/v1/activities/:id/signup":                 {summary: "报名 (sign up)", resp: signupJSON{}, status: http.StatusCreated},
	"DELETE /api/v1/activities/:id/signup":               {summary: "取消报名 (cancel my signup)", resp: signupJSON{}},
	"GET /api/v1/activities/:id/signups":                 {summary: "报名名单 (signups)", resp: signupList{}},
	"GET /api/v1/activities/:id/checkin-token":           {summary: "签到码 (the check-in token, and its QR code as a PNG data URL)", resp: checkinTokenJSON{}},
	"POST /api/v1/activities/:id/checkin":                {summary: "签到 (check in)", req: checkRequest{}, resp: signupJSON{}},
	"POST /api/v1/activities/:id/checkout":               {summary: "签退 (check out; hours credited)", req: checkRequest{}, resp: checkoutAnswer{}},
	"POST /api/v1/activities/:id/signups/:user/checkin":  {summary: "代签到 (check someone in)", req: reasonRequest{}, resp: signupJSON{}},
	"POST /api/v1/activities/:id/signups/:user/checkout": {summary: "代签退 (check someone out)", req: reasonRequest{}, resp: checkoutAnswer{}},
	"POST /api/v1/activities/:id/photos":                 {summary: "上传活动照片 (album upload)", multipart: "file: the photo", resp: albumPhotoJSON{}, status: http.StatusCreated},
	"GET /api/v1/activities/:id/photos":                  {summary: "活动相册 (album)", resp: albumList{}},
	"GET /api/v1/activities/:id/photos/:photo":           {summary: "活动照片 (a photo)", resp: mediaBody("image/jpeg")},
	"POST /api/v1/help-requests":                         {summary: "求助 (ask for help)", req: helpRequestRequest{}, resp: helpRequestJSON{}, status: http.StatusCreated},
	"GET /api/v1/help-requests":                          {summary: "求助列表 (help requests)", resp: helpRequestList{}},
	"GET /api/v1/help-requests/:id":                      {summary: "求助详情 (a help request)", resp: helpRequestJSON{}},
	"POST /api/v1/help-requests/:id/:action":             {summary: "求助操作 (claim, done, cancel, …)", req: helpActionRequest{}, optionalReq: true, resp: helpRequestJSON{}},

	"GET /api/v1/credit/types":                           {summary: "信用信息类型 (record types and their columns)", resp: creditTypeList{}},
	"GET /api/v1/credit/templates/:type":                 {summary: "导入模板 (an import template)", resp: mediaBody("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")},
	"GET /api/v1/credit/subjects":                        {summary: "信用主体查询 (search subjects)", resp: creditSubjectList{}, query: []string{"q", "page", "per_page"}},
	"GET /api/v1/credit/subjects/:code":                  {summary: "信用主体 (a subject with its lists and records)", resp: creditSubjectAnswer{}},
	"GET /api/v1/credit/check":                           {summary: "联合奖惩核查 (joint incentive and punishment check)", resp: creditCheckAnswer{}, query: []string{"code"}},
	"GET /api/v1/credit/lists/:kind":                     {summary: "红黑名单 (the red or black list)", resp: creditEntryList{}, query: []string{"list_name", "page", "per_page"}},
	"GET /api/v1/credit/entries/:id":                     {summary: "信用记录 (an entry; staff get its history)", resp: creditEntryAnswer{}},
	"GET /api/v1/credit/articles":                        {summary: "诚信动态 / 政策法规 / 通知公告 (articles)", resp: articleList{}, query: []string{"section", "page", "per_page"}},
	"GET /api/v1/credit/articles/:id":                    {summary: "文章 (an article)", resp: articleJSON{}},
	"POST /api/v1/credit/imports":                        {summary: "导入信用数据 (import a spreadsheet)", multipart: "file: the spreadsheet; type; department", resp: creditBatchJSON{}, status: http.StatusCreated, also: []int{http.StatusAccepted, http.StatusUnprocessableEntity}},
	"GET /api/v1/credit/imports":                         {summary: "导入批次 (imports, newest first)", resp: creditImportList{}, query: []string{"page", "per_page"}},
	"GET /api/v1/credit/imports/:id":                     {summary: "导入批次详情 (an import with its row report)", resp: creditBatchJSON{}},
	"POST /api/v1/credit/entries/:id/revoke":             {summary: "撤销记录 (revoke an entry)", req: noteRequest{}, resp: creditEntryJSON{}},
	"POST /api/v1/credit/repairs":                        {summary: "申请信用修复 (apply for 信用修复)", req: repairRequest{}, resp: creditRepairJSON{}, status: http.StatusCreated},
	"GET /api/v1/credit/repairs":                         {summary: "信用修复申请 (applications)", resp: creditRepairList{}, query: []string{"status", "page", "per_page"}},
	"GET /api/v1/credit/repairs/:id":                     {summary: "信用修复申请详情 (an application)", resp: creditRepairJSON{}},
	"POST /api/v1/credit/repairs/:id/decide":             {summary: "审核信用修复 (decide)", req: decideRequest{}, resp: creditRepairJSON{}},
	"POST /api/v1/credit/subjects/:code/representatives": {summary: "绑定法定代表人 (stand for a subject)", req: representativeBindRequest{}, resp: creditRepresentativeJSON{}, status: http.StatusCreated, also: []int{http.StatusOK}},
	"POST /api/v1/credit/entries/:id/power-of-attorney":  {summary: "上传授权委托书 (file a power of attorney)", multipart: "file: the document; name", resp: creditRepresentativeJSON{}, status: http.StatusCreated},
	"GET /api/v1/credit/representatives":                 {summary: "代表关系 (representations)", resp: creditRepresentativeList{}, query: []string{"status", "page", "per_page"}},
	"GET /api/v1/credit/representatives/:id":             {summary: "代表关系详情 (a representation)", resp: creditRepresentativeJSON{}},
	"GET /api/v1/credit/representatives/:id/document":    {summary: "授权委托书文件 (the document)", resp: mediaBody("application/octet-stream")},
	"POST /api/v1/credit/representatives/:id/decide":     {summary: "审核授权委托书 (decide)", req: representativeDecideRequest{}, resp: creditRepresentativeJSON{}},
	"GET /api/v1/credit/departments":                     {summary: "部门报送范围 (what each department publishes)", resp: remitList{}},
	"PUT /api/v1/credit/departments/:unit":               {summary: "设置报送范围 (set a department's record types)", req: remitRequest{}, resp: remitJSON{}},
	"POST /api/v1/credit/articles":                       {summary: "撰写文章 (draft an article)", req: articleRequest{}, resp: articleJSON{}, status: http.StatusCreated},
	"PUT /api/v1/credit/articles/:id":                    {summary: "修改文章 (edit an article)", req: articleRequest{}, resp: articleJSON{}},
	"POST /api/v1/credit/articles/:id/:action":           {summary: "发布或撤下文章 (publish, unpublish)", resp: articleJSON{}},

	"POST /api/v1/wechat/login":         {summary: "微信登录 (sign in with wx.login's code)", req: codeRequest{}, resp: loginResponse{}},
	"POST /api/v1/wechat/phone":         {summary: "绑定手机号 (getPhoneNumber's code)", req: codeRequest{}, resp: phoneAnswer{}},
	"GET /api/v1/wechat/subscriptions":  {summary: "订阅消息余量 (subscription consents left)", resp: subscriptionList{}},
	"POST /api/v1/wechat/subscriptions": {summary: "记录订阅授权 (record wx.requestSubscribeMessage)", req: subscriptionsRequest{}, resp: subscriptionsAnswer{}},
	"GET /api/v1/wechat/wxacode":        {summary: "小程序码 (a mini-program code)", resp: mediaBody("image/png")},
}
