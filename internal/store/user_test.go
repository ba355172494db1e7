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

// TestUserAuthority: a user's authority reads back as written, and its
// audit row is written with the change or not at all.
func TestUserAuthority(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		u := mustUser(t, db, "rep1", crm.RoleRep, nil)
		if got, _ := db.UserByID(ctx, u.ID); got.Authority() != (crm.Authority{}) {
			t.Fatalf("a new rep's authority: %+v", got.Authority())
		}
		u.MaxDiscountBP, u.CreditDays, u.CreditAmount, u.UpdatedAt = 1500, 60, 50_000_000_00, t0.Add(time.Hour)
		audit := &crm.AuditEntry{ActorID: 0, EntityType: "user", EntityID: u.ID, Action: "authority", CreatedAt: u.UpdatedAt}
		if err := db.UpdateUser(ctx, u, 1, audit); err != nil {
			t.Fatal(err)
		}
		got, err := db.UserByID(ctx, u.ID)
		if err != nil || !reflect.DeepEqual(got, u) {
			t.Fatalf("round trip: %v\n got %+v\nwant %+v", err, got, u)
		}
		wantAudit(t, db, "user", u.ID, 1)
		wantCode(t, db.UpdateUser(ctx, u, 1, audit), crm.ECONFLICT)
		wantAudit(t, db, "user", u.ID, 1)
		ghost := *u
		ghost.ID = 99999
		wantCode(t, db.UpdateUser(ctx, &ghost, 1, nil), crm.ENOTFOUND)
	})
}
