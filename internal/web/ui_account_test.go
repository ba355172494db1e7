package web_test

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/dealpath/dealpath/internal/crm"
)

// accountDesk is a rep's account with hostile names in every record the
// account page and the deal workspace show, and a second rep of another
// team.
type accountDesk struct {
	rep  *client
	acc  crm.Account
	deal crm.Deal
}

func newAccountDesk(t *testing.T, e *env) *accountDesk {
	t.Helper()
	east, north := e.team("华东"), e.team("华北")
	e.user("rep", crm.RoleRep, &east.ID)
	e.user("other", crm.RoleRep, &north.ID)
	e.user("mgr", crm.RoleManager, &east.ID)
	rep, mgr := e.login("rep"), e.login("mgr")
	var acc crm.Account
	rep.do("POST", "/api/v1/accounts", map[string]any{"name": "客户 " + xssScript, "region": xssAttr, "headcount": 120,
		"business_kind": "distribution", "ownership": "private", "industry": "electronics", "existing_software": []string{"finance"},
		"purchase_plan": "within_6_months", "revenue_last_year": 5_000_000_000}).ok(201, &acc)
	var c crm.Contact
	rep.do("POST", "/api/v1/contacts", map[string]any{"account_id": acc.ID, "name": "王总 " + xssAttr, "title": xssScript,
		"functional_role": "general_manager"}).ok(201, &c)
	var d crm.Deal
	rep.do("POST", "/api/v1/deals", map[string]any{"account_id": acc.ID, "title": "商机 " + xssScript, "amount": 12_500_000,
		"expected_close_date": "2026-12-15"}).ok(201, &d)
	rep.do("POST", fmt.Sprintf("/api/v1/deals/%d/contacts", d.ID), map[string]any{"contact_id": c.ID, "buying_role": "decision_maker",
		"stance": "supports", "engagement_step": "understand"}).ok(201, nil)
	rep.do("POST", fmt.Sprintf("/api/v1/deals/%d/events", d.ID), map[string]any{"code": "CE1", "impact": "影响 " + xssAttr}).ok(201, nil)
	mkActivity(rep, map[string]any{"type": "call", "subject": "回访 " + xssScript, "deal_id": d.ID, "notes": xssAttr})
	mgr.do("POST", fmt.Sprintf("/api/v1/deals/%d/stage", d.ID), map[string]any{"stage": "qualification", "override": true, "reason": "理由 " + xssScript}).ok(200, &d)
	return &accountDesk{rep: rep, acc: acc, deal: d}
}

func TestUIAccountAndDealPages(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		d := newAccountDesk(t, e)
		b := e.browser()
		b.signIn("rep", testPassword)

		p := b.get("/accounts")
		if p.Status != 200 {
			t.Fatalf("accounts: %d\n%s", p.Status, p.Body)
		}
		checkEscaped(t, p.Body)
		if !strings.Contains(p.Body, fmt.Sprintf(`href="/accounts/%d"`, d.acc.ID)) {
			t.Error("the list does not link the account")
		}
		p = b.get("/accounts?q=nothing-like-this&grade=A&sort=-fit_score")
		if p.Status != 200 || !strings.Contains(p.Body, "没有符合条件的客户") {
			t.Errorf("filtered list: %d", p.Status)
		}
		if p := b.get("/accounts?cursor=garbage"); p.Status != 200 {
			t.Errorf("bad cursor: %d", p.Status)
		}

		p = b.get(fmt.Sprintf("/accounts/%d", d.acc.ID))
		if p.Status != 200 {
			t.Fatalf("account: %d\n%s", p.Status, p.Body)
		}
		checkEscaped(t, p.Body)
		for _, want := range []string{"客户 &lt;script&gt;alert(1)&lt;/script&gt;", "王总 &#34;&gt;&lt;img src=x onerror=alert(1)&gt;",
			"商机 &lt;script&gt;", "回访 &lt;script&gt;", "客户匹配度", "企业规模", "总经理", "分销批发", "电子", "¥5,000万", "¥12.5万", `id="fit-grade"`,
			fmt.Sprintf(`href="/deals/%d"`, d.deal.ID)} {
			if !strings.Contains(p.Body, want) {
				t.Errorf("account page lacks %q", want)
			}
		}

		p = b.get(fmt.Sprintf("/deals/%d", d.deal.ID))
		if p.Status != 200 {
			t.Fatalf("deal: %d\n%s", p.Status, p.Body)
		}
		checkEscaped(t, p.Body)
		for _, want := range []string{"商机 &lt;script&gt;alert(1)&lt;/script&gt;", "王总 &#34;&gt;&lt;img", "影响 &#34;&gt;&lt;img",
			"理由 &lt;script&gt;", "企业高速成长", "决策人", "支持", `aria-current="step"`, "资格确认", "采购条件", "越过门槛", "¥12.5万"} {
			if !strings.Contains(p.Body, want) {
				t.Errorf("deal page lacks %q", want)
			}
		}

		// In English.
		en := e.browser()
		en.signIn("rep", testPassword)
		en.post("/settings/language", url.Values{"csrf_token": {csrfOf(t, en.get("/accounts"))}, "language": {"en"}, "next": {"/accounts"}})
		for path, wants := range map[string][]string{
			fmt.Sprintf("/accounts/%d", d.acc.ID): {"Fit with the ideal customer", "Distribution / wholesale", "Key persons"},
			fmt.Sprintf("/deals/%d", d.deal.ID):   {"Compelling events", "Purchase conditions", "Decision maker", "gate overridden"},
			"/accounts/new":                       {"New account", "Six fit factors", "Within 6 months"},
		} {
			p := en.get(path)
			for _, want := range wants {
				if !strings.Contains(p.Body, want) {
					t.Errorf("english %s lacks %q", path, want)
				}
			}
		}

		// My day links its deals to the workspace.
		if p := b.get("/my-day"); !strings.Contains(p.Body, fmt.Sprintf(`href="/deals/%d"`, d.deal.ID)) {
			t.Error("my day does not link the deal")
		}

		// Another team's rep sees neither page; nonsense ids are 404 too.
		o := e.browser()
		o.signIn("other", testPassword)
		for _, path := range []string{fmt.Sprintf("/accounts/%d", d.acc.ID), fmt.Sprintf("/accounts/%d/edit", d.acc.ID),
			fmt.Sprintf("/deals/%d", d.deal.ID), "/accounts/x", "/deals/0"} {
			if p := o.get(path); p.Status != 404 {
				t.Errorf("other rep GET %s: %d", path, p.Status)
			}
		}
		if p := o.post(fmt.Sprintf("/deals/%d/events", d.deal.ID), url.Values{"csrf_token": {csrfOf(t, o.get("/accounts"))}, "code": {"CE2"}}); p.Status != 404 {
			t.Errorf("other rep adds an event: %d", p.Status)
		}
	})
}

func TestUIAccountForms(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		e.user("rep", crm.RoleRep, nil)
		b := e.browser()
		b.signIn("rep", testPassword)
		form := b.get("/accounts/new")
		if form.Status != 200 {
			t.Fatalf("new: %d", form.Status)
		}
		csrf := csrfOf(t, form)

		// Without the CSRF token nothing is created.
		if p := b.post("/accounts", url.Values{"name": {"无令牌公司"}}); p.Status != 403 {
			t.Errorf("no csrf: %d", p.Status)
		}

		// Errors: the messages next to the fields, the input kept.
		bad := url.Values{"csrf_token": {csrf}, "name": {""}, "headcount": {"many"}, "region": {xssAttr}, "credit_code": {"123"},
			"revenue_last_year": {"1.234"}, "industry": {"electronics"}, "existing_software": {"erp", "crm"}}
		p := b.post("/accounts", bad)
		if p.Status != 422 {
			t.Fatalf("bad form: %d", p.Status)
		}
		checkEscaped(t, p.Body)
		for _, want := range []string{"必须是整数", "最多两位小数", `value="many"`, `value="1.234"`, `value="&#34;&gt;&lt;img src=x onerror=alert(1)&gt;"`,
			`<option value="electronics" selected>`, `value="erp" checked`, `value="crm" checked`} {
			if !strings.Contains(p.Body, want) {
				t.Errorf("bad form lacks %q", want)
			}
		}
		// Now only domain errors: required name, credit code.
		bad.Set("headcount", "80")
		bad.Set("revenue_last_year", "30000000")
		p = b.post("/accounts", bad)
		if p.Status != 422 || !strings.Contains(p.Body, `class="field-error"`) || !strings.Contains(p.Body, "统一社会信用代码") {
			t.Fatalf("domain errors: %d\n%s", p.Status, p.Body)
		}
		if !strings.Contains(p.Body, "此项为必填项") && !strings.Contains(p.Body, "必填") {
			t.Errorf("no required message:\n%s", p.Body)
		}

		// A good form creates the account and shows its fit.
		bad.Set("name", "宁波顺达商贸有限公司")
		bad.Set("credit_code", "")
		bad.Set("region", "宁波")
		p = b.post("/accounts", bad)
		if p.Status != 303 {
			t.Fatalf("create: %d\n%s", p.Status, p.Body)
		}
		loc := p.Header.Get("Location")
		p = b.get(loc)
		if p.Status != 200 || !strings.Contains(p.Body, "客户已创建") || !strings.Contains(p.Body, "宁波顺达商贸有限公司") {
			t.Fatalf("created account page: %d", p.Status)
		}

		// Edit: the form shows the stored values and the version.
		ed := b.get(loc + "/edit")
		if ed.Status != 200 || !strings.Contains(ed.Body, `name="version" value="1"`) || !strings.Contains(ed.Body, `value="30000000"`) {
			t.Fatalf("edit form: %d\n%s", ed.Status, ed.Body)
		}
		good := url.Values{"csrf_token": {csrf}, "version": {"1"}, "name": {"宁波顺达商贸股份有限公司"}, "headcount": {"90"}}
		if p := b.post(loc+"/edit", good); p.Status != 303 {
			t.Fatalf("save: %d\n%s", p.Status, p.Body)
		}
		// The same version again is stale: a conflict, the input kept.
		good.Set("name", "我的改动")
		p = b.post(loc+"/edit", good)
		if p.Status != 409 || !strings.Contains(p.Body, `id="conflict"`) || !strings.Contains(p.Body, `value="我的改动"`) {
			t.Fatalf("stale edit: %d\n%s", p.Status, p.Body)
		}
		if p := b.send("POST", loc+"/edit", good, nil); p.Status != 409 {
			t.Errorf("stale edit again: %d", p.Status)
		}
		good.Del("csrf_token")
		if p := b.post(loc+"/edit", good); p.Status != 403 {
			t.Errorf("edit without csrf: %d", p.Status)
		}

		// A deal event: errors keep the input; a good one redirects.
		var acc crm.Account
		rep := e.login("rep")
		rep.do("GET", strings.Replace(loc, "/accounts", "/api/v1/accounts", 1), nil).ok(200, &acc)
		var d crm.Deal
		rep.do("POST", "/api/v1/deals", map[string]any{"account_id": acc.ID, "title": "进销存系统升级"}).ok(201, &d)
		ev := url.Values{"csrf_token": {csrf}, "code": {"custom"}, "impact": {"我写的影响"}}
		p = b.post(fmt.Sprintf("/deals/%d/events", d.ID), ev)
		if p.Status != 422 || !strings.Contains(p.Body, "我写的影响") || !strings.Contains(p.Body, `<option value="custom" selected>`) {
			t.Fatalf("bad event: %d\n%s", p.Status, p.Body)
		}
		ev.Set("code", "CE1")
		if p := b.post(fmt.Sprintf("/deals/%d/events", d.ID), ev); p.Status != 303 {
			t.Fatalf("event: %d\n%s", p.Status, p.Body)
		}
		if p := b.get(fmt.Sprintf("/deals/%d", d.ID)); !strings.Contains(p.Body, "已记录驱动事件") || !strings.Contains(p.Body, "我写的影响") {
			t.Errorf("the event is not shown:\n%s", p.Body)
		}

		// Qualification: bad input kept with its message, saved, then a
		// stale version is a conflict.
		dq := fmt.Sprintf("/deals/%d/qualification", d.ID)
		qf := url.Values{"csrf_token": {csrf}, "version": {"0"}, "budget_amount": {"十万"}, "budget_basis": {"按门店数 " + xssScript}, "answer_requirements": {"我的回答"}}
		p = b.post(dq, qf)
		if p.Status != 422 || !strings.Contains(p.Body, "我的回答") || !strings.Contains(p.Body, `value="十万"`) || !strings.Contains(p.Body, "最多两位小数") {
			t.Fatalf("bad qualification: %d\n%s", p.Status, p.Body)
		}
		checkEscaped(t, p.Body)
		qf.Set("budget_amount", "150000")
		if p := b.post(dq, qf); p.Status != 303 {
			t.Fatalf("qualification: %d\n%s", p.Status, p.Body)
		}
		qf.Set("answer_requirements", "过时的回答")
		if p := b.post(dq, qf); p.Status != 409 || !strings.Contains(p.Body, `id="qual-conflict"`) || !strings.Contains(p.Body, "过时的回答") {
			t.Fatalf("stale qualification: %d", p.Status)
		}
		if p := b.get(fmt.Sprintf("/deals/%d", d.ID)); !strings.Contains(p.Body, `value="150000"`) || !strings.Contains(p.Body, "我的回答") {
			t.Error("the qualification is not shown")
		}

		// Conditions: met without evidence is refused next to the field.
		conds, err := e.svc.Conditions(t.Context(), crm.SystemActor, d.ID)
		if err != nil || len(conds) == 0 {
			t.Fatal(err)
		}
		key := conds[0].Key
		dc := fmt.Sprintf("/deals/%d/conditions", d.ID)
		cf := url.Values{"csrf_token": {csrf}, "version_" + key: {"0"}, "met_" + key: {"1"}}
		p = b.post(dc, cf)
		if p.Status != 422 || !strings.Contains(p.Body, "需要依据") && !strings.Contains(p.Body, `class="field-error"`) {
			t.Fatalf("condition without evidence: %d\n%s", p.Status, p.Body)
		}
		cf.Set("evidence_"+key, "客户书面确认 "+xssAttr)
		if p := b.post(dc, cf); p.Status != 303 {
			t.Fatalf("condition: %d\n%s", p.Status, p.Body)
		}
		cf.Set("evidence_"+key, "另一份依据")
		if p := b.post(dc, cf); p.Status != 409 || !strings.Contains(p.Body, `id="cond-conflict"`) {
			t.Fatalf("stale condition: %d", p.Status)
		}
		p = b.get(fmt.Sprintf("/deals/%d", d.ID))
		checkEscaped(t, p.Body)
		if !strings.Contains(p.Body, "客户书面确认 &#34;&gt;") {
			t.Error("the condition's evidence is not shown")
		}
		ev.Del("csrf_token")
		if p := b.post(fmt.Sprintf("/deals/%d/events", d.ID), ev); p.Status != 403 {
			t.Errorf("event without csrf: %d", p.Status)
		}
	})
}

func TestUIAccountsPaging(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		e.user("rep", crm.RoleRep, nil)
		rep := e.login("rep")
		for i := range 27 {
			mkAccount(rep, fmt.Sprintf("客户%02d", i))
		}
		b := e.browser()
		b.signIn("rep", testPassword)
		p := b.get("/accounts?q=客户&sort=name")
		if p.Status != 200 || !strings.Contains(p.Body, "共 27 家客户") || !strings.Contains(p.Body, "客户00") || strings.Contains(p.Body, "客户25") {
			t.Fatalf("first page: %d", p.Status)
		}
		m := regexp.MustCompile(`href="(/accounts\?[^"]*cursor=[^"]*)" rel="next"`).FindStringSubmatch(p.Body)
		if m == nil {
			t.Fatal("no next link")
		}
		p = b.get(strings.ReplaceAll(m[1], "&amp;", "&"))
		if p.Status != 200 || !strings.Contains(p.Body, "客户26") || strings.Contains(p.Body, "客户00") || strings.Contains(p.Body, `rel="next"`) {
			t.Fatalf("second page: %d", p.Status)
		}
	})
}

// TestUIDealDesk shows a won deal's quotes, contract and milestones in
// the workspace.
func TestUIDealDesk(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		d := newQuoteDesk(e)
		d.mgr.do("POST", fmt.Sprintf("/api/v1/deals/%d/stage", d.deal.ID),
			map[string]any{"stage": "negotiation", "override": true, "reason": "老客户转介绍"}).ok(200, nil)
		var deal crm.Deal
		d.rep.do("GET", fmt.Sprintf("/api/v1/deals/%d", d.deal.ID), nil).ok(200, &deal)
		d.rep.do("PATCH", fmt.Sprintf("/api/v1/deals/%d", d.deal.ID), map[string]any{"version": deal.Version, "expected_close_date": "2026-12-31"}).ok(200, nil)
		c := signContract(t, d.rep, d.mgr, d.deal.ID, d.fin, "2026-10-26")
		b := e.browser()
		b.signIn("rep", testPassword)
		p := b.get(fmt.Sprintf("/deals/%d", d.deal.ID))
		if p.Status != 200 {
			t.Fatalf("deal: %d\n%s", p.Status, p.Body)
		}
		for _, want := range []string{c.Number, "签约首付款", "已接受", "合同与回款", `id="quotes"`} {
			if !strings.Contains(p.Body, want) {
				t.Errorf("deal desk lacks %q", want)
			}
		}
	})
}
