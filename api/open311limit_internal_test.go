package api

import (
	"testing"
	"time"
)

func TestOpen311Limits(t *testing.T) {
	l := newOpen311Limits(2)
	at := time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)
	if !l.allow(1, at) || !l.allow(1, at) || l.allow(1, at) {
		t.Fatal("two a minute, then refused")
	}
	if !l.allow(2, at) {
		t.Fatal("each key has its own bucket")
	}
	if !l.allow(1, at.Add(30*time.Second)) {
		t.Fatal("a token comes back after half a minute")
	}
}
