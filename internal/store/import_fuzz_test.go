package store_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/dealpath/dealpath/internal/crm"
	"github.com/dealpath/dealpath/internal/i18n"
	"github.com/dealpath/dealpath/internal/store"
	"github.com/dealpath/dealpath/internal/store/storetest"
	"github.com/dealpath/dealpath/internal/tabular"
	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"
)

// The fuzz tests feed arbitrary bytes through the whole import path: the
// reader, header recognition, cell parsing, references, duplicates, and
// (for some inputs) the write and the error file. Any input may be
// refused; none may panic. CI runs the seeds; in development:
//
//	go test ./internal/store -run '^$' -fuzz FuzzImportCSV -fuzztime 3m

// fuzzLimits keep one input small, so the fuzzer tries many.
var fuzzLimits = tabular.Limits{MaxBytes: 1 << 20, MaxRows: 2000, MaxCols: 50, MaxCell: 4096}

func fuzzEnv(f *testing.F) (*crm.Service, crm.Actor, crm.Actor) {
	db := storetest.MustOpen(f, store.SQLite)
	svc := crm.NewService(db)
	svc.Now = func() time.Time { return t0 }
	svc.Text = i18n.T
	ctx := context.Background()
	user := func(name, role string) *crm.User {
		u := &crm.User{Version: 1, Username: name, Role: role, Language: "zh-CN", PasswordHash: "x", CreatedAt: t0, UpdatedAt: t0}
		if err := db.CreateUser(ctx, u); err != nil {
			f.Fatal(err)
		}
		return u
	}
	admin, rep := user("admin", crm.RoleAdmin), user("rep1", crm.RoleRep)
	// Something to refer to and to collide with.
	acc, err := svc.CreateAccount(ctx, crm.ActorOf(rep), crm.AccountInput{Name: "华东机械有限公司", CreditCode: "91350100M000100Y43"})
	if err != nil {
		f.Fatal(err)
	}
	if _, err := svc.CreateDeal(ctx, crm.ActorOf(rep), crm.DealInput{AccountID: acc.ID, Title: "华东 ERP"}); err != nil {
		f.Fatal(err)
	}
	if _, err := svc.CreateContact(ctx, crm.ActorOf(rep), crm.ContactInput{AccountID: acc.ID, Name: "王芳"}); err != nil {
		f.Fatal(err)
	}
	return svc, crm.ActorOf(admin), crm.ActorOf(rep)
}

func fuzzImport(t *testing.T, svc *crm.Service, admin, rep crm.Actor, data []byte, sel byte) {
	tb, err := tabular.Read(bytes.NewReader(data), fuzzLimits)
	if err != nil {
		return // refused: fine
	}
	actor := admin
	if sel&1 == 1 {
		actor = rep
	}
	kind := crm.ImportKinds[int(sel>>1)%len(crm.ImportKinds)]
	mode := crm.ImportDryRun
	if sel&0x80 != 0 {
		mode = crm.ImportSkipBadRows
	}
	res, err := svc.Import(context.Background(), actor, crm.ImportRequest{Kind: kind, Mode: mode, Table: tb})
	if err != nil {
		if crm.ErrorCode(err) == crm.EINTERNAL {
			t.Fatalf("internal error on input %q: %v", data, err)
		}
		return
	}
	if res.Good+res.Bad != res.Rows || len(res.BadRows) != res.Bad {
		t.Fatalf("counts do not add up: %+v", res)
	}
	if _, err := svc.ImportErrorFile(i18n.ZH, res); err != nil {
		t.Fatal(err)
	}
	if back := crm.UnmarshalResult(crm.MarshalResult(res)); back == nil {
		t.Fatal("result does not survive the job row")
	}
}

func addFileSeeds(f *testing.F) {
	files, _ := filepath.Glob("testdata/import/*.csv")
	for i, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b, byte(i))
	}
}

func FuzzImportCSV(f *testing.F) {
	addFileSeeds(f)
	gb, _ := simplifiedchinese.GB18030.NewEncoder().String("公司名称,员工人数,行业\n华东机械,１２０,机械\n")
	f.Add([]byte(gb), byte(0))
	f.Add([]byte("\uFEFF客户名称,姓,名,手机\n华东机械,王,芳,138\n"), byte(2))
	f.Add([]byte("商机名称,客户名称,阶段,金额,预计成交日期\n甲,华东机械,Closed Won,\"1,234.5\",3/31/2027\n"), byte(4|0x80))
	f.Add([]byte("类型,主题,计划时间,商机,联系人\n拜访,上门,2026-12-01 14:30,华东 ERP,王芳\n"), byte(6))
	f.Add([]byte("\"unterminated,\"quote\n\"a\"b,c\n"), byte(0))
	f.Add([]byte("a;b;c\n1;2;3\n"), byte(1))
	f.Add([]byte{0xff, 0xfe, 0x00, 0x41}, byte(0))
	svc, admin, rep := fuzzEnv(f)
	f.Fuzz(func(t *testing.T, data []byte, sel byte) {
		fuzzImport(t, svc, admin, rep, data, sel)
	})
}

func FuzzImportXLSX(f *testing.F) {
	build := func(rows [][]any, merge ...string) []byte {
		x := excelize.NewFile()
		sh := x.GetSheetName(0)
		for i, r := range rows {
			cell, _ := excelize.CoordinatesToCellName(1, i+1)
			if err := x.SetSheetRow(sh, cell, &r); err != nil {
				f.Fatal(err)
			}
		}
		for i := 0; i+1 < len(merge); i += 2 {
			if err := x.MergeCell(sh, merge[i], merge[i+1]); err != nil {
				f.Fatal(err)
			}
		}
		var buf bytes.Buffer
		if err := x.Write(&buf); err != nil {
			f.Fatal(err)
		}
		return buf.Bytes()
	}
	f.Add(build([][]any{{"客户信息"}, {"公司名称", "员工人数"}, {}, {"甲公司", 10}}, "A1", "B1"), byte(0))
	f.Add(build([][]any{{"商机名称", "客户名称", "金额"}, {"甲", "华东机械", 12.5}}), byte(4|0x80))
	f.Add(build([][]any{{"Deal Name", "Associated Company", "Deal Stage"}, {"x", "华东机械有限公司", "Contract Sent"}}, "A2", "A5"), byte(5))
	f.Add([]byte("PK\x03\x04"), byte(0))
	svc, admin, rep := fuzzEnv(f)
	f.Fuzz(func(t *testing.T, data []byte, sel byte) {
		fuzzImport(t, svc, admin, rep, data, sel)
	})
}
