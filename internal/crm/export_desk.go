package crm

import (
	"context"

	"github.com/dealpath/dealpath/internal/sheet"
)

// Export-only kinds: records a company wants out of dealpath but that are
// not created by import.
const (
	KindProducts = "products"
	KindQuotes   = "quotes"
)

// ExportKinds lists every kind Export writes: the importable kinds first,
// then the export-only ones.
var ExportKinds = []string{KindAccounts, KindContacts, KindDeals, KindActivities, KindProducts, KindQuotes}

// deskExportColumns are the columns of the export-only kinds. Quotes are
// written one row per quote line, the form that sums and filters in a
// spreadsheet; the quote's own figures repeat on each of its lines.
var deskExportColumns = map[string][]string{
	KindProducts: {"code", "name", "kind", "unit", "list_price", "active"},
	KindQuotes: {"number", "revision", "state", "deal", "account", "owner", "product_code", "product_name",
		"quantity", "unit_price", "discount_percent", "line_total", "quote_total", "valid_until"},
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
	if kind == KindProducts {
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
					"number": q.Number, "revision": q.Revision, "state": s.text(lang, Msg("import.quote_state."+q.State)),
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
