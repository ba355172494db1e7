package web_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowserReports renders every report page in Chromium, in zh-CN and
// then en, and checks that each chart's category labels, legend and values
// are drawn as text of non-zero size. With DEALPATH_SCREENSHOTS set it
// writes reports.png there: the top of the forecast page, as a manager
// first sees it.
func TestBrowserReports(t *testing.T) {
	ctx := newBrowser(t)
	e := newEnv(t, "sqlite")
	seedReports(t, e)
	url := e.srv.URL
	do(t, ctx, "sign in",
		chromedp.Navigate(url+"/login?next=/reports/pipeline"),
		chromedp.WaitVisible(`#username`),
		chromedp.SendKeys(`#username`, "boss"),
		chromedp.SendKeys(`#password`, testPassword),
		chromedp.Click(`#signin`),
		chromedp.WaitVisible(`svg.chart`),
	)
	commit, prospect := e.svc.Playbook.Stage("commit").Name, e.svc.Playbook.Stage("prospecting").Name
	commitZH, commitEN, prospectZH, prospectEN := commit.In("zh-CN"), commit.In("en"), prospect.In("zh-CN"), prospect.In("en")
	// What each page's first chart must show, per language: a category
	// label, a legend entry and a value.
	want := map[string]map[string][]string{
		"zh-CN": {
			"pipeline":    {commitZH, "加权金额（元）", "¥15万"},
			"forecast":    {"2026-11", "已签约", "¥17万"},
			"funnel":      {prospectZH + " → 80%", "到达商机数", "10"},
			"win-loss":    {"A", "赢单", "2"},
			"receivables": {"r2", "逾期 90 天以上", "¥5.5万"},
			"activity":    {"r1", "电话", "4"},
		},
		"en": {
			"pipeline":    {commitEN, "Weighted (yuan)", "¥15万"},
			"forecast":    {"2026-11", "Closed (signed)", "¥17万"},
			"funnel":      {prospectEN + " → 80%", "Deals reached", "10"},
			"win-loss":    {"A", "Won", "2"},
			"receivables": {"r2", "Over 90 days overdue", "¥5.5万"},
			"activity":    {"r1", "Call", "4"},
		},
	}
	const q = "?from=2026-06-01&to=2026-12-31"
	for _, lang := range []string{"zh-CN", "en"} {
		if lang == "en" {
			do(t, ctx, "switch to English",
				chromedp.Click(`details.usermenu summary`),
				chromedp.Click(`button[name=language][value=en]`),
				chromedp.WaitReady(`html[lang=en] svg.chart`),
			)
		}
		for _, kind := range []string{"pipeline", "forecast", "funnel", "win-loss", "receivables", "activity"} {
			do(t, ctx, lang+" "+kind, chromedp.Navigate(url+"/reports/"+kind+q), chromedp.WaitVisible(`svg.chart`))
			texts, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`Array.from(document.querySelector('svg.chart').querySelectorAll('text')).map(t => t.textContent)`))
			if err != nil {
				t.Fatal(err)
			}
			visible, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`Array.from(document.querySelectorAll('svg.chart text')).every(t => t.textContent === '' || t.getBBox().width > 0)`))
			if err != nil {
				t.Fatal(err)
			}
			if !visible {
				t.Errorf("%s %s: a chart text is not drawn", lang, kind)
			}
			joined := strings.Join(texts, "|")
			for _, w := range want[lang][kind] {
				if !strings.Contains("|"+joined+"|", "|"+w+"|") {
					t.Errorf("%s %s: chart lacks %q: %s", lang, kind, w, joined)
				}
			}
			if kind == "forecast" && lang == "zh-CN" {
				if shots := os.Getenv("DEALPATH_SCREENSHOTS"); shots != "" {
					do(t, ctx, "viewport", chromedp.EmulateViewport(1280, 900))
					png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
					if err != nil {
						t.Fatal(err)
					}
					if err := os.WriteFile(filepath.Join(shots, "reports.png"), png, 0o644); err != nil {
						t.Fatal(err)
					}
				}
			}
		}
	}
}
