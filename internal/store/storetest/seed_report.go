package storetest

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/dealpath/dealpath/internal/crm"
	"github.com/dealpath/dealpath/internal/store"
)

// EnvBenchDeals names the variable that sets how many deals the report
// benchmarks seed (default SeedDealCount); only benchmarks read it, so
// `go test ./...` never pays for a large seed.
const EnvBenchDeals = "DEALPATH_BENCH_DEALS"

// BenchDeals is the number of deals the report benchmarks seed.
func BenchDeals(tb testing.TB) int {
	v := os.Getenv(EnvBenchDeals)
	if v == "" {
		return SeedDealCount
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1000 {
		tb.Fatalf("%s=%q: want a number of at least 1000", EnvBenchDeals, v)
	}
	return n
}

// SeedReportData fills a database that MustOpenURL made with what the
// reports read, n deals in all: SeedAccountCount accounts over owners; n
// deals over every stage (amounts, close dates over 2025–2027 with one in
// ten unset, creation over the two years before SeedNow); for every deal
// past prospecting one stage change in the audit log (from the stage
// before to its stage, at its stage_changed_at); one done activity per
// ten deals; and for one won deal in ten a quote, a signed contract and
// two milestones, the first paid. Rows go in with batched multi-row
// INSERTs in one transaction; PostgreSQL is then vacuumed and analyzed.
func SeedReportData(tb testing.TB, where, engine string, owners []int64, n int) {
	tb.Helper()
	ctx := context.Background()
	var raw *sql.DB
	var err error
	if engine == store.Postgres {
		raw, err = sql.Open("pgx", where)
	} else {
		raw, err = sql.Open("sqlite", "file:"+where+"?_pragma=busy_timeout(10000)&_pragma=foreign_keys(1)")
	}
	if err != nil {
		tb.Fatal(err)
	}
	defer raw.Close()
	tx, err := raw.BeginTx(ctx, nil)
	if err != nil {
		tb.Fatal(err)
	}
	defer tx.Rollback() //nolint:errcheck // a no-op after Commit
	accounts, err := seedAccounts(ctx, tx, owners)
	if err != nil {
		tb.Fatalf("seed accounts: %v", err)
	}
	if err := seedReportRows(ctx, tx, accounts, owners[0], n); err != nil {
		tb.Fatalf("seed report data: %v", err)
	}
	if err := tx.Commit(); err != nil {
		tb.Fatal(err)
	}
	if engine == store.Postgres {
		for _, table := range []string{"users", "accounts", "deals", "audit_log", "activities", "contracts", "contract_milestones"} {
			if _, err := raw.ExecContext(ctx, "VACUUM ANALYZE "+table); err != nil {
				tb.Fatalf("vacuum %s: %v", table, err)
			}
		}
	}
	RebuildReportHistory(tb, where, engine)
}

type reportSeedDeal struct {
	id, owner      int64
	stage          string
	amount         int64
	changed, since time.Time
}

func seedReportRows(ctx context.Context, tx *sql.Tx, accounts []seedAccount, actor int64, n int) error {
	rng := rand.New(rand.NewPCG(2026, 6))
	firstClose := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	firstCreated := SeedNow.AddDate(-2, 0, 0)
	reasons := []string{"预算取消", "价格太高", "选择了竞争对手", "项目延期"}
	deals := make([]reportSeedDeal, n)
	var maxID int64
	if err := tx.QueryRowContext(ctx, "SELECT COALESCE(MAX(id), 0) FROM deals").Scan(&maxID); err != nil {
		return err
	}
	err := insertBatches(ctx, tx, `INSERT INTO deals (id, version, account_id, owner_id, title, stage, amount, expected_close_date,
		probability, next_step, lost_reason, stage_changed_at, created_at, updated_at)`, n,
		func(i int, sb *strings.Builder) {
			a := accounts[i%len(accounts)]
			stage := crm.Stages[rng.IntN(len(crm.Stages))]
			amount := (10_000 + rng.Int64N(5_000_000)) * 100
			closeDate := "NULL"
			if rng.IntN(10) != 0 {
				closeDate = sqlText(firstClose.AddDate(0, 0, rng.IntN(3*365)).Format(crm.DateLayout))
			}
			lost := ""
			if stage == crm.StageLost {
				lost = reasons[rng.IntN(len(reasons))]
			}
			created := firstCreated.Add(time.Duration(rng.Int64N(int64(700 * 24 * time.Hour))))
			changed := created.Add(time.Duration(rng.Int64N(int64(60 * 24 * time.Hour))))
			d := reportSeedDeal{id: maxID + int64(i) + 1, owner: a.owner, stage: stage, amount: amount, changed: changed, since: created}
			deals[i] = d
			fmt.Fprintf(sb, "%d,1,%d,%d,%s,%s,%d,%s,0,'',%s,%s,%s,%s", d.id, a.id, a.owner, sqlText(fmt.Sprintf("报表商机 %07d", i)), sqlText(stage), amount,
				closeDate, sqlText(lost), sqlText(changed.Format(seedTimeLayout)), sqlText(created.Format(seedTimeLayout)), sqlText(changed.Format(seedTimeLayout)))
		})
	if err != nil {
		return err
	}
	// One stage change per deal past the first stage: from the stage before
	// (lost deals from a random open stage).
	var moved []reportSeedDeal
	for _, d := range deals {
		if d.stage != crm.StageProspecting {
			moved = append(moved, d)
		}
	}
	err = insertBatches(ctx, tx, `INSERT INTO audit_log (actor_id, entity_type, entity_id, action, before_json, after_json, created_at)`, len(moved),
		func(i int, sb *strings.Builder) {
			d := moved[i]
			from := ""
			for k, st := range crm.Stages {
				if st == d.stage && k > 0 {
					from = crm.Stages[k-1]
				}
			}
			if d.stage == crm.StageLost {
				from = crm.Stages[int(d.id)%6]
			}
			fmt.Fprintf(sb, "%d,'deal',%d,'stage',%s,%s,%s", actor, d.id, sqlText(`{"stage":"`+from+`"}`), sqlText(`{"stage":"`+d.stage+`"}`),
				sqlText(d.changed.Format(seedTimeLayout)))
		})
	if err != nil {
		return err
	}
	types := crm.ActivityTypes
	err = insertBatches(ctx, tx, `INSERT INTO activities (type, subject, done_at, deal_id, owner_id, created_at, updated_at)`, n/10,
		func(i int, sb *strings.Builder) {
			d := deals[i*10]
			done := d.since.Add(time.Duration(rng.Int64N(int64(90 * 24 * time.Hour))))
			fmt.Fprintf(sb, "%s,'跟进',%s,%d,%d,%s,%s", sqlText(types[i%len(types)]), sqlText(done.Format(seedTimeLayout)), d.id, d.owner,
				sqlText(d.since.Format(seedTimeLayout)), sqlText(done.Format(seedTimeLayout)))
		})
	if err != nil {
		return err
	}
	var won []reportSeedDeal
	for i, d := range deals {
		if (d.stage == "implementation" || d.stage == crm.StageClosed) && i%10 == 0 {
			won = append(won, d)
		}
	}
	var base int64
	if err := tx.QueryRowContext(ctx, "SELECT COALESCE(MAX(id), 0) FROM quotes").Scan(&base); err != nil {
		return err
	}
	at := sqlText(SeedNow.Format(seedTimeLayout))
	err = insertBatches(ctx, tx, `INSERT INTO quotes (id, deal_id, state, valid_until, list_total, discount_total, total, max_discount_bp,
		created_by, state_changed_at, created_at, updated_at)`, len(won), func(i int, sb *strings.Builder) {
		fmt.Fprintf(sb, "%d,%d,'accepted','2027-12-31',%d,0,%d,0,%d,%s,%s,%s", base+int64(i)+1, won[i].id, won[i].amount, won[i].amount, actor, at, at, at)
	})
	if err != nil {
		return err
	}
	err = insertBatches(ctx, tx, `INSERT INTO contracts (id, deal_id, quote_id, kind, state, party_ours, party_customer, amount, payment_method,
		created_by, state_changed_at, created_at, updated_at)`, len(won), func(i int, sb *strings.Builder) {
		fmt.Fprintf(sb, "%d,%d,%d,'sale','signed','我方','客户',%d,'transfer',%d,%s,%s,%s", base+int64(i)+1, won[i].id, base+int64(i)+1, won[i].amount, actor, at, at, at)
	})
	if err != nil {
		return err
	}
	return insertBatches(ctx, tx, `INSERT INTO contract_milestones (contract_id, position, name, amount, paid, trigger_on, due_on, updated_at)`, 2*len(won),
		func(i int, sb *strings.Builder) {
			d := won[i/2]
			half := d.amount / 2
			paid, amount := half, half
			if i%2 == 1 {
				paid, amount = 0, d.amount-half
			}
			due := d.changed.AddDate(0, 0, 30*(i%2+1)).Format(crm.DateLayout)
			fmt.Fprintf(sb, "%d,%d,'第%d笔',%d,%d,'date',%s,%s", base+int64(i/2)+1, i%2+1, i%2+1, amount, paid, sqlText(due), at)
		})
}

// RebuildReportHistory recomputes the stage-history tables of the reports
// (store.DB.RebuildReportHistory) of a database that MustOpenURL made,
// after deals and their stage changes were inserted out of order, as the
// seeds do: each deal at its current stage, its moves afterwards.
func RebuildReportHistory(tb testing.TB, where, engine string) {
	tb.Helper()
	ctx := context.Background()
	var db *store.DB
	var err error
	if engine == store.Postgres {
		db, err = store.Open(ctx, "", where)
	} else {
		db, err = store.OpenSQLite(ctx, where)
	}
	if err != nil {
		tb.Fatal(err)
	}
	defer db.Close()
	if err := db.RebuildReportHistory(ctx); err != nil {
		tb.Fatalf("rebuild report history: %v", err)
	}
}
