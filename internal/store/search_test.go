package store_test

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/dealpath/dealpath/internal/crm"
	"github.com/dealpath/dealpath/internal/store"
	"github.com/dealpath/dealpath/internal/store/storetest"
)

// TestSearchUsesTrigramIndexAndMatchesLike checks that name search answers
// exactly what the plain LIKE answers, whichever way the store serves it:
// rare texts of three characters or more through the trigram index
// (migration 0009), short and common ones by walking the list, and that the
// index follows inserts, renames and deletes.
func TestSearchUsesTrigramIndexAndMatchesLike(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		owner := mustUser(t, db, "rep1", crm.RoleRep, nil)
		named := map[string]*crm.Account{}
		for _, name := range []string{"苏州华美电子有限公司", "ACME Trading Co.", `引号"公司`, "上海华美贸易有限公司", "百分号100%公司"} {
			named[name] = mustAccount(t, db, name, owner.ID)
		}
		// Enough accounts sharing a text that it counts as common.
		b, err := db.BeginBulk(ctx)
		if err != nil {
			t.Fatal(err)
		}
		tab, err := b.Table(ctx, "accounts", "id, version, name, owner_id, existing_software, created_at, updated_at")
		if err != nil {
			t.Fatal(err)
		}
		for i := range 2100 {
			if err := tab.Add(tab.NextID(), 1, fmt.Sprintf("通用名称%04d有限公司", i), owner.ID, "", t0, t0); err != nil {
				t.Fatal(err)
			}
		}
		if err := b.Finish(ctx); err != nil {
			t.Fatal(err)
		}
		deal := mustDeal(t, db, &crm.Deal{AccountID: named["ACME Trading Co."].ID, OwnerID: owner.ID, Title: "WMS 仓储升级项目"})

		search := func(q string) (names []string, total int) {
			t.Helper()
			page, err := db.ListAccounts(ctx, crm.AccountFilter{Scope: crm.Scope{All: true}, ListParams: crm.ListParams{Q: q, Limit: 50, WithTotal: true}})
			if err != nil {
				t.Fatalf("search %q: %v", q, err)
			}
			for _, a := range page.Items {
				names = append(names, a.Name)
			}
			return names, *page.Total
		}
		for q, want := range map[string][]string{
			"华美电":     {"苏州华美电子有限公司"},
			"acme":    {"ACME Trading Co."},
			"TRADING": {"ACME Trading Co."},
			"华美":      {"上海华美贸易有限公司", "苏州华美电子有限公司"},
			`号"公`:     {`引号"公司`},
			"100%公":   {"百分号100%公司"},
			"0%公":     {"百分号100%公司"},
			"不存在的名字":  nil,
		} {
			got, total := search(q)
			slices.Sort(got)
			if !slices.Equal(got, want) || total != len(want) {
				t.Errorf("search %q: %q (total %d), want %q", q, got, total, want)
			}
		}
		if got, total := search("通用名称"); len(got) != 50 || total != 2100 {
			t.Errorf("common search: %d on the page, total %d", len(got), total)
		}
		if got, total := search("名称0042"); len(got) != 1 || total != 1 {
			t.Errorf("rare search among the common names: %q, total %d", got, total)
		}

		a := named["苏州华美电子有限公司"]
		a.Name = "苏州恒瑞电子有限公司"
		if err := db.UpdateAccount(ctx, a, a.Version, nil); err != nil {
			t.Fatal(err)
		}
		if got, _ := search("华美电"); len(got) != 0 {
			t.Errorf("old name still found after rename: %q", got)
		}
		if got, _ := search("恒瑞电"); len(got) != 1 {
			t.Errorf("new name not found after rename: %q", got)
		}
		gone := named["上海华美贸易有限公司"]
		if err := db.DeleteAccount(ctx, gone.ID, gone.Version, &crm.AuditEntry{EntityType: "account", EntityID: gone.ID, Action: "delete", CreatedAt: t0}); err != nil {
			t.Fatal(err)
		}
		if got, _ := search("华美贸易"); len(got) != 0 {
			t.Errorf("deleted account found: %q", got)
		}

		page, err := db.ListDeals(ctx, crm.DealFilter{Scope: crm.Scope{All: true}, ListParams: crm.ListParams{Q: "wms 仓储", Limit: 50}})
		if err != nil {
			t.Fatal(err)
		}
		if len(page.Items) != 1 || page.Items[0].ID != deal.ID {
			t.Errorf("deal title search: %+v", page.Items)
		}
	})
}
