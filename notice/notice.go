// Package notice publishes 温馨告知: notices citizens read before they
// report (a road closed for works, a typhoon warning), each valid for a
// window of time and withdrawn early when it no longer holds.
package notice

import (
	"context"
	"time"

	"guanjia"
)

// Service publishes, lists and withdraws notices.
type Service struct {
	Store guanjia.NoticeStore
	Now   func() time.Time
}

// NewService returns a Service over store; now is the clock.
func NewService(store guanjia.NoticeStore, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	return &Service{Store: store, Now: now}
}

// Current answers the notices valid now: the public list.
func (s *Service) Current(ctx context.Context) ([]*guanjia.Notice, error) {
	now := s.Now()
	return s.Store.ListNotices(ctx, guanjia.NoticeFilter{CurrentAt: &now})
}

// All answers up to limit notices, past and upcoming ones too.
func (s *Service) All(ctx context.Context, limit int) ([]*guanjia.Notice, error) {
	return s.Store.ListNotices(ctx, guanjia.NoticeFilter{Limit: limit})
}

// Input is a notice to publish. A nil ValidFrom means from now.
type Input struct {
	Kind                  guanjia.NoticeKind
	Title, Body, Area     string
	ValidFrom, ValidUntil *time.Time
}

// Publish publishes a notice by who. It must still be valid at some point
// from now on: one that would already have expired is refused.
func (s *Service) Publish(ctx context.Context, who guanjia.Claims, in Input) (*guanjia.Notice, error) {
	now := s.now()
	n := &guanjia.Notice{Kind: in.Kind, Title: in.Title, Body: in.Body, Area: in.Area,
		ValidFrom: now, PublishedBy: who.UserID, CreatedAt: now}
	if in.ValidFrom != nil {
		n.ValidFrom = in.ValidFrom.UTC()
	}
	if in.ValidUntil != nil {
		n.ValidUntil = in.ValidUntil.UTC()
	}
	if err := n.Validate(); err != nil {
		return nil, err
	}
	if !n.ValidUntil.After(now) {
		return nil, guanjia.FieldError(guanjia.EINVALID, "valid_until", "the notice would already have expired")
	}
	if err := s.Store.CreateNotice(ctx, n); err != nil {
		return nil, err
	}
	return n, nil
}

// Withdraw takes notice id down before its window ends and answers it as it now is.
func (s *Service) Withdraw(ctx context.Context, who guanjia.Claims, id int64) (*guanjia.Notice, error) {
	if err := s.Store.WithdrawNotice(ctx, id, who.UserID, s.now()); err != nil {
		return nil, err
	}
	return s.Store.FindNotice(ctx, id)
}

// now is the clock to the second, as notices are stored.
func (s *Service) now() time.Time { return s.Now().UTC().Truncate(time.Second) }
