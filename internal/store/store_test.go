package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/dealpath/dealpath/internal/crm"
	"github.com/dealpath/dealpath/internal/store"
	"github.com/dealpath/dealpath/internal/store/storetest"
)

var t0 = time.Date(2026, 11, 2, 9, 30, 0, 123456000, time.UTC)

// mustUser creates a user directly in the store.
func mustUser(t *testing.T, db *store.DB, name, role string, team *int64) *crm.User {
	t.Helper()
	u := &crm.User{Version: 1, Username: name, DisplayName: name, Role: role, TeamID: team, Language: "zh-CN", PasswordHash: "x", CreatedAt: t0, UpdatedAt: t0}
	if err := db.CreateUser(context.Background(), u); err != nil {
		t.Fatalf("create user: %v", err)
	}
	return u
}

func mustAccount(t *testing.T, db *store.DB, name string, owner int64) *crm.Account {
	t.Helper()
	a := &crm.Account{Version: 1, Name: name, OwnerID: owner, ExistingSoftware: []string{}, CreatedAt: t0, UpdatedAt: t0}
	if err := db.CreateAccount(context.Background(), a); err != nil {
		t.Fatalf("create account: %v", err)
	}
	return a
}

func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	if got := crm.ErrorCode(err); got != code || err == nil {
		t.Fatalf("error = %v, want code %s", err, code)
	}
}

func TestMigrateIsIdempotent(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		n, err := db.Migrate(ctx)
		if err != nil || n != 0 {
			t.Fatalf("second migrate applied %d, err %v", n, err)
		}
		st, err := db.MigrationStatus(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(st) == 0 || st[0].AppliedAt == nil {
			t.Fatalf("status = %+v, want applied migrations", st)
		}
	})
}
