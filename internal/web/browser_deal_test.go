package web_test

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/dealpath/dealpath/internal/crm"
)

// dealDesk is a sales team's deal in negotiation with what a real one has
// by then: contacts in their buying roles, a compelling event, a
// competitor, a demo with its ROI sum, qualification answers, some
// purchase conditions met and a few activities. The rep (zhangmin) has no
// discount authority; the manager (liwei) may give 20 %.
type dealDesk struct {
	deal           crm.Deal
	rep, mgr, root *client
	fin, lic, impl crm.Product
}

func newDealDesk(t *testing.T, e *env) *dealDesk {
	t.Helper()
	ctx := t.Context()
	tm := e.team("华东销售一组")
	mk := func(name, display, role string) *crm.User {
		u, err := e.svc.CreateUser(ctx, crm.SystemActor, crm.UserInput{Username: name, Password: testPassword, DisplayName: display, Role: role, TeamID: &tm.ID})
		if err != nil {
			t.Fatal(err)
		}
		return u
	}
	e.user("admin", crm.RoleAdmin, nil)
	mgrU := mk("liwei", "李伟", crm.RoleManager)
	mk("zhangmin", "张敏", crm.RoleRep)
	d := &dealDesk{root: e.login("admin"), mgr: e.login("liwei"), rep: e.login("zhangmin")}
	setAuthority(d.root, mgrU.ID, 2000, 90, 500_000_000)
	d.fin = mkProduct(d.root, "FIN-STD", "财务标准版", "software_module", "set", 3_800_000)
	d.lic = mkProduct(d.root, "LIC-USER", "用户许可", "license_per_user", "user", 120_000)
	d.impl = mkProduct(d.root, "IMPL-DAY", "实施服务", "implementation_day", "person_day", 150_000)
	mkProduct(d.root, "INV-STD", "进销存标准版", "software_module", "set", 4_600_000)

	rep := d.rep
	var acc crm.Account
	rep.do("POST", "/api/v1/accounts", map[string]any{"name": "宁波顺达商贸有限公司", "region": "浙江宁波", "headcount": 210, "business_kind": "distribution",
		"ownership": "private", "industry": "trading", "revenue_last_year": 450_000_000_00, "gross_profit": 68_000_000_00,
		"existing_software": []string{"finance"}, "branch_count": 6, "purchase_plan": "within_6_months"}).ok(201, &acc)
	contact := func(name, title, role string) crm.Contact {
		var c crm.Contact
		rep.do("POST", "/api/v1/contacts", map[string]any{"account_id": acc.ID, "name": name, "title": title, "functional_role": role}).ok(201, &c)
		return c
	}
	gm := contact("王建国", "总经理", "general_manager")
	cfo := contact("陈丽", "财务经理", "chief_accountant")
	cio := contact("周涛", "信息主管", "cio")
	contact("刘洋", "销售经理", "sales_manager")
	rep.do("POST", "/api/v1/deals", map[string]any{"account_id": acc.ID, "title": "进销存及财务一体化", "amount": 6_860_000, "expected_close_date": "2026-12-20"}).ok(201, &d.deal)
	id := d.deal.ID
	for _, dc := range []map[string]any{
		{"contact_id": gm.ID, "buying_role": "decision_maker", "stance": "supports", "engagement_step": "relationship_built"},
		{"contact_id": cfo.ID, "buying_role": "participant", "stance": "neutral", "engagement_step": "questions_answered"},
		{"contact_id": cio.ID, "buying_role": "insider", "stance": "supports", "engagement_step": "concerns_known"},
	} {
		rep.do("POST", fmt.Sprintf("/api/v1/deals/%d/contacts", id), dc).ok(201, nil)
	}
	rep.do("POST", fmt.Sprintf("/api/v1/deals/%d/events", id), map[string]any{"code": "CE1", "impact": "新开 6 家门店，手工台账跟不上库存变化"}).ok(201, nil)
	rep.do("POST", fmt.Sprintf("/api/v1/deals/%d/competitors", id), map[string]any{"name": "本地软件服务商", "strengths": "价格低，关系熟", "weaknesses": "无多门店经验"}).ok(201, nil)
	rep.do("POST", fmt.Sprintf("/api/v1/deals/%d/demos", id), map[string]any{"held_on": "2026-11-18", "story": "从门店订单到总部回款的一天",
		"feedback": "王总认可库存实时可见", "next_step": "陈经理确认财务接口", "attendees": []map[string]any{{"contact_id": gm.ID}, {"contact_id": cfo.ID}},
		"roi": map[string]any{"lines": []map[string]any{
			{"kind": "saving", "category": "人工对账", "amount": 9_600_000}, {"kind": "gain", "category": "库存周转", "amount": 6_000_000},
			{"kind": "one_off_cost", "category": "软件与实施", "amount": 6_860_000}, {"kind": "yearly_cost", "category": "维护", "amount": 1_200_000}}}}).ok(201, nil)
	rep.do("PUT", fmt.Sprintf("/api/v1/deals/%d/qualification", id), map[string]any{"version": 0,
		"answers": map[string]string{"requirements": "多门店进销存、总部财务一体化，移动端查库存", "key_problems": "库存不准，门店间调拨靠电话；月底对账要一周",
			"sponsor_and_participants": "王总发起，陈经理和周主管参与评估", "strategy_fit": "两年内门店扩到 12 家，需要统一系统支撑",
			"budget": "年度信息化预算 80 万", "budget_approval": "王总审批，超过 50 万需董事会备案"},
		"budget": map[string]any{"amount": 8_000_000, "flexibility": "negotiable", "basis": "年度信息化预算", "approval_process": "总经理审批"}}).ok(200, nil)
	var conds struct {
		Items []struct {
			Key     string `json:"key"`
			Version int64  `json:"version"`
		} `json:"items"`
	}
	rep.do("GET", fmt.Sprintf("/api/v1/deals/%d/conditions", id), nil).ok(200, &conds)
	var met []map[string]any
	for _, c := range conds.Items[:3] {
		met = append(met, map[string]any{"key": c.Key, "version": c.Version, "met": true, "evidence": "王总在演示会上确认"})
	}
	rep.do("PUT", fmt.Sprintf("/api/v1/deals/%d/conditions", id), map[string]any{"conditions": met}).ok(200, nil)
	now := e.clock.Now()
	mkActivity(rep, map[string]any{"type": "visit", "subject": "拜访王总，演示多门店库存", "deal_id": id, "done_at": now.Add(-72 * time.Hour).Format(time.RFC3339)})
	mkActivity(rep, map[string]any{"type": "call", "subject": "与陈经理确认付款节点", "deal_id": id, "due_at": now.Add(20 * time.Hour).Format(time.RFC3339)})
	d.mgr.do("POST", fmt.Sprintf("/api/v1/deals/%d/stage", id), map[string]any{"stage": "negotiation", "override": true, "reason": "演示通过，客户要求报价"}).ok(200, &d.deal)
	return d
}

// signInAs signs the browser in through the form.
func signInAs(t *testing.T, ctx context.Context, url, user string) {
	t.Helper()
	do(t, ctx, "sign in "+user,
		chromedp.Navigate(url+"/login"),
		chromedp.WaitVisible(`#username`),
		chromedp.SendKeys(`#username`, user),
		chromedp.SendKeys(`#password`, testPassword),
		chromedp.Click(`#signin`),
		chromedp.WaitVisible(`#deals-h`),
	)
}

func signOut(t *testing.T, ctx context.Context) {
	t.Helper()
	do(t, ctx, "sign out",
		chromedp.Click(`.usermenu summary`),
		chromedp.WaitVisible(`#logout`),
		chromedp.Click(`#logout`),
		chromedp.WaitVisible(`#signin`),
	)
}

// TestBrowserDealQuoteApproval: a rep builds a quote in the builder with a
// discount beyond their authority and sees the totals change as they type;
// submitting leaves it pending approval; the manager approves it with a
// comment on the deal page; the rep sees it approved.
func TestBrowserDealQuoteApproval(t *testing.T) {
	ctx := newBrowser(t)
	e := newEnv(t, "sqlite")
	d := newDealDesk(t, e)
	url := e.srv.URL
	dealURL := fmt.Sprintf("%s/deals/%d", url, d.deal.ID)

	signInAs(t, ctx, url, "zhangmin")
	do(t, ctx, "open the builder",
		chromedp.Navigate(dealURL),
		chromedp.WaitVisible(`#new-quote`),
		chromedp.Click(`#new-quote`),
		chromedp.WaitVisible(`#pb-q`),
	)
	// Search the price book and add two products.
	do(t, ctx, "search and add",
		chromedp.SendKeys(`#pb-q`, "财务"),
		submitClick(`#pb-search`),
		chromedp.WaitVisible(`button[data-code="FIN-STD"]`),
		submitClick(`button[data-code="FIN-STD"]`),
		chromedp.WaitVisible(`tr.qline`),
		chromedp.Clear(`#pb-q`),
		chromedp.SendKeys(`#pb-q`, "LIC"),
		submitClick(`#pb-search`),
		chromedp.WaitVisible(`button[data-code="LIC-USER"]`),
		submitClick(`button[data-code="LIC-USER"]`),
		chromedp.WaitVisible(`tr.qline:nth-of-type(2)`),
	)
	if got := text(t, ctx, `#q-total`); got != "¥3.92万" {
		t.Errorf("total of 1 × ¥38,000 + 1 × ¥1,200 = %q", got)
	}
	// Typing the quantity and the discount updates the totals at once,
	// without a round trip (the mark set on this page survives; Enter
	// only moves to the next field).
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`window.deskMark = true`)); err != nil {
		t.Fatal(err)
	}
	do(t, ctx, "type quantity and discount",
		chromedp.Clear(`tr.qline:nth-of-type(2) [data-qty]`),
		chromedp.SendKeys(`tr.qline:nth-of-type(2) [data-qty]`, "30"),
		chromedp.Clear(`tr.qline:nth-of-type(2) [data-discount]`),
		chromedp.SendKeys(`tr.qline:nth-of-type(2) [data-discount]`, "15"+kb.Enter),
	)
	// ¥38,000 + 30 × ¥1,200 × 85 % = ¥68,600.
	if got := text(t, ctx, `#q-total`); got != "¥6.86万" {
		t.Errorf("live total %q", got)
	}
	if got := text(t, ctx, `tr.qline:nth-of-type(2) [data-line-total]`); got != "¥3.06万" {
		t.Errorf("live line total %q", got)
	}
	if got := text(t, ctx, `#q-discount`); got != "¥5,400" {
		t.Errorf("live discount %q", got)
	}
	if same, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`window.deskMark === true`)); err != nil || !same {
		t.Errorf("the page was reloaded while typing: %v", err)
	}
	if vis, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`!document.getElementById('over-limit').hidden`)); err != nil || !vis {
		t.Errorf("the over-limit note is not shown: %v", err)
	}
	do(t, ctx, "submit",
		chromedp.Click(`#submit-quote`),
		chromedp.WaitVisible(`.flash`),
		chromedp.WaitVisible(`.quote-row[data-state="pending_approval"]`),
	)
	if got := text(t, ctx, `.flash`); !strings.Contains(got, "等待审批") {
		t.Errorf("flash %q", got)
	}
	if got := text(t, ctx, `#quotes`); !strings.Contains(got, "¥6.86万") || !strings.Contains(got, "待审批") {
		t.Errorf("quotes panel:\n%s", got)
	}
	signOut(t, ctx)

	// The manager opens the deal and approves with a comment.
	signInAs(t, ctx, url, "liwei")
	do(t, ctx, "approve",
		chromedp.Navigate(dealURL+"#approvals"),
		chromedp.WaitVisible(`.desk-decide input[name=comment]`),
		chromedp.SendKeys(`.desk-decide input[name=comment]`, "同意，客户为区域标杆"),
		chromedp.Click(`.desk-decide button[value=approve]`),
		chromedp.WaitVisible(`.flash`),
	)
	if got := text(t, ctx, `#approvals`); !strings.Contains(got, "已批准") || !strings.Contains(got, "同意，客户为区域标杆") {
		t.Errorf("approvals panel after approving:\n%s", got)
	}
	signOut(t, ctx)

	// The rep sees the quote approved.
	signInAs(t, ctx, url, "zhangmin")
	do(t, ctx, "rep sees approved", chromedp.Navigate(dealURL), chromedp.WaitVisible(`.quote-row[data-state="approved"]`))
	if got := text(t, ctx, `#approvals`); !strings.Contains(got, "同意，客户为区域标杆") {
		t.Errorf("rep's approvals panel:\n%s", got)
	}

	// On to a contract for the screenshot: the customer accepts, the rep
	// drafts the contract with the default milestones and submits it.
	var qs struct {
		Items []crm.Quote `json:"items"`
	}
	d.rep.do("GET", fmt.Sprintf("/api/v1/quotes?deal_id=%d", d.deal.ID), nil).ok(200, &qs)
	q := quoteAct(d.rep, qs.Items[0], "send", 200)
	quoteAct(d.rep, q, "accept", 200)
	var c crm.Contract
	d.rep.do("POST", "/api/v1/contracts", map[string]any{"quote_id": q.ID, "payment_method": "bank_transfer", "payment_days": 30}).ok(201, &c)
	d.rep.do("POST", fmt.Sprintf("/api/v1/contracts/%d/submit", c.ID), map[string]any{"version": c.Version}).ok(200, nil)
	if os.Getenv("DEALPATH_SCREENSHOTS") != "" {
		do(t, ctx, "top", chromedp.EmulateViewport(1280, 900), chromedp.Navigate(dealURL), chromedp.WaitVisible(`.contract[data-state="pending_approval"]`))
		screenshot(t, ctx, "deal")
	}
}

// TestBrowserPhoneWidth: at 390 px the deal workspace, the quote builder
// and My day fit the screen: the page never scrolls sideways.
func TestBrowserPhoneWidth(t *testing.T) {
	ctx := newBrowser(t)
	e := newEnv(t, "sqlite")
	d := newDealDesk(t, e)
	url := e.srv.URL
	signInAs(t, ctx, url, "zhangmin")
	// A quote and a contract, so that every panel has rows.
	q := quoteAct(d.rep, mkQuote(d.rep, d.deal.ID, nil, quoteLine(d.fin, 1, 0), quoteLine(d.lic, 30, 0)), "submit", 200)
	q = quoteAct(d.rep, q, "send", 200)
	quoteAct(d.rep, q, "accept", 200)
	d.rep.do("POST", "/api/v1/contracts", map[string]any{"quote_id": q.ID, "payment_method": "bank_transfer", "payment_days": 30}).ok(201, nil)
	draft := mkQuote(d.rep, d.deal.ID, nil, quoteLine(d.fin, 1, 0), quoteLine(d.lic, 30, 1500), quoteLine(d.impl, 12, 500))
	for _, path := range []string{fmt.Sprintf("/deals/%d", d.deal.ID), fmt.Sprintf("/deals/%d/quotes/%d/edit", d.deal.ID, draft.ID), fmt.Sprintf("/deals/%d/quotes/new", d.deal.ID), "/my-day"} {
		do(t, ctx, "phone "+path, chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile), chromedp.Navigate(url+path), chromedp.WaitReady(`main`))
		fits, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.documentElement.scrollWidth <= window.innerWidth`))
		if err != nil {
			t.Fatal(err)
		}
		if !fits {
			wide, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`(function(){var w=window.innerWidth,out=[];document.querySelectorAll('body *').forEach(function(el){var r=el.getBoundingClientRect();if(r.right>w+1&&out.length<8){out.push(el.tagName+'.'+el.className+'#'+el.id+' '+Math.round(r.right))}});return document.documentElement.scrollWidth+' > '+w+': '+out.join(', ')})()`))
			t.Errorf("%s overflows at 390 px: %s", path, wide)
		}
	}
}

// TestBrowserDealROI: the demo form's calculator shows payback and
// three-year ROI as the user types, and the stored demo shows the
// server's same numbers.
func TestBrowserDealROI(t *testing.T) {
	ctx := newBrowser(t)
	e := newEnv(t, "sqlite")
	d := newDealDesk(t, e)
	signInAs(t, ctx, e.srv.URL, "zhangmin")
	do(t, ctx, "open the demo form",
		chromedp.Navigate(fmt.Sprintf("%s/deals/%d#demos", e.srv.URL, d.deal.ID)),
		chromedp.WaitReady(`#demo-form`),
		chromedp.Click(`#demos details > summary`),
		chromedp.WaitVisible(`#save-demo`),
	)
	if got := text(t, ctx, `#roi-payback`); got != "—" {
		t.Errorf("payback before any amount: %q", got)
	}
	// Rows 0–3 default to saving, gain, one-off cost, yearly cost.
	do(t, ctx, "type the ROI sum",
		chromedp.SendKeys(`input[name="roi.lines.0.amount"]`, "80000"),
		chromedp.SendKeys(`input[name="roi.lines.1.amount"]`, "40000"),
		chromedp.SendKeys(`input[name="roi.lines.2.amount"]`, "150000"),
		chromedp.SendKeys(`input[name="roi.lines.3.amount"]`, "20000.5"),
	)
	// benefit 120,000; net 99,999.50: payback ⌈1,800,000 / 99,999.5⌉ = 19
	// months; total cost 210,001.50: ROI round(149,998.5 / 210,001.5 × 100) = 71 %.
	if got := text(t, ctx, `#roi-payback`); got != "19 个月回本" {
		t.Errorf("live payback %q", got)
	}
	if got := text(t, ctx, `#roi-3y`); got != "71%" {
		t.Errorf("live ROI %q", got)
	}
	// The keyboard reaches the save button, and its focus is visible.
	do(t, ctx, "tab to save", chromedp.SendKeys(`#dm-next`, "陈经理确认接口"+kb.Tab))
	ring, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.activeElement.id + ' ' + getComputedStyle(document.activeElement).boxShadow`))
	if err != nil || !strings.HasPrefix(ring, "save-demo ") || strings.HasSuffix(ring, " none") {
		t.Errorf("focus after Tab: %q %v", ring, err)
	}
	do(t, ctx, "save", chromedp.Click(`#save-demo`), chromedp.WaitVisible(`.flash`))
	if got := text(t, ctx, `#demos`); !strings.Contains(got, "19 个月回本") || !strings.Contains(got, "71%") {
		t.Errorf("stored demo:\n%s", got)
	}
}
