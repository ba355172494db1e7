package web_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/dealpath/dealpath/internal/crm"
)

// TestBrowserAdmin walks the manager and admin pages in a real browser: the
// admin grants a manager a discount limit, the manager approves a rep's
// quote beyond the rep's limit with a comment, the admin adds a product to
// the price book, and the playbook reads in Chinese and in English.
func TestBrowserAdmin(t *testing.T) {
	ctx := newBrowser(t)
	e := newEnv(t, "sqlite")
	bg := context.Background()
	tm := e.team("华东销售一组")
	mk := func(name, display, role string) *crm.User {
		u, err := e.svc.CreateUser(bg, crm.SystemActor, crm.UserInput{Username: name, Password: testPassword, DisplayName: display, Role: role, TeamID: &tm.ID})
		if err != nil {
			t.Fatal(err)
		}
		return u
	}
	e.user("admin", crm.RoleAdmin, nil)
	mgrU := mk("liwei", "李伟", crm.RoleManager)
	mk("zhangmin", "张敏", crm.RoleRep)
	root := e.login("admin")
	fin := mkProduct(root, "FIN-STD", "财务标准版", "software_module", "set", 3_800_000)
	lic := mkProduct(root, "LIC-USER", "用户许可", "license_per_user", "user", 120_000)
	url := e.srv.URL
	signIn := func(user string) {
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
	signOut := func() {
		t.Helper()
		do(t, ctx, "sign out",
			chromedp.Click(`.usermenu summary`),
			chromedp.WaitVisible(`#logout`),
			chromedp.Click(`#logout`),
			chromedp.WaitVisible(`#signin`),
		)
	}

	// The admin gives the manager a 20 % discount limit.
	signIn("admin")
	do(t, ctx, "users",
		chromedp.Click(`nav a[href="/admin/users"]`),
		chromedp.WaitVisible(`#users`),
		chromedp.Click(fmt.Sprintf(`#edit-user-%d`, mgrU.ID)),
		chromedp.WaitVisible(`#u-max_discount`),
		chromedp.SetValue(`#u-max_discount`, "20"),
		chromedp.SetValue(`#u-credit_days`, "60"),
		chromedp.Click(`#save-user`),
		chromedp.WaitVisible(`.flash`),
	)
	if got := text(t, ctx, fmt.Sprintf(`#user-%d`, mgrU.ID)); !strings.Contains(got, "20%") || !strings.Contains(got, "60 天") {
		t.Fatalf("manager's row: %s", got)
	}
	if u, _ := e.svc.Store.UserByID(bg, mgrU.ID); u.MaxDiscountBP != 2000 {
		t.Fatalf("stored limit %d", u.MaxDiscountBP)
	}

	// The admin adds a product to the price book.
	do(t, ctx, "new product",
		chromedp.Click(`nav a[href="/products"]`),
		chromedp.WaitVisible(`#new-product`),
		chromedp.Click(`#new-product`),
		chromedp.WaitVisible(`#p-code`),
		chromedp.SendKeys(`#p-code`, "IMPL-DAY"),
		chromedp.SendKeys(`#p-name_zh`, "实施服务"),
		chromedp.SendKeys(`#p-name_en`, "Implementation day"),
		chromedp.SetValue(`#p-kind`, "implementation_day"),
		chromedp.SetValue(`#p-unit`, "person_day"),
		chromedp.SendKeys(`#p-list_price`, "1500"),
		chromedp.Click(`#save-product`),
		chromedp.WaitVisible(`.flash`),
	)
	if got := text(t, ctx, `#products`); !strings.Contains(got, "IMPL-DAY") || !strings.Contains(got, "实施服务") || !strings.Contains(got, "¥1,500") {
		t.Fatalf("price book: %s", got)
	}
	signOut()

	// The rep's quote: 15 % off the licences, beyond the rep's zero limit.
	rep := e.login("zhangmin")
	acc := mkAccount(rep, "常州永盛建材有限公司")
	var d crm.Deal
	rep.do("POST", "/api/v1/deals", map[string]any{"account_id": acc.ID, "title": "进销存及财务一体化", "amount": 15_200_000}).ok(201, &d)
	q, ap := submitted(rep, d.ID, nil, quoteLine(fin, 1, 0), quoteLine(lic, 30, 1500))
	if ap == nil || ap.AssignedTo != mgrU.ID {
		t.Fatalf("approval %+v", ap)
	}

	// The manager approves it from the inbox.
	signIn("liwei")
	if got := text(t, ctx, `#nav-approvals`); !strings.Contains(got, "1") {
		t.Errorf("nav badge %q", got)
	}
	do(t, ctx, "inbox", chromedp.Click(`#nav-approvals`), chromedp.WaitVisible(fmt.Sprintf(`#approval-%d`, ap.ID)))
	item := text(t, ctx, fmt.Sprintf(`#approval-%d`, ap.ID))
	for _, want := range []string{"进销存及财务一体化", "常州永盛建材有限公司", "张敏", q.Number, "折扣 15% 超出负责人的权限 0%"} {
		if !strings.Contains(item, want) {
			t.Errorf("request lacks %q:\n%s", want, item)
		}
	}
	do(t, ctx, "comment", chromedp.SendKeys(fmt.Sprintf(`#comment-%d`, ap.ID), "同意，老客户，年底前签约"))
	screenshot(t, ctx, "approvals")
	do(t, ctx, "approve",
		chromedp.Click(fmt.Sprintf(`#approve-%d`, ap.ID)),
		chromedp.WaitVisible(`.flash`),
	)
	if got := text(t, ctx, `#decided`); !strings.Contains(got, "已批准") || !strings.Contains(got, "同意，老客户，年底前签约") {
		t.Fatalf("decided: %s", got)
	}
	if got := text(t, ctx, `#pending`); !strings.Contains(got, "没有待审批的申请") {
		t.Errorf("pending after approval: %s", got)
	}
	if got := getQuote(rep, q.ID); got.State != crm.QuoteApproved {
		t.Fatalf("quote %s", got.State)
	}

	// The playbook in Chinese, then in English.
	do(t, ctx, "playbook", chromedp.Click(`nav a[href="/playbook"]`), chromedp.WaitVisible(`#stage-compelling_event`))
	if got := text(t, ctx, `#stage-compelling_event .stage-name`); got != "寻找强迫事件" {
		t.Errorf("stage name %q", got)
	}
	screenshot(t, ctx, "playbook")
	do(t, ctx, "english",
		chromedp.Click(`.usermenu summary`),
		chromedp.WaitVisible(`button[name=language][value=en]`),
		chromedp.Click(`button[name=language][value=en]`),
		chromedp.WaitVisible(`.flash`),
		chromedp.WaitVisible(`#stage-compelling_event`),
	)
	if got := text(t, ctx, `#stage-compelling_event .stage-name`); got != "Compelling event" {
		t.Errorf("English stage name %q", got)
	}
	if got := text(t, ctx, `#events`); !strings.Contains(got, "CE11") || !strings.Contains(got, "Fast growth") {
		t.Errorf("events: %s", got)
	}
}
