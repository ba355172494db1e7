package store_test

import (
	"context"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/dealpath/dealpath/internal/crm"
	"github.com/dealpath/dealpath/internal/store/storetest"
)

// TestDealLastActivityFollowsWrites checks that deals.last_activity_at
// (migration 0013, kept by triggers on activities) stays the latest
// COALESCE(done_at, created_at) of each deal's live activities through the
// store's writes and SQL by hand, and that the idle-deal list read through
// it is what the old per-deal lookup in activities gives.
func TestDealLastActivityFollowsWrites(t *testing.T) {
	for _, engine := range storetest.Engines() {
		t.Run(engine, func(t *testing.T) {
			ctx := context.Background()
			db, where := storetest.MustOpenURL(t, engine)
			raw := openRaw(t, engine, where)
			r1 := mustUser(t, db, "r1", crm.RoleRep, nil)
			r2 := mustUser(t, db, "r2", crm.RoleRep, nil)
			acc := mustAccount(t, db, "甲公司", r1.ID)
			stages := []string{"prospecting", "demo", "commit", "closed", "lost"}
			var deals []*crm.Deal
			for i := range 15 {
				owner := r1.ID
				if i%3 == 2 {
					owner = r2.ID
				}
				created := t0.AddDate(0, 0, -5*i-1)
				deals = append(deals, mustDeal(t, db, &crm.Deal{AccountID: acc.ID, OwnerID: owner, Title: fmt.Sprintf("商机%02d", i),
					Stage: stages[i%len(stages)], Amount: 100, CreatedAt: created, UpdatedAt: created}))
			}
			day := func(n int) time.Time { return t0.AddDate(0, 0, -n) }
			ts := func(n int) string { return "'" + day(n).UTC().Format("2006-01-02T15:04:05.000000Z") + "'" }
			exec := func(stmts ...string) {
				t.Helper()
				for _, st := range stmts {
					if _, err := raw.ExecContext(ctx, st); err != nil {
						t.Fatalf("%s: %v", st, err)
					}
				}
			}
			rows := func(q string) [][]string {
				t.Helper()
				rs, err := raw.QueryContext(ctx, q)
				if err != nil {
					t.Fatalf("%s: %v", q, err)
				}
				defer rs.Close()
				var out [][]string
				for rs.Next() {
					var a, b any
					if err := rs.Scan(&a, &b); err != nil {
						t.Fatal(err)
					}
					out = append(out, []string{fmt.Sprint(a), fmt.Sprint(b)})
				}
				if err := rs.Err(); err != nil {
					t.Fatal(err)
				}
				return out
			}
			latest := `(SELECT MAX(COALESCE(t.done_at, t.created_at)) FROM activities t WHERE t.deal_id = d.id AND t.deleted_at IS NULL)`
			open := "('prospecting', 'demo', 'commit')"
			check := func(what string) {
				t.Helper()
				if got, want := rows(`SELECT d.id, d.last_activity_at FROM deals d ORDER BY d.id`),
					rows(`SELECT d.id, `+latest+` FROM deals d ORDER BY d.id`); !reflect.DeepEqual(got, want) {
					t.Errorf("%s: last_activity_at\n got %v\nwant %v", what, got, want)
				}
				for _, cut := range []int{-1, 3, 12, 30, 60} {
					for _, owner := range []int64{0, r1.ID} {
						f := crm.ReportFilter{Scope: crm.Scope{All: true}, Stages: []string{"prospecting", "demo", "commit"},
							IdleSince: day(cut), Now: t0, Limit: 4}
						ownerCond := "1 = 1"
						if owner != 0 {
							f.Scope = crm.Scope{OwnerID: owner}
							ownerCond = fmt.Sprintf("d.owner_id = %d", owner)
						}
						// The old query: the latest activity looked up per deal.
						cond := `d.deleted_at IS NULL AND d.stage IN ` + open + ` AND COALESCE(` + latest + `, d.created_at) < ` + ts(cut) + ` AND ` + ownerCond
						want := rows(`SELECT d.id, d.title FROM deals d WHERE ` + cond + ` ORDER BY COALESCE(` + latest + `, d.created_at), d.id LIMIT 4`)
						wantN := rows(`SELECT COUNT(*), 0 FROM deals d WHERE ` + cond)[0][0]
						list, n, err := db.IdleDeals(ctx, f)
						if err != nil {
							t.Fatal(err)
						}
						var got [][]string
						for _, d := range list {
							got = append(got, []string{fmt.Sprint(d.ID), d.Title})
						}
						if !reflect.DeepEqual(got, want) || fmt.Sprint(n) != wantN {
							t.Errorf("%s, idle since %d days, owner %d:\n got %d %v\nwant %s %v", what, cut, owner, n, got, wantN, want)
						}
					}
				}
			}
			check("no activities")

			// Through the store: created (done, and not done), done later and
			// earlier, deleted. (The store never moves an activity to another
			// deal; SQL by hand below does.)
			var acts []*crm.Activity
			for i, d := range deals[:10] {
				a := &crm.Activity{Subject: "跟进", DealID: &d.ID, OwnerID: d.OwnerID, CreatedAt: day(2 * i), UpdatedAt: day(2 * i)}
				if i%2 == 0 {
					a.DoneAt = timep(day(i))
				}
				acts = append(acts, mustActivity(t, db, a))
			}
			mustActivity(t, db, &crm.Activity{Subject: "无商机", OwnerID: r1.ID})
			check("created")
			upd := func(a *crm.Activity, change func(a *crm.Activity)) {
				t.Helper()
				next := *a
				change(&next)
				next.Version = a.Version + 1
				if err := db.UpdateActivity(ctx, &next, a.Version); err != nil {
					t.Fatal(err)
				}
				*a = next
			}
			upd(acts[1], func(a *crm.Activity) { a.DoneAt = timep(day(0)) })
			check("done")
			upd(acts[2], func(a *crm.Activity) { a.DoneAt = timep(day(40)) })
			check("done earlier than created")
			upd(acts[3], func(a *crm.Activity) { a.DoneAt = timep(day(-1)) })
			check("done in the future")
			if err := db.DeleteActivity(ctx, acts[4].ID, acts[4].Version, deleteAudit(r1.ID, "activity", acts[4].ID)); err != nil {
				t.Fatal(err)
			}
			check("deleted")

			// By hand: inserted, done cleared, deleted softly and restored,
			// moved (one, and several at once), created_at changed, removed
			// for good, unlinked from its deal.
			exec(fmt.Sprintf(`INSERT INTO activities (type, subject, done_at, deal_id, owner_id, created_at, updated_at)
				VALUES ('call', '手工', %s, %d, %d, %s, %s)`, ts(1), deals[13].ID, r1.ID, ts(20), ts(20)))
			check("inserted by hand")
			exec(fmt.Sprintf(`UPDATE activities SET done_at = NULL WHERE id = %d`, acts[0].ID))
			check("done cleared by hand")
			exec(fmt.Sprintf(`UPDATE activities SET deleted_at = %s WHERE id = %d`, ts(0), acts[6].ID))
			check("deleted by hand")
			exec(fmt.Sprintf(`UPDATE activities SET deleted_at = NULL WHERE id = %d`, acts[4].ID))
			check("restored by hand")
			exec(fmt.Sprintf(`UPDATE activities SET deal_id = %d WHERE id = %d`, deals[14].ID, acts[5].ID))
			check("moved by hand")
			exec(fmt.Sprintf(`UPDATE activities SET deal_id = %d WHERE id IN (%d, %d, %d)`, deals[0].ID, acts[7].ID, acts[8].ID, acts[9].ID))
			check("several moved at once by hand")
			exec(fmt.Sprintf(`UPDATE activities SET created_at = %s WHERE done_at IS NULL`, ts(50)))
			check("created_at changed by hand")
			exec(fmt.Sprintf(`DELETE FROM activities WHERE id = %d`, acts[8].ID))
			check("removed for good by hand")
			exec(fmt.Sprintf(`UPDATE activities SET deal_id = NULL WHERE id = %d`, acts[7].ID))
			check("unlinked by hand")
		})
	}
}
