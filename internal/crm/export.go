package crm

import (
	"context"
	"strings"
	"time"

	"github.com/dealpath/dealpath/internal/sheet"
)

// exportColumns are the columns of each kind's export: the import's fields,
// so that an export imports again unchanged (contacts' first and last names
// are only a way in; the export writes the whole name).
func exportColumns(kind string) []string {
	var out []string
	for _, k := range ImportFieldKeys(kind) {
		if k != "first_name" && k != "last_name" {
			out = append(out, k)
		}
	}
	return out
}

// Export writes every record of a kind that the actor may see as a table
// with headings in lang. Value sets are written as their labels in lang,
// owners as usernames, references as the name (and credit code) of the
// record referred to, amounts in yuan, times in UTC with their zone:
// all forms the import reads back to the same values.
func (s *Service) Export(ctx context.Context, actor Actor, kind, lang string) (sheet.Table, error) {
	var v validator
	v.oneOf("kind", kind, ExportKinds, false)
	if err := v.err(); err != nil {
		return sheet.Table{}, err
	}
	if _, ok := deskExportColumns[kind]; ok {
		t := sheet.Table{Title: s.text(lang, Msg("import.kind."+kind)), Rows: [][]any{}}
		if err := s.exportDesk(ctx, actor, kind, lang, &t); err != nil {
			return sheet.Table{}, err
		}
		return t, nil
	}
	cols := exportColumns(kind)
	t := sheet.Table{Title: s.text(lang, Msg("import.kind."+kind)), Rows: [][]any{}}
	for _, c := range cols {
		t.Columns = append(t.Columns, s.ImportFieldLabel(lang, kind, c))
	}
	x, err := s.newExporter(ctx, kind, lang)
	if err != nil {
		return sheet.Table{}, err
	}
	scope := actor.Scope()
	lp := ListParams{Limit: MaxLimit, Sort: "created_at"}
	add := func(row map[string]any) {
		cells := make([]any, len(cols))
		for i, c := range cols {
			cells[i] = row[c]
		}
		t.Rows = append(t.Rows, cells)
	}
	for {
		var next string
		switch kind {
		case KindAccounts:
			p, err := s.Store.ListAccounts(ctx, AccountFilter{ListParams: lp, Scope: scope})
			if err != nil {
				return sheet.Table{}, err
			}
			for _, a := range p.Items {
				add(x.account(a))
			}
			next = p.NextCursor
		case KindContacts:
			p, err := s.Store.ListContacts(ctx, ContactFilter{ListParams: lp, Scope: scope})
			if err != nil {
				return sheet.Table{}, err
			}
			for _, c := range p.Items {
				add(x.contact(c))
			}
			next = p.NextCursor
		case KindDeals:
			p, err := s.Store.ListDeals(ctx, DealFilter{ListParams: lp, Scope: scope})
			if err != nil {
				return sheet.Table{}, err
			}
			for _, d := range p.Items {
				add(x.deal(d))
			}
			next = p.NextCursor
		default:
			p, err := s.Store.ListActivities(ctx, ActivityFilter{ListParams: lp, Scope: scope})
			if err != nil {
				return sheet.Table{}, err
			}
			for _, a := range p.Items {
				add(x.activity(a))
			}
			next = p.NextCursor
		}
		if next == "" {
			return t, nil
		}
		lp.Cursor = next
	}
}

// exporter holds the names that references are written as.
type exporter struct {
	s        *Service
	lang     string
	users    map[int64]string
	accounts map[int64]AccountRef
	deals    map[int64]string
	contacts map[int64]string
}

func (s *Service) newExporter(ctx context.Context, kind, lang string) (*exporter, error) {
	x := &exporter{s: s, lang: lang, users: map[int64]string{}, accounts: map[int64]AccountRef{}, deals: map[int64]string{}, contacts: map[int64]string{}}
	users, err := s.Store.ListUsers(ctx, UserFilter{IncludeDisabled: true})
	if err != nil {
		return nil, err
	}
	for _, u := range users {
		x.users[u.ID] = u.Username
	}
	if kind == KindAccounts {
		return x, nil
	}
	accs, err := s.Store.AccountRefs(ctx)
	if err != nil {
		return nil, err
	}
	for _, a := range accs {
		x.accounts[a.ID] = a
	}
	if kind == KindActivities {
		ds, err := s.Store.DealRefs(ctx)
		if err != nil {
			return nil, err
		}
		for _, d := range ds {
			x.deals[d.ID] = d.Title
		}
		cs, err := s.Store.ContactRefs(ctx)
		if err != nil {
			return nil, err
		}
		for _, c := range cs {
			x.contacts[c.ID] = c.Name
		}
	}
	return x, nil
}

func (x *exporter) label(set, key string) any {
	if key == "" {
		return ""
	}
	return x.s.text(x.lang, Msg("enum."+set+"."+key))
}

func optInt(p *int) any {
	if p == nil {
		return nil
	}
	return *p
}

func optMoney(p *int64) any {
	if p == nil {
		return nil
	}
	return sheet.Money(*p)
}

func optDate(d *Date) any {
	if d == nil {
		return nil
	}
	return sheet.Date(d.Time)
}

// stamp writes a time exactly, as text: a spreadsheet's date-time cell
// keeps only what its format shows.
func stamp(t *time.Time) any {
	if t == nil {
		return nil
	}
	return t.UTC().Format(time.RFC3339Nano)
}

func (x *exporter) account(a *Account) map[string]any {
	sw := make([]string, len(a.ExistingSoftware))
	for i, k := range a.ExistingSoftware {
		sw[i] = x.label("software", k).(string)
	}
	return map[string]any{
		"name": a.Name, "credit_code": a.CreditCode, "owner": x.users[a.OwnerID], "headcount": optInt(a.Headcount),
		"business_kind": x.label("business_kind", a.BusinessKind), "industry": x.label("industry", a.Industry),
		"ownership": x.label("ownership", a.Ownership), "restructured_on": optDate(a.RestructuredOn),
		"just_restructured": a.JustRestructured, "revenue_last_year": optMoney(a.RevenueLastYear),
		"gross_profit": optMoney(a.GrossProfit), "existing_software": strings.Join(sw, "; "),
		"branch_count": optInt(a.BranchCount), "purchase_plan": x.label("purchase_plan", a.PurchasePlan),
		"region": a.Region, "address": a.Address, "phone": a.Phone, "website": a.Website, "credit_limit": sheet.Money(a.CreditLimit),
	}
}

func (x *exporter) contact(c *Contact) map[string]any {
	acc := x.accounts[c.AccountID]
	return map[string]any{
		"account": acc.Name, "account_credit_code": acc.CreditCode, "name": c.Name, "title": c.Title,
		"functional_role": x.label("functional_role", c.FunctionalRole), "phone": c.Phone, "email": c.Email,
		"wechat": c.WeChat, "notes": c.Notes,
	}
}

func (x *exporter) deal(d *Deal) map[string]any {
	acc := x.accounts[d.AccountID]
	stage := d.Stage
	if st := x.s.Playbook.Stage(d.Stage); st != nil {
		stage = st.Name.In(x.lang)
	}
	return map[string]any{
		"title": d.Title, "account": acc.Name, "account_credit_code": acc.CreditCode, "owner": x.users[d.OwnerID],
		"stage": stage, "amount": sheet.Money(d.Amount), "expected_close_date": optDate(d.ExpectedCloseDate),
		"probability": d.Probability, "next_step": d.NextStep, "lost_reason": d.LostReason, "no_competitors": d.NoCompetitors,
	}
}

func (x *exporter) activity(a *Activity) map[string]any {
	row := map[string]any{
		"type": x.s.text(x.lang, Msg("ui.activity_type."+a.Type)), "subject": a.Subject, "due_at": stamp(a.DueAt),
		"done_at": stamp(a.DoneAt), "owner": x.users[a.OwnerID], "notes": a.Notes,
	}
	if a.AccountID != nil {
		acc := x.accounts[*a.AccountID]
		row["account"], row["account_credit_code"] = acc.Name, acc.CreditCode
	}
	if a.DealID != nil {
		row["deal"] = x.deals[*a.DealID]
	}
	if a.ContactID != nil {
		row["contact"] = x.contacts[*a.ContactID]
	}
	return row
}
