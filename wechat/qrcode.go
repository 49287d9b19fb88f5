package wechat

import (
	"context"
	"fmt"
	"strings"

	"github.com/silenceper/wechat/v2/miniprogram/qrcode"

	"guanjia"
)

// sceneChars are the characters getwxacodeunlimit accepts in a scene (at most 32).
const sceneChars = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ!#$&'()*+,/:;=?@-._~"

// QRCode returns the mini-program code (a transparent PNG) that opens page
// with scene, e.g. scene "c=42" for complaint 42. Codes never change, so each
// (scene, page) is fetched from WeChat once and kept in the database.
func (c *Client) QRCode(ctx context.Context, scene, page string) ([]byte, error) {
	if scene == "" || len(scene) > 32 || strings.Trim(scene, sceneChars) != "" {
		return nil, guanjia.FieldError(guanjia.EINVALID, "scene", "scene must be 1 to 32 of %s", sceneChars)
	}
	if strings.HasPrefix(page, "/") || strings.Contains(page, "?") {
		return nil, guanjia.FieldError(guanjia.EINVALID, "page", "page is a path without leading / or query")
	}
	img, err := c.store.FindWXACode(ctx, scene, page)
	if err == nil {
		return img, nil
	} else if guanjia.ErrorCode(err) != guanjia.ENOTFOUND {
		return nil, fmt.Errorf("wechat: find code %s %s: %w", scene, page, err)
	}
	env, check := "release", true
	switch c.cfg.MiniProgramState {
	case "trial":
		env, check = "trial", false // unpublished pages are allowed outside release
	case "developer":
		env, check = "develop", false
	}
	params := qrcode.QRCoder{Scene: scene, Page: page, CheckPath: &check, EnvVersion: env, Width: 430, IsHyaline: true}
	err = withFreshToken(ctx, c.miniTokens, func() (err error) {
		img, err = c.mini.GetQRCode().GetWXACodeUnlimit(params)
		return err
	})
	if err != nil {
		return nil, callError("getwxacodeunlimit", err)
	}
	if err := c.store.SaveWXACode(ctx, scene, page, img); err != nil {
		c.log.WarnContext(ctx, "keep mini-program code", "scene", scene, "page", page, "err", err)
	}
	return img, nil
}
