package web_test

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/dealpath/dealpath/internal/crm"
	"github.com/dealpath/dealpath/internal/web"
)

// TestOpenAPIDocumentsEveryRoute keeps docs/openapi.yaml and the server in
// step: every route the server registers is documented, and the document
// describes no route the server does not have.
func TestOpenAPIDocumentsEveryRoute(t *testing.T) {
	doc, _ := openAPI(t)

	// Registering routes touches no storage, so a service without a store
	// suffices.
	srv := web.New(crm.NewService(nil), slog.New(slog.NewTextHandler(io.Discard, nil)))
	served := map[string]bool{}
	for _, r := range srv.Routes() {
		served[r.Method+" "+r.Pattern] = true
	}
	if len(served) == 0 {
		t.Fatal("the server lists no routes")
	}

	documented := map[string]bool{}
	for path, item := range doc.Paths.Map() {
		for method := range item.Operations() {
			documented[strings.ToUpper(method)+" "+path] = true
		}
	}

	var missing, extra []string
	for r := range served {
		if !documented[r] {
			missing = append(missing, r)
		}
	}
	for r := range documented {
		if !served[r] {
			extra = append(extra, r)
		}
	}
	slices.Sort(missing)
	slices.Sort(extra)
	if len(missing) > 0 {
		t.Errorf("routes the server registers but docs/openapi.yaml does not document:\n\t%s", strings.Join(missing, "\n\t"))
	}
	if len(extra) > 0 {
		t.Errorf("routes docs/openapi.yaml documents but the server does not register:\n\t%s", strings.Join(extra, "\n\t"))
	}
}

// TestResponseCheckCatchesMismatches shows that checkResponse is not
// vacuous: answers that break docs/openapi.yaml in the ways a server could
// drift from it are refused, and well-formed ones pass.
func TestResponseCheckCatchesMismatches(t *testing.T) {
	_, router := openAPI(t)
	user := func() map[string]any {
		return map[string]any{"id": 7, "version": 1, "username": "alice", "display_name": "Alice", "email": "",
			"role": "rep", "team_id": nil, "language": "zh-CN", "disabled": false,
			"max_discount_bp": 1000, "credit_days": 30, "credit_amount": 5000000,
			"created_at": "2026-11-02T09:00:00Z", "updated_at": "2026-11-02T09:00:00.123456Z"}
	}
	account := func() map[string]any {
		return map[string]any{"id": 3, "version": 2, "name": "苏州精工", "credit_code": "91330100716105852F", "headcount": nil,
			"business_kind": "", "industry": "machinery", "ownership": "restructured_soe", "restructured_on": "2024-05-01",
			"just_restructured": true, "revenue_last_year": 3000000000, "gross_profit": nil,
			"existing_software": []string{"crm", "erp"}, "branch_count": 0, "purchase_plan": "none", "region": "",
			"address": "", "phone": "+86 512-6666 8888", "website": "", "owner_id": 1, "credit_limit": 0, "fit_score": 0, "fit_grade": "D",
			"created_at": "2026-11-02T09:00:00Z", "updated_at": "2026-11-02T09:00:00Z"}
	}
	deal := func() map[string]any {
		return map[string]any{"id": 5, "version": 1, "account_id": 3, "owner_id": 1, "title": "ERP", "stage": "demo",
			"amount": 12000000, "expected_close_date": "2026-12-31", "probability": 40, "next_step": "", "lost_reason": "",
			"stage_changed_at": "2026-11-02T09:00:00Z", "close_date_slips": 0, "no_competitors": false, "created_at": "2026-11-02T09:00:00Z", "updated_at": "2026-11-02T09:00:00Z"}
	}
	errBody := func(code string) map[string]any {
		return map[string]any{"error": map[string]any{"code": code, "message": "…"}}
	}
	with := func(m map[string]any, k string, v any) map[string]any { m[k] = v; return m }
	without := func(m map[string]any, k string) map[string]any { delete(m, k); return m }
	page := func(items ...any) map[string]any {
		return map[string]any{"items": items, "next_cursor": ""}
	}

	cases := []struct {
		name    string
		method  string
		path    string
		status  int
		body    any // nil: no body
		header  map[string]string
		wantErr bool
	}{
		{"user", "GET", "/api/v1/users/7", 200, user(), nil, false},
		{"user in a team", "GET", "/api/v1/me", 200, with(user(), "team_id", 2), nil, false},
		{"account", "GET", "/api/v1/accounts/3", 200, account(), nil, false},
		{"account page with total", "GET", "/api/v1/accounts?with_total=true", 200, with(page(account()), "total", 1), nil, false},
		{"deal", "POST", "/api/v1/deals/5/stage", 200, deal(), nil, false},
		{"invalid with fields", "POST", "/api/v1/accounts", 400,
			map[string]any{"error": map[string]any{"code": "invalid", "message": "…", "fields": map[string]string{"name": "…"}}}, nil, false},
		{"deleted", "DELETE", "/api/v1/accounts/3?version=2", 204, nil, map[string]string{"Content-Type": ""}, false},
		{"unauthenticated", "GET", "/api/v1/me", 401, errBody("unauthenticated"),
			map[string]string{"WWW-Authenticate": `Bearer realm="dealpath"`}, false},

		{"password hash leaks", "GET", "/api/v1/users/7", 200, with(user(), "password_hash", "$2a$..."), nil, true},
		{"field missing", "GET", "/api/v1/users/7", 200, without(user(), "team_id"), nil, true},
		{"team_id not an integer", "GET", "/api/v1/users/7", 200, with(user(), "team_id", "2"), nil, true},
		{"list null instead of empty", "GET", "/api/v1/accounts/3", 200, with(account(), "existing_software", nil), nil, true},
		{"money as a float", "GET", "/api/v1/accounts/3", 200, with(account(), "revenue_last_year", 1.5), nil, true},
		{"unknown enum value", "GET", "/api/v1/deals/5", 200, with(deal(), "stage", "won"), nil, true},
		{"date with a time", "GET", "/api/v1/deals/5", 200, with(deal(), "expected_close_date", "2026-12-31T00:00:00Z"), nil, true},
		{"time not RFC 3339", "GET", "/api/v1/deals/5", 200, with(deal(), "created_at", "2026-11-02 09:00:00"), nil, true},
		{"null where not nullable", "GET", "/api/v1/deals/5", 200, with(deal(), "amount", nil), nil, true},
		{"page without next_cursor", "GET", "/api/v1/deals", 200, without(page(deal()), "next_cursor"), nil, true},
		{"users list with a cursor", "GET", "/api/v1/users", 200, with(page(user()), "next_cursor", "abc"), nil, true},
		{"undocumented status", "GET", "/api/v1/deals/5", 418, errBody("invalid"), nil, true},
		{"status without its code", "GET", "/api/v1/deals/5", 404, errBody("invalid"), nil, true},
		{"undocumented error status for the route", "POST", "/api/v1/contacts", 403, errBody("forbidden"), nil, true},
		{"error envelope with extras", "GET", "/api/v1/deals/5", 404, with(errBody("not_found"), "detail", "x"), nil, true},
		{"401 without WWW-Authenticate", "GET", "/api/v1/me", 401, errBody("unauthenticated"), nil, true},
		{"no request id", "GET", "/api/v1/deals/5", 200, deal(), map[string]string{"X-Request-Id": ""}, true},
		{"not JSON", "GET", "/api/v1/deals/5", 200, deal(), map[string]string{"Content-Type": "text/plain"}, true},
		{"undocumented route", "GET", "/api/v1/nowhere", 404, errBody("not_found"), nil, true},
		{"undocumented method", "DELETE", "/api/v1/users/7", 404, errBody("not_found"), nil, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			req, err := http.NewRequest(tc.method, "http://127.0.0.1:8080"+tc.path, nil)
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Authorization", "Bearer token")
			h := http.Header{}
			h.Set("X-Request-Id", "0123456789abcdef")
			var body []byte
			if tc.body != nil {
				h.Set("Content-Type", "application/json; charset=utf-8")
				if body, err = json.Marshal(tc.body); err != nil {
					t.Fatal(err)
				}
			}
			for k, v := range tc.header {
				if v == "" {
					h.Del(k)
				} else {
					h.Set(k, v)
				}
			}
			_, err = specMismatch(router, req, tc.status, h, body)
			if tc.wantErr && err == nil {
				t.Errorf("%s %s %d %s: accepted, want a mismatch", tc.method, tc.path, tc.status, body)
			}
			if !tc.wantErr && err != nil {
				t.Errorf("%s %s %d: %v", tc.method, tc.path, tc.status, err)
			}
		})
	}
}
