// Package open311 serves the city's loop to Open311 GeoReport v2 clients:
// the catalogue as services, complaints as service requests, their public
// events as updates (the servicerequestupdates extension), and the clients'
// API keys. Records carry the specification's element and field names.
package open311

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"guanjia"
	"guanjia/dispatch"
)

// Specification is the document this endpoint follows.
const Specification = "http://wiki.open311.org/GeoReport_v2"

// MaxResults is the most requests or updates one answer holds.
const MaxResults = 1000

// DefaultWindow is how far back lists reach when no dates are given.
const DefaultWindow = 90 * 24 * time.Hour

// Service answers the endpoint and manages its clients.
type Service struct {
	store        guanjia.Open311Store
	catalog      guanjia.CatalogStore
	dispatch     *dispatch.Service
	Jurisdiction string // the jurisdiction_id accepted; "" accepts any
	now          func() time.Time
}

// NewService returns the endpoint's service.
func NewService(st guanjia.Open311Store, cat guanjia.CatalogStore, d *dispatch.Service, jurisdiction string, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	return &Service{store: st, catalog: cat, dispatch: d, Jurisdiction: jurisdiction, now: now}
}

// CheckJurisdiction refuses a jurisdiction_id other than the configured one.
func (s *Service) CheckJurisdiction(id string) error {
	if id != "" && s.Jurisdiction != "" && id != s.Jurisdiction {
		return guanjia.Errorf(guanjia.ENOTFOUND, "unknown jurisdiction %q", id)
	}
	return nil
}

// HashKey is how a key is kept.
func HashKey(key string) string {
	sum := sha256.Sum256([]byte(key))
	return hex.EncodeToString(sum[:])
}

// AddClient creates a client and its system user; the key it returns is
// shown this once.
func (s *Service) AddClient(ctx context.Context, name string, services []string) (*guanjia.Open311Client, string, error) {
	name = strings.TrimSpace(name)
	if name == "" {
		return nil, "", guanjia.FieldError(guanjia.EINVALID, "name", "name is required")
	}
	if err := guanjia.CheckTexts(guanjia.TextField{Name: "name", Value: name, Max: guanjia.MaxName}); err != nil {
		return nil, "", err
	}
	for _, code := range services {
		if _, err := s.catalog.FindCategory(ctx, code); err != nil {
			return nil, "", guanjia.FieldError(guanjia.EINVALID, "services", "unknown service %q", code)
		}
	}
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return nil, "", err
	}
	key := hex.EncodeToString(raw)
	hash := HashKey(key)
	c := &guanjia.Open311Client{Name: name, KeyHash: hash, Services: services, CreatedAt: s.now().UTC()}
	// The system user cannot sign in (no password) and is named so the
	// console shows where a request came from.
	u := &guanjia.User{Username: "open311-" + hash[:12], Role: guanjia.RoleCitizen, Name: "Open311 " + name}
	if err := s.store.CreateOpen311Client(ctx, c, u); err != nil {
		return nil, "", err
	}
	return c, key, nil
}

// RevokeClient ends the key of the client named name.
func (s *Service) RevokeClient(ctx context.Context, name string) (*guanjia.Open311Client, error) {
	return s.store.RevokeOpen311Client(ctx, strings.TrimSpace(name), s.now())
}

// ListClients lists every client, revoked ones included.
func (s *Service) ListClients(ctx context.Context) ([]*guanjia.Open311Client, error) {
	return s.store.ListOpen311Clients(ctx)
}

// Authenticate returns the live client holding key.
func (s *Service) Authenticate(ctx context.Context, key string) (*guanjia.Open311Client, error) {
	if key == "" {
		return nil, guanjia.FieldError(guanjia.EFORBIDDEN, "api_key", "an api_key is required")
	}
	c, err := s.store.FindOpen311ClientByKey(ctx, HashKey(key))
	if guanjia.ErrorCode(err) == guanjia.ENOTFOUND {
		return nil, guanjia.FieldError(guanjia.EFORBIDDEN, "api_key", "the api_key is not valid")
	}
	return c, err
}

// datetime writes t as the specification asks: ISO 8601 with its offset.
func datetime(t time.Time) string { return t.In(guanjia.ChinaTime).Format(time.RFC3339) }

func optDatetime(t *time.Time) string {
	if t == nil {
		return ""
	}
	return datetime(*t)
}

// ParseDatetime reads a start_date or end_date: a W3C datetime, or a date
// alone, that day in the city. It returns the instant named and the end of
// what the value covers, which end_date includes: its second, as times are
// shown to the second, or its whole day.
func ParseDatetime(field, v string) (at, until time.Time, err error) {
	// A "+08:00" sent unencoded in a query arrives as " 08:00"; RFC 3339
	// has no spaces, so a space can only be that plus.
	v = strings.ReplaceAll(v, " ", "+")
	if at, err = time.ParseInLocation(time.DateOnly, v, guanjia.ChinaTime); err == nil {
		return at, at.AddDate(0, 0, 1), nil
	}
	if at, err = time.Parse(time.RFC3339, v); err != nil {
		return time.Time{}, time.Time{}, guanjia.FieldError(guanjia.EINVALID, field, "%s is not a W3C datetime", field)
	}
	return at, at.Truncate(time.Second).Add(time.Second), nil
}

func notice(c *guanjia.Complaint) string {
	if c.Status == guanjia.StatusDuplicate && c.DuplicateOf != nil {
		return fmt.Sprintf("已受理，与工单 %d 为同一问题，将一并处理", *c.DuplicateOf)
	}
	return fmt.Sprintf("已受理，工单号 %d", c.ID)
}

// Changeset is when the endpoint last changed, for discovery.
const Changeset = "2026-11-30T00:00:00+08:00"
