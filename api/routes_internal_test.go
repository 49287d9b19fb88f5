package api

import "testing"

// A route that does not say who may call it is not served: the server does
// not start.
func TestRouteWithoutAccessPanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("a route without an access declaration was registered")
		}
	}()
	(&Server{}).guard(route{method: "GET", path: "/api/v1/undeclared"})
}
