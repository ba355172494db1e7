package store_test

import (
	"context"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/dealpath/dealpath/internal/crm"
	"github.com/dealpath/dealpath/internal/store"
	"github.com/dealpath/dealpath/internal/store/storetest"
)

func quoteID(q *crm.Quote) int64 { return q.ID }

// quoteLine is a priced line of product p.
func quoteLine(p *crm.Product, qty int64, bp int) crm.QuoteLine {
	list, discount, total, _ := crm.PriceLine(qty, p.ListPrice, bp)
	return crm.QuoteLine{ProductID: p.ID, ProductCode: p.Code, ProductName: p.Name, Kind: p.Kind, Unit: p.Unit, Quantity: qty,
		UnitPrice: p.ListPrice, DiscountBP: bp, ListAmount: list, DiscountAmount: discount, Total: total}
}

// newQuote is a draft on deal d with the lines, totals summed.
func newQuote(d *crm.Deal, by int64, lines ...crm.QuoteLine) *crm.Quote {
	q := &crm.Quote{Version: 1, DealID: d.ID, Revision: 1, State: crm.QuoteDraft, ValidUntil: *datep("2026-12-31"),
		PaymentDays: 30, Notes: "含首年维护", Lines: lines, CreatedBy: by, StateChangedAt: t0, CreatedAt: t0, UpdatedAt: t0}
	for _, l := range lines {
		q.ListTotal += l.ListAmount
		q.DiscountTotal += l.DiscountAmount
		q.Total += l.Total
		q.MaxDiscountBP = max(q.MaxDiscountBP, l.DiscountBP)
	}
	return q
}

func mustQuote(t *testing.T, db *store.DB, q *crm.Quote) *crm.Quote {
	t.Helper()
	if err := db.CreateQuote(context.Background(), q); err != nil {
		t.Fatalf("create quote: %v", err)
	}
	return q
}

func TestQuoteRoundTripAndDrafts(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		team := mustTeam(t, db, "华东")
		rep := mustUser(t, db, "rep1", crm.RoleRep, &team.ID)
		acc := mustAccount(t, db, "甲公司", rep.ID)
		d := mustDeal(t, db, &crm.Deal{AccountID: acc.ID, OwnerID: rep.ID, Title: "ERP"})
		fin, inv := mustProduct(t, db, "FIN-01", 3_800_000), mustProduct(t, db, "INV-01", 1_999_999)

		q := mustQuote(t, db, newQuote(d, rep.ID, quoteLine(fin, 1, 1500), quoteLine(inv, 3, 3333)))
		if q.ID == 0 || q.Number != fmt.Sprintf("Q%06d", q.ID) || q.OwnerID != rep.ID || q.OwnerTeamID != team.ID {
			t.Fatalf("after create: %+v", q)
		}
		got, err := db.QuoteByID(ctx, q.ID)
		if err != nil || !reflect.DeepEqual(got, q) {
			t.Fatalf("round trip: %v\n got %+v\nwant %+v", err, got, q)
		}
		_, err = db.QuoteByID(ctx, 99999)
		wantCode(t, err, crm.ENOTFOUND)

		// A later price change leaves the quote's copies alone.
		fin.ListPrice, fin.UpdatedAt = 9_999_900, t0.Add(time.Hour)
		if err := db.UpdateProduct(ctx, fin, 1, &crm.AuditEntry{EntityType: "product", EntityID: fin.ID, Action: "update", CreatedAt: t0}); err != nil {
			t.Fatal(err)
		}
		if got, _ := db.QuoteByID(ctx, q.ID); !reflect.DeepEqual(got, q) {
			t.Fatalf("price change altered the quote:\n got %+v\nwant %+v", got, q)
		}

		// A draft's lines are replaced whole.
		upd := *q
		upd.Lines = []crm.QuoteLine{quoteLine(inv, 7, 0)}
		upd.ListTotal, upd.DiscountTotal, upd.Total, upd.MaxDiscountBP = upd.Lines[0].ListAmount, 0, upd.Lines[0].Total, 0
		upd.PaymentDays, upd.Notes, upd.UpdatedAt = 0, "", t0.Add(2*time.Hour)
		if err := db.UpdateDraft(ctx, &upd, 1); err != nil || upd.Version != 2 {
			t.Fatalf("update draft: %v, version %d", err, upd.Version)
		}
		if got, _ := db.QuoteByID(ctx, q.ID); !reflect.DeepEqual(got, &upd) {
			t.Fatalf("after update:\n got %+v\nwant %+v", got, &upd)
		}
		stale := upd
		stale.Notes = "stale"
		wantCode(t, db.UpdateDraft(ctx, &stale, 1), crm.ECONFLICT)
		ghost := upd
		ghost.ID = 99999
		wantCode(t, db.UpdateDraft(ctx, &ghost, 1), crm.ENOTFOUND)

		// Only a draft is rewritten: once submitted, the same write is a
		// conflict.
		move := crm.SubjectMove{Kind: crm.ApprovalKindQuote, ID: q.ID, ExpectVersion: 2, From: crm.QuoteDraft, To: crm.QuoteApproved, At: t0.Add(3 * time.Hour)}
		if err := db.MoveSubject(ctx, move, nil); err != nil {
			t.Fatal(err)
		}
		wantCode(t, db.MoveSubject(ctx, move, nil), crm.ECONFLICT)
		wantCode(t, db.UpdateDraft(ctx, &upd, 3), crm.ECONFLICT)
		if got, _ := db.QuoteByID(ctx, q.ID); got.State != crm.QuoteApproved || got.Version != 3 || !got.StateChangedAt.Equal(move.At) || len(got.Lines) != 1 {
			t.Fatalf("after the move: %+v", got)
		}
		if states, err := db.DealQuoteStates(ctx, d.ID); err != nil || !reflect.DeepEqual(states, []string{crm.QuoteApproved}) {
			t.Fatalf("deal quote states: %v %v", states, err)
		}
		// A product that does not exist cannot be quoted, even by a
		// direct store caller.
		bad := newQuote(d, rep.ID, quoteLine(fin, 1, 0))
		bad.Lines[0].ProductID = 99999
		wantField(t, db.CreateQuote(ctx, bad), crm.EINVALID, "lines.0.product_id")

		// A deleted deal takes its quotes with it.
		if err := db.DeleteDeal(ctx, d.ID, 1, deleteAudit(rep.ID, "deal", d.ID)); err != nil {
			t.Fatal(err)
		}
		_, err = db.QuoteByID(ctx, q.ID)
		wantCode(t, err, crm.ENOTFOUND)
		wantCode(t, db.CreateQuote(ctx, newQuote(d, rep.ID, quoteLine(inv, 1, 0))), crm.ENOTFOUND)
	})
}

func TestReviseQuote(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		rep := mustUser(t, db, "rep1", crm.RoleRep, nil)
		acc := mustAccount(t, db, "甲公司", rep.ID)
		d := mustDeal(t, db, &crm.Deal{AccountID: acc.ID, OwnerID: rep.ID, Title: "ERP"})
		p := mustProduct(t, db, "CRM-01", 1_000_000)
		old := mustQuote(t, db, newQuote(d, rep.ID, quoteLine(p, 2, 500)))
		old.State = crm.QuoteApproved // as if approved: revise looks at no state
		at := t0.Add(time.Hour)
		revision := func() *crm.Quote {
			r := newQuote(d, rep.ID, old.Lines...)
			r.Number, r.Revision, r.RevisedFrom, r.CreatedAt, r.UpdatedAt, r.StateChangedAt = old.Number, 2, &old.ID, at, at, at
			return r
		}
		audits := func() []*crm.AuditEntry {
			return []*crm.AuditEntry{
				{ActorID: rep.ID, EntityType: "quote", EntityID: old.ID, Action: "revise", CreatedAt: at},
				{ActorID: rep.ID, EntityType: "quote", EntityID: 0, Action: "create_revision", CreatedAt: at},
			}
		}
		rev := revision()
		if err := db.ReviseQuote(ctx, old, 1, rev, audits()); err != nil {
			t.Fatal(err)
		}
		if rev.ID == 0 || rev.Number != old.Number || old.Version != 2 || old.SupersededBy == nil || *old.SupersededBy != rev.ID {
			t.Fatalf("after revise: old %+v rev %+v", old, rev)
		}
		got, _ := db.QuoteByID(ctx, old.ID)
		if got.SupersededBy == nil || *got.SupersededBy != rev.ID || got.Total != old.Total || !reflect.DeepEqual(got.Lines, old.Lines) {
			t.Fatalf("old after revise: %+v", got)
		}
		if got, _ := db.QuoteByID(ctx, rev.ID); !reflect.DeepEqual(got, rev) {
			t.Fatalf("revision round trip:\n got %+v\nwant %+v", got, rev)
		}
		wantAudit(t, db, "quote", old.ID, 1)
		wantAudit(t, db, "quote", rev.ID, 1)

		// A quote is revised once; a second revision of it is a conflict
		// and leaves nothing behind.
		wantCode(t, db.ReviseQuote(ctx, old, 2, revision(), audits()), crm.ECONFLICT)
		wantCode(t, db.ReviseQuote(ctx, old, 1, revision(), audits()), crm.ECONFLICT)
		if states, _ := db.DealQuoteStates(ctx, d.ID); !reflect.DeepEqual(states, []string{crm.QuoteDraft}) {
			t.Fatalf("current quotes: %v", states)
		}
		page, err := db.ListQuotes(ctx, crm.QuoteFilter{ListParams: crm.ListParams{Limit: 50}, Scope: crm.Scope{All: true}})
		if err != nil || len(page.Items) != 2 {
			t.Fatalf("quotes after refused revisions: %v %+v", err, page)
		}
		wantAudit(t, db, "quote", old.ID, 1)
	})
}

func TestListQuotes(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		east, north := mustTeam(t, db, "华东"), mustTeam(t, db, "华北")
		a := mustUser(t, db, "rep-a", crm.RoleRep, &east.ID)
		b := mustUser(t, db, "rep-b", crm.RoleRep, &east.ID)
		c := mustUser(t, db, "rep-c", crm.RoleRep, &north.ID)
		p := mustProduct(t, db, "FIN-01", 100_000)
		var deals []*crm.Deal
		for _, u := range []*crm.User{a, b, c} {
			acc := mustAccount(t, db, "客户 "+u.Username, u.ID)
			deals = append(deals, mustDeal(t, db, &crm.Deal{AccountID: acc.ID, OwnerID: u.ID, Title: "ERP " + u.Username}))
		}
		var all []*crm.Quote
		for i := range 9 {
			q := newQuote(deals[i%3], a.ID, quoteLine(p, int64(i+1), 0))
			q.CreatedAt = t0.Add(time.Duration(i) * time.Minute)
			all = append(all, mustQuote(t, db, q))
		}
		list := func(f crm.QuoteFilter) []int64 {
			t.Helper()
			f.Limit = 50
			page, err := db.ListQuotes(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			var ids []int64
			for _, q := range page.Items {
				if len(q.Lines) != 1 {
					t.Fatalf("quote %d listed with %d lines", q.ID, len(q.Lines))
				}
				ids = append(ids, q.ID)
			}
			return ids
		}
		ids := func(idx ...int) []int64 {
			var out []int64
			for _, i := range idx {
				out = append(out, all[i].ID)
			}
			return out
		}
		for _, tc := range []struct {
			name string
			f    crm.QuoteFilter
			want []int64
		}{
			{"rep a sees their deals' quotes, newest first", crm.QuoteFilter{Scope: crm.Scope{OwnerID: a.ID}}, ids(6, 3, 0)},
			{"a manager of the east sees the team's", crm.QuoteFilter{Scope: crm.Scope{TeamID: east.ID}}, ids(7, 6, 4, 3, 1, 0)},
			{"by deal", crm.QuoteFilter{Scope: crm.Scope{All: true}, DealID: &deals[2].ID}, ids(8, 5, 2)},
			{"by owner", crm.QuoteFilter{Scope: crm.Scope{All: true}, OwnerID: &b.ID}, ids(7, 4, 1)},
			{"by state", crm.QuoteFilter{Scope: crm.Scope{All: true}, State: crm.QuoteSent}, nil},
			{"by total", crm.QuoteFilter{Scope: crm.Scope{All: true}, ListParams: crm.ListParams{Sort: "-total"}}, ids(8, 7, 6, 5, 4, 3, 2, 1, 0)},
			{"by number", crm.QuoteFilter{Scope: crm.Scope{All: true}, ListParams: crm.ListParams{Q: all[4].Number}}, ids(4)},
		} {
			t.Run(tc.name, func(t *testing.T) {
				if got := list(tc.f); !reflect.DeepEqual(got, tc.want) {
					t.Fatalf("got %v, want %v", got, tc.want)
				}
			})
		}
		for _, sort := range []string{"", "created_at", "-updated_at", "number", "total", "-valid_until"} {
			got := walkPages(t, 2, quoteID, func(cursor string) (*crm.Page[*crm.Quote], error) {
				return db.ListQuotes(ctx, crm.QuoteFilter{Scope: crm.Scope{All: true}, ListParams: crm.ListParams{Limit: 2, Sort: sort, Cursor: cursor}})
			})
			if len(got) != 9 {
				t.Fatalf("sort %q: %d quotes through the pages", sort, len(got))
			}
		}
	})
}
