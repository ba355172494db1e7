package web_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/dealpath/dealpath/internal/crm"
)

func TestActivityCRUD(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		me := e.user("rep", crm.RoleRep, nil)
		c := e.login("rep")
		acc := mkAccount(c, "苏州精工机械")
		ct := mkContact(c, acc.ID, "王总")
		d := mkDeal(c, acc.ID, "ERP 一期")

		// A deal link implies the deal's account; times come back in UTC.
		var a crm.Activity
		c.do("POST", "/api/v1/activities", map[string]any{
			"type": "visit", "subject": "  上门演示进销存 ", "due_at": "2026-11-05T14:30:00+08:00", "deal_id": d.ID,
			"contact_id": ct.ID, "notes": "带上 ROI 测算表",
		}).ok(201, &a)
		due := time.Date(2026, 11, 5, 6, 30, 0, 0, time.UTC)
		if a.Subject != "上门演示进销存" || a.Type != "visit" || a.DueAt == nil || !a.DueAt.Equal(due) || a.DueAt.Location() != time.UTC ||
			a.DoneAt != nil || a.DealID == nil || *a.DealID != d.ID || a.AccountID == nil || *a.AccountID != acc.ID ||
			a.ContactID == nil || *a.ContactID != ct.ID || a.OwnerID != me.ID || a.Version != 1 {
			t.Fatalf("created %+v", a)
		}
		if m := mapOf(t, c.do("GET", fmt.Sprintf("/api/v1/activities/%d", a.ID), nil).ok(200, nil).Body); m["due_at"] != "2026-11-05T06:30:00Z" || m["done_at"] != nil {
			t.Fatalf("read back %v", m)
		}

		// PATCH changes only what it names; null clears a time.
		var up crm.Activity
		c.do("PATCH", fmt.Sprintf("/api/v1/activities/%d", a.ID), map[string]any{
			"version": 1, "done_at": "2026-11-05T07:45:10.123456Z", "due_at": nil,
		}).ok(200, &up)
		if up.DoneAt == nil || up.DoneAt.Format(time.RFC3339Nano) != "2026-11-05T07:45:10.123456Z" || up.DueAt != nil ||
			up.Version != 2 || up.Subject != a.Subject || up.Notes != a.Notes || *up.DealID != d.ID {
			t.Fatalf("patched %+v", up)
		}
		c.do("PATCH", fmt.Sprintf("/api/v1/activities/%d", a.ID), map[string]any{"version": 2, "notes": nil, "type": "demo"}).ok(200, &up)
		if up.Notes != "" || up.Type != "demo" || up.DoneAt == nil || up.Version != 3 {
			t.Fatalf("patched notes %+v", up)
		}
		// A stale version changes nothing.
		c.do("PATCH", fmt.Sprintf("/api/v1/activities/%d", a.ID), map[string]any{"version": 2, "subject": "改了"}).fail(409, "conflict")
		var got crm.Activity
		c.do("GET", fmt.Sprintf("/api/v1/activities/%d", a.ID), nil).ok(200, &got)
		if got.Subject != a.Subject || got.Version != 3 {
			t.Fatalf("stale update changed %+v", got)
		}
		// Links are fixed once made.
		for _, f := range []string{"deal_id", "account_id", "contact_id"} {
			c.do("PATCH", fmt.Sprintf("/api/v1/activities/%d", a.ID), map[string]any{"version": 3, f: nil}).failField(f)
		}

		c.do("DELETE", fmt.Sprintf("/api/v1/activities/%d", a.ID), nil).failField("version")
		c.do("DELETE", fmt.Sprintf("/api/v1/activities/%d?version=2", a.ID), nil).fail(409, "conflict")
		c.do("DELETE", fmt.Sprintf("/api/v1/activities/%d?version=3", a.ID), nil).ok(204, nil)
		c.do("GET", fmt.Sprintf("/api/v1/activities/%d", a.ID), nil).fail(404, "not_found")
		if ids := listIDs(c, "/api/v1/activities"); len(ids) != 0 {
			t.Fatalf("deleted activity still listed: %v", ids)
		}
		// An activity on the account alone, without a time, is fine too.
		b := mkActivity(c, map[string]any{"type": "task", "subject": "寄资料", "account_id": acc.ID})
		if b.AccountID == nil || *b.AccountID != acc.ID || b.DealID != nil || b.ContactID != nil || b.DueAt != nil {
			t.Fatalf("account activity %+v", b)
		}
		// And one on nothing at all: a rep's own to-do.
		mkActivity(c, map[string]any{"type": "task", "subject": "整理周报"})
	})
}

func TestActivityValidation(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		e.user("rep", crm.RoleRep, nil)
		e.user("other", crm.RoleRep, nil)
		c, o := e.login("rep"), e.login("other")
		acc, acc2 := mkAccount(c, "一号"), mkAccount(c, "二号")
		ct2 := mkContact(c, acc2.ID, "二号的人")
		d := mkDeal(c, acc.ID, "一号的单")
		fAcc := mkAccount(o, "别人的")
		fCt := mkContact(o, fAcc.ID, "别人的人")
		fDeal := mkDeal(o, fAcc.ID, "别人的单")
		ok := `"type":"call","subject":"x"`
		cases := []struct {
			body  string
			field string
		}{
			{`{"subject":"x"}`, "type"},
			{`{"type":"lunch","subject":"x"}`, "type"},
			{`{"type":"CALL","subject":"x"}`, "type"},
			{`{"type":1,"subject":"x"}`, "type"},
			{`{"type":"call"}`, "subject"},
			{`{"type":"call","subject":"\t"}`, "subject"},
			{`{"type":"call","subject":"` + strings.Repeat("s", crm.MaxName+1) + `"}`, "subject"},
			{`{"type":"call","subject":"a\u0000"}`, "subject"},
			{`{` + ok + `,"notes":"` + strings.Repeat("n", crm.MaxText+1) + `"}`, "notes"},
			{`{` + ok + `,"due_at":"2026-02-30T09:00:00Z"}`, "due_at"},
			{`{` + ok + `,"due_at":"2026-11-05"}`, "due_at"},
			{`{` + ok + `,"due_at":"tomorrow"}`, "due_at"},
			{`{` + ok + `,"due_at":"2026-11-05 09:00:00"}`, "due_at"},
			{`{` + ok + `,"due_at":1762300800}`, "due_at"},
			{`{` + ok + `,"due_at":"1999-12-31T23:59:59Z"}`, "due_at"},
			{`{` + ok + `,"done_at":"2201-01-01T00:00:00Z"}`, "done_at"},
			{`{` + ok + `,"done_at":"2026-11-05T25:00:00Z"}`, "done_at"},
			{`{` + ok + `,"deal_id":99999999}`, "deal_id"},
			{`{` + ok + `,"deal_id":"1"}`, "deal_id"},
			{`{` + ok + fmt.Sprintf(`,"deal_id":%d}`, fDeal.ID), "deal_id"},
			{`{` + ok + fmt.Sprintf(`,"contact_id":%d}`, fCt.ID), "contact_id"},
			{`{` + ok + fmt.Sprintf(`,"account_id":%d}`, fAcc.ID), "account_id"},
			{`{` + ok + `,"account_id":-1}`, "account_id"},
			{`{` + ok + fmt.Sprintf(`,"deal_id":%d,"account_id":%d}`, d.ID, acc2.ID), "account_id"},
			{`{` + ok + fmt.Sprintf(`,"deal_id":%d,"contact_id":%d}`, d.ID, ct2.ID), "contact_id"},
			{`{` + ok + `,"owner_id":[1]}`, "owner_id"},
			{`{` + ok + `,"version":1}`, "version"},
		}
		for _, tc := range cases {
			func() {
				defer inCase(t, "POST %.100s", tc.body)()
				c.do("POST", "/api/v1/activities", tc.body).failField(tc.field)
			}()
		}
		if n := listTotal(c, "/api/v1/activities"); n != 0 {
			t.Fatalf("invalid input created %d activities", n)
		}

		a := mkActivity(c, map[string]any{"type": "call", "subject": "回访", "deal_id": d.ID})
		patches := []struct {
			body  string
			field string
		}{
			{`{"version":1,"type":"nap"}`, "type"},
			{`{"version":1,"type":null}`, "type"},
			{`{"version":1,"subject":""}`, "subject"},
			{`{"version":1,"due_at":"2026-02-30T09:00:00Z"}`, "due_at"},
			{`{"version":1,"due_at":"soon"}`, "due_at"},
			{`{"version":1,"done_at":17}`, "done_at"},
			{`{"version":1,"done_at":"0001-01-01T00:00:00Z"}`, "done_at"},
			{`{"version":1,"notes":{"a":1}}`, "notes"},
			{`{"version":1,"owner_id":"x"}`, "owner_id"},
		}
		for _, tc := range patches {
			func() {
				defer inCase(t, "PATCH %.100s", tc.body)()
				c.do("PATCH", fmt.Sprintf("/api/v1/activities/%d", a.ID), tc.body).failField(tc.field)
			}()
		}
		var got crm.Activity
		c.do("GET", fmt.Sprintf("/api/v1/activities/%d", a.ID), nil).ok(200, &got)
		if got.Version != 1 || got.Type != "call" || got.Subject != "回访" || got.DueAt != nil {
			t.Fatalf("invalid patches changed the activity: %+v", got)
		}
	})
}

func TestActivityListFiltersSortsAndPages(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		team := e.team("华南")
		e.user("mgr", crm.RoleManager, &team.ID)
		a := e.user("rep-a", crm.RoleRep, &team.ID)
		b := e.user("rep-b", crm.RoleRep, &team.ID)
		ca, cb, mgr := e.login("rep-a"), e.login("rep-b"), e.login("mgr")
		acc1, acc2 := mkAccount(ca, "一号"), mkAccount(ca, "二号")
		ct1 := mkContact(ca, acc1.ID, "一号的人")
		d1 := mkDeal(ca, acc1.ID, "一号的单")
		accB := mkAccount(cb, "B 的")
		acts := []struct {
			c    *client
			body map[string]any
		}{
			{ca, map[string]any{"type": "call", "subject": "s1 call", "due_at": "2026-11-03T09:00:00Z", "deal_id": d1.ID}},
			{ca, map[string]any{"type": "visit", "subject": "s2 visit", "due_at": "2026-11-04T09:00:00Z", "contact_id": ct1.ID, "done_at": "2026-11-04T10:00:00Z"}},
			{ca, map[string]any{"type": "call", "subject": "s3 call", "account_id": acc2.ID}},
			{ca, map[string]any{"type": "email", "subject": "s4 email", "due_at": "2026-11-02T09:00:00Z", "deal_id": d1.ID, "contact_id": ct1.ID}},
			{ca, map[string]any{"type": "task", "subject": "s5 task", "due_at": "2026-11-10T09:00:00Z", "done_at": "2026-11-01T08:00:00Z"}},
			{cb, map[string]any{"type": "call", "subject": "s6 call", "due_at": "2026-11-01T09:00:00Z", "account_id": accB.ID}},
		}
		for _, x := range acts {
			mkActivity(x.c, x.body)
		}
		filters := []struct {
			who   *client
			query string
			want  string
		}{
			{ca, "", "s4 email,s1 call,s2 visit,s5 task,s3 call"}, // by due time, none last
			{ca, "sort=-due_at", "s3 call,s5 task,s2 visit,s1 call,s4 email"},
			{ca, "sort=subject", "s1 call,s2 visit,s3 call,s4 email,s5 task"},
			{ca, "sort=done_at", "s5 task,s2 visit,s1 call,s3 call,s4 email"},
			{ca, fmt.Sprintf("deal_id=%d", d1.ID), "s4 email,s1 call"},
			{ca, fmt.Sprintf("account_id=%d", acc1.ID), "s4 email,s1 call,s2 visit"}, // implied by deal and contact
			{ca, fmt.Sprintf("account_id=%d", acc2.ID), "s3 call"},
			{ca, fmt.Sprintf("contact_id=%d", ct1.ID), "s4 email,s2 visit"},
			{ca, "type=call", "s1 call,s3 call"},
			{ca, "open=true", "s4 email,s1 call,s3 call"},
			{ca, "open=false", "s2 visit,s5 task"},
			{ca, "open=true&type=call&sort=-subject", "s3 call,s1 call"},
			{ca, "q=VISIT", "s2 visit"},
			{ca, fmt.Sprintf("owner_id=%d", b.ID), ""},
			{mgr, "type=call", "s6 call,s1 call,s3 call"},
			{mgr, fmt.Sprintf("owner_id=%d&type=call", a.ID), "s1 call,s3 call"},
			{cb, "", "s6 call"},
		}
		for _, f := range filters {
			func() {
				defer inCase(t, "%s", f.query)()
				got := strings.Join(allPages(f.who, "/api/v1/activities?limit=2&"+f.query, "subject"), ",")
				if got != f.want {
					t.Fatalf("activities?%s: %q, want %q", f.query, got, f.want)
				}
				want := 0
				if f.want != "" {
					want = len(strings.Split(f.want, ","))
				}
				if n := listTotal(f.who, "/api/v1/activities?"+f.query); n != want {
					t.Fatalf("activities?%s: total %d, want %d", f.query, n, want)
				}
			}()
		}
		for _, q := range []string{"open=maybe", "open=yes", "type=lunch", "deal_id=x", "contact_id=0", "account_id=-2", "owner_id=1e3", "sort=notes", "sort=type"} {
			func() {
				defer inCase(t, "%s", q)()
				ca.do("GET", "/api/v1/activities?"+q, nil).fail(400, "invalid")
			}()
		}
	})
}
