package web_test

import (
	"bytes"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/dealpath/dealpath/internal/crm"
)

// upload posts the import page's form: the CSRF token first, as the
// page's form sends it, then the fields and the file.
func (b *browser) upload(csrf string, fields [][2]string, file []byte) page {
	b.e.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	if csrf != "" {
		_ = mw.WriteField("csrf_token", csrf)
	}
	for _, f := range fields {
		_ = mw.WriteField(f[0], f[1])
	}
	fw, err := mw.CreateFormFile("file", "客户.csv")
	if err != nil {
		b.e.t.Fatal(err)
	}
	_, _ = fw.Write(file)
	_ = mw.Close()
	req, err := http.NewRequest("POST", b.e.srv.URL+"/import", &body)
	if err != nil {
		b.e.t.Fatal(err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	res, err := b.c.Do(req)
	if err != nil {
		b.e.t.Fatal(err)
	}
	defer res.Body.Close()
	data, _ := io.ReadAll(res.Body)
	return page{Status: res.StatusCode, Header: res.Header, Body: string(data)}
}

// finished follows a job page until the import is no longer running.
func (b *browser) finished(path string) page {
	b.e.t.Helper()
	for {
		p := b.get(path)
		if p.Status != 200 {
			b.e.t.Fatalf("GET %s: %d %s", path, p.Status, p.Body)
		}
		if !strings.Contains(p.Body, `data-running="1"`) {
			return p
		}
		time.Sleep(5 * time.Millisecond)
	}
}

var jobPath = regexp.MustCompile(`^/import/[0-9]+$`)

func TestImportPage(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		e.user("rep1", crm.RoleRep, nil)
		e.user("rep2", crm.RoleRep, nil)
		b := e.browser()
		b.lang = "zh-CN"
		b.signIn("rep1", testPassword)
		home := b.get("/import")
		if home.Status != 200 || !strings.Contains(home.Body, `href="/import" aria-current="page"`) ||
			!strings.Contains(home.Body, `href="/api/v1/exports/deals?format=xlsx"`) || !strings.Contains(home.Body, `enctype="multipart/form-data"`) {
			t.Fatalf("import page: %d %s", home.Status, home.Body)
		}
		csrf := csrfOf(t, home)
		file := []byte("公司名称,员工人数,<b>备注</b>\n甲公司,10,x\n" + xssScript + ",五十,y\n丙公司,30,z\n")

		// Without the token, or signed out: refused, nothing started.
		if p := b.upload("", [][2]string{{"kind", "accounts"}}, file); p.Status != http.StatusForbidden {
			t.Fatalf("upload without CSRF: %d", p.Status)
		}
		if p := e.browser().upload(csrf, [][2]string{{"kind", "accounts"}}, file); p.Status != http.StatusForbidden {
			t.Fatalf("upload signed out: %d", p.Status)
		}
		// A file the kind cannot use: the form again, with the reason.
		p := b.upload(csrf, [][2]string{{"kind", "deals"}, {"mode", "dry_run"}}, file)
		if p.Status != http.StatusBadRequest || !strings.Contains(p.Body, `id="import-error"`) || !strings.Contains(p.Body, "文件缺少") ||
			!strings.Contains(p.Body, `<option value="deals" selected>`) {
			t.Fatalf("unusable file: %d %s", p.Status, p.Body)
		}

		// A dry run: the job page shows the columns to review and the problem.
		p = b.upload(csrf, [][2]string{{"kind", "accounts"}, {"mode", "dry_run"}}, file)
		loc := p.Header.Get("Location")
		if p.Status != http.StatusSeeOther || !jobPath.MatchString(loc) {
			t.Fatalf("upload: %d %q %s", p.Status, loc, p.Body)
		}
		job := b.finished(loc)
		checkEscaped(t, job.Body)
		for _, want := range []string{"已完成", `id="import-run"`, `<option value="headcount" selected>`, "“五十”不是整数", `<td class="num">3</td>`} {
			if !strings.Contains(job.Body, want) {
				t.Errorf("dry-run page lacks %q", want)
			}
		}
		if strings.Contains(job.Body, `<script src="/static/import.js`) {
			t.Error("a finished job still loads the polling script")
		}
		// Another rep cannot see the job.
		other := e.browser()
		other.signIn("rep2", testPassword)
		if p := other.get(loc); p.Status != http.StatusNotFound {
			t.Errorf("other rep sees the job: %d", p.Status)
		}

		// A mapping that names a field twice: the job page again, with the reason.
		run := url.Values{"csrf_token": {csrf}, "mode": {"skip_bad_rows"}, "column": {"name", "name", ""}}
		if p := b.post(loc+"/run", run); p.Status != http.StatusBadRequest || !strings.Contains(p.Body, `id="import-error"`) {
			t.Fatalf("bad mapping: %d %s", p.Status, p.Body)
		}
		// Run it for real, skipping the bad row and ignoring the third column.
		run["column"] = []string{"name", "headcount", ""}
		p = b.post(loc+"/run", run)
		loc2 := p.Header.Get("Location")
		if p.Status != http.StatusSeeOther || !jobPath.MatchString(loc2) || loc2 == loc {
			t.Fatalf("run: %d %q", p.Status, loc2)
		}
		job = b.finished(loc2)
		if !strings.Contains(job.Body, `<span class="stat-num" id="imp-inserted">2</span>`) || !strings.Contains(job.Body, `id="imp-error-file"`) ||
			strings.Contains(job.Body, `id="import-run"`) {
			t.Fatalf("finished page: %s", job.Body)
		}
		// The error file downloads with the browser's session.
		ef := b.get(regexp.MustCompile(`href="(/api/v1/imports/[0-9]+/errors)"`).FindStringSubmatch(job.Body)[1])
		if ef.Status != 200 || !strings.Contains(ef.Body, "五十") {
			t.Fatalf("error file: %d %s", ef.Status, ef.Body)
		}
		// The export button gives the rep's own accounts.
		ex := b.get("/api/v1/exports/accounts?format=csv")
		if ex.Status != 200 || !strings.Contains(ex.Body, "甲公司") || !strings.Contains(ex.Body, "丙公司") {
			t.Fatalf("export: %d %s", ex.Status, ex.Body)
		}
		// So do the export-only kinds' buttons on the page; users and
		// teams are offered to admins only.
		for _, kind := range []string{crm.KindProducts, crm.KindQuotes, crm.KindContracts, crm.KindPayments} {
			for _, format := range []string{"csv", "xlsx"} {
				href := "/api/v1/exports/" + kind + "?format=" + format
				if !strings.Contains(home.Body, `href="`+href+`"`) {
					t.Errorf("no %s button", href)
				}
				if dl := b.get(href); dl.Status != 200 || len(dl.Body) == 0 {
					t.Errorf("%s: %d", href, dl.Status)
				}
			}
		}
		if strings.Contains(home.Body, "/api/v1/exports/users") || strings.Contains(home.Body, "/api/v1/exports/teams") {
			t.Error("a rep is offered the users or teams export")
		}
		if p := b.get("/import/999"); p.Status != http.StatusNotFound {
			t.Errorf("missing job: %d", p.Status)
		}
	})
}
