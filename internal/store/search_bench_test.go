package store_test

// Account name search and account totals at scale (docs/benchmarks.md,
// "Scale proof"): DEALPATH_BENCH_ACCOUNTS accounts (default 20,000) with
// names built like the demo's (city, a two-character trade name, a
// business word, 有限公司), searched by an admin, 20 to a page.
//
//	DEALPATH_BENCH_ACCOUNTS=200000 go test ./internal/store -run '^$' -bench BenchmarkAccountSearch -benchtime 200x

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"testing"

	"github.com/dealpath/dealpath/internal/crm"
	"github.com/dealpath/dealpath/internal/store"
	"github.com/dealpath/dealpath/internal/store/storetest"
)

// envBenchAccounts names the variable that sets how many accounts
// BenchmarkAccountSearch seeds.
const envBenchAccounts = "DEALPATH_BENCH_ACCOUNTS"

var (
	benchCities = []string{"苏州", "上海", "杭州", "宁波", "无锡", "南京", "合肥", "深圳", "广州", "东莞", "佛山", "厦门", "青岛", "济南", "天津", "成都"}
	// benchTrade are the characters of trade names; 龙 and 虎 are not
	// among them, so 龙虎 matches no name, as in the scale data set.
	benchTrade = []rune("华美恒瑞安信达通宏远金鑫德盛嘉和新兴明光永泰富源汇丰正大天元中联海星联创博睿晨阳佳鸿凯旋泰隆")
	benchWords = []string{"电子", "贸易", "机械", "科技", "食品", "化工", "物流", "纺织", "制药", "建材"}
)

// seedAccountNames adds n accounts named from the pools above to an
// empty, migrated database, round robin over owner.
func seedAccountNames(b *testing.B, db *store.DB, owner int64, n int) {
	b.Helper()
	ctx := context.Background()
	bulk, err := db.BeginBulk(ctx)
	if err != nil {
		b.Fatal(err)
	}
	tab, err := bulk.Table(ctx, "accounts", "id, version, name, owner_id, existing_software, created_at, updated_at")
	if err != nil {
		b.Fatal(err)
	}
	nt := len(benchTrade)
	for i := range n {
		name := fmt.Sprintf("%s%c%c%s有限公司%d", benchCities[i%len(benchCities)], benchTrade[(i/7)%nt], benchTrade[(i/(7*nt)+i)%nt],
			benchWords[(i/3)%len(benchWords)], i)
		if err := tab.Add(tab.NextID(), 1, name, owner, "", benchNow, benchNow); err != nil {
			b.Fatal(err)
		}
		if err := bulk.FlushIfFull(ctx); err != nil {
			b.Fatal(err)
		}
	}
	if err := bulk.Finish(ctx); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkAccountSearch lists 20 accounts as an admin, sorted by name,
// per kind of search and with the total.
func BenchmarkAccountSearch(b *testing.B) {
	n := 20_000
	if v := os.Getenv(envBenchAccounts); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil || n < 1000 {
			b.Fatalf("%s=%q: want a number of at least 1000", envBenchAccounts, v)
		}
	}
	for _, engine := range storetest.Engines() {
		b.Run(engine, func(b *testing.B) {
			db, _ := storetest.MustOpenURL(b, engine)
			ctx := context.Background()
			owner := &crm.User{Version: 1, Username: "rep", DisplayName: "rep", Role: crm.RoleRep, Language: "zh-CN", PasswordHash: "x", CreatedAt: benchNow, UpdatedAt: benchNow}
			if err := db.CreateUser(ctx, owner); err != nil {
				b.Fatal(err)
			}
			seedAccountNames(b, db, owner.ID, n)
			for _, v := range []struct {
				name, q string
				total   bool
			}{
				{"q_2chars_none", "龙虎", false},   // no name: read every name before
				{"q_1char_none", "龙", false},     // the same with one character
				{"q_2chars_rare", "华美", false},   // a trade name: one name in ~1,600
				{"q_2chars_common", "电子", false}, // a business word: one name in ten
				{"q_1char_common", "有", false},   // in every name
				{"q_4chars_rare", "华美电子", false},
				{"with_total", "", true},
			} {
				f := crm.AccountFilter{Scope: crm.Scope{All: true}, ListParams: crm.ListParams{Q: v.q, Limit: 20, WithTotal: v.total}}
				b.Run(v.name, func(b *testing.B) {
					b.ReportAllocs()
					for b.Loop() {
						if _, err := db.ListAccounts(ctx, f); err != nil {
							b.Fatal(err)
						}
					}
				})
			}
		})
	}
}
