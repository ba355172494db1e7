package store_test

import (
	"context"
	"fmt"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/dealpath/dealpath/internal/crm"
	"github.com/dealpath/dealpath/internal/store"
	"github.com/dealpath/dealpath/internal/store/storetest"
)

// approvalFixture is a draft quote on a rep's deal and the approval request
// that would take it to pending, with its task for the manager.
type approvalFixture struct {
	rep, mgr *crm.User
	deal     *crm.Deal
	quote    *crm.Quote
}

// The suffix tells apart the names of several fixtures in one database.
func newApprovalFixture(t *testing.T, db *store.DB, suffix string) approvalFixture {
	t.Helper()
	team := mustTeam(t, db, "华东"+suffix)
	rep := mustUser(t, db, "rep1"+suffix, crm.RoleRep, &team.ID)
	mgr := mustUser(t, db, "mgr1"+suffix, crm.RoleManager, &team.ID)
	acc := mustAccount(t, db, "甲公司", rep.ID)
	d := mustDeal(t, db, &crm.Deal{AccountID: acc.ID, OwnerID: rep.ID, Title: "ERP"})
	p := mustProduct(t, db, "FIN-01"+suffix, 1_000_000)
	q := mustQuote(t, db, newQuote(d, rep.ID, quoteLine(p, 1, 1500)))
	return approvalFixture{rep: rep, mgr: mgr, deal: d, quote: q}
}

func (f approvalFixture) request(at time.Time) (crm.SubjectMove, *crm.Approval, *crm.Activity, []*crm.AuditEntry) {
	m := crm.SubjectMove{Kind: crm.ApprovalKindQuote, ID: f.quote.ID, ExpectVersion: f.quote.Version, From: crm.SubjectDraft, To: crm.SubjectPending, At: at}
	a := &crm.Approval{Version: 1, Kind: crm.ApprovalKindQuote, SubjectID: f.quote.ID, DealID: f.deal.ID, RequestedBy: f.rep.ID,
		AssignedTo: f.mgr.ID, Status: crm.ApprovalPending, CreatedAt: at, UpdatedAt: at,
		Reasons: []crm.ApprovalReason{{Kind: crm.ReasonDiscount, Requested: 1500, Limit: 1000}}}
	due := at.Add(crm.ApprovalTaskDue)
	task := &crm.Activity{Version: 1, Type: "task", Subject: "审批报价", DueAt: &due, DealID: &f.deal.ID, AccountID: &f.deal.AccountID,
		OwnerID: f.mgr.ID, CreatedAt: at, UpdatedAt: at}
	audits := []*crm.AuditEntry{
		{ActorID: f.rep.ID, EntityType: "quote", EntityID: f.quote.ID, Action: "submit", CreatedAt: at},
		{ActorID: f.rep.ID, EntityType: "approval", EntityID: 0, Action: "request", CreatedAt: at},
	}
	return m, a, task, audits
}

// decision is the approval a as decided by user by at at.
func decision(a *crm.Approval, by int64, status string, at time.Time) (*crm.Approval, crm.SubjectMove, []*crm.AuditEntry) {
	d := *a
	d.Status, d.Comment, d.DecidedBy, d.DecidedAt, d.UpdatedAt = status, "同意", &by, &at, at
	to := crm.SubjectApproved
	if status == crm.ApprovalRejected {
		to = crm.SubjectRejected
	}
	m := crm.SubjectMove{Kind: d.Kind, ID: d.SubjectID, From: crm.SubjectPending, To: to, At: at}
	audits := []*crm.AuditEntry{
		{ActorID: by, EntityType: "approval", EntityID: a.ID, Action: "approve", CreatedAt: at},
		{ActorID: by, EntityType: "quote", EntityID: a.SubjectID, Action: "approve", CreatedAt: at},
	}
	return &d, m, audits
}

func TestApprovalRequestAndDecision(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newApprovalFixture(t, db, "")
		at := t0.Add(time.Hour)
		m, a, task, audits := f.request(at)
		if err := db.RequestApproval(ctx, m, a, task, audits); err != nil {
			t.Fatal(err)
		}
		if a.ID == 0 || task.ID == 0 || a.TaskID == nil || *a.TaskID != task.ID || a.OwnerID != f.rep.ID || a.OwnerTeamID != *f.rep.TeamID {
			t.Fatalf("after request: %+v, task %+v", a, task)
		}
		got, err := db.ApprovalByID(ctx, a.ID)
		if err != nil || !reflect.DeepEqual(got, a) {
			t.Fatalf("round trip: %v\n got %+v\nwant %+v", err, got, a)
		}
		q, _ := db.QuoteByID(ctx, f.quote.ID)
		if q.State != crm.QuotePending || q.ApprovalID == nil || *q.ApprovalID != a.ID || q.Version != 2 {
			t.Fatalf("quote after request: %+v", q)
		}
		wantAudit(t, db, "approval", a.ID, 1)
		wantAudit(t, db, "quote", q.ID, 1)
		if act, err := db.ActivityByID(ctx, task.ID); err != nil || act.OwnerID != f.mgr.ID || act.DoneAt != nil {
			t.Fatalf("task: %+v %v", act, err)
		}

		// A second request for the same subject finds it pending already.
		m2, a2, task2, audits2 := f.request(at)
		m2.ExpectVersion = 2
		wantCode(t, db.RequestApproval(ctx, m2, a2, task2, audits2), crm.ECONFLICT)
		if page, _ := db.ListApprovals(ctx, crm.ApprovalFilter{ListParams: crm.ListParams{Limit: 50}}); len(page.Items) != 1 {
			t.Fatalf("refused request left %d approvals", len(page.Items))
		}

		// Listing: the manager's inbox, by status.
		pending := crm.ApprovalPending
		for _, tc := range []struct {
			f    crm.ApprovalFilter
			want int
		}{
			{crm.ApprovalFilter{AssignedTo: &f.mgr.ID}, 1},
			{crm.ApprovalFilter{AssignedTo: &f.rep.ID}, 0},
			{crm.ApprovalFilter{Status: pending, Kind: crm.ApprovalKindQuote, DealID: &f.deal.ID}, 1},
			{crm.ApprovalFilter{Status: crm.ApprovalApproved}, 0},
		} {
			tc.f.Limit = 50
			page, err := db.ListApprovals(ctx, tc.f)
			if err != nil || len(page.Items) != tc.want {
				t.Fatalf("filter %+v: %v, %d items", tc.f, err, len(page.Items))
			}
		}

		later := at.Add(time.Hour)
		dec, move, decAudits := decision(a, f.mgr.ID, crm.ApprovalApproved, later)
		stale := *dec
		wantCode(t, db.DecideApproval(ctx, &stale, 2, move, decAudits), crm.ECONFLICT)
		if err := db.DecideApproval(ctx, dec, 1, move, decAudits); err != nil || dec.Version != 2 {
			t.Fatalf("decide: %v, version %d", err, dec.Version)
		}
		if got, _ := db.ApprovalByID(ctx, a.ID); !reflect.DeepEqual(got, dec) {
			t.Fatalf("after decision:\n got %+v\nwant %+v", got, dec)
		}
		if q, _ := db.QuoteByID(ctx, f.quote.ID); q.State != crm.QuoteApproved || q.Version != 3 {
			t.Fatalf("quote after decision: %+v", q)
		}
		if act, _ := db.ActivityByID(ctx, task.ID); act.DoneAt == nil || !act.DoneAt.Equal(later) {
			t.Fatalf("task after decision: %+v", act)
		}
		wantAudit(t, db, "approval", a.ID, 2)
		wantAudit(t, db, "quote", q.ID, 2)

		// Decided once: again, even at the new version, is a conflict that
		// writes nothing.
		again, move2, audits3 := decision(dec, f.mgr.ID, crm.ApprovalRejected, later.Add(time.Hour))
		wantCode(t, db.DecideApproval(ctx, again, 2, move2, audits3), crm.ECONFLICT)
		wantAudit(t, db, "approval", a.ID, 2)
		wantAudit(t, db, "quote", q.ID, 2)
		if got, _ := db.ApprovalByID(ctx, a.ID); got.Status != crm.ApprovalApproved {
			t.Fatalf("status after a refused decision: %s", got.Status)
		}
		ghost, gm, ga := decision(a, f.mgr.ID, crm.ApprovalApproved, later)
		ghost.ID = 99999
		wantCode(t, db.DecideApproval(ctx, ghost, 1, gm, ga), crm.ENOTFOUND)
	})
}

// TestConcurrentDecisions: two managers decide the same request at the same
// moment. Exactly one decision is written, with its audit rows; the other
// is a conflict that leaves nothing behind.
func TestConcurrentDecisions(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		for round := range 5 {
			suffix := fmt.Sprintf("-%d", round)
			f := newApprovalFixture(t, db, suffix)
			m, a, task, audits := f.request(t0)
			if err := db.RequestApproval(ctx, m, a, task, audits); err != nil {
				t.Fatal(err)
			}
			other := mustUser(t, db, "mgr2"+suffix, crm.RoleManager, f.rep.TeamID)
			var wg sync.WaitGroup
			errs := make([]error, 2)
			start := make(chan struct{})
			for i, by := range []int64{f.mgr.ID, other.ID} {
				status := []string{crm.ApprovalApproved, crm.ApprovalRejected}[i]
				dec, move, decAudits := decision(a, by, status, t0.Add(time.Hour))
				wg.Add(1)
				go func() {
					defer wg.Done()
					<-start
					errs[i] = db.DecideApproval(ctx, dec, 1, move, decAudits)
				}()
			}
			close(start)
			wg.Wait()
			won := 0
			for _, err := range errs {
				switch {
				case err == nil:
					won++
				case crm.ErrorCode(err) != crm.ECONFLICT:
					t.Fatalf("round %d: %v", round, err)
				}
			}
			if won != 1 {
				t.Fatalf("round %d: %d decisions won (%v)", round, won, errs)
			}
			wantAudit(t, db, "approval", a.ID, 2)
			wantAudit(t, db, "quote", f.quote.ID, 2)
			got, _ := db.ApprovalByID(ctx, a.ID)
			q, _ := db.QuoteByID(ctx, f.quote.ID)
			if got.Version != 2 || (got.Status == crm.ApprovalApproved) != (q.State == crm.QuoteApproved) || q.Version != 3 {
				t.Fatalf("round %d: approval %+v, quote %+v", round, got, q)
			}
		}
	})
}
