package web_test

import (
	"bytes"
	"context"
	"fmt"
	"mime/multipart"
	"strings"
	"testing"
	"time"

	"github.com/dealpath/dealpath/internal/crm"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/xuri/excelize/v2"
)

func init() {
	// Downloads are checked against docs/openapi.yaml like every answer;
	// the validator needs to know how to read their media types.
	openapi3filter.RegisterBodyDecoder("text/csv", openapi3filter.PlainBodyDecoder)
	openapi3filter.RegisterBodyDecoder("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", openapi3filter.FileBodyDecoder)
}

// importJob is the API's view of an import job.
type importJob struct {
	ID       int64  `json:"id"`
	Status   string `json:"status"`
	Phase    string `json:"phase"`
	Done     int    `json:"done"`
	Total    int    `json:"total"`
	Inserted int    `json:"inserted"`
	Bad      int    `json:"bad"`
	Error    string `json:"error"`
	Columns  []struct {
		Index  int    `json:"index"`
		Header string `json:"header"`
		Field  string `json:"field"`
	} `json:"columns"`
	Problems []struct {
		Line    int    `json:"line"`
		Column  string `json:"column"`
		Field   string `json:"field"`
		Message string `json:"message"`
	} `json:"problems"`
	ErrorFile string `json:"error_file"`
}

// upload posts a multipart form; fields go first, then the file (when
// file is not nil).
func (c *client) upload(path string, fields map[string]string, fileName string, file []byte) *resp {
	c.e.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for k, v := range fields {
		if err := mw.WriteField(k, v); err != nil {
			c.e.t.Fatal(err)
		}
	}
	if file != nil {
		fw, err := mw.CreateFormFile("file", fileName)
		if err != nil {
			c.e.t.Fatal(err)
		}
		if _, err := fw.Write(file); err != nil {
			c.e.t.Fatal(err)
		}
	}
	if err := mw.Close(); err != nil {
		c.e.t.Fatal(err)
	}
	return c.raw("POST", path, mw.FormDataContentType(), body.Bytes())
}

// importFile uploads a file and waits for its job to finish.
func (c *client) importFile(kind, mode string, file []byte) importJob {
	c.e.t.Helper()
	var j importJob
	c.upload("/api/v1/imports", map[string]string{"kind": kind, "mode": mode}, "data.csv", file).ok(202, &j)
	return c.waitImport(j.ID)
}

// waitImport polls a job until it is no longer running.
func (c *client) waitImport(id int64) importJob {
	c.e.t.Helper()
	for {
		var j importJob
		c.do("GET", fmt.Sprintf("/api/v1/imports/%d", id), nil).ok(200, &j)
		if j.Status != "running" {
			return j
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func (e *env) countAccounts() int {
	e.t.Helper()
	p, err := e.db.ListAccounts(context.Background(), crm.AccountFilter{Scope: crm.Scope{All: true}, ListParams: crm.ListParams{Limit: 500, WithTotal: true}})
	if err != nil {
		e.t.Fatal(err)
	}
	return len(p.Items)
}

func TestImportAPI(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		e.user("admin", crm.RoleAdmin, nil)
		e.user("rep1", crm.RoleRep, nil)
		admin, rep := e.login("admin"), e.login("rep1")
		rep.lang = "en"
		file := []byte("公司名称,员工人数,电话\n甲公司,10,021-1234567\n乙公司,五十,\n丙公司,30,\n")

		// A dry run: columns recognized, the problem by row and column,
		// nothing written.
		j := rep.importFile("accounts", "dry_run", file)
		if j.Status != "done" || j.Bad != 1 || j.Inserted != 0 || len(j.Problems) != 1 || j.Total != 3 {
			t.Fatalf("dry run: %+v", j)
		}
		if p := j.Problems[0]; p.Line != 3 || p.Column != "员工人数" || p.Field != "headcount" || p.Message != "“五十” is not a whole number." {
			t.Errorf("problem: %+v", p)
		}
		if len(j.Columns) != 3 || j.Columns[0].Field != "name" || j.Columns[1].Field != "headcount" || j.Columns[2].Field != "phone" {
			t.Errorf("columns: %+v", j.Columns)
		}
		if n := e.countAccounts(); n != 0 {
			t.Fatalf("dry run wrote %d accounts", n)
		}

		// All or nothing on the same file: rejected, nothing written.
		var started importJob
		rep.do("POST", fmt.Sprintf("/api/v1/imports/%d/run", j.ID), map[string]any{"mode": "all_or_nothing"}).ok(202, &started)
		if r := rep.waitImport(started.ID); r.Status != "rejected" || r.Inserted != 0 {
			t.Fatalf("all or nothing: %+v", r)
		}
		if n := e.countAccounts(); n != 0 {
			t.Fatalf("rejected import wrote %d accounts", n)
		}

		// Skip bad rows, with a mapping that ignores the phone column.
		rep.do("POST", fmt.Sprintf("/api/v1/imports/%d/run", j.ID), map[string]any{"mode": "skip_bad_rows", "mapping": []string{"name", "headcount", ""}}).ok(202, &started)
		done := rep.waitImport(started.ID)
		if done.Status != "done" || done.Inserted != 2 || done.Bad != 1 || done.ErrorFile == "" {
			t.Fatalf("skip bad rows: %+v", done)
		}
		ef := rep.do("GET", done.ErrorFile, nil).ok(200, nil)
		if !strings.Contains(string(ef.Body), "乙公司") || !strings.Contains(string(ef.Body), "员工人数: “五十”不是整数") {
			t.Errorf("error file: %s", ef.Body)
		}
		var page struct {
			Items []crm.Account `json:"items"`
		}
		rep.do("GET", "/api/v1/accounts?sort=name", nil).ok(200, &page)
		if len(page.Items) != 2 || page.Items[0].Phone != "" || page.Items[0].OwnerID == 0 {
			t.Fatalf("imported accounts: %+v", page.Items)
		}
		// The file is dropped once rows from it were written.
		rep.do("POST", fmt.Sprintf("/api/v1/imports/%d/run", started.ID), map[string]any{"mode": "dry_run"}).fail(404, "not_found")
		// A job is its owner's: another rep does not see it; an admin does.
		e.user("rep2", crm.RoleRep, nil)
		e.login("rep2").do("GET", fmt.Sprintf("/api/v1/imports/%d", j.ID), nil).fail(404, "not_found")
		e.login("rep2").do("GET", done.ErrorFile, nil).fail(404, "not_found")
		admin.do("GET", fmt.Sprintf("/api/v1/imports/%d", j.ID), nil).ok(200, nil)
		// A job without bad rows has no error file.
		clean := admin.importFile("accounts", "all_or_nothing", []byte("Company Name\nUnique Co\n"))
		if clean.Inserted != 1 || clean.ErrorFile != "" {
			t.Fatalf("clean import: %+v", clean)
		}
		admin.do("GET", fmt.Sprintf("/api/v1/imports/%d/errors", clean.ID), nil).fail(404, "not_found")
	})
}

func TestImportAPIRejectsHostileInput(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		e.user("admin", crm.RoleAdmin, nil)
		c := e.login("admin")
		good := []byte("公司名称\n甲公司\n")
		c.upload("/api/v1/imports", map[string]string{"kind": "planets"}, "a.csv", good).failField("kind")
		c.upload("/api/v1/imports", map[string]string{"kind": "accounts", "mode": "yolo"}, "a.csv", good).failField("mode")
		c.upload("/api/v1/imports", map[string]string{"kind": "accounts"}, "", nil).failField("file")
		c.upload("/api/v1/imports", map[string]string{"kind": "accounts"}, "a.csv", []byte{}).failField("file")
		c.upload("/api/v1/imports", map[string]string{"kind": "accounts"}, "a.xlsx", []byte("PK\x03\x04not a zip")).failField("file")
		c.upload("/api/v1/imports", map[string]string{"kind": "deals"}, "a.csv", good).failField("mapping")
		c.upload("/api/v1/imports", map[string]string{"kind": "accounts", "mapping": "{"}, "a.csv", good).failField("mapping")
		c.upload("/api/v1/imports", map[string]string{"kind": "accounts", "mapping": `["planet"]`}, "a.csv", good).failField("mapping")
		c.raw("POST", "/api/v1/imports", "multipart/form-data; boundary=xyz", []byte("--xyz\r\nbroken")).failField("file")
		c.raw("POST", "/api/v1/imports", "application/json", []byte(`{"kind":"accounts"}`)).fail(400, "invalid")
		huge := bytes.Repeat([]byte("公司名称,备注\n"), 0)
		huge = append(huge, bytes.Repeat([]byte("x"), 65<<20)...)
		c.upload("/api/v1/imports", map[string]string{"kind": "accounts"}, "huge.csv", huge).failField("file")
		c.do("GET", "/api/v1/imports/0", nil).fail(400, "invalid")
		c.do("GET", "/api/v1/imports/999", nil).fail(404, "not_found")
		c.do("POST", "/api/v1/imports/999/run", map[string]any{"mode": "dry_run"}).fail(404, "not_found")
		e.anon().upload("/api/v1/imports", map[string]string{"kind": "accounts"}, "a.csv", good).fail(401, "unauthenticated")
		if n := e.countAccounts(); n != 0 {
			t.Fatalf("hostile uploads wrote %d accounts", n)
		}
	})
}

func TestExportAPI(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		e.user("admin", crm.RoleAdmin, nil)
		e.user("rep1", crm.RoleRep, nil)
		e.user("rep2", crm.RoleRep, nil)
		rep1, rep2, admin := e.login("rep1"), e.login("rep2"), e.login("admin")
		rep1.do("POST", "/api/v1/accounts", map[string]any{"name": "一号客户"}).ok(201, nil)
		rep2.do("POST", "/api/v1/accounts", map[string]any{"name": "二号客户"}).ok(201, nil)

		// A rep exports only their own records; an admin everything.
		out := rep1.do("GET", "/api/v1/exports/accounts", nil).ok(200, nil)
		if body := string(out.Body); !strings.Contains(body, "一号客户") || strings.Contains(body, "二号客户") || !strings.HasPrefix(body, "\uFEFF公司名称,") {
			t.Errorf("rep export: %s", body)
		}
		if cd := out.Header.Get("Content-Disposition"); !strings.HasPrefix(cd, "attachment; filename=accounts-") {
			t.Errorf("Content-Disposition %q", cd)
		}
		x := admin.do("GET", "/api/v1/exports/accounts?format=xlsx", nil).ok(200, nil)
		f, err := excelize.OpenReader(bytes.NewReader(x.Body))
		if err != nil {
			t.Fatal(err)
		}
		rows, err := f.GetRows(f.GetSheetName(0))
		if err != nil || len(rows) != 3 {
			t.Fatalf("admin xlsx rows %v %v", rows, err)
		}
		for _, kind := range []string{"contacts", "deals", "activities"} {
			admin.do("GET", "/api/v1/exports/"+kind+"?format=csv", nil).ok(200, nil)
		}
		admin.do("GET", "/api/v1/exports/planets", nil).failField("kind")
		admin.do("GET", "/api/v1/exports/accounts?format=pdf", nil).failField("format")
		e.anon().do("GET", "/api/v1/exports/accounts", nil).fail(401, "unauthenticated")
	})
}

// TestImportInterruptedAPI: a job left running by a stopped server is
// shown as failed, with the reason in the reader's language, once the
// next server start marked it, so the page polling it stops waiting.
func TestImportInterruptedAPI(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		u := e.user("rep1", crm.RoleRep, nil)
		rep := e.login("rep1")
		ctx := context.Background()
		j, err := e.svc.StartImportJob(ctx, crm.ActorOf(u), crm.KindAccounts, crm.ImportSkipBadRows, "a.csv", []byte("公司名称\n甲公司\n"))
		if err != nil {
			t.Fatal(err)
		}
		var got importJob
		rep.do("GET", fmt.Sprintf("/api/v1/imports/%d", j.ID), nil).ok(200, &got)
		if got.Status != crm.JobRunning {
			t.Fatalf("status %q before the restart, want running", got.Status)
		}
		// The server stops; the next one starts once the job's heartbeat
		// is old.
		e.clock.Add(crm.ImportStaleAfter + time.Second)
		if n, err := newService(e.db, e.clock).FailInterruptedImports(ctx); err != nil || n != 1 {
			t.Fatalf("marked %d (%v), want 1", n, err)
		}
		for lang, want := range map[string]string{"zh-CN": "导入被中断", "en": "The import was interrupted"} {
			rep.lang = lang
			rep.do("GET", fmt.Sprintf("/api/v1/imports/%d", j.ID), nil).ok(200, &got)
			if got.Status != crm.JobFailed || !strings.Contains(got.Error, want) {
				t.Errorf("%s: status %q error %q, want failed saying %q", lang, got.Status, got.Error, want)
			}
		}
	})
}
