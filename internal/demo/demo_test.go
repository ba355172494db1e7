package demo_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/dealpath/dealpath/internal/crm"
	"github.com/dealpath/dealpath/internal/demo"
	"github.com/dealpath/dealpath/internal/store"
	"github.com/dealpath/dealpath/internal/store/storetest"
	"golang.org/x/crypto/bcrypt"
)

// digest summarises the generated accounts and deals, in id order.
func digest(t *testing.T, db *store.DB) string {
	t.Helper()
	ctx := context.Background()
	out := ""
	accounts, err := db.ListAccounts(ctx, crm.AccountFilter{Scope: crm.Scope{All: true}, ListParams: crm.ListParams{Limit: crm.MaxLimit, Sort: "created_at"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range accounts.Items {
		hc := -1
		if a.Headcount != nil {
			hc = *a.Headcount
		}
		out += fmt.Sprintf("%d %s %s %s %d|", a.ID, a.Name, a.CreditCode, a.FitGrade, hc)
	}
	deals, err := db.ListDeals(ctx, crm.DealFilter{Scope: crm.Scope{All: true}, ListParams: crm.ListParams{Limit: crm.MaxLimit, Sort: "created_at"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range deals.Items {
		close := ""
		if d.ExpectedCloseDate != nil {
			close = d.ExpectedCloseDate.String()
		}
		out += fmt.Sprintf("%d %d %s %s %d %s|", d.ID, d.AccountID, d.Title, d.Stage, d.Amount, close)
	}
	return out
}

func TestSameSeedSameData(t *testing.T) {
	ctx := context.Background()
	cfg := demo.Config{Accounts: 30, Deals: 120, Teams: 1, RepsPerTeam: 2, Password: "demo-password-1", Seed: 42,
		AsOf: time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)}
	var digests []string
	for _, seed := range []uint64{42, 42, 43} {
		db := storetest.MustOpen(t, store.SQLite)
		svc := crm.NewService(db)
		svc.PasswordCost = bcrypt.MinCost
		cfg.Seed = seed
		st, err := demo.Generate(ctx, db, svc, cfg)
		if err != nil {
			t.Fatal(err)
		}
		if st.Accounts != 30 || st.Deals != 120 || st.Users != 3 || st.Rows < 1000 {
			t.Fatalf("stats %+v", st)
		}
		digests = append(digests, digest(t, db))
	}
	if digests[0] != digests[1] {
		a, b := strings.Split(digests[0], "|"), strings.Split(digests[1], "|")
		for i := range min(len(a), len(b)) {
			if a[i] != b[i] {
				t.Fatalf("the same seed gave different data:\n%s\n%s", a[i], b[i])
			}
		}
		t.Error("the same seed gave different data")
	}
	if digests[0] == digests[2] {
		t.Error("another seed gave the same data")
	}
}

func TestRefusesBadConfig(t *testing.T) {
	db := storetest.MustOpen(t, store.SQLite)
	svc := crm.NewService(db)
	for _, cfg := range []demo.Config{
		{Accounts: 0, Deals: 1, Teams: 1, RepsPerTeam: 1, AsOf: time.Now()},
		{Accounts: 1, Deals: -1, Teams: 1, RepsPerTeam: 1, AsOf: time.Now()},
		{Accounts: 1, Deals: 1, Teams: 0, RepsPerTeam: 1, AsOf: time.Now()},
		{Accounts: 1, Deals: 1, Teams: 1, RepsPerTeam: 1},
	} {
		if _, err := demo.Generate(context.Background(), db, svc, cfg); err == nil {
			t.Errorf("config %+v accepted", cfg)
		}
	}
}
