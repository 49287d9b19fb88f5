package wechat_test

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
)

// Small assertion helpers (testify's assert needs a module go.sum lacks).
// Arguments go want-then-got; msg is an optional format and its arguments.

func describe(msg []any) string {
	if len(msg) == 0 {
		return ""
	}
	if f, ok := msg[0].(string); ok {
		return ": " + fmt.Sprintf(f, msg[1:]...)
	}
	return ": " + fmt.Sprint(msg...)
}

func must(t testing.TB, err error, msg ...any) {
	t.Helper()
	if err != nil {
		t.Fatalf("unexpected error%s: %v", describe(msg), err)
	}
}

func ok(t testing.TB, err error, msg ...any) {
	t.Helper()
	if err != nil {
		t.Errorf("unexpected error%s: %v", describe(msg), err)
	}
}

func fails(t testing.TB, err error, msg ...any) {
	t.Helper()
	if err == nil {
		t.Errorf("expected an error%s", describe(msg))
	}
}

func eq[T any](t testing.TB, want, got T, msg ...any) {
	t.Helper()
	if !reflect.DeepEqual(want, got) {
		t.Errorf("got %v, want %v%s", got, want, describe(msg))
	}
}

func is(t testing.TB, err, target error, msg ...any) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Errorf("error %v is not %v%s", err, target, describe(msg))
	}
}

func isNot(t testing.TB, err, target error, msg ...any) {
	t.Helper()
	if errors.Is(err, target) {
		t.Errorf("error %v is %v%s", err, target, describe(msg))
	}
}

func errContains(t testing.TB, err error, sub string, msg ...any) {
	t.Helper()
	if err == nil || !strings.Contains(err.Error(), sub) {
		t.Errorf("error %v does not contain %q%s", err, sub, describe(msg))
	}
}

func contains(t testing.TB, s, sub string, msg ...any) {
	t.Helper()
	if !strings.Contains(s, sub) {
		t.Errorf("%q does not contain %q%s", s, sub, describe(msg))
	}
}

func notContains(t testing.TB, s, sub string, msg ...any) {
	t.Helper()
	if strings.Contains(s, sub) {
		t.Errorf("%q contains %q%s", s, sub, describe(msg))
	}
}

func length[S ~[]E, E any](t testing.TB, s S, n int, msg ...any) {
	t.Helper()
	if len(s) != n {
		t.Fatalf("length %d, want %d%s: %v", len(s), n, describe(msg), s)
	}
}

func empty(t testing.TB, v any, msg ...any) {
	t.Helper()
	if reflect.ValueOf(v).Len() != 0 {
		t.Errorf("%v is not empty%s", v, describe(msg))
	}
}

func notEmpty(t testing.TB, v any, msg ...any) {
	t.Helper()
	if reflect.ValueOf(v).Len() == 0 {
		t.Errorf("empty%s", describe(msg))
	}
}

func truth(t testing.TB, b bool, msg ...any) {
	t.Helper()
	if !b {
		t.Errorf("expected true%s", describe(msg))
	}
}

func falsity(t testing.TB, b bool, msg ...any) {
	t.Helper()
	if b {
		t.Errorf("expected false%s", describe(msg))
	}
}
