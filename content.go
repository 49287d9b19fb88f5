package guanjia

import "context"

// ContentChecker screens what users write before it is shown to anyone
// (WeChat content security). A risky text is refused with EUNPROCESSABLE
// naming the field; a checker that cannot be reached lets the text through
// and says so in the log, because the complaint flow must never block on it.
type ContentChecker interface {
	CheckText(ctx context.Context, openid, field, text string) error
}

// PhotoChecker screens an uploaded photo asynchronously: a photo judged
// risky later is hidden. Failing to start the check never blocks the upload.
type PhotoChecker interface {
	CheckPhoto(ctx context.Context, openid, photoID string) error
}

// NoContentCheck accepts everything (no WeChat app configured).
type NoContentCheck struct{}

func (NoContentCheck) CheckText(context.Context, string, string, string) error { return nil }
