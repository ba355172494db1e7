package web_test

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dealpath/dealpath/internal/crm"
)

// conditionKeys are the six purchase conditions of the default playbook.
var conditionKeys = []string{"solution_fits", "no_competitors", "commercial_clear", "timeline_confirmed", "stakeholders_support", "implementation_plan_confirmed"}

// deskSetup is a team (rep, another rep, a manager with authority), a
// deal of the rep in negotiation, and an accepted quote on it beyond the
// rep's discount limit, approved by the manager.
type deskSetup struct {
	rep, rep2, mgr *crm.User
	rc, rc2, mc    *client
	acc            crm.Account
	deal           crm.Deal
	quote          *crm.Quote
}

// newDesk builds a deskSetup through the API: the admin sets authority and
// the price book, the rep quotes beyond their discount limit, the manager
// approves, the quote is sent and accepted.
func newDesk(t *testing.T, e *env) *deskSetup {
	t.Helper()
	tm := e.team("华东")
	s := &deskSetup{rep: e.user("rep", crm.RoleRep, &tm.ID), rep2: e.user("rep2", crm.RoleRep, &tm.ID), mgr: e.user("mgr", crm.RoleManager, &tm.ID)}
	e.user("boss", crm.RoleAdmin, nil)
	root := e.login("boss")
	mgr := setAuthority(root, s.mgr.ID, 2000, 60, 1_000_000_000_00)
	s.mgr = &mgr
	s.rc, s.rc2, s.mc = e.login("rep"), e.login("rep2"), e.login("mgr")
	s.acc = mkAccount(s.rc, "宁波顺达商贸有限公司")
	s.deal = mkDeal(s.rc, s.acc.ID, "进销存系统")
	// The earlier gates are not this test's concern: the manager moves the
	// deal to negotiation past them.
	s.mc.do("POST", fmt.Sprintf("/api/v1/deals/%d/stage", s.deal.ID),
		map[string]any{"stage": "negotiation", "override": true, "reason": "老客户转介绍，前期已确认"}).ok(200, &s.deal)

	p := mkProduct(root, "INV-01", "进销存模块", "software_module", "set", 3_333_333)
	// 3 × ¥33,333.33 at 15 % off: ¥84,999.99 (8,499,999.15 fen, rounded).
	var q crm.Quote
	s.rc.do("POST", "/api/v1/quotes", map[string]any{"deal_id": s.deal.ID, "lines": []map[string]any{
		{"product_id": p.ID, "quantity": 3, "discount_bp": 1500}}}).ok(201, &q)
	s.rc.do("POST", fmt.Sprintf("/api/v1/quotes/%d/submit", q.ID), map[string]any{"version": q.Version}).ok(200, &q)
	if q.State != crm.QuotePending || q.ApprovalID == nil {
		t.Fatalf("submit beyond the rep's discount: %+v", q)
	}
	s.approve(*q.ApprovalID)
	s.rc.do("GET", fmt.Sprintf("/api/v1/quotes/%d", q.ID), nil).ok(200, &q)
	s.rc.do("POST", fmt.Sprintf("/api/v1/quotes/%d/send", q.ID), map[string]any{"version": q.Version}).ok(200, &q)
	s.rc.do("POST", fmt.Sprintf("/api/v1/quotes/%d/accept", q.ID), map[string]any{"version": q.Version}).ok(200, &q)
	if q.State != crm.QuoteAccepted || q.Total != 8_499_999 {
		t.Fatalf("quote %s total %d", q.State, q.Total)
	}
	s.quote = &q
	return s
}

// approve approves a request as the manager, through the approvals API.
func (s *deskSetup) approve(id int64) {
	var ap crm.Approval
	s.mc.do("GET", fmt.Sprintf("/api/v1/approvals/%d", id), nil).ok(200, &ap)
	s.mc.do("POST", fmt.Sprintf("/api/v1/approvals/%d/approve", id), map[string]any{"version": ap.Version, "comment": "同意"}).ok(200, nil)
}

// setConditions sets the purchase conditions named met (the others unmet).
func (s *deskSetup) setConditions(met ...string) {
	var cur struct {
		Items []struct {
			Key     string `json:"key"`
			Version int64  `json:"version"`
		} `json:"items"`
	}
	path := fmt.Sprintf("/api/v1/deals/%d/conditions", s.deal.ID)
	s.rc.do("GET", path, nil).ok(200, &cur)
	var in []map[string]any
	for _, c := range cur.Items {
		ok := slices.Contains(met, c.Key)
		in = append(in, map[string]any{"key": c.Key, "version": c.Version, "met": ok, "evidence": map[bool]string{true: "客户书面确认", false: ""}[ok]})
	}
	s.rc.do("PUT", path, map[string]any{"conditions": in}).ok(200, nil)
}

func (s *deskSetup) getContract(c *client, id int64) crm.Contract {
	var out crm.Contract
	c.do("GET", fmt.Sprintf("/api/v1/contracts/%d", id), nil).ok(200, &out)
	return out
}

func (s *deskSetup) getDeal() crm.Deal {
	var d crm.Deal
	s.rc.do("GET", fmt.Sprintf("/api/v1/deals/%d", s.deal.ID), nil).ok(200, &d)
	return d
}

type projectAnswer struct {
	crm.Project
	Steps []struct {
		crm.ProjectStep
		Text string `json:"text"`
	} `json:"steps"`
}

func (s *deskSetup) projects() []projectAnswer {
	var out struct {
		Items []projectAnswer `json:"items"`
	}
	s.rc.do("GET", fmt.Sprintf("/api/v1/projects?deal_id=%d", s.deal.ID), nil).ok(200, &out)
	return out.Items
}

// TestContractToClosedDeal is the deal desk's acceptance path from an
// accepted quote: contract with three milestones → approval → signing
// refused while a purchase condition is unmet → signed, deal in
// implementation, project open → payments, go-live, an overdue milestone
// on the injected clock → final payment: deal closed, contract completed,
// project closed.
func TestContractToClosedDeal(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		s := newDesk(t, e)
		rc, mc := s.rc, s.mc
		// The account's credit limit is below the contract: its approval
		// says so.
		var acc crm.Account
		rc.do("PATCH", fmt.Sprintf("/api/v1/accounts/%d", s.acc.ID), map[string]any{"version": s.acc.Version, "credit_limit": 5_000_000}).ok(200, &acc)
		// The deal goes to commit through its gate.
		rc.do("PATCH", fmt.Sprintf("/api/v1/deals/%d", s.deal.ID), map[string]any{"version": s.deal.Version,
			"expected_close_date": "2026-12-31", "no_competitors": true}).ok(200, &s.deal)
		rc.do("POST", fmt.Sprintf("/api/v1/deals/%d/stage", s.deal.ID), map[string]any{"stage": "commit"}).ok(200, &s.deal)

		// Bad input first: nothing is created.
		rc.do("POST", "/api/v1/contracts", map[string]any{"quote_id": s.quote.ID, "payment_method": "barter"}).failField("payment_method")
		rc.do("POST", "/api/v1/contracts", map[string]any{"quote_id": s.quote.ID, "payment_method": "cash",
			"milestones": []map[string]any{{"name": "a", "percent": 60, "trigger": "signing"}, {"name": "b", "percent": 30, "trigger": "final"}}}).failField("milestones")
		rc.do("POST", "/api/v1/contracts", map[string]any{"quote_id": s.quote.ID, "payment_method": "cash",
			"milestones": []map[string]any{{"name": "a", "amount": 1, "trigger": "signing"}}}).failField("milestones")
		rc.do("POST", "/api/v1/contracts", map[string]any{"quote_id": s.quote.ID, "payment_method": "cash", "kind": "trial"}).failField("start_on")
		s.rc2.do("POST", "/api/v1/contracts", map[string]any{"quote_id": s.quote.ID, "payment_method": "cash"}).failField("quote_id")

		var c crm.Contract
		rc.do("POST", "/api/v1/contracts", map[string]any{"quote_id": s.quote.ID, "payment_method": "bank_transfer", "payment_days": 10,
			"milestones": []map[string]any{
				{"name": "签约及安装", "percent": 50, "trigger": "signing"},
				{"name": "上线", "percent": 40, "trigger": "go_live"},
				{"name": "尾款", "percent": 10, "trigger": "final"},
			}}).ok(201, &c)
		var amounts []int64
		for _, m := range c.Milestones {
			amounts = append(amounts, m.Amount)
		}
		// Each but the last rounded down to the fen; the last takes the rest.
		if c.State != crm.ContractDraft || c.Amount != 8_499_999 || !slices.Equal(amounts, []int64{4_249_999, 3_399_999, 850_001}) ||
			!strings.HasPrefix(c.Number, "C") || c.PartyCustomer != s.acc.Name || c.PartyOurs == "" {
			t.Fatalf("contract %+v, milestone amounts %v", c, amounts)
		}
		path := func(suffix string) string { return fmt.Sprintf("/api/v1/contracts/%d%s", c.ID, suffix) }
		// Only an approved contract is signed.
		rc.do("POST", path("/sign"), map[string]any{"version": c.Version}).fail(409, "conflict")
		rc.do("POST", path("/submit"), map[string]any{"version": c.Version}).ok(200, &c)
		if c.State != crm.ContractPending || c.ApprovalID == nil {
			t.Fatalf("submitted %+v", c)
		}
		var ap crm.Approval
		mc.do("GET", fmt.Sprintf("/api/v1/approvals/%d", *c.ApprovalID), nil).ok(200, &ap)
		credit := slices.IndexFunc(ap.Reasons, func(r crm.ApprovalReason) bool { return r.Kind == crm.ReasonCreditAmount })
		if ap.Kind != crm.ApprovalKindContract || ap.AssignedTo != s.mgr.ID || credit < 0 || ap.Reasons[credit].Limit != 5_000_000 ||
			ap.Reasons[credit].Requested != 8_499_999 {
			t.Fatalf("approval %+v", ap)
		}
		// Nobody approves their own request; the manager does.
		rc.do("POST", fmt.Sprintf("/api/v1/approvals/%d/approve", ap.ID), map[string]any{"version": ap.Version}).fail(403, "forbidden")
		s.approve(ap.ID)
		c = s.getContract(rc, c.ID)
		if c.State != crm.ContractApproved {
			t.Fatalf("after approval: %s", c.State)
		}

		// A purchase condition is unmet: signing is refused and nothing
		// changes.
		s.setConditions(conditionKeys[:5]...)
		if got := unmetKeys(t, rc.do("POST", path("/sign"), map[string]any{"version": c.Version, "signed_on": "2026-11-02"})); !slices.Equal(got,
			[]string{"commit/conditions_all_met[implementation_plan_confirmed]"}) {
			t.Fatalf("unmet %v", got)
		}
		if again := s.getContract(rc, c.ID); again.State != crm.ContractApproved || again.Version != c.Version || again.SignedOn != nil {
			t.Fatalf("refused signing changed the contract: %+v", again)
		}
		if d := s.getDeal(); d.Stage != "commit" || d.Version != s.deal.Version {
			t.Fatalf("refused signing changed the deal: %+v", d)
		}
		if ps := s.projects(); len(ps) != 0 {
			t.Fatalf("refused signing opened a project: %+v", ps)
		}

		s.setConditions(conditionKeys...)
		rc.do("POST", path("/sign"), map[string]any{"version": c.Version, "signed_on": "2026-11-02"}).ok(200, &c)
		if c.State != crm.ContractSigned || c.SignedOn.String() != "2026-11-02" || c.Milestones[0].DueOn == nil ||
			c.Milestones[0].DueOn.String() != "2026-11-12" || c.Milestones[1].DueOn != nil {
			t.Fatalf("signed %+v", c)
		}
		if d := s.getDeal(); d.Stage != "implementation" || d.Probability != 100 {
			t.Fatalf("deal after signing: %s %d", d.Stage, d.Probability)
		}
		ps := s.projects()
		if len(ps) != 1 || ps[0].State != crm.ProjectOpen || ps[0].ContractID != c.ID || len(ps[0].Steps) != 4 ||
			ps[0].Steps[1].Key != "go_live" || ps[0].Steps[1].Text == "" {
			t.Fatalf("projects %+v", ps)
		}
		prj := ps[0]
		ppath := func(suffix string) string { return fmt.Sprintf("/api/v1/projects/%d%s", prj.ID, suffix) }

		// Payments: another rep sees nothing; partial, too much, the rest.
		m1, m2, m3 := c.Milestones[0], c.Milestones[1], c.Milestones[2]
		pay := func(cl *client, m crm.Milestone, amount int64) *resp {
			return cl.do("POST", path("/payments"), map[string]any{"milestone_id": m.ID, "amount": amount, "received_on": "2026-11-05"})
		}
		e.user("outsider", crm.RoleRep, nil)
		pay(e.login("outsider"), m1, 100).fail(404, "not_found")
		pay(s.rc2, m1, 100).fail(404, "not_found")
		e.login("outsider").do("GET", path(""), nil).fail(404, "not_found")
		pay(rc, m1, 2_000_000).ok(201, nil)
		pay(rc, m1, 2_500_000).failField("amount")
		pay(rc, m1, 0).failField("amount")
		pay(rc, m1, 2_249_999).ok(201, nil)
		pay(rc, m1, 1).failField("amount")

		// Go-live makes the go-live milestone due ten days later.
		mc.do("POST", ppath("/steps/go_live/complete"), map[string]any{"version": prj.Version, "on": "2026-11-20"}).ok(200, &prj)
		mc.do("POST", ppath("/steps/go_live/complete"), map[string]any{"version": prj.Version}).fail(409, "conflict")
		rc.do("POST", ppath("/steps/final_payment/complete"), map[string]any{"version": prj.Version}).failField("key")
		if c = s.getContract(rc, c.ID); c.Milestones[1].DueOn == nil || c.Milestones[1].DueOn.String() != "2026-11-30" || c.Paid != 4_249_999 {
			t.Fatalf("after go-live %+v", c)
		}
		var task crm.ProjectTask
		rc.do("POST", ppath("/tasks"), map[string]any{"title": "上线培训", "due_on": "2026-11-25"}).ok(201, &task)
		rc.do("PATCH", fmt.Sprintf("/api/v1/projects/%d/tasks/%d", prj.ID, task.ID), map[string]any{"version": task.Version, "done": true}).ok(200, &task)
		if !task.Done || task.OwnerID != s.rep.ID {
			t.Fatalf("task %+v", task)
		}

		type receivables struct {
			Items []crm.Receivable `json:"items"`
		}
		var rs receivables
		rc.do("GET", "/api/v1/receivables?overdue=true", nil).ok(200, &rs)
		if len(rs.Items) != 0 {
			t.Fatalf("overdue on signing day: %+v", rs.Items)
		}
		// Forty days on, the go-live milestone is twelve days overdue.
		// Sessions last thirty days: everyone signs in again.
		e.clock.Add(40 * 24 * time.Hour)
		rc, mc, s.rc, s.rc2 = e.login("rep"), e.login("mgr"), e.login("rep"), e.login("rep2")
		mc.do("GET", "/api/v1/receivables?overdue=true", nil).ok(200, &rs)
		if len(rs.Items) != 1 || rs.Items[0].MilestoneID != m2.ID || rs.Items[0].DaysOverdue != 12 || rs.Items[0].Open != 3_399_999 {
			t.Fatalf("overdue %+v", rs.Items)
		}
		s.rc2.do("GET", "/api/v1/receivables?overdue=true", nil).ok(200, &rs)
		if len(rs.Items) != 0 {
			t.Fatalf("another rep sees %+v", rs.Items)
		}
		rc.do("GET", "/api/v1/receivables?overdue=maybe", nil).failField("overdue")
		pay(rc, m2, 3_399_999).ok(201, nil)
		rc.do("GET", "/api/v1/receivables?overdue=true", nil).ok(200, &rs)
		if len(rs.Items) != 0 {
			t.Fatalf("overdue after payment %+v", rs.Items)
		}

		// The final payment closes everything in one go.
		var final crm.Payment
		pay(rc, m3, 850_001).ok(201, &final)
		if c = s.getContract(rc, c.ID); c.State != crm.ContractCompleted || c.Paid != c.Amount {
			t.Fatalf("contract after the final payment: %s paid %d", c.State, c.Paid)
		}
		if d := s.getDeal(); d.Stage != "closed" {
			t.Fatalf("deal after the final payment: %s", d.Stage)
		}
		var done projectAnswer
		rc.do("GET", ppath(""), nil).ok(200, &done)
		if done.State != crm.ProjectClosed || done.ClosedAt == nil || !done.Steps[3].Done {
			t.Fatalf("project after the final payment: %+v", done)
		}
		pay(rc, m3, 1).fail(409, "conflict")
		var payments struct {
			Items []crm.Payment `json:"items"`
		}
		rc.do("GET", path("/payments"), nil).ok(200, &payments)
		if len(payments.Items) != 4 || payments.Items[3].ID != final.ID || payments.Items[0].Method != "bank_transfer" {
			t.Fatalf("payments %+v", payments.Items)
		}
		var hist struct {
			Items []crm.AuditEntry `json:"items"`
		}
		rc.do("GET", path("/history"), nil).ok(200, &hist)
		var actions []string
		for _, h := range hist.Items {
			actions = append(actions, h.Action)
		}
		if want := []string{"create", "submit", "approve", "sign", "payment", "payment", "payment", "payment", "complete"}; !slices.Equal(actions, want) {
			t.Errorf("contract history %v, want %v", actions, want)
		}
	})
}

// TestPaymentRaceAPI records the same payment from two clerks at once:
// exactly one is recorded, the other gets 409.
func TestPaymentRaceAPI(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		s := newDesk(t, e)
		s.rc.do("PATCH", fmt.Sprintf("/api/v1/deals/%d", s.deal.ID), map[string]any{"version": s.deal.Version,
			"expected_close_date": "2026-12-31", "no_competitors": true}).ok(200, &s.deal)
		s.setConditions(conditionKeys...)
		var c crm.Contract
		s.rc.do("POST", "/api/v1/contracts", map[string]any{"quote_id": s.quote.ID, "payment_method": "cash"}).ok(201, &c)
		if len(c.Milestones) != 3 || c.Milestones[0].Amount != 4_249_999 {
			t.Fatalf("default milestones %+v", c.Milestones)
		}
		s.rc.do("POST", fmt.Sprintf("/api/v1/contracts/%d/submit", c.ID), map[string]any{"version": c.Version}).ok(200, &c)
		s.approve(*c.ApprovalID)
		c = s.getContract(s.rc, c.ID)
		// From negotiation, signing crosses the negotiation and commit gates.
		s.rc.do("POST", fmt.Sprintf("/api/v1/contracts/%d/sign", c.ID), map[string]any{"version": c.Version}).ok(200, &c)

		clerks := []*client{s.rc, s.mc}
		status := make([]int, len(clerks))
		var wg sync.WaitGroup
		for i, cl := range clerks {
			wg.Add(1)
			go func() {
				defer wg.Done()
				status[i] = cl.do("POST", fmt.Sprintf("/api/v1/contracts/%d/payments", c.ID),
					map[string]any{"milestone_id": c.Milestones[0].ID, "milestone_version": c.Milestones[0].Version, "amount": c.Milestones[0].Amount}).Status
			}()
		}
		wg.Wait()
		slices.Sort(status)
		if !slices.Equal(status, []int{201, 409}) {
			t.Fatalf("statuses %v, want one 201 and one 409", status)
		}
		if c = s.getContract(s.rc, c.ID); c.Paid != c.Milestones[0].Amount {
			t.Fatalf("paid %d, want %d", c.Paid, c.Milestones[0].Amount)
		}
	})
}

// TestTrialAndCancel: a trial agreement needs its dates, is approved and
// signed without moving the deal, and converts into a draft sale
// contract; an unsigned contract may be cancelled, a signed one not.
func TestTrialAndCancel(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		s := newDesk(t, e)
		var trial crm.Contract
		s.rc.do("POST", "/api/v1/contracts", map[string]any{"quote_id": s.quote.ID, "payment_method": "cash", "kind": "trial",
			"start_on": "2026-11-10", "end_on": "2026-11-01"}).failField("end_on")
		s.rc.do("POST", "/api/v1/contracts", map[string]any{"quote_id": s.quote.ID, "payment_method": "cash", "kind": "trial",
			"start_on": "2026-11-10", "end_on": "2026-12-10"}).ok(201, &trial)
		path := func(id int64, suffix string) string { return fmt.Sprintf("/api/v1/contracts/%d%s", id, suffix) }
		s.rc.do("POST", path(trial.ID, "/convert"), map[string]any{"version": trial.Version}).fail(409, "conflict")
		s.rc.do("POST", path(trial.ID, "/submit"), map[string]any{"version": trial.Version}).ok(200, &trial)
		s.approve(*trial.ApprovalID)
		trial = s.getContract(s.rc, trial.ID)
		s.rc.do("POST", path(trial.ID, "/cancel"), map[string]any{"version": trial.Version - 1}).fail(409, "conflict")
		s.rc.do("POST", path(trial.ID, "/sign"), map[string]any{"version": trial.Version}).ok(200, &trial)
		if trial.State != crm.ContractSigned {
			t.Fatalf("trial %s", trial.State)
		}
		if d := s.getDeal(); d.Stage != "negotiation" {
			t.Fatalf("a trial moved the deal to %s", d.Stage)
		}
		if ps := s.projects(); len(ps) != 0 {
			t.Fatalf("a trial opened a project: %+v", ps)
		}
		s.rc.do("POST", path(trial.ID, "/cancel"), map[string]any{"version": trial.Version}).fail(409, "conflict")
		s.rc.do("POST", path(trial.ID, "/payments"), map[string]any{"milestone_id": trial.Milestones[0].ID, "amount": 1}).fail(409, "conflict")
		var sale crm.Contract
		s.rc.do("POST", path(trial.ID, "/convert"), map[string]any{"version": trial.Version}).ok(201, &sale)
		if sale.Kind != crm.ContractSale || sale.State != crm.ContractDraft || sale.ConvertedFrom == nil || *sale.ConvertedFrom != trial.ID ||
			sale.Amount != trial.Amount || len(sale.Milestones) != 3 {
			t.Fatalf("converted %+v", sale)
		}
		if trial = s.getContract(s.rc, trial.ID); trial.State != crm.ContractCompleted {
			t.Fatalf("trial after conversion: %s", trial.State)
		}
		s.rc.do("POST", path(sale.ID, "/cancel"), map[string]any{"version": sale.Version, "comment": "客户改签"}).ok(200, &sale)
		if sale.State != crm.ContractCancelled {
			t.Fatalf("cancelled %s", sale.State)
		}
		// A rejected contract stays rejected; it may be cancelled.
		var rej crm.Contract
		s.rc.do("POST", "/api/v1/contracts", map[string]any{"quote_id": s.quote.ID, "payment_method": "check"}).ok(201, &rej)
		s.rc.do("POST", path(rej.ID, "/submit"), map[string]any{"version": rej.Version}).ok(200, &rej)
		var ap crm.Approval
		s.mc.do("GET", fmt.Sprintf("/api/v1/approvals/%d", *rej.ApprovalID), nil).ok(200, &ap)
		s.mc.do("POST", fmt.Sprintf("/api/v1/approvals/%d/reject", ap.ID), map[string]any{"version": ap.Version, "comment": "付款条件太宽"}).ok(200, nil)
		s.mc.do("POST", fmt.Sprintf("/api/v1/approvals/%d/approve", ap.ID), map[string]any{"version": ap.Version}).fail(409, "conflict")
		if rej = s.getContract(s.rc, rej.ID); rej.State != crm.ContractRejected {
			t.Fatalf("rejected contract: %s", rej.State)
		}
		s.rc.do("POST", path(rej.ID, "/sign"), map[string]any{"version": rej.Version}).fail(409, "conflict")
		s.rc.do("POST", path(rej.ID, "/cancel"), map[string]any{"version": rej.Version}).ok(200, &rej)
		var list struct {
			Items []crm.Contract `json:"items"`
		}
		s.mc.do("GET", fmt.Sprintf("/api/v1/contracts?deal_id=%d", s.deal.ID), nil).ok(200, &list)
		if len(list.Items) != 3 {
			t.Fatalf("manager's list %d", len(list.Items))
		}
		e.user("outsider", crm.RoleRep, nil)
		e.login("outsider").do("GET", "/api/v1/contracts", nil).ok(200, &list)
		if len(list.Items) != 0 {
			t.Fatalf("outsider's list %d", len(list.Items))
		}
		s.rc.do("GET", "/api/v1/contracts?state=nonsense", nil).failField("state")
	})
}

// TestHostileContracts: malformed ids and bodies on the deal desk's
// routes are 4xx, never 500, and change nothing.
func TestHostileContracts(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		s := newDesk(t, e)
		c := s.rc
		for _, pattern := range []struct{ method, path, body string }{
			{"GET", "/api/v1/contracts/%s", ""},
			{"POST", "/api/v1/contracts/%s/sign", `{"version":1}`},
			{"POST", "/api/v1/contracts/%s/payments", `{"milestone_id":1,"amount":1}`},
			{"GET", "/api/v1/projects/%s", ""},
			{"PATCH", "/api/v1/projects/%s", `{"version":1}`},
			{"POST", "/api/v1/projects/%s/steps/go_live/complete", `{"version":1}`},
			{"POST", "/api/v1/projects/%s/tasks", `{"title":"x"}`},
		} {
			for _, id := range []string{"abc", "-1", "0", "99999999999999999999", "1.5", "%00", "999"} {
				res := c.raw(pattern.method, fmt.Sprintf(pattern.path, id), "application/json", []byte(pattern.body))
				if res.Status != 400 && res.Status != 404 {
					t.Fatalf("%s %s: %d %s", pattern.method, pattern.path, res.Status, res.Body)
				}
			}
		}
		for _, body := range []string{`{`, `[]`, `{"quote_id":"x"}`, `{"quote_id":1,"payment_days":-1,"payment_method":"cash"}`,
			`{"quote_id":1,"payment_days":99999999999,"payment_method":"cash"}`,
			fmt.Sprintf(`{"quote_id":%d,"payment_method":"cash","milestones":[{"name":"a","percent":-50,"trigger":"signing"},{"name":"b","percent":150,"trigger":"final"}]}`, s.quote.ID),
			fmt.Sprintf(`{"quote_id":%d,"payment_method":"cash","milestones":[{"name":"a","percent":50,"amount":5,"trigger":"signing"}]}`, s.quote.ID),
			fmt.Sprintf(`{"quote_id":%d,"payment_method":"cash","milestones":[{"name":"","percent":100,"trigger":"later"}]}`, s.quote.ID),
			fmt.Sprintf(`{"quote_id":%d,"payment_method":"cash","milestones":[{"name":"a","amount":99999999999999999999,"trigger":"signing"}]}`, s.quote.ID),
		} {
			if res := c.raw("POST", "/api/v1/contracts", "application/json", []byte(body)); res.Status != 400 {
				t.Fatalf("%s: %d %s", body, res.Status, res.Body)
			}
		}
		var list struct {
			Items []crm.Contract `json:"items"`
		}
		c.do("GET", "/api/v1/contracts", nil).ok(200, &list)
		if len(list.Items) != 0 {
			t.Fatalf("refused requests made contracts: %+v", list.Items)
		}
	})
}
