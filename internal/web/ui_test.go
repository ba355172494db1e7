package web_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/dealpath/dealpath/internal/crm"
)

// browser is a cookie-keeping HTTP client that does not follow redirects,
// standing in for a browser where no real one is needed.
type browser struct {
	e    *env
	c    *http.Client
	lang string
}

func (e *env) browser() *browser {
	jar, err := cookiejar.New(nil)
	if err != nil {
		e.t.Fatal(err)
	}
	return &browser{e: e, c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

type page struct {
	Status int
	Header http.Header
	Body   string
}

func (b *browser) send(method, path string, form url.Values, header map[string]string) page {
	b.e.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, b.e.srv.URL+path, body)
	if err != nil {
		b.e.t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if b.lang != "" {
		req.Header.Set("Accept-Language", b.lang)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	res, err := b.c.Do(req)
	if err != nil {
		b.e.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	data, err := io.ReadAll(res.Body)
	if err != nil {
		b.e.t.Fatal(err)
	}
	return page{Status: res.StatusCode, Header: res.Header, Body: string(data)}
}

func (b *browser) get(path string) page { return b.send("GET", path, nil, nil) }

func (b *browser) post(path string, form url.Values) page { return b.send("POST", path, form, nil) }

var csrfInput = regexp.MustCompile(`name="csrf_token" value="([0-9a-f]+)"`)

// csrfOf finds the CSRF token in a page's forms.
func csrfOf(t *testing.T, p page) string {
	t.Helper()
	m := csrfInput.FindStringSubmatch(p.Body)
	if m == nil {
		t.Fatalf("no csrf token in page:\n%s", p.Body)
	}
	return m[1]
}

// signIn signs in through the form and returns the CSRF token of the
// session.
func (b *browser) signIn(username, password string) page {
	b.e.t.Helper()
	lp := b.get("/login")
	if lp.Status != 200 {
		b.e.t.Fatalf("GET /login: %d", lp.Status)
	}
	return b.post("/login", url.Values{"csrf_token": {csrfOf(b.e.t, lp)}, "username": {username}, "password": {password}})
}

func (b *browser) cookie(name string) *http.Cookie {
	u, _ := url.Parse(b.e.srv.URL)
	for _, c := range b.c.Jar.Cookies(u) {
		if c.Name == name {
			return c
		}
	}
	return nil
}

func TestUISignInAndFrame(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		e.user("rep", crm.RoleRep, nil)
		b := e.browser()
		// Signed out: the start page and My day lead to the sign-in page.
		if p := b.get("/"); p.Status != 303 || p.Header.Get("Location") != "/login" {
			t.Fatalf("GET / signed out: %d %s", p.Status, p.Header.Get("Location"))
		}
		if p := b.get("/my-day"); p.Status != 303 || !strings.HasPrefix(p.Header.Get("Location"), "/login?next=") {
			t.Fatalf("GET /my-day signed out: %d %s", p.Status, p.Header.Get("Location"))
		}
		// A wrong password: the error, the username kept, no session.
		p := b.signIn("rep", "wrong-password")
		if p.Status != 401 || !strings.Contains(p.Body, "用户名或密码错误") || !strings.Contains(p.Body, `value="rep"`) {
			t.Fatalf("bad login: %d\n%s", p.Status, p.Body)
		}
		// The sign-in form itself needs its token.
		if p := b.post("/login", url.Values{"username": {"rep"}, "password": {testPassword}}); p.Status != 403 {
			t.Fatalf("login without token: %d", p.Status)
		}
		p = b.signIn("rep", testPassword)
		if p.Status != 303 || p.Header.Get("Location") != "/my-day" {
			t.Fatalf("login: %d %s", p.Status, p.Header.Get("Location"))
		}
		var set *http.Cookie
		for _, c := range (&http.Response{Header: p.Header}).Cookies() {
			if c.Name == "dealpath_session" {
				set = c
			}
		}
		if set == nil || !set.HttpOnly || set.SameSite != http.SameSiteLaxMode || set.Path != "/" || set.Secure {
			t.Fatalf("session cookie %+v", set)
		}
		if p := b.get("/"); p.Status != 303 || p.Header.Get("Location") != "/my-day" {
			t.Fatalf("GET / signed in: %d %s", p.Status, p.Header.Get("Location"))
		}
		day := b.get("/my-day")
		if day.Status != 200 || !strings.Contains(day.Body, "我的一天") || !strings.Contains(day.Body, "销售代表") ||
			!strings.Contains(day.Header.Get("Content-Security-Policy"), "default-src 'none'") {
			t.Fatalf("my day: %d\n%s", day.Status, day.Body)
		}
		token := csrfOf(t, day)

		// Unsafe requests without the token are refused.
		if p := b.post("/settings/language", url.Values{"language": {"en"}}); p.Status != 403 || !strings.Contains(p.Body, "无权访问") {
			t.Fatalf("language without token: %d\n%s", p.Status, p.Body)
		}
		if p := b.post("/logout", url.Values{"csrf_token": {"00" + token[2:]}}); p.Status != 403 {
			t.Fatalf("logout with a wrong token: %d", p.Status)
		}
		// Language: the user's setting, kept in the database.
		if p := b.post("/settings/language", url.Values{"csrf_token": {token}, "language": {"fr"}}); p.Status != 400 {
			t.Fatalf("unknown language: %d", p.Status)
		}
		if p := b.post("/settings/language", url.Values{"csrf_token": {token}, "language": {"en"}, "next": {"/my-day"}}); p.Status != 303 || p.Header.Get("Location") != "/my-day" {
			t.Fatalf("language: %d %s", p.Status, p.Header.Get("Location"))
		}
		day = b.get("/my-day")
		if !strings.Contains(day.Body, "My day") || !strings.Contains(day.Body, "Language saved.") || !strings.Contains(day.Body, `<html lang="en">`) {
			t.Fatalf("english my day:\n%s", day.Body)
		}
		// The flash is shown once.
		if day = b.get("/my-day"); strings.Contains(day.Body, "Language saved.") {
			t.Fatal("flash shown twice")
		}
		// The setting wins over the browser's Accept-Language.
		b.lang = "zh-CN"
		if day = b.get("/my-day"); !strings.Contains(day.Body, "My day") {
			t.Fatal("the user's language does not win over Accept-Language")
		}
		// Unknown pages: an HTML 404 in the frame; API paths keep JSON.
		if p := b.get("/no-such-page"); p.Status != 404 || !strings.Contains(p.Body, "Page not found") || !strings.HasPrefix(p.Header.Get("Content-Type"), "text/html") {
			t.Fatalf("404: %d %s", p.Status, p.Body)
		}
		if p := b.get("/api/v1/nothing"); p.Status != 404 || !strings.HasPrefix(p.Header.Get("Content-Type"), "application/json") {
			t.Fatalf("api 404: %d %s", p.Status, p.Header.Get("Content-Type"))
		}
		// Static files: embedded, typed and cached.
		css := b.get("/static/app.css")
		if css.Status != 200 || !strings.HasPrefix(css.Header.Get("Content-Type"), "text/css") || !strings.Contains(css.Header.Get("Cache-Control"), "max-age") ||
			!strings.Contains(css.Body, "PingFang SC") {
			t.Fatalf("css: %d %v", css.Status, css.Header)
		}
		if p := b.get("/static/nothing.css"); p.Status != 404 {
			t.Fatalf("missing static: %d", p.Status)
		}

		// Sign out: the session ends on the server too.
		session := b.cookie("dealpath_session").Value
		if p := b.post("/logout", url.Values{"csrf_token": {token}}); p.Status != 303 || p.Header.Get("Location") != "/login" {
			t.Fatalf("logout: %d", p.Status)
		}
		if _, err := e.svc.Authenticate(context.Background(), session); crm.ErrorCode(err) != crm.EUNAUTHENTICATED {
			t.Fatalf("session after logout: %v", err)
		}
		if p := b.get("/login"); !strings.Contains(p.Body, "您已退出登录") && !strings.Contains(p.Body, "You have signed out") {
			t.Fatalf("no sign-out message:\n%s", p.Body)
		}
	})
}

func TestUISecureCookieBehindTLS(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		e.user("rep", crm.RoleRep, nil)
		b := e.browser()
		lp := b.get("/login")
		p := b.send("POST", "/login", url.Values{"csrf_token": {csrfOf(t, lp)}, "username": {"rep"}, "password": {testPassword}},
			map[string]string{"X-Forwarded-Proto": "https"})
		var secure bool
		for _, c := range (&http.Response{Header: p.Header}).Cookies() {
			if c.Name == "dealpath_session" {
				secure = c.Secure
			}
		}
		if p.Status != 303 || !secure {
			t.Fatalf("login over https: %d, secure %v", p.Status, secure)
		}
	})
}

// TestAPICookieCSRF: an API request a browser authenticates with its
// session cookie must carry the CSRF token when it changes something;
// Bearer clients are not affected.
func TestAPICookieCSRF(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		e.user("rep", crm.RoleRep, nil)
		b := e.browser()
		b.signIn("rep", testPassword)
		day := b.get("/my-day")
		token := csrfOf(t, day)
		body := `{"name":"宁波顺达商贸有限公司"}`
		send := func(header map[string]string) int {
			req, _ := http.NewRequest("POST", e.srv.URL+"/api/v1/accounts", strings.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			for k, v := range header {
				req.Header.Set(k, v)
			}
			res, err := b.c.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			return res.StatusCode
		}
		if st := send(nil); st != 403 {
			t.Fatalf("cookie POST without token: %d", st)
		}
		if st := send(map[string]string{"X-CSRF-Token": "nope"}); st != 403 {
			t.Fatalf("cookie POST with a wrong token: %d", st)
		}
		if st := send(map[string]string{"X-CSRF-Token": token}); st != 201 {
			t.Fatalf("cookie POST with token: %d", st)
		}
		// Reads need no token.
		if p := b.get("/api/v1/accounts"); p.Status != 200 {
			t.Fatalf("cookie GET: %d", p.Status)
		}
		// A Bearer client needs none either.
		c := e.login("rep")
		c.do("POST", "/api/v1/accounts", map[string]any{"name": "杭州新锐电子有限公司"}).ok(201, nil)
	})
}

const (
	xssScript = `<script>alert(1)</script>`
	xssAttr   = `"><img src=x onerror=alert(1)>`
)

// TestMyDay renders a rep's and a manager's day, with hostile names in
// every record it shows: they appear only escaped.
func TestMyDay(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		d := newQuoteDesk(e)
		now := e.clock.Now()
		// Today's, an overdue and a later task; a done one.
		for _, a := range []map[string]any{
			{"type": "call", "subject": "今日回访 " + xssScript, "deal_id": d.deal.ID, "due_at": now.Add(2 * time.Hour).Format(time.RFC3339)},
			{"type": "visit", "subject": "逾期拜访 " + xssAttr, "due_at": now.Add(-50 * time.Hour).Format(time.RFC3339)},
		} {
			mkActivity(d.rep, a)
		}
		acc := mkAccount(d.rep, "客户 "+xssAttr)
		var deal crm.Deal
		d.rep.do("POST", "/api/v1/deals", map[string]any{"account_id": acc.ID, "title": "商机 " + xssScript, "amount": 12_500_000,
			"expected_close_date": "2026-12-15"}).ok(201, &deal)
		// A deal long in its stage is stalled.
		e.clock.Add(40 * 24 * time.Hour)
		d.rep = e.login("rep")
		now = e.clock.Now()
		mkActivity(d.rep, map[string]any{"type": "call", "subject": "回访", "due_at": now.Format(time.RFC3339)})
		mkActivity(d.rep, map[string]any{"type": "task", "subject": "下周的事", "due_at": now.Add(7 * 24 * time.Hour).Format(time.RFC3339)})
		mkActivity(d.rep, map[string]any{"type": "task", "subject": "已完成的事", "due_at": now.Add(-time.Hour).Format(time.RFC3339), "done_at": now.Format(time.RFC3339)})
		// A discount beyond the rep's authority waits for the manager.
		submitted(d.rep, deal.ID, nil, quoteLine(d.fin, 1, 0), quoteLine(d.users, 20, 1500))

		b := e.browser()
		b.signIn("rep", testPassword)
		p := b.get("/my-day")
		if p.Status != 200 {
			t.Fatalf("my day: %d\n%s", p.Status, p.Body)
		}
		checkEscaped(t, p.Body)
		for _, want := range []string{"商机 &lt;script&gt;alert(1)&lt;/script&gt;", "客户 &#34;&gt;&lt;img src=x onerror=alert(1)&gt;",
			"今日回访", "逾期拜访", "¥12.5万", "停滞", "进销存系统", "本周没有到期的回款", "下一步行动"} {
			if !strings.Contains(p.Body, want) {
				t.Errorf("rep's day lacks %q", want)
			}
		}
		for _, absent := range []string{"下周的事", "已完成的事", "待我审批"} {
			if strings.Contains(p.Body, absent) {
				t.Errorf("rep's day shows %q", absent)
			}
		}
		// The manager: the approval waiting, and empty states for the rest.
		m := e.browser()
		m.signIn("mgr", testPassword)
		p = m.get("/my-day")
		checkEscaped(t, p.Body)
		for _, want := range []string{"待我审批", "报价", "商机 &lt;script&gt;", "折扣 15%", "您暂无进行中的商机", "本周没有到期的回款"} {
			if !strings.Contains(p.Body, want) {
				t.Errorf("manager's day lacks %q:\n%s", want, p.Body)
			}
		}
	})
}

var staticScript = regexp.MustCompile(`<script src="/static/[a-z_]+\.js\?v=[0-9a-f]+"></script>`)

// checkEscaped fails when a hostile name appears unescaped.
func checkEscaped(t *testing.T, body string) {
	t.Helper()
	// The page's own scripts are files of static/; any other script tag
	// is an injection.
	body = staticScript.ReplaceAllString(body, "")
	for _, bad := range []string{xssScript, xssAttr, "<img", "<script"} {
		if strings.Contains(body, bad) {
			i := strings.Index(body, bad)
			t.Fatalf("unescaped %q in page: …%s…", bad, body[max(0, i-200):min(len(body), i+200)])
		}
	}
	if !strings.Contains(body, "&lt;") {
		t.Fatal("page shows no escaped hostile name at all")
	}
}

// signContract takes a deal of owner's from negotiation to a signed
// contract with two milestones, the first due ten days after signedOn:
// an accepted quote, the commit gate, approvals by approver where asked
// for, every purchase condition met.
func signContract(t *testing.T, owner, approver *client, dealID int64, prod crm.Product, signedOn string) crm.Contract {
	t.Helper()
	approve := func(id *int64) {
		if id == nil {
			return
		}
		var ap crm.Approval
		approver.do("GET", fmt.Sprintf("/api/v1/approvals/%d", *id), nil).ok(200, &ap)
		approver.do("POST", fmt.Sprintf("/api/v1/approvals/%d/approve", *id), map[string]any{"version": ap.Version, "comment": "同意"}).ok(200, nil)
	}
	q := quoteAct(owner, mkQuote(owner, dealID, nil, quoteLine(prod, 1, 0)), "submit", 200)
	approve(q.ApprovalID)
	q = getQuote(owner, q.ID)
	q = quoteAct(owner, q, "send", 200)
	quoteAct(owner, q, "accept", 200)
	var deal crm.Deal
	owner.do("GET", fmt.Sprintf("/api/v1/deals/%d", dealID), nil).ok(200, &deal)
	owner.do("PATCH", fmt.Sprintf("/api/v1/deals/%d", dealID), map[string]any{"version": deal.Version, "no_competitors": true}).ok(200, &deal)
	owner.do("POST", fmt.Sprintf("/api/v1/deals/%d/stage", dealID), map[string]any{"stage": "commit"}).ok(200, &deal)
	var c crm.Contract
	owner.do("POST", "/api/v1/contracts", map[string]any{"quote_id": q.ID, "payment_method": "bank_transfer", "payment_days": 10,
		"milestones": []map[string]any{
			{"name": "签约首付款", "percent": 60, "trigger": "signing"},
			{"name": "验收尾款", "percent": 40, "trigger": "final"},
		}}).ok(201, &c)
	owner.do("POST", fmt.Sprintf("/api/v1/contracts/%d/submit", c.ID), map[string]any{"version": c.Version}).ok(200, &c)
	approve(c.ApprovalID)
	owner.do("GET", fmt.Sprintf("/api/v1/contracts/%d", c.ID), nil).ok(200, &c)
	var cur struct {
		Items []struct {
			Key     string `json:"key"`
			Version int64  `json:"version"`
		} `json:"items"`
	}
	path := fmt.Sprintf("/api/v1/deals/%d/conditions", dealID)
	owner.do("GET", path, nil).ok(200, &cur)
	var in []map[string]any
	for _, x := range cur.Items {
		in = append(in, map[string]any{"key": x.Key, "version": x.Version, "met": true, "evidence": "客户书面确认"})
	}
	owner.do("PUT", path, map[string]any{"conditions": in}).ok(200, nil)
	owner.do("POST", fmt.Sprintf("/api/v1/contracts/%d/sign", c.ID), map[string]any{"version": c.Version, "signed_on": signedOn}).ok(200, &c)
	return c
}

// TestMyDayPayments: a milestone due within the week on my deal is on my
// day; once overdue it says by how many days; another rep's is not.
func TestMyDayPayments(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		d := newQuoteDesk(e)
		d.mgr.do("POST", fmt.Sprintf("/api/v1/deals/%d/stage", d.deal.ID),
			map[string]any{"stage": "negotiation", "override": true, "reason": "老客户转介绍"}).ok(200, nil)
		var deal crm.Deal
		d.rep.do("GET", fmt.Sprintf("/api/v1/deals/%d", d.deal.ID), nil).ok(200, &deal)
		d.rep.do("PATCH", fmt.Sprintf("/api/v1/deals/%d", d.deal.ID), map[string]any{"version": deal.Version, "expected_close_date": "2026-12-31"}).ok(200, nil)
		// Signed a week ago, ten days to pay: due in three days.
		c := signContract(t, d.rep, d.mgr, d.deal.ID, d.fin, "2026-10-26")
		b := e.browser()
		b.signIn("rep", testPassword)
		p := b.get("/my-day")
		for _, want := range []string{"宁波顺达商贸有限公司", c.Number, "签约首付款", "¥2.28万", "2026-11-05 到期"} {
			if !strings.Contains(p.Body, want) {
				t.Errorf("payments lack %q", want)
			}
		}
		if strings.Contains(p.Body, "本周没有到期的回款") {
			t.Error("payments empty")
		}
		e.clock.Add(5 * 24 * time.Hour)
		b = e.browser()
		b.signIn("rep", testPassword)
		if p := b.get("/my-day"); !strings.Contains(p.Body, "逾期 2 天") {
			t.Errorf("overdue payment not shown")
		}
		o := e.browser()
		o.signIn("rep2", testPassword)
		if p := o.get("/my-day"); !strings.Contains(p.Body, "本周没有到期的回款") {
			t.Error("another rep sees the payment")
		}
	})
}

// TestMyDayCountsEveryOpenDeal gives a rep more deals than one page of
// the list (crm.MaxLimit), some of them finished, and checks that My day
// counts every open deal it does not show (it shows 20), not only those
// on that page.
func TestMyDayCountsEveryOpenDeal(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		rep := e.user("rep", crm.RoleRep, nil)
		c := e.login("rep")
		acc := mkAccount(c, "宁波顺达商贸有限公司")
		now := e.clock.Now()
		var ds []*crm.Deal
		const open, finished = crm.MaxLimit + 30, 7
		for i := range open + finished {
			stage := "prospecting"
			if i < finished {
				stage = []string{"closed", "lost"}[i%2]
			}
			d := &crm.Deal{Version: 1, AccountID: acc.ID, OwnerID: rep.ID, Title: fmt.Sprint("商机", i), Stage: stage, Amount: 100,
				ExpectedCloseDate: &crm.Date{Time: now.AddDate(0, 0, i%90).Truncate(24 * time.Hour)},
				StageChangedAt:    now, CreatedAt: now, UpdatedAt: now}
			if stage == "lost" {
				d.LostReason = "预算取消"
			}
			ds = append(ds, d)
		}
		if err := e.db.InsertDeals(context.Background(), ds, &crm.AuditEntry{ActorID: rep.ID, EntityType: "import", Action: "import", CreatedAt: now}, nil); err != nil {
			t.Fatal(err)
		}
		b := e.browser()
		b.signIn("rep", testPassword)
		p := b.get("/my-day")
		if want := fmt.Sprintf("另有 %d 个进行中的商机未显示。", open-20); p.Status != 200 || !strings.Contains(p.Body, want) {
			t.Fatalf("my day: %d, want %q", p.Status, want)
		}
	})
}
