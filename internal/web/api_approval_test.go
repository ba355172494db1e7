package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dealpath/dealpath/internal/crm"
)

// submitted drafts a quote with the lines, submits it and returns it with
// its approval request (nil when it was approved at once).
func submitted(c *client, dealID int64, body map[string]any, lines ...map[string]any) (crm.Quote, *crm.Approval) {
	c.e.t.Helper()
	q := quoteAct(c, mkQuote(c, dealID, body, lines...), "submit", 200)
	if q.ApprovalID == nil {
		return q, nil
	}
	var a crm.Approval
	c.do("GET", fmt.Sprintf("/api/v1/approvals/%d", *q.ApprovalID), nil).ok(200, &a)
	return q, &a
}

// decide approves or rejects a request as the client.
func decide(c *client, a *crm.Approval, verb, comment string) *resp {
	c.e.t.Helper()
	return c.do("POST", fmt.Sprintf("/api/v1/approvals/%d/%s", a.ID, verb), map[string]any{"version": a.Version, "comment": comment})
}

func TestApprovalFlow(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		d := newQuoteDesk(e)
		// 15 % off the licences is beyond the rep's 10 %.
		q, a := submitted(d.rep, d.deal.ID, nil, quoteLine(d.fin, 1, 0), quoteLine(d.users, 20, 1500))
		if q.State != crm.QuotePending || a == nil {
			t.Fatalf("submitted: %+v", q)
		}
		want := crm.Approval{ID: a.ID, Version: 1, Kind: "quote", SubjectID: q.ID, DealID: d.deal.ID, RequestedBy: d.repU.ID, AssignedTo: d.mgrU.ID,
			Status: "pending", Reasons: []crm.ApprovalReason{{Kind: "discount_bp", Requested: 1500, Limit: 1000}}, Comment: "",
			TaskID: a.TaskID, CreatedAt: a.CreatedAt, UpdatedAt: a.UpdatedAt}
		if a.TaskID == nil || !a.CreatedAt.Equal(e.clock.Now()) {
			t.Fatalf("approval %+v", a)
		}
		if got := *a; got.DecidedBy != nil || got.DecidedAt != nil || fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("approval:\n got %+v\nwant %+v", got, want)
		}
		// The manager's task: due in two days, on the deal, in their language.
		var task crm.Activity
		d.mgr.do("GET", fmt.Sprintf("/api/v1/activities/%d", *a.TaskID), nil).ok(200, &task)
		if task.Type != "task" || task.OwnerID != d.mgrU.ID || task.DealID == nil || *task.DealID != d.deal.ID || task.DoneAt != nil ||
			!task.DueAt.Equal(e.clock.Now().Add(48*time.Hour)) || !strings.Contains(task.Subject, "审批报价 "+q.Number) ||
			!strings.Contains(task.Notes, "折扣 15% 超出负责人的权限 10%") {
			t.Fatalf("task %+v", task)
		}
		var inbox crm.Page[crm.Approval]
		d.mgr.do("GET", "/api/v1/approvals?status=pending", nil).ok(200, &inbox)
		if len(inbox.Items) != 1 || inbox.Items[0].ID != a.ID {
			t.Fatalf("manager's inbox %+v", inbox)
		}
		for _, c := range []*client{d.rep, d.root} {
			c.do("GET", fmt.Sprintf("/api/v1/approvals/%d", a.ID), nil).ok(200, nil) // the owner and the admin see it
		}
		if ids := listIDs(d.rep, "/api/v1/approvals"); len(ids) != 0 {
			t.Fatalf("the rep's inbox: %v", ids)
		}
		if ids := listIDs(d.root, "/api/v1/approvals?kind=quote&deal_id="+fmt.Sprint(d.deal.ID)); len(ids) != 1 {
			t.Fatalf("the admin's view: %v", ids)
		}
		// A rep never decides; others of the team or elsewhere cannot see it.
		decide(d.rep, a, "approve", "").fail(403, "forbidden")
		rep2 := e.login("rep2")
		rep2.do("GET", fmt.Sprintf("/api/v1/approvals/%d", a.ID), nil).fail(404, "not_found")
		decide(rep2, a, "approve", "").fail(404, "not_found")
		north := e.login("mgr-north")
		decide(north, a, "approve", "").fail(404, "not_found")
		// Malformed decisions.
		d.mgr.do("POST", fmt.Sprintf("/api/v1/approvals/%d/approve", a.ID), map[string]any{"comment": "x"}).failField("version")
		d.mgr.do("POST", fmt.Sprintf("/api/v1/approvals/%d/approve", a.ID), map[string]any{"version": 2}).fail(409, "conflict")
		decide(d.mgr, a, "reject", "  ").failField("comment")

		var done crm.Approval
		decide(d.mgr, a, "approve", "同意，老客户").ok(200, &done)
		if done.Status != "approved" || done.Version != 2 || done.DecidedBy == nil || *done.DecidedBy != d.mgrU.ID || done.Comment != "同意，老客户" {
			t.Fatalf("decided: %+v", done)
		}
		if q = getQuote(d.rep, q.ID); q.State != crm.QuoteApproved {
			t.Fatalf("quote after approval: %+v", q)
		}
		d.mgr.do("GET", fmt.Sprintf("/api/v1/activities/%d", *a.TaskID), nil).ok(200, &task)
		if task.DoneAt == nil {
			t.Fatal("the task is still open")
		}
		// Decided once.
		decide(d.mgr, &done, "approve", "").fail(409, "conflict")
		decide(d.mgr, &done, "reject", "改主意").fail(409, "conflict")
		decide(d.root, &done, "reject", "改主意").fail(409, "conflict")
		ctx := context.Background()
		if log, _ := e.db.AuditFor(ctx, "approval", a.ID); len(log) != 2 || log[0].Action != "request" || log[1].Action != "approve" || log[1].ActorID != d.mgrU.ID {
			t.Fatalf("approval audit %+v", log)
		}
		if log, _ := e.db.AuditFor(ctx, "quote", q.ID); len(log) != 2 || log[0].Action != "submit" || log[1].Action != "approve" || log[1].Reason != "同意，老客户" {
			t.Fatalf("quote audit %+v", log)
		}
		if ids := listIDs(d.mgr, "/api/v1/approvals?status=pending"); len(ids) != 0 {
			t.Fatalf("pending after the decision: %v", ids)
		}

		// A refusal: the quote is rejected, and revised.
		q2, a2 := submitted(d.rep, d.deal.ID, map[string]any{"payment_days": 60}, quoteLine(d.fin, 1, 0))
		if a2 == nil || a2.Reasons[0] != (crm.ApprovalReason{Kind: "payment_days", Requested: 60, Limit: 30}) {
			t.Fatalf("payment days: %+v", a2)
		}
		decide(d.mgr, a2, "reject", "账期最多 45 天").ok(200, nil)
		if q2 = getQuote(d.rep, q2.ID); q2.State != crm.QuoteRejected {
			t.Fatalf("rejected: %+v", q2)
		}
		if rev := quoteAct(d.rep, q2, "revise", 201); rev.State != crm.QuoteDraft {
			t.Fatalf("revision: %+v", rev)
		}
	})
}

// TestApprovalRouting: who gets a request, who may decide it, and that
// nobody decides their own.
func TestApprovalRouting(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		d := newQuoteDesk(e)
		// Beyond the manager's 90 days: an admin's.
		_, a := submitted(d.rep, d.deal.ID, map[string]any{"payment_days": 120}, quoteLine(d.fin, 1, 0))
		if a.AssignedTo != d.rootU.ID || len(a.Reasons) != 1 || a.Reasons[0] != (crm.ApprovalReason{Kind: "payment_days", Requested: 120, Limit: 30}) {
			t.Fatalf("120 days: %+v", a)
		}
		decide(d.mgr, a, "approve", "").fail(403, "forbidden") // beyond the manager's own authority
		decide(d.root, a, "approve", "").ok(200, nil)
		// The credit amount: ¥1,200,000 on 10 days' credit is beyond the
		// rep's ¥500,000, within the manager's.
		_, a = submitted(d.rep, d.deal.ID, map[string]any{"payment_days": 10}, quoteLine(d.users, 1000, 0))
		if a.AssignedTo != d.mgrU.ID || len(a.Reasons) != 1 || a.Reasons[0] != (crm.ApprovalReason{Kind: "credit_amount", Requested: 120_000_000, Limit: 50_000_000}) {
			t.Fatalf("credit amount: %+v", a)
		}
		// The same paid on delivery needs nobody.
		if q, a := submitted(d.rep, d.deal.ID, nil, quoteLine(d.users, 1000, 0)); a != nil || q.State != crm.QuoteApproved {
			t.Fatalf("paid on delivery: %+v", q)
		}

		// Nobody's authority covers 90 % off once the admin has less.
		setAuthority(d.root, d.rootU.ID, 5000, crm.MaxPaymentDays, crm.MaxMoney)
		draft := mkQuote(d.rep, d.deal.ID, nil, quoteLine(d.fin, 1, 9000))
		r := d.rep.do("POST", fmt.Sprintf("/api/v1/quotes/%d/submit", draft.ID), map[string]any{"version": 1}).fail(400, "invalid")
		if !strings.Contains(r.Error.Message, "权限") {
			t.Fatalf("no approver: %q", r.Error.Message)
		}
		if got := getQuote(d.rep, draft.ID); got.State != crm.QuoteDraft || got.Version != 1 {
			t.Fatalf("refused submission changed the quote: %+v", got)
		}

		// A manager's own deal goes to another approver; they never decide it.
		mgr2 := e.user("mgr2", crm.RoleManager, &d.eastTeamID)
		setAuthority(d.root, mgr2.ID, 3000, 30, 0)
		acc := mkAccount(d.mgr, "杭州西湖食品")
		deal := mkDeal(d.mgr, acc.ID, "财务软件")
		_, a = submitted(d.mgr, deal.ID, nil, quoteLine(d.fin, 1, 2500))
		if a.AssignedTo != mgr2.ID || a.RequestedBy != d.mgrU.ID {
			t.Fatalf("the manager's own quote: %+v", a)
		}
		decide(d.mgr, a, "approve", "").fail(403, "forbidden")
		// A rep's request submitted by the manager: not theirs to decide.
		q, a2 := submitted(d.mgr, d.deal.ID, nil, quoteLine(d.fin, 1, 1500))
		if a2.RequestedBy != d.mgrU.ID || a2.AssignedTo != mgr2.ID {
			t.Fatalf("submitted for the rep: %+v", a2)
		}
		decide(d.mgr, a2, "approve", "").fail(403, "forbidden")
		decide(e.login("mgr2"), a2, "approve", "可以").ok(200, nil)
		if getQuote(d.rep, q.ID).State != crm.QuoteApproved {
			t.Fatal("not approved")
		}
		// The admin may decide any request their authority covers.
		decide(d.root, a, "reject", "折扣过大").ok(200, nil)
	})
}

// rawPost posts JSON without the test harness, which may only fail the
// test from the test's own goroutine: for requests sent concurrently.
func rawPost(c *client, path string, body any) (int, []byte, error) {
	b, err := json.Marshal(body)
	if err != nil {
		return 0, nil, err
	}
	req, err := http.NewRequest("POST", c.e.srv.URL+path, bytes.NewReader(b))
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+c.token)
	res, err := c.e.srv.Client().Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer res.Body.Close()
	data, err := io.ReadAll(res.Body)
	return res.StatusCode, data, err
}

// TestConcurrentApprovals: two managers approve (or one approves, one
// rejects) the same request at the same moment over HTTP. Exactly one wins;
// the other gets 409; the decision is audited once.
func TestConcurrentApprovals(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		d := newQuoteDesk(e)
		mgr2 := e.user("mgr2", crm.RoleManager, &d.eastTeamID)
		setAuthority(d.root, mgr2.ID, mgrBP, mgrDays, mgrAmount)
		deciders := []*client{d.mgr, e.login("mgr2")}
		ctx := context.Background()
		for round := range 6 {
			q, a := submitted(d.rep, d.deal.ID, nil, quoteLine(d.fin, 1, 1500))
			verbs := []string{"approve", "approve"}
			if round%2 == 1 {
				verbs[1] = "reject"
			}
			type answer struct {
				status int
				body   []byte
				err    error
			}
			answers := make([]answer, 2)
			var wg sync.WaitGroup
			start := make(chan struct{})
			for i, c := range deciders {
				wg.Add(1)
				go func() {
					defer wg.Done()
					<-start
					s, b, err := rawPost(c, fmt.Sprintf("/api/v1/approvals/%d/%s", a.ID, verbs[i]), map[string]any{"version": a.Version, "comment": "并发"})
					answers[i] = answer{s, b, err}
				}()
			}
			close(start)
			wg.Wait()
			won, lost := -1, 0
			for i, an := range answers {
				switch {
				case an.err != nil:
					t.Fatalf("round %d: %v", round, an.err)
				case an.status == 200:
					won = i
				case an.status == 409 && bytes.Contains(an.body, []byte(`"conflict"`)):
					lost++
				default:
					t.Fatalf("round %d: status %d %s", round, an.status, an.body)
				}
			}
			if won < 0 || lost != 1 {
				t.Fatalf("round %d: answers %+v", round, answers)
			}
			wantState := map[string]string{"approve": crm.QuoteApproved, "reject": crm.QuoteRejected}[verbs[won]]
			if got := getQuote(d.rep, q.ID); got.State != wantState {
				t.Fatalf("round %d: quote %s, the winner %sd", round, got.State, verbs[won])
			}
			if log, _ := e.db.AuditFor(ctx, "approval", a.ID); len(log) != 2 {
				t.Fatalf("round %d: approval audited %d times: %+v", round, len(log), log)
			}
			if log, _ := e.db.AuditFor(ctx, "quote", q.ID); len(log) != 2 {
				t.Fatalf("round %d: quote audited %d times: %+v", round, len(log), log)
			}
		}
	})
}

// TestUserAuthorityAPI: admins set each user's limits; they are audited and
// checked.
func TestUserAuthorityAPI(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		root := e.user("root", crm.RoleAdmin, nil)
		rep := e.user("rep", crm.RoleRep, nil)
		admin, rc := e.login("root"), e.login("rep")
		var me crm.User
		admin.do("GET", "/api/v1/me", nil).ok(200, &me)
		if me.Authority() != crm.FullAuthority || rep.Authority() != (crm.Authority{}) {
			t.Fatalf("defaults: admin %+v, rep %+v", me.Authority(), rep.Authority())
		}
		u := setAuthority(admin, rep.ID, 1200, 45, 3_000_000)
		if u.MaxDiscountBP != 1200 || u.CreditDays != 45 || u.CreditAmount != 3_000_000 || u.Version != 2 {
			t.Fatalf("set: %+v", u)
		}
		path := fmt.Sprintf("/api/v1/users/%d", rep.ID)
		rc.do("PATCH", path, map[string]any{"version": 2, "max_discount_bp": 10000}).fail(403, "forbidden")
		for _, tc := range []struct{ body, field string }{
			{`{"version":2,"max_discount_bp":10001}`, "max_discount_bp"},
			{`{"version":2,"max_discount_bp":-1}`, "max_discount_bp"},
			{`{"version":2,"max_discount_bp":"10"}`, "max_discount_bp"},
			{`{"version":2,"max_discount_bp":1.5}`, "max_discount_bp"},
			{`{"version":2,"credit_days":3651}`, "credit_days"},
			{`{"version":2,"credit_days":-30}`, "credit_days"},
			{`{"version":2,"credit_amount":1000000000000001}`, "credit_amount"},
			{`{"version":2,"credit_amount":-1}`, "credit_amount"},
			{`{"version":2,"credit_amount":99999999999999999999}`, "credit_amount"},
		} {
			admin.do("PATCH", path, tc.body).failField(tc.field)
		}
		// Unchanged limits are not audited; changed ones are, before and after.
		admin.do("PATCH", path, map[string]any{"version": 2, "display_name": "小王"}).ok(200, &u)
		log, err := e.db.AuditFor(context.Background(), "user", rep.ID)
		if err != nil || len(log) != 1 || log[0].Action != "authority" || log[0].ActorID != root.ID ||
			log[0].Before != `{"max_discount_bp":0,"credit_days":0,"credit_amount":0}` ||
			log[0].After != `{"max_discount_bp":1200,"credit_days":45,"credit_amount":3000000}` {
			t.Fatalf("audit %v %+v", err, log)
		}
		rc.do("GET", "/api/v1/me", nil).ok(200, &me)
		if me.Authority() != u.Authority() {
			t.Fatalf("the rep reads %+v", me.Authority())
		}
	})
}
