package web_test

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/dealpath/dealpath/internal/crm"
	"github.com/dealpath/dealpath/internal/playbook"
)

// conditionItem is one item of the conditions answer.
type conditionItem struct {
	Key       string  `json:"key"`
	Label     string  `json:"label"`
	Version   int64   `json:"version"`
	Met       bool    `json:"met"`
	Evidence  string  `json:"evidence"`
	UpdatedBy *int64  `json:"updated_by"`
	UpdatedAt *string `json:"updated_at"`
}

func dealConditions(c *client, dealID int64) map[string]conditionItem {
	c.e.t.Helper()
	var p struct {
		Items []conditionItem `json:"items"`
	}
	c.do("GET", fmt.Sprintf("/api/v1/deals/%d/conditions", dealID), nil).ok(200, &p)
	out := map[string]conditionItem{}
	for _, it := range p.Items {
		out[it.Key] = it
	}
	return out
}

func TestPurchaseConditions(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		me := e.user("rep", crm.RoleRep, nil)
		c := e.login("rep")
		acc := mkAccount(c, "绍兴柯桥印染有限公司")
		d := mkDeal(c, acc.ID, "ERP")
		path := fmt.Sprintf("/api/v1/deals/%d/conditions", d.ID)
		pb := playbook.Default()

		// Every condition of the playbook, in its order, labelled in the
		// reader's language, unset.
		var p struct {
			Items      []conditionItem `json:"items"`
			NextCursor string          `json:"next_cursor"`
		}
		c.do("GET", path, nil).ok(200, &p)
		if len(p.Items) != len(pb.Conditions) || len(p.Items) != 6 {
			t.Fatalf("items %+v", p.Items)
		}
		for i, it := range p.Items {
			want := pb.Conditions[i]
			if it.Key != want.Key || it.Label != want.Text.ZH || it.Version != 0 || it.Met || it.Evidence != "" || it.UpdatedBy != nil || it.UpdatedAt != nil {
				t.Fatalf("item %d = %+v, want key %s", i, it, want.Key)
			}
		}
		en := e.login("rep")
		en.lang = "en"
		en.do("GET", path, nil).ok(200, &p)
		if p.Items[0].Label != pb.Conditions[0].Text.EN || p.Items[0].Label == pb.Conditions[0].Text.ZH {
			t.Fatalf("English label %q", p.Items[0].Label)
		}

		// Set two; the answer is the full list; each change is audited.
		put := func(cl *client, body any) *resp { return cl.do("PUT", path, body) }
		put(c, map[string]any{"conditions": []map[string]any{
			{"key": "solution_fits", "version": 0, "met": true, "evidence": " 11 月 20 日演示，总经理当场认可 "},
			{"key": "no_competitors", "version": 0, "met": false, "evidence": "金蝶还在谈"},
		}}).ok(200, &p)
		if len(p.Items) != 6 || p.Items[0].Key != "solution_fits" || !p.Items[0].Met || p.Items[0].Version != 1 ||
			p.Items[0].Evidence != "11 月 20 日演示，总经理当场认可" || p.Items[0].UpdatedBy == nil || *p.Items[0].UpdatedBy != me.ID ||
			p.Items[0].UpdatedAt == nil || p.Items[1].Version != 1 || p.Items[1].Met || p.Items[2].Version != 0 {
			t.Fatalf("after put %+v", p.Items)
		}
		hist := dealAudit(c, d.ID)
		if len(hist) != 2 || hist[0].Action != "condition" || hist[0].ActorID != me.ID ||
			hist[0].Before != `{"key":"solution_fits","met":false,"evidence":""}` ||
			hist[0].After != `{"key":"solution_fits","met":true,"evidence":"11 月 20 日演示，总经理当场认可"}` {
			t.Fatalf("audit %+v", hist)
		}

		// Sending a condition unchanged writes nothing and keeps its version.
		put(c, map[string]any{"conditions": []map[string]any{
			{"key": "solution_fits", "version": 1, "met": true, "evidence": "11 月 20 日演示，总经理当场认可"},
			{"key": "commercial_clear", "version": 0, "met": false},
		}}).ok(200, &p)
		if got := dealConditions(c, d.ID); got["solution_fits"].Version != 1 || got["commercial_clear"].Version != 0 || len(dealAudit(c, d.ID)) != 2 {
			t.Fatalf("unchanged put wrote: %+v", got)
		}

		before := c.do("GET", path, nil).ok(200, nil).Body
		// One stale version anywhere: 409, and nothing of the batch is written.
		for _, batch := range [][]map[string]any{
			{{"key": "timeline_confirmed", "version": 0, "met": true, "evidence": "客户邮件确认"}, {"key": "no_competitors", "version": 0, "met": true, "evidence": "x"}},
			{{"key": "no_competitors", "version": 2, "met": true, "evidence": "金蝶退出"}},
			{{"key": "commercial_clear", "version": 1, "met": false, "evidence": "价格差 5%"}},
		} {
			put(c, map[string]any{"conditions": batch}).fail(409, "conflict")
		}
		// Invalid input: 400 on the condition's field, nothing written.
		long := strings.Repeat("证", crm.MaxText+1)
		cases := []struct{ body, field string }{
			{`{"conditions":[{"key":"no_such","version":0}]}`, "conditions.no_such"},
			{`{"conditions":[{"key":"","version":0}]}`, "conditions."},
			{`{"conditions":[{"key":"Solution_Fits","version":0}]}`, "conditions.Solution_Fits"},
			{`{"conditions":[{"key":"timeline_confirmed","version":0,"met":true}]}`, "conditions.timeline_confirmed.evidence"},
			{`{"conditions":[{"key":"timeline_confirmed","version":0,"met":true,"evidence":"  "}]}`, "conditions.timeline_confirmed.evidence"},
			{`{"conditions":[{"key":"timeline_confirmed","version":0,"evidence":"` + long + `"}]}`, "conditions.timeline_confirmed.evidence"},
			{`{"conditions":[{"key":"timeline_confirmed","version":0,"met":true,"evidence":"a\u0000"}]}`, "conditions.timeline_confirmed.evidence"},
			{`{"conditions":[{"key":"timeline_confirmed","version":-1}]}`, "conditions.timeline_confirmed.version"},
			{`{"conditions":[{"key":"timeline_confirmed","version":0,"met":true,"evidence":"x"},{"key":"timeline_confirmed","version":0}]}`, "conditions.timeline_confirmed"},
			{`{"conditions":[{"key":"timeline_confirmed","version":0,"met":"yes"}]}`, "conditions.met"},
			{`{"conditions":[{"key":"timeline_confirmed","version":"0"}]}`, "conditions.version"},
			{`{"conditions":[{"key":"timeline_confirmed","version":0,"label":"x"}]}`, "label"},
			{`{"conditions":{"key":"timeline_confirmed"}}`, "conditions"},
			{`{"conditions":[]}`, "conditions"},
			{`{"conditions":null}`, "conditions"},
			{`{}`, "conditions"},
			{`null`, "conditions"},
			{`{"solution_fits":true}`, "solution_fits"},
		}
		for _, tc := range cases {
			func() {
				defer inCase(t, "PUT %.80s", tc.body)()
				put(c, tc.body).failField(tc.field)
			}()
		}
		for _, body := range []string{``, `{`, `[]`, `"x"`, `{"conditions":[]}{}`} {
			put(c, body).fail(400, "invalid")
		}
		if after := c.do("GET", path, nil).ok(200, nil).Body; !bytes.Equal(after, before) {
			t.Fatalf("refused puts changed conditions:\nbefore %s\nafter  %s", before, after)
		}
		if n := len(dealAudit(c, d.ID)); n != 2 {
			t.Fatalf("refused puts audited: %d rows", n)
		}

		// Un-meeting a condition is a change like any other.
		put(c, map[string]any{"conditions": []map[string]any{{"key": "solution_fits", "version": 1, "met": false, "evidence": "客户又提出新需求"}}}).ok(200, &p)
		if p.Items[0].Met || p.Items[0].Version != 2 {
			t.Fatalf("unmet %+v", p.Items[0])
		}
		hist = dealAudit(c, d.ID)
		if len(hist) != 3 || !strings.Contains(hist[2].Before, `"met":true`) || !strings.Contains(hist[2].After, `"met":false`) {
			t.Fatalf("audit %+v", hist)
		}
	})
}
