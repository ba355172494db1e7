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

func TestQualification(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		u := mustUser(t, db, "rep1", crm.RoleRep, nil)
		acc := mustAccount(t, db, "甲公司", u.ID)
		d := mustDeal(t, db, &crm.Deal{AccountID: acc.ID, OwnerID: u.ID, Title: "ERP"})
		read := func() *crm.Qualification {
			t.Helper()
			q, err := db.Qualification(ctx, d.ID)
			if err != nil {
				t.Fatal(err)
			}
			return q
		}

		empty := &crm.Qualification{DealID: d.ID, Answers: map[string]string{}}
		if got := read(); !reflect.DeepEqual(got, empty) {
			t.Fatalf("never qualified: %+v", got)
		}

		at := t0.Add(time.Hour)
		q := &crm.Qualification{DealID: d.ID, Answers: map[string]string{"requirements": "进销存+财务", "key_problems": "库存不准"},
			Budget: crm.Budget{Amount: int64ptr(50_000_000), Flexibility: "negotiable", Basis: "去年 IT 投入", ApprovalProcess: "总经理签字",
				PersuasionPlan: "分期"}, UpdatedBy: &u.ID, UpdatedAt: &at}
		if err := db.SaveQualification(ctx, q, 0); err != nil {
			t.Fatal(err)
		}
		if q.Version != 1 {
			t.Fatalf("version %d", q.Version)
		}
		if got := read(); !reflect.DeepEqual(got, q) {
			t.Fatalf("round trip:\n got %+v\nwant %+v", got, q)
		}

		// A second first save, or a stale version, changes nothing.
		later := at.Add(time.Hour)
		stale := &crm.Qualification{DealID: d.ID, Answers: map[string]string{"requirements": "别的"}, UpdatedAt: &later}
		wantCode(t, db.SaveQualification(ctx, stale, 0), crm.ECONFLICT)
		wantCode(t, db.SaveQualification(ctx, stale, 2), crm.ECONFLICT)
		if got := read(); !reflect.DeepEqual(got, q) {
			t.Fatalf("refused saves changed it: %+v", got)
		}

		// A save replaces the answers: one left out is gone; the budget
		// amount clears; no author (the command line) reads as null.
		q2 := &crm.Qualification{DealID: d.ID, Answers: map[string]string{"requirements": "只要进销存"}, UpdatedAt: &later}
		if err := db.SaveQualification(ctx, q2, 1); err != nil {
			t.Fatal(err)
		}
		if got := read(); got.Version != 2 || !reflect.DeepEqual(got, q2) {
			t.Fatalf("replace:\n got %+v\nwant %+v", got, q2)
		}
		q3 := &crm.Qualification{DealID: d.ID, Answers: map[string]string{}, UpdatedAt: &later}
		if err := db.SaveQualification(ctx, q3, 2); err != nil {
			t.Fatal(err)
		}
		if got := read(); got.Version != 3 || len(got.Answers) != 0 {
			t.Fatalf("all answers dropped: %+v", got)
		}

		// A deleted deal is not qualified any more.
		if err := db.DeleteDeal(ctx, d.ID, 1, deleteAudit(u.ID, "deal", d.ID)); err != nil {
			t.Fatal(err)
		}
		wantCode(t, db.SaveQualification(ctx, q3, 3), crm.ENOTFOUND)
	})
}
