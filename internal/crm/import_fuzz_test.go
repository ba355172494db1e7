package crm_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/dealpath/dealpath/internal/crm"
	"github.com/dealpath/dealpath/internal/i18n"
	"github.com/dealpath/dealpath/internal/tabular"
	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"
)

// The fuzz tests feed arbitrary bytes through the import path: the reader,
// header recognition, cell parsing, references, duplicates, the write (to
// memory) and the error file. Any input may be refused; none may panic. CI
// runs the seeds; in development:
//
//	go test ./internal/crm -run '^$' -fuzz FuzzImportCSV -fuzztime 3m
//
// The store is an in-memory fake: with the SQLite engine linked in, the
// fuzzer's coverage map is so large that it manages a few runs a second.
// The store's side of an import is covered by the tests in internal/store.

// fuzzLimits keep one input small, so the fuzzer tries many.
var fuzzLimits = tabular.Limits{MaxBytes: 1 << 20, MaxRows: 2000, MaxCols: 50, MaxCell: 4096}

// memStore is just enough of a store for an import: users, the records an
// import refers to, and inserts kept in memory. Any other method panics.
type memStore struct {
	crm.Store
	users    []*crm.User
	accounts []crm.AccountRef
	contacts []crm.ContactRef
	deals    []crm.DealRef
	inserted int
}

func (m *memStore) ListUsers(context.Context, crm.UserFilter) ([]*crm.User, error) {
	return m.users, nil
}
func (m *memStore) AccountRefs(context.Context) ([]crm.AccountRef, error) { return m.accounts, nil }
func (m *memStore) ContactRefs(context.Context) ([]crm.ContactRef, error) { return m.contacts, nil }
func (m *memStore) DealRefs(context.Context) ([]crm.DealRef, error)       { return m.deals, nil }

func (m *memStore) BeginImport(context.Context, string) (crm.ImportWriter, error) {
	return &memWriter{m: m}, nil
}

// memWriter counts what an import writes and keeps it on commit only.
type memWriter struct {
	m *memStore
	n int
}

func (w *memWriter) Write(_ context.Context, recs []any) error {
	w.n += len(recs)
	return nil
}
func (w *memWriter) Commit(context.Context, *crm.AuditEntry) error {
	w.m.inserted += w.n
	w.n = 0
	return nil
}
func (w *memWriter) Rollback() error { w.n = 0; return nil }

func fuzzEnv(f *testing.F) (*crm.Service, crm.Actor, crm.Actor) {
	t0 := time.Date(2026, 11, 2, 9, 30, 0, 0, time.UTC)
	team := int64(1)
	admin := &crm.User{ID: 1, Username: "admin", Role: crm.RoleAdmin}
	rep := &crm.User{ID: 2, Username: "rep1", DisplayName: "王芳", Email: "rep1@example.com", Role: crm.RoleRep, TeamID: &team}
	st := &memStore{
		users:    []*crm.User{admin, rep, {ID: 3, Username: "gone", Role: crm.RoleRep, Disabled: true}},
		accounts: []crm.AccountRef{{ID: 1, Name: "华东机械有限公司", CreditCode: "91350100M000100Y43", OwnerID: 2, OwnerTeamID: 1}, {ID: 2, Name: "Acme", OwnerID: 1}},
		contacts: []crm.ContactRef{{ID: 1, AccountID: 1, Name: "王芳"}},
		deals:    []crm.DealRef{{ID: 1, AccountID: 1, Title: "华东 ERP", OwnerID: 2, OwnerTeamID: 1}},
	}
	svc := crm.NewService(st)
	svc.Now = func() time.Time { return t0 }
	svc.Text = i18n.T
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
	files, _ := filepath.Glob("../store/testdata/import/*.csv")
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
