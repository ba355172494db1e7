package store_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/dealpath/dealpath/internal/crm"
	"github.com/dealpath/dealpath/internal/store"
	"github.com/dealpath/dealpath/internal/store/storetest"
)

// lp is the list parameters of a store-level list: the service's defaults.
var lp = crm.ListParams{Limit: crm.DefaultLimit}

// signedContract stores a contract of two milestones (600 + 400 fen) on a
// new deal in commit and signs it, opening its project.
func signedContract(t *testing.T, db *store.DB, suffix string) (*crm.Contract, *crm.Deal, *crm.Project) {
	t.Helper()
	c, d, pr, err := signContract(t, db, suffix, nil)
	if err != nil {
		t.Fatal(err)
	}
	if pr.ID == 0 {
		t.Fatalf("project %+v", pr)
	}
	return c, d, pr
}

// signContract is signedContract with the signing's recheck of the gate
// (nil: none) and its error.
func signContract(t *testing.T, db *store.DB, suffix string, recheck func(ctx context.Context, d *crm.Deal) error) (*crm.Contract, *crm.Deal, *crm.Project, error) {
	t.Helper()
	ctx := context.Background()
	rep := mustUser(t, db, "crep"+suffix, crm.RoleRep, nil)
	acc := mustAccount(t, db, "乙公司"+suffix, rep.ID)
	d := mustDeal(t, db, &crm.Deal{AccountID: acc.ID, OwnerID: rep.ID, Title: "ERP", Stage: crm.StageCommit})
	p := mustProduct(t, db, "C-01"+suffix, 1000)
	q := mustQuote(t, db, newQuote(d, rep.ID, quoteLine(p, 1, 0)))
	due := crm.Date{Time: t0}
	c := &crm.Contract{Version: 1, DealID: d.ID, QuoteID: q.ID, Kind: crm.ContractSale, State: crm.ContractApproved,
		PartyOurs: "我方", PartyCustomer: acc.Name, Amount: 1000, PaymentMethod: "bank_transfer", CreatedBy: rep.ID,
		StateChangedAt: t0, CreatedAt: t0, UpdatedAt: t0,
		Milestones: []crm.Milestone{
			{Version: 1, Position: 1, Name: "首付", Amount: 600, Trigger: crm.TriggerSigning, DueOn: &due, UpdatedAt: t0},
			{Version: 1, Position: 2, Name: "尾款", Amount: 400, Trigger: crm.TriggerFinal, UpdatedAt: t0},
		}}
	if err := db.CreateContract(ctx, c, &crm.AuditEntry{ActorID: rep.ID, EntityType: "contract", Action: "create", CreatedAt: t0}); err != nil {
		t.Fatal(err)
	}
	if c.Number == "" || c.Milestones[1].ID == 0 {
		t.Fatalf("created %+v", c)
	}
	at := t0.Add(time.Hour)
	version := c.Version
	c.State, c.StateChangedAt, c.UpdatedAt = crm.ContractSigned, at, at
	d.Stage, d.StageChangedAt, d.UpdatedAt = crm.StageImplementation, at, at
	pr := &crm.Project{Version: 1, DealID: d.ID, ContractID: c.ID, Name: d.Title, State: crm.ProjectOpen,
		Steps: []crm.ProjectStep{{Key: "go_live"}, {Key: crm.StepFinalPayment}}, OpenedAt: at, CreatedAt: at, UpdatedAt: at}
	sg := &crm.ContractSigning{Contract: c, ExpectVersion: version, Deal: d, DealVersion: d.Version, Project: pr,
		Audits: []*crm.AuditEntry{{ActorID: rep.ID, EntityType: "project", Action: "open", CreatedAt: at}}}
	if recheck != nil {
		sg.Recheck = func(ctx context.Context) error { return recheck(ctx, d) }
	}
	if err := db.SignContract(ctx, sg); err != nil {
		return c, d, pr, err
	}
	if pr.ID == 0 || sg.Audits[0].EntityID != pr.ID {
		t.Fatalf("project %d, audit %+v", pr.ID, sg.Audits[0])
	}
	return c, d, pr, nil
}

// TestSignLocksDeal: a signing's recheck of the gate runs while the
// signing holds the deal, so a purchase condition written meanwhile waits
// for the signing to end; a recheck that fails writes nothing.
func TestSignLocksDeal(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		saved := make(chan error, 1)
		_, d, _, err := signContract(t, db, "lock", func(ctx context.Context, d *crm.Deal) error {
			at := t0.Add(2 * time.Hour)
			go func() {
				saved <- db.SaveConditions(context.Background(), d.ID, []crm.ConditionChange{{
					Condition: &crm.PurchaseCondition{Key: "commercial_clear", Met: false, UpdatedAt: &at},
					Audit:     &crm.AuditEntry{ActorID: d.OwnerID, EntityType: "deal", EntityID: d.ID, Action: "conditions", CreatedAt: at}}})
			}()
			select {
			case err := <-saved:
				return fmt.Errorf("a condition was written while the signing held the deal: %v", err)
			case <-time.After(300 * time.Millisecond):
				return nil
			}
		})
		if err != nil {
			t.Fatal(err)
		}
		if err := <-saved; err != nil {
			t.Fatalf("condition after the signing: %v", err)
		}
		if got, _ := db.DealByID(ctx, d.ID); got.Stage != crm.StageImplementation {
			t.Fatalf("deal %s", got.Stage)
		}

		refused := crm.GateUnmet(nil)
		c, d, pr, err := signContract(t, db, "refused", func(context.Context, *crm.Deal) error { return refused })
		if crm.ErrorCode(err) != crm.EGATEUNMET {
			t.Fatalf("signing with a failed recheck: %v", err)
		}
		got, err := db.ContractByID(ctx, c.ID)
		if err != nil || got.State != crm.ContractApproved || got.Version != 1 {
			t.Fatalf("contract after a failed recheck %+v %v", got, err)
		}
		if dd, _ := db.DealByID(ctx, d.ID); dd.Stage != crm.StageCommit || pr.ID != 0 {
			t.Fatalf("deal %s, project %d after a failed recheck", dd.Stage, pr.ID)
		}
	})
}

func TestContractPaymentsAndCompletion(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		c, d, pr := signedContract(t, db, "")
		got, err := db.ContractByID(ctx, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.State != crm.ContractSigned || got.Version != 2 || len(got.Milestones) != 2 || got.AccountID != d.AccountID {
			t.Fatalf("read back %+v", got)
		}
		dd, _ := db.DealByID(ctx, d.ID)
		if dd.Stage != crm.StageImplementation {
			t.Fatalf("deal stage %s", dd.Stage)
		}
		// Signing at a stale version changes nothing.
		if err := db.SignContract(ctx, &crm.ContractSigning{Contract: got, ExpectVersion: 1}); crm.ErrorCode(err) != crm.ECONFLICT {
			t.Fatalf("stale sign: %v", err)
		}
		if open, err := db.AccountOpenReceivables(ctx, d.AccountID); err != nil || open != 1000 {
			t.Fatalf("open %d %v", open, err)
		}
		states, err := db.DealContractStates(ctx, d.ID)
		if err != nil || len(states) != 1 || states[0] != crm.ContractSigned {
			t.Fatalf("states %v %v", states, err)
		}

		m1, m2 := got.Milestones[0], got.Milestones[1]
		pay := func(m crm.Milestone, amount int64, done *crm.PaymentCompletion) error {
			p := &crm.Payment{ContractID: c.ID, MilestoneID: m.ID, Amount: amount, ReceivedOn: crm.Date{Time: t0}, Method: "cash",
				RecordedBy: d.OwnerID, CreatedAt: t0}
			return db.RecordPayment(ctx, p, &crm.AuditEntry{ActorID: d.OwnerID, EntityType: "contract", EntityID: c.ID, Action: "payment", CreatedAt: t0}, done)
		}
		if err := pay(m1, 601, nil); crm.ErrorCode(err) != crm.ECONFLICT {
			t.Fatalf("over the milestone: %v", err)
		}
		if err := pay(m1, 600, nil); err != nil {
			t.Fatal(err)
		}
		overdue, err := db.Receivables(ctx, crm.ReceivableFilter{ListParams: lp, Scope: crm.Scope{All: true}, Overdue: true, Today: crm.DateOf(t0.AddDate(0, 0, 5))})
		if err != nil || len(overdue.Items) != 0 {
			t.Fatalf("overdue after paying the due milestone: %+v %v", overdue, err)
		}
		all, err := db.Receivables(ctx, crm.ReceivableFilter{ListParams: lp, Scope: crm.Scope{OwnerID: d.OwnerID}})
		if err != nil || len(all.Items) != 1 || all.Items[0].Open != 400 || all.Items[0].MilestoneID != m2.ID {
			t.Fatalf("receivables %+v %v", all, err)
		}
		// One owner's within a wider scope: the owner's, and nobody's else.
		for owner, want := range map[int64]int{d.OwnerID: 1, d.OwnerID + 1000: 0} {
			own, err := db.Receivables(ctx, crm.ReceivableFilter{ListParams: lp, Scope: crm.Scope{All: true}, OwnerID: &owner})
			if err != nil || len(own.Items) != want {
				t.Fatalf("receivables of owner %d: %+v %v, want %d", owner, own, err, want)
			}
		}
		// The last payment without a completion is refused: nothing written.
		if err := pay(m2, 400, nil); crm.ErrorCode(err) != crm.ECONFLICT {
			t.Fatalf("unexpected last payment: %v", err)
		}
		dd.Stage, dd.StageChangedAt, dd.UpdatedAt = crm.StageClosed, t0, t0
		done := &crm.PaymentCompletion{Contract: got, Deal: dd, DealVersion: dd.Version, At: t0,
			Audits: []*crm.AuditEntry{{ActorID: d.OwnerID, EntityType: "project", Action: "close", CreatedAt: t0}}}
		if err := pay(m2, 400, done); err != nil {
			t.Fatal(err)
		}
		got, _ = db.ContractByID(ctx, c.ID)
		prj, _ := db.ProjectByID(ctx, pr.ID)
		dd, _ = db.DealByID(ctx, d.ID)
		if got.State != crm.ContractCompleted || got.Paid != 1000 || prj.State != crm.ProjectClosed || prj.ClosedAt == nil ||
			!prj.Steps[1].Done || dd.Stage != crm.StageClosed || done.Audits[0].EntityID != pr.ID {
			t.Fatalf("completion: contract %s paid %d, project %+v, deal %s", got.State, got.Paid, prj, dd.Stage)
		}
		ps, err := db.ContractPayments(ctx, c.ID)
		if err != nil || len(ps) != 2 || ps[1].Amount != 400 || ps[0].ReceivedOn.String() != crm.DateOf(t0).String() {
			t.Fatalf("payments %+v %v", ps, err)
		}
	})
}

// TestPaymentRace records the same full payment from two goroutines: one
// wins, the other gets a conflict, and the milestone is paid once.
func TestPaymentRace(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		c, d, _ := signedContract(t, db, "r")
		m := c.Milestones[0]
		var wg sync.WaitGroup
		errs := make([]error, 2)
		for i := range errs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				p := &crm.Payment{ContractID: c.ID, MilestoneID: m.ID, Amount: 600, ReceivedOn: crm.Date{Time: t0}, Method: "cash",
					RecordedBy: d.OwnerID, CreatedAt: t0}
				errs[i] = db.RecordPayment(ctx, p, nil, nil)
			}()
		}
		wg.Wait()
		ok, conflicts := 0, 0
		for _, err := range errs {
			switch {
			case err == nil:
				ok++
			case crm.ErrorCode(err) == crm.ECONFLICT:
				conflicts++
			default:
				t.Fatal(err)
			}
		}
		got, _ := db.ContractByID(ctx, c.ID)
		if ok != 1 || conflicts != 1 || got.Milestones[0].Paid != 600 {
			t.Fatalf("ok %d conflicts %d paid %d (%v)", ok, conflicts, got.Milestones[0].Paid, errs)
		}
	})
}

func TestProjectTasksAndSteps(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		c, d, pr := signedContract(t, db, "p")
		list, err := db.ListProjects(ctx, crm.ProjectFilter{ListParams: lp, Scope: crm.Scope{OwnerID: d.OwnerID}, State: crm.ProjectOpen})
		if err != nil || len(list.Items) != 1 || list.Items[0].ID != pr.ID || len(list.Items[0].Steps) != 2 {
			t.Fatalf("list %+v %v", list, err)
		}
		if other, _ := db.ListProjects(ctx, crm.ProjectFilter{ListParams: lp, Scope: crm.Scope{OwnerID: d.OwnerID + 1000}}); len(other.Items) != 0 {
			t.Fatalf("another rep sees %+v", other)
		}
		p, _ := db.ProjectByID(ctx, pr.ID)
		day := crm.Date{Time: t0}
		p.GoLiveOn, p.Steps[0].Done = &day, true
		due := crm.Date{Time: t0.AddDate(0, 0, 30)}
		m := c.Milestones[1]
		m.DueOn = &due
		if err := db.UpdateProject(ctx, p, p.Version, []crm.Milestone{m}, nil); err != nil {
			t.Fatal(err)
		}
		if err := db.UpdateProject(ctx, p, 1, nil, nil); crm.ErrorCode(err) != crm.ECONFLICT {
			t.Fatalf("stale project update: %v", err)
		}
		got, _ := db.ContractByID(ctx, c.ID)
		if got.Milestones[1].DueOn == nil || got.Milestones[1].DueOn.String() != due.String() {
			t.Fatalf("due %+v", got.Milestones[1])
		}
		task := &crm.ProjectTask{Version: 1, ProjectID: p.ID, Title: "上线培训", OwnerID: d.OwnerID, DueOn: &due, CreatedAt: t0, UpdatedAt: t0}
		if err := db.CreateProjectTask(ctx, task); err != nil {
			t.Fatal(err)
		}
		task.Done = true
		if err := db.UpdateProjectTask(ctx, task, 1); err != nil {
			t.Fatal(err)
		}
		if err := db.UpdateProjectTask(ctx, task, 1); crm.ErrorCode(err) != crm.ECONFLICT {
			t.Fatalf("stale task: %v", err)
		}
		ts, err := db.ProjectTasks(ctx, p.ID)
		if err != nil || len(ts) != 1 || !ts[0].Done || ts[0].Version != 2 {
			t.Fatalf("tasks %+v %v", ts, err)
		}
	})
}
