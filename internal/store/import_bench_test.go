package store_test

// Import throughput (issue 7, docs/benchmarks.md "Import"): the whole
// path of a 50,000-row file, from bytes to committed rows: read and decode
// the CSV, recognize the headers, parse and check every row (fit, owner,
// duplicates by credit code and name against the database and the file)
// and write in one transaction of batched multi-row INSERTs.
//
//	go test ./internal/store -run '^$' -bench BenchmarkImport -benchtime 3x

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/dealpath/dealpath/internal/crm"
	"github.com/dealpath/dealpath/internal/i18n"
	"github.com/dealpath/dealpath/internal/store/storetest"
	"github.com/dealpath/dealpath/internal/tabular"
)

const benchImportRows = 50_000

var benchIndustries = []string{"machinery", "electronics", "trading", "food", "chemicals", "logistics"}

// accountsCSV writes n accounts with the columns a real customer list has.
// prefix keeps names unique across benchmark iterations.
func accountsCSV(prefix string, n int) []byte {
	var b strings.Builder
	b.WriteString("\uFEFF公司名称,统一社会信用代码,员工人数,行业,企业性质,去年营业额（元）,地区,地址,电话,负责人\n")
	for i := range n {
		fmt.Fprintf(&b, "%s客户%06d有限公司,,%d,%s,私营企业,\"%d,000.00\",浙江杭州,西湖区文三路%d号,0571-%07d,rep1\n",
			prefix, i, 10+i%900, benchIndustries[i%len(benchIndustries)], 1000+i%50000, i%999, i)
	}
	return []byte(b.String())
}

// dealsCSV writes n deals, one on each account of accountsCSV(prefix, n).
func dealsCSV(prefix string, n int) []byte {
	var b strings.Builder
	b.WriteString("商机名称,客户名称,销售阶段,金额（元）,预计成交日期,负责人\n")
	stages := []string{"prospecting", "qualification", "demo", "negotiation"}
	for i := range n {
		fmt.Fprintf(&b, "%s商机%06d,%s客户%06d有限公司,%s,%d.50,2027-%02d-%02d,rep1\n",
			prefix, i, prefix, i, stages[i%len(stages)], 10000+i, 1+i%12, 1+i%28)
	}
	return []byte(b.String())
}

func BenchmarkImport(b *testing.B) {
	for _, engine := range storetest.Engines() {
		b.Run(engine+"/accounts", func(b *testing.B) {
			svc, admin := benchImportEnv(b, engine)
			files := make([][]byte, b.N)
			for i := range files {
				files[i] = accountsCSV(fmt.Sprint("第", i, "批"), benchImportRows)
			}
			b.SetBytes(int64(len(files[0])))
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				importBench(b, svc, admin, crm.KindAccounts, files[i])
			}
			b.ReportMetric(float64(benchImportRows*b.N)/b.Elapsed().Seconds(), "rows/s")
		})
		b.Run(engine+"/deals", func(b *testing.B) {
			svc, admin := benchImportEnv(b, engine)
			files := make([][]byte, b.N)
			for i := range files {
				prefix := fmt.Sprint("第", i, "批")
				importBench(b, svc, admin, crm.KindAccounts, accountsCSV(prefix, benchImportRows))
				files[i] = dealsCSV(prefix, benchImportRows)
			}
			b.SetBytes(int64(len(files[0])))
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				importBench(b, svc, admin, crm.KindDeals, files[i])
			}
			b.ReportMetric(float64(benchImportRows*b.N)/b.Elapsed().Seconds(), "rows/s")
		})
	}
}

func benchImportEnv(b *testing.B, engine string) (*crm.Service, crm.Actor) {
	db := storetest.MustOpen(b, engine)
	svc := crm.NewService(db)
	svc.Now = func() time.Time { return t0 }
	svc.Text = i18n.T
	ctx := context.Background()
	var admin *crm.User
	for _, u := range []*crm.User{
		{Version: 1, Username: "admin", Role: crm.RoleAdmin, Language: "zh-CN", PasswordHash: "x", CreatedAt: t0, UpdatedAt: t0},
		{Version: 1, Username: "rep1", Role: crm.RoleRep, Language: "zh-CN", PasswordHash: "x", CreatedAt: t0, UpdatedAt: t0},
	} {
		if err := db.CreateUser(ctx, u); err != nil {
			b.Fatal(err)
		}
		if admin == nil {
			admin = u
		}
	}
	return svc, crm.ActorOf(admin)
}

func importBench(b *testing.B, svc *crm.Service, actor crm.Actor, kind string, data []byte) {
	b.Helper()
	tb, err := tabular.Read(bytes.NewReader(data), tabular.Limits{})
	if err != nil {
		b.Fatal(err)
	}
	res, err := svc.Import(context.Background(), actor, crm.ImportRequest{Kind: kind, Mode: crm.ImportAllOrNothing, Table: tb})
	if err != nil {
		b.Fatal(err)
	}
	if res.Inserted != benchImportRows {
		b.Fatalf("%s: inserted %d of %d; first problems %v", kind, res.Inserted, res.Rows, res.Problems[:min(3, len(res.Problems))])
	}
}
