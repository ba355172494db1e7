package web_test

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/dealpath/dealpath/internal/crm"
)

func TestQualification(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		me := e.user("rep", crm.RoleRep, nil)
		c := e.login("rep")
		acc := mkAccount(c, "温州瓯江电器有限公司")
		d := mkDeal(c, acc.ID, "ERP 一期")
		path := fmt.Sprintf("/api/v1/deals/%d/qualification", d.ID)
		read := func() crm.Qualification {
			t.Helper()
			var q crm.Qualification
			c.do("GET", path, nil).ok(200, &q)
			return q
		}

		// Before the first save: version 0, nothing answered, budget unknown.
		m := mapOf(t, c.do("GET", path, nil).ok(200, nil).Body)
		if m["version"] != float64(0) || fmt.Sprint(m["answers"]) != "map[]" || m["updated_by"] != nil || m["updated_at"] != nil {
			t.Fatalf("never qualified: %v", m)
		}
		if b := m["budget"].(map[string]any); b["amount"] != nil || b["flexibility"] != "" {
			t.Fatalf("budget %v", b)
		}

		// The first save: answers trimmed, blank ones dropped.
		var q crm.Qualification
		c.do("PUT", path, map[string]any{
			"version": 0,
			"answers": map[string]string{"requirements": " 进销存、财务、CRM ", "key_problems": "库存不准；应收账款失控", "markets_channels": "   "},
			"budget": map[string]any{"amount": 48_000_000, "flexibility": "negotiable", "basis": "按去年利润的 4%",
				"approval_process": "总经理审批，超过 50 万上董事会", "persuasion_plan": "分两期实施"},
		}).ok(200, &q)
		if q.Version != 1 || q.DealID != d.ID || len(q.Answers) != 2 || q.Answers["requirements"] != "进销存、财务、CRM" ||
			q.Budget.Amount == nil || *q.Budget.Amount != 48_000_000 || q.Budget.Flexibility != "negotiable" ||
			q.UpdatedBy == nil || *q.UpdatedBy != me.ID || q.UpdatedAt == nil || !q.UpdatedAt.Equal(e.clock.Now()) {
			t.Fatalf("saved %+v", q)
		}
		saved := c.do("GET", path, nil).ok(200, nil).Body
		if got := read(); got.Version != 1 || got.Answers["key_problems"] != "库存不准；应收账款失控" || got.Budget.PersuasionPlan != "分两期实施" {
			t.Fatalf("read back %+v", got)
		}

		// A stale version (a second "first" save, or a guess) changes nothing.
		for _, v := range []int{0, 2, 7} {
			c.do("PUT", path, map[string]any{"version": v, "answers": map[string]string{"requirements": "别的"}}).fail(409, "conflict")
		}
		// Invalid input changes nothing either; every field is checked.
		long := strings.Repeat("答", crm.MaxText+1)
		cases := []struct{ body, field string }{
			{`{"version":1,"answers":{"no_such_question":"x"}}`, "answers.no_such_question"},
			{`{"version":1,"answers":{"Requirements":"x"}}`, "answers.Requirements"},
			{`{"version":1,"answers":{"":"x"}}`, "answers."},
			{`{"version":1,"answers":{"requirements":"` + long + `"}}`, "answers.requirements"},
			{`{"version":1,"answers":{"requirements":"a\u0000"}}`, "answers.requirements"},
			{`{"version":1,"answers":{"requirements":5}}`, "answers"},
			{`{"version":1,"answers":["requirements"]}`, "answers"},
			{`{"version":1,"budget":{"amount":-1}}`, "budget.amount"},
			{fmt.Sprintf(`{"version":1,"budget":{"amount":%d}}`, crm.MaxMoney+1), "budget.amount"},
			{`{"version":1,"budget":{"amount":"100"}}`, "budget.amount"},
			{`{"version":1,"budget":{"amount":1.5}}`, "budget.amount"},
			{`{"version":1,"budget":{"flexibility":"maybe"}}`, "budget.flexibility"},
			{`{"version":1,"budget":{"flexibility":"Fixed"}}`, "budget.flexibility"},
			{`{"version":1,"budget":{"basis":"` + long + `"}}`, "budget.basis"},
			{`{"version":1,"budget":{"approval_process":"\u0000"}}`, "budget.approval_process"},
			{`{"version":1,"budget":{"persuasion_plan":"` + long + `"}}`, "budget.persuasion_plan"},
			{`{"version":1,"budget":{"persuasion_plan":false}}`, "budget.persuasion_plan"},
			{`{"version":1,"budget":{"currency":"USD"}}`, "currency"},
			{`{"version":1,"budget":[]}`, "budget"},
			{`{"version":-1}`, "version"},
			{`{"version":"1"}`, "version"},
			{`{"version":1,"deal_id":5}`, "deal_id"},
			{`{"version":1,"updated_by":5}`, "updated_by"},
			{`null`, "version"},
		}
		for _, tc := range cases {
			func() {
				defer inCase(t, "PUT %.80s", tc.body)()
				c.do("PUT", path, tc.body).failField(tc.field)
			}()
		}
		for _, body := range []string{``, `{`, `[]`, `"x"`, `{"version":1}{}`} {
			c.do("PUT", path, body).fail(400, "invalid")
		}
		if after := c.do("GET", path, nil).ok(200, nil).Body; !bytes.Equal(after, saved) {
			t.Fatalf("refused saves changed it:\nbefore %s\nafter  %s", saved, after)
		}

		// A save replaces everything: answers not sent are gone, the
		// budget amount is unknown again.
		e.clock.Add(3600e9)
		c.do("PUT", path, map[string]any{"version": 1, "answers": map[string]string{"sponsor_and_participants": "王总发起"}}).ok(200, &q)
		if got := read(); got.Version != 2 || len(got.Answers) != 1 || got.Answers["sponsor_and_participants"] != "王总发起" ||
			got.Budget.Amount != nil || got.Budget.Flexibility != "" || !got.UpdatedAt.Equal(e.clock.Now()) {
			t.Fatalf("replaced %+v", got)
		}
		c.do("PUT", path, map[string]any{"version": 2, "answers": nil}).ok(200, &q)
		if m := mapOf(t, c.do("GET", path, nil).ok(200, nil).Body); m["version"] != float64(3) || fmt.Sprint(m["answers"]) != "map[]" {
			t.Fatalf("null answers: %v", m)
		}

		// Each deal has its own questionnaire; a deleted deal has none.
		d2 := mkDeal(c, acc.ID, "二期")
		if got := mapOf(t, c.do("GET", fmt.Sprintf("/api/v1/deals/%d/qualification", d2.ID), nil).ok(200, nil).Body); got["version"] != float64(0) {
			t.Fatalf("other deal %v", got)
		}
		c.do("DELETE", fmt.Sprintf("/api/v1/deals/%d?version=1", d2.ID), nil).ok(204, nil)
		c.do("GET", fmt.Sprintf("/api/v1/deals/%d/qualification", d2.ID), nil).fail(404, "not_found")
		c.do("PUT", fmt.Sprintf("/api/v1/deals/%d/qualification", d2.ID), map[string]any{"version": 0}).fail(404, "not_found")
	})
}
