package web_test

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/dealpath/dealpath/internal/crm"
)

func TestDealCRUD(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		me := e.user("rep", crm.RoleRep, nil)
		c := e.login("rep")
		acc := mkAccount(c, "杭州西湖食品有限公司")
		var d crm.Deal
		c.do("POST", "/api/v1/deals", map[string]any{
			"account_id": acc.ID, "title": " 进销存 + 财务一期 ", "amount": 12_800_000, "expected_close_date": "2026-12-31",
			"probability": 20, "next_step": "约总经理看演示",
		}).ok(201, &d)
		if d.Title != "进销存 + 财务一期" || d.Stage != crm.StageProspecting || d.OwnerID != me.ID || d.Version != 1 ||
			d.Amount != 12_800_000 || d.ExpectedCloseDate == nil || d.ExpectedCloseDate.String() != "2026-12-31" ||
			d.LostReason != "" || !d.StageChangedAt.Equal(e.clock.Now()) {
			t.Fatalf("created %+v", d)
		}
		// Dates travel as YYYY-MM-DD, money as integer fen.
		m := mapOf(t, c.do("GET", fmt.Sprintf("/api/v1/deals/%d", d.ID), nil).ok(200, nil).Body)
		if m["expected_close_date"] != "2026-12-31" || m["amount"] != float64(12_800_000) {
			t.Fatalf("read back %v", m)
		}

		// PATCH changes only what it names; null clears a nullable field.
		e.clock.Add(time.Hour)
		var up crm.Deal
		c.do("PATCH", fmt.Sprintf("/api/v1/deals/%d", d.ID), map[string]any{
			"version": 1, "amount": 15_000_000, "expected_close_date": nil,
		}).ok(200, &up)
		if up.Amount != 15_000_000 || up.ExpectedCloseDate != nil || up.Version != 2 || up.Title != d.Title ||
			up.Probability != 20 || up.NextStep != d.NextStep || up.Stage != d.Stage || !up.UpdatedAt.Equal(e.clock.Now()) ||
			!up.StageChangedAt.Equal(d.StageChangedAt) {
			t.Fatalf("patched %+v", up)
		}
		c.do("PATCH", fmt.Sprintf("/api/v1/deals/%d", d.ID), map[string]any{"version": 2, "expected_close_date": "2027-01-15"}).ok(200, &up)
		if up.ExpectedCloseDate == nil || up.ExpectedCloseDate.String() != "2027-01-15" || up.Version != 3 {
			t.Fatalf("patched date %+v", up)
		}
		// A stale version changes nothing.
		c.do("PATCH", fmt.Sprintf("/api/v1/deals/%d", d.ID), map[string]any{"version": 2, "amount": 1}).fail(409, "conflict")
		var got crm.Deal
		c.do("GET", fmt.Sprintf("/api/v1/deals/%d", d.ID), nil).ok(200, &got)
		if got.Amount != 15_000_000 || got.Version != 3 {
			t.Fatalf("stale update changed %+v", got)
		}
		// The stage moves only through /stage, where its rules apply; the
		// account is fixed once made.
		c.do("PATCH", fmt.Sprintf("/api/v1/deals/%d", d.ID), map[string]any{"version": 3, "stage": "closed"}).failField("stage")
		c.do("PATCH", fmt.Sprintf("/api/v1/deals/%d", d.ID), map[string]any{"version": 3, "account_id": acc.ID}).failField("account_id")

		c.do("DELETE", fmt.Sprintf("/api/v1/deals/%d", d.ID), nil).failField("version")
		c.do("DELETE", fmt.Sprintf("/api/v1/deals/%d?version=x", d.ID), nil).failField("version")
		c.do("DELETE", fmt.Sprintf("/api/v1/deals/%d?version=2", d.ID), nil).fail(409, "conflict")
		c.do("DELETE", fmt.Sprintf("/api/v1/deals/%d?version=3", d.ID), nil).ok(204, nil)
		c.do("GET", fmt.Sprintf("/api/v1/deals/%d", d.ID), nil).fail(404, "not_found")
		c.do("GET", fmt.Sprintf("/api/v1/deals/%d/history", d.ID), nil).fail(404, "not_found")
		c.do("POST", fmt.Sprintf("/api/v1/deals/%d/stage", d.ID), map[string]any{"stage": "demo"}).fail(404, "not_found")
		if ids := listIDs(c, "/api/v1/deals"); len(ids) != 0 {
			t.Fatalf("deleted deal still listed: %v", ids)
		}
		// The deletion is audited with who and what.
		hist, err := e.svc.Store.AuditFor(t.Context(), "deal", d.ID)
		if err != nil || len(hist) != 1 || hist[0].Action != "delete" || hist[0].ActorID != me.ID || !strings.Contains(hist[0].Before, "进销存") {
			t.Fatalf("delete audit %v %+v", err, hist)
		}
	})
}

func TestDealValidation(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		e.user("rep", crm.RoleRep, nil)
		e.user("other", crm.RoleRep, nil)
		c, o := e.login("rep"), e.login("other")
		acc := mkAccount(c, "深圳华强电子")
		foreign := mkAccount(o, "别人的客户")
		ok := fmt.Sprintf(`"account_id":%d,"title":"x"`, acc.ID)
		cases := []struct {
			body  string
			field string
		}{
			{`{"title":"x"}`, "account_id"},
			{`{"account_id":0,"title":"x"}`, "account_id"},
			{`{"account_id":"7","title":"x"}`, "account_id"},
			{`{"account_id":99999999,"title":"x"}`, "account_id"},
			{fmt.Sprintf(`{"account_id":%d,"title":"x"}`, foreign.ID), "account_id"},
			{fmt.Sprintf(`{"account_id":%d}`, acc.ID), "title"},
			{fmt.Sprintf(`{"account_id":%d,"title":" "}`, acc.ID), "title"},
			{fmt.Sprintf(`{"account_id":%d,"title":"%s"}`, acc.ID, strings.Repeat("标", crm.MaxName+1)), "title"},
			{fmt.Sprintf(`{"account_id":%d,"title":"a\u0000"}`, acc.ID), "title"},
			{fmt.Sprintf(`{"account_id":%d,"title":["x"]}`, acc.ID), "title"},
			{`{` + ok + `,"amount":-1}`, "amount"},
			{`{` + ok + `,"amount":"100"}`, "amount"},
			{`{` + ok + `,"amount":1.5}`, "amount"},
			{`{` + ok + `,"amount":1e3}`, "amount"},
			{`{` + ok + fmt.Sprintf(`,"amount":%d}`, crm.MaxMoney+1), "amount"},
			{`{` + ok + `,"amount":9223372036854775808}`, "amount"},
			{`{` + ok + `,"probability":101}`, "probability"},
			{`{` + ok + `,"probability":-1}`, "probability"},
			{`{` + ok + `,"probability":true}`, "probability"},
			{`{` + ok + `,"expected_close_date":"2026-02-30"}`, "expected_close_date"},
			{`{` + ok + `,"expected_close_date":"2026-13-01"}`, "expected_close_date"},
			{`{` + ok + `,"expected_close_date":"2026-1-5"}`, "expected_close_date"},
			{`{` + ok + `,"expected_close_date":"tomorrow"}`, "expected_close_date"},
			{`{` + ok + `,"expected_close_date":"2026-03-01T00:00:00Z"}`, "expected_close_date"},
			{`{` + ok + `,"expected_close_date":20260301}`, "expected_close_date"},
			{`{` + ok + `,"expected_close_date":"1999-12-31"}`, "expected_close_date"},
			{`{` + ok + `,"stage":"won"}`, "stage"},
			{`{` + ok + `,"stage":"lost"}`, "stage"},
			{`{` + ok + `,"stage":"Demo"}`, "stage"},
			{`{` + ok + `,"next_step":"` + strings.Repeat("n", crm.MaxName+1) + `"}`, "next_step"},
			{`{` + ok + `,"owner_id":"me"}`, "owner_id"},
			{`{` + ok + `,"lost_reason":"x"}`, "lost_reason"},
			{`{` + ok + `,"id":1}`, "id"},
		}
		for _, tc := range cases {
			func() {
				defer inCase(t, "POST %.100s", tc.body)()
				c.do("POST", "/api/v1/deals", tc.body).failField(tc.field)
			}()
		}
		if n := listTotal(c, "/api/v1/deals"); n != 0 {
			t.Fatalf("invalid input created %d deals", n)
		}

		d := mkDeal(c, acc.ID, "ERP")
		patches := []struct {
			body  string
			field string
		}{
			{`{"version":1,"title":""}`, "title"},
			{`{"version":1,"title":null}`, "title"},
			{`{"version":1,"amount":-5}`, "amount"},
			{`{"version":1,"amount":"5"}`, "amount"},
			{`{"version":1,"probability":200}`, "probability"},
			{`{"version":1,"expected_close_date":"2026-02-30"}`, "expected_close_date"},
			{`{"version":1,"expected_close_date":"2201-01-01"}`, "expected_close_date"},
			{`{"version":1,"expected_close_date":false}`, "expected_close_date"},
			{`{"version":1,"next_step":"` + strings.Repeat("n", crm.MaxName+1) + `"}`, "next_step"},
			{`{"version":1,"lost_reason":"x"}`, "lost_reason"},
			{`{"version":1.5}`, "version"},
		}
		for _, tc := range patches {
			func() {
				defer inCase(t, "PATCH %.100s", tc.body)()
				c.do("PATCH", fmt.Sprintf("/api/v1/deals/%d", d.ID), tc.body).failField(tc.field)
			}()
		}
		var got crm.Deal
		c.do("GET", fmt.Sprintf("/api/v1/deals/%d", d.ID), nil).ok(200, &got)
		if got.Version != 1 || got.Title != "ERP" || got.Amount != 0 {
			t.Fatalf("invalid patches changed the deal: %+v", got)
		}
	})
}

func TestDealListFiltersSortsAndPages(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		east, north := e.team("华东"), e.team("华北")
		e.user("root", crm.RoleAdmin, nil)
		e.user("mgr", crm.RoleManager, &east.ID)
		a := e.user("rep-a", crm.RoleRep, &east.ID)
		e.user("rep-c", crm.RoleRep, &north.ID)
		ca, cc, mgr, admin := e.login("rep-a"), e.login("rep-c"), e.login("mgr"), e.login("root")
		acc1, acc2 := mkAccount(ca, "一号"), mkAccount(ca, "二号")
		accC := mkAccount(cc, "三号")
		deals := []struct {
			c       *client
			account int64
			title   string
			stage   string
			amount  int64
			close   any
		}{
			{ca, acc1.ID, "alpha", "prospecting", 300, "2026-12-01"},
			{ca, acc1.ID, "bravo", "demo", 100, nil},
			{ca, acc2.ID, "charlie", "demo", 500, "2026-11-15"},
			{ca, acc2.ID, "delta", "negotiation", 200, "2027-03-01"},
			{cc, accC.ID, "echo", "demo", 400, "2026-11-20"},
		}
		for _, d := range deals {
			d.c.do("POST", "/api/v1/deals", map[string]any{
				"account_id": d.account, "title": d.title, "stage": d.stage, "amount": d.amount, "expected_close_date": d.close,
			}).ok(201, nil)
		}
		filters := []struct {
			who   *client
			query string
			want  string
		}{
			{ca, "", "charlie,alpha,delta,bravo"}, // default: expected close date, open dates last
			{ca, "sort=-amount", "charlie,alpha,delta,bravo"},
			{ca, "sort=amount", "bravo,delta,alpha,charlie"},
			{ca, "sort=-expected_close_date", "bravo,delta,alpha,charlie"},
			{ca, "sort=title", "alpha,bravo,charlie,delta"},
			{ca, "stage=demo&sort=title", "bravo,charlie"},
			{ca, "stage=closed", ""},
			{ca, fmt.Sprintf("account_id=%d&sort=title", acc2.ID), "charlie,delta"},
			{ca, fmt.Sprintf("account_id=%d", accC.ID), ""},
			{ca, "q=HARL", "charlie"},
			{mgr, "sort=title", "alpha,bravo,charlie,delta"},
			{mgr, fmt.Sprintf("owner_id=%d&sort=title", a.ID), "alpha,bravo,charlie,delta"},
			{admin, "stage=demo&sort=title", "bravo,charlie,echo"},
			{admin, fmt.Sprintf("team_id=%d&sort=title", north.ID), "echo"},
			{admin, fmt.Sprintf("team_id=%d&stage=demo&sort=-amount", east.ID), "charlie,bravo"},
			{mgr, fmt.Sprintf("team_id=%d", north.ID), ""},
			{cc, "sort=title", "echo"},
		}
		for _, f := range filters {
			func() {
				defer inCase(t, "%s", f.query)()
				got := strings.Join(allPages(f.who, "/api/v1/deals?limit=2&"+f.query, "title"), ",")
				if got != f.want {
					t.Fatalf("deals?%s: %q, want %q", f.query, got, f.want)
				}
				if n := listTotal(f.who, "/api/v1/deals?"+f.query); n != len(strings.FieldsFunc(f.want, func(r rune) bool { return r == ',' })) {
					t.Fatalf("deals?%s: total %d", f.query, n)
				}
			}()
		}
		// updated_since sees only what changed since.
		e.clock.Add(time.Hour)
		var bravo crm.Deal
		var page crm.Page[crm.Deal]
		ca.do("GET", "/api/v1/deals?q=bravo", nil).ok(200, &page)
		bravo = page.Items[0]
		ca.do("PATCH", fmt.Sprintf("/api/v1/deals/%d", bravo.ID), map[string]any{"version": bravo.Version, "probability": 50}).ok(200, nil)
		since := url.QueryEscape(e.clock.Now().Format(time.RFC3339))
		if got := strings.Join(allPages(ca, "/api/v1/deals?updated_since="+since, "title"), ","); got != "bravo" {
			t.Fatalf("updated_since: %q", got)
		}
		for _, q := range []string{"stage=won", "stage=DEMO", "team_id=x", "account_id=1.0", "owner_id=", "sort=stage", "sort=lost_reason", "limit=-1", "cursor=" + url.QueryEscape("eyJzIjoiIiwiayI6MSwiaSI6MX0")} {
			func() {
				defer inCase(t, "%s", q)()
				r := ca.do("GET", "/api/v1/deals?"+q, nil)
				if q == "owner_id=" { // an empty filter is no filter
					r.ok(200, nil)
					return
				}
				r.fail(400, "invalid")
			}()
		}
	})
}

func TestDealStageMove(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		me := e.user("rep", crm.RoleRep, nil)
		c := e.login("rep")
		acc := mkAccount(c, "广州白云电子")
		d := mkDeal(c, acc.ID, "财务软件")
		stage := func(body any) *resp { return c.do("POST", fmt.Sprintf("/api/v1/deals/%d/stage", d.ID), body) }
		// The prospecting gate: a meeting with a key person is scheduled.
		var gm crm.Contact
		c.do("POST", "/api/v1/contacts", map[string]any{"account_id": acc.ID, "name": "王总", "functional_role": "general_manager"}).ok(201, &gm)
		mkActivity(c, map[string]any{"deal_id": d.ID, "contact_id": gm.ID, "type": "meeting", "subject": "拜访王总",
			"due_at": e.clock.Now().Add(48 * time.Hour).Format(time.RFC3339)})

		e.clock.Add(24 * time.Hour)
		var moved crm.Deal
		stage(map[string]any{"stage": "compelling_event"}).ok(200, &moved)
		if moved.Stage != "compelling_event" || moved.Version != 2 || !moved.StageChangedAt.Equal(e.clock.Now()) || moved.Title != d.Title {
			t.Fatalf("moved %+v", moved)
		}

		// Bad moves change nothing.
		bad := []struct {
			body  any
			field string
		}{
			{map[string]any{"stage": "won"}, "stage"},
			{map[string]any{"stage": ""}, "stage"},
			{map[string]any{}, "stage"},
			{map[string]any{"stage": 3}, "stage"},
			{map[string]any{"stage": "compelling_event"}, "stage"}, // already there
			{map[string]any{"stage": "lost"}, "reason"},
			{map[string]any{"stage": "lost", "reason": "   "}, "reason"},
			{map[string]any{"stage": "lost", "reason": strings.Repeat("r", crm.MaxText+1)}, "reason"},
			{map[string]any{"stage": "lost", "reason": "a\x00b"}, "reason"},
			{map[string]any{"stage": "demo", "version": 2}, "version"},
		}
		for _, tc := range bad {
			func() {
				defer inCase(t, "%v", tc.body)()
				stage(tc.body).failField(tc.field)
			}()
		}
		var got crm.Deal
		c.do("GET", fmt.Sprintf("/api/v1/deals/%d", d.ID), nil).ok(200, &got)
		if got.Stage != "compelling_event" || got.Version != 2 {
			t.Fatalf("bad moves changed the deal: %+v", got)
		}

		e.clock.Add(24 * time.Hour)
		stage(map[string]any{"stage": "lost", "reason": " 预算冻结 "}).ok(200, &moved)
		if moved.Stage != "lost" || moved.LostReason != "预算冻结" || moved.Version != 3 {
			t.Fatalf("lost %+v", moved)
		}
		// A lost deal revived forgets its lost reason; it passes the gates
		// from the start again.
		stage(map[string]any{"stage": "compelling_event"}).ok(200, &moved)
		if moved.Stage != "compelling_event" || moved.LostReason != "" {
			t.Fatalf("revived %+v", moved)
		}

		var hist struct {
			Items      []crm.AuditEntry `json:"items"`
			NextCursor *string          `json:"next_cursor"`
		}
		c.do("GET", fmt.Sprintf("/api/v1/deals/%d/history", d.ID), nil).ok(200, &hist)
		if hist.NextCursor == nil || *hist.NextCursor != "" || len(hist.Items) != 3 {
			t.Fatalf("history %+v", hist)
		}
		want := []struct{ from, to, reason string }{
			{"prospecting", "compelling_event", ""},
			{"compelling_event", "lost", "预算冻结"},
			{"lost", "compelling_event", ""},
		}
		for i, w := range want {
			h := hist.Items[i]
			var before, after map[string]any
			if err := json.Unmarshal([]byte(h.Before), &before); err != nil {
				t.Fatalf("history %d before %q: %v", i, h.Before, err)
			}
			if err := json.Unmarshal([]byte(h.After), &after); err != nil {
				t.Fatalf("history %d after %q: %v", i, h.After, err)
			}
			if h.Action != "stage" || h.EntityType != "deal" || h.EntityID != d.ID || h.ActorID != me.ID ||
				before["stage"] != w.from || after["stage"] != w.to || h.Reason != w.reason || h.CreatedAt.IsZero() {
				t.Fatalf("history %d = %+v, want %+v", i, h, w)
			}
		}
		c.do("POST", "/api/v1/deals/99999/stage", map[string]any{"stage": "demo"}).fail(404, "not_found")
		c.do("GET", "/api/v1/deals/99999/history", nil).fail(404, "not_found")
	})
}

func TestDealContacts(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		e.user("rep", crm.RoleRep, nil)
		e.user("other", crm.RoleRep, nil)
		c, o := e.login("rep"), e.login("other")
		acc, acc2 := mkAccount(c, "宁波海天"), mkAccount(c, "宁波海地")
		boss, cfo := mkContact(c, acc.ID, "王总"), mkContact(c, acc.ID, "李会计")
		elsewhere := mkContact(c, acc2.ID, "隔壁公司的人")
		foreignAcc := mkAccount(o, "别人的")
		foreign := mkContact(o, foreignAcc.ID, "别人的联系人")
		d := mkDeal(c, acc.ID, "ERP")
		base := fmt.Sprintf("/api/v1/deals/%d/contacts", d.ID)

		var dc crm.DealContact
		c.do("POST", base, map[string]any{"contact_id": boss.ID, "buying_role": "decision_maker"}).ok(201, &dc)
		if dc.DealID != d.ID || dc.ContactID != boss.ID || dc.BuyingRole != "decision_maker" || dc.Stance != "neutral" ||
			dc.EngagementStep != "understand" || dc.Version != 1 {
			t.Fatalf("added %+v", dc)
		}
		c.do("POST", base, map[string]any{"contact_id": cfo.ID, "stance": "opposes", "engagement_step": "concerns_known"}).ok(201, nil)

		// Refusals change nothing.
		bad := []struct {
			body   string
			status int
			field  string
		}{
			{fmt.Sprintf(`{"contact_id":%d}`, boss.ID), 409, "contact_id"}, // already on the deal
			{fmt.Sprintf(`{"contact_id":%d}`, elsewhere.ID), 400, "contact_id"},
			{fmt.Sprintf(`{"contact_id":%d}`, foreign.ID), 400, "contact_id"},
			{`{"contact_id":99999999}`, 400, "contact_id"},
			{`{}`, 400, "contact_id"},
			{`{"contact_id":"1"}`, 400, "contact_id"},
			{fmt.Sprintf(`{"contact_id":%d,"buying_role":"king"}`, elsewhere.ID), 400, "buying_role"},
			{fmt.Sprintf(`{"contact_id":%d,"stance":"meh"}`, elsewhere.ID), 400, "stance"},
			{fmt.Sprintf(`{"contact_id":%d,"engagement_step":"married"}`, elsewhere.ID), 400, "engagement_step"},
			{fmt.Sprintf(`{"contact_id":%d,"deal_id":1}`, elsewhere.ID), 400, "deal_id"},
		}
		for _, tc := range bad {
			func() {
				defer inCase(t, "%s", tc.body)()
				r := c.do("POST", base, tc.body)
				if tc.status == 409 {
					if e := r.fail(409, "conflict"); e.Error.Fields[tc.field] == "" {
						t.Fatalf("duplicate: fields %v", e.Error.Fields)
					}
					return
				}
				r.failField(tc.field)
			}()
		}
		var list struct {
			Items      []crm.DealContact `json:"items"`
			NextCursor *string           `json:"next_cursor"`
		}
		c.do("GET", base, nil).ok(200, &list)
		if len(list.Items) != 2 || list.NextCursor == nil || list.Items[0].ContactID != boss.ID || list.Items[1].Stance != "opposes" {
			t.Fatalf("deal contacts %+v", list)
		}

		one := fmt.Sprintf("%s/%d", base, cfo.ID)
		var up crm.DealContact
		c.do("PATCH", one, map[string]any{"version": 1, "stance": "supports"}).ok(200, &up)
		if up.Stance != "supports" || up.EngagementStep != "concerns_known" || up.BuyingRole != "contact" || up.Version != 2 {
			t.Fatalf("patched %+v", up)
		}
		c.do("PATCH", one, map[string]any{"version": 1, "stance": "opposes"}).fail(409, "conflict")
		c.do("PATCH", one, map[string]any{"version": 2, "stance": "meh"}).failField("stance")
		c.do("PATCH", one, map[string]any{"version": 2, "buying_role": nil}).failField("buying_role")
		c.do("PATCH", one, map[string]any{"version": 2, "contact_id": boss.ID}).failField("contact_id")
		c.do("PATCH", fmt.Sprintf("%s/%d", base, elsewhere.ID), map[string]any{"version": 1, "stance": "supports"}).fail(404, "not_found")
		c.do("GET", base, nil).ok(200, &list)
		if list.Items[1].Stance != "supports" || list.Items[1].Version != 2 {
			t.Fatalf("refused patches changed %+v", list.Items[1])
		}

		c.do("DELETE", one, nil).ok(204, nil)
		c.do("DELETE", one, nil).fail(404, "not_found")
		c.do("PATCH", one, map[string]any{"version": 2, "stance": "supports"}).fail(404, "not_found")
		c.do("GET", base, nil).ok(200, &list)
		if len(list.Items) != 1 || list.Items[0].ContactID != boss.ID {
			t.Fatalf("after removal %+v", list)
		}
		// Removed, the contact may come back.
		c.do("POST", base, map[string]any{"contact_id": cfo.ID}).ok(201, &up)
		if up.Version != 1 || up.Stance != "neutral" {
			t.Fatalf("re-added %+v", up)
		}
		c.do("GET", "/api/v1/deals/99999/contacts", nil).fail(404, "not_found")
		c.do("POST", "/api/v1/deals/99999/contacts", map[string]any{"contact_id": boss.ID}).fail(404, "not_found")
	})
}

// TestDeleteRules: a record that live records still refer to cannot be
// deleted; once they are gone it can.
func TestDeleteRules(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		e.user("rep", crm.RoleRep, nil)
		c := e.login("rep")
		acc := mkAccount(c, "有牵挂的客户")
		ct := mkContact(c, acc.ID, "张三")
		d := mkDeal(c, acc.ID, "ERP")
		c.do("POST", fmt.Sprintf("/api/v1/deals/%d/contacts", d.ID), map[string]any{"contact_id": ct.ID}).ok(201, nil)

		c.do("DELETE", fmt.Sprintf("/api/v1/accounts/%d?version=1", acc.ID), nil).fail(409, "conflict")
		c.do("DELETE", fmt.Sprintf("/api/v1/contacts/%d?version=1", ct.ID), nil).fail(409, "conflict")
		c.do("GET", fmt.Sprintf("/api/v1/accounts/%d", acc.ID), nil).ok(200, nil)
		c.do("GET", fmt.Sprintf("/api/v1/contacts/%d", ct.ID), nil).ok(200, nil)

		// A deal that is lost still holds its contacts: it is alive.
		c.do("POST", fmt.Sprintf("/api/v1/deals/%d/stage", d.ID), map[string]any{"stage": "lost", "reason": "价格"}).ok(200, nil)
		c.do("DELETE", fmt.Sprintf("/api/v1/contacts/%d?version=1", ct.ID), nil).fail(409, "conflict")

		// Out of the deal, the contact may go; the account still has the deal.
		c.do("DELETE", fmt.Sprintf("/api/v1/deals/%d/contacts/%d", d.ID, ct.ID), nil).ok(204, nil)
		c.do("DELETE", fmt.Sprintf("/api/v1/contacts/%d?version=1", ct.ID), nil).ok(204, nil)
		c.do("DELETE", fmt.Sprintf("/api/v1/accounts/%d?version=1", acc.ID), nil).fail(409, "conflict")
		c.do("DELETE", fmt.Sprintf("/api/v1/deals/%d?version=2", d.ID), nil).ok(204, nil)
		c.do("DELETE", fmt.Sprintf("/api/v1/accounts/%d?version=1", acc.ID), nil).ok(204, nil)

		// A deleted deal does not hold a contact either.
		acc2 := mkAccount(c, "第二家")
		ct2 := mkContact(c, acc2.ID, "李四")
		d2 := mkDeal(c, acc2.ID, "CRM")
		c.do("POST", fmt.Sprintf("/api/v1/deals/%d/contacts", d2.ID), map[string]any{"contact_id": ct2.ID}).ok(201, nil)
		c.do("DELETE", fmt.Sprintf("/api/v1/deals/%d?version=1", d2.ID), nil).ok(204, nil)
		c.do("DELETE", fmt.Sprintf("/api/v1/contacts/%d?version=1", ct2.ID), nil).ok(204, nil)
		c.do("DELETE", fmt.Sprintf("/api/v1/accounts/%d?version=1", acc2.ID), nil).ok(204, nil)

		// Nothing new can hang on a deleted account.
		c.do("POST", "/api/v1/contacts", map[string]any{"account_id": acc2.ID, "name": "x"}).failField("account_id")
		c.do("POST", "/api/v1/deals", map[string]any{"account_id": acc2.ID, "title": "x"}).failField("account_id")
		c.do("POST", "/api/v1/activities", map[string]any{"account_id": acc2.ID, "type": "call", "subject": "x"}).failField("account_id")
		c.do("POST", "/api/v1/activities", map[string]any{"deal_id": d2.ID, "type": "call", "subject": "x"}).failField("deal_id")
		c.do("POST", "/api/v1/activities", map[string]any{"contact_id": ct2.ID, "type": "call", "subject": "x"}).failField("contact_id")
	})
}
