package web_test

// Browser tests drive a real headless Chromium through chromedp: the pages
// are parsed, styled and submitted the way a user's browser does it (forms,
// cookies, redirects, the <details> user menu), which no net/http test can
// show. They skip where Chromium is missing, unless CI is set: there a
// missing browser is a failure.

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/dealpath/dealpath/internal/crm"
)

const chromiumPath = "/usr/bin/chromium"

// newBrowser starts headless Chromium with a fresh profile and returns a
// context for one tab.
func newBrowser(t *testing.T) context.Context {
	t.Helper()
	if _, err := exec.LookPath(chromiumPath); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("CI is set but Chromium is missing at %s: %v", chromiumPath, err)
		}
		t.Skipf("Chromium not installed at %s", chromiumPath)
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromiumPath),
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("no-default-browser-check", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("lang", "zh-CN"),
		chromedp.Flag("accept-lang", "zh-CN,zh"),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
		chromedp.Flag("hide-scrollbars", true),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(actx)
	ctx, cancelTimeout := context.WithTimeout(ctx, browserGuard)
	t.Cleanup(func() { cancelTimeout(); cancelCtx(); cancelAlloc() })
	// Start the browser now, under this context: chromedp ties a browser
	// to the context of its first Run, and the steps run under shorter
	// ones (see do).
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start Chromium: %v", err)
	}
	return ctx
}

func do(t *testing.T, ctx context.Context, what string, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	// A step that hangs is stopped well before the browser's own guard,
	// so that what the page showed can still be read and reported.
	sctx, cancel := context.WithTimeout(ctx, stepGuard)
	defer cancel()
	if err := chromedp.Do(sctx, steps...); err != nil {
		t.Fatalf("%s: %v\npage state: %s", what, err, pageState(ctx))
	}
}

// stepGuard bounds one browser step; browserGuard the whole test. They
// catch hangs, not slowness: a step takes well under a second alone.
const (
	stepGuard    = 60 * time.Second
	browserGuard = 240 * time.Second
)

// pageState describes where the page is, for a failing step's message.
func pageState(ctx context.Context) string {
	got, err := chromedp.Run(ctx, chromedp.Evaluate[string](`(function(){
		var d=document.getElementById('gate-dialog'), e=document.getElementById('gate-error');
		return location.pathname+' data-move='+(document.body.getAttribute('data-move')||'')+
			(d?' dialog open='+d.open+': '+d.innerText.slice(0,600):'')+(e?' error: '+e.textContent:'');
	})()`))
	if err != nil {
		return "(unreadable: " + err.Error() + ")"
	}
	return got
}

func text(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	s, err := chromedp.Run(ctx, chromedp.Text(sel))
	if err != nil {
		t.Fatalf("text of %s: %v", sel, err)
	}
	return s
}

// demoDay fills a manager's day with realistic records: own deals in
// several stages, tasks due and overdue, and a rep's quote beyond their
// discount waiting for the manager's approval. It returns the manager's
// username.
func demoDay(t *testing.T, e *env) string {
	t.Helper()
	ctx := context.Background()
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
	repU := mk("zhangmin", "张敏", crm.RoleRep)
	root := e.login("admin")
	setAuthority(root, mgrU.ID, 2000, 60, 100_000_000)
	setAuthority(root, repU.ID, 1000, 30, 5_000_000)
	fin := mkProduct(root, "FIN-STD", "财务标准版", "software_module", "set", 3_800_000)
	lic := mkProduct(root, "LIC-USER", "用户许可", "license_per_user", "user", 120_000)

	mgr := e.login("liwei")
	type dealSpec struct {
		account, title, stage, close string
		amount                       int64
	}
	mkDealAt := func(s dealSpec) int64 {
		acc := mkAccount(mgr, s.account)
		var d crm.Deal
		mgr.do("POST", "/api/v1/deals", map[string]any{"account_id": acc.ID, "title": s.title, "amount": s.amount, "expected_close_date": s.close}).ok(201, &d)
		if s.stage != "prospecting" {
			mgr.do("POST", fmt.Sprintf("/api/v1/deals/%d/stage", d.ID), map[string]any{"stage": s.stage, "override": true, "reason": "老客户转介绍，前期已确认"}).ok(200, nil)
		}
		return d.ID
	}
	// One deal has waited long in its stage: it is stalled.
	stalled := mkDealAt(dealSpec{"无锡华冠纺织品有限公司", "多门店分销管理", "compelling_event", "2027-01-15", 56_000_000})
	e.clock.Add(20 * 24 * time.Hour)
	mgr = e.login("liwei")
	var ids []int64
	for _, s := range []dealSpec{
		{"宁波顺达商贸有限公司", "进销存系统升级", "negotiation", "2026-12-20", 12_500_000},
		{"苏州恒信精密机械有限公司", "生产管理 ERP 一期", "demo", "2027-01-10", 38_600_000},
		{"杭州云帆电子科技有限公司", "财务软件替换", "qualification", "2027-01-28", 8_600_000},
		{"上海瑞丰食品贸易有限公司", "CRM 与进销存集成", "prospecting", "2027-03-31", 21_800_000},
	} {
		ids = append(ids, mkDealAt(s))
	}
	ids = append(ids, stalled)
	// Some time passes: deals age in their stages.
	e.clock.Add(16 * 24 * time.Hour)
	mgr = e.login("liwei")
	rep := e.login("zhangmin")
	root = e.login("admin")
	now := e.clock.Now()
	for _, a := range []map[string]any{
		{"type": "call", "subject": "电话回访财务总监王总，确认预算审批流程", "deal_id": ids[0], "due_at": now.Add(1 * time.Hour)},
		{"type": "visit", "subject": "拜访苏州恒信生产部，演示排产模块", "deal_id": ids[1], "due_at": now.Add(5 * time.Hour)},
		{"type": "email", "subject": "发送报价单及实施方案", "deal_id": ids[2], "due_at": now.Add(-26 * time.Hour)},
		{"type": "task", "subject": "整理无锡华冠门店清单", "deal_id": ids[4], "due_at": now.Add(-74 * time.Hour)},
	} {
		a["due_at"] = a["due_at"].(time.Time).Format(time.RFC3339)
		mkActivity(mgr, a)
	}
	// A won deal: its contract signed five days ago, the first payment due
	// in five days.
	won := mkDealAt(dealSpec{"南京康源医药连锁有限公司", "门店零售与财务一体化", "negotiation", crm.DateOf(now).String(), 3_800_000})
	signContract(t, mgr, root, won, fin, crm.DateOf(now.Add(-5*24*time.Hour)).String())
	// The rep's deal: a 15 % discount beyond the rep's authority.
	acc := mkAccount(rep, "常州永盛建材有限公司")
	var d crm.Deal
	rep.do("POST", "/api/v1/deals", map[string]any{"account_id": acc.ID, "title": "进销存及财务一体化", "amount": 15_200_000}).ok(201, &d)
	if _, ap := submitted(rep, d.ID, nil, quoteLine(fin, 1, 0), quoteLine(lic, 30, 1500)); ap == nil {
		t.Fatal("the quote needs no approval")
	}
	return "liwei"
}

func TestBrowserMyDay(t *testing.T) {
	ctx := newBrowser(t)
	e := newEnv(t, "sqlite")
	user := demoDay(t, e)
	url := e.srv.URL

	// A wrong password: the error, the username kept.
	do(t, ctx, "wrong password",
		chromedp.Navigate(url+"/"),
		chromedp.WaitVisible(`#username`),
		chromedp.SendKeys(`#username`, user),
		chromedp.SendKeys(`#password`, "not-the-password"),
		chromedp.Click(`#signin`),
		chromedp.WaitVisible(`#login-error`),
	)
	if got := text(t, ctx, `#login-error`); !strings.Contains(got, "用户名或密码错误") {
		t.Fatalf("login error %q", got)
	}
	if v, err := chromedp.Run(ctx, chromedp.Value(`#username`)); err != nil || v != user {
		t.Fatalf("username kept: %q %v", v, err)
	}

	// Sign in through the form: My day in Chinese.
	do(t, ctx, "sign in",
		chromedp.SendKeys(`#password`, testPassword),
		chromedp.Click(`#signin`),
		chromedp.WaitVisible(`#deals-h`),
	)
	body := text(t, ctx, `main`)
	for _, want := range []string{"我的一天", "电话回访财务总监王总", "发送报价单及实施方案", "宁波顺达商贸有限公司", "¥12.5万", "待我审批", "进销存及财务一体化"} {
		if !strings.Contains(body, want) {
			t.Errorf("my day lacks %q:\n%s", want, body)
		}
	}
	if loc, _ := chromedp.Run(ctx, chromedp.Location()); !strings.HasSuffix(loc, "/my-day") {
		t.Errorf("after sign-in at %s", loc)
	}
	screenshot(t, ctx, "my-day")

	// Switch to English in the user menu.
	do(t, ctx, "switch to English",
		chromedp.Click(`.usermenu summary`),
		chromedp.WaitVisible(`button[name=language][value=en]`),
		chromedp.Click(`button[name=language][value=en]`),
		chromedp.WaitVisible(`.flash`),
	)
	if got := text(t, ctx, `main`); !strings.Contains(got, "My day") || !strings.Contains(got, "Approvals waiting for me") || !strings.Contains(got, "Language saved.") {
		t.Fatalf("english page:\n%s", got)
	}

	// Sign out: back at the sign-in page, and My day is closed.
	do(t, ctx, "sign out",
		chromedp.Click(`.usermenu summary`),
		chromedp.WaitVisible(`#logout`),
		chromedp.Click(`#logout`),
		chromedp.WaitVisible(`#signin`),
	)
	do(t, ctx, "my day signed out", chromedp.Navigate(url+"/my-day"), chromedp.WaitVisible(`#signin`))
}

// screenshot saves the page, 1280 px wide, as <name>.png in the directory
// DEALPATH_SCREENSHOTS names (docs/screenshots for the README). Unset, it
// does nothing: an ordinary test run writes no files.
func screenshot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	dir := os.Getenv("DEALPATH_SCREENSHOTS")
	if dir == "" {
		return
	}
	do(t, ctx, "viewport for "+name, chromedp.EmulateViewport(1280, 900))
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
		t.Fatal(err)
	}
}

// submitClick clicks a control that posts a form and waits for the page
// the server answers with. Waiting for an element instead can be answered
// by the page being left (when it has that element too), and the next
// action then reaches for a node that is gone.
func submitClick(sel string) chromedp.Action[chromedp.Void] {
	return func(ctx context.Context, tg *chromedp.Target) (chromedp.Void, error) {
		if _, err := chromedp.Evaluate[bool](`window.__leaving = true`)(ctx, tg); err != nil {
			return chromedp.Void{}, err
		}
		if _, err := chromedp.Click(sel)(ctx, tg); err != nil {
			return chromedp.Void{}, err
		}
		// While the page changes, an evaluation can fail ("target
		// navigated"); ask again until the new page answers.
		for {
			done, err := chromedp.Evaluate[bool](`window.__leaving !== true && document.readyState === 'complete'`)(ctx, tg)
			if err == nil && done {
				return chromedp.Void{}, nil
			}
			select {
			case <-ctx.Done():
				return chromedp.Void{}, ctx.Err()
			case <-time.After(20 * time.Millisecond):
			}
		}
	}
}
