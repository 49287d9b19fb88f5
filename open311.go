package guanjia

import (
	"context"
	"time"
)

// Open311Client is a system filing through the Open311 GeoReport v2
// endpoint. Its key is shown once and kept only as a hash; the requests it
// files are reported by its own system user, so the loop knows who sent them.
type Open311Client struct {
	ID        int64
	Name      string
	KeyHash   string   // hex sha256 of the key
	UserID    int64    // the system user its requests are filed as
	Services  []string // service codes it may file; none: every public one
	CreatedAt time.Time
	RevokedAt *time.Time
}

// Allows reports whether the client may file requests of service code.
func (c *Open311Client) Allows(code string) bool {
	if len(c.Services) == 0 {
		return true
	}
	for _, s := range c.Services {
		if s == code {
			return true
		}
	}
	return false
}

// Open311Filter selects complaints for GET requests.
type Open311Filter struct {
	IDs        []int64
	Categories []string  // any of these; none: every one
	From, To   time.Time // created in [From, To)
	Statuses   []Status
	Limit      int
}

// Open311Store keeps Open311 clients and answers the endpoint's queries.
type Open311Store interface {
	// CreateOpen311Client adds c and u, its system user, at once; the name
	// of a live client is ECONFLICT.
	CreateOpen311Client(ctx context.Context, c *Open311Client, u *User) error
	FindOpen311ClientByKey(ctx context.Context, keyHash string) (*Open311Client, error)
	ListOpen311Clients(ctx context.Context) ([]*Open311Client, error)
	// RevokeOpen311Client ends the key of the live client named name.
	RevokeOpen311Client(ctx context.Context, name string, at time.Time) (*Open311Client, error)
	Open311Requests(ctx context.Context, f Open311Filter) ([]*Complaint, error)
	// Open311Events returns the public events (a request's filing and every
	// change of its status) at or after from and before to, oldest first.
	Open311Events(ctx context.Context, from, to time.Time, limit int) ([]*Event, error)
}
