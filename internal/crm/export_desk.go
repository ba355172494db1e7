package crm

import (
	"context"

	"github.com/dealpath/dealpath/internal/sheet"
)

// Export-only kinds: records a company wants out of dealpath but that are
// not created by import.
const (
	KindProducts  = "products"
	KindQuotes    = "quotes"
	KindContracts = "contracts"
	// KindPayments is the payment milestones of contracts, with what has
	// been received against each.
	KindPayments = "payments"
	KindUsers    = "users"
	KindTeams    = "teams"
)

// ExportKinds lists every kind Export writes: the importable kinds first,
// then the export-only ones.
var ExportKinds = []string{KindAccounts, KindContacts, KindDeals, KindActivities,
	KindProducts, KindQuotes, KindContracts, KindPayments, KindUsers, KindTeams}

// deskExportColumns are the columns of the export-only kinds. Quotes are
// written one row per quote line, the form that sums and filters in a
// spreadsheet; the quote's own figures repeat on each of its lines.
var deskExportColumns = map[string][]string{
	KindProducts: {"code", "name", "kind", "unit", "list_price", "active"},
	KindQuotes: {"number", "revision", "state", "deal", "account", "owner", "product_code", "product_name",
		"quantity", "unit_price", "discount_percent", "line_total", "quote_total", "valid_until"},
	KindContracts: {"number", "kind", "state", "deal", "account", "owner", "amount", "paid", "open",
		"payment_method", "payment_days", "signed_on", "start_on", "end_on"},
	KindPayments: {"contract", "account", "owner", "milestone", "trigger", "due_on", "amount", "paid", "open", "paid_on"},
	// Users never include password hashes, sessions or tokens: only what
	// the admin's user list shows.
	KindUsers: {"username", "display_name", "email", "role", "team", "language", "disabled",
		"max_discount_percent", "credit_days", "credit_amount"},
	KindTeams: {"name", "members"},
}

// exportDesk fills t with the rows of an export-only kind, reading through
// the same list methods and scope as the API.
func (s *Service) exportDesk(ctx context.Context, actor Actor, kind, lang string, t *sheet.Table) error {
	cols := deskExportColumns[kind]
	for _, c := range cols {
		t.Columns = append(t.Columns, s.ImportFieldLabel(lang, kind, c))
	}
	add := func(row map[string]any) {
		cells := make([]any, len(cols))
		for i, c := range cols {
			cells[i] = row[c]
		}
		t.Rows = append(t.Rows, cells)
	}
	lp := ListParams{Limit: MaxLimit, Sort: "created_at"}
	switch kind {
	case KindUsers, KindTeams:
		if !actor.IsAdmin() {
			return Forbidden()
		}
		return s.exportPeople(ctx, actor, kind, lang, add)
	case KindContracts, KindPayments:
		return s.exportContracts(ctx, actor, kind, lang, add)
	case KindProducts:
		for {
			p, err := s.Products(ctx, actor, ProductFilter{ListParams: lp})
			if err != nil {
				return err
			}
			for _, pr := range p.Items {
				add(map[string]any{
					"code": pr.Code, "name": pr.Name.In(lang), "kind": s.text(lang, Msg("admin.product_kind."+pr.Kind)),
					"unit": pr.Unit, "list_price": sheet.Money(pr.ListPrice), "active": pr.Active,
				})
			}
			if p.NextCursor == "" {
				return nil
			}
			lp.Cursor = p.NextCursor
		}
	}
	x, err := s.newExporter(ctx, KindActivities, lang)
	if err != nil {
		return err
	}
	deals := map[int64]*Deal{}
	for {
		p, err := s.Quotes(ctx, actor, QuoteFilter{ListParams: lp})
		if err != nil {
			return err
		}
		for _, q := range p.Items {
			d, ok := deals[q.DealID]
			if !ok {
				if d, err = s.Deal(ctx, actor, q.DealID); err != nil {
					return err
				}
				deals[q.DealID] = d
			}
			for _, l := range q.Lines {
				add(map[string]any{
					"number": q.Number, "revision": q.Revision, "state": x.label("quote_state", q.State),
					"deal": d.Title, "account": x.accounts[d.AccountID].Name, "owner": x.users[q.OwnerID],
					"product_code": l.ProductCode, "product_name": l.ProductName.In(lang), "quantity": l.Quantity,
					"unit_price": sheet.Money(l.UnitPrice), "discount_percent": float64(l.DiscountBP) / 100,
					"line_total": sheet.Money(l.Total), "quote_total": sheet.Money(q.Total), "valid_until": sheet.Date(q.ValidUntil.Time),
				})
			}
		}
		if p.NextCursor == "" {
			return nil
		}
		lp.Cursor = p.NextCursor
	}
}

// exportContracts writes contracts, or their payment milestones one row
// each, as Service.Contracts lists them for the actor.
func (s *Service) exportContracts(ctx context.Context, actor Actor, kind, lang string, add func(map[string]any)) error {
	x, err := s.newExporter(ctx, KindActivities, lang)
	if err != nil {
		return err
	}
	desk := func(set, key string) any {
		if key == "" {
			return ""
		}
		return s.text(lang, Msg("desk.enum."+set+"."+key))
	}
	lp := ListParams{Limit: MaxLimit, Sort: "created_at"}
	for {
		p, err := s.Contracts(ctx, actor, ContractFilter{ListParams: lp})
		if err != nil {
			return err
		}
		for _, c := range p.Items {
			acc, owner := x.accounts[c.AccountID].Name, x.users[c.OwnerID]
			if kind == KindContracts {
				add(map[string]any{
					"number": c.Number, "kind": desk("contract_kind", c.Kind), "state": x.label("contract_state", c.State),
					"deal": x.deals[c.DealID], "account": acc, "owner": owner, "amount": sheet.Money(c.Amount),
					"paid": sheet.Money(c.Paid), "open": sheet.Money(c.Amount - c.Paid),
					"payment_method": desk("payment_method", c.PaymentMethod), "payment_days": c.PaymentDays,
					"signed_on": optDate(c.SignedOn), "start_on": optDate(c.StartOn), "end_on": optDate(c.EndOn),
				})
				continue
			}
			// The paid date of a milestone is the day of its latest payment.
			paidOn := map[int64]Date{}
			if c.Paid > 0 {
				pays, err := s.Payments(ctx, actor, c.ID)
				if err != nil {
					return err
				}
				for _, py := range pays {
					if d, ok := paidOn[py.MilestoneID]; !ok || py.ReceivedOn.After(d.Time) {
						paidOn[py.MilestoneID] = py.ReceivedOn
					}
				}
			}
			for _, m := range c.Milestones {
				var on any
				if d, ok := paidOn[m.ID]; ok {
					on = sheet.Date(d.Time)
				}
				add(map[string]any{
					"contract": c.Number, "account": acc, "owner": owner, "milestone": m.Name,
					"trigger": desk("trigger", m.Trigger), "due_on": optDate(m.DueOn), "amount": sheet.Money(m.Amount),
					"paid": sheet.Money(m.Paid), "open": sheet.Money(m.Open()), "paid_on": on,
				})
			}
		}
		if p.NextCursor == "" {
			return nil
		}
		lp.Cursor = p.NextCursor
	}
}

// exportPeople writes users or teams; the caller has checked that the
// actor is an admin.
func (s *Service) exportPeople(ctx context.Context, actor Actor, kind, lang string, add func(map[string]any)) error {
	users, err := s.Users(ctx, actor, UserFilter{IncludeDisabled: true})
	if err != nil {
		return err
	}
	teams, err := s.Teams(ctx, actor)
	if err != nil {
		return err
	}
	teamName := map[int64]string{}
	for _, t := range teams {
		teamName[t.ID] = t.Name
	}
	if kind == KindTeams {
		members := map[int64]int{}
		for _, u := range users {
			if u.TeamID != nil && !u.Disabled {
				members[*u.TeamID]++
			}
		}
		for _, t := range teams {
			add(map[string]any{"name": t.Name, "members": members[t.ID]})
		}
		return nil
	}
	for _, u := range users {
		team := ""
		if u.TeamID != nil {
			team = teamName[*u.TeamID]
		}
		add(map[string]any{
			"username": u.Username, "display_name": u.DisplayName, "email": u.Email,
			"role": s.text(lang, Msg("ui.role."+u.Role)), "team": team, "language": u.Language, "disabled": u.Disabled,
			"max_discount_percent": float64(u.MaxDiscountBP) / 100, "credit_days": u.CreditDays,
			"credit_amount": sheet.Money(u.CreditAmount),
		})
	}
	return nil
}
