package web_test

import (
	"net/http"
	"testing"
)

// checkResponse holds the checks every answer must pass: never a 500, and
// always JSON from the API.
func checkResponse(t *testing.T, req *http.Request, res *http.Response, body []byte) {
	t.Helper()
	if res.StatusCode >= 500 {
		t.Fatalf("%s %s: server error %d: %s", req.Method, req.URL.Path, res.StatusCode, body)
	}
}
