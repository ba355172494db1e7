package web_test

import (
	"encoding/json"
	"fmt"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/dealpath/dealpath/internal/crm"
	"github.com/dealpath/dealpath/internal/playbook"
)

type unmetAnswer struct {
	Stage   string   `json:"stage"`
	Key     string   `json:"key"`
	Label   string   `json:"label"`
	Hint    string   `json:"hint"`
	Missing []string `json:"missing"`
}

// unmetKeys asserts a gate_unmet answer and returns "stage/key[missing]"
// for each criterion listed, after checking that each tells the user what
// is missing and what to do.
func unmetKeys(t *testing.T, r *resp) []string {
	t.Helper()
	var body struct {
		Error struct {
			Code  string        `json:"code"`
			Unmet []unmetAnswer `json:"unmet"`
		} `json:"error"`
	}
	r.ok(422, &body)
	if body.Error.Code != "gate_unmet" {
		t.Fatalf("code %q", body.Error.Code)
	}
	var out []string
	for _, u := range body.Error.Unmet {
		if u.Label == "" || u.Hint == "" {
			t.Errorf("unmet %+v lacks label or hint", u)
		}
		k := u.Stage + "/" + u.Key
		if len(u.Missing) > 0 {
			k += "[" + strings.Join(u.Missing, ",") + "]"
		}
		out = append(out, k)
	}
	return out
}

// TestWalkDealThroughGates is the playbook's acceptance path: one deal
// from prospecting to implementation on the default playbook, each gate
// first refusing with exactly the criteria it lacks, then holding once the
// rep has recorded what the playbook asks for through the API.
func TestWalkDealThroughGates(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		team := e.team("华东")
		rep := e.user("rep", crm.RoleRep, &team.ID)
		boss := e.user("boss", crm.RoleManager, &team.ID)
		e.user("root", crm.RoleAdmin, nil)
		root := e.login("root")
		setAuthority(root, rep.ID, 1000, 30, 50_000_000)
		setAuthority(root, boss.ID, 2000, 90, 500_000_000)
		fin := mkProduct(root, "FIN-STD", "财务标准版", "software_module", "set", 3_800_000)
		users := mkProduct(root, "LIC-USER", "用户许可", "license_per_user", "user", 120_000)
		c := e.login("rep")
		acc := mkAccount(c, "宁波顺达商贸有限公司")
		var gm, cio crm.Contact
		c.do("POST", "/api/v1/contacts", map[string]any{"account_id": acc.ID, "name": "王总", "functional_role": "general_manager"}).ok(201, &gm)
		c.do("POST", "/api/v1/contacts", map[string]any{"account_id": acc.ID, "name": "李工", "functional_role": "cio"}).ok(201, &cio)
		d := mkDeal(c, acc.ID, "进销存系统")
		if d.Probability != 10 {
			t.Errorf("new deal's probability = %d, want the playbook's 10", d.Probability)
		}
		path := func(suffix string) string { return fmt.Sprintf("/api/v1/deals/%d%s", d.ID, suffix) }
		move := func(stage string) *resp { return c.do("POST", path("/stage"), map[string]any{"stage": stage}) }
		moved := func(stage string) {
			t.Helper()
			var got crm.Deal
			move(stage).ok(200, &got)
			if got.Stage != stage {
				t.Fatalf("stage %s after move to %s", got.Stage, stage)
			}
		}
		want := func(stage string, keys ...string) {
			t.Helper()
			if got := unmetKeys(t, move(stage)); !reflect.DeepEqual(got, keys) {
				t.Fatalf("move to %s: unmet %v, want %v", stage, got, keys)
			}
		}

		// 1 → 2: a meeting with a key person, held or scheduled.
		want("compelling_event", "prospecting/meeting_with_key_person")
		mkActivity(c, map[string]any{"deal_id": d.ID, "contact_id": gm.ID, "type": "visit", "subject": "拜访王总",
			"due_at": e.clock.Now().Add(72 * time.Hour).Format(time.RFC3339)})
		moved("compelling_event")

		// 2 → 3: a compelling event with its impact.
		want("qualification", "compelling_event/compelling_event")
		c.do("POST", path("/events"), map[string]any{"code": "CE3", "impact": "旧系统每月停机两次，月底对账要加班三天"}).ok(201, nil)
		moved("qualification")

		// 3 → 4: decision maker and sponsor, requirements and problems, budget.
		want("demo", "qualification/decision_maker_and_sponsor[decision_maker,sponsor]",
			"qualification/requirements_and_problems[requirements,key_problems]",
			"qualification/budget_known[amount,approval_process]")
		c.do("POST", path("/contacts"), map[string]any{"contact_id": gm.ID, "buying_role": "decision_maker", "stance": "supports"}).ok(201, nil)
		want("demo", "qualification/decision_maker_and_sponsor[sponsor]",
			"qualification/requirements_and_problems[requirements,key_problems]",
			"qualification/budget_known[amount,approval_process]")
		c.do("POST", path("/contacts"), map[string]any{"contact_id": cio.ID, "buying_role": "sponsor"}).ok(201, nil)
		c.do("PUT", path("/qualification"), map[string]any{"version": 0,
			"answers": map[string]string{"requirements": "财务、进销存一体化，20 个用户", "key_problems": "库存账实不符"},
			"budget":  map[string]any{"amount": 15_000_000, "approval_process": "总经理审批"}}).ok(200, nil)
		moved("demo")

		// 4 → 5: a demo with its ROI sum and an agreed next step.
		want("negotiation", "demo/demo_recorded")
		c.do("POST", path("/demos"), map[string]any{"held_on": "2026-11-05", "next_step": "下周报价",
			"attendees": []map[string]any{{"contact_id": gm.ID, "role": "决策者"}},
			"roi":       map[string]any{"lines": []map[string]any{{"kind": "saving", "category": "库存", "amount": 20_000_000}, {"kind": "one_off_cost", "category": "软件", "amount": 15_000_000}}}}).ok(201, nil)
		moved("negotiation")

		// 5 → 6: an approved quote from the price list, the expected close
		// date and the competitors. 15 % off the licences is beyond the
		// rep's 10 %: the quote waits for the manager, and so does the gate.
		want("commit", "negotiation/quote_approved", "negotiation/expected_close_date[expected_close_date]", "negotiation/competitors_recorded")
		var q crm.Quote
		c.do("POST", "/api/v1/quotes", map[string]any{"deal_id": d.ID, "payment_days": 30, "lines": []map[string]any{
			{"product_id": fin.ID, "quantity": 1}, {"product_id": users.ID, "quantity": 20, "discount_bp": 1500}}}).ok(201, &q)
		c.do("POST", fmt.Sprintf("/api/v1/quotes/%d/submit", q.ID), map[string]any{"version": q.Version}).ok(200, &q)
		if q.State != crm.QuotePending || q.ApprovalID == nil {
			t.Fatalf("submitted beyond authority: %+v", q)
		}
		want("commit", "negotiation/quote_approved", "negotiation/expected_close_date[expected_close_date]", "negotiation/competitors_recorded")
		var inbox crm.Page[crm.Approval]
		mgr := e.login("boss")
		mgr.do("GET", "/api/v1/approvals?status=pending", nil).ok(200, &inbox)
		if len(inbox.Items) != 1 || inbox.Items[0].SubjectID != q.ID {
			t.Fatalf("manager's inbox: %+v", inbox)
		}
		mgr.do("POST", fmt.Sprintf("/api/v1/approvals/%d/approve", *q.ApprovalID), map[string]any{"version": inbox.Items[0].Version, "comment": "同意，老客户"}).ok(200, nil)
		want("commit", "negotiation/expected_close_date[expected_close_date]", "negotiation/competitors_recorded")
		var cur crm.Deal
		c.do("GET", path(""), nil).ok(200, &cur)
		c.do("PATCH", path(""), map[string]any{"version": cur.Version, "expected_close_date": "2026-12-20"}).ok(200, nil)
		c.do("POST", path("/competitors"), map[string]any{"name": "某友软件"}).ok(201, nil)
		moved("commit")

		// 6 → 7: all six purchase conditions, each with its evidence, and
		// a signed contract.
		r := move("implementation")
		got := unmetKeys(t, r)
		if len(got) != 2 || !strings.HasPrefix(got[0], "commit/conditions_all_met[") || strings.Count(got[0], ",") != 5 || got[1] != "commit/contract_signed" {
			t.Fatalf("commit gate: %v", got)
		}
		var conds []map[string]any
		for _, k := range []string{"solution_fits", "no_competitors", "commercial_clear", "timeline_confirmed", "stakeholders_support", "implementation_plan_confirmed"} {
			conds = append(conds, map[string]any{"key": k, "version": 0, "met": true, "evidence": "客户 11 月 20 日会议确认"})
		}
		c.do("PUT", path("/conditions"), map[string]any{"conditions": conds}).ok(200, nil)
		want("implementation", "commit/contract_signed")
		// The contract is signed once a manager has approved it, and the
		// signing moves the deal through the gate.
		c.do("GET", fmt.Sprintf("/api/v1/quotes/%d", q.ID), nil).ok(200, &q)
		c.do("POST", fmt.Sprintf("/api/v1/quotes/%d/send", q.ID), map[string]any{"version": q.Version}).ok(200, &q)
		c.do("POST", fmt.Sprintf("/api/v1/quotes/%d/accept", q.ID), map[string]any{"version": q.Version}).ok(200, &q)
		var ct crm.Contract
		c.do("POST", "/api/v1/contracts", map[string]any{"quote_id": q.ID, "payment_method": "bank_transfer", "payment_days": 30}).ok(201, &ct)
		c.do("POST", fmt.Sprintf("/api/v1/contracts/%d/submit", ct.ID), map[string]any{"version": ct.Version}).ok(200, &ct)
		var ap crm.Approval
		mgr.do("GET", fmt.Sprintf("/api/v1/approvals/%d", *ct.ApprovalID), nil).ok(200, &ap)
		mgr.do("POST", fmt.Sprintf("/api/v1/approvals/%d/approve", ap.ID), map[string]any{"version": ap.Version, "comment": "同意签约"}).ok(200, nil)
		c.do("GET", fmt.Sprintf("/api/v1/contracts/%d", ct.ID), nil).ok(200, &ct)
		c.do("POST", fmt.Sprintf("/api/v1/contracts/%d/sign", ct.ID), map[string]any{"version": ct.Version}).ok(200, &ct)
		c.do("GET", path(""), nil).ok(200, &cur)
		if cur.Stage != "implementation" || ct.State != crm.ContractSigned {
			t.Fatalf("after signing: deal %s, contract %s", cur.Stage, ct.State)
		}

		// The history holds every move, each with the stage it left.
		var hist struct {
			Items []crm.AuditEntry `json:"items"`
		}
		c.do("GET", path("/history"), nil).ok(200, &hist)
		var stages []string
		for _, h := range hist.Items {
			if h.Action == "stage" {
				var after map[string]any
				if err := json.Unmarshal([]byte(h.After), &after); err != nil {
					t.Fatal(err)
				}
				stages = append(stages, after["stage"].(string))
			}
		}
		if strings.Join(stages, ",") != "compelling_event,qualification,demo,negotiation,commit,implementation" {
			t.Fatalf("history stages %v", stages)
		}
		c.do("GET", path(""), nil).ok(200, &cur)
		if cur.Probability != 90 && cur.Probability < 80 {
			t.Errorf("probability at implementation = %d", cur.Probability)
		}
	})
}

// A jump over several stages lists the unmet criteria of every gate it
// crosses; backward moves need a reason; only managers and admins override.
func TestStageJumpsBackwardMovesAndOverride(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		team := e.team("华东")
		e.user("rep", crm.RoleRep, &team.ID)
		e.user("boss", crm.RoleManager, &team.ID)
		rep, boss := e.login("rep"), e.login("boss")
		acc := mkAccount(rep, "杭州西湖食品")
		d := mkDeal(rep, acc.ID, "财务软件")
		path := fmt.Sprintf("/api/v1/deals/%d/stage", d.ID)

		got := unmetKeys(t, rep.do("POST", path, map[string]any{"stage": "demo"}))
		if strings.Join(got, " ") != "prospecting/meeting_with_key_person compelling_event/compelling_event "+
			"qualification/decision_maker_and_sponsor[decision_maker,sponsor] qualification/requirements_and_problems[requirements,key_problems] "+
			"qualification/budget_known[amount,approval_process]" {
			t.Fatalf("jump: %v", got)
		}
		rep.do("POST", path, map[string]any{"stage": "demo", "override": true, "reason": "老客户转介绍"}).fail(403, "forbidden")
		boss.do("POST", path, map[string]any{"stage": "demo", "override": true}).failField("reason")
		var moved crm.Deal
		boss.do("POST", path, map[string]any{"stage": "demo", "override": true, "reason": "老客户转介绍，总经理已拍板"}).ok(200, &moved)
		if moved.Stage != "demo" || moved.Probability != 40 && moved.Probability == 10 {
			t.Fatalf("override: %+v", moved)
		}
		var hist struct {
			Items []crm.AuditEntry `json:"items"`
		}
		rep.do("GET", fmt.Sprintf("/api/v1/deals/%d/history", d.ID), nil).ok(200, &hist)
		last := hist.Items[len(hist.Items)-1]
		if last.Action != "override" || last.Reason != "老客户转介绍，总经理已拍板" || !strings.Contains(last.After, "meeting_with_key_person") {
			t.Fatalf("override audit: %+v", last)
		}

		// Backward needs a reason; with one it is allowed without gates.
		rep.do("POST", path, map[string]any{"stage": "qualification"}).failField("reason")
		rep.do("POST", path, map[string]any{"stage": "qualification", "reason": "决策人换了"}).ok(200, &moved)
		// Lost from anywhere, with a reason.
		rep.do("POST", path, map[string]any{"stage": "lost", "reason": "选择了竞争对手"}).ok(200, &moved)
		if moved.LostReason != "选择了竞争对手" {
			t.Fatalf("lost: %+v", moved)
		}
		// Hostile input changes nothing.
		for _, body := range []string{`{"stage":"demo","override":"yes"}`, `{"stage":["demo"]}`, `{"stage":"demo","force":true}`, `[]`, `{`} {
			rep.do("POST", path, body).fail(400, "invalid")
		}
		var after crm.Deal
		rep.do("GET", fmt.Sprintf("/api/v1/deals/%d", d.ID), nil).ok(200, &after)
		if after.Stage != "lost" || after.Version != moved.Version {
			t.Fatalf("hostile input changed the deal: %+v", after)
		}
	})
}

func TestGuidanceHealthAndKeyPersons(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		e.user("rep", crm.RoleRep, nil)
		e.user("other", crm.RoleRep, nil)
		c := e.login("rep")
		acc := mkAccount(c, "深圳华强电子")
		var gm crm.Contact
		c.do("POST", "/api/v1/contacts", map[string]any{"account_id": acc.ID, "name": "张总", "functional_role": "general_manager"}).ok(201, &gm)
		d := mkDeal(c, acc.ID, "CRM")
		c.do("POST", fmt.Sprintf("/api/v1/deals/%d/contacts", d.ID), map[string]any{"contact_id": gm.ID, "buying_role": "decision_maker", "stance": "supports", "engagement_step": "concerns_known"}).ok(201, nil)

		var g struct {
			Stage       string        `json:"stage"`
			Guidance    string        `json:"guidance"`
			NextStage   string        `json:"next_stage"`
			Unmet       []unmetAnswer `json:"unmet"`
			NextActions []struct {
				Kind string `json:"kind"`
				Key  string `json:"key"`
				Text string `json:"text"`
			} `json:"next_actions"`
			DaysInStage   int      `json:"days_in_stage"`
			Stalled       bool     `json:"stalled"`
			KeyPersonGaps []string `json:"key_person_gaps"`
		}
		e.clock.Add(40 * 24 * time.Hour)
		c, other := e.login("rep"), e.login("other") // the old token expired meanwhile
		c.do("GET", fmt.Sprintf("/api/v1/deals/%d/guidance", d.ID), nil).ok(200, &g)
		if g.Stage != "prospecting" || g.Guidance == "" || g.NextStage != "compelling_event" || len(g.Unmet) != 1 ||
			g.Unmet[0].Key != "meeting_with_key_person" || g.NextActions[0].Kind != "criterion" || g.DaysInStage != 40 || !g.Stalled {
			t.Fatalf("guidance %+v", g)
		}
		if strings.Join(g.KeyPersonGaps, ",") != "cio,sales_manager,chief_accountant,planning_manager" {
			t.Fatalf("key-person gaps %v", g.KeyPersonGaps)
		}

		var kp struct {
			Items []struct {
				Role     string `json:"role"`
				Filled   bool   `json:"filled"`
				Contacts []struct {
					ContactID      int64  `json:"contact_id"`
					BuyingRole     string `json:"buying_role"`
					EngagementStep string `json:"engagement_step"`
				} `json:"contacts"`
			} `json:"items"`
		}
		c.do("GET", fmt.Sprintf("/api/v1/deals/%d/key-persons", d.ID), nil).ok(200, &kp)
		if len(kp.Items) != 5 || !kp.Items[0].Filled || kp.Items[0].Contacts[0].ContactID != gm.ID ||
			kp.Items[0].Contacts[0].EngagementStep != "concerns_known" || kp.Items[1].Filled {
			t.Fatalf("key persons %+v", kp)
		}

		var h struct {
			Score int `json:"score"`
			Parts []struct {
				Key    string `json:"key"`
				Points int    `json:"points"`
				Max    int    `json:"max"`
				Reason string `json:"reason"`
			} `json:"parts"`
		}
		c.do("GET", fmt.Sprintf("/api/v1/deals/%d/health", d.ID), nil).ok(200, &h)
		sum := 0
		for _, p := range h.Parts {
			sum += p.Points
			if p.Reason == "" || p.Points > p.Max {
				t.Errorf("part %+v", p)
			}
		}
		if h.Score != sum || h.Score < 0 || h.Score > 100 || len(h.Parts) != 6 {
			t.Fatalf("health %+v", h)
		}
		// Recording what the gate asks raises the health.
		mkActivity(c, map[string]any{"deal_id": d.ID, "contact_id": gm.ID, "type": "meeting", "subject": "会面",
			"done_at": e.clock.Now().Add(-time.Hour).Format(time.RFC3339)})
		var h2 struct {
			Score int `json:"score"`
		}
		c.do("GET", fmt.Sprintf("/api/v1/deals/%d/health", d.ID), nil).ok(200, &h2)
		if h2.Score <= h.Score {
			t.Fatalf("health did not rise: %d → %d", h.Score, h2.Score)
		}

		for _, p := range []string{"guidance", "health", "key-persons"} {
			other.do("GET", fmt.Sprintf("/api/v1/deals/%d/%s", d.ID, p), nil).fail(404, "not_found")
			c.do("GET", "/api/v1/deals/abc/"+p, nil).fail(400, "invalid")
			c.do("GET", "/api/v1/deals/99999/"+p, nil).fail(404, "not_found")
		}
	})
}

// A company's own playbook changes the gates with no code change: the
// strict test playbook demands grade B or better before the first move.
func TestOtherPlaybookChangesGates(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		src, err := os.ReadFile("../playbook/testdata/strict.yaml")
		if err != nil {
			t.Fatal(err)
		}
		strict, err := playbook.Load(src)
		if err != nil {
			t.Fatal(err)
		}
		e.user("rep", crm.RoleRep, nil)
		c := e.login("rep")
		acc := mkAccount(c, "小作坊")
		d := mkDeal(c, acc.ID, "财务软件")
		path := fmt.Sprintf("/api/v1/deals/%d/stage", d.ID)
		if got := unmetKeys(t, c.do("POST", path, map[string]any{"stage": "compelling_event"})); strings.Join(got, ",") != "prospecting/meeting_with_key_person" {
			t.Fatalf("default playbook: %v", got)
		}
		e.svc.Playbook = strict
		if got := unmetKeys(t, c.do("POST", path, map[string]any{"stage": "compelling_event"})); strings.Join(got, ",") != "prospecting/grade_b_or_better,prospecting/meeting_with_key_person" {
			t.Fatalf("strict playbook: %v", got)
		}
	})
}
