package web_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/dealpath/dealpath/internal/crm"
	"github.com/dealpath/dealpath/internal/web"
)

// raw sends body exactly as given, with contentType as the Content-Type
// header (none when empty): for the inputs client.do would not produce.
func (c *client) raw(method, path, contentType string, body []byte) *resp {
	c.e.t.Helper()
	req, err := http.NewRequest(method, c.e.srv.URL+path, bytes.NewReader(body))
	if err != nil {
		c.e.t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	res, err := c.e.srv.Client().Do(req)
	if err != nil {
		c.e.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	data, err := io.ReadAll(res.Body)
	if err != nil {
		c.e.t.Fatal(err)
	}
	checkResponse(c.e.t, req, res, data)
	return &resp{t: c.e.t, req: req, Status: res.StatusCode, Header: res.Header, Body: data}
}

// hostileTargets sets up one record of each kind and returns every
// endpoint that reads a JSON body, with a body it would accept.
func hostileTargets(e *env) (c *client, targets []struct{ method, path, good string }) {
	e.user("rep", crm.RoleRep, nil)
	c = e.login("rep")
	acc := mkAccount(c, "目标客户")
	ct := mkContact(c, acc.ID, "目标联系人")
	d := mkDeal(c, acc.ID, "目标商机")
	act := mkActivity(c, map[string]any{"type": "call", "subject": "目标活动"})
	targets = []struct{ method, path, good string }{
		{"POST", "/api/v1/accounts", `{"name":"x"}`},
		{"PATCH", fmt.Sprintf("/api/v1/accounts/%d", acc.ID), `{"version":1,"region":"x"}`},
		{"POST", "/api/v1/contacts", fmt.Sprintf(`{"account_id":%d,"name":"x"}`, acc.ID)},
		{"PATCH", fmt.Sprintf("/api/v1/contacts/%d", ct.ID), `{"version":1,"title":"x"}`},
		{"POST", "/api/v1/deals", fmt.Sprintf(`{"account_id":%d,"title":"x"}`, acc.ID)},
		{"PATCH", fmt.Sprintf("/api/v1/deals/%d", d.ID), `{"version":1,"amount":1}`},
		{"POST", fmt.Sprintf("/api/v1/deals/%d/stage", d.ID), `{"stage":"demo"}`},
		{"POST", fmt.Sprintf("/api/v1/deals/%d/contacts", d.ID), fmt.Sprintf(`{"contact_id":%d}`, ct.ID)},
		{"POST", "/api/v1/activities", `{"type":"call","subject":"x"}`},
		{"PATCH", fmt.Sprintf("/api/v1/activities/%d", act.ID), `{"version":1,"notes":"x"}`},
		{"POST", "/api/v1/auth/login", `{"username":"rep","password":"wrong-password"}`},
	}
	return c, targets
}

// snapshot is everything the rep can see, to prove that refused requests
// changed nothing.
func snapshot(c *client) string {
	c.e.t.Helper()
	var b strings.Builder
	for _, p := range []string{"/api/v1/accounts", "/api/v1/contacts", "/api/v1/deals", "/api/v1/activities"} {
		b.Write(c.do("GET", p+"?limit=500", nil).ok(200, nil).Body)
	}
	for _, id := range listIDs(c, "/api/v1/deals?limit=500") {
		b.Write(c.do("GET", fmt.Sprintf("/api/v1/deals/%d/contacts", id), nil).ok(200, nil).Body)
		b.Write(c.do("GET", fmt.Sprintf("/api/v1/deals/%d/history", id), nil).ok(200, nil).Body)
	}
	return b.String()
}

func TestHostileBodies(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		c, targets := hostileTargets(e)
		before := snapshot(c)
		deep := `{"name":` + strings.Repeat("[", 20000) + strings.Repeat("]", 20000) + `}`
		bad := []string{
			``, `   `, `{`, `}`, `{"name":`, `{"name":"x"`, `{name:"x"}`, `{'name':'x'}`, `{"name":"x",}`,
			`[]`, `[{"name":"x"}]`, `"name"`, `42`, `true`, `-`,
			`{"name":"x"} trailing`, `{"name":"x"}{"name":"y"}`, `{"name":"x"},`, `{"name":"x"}]`,
			"{\"name\":\"a\x00b\"}",        // a raw NUL is not allowed inside a JSON string
			"\xef\xbb\xbf{\"name\":\"x\"}", // a byte-order mark
			"\xff\xfe{}",
			deep,
		}
		for _, tg := range targets {
			for _, body := range bad {
				func() {
					defer inCase(t, "%s %s %.40q", tg.method, tg.path, body)()
					client := c
					if strings.HasSuffix(tg.path, "/login") {
						client = e.anon()
					}
					client.raw(tg.method, tg.path, "application/json", []byte(body)).fail(400, "invalid")
				}()
			}
		}
		// null is a JSON value but not an object: it decodes to nothing, so
		// a create misses its required fields and a PATCH its version.
		for _, tg := range targets[:len(targets)-1] {
			if r := c.raw(tg.method, tg.path, "application/json", []byte("null")); r.Status != 400 && r.Status != 409 {
				t.Fatalf("%s %s null: %d %s", tg.method, tg.path, r.Status, r.Body)
			}
		}
		if after := snapshot(c); after != before {
			t.Fatalf("refused requests changed data:\nbefore %s\nafter  %s", before, after)
		}
	})
}

func TestHostileBodySizeAndContentType(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		c, targets := hostileTargets(e)
		before := snapshot(c)
		huge := []byte(`{"name":"` + strings.Repeat("a", web.MaxBodyBytes+10) + `"}`)
		padded := []byte(`{"name":"x"}` + strings.Repeat(" ", web.MaxBodyBytes))
		for _, tg := range targets {
			func() {
				defer inCase(t, "%s %s", tg.method, tg.path)()
				client := c
				if strings.HasSuffix(tg.path, "/login") {
					client = e.anon()
				}
				client.raw(tg.method, tg.path, "application/json", huge).fail(400, "invalid")
				client.raw(tg.method, tg.path, "application/json", padded).fail(400, "invalid")
				for _, ct := range []string{"text/plain", "text/plain; charset=utf-8", "application/x-www-form-urlencoded",
					"multipart/form-data; boundary=x", "application/xml", "application/json-patch+json", "application/json;;", "json"} {
					client.raw(tg.method, tg.path, ct, []byte(tg.good)).fail(400, "invalid")
				}
			}()
		}
		if after := snapshot(c); after != before {
			t.Fatalf("refused requests changed data:\nbefore %s\nafter  %s", before, after)
		}
		// JSON with parameters or in capitals is still JSON, and a body
		// without a Content-Type is taken for JSON.
		c.raw("POST", "/api/v1/accounts", "application/json; charset=utf-8", []byte(`{"name":"一"}`)).ok(201, nil)
		c.raw("POST", "/api/v1/accounts", "Application/JSON", []byte(`{"name":"二"}`)).ok(201, nil)
		c.raw("POST", "/api/v1/accounts", "", []byte(`{"name":"三"}`)).ok(201, nil)
		// A body just under the limit is fine.
		c.raw("POST", "/api/v1/accounts", "application/json", []byte(`{"name":"四"}`+strings.Repeat(" ", web.MaxBodyBytes-64))).ok(201, nil)
	})
}

// forgedCursor encodes a cursor the way the store does, with any content.
func forgedCursor(js string) string { return base64.RawURLEncoding.EncodeToString([]byte(js)) }

func TestHostileFields(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		c, _ := hostileTargets(e)
		var p crm.Page[crm.Account]
		c.do("GET", "/api/v1/accounts", nil).ok(200, &p)
		acc := p.Items[0]
		before := snapshot(c)

		// Unknown fields, including ones that exist on the record but are
		// not the client's to set.
		unknown := []struct{ path, body, field string }{
			{"/api/v1/accounts", `{"name":"x","is_admin":true}`, "is_admin"},
			{"/api/v1/accounts", `{"name":"x","id":1}`, "id"},
			{"/api/v1/accounts", `{"name":"x","version":5}`, "version"},
			{"/api/v1/accounts", `{"name":"x","created_at":"2020-01-01T00:00:00Z"}`, "created_at"},
			{"/api/v1/accounts", `{"name":"x","OwnerTeamID":1}`, "OwnerTeamID"},
			{"/api/v1/accounts", `{"name":"x","deleted_at":null}`, "deleted_at"},
			{"/api/v1/contacts", fmt.Sprintf(`{"account_id":%d,"name":"x","owner_id":1}`, acc.ID), "owner_id"},
			{"/api/v1/deals", fmt.Sprintf(`{"account_id":%d,"title":"x","stage_changed_at":"2020-01-01T00:00:00Z"}`, acc.ID), "stage_changed_at"},
			{"/api/v1/activities", `{"type":"call","subject":"x","created_at":"x"}`, "created_at"},
		}
		for _, u := range unknown {
			func() {
				defer inCase(t, "%s", u.body)()
				c.do("POST", u.path, u.body).failField(u.field)
			}()
		}

		// NUL bytes are refused in every text field, even where the JSON
		// escapes them correctly.
		nul := []struct{ path, body, field string }{
			{"/api/v1/accounts", `{"name":"a\u0000"}`, "name"},
			{"/api/v1/accounts", `{"name":"x","address":"\u0000"}`, "address"},
			{"/api/v1/accounts", `{"name":"x","region":"北\u0000京"}`, "region"},
			{"/api/v1/accounts", `{"name":"x","website":"\u0000"}`, "website"},
			{"/api/v1/contacts", fmt.Sprintf(`{"account_id":%d,"name":"x","notes":"\u0000"}`, acc.ID), "notes"},
			{"/api/v1/contacts", fmt.Sprintf(`{"account_id":%d,"name":"x","wechat":"a\u0000"}`, acc.ID), "wechat"},
			{"/api/v1/contacts", fmt.Sprintf(`{"account_id":%d,"name":"x","title":"a\u0000"}`, acc.ID), "title"},
			{"/api/v1/deals", fmt.Sprintf(`{"account_id":%d,"title":"x","next_step":"\u0000"}`, acc.ID), "next_step"},
			{"/api/v1/activities", `{"type":"call","subject":"x","notes":"\u0000"}`, "notes"},
			{"/api/v1/activities", `{"type":"call\u0000","subject":"x"}`, "type"},
		}
		for _, u := range nul {
			func() {
				defer inCase(t, "%s", u.body)()
				c.do("POST", u.path, u.body).failField(u.field)
			}()
		}
		if after := snapshot(c); after != before {
			t.Fatalf("refused requests changed data:\nbefore %s\nafter  %s", before, after)
		}
		// Signing in with such text is a failed login like any other.
		for _, name := range []string{"rep\x00", "\x00", "rep\xff", strings.Repeat("r", 10000)} {
			e.anon().do("POST", "/api/v1/auth/login", map[string]string{"username": name, "password": testPassword}).fail(401, "unauthenticated")
			e.anon().do("POST", "/api/v1/auth/login", map[string]string{"username": "rep", "password": testPassword + name}).fail(401, "unauthenticated")
		}

		// Hostile query strings are answered, never crash the database.
		for _, q := range []string{"q=%00", "q=%FF%FE", "q=" + url.QueryEscape("'; DROP TABLE accounts; --"), "q=%25", "q=%5C",
			"sort=" + url.QueryEscape("name; DROP TABLE accounts"), "sort=" + url.QueryEscape("name,id"), "cursor=%00", "cursor=" + strings.Repeat("A", 5000),
			"owner_id=%00", "updated_since=%00", "limit=%00", "q=" + strings.Repeat("长", 101),
			"updated_since=0001-01-01T00:00:00Z", "updated_since=9999-12-31T23:59:59Z", "updated_since=" + url.QueryEscape("2026-01-01T00:00:00+14:00"),
			// Forged cursors: a NUL in a text key, a number too big, a wrong type.
			"sort=name&cursor=" + forgedCursor(`{"s":"name","k":"a\u0000","i":1}`),
			"sort=name&cursor=" + forgedCursor(`{"s":"name","k":"\ud800","i":1}`),
			"sort=subject&cursor=" + forgedCursor(`{"s":"subject","k":"a\u0000","i":1}`),
			"sort=title&cursor=" + forgedCursor(`{"s":"title","k":"a\u0000","i":1}`),
			"sort=-amount&cursor=" + forgedCursor(`{"s":"-amount","k":99999999999999999999,"i":1}`),
			"sort=updated_at&cursor=" + forgedCursor(`{"s":"updated_at","k":"0000-00-00","i":1}`),
			"cursor=" + forgedCursor(`{"s":"","k":{"a":1},"i":-1}`),
		} {
			for _, list := range []string{"/api/v1/accounts", "/api/v1/contacts", "/api/v1/deals", "/api/v1/activities"} {
				func() {
					defer inCase(t, "%s?%s", list, q)()
					if r := c.do("GET", list+"?"+q, nil); r.Status != 200 && r.Status != 400 {
						t.Fatalf("status %d: %s", r.Status, r.Body)
					}
				}()
			}
		}
	})
}

// TestHostileText: what looks like SQL, and text in any script, is data:
// stored and read back byte for byte, and found by search as itself.
func TestHostileText(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		e.user("rep", crm.RoleRep, nil)
		c := e.login("rep")
		names := []string{
			`'; DROP TABLE accounts; --`,
			`" OR 1=1 --`,
			`Robert'); DELETE FROM users WHERE ('1'='1`,
			`100% off_sale \ back\slash`,
			`🚀 深圳华强电子 👨‍👩‍👧 Ünïcödé`,
			`北京远大贸易有限公司`,
			`<script>alert("x")</script> & ' "`,
			`$1 ?? ? :name @p1 %s %d {{.}}`,
			strings.Repeat("长", crm.MaxName),
			strings.Repeat("😀", crm.MaxName),
		}
		var ids []int64
		for _, n := range names {
			func() {
				defer inCase(t, "%.40s", n)()
				var a crm.Account
				c.do("POST", "/api/v1/accounts", map[string]any{"name": n}).ok(201, &a)
				var got crm.Account
				c.do("GET", fmt.Sprintf("/api/v1/accounts/%d", a.ID), nil).ok(200, &got)
				if a.Name != n || got.Name != n {
					t.Fatalf("stored %q, read back %q", a.Name, got.Name)
				}
				// Search finds each by a piece of itself, and only it.
				piece := string([]rune(n)[:min(8, len([]rune(n)))])
				var p crm.Page[crm.Account]
				c.do("GET", "/api/v1/accounts?limit=500&q="+url.QueryEscape(piece), nil).ok(200, &p)
				if !slices.ContainsFunc(p.Items, func(x crm.Account) bool { return x.ID == a.ID }) {
					t.Fatalf("q=%q did not find it", piece)
				}
				for _, x := range p.Items {
					if !strings.Contains(strings.ToLower(x.Name), strings.ToLower(piece)) {
						t.Fatalf("q=%q found %q", piece, x.Name)
					}
				}
				ids = append(ids, a.ID)

				// The same text in the other records' fields.
				var ct crm.Contact
				c.do("POST", "/api/v1/contacts", map[string]any{"account_id": a.ID, "name": string([]rune(n)[:min(crm.MaxShort, len([]rune(n)))]), "notes": n}).ok(201, &ct)
				var d crm.Deal
				c.do("POST", "/api/v1/deals", map[string]any{"account_id": a.ID, "title": n, "next_step": n}).ok(201, &d)
				var act crm.Activity
				c.do("POST", "/api/v1/activities", map[string]any{"type": "call", "subject": n, "notes": n, "deal_id": d.ID}).ok(201, &act)
				c.do("GET", fmt.Sprintf("/api/v1/contacts/%d", ct.ID), nil).ok(200, &ct)
				c.do("GET", fmt.Sprintf("/api/v1/deals/%d", d.ID), nil).ok(200, &d)
				c.do("GET", fmt.Sprintf("/api/v1/activities/%d", act.ID), nil).ok(200, &act)
				if ct.Notes != n || d.Title != n || d.NextStep != n || act.Subject != n || act.Notes != n {
					t.Fatalf("read back contact %q, deal %q/%q, activity %q/%q", ct.Notes, d.Title, d.NextStep, act.Subject, act.Notes)
				}
			}()
		}
		// Every table is still there, with everything in it.
		for _, p := range []string{"/api/v1/accounts", "/api/v1/contacts", "/api/v1/deals", "/api/v1/activities"} {
			if n := listTotal(c, p); n != len(names) {
				t.Fatalf("%s: %d records, want %d", p, n, len(names))
			}
		}
		c.do("GET", "/api/v1/me", nil).ok(200, nil)

		// Search finds text as it was written, whatever its script and case,
		// and ignores the case of Latin letters, on every engine.
		for _, q := range []string{"Ünïcödé", "🚀 深圳", "👨‍👩‍👧", "ROBERT'); delete", "<SCRIPT>"} {
			if n := listTotal(c, "/api/v1/accounts?q="+url.QueryEscape(q)); n != 1 {
				t.Fatalf("q=%q: %d matches, want 1", q, n)
			}
		}
		// LIKE's wildcards are literal in a search.
		for q, want := range map[string]int{"%": 2, "_": 1, `\`: 1, "%%": 0, "1=1": 1, "'": 3} {
			if n := listTotal(c, "/api/v1/accounts?q="+url.QueryEscape(q)); n != want {
				t.Fatalf("q=%q: %d matches, want %d", q, n, want)
			}
		}
		// Over-long text is refused; length counts characters, not bytes.
		c.do("POST", "/api/v1/accounts", map[string]any{"name": strings.Repeat("长", crm.MaxName+1)}).failField("name")
		c.do("POST", "/api/v1/accounts", map[string]any{"name": strings.Repeat("😀", crm.MaxName+1)}).failField("name")
	})
}

// TestHostilePathIDs: whatever stands where an id belongs, the answer is
// 400 or 404, never a 500 and never someone's record.
func TestHostilePathIDs(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		e.user("rep", crm.RoleRep, nil)
		c := e.login("rep")
		acc := mkAccount(c, "客户")
		ct := mkContact(c, acc.ID, "人")
		d := mkDeal(c, acc.ID, "单")
		c.do("POST", fmt.Sprintf("/api/v1/deals/%d/contacts", d.ID), map[string]any{"contact_id": ct.ID}).ok(201, nil)
		before := snapshot(c)

		ids := []string{"abc", "-1", "0", "00", "99999999999999999999", "9223372036854775807", "9223372036854775808", "1.5", "0x1F",
			"1e3", "%201", "1%00", "%00", "1;DROP%20TABLE%20deals", "1%27%20OR%20%271%27=%271", "１", "NaN", "--1"}
		routes := []struct{ method, pattern, body string }{
			{"GET", "/api/v1/accounts/%s", ""},
			{"PATCH", "/api/v1/accounts/%s", `{"version":1}`},
			{"DELETE", "/api/v1/accounts/%s?version=1", ""},
			{"GET", "/api/v1/contacts/%s", ""},
			{"PATCH", "/api/v1/contacts/%s", `{"version":1}`},
			{"DELETE", "/api/v1/contacts/%s?version=1", ""},
			{"GET", "/api/v1/deals/%s", ""},
			{"PATCH", "/api/v1/deals/%s", `{"version":1}`},
			{"DELETE", "/api/v1/deals/%s?version=1", ""},
			{"POST", "/api/v1/deals/%s/stage", `{"stage":"demo"}`},
			{"GET", "/api/v1/deals/%s/history", ""},
			{"GET", "/api/v1/deals/%s/contacts", ""},
			{"POST", "/api/v1/deals/%s/contacts", fmt.Sprintf(`{"contact_id":%d}`, ct.ID)},
			{"PATCH", fmt.Sprintf("/api/v1/deals/%d/contacts/%%s", d.ID), `{"version":1}`},
			{"DELETE", fmt.Sprintf("/api/v1/deals/%d/contacts/%%s", d.ID), ""},
			{"PATCH", fmt.Sprintf("/api/v1/deals/%%s/contacts/%d", ct.ID), `{"version":1}`},
			{"DELETE", fmt.Sprintf("/api/v1/deals/%%s/contacts/%d", ct.ID), ""},
			{"GET", "/api/v1/activities/%s", ""},
			{"PATCH", "/api/v1/activities/%s", `{"version":1}`},
			{"DELETE", "/api/v1/activities/%s?version=1", ""},
		}
		for _, r := range routes {
			for _, id := range ids {
				path := fmt.Sprintf(r.pattern, id)
				func() {
					defer inCase(t, "%s %s", r.method, path)()
					var body []byte
					if r.body != "" {
						body = []byte(r.body)
					}
					res := c.raw(r.method, path, "application/json", body)
					if res.Status != 400 && res.Status != 404 {
						t.Fatalf("status %d: %s", res.Status, res.Body)
					}
					var e apiError
					if err := json.Unmarshal(res.Body, &e); err != nil || e.Error.Code == "" || e.Error.Message == "" {
						t.Fatalf("not an error envelope: %s", res.Body)
					}
				}()
			}
		}
		if after := snapshot(c); after != before {
			t.Fatalf("refused requests changed data:\nbefore %s\nafter  %s", before, after)
		}
	})
}

// TestRapidRequests: many clients at once, a mix of reads and writes, all
// answered correctly. It asserts answers and counts, never timings.
func TestRapidRequests(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		const workers, perWorker = 8, 1250 // 10,000 requests
		team := e.team("压测")
		type worker struct {
			userID int64
			token  string
		}
		ws := make([]worker, workers)
		for i := range ws {
			u := e.user(fmt.Sprintf("load-%d", i), crm.RoleRep, &team.ID)
			ws[i] = worker{u.ID, e.login(u.Username).token}
		}
		e.user("root", crm.RoleAdmin, nil)
		admin := e.login("root")

		// Enough idle connections that the workers reuse theirs instead of
		// opening thousands.
		tr := e.srv.Client().Transport.(*http.Transport).Clone()
		tr.MaxIdleConnsPerHost = 2 * workers
		defer tr.CloseIdleConnections()
		hc := &http.Client{Transport: tr}

		var failures atomic.Int64
		fail := func(format string, args ...any) {
			if failures.Add(1) <= 10 {
				t.Errorf(format, args...)
			}
		}
		// call sends one request and decodes a 2xx answer into out; any
		// other status than want is a failure.
		call := func(token, method, path string, body any, want int, out any) bool {
			var rd io.Reader
			if body != nil {
				b, _ := json.Marshal(body)
				rd = bytes.NewReader(b)
			}
			req, err := http.NewRequest(method, e.srv.URL+path, rd)
			if err != nil {
				fail("%s %s: %v", method, path, err)
				return false
			}
			req.Header.Set("Authorization", "Bearer "+token)
			if body != nil {
				req.Header.Set("Content-Type", "application/json")
			}
			res, err := hc.Do(req)
			if err != nil {
				fail("%s %s: %v", method, path, err)
				return false
			}
			defer res.Body.Close()
			data, err := io.ReadAll(res.Body)
			if err != nil || res.StatusCode != want {
				fail("%s %s: status %d (want %d) %v: %s", method, path, res.StatusCode, want, err, data)
				return false
			}
			if out != nil {
				if err := json.Unmarshal(data, out); err != nil {
					fail("%s %s: decode %s: %v", method, path, data, err)
					return false
				}
			}
			return true
		}

		type rec struct {
			id, version int64
			text        string // the account's region or the deal's next step, as last written
		}
		made := make([][2][]rec, workers) // per worker: accounts, deals
		var wg sync.WaitGroup
		for w := range workers {
			wg.Go(func() {
				me := ws[w]
				var accounts, deals []rec
				for i := range perWorker {
					kind := (i / 10) % 2 // accounts in even decades, deals in odd ones
					if len(deals) == 0 {
						kind = 0
					}
					switch i % 10 {
					case 0, 5: // create: 20%
						if i%10 == 0 || len(accounts) == 0 {
							name := fmt.Sprintf("w%d 客户 %d", w, len(accounts))
							var a crm.Account
							if call(me.token, "POST", "/api/v1/accounts", map[string]any{"name": name}, 201, &a) {
								if a.Name != name || a.OwnerID != me.userID || a.Version != 1 {
									fail("created account %+v", a)
								}
								accounts = append(accounts, rec{a.ID, 1, ""})
							}
						} else {
							acc := accounts[len(accounts)-1]
							var d crm.Deal
							if call(me.token, "POST", "/api/v1/deals", map[string]any{"account_id": acc.id, "title": fmt.Sprintf("w%d 商机 %d", w, len(deals)), "amount": i}, 201, &d) {
								if d.AccountID != acc.id || d.OwnerID != me.userID || d.Amount != int64(i) {
									fail("created deal %+v", d)
								}
								deals = append(deals, rec{d.ID, 1, ""})
							}
						}
					case 3, 8: // PATCH: 20%
						text := fmt.Sprintf("w%d 第 %d 次", w, i)
						if kind == 0 {
							r := &accounts[i%len(accounts)]
							var a crm.Account
							if call(me.token, "PATCH", fmt.Sprintf("/api/v1/accounts/%d", r.id), map[string]any{"version": r.version, "region": text}, 200, &a) {
								if a.Version != r.version+1 || a.Region != text {
									fail("patched account %+v, want version %d", a, r.version+1)
								}
								r.version, r.text = a.Version, text
							}
						} else {
							r := &deals[i%len(deals)]
							var d crm.Deal
							if call(me.token, "PATCH", fmt.Sprintf("/api/v1/deals/%d", r.id), map[string]any{"version": r.version, "next_step": text}, 200, &d) {
								if d.Version != r.version+1 || d.NextStep != text {
									fail("patched deal %+v, want version %d", d, r.version+1)
								}
								r.version, r.text = d.Version, text
							}
						}
					case 1, 4, 7: // GET one: 30%
						if kind == 0 {
							r := accounts[(i*7)%len(accounts)]
							var a crm.Account
							if call(me.token, "GET", fmt.Sprintf("/api/v1/accounts/%d", r.id), nil, 200, &a) && (a.Version != r.version || a.Region != r.text) {
								fail("read account %+v, want version %d region %q", a, r.version, r.text)
							}
						} else {
							r := deals[(i*7)%len(deals)]
							var d crm.Deal
							if call(me.token, "GET", fmt.Sprintf("/api/v1/deals/%d", r.id), nil, 200, &d) && (d.Version != r.version || d.NextStep != r.text) {
								fail("read deal %+v, want version %d next step %q", d, r.version, r.text)
							}
						}
					default: // GET list: 30%
						path, want := "/api/v1/accounts", len(accounts)
						if kind == 1 {
							path, want = "/api/v1/deals", len(deals)
						}
						var p struct {
							Items []struct {
								OwnerID int64 `json:"owner_id"`
							} `json:"items"`
							Total *int `json:"total"`
						}
						if call(me.token, "GET", path+"?with_total=true&limit=20&sort=-updated_at", nil, 200, &p) {
							if p.Total == nil || *p.Total != want || len(p.Items) != min(want, 20) {
								fail("%s: total %v, %d items, want %d", path, p.Total, len(p.Items), want)
							}
							for _, it := range p.Items {
								if it.OwnerID != me.userID {
									fail("%s: worker %d sees a record of user %d", path, w, it.OwnerID)
								}
							}
						}
					}
				}
				made[w] = [2][]rec{accounts, deals}
			})
		}
		wg.Wait()
		if t.Failed() {
			t.FailNow()
		}

		// Every create landed exactly once, and the admin sees them all with
		// their last written state.
		for k, list := range []string{"/api/v1/accounts", "/api/v1/deals"} {
			want := map[int64]rec{}
			for _, m := range made {
				for _, r := range m[k] {
					want[r.id] = r
				}
			}
			if len(want) != workers*perWorker/10 {
				t.Fatalf("%s: %d records made, want %d", list, len(want), workers*perWorker/10)
			}
			seen := map[int64]bool{}
			cursor := ""
			for {
				var p struct {
					Items []struct {
						ID       int64  `json:"id"`
						Version  int64  `json:"version"`
						Region   string `json:"region"`
						NextStep string `json:"next_step"`
					} `json:"items"`
					NextCursor string `json:"next_cursor"`
				}
				admin.do("GET", list+"?limit=500&sort=created_at&cursor="+url.QueryEscape(cursor), nil).ok(200, &p)
				for _, it := range p.Items {
					r, ok := want[it.ID]
					if !ok || seen[it.ID] || it.Version != r.version || it.Region+it.NextStep != r.text {
						t.Fatalf("%s: unexpected or repeated %+v, want %+v", list, it, r)
					}
					seen[it.ID] = true
				}
				if p.NextCursor == "" {
					break
				}
				cursor = p.NextCursor
			}
			if len(seen) != len(want) {
				t.Fatalf("%s: admin sees %d records, want %d", list, len(seen), len(want))
			}
			if n := listTotal(admin, list); n != len(want) {
				t.Fatalf("%s: total %d, want %d", list, n, len(want))
			}
		}
	})
}
