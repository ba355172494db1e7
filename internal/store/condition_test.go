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

func TestConditions(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		u := mustUser(t, db, "rep1", crm.RoleRep, nil)
		acc := mustAccount(t, db, "甲公司", u.ID)
		d := mustDeal(t, db, &crm.Deal{AccountID: acc.ID, OwnerID: u.ID, Title: "ERP"})
		read := func() []*crm.PurchaseCondition {
			t.Helper()
			cs, err := db.Conditions(ctx, d.ID)
			if err != nil {
				t.Fatal(err)
			}
			return cs
		}
		change := func(key string, expect int64, met bool, evidence string, at time.Time) crm.ConditionChange {
			return crm.ConditionChange{
				Condition:     &crm.PurchaseCondition{Key: key, Met: met, Evidence: evidence, UpdatedBy: &u.ID, UpdatedAt: &at},
				ExpectVersion: expect,
				Audit:         &crm.AuditEntry{ActorID: u.ID, EntityType: "deal", EntityID: d.ID, Action: "condition", After: `{"key":"` + key + `"}`, CreatedAt: at},
			}
		}

		if got := read(); got == nil || len(got) != 0 {
			t.Fatalf("none set: %+v", got)
		}
		c1 := change("solution_fits", 0, true, "11 月 5 日演示成功", t0)
		c2 := change("no_competitors", 0, false, "金蝶还在", t0)
		if err := db.SaveConditions(ctx, d.ID, []crm.ConditionChange{c1, c2}); err != nil {
			t.Fatal(err)
		}
		if c1.Condition.Version != 1 || c2.Condition.Version != 1 {
			t.Fatalf("versions %d %d", c1.Condition.Version, c2.Condition.Version)
		}
		// By key: no_competitors sorts before solution_fits.
		if got := read(); !reflect.DeepEqual(got, []*crm.PurchaseCondition{c2.Condition, c1.Condition}) {
			t.Fatalf("round trip:\n got %+v\nwant %+v", got, []*crm.PurchaseCondition{c2.Condition, c1.Condition})
		}
		wantAudit(t, db, "deal", d.ID, 2)

		// One stale change fails the whole batch: the good one beside it
		// and every audit row are rolled back.
		at := t0.Add(time.Hour)
		for _, batch := range [][]crm.ConditionChange{
			{change("no_competitors", 1, true, "金蝶退出", at), change("solution_fits", 2, false, "", at)},
			{change("commercial_clear", 0, true, "价格谈妥", at), change("solution_fits", 0, true, "重复首存", at)},
		} {
			wantCode(t, db.SaveConditions(ctx, d.ID, batch), crm.ECONFLICT)
		}
		if got := read(); !reflect.DeepEqual(got, []*crm.PurchaseCondition{c2.Condition, c1.Condition}) {
			t.Fatalf("refused batches changed:\n got %+v", got)
		}
		wantAudit(t, db, "deal", d.ID, 2)

		c3 := change("no_competitors", 1, true, "金蝶退出", at)
		c3.Condition.UpdatedBy = nil
		if err := db.SaveConditions(ctx, d.ID, []crm.ConditionChange{c3}); err != nil {
			t.Fatal(err)
		}
		if got := read(); got[0].Version != 2 || !got[0].Met || got[0].UpdatedBy != nil || !got[0].UpdatedAt.Equal(at) {
			t.Fatalf("update: %+v", got[0])
		}
		wantAudit(t, db, "deal", d.ID, 3)

		if err := db.DeleteDeal(ctx, d.ID, 1, deleteAudit(u.ID, "deal", d.ID)); err != nil {
			t.Fatal(err)
		}
		wantCode(t, db.SaveConditions(ctx, d.ID, []crm.ConditionChange{change("commercial_clear", 0, true, "x", at)}), crm.ENOTFOUND)
	})
}
