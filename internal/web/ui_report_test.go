package web_test

import (
	"fmt"
	"net/url"
	"strings"
	"testing"
)

func TestUIReports(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		s := seedReports(t, e)
		// A deal with a hostile title, stalled and idle since June: it is
		// listed on the funnel and activity pages, escaped.
		rawExec(t, e, []string{fmt.Sprintf(`INSERT INTO deals (id, account_id, owner_id, title, stage, amount, probability, stage_changed_at, created_at, updated_at)
			VALUES (12, 1, %d, '%s', 'prospecting', 100, 0, '2026-06-01T00:00:00.000000Z', '2026-06-01T00:00:00.000000Z', '2026-06-01T00:00:00.000000Z')`,
			s.r1.ID, strings.ReplaceAll(xssScript, "'", "''"))})
		b := e.browser()
		b.signIn("m1", testPassword)
		for _, kind := range []string{"pipeline", "forecast", "funnel", "win-loss", "receivables", "activity"} {
			p := b.get("/reports/" + kind + "?from=2026-06-01&to=2026-11-02")
			if p.Status != 200 {
				t.Fatalf("%s: status %d\n%s", kind, p.Status, p.Body)
			}
			if !strings.Contains(p.Body, `<svg class="chart"`) || !strings.Contains(p.Body, `aria-current="page">报表</a>`) {
				t.Errorf("%s: no chart or nav link", kind)
			}
			if !strings.Contains(p.Body, `href="/api/v1/reports/`+kind+`?format=xlsx&amp;from=2026-06-01&amp;to=2026-11-02"`) {
				t.Errorf("%s: no download link", kind)
			}
			if kind == "funnel" || kind == "activity" {
				checkEscaped(t, p.Body)
			} else if strings.Contains(p.Body, "<script") {
				t.Errorf("%s: a script in the page", kind)
			}
		}
		// The manager's pipeline: the team's commit amount ¥8万, not r3's.
		p := b.get("/reports/pipeline")
		for _, want := range []string{"各阶段金额与加权金额", "加权金额（元）", "¥8万"} {
			if !strings.Contains(p.Body, want) {
				t.Errorf("pipeline page lacks %q", want)
			}
		}
		if strings.Contains(p.Body, ">r3<") {
			t.Error("the manager's pipeline shows a rep of another team")
		}
		// Bad filters: 400, the page with each field's message and the
		// values typed kept.
		p = b.get("/reports/forecast?" + url.Values{"from": {"2026-13-01"}, "period": {"week"}}.Encode())
		if p.Status != 400 || !strings.Contains(p.Body, `value="2026-13-01"`) || !strings.Contains(p.Body, "必须是日期 YYYY-MM-DD") {
			t.Errorf("bad filters: %d\n%s", p.Status, p.Body)
		}
		// A rep's pages hold only their own numbers and no owner filter.
		r := e.browser()
		r.signIn("r2", testPassword)
		p = r.get("/reports/receivables")
		if p.Status != 200 || strings.Contains(p.Body, ">r1<") || !strings.Contains(p.Body, ">r2<") || strings.Contains(p.Body, `name="owner_id"`) {
			t.Errorf("rep's receivables page: %d\n%s", p.Status, p.Body)
		}
	})
}
