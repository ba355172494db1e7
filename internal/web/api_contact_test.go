package web_test

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/dealpath/dealpath/internal/crm"
)

// Fixtures shared by the API tests: each creates a record through the API,
// as the client's user, and returns what the server answered.

func mkAccount(c *client, name string) crm.Account {
	c.e.t.Helper()
	var a crm.Account
	c.do("POST", "/api/v1/accounts", map[string]any{"name": name}).ok(201, &a)
	return a
}

func mkContact(c *client, accountID int64, name string) crm.Contact {
	c.e.t.Helper()
	var ct crm.Contact
	c.do("POST", "/api/v1/contacts", map[string]any{"account_id": accountID, "name": name}).ok(201, &ct)
	return ct
}

func mkDeal(c *client, accountID int64, title string) crm.Deal {
	c.e.t.Helper()
	var d crm.Deal
	c.do("POST", "/api/v1/deals", map[string]any{"account_id": accountID, "title": title}).ok(201, &d)
	return d
}

func mkActivity(c *client, body map[string]any) crm.Activity {
	c.e.t.Helper()
	var a crm.Activity
	c.do("POST", "/api/v1/activities", body).ok(201, &a)
	return a
}

// listIDs returns the ids of one list page, in order.
func listIDs(c *client, path string) []int64 {
	c.e.t.Helper()
	var p struct {
		Items []struct {
			ID int64 `json:"id"`
		} `json:"items"`
	}
	c.do("GET", path, nil).ok(200, &p)
	ids := make([]int64, len(p.Items))
	for i, it := range p.Items {
		ids[i] = it.ID
	}
	return ids
}

// listTotal returns the with_total count of a list.
func listTotal(c *client, path string) int {
	c.e.t.Helper()
	sep := "?"
	if strings.Contains(path, "?") {
		sep = "&"
	}
	var p struct {
		Total *int `json:"total"`
	}
	c.do("GET", path+sep+"with_total=true", nil).ok(200, &p)
	if p.Total == nil {
		c.e.t.Fatalf("GET %s: no total", path)
	}
	return *p.Total
}

// allPages follows next_cursor to the end and returns the value of key
// (a JSON field) of every item, in order.
func allPages(c *client, path, key string) []string {
	c.e.t.Helper()
	var out []string
	cursor := ""
	for range 100 {
		var p struct {
			Items      []map[string]any `json:"items"`
			NextCursor string           `json:"next_cursor"`
		}
		c.do("GET", path+"&cursor="+url.QueryEscape(cursor), nil).ok(200, &p)
		for _, it := range p.Items {
			out = append(out, fmt.Sprint(it[key]))
		}
		if p.NextCursor == "" {
			return out
		}
		cursor = p.NextCursor
	}
	c.e.t.Fatalf("GET %s: more than 100 pages", path)
	return nil
}

// inCase, deferred inside a table loop, names the case a fatal failure
// happened in; the request helpers report only the method and path.
func inCase(t *testing.T, format string, args ...any) func() {
	return func() {
		if t.Failed() {
			t.Logf("failed in case: "+format, args...)
		}
	}
}

func TestContactCRUD(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		e.user("rep", crm.RoleRep, nil)
		c := e.login("rep")
		acc := mkAccount(c, "宁波海天贸易有限公司")
		var ct crm.Contact
		c.do("POST", "/api/v1/contacts", map[string]any{
			"account_id": acc.ID, "name": "  王建国 ", "title": "总经理", "phone": "+86 574 8888 6666",
			"email": "wang@haitian.example.com", "wechat": "wjg1970", "notes": "决策人，喜欢看数据",
		}).ok(201, &ct)
		if ct.Name != "王建国" || ct.FunctionalRole != "other" || ct.Version != 1 || ct.AccountID != acc.ID || ct.ID == 0 {
			t.Fatalf("created %+v", ct)
		}
		var got crm.Contact
		c.do("GET", fmt.Sprintf("/api/v1/contacts/%d", ct.ID), nil).ok(200, &got)
		if got.Name != ct.Name || got.Email != ct.Email || got.Notes != ct.Notes || !got.CreatedAt.Equal(ct.CreatedAt) {
			t.Fatalf("read back %+v, created %+v", got, ct)
		}

		// PATCH changes only what it names; null clears a text field.
		var up crm.Contact
		c.do("PATCH", fmt.Sprintf("/api/v1/contacts/%d", ct.ID), map[string]any{
			"version": 1, "functional_role": "general_manager", "wechat": nil,
		}).ok(200, &up)
		if up.FunctionalRole != "general_manager" || up.WeChat != "" || up.Version != 2 ||
			up.Name != "王建国" || up.Title != "总经理" || up.Email != ct.Email || up.Notes != ct.Notes {
			t.Fatalf("patched %+v", up)
		}
		// A stale version changes nothing.
		c.do("PATCH", fmt.Sprintf("/api/v1/contacts/%d", ct.ID), map[string]any{"version": 1, "title": "董事长"}).fail(409, "conflict")
		c.do("GET", fmt.Sprintf("/api/v1/contacts/%d", ct.ID), nil).ok(200, &got)
		if got.Title != "总经理" || got.Version != 2 {
			t.Fatalf("stale update changed %+v", got)
		}
		// The account is fixed once made.
		other := mkAccount(c, "other")
		c.do("PATCH", fmt.Sprintf("/api/v1/contacts/%d", ct.ID), map[string]any{"version": 2, "account_id": other.ID}).failField("account_id")

		// Delete needs the current version.
		c.do("DELETE", fmt.Sprintf("/api/v1/contacts/%d", ct.ID), nil).failField("version")
		c.do("DELETE", fmt.Sprintf("/api/v1/contacts/%d?version=1", ct.ID), nil).fail(409, "conflict")
		c.do("DELETE", fmt.Sprintf("/api/v1/contacts/%d?version=2", ct.ID), nil).ok(204, nil)
		c.do("GET", fmt.Sprintf("/api/v1/contacts/%d", ct.ID), nil).fail(404, "not_found")
		c.do("PATCH", fmt.Sprintf("/api/v1/contacts/%d", ct.ID), map[string]any{"version": 3, "title": "x"}).fail(404, "not_found")
		c.do("DELETE", fmt.Sprintf("/api/v1/contacts/%d?version=3", ct.ID), nil).fail(404, "not_found")
		if ids := listIDs(c, "/api/v1/contacts"); len(ids) != 0 {
			t.Fatalf("deleted contact still listed: %v", ids)
		}
	})
}

func TestContactValidation(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		e.user("rep", crm.RoleRep, nil)
		e.user("other", crm.RoleRep, nil)
		c, o := e.login("rep"), e.login("other")
		acc := mkAccount(c, "苏州精工")
		foreign := mkAccount(o, "别人的客户")
		ok := fmt.Sprintf(`"account_id":%d,"name":"x"`, acc.ID)
		cases := []struct {
			body  string
			field string
		}{
			{`{"name":"x"}`, "account_id"},
			{`{"account_id":0,"name":"x"}`, "account_id"},
			{`{"account_id":-3,"name":"x"}`, "account_id"},
			{`{"account_id":"1","name":"x"}`, "account_id"},
			{`{"account_id":1.5,"name":"x"}`, "account_id"},
			{`{"account_id":99999999,"name":"x"}`, "account_id"},
			{fmt.Sprintf(`{"account_id":%d,"name":"x"}`, foreign.ID), "account_id"},
			{fmt.Sprintf(`{"account_id":%d}`, acc.ID), "name"},
			{fmt.Sprintf(`{"account_id":%d,"name":"  "}`, acc.ID), "name"},
			{fmt.Sprintf(`{"account_id":%d,"name":"%s"}`, acc.ID, strings.Repeat("名", 101)), "name"},
			{fmt.Sprintf(`{"account_id":%d,"name":42}`, acc.ID), "name"},
			{fmt.Sprintf(`{"account_id":%d,"name":"a\u0000b"}`, acc.ID), "name"},
			{`{` + ok + `,"title":"` + strings.Repeat("t", 101) + `"}`, "title"},
			{`{` + ok + `,"functional_role":"boss"}`, "functional_role"},
			{`{` + ok + `,"functional_role":["cio"]}`, "functional_role"},
			{`{` + ok + `,"phone":"call me maybe"}`, "phone"},
			{`{` + ok + `,"email":"not an email"}`, "email"},
			{`{` + ok + `,"email":"Wang <wang@example.com>"}`, "email"},
			{`{` + ok + `,"wechat":"` + strings.Repeat("w", 101) + `"}`, "wechat"},
			{`{` + ok + `,"notes":"` + strings.Repeat("n", crm.MaxText+1) + `"}`, "notes"},
			{`{` + ok + `,"owner_id":1}`, "owner_id"},
			{`{` + ok + `,"colour":"red"}`, "colour"},
		}
		for _, tc := range cases {
			func() {
				defer inCase(t, "POST %.80s", tc.body)()
				c.do("POST", "/api/v1/contacts", tc.body).failField(tc.field)
			}()
		}
		if n := listTotal(c, "/api/v1/contacts"); n != 0 {
			t.Fatalf("invalid input created %d contacts", n)
		}

		ct := mkContact(c, acc.ID, "李会计")
		patches := []struct {
			body  string
			field string
		}{
			{`{"version":1,"name":""}`, "name"},
			{`{"version":1,"name":null}`, "name"},
			{`{"version":1,"name":"` + strings.Repeat("x", 101) + `"}`, "name"},
			{`{"version":1,"functional_role":"ceo"}`, "functional_role"},
			{`{"version":1,"email":"@"}`, "email"},
			{`{"version":1,"phone":"☎"}`, "phone"},
			{`{"version":1,"notes":7}`, "notes"},
			{`{"version":"1","name":"y"}`, "version"},
			{`{"version":1,"id":99}`, "id"},
		}
		for _, tc := range patches {
			func() {
				defer inCase(t, "PATCH %s", tc.body)()
				c.do("PATCH", fmt.Sprintf("/api/v1/contacts/%d", ct.ID), tc.body).failField(tc.field)
			}()
		}
		var got crm.Contact
		c.do("GET", fmt.Sprintf("/api/v1/contacts/%d", ct.ID), nil).ok(200, &got)
		if got.Version != 1 || got.Name != "李会计" || got.FunctionalRole != "other" {
			t.Fatalf("invalid patches changed the contact: %+v", got)
		}
	})
}

func TestContactListFiltersSortsAndPages(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		team := e.team("华东")
		e.user("mgr", crm.RoleManager, &team.ID)
		a := e.user("rep-a", crm.RoleRep, &team.ID)
		b := e.user("rep-b", crm.RoleRep, &team.ID)
		ca, cb, mgr := e.login("rep-a"), e.login("rep-b"), e.login("mgr")
		acc1, acc2 := mkAccount(ca, "一号客户"), mkAccount(ca, "二号客户")
		accB := mkAccount(cb, "B 的客户")
		// Names start with lower-case Latin letters so that byte order and any
		// PostgreSQL collation agree on the expected sort.
		for _, n := range []string{"zhang san", "li si", "wang wu"} {
			mkContact(ca, acc1.ID, n)
		}
		for _, n := range []string{"zhao liu 赵六", "qian qi 钱七"} {
			mkContact(ca, acc2.ID, n)
		}
		mkContact(cb, accB.ID, "孙八")

		if n := listTotal(ca, "/api/v1/contacts"); n != 5 {
			t.Fatalf("rep a sees %d contacts, want 5", n)
		}
		if n := listTotal(mgr, "/api/v1/contacts"); n != 6 {
			t.Fatalf("manager sees %d contacts, want 6", n)
		}
		filters := []struct {
			who   *client
			query string
			want  int
		}{
			{ca, fmt.Sprintf("account_id=%d", acc1.ID), 3},
			{ca, fmt.Sprintf("account_id=%d", acc2.ID), 2},
			{ca, fmt.Sprintf("account_id=%d", accB.ID), 0}, // not theirs: filtered out, not an error
			{mgr, fmt.Sprintf("owner_id=%d", a.ID), 5},
			{mgr, fmt.Sprintf("owner_id=%d", b.ID), 1},
			{ca, fmt.Sprintf("owner_id=%d", b.ID), 0},
			{ca, "q=" + url.QueryEscape("LI"), 2}, // case-insensitive: li si, zhao liu
			{ca, "q=" + url.QueryEscape("wu"), 1},
			{ca, "q=" + url.QueryEscape("六"), 1},
			{ca, "q=" + url.QueryEscape("%"), 0},
			{ca, fmt.Sprintf("account_id=%d&q=zhang", acc1.ID), 1},
			{ca, "updated_since=" + url.QueryEscape(e.clock.Now().Format("2006-01-02T15:04:05Z")), 5},
			{ca, "updated_since=" + url.QueryEscape(e.clock.Now().Add(time.Second).Format("2006-01-02T15:04:05Z")), 0},
		}
		for _, f := range filters {
			func() {
				defer inCase(t, "%s", f.query)()
				if n := listTotal(f.who, "/api/v1/contacts?"+f.query); n != f.want {
					t.Fatalf("contacts?%s: total %d, want %d", f.query, n, f.want)
				}
			}()
		}

		names := allPages(ca, "/api/v1/contacts?limit=2&sort=-name", "name")
		want := []string{"zhao liu 赵六", "zhang san", "wang wu", "qian qi 钱七", "li si"}
		if !slices.Equal(names, want) {
			t.Fatalf("sort=-name pages: %v, want %v", names, want)
		}
		asc := allPages(ca, "/api/v1/contacts?limit=3&sort=created_at", "name")
		if strings.Join(asc, ",") != "zhang san,li si,wang wu,zhao liu 赵六,qian qi 钱七" {
			t.Fatalf("sort=created_at pages: %v", asc)
		}
		for _, q := range []string{"limit=0", "limit=501", "sort=email", "sort=-", "cursor=zzz", "account_id=abc", "account_id=0", "owner_id=-1", "with_total=2x", "updated_since=2026-13-01"} {
			func() {
				defer inCase(t, "%s", q)()
				ca.do("GET", "/api/v1/contacts?"+q, nil).fail(400, "invalid")
			}()
		}
	})
}
