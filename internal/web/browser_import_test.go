package web_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/dealpath/dealpath/internal/crm"
)

// TestBrowserImport uploads a file through the import page in a real
// browser, follows the job page (its script polls the progress and
// reloads when the import ends), reviews the columns and runs the import.
func TestBrowserImport(t *testing.T) {
	ctx := newBrowser(t)
	e := newEnv(t, "sqlite")
	e.user("zhangmin", crm.RoleRep, nil)
	var b strings.Builder
	b.WriteString("公司名称,员工人数,地区\n")
	for i := range 20000 {
		fmt.Fprintf(&b, "测试客户%05d有限公司,%d,浙江\n", i, i%500)
	}
	b.WriteString("坏数据公司,很多,浙江\n")
	file := filepath.Join(t.TempDir(), "客户.csv")
	if err := os.WriteFile(file, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	url := e.srv.URL
	do(t, ctx, "sign in",
		chromedp.Navigate(url+"/login"),
		chromedp.WaitVisible(`#username`),
		chromedp.SendKeys(`#username`, "zhangmin"),
		chromedp.SendKeys(`#password`, testPassword),
		chromedp.Click(`#signin`),
		chromedp.WaitVisible(`#deals-h`),
	)
	do(t, ctx, "dry run",
		chromedp.Click(`nav a[href="/import"]`),
		chromedp.WaitVisible(`#import-form`),
		chromedp.SetUploadFiles(`#imp-file`, []string{file}),
		chromedp.Click(`#import-submit`),
		chromedp.WaitVisible(`#imp-stats`),
		chromedp.WaitVisible(`#imp-problems`),
	)
	if s := text(t, ctx, `#imp-problems tbody`); !strings.Contains(s, "20002") || !strings.Contains(s, "“很多”不是整数") {
		t.Fatalf("problems: %s", s)
	}
	do(t, ctx, "run, skipping the bad row",
		chromedp.Click(`#import-run input[value="skip_bad_rows"]`),
		chromedp.Click(`#import-run-submit`),
	)
	// The dry run's page, still showing when the click returns, has an
	// #imp-inserted of 0 too, and the running job's page reloads itself
	// (which aborts any wait inside it): ask again until the page shows
	// the written count or the test's context ends.
	for {
		n, err := chromedp.Run(ctx, chromedp.Evaluate[string](`(document.getElementById('imp-inserted') || {}).textContent || ''`))
		if err == nil && n == "20000" {
			break
		}
		if ctx.Err() != nil {
			t.Fatalf("inserted %q %v", n, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	do(t, ctx, "finished page", chromedp.WaitVisible(`#imp-error-file`))
	if s := text(t, ctx, `#imp-inserted`); s != "20000" {
		t.Fatalf("inserted %q", s)
	}
	if s := text(t, ctx, `#imp-error-file`); s == "" {
		t.Fatal("no error file link")
	}
}
