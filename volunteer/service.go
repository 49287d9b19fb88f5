package volunteer

import (
	"context"
	"crypto/sha256"
	"log/slog"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"guanjia"
)

// Config holds the platform's rules that an operator may tune.
type Config struct {
	ReminderLead       time.Duration // reminder before the start (1 h)
	CancelCutoff       time.Duration // no cancelling (and so no promotion) closer to the start than this (2 h)
	CheckinOpensBefore time.Duration // check-in opens this long before the start (30 min)
	AutoCheckoutAfter  time.Duration // whoever is still checked in this long after the end is checked out at the end (2 h)
	TokenTTL           time.Duration // life of a check-in QR token (30 s)
	Rounding           Rounding      // of credited hours (down to 0.5 h)
	HonorCap           time.Duration // most 荣誉时长 one entry may credit (8 h)
	MaxBatch           int           // most signups decided in one transaction (256)
	PublicURL          string        // printed on certificates for verification; may be empty
}

// DefaultConfig is the platform's configuration for Haikou.
func DefaultConfig() Config {
	return Config{
		ReminderLead: time.Hour, CancelCutoff: 2 * time.Hour, CheckinOpensBefore: 30 * time.Minute,
		AutoCheckoutAfter: 2 * time.Hour, TokenTTL: 30 * time.Second,
		Rounding: Rounding{Step: 30 * time.Minute, Mode: RoundDown}, HonorCap: 8 * time.Hour, MaxBatch: 256,
	}
}

// Platform is what every part of the volunteer platform shares: the store,
// the queue, the clock, the rules, and the helpers the parts have in common.
type Platform struct {
	Store     Store
	Scheduler Scheduler
	// Scheduler also delivers: every message of the platform is written to
	// the outbox in the transaction of the step it reports, then handed to
	// its Deliver.
	Content guanjia.ContentChecker
	Credit  guanjia.CreditChecker // optional: flags black-listed organisations (联合惩戒)
	Blobs   guanjia.BlobStore     // the activity albums; nil disables photos
	Clock   Clock
	Log     *slog.Logger
	Config  Config

	tokenKey []byte // signs check-in tokens
}

// Service is the volunteer platform, one part per resource; each part's
// methods check who is calling. The parts share one Platform: set Credit,
// Blobs, Log or Config on the Service and every part sees it. The platform's
// timers (HandleTimer, ReconcileTimers) and headline figures are the
// Service's own.
type Service struct {
	*Platform
	Volunteers *Volunteers   // real-name certification
	Teams      *Teams        // applications, review, members
	Activities *Activities   // drafts, review, publication, rescheduling, albums
	Signups    *Signups      // signup and waitlist, check-in and check-out
	Hours      *Hours        // the hours ledger and certificates
	Help       *HelpRequests // citizens' requests for help (求助)
	Matching   *Matching     // skills, search and invitations (精准匹配)
}

// The parts of the platform.
type (
	Volunteers   struct{ *Platform }
	Teams        struct{ *Platform }
	Activities   struct{ *Platform }
	Hours        struct{ *Platform }
	HelpRequests struct{ *Platform }
	Signups      struct {
		*Platform
		admit *admitter
	}
)

// NewService returns a Service with DefaultConfig. secret keys the check-in
// tokens (a key derived from it, so the token key differs from other uses).
func NewService(st Store, sch Scheduler, content guanjia.ContentChecker, clock Clock, secret string) *Service {
	key := sha256.Sum256([]byte("guanjia:volunteer:checkin:" + secret))
	p := &Platform{Store: st, Scheduler: sch, Content: content, Clock: clock,
		Log: slog.Default(), Config: DefaultConfig(), tokenKey: key[:]}
	signups := &Signups{Platform: p, admit: newAdmitter(p)}
	return &Service{Platform: p, Volunteers: &Volunteers{p}, Teams: &Teams{p}, Activities: &Activities{p},
		Signups: signups, Hours: &Hours{p}, Help: &HelpRequests{p}, Matching: &Matching{Platform: p, Signups: signups}}
}

func (s *Platform) now() time.Time { return s.Clock.Now().UTC() }

// localTime formats t as Haikou reads it, for messages and certificates.
func localTime(t time.Time) string { return t.In(guanjia.ChinaTime).Format("2006-01-02 15:04") }

// actorFor says how the state tables see who on team teamID: a platform
// admin, a team admin, or just themselves.
func (s *Platform) actorFor(ctx context.Context, who guanjia.Claims, teamID int64) (Actor, error) {
	if who.Role == guanjia.RoleAdmin {
		return ActorAdmin, nil
	}
	if teamID != 0 {
		m, err := s.Store.FindTeamMember(ctx, teamID, who.UserID)
		if err == nil && m.Role == guanjia.TeamRoleAdmin {
			return ActorTeamAdmin, nil
		} else if err != nil && guanjia.ErrorCode(err) != guanjia.ENOTFOUND {
			return "", err
		}
	}
	return ActorSelf, nil
}

// isTeamAdmin reports whether who administers team teamID (platform admins do too).
func (s *Platform) isTeamAdmin(ctx context.Context, who guanjia.Claims, teamID int64) (bool, error) {
	a, err := s.actorFor(ctx, who, teamID)
	return a == ActorAdmin || a == ActorTeamAdmin, err
}

// requireVolunteer returns who's certification, or EFORBIDDEN naming what to do.
func (s *Platform) requireVolunteer(ctx context.Context, who guanjia.Claims) (*guanjia.Volunteer, error) {
	v, err := s.Store.FindVolunteer(ctx, who.UserID)
	if guanjia.ErrorCode(err) == guanjia.ENOTFOUND {
		return nil, guanjia.Errorf(guanjia.EFORBIDDEN, "complete real-name certification (实名认证) first")
	}
	return v, err
}

// checkText screens a text a user wrote before anyone else sees it.
func (s *Platform) checkText(ctx context.Context, who guanjia.Claims, field, text string) error {
	if strings.TrimSpace(text) == "" {
		return nil
	}
	u, err := s.Store.FindUserByID(ctx, who.UserID)
	if err != nil {
		return err
	}
	return s.Content.CheckText(ctx, u.OpenID, field, text)
}

func event(subject string, id int64, action string, from, to string, actor *int64, note string, at time.Time) *guanjia.VolunteerEvent {
	return &guanjia.VolunteerEvent{Subject: subject, SubjectID: id, Action: action, From: from, To: to, ActorID: actor, Note: note, At: at}
}

func actorID(who guanjia.Claims) *int64 {
	id := who.UserID
	return &id
}

// message is a subscribe message to a volunteer.
func message(to int64, tpl string, data map[string]string) guanjia.Message {
	return messageOn(to, guanjia.ChannelSubscribe, tpl, data)
}

func messageOn(to int64, channel, tpl string, data map[string]string) guanjia.Message {
	return guanjia.Message{RecipientID: to, Channel: channel, Template: tpl, Data: data}
}

// deliver hands the outbox rows a step wrote with its change to the queue.
// A failure is logged: the row stays pending and the re-queue job sends it.
func (s *Platform) deliver(ctx context.Context, ids []int64) {
	for _, id := range ids {
		if err := s.Scheduler.Deliver(ctx, id); err != nil {
			s.Log.Warn("volunteer: queue notification; the re-queue job will send it", "notification", id, "err", err)
		}
	}
}

// activityData fills the template fields every activity message shares.
func activityData(a *guanjia.Activity, extra map[string]string) map[string]string {
	d := map[string]string{"activity": a.Title, "start": localTime(a.StartAt), "place": a.Address,
		"id": strconv.FormatInt(a.ID, 10)}
	for k, v := range extra {
		d[k] = v
	}
	return d
}

// arm hands timers to the queue. A failure is logged: the database holds the
// truth and the reconciler arms the timer again.
func (s *Platform) arm(ctx context.Context, timers ...Timer) {
	for _, t := range timers {
		if err := s.Scheduler.ArmVolunteerTimer(ctx, t); err != nil {
			s.Log.Warn("volunteer: arm timer; the reconciler will retry", "kind", t.Kind, "subject", t.SubjectID, "err", err)
		}
	}
}

func requireReason(r string) error {
	switch n := utf8.RuneCountInString(strings.TrimSpace(r)); {
	case n == 0:
		return guanjia.FieldError(guanjia.EINVALID, "reason", "a reason is required")
	case n > 500:
		return guanjia.FieldError(guanjia.EINVALID, "reason", "reason is longer than 500 characters")
	}
	return nil
}
