package web_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/dealpath/dealpath/internal/crm"
)

// dealAudit returns the audit rows of a deal through GET …/history.
func dealAudit(c *client, dealID int64) []crm.AuditEntry {
	c.e.t.Helper()
	var p crm.Page[crm.AuditEntry]
	c.do("GET", fmt.Sprintf("/api/v1/deals/%d/history", dealID), nil).ok(200, &p)
	return p.Items
}

// auditActions lists the actions of a deal's audit rows, oldest first.
func auditActions(c *client, dealID int64) []string {
	c.e.t.Helper()
	var out []string
	for _, a := range dealAudit(c, dealID) {
		out = append(out, a.Action)
	}
	return out
}

func dealEvents(c *client, dealID int64) []crm.CompellingEvent {
	c.e.t.Helper()
	var p crm.Page[crm.CompellingEvent]
	c.do("GET", fmt.Sprintf("/api/v1/deals/%d/events", dealID), nil).ok(200, &p)
	return p.Items
}

func TestCompellingEvents(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		me := e.user("rep", crm.RoleRep, nil)
		c := e.login("rep")
		acc := mkAccount(c, "宁波港城贸易有限公司")
		gm := mkContact(c, acc.ID, "陈总")
		d := mkDeal(c, acc.ID, "进销存项目")
		path := fmt.Sprintf("/api/v1/deals/%d/events", d.ID)

		if evs := dealEvents(c, d.ID); len(evs) != 0 {
			t.Fatalf("new deal has events %+v", evs)
		}
		var ce3, custom crm.CompellingEvent
		c.do("POST", path, map[string]any{"code": "CE3", "impact": " 月结要三天，老板看不到实时库存 ", "confirmed_by_contact_id": gm.ID}).ok(201, &ce3)
		if ce3.ID == 0 || ce3.DealID != d.ID || ce3.Code != "CE3" || ce3.Title != "" || ce3.Impact != "月结要三天，老板看不到实时库存" ||
			ce3.ConfirmedByContactID == nil || *ce3.ConfirmedByContactID != gm.ID || ce3.CreatedBy != me.ID || !ce3.CreatedAt.Equal(e.clock.Now()) {
			t.Fatalf("created %+v", ce3)
		}
		c.do("POST", path, map[string]any{"code": "custom", "title": "新厂房明年三月投产", "confirmed_by_contact_id": nil}).ok(201, &custom)
		if custom.Title != "新厂房明年三月投产" || custom.Impact != "" || custom.ConfirmedByContactID != nil {
			t.Fatalf("custom %+v", custom)
		}
		// The list answers exactly what the creates answered, in order.
		got := c.do("GET", path, nil).ok(200, nil).Body
		m := mapOf(t, got)
		if m["next_cursor"] != "" {
			t.Fatalf("list %s", got)
		}
		if evs := dealEvents(c, d.ID); len(evs) != 2 || !sameEvent(evs[0], ce3) || !sameEvent(evs[1], custom) {
			t.Fatalf("list %+v", evs)
		}
		hist := dealAudit(c, d.ID)
		if len(hist) != 2 || hist[0].Action != "event_add" || hist[0].ActorID != me.ID || !strings.Contains(hist[0].After, `"CE3"`) ||
			!strings.Contains(hist[1].After, "新厂房") {
			t.Fatalf("history %+v", hist)
		}

		// Refused input creates nothing and audits nothing.
		other := mkAccount(c, "别的客户")
		stranger := mkContact(c, other.ID, "外人")
		cases := []struct{ body, field string }{
			{`{}`, "code"},
			{`{"code":""}`, "code"},
			{`{"code":"  "}`, "code"},
			{`{"code":"CE99"}`, "code"},
			{`{"code":"ce3"}`, "code"},
			{`{"code":"CE3\u0000"}`, "code"},
			{`{"code":3}`, "code"},
			{`{"code":"custom"}`, "title"},
			{`{"code":"custom","title":" "}`, "title"},
			{`{"code":"custom","title":"` + strings.Repeat("标", crm.MaxName+1) + `"}`, "title"},
			{`{"code":"CE3","title":"自拟标题"}`, "title"},
			{`{"code":"CE3","impact":"` + strings.Repeat("影", crm.MaxText+1) + `"}`, "impact"},
			{`{"code":"CE3","impact":"a\u0000b"}`, "impact"},
			{`{"code":"CE3","impact":["x"]}`, "impact"},
			{fmt.Sprintf(`{"code":"CE3","confirmed_by_contact_id":%d}`, stranger.ID), "confirmed_by_contact_id"},
			{`{"code":"CE3","confirmed_by_contact_id":99999999}`, "confirmed_by_contact_id"},
			{`{"code":"CE3","confirmed_by_contact_id":0}`, "confirmed_by_contact_id"},
			{`{"code":"CE3","confirmed_by_contact_id":-1}`, "confirmed_by_contact_id"},
			{`{"code":"CE3","confirmed_by_contact_id":"7"}`, "confirmed_by_contact_id"},
			{`{"code":"CE3","confirmed_by_contact_id":1.5}`, "confirmed_by_contact_id"},
			{`{"code":"CE3","id":1}`, "id"},
			{`{"code":"CE3","created_by":1}`, "created_by"},
			{`{"code":"CE3","deal_id":1}`, "deal_id"},
		}
		for _, tc := range cases {
			func() {
				defer inCase(t, "POST %.80s", tc.body)()
				c.do("POST", path, tc.body).failField(tc.field)
			}()
		}
		for _, body := range []string{``, `{`, `[]`, `null`, `"CE3"`, `{"code":"CE3"} x`} {
			c.do("POST", path, body).fail(400, "invalid")
		}
		if n := len(dealEvents(c, d.ID)); n != 2 {
			t.Fatalf("refused input left %d events", n)
		}
		if n := len(dealAudit(c, d.ID)); n != 2 {
			t.Fatalf("refused input audited: %d rows", n)
		}

		// Delete: only an event of that deal, once; audited with what it said.
		d2 := mkDeal(c, acc.ID, "二期")
		c.do("DELETE", fmt.Sprintf("/api/v1/deals/%d/events/%d", d2.ID, ce3.ID), nil).fail(404, "not_found")
		c.do("DELETE", fmt.Sprintf("/api/v1/deals/%d/events/x", d.ID), nil).fail(400, "invalid")
		c.do("DELETE", fmt.Sprintf("/api/v1/deals/%d/events/0", d.ID), nil).fail(400, "invalid")
		c.do("DELETE", fmt.Sprintf("/api/v1/deals/%d/events/%d", d.ID, ce3.ID), nil).ok(204, nil)
		c.do("DELETE", fmt.Sprintf("/api/v1/deals/%d/events/%d", d.ID, ce3.ID), nil).fail(404, "not_found")
		if evs := dealEvents(c, d.ID); len(evs) != 1 || evs[0].ID != custom.ID {
			t.Fatalf("after delete %+v", evs)
		}
		hist = dealAudit(c, d.ID)
		if len(hist) != 3 || hist[2].Action != "event_delete" || !strings.Contains(hist[2].Before, "月结要三天") || hist[2].After != "" {
			t.Fatalf("delete audit %+v", hist)
		}
		if len(dealAudit(c, d2.ID)) != 0 {
			t.Fatal("refused delete audited on the other deal")
		}

		// A deleted deal has no events to show or take.
		c.do("DELETE", fmt.Sprintf("/api/v1/deals/%d?version=1", d2.ID), nil).ok(204, nil)
		c.do("GET", fmt.Sprintf("/api/v1/deals/%d/events", d2.ID), nil).fail(404, "not_found")
		c.do("POST", fmt.Sprintf("/api/v1/deals/%d/events", d2.ID), map[string]any{"code": "CE1"}).fail(404, "not_found")
	})
}

// sameEvent compares two events by value, the contact id behind its
// pointer and the time by instant.
func sameEvent(a, b crm.CompellingEvent) bool {
	return a.ID == b.ID && a.DealID == b.DealID && a.Code == b.Code && a.Title == b.Title && a.Impact == b.Impact &&
		ptrVal(a.ConfirmedByContactID) == ptrVal(b.ConfirmedByContactID) && a.CreatedBy == b.CreatedBy && a.CreatedAt.Equal(b.CreatedAt)
}

func ptrVal(p *int64) int64 {
	if p == nil {
		return -1
	}
	return *p
}
