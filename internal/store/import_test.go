package store_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/dealpath/dealpath/internal/crm"
	"github.com/dealpath/dealpath/internal/i18n"
	"github.com/dealpath/dealpath/internal/playbook"
	"github.com/dealpath/dealpath/internal/sheet"
	"github.com/dealpath/dealpath/internal/store"
	"github.com/dealpath/dealpath/internal/store/storetest"
	"github.com/dealpath/dealpath/internal/tabular"
	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"
)

// importEnv is a service on a fresh database with an admin and a rep.
type importEnv struct {
	t     *testing.T
	db    *store.DB
	svc   *crm.Service
	admin crm.Actor
	rep   crm.Actor
}

func newImportEnv(t *testing.T, db *store.DB) *importEnv {
	svc := crm.NewService(db)
	svc.Now = func() time.Time { return t0 }
	svc.Text = i18n.T
	admin := mustUser(t, db, "admin", crm.RoleAdmin, nil)
	rep := mustUser(t, db, "rep1", crm.RoleRep, nil)
	return &importEnv{t: t, db: db, svc: svc, admin: crm.ActorOf(admin), rep: crm.ActorOf(rep)}
}

func (e *importEnv) run(actor crm.Actor, kind, mode string, data []byte) *crm.ImportResult {
	e.t.Helper()
	tb, err := tabular.Read(bytes.NewReader(data), tabular.Limits{})
	if err != nil {
		e.t.Fatalf("read: %v", err)
	}
	res, err := e.svc.Import(context.Background(), actor, crm.ImportRequest{Kind: kind, Mode: mode, Table: tb})
	if err != nil {
		e.t.Fatalf("import %s: %v", kind, err)
	}
	return res
}

func (e *importEnv) file(name string) []byte {
	e.t.Helper()
	b, err := os.ReadFile("testdata/import/" + name)
	if err != nil {
		e.t.Fatal(err)
	}
	return b
}

func (e *importEnv) accounts() map[string]*crm.Account {
	e.t.Helper()
	page, err := e.db.ListAccounts(context.Background(), crm.AccountFilter{Scope: crm.Scope{All: true}, ListParams: crm.ListParams{Limit: 500, Sort: "name"}})
	if err != nil {
		e.t.Fatal(err)
	}
	out := map[string]*crm.Account{}
	for _, a := range page.Items {
		out[a.Name] = a
	}
	return out
}

func (e *importEnv) deals() map[string]*crm.Deal {
	e.t.Helper()
	page, err := e.db.ListDeals(context.Background(), crm.DealFilter{Scope: crm.Scope{All: true}, ListParams: crm.ListParams{Limit: 500, Sort: "title"}})
	if err != nil {
		e.t.Fatal(err)
	}
	out := map[string]*crm.Deal{}
	for _, d := range page.Items {
		out[d.Title] = d
	}
	return out
}

// counts counts the rows of every table an import may touch.
func (e *importEnv) counts() map[string]int {
	e.t.Helper()
	out := map[string]int{}
	for _, table := range []string{"accounts", "contacts", "deals", "activities", "audit_log", "deal_contacts"} {
		var n int
		if err := e.db.Raw().QueryRowContext(context.Background(), "SELECT COUNT(*) FROM "+table).Scan(&n); err != nil {
			e.t.Fatal(err)
		}
		out[table] = n
	}
	return out
}

func ip(n int) *int       { return &n }
func i64p(n int64) *int64 { return &n }

type problem struct {
	Line  int
	Field string
	Key   string
}

func problems(res *crm.ImportResult) []problem {
	var out []problem
	for _, p := range res.Problems {
		out = append(out, problem{p.Line, p.Field, p.Message.Key})
	}
	return out
}

func TestImportRealWorldFiles(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newImportEnv(t, db)
		ctx := context.Background()

		// A GB18030 CSV as Chinese Excel saves it, with a title line above
		// the headers and full-width digits.
		gb, err := simplifiedchinese.GB18030.NewEncoder().String("客户名单（2026）\r\n" +
			"公司名称,统一社会信用代码,员工人数,行业,企业性质,去年营业额（元）,地区,电话,负责人\r\n" +
			"华东机械有限公司,91350100M000100Y43,１２０,machinery,私营企业,\"8,000,000.00\",江苏,0512-5555 0001,rep1\r\n" +
			"深圳电子科技有限公司,,30,电子,,,广东,,\r\n")
		if err != nil {
			t.Fatal(err)
		}
		res := e.run(e.admin, crm.KindAccounts, crm.ImportAllOrNothing, []byte(gb))
		if res.Inserted != 2 || res.Bad != 0 || res.HeaderLine != 2 {
			t.Fatalf("GB18030: %+v", res)
		}
		accs := e.accounts()
		hd := accs["华东机械有限公司"]
		if hd == nil || hd.CreditCode != "91350100M000100Y43" || !reflect.DeepEqual(hd.Headcount, ip(120)) || hd.Industry != "machinery" ||
			hd.Ownership != "private" || !reflect.DeepEqual(hd.RevenueLastYear, i64p(800_000_000)) || hd.Region != "江苏" ||
			hd.Phone != "0512-5555 0001" || hd.OwnerID != e.rep.UserID {
			t.Fatalf("GB18030 account: %+v", hd)
		}
		sz := accs["深圳电子科技有限公司"]
		if sz == nil || sz.Industry != "electronics" || sz.OwnerID != e.admin.UserID || sz.Headcount == nil || *sz.Headcount != 30 {
			t.Fatalf("GB18030 account 2: %+v", sz)
		}
		// The fit is computed as on create.
		for _, a := range []*crm.Account{hd, sz} {
			fit, err := e.svc.AccountFit(ctx, e.admin, a.ID)
			if err != nil {
				t.Fatal(err)
			}
			if a.FitScore == nil || *a.FitScore != fit.Score || a.FitGrade != fit.Grade {
				t.Errorf("%s: stored fit %v %s, computed %d %s", a.Name, a.FitScore, a.FitGrade, fit.Score, fit.Grade)
			}
		}

		// A UTF-8-BOM CSV of contacts, first and last names apart.
		res = e.run(e.admin, crm.KindContacts, crm.ImportAllOrNothing, []byte("\uFEFF客户名称,姓,名,职务,手机,邮箱,职能角色\n"+
			"华东机械有限公司,王,芳,财务经理,13800000001,wang.fang@example.com,主管会计\n"+
			"深圳电子科技,Lee,Ada,CIO,,ada@example.com,cio\n"))
		if res.Inserted != 2 {
			t.Fatalf("BOM contacts: %+v", res)
		}
		cp, err := db.ListContacts(ctx, crm.ContactFilter{Scope: crm.Scope{All: true}, ListParams: crm.ListParams{Limit: 10, Sort: "name"}})
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]*crm.Contact{}
		for _, c := range cp.Items {
			got[c.Name] = c
		}
		if c := got["王芳"]; c == nil || c.AccountID != hd.ID || c.Title != "财务经理" || c.Phone != "13800000001" ||
			c.Email != "wang.fang@example.com" || c.FunctionalRole != "chief_accountant" {
			t.Fatalf("contact 王芳: %+v", c)
		}
		// The second row names Ada Lee's company without its legal form.
		if c := got["Ada Lee"]; c == nil || c.AccountID != sz.ID || c.FunctionalRole != "cio" {
			t.Fatalf("contact Ada Lee: %+v", c)
		}

		// An XLSX with a merged group header above the headers, merged
		// header cells and blank rows.
		f := excelize.NewFile()
		sh := f.GetSheetName(0)
		must := func(err error) {
			t.Helper()
			if err != nil {
				t.Fatal(err)
			}
		}
		must(f.SetCellValue(sh, "A1", "商机清单"))
		must(f.MergeCell(sh, "A1", "F1"))
		must(f.SetSheetRow(sh, "A2", &[]any{"商机名称", "客户名称", "销售阶段", "金额（元）", "预计成交日期", "负责人"}))
		must(f.SetSheetRow(sh, "A4", &[]any{"华东 ERP", "华东机械有限公司", "确认销售机会", 480000.5, "2027-03-31", "rep1"}))
		must(f.SetSheetRow(sh, "A7", &[]any{"深圳进销存", "深圳电子科技有限公司", "demo", "1,250,000", "2027/1/15", ""}))
		var buf bytes.Buffer
		must(f.Write(&buf))
		res = e.run(e.admin, crm.KindDeals, crm.ImportAllOrNothing, buf.Bytes())
		if res.Inserted != 2 || res.HeaderLine != 2 {
			t.Fatalf("XLSX deals: %+v %v", res, problems(res))
		}
		deals := e.deals()
		if d := deals["华东 ERP"]; d == nil || d.AccountID != hd.ID || d.Stage != "qualification" || d.Amount != 48_000_050 ||
			d.ExpectedCloseDate.String() != "2027-03-31" || d.OwnerID != e.rep.UserID || d.Probability != e.svc.Playbook.Stage("qualification").Probability {
			t.Fatalf("XLSX deal 1: %+v", d)
		}
		if d := deals["深圳进销存"]; d == nil || d.AccountID != sz.ID || d.Stage != "demo" || d.Amount != 125_000_000 ||
			d.ExpectedCloseDate.String() != "2027-01-15" || d.OwnerID != e.admin.UserID {
			t.Fatalf("XLSX deal 2: %+v", d)
		}

		// Salesforce-style exports: accounts, then opportunities.
		res = e.run(e.admin, crm.KindAccounts, crm.ImportAllOrNothing, e.file("salesforce_accounts.csv"))
		if res.Inserted != 2 {
			t.Fatalf("Salesforce accounts: %+v %v", res, problems(res))
		}
		accs = e.accounts()
		if a := accs["Acme Machinery Co., Ltd."]; a == nil || a.Industry != "machinery" || a.Address != "88 Riverside Rd" || a.Region != "Suzhou" ||
			a.Phone != "+86 512 5555 0101" || a.Website != "acme.example.com" || !reflect.DeepEqual(a.Headcount, ip(350)) ||
			!reflect.DeepEqual(a.RevenueLastYear, i64p(12_000_000_000)) || a.OwnerID != e.rep.UserID {
			t.Fatalf("Salesforce account: %+v", a)
		}
		if a := accs["Globex Electronics Limited"]; a == nil || !reflect.DeepEqual(a.Headcount, ip(1200)) || !reflect.DeepEqual(a.RevenueLastYear, i64p(45_000_000_050)) {
			t.Fatalf("Salesforce account 2: %+v", a)
		}
		res = e.run(e.admin, crm.KindDeals, crm.ImportAllOrNothing, e.file("salesforce_opportunities.csv"))
		if res.Inserted != 2 {
			t.Fatalf("Salesforce opportunities: %+v %v", res, problems(res))
		}
		deals = e.deals()
		if d := deals["Acme ERP rollout"]; d == nil || d.AccountID != accs["Acme Machinery Co., Ltd."].ID || d.Stage != "qualification" ||
			d.Amount != 48_000_000 || d.Probability != 20 || d.ExpectedCloseDate.String() != "2027-03-31" || d.NextStep != "Site visit" {
			t.Fatalf("Salesforce deal: %+v", d)
		}
		if d := deals["Globex inventory"]; d == nil || d.Stage != "implementation" || d.Amount != 125_000_000 || d.ExpectedCloseDate.String() != "2026-12-15" {
			t.Fatalf("Salesforce deal 2: %+v", d)
		}

		// HubSpot-style exports, imported by the rep: they own what they import.
		res = e.run(e.rep, crm.KindAccounts, crm.ImportAllOrNothing, e.file("hubspot_companies.csv"))
		if res.Inserted != 2 {
			t.Fatalf("HubSpot companies: %+v %v", res, problems(res))
		}
		accs = e.accounts()
		if a := accs["Initech Trading"]; a == nil || a.Industry != "trading" || a.Region != "Shanghai" || a.Phone != "021-6666-0303" ||
			!reflect.DeepEqual(a.RevenueLastYear, i64p(3_000_000_000)) || a.OwnerID != e.rep.UserID || a.Website != "initech.example.com" {
			t.Fatalf("HubSpot company: %+v", a)
		}
		if a := accs["Umbrella Pharma"]; a == nil || a.Industry != "pharmaceutical" || a.RevenueLastYear != nil {
			t.Fatalf("HubSpot company 2: %+v", a)
		}
		res = e.run(e.rep, crm.KindDeals, crm.ImportAllOrNothing, e.file("hubspot_deals.csv"))
		if res.Inserted != 2 {
			t.Fatalf("HubSpot deals: %+v %v", res, problems(res))
		}
		deals = e.deals()
		if d := deals["Initech CRM"]; d == nil || d.Stage != "demo" || d.Amount != 8_800_000 || d.ExpectedCloseDate.String() != "2027-01-20" || d.OwnerID != e.rep.UserID {
			t.Fatalf("HubSpot deal: %+v", d)
		}
		if d := deals["Umbrella finance suite"]; d == nil || d.Stage != "commit" || d.Amount != 25_600_050 {
			t.Fatalf("HubSpot deal 2: %+v", d)
		}

		// A rep may not import records for someone else.
		res = e.run(e.rep, crm.KindAccounts, crm.ImportDryRun, []byte("公司名称,负责人\n某公司,admin\n"))
		if want := []problem{{2, "owner", "import.problem.owner_forbidden"}}; !reflect.DeepEqual(problems(res), want) {
			t.Errorf("rep owner: %v, want %v", problems(res), want)
		}
	})
}

func TestImportBrokenRows(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newImportEnv(t, db)
		e.run(e.admin, crm.KindAccounts, crm.ImportAllOrNothing, []byte("公司名称\n华东机械有限公司\n"))
		broken := e.file("broken_accounts.csv")
		want := []problem{
			{3, "headcount", "import.problem.bad_number"},
			{4, "industry", "import.problem.unknown_value"},
			{5, "revenue_last_year", "import.problem.bad_money"},
			{6, "name", "import.problem.duplicate_in_file"},
			{7, "name", "field.required"},
			{8, "credit_code", "field.credit_code"},
			{9, "name", "import.problem.duplicate_existing"},
		}

		// Dry run: every problem by row and column, nothing written.
		before := e.counts()
		res := e.run(e.admin, crm.KindAccounts, crm.ImportDryRun, broken)
		if got := problems(res); !reflect.DeepEqual(got, want) {
			t.Errorf("dry run problems:\n got %v\nwant %v", got, want)
		}
		if res.Rows != 9 || res.Good != 2 || res.Bad != 7 || res.Inserted != 0 {
			t.Errorf("dry run counts: %+v", res)
		}
		if res.Problems[0].Column != "员工人数" {
			t.Errorf("problem column %q", res.Problems[0].Column)
		}
		if after := e.counts(); !reflect.DeepEqual(before, after) {
			t.Errorf("dry run changed the database: %v → %v", before, after)
		}

		// All or nothing with bad rows: nothing written.
		res = e.run(e.admin, crm.KindAccounts, crm.ImportAllOrNothing, broken)
		if !res.Failed || res.Inserted != 0 {
			t.Errorf("all or nothing: %+v", res)
		}
		if after := e.counts(); !reflect.DeepEqual(before, after) {
			t.Errorf("failed all-or-nothing changed the database: %v → %v", before, after)
		}

		// Skip bad rows: the two good ones are written, one audit row, and
		// the error file holds the seven bad ones with their problems.
		res = e.run(e.admin, crm.KindAccounts, crm.ImportSkipBadRows, broken)
		if res.Inserted != 2 || res.Bad != 7 {
			t.Fatalf("skip bad rows: %+v", res)
		}
		after := e.counts()
		if after["accounts"] != before["accounts"]+2 || after["audit_log"] != before["audit_log"]+1 {
			t.Errorf("skip bad rows wrote %v → %v", before, after)
		}
		accs := e.accounts()
		if a := accs["正常贸易有限公司"]; a == nil || a.Phone != "021-1234567" || !reflect.DeepEqual(a.RevenueLastYear, i64p(100_000_000)) {
			t.Errorf("good row: %+v", a)
		}
		if accs["另一正常公司"] == nil {
			t.Error("second good row missing")
		}
		ef, err := e.svc.ImportErrorFile(i18n.ZH, res)
		if err != nil {
			t.Fatal(err)
		}
		back, err := tabular.Read(bytes.NewReader(ef), tabular.Limits{})
		if err != nil {
			t.Fatal(err)
		}
		if len(back.Rows) != 8 || back.Rows[0].Cells[0] != "行号" || back.Rows[1].Cells[0] != "3" ||
			!strings.Contains(back.Rows[1].Cells[1], "员工人数: “五十”不是整数") || back.Rows[1].Cells[2] != "坏人数有限公司" {
			t.Errorf("error file: %v", back.Rows)
		}

		// Deals with an unknown stage, a missing account and a bad amount.
		res = e.run(e.admin, crm.KindDeals, crm.ImportDryRun, []byte("商机名称,客户名称,阶段,金额\n"+
			"甲,华东机械有限公司,签约了吗,100\n乙,不存在公司,prospecting,100\n丙,华东机械,demo,一百\n丙,华东机械,demo,100\n丙,华东机械,demo,100\n"))
		wantDeals := []problem{
			{2, "stage", "import.problem.unknown_stage"},
			{3, "account", "import.problem.missing_account"},
			{4, "amount", "import.problem.bad_money"},
			{6, "title", "import.problem.duplicate_in_file"},
		}
		if got := problems(res); !reflect.DeepEqual(got, wantDeals) {
			t.Errorf("deal problems:\n got %v\nwant %v", got, wantDeals)
		}
	})
}

// TestImportTransactionRollsBack makes the store fail halfway through an
// import (a duplicate credit code in the second batch) and checks that the
// first batch is gone too.
func TestImportTransactionRollsBack(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newImportEnv(t, db)
		before := e.counts()
		var as []*crm.Account
		for i := range 1500 {
			as = append(as, &crm.Account{Version: 1, Name: fmt.Sprint("公司", i), OwnerID: e.admin.UserID, CreatedAt: t0, UpdatedAt: t0, ExistingSoftware: []string{}})
		}
		as[10].CreditCode = "91350100M000100Y43"
		as[1400].CreditCode = "91350100M000100Y43"
		batches := 0
		err := db.InsertAccounts(context.Background(), as, &crm.AuditEntry{EntityType: "import", Action: "import", CreatedAt: t0}, func(int) { batches++ })
		if crm.ErrorCode(err) != crm.ECONFLICT || batches == 0 {
			t.Fatalf("err %v after %d batches, want a conflict after at least one", err, batches)
		}
		if after := e.counts(); !reflect.DeepEqual(before, after) {
			t.Errorf("failed insert changed the database: %v → %v", before, after)
		}
	})
}

// TestExportImportRoundTrip fills a database with records that use every
// field, exports each kind as CSV and as XLSX, imports the files into a
// fresh database and compares every exported field.
func TestExportImportRoundTrip(t *testing.T) {
	for _, engine := range storetest.Engines() {
		for _, format := range []sheet.Format{sheet.CSV, sheet.XLSX} {
			for _, lang := range []string{i18n.ZH, i18n.EN} {
				t.Run(engine+"/"+string(format)+"/"+lang, func(t *testing.T) {
					src := newImportEnv(t, storetest.MustOpen(t, engine))
					fillEverything(t, src)
					dst := newImportEnv(t, storetest.MustOpen(t, engine))
					mustUser(t, dst.db, "mgr", crm.RoleManager, nil)
					ctx := context.Background()
					for _, kind := range crm.ImportKinds {
						tbl, err := src.svc.Export(ctx, src.admin, kind, lang)
						if err != nil {
							t.Fatal(err)
						}
						var buf bytes.Buffer
						if err := sheet.Write(&buf, format, tbl); err != nil {
							t.Fatal(err)
						}
						res := dst.run(dst.admin, kind, crm.ImportAllOrNothing, buf.Bytes())
						if res.Bad != 0 || res.Inserted != len(tbl.Rows) {
							t.Fatalf("%s: %d rows, %d inserted, problems %v", kind, res.Rows, res.Inserted, problems(res))
						}
						again, err := dst.svc.Export(ctx, dst.admin, kind, lang)
						if err != nil {
							t.Fatal(err)
						}
						if !reflect.DeepEqual(sortedRows(tbl), sortedRows(again)) {
							t.Errorf("%s differs after the round trip:\n src %v\n dst %v", kind, sortedRows(tbl), sortedRows(again))
						}
					}
					// Compare the records themselves too, beyond their export.
					a1, a2 := src.accounts(), dst.accounts()
					for name, a := range a1 {
						b := a2[name]
						if b == nil {
							t.Fatalf("account %s missing", name)
						}
						a.ID, a.CreatedAt, a.UpdatedAt, a.OwnerTeamID = b.ID, b.CreatedAt, b.UpdatedAt, b.OwnerTeamID
						if !reflect.DeepEqual(a, b) {
							t.Errorf("account %s:\n src %+v\n dst %+v", name, a, b)
						}
					}
				})
			}
		}
	}
}

func sortedRows(t sheet.Table) []string {
	var out []string
	for _, r := range t.Rows {
		out = append(out, fmt.Sprintf("%#v", r))
	}
	slices.Sort(out)
	return out
}

// fillEverything creates records that between them use every field and
// every awkward value: empty and full, formula-like text, lost deals.
func fillEverything(t *testing.T, e *importEnv) {
	t.Helper()
	ctx := context.Background()
	db := e.db
	mgr := mustUser(t, db, "mgr", crm.RoleManager, nil)
	day, _ := crm.ParseDate("2024-03-01")
	close1, _ := crm.ParseDate("2027-06-30")
	full := &crm.Account{Version: 1, Name: "华东机械（集团）股份有限公司", CreditCode: "91350100M000100Y43", Headcount: ip(350),
		BusinessKind: "manufacturing_sales", Industry: "machinery", Ownership: "restructured_soe", RestructuredOn: &day, JustRestructured: true,
		RevenueLastYear: i64p(12_345_678_901), GrossProfit: i64p(1), ExistingSoftware: []string{"erp", "finance", "inventory"},
		BranchCount: ip(0), PurchasePlan: "within_6_months", Region: "江苏 苏州", Address: "工业园区 88 号, 3 楼", Phone: "+86 (512) 5555-0101",
		Website: "https://hd.example.com", OwnerID: e.rep.UserID, CreditLimit: 50_000_000, CreatedAt: t0, UpdatedAt: t0}
	bare := &crm.Account{Version: 1, Name: "-负号开头 =SUM(A1) \"引号\"", ExistingSoftware: []string{"crm"}, OwnerID: mgr.ID, CreatedAt: t0, UpdatedAt: t0}
	for _, a := range []*crm.Account{full, bare} {
		fit := e.svc.Playbook.Fit(playbookFacts(a))
		a.FitScore, a.FitGrade = &fit.Score, fit.Grade
		if err := db.CreateAccount(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	contacts := []*crm.Contact{
		{Version: 1, AccountID: full.ID, Name: "王芳", Title: "财务经理", FunctionalRole: "chief_accountant", Phone: "13800000001",
			Email: "wang@example.com", WeChat: "wf_01", Notes: "多行\n备注, 带逗号", CreatedAt: t0, UpdatedAt: t0},
		{Version: 1, AccountID: bare.ID, Name: "Ada Lovelace", FunctionalRole: "other", CreatedAt: t0, UpdatedAt: t0},
	}
	for _, c := range contacts {
		if err := db.CreateContact(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	deals := []*crm.Deal{
		{Version: 1, AccountID: full.ID, OwnerID: e.rep.UserID, Title: "华东 ERP", Stage: "negotiation", Amount: 48_000_050,
			ExpectedCloseDate: &close1, Probability: 65, NextStep: "报价", NoCompetitors: true, StageChangedAt: t0, CreatedAt: t0, UpdatedAt: t0},
		{Version: 1, AccountID: bare.ID, OwnerID: mgr.ID, Title: "lost one", Stage: "lost", Amount: 0, LostReason: "预算取消",
			StageChangedAt: t0, CreatedAt: t0, UpdatedAt: t0},
	}
	for _, d := range deals {
		if err := db.CreateDeal(ctx, d); err != nil {
			t.Fatal(err)
		}
	}
	due := time.Date(2026, 12, 1, 6, 30, 15, 123456000, time.UTC)
	done := time.Date(2026, 12, 2, 0, 0, 0, 0, time.UTC)
	acts := []*crm.Activity{
		{Version: 1, Type: "visit", Subject: "上门拜访", DueAt: &due, DoneAt: &done, DealID: &deals[0].ID, AccountID: &full.ID,
			ContactID: &contacts[0].ID, Notes: "带演示机", OwnerID: e.rep.UserID, CreatedAt: t0, UpdatedAt: t0},
		{Version: 1, Type: "task", Subject: "+1 跟进", OwnerID: mgr.ID, CreatedAt: t0, UpdatedAt: t0},
		{Version: 1, Type: "call", Subject: "电话", AccountID: &bare.ID, OwnerID: e.admin.UserID, CreatedAt: t0, UpdatedAt: t0},
	}
	for _, a := range acts {
		if err := db.CreateActivity(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
}

func playbookFacts(a *crm.Account) playbook.AccountFacts {
	f := playbook.AccountFacts{Headcount: a.Headcount, BusinessKind: a.BusinessKind, Industry: a.Industry, Ownership: a.Ownership,
		JustRestructured: a.JustRestructured, RevenueLastYear: a.RevenueLastYear, GrossProfit: a.GrossProfit,
		ExistingSoftware: a.ExistingSoftware, BranchCount: a.BranchCount, PurchasePlan: a.PurchasePlan, AsOf: t0}
	if a.RestructuredOn != nil {
		d := a.RestructuredOn.Time
		f.RestructuredOn = &d
	}
	return f
}
