package web_test

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/dealpath/dealpath/internal/crm"
)

func TestCompetitors(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		e.user("rep", crm.RoleRep, nil)
		c := e.login("rep")
		acc := mkAccount(c, "嘉兴南湖纺织有限公司")
		d := mkDeal(c, acc.ID, "ERP")
		path := fmt.Sprintf("/api/v1/deals/%d/competitors", d.ID)
		one := func(id int64) string { return fmt.Sprintf("%s/%d", path, id) }

		var a, b crm.Competitor
		c.do("POST", path, map[string]any{"name": " 用友 ", "strengths": "品牌大", "weaknesses": "实施贵"}).ok(201, &a)
		if a.ID == 0 || a.DealID != d.ID || a.Version != 1 || a.Name != "用友" || a.Status != "active" || !a.CreatedAt.Equal(e.clock.Now()) {
			t.Fatalf("created %+v", a)
		}
		c.do("POST", path, map[string]any{"name": "金蝶", "status": "eliminated"}).ok(201, &b)
		if b.Status != "eliminated" {
			t.Fatalf("created %+v", b)
		}
		var list crm.Page[crm.Competitor]
		c.do("GET", path, nil).ok(200, &list)
		if len(list.Items) != 2 || list.Items[0].ID != a.ID || list.Items[1].ID != b.ID {
			t.Fatalf("list %+v", list)
		}

		// PATCH changes what it names; null clears a text.
		e.clock.Add(time.Hour)
		var up crm.Competitor
		c.do("PATCH", one(a.ID), map[string]any{"version": 1, "status": "eliminated", "weaknesses": nil}).ok(200, &up)
		if up.Version != 2 || up.Status != "eliminated" || up.Weaknesses != "" || up.Strengths != "品牌大" || up.Name != "用友" ||
			!up.UpdatedAt.Equal(e.clock.Now()) || !up.CreatedAt.Equal(a.CreatedAt) {
			t.Fatalf("patched %+v", up)
		}
		before := c.do("GET", path, nil).ok(200, nil).Body
		c.do("PATCH", one(a.ID), map[string]any{"version": 1, "name": "别名"}).fail(409, "conflict")

		long := strings.Repeat("强", crm.MaxText+1)
		patches := []struct{ body, field string }{
			{`{"name":"x"}`, "version"},
			{`{"version":0,"name":"x"}`, "version"},
			{`{"version":"2"}`, "version"},
			{`{"version":2,"name":""}`, "name"},
			{`{"version":2,"name":"  "}`, "name"},
			{`{"version":2,"name":null}`, "name"},
			{`{"version":2,"name":"` + strings.Repeat("名", crm.MaxName+1) + `"}`, "name"},
			{`{"version":2,"strengths":"` + long + `"}`, "strengths"},
			{`{"version":2,"weaknesses":"\u0000"}`, "weaknesses"},
			{`{"version":2,"status":"won"}`, "status"},
			{`{"version":2,"status":""}`, "status"},
			{`{"version":2,"status":null}`, "status"},
			{`{"version":2,"status":1}`, "status"},
			{`{"version":2,"deal_id":9}`, "deal_id"},
		}
		for _, tc := range patches {
			func() {
				defer inCase(t, "PATCH %.80s", tc.body)()
				c.do("PATCH", one(a.ID), tc.body).failField(tc.field)
			}()
		}
		creates := []struct{ body, field string }{
			{`{}`, "name"},
			{`{"name":" "}`, "name"},
			{`{"name":"` + strings.Repeat("名", crm.MaxName+1) + `"}`, "name"},
			{`{"name":["x"]}`, "name"},
			{`{"name":"x","strengths":"` + long + `"}`, "strengths"},
			{`{"name":"x","weaknesses":"` + long + `"}`, "weaknesses"},
			{`{"name":"x","weaknesses":"a\u0000"}`, "weaknesses"},
			{`{"name":"x","status":"won"}`, "status"},
			{`{"name":"x","status":"Active"}`, "status"},
			{`{"name":"x","version":1}`, "version"},
			{`{"name":"x","id":1}`, "id"},
		}
		for _, tc := range creates {
			func() {
				defer inCase(t, "POST %.80s", tc.body)()
				c.do("POST", path, tc.body).failField(tc.field)
			}()
		}
		for _, body := range []string{``, `{`, `[]`, `null`, `{"name":"x"}{}`} {
			c.do("POST", path, body).fail(400, "invalid")
		}
		if after := c.do("GET", path, nil).ok(200, nil).Body; !bytes.Equal(after, before) {
			t.Fatalf("refused requests changed competitors:\nbefore %s\nafter  %s", before, after)
		}

		// A competitor is reached only through its own deal.
		d2 := mkDeal(c, acc.ID, "二期")
		c.do("PATCH", fmt.Sprintf("/api/v1/deals/%d/competitors/%d", d2.ID, a.ID), map[string]any{"version": 2, "name": "x"}).fail(404, "not_found")
		c.do("DELETE", fmt.Sprintf("/api/v1/deals/%d/competitors/%d?version=2", d2.ID, a.ID), nil).fail(404, "not_found")
		c.do("PATCH", one(99999999), map[string]any{"version": 1, "name": "x"}).fail(404, "not_found")
		c.do("PATCH", path+"/x", map[string]any{"version": 1}).fail(400, "invalid")

		// DELETE names the version it read.
		c.do("DELETE", one(a.ID), nil).failField("version")
		c.do("DELETE", one(a.ID)+"?version=1", nil).fail(409, "conflict")
		c.do("DELETE", one(a.ID)+"?version=2", nil).ok(204, nil)
		c.do("DELETE", one(a.ID)+"?version=2", nil).fail(404, "not_found")
		c.do("GET", path, nil).ok(200, &list)
		if len(list.Items) != 1 || list.Items[0].ID != b.ID {
			t.Fatalf("after delete %+v", list)
		}
	})
}
