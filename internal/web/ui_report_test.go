package web_test

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/dealpath/dealpath/internal/crm"
	"github.com/dealpath/dealpath/internal/i18n"
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

// TestUIForecastAdjustments drives the forecast page's adjustment form: a
// manager adjusts a member of their team, sees it in force with its
// history; a bad amount comes back with its message and the values typed;
// a manager of another team and a rep are refused.
func TestUIForecastAdjustments(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		s := seedReports(t, e)
		west := e.user("m2", crm.RoleManager, &s.west.ID)
		b := e.browser()
		b.signIn("m1", testPassword)
		const query = "?from=2026-11-01&to=2027-01-31"
		p := b.get("/reports/forecast" + query)
		if p.Status != 200 || !strings.Contains(p.Body, `id="forecast-adjust"`) || !strings.Contains(p.Body, "所列负责人和期间暂无调整。") {
			t.Fatalf("manager's forecast page: %d\n%s", p.Status, p.Body)
		}
		if !strings.Contains(p.Body, `action="/reports/forecast/adjustments?from=2026-11-01&amp;to=2027-01-31"`) {
			t.Errorf("the form does not keep the page's filters")
		}
		if strings.Contains(p.Body, fmt.Sprintf(`<option value="%d">r3</option>`, s.r3.ID)) {
			t.Error("the manager may pick a rep of another team")
		}
		token := csrfOf(t, p)
		form := func(owner int64, period, amount, note string) url.Values {
			return url.Values{"csrf_token": {token}, "owner_id": {fmt.Sprint(owner)}, "period": {period}, "amount": {amount}, "note": {note}}
		}
		// Saved: back to the forecast with its filters, in force.
		p = b.post("/reports/forecast/adjustments"+query, form(s.r1.ID, "2026-12", "12,345.6", "客户口头确认"))
		if p.Status != 303 || p.Header.Get("Location") != "/reports/forecast"+query {
			t.Fatalf("save: %d %q\n%s", p.Status, p.Header.Get("Location"), p.Body)
		}
		// The page it lands on says so, once.
		p = b.get("/reports/forecast" + query)
		if flash := `<div class="flash" role="status">` + i18n.T(i18n.ZH, "ui.flash.report_adjustment_saved") + `</div>`; !strings.Contains(p.Body, flash) {
			t.Errorf("forecast page after saving lacks the notice %s", flash)
		}
		if p = b.get("/reports/forecast" + query); strings.Contains(p.Body, `class="flash"`) {
			t.Error("the notice shows again on the next page")
		}
		list, err := e.svc.ForecastAdjustments(context.Background(), crm.ActorOf(s.boss), fmt.Sprint(s.r1.ID), "2026-12")
		if err != nil || len(list) != 1 || list[0].Amount != 1_234_560 || list[0].CreatedBy != s.m1.ID || list[0].Note != "客户口头确认" {
			t.Fatalf("stored: %v %+v", err, list)
		}
		if p = b.post("/reports/forecast/adjustments"+query, form(s.r1.ID, "2026-12", "20000", "<b>上调</b>")); p.Status != 303 {
			t.Fatalf("second save: %d\n%s", p.Status, p.Body)
		}
		p = b.get("/reports/forecast" + query)
		for _, want := range []string{"¥2万", "&lt;b&gt;上调&lt;/b&gt;", "生效中", "已被替代", "¥1.23万", "客户口头确认", ">m1<"} {
			if !strings.Contains(p.Body, want) {
				t.Errorf("forecast page after two adjustments lacks %q", want)
			}
		}
		// A bad amount: 422, the message, the values typed, nothing stored.
		p = b.post("/reports/forecast/adjustments"+query, form(s.r2.ID, "2027-01", "一万", "备注保留"))
		if p.Status != 422 || !strings.Contains(p.Body, "请填写以元为单位的金额") || !strings.Contains(p.Body, `value="一万"`) ||
			!strings.Contains(p.Body, `value="备注保留"`) || !strings.Contains(p.Body, `<option value="2027-01" selected>`) ||
			!strings.Contains(p.Body, fmt.Sprintf(`<option value="%d" selected>`, s.r2.ID)) {
			t.Errorf("bad amount: %d\n%s", p.Status, p.Body)
		}
		// A period the service refuses comes back on its field.
		p = b.post("/reports/forecast/adjustments"+query, form(s.r2.ID, "2027-13", "100", ""))
		if p.Status != 422 || !strings.Contains(p.Body, "YYYY-Qn") {
			t.Errorf("bad period: %d\n%s", p.Status, p.Body)
		}
		// Without the CSRF token: refused.
		bad := form(s.r2.ID, "2027-01", "100", "")
		bad.Set("csrf_token", "00"+token[2:])
		if p = b.post("/reports/forecast/adjustments", bad); p.Status != 403 {
			t.Errorf("bad CSRF token: %d", p.Status)
		}
		// The manager of the other team may not adjust m1's team.
		w := e.browser()
		w.signIn(west.Username, testPassword)
		wp := w.get("/reports/forecast" + query)
		wf := url.Values{"csrf_token": {csrfOf(t, wp)}, "owner_id": {fmt.Sprint(s.r1.ID)}, "period": {"2026-12"}, "amount": {"1"}}
		if p = w.post("/reports/forecast/adjustments", wf); p.Status != 403 {
			t.Errorf("other team's manager: %d", p.Status)
		}
		if strings.Contains(wp.Body, "客户口头确认") {
			t.Error("the other team's manager sees m1's team's adjustments")
		}
		// A rep sees no form and may not post one.
		r := e.browser()
		r.signIn("r1", testPassword)
		rp := r.get("/reports/forecast" + query)
		if rp.Status != 200 || strings.Contains(rp.Body, `id="forecast-adjust"`) {
			t.Errorf("rep's forecast page: %d, form shown", rp.Status)
		}
		rf := url.Values{"csrf_token": {csrfOf(t, rp)}, "owner_id": {fmt.Sprint(s.r1.ID)}, "period": {"2026-12"}, "amount": {"1"}}
		if p = r.post("/reports/forecast/adjustments", rf); p.Status != 403 {
			t.Errorf("rep: %d", p.Status)
		}
		if list, _ := e.svc.ForecastAdjustments(context.Background(), crm.ActorOf(s.boss), "", ""); len(list) != 2 {
			t.Errorf("refused posts stored something: %d adjustments", len(list))
		}
	})
}
