package store_test

import (
	"context"
	"reflect"
	"testing"

	"github.com/dealpath/dealpath/internal/crm"
	"github.com/dealpath/dealpath/internal/store"
	"github.com/dealpath/dealpath/internal/store/storetest"
)

func TestDemos(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		u := mustUser(t, db, "rep1", crm.RoleRep, nil)
		acc := mustAccount(t, db, "甲公司", u.ID)
		other := mustAccount(t, db, "乙公司", u.ID)
		gm := mustContact(t, db, &crm.Contact{AccountID: acc.ID, Name: "王总"})
		cfo := mustContact(t, db, &crm.Contact{AccountID: acc.ID, Name: "李会计"})
		stranger := mustContact(t, db, &crm.Contact{AccountID: other.ID, Name: "外人"})
		d := mustDeal(t, db, &crm.Deal{AccountID: acc.ID, OwnerID: u.ID, Title: "ERP"})

		if got, err := db.DealDemos(ctx, d.ID); err != nil || got == nil || len(got) != 0 {
			t.Fatalf("no demos: %v, %v", got, err)
		}
		lines := []crm.ROILine{{Kind: "saving", Category: "库存", Amount: 120_000_00}, {Kind: "one_off_cost", Category: "软件", Amount: 98_000_00},
			{Kind: "yearly_cost", Category: "服务", Amount: 12_000_00}}
		mk := func(heldOn string, attendees []crm.DemoAttendee, prep []string, lines []crm.ROILine) *crm.Demo {
			return &crm.Demo{DealID: d.ID, Version: 1, HeldOn: *datep(heldOn), Attendees: attendees, Prep: prep, Story: "从销售订单讲起",
				Feedback: "很满意", NextStep: "报价", ROI: crm.ComputeROI(lines), CreatedBy: u.ID, CreatedAt: t0, UpdatedAt: t0}
		}
		late := mk("2026-11-20", []crm.DemoAttendee{{ContactID: gm.ID, Role: "决策"}, {ContactID: cfo.ID, Role: "财务"}},
			[]string{"demo_prep", "roi_sum"}, lines)
		early := mk("2026-11-05", []crm.DemoAttendee{}, []string{}, nil)
		for _, demo := range []*crm.Demo{late, early} {
			if err := db.CreateDemo(ctx, demo); err != nil {
				t.Fatal(err)
			}
		}
		got, err := db.DealDemos(ctx, d.ID)
		if err != nil || !reflect.DeepEqual(got, []*crm.Demo{early, late}) {
			t.Fatalf("round trip: %v\n got %+v\nwant %+v", err, got, []*crm.Demo{early, late})
		}
		if got[1].ROI.PaybackMonths == nil || *got[1].ROI.PaybackMonths != 11 {
			t.Fatalf("roi %+v", got[1].ROI)
		}

		// An attendee of another account, a deleted contact or a contact
		// twice: nothing of the demo is written.
		gone := mustContact(t, db, &crm.Contact{AccountID: acc.ID, Name: "已离职"})
		if err := db.DeleteContact(ctx, gone.ID, 1, deleteAudit(u.ID, "contact", gone.ID)); err != nil {
			t.Fatal(err)
		}
		for _, att := range [][]crm.DemoAttendee{
			{{ContactID: gm.ID}, {ContactID: stranger.ID}},
			{{ContactID: gone.ID}},
			{{ContactID: 99999}},
			{{ContactID: gm.ID}, {ContactID: gm.ID}},
		} {
			err := db.CreateDemo(ctx, mk("2026-12-01", att, nil, lines))
			if crm.ErrorCode(err) != crm.EINVALID {
				t.Fatalf("attendees %v: %v", att, err)
			}
		}
		if got, _ := db.DealDemos(ctx, d.ID); len(got) != 2 {
			t.Fatalf("refused demos left %d", len(got))
		}

		if err := db.DeleteDeal(ctx, d.ID, 1, deleteAudit(u.ID, "deal", d.ID)); err != nil {
			t.Fatal(err)
		}
		wantCode(t, db.CreateDemo(ctx, mk("2026-12-01", nil, nil, nil)), crm.ENOTFOUND)
	})
}
