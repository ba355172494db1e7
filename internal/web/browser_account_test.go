package web_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/dealpath/dealpath/internal/crm"
)

// TestBrowserAccount creates an account through the form in a real
// browser: a validation error keeps the input, then the account page shows
// the six-factor fit; the deal workspace of one of its deals follows.
func TestBrowserAccount(t *testing.T) {
	ctx := newBrowser(t)
	e := newEnv(t, "sqlite")
	tm := e.team("华东销售一组")
	e.user("zhangmin", crm.RoleRep, &tm.ID)
	e.user("liwei", crm.RoleManager, &tm.ID)
	url := e.srv.URL

	do(t, ctx, "sign in",
		chromedp.Navigate(url+"/login"),
		chromedp.WaitVisible(`#username`),
		chromedp.SendKeys(`#username`, "zhangmin"),
		chromedp.SendKeys(`#password`, testPassword),
		chromedp.Click(`#signin`),
		chromedp.WaitVisible(`#deals-h`),
	)
	do(t, ctx, "open the form",
		chromedp.Click(`nav a[href="/accounts"]`),
		chromedp.WaitVisible(`#new-account`),
		chromedp.Click(`#new-account`),
		chromedp.WaitVisible(`#f-name`),
	)
	// A headcount that is no number: the message, the rest kept.
	do(t, ctx, "fill the form",
		chromedp.SendKeys(`#f-name`, "宁波顺达商贸有限公司"),
		chromedp.SendKeys(`#f-region`, "浙江宁波"),
		chromedp.SendKeys(`#f-headcount`, "很多"),
		chromedp.SetValue(`#f-business_kind`, "distribution"),
		chromedp.SetValue(`#f-industry`, "trading"),
		chromedp.SetValue(`#f-ownership`, "private"),
		chromedp.SendKeys(`#f-revenue_last_year`, "45000000"),
		chromedp.SendKeys(`#f-gross_profit`, "6800000"),
		chromedp.SendKeys(`#f-branch_count`, "6"),
		chromedp.SetValue(`#f-purchase_plan`, "within_6_months"),
		chromedp.Click(`input[name=existing_software][value=finance]`),
		chromedp.Click(`#save-account`),
		chromedp.WaitVisible(`.field-error`),
	)
	if got := text(t, ctx, `.has-error`); !strings.Contains(got, "整数") {
		t.Errorf("headcount error %q", got)
	}
	if v, err := chromedp.Run(ctx, chromedp.Value(`#f-name`)); err != nil || v != "宁波顺达商贸有限公司" {
		t.Errorf("name kept: %q %v", v, err)
	}
	do(t, ctx, "fix and save",
		chromedp.SetValue(`#f-headcount`, "85"),
		chromedp.Click(`#save-account`),
		chromedp.WaitVisible(`#fit-grade`),
	)
	if g := text(t, ctx, `#fit-grade`); g != "A" && g != "B" {
		t.Errorf("grade %q", g)
	}
	if got := text(t, ctx, `#fit`); !strings.Contains(got, "企业规模") || !strings.Contains(got, "85 人") {
		t.Errorf("fit panel:\n%s", got)
	}
	loc, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		t.Fatal(err)
	}
	var id int64
	if _, err := fmt.Sscanf(loc[strings.LastIndex(loc, "/")+1:], "%d", &id); err != nil {
		t.Fatalf("account url %s", loc)
	}

	// Records for the account page and the deal workspace.
	rep, mgr := e.login("zhangmin"), e.login("liwei")
	var gm, cfo crm.Contact
	rep.do("POST", "/api/v1/contacts", map[string]any{"account_id": id, "name": "王建国", "title": "总经理", "functional_role": "general_manager", "phone": "13805741234"}).ok(201, &gm)
	rep.do("POST", "/api/v1/contacts", map[string]any{"account_id": id, "name": "陈丽", "title": "财务经理", "functional_role": "chief_accountant", "email": "chenli@shunda.example"}).ok(201, &cfo)
	var d crm.Deal
	rep.do("POST", "/api/v1/deals", map[string]any{"account_id": id, "title": "进销存系统升级", "amount": 12_500_000, "expected_close_date": "2026-12-20"}).ok(201, &d)
	rep.do("POST", fmt.Sprintf("/api/v1/deals/%d/contacts", d.ID), map[string]any{"contact_id": gm.ID, "buying_role": "decision_maker", "stance": "supports", "engagement_step": "concerns_known"}).ok(201, nil)
	rep.do("POST", fmt.Sprintf("/api/v1/deals/%d/contacts", d.ID), map[string]any{"contact_id": cfo.ID, "buying_role": "participant", "stance": "neutral", "engagement_step": "materials_sent"}).ok(201, nil)
	now := e.clock.Now()
	mkActivity(rep, map[string]any{"type": "visit", "subject": "拜访王总，了解门店扩张计划", "deal_id": d.ID, "done_at": now.Add(-48 * time.Hour).Format(time.RFC3339)})
	mkActivity(rep, map[string]any{"type": "call", "subject": "电话回访陈经理，确认现有财务软件", "deal_id": d.ID, "due_at": now.Add(4 * time.Hour).Format(time.RFC3339)})
	mgr.do("POST", fmt.Sprintf("/api/v1/deals/%d/stage", d.ID), map[string]any{"stage": "compelling_event", "override": true, "reason": "老客户转介绍，需求已明确"}).ok(200, nil)

	do(t, ctx, "account page", chromedp.Navigate(loc), chromedp.WaitVisible(`#fit-grade`))
	if got := text(t, ctx, `#key-persons`); !strings.Contains(got, "王建国") {
		t.Errorf("key persons:\n%s", got)
	}
	screenshot(t, ctx, "account")

	// The deal workspace: record a compelling event through its form.
	do(t, ctx, "deal page",
		chromedp.Click(fmt.Sprintf(`a[href="/deals/%d"]`, d.ID)),
		chromedp.WaitVisible(`#event-form`),
		chromedp.SetValue(`#e-code`, "CE1"),
		chromedp.SendKeys(`#e-impact`, "新开 6 家门店，现有手工台账无法及时掌握库存"),
		chromedp.Click(`#event-form button[type=submit]`),
		chromedp.WaitVisible(`.flash`),
	)
	if got := text(t, ctx, `#events`); !strings.Contains(got, "新开 6 家门店") {
		t.Errorf("events:\n%s", got)
	}
	if got := text(t, ctx, `.stagepath [aria-current=step]`); got != "寻找强迫事件" {
		t.Errorf("current stage %q", got)
	}
	// The deal page's screenshot, with its desk panels filled, is taken by
	// TestBrowserDealQuoteApproval.
}
