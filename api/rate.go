package api

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"guanjia"
	"guanjia/dispatch"
	"guanjia/web"
)

// The 回访 of a 12345 caller: the 办结 SMS carries a short-lived signed link
// (/r/<token>) to a page where the caller, who has no account, says whether
// the problem was solved and how satisfied they are. The link is the
// authority: it names one complaint and expires; nothing else is needed.

// RatingLinkTTL is how long the link of a 办结 SMS works.
const RatingLinkTTL = 7 * 24 * time.Hour

// SignRatingURL is the link on which the caller of complaint id rates it, until exp.
func SignRatingURL(base, secret string, id int64, exp time.Time) string {
	return strings.TrimRight(base, "/") + "/r/" + RatingToken(secret, id, exp)
}

// RatingToken is "<id>.<expiry, base 36>.<signature>": short enough for an SMS.
func RatingToken(secret string, id int64, exp time.Time) string {
	body := strconv.FormatInt(id, 10) + "." + strconv.FormatInt(exp.Unix(), 36)
	return body + "." + ratingSignature(secret, body)
}

func ratingSignature(secret, body string) string {
	m := hmac.New(sha256.New, []byte("guanjia:rate:"+secret))
	m.Write([]byte(body))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil)[:12]) // 96 bits, for a week
}

var (
	errLinkInvalid = errors.New("the rating link is not valid")
	errLinkExpired = errors.New("the rating link has expired")
)

// parseRatingToken returns the complaint a token names, errLinkInvalid for a
// malformed or tampered token and errLinkExpired for a genuine one past its time.
func parseRatingToken(secret, token string, now time.Time) (int64, error) {
	if len(token) > 100 {
		return 0, errLinkInvalid
	}
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return 0, errLinkInvalid
	}
	body := parts[0] + "." + parts[1]
	if !hmac.Equal([]byte(parts[2]), []byte(ratingSignature(secret, body))) {
		return 0, errLinkInvalid
	}
	id, err1 := strconv.ParseInt(parts[0], 10, 64)
	exp, err2 := strconv.ParseInt(parts[1], 36, 64)
	if err1 != nil || err2 != nil || id <= 0 {
		return 0, errLinkInvalid
	}
	if now.Unix() > exp {
		return id, errLinkExpired
	}
	return id, nil
}

// ratePage answers a caller on the rating page: HTML, or JSON to a program.
type ratePage struct {
	h      *complaintHandlers
	c      echo.Context
	json   bool
	page   web.RatePage
	status guanjia.Status // what the link's complaint is rated as (dispatch.RatedAs)
}

func (h *complaintHandlers) newRatePage(c echo.Context) *ratePage {
	r := c.Request()
	wantsJSON := strings.HasPrefix(r.Header.Get(echo.HeaderContentType), echo.MIMEApplicationJSON) ||
		(r.Method == http.MethodGet && strings.Contains(r.Header.Get(echo.HeaderAccept), echo.MIMEApplicationJSON))
	return &ratePage{h: h, c: c, json: wantsJSON,
		page: web.RatePage{Version: web.Version, Action: "/r/" + c.Param("token")}}
}

// fail answers a refusal: a page that says it in Chinese, or the API's error body.
func (p *ratePage) fail(status int, code, message string) error {
	if p.json {
		var body errorBody
		body.Error.Code, body.Error.Message = code, message
		return p.c.JSON(status, body)
	}
	p.page.State, p.page.Heading, p.page.Message = "error", rateHeadings[status], message
	return p.render(status)
}

var rateHeadings = map[int]string{
	http.StatusBadRequest: "提交有误", http.StatusForbidden: "链接无效", http.StatusNotFound: "未找到工单",
	http.StatusConflict: "感谢您的反馈", http.StatusGone: "链接已过期",
}

func (p *ratePage) render(status int) error {
	h := p.c.Response().Header()
	h.Set(echo.HeaderContentType, echo.MIMETextHTMLCharsetUTF8)
	h.Set(echo.HeaderCacheControl, "no-store")
	h.Set("Content-Security-Policy", pageSecurity)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer") // the link is the credential: never pass it on
	p.c.Response().WriteHeader(status)
	return p.h.pages.RenderRate(p.c.Response(), p.page)
}

// load checks the link and reads its complaint; on failure it has answered.
func (p *ratePage) load() (*guanjia.Complaint, bool, error) {
	h, ctx := p.h, p.c.Request().Context()
	id, err := parseRatingToken(h.secret, p.c.Param("token"), h.now())
	switch {
	case errors.Is(err, errLinkExpired):
		return nil, false, p.fail(http.StatusGone, "expired", "评价链接已过期（有效期 7 天）。如需反映意见，请拨打 12345 热线。")
	case err != nil:
		return nil, false, p.fail(http.StatusForbidden, guanjia.EFORBIDDEN, "评价链接无效，请核对短信中的链接是否完整。")
	}
	c, err := h.dispatch.Store.FindComplaint(ctx, id)
	if guanjia.ErrorCode(err) == guanjia.ENOTFOUND {
		return nil, false, p.fail(http.StatusNotFound, guanjia.ENOTFOUND, "没有找到这张工单。")
	} else if err != nil {
		return nil, false, err
	}
	if p.status, err = h.dispatch.RatedAs(ctx, c); err != nil {
		return nil, false, err
	}
	p.page.OrderID = c.ID
	if cat, err := h.dispatch.Store.FindCategory(ctx, c.Category); err == nil {
		p.page.Category = cat.Name
	}
	return c, true, nil
}

// refusal says why a complaint cannot be rated now, or "" when it can;
// status is the one it is rated as (dispatch.RatedAs).
func refusal(c *guanjia.Complaint, status guanjia.Status) string {
	switch {
	case c.Rating != 0:
		return "您已经评价过这张工单，感谢您的反馈！"
	case status == guanjia.StatusRejected:
		return "这张工单经核实不予立案，无需评价。如有疑问，请拨打 12345 热线。"
	case !dispatch.Rateable(status):
		return "这张工单正在办理中，办结后我们会再发短信请您评价。"
	}
	return ""
}

// handleRatePage shows the 回访 form of the link's complaint (GET /r/:token).
func (h *complaintHandlers) handleRatePage(c echo.Context) error {
	p := h.newRatePage(c)
	cp, ok, err := p.load()
	if !ok {
		return err
	}
	if msg := refusal(cp, p.status); msg != "" {
		p.page.State, p.page.Heading, p.page.Message = "done", "感谢您的反馈", msg
		if p.json {
			return c.JSON(http.StatusOK, map[string]any{"complaint": cp.ID, "can_rate": false, "message": msg})
		}
		return p.render(http.StatusOK)
	}
	if p.json {
		return c.JSON(http.StatusOK, map[string]any{"complaint": cp.ID, "can_rate": true, "category": p.page.Category})
	}
	if events, err := h.dispatch.Store.ListEvents(c.Request().Context(), cp.ID); err == nil {
		for _, e := range events {
			if e.Action == guanjia.ActionResolve {
				p.page.Note = e.Note
			}
		}
		if i := strings.Index(p.page.Note, " [照片: "); i >= 0 {
			p.page.Note = p.page.Note[:i]
		}
	}
	p.page.State = "form"
	return p.render(http.StatusOK)
}

type rateRequest struct {
	Solved  *bool  `json:"solved"`
	Score   int    `json:"score"`
	Comment string `json:"comment"`
}

// handleRateSubmit records the caller's answer (POST /r/:token, a form or JSON).
func (h *complaintHandlers) handleRateSubmit(c echo.Context) error {
	p := h.newRatePage(c)
	var req rateRequest
	if p.json {
		if err := bind(c, &req); err != nil {
			return p.fail(http.StatusBadRequest, guanjia.EINVALID, "提交的内容格式不正确。")
		}
	} else {
		c.Request().Body = http.MaxBytesReader(c.Response(), c.Request().Body, 16<<10)
		switch c.FormValue("solved") {
		case "yes":
			req.Solved = new(bool)
			*req.Solved = true
		case "no":
			req.Solved = new(bool)
		}
		req.Score, _ = strconv.Atoi(c.FormValue("score"))
		req.Comment = c.FormValue("comment")
		if err := checkForm(c.Request()); err != nil {
			return p.fail(http.StatusBadRequest, guanjia.EINVALID, "提交的内容格式不正确。")
		}
	}
	req.Comment = strings.TrimSpace(req.Comment)
	cp, ok, err := p.load()
	if !ok {
		return err
	}
	if msg := refusal(cp, p.status); msg != "" {
		return p.fail(http.StatusConflict, guanjia.ECONFLICT, msg)
	}
	p.page.Solved, p.page.Score, p.page.Comment = req.Solved, req.Score, req.Comment
	switch {
	case req.Solved == nil:
		return p.invalid("solved", "请选择问题是否已解决。")
	case req.Score < guanjia.RatingUnsatisfied || req.Score > guanjia.RatingSatisfied:
		return p.invalid("score", "请选择满意度：满意、基本满意或不满意。")
	case utf8.RuneCountInString(req.Comment) > dispatch.MaxRatingComment:
		return p.invalid("comment", "意见请不要超过 500 字。")
	}
	rated, err := h.dispatch.RateByLink(c.Request().Context(), cp.ID, dispatch.ActionInput{Solved: req.Solved, Score: req.Score, Comment: req.Comment})
	switch guanjia.ErrorCode(err) {
	case "":
	case guanjia.ECONFLICT: // rated meanwhile, from another tab or phone
		return p.fail(http.StatusConflict, guanjia.ECONFLICT, "您已经评价过这张工单，感谢您的反馈！")
	case guanjia.EINVALID:
		return p.invalid(guanjia.ErrorField(err), "提交的内容有误，请检查后重试。")
	default:
		return err
	}
	if p.json {
		return c.JSON(http.StatusOK, map[string]any{"complaint": cp.ID, "rated": true})
	}
	p.page.State, p.page.Heading, p.page.Message = "done", "评价成功", "感谢您的评价！您的意见会送到办理单位和 12345 热线。"
	switch {
	case rated.ReopenCount > cp.ReopenCount: // the answer sent the work back (dispatch: once per order, never a me-too's)
		p.page.Message = "感谢您的反馈！工单已转回重新办理，办结后会再次短信告知您。"
	case (req.Solved != nil && !*req.Solved) || req.Score == guanjia.RatingUnsatisfied:
		p.page.Message = "感谢您的反馈！您的意见会送到办理单位和 12345 热线核实处理。"
	}
	return p.render(http.StatusOK)
}

// invalid answers a form with a missing or bad answer: the form again, with the message.
func (p *ratePage) invalid(field, message string) error {
	if p.json {
		var body errorBody
		body.Error.Code, body.Error.Message, body.Error.Field = guanjia.EINVALID, message, field
		return p.c.JSON(http.StatusBadRequest, body)
	}
	p.page.State, p.page.Error = "form", message
	return p.render(http.StatusBadRequest)
}
