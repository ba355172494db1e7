package web

import (
	"context"
	"net/http"

	"github.com/dealpath/dealpath/internal/crm"
)

// myDayDeals caps the deals My day shows: the closest expected close dates
// first; the pipeline has the rest.
const myDayDeals = 20

// myDayView is 我的一天: what the signed-in user should do today.
type myDayView struct {
	Today      crm.Date
	Tasks      []taskRow
	Overdue    int
	Deals      []dealRow
	MoreDeals  int
	Stalled    int
	Approver   bool
	Approvals  []approvalRow
	Payments   []paymentRow
	PaymentDue int64
}

type taskRow struct {
	Subject   string
	TypeLabel string
	Due       string
	Overdue   bool
	Deal      string
}

type dealRow struct {
	ID          int64
	Title       string
	Account     string
	Stage       string
	Amount      int64
	CloseDate   string
	Late        bool
	Stalled     bool
	DaysInStage int
	MaxDays     int
	Health      int
	Actions     []string
	Unmet       []string
}

type approvalRow struct {
	Kind    string
	Deal    string
	Reasons string
	Since   string
}

type paymentRow struct {
	Account   string
	Contract  string
	Milestone string
	Open      int64
	Due       string
	Overdue   int
}

func (s *Server) myDay(w http.ResponseWriter, r *http.Request, sess *uiSession) error {
	ctx, actor := r.Context(), sess.actor
	p := s.newPage(w, r, sess, "ui.my_day.title", "my_day")
	now := s.svc.Now().UTC()
	today := crm.DateOf(now)
	tomorrow := today.AddDate(0, 0, 1)
	weekEnd := today.AddDate(0, 0, 7)
	v := &myDayView{Today: today}
	me := actor.UserID

	accounts := map[int64]string{}
	accountName := func(id int64) string {
		if n, ok := accounts[id]; ok {
			return n
		}
		n := ""
		if a, err := s.svc.Account(ctx, actor, id); err == nil {
			n = a.Name
		}
		accounts[id] = n
		return n
	}

	// My deals, open ones only, closest close date first.
	deals, err := s.svc.Deals(ctx, actor, crm.DealFilter{OwnerID: &me, ListParams: crm.ListParams{Limit: crm.MaxLimit, Sort: "expected_close_date", WithTotal: true}})
	if err != nil {
		return err
	}
	titles := map[int64]string{}
	var open []*crm.Deal
	for _, d := range deals.Items {
		titles[d.ID] = d.Title
		if d.Stage != "closed" && d.Stage != "lost" {
			open = append(open, d)
		}
	}
	openCount, err := s.myOpenDeals(ctx, actor, deals, len(open))
	if err != nil {
		return err
	}
	if len(open) > myDayDeals {
		open = open[:myDayDeals]
	}
	v.MoreDeals = max(0, openCount-len(open))
	for _, d := range open {
		g, err := s.svc.DealGuidance(ctx, actor, d.ID)
		if err != nil {
			return err
		}
		h, err := s.svc.DealHealth(ctx, actor, d.ID)
		if err != nil {
			return err
		}
		row := dealRow{ID: d.ID, Title: d.Title, Account: accountName(d.AccountID), Stage: s.stageName(d.Stage, p.Lang), Amount: d.Amount,
			Stalled: g.Stalled, DaysInStage: g.DaysInStage, MaxDays: g.MaxDays, Health: h.Score}
		if d.ExpectedCloseDate != nil {
			row.CloseDate = d.ExpectedCloseDate.String()
			row.Late = d.ExpectedCloseDate.Before(today.Time)
		}
		for i, a := range g.NextActions {
			if i == 3 {
				break
			}
			row.Actions = append(row.Actions, a.Text.In(p.Lang))
		}
		for _, u := range g.Unmet {
			row.Unmet = append(row.Unmet, u.Label.In(p.Lang))
		}
		if g.Stalled {
			v.Stalled++
		}
		v.Deals = append(v.Deals, row)
	}

	// My open tasks due today or earlier.
	openOnly := true
	acts, err := s.svc.Activities(ctx, actor, crm.ActivityFilter{OwnerID: &me, Open: &openOnly, ListParams: crm.ListParams{Limit: crm.MaxLimit, Sort: "due_at"}})
	if err != nil {
		return err
	}
	for _, a := range acts.Items {
		if a.DueAt == nil || !a.DueAt.Before(tomorrow) {
			continue
		}
		row := taskRow{Subject: a.Subject, TypeLabel: p.T("ui.activity_type." + a.Type), Overdue: a.DueAt.Before(today.Time)}
		if row.Overdue {
			row.Due = a.DueAt.UTC().Format("2006-01-02")
			v.Overdue++
		} else {
			row.Due = a.DueAt.UTC().Format("15:04")
		}
		if a.DealID != nil {
			row.Deal = titles[*a.DealID]
		}
		v.Tasks = append(v.Tasks, row)
	}

	// Approvals waiting for me (managers and admins decide them).
	if actor.Role == crm.RoleManager || actor.Role == crm.RoleAdmin {
		v.Approver = true
		aps, err := s.svc.Approvals(ctx, actor, crm.ApprovalFilter{AssignedTo: &me, Status: crm.ApprovalPending, ListParams: crm.ListParams{Limit: 50, Sort: "created_at"}})
		if err != nil {
			return err
		}
		for _, a := range aps.Items {
			row := approvalRow{Kind: p.T("ui.approval_kind." + a.Kind), Since: a.CreatedAt.UTC().Format("2006-01-02")}
			if d, err := s.svc.Deal(ctx, actor, a.DealID); err == nil {
				row.Deal = d.Title
			}
			row.Reasons = s.svc.ApprovalReasonsText(p.Lang, a.Reasons)
			v.Approvals = append(v.Approvals, row)
		}
	}

	// Payments due this week or overdue on my deals.
	recs, err := s.svc.Receivables(ctx, actor, crm.ReceivableFilter{OwnerID: &me, ListParams: crm.ListParams{Limit: crm.MaxLimit, Sort: "due_on"}})
	if err != nil {
		return err
	}
	for _, rc := range recs.Items {
		if rc.Open <= 0 || rc.DueOn == nil || !rc.DueOn.Before(weekEnd) {
			continue
		}
		v.Payments = append(v.Payments, paymentRow{Account: accountName(rc.AccountID), Contract: rc.ContractNumber,
			Milestone: rc.MilestoneName, Open: rc.Open, Due: rc.DueOn.String(), Overdue: rc.DaysOverdue})
		v.PaymentDue += rc.Open
	}

	p.Data = v
	s.render(w, p, "my_day")
	return nil
}

// myOpenDeals counts the viewer's open deals. When the first page held
// them all it is the open ones on it; otherwise all the viewer's deals
// less the closed and lost ones, each total read from the summaries the
// deal list's totals use, not by reading the deals.
func (s *Server) myOpenDeals(ctx context.Context, actor crm.Actor, first *crm.Page[*crm.Deal], openOnPage int) (int, error) {
	if first.NextCursor == "" || first.Total == nil {
		return openOnPage, nil
	}
	me, n := actor.UserID, *first.Total
	for _, stage := range []string{"closed", "lost"} {
		p, err := s.svc.Deals(ctx, actor, crm.DealFilter{OwnerID: &me, Stage: stage, ListParams: crm.ListParams{Limit: 1, WithTotal: true}})
		if err != nil {
			return 0, err
		}
		if p.Total != nil {
			n -= *p.Total
		}
	}
	return n, nil
}

// stageName is a stage's name in the reader's language.
func (s *Server) stageName(key, lang string) string {
	for _, st := range s.svc.Playbook.Stages {
		if st.Key == key {
			return st.Name.In(lang)
		}
	}
	return key
}
