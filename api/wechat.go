package api

import (
	"context"
	"net/http"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"guanjia"
)

// MiniProgram is what the API needs from the WeChat adapter.
type MiniProgram interface {
	// Login exchanges a wx.login code for the user, creating a citizen on first login.
	Login(ctx context.Context, code string) (*guanjia.User, error)
	// BindPhone stores the number behind a getPhoneNumber code and returns it masked.
	BindPhone(ctx context.Context, userID int64, code string) (string, error)
	// QRCode returns the PNG mini-program code that opens page with scene.
	QRCode(ctx context.Context, scene, page string) ([]byte, error)
	// RecordTap adds one subscribe consent for each template id the user
	// allowed (once per tap, though WeChat's push may tell of it too).
	RecordTap(ctx context.Context, userID int64, templateIDs []string) error
	// SubscribeTemplates maps each subscribe message (guanjia.Tpl…) to its template id.
	SubscribeTemplates() map[string]string
	// ListConsents returns the consents left per template id.
	ListConsents(ctx context.Context, userID int64) (map[string]int, error)
}

// wechatHandlers serve the mini-program's WeChat calls: sign-in, phone,
// subscribe consents (subscription.go) and mini-program codes.
type wechatHandlers struct {
	mp       MiniProgram // nil when no WeChat app is configured
	sessions *sessions
}

func (h *wechatHandlers) miniProgram() (MiniProgram, error) {
	if h.mp == nil {
		return nil, guanjia.Errorf(guanjia.ENOTFOUND, "WeChat is not configured on this server")
	}
	return h.mp, nil
}

type codeRequest struct {
	Code string `json:"code"`
}

// handleWeChatLogin signs a mini-program user in with a wx.login code.
func (h *wechatHandlers) handleWeChatLogin(c echo.Context) error {
	mp, err := h.miniProgram()
	if err != nil {
		return err
	}
	var req codeRequest
	if err := bind(c, &req); err != nil {
		return err
	}
	if req.Code == "" {
		return invalid("code", "code is required")
	}
	u, err := mp.Login(c.Request().Context(), req.Code)
	if err != nil {
		return err
	}
	return h.sessions.signIn(c, u, "", false)
}

// handleWeChatPhone binds the caller's phone number from a getPhoneNumber code.
func (h *wechatHandlers) handleWeChatPhone(c echo.Context) error {
	mp, err := h.miniProgram()
	if err != nil {
		return err
	}
	var req codeRequest
	if err := bind(c, &req); err != nil {
		return err
	}
	if req.Code == "" {
		return invalid("code", "code is required")
	}
	masked, err := mp.BindPhone(c.Request().Context(), claimsOf(c).UserID, req.Code)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]string{"phone": masked})
}

type subscriptionsRequest struct {
	TemplateIDs []string `json:"template_ids"`
}

// handleWeChatSubscriptions records the subscribe consents the mini-program's
// popup returned as "accept": each lets one message through.
func (h *wechatHandlers) handleWeChatSubscriptions(c echo.Context) error {
	mp, err := h.miniProgram()
	if err != nil {
		return err
	}
	var req subscriptionsRequest
	if err := bind(c, &req); err != nil {
		return err
	}
	if len(req.TemplateIDs) == 0 || len(req.TemplateIDs) > 20 {
		return invalid("template_ids", "send 1 to 20 template ids")
	}
	for _, id := range req.TemplateIDs {
		if id == "" || utf8.RuneCountInString(id) > 128 {
			return invalid("template_ids", "template id %q is not a template id", id)
		}
	}
	if err := mp.RecordTap(c.Request().Context(), claimsOf(c).UserID, req.TemplateIDs); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"recorded": len(req.TemplateIDs)})
}

// handleWeChatCode answers the mini-program code (PNG) for ?scene=&page=.
func (h *wechatHandlers) handleWeChatCode(c echo.Context) error {
	mp, err := h.miniProgram()
	if err != nil {
		return err
	}
	png, err := mp.QRCode(c.Request().Context(), c.QueryParam("scene"), c.QueryParam("page"))
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "public, max-age=86400")
	return c.Blob(http.StatusOK, "image/png", png)
}
