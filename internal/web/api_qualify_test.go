package web_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/dealpath/dealpath/internal/crm"
)

// qualifyRecords sets up, as rep A, a deal with one record of every kind
// that qualifies it, and returns the deal and the ids of its event and
// competitor.
func qualifyRecords(c *client) (deal crm.Deal, contact crm.Contact, eventID, competitorID int64) {
	c.e.t.Helper()
	acc := mkAccount(c, "A 的客户")
	contact = mkContact(c, acc.ID, "A 的联系人")
	deal = mkDeal(c, acc.ID, "A 的商机")
	base := fmt.Sprintf("/api/v1/deals/%d", deal.ID)
	var ev crm.CompellingEvent
	c.do("POST", base+"/events", map[string]any{"code": "CE1", "impact": "增长太快"}).ok(201, &ev)
	c.do("PUT", base+"/qualification", map[string]any{"version": 0, "answers": map[string]string{"requirements": "进销存"}}).ok(200, nil)
	c.do("POST", base+"/demos", map[string]any{"held_on": "2026-11-10", "attendees": []map[string]any{{"contact_id": contact.ID}}}).ok(201, nil)
	var comp crm.Competitor
	c.do("POST", base+"/competitors", map[string]any{"name": "用友"}).ok(201, &comp)
	c.do("PUT", base+"/conditions", map[string]any{"conditions": []map[string]any{{"key": "solution_fits", "version": 0, "met": true, "evidence": "演示成功"}}}).ok(200, nil)
	return deal, contact, ev.ID, comp.ID
}

// qualifyView is everything of a deal's qualifying records that its owner
// sees, to prove that refused requests changed nothing.
func qualifyView(c *client, dealID int64) string {
	c.e.t.Helper()
	var b strings.Builder
	for _, p := range []string{"events", "qualification", "demos", "competitors", "conditions", "history"} {
		b.Write(c.do("GET", fmt.Sprintf("/api/v1/deals/%d/%s", dealID, p), nil).ok(200, nil).Body)
	}
	return b.String()
}

// TestQualifyAuthorization: the records that qualify a deal are the deal's.
// Reps who may not see the deal (same team or not) cannot read or write any
// of them and cannot tell them from missing ones; the manager of the
// owner's team and an admin can.
func TestQualifyAuthorization(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		east, north := e.team("华东"), e.team("华北")
		e.user("root", crm.RoleAdmin, nil)
		e.user("mgr", crm.RoleManager, &east.ID)
		e.user("mgr-north", crm.RoleManager, &north.ID)
		e.user("rep-a", crm.RoleRep, &east.ID)
		e.user("rep-b", crm.RoleRep, &east.ID)
		e.user("rep-c", crm.RoleRep, &north.ID)
		a := e.login("rep-a")
		deal, contact, eventID, competitorID := qualifyRecords(a)
		base := fmt.Sprintf("/api/v1/deals/%d", deal.ID)

		reads := []string{base + "/events", base + "/qualification", base + "/demos", base + "/competitors", base + "/conditions"}
		// Valid writes: each would succeed for someone who may see the deal.
		writes := []struct {
			method, path string
			body         any
		}{
			{"POST", base + "/events", map[string]any{"code": "CE2", "confirmed_by_contact_id": contact.ID}},
			{"DELETE", fmt.Sprintf("%s/events/%d", base, eventID), nil},
			{"PUT", base + "/qualification", map[string]any{"version": 1, "answers": map[string]string{"requirements": "被改了"}}},
			{"POST", base + "/demos", map[string]any{"held_on": "2026-11-11"}},
			{"POST", base + "/competitors", map[string]any{"name": "金蝶"}},
			{"PATCH", fmt.Sprintf("%s/competitors/%d", base, competitorID), map[string]any{"version": 1, "status": "eliminated"}},
			{"DELETE", fmt.Sprintf("%s/competitors/%d?version=2", base, competitorID), nil}, // after the PATCH
			{"PUT", base + "/conditions", map[string]any{"conditions": []map[string]any{{"key": "solution_fits", "version": 1, "met": false}}}},
		}

		before := qualifyView(a, deal.ID)
		for _, name := range []string{"rep-b", "rep-c", "mgr-north"} {
			o := e.login(name)
			for _, p := range reads {
				o.do("GET", p, nil).fail(404, "not_found")
			}
			for _, w := range writes {
				func() {
					defer inCase(t, "%s %s %s", name, w.method, w.path)()
					o.do(w.method, w.path, w.body).fail(404, "not_found")
				}()
			}
			// Invalid bodies too: the deal is checked first, so a stranger
			// learns nothing from validation either.
			o.do("POST", base+"/events", map[string]any{"code": "nope"}).fail(404, "not_found")
			o.do("PUT", base+"/conditions", map[string]any{"conditions": []map[string]any{{"key": "nope"}}}).fail(404, "not_found")
		}
		if after := qualifyView(a, deal.ID); after != before {
			t.Fatalf("refused requests changed the deal's records:\nbefore %s\nafter  %s", before, after)
		}

		// The admin reads everything; the manager of the team reads and
		// writes, and the audit rows name the manager.
		root := e.login("root")
		for _, p := range reads {
			root.do("GET", p, nil).ok(200, nil)
		}
		m := e.login("mgr")
		for _, p := range reads {
			m.do("GET", p, nil).ok(200, nil)
		}
		want := []int{201, 204, 200, 201, 201, 200, 204, 200}
		for i, w := range writes {
			func() {
				defer inCase(t, "mgr %s %s", w.method, w.path)()
				m.do(w.method, w.path, w.body).ok(want[i], nil)
			}()
		}
		acts := auditActions(a, deal.ID)
		wantActs := "event_add condition event_add event_delete condition"
		if strings.Join(acts, " ") != wantActs {
			t.Fatalf("audit actions %v, want %s", acts, wantActs)
		}
		var q crm.Qualification
		a.do("GET", base+"/qualification", nil).ok(200, &q)
		if q.Version != 2 || q.Answers["requirements"] != "被改了" {
			t.Fatalf("manager's save %+v", q)
		}
	})
}

// TestQualifyHostileBodies: malformed and oversized bodies on every new
// endpoint that reads one are 400 and change nothing.
func TestQualifyHostileBodies(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		e.user("rep-a", crm.RoleRep, nil)
		a := e.login("rep-a")
		deal, _, _, competitorID := qualifyRecords(a)
		base := fmt.Sprintf("/api/v1/deals/%d", deal.ID)
		targets := []struct{ method, path string }{
			{"POST", base + "/events"},
			{"PUT", base + "/qualification"},
			{"POST", base + "/demos"},
			{"POST", base + "/competitors"},
			{"PATCH", fmt.Sprintf("%s/competitors/%d", base, competitorID)},
			{"PUT", base + "/conditions"},
		}
		huge := []byte(`{"name":"` + strings.Repeat("a", 1<<20+10) + `"}`)
		bad := [][]byte{nil, []byte(`{`), []byte(`[]`), []byte(`null`), []byte(`42`), []byte(`{"a":1,}`),
			[]byte("{\"name\":\"a\x00b\"}"), []byte("\xef\xbb\xbf{}"), huge}
		before := qualifyView(a, deal.ID)
		for _, tg := range targets {
			for _, body := range bad {
				func() {
					defer inCase(t, "%s %s %.40q", tg.method, tg.path, body)()
					a.raw(tg.method, tg.path, "application/json", body).fail(400, "invalid")
				}()
			}
			a.raw(tg.method, tg.path, "text/plain", []byte(`{}`)).fail(400, "invalid")
		}
		// Bad ids in the path.
		for _, p := range []string{"/api/v1/deals/0/events", "/api/v1/deals/x/conditions", "/api/v1/deals/-1/demos",
			"/api/v1/deals/99999999999999999999/qualification", "/api/v1/deals/1.5/competitors"} {
			a.do("GET", p, nil).fail(400, "invalid")
		}
		for _, p := range []string{base + "/events/0", base + "/competitors/x?version=1", base + "/events/99999999999999999999"} {
			a.do("DELETE", p, nil).fail(400, "invalid")
		}
		if after := qualifyView(a, deal.ID); after != before {
			t.Fatalf("refused requests changed the deal's records:\nbefore %s\nafter  %s", before, after)
		}
	})
}
