package web_test

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/dealpath/dealpath/internal/crm"
)

// deskUI is a team for the deal desk's forms: a rep without authority, a
// manager who may give 20 %, an admin, a rep of another team; a price book
// and a deal of the rep's with two contacts of its account.
type deskUI struct {
	e              *env
	root, mgr, rep *client
	fin, lic       crm.Product
	acc            crm.Account
	deal           crm.Deal
	gm, cfo        crm.Contact
	rb, mb         *browser
	rtok, mtok     string
	mgrID          int64
}

func newDeskUI(t *testing.T, e *env) *deskUI {
	t.Helper()
	east, north := e.team("华东"), e.team("华北")
	d := &deskUI{e: e}
	e.user("root", crm.RoleAdmin, nil)
	mgrU := e.user("mgr", crm.RoleManager, &east.ID)
	d.mgrID = mgrU.ID
	e.user("rep", crm.RoleRep, &east.ID)
	e.user("other", crm.RoleRep, &north.ID)
	d.root, d.mgr, d.rep = e.login("root"), e.login("mgr"), e.login("rep")
	setAuthority(d.root, mgrU.ID, 2000, 90, 500_000_000)
	d.fin = mkProduct(d.root, "FIN-STD", "财务标准版", "software_module", "set", 3_800_000)
	d.lic = mkProduct(d.root, "LIC-USER", "用户许可", "license_per_user", "user", 120_000)
	d.acc = mkAccount(d.rep, "宁波顺达商贸有限公司")
	d.rep.do("POST", "/api/v1/contacts", map[string]any{"account_id": d.acc.ID, "name": "王建国", "title": "总经理",
		"functional_role": "general_manager"}).ok(201, &d.gm)
	d.cfo = mkContact(d.rep, d.acc.ID, "陈丽")
	d.deal = mkDeal(d.rep, d.acc.ID, "进销存系统升级")
	d.rb, d.mb = e.browser(), e.browser()
	d.rb.signIn("rep", testPassword)
	d.mb.signIn("mgr", testPassword)
	d.rtok = csrfOf(t, d.rb.get("/my-day"))
	d.mtok = csrfOf(t, d.mb.get("/my-day"))
	return d
}

// post sends a desk form as b with its CSRF token.
func (d *deskUI) post(b *browser, path string, form url.Values) page {
	d.e.t.Helper()
	tok := d.rtok
	if b == d.mb {
		tok = d.mtok
	}
	form.Set("csrf_token", tok)
	return b.post(path, form)
}

func (d *deskUI) path(format string, args ...any) string {
	return fmt.Sprintf("/deals/%d", d.deal.ID) + fmt.Sprintf(format, args...)
}

// redirected checks a desk post succeeded: 303 back to the panel.
func redirected(t *testing.T, p page, anchor string) {
	t.Helper()
	if p.Status != 303 || !strings.HasSuffix(p.Header.Get("Location"), "#"+anchor) {
		t.Fatalf("want 303 to #%s, got %d %s\n%s", anchor, p.Status, p.Header.Get("Location"), p.Body)
	}
}

// refused checks a desk post was refused with status, the message next to
// the field and the typed values kept.
func refused(t *testing.T, p page, status int, message string, kept ...string) {
	t.Helper()
	if p.Status != status {
		t.Fatalf("want %d, got %d\n%s", status, p.Status, p.Body)
	}
	if message != "" && !regexp.MustCompile(`field-error">[^<]*`+regexp.QuoteMeta(message)).MatchString(p.Body) &&
		!strings.Contains(p.Body, `desk-error" role="alert">`+message) {
		t.Errorf("no message %q next to the field", message)
	}
	for _, k := range kept {
		if !strings.Contains(p.Body, k) {
			t.Errorf("typed value %q not kept", k)
		}
	}
}

func TestUIDealContactsAndCompetitors(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		d := newDeskUI(t, e)
		gm := fmt.Sprint(d.gm.ID)
		// A buying role that does not exist: the message next to it, the
		// choices kept.
		p := d.post(d.rb, d.path("/contacts"), url.Values{"contact_id": {gm}, "buying_role": {"boss"}, "stance": {"supports"}})
		refused(t, p, 422, "", `<option value="`+gm+`" selected>`, `<option value="supports" selected>`)
		if !strings.Contains(p.Body, `has-error"><label for="dc-role"`) {
			t.Error("buying role not marked")
		}
		p = d.post(d.rb, d.path("/contacts"), url.Values{"contact_id": {"abc"}, "buying_role": {"decision_maker"}})
		refused(t, p, 422, "必须是整数")
		p = d.post(d.rb, d.path("/contacts"), url.Values{"contact_id": {"999999"}, "buying_role": {"decision_maker"}})
		if p.Status != 422 && p.Status != 404 {
			t.Fatalf("unknown contact: %d", p.Status)
		}
		redirected(t, d.post(d.rb, d.path("/contacts"), url.Values{"contact_id": {gm}, "buying_role": {"decision_maker"},
			"stance": {"supports"}, "engagement_step": {"concerns_known"}}), "deal-contacts")
		page := d.rb.get(d.path(""))
		for _, want := range []string{"联系人已加入商机。", "王建国", "决策人", "了解顾虑"} {
			if !strings.Contains(page.Body, want) {
				t.Errorf("deal page lacks %q", want)
			}
		}
		// Key persons reflect it: the decision maker's slot is filled.
		kp := page.Body[strings.Index(page.Body, `id="key-persons"`):]
		kp = kp[:strings.Index(kp, "</section>")]
		if !strings.Contains(kp, "王建国") {
			t.Errorf("key persons do not show the contact:\n%s", kp)
		}
		// Edit: the stance changes; a stale version is a conflict.
		redirected(t, d.post(d.rb, d.path("/contacts/%d", d.gm.ID), url.Values{"version": {"1"}, "op": {"save"},
			"buying_role": {"decision_maker"}, "stance": {"neutral"}, "engagement_step": {"relationship_built"}}), "deal-contacts")
		p = d.post(d.rb, d.path("/contacts/%d", d.gm.ID), url.Values{"version": {"1"}, "op": {"save"},
			"buying_role": {"sponsor"}, "stance": {"opposes"}})
		refused(t, p, 409, "")
		if !strings.Contains(p.Body, "其他人已修改了这条记录") || !strings.Contains(p.Body, `<option value="opposes" selected>`) {
			t.Error("conflict message or typed stance missing")
		}
		p = d.post(d.rb, d.path("/contacts/%d", d.gm.ID), url.Values{"version": {"2"}, "op": {"save"}, "buying_role": {"boss"}})
		refused(t, p, 422, "")
		redirected(t, d.post(d.rb, d.path("/contacts/%d", d.gm.ID), url.Values{"op": {"remove"}}), "deal-contacts")
		if strings.Contains(d.rb.get(d.path("")).Body, `id="dc-`+gm+`"`) {
			t.Error("removed contact still listed")
		}

		// Competitors: a name is required; added; removed.
		p = d.post(d.rb, d.path("/competitors"), url.Values{"strengths": {"价格低"}})
		refused(t, p, 422, "", `value="价格低"`)
		redirected(t, d.post(d.rb, d.path("/competitors"), url.Values{"name": {"用友"}, "strengths": {"价格低"}, "status": {"active"}}), "competitors")
		var comps struct {
			Items []crm.Competitor `json:"items"`
		}
		d.rep.do("GET", fmt.Sprintf("/api/v1/deals/%d/competitors", d.deal.ID), nil).ok(200, &comps)
		if len(comps.Items) != 1 || comps.Items[0].Name != "用友" {
			t.Fatalf("competitors %+v", comps.Items)
		}
		c := comps.Items[0]
		refused(t, d.post(d.rb, d.path("/competitors/%d/remove", c.ID), url.Values{"version": {"7"}}), 409, "")
		redirected(t, d.post(d.rb, d.path("/competitors/%d/remove", c.ID), url.Values{"version": {fmt.Sprint(c.Version)}}), "competitors")

		// Activities: a subject is required; a bad time is a message.
		p = d.post(d.rb, d.path("/activities"), url.Values{"type": {"call"}, "due_at": {"明天"}, "notes": {"带上报价"}})
		refused(t, p, 422, "必须是日期时间", "带上报价")
		redirected(t, d.post(d.rb, d.path("/activities"), url.Values{"type": {"visit"}, "subject": {"拜访王总"}, "due_at": {"2026-12-03T10:00"}}), "activities")
		redirected(t, d.post(d.rb, d.path("/activities"), url.Values{"type": {"call"}, "subject": {"电话回访"}, "done": {"1"}}), "activities")
		if body := d.rb.get(d.path("")).Body; !strings.Contains(body, "拜访王总") || !strings.Contains(body, "2026-12-03 10:00") || !strings.Contains(body, "电话回访") {
			t.Error("activities not on the page")
		}
	})
}

func TestUIDealDemo(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		d := newDeskUI(t, e)
		form := url.Values{"held_on": {"2026-11-20"}, "story": {"从订单到回款"}, "attendee": {fmt.Sprint(d.gm.ID)},
			"roi.lines.0.kind": {"saving"}, "roi.lines.0.category": {"人工"}, "roi.lines.0.amount": {"120000"},
			"roi.lines.1.kind": {"gain"}, "roi.lines.1.amount": {"很多"},
			"roi.lines.2.kind": {"one_off_cost"}, "roi.lines.2.amount": {"150000"},
			"roi.lines.3.kind": {"yearly_cost"}, "roi.lines.3.amount": {"20000"}}
		// An amount that is no number: the message on its row, input kept.
		p := d.post(d.rb, d.path("/demos"), form)
		refused(t, p, 422, "请输入以元为单位的金额", `value="很多"`, `value="从订单到回款"`, `value="人工"`)
		// A kind the service does not know, on row 3: its message there.
		form.Set("roi.lines.1.amount", "")
		form.Set("roi.lines.3.kind", "bribe")
		p = d.post(d.rb, d.path("/demos"), form)
		refused(t, p, 422, "")
		if !regexp.MustCompile(`name="roi\.lines\.3\.kind"[^>]*>.*?</select><p class="field-error">`).MatchString(p.Body) {
			t.Error("the kind's message is not on row 3")
		}
		// Huge amounts are refused, never overflow.
		form.Set("roi.lines.3.kind", "yearly_cost")
		form.Set("roi.lines.0.amount", "99999999999999999999")
		refused(t, d.post(d.rb, d.path("/demos"), form), 422, "请输入以元为单位的金额")
		form.Set("roi.lines.0.amount", "120000")
		redirected(t, d.post(d.rb, d.path("/demos"), form), "demos")
		// benefit 120,000, one-off 150,000, yearly 20,000: payback
		// ⌈150000×12/100000⌉ = 18 months; ROI (360000−210000)/210000 = 71 %.
		body := d.rb.get(d.path("")).Body
		for _, want := range []string{"18 个月回本", "71%", "从订单到回款", "王建国"} {
			if !strings.Contains(body, want) {
				t.Errorf("demo panel lacks %q", want)
			}
		}
	})
}

func TestUIDealQuoteApprovalContract(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		d := newDeskUI(t, e)
		// The builder lists the price book; search narrows it.
		p := d.rb.get(d.path("/quotes/new"))
		if p.Status != 200 || !strings.Contains(p.Body, "FIN-STD") || !strings.Contains(p.Body, "LIC-USER") {
			t.Fatalf("builder: %d", p.Status)
		}
		p = d.post(d.rb, d.path("/quotes/new"), url.Values{"q": {"许可"}, "op": {"search"}})
		if !strings.Contains(p.Body, "LIC-USER") || strings.Contains(p.Body, `data-code="FIN-STD"`) {
			t.Error("search does not narrow the price book")
		}
		p = d.post(d.rb, d.path("/quotes/new"), url.Values{"q": {"user"}, "op": {"search"}})
		if !strings.Contains(p.Body, `data-code="LIC-USER"`) {
			t.Error("search by English name or code finds nothing")
		}
		// Add two lines; the server prices what is typed.
		fin, lic := fmt.Sprint(d.fin.ID), fmt.Sprint(d.lic.ID)
		p = d.post(d.rb, d.path("/quotes/new"), url.Values{"add": {fin}, "valid_until": {"2026-12-31"}, "payment_days": {"30"}})
		if !strings.Contains(p.Body, `name="line_product" value="`+fin+`"`) || !strings.Contains(p.Body, `value="2026-12-31"`) {
			t.Fatal("line not added or terms lost")
		}
		lines := url.Values{"line_product": {fin, lic}, "line_quantity": {"1", "30"}, "line_discount": {"0", "15"},
			"valid_until": {"2026-12-31"}, "payment_days": {"30"}, "notes": {"含首年维护"}}
		p = d.post(d.rb, d.path("/quotes/new"), withOp(lines, "op", "search"))
		// ¥38,000 + 30 × ¥1,200 × 85 % = ¥38,000 + ¥30,600 = ¥68,600.
		if !strings.Contains(p.Body, `id="q-total" class="money">¥6.86万`) || !strings.Contains(p.Body, "¥3.06万") {
			t.Errorf("server totals wrong:\n%s", p.Body[strings.Index(p.Body, `id="quote-lines"`):])
		}
		if strings.Contains(p.Body, `id="over-limit" hidden`) {
			t.Error("over-limit note hidden for a rep without authority")
		}
		// Remove the first line.
		p = d.post(d.rb, d.path("/quotes/new"), withOp(lines, "remove", "0"))
		if strings.Contains(p.Body, `name="line_product" value="`+fin+`"`) {
			t.Error("line not removed")
		}
		// Bad input: messages next to the fields, nothing saved.
		bad := withOp(lines, "op", "save")
		bad["line_quantity"] = []string{"一个", "30"}
		bad["line_discount"] = []string{"0", "150"}
		bad.Set("payment_days", "99999")
		p = d.post(d.rb, d.path("/quotes/new"), bad)
		refused(t, p, 422, "必须是整数", `value="一个"`, `value="150"`, "含首年维护")
		if !strings.Contains(p.Body, "请输入 0 到 100 之间的百分比") {
			t.Error("discount message missing")
		}
		bad["line_quantity"] = []string{"1", "30"}
		bad["line_discount"] = []string{"0", "15"}
		p = d.post(d.rb, d.path("/quotes/new"), bad)
		refused(t, p, 422, "")
		if !strings.Contains(p.Body, `has-error"><label for="qb-days"`) {
			t.Error("payment days not marked")
		}
		bad.Set("payment_days", "30")
		bad["line_quantity"] = []string{"1", "9999999999999999999999"}
		refused(t, d.post(d.rb, d.path("/quotes/new"), bad), 422, "必须是整数")
		var list struct {
			Items []crm.Quote `json:"items"`
		}
		d.rep.do("GET", fmt.Sprintf("/api/v1/quotes?deal_id=%d", d.deal.ID), nil).ok(200, &list)
		if len(list.Items) != 0 {
			t.Fatalf("a refused form saved a quote: %+v", list.Items)
		}

		// Save and submit: beyond the rep's authority, pending approval.
		p = d.post(d.rb, d.path("/quotes/new"), withOp(lines, "op", "submit"))
		redirected(t, p, "quotes")
		d.rep.do("GET", fmt.Sprintf("/api/v1/quotes?deal_id=%d", d.deal.ID), nil).ok(200, &list)
		if len(list.Items) != 1 || list.Items[0].State != crm.QuotePending || list.Items[0].Total != 6_860_000 || list.Items[0].ApprovalID == nil {
			t.Fatalf("quote %+v", list.Items)
		}
		q := list.Items[0]
		body := d.rb.get(d.path("")).Body
		for _, want := range []string{"报价已提交，等待审批。", q.Number, "待审批", "¥6.86万"} {
			if !strings.Contains(body, want) {
				t.Errorf("rep's deal page lacks %q", want)
			}
		}
		if strings.Contains(body, fmt.Sprintf(`id="decide-%d"`, *q.ApprovalID)) {
			t.Error("the requester is offered the decision")
		}
		// The rep cannot decide by posting either.
		p = d.post(d.rb, d.path("/approvals/%d/decide", *q.ApprovalID), url.Values{"version": {"1"}, "decision": {"approve"}})
		if p.Status != 403 && p.Status != 404 {
			t.Fatalf("rep decides own approval: %d", p.Status)
		}
		// The manager approves with a comment on the deal page; an empty
		// version is a message, a stale one a conflict.
		mp := d.mb.get(d.path(""))
		if !strings.Contains(mp.Body, fmt.Sprintf(`id="decide-%d"`, *q.ApprovalID)) {
			t.Fatal("the manager is not offered the decision")
		}
		refused(t, d.post(d.mb, d.path("/approvals/%d/decide", *q.ApprovalID), url.Values{"decision": {"approve"}, "comment": {"同意"}}), 422, "", `value="同意"`)
		refused(t, d.post(d.mb, d.path("/approvals/%d/decide", *q.ApprovalID), url.Values{"version": {"9"}, "decision": {"approve"}}), 409, "")
		redirected(t, d.post(d.mb, d.path("/approvals/%d/decide", *q.ApprovalID), url.Values{"version": {"1"}, "decision": {"approve"}, "comment": {"同意，客户战略意义大"}}), "approvals")
		body = d.rb.get(d.path("")).Body
		if !strings.Contains(body, "同意，客户战略意义大") || !strings.Contains(body, fmt.Sprintf(`id="quote-%d" data-state="approved"`, q.ID)) {
			t.Error("rep does not see the approval")
		}
		// Send and accept through the panel; a stale version is refused.
		q = getQuote(d.rep, q.ID)
		refused(t, d.post(d.rb, d.path("/quotes/%d/action", q.ID), url.Values{"version": {"1"}, "action": {"send"}}), 409, "")
		refused(t, d.post(d.rb, d.path("/quotes/%d/action", q.ID), url.Values{"version": {fmt.Sprint(q.Version)}, "action": {"accept"}}), 409, "")
		redirected(t, d.post(d.rb, d.path("/quotes/%d/action", q.ID), url.Values{"version": {fmt.Sprint(q.Version)}, "action": {"send"}}), "quotes")
		q = getQuote(d.rep, q.ID)
		redirected(t, d.post(d.rb, d.path("/quotes/%d/action", q.ID), url.Values{"version": {fmt.Sprint(q.Version)}, "action": {"accept"}}), "quotes")

		// A contract from the accepted quote: milestones that do not add
		// up are refused with the message; the defaults are 50/40/10.
		body = d.rb.get(d.path("")).Body
		for _, want := range []string{`value="签约及安装款"`, `name="milestones.0.percent" value="50"`, `name="milestones.1.percent" value="40"`, `name="milestones.2.percent" value="10"`} {
			if !strings.Contains(body, want) {
				t.Errorf("contract form lacks %q", want)
			}
		}
		cf := url.Values{"quote_id": {fmt.Sprint(q.ID)}, "kind": {"sale"}, "payment_method": {"bank_transfer"}, "payment_days": {"10"},
			"milestones.0.name": {"签约首付款"}, "milestones.0.percent": {"60"}, "milestones.0.trigger": {"signing"},
			"milestones.1.name": {"验收尾款"}, "milestones.1.percent": {"30"}, "milestones.1.trigger": {"final"}}
		refused(t, d.post(d.rb, d.path("/contracts"), cf), 422, "", `value="签约首付款"`, `value="30"`)
		cf.Set("milestones.1.percent", "abc")
		refused(t, d.post(d.rb, d.path("/contracts"), cf), 422, "必须是整数")
		cf.Set("milestones.1.percent", "40")
		// A quote of another deal of the rep's is refused here, and no
		// contract is made anywhere.
		other := mkDeal(d.rep, d.acc.ID, "另一个商机")
		oq := quoteAct(d.rep, mkQuote(d.rep, other.ID, nil, quoteLine(d.fin, 1, 0)), "submit", 200)
		oq = quoteAct(d.rep, oq, "send", 200)
		oq = quoteAct(d.rep, oq, "accept", 200)
		refused(t, d.post(d.rb, d.path("/contracts"), withOp(cf, "quote_id", fmt.Sprint(oq.ID))), 422, "")
		if n := listTotal(d.rep, fmt.Sprintf("/api/v1/contracts?deal_id=%d", other.ID)); n != 0 {
			t.Fatalf("a contract was made on the other deal: %d", n)
		}
		refused(t, d.post(d.rb, d.path("/contracts"), withOp(cf, "quote_id", "99999")), 422, "")
		redirected(t, d.post(d.rb, d.path("/contracts"), cf), "contracts")
		var cs struct {
			Items []crm.Contract `json:"items"`
		}
		d.rep.do("GET", fmt.Sprintf("/api/v1/contracts?deal_id=%d", d.deal.ID), nil).ok(200, &cs)
		if len(cs.Items) != 1 || cs.Items[0].Amount != 6_860_000 || len(cs.Items[0].Milestones) != 2 {
			t.Fatalf("contracts %+v", cs.Items)
		}
		c := cs.Items[0]
		redirected(t, d.post(d.rb, d.path("/contracts/%d/action", c.ID), url.Values{"version": {fmt.Sprint(c.Version)}, "action": {"submit"}}), "contracts")
		d.rep.do("GET", fmt.Sprintf("/api/v1/contracts/%d", c.ID), nil).ok(200, &c)
		if c.ApprovalID == nil {
			t.Fatal("contract approval missing")
		}
		redirected(t, d.post(d.mb, d.path("/approvals/%d/decide", *c.ApprovalID), url.Values{"version": {"1"}, "decision": {"approve"}}), "approvals")
		d.rep.do("GET", fmt.Sprintf("/api/v1/contracts/%d", c.ID), nil).ok(200, &c)
		// Signing goes through the gate: the unmet criteria are listed.
		p = d.post(d.rb, d.path("/contracts/%d/action", c.ID), url.Values{"version": {fmt.Sprint(c.Version)}, "action": {"sign"}, "signed_on": {"2026-11-28"}})
		refused(t, p, 422, "")
		if !strings.Contains(p.Body, "尚未满足阶段关口的条件") || !strings.Contains(p.Body, `class="unmet-list"><li><strong>`) {
			t.Errorf("gate refusal not shown")
		}
		refused(t, d.post(d.rb, d.path("/contracts/%d/action", c.ID), url.Values{"version": {fmt.Sprint(c.Version)}, "action": {"sign"}, "signed_on": {"28/11/2026"}}), 422, "必须是日期")
		// Commit stage with every condition met, as the playbook asks.
		var deal crm.Deal
		d.rep.do("GET", fmt.Sprintf("/api/v1/deals/%d", d.deal.ID), nil).ok(200, &deal)
		d.rep.do("PATCH", fmt.Sprintf("/api/v1/deals/%d", d.deal.ID), map[string]any{"version": deal.Version, "no_competitors": true}).ok(200, nil)
		d.mgr.do("POST", fmt.Sprintf("/api/v1/deals/%d/stage", d.deal.ID), map[string]any{"stage": "commit", "override": true, "reason": "测试"}).ok(200, nil)
		meetConditions(d.rep, d.deal.ID)
		redirected(t, d.post(d.rb, d.path("/contracts/%d/action", c.ID), url.Values{"version": {fmt.Sprint(c.Version)}, "action": {"sign"}, "signed_on": {"2026-11-28"}}), "contracts")
		d.rep.do("GET", fmt.Sprintf("/api/v1/contracts/%d", c.ID), nil).ok(200, &c)

		// Payments: more than is open is refused; a payment is recorded.
		m := c.Milestones[0]
		p = d.post(d.rb, d.path("/contracts/%d/payments", c.ID), url.Values{"milestone_id": {fmt.Sprint(m.ID)}, "milestone_version": {fmt.Sprint(m.Version)},
			"amount": {"999999"}, "received_on": {"2026-11-29"}, "method": {"bank_transfer"}})
		refused(t, p, 422, "", `value="999999"`)
		refused(t, d.post(d.rb, d.path("/contracts/%d/payments", c.ID), url.Values{"milestone_id": {fmt.Sprint(m.ID)}, "amount": {"12.345"}}), 422, "请输入以元为单位的金额")
		redirected(t, d.post(d.rb, d.path("/contracts/%d/payments", c.ID), url.Values{"milestone_id": {fmt.Sprint(m.ID)}, "milestone_version": {fmt.Sprint(m.Version)},
			"amount": {"20000"}, "received_on": {"2026-11-29"}, "method": {"bank_transfer"}}), "contracts")
		body = d.rb.get(d.path("")).Body
		for _, want := range []string{"已回款 ¥2万", "未回款 ¥4.86万", "已签订"} {
			if !strings.Contains(body, want) {
				t.Errorf("contract panel lacks %q", want)
			}
		}

		// The project: a step completed, a task added and done.
		var ps struct {
			Items []crm.Project `json:"items"`
		}
		d.rep.do("GET", fmt.Sprintf("/api/v1/projects?deal_id=%d", d.deal.ID), nil).ok(200, &ps)
		if len(ps.Items) != 1 {
			t.Fatalf("projects %+v", ps.Items)
		}
		pr := ps.Items[0]
		step := pr.Steps[0].Key
		refused(t, d.post(d.rb, d.path("/projects/%d/steps", pr.ID), url.Values{"version": {fmt.Sprint(pr.Version)}, "step": {"nonsense"}}), 422, "")
		redirected(t, d.post(d.rb, d.path("/projects/%d/steps", pr.ID), url.Values{"version": {fmt.Sprint(pr.Version)}, "step": {step}, "on": {"2026-11-29"}}), "project")
		refused(t, d.post(d.rb, d.path("/projects/%d/steps", pr.ID), url.Values{"version": {fmt.Sprint(pr.Version)}, "step": {step}}), 409, "")
		refused(t, d.post(d.rb, d.path("/projects/%d/tasks", pr.ID), url.Values{"due_on": {"2026-12-05"}}), 422, "", `value="2026-12-05"`)
		redirected(t, d.post(d.rb, d.path("/projects/%d/tasks", pr.ID), url.Values{"title": {"导入期初库存"}, "due_on": {"2026-12-05"}}), "project")
		var tasks struct {
			Items []crm.ProjectTask `json:"items"`
		}
		d.rep.do("GET", fmt.Sprintf("/api/v1/projects/%d/tasks", pr.ID), nil).ok(200, &tasks)
		if len(tasks.Items) != 1 {
			t.Fatalf("tasks %+v", tasks.Items)
		}
		redirected(t, d.post(d.rb, d.path("/projects/%d/tasks/%d/done", pr.ID, tasks.Items[0].ID), url.Values{"version": {"1"}, "done": {"1"}}), "project")
		body = d.rb.get(d.path("")).Body
		if !strings.Contains(body, "导入期初库存") || !strings.Contains(body, "✓ ") {
			t.Error("project panel does not show the work done")
		}

		// Another team's rep: every page and post of the desk is not found.
		o := e.browser()
		o.signIn("other", testPassword)
		otok := csrfOf(t, o.get("/my-day"))
		for _, path := range []string{"", "/quotes/new", fmt.Sprintf("/quotes/%d/edit", q.ID)} {
			if p := o.get(d.path("%s", path)); p.Status != 404 {
				t.Errorf("other team GET %s: %d", path, p.Status)
			}
		}
		for _, path := range []string{"/contacts", fmt.Sprintf("/contacts/%d", d.gm.ID), "/demos", "/competitors", "/competitors/1/remove",
			"/quotes/new", fmt.Sprintf("/quotes/%d/action", q.ID), fmt.Sprintf("/approvals/%d/decide", *q.ApprovalID), "/contracts",
			fmt.Sprintf("/contracts/%d/action", c.ID), fmt.Sprintf("/contracts/%d/payments", c.ID), fmt.Sprintf("/projects/%d/steps", pr.ID),
			fmt.Sprintf("/projects/%d/tasks", pr.ID), fmt.Sprintf("/projects/%d/tasks/%d/done", pr.ID, tasks.Items[0].ID), "/activities"} {
			p := o.post(d.path("%s", path), url.Values{"csrf_token": {otok}, "version": {"1"}, "action": {"send"}, "decision": {"approve"}, "name": {"x"}})
			if p.Status != 404 && p.Status != 403 {
				t.Errorf("other team POST %s: %d", path, p.Status)
			}
		}
		// Without the CSRF token nothing is posted.
		if p := d.rb.post(d.path("/activities"), url.Values{"type": {"call"}, "subject": {"伪造"}}); p.Status != 403 {
			t.Errorf("post without csrf: %d", p.Status)
		}
	})
}

// withOp copies a form and sets one more field.
func withOp(v url.Values, k, val string) url.Values {
	out := url.Values{}
	for key, vs := range v {
		out[key] = append([]string(nil), vs...)
	}
	out.Set(k, val)
	return out
}

// meetConditions marks every purchase condition of a deal met.
func meetConditions(c *client, dealID int64) {
	var cur struct {
		Items []struct {
			Key     string `json:"key"`
			Version int64  `json:"version"`
		} `json:"items"`
	}
	path := fmt.Sprintf("/api/v1/deals/%d/conditions", dealID)
	c.do("GET", path, nil).ok(200, &cur)
	var in []map[string]any
	for _, x := range cur.Items {
		in = append(in, map[string]any{"key": x.Key, "version": x.Version, "met": true, "evidence": "客户书面确认"})
	}
	c.do("PUT", path, map[string]any{"conditions": in}).ok(200, nil)
}

// TestUIDealDeskEscapes: hostile text in product names, quote notes,
// competitors, demos, milestones and approval comments is shown escaped on
// the deal page and in the builder.
func TestUIDealDeskEscapes(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		d := newDeskUI(t, e)
		bad := mkProduct(d.root, "XSS-1", "产品 "+xssScript, "software_module", "set", 100_000)
		var dc crm.DealContact
		d.rep.do("POST", fmt.Sprintf("/api/v1/deals/%d/contacts", d.deal.ID), map[string]any{"contact_id": d.gm.ID, "buying_role": "sponsor"}).ok(201, &dc)
		d.rep.do("POST", fmt.Sprintf("/api/v1/deals/%d/competitors", d.deal.ID), map[string]any{"name": "对手 " + xssAttr, "strengths": xssScript}).ok(201, nil)
		d.rep.do("POST", fmt.Sprintf("/api/v1/deals/%d/demos", d.deal.ID), map[string]any{"held_on": "2026-11-20", "story": "故事 " + xssScript,
			"feedback": xssAttr, "roi": map[string]any{"lines": []map[string]any{{"kind": "saving", "category": xssAttr, "amount": 100}}}}).ok(201, nil)
		q := mkQuote(d.rep, d.deal.ID, map[string]any{"notes": "备注 " + xssScript}, quoteLine(bad, 2, 1500))
		q = quoteAct(d.rep, q, "submit", 200)
		var ap crm.Approval
		d.mgr.do("GET", fmt.Sprintf("/api/v1/approvals/%d", *q.ApprovalID), nil).ok(200, &ap)
		d.mgr.do("POST", fmt.Sprintf("/api/v1/approvals/%d/approve", ap.ID), map[string]any{"version": ap.Version, "comment": "意见 " + xssAttr}).ok(200, nil)
		q = quoteAct(d.rep, getQuote(d.rep, q.ID), "send", 200)
		q = quoteAct(d.rep, q, "accept", 200)
		d.rep.do("POST", "/api/v1/contracts", map[string]any{"quote_id": q.ID, "payment_method": "bank_transfer",
			"milestones": []map[string]any{{"name": "节点 " + xssScript, "percent": 100, "trigger": "signing"}}}).ok(201, nil)
		p := d.rb.get(d.path(""))
		if p.Status != 200 {
			t.Fatalf("deal page %d", p.Status)
		}
		checkEscaped(t, p.Body)
		for _, want := range []string{"产品 &lt;script&gt;", "对手 &#34;&gt;&lt;img", "故事 &lt;script&gt;", "意见 &#34;&gt;&lt;img", "节点 &lt;script&gt;"} {
			if !strings.Contains(p.Body, want) {
				t.Errorf("deal page lacks escaped %q", want)
			}
		}
		// The builder, with a typed hostile note and search.
		p = d.post(d.rb, d.path("/quotes/new"), url.Values{"q": {xssAttr}, "notes": {xssScript}, "line_product": {fmt.Sprint(bad.ID)},
			"line_quantity": {xssAttr}, "line_discount": {"0"}, "op": {"save"}})
		if p.Status != 422 {
			t.Fatalf("builder with hostile input: %d", p.Status)
		}
		checkEscaped(t, p.Body)
		p = d.rb.get(d.path("/quotes/new"))
		checkEscaped(t, p.Body)
	})
}

// TestUIDealTrialAndEnglish: a trial agreement needs its dates, is signed
// without the stage gate and converted into a draft sale contract; a
// draft is cancelled; the printable quote opens with the session; the
// panels read in English.
func TestUIDealTrialAndEnglish(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		d := newDeskUI(t, e)
		q := quoteAct(d.rep, mkQuote(d.rep, d.deal.ID, nil, quoteLine(d.fin, 1, 0)), "submit", 200)
		q = quoteAct(d.rep, q, "send", 200)
		q = quoteAct(d.rep, q, "accept", 200)
		if p := d.rb.get(fmt.Sprintf("/quotes/%d/print", q.ID)); p.Status != 200 || !strings.Contains(p.Body, q.Number) {
			t.Errorf("printable quote with the session: %d", p.Status)
		}
		if !strings.Contains(d.rb.get(d.path("")).Body, fmt.Sprintf(`href="/quotes/%d/print"`, q.ID)) {
			t.Error("the quote panel does not link the printable quote")
		}
		tf := url.Values{"quote_id": {fmt.Sprint(q.ID)}, "kind": {"trial"}, "payment_method": {"bank_transfer"}, "payment_days": {"0"},
			"milestones.0.name": {"试用费"}, "milestones.0.percent": {"100"}, "milestones.0.trigger": {"signing"}}
		p := d.post(d.rb, d.path("/contracts"), tf)
		refused(t, p, 422, "")
		if !strings.Contains(p.Body, `has-error"><label for="ct-start"`) || !strings.Contains(p.Body, `value="试用费"`) {
			t.Error("trial dates not asked for")
		}
		tf.Set("start_on", "2026-12-01")
		tf.Set("end_on", "2026-11-01")
		refused(t, d.post(d.rb, d.path("/contracts"), tf), 422, "")
		tf.Set("end_on", "2026-12-31")
		redirected(t, d.post(d.rb, d.path("/contracts"), tf), "contracts")
		var cs struct {
			Items []crm.Contract `json:"items"`
		}
		d.rep.do("GET", fmt.Sprintf("/api/v1/contracts?deal_id=%d", d.deal.ID), nil).ok(200, &cs)
		c := cs.Items[0]
		redirected(t, d.post(d.rb, d.path("/contracts/%d/action", c.ID), url.Values{"version": {fmt.Sprint(c.Version)}, "action": {"submit"}}), "contracts")
		d.rep.do("GET", fmt.Sprintf("/api/v1/contracts/%d", c.ID), nil).ok(200, &c)
		redirected(t, d.post(d.mb, d.path("/approvals/%d/decide", *c.ApprovalID), url.Values{"version": {"1"}, "decision": {"approve"}}), "approvals")
		d.rep.do("GET", fmt.Sprintf("/api/v1/contracts/%d", c.ID), nil).ok(200, &c)
		redirected(t, d.post(d.rb, d.path("/contracts/%d/action", c.ID), url.Values{"version": {fmt.Sprint(c.Version)}, "action": {"sign"}, "signed_on": {"2026-12-01"}}), "contracts")
		d.rep.do("GET", fmt.Sprintf("/api/v1/contracts/%d", c.ID), nil).ok(200, &c)
		// An action the state does not allow is a message, not an error page.
		p = d.post(d.rb, d.path("/contracts/%d/action", c.ID), url.Values{"version": {fmt.Sprint(c.Version)}, "action": {"cancel"}})
		refused(t, p, 409, "")
		redirected(t, d.post(d.rb, d.path("/contracts/%d/action", c.ID), url.Values{"version": {fmt.Sprint(c.Version)}, "action": {"convert"}}), "contracts")
		d.rep.do("GET", fmt.Sprintf("/api/v1/contracts?deal_id=%d", d.deal.ID), nil).ok(200, &cs)
		var sale crm.Contract
		for _, x := range cs.Items {
			if x.Kind == crm.ContractSale {
				sale = x
			}
		}
		if sale.State != crm.ContractDraft {
			t.Fatalf("converted contract %+v", cs.Items)
		}
		if p := d.post(d.rb, d.path("/contracts/%d/action", sale.ID), url.Values{"version": {fmt.Sprint(sale.Version)}, "action": {"burn"}}); p.Status != 404 {
			t.Errorf("unknown action: %d", p.Status)
		}
		redirected(t, d.post(d.rb, d.path("/contracts/%d/action", sale.ID), url.Values{"version": {fmt.Sprint(sale.Version)}, "action": {"cancel"}}), "contracts")
		// A quote declined by the customer, with the reason; then revised
		// into a new draft, which opens in the builder.
		q2 := quoteAct(d.rep, mkQuote(d.rep, d.deal.ID, nil, quoteLine(d.lic, 10, 0)), "submit", 200)
		q2 = quoteAct(d.rep, q2, "send", 200)
		redirected(t, d.post(d.rb, d.path("/quotes/%d/action", q2.ID), url.Values{"version": {fmt.Sprint(q2.Version)}, "action": {"reject"}, "comment": {"预算不足"}}), "quotes")
		q2 = getQuote(d.rep, q2.ID)
		p = d.post(d.rb, d.path("/quotes/%d/action", q2.ID), url.Values{"version": {fmt.Sprint(q2.Version)}, "action": {"revise"}})
		if p.Status != 303 || !strings.HasSuffix(p.Header.Get("Location"), "/edit") {
			t.Fatalf("revise: %d %s", p.Status, p.Header.Get("Location"))
		}
		if b := d.rb.get(p.Header.Get("Location")); b.Status != 200 || !strings.Contains(b.Body, "第 2 版") || !strings.Contains(b.Body, `name="line_quantity" value="10"`) {
			t.Errorf("revision in the builder: %d", b.Status)
		}
		// Submitting a draft from the panel says where it went.
		for _, c := range []struct {
			bp   int
			want string
		}{{0, "报价已提交并获批准。"}, {500, "报价已提交，等待审批。"}} {
			dq := mkQuote(d.rep, d.deal.ID, nil, quoteLine(d.lic, 2, c.bp))
			redirected(t, d.post(d.rb, d.path("/quotes/%d/action", dq.ID), url.Values{"version": {fmt.Sprint(dq.Version)}, "action": {"submit"}}), "quotes")
			if body := d.rb.get(d.path("")).Body; !strings.Contains(body, c.want) {
				t.Errorf("submit at %d bp: flash %q missing", c.bp, c.want)
			}
		}
		if p := d.post(d.rb, d.path("/quotes/%d/action", q2.ID), url.Values{"version": {"1"}, "action": {"steal"}}); p.Status != 404 {
			t.Errorf("unknown quote action: %d", p.Status)
		}

		en := e.browser()
		en.signIn("rep", testPassword)
		en.post("/settings/language", url.Values{"csrf_token": {csrfOf(t, en.get("/my-day"))}, "language": {"en"}, "next": {"/my-day"}})
		body := en.get(d.path("")).Body
		for _, want := range []string{"Deal contacts", "Competitors", "Demos and ROI", "New quote", "Approvals", "Trial", "Implementation project", "Log an activity", "cancelled"} {
			if !strings.Contains(body, want) {
				t.Errorf("english deal page lacks %q", want)
			}
		}
		if body := en.get(d.path("/quotes/new")).Body; !strings.Contains(body, "Price book") || !strings.Contains(body, "EN 财务标准版") {
			t.Error("english builder")
		}
	})
}
