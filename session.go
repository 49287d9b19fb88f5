package guanjia

import (
	"context"
	"time"
)

// Session is one sign-in. Its ID is the token's jti: a token is good only
// while its session is neither revoked nor expired and its user is still
// active in the role the token names.
type Session struct {
	ID        string
	UserID    int64
	CreatedAt time.Time
	ExpiresAt time.Time
	RevokedAt *time.Time // logout, a password change, or an administrator's change to the account
	IP        string     // where the sign-in came from
	// Credential, for a password sign-in, is the password hash it was
	// checked against: the session is made only while it is still the
	// user's. A change landing during the check would end the sessions
	// there were, not this one.
	Credential string
}

// Active reports whether the session still signs its user in at now.
func (s *Session) Active(now time.Time) bool {
	return s.RevokedAt == nil && now.Before(s.ExpiresAt)
}

// SessionStore keeps sessions.
type SessionStore interface {
	CreateSession(ctx context.Context, s *Session) error
	FindSession(ctx context.Context, id string) (*Session, error)
	// RevokeSession ends one session (logout); ending an ended one is no error.
	RevokeSession(ctx context.Context, id string, at time.Time) error
}
