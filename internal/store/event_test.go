package store_test

import (
	"context"
	"reflect"
	"testing"

	"github.com/dealpath/dealpath/internal/crm"
	"github.com/dealpath/dealpath/internal/store"
	"github.com/dealpath/dealpath/internal/store/storetest"
)

func int64ptr(n int64) *int64 { return &n }

// eventAudit is the audit row an event change writes.
func eventAudit(actor, dealID int64, action string) *crm.AuditEntry {
	return &crm.AuditEntry{ActorID: actor, EntityType: "deal", EntityID: dealID, Action: action, After: `{"code":"CE1"}`, CreatedAt: t0}
}

func TestEvents(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		u := mustUser(t, db, "rep1", crm.RoleRep, nil)
		acc := mustAccount(t, db, "甲公司", u.ID)
		other := mustAccount(t, db, "乙公司", u.ID)
		c := mustContact(t, db, &crm.Contact{AccountID: acc.ID, Name: "张总"})
		stranger := mustContact(t, db, &crm.Contact{AccountID: other.ID, Name: "外人"})
		d := mustDeal(t, db, &crm.Deal{AccountID: acc.ID, OwnerID: u.ID, Title: "ERP"})
		d2 := mustDeal(t, db, &crm.Deal{AccountID: acc.ID, OwnerID: u.ID, Title: "CRM"})

		if got, err := db.DealEvents(ctx, d.ID); err != nil || got == nil || len(got) != 0 {
			t.Fatalf("no events: %v, %v", got, err)
		}
		e1 := &crm.CompellingEvent{DealID: d.ID, Code: "CE3", Impact: "旧系统月结要三天", ConfirmedByContactID: &c.ID, CreatedBy: u.ID, CreatedAt: t0}
		e2 := &crm.CompellingEvent{DealID: d.ID, Code: "custom", Title: "新厂房投产", CreatedBy: u.ID, CreatedAt: t0}
		for _, e := range []*crm.CompellingEvent{e1, e2} {
			if err := db.AddEvent(ctx, e, eventAudit(u.ID, d.ID, "event_add")); err != nil {
				t.Fatal(err)
			}
			if e.ID == 0 {
				t.Fatal("no id")
			}
		}
		got, err := db.DealEvents(ctx, d.ID)
		if err != nil || !reflect.DeepEqual(got, []*crm.CompellingEvent{e1, e2}) {
			t.Fatalf("round trip: %v\n got %+v\nwant %+v", err, got, []*crm.CompellingEvent{e1, e2})
		}
		wantAudit(t, db, "deal", d.ID, 2)

		// A contact of another account, or a deleted one, is refused in
		// the transaction, and neither the event nor its audit row stays.
		gone := mustContact(t, db, &crm.Contact{AccountID: acc.ID, Name: "已离职"})
		if err := db.DeleteContact(ctx, gone.ID, 1, deleteAudit(u.ID, "contact", gone.ID)); err != nil {
			t.Fatal(err)
		}
		for _, id := range []int64{stranger.ID, gone.ID, 99999} {
			e := &crm.CompellingEvent{DealID: d.ID, Code: "CE1", ConfirmedByContactID: int64ptr(id), CreatedBy: u.ID, CreatedAt: t0}
			wantField(t, db.AddEvent(ctx, e, eventAudit(u.ID, d.ID, "event_add")), crm.EINVALID, "confirmed_by_contact_id")
		}
		wantAudit(t, db, "deal", d.ID, 2)

		// Deleting: only an event of that deal; the audit row goes with it.
		wantCode(t, db.DeleteEvent(ctx, d2.ID, e1.ID, eventAudit(u.ID, d2.ID, "event_delete")), crm.ENOTFOUND)
		wantAudit(t, db, "deal", d2.ID, 0)
		if err := db.DeleteEvent(ctx, d.ID, e1.ID, eventAudit(u.ID, d.ID, "event_delete")); err != nil {
			t.Fatal(err)
		}
		wantCode(t, db.DeleteEvent(ctx, d.ID, e1.ID, eventAudit(u.ID, d.ID, "event_delete")), crm.ENOTFOUND)
		log := wantAudit(t, db, "deal", d.ID, 3)
		if log[2].Action != "event_delete" {
			t.Fatalf("audit %+v", log[2])
		}
		if got, _ := db.DealEvents(ctx, d.ID); len(got) != 1 || got[0].ID != e2.ID {
			t.Fatalf("after delete: %+v", got)
		}

		// A deleted deal takes no new events.
		if err := db.DeleteDeal(ctx, d2.ID, 1, deleteAudit(u.ID, "deal", d2.ID)); err != nil {
			t.Fatal(err)
		}
		e := &crm.CompellingEvent{DealID: d2.ID, Code: "CE1", CreatedBy: u.ID, CreatedAt: t0}
		wantCode(t, db.AddEvent(ctx, e, eventAudit(u.ID, d2.ID, "event_add")), crm.ENOTFOUND)
		wantAudit(t, db, "deal", d2.ID, 1)
	})
}
