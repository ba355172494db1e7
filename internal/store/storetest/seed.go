package storetest

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/dealpath/dealpath/internal/crm"
	"github.com/dealpath/dealpath/internal/store"
)

// The size of the benchmark data set (docs/benchmarks.md).
const (
	SeedDealCount    = 100_000
	SeedAccountCount = 2_000
	seedBatch        = 1_000
)

// SeedNow is the time the seeded records are dated from.
var SeedNow = time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)

// SeedAccount is a seeded account and its owner.
type SeedAccount struct {
	ID, OwnerID int64
}

var (
	seedCities   = []string{"北京", "上海", "广州", "深圳", "苏州", "杭州", "宁波", "东莞", "佛山", "青岛", "成都", "武汉"}
	seedProducts = []string{"ERP 升级", "进销存", "财务一体化", "CRM 实施", "WMS 仓储", "MES 试点", "报表平台", "移动审批"}
)

const seedTimeLayout = "2006-01-02T15:04:05.000000Z"

// SeedDeals fills a database that MustOpenURL made (where reaches it) with
// SeedAccountCount accounts spread round-robin over owners and
// SeedDealCount deals, 50 per account and owned by its owner, from a fixed
// random sequence: every stage, amounts from ¥10,000 to ¥5,010,000, close
// dates over three years with one in ten unset. The rows go in with
// batched multi-row INSERTs in one transaction, which the store does not
// offer, over a plain connection of its own. On PostgreSQL the tables are
// then vacuumed and analyzed, as autovacuum would soon after such a load;
// SQLite gets no ANALYZE, because dealpath never runs one.
func SeedDeals(tb testing.TB, where string, engine string, owners []int64) []SeedAccount {
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
	if err := seedDeals(ctx, tx, accounts); err != nil {
		tb.Fatalf("seed deals: %v", err)
	}
	if err := tx.Commit(); err != nil {
		tb.Fatal(err)
	}
	if engine == store.Postgres {
		for _, table := range []string{"users", "accounts", "deals"} {
			if _, err := raw.ExecContext(ctx, "VACUUM ANALYZE "+table); err != nil {
				tb.Fatalf("vacuum %s: %v", table, err)
			}
		}
	}
	out := make([]SeedAccount, len(accounts))
	for i, a := range accounts {
		out[i] = SeedAccount{ID: a.id, OwnerID: a.owner}
	}
	return out
}

type seedAccount struct {
	id, owner int64
	city      string
}

// sqlText quotes a string as an SQL literal. The seed writes literals, not
// parameters, so that one statement carries a thousand rows on either
// engine without meeting a parameter limit.
func sqlText(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// insertBatches runs INSERT head VALUES rows..., seedBatch rows at a time.
func insertBatches(ctx context.Context, tx *sql.Tx, head string, n int, row func(i int, sb *strings.Builder)) error {
	var sb strings.Builder
	for start := 0; start < n; start += seedBatch {
		sb.Reset()
		sb.WriteString(head)
		sb.WriteString(" VALUES ")
		for i := start; i < min(start+seedBatch, n); i++ {
			if i > start {
				sb.WriteByte(',')
			}
			sb.WriteByte('(')
			row(i, &sb)
			sb.WriteByte(')')
		}
		if _, err := tx.ExecContext(ctx, sb.String()); err != nil {
			return err
		}
	}
	return nil
}

func seedAccounts(ctx context.Context, tx *sql.Tx, owners []int64) ([]seedAccount, error) {
	created := sqlText(SeedNow.AddDate(-2, 0, 0).Format(seedTimeLayout))
	err := insertBatches(ctx, tx, "INSERT INTO accounts (version, name, owner_id, created_at, updated_at)", SeedAccountCount,
		func(i int, sb *strings.Builder) {
			name := fmt.Sprintf("%s示例%04d有限公司", seedCities[i%len(seedCities)], i)
			fmt.Fprintf(sb, "1,%s,%d,%s,%s", sqlText(name), owners[i%len(owners)], created, created)
		})
	if err != nil {
		return nil, err
	}
	rows, err := tx.QueryContext(ctx, "SELECT id, owner_id FROM accounts ORDER BY id")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []seedAccount
	for rows.Next() {
		var a seedAccount
		if err := rows.Scan(&a.id, &a.owner); err != nil {
			return nil, err
		}
		a.city = seedCities[len(out)%len(seedCities)]
		out = append(out, a)
	}
	return out, rows.Err()
}

// seedDeals writes the deals from a fixed random sequence, so that every
// run and every engine holds the same data.
func seedDeals(ctx context.Context, tx *sql.Tx, accounts []seedAccount) error {
	rng := rand.New(rand.NewPCG(2026, 11))
	firstClose := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	firstCreated := SeedNow.AddDate(-2, 0, 0)
	probability := map[string]int{"prospecting": 5, "compelling_event": 10, "qualification": 20, "demo": 35,
		"negotiation": 60, "commit": 80, "implementation": 100, "closed": 100, "lost": 0}
	return insertBatches(ctx, tx, `INSERT INTO deals (version, account_id, owner_id, title, stage, amount, expected_close_date,
		probability, next_step, lost_reason, stage_changed_at, created_at, updated_at)`, SeedDealCount,
		func(i int, sb *strings.Builder) {
			a := accounts[i%len(accounts)]
			stage := crm.Stages[rng.IntN(len(crm.Stages))]
			title := fmt.Sprintf("%s%s项目 %06d", a.city, seedProducts[rng.IntN(len(seedProducts))], i)
			amount := (10_000 + rng.Int64N(5_000_000)) * 100 // ¥10,000 to ¥5,010,000, in fen
			closeDate := "NULL"
			if rng.IntN(10) != 0 {
				closeDate = sqlText(firstClose.AddDate(0, 0, rng.IntN(3*365)).Format(crm.DateLayout))
			}
			lostReason := ""
			if stage == crm.StageLost {
				lostReason = "预算取消"
			}
			created := firstCreated.Add(time.Duration(rng.Int64N(int64(700 * 24 * time.Hour))))
			updated := created.Add(time.Duration(rng.Int64N(int64(30 * 24 * time.Hour))))
			fmt.Fprintf(sb, "1,%d,%d,%s,%s,%d,%s,%d,%s,%s,%s,%s,%s", a.id, a.owner, sqlText(title), sqlText(stage), amount,
				closeDate, probability[stage], sqlText("电话跟进"), sqlText(lostReason),
				sqlText(updated.Format(seedTimeLayout)), sqlText(created.Format(seedTimeLayout)), sqlText(updated.Format(seedTimeLayout)))
		})
}
