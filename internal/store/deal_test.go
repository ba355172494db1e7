package store_test

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/dealpath/dealpath/internal/crm"
	"github.com/dealpath/dealpath/internal/store"
	"github.com/dealpath/dealpath/internal/store/storetest"
)

func dealID(d *crm.Deal) int64 { return d.ID }

func datep(s string) *crm.Date {
	d, err := crm.ParseDate(s)
	if err != nil {
		panic(err)
	}
	return &d
}

func TestDealRoundTrip(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		team := mustTeam(t, db, "华北")
		owner := mustUser(t, db, "rep1", crm.RoleRep, &team.ID)
		loner := mustUser(t, db, "loner", crm.RoleRep, nil)
		acc := mustAccount(t, db, "北京示例机械有限公司", owner.ID)
		for _, tc := range []struct {
			name     string
			d        crm.Deal
			wantTeam int64
		}{
			{"every field", crm.Deal{AccountID: acc.ID, OwnerID: owner.ID, Title: "进销存与财务一体化项目", Stage: "negotiation",
				Amount: 36_800_000, ExpectedCloseDate: datep("2026-12-31"), Probability: 60, NextStep: "周三与财务总监确认报价",
				LostReason: "", StageChangedAt: t0.Add(-72 * time.Hour), CreatedAt: t0.Add(-96 * time.Hour), UpdatedAt: t0}, team.ID},
			{"lost, no close date, teamless owner", crm.Deal{AccountID: acc.ID, OwnerID: loner.ID, Title: "旧系统替换", Stage: "lost",
				LostReason: "预算取消；明年再议", StageChangedAt: t0, CreatedAt: t0, UpdatedAt: t0}, 0},
		} {
			t.Run(tc.name, func(t *testing.T) {
				d := tc.d
				d.Version = 1
				if err := db.CreateDeal(ctx, &d); err != nil {
					t.Fatal(err)
				}
				if d.ID == 0 || d.OwnerTeamID != tc.wantTeam {
					t.Fatalf("after create: %+v", d)
				}
				got, err := db.DealByID(ctx, d.ID)
				if err != nil {
					t.Fatal(err)
				}
				if !reflect.DeepEqual(got, &d) {
					t.Fatalf("round trip:\n got %+v\nwant %+v", got, &d)
				}
			})
		}
		_, err := db.DealByID(ctx, 9999)
		wantCode(t, err, crm.ENOTFOUND)
	})
}

func TestDealCreateRefusesBadReferences(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		u := mustUser(t, db, "rep1", crm.RoleRep, nil)
		acc := mustAccount(t, db, "甲公司", u.ID)
		gone := mustAccount(t, db, "已删除公司", u.ID)
		if err := db.DeleteAccount(ctx, gone.ID, 1, deleteAudit(u.ID, "account", gone.ID)); err != nil {
			t.Fatal(err)
		}
		for _, tc := range []struct {
			name           string
			account, owner int64
			field          string
		}{
			{"missing account", 9999, u.ID, "account_id"},
			{"deleted account", gone.ID, u.ID, "account_id"},
			{"missing owner", acc.ID, 9999, "owner_id"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				d := &crm.Deal{Version: 1, AccountID: tc.account, OwnerID: tc.owner, Title: "x", Stage: "prospecting",
					StageChangedAt: t0, CreatedAt: t0, UpdatedAt: t0}
				wantField(t, db.CreateDeal(ctx, d), crm.EINVALID, tc.field)
			})
		}
		p, err := db.ListDeals(ctx, crm.DealFilter{Scope: crm.Scope{All: true}, ListParams: crm.ListParams{Limit: 10, WithTotal: true}})
		if err != nil || *p.Total != 0 {
			t.Fatalf("deals after refused creates: %+v, %v", p, err)
		}
	})
}

func TestDealUpdate(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		north := mustTeam(t, db, "华北")
		south := mustTeam(t, db, "华南")
		r1 := mustUser(t, db, "r1", crm.RoleRep, &north.ID)
		r2 := mustUser(t, db, "r2", crm.RoleRep, &south.ID)
		acc := mustAccount(t, db, "甲公司", r1.ID)
		d := mustDeal(t, db, &crm.Deal{AccountID: acc.ID, OwnerID: r1.ID, Title: "一期", Amount: 100, ExpectedCloseDate: datep("2026-12-01"), Probability: 10})
		reread := func() *crm.Deal {
			t.Helper()
			got, err := db.DealByID(ctx, d.ID)
			if err != nil {
				t.Fatal(err)
			}
			return got
		}

		// Every writable field changes; the close date is cleared; no audit
		// row is asked for, so none is written.
		upd := *d
		upd.OwnerID, upd.Title, upd.Stage, upd.Amount, upd.ExpectedCloseDate = r2.ID, "一期（扩容）", "demo", 250_000_00, nil
		upd.Probability, upd.NextStep, upd.LostReason = 35, "安排上门演示", "原因"
		upd.StageChangedAt, upd.UpdatedAt = t0.Add(time.Hour), t0.Add(2*time.Hour)
		if err := db.UpdateDeal(ctx, &upd, 1, nil); err != nil {
			t.Fatal(err)
		}
		if upd.Version != 2 || upd.OwnerTeamID != south.ID {
			t.Fatalf("after update: version %d, owner team %d", upd.Version, upd.OwnerTeamID)
		}
		if got := reread(); !reflect.DeepEqual(got, &upd) {
			t.Fatalf("after update:\n got %+v\nwant %+v", got, &upd)
		}
		wantAudit(t, db, "deal", d.ID, 0)

		// With an audit row: both land.
		move := upd
		move.Stage, move.ExpectedCloseDate, move.StageChangedAt, move.UpdatedAt = "negotiation", datep("2027-01-15"), t0.Add(3*time.Hour), t0.Add(3*time.Hour)
		audit := &crm.AuditEntry{ActorID: r2.ID, EntityType: "deal", EntityID: d.ID, Action: "stage",
			Before: `{"stage":"demo"}`, After: `{"stage":"negotiation"}`, Reason: "客户确认预算", CreatedAt: t0.Add(3 * time.Hour)}
		if err := db.UpdateDeal(ctx, &move, 2, audit); err != nil {
			t.Fatal(err)
		}
		if got := reread(); !reflect.DeepEqual(got, &move) {
			t.Fatalf("after stage move:\n got %+v\nwant %+v", got, &move)
		}
		log := wantAudit(t, db, "deal", d.ID, 1)
		if want := *audit; !reflect.DeepEqual(log[0], &want) || audit.ID == 0 {
			t.Fatalf("audit row:\n got %+v\nwant %+v", log[0], audit)
		}

		// Refusals change nothing and write no audit row.
		for _, tc := range []struct {
			name    string
			id      int64
			version int64
			owner   int64
			code    string
		}{
			{"stale version", d.ID, 2, r1.ID, crm.ECONFLICT},
			{"future version", d.ID, 9, r1.ID, crm.ECONFLICT},
			{"missing deal", 9999, 1, r1.ID, crm.ENOTFOUND},
			{"unknown owner", d.ID, 3, 9999, crm.EINVALID},
		} {
			t.Run(tc.name, func(t *testing.T) {
				x := move
				x.ID, x.OwnerID, x.Title, x.UpdatedAt = tc.id, tc.owner, "不应写入", t0.Add(9*time.Hour)
				a := *audit
				a.ID, a.EntityID = 0, tc.id
				wantCode(t, db.UpdateDeal(ctx, &x, tc.version, &a), tc.code)
				if got := reread(); !reflect.DeepEqual(got, &move) {
					t.Fatalf("refused update changed the deal: %+v", got)
				}
				wantAudit(t, db, "deal", d.ID, 1)
				wantAudit(t, db, "deal", 9999, 0)
			})
		}

		// A deleted deal cannot be updated.
		if err := db.DeleteDeal(ctx, d.ID, 3, deleteAudit(r1.ID, "deal", d.ID)); err != nil {
			t.Fatal(err)
		}
		wantCode(t, db.UpdateDeal(ctx, &move, 4, nil), crm.ENOTFOUND)
	})
}

func TestDealDelete(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		u := mustUser(t, db, "rep1", crm.RoleRep, nil)
		acc := mustAccount(t, db, "甲公司", u.ID)
		d := mustDeal(t, db, &crm.Deal{AccountID: acc.ID, OwnerID: u.ID, Title: "待删除"})
		keep := mustDeal(t, db, &crm.Deal{AccountID: acc.ID, OwnerID: u.ID, Title: "保留"})

		wantCode(t, db.DeleteDeal(ctx, d.ID, 2, deleteAudit(u.ID, "deal", d.ID)), crm.ECONFLICT)
		wantCode(t, db.DeleteDeal(ctx, 9999, 1, deleteAudit(u.ID, "deal", 9999)), crm.ENOTFOUND)
		wantAudit(t, db, "deal", d.ID, 0)
		if err := db.DeleteDeal(ctx, d.ID, 1, deleteAudit(u.ID, "deal", d.ID)); err != nil {
			t.Fatal(err)
		}
		_, err := db.DealByID(ctx, d.ID)
		wantCode(t, err, crm.ENOTFOUND)
		wantCode(t, db.DeleteDeal(ctx, d.ID, 2, deleteAudit(u.ID, "deal", d.ID)), crm.ENOTFOUND)
		log := wantAudit(t, db, "deal", d.ID, 1)
		if log[0].Action != "delete" || log[0].ActorID != u.ID || log[0].EntityType != "deal" {
			t.Fatalf("audit row: %+v", log[0])
		}
		p, err := db.ListDeals(ctx, crm.DealFilter{Scope: crm.Scope{All: true}, ListParams: crm.ListParams{Limit: 10, WithTotal: true}})
		if err != nil || *p.Total != 1 || len(p.Items) != 1 || p.Items[0].ID != keep.ID {
			t.Fatalf("list after delete: %+v, %v", p, err)
		}
	})
}

func TestDealList(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		team := mustTeam(t, db, "华东")
		other := mustTeam(t, db, "华西")
		r1 := mustUser(t, db, "r1", crm.RoleRep, &team.ID)
		r2 := mustUser(t, db, "r2", crm.RoleRep, &team.ID)
		r3 := mustUser(t, db, "r3", crm.RoleRep, &other.ID)
		r4 := mustUser(t, db, "r4", crm.RoleRep, nil)
		m := mustUser(t, db, "m", crm.RoleManager, &team.ID)
		owners := []*crm.User{r1, r2, r3, r4, m}
		accs := []*crm.Account{mustAccount(t, db, "一号公司", r1.ID), mustAccount(t, db, "二号公司", r3.ID), mustAccount(t, db, "三号公司", r4.ID)}
		stages := []string{"prospecting", "qualification", "demo", "lost"}
		closes := []*crm.Date{nil, datep("2026-12-31"), datep("2026-11-30"), nil, datep("2027-03-01"), datep("2026-12-31"), nil}

		// Every sort key repeats and a third of the close dates are unknown,
		// so pages end inside runs of equal keys and among the NULLs.
		var all []*crm.Deal
		for i := range 26 {
			created := t0.Add(time.Duration(i%6) * time.Hour)
			all = append(all, mustDeal(t, db, &crm.Deal{AccountID: accs[i%len(accs)].ID, OwnerID: owners[i%len(owners)].ID,
				Title: fmt.Sprintf("商机%02d", i%9), Stage: stages[i%len(stages)], Amount: int64(i%4) * 1_000_000,
				ExpectedCloseDate: closes[i%len(closes)], Probability: (i % 3) * 25,
				CreatedAt: created, UpdatedAt: created.Add(time.Duration(i%5) * time.Minute)}))
		}
		all = append(all, mustDeal(t, db, &crm.Deal{AccountID: accs[0].ID, OwnerID: r1.ID, Title: "ERP_50% Upgrade"}))
		gone := mustDeal(t, db, &crm.Deal{AccountID: accs[0].ID, OwnerID: r1.ID, Title: "商机00"})
		if err := db.DeleteDeal(ctx, gone.ID, 1, deleteAudit(r1.ID, "deal", gone.ID)); err != nil {
			t.Fatal(err)
		}

		keys := map[string]func(d *crm.Deal) string{
			"title":               func(d *crm.Deal) string { return d.Title },
			"amount":              func(d *crm.Deal) string { return intKey(d.Amount) },
			"probability":         func(d *crm.Deal) string { return intKey(int64(d.Probability)) },
			"expected_close_date": func(d *crm.Deal) string { return nullDateKey(d.ExpectedCloseDate) },
			"created_at":          func(d *crm.Deal) string { return timeKey(d.CreatedAt) },
			"updated_at":          func(d *crm.Deal) string { return timeKey(d.UpdatedAt) },
		}
		for _, sort := range []string{"", "expected_close_date", "-expected_close_date", "title", "-title", "amount", "-amount",
			"probability", "-probability", "created_at", "-created_at", "updated_at", "-updated_at"} {
			for _, limit := range []int{1, 4, 7} {
				t.Run(fmt.Sprintf("sort=%s/limit=%d", sort, limit), func(t *testing.T) {
					field, desc := sort, false
					if field == "" {
						field = "expected_close_date"
					} else if field[0] == '-' {
						field, desc = field[1:], true
					}
					var items []keyed
					for _, d := range all {
						items = append(items, keyed{keys[field](d), d.ID})
					}
					got := walkPages(t, limit, dealID, func(cursor string) (*crm.Page[*crm.Deal], error) {
						return db.ListDeals(ctx, crm.DealFilter{Scope: crm.Scope{All: true}, ListParams: crm.ListParams{Limit: limit, Sort: sort, Cursor: cursor}})
					})
					if want := wantOrder(items, desc); !slices.Equal(got, want) {
						t.Fatalf("order\n got %v\nwant %v", got, want)
					}
				})
			}
		}

		// A filtered list pages through the same filter.
		t.Run("filtered pages", func(t *testing.T) {
			var items []keyed
			for _, d := range all {
				if d.Stage == "prospecting" {
					items = append(items, keyed{nullDateKey(d.ExpectedCloseDate), d.ID})
				}
			}
			got := walkPages(t, 2, dealID, func(cursor string) (*crm.Page[*crm.Deal], error) {
				return db.ListDeals(ctx, crm.DealFilter{Scope: crm.Scope{All: true}, Stage: "prospecting", ListParams: crm.ListParams{Limit: 2, Sort: "-expected_close_date", Cursor: cursor}})
			})
			if want := wantOrder(items, true); !slices.Equal(got, want) {
				t.Fatalf("order\n got %v\nwant %v", got, want)
			}
		})

		// A cursor belongs to its sort.
		t.Run("cursor of another sort", func(t *testing.T) {
			p, err := db.ListDeals(ctx, crm.DealFilter{Scope: crm.Scope{All: true}, ListParams: crm.ListParams{Limit: 2, Sort: "amount"}})
			if err != nil || p.NextCursor == "" {
				t.Fatalf("first page: %+v, %v", p, err)
			}
			_, err = db.ListDeals(ctx, crm.DealFilter{Scope: crm.Scope{All: true}, ListParams: crm.ListParams{Limit: 2, Sort: "expected_close_date", Cursor: p.NextCursor}})
			wantCode(t, err, crm.EINVALID)
		})

		teamOf := map[int64]int64{r1.ID: team.ID, r2.ID: team.ID, m.ID: team.ID, r3.ID: other.ID}
		since := t0.Add(3*time.Hour + 3*time.Minute)
		for _, tc := range []struct {
			name string
			f    crm.DealFilter
			want func(d *crm.Deal) bool
		}{
			{"all", crm.DealFilter{Scope: crm.Scope{All: true}}, func(d *crm.Deal) bool { return true }},
			{"rep scope", crm.DealFilter{Scope: crm.Scope{OwnerID: r2.ID}}, func(d *crm.Deal) bool { return d.OwnerID == r2.ID }},
			{"team scope", crm.DealFilter{Scope: crm.Scope{TeamID: team.ID, OwnerID: m.ID}}, func(d *crm.Deal) bool { return teamOf[d.OwnerID] == team.ID }},
			{"manager without team", crm.DealFilter{Scope: crm.Scope{OwnerID: m.ID}}, func(d *crm.Deal) bool { return d.OwnerID == m.ID }},
			{"owner", crm.DealFilter{Scope: crm.Scope{All: true}, OwnerID: &r3.ID}, func(d *crm.Deal) bool { return d.OwnerID == r3.ID }},
			{"owner outside scope", crm.DealFilter{Scope: crm.Scope{TeamID: team.ID, OwnerID: m.ID}, OwnerID: &r3.ID}, func(d *crm.Deal) bool { return false }},
			{"account", crm.DealFilter{Scope: crm.Scope{All: true}, AccountID: &accs[1].ID}, func(d *crm.Deal) bool { return d.AccountID == accs[1].ID }},
			{"owner's team", crm.DealFilter{Scope: crm.Scope{All: true}, TeamID: &other.ID}, func(d *crm.Deal) bool { return d.OwnerID == r3.ID }},
			{"team and rep scope", crm.DealFilter{Scope: crm.Scope{OwnerID: r1.ID}, TeamID: &team.ID}, func(d *crm.Deal) bool { return d.OwnerID == r1.ID }},
			{"stage", crm.DealFilter{Scope: crm.Scope{All: true}, Stage: "lost"}, func(d *crm.Deal) bool { return d.Stage == "lost" }},
			{"stage and account", crm.DealFilter{Scope: crm.Scope{All: true}, Stage: "demo", AccountID: &accs[2].ID},
				func(d *crm.Deal) bool { return d.Stage == "demo" && d.AccountID == accs[2].ID }},
			{"updated since", crm.DealFilter{Scope: crm.Scope{All: true}, ListParams: crm.ListParams{UpdatedSince: &since}},
				func(d *crm.Deal) bool { return !d.UpdatedAt.Before(since) }},
			{"search chinese", crm.DealFilter{Scope: crm.Scope{All: true}, ListParams: crm.ListParams{Q: "机05"}}, func(d *crm.Deal) bool { return d.Title == "商机05" }},
			{"search literal wildcards", crm.DealFilter{Scope: crm.Scope{All: true}, ListParams: crm.ListParams{Q: "_50%"}}, func(d *crm.Deal) bool { return d.Title == "ERP_50% Upgrade" }},
			{"search ascii case", crm.DealFilter{Scope: crm.Scope{All: true}, ListParams: crm.ListParams{Q: "erp"}}, func(d *crm.Deal) bool { return d.Title == "ERP_50% Upgrade" }},
			{"no match", crm.DealFilter{Scope: crm.Scope{All: true}, ListParams: crm.ListParams{Q: "不存在"}}, func(d *crm.Deal) bool { return false }},
		} {
			t.Run(tc.name, func(t *testing.T) {
				tc.f.Limit, tc.f.WithTotal = crm.MaxLimit, true
				p, err := db.ListDeals(ctx, tc.f)
				if err != nil {
					t.Fatal(err)
				}
				var want []*crm.Deal
				for _, d := range all {
					if tc.want(d) {
						want = append(want, d)
					}
				}
				if got, w := sortedIDs(p.Items, dealID), sortedIDs(want, dealID); !slices.Equal(got, w) || *p.Total != len(w) {
					t.Fatalf("got %v (total %d), want %v", got, *p.Total, w)
				}
				for _, d := range p.Items {
					if d.OwnerTeamID != teamOf[d.OwnerID] {
						t.Fatalf("deal %d: owner team %d, want %d", d.ID, d.OwnerTeamID, teamOf[d.OwnerID])
					}
				}
			})
		}
	})
}

func TestDealContacts(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		u := mustUser(t, db, "rep1", crm.RoleRep, nil)
		acc := mustAccount(t, db, "甲公司", u.ID)
		otherAcc := mustAccount(t, db, "乙公司", u.ID)
		d := mustDeal(t, db, &crm.Deal{AccountID: acc.ID, OwnerID: u.ID, Title: "ERP 项目"})
		c1 := mustContact(t, db, &crm.Contact{AccountID: acc.ID, Name: "张总"})
		c2 := mustContact(t, db, &crm.Contact{AccountID: acc.ID, Name: "李会计"})
		c3 := mustContact(t, db, &crm.Contact{AccountID: acc.ID, Name: "王经理"})
		stranger := mustContact(t, db, &crm.Contact{AccountID: otherAcc.ID, Name: "外人"})
		gone := mustContact(t, db, &crm.Contact{AccountID: acc.ID, Name: "已离职"})
		if err := db.DeleteContact(ctx, gone.ID, 1, deleteAudit(u.ID, "contact", gone.ID)); err != nil {
			t.Fatal(err)
		}

		list := func() []*crm.DealContact {
			t.Helper()
			got, err := db.DealContacts(ctx, d.ID)
			if err != nil {
				t.Fatal(err)
			}
			return got
		}
		if got := list(); got == nil || len(got) != 0 {
			t.Fatalf("contacts of a new deal: %#v", got)
		}

		// c3 and c1 are added at the same moment, c2 earlier: the order is by
		// time, then contact id.
		dcs := []*crm.DealContact{
			{DealID: d.ID, ContactID: c3.ID, BuyingRole: "decision_maker", Stance: "neutral", EngagementStep: "understand", CreatedAt: t0.Add(time.Hour)},
			{DealID: d.ID, ContactID: c2.ID, BuyingRole: "participant", Stance: "opposes", EngagementStep: "materials_sent", CreatedAt: t0},
			{DealID: d.ID, ContactID: c1.ID, BuyingRole: "sponsor", Stance: "supports", EngagementStep: "relationship_built", CreatedAt: t0.Add(time.Hour)},
		}
		for _, dc := range dcs {
			dc.Version, dc.UpdatedAt = 1, dc.CreatedAt
			if err := db.AddDealContact(ctx, dc); err != nil {
				t.Fatal(err)
			}
		}
		want := []*crm.DealContact{dcs[1], dcs[2], dcs[0]}
		if c1.ID > c3.ID {
			want = []*crm.DealContact{dcs[1], dcs[0], dcs[2]}
		}
		if got := list(); !reflect.DeepEqual(got, want) {
			t.Fatalf("deal contacts:\n got %+v\nwant %+v", got, want)
		}

		for _, tc := range []struct {
			name    string
			deal    int64
			contact int64
			code    string
			field   string
		}{
			{"duplicate", d.ID, c1.ID, crm.ECONFLICT, "contact_id"},
			{"contact of another account", d.ID, stranger.ID, crm.EINVALID, "contact_id"},
			{"deleted contact", d.ID, gone.ID, crm.EINVALID, "contact_id"},
			{"missing contact", d.ID, 9999, crm.EINVALID, "contact_id"},
			{"missing deal", 9999, c1.ID, crm.ENOTFOUND, ""},
		} {
			t.Run("add "+tc.name, func(t *testing.T) {
				dc := &crm.DealContact{DealID: tc.deal, ContactID: tc.contact, Version: 1, BuyingRole: "contact", Stance: "neutral",
					EngagementStep: "understand", CreatedAt: t0.Add(5 * time.Hour), UpdatedAt: t0.Add(5 * time.Hour)}
				err := db.AddDealContact(ctx, dc)
				if tc.field != "" {
					wantField(t, err, tc.code, tc.field)
				} else {
					wantCode(t, err, tc.code)
				}
				if got := list(); !reflect.DeepEqual(got, want) {
					t.Fatalf("refused add changed the deal's contacts: %+v", got)
				}
			})
		}

		// One deal contact, read, updated, refused when stale.
		got, err := db.DealContact(ctx, d.ID, c2.ID)
		if err != nil || !reflect.DeepEqual(got, dcs[1]) {
			t.Fatalf("deal contact: %+v, %v", got, err)
		}
		for _, k := range [][2]int64{{d.ID, stranger.ID}, {9999, c2.ID}} {
			_, err := db.DealContact(ctx, k[0], k[1])
			wantCode(t, err, crm.ENOTFOUND)
		}
		upd := *got
		upd.BuyingRole, upd.Stance, upd.EngagementStep, upd.UpdatedAt = "supporter", "supports", "concerns_known", t0.Add(4*time.Hour)
		if err := db.UpdateDealContact(ctx, &upd, 1); err != nil {
			t.Fatal(err)
		}
		if upd.Version != 2 {
			t.Fatalf("version after update = %d", upd.Version)
		}
		if again, _ := db.DealContact(ctx, d.ID, c2.ID); !reflect.DeepEqual(again, &upd) {
			t.Fatalf("after update:\n got %+v\nwant %+v", again, &upd)
		}
		for _, tc := range []struct {
			name             string
			deal, contact, v int64
			code             string
		}{
			{"stale", d.ID, c2.ID, 1, crm.ECONFLICT},
			{"not on deal", d.ID, stranger.ID, 1, crm.ENOTFOUND},
			{"missing deal", 9999, c2.ID, 2, crm.ENOTFOUND},
		} {
			t.Run("update "+tc.name, func(t *testing.T) {
				x := upd
				x.DealID, x.ContactID, x.BuyingRole, x.UpdatedAt = tc.deal, tc.contact, "insider", t0.Add(9*time.Hour)
				wantCode(t, db.UpdateDealContact(ctx, &x, tc.v), tc.code)
				if again, _ := db.DealContact(ctx, d.ID, c2.ID); !reflect.DeepEqual(again, &upd) {
					t.Fatalf("refused update changed the row: %+v", again)
				}
			})
		}

		// Remove, remove again, and add back.
		if err := db.RemoveDealContact(ctx, d.ID, c2.ID); err != nil {
			t.Fatal(err)
		}
		wantCode(t, db.RemoveDealContact(ctx, d.ID, c2.ID), crm.ENOTFOUND)
		wantCode(t, db.RemoveDealContact(ctx, 9999, c1.ID), crm.ENOTFOUND)
		_, err = db.DealContact(ctx, d.ID, c2.ID)
		wantCode(t, err, crm.ENOTFOUND)
		if got := list(); len(got) != 2 || slices.ContainsFunc(got, func(dc *crm.DealContact) bool { return dc.ContactID == c2.ID }) {
			t.Fatalf("after remove: %+v", got)
		}
		back := *dcs[1]
		if err := db.AddDealContact(ctx, &back); err != nil {
			t.Fatalf("add back after remove: %v", err)
		}

		// A deleted deal takes no new contacts.
		if err := db.DeleteDeal(ctx, d.ID, 1, deleteAudit(u.ID, "deal", d.ID)); err != nil {
			t.Fatal(err)
		}
		c4 := mustContact(t, db, &crm.Contact{AccountID: acc.ID, Name: "新人"})
		wantCode(t, db.AddDealContact(ctx, &crm.DealContact{DealID: d.ID, ContactID: c4.ID, Version: 1, BuyingRole: "contact",
			Stance: "neutral", EngagementStep: "understand", CreatedAt: t0, UpdatedAt: t0}), crm.ENOTFOUND)
	})
}
