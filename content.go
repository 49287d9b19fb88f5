package guanjia

import "context"

// ContentChecker screens what users write before it is shown to anyone
// (WeChat content security). A risky text is refused with EUNPROCESSABLE
// naming the field; a checker that cannot be reached lets the text through
// and says so in the log, because the complaint flow must never block on it.
type ContentChecker interface {
	CheckText(ctx context.Context, openid, field, text string) error
}

// NoContentCheck accepts everything (no WeChat app configured).
type NoContentCheck struct{}

func (NoContentCheck) CheckText(context.Context, string, string, string) error { return nil }
