package wechat

import (
	"context"
	"fmt"

	"github.com/silenceper/wechat/v2/miniprogram/business"

	"guanjia"
)

// Login exchanges a wx.login code for the user's openid and returns that
// user, creating a citizen on first sight. An invalid or reused code is
// EUNAUTHORIZED with WeChat's reason.
func (c *Client) Login(ctx context.Context, code string) (*guanjia.User, error) {
	if code == "" {
		return nil, guanjia.FieldError(guanjia.EINVALID, "code", "code is required")
	}
	res, err := c.mini.GetAuth().Code2SessionContext(ctx, code)
	if err != nil {
		switch res.ErrCode {
		case codeInvalidCode, codeCodeUsed:
			return nil, guanjia.Errorf(guanjia.EUNAUTHORIZED, "%s", trimRID(res.ErrMsg))
		case codeHighRiskUser:
			return nil, guanjia.Errorf(guanjia.EFORBIDDEN, "WeChat blocked this login: %s", trimRID(res.ErrMsg))
		}
		return nil, callError("code2session", err)
	}
	if res.OpenID == "" {
		return nil, &apiError{op: "code2session", msg: "no openid in the answer"}
	}
	// session_key is not kept: phone numbers come from getuserphonenumber.
	return c.userByOpenID(ctx, res.OpenID, res.UnionID)
}

// userByOpenID finds or creates the citizen with openid. Two first logins
// racing each other both end with the one row the unique openid allows.
func (c *Client) userByOpenID(ctx context.Context, openid, unionid string) (*guanjia.User, error) {
	u, err := c.users.FindUserByOpenID(ctx, openid)
	if err == nil {
		return u, nil
	} else if guanjia.ErrorCode(err) != guanjia.ENOTFOUND {
		return nil, fmt.Errorf("wechat: login: %w", err)
	}
	u = &guanjia.User{Role: guanjia.RoleCitizen, OpenID: openid, UnionID: unionid}
	if err := c.users.CreateUser(ctx, u); err == nil {
		c.log.InfoContext(ctx, "new WeChat user", "user_id", u.ID)
		return u, nil
	} else if guanjia.ErrorCode(err) != guanjia.ECONFLICT {
		return nil, fmt.Errorf("wechat: login: create user: %w", err)
	}
	u, err = c.users.FindUserByOpenID(ctx, openid)
	if err != nil {
		return nil, fmt.Errorf("wechat: login: %w", err)
	}
	return u, nil
}

// BindPhone exchanges a getPhoneNumber code for the user's phone number,
// stores it (encrypted at rest by the user store) and returns it masked.
func (c *Client) BindPhone(ctx context.Context, userID int64, code string) (string, error) {
	if code == "" {
		return "", guanjia.FieldError(guanjia.EINVALID, "code", "code is required")
	}
	var info business.PhoneInfo
	err := withFreshToken(ctx, c.miniTokens, func() (err error) {
		info, err = c.mini.GetBusiness().GetPhoneNumberWithContext(ctx, &business.GetPhoneNumberRequest{Code: code})
		return err
	})
	if err != nil {
		ae := callError("getuserphonenumber", err)
		if ae.code == codeInvalidCode || ae.code == codeCodeUsed {
			return "", guanjia.FieldError(guanjia.EINVALID, "code", "%s", trimRID(ae.msg))
		}
		return "", ae
	}
	// Mainland numbers are stored without +86; others keep their country code.
	phone := info.PurePhoneNumber
	if info.CountryCode != "" && info.CountryCode != "86" {
		phone = info.PhoneNumber
	}
	if !guanjia.ValidPhone(phone) {
		return "", &apiError{op: "getuserphonenumber", msg: "WeChat returned no usable phone number"}
	}
	if err := c.users.UpdateUserPhone(ctx, userID, phone); err != nil {
		return "", fmt.Errorf("wechat: bind phone of user %d: %w", userID, err)
	}
	return guanjia.MaskPhone(phone), nil
}
