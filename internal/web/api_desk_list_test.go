package web_test

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/dealpath/dealpath/internal/crm"
)

// deskPage is one page of a deal desk list.
type deskPage[T any] struct {
	Items      []T    `json:"items"`
	NextCursor string `json:"next_cursor"`
	Total      *int   `json:"total"`
}

// readyToSign makes the deal pass every gate up to implementation and
// returns an approved sale contract from the desk's quote.
func (s *deskSetup) readyToSign(t *testing.T) crm.Contract {
	t.Helper()
	s.rc.do("PATCH", fmt.Sprintf("/api/v1/deals/%d", s.deal.ID), map[string]any{"version": s.deal.Version,
		"expected_close_date": "2026-12-31", "no_competitors": true}).ok(200, &s.deal)
	s.setConditions(conditionKeys...)
	var c crm.Contract
	s.rc.do("POST", "/api/v1/contracts", map[string]any{"quote_id": s.quote.ID, "payment_method": "cash"}).ok(201, &c)
	s.rc.do("POST", fmt.Sprintf("/api/v1/contracts/%d/submit", c.ID), map[string]any{"version": c.Version}).ok(200, &c)
	s.approve(*c.ApprovalID)
	return s.getContract(s.rc, c.ID)
}

// TestContractList: the contract list pages by cursor, sorts, searches
// the number and the deal's title, counts with with_total and keeps its
// filters and the caller's scope.
func TestContractList(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		s := newDesk(t, e)
		// Three contracts from one quote: each but the last cancelled, so
		// that a new one may be made.
		var made []crm.Contract
		for i := 0; i < 3; i++ {
			var c crm.Contract
			s.rc.do("POST", "/api/v1/contracts", map[string]any{"quote_id": s.quote.ID, "payment_method": "cash"}).ok(201, &c)
			if i < 2 {
				s.rc.do("POST", fmt.Sprintf("/api/v1/contracts/%d/cancel", c.ID), map[string]any{"version": c.Version}).ok(200, &c)
			}
			made = append(made, c)
			e.clock.Add(time.Minute)
		}
		list := func(c *client, query string) deskPage[crm.Contract] {
			t.Helper()
			var p deskPage[crm.Contract]
			c.do("GET", "/api/v1/contracts?"+query, nil).ok(200, &p)
			return p
		}
		ids := func(cs []crm.Contract) []int64 {
			var out []int64
			for _, c := range cs {
				out = append(out, c.ID)
			}
			return out
		}

		// Newest first, two to a page.
		p1 := list(s.rc, "limit=2&with_total=true")
		if p1.Total == nil || *p1.Total != 3 || p1.NextCursor == "" || !slices.Equal(ids(p1.Items), []int64{made[2].ID, made[1].ID}) ||
			len(p1.Items[0].Milestones) != 3 {
			t.Fatalf("first page %+v", p1)
		}
		p2 := list(s.rc, "limit=2&cursor="+url.QueryEscape(p1.NextCursor))
		if p2.NextCursor != "" || p2.Total != nil || !slices.Equal(ids(p2.Items), []int64{made[0].ID}) {
			t.Fatalf("second page %+v", p2)
		}
		if p := list(s.rc, "sort=number&limit=2"); !slices.Equal(ids(p.Items), []int64{made[0].ID, made[1].ID}) {
			t.Fatalf("by number %v", ids(p.Items))
		}
		// A cursor belongs to its sort.
		s.rc.do("GET", "/api/v1/contracts?sort=number&cursor="+url.QueryEscape(p1.NextCursor), nil).failField("cursor")
		s.rc.do("GET", "/api/v1/contracts?sort=party", nil).failField("sort")
		s.rc.do("GET", "/api/v1/contracts?limit=501", nil).failField("limit")

		if p := list(s.rc, "q="+url.QueryEscape(made[1].Number)); !slices.Equal(ids(p.Items), []int64{made[1].ID}) {
			t.Fatalf("by number %v", ids(p.Items))
		}
		if p := list(s.rc, "q="+url.QueryEscape("销存系")); len(p.Items) != 3 {
			t.Fatalf("by the deal's title %v", ids(p.Items))
		}
		if p := list(s.rc, "q=nothing-like-it"); len(p.Items) != 0 {
			t.Fatalf("no match %v", ids(p.Items))
		}
		if p := list(s.rc, "state=draft"); !slices.Equal(ids(p.Items), []int64{made[2].ID}) {
			t.Fatalf("drafts %v", ids(p.Items))
		}
		if p := list(s.rc, fmt.Sprintf("deal_id=%d&updated_since=%s", s.deal.ID, url.QueryEscape(made[2].UpdatedAt.Format(time.RFC3339Nano)))); !slices.Equal(ids(p.Items), []int64{made[2].ID}) {
			t.Fatalf("updated since the last %v", ids(p.Items))
		}
		if p := list(s.rc2, ""); len(p.Items) != 0 {
			t.Fatalf("another rep sees %v", ids(p.Items))
		}
		if p := list(s.mc, "with_total=true"); p.Total == nil || *p.Total != 3 {
			t.Fatalf("the manager sees %+v", p)
		}
	})
}

// TestOneLiveContractPerQuote: a second live contract from a quote is a
// conflict on quote_id; of two made at once exactly one is; a cancelled
// one frees the quote.
func TestOneLiveContractPerQuote(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		s := newDesk(t, e)
		in := map[string]any{"quote_id": s.quote.ID, "payment_method": "cash"}
		var c crm.Contract
		s.rc.do("POST", "/api/v1/contracts", in).ok(201, &c)
		if er := s.rc.do("POST", "/api/v1/contracts", in).fail(409, "conflict"); er.Error.Fields["quote_id"] == "" {
			t.Fatalf("no message on quote_id: %+v", er)
		}
		s.rc.do("POST", fmt.Sprintf("/api/v1/contracts/%d/cancel", c.ID), map[string]any{"version": c.Version}).ok(200, nil)

		clients := []*client{s.rc, s.rc}
		status := make([]int, len(clients))
		var wg sync.WaitGroup
		for i, cl := range clients {
			wg.Add(1)
			go func() {
				defer wg.Done()
				status[i] = cl.do("POST", "/api/v1/contracts", in).Status
			}()
		}
		wg.Wait()
		slices.Sort(status)
		if !slices.Equal(status, []int{201, 409}) {
			t.Fatalf("statuses %v, want one 201 and one 409", status)
		}
		var p deskPage[crm.Contract]
		s.rc.do("GET", fmt.Sprintf("/api/v1/contracts?deal_id=%d&state=draft&with_total=true", s.deal.ID), nil).ok(200, &p)
		if p.Total == nil || *p.Total != 1 {
			t.Fatalf("live drafts %+v", p)
		}
	})
}

// TestProjectAndReceivableLists: after a signing, the project and the
// contract's open milestones list in pages, sorted and searched.
func TestProjectAndReceivableLists(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		s := newDesk(t, e)
		c := s.readyToSign(t)
		s.rc.do("POST", fmt.Sprintf("/api/v1/contracts/%d/sign", c.ID), map[string]any{"version": c.Version, "signed_on": "2026-11-02"}).ok(200, &c)

		var pp deskPage[projectAnswer]
		s.rc.do("GET", "/api/v1/projects?limit=1&with_total=true&sort=-name&q="+url.QueryEscape("进销存"), nil).ok(200, &pp)
		if len(pp.Items) != 1 || pp.NextCursor != "" || pp.Total == nil || *pp.Total != 1 || pp.Items[0].ContractID != c.ID ||
			pp.Items[0].Steps[0].Text == "" {
			t.Fatalf("projects %+v", pp)
		}
		s.rc.do("GET", "/api/v1/projects?q=nothing-like-it", nil).ok(200, &pp)
		if len(pp.Items) != 0 {
			t.Fatalf("no match %+v", pp)
		}
		s.rc.do("GET", "/api/v1/projects?sort=go_live_on&state=open", nil).ok(200, &pp)
		s.rc.do("GET", "/api/v1/projects?sort=state", nil).failField("sort")

		// Twenty days on, the signing milestone (due on signing) is overdue.
		e.clock.Add(20 * 24 * time.Hour)
		var rp deskPage[crm.Receivable]
		s.rc.do("GET", "/api/v1/receivables?limit=2&with_total=true", nil).ok(200, &rp)
		if len(rp.Items) != 2 || rp.NextCursor == "" || rp.Total == nil || *rp.Total != 3 || rp.Items[0].MilestoneID != c.Milestones[0].ID ||
			rp.Items[0].DaysOverdue == 0 {
			t.Fatalf("first page %+v", rp)
		}
		seen := []int64{rp.Items[0].MilestoneID, rp.Items[1].MilestoneID}
		s.rc.do("GET", "/api/v1/receivables?limit=2&cursor="+url.QueryEscape(rp.NextCursor), nil).ok(200, &rp)
		if len(rp.Items) != 1 || rp.NextCursor != "" {
			t.Fatalf("second page %+v", rp)
		}
		seen = append(seen, rp.Items[0].MilestoneID)
		var want []int64
		for _, m := range c.Milestones {
			want = append(want, m.ID)
		}
		if slices.Sort(seen); !slices.Equal(seen, want) {
			t.Fatalf("paged %v, want %v", seen, want)
		}
		// The longest overdue first, page by page.
		s.rc.do("GET", "/api/v1/receivables?sort=-days_overdue&limit=1", nil).ok(200, &rp)
		if len(rp.Items) != 1 || rp.Items[0].MilestoneID != c.Milestones[0].ID || rp.Items[0].DaysOverdue != 20 || rp.NextCursor == "" {
			t.Fatalf("most overdue %+v", rp)
		}
		s.rc.do("GET", "/api/v1/receivables?sort=-days_overdue&limit=1&cursor="+url.QueryEscape(rp.NextCursor), nil).ok(200, &rp)
		if len(rp.Items) != 1 || rp.Items[0].DaysOverdue != 0 {
			t.Fatalf("next after the most overdue %+v", rp)
		}
		s.rc.do("GET", "/api/v1/receivables?sort=-open&q="+url.QueryEscape(c.Number), nil).ok(200, &rp)
		if len(rp.Items) != 3 || rp.Items[0].MilestoneID != c.Milestones[0].ID || rp.Items[2].MilestoneID != c.Milestones[2].ID {
			t.Fatalf("largest open first %+v", rp)
		}
		s.rc.do("GET", "/api/v1/receivables?sort=amount", nil).failField("sort")
		if s.rc2.do("GET", "/api/v1/receivables", nil).ok(200, &rp); len(rp.Items) != 0 {
			t.Fatalf("another rep sees %+v", rp)
		}
	})
}

// unmeetBeforeSign is the real store, but a purchase condition is un-met
// between the service's gate check and the signing's transaction.
type unmeetBeforeSign struct {
	crm.Store
	unmeet func()
}

func (u *unmeetBeforeSign) SignContract(ctx context.Context, sg *crm.ContractSigning) error {
	u.unmeet()
	return u.Store.SignContract(ctx, sg)
}

// TestSignRechecksGate: a condition un-met after the gate was checked but
// before the signing commits makes the signing fail with gate_unmet, and
// nothing changes.
func TestSignRechecksGate(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		s := newDesk(t, e)
		c := s.readyToSign(t)
		orig := e.svc.Store
		e.svc.Store = &unmeetBeforeSign{Store: orig, unmeet: func() { s.setConditions(conditionKeys[:5]...) }}
		got := unmetKeys(t, s.rc.do("POST", fmt.Sprintf("/api/v1/contracts/%d/sign", c.ID), map[string]any{"version": c.Version}))
		e.svc.Store = orig
		if !slices.Equal(got, []string{"commit/conditions_all_met[implementation_plan_confirmed]"}) {
			t.Fatalf("unmet %v", got)
		}
		if again := s.getContract(s.rc, c.ID); again.State != crm.ContractApproved || again.Version != c.Version {
			t.Fatalf("refused signing changed the contract: %+v", again)
		}
		if d := s.getDeal(); d.Stage != "negotiation" || d.Version != s.deal.Version {
			t.Fatalf("refused signing changed the deal: %+v", d)
		}
		if ps := s.projects(); len(ps) != 0 {
			t.Fatalf("refused signing opened a project: %+v", ps)
		}
		s.setConditions(conditionKeys...)
		s.rc.do("POST", fmt.Sprintf("/api/v1/contracts/%d/sign", c.ID), map[string]any{"version": c.Version}).ok(200, &c)
		if c.State != crm.ContractSigned {
			t.Fatalf("signed %+v", c)
		}
	})
}
