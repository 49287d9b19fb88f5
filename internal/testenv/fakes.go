package testenv

import (
	"context"
	"fmt"
	"sync"
	"time"

	"guanjia"
	"guanjia/dispatch"
	"guanjia/volunteer"
)

// Clock is a clock a test moves by hand instead of sleeping. It is safe for
// concurrent use: services read it from their own goroutines.
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

// NewClock returns a Clock standing at t.
func NewClock(t time.Time) *Clock { return &Clock{now: t} }

// Now tells the time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Set moves the clock to t.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	c.now = t
	c.mu.Unlock()
}

// Advance moves the clock on by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// DispatchTimers is a dispatch.Scheduler that remembers the timers it was
// asked to arm and the messages it was asked to deliver, and does nothing.
type DispatchTimers struct {
	mu     sync.Mutex
	timers []dispatch.Timer
	sent   []int64
}

var _ dispatch.Scheduler = (*DispatchTimers)(nil)

// ArmTimer records t.
func (s *DispatchTimers) ArmTimer(_ context.Context, t dispatch.Timer) error {
	s.mu.Lock()
	s.timers = append(s.timers, t)
	s.mu.Unlock()
	return nil
}

// Deliver records the notification.
func (s *DispatchTimers) Deliver(_ context.Context, id int64) error {
	s.mu.Lock()
	s.sent = append(s.sent, id)
	s.mu.Unlock()
	return nil
}

// Armed answers the timers of kind armed for complaint id, oldest first.
func (s *DispatchTimers) Armed(id int64, kind dispatch.TimerKind) []dispatch.Timer {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []dispatch.Timer
	for _, t := range s.timers {
		if t.ComplaintID == id && t.Kind == kind {
			out = append(out, t)
		}
	}
	return out
}

// Timers answers every timer armed, oldest first.
func (s *DispatchTimers) Timers() []dispatch.Timer {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]dispatch.Timer(nil), s.timers...)
}

// Delivered answers the notifications handed over for delivery.
func (s *DispatchTimers) Delivered() []int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]int64(nil), s.sent...)
}

// Forget drops every timer armed so far, as when Redis loses them.
func (s *DispatchTimers) Forget() {
	s.mu.Lock()
	s.timers = nil
	s.mu.Unlock()
}

// VolunteerTimers is a volunteer.Scheduler that remembers the timers it was
// asked to arm, by task identity (re-arming one replaces it), and the
// messages it was asked to deliver, and does nothing.
type VolunteerTimers struct {
	mu    sync.Mutex
	armed map[string]volunteer.Timer
	sent  []int64
}

// Deliver records the notification.
func (s *VolunteerTimers) Deliver(_ context.Context, id int64) error {
	s.mu.Lock()
	s.sent = append(s.sent, id)
	s.mu.Unlock()
	return nil
}

// Delivered answers the notifications handed over for delivery.
func (s *VolunteerTimers) Delivered() []int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]int64(nil), s.sent...)
}

var _ volunteer.Scheduler = (*VolunteerTimers)(nil)

// ArmVolunteerTimer records t under its task identity.
func (s *VolunteerTimers) ArmVolunteerTimer(_ context.Context, t volunteer.Timer) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.armed == nil {
		s.armed = map[string]volunteer.Timer{}
	}
	s.armed[fmt.Sprintf("%s:%d:%d", t.Kind, t.SubjectID, t.Seq)] = t
	return nil
}

// Find answers the timers of kind armed for subject.
func (s *VolunteerTimers) Find(kind volunteer.TimerKind, subject int64) []volunteer.Timer {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []volunteer.Timer
	for _, t := range s.armed {
		if t.Kind == kind && t.SubjectID == subject {
			out = append(out, t)
		}
	}
	return out
}

// Forget drops every timer armed so far, as when Redis loses them.
func (s *VolunteerTimers) Forget() {
	s.mu.Lock()
	s.armed = nil
	s.mu.Unlock()
}

// Messages is a guanjia.Notifier that remembers the messages it was given.
type Messages struct {
	mu   sync.Mutex
	sent []guanjia.Message
}

var _ guanjia.Notifier = (*Messages)(nil)

// Notify records m.
func (n *Messages) Notify(_ context.Context, m guanjia.Message) error {
	n.mu.Lock()
	n.sent = append(n.sent, m)
	n.mu.Unlock()
	return nil
}

// To answers the messages of template tpl sent to user.
func (n *Messages) To(user int64, tpl string) []guanjia.Message {
	n.mu.Lock()
	defer n.mu.Unlock()
	var out []guanjia.Message
	for _, m := range n.sent {
		if m.RecipientID == user && m.Template == tpl {
			out = append(out, m)
		}
	}
	return out
}
