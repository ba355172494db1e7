package store_test

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/dealpath/dealpath/internal/crm"
	"github.com/dealpath/dealpath/internal/store"
	"github.com/dealpath/dealpath/internal/store/storetest"
)

func TestCompetitors(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		u := mustUser(t, db, "rep1", crm.RoleRep, nil)
		acc := mustAccount(t, db, "甲公司", u.ID)
		d := mustDeal(t, db, &crm.Deal{AccountID: acc.ID, OwnerID: u.ID, Title: "ERP"})
		d2 := mustDeal(t, db, &crm.Deal{AccountID: acc.ID, OwnerID: u.ID, Title: "CRM"})

		if got, err := db.DealCompetitors(ctx, d.ID); err != nil || got == nil || len(got) != 0 {
			t.Fatalf("none: %v, %v", got, err)
		}
		a := &crm.Competitor{DealID: d.ID, Version: 1, Name: "用友", Strengths: "品牌", Weaknesses: "贵", Status: "active", CreatedAt: t0, UpdatedAt: t0}
		b := &crm.Competitor{DealID: d.ID, Version: 1, Name: "金蝶", Status: "eliminated", CreatedAt: t0, UpdatedAt: t0}
		for _, c := range []*crm.Competitor{a, b} {
			if err := db.CreateCompetitor(ctx, c); err != nil {
				t.Fatal(err)
			}
		}
		got, err := db.DealCompetitors(ctx, d.ID)
		if err != nil || !reflect.DeepEqual(got, []*crm.Competitor{a, b}) {
			t.Fatalf("round trip: %v\n got %+v\nwant %+v", err, got, []*crm.Competitor{a, b})
		}
		if one, err := db.CompetitorByID(ctx, d.ID, a.ID); err != nil || !reflect.DeepEqual(one, a) {
			t.Fatalf("by id: %+v, %v", one, err)
		}
		_, err = db.CompetitorByID(ctx, d2.ID, a.ID)
		wantCode(t, err, crm.ENOTFOUND)

		upd := *a
		upd.Status, upd.Weaknesses, upd.UpdatedAt = "eliminated", "价格高，实施慢", t0.Add(time.Hour)
		if err := db.UpdateCompetitor(ctx, &upd, 1); err != nil || upd.Version != 2 {
			t.Fatalf("update: %v, version %d", err, upd.Version)
		}
		stale := upd
		stale.Name = "别名"
		wantCode(t, db.UpdateCompetitor(ctx, &stale, 1), crm.ECONFLICT)
		wrongDeal := upd
		wrongDeal.DealID = d2.ID
		wantCode(t, db.UpdateCompetitor(ctx, &wrongDeal, 2), crm.ENOTFOUND)
		if one, _ := db.CompetitorByID(ctx, d.ID, a.ID); !reflect.DeepEqual(one, &upd) {
			t.Fatalf("after refused updates:\n got %+v\nwant %+v", one, &upd)
		}

		wantCode(t, db.DeleteCompetitor(ctx, d2.ID, a.ID), crm.ENOTFOUND)
		if err := db.DeleteCompetitor(ctx, d.ID, a.ID); err != nil {
			t.Fatal(err)
		}
		wantCode(t, db.DeleteCompetitor(ctx, d.ID, a.ID), crm.ENOTFOUND)
		if got, _ := db.DealCompetitors(ctx, d.ID); len(got) != 1 || got[0].ID != b.ID {
			t.Fatalf("after delete %+v", got)
		}

		if err := db.DeleteDeal(ctx, d2.ID, 1, deleteAudit(u.ID, "deal", d2.ID)); err != nil {
			t.Fatal(err)
		}
		c := &crm.Competitor{DealID: d2.ID, Version: 1, Name: "x", Status: "active", CreatedAt: t0, UpdatedAt: t0}
		wantCode(t, db.CreateCompetitor(ctx, c), crm.ENOTFOUND)
	})
}
