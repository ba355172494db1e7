package store_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/dealpath/dealpath/internal/crm"
	"github.com/dealpath/dealpath/internal/store"
	"github.com/dealpath/dealpath/internal/store/storetest"
)

// lowerASCII is the case rule of every name search: ASCII letters only.
func lowerASCII(s string) string {
	return strings.Map(func(r rune) rune {
		if 'A' <= r && r <= 'Z' {
			return r + 32
		}
		return r
	}, s)
}

// TestShortSearchUsesPairsAndMatchesLike checks that account searches of
// one or two characters (migration 0016) answer exactly what the LIKE
// answers: every live name that holds the text, ASCII letters in any case,
// nothing else folded (full-width letters, accented capitals), LIKE's
// wildcards taken literally; through the pair table when the text is rare
// and by walking the name index when it is common; and that the table
// follows inserts, renames and deletes.
func TestShortSearchUsesPairsAndMatchesLike(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		owner := mustUser(t, db, "rep1", crm.RoleRep, nil)
		accounts := map[int64]*crm.Account{}
		for _, name := range []string{"龙虎贸易", "虎龙", "龙", "Ab", "aB科技", "ＡＢ全角", "Élan公司", "élan", "50%折扣", "5_0下划线", `反\斜杠`,
			"龙龙龙", "x", "XY", "通用A"} {
			a := mustAccount(t, db, name, owner.ID)
			accounts[a.ID] = a
		}
		// Enough names sharing 通 and 通用 that they count as common.
		b, err := db.BeginBulk(ctx)
		if err != nil {
			t.Fatal(err)
		}
		tab, err := b.Table(ctx, "accounts", "id, version, name, owner_id, existing_software, created_at, updated_at")
		if err != nil {
			t.Fatal(err)
		}
		for i := range 2100 {
			id := tab.NextID()
			name := fmt.Sprintf("通用名称%04d有限公司", i)
			if err := tab.Add(id, 1, name, owner.ID, "", t0, t0); err != nil {
				t.Fatal(err)
			}
			accounts[id] = &crm.Account{ID: id, Name: name}
		}
		if err := b.Finish(ctx); err != nil {
			t.Fatal(err)
		}

		check := func(when string) {
			t.Helper()
			for _, q := range []string{"龙", "虎", "龙虎", "虎龙", "龙龙", "a", "A", "ab", "AB", "Ａ", "ＡＢ", "é", "É", "él", "%", "_", "0%",
				"5_", `\`, `\斜`, "x", "y", "xy", "通", "通用", "用A", "司", "有限", "无", "无有", " 龙 "} {
				var want []string
				text := lowerASCII(strings.TrimSpace(q))
				for _, a := range accounts {
					if strings.Contains(lowerASCII(a.Name), text) {
						want = append(want, a.Name)
					}
				}
				slices.Sort(want)
				var got []string
				f := crm.AccountFilter{Scope: crm.Scope{All: true}, ListParams: crm.ListParams{Q: q, Limit: 500, WithTotal: true}}
				var total int
				for {
					page, err := db.ListAccounts(ctx, f)
					if err != nil {
						t.Fatalf("%s: search %q: %v", when, q, err)
					}
					for _, a := range page.Items {
						got = append(got, a.Name)
					}
					total = *page.Total
					if page.NextCursor == "" {
						break
					}
					f.Cursor = page.NextCursor
				}
				slices.Sort(got)
				if !slices.Equal(got, want) || total != len(want) {
					t.Errorf("%s: search %q: %d names (total %d) %.10q, want %d %.10q", when, q, len(got), total, got, len(want), want)
				}
			}
		}
		check("after insert")

		// Renames and deletes, the pairs follow.
		for _, a := range accounts {
			if !strings.HasPrefix(a.Name, "通用名称") {
				a, err := db.AccountByID(ctx, a.ID)
				if err != nil {
					t.Fatal(err)
				}
				switch a.Name {
				case "龙虎贸易":
					a.Name = "无有贸易"
				case "XY":
					a.Name = "xY"
				default:
					continue
				}
				if err := db.UpdateAccount(ctx, a, a.Version, nil); err != nil {
					t.Fatal(err)
				}
				accounts[a.ID] = a
			}
		}
		for id, a := range accounts {
			if a.Name == "虎龙" || a.Name == "通用名称0007有限公司" {
				if err := db.DeleteAccount(ctx, id, 1, &crm.AuditEntry{EntityType: "account", EntityID: id, Action: "delete", CreatedAt: t0}); err != nil {
					t.Fatal(err)
				}
				delete(accounts, id)
			}
		}
		check("after renames and deletes")

		// The plan: a rare short text starts from the accounts it matches
		// (the pair table on SQLite, the ids read from it on PostgreSQL),
		// looked up by primary key; a common one walks the name index.
		for q, pairs := range map[string]bool{"龙虎": true, "无有": true, "龙": true, "x": true, "通": false, "通用": false} {
			plan, err := store.ExplainAccountList(ctx, db, crm.AccountFilter{Scope: crm.Scope{All: true}, ListParams: crm.ListParams{Q: q, Limit: 20}})
			if err != nil {
				t.Fatal(err)
			}
			used := strings.Contains(plan, "SEARCH a USING INTEGER PRIMARY KEY") && strings.Contains(plan, "account_name_pairs") ||
				strings.Contains(plan, "accounts_pkey")
			if used != pairs {
				t.Errorf("search %q: starts from the matches = %v, want %v; plan:\n%s", q, used, pairs, plan)
			}
		}
	})
}
