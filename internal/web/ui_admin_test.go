package web_test

import (
	"context"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/dealpath/dealpath/internal/crm"
)

// signedIn is a browser signed in as the user, with the session's CSRF
// token read from a page.
func signedIn(t *testing.T, e *env, username string) (*browser, string) {
	t.Helper()
	b := e.browser()
	if p := b.signIn(username, testPassword); p.Status != 303 {
		t.Fatalf("sign in %s: %d", username, p.Status)
	}
	return b, csrfOf(t, b.get("/my-day"))
}

// wantPage fails unless the page has the status and every text.
func wantPage(t *testing.T, what string, p page, status int, texts ...string) {
	t.Helper()
	if p.Status != status {
		t.Fatalf("%s: status %d, want %d\n%s", what, p.Status, status, p.Body)
	}
	for _, s := range texts {
		if !strings.Contains(p.Body, s) {
			t.Errorf("%s lacks %q", what, s)
		}
	}
}

// fieldError finds the message next to a field: the field's input, select
// or textarea (by id) followed by its field-error inside the same field.
func fieldError(t *testing.T, body, id string) string {
	t.Helper()
	re := regexp.MustCompile(`id="` + regexp.QuoteMeta(id) + `"[^<]*(?:<[^>]*>[^<]*){0,40}?<p class="field-error" role="alert">([^<]*)</p>`)
	m := re.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no field error next to #%s", id)
	}
	return m[1]
}

func TestUIApprovals(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		d := newQuoteDesk(e)
		acc := mkAccount(d.rep, "客户 "+xssScript)
		deal := mkDeal(d.rep, acc.ID, "商机 "+xssAttr)
		q, a := submitted(d.rep, deal.ID, nil, quoteLine(d.fin, 1, 0), quoteLine(d.users, 20, 1500))
		if a == nil || a.AssignedTo != d.mgrU.ID {
			t.Fatalf("approval %+v", a)
		}
		// Reps have no inbox.
		rep, repCSRF := signedIn(t, e, "rep")
		wantPage(t, "rep inbox", rep.get("/approvals"), 403)
		wantPage(t, "rep decides", rep.post(fmt.Sprintf("/approvals/%d/approve", a.ID), url.Values{"csrf_token": {repCSRF}, "version": {"1"}}), 403)
		if strings.Contains(rep.get("/my-day").Body, `href="/approvals"`) {
			t.Error("a rep's navigation links the inbox")
		}
		// A manager of another team sees nothing of it and cannot decide it.
		north, northCSRF := signedIn(t, e, "mgr-north")
		p := north.get("/approvals")
		wantPage(t, "other team's inbox", p, 200, "没有待审批的申请")
		if strings.Contains(p.Body, q.Number) {
			t.Error("another team's manager sees the request")
		}
		wantPage(t, "other team decides", north.post(fmt.Sprintf("/approvals/%d/approve", a.ID), url.Values{"csrf_token": {northCSRF}, "version": {"1"}}), 404)

		mgr, csrf := signedIn(t, e, "mgr")
		p = mgr.get("/approvals")
		wantPage(t, "manager inbox", p, 200, q.Number, "折扣 15% 超出负责人的权限 10%", `class="nav-count"`, `id="approve-`, `id="reject-`,
			fmt.Sprintf(`href="/deals/%d"`, deal.ID), fmt.Sprintf(`href="/accounts/%d"`, acc.ID), "¥")
		checkEscaped(t, p.Body)

		path := fmt.Sprintf("/approvals/%d/", a.ID)
		// Rejecting needs a comment: the message next to the field.
		p = mgr.post(path+"reject", url.Values{"csrf_token": {csrf}, "version": {"1"}, "comment": {"  "}})
		wantPage(t, "reject without comment", p, 422)
		if msg := fieldError(t, p.Body, fmt.Sprintf("comment-%d", a.ID)); !strings.Contains(msg, "必填") {
			t.Errorf("comment message %q", msg)
		}
		// A stale version: nothing decided, the comment kept.
		p = mgr.post(path+"approve", url.Values{"csrf_token": {csrf}, "version": {"7"}, "comment": {"我的意见 " + xssAttr}})
		wantPage(t, "stale version", p, 409, `id="stale"`, "已被他人处理", "我的意见 &#34;&gt;&lt;img")
		checkEscaped(t, p.Body)
		if got := getQuote(d.rep, q.ID); got.State != crm.QuotePending {
			t.Fatalf("quote after a stale decision: %s", got.State)
		}
		// Approve with a comment: decided, shown under the decided ones.
		p = mgr.post(path+"approve", url.Values{"csrf_token": {csrf}, "version": {"1"}, "comment": {"同意，老客户"}})
		wantPage(t, "approve", p, 303)
		p = mgr.get(p.Header.Get("Location"))
		wantPage(t, "after approval", p, 200, "已批准。", "同意，老客户", `class="approval is-approved"`, "没有待审批的申请")
		if strings.Contains(p.Body, `class="nav-count"`) {
			t.Error("the badge still counts the decided request")
		}
		if got := getQuote(d.rep, q.ID); got.State != crm.QuoteApproved {
			t.Fatalf("quote after approval: %s", got.State)
		}
		// The admin, who loaded the page before, decides too late.
		root, rootCSRF := signedIn(t, e, "root")
		p = root.post(path+"reject", url.Values{"csrf_token": {rootCSRF}, "version": {"1"}, "comment": {"不同意"}})
		wantPage(t, "decided meanwhile", p, 409, `id="stale"`, "已被他人处理")
		// Filter and paging of the decided list.
		wantPage(t, "approved filter", root.get("/approvals?status=approved"), 200, "同意，老客户")
		if p := root.get("/approvals?status=rejected"); strings.Contains(p.Body, "同意，老客户") {
			t.Error("the rejected filter shows an approved request")
		}
		wantPage(t, "bad cursor", root.get("/approvals?cursor=nonsense"), 200, "同意，老客户")
		// Twenty more decisions push the first one to the second page.
		for i := range 20 {
			_, more := submitted(d.rep, d.deal.ID, nil, quoteLine(d.users, 1, 1500))
			decide(d.mgr, more, "approve", fmt.Sprintf("批量 %d", i)).ok(200, nil)
		}
		p = mgr.get("/approvals")
		if strings.Contains(p.Body, "同意，老客户") {
			t.Error("the oldest decision is on the first page")
		}
		m := regexp.MustCompile(`href="(/approvals\?[^"]*cursor=[^"#]*)#decided" rel="next"`).FindStringSubmatch(p.Body)
		if m == nil {
			t.Fatal("no next page of decisions")
		}
		wantPage(t, "decisions page 2", mgr.get(strings.ReplaceAll(m[1], "&amp;", "&")), 200, "同意，老客户")

		// Nobody decides their own deal's request: the reason on the request.
		mgrDeal := mkDeal(d.mgr, mkAccount(d.mgr, "经理自己的客户").ID, "经理的商机")
		_, own := submitted(d.mgr, mgrDeal.ID, map[string]any{"payment_days": 120}, quoteLine(d.fin, 1, 0))
		if own == nil || own.AssignedTo != d.rootU.ID {
			t.Fatalf("manager's own request: %+v", own)
		}
		p = root.get("/approvals")
		wantPage(t, "admin inbox", p, 200, "经理的商机")
		p = root.post(fmt.Sprintf("/approvals/%d/reject", own.ID), url.Values{"csrf_token": {rootCSRF}, "version": {"1"}, "comment": {"账期太长"}})
		wantPage(t, "admin rejects", p, 303)
	})
}

func TestUIAdminUsersAndTeams(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		east := e.team("华东")
		e.user("root", crm.RoleAdmin, nil)
		repU := e.user("rep", crm.RoleRep, &east.ID)
		rep, repCSRF := signedIn(t, e, "rep")
		for _, path := range []string{"/admin/users", "/admin/users/new", "/admin/teams", fmt.Sprintf("/admin/users/%d/edit", repU.ID), fmt.Sprintf("/admin/users/%d/status", repU.ID)} {
			wantPage(t, "rep "+path, rep.get(path), 403)
		}
		for _, path := range []string{"/admin/users", "/admin/teams", fmt.Sprintf("/admin/users/%d/edit", repU.ID), fmt.Sprintf("/admin/teams/%d", east.ID), fmt.Sprintf("/admin/teams/%d/delete", east.ID)} {
			wantPage(t, "rep POST "+path, rep.post(path, url.Values{"csrf_token": {repCSRF}, "name": {"x"}, "username": {"x1"}, "password": {"long-enough-1"}}), 403)
		}

		b, csrf := signedIn(t, e, "root")
		wantPage(t, "admin nav", b.get("/my-day"), 200, `href="/admin/users"`)
		// Teams: a hostile name is escaped; an empty one is refused at the field.
		p := b.post("/admin/teams", url.Values{"csrf_token": {csrf}, "name": {"  "}})
		wantPage(t, "empty team", p, 422)
		fieldError(t, p.Body, "t-name")
		wantPage(t, "create team", b.post("/admin/teams", url.Values{"csrf_token": {csrf}, "name": {"团队 " + xssScript}}), 303)
		p = b.get("/admin/teams")
		wantPage(t, "teams", p, 200, "团队已创建")
		checkEscaped(t, p.Body)
		wantPage(t, "rename", b.post(fmt.Sprintf("/admin/teams/%d", east.ID), url.Values{"csrf_token": {csrf}, "version": {"1"}, "name": {"华东一组"}}), 303)
		p = b.post(fmt.Sprintf("/admin/teams/%d", east.ID), url.Values{"csrf_token": {csrf}, "version": {"1"}, "name": {"华东二组"}})
		wantPage(t, "stale rename", p, 409, `value="华东二组"`, "其他人已修改")
		if tm, _ := e.svc.Team(context.Background(), crm.SystemActor, east.ID); tm.Name != "华东一组" {
			t.Fatalf("team %+v", tm)
		}
		// Only an empty team is deleted.
		wantPage(t, "delete a team with members", b.post(fmt.Sprintf("/admin/teams/%d/delete", east.ID), url.Values{"csrf_token": {csrf}}), 303)
		wantPage(t, "not deleted", b.get("/admin/teams"), 200, "团队还有成员", "华东一组")
		empty := e.team("空团队")
		wantPage(t, "delete button", b.get("/admin/teams"), 200, fmt.Sprintf(`id="delete-team-%d"`, empty.ID))
		wantPage(t, "delete an empty team", b.post(fmt.Sprintf("/admin/teams/%d/delete", empty.ID), url.Values{"csrf_token": {csrf}}), 303)
		if p := b.get("/admin/teams"); !strings.Contains(p.Body, "团队已删除") || strings.Contains(p.Body, "空团队") {
			t.Error("the empty team is still listed")
		}

		// A user with bad input: the messages at the fields, input kept,
		// the password never echoed.
		bad := url.Values{"csrf_token": {csrf}, "username": {"a b"}, "display_name": {"新人 " + xssAttr}, "email": {"not-mail"}, "role": {"rep"},
			"team_id": {fmt.Sprint(east.ID)}, "password": {"short"}}
		p = b.post("/admin/users", bad)
		wantPage(t, "bad user", p, 422, `value="a b"`, fmt.Sprintf(`<option value="%d" selected>`, east.ID))
		checkEscaped(t, p.Body)
		for _, f := range []string{"u-username", "u-email", "u-password"} {
			fieldError(t, p.Body, f)
		}
		if strings.Contains(p.Body, `value="short"`) {
			t.Error("the password is sent back")
		}
		bad.Set("username", "wangfang")
		bad.Set("email", "wf@example.com")
		bad.Set("password", "a-good-password")
		bad.Set("role", "manager")
		p = b.post("/admin/users", bad)
		wantPage(t, "create user", p, 303)
		edit := p.Header.Get("Location")
		p = b.get(edit)
		wantPage(t, "edit form", p, 200, "用户已创建", `name="max_discount" value="0"`, `<option value="manager" selected>`)
		checkEscaped(t, p.Body)
		p = b.get("/admin/users")
		wantPage(t, "users with a hostile name", p, 200, "wangfang")
		checkEscaped(t, p.Body)
		u, err := e.svc.Store.UserByUsername(context.Background(), "wangfang")
		if err != nil || u.Role != crm.RoleManager || u.TeamID == nil || *u.TeamID != east.ID {
			t.Fatalf("created %+v %v", u, err)
		}
		// Authority: percent in the form, basis points stored; ¥ in the
		// form, fen stored.
		form := url.Values{"csrf_token": {csrf}, "version": {"1"}, "display_name": {"王芳"}, "email": {"wf@example.com"}, "role": {"manager"},
			"team_id": {fmt.Sprint(east.ID)}, "max_discount": {"120"}, "credit_days": {"很多"}, "credit_amount": {"1.234"}}
		p = b.post(edit, form)
		wantPage(t, "bad authority", p, 422, `value="120"`, `value="很多"`, `value="1.234"`)
		for _, f := range []string{"u-max_discount", "u-credit_days", "u-credit_amount"} {
			fieldError(t, p.Body, f)
		}
		form.Set("max_discount", "12.5")
		form.Set("credit_days", "45")
		form.Set("credit_amount", "50000")
		wantPage(t, "save authority", b.post(edit, form), 303)
		u, _ = e.svc.Store.UserByUsername(context.Background(), "wangfang")
		if u.MaxDiscountBP != 1250 || u.CreditDays != 45 || u.CreditAmount != 5_000_000 || u.DisplayName != "王芳" {
			t.Fatalf("authority %+v", u)
		}
		p = b.get("/admin/users")
		wantPage(t, "users list", p, 200, "12.5%", "45 天", "¥5万", "华东一组")
		// The same version again is stale: a conflict, the input kept.
		form.Set("display_name", "我的改动")
		wantPage(t, "stale user", b.post(edit, form), 409, `id="conflict"`, `value="我的改动"`)

		// Disable with a confirmation step; the user's sessions end.
		status := fmt.Sprintf("/admin/users/%d/status", repU.ID)
		p = b.get(status)
		wantPage(t, "confirm", p, 200, `id="confirm-status"`, `name="disabled" value="1"`)
		wantPage(t, "disable", b.post(status, url.Values{"csrf_token": {csrf}, "version": {"1"}, "disabled": {"1"}}), 303)
		if p := rep.get("/my-day"); p.Status != 303 {
			t.Errorf("the disabled rep still has a session: %d", p.Status)
		}
		p = b.get("/admin/users")
		wantPage(t, "disabled shown", p, 200, "已停用")
		wantPage(t, "stale disable", b.post(status, url.Values{"csrf_token": {csrf}, "version": {"1"}, "disabled": {"0"}}), 409, `id="status-error"`)
		wantPage(t, "enable", b.post(status, url.Values{"csrf_token": {csrf}, "version": {"2"}, "disabled": {"0"}}), 303)
		// An admin cannot disable themself.
		me, _ := e.svc.Store.UserByUsername(context.Background(), "root")
		wantPage(t, "self lockout", b.post(fmt.Sprintf("/admin/users/%d/status", me.ID), url.Values{"csrf_token": {csrf}, "version": {fmt.Sprint(me.Version)}, "disabled": {"1"}}), 422, `id="status-error"`)
		wantPage(t, "unknown user", b.get("/admin/users/99999/edit"), 404)
	})
}

func TestUIProducts(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		e.user("root", crm.RoleAdmin, nil)
		e.user("rep", crm.RoleRep, nil)
		root := e.login("root")
		fin := mkProduct(root, "FIN-STD", "财务标准版 "+xssScript, "software_module", "set", 3_800_000)
		old := mkProduct(root, "OLD-01", "旧版模块", "software_module", "set", 100_000)
		root.do("PATCH", fmt.Sprintf("/api/v1/products/%d", old.ID), map[string]any{"version": old.Version, "active": false}).ok(200, nil)

		rep, repCSRF := signedIn(t, e, "rep")
		p := rep.get("/products")
		wantPage(t, "rep price book", p, 200, "FIN-STD", "¥3.8万")
		checkEscaped(t, p.Body)
		if strings.Contains(p.Body, "OLD-01") || strings.Contains(p.Body, `id="new-product"`) || strings.Contains(p.Body, "/edit") {
			t.Error("the rep sees a discontinued product or the admin's controls")
		}
		wantPage(t, "rep new", rep.get("/products/new"), 403)
		wantPage(t, "rep create", rep.post("/products", url.Values{"csrf_token": {repCSRF}, "code": {"X-1"}}), 403)
		wantPage(t, "rep deactivate", rep.post(fmt.Sprintf("/products/%d/active", fin.ID), url.Values{"csrf_token": {repCSRF}, "version": {"1"}, "active": {"0"}}), 403)
		wantPage(t, "discontinued", rep.get("/products?active=0"), 200, "OLD-01")
		if p := rep.get("/products?q=old&active="); !strings.Contains(p.Body, "OLD-01") || strings.Contains(p.Body, "FIN-STD") {
			t.Error("search by code")
		}

		b, csrf := signedIn(t, e, "root")
		bad := url.Values{"csrf_token": {csrf}, "code": {"x"}, "name_zh": {"实施服务 " + xssAttr}, "name_en": {""}, "kind": {"implementation_day"},
			"unit": {"person_day"}, "list_price": {"1.234"}, "active": {"1"}}
		p = b.post("/products", bad)
		wantPage(t, "bad price", p, 422, `value="1.234"`, `<option value="implementation_day" selected>`)
		checkEscaped(t, p.Body)
		fieldError(t, p.Body, "p-list_price")
		bad.Set("list_price", "1500")
		p = b.post("/products", bad)
		wantPage(t, "bad product", p, 422, `value="x"`)
		fieldError(t, p.Body, "p-code")
		fieldError(t, p.Body, "p-name_en")
		bad.Set("code", "impl-day")
		bad.Set("name_en", "Implementation day")
		p = b.post("/products", bad)
		wantPage(t, "create product", p, 303)
		p = b.get(p.Header.Get("Location"))
		wantPage(t, "created", p, 200, "产品已创建", "IMPL-DAY", "¥1,500")
		checkEscaped(t, p.Body)
		res, err := e.svc.Products(context.Background(), crm.SystemActor, crm.ProductFilter{ListParams: crm.ListParams{Q: "IMPL-DAY"}})
		if err != nil || len(res.Items) != 1 || res.Items[0].ListPrice != 150_000 || !res.Items[0].Active {
			t.Fatalf("stored %+v %v", res, err)
		}
		impl := res.Items[0]
		// Edit: stale version is a conflict with the input kept.
		edit := fmt.Sprintf("/products/%d/edit", impl.ID)
		wantPage(t, "edit form", b.get(edit), 200, `value="1500"`, `name="version" value="1"`)
		form := url.Values{"csrf_token": {csrf}, "version": {"1"}, "code": {"IMPL-DAY"}, "name_zh": {"实施服务"}, "name_en": {"Implementation day"},
			"kind": {"implementation_day"}, "unit": {"person_day"}, "list_price": {"1800"}, "active": {"1"}}
		wantPage(t, "save", b.post(edit, form), 303)
		form.Set("list_price", "2000")
		wantPage(t, "stale", b.post(edit, form), 409, `id="conflict"`, `value="2000"`)
		// Deactivate from the list.
		wantPage(t, "deactivate", b.post(fmt.Sprintf("/products/%d/active", impl.ID), url.Values{"csrf_token": {csrf}, "version": {"2"}, "active": {"0"}, "next": {"/products"}}), 303)
		p = b.get("/products")
		wantPage(t, "after deactivation", p, 200, "产品已停售")
		if strings.Contains(p.Body, "IMPL-DAY") {
			t.Error("a discontinued product is listed as on sale")
		}
		wantPage(t, "stale deactivate", b.post(fmt.Sprintf("/products/%d/active", impl.ID), url.Values{"csrf_token": {csrf}, "version": {"2"}, "active": {"1"}}), 303)
		wantPage(t, "stale flash", b.get("/products"), 200, "该记录已被他人修改")
		// Paging: 30 products make two pages.
		for i := range 30 {
			mkProduct(root, fmt.Sprintf("P-%02d", i), fmt.Sprintf("产品 %d", i), "equipment", "piece", 10_000)
		}
		p = b.get("/products")
		m := regexp.MustCompile(`href="(/products\?[^"]*cursor=[^"]*)" rel="next"`).FindStringSubmatch(p.Body)
		if m == nil {
			t.Fatal("no next page")
		}
		wantPage(t, "page 2", b.get(strings.ReplaceAll(m[1], "&amp;", "&")), 200, "P-29")
	})
}

func TestUIPlaybook(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		e.user("rep", crm.RoleRep, nil)
		b, csrf := signedIn(t, e, "rep")
		p := b.get("/playbook")
		wantPage(t, "playbook zh", p, 200, "寻找强迫事件", "企业规模", "CE1", "CE11", "企业高速成长", "80 分及以上", "医药企业：坚决不要发展",
			"总经理、副总经理", "资料呈递", "≥ ¥2,000万", "分销批发企业 ≥ 20")
		if n := len(regexp.MustCompile(`class="pb-stage( is-end)?"`).FindAllString(p.Body, -1)); n != len(e.svc.Playbook.Stages) {
			t.Errorf("%d stages shown", n)
		}
		for _, q := range e.svc.Playbook.Questions {
			if !strings.Contains(p.Body, q.Text.ZH) {
				t.Errorf("question %s missing", q.Key)
			}
		}
		for _, c := range e.svc.Playbook.Conditions {
			if !strings.Contains(p.Body, c.Text.ZH) {
				t.Errorf("condition %s missing", c.Key)
			}
		}
		for _, c := range e.svc.Playbook.Stages[0].Exit {
			if !strings.Contains(p.Body, c.Label.ZH) {
				t.Errorf("exit criterion %s missing", c.Key)
			}
		}
		wantPage(t, "language", b.post("/settings/language", url.Values{"csrf_token": {csrf}, "language": {"en"}, "next": {"/playbook"}}), 303)
		p = b.get("/playbook")
		wantPage(t, "playbook en", p, 200, "Compelling event", "Company size", "Fast growth", "80 points or more", "Qualification questions")
		if strings.Contains(p.Body, "寻找强迫事件") {
			t.Error("Chinese stage names on the English page")
		}
	})
}

func TestUIAccountRecords(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		east, north := e.team("华东"), e.team("华北")
		e.user("rep", crm.RoleRep, &east.ID)
		e.user("other", crm.RoleRep, &north.ID)
		api := e.login("rep")
		acc := mkAccount(api, "宁波顺达商贸有限公司")
		otherAcc := mkAccount(e.login("other"), "别人的客户")
		b, csrf := signedIn(t, e, "rep")
		page := fmt.Sprintf("/accounts/%d", acc.ID)
		wantPage(t, "account", b.get(page), 200, `id="contact-form"`, `id="activity-form"`, `id="deal-form"`)

		// A contact: the messages at the fields, the input kept.
		bad := url.Values{"csrf_token": {csrf}, "name": {""}, "title": {"财务经理 " + xssScript}, "functional_role": {"chief_accountant"},
			"phone": {"call me"}, "email": {"nope"}}
		p := b.post(page+"/contacts", bad)
		wantPage(t, "bad contact", p, 422, `<details class="inline-form" open id="contact-add">`, `<option value="chief_accountant" selected>`, `value="call me"`)
		checkEscaped(t, p.Body)
		for _, f := range []string{"c-name", "c-phone", "c-email"} {
			fieldError(t, p.Body, f)
		}
		bad.Set("name", "陈丽 "+xssAttr)
		bad.Set("phone", "0574-87654321")
		bad.Set("email", "chenli@example.com")
		wantPage(t, "add contact", b.post(page+"/contacts", bad), 303)
		p = b.get(page)
		wantPage(t, "contact shown", p, 200, "联系人已添加", "0574-87654321", "主管会计")
		checkEscaped(t, p.Body)
		cs, _ := e.svc.Contacts(context.Background(), crm.SystemActor, crm.ContactFilter{AccountID: &acc.ID})
		if len(cs.Items) != 1 {
			t.Fatalf("contacts %+v", cs.Items)
		}
		c := cs.Items[0]
		edit := fmt.Sprintf("%s/contacts/%d/edit", page, c.ID)
		wantPage(t, "edit contact", b.get(edit), 200, `name="version" value="1"`, `value="0574-87654321"`)
		form := url.Values{"csrf_token": {csrf}, "version": {"1"}, "name": {"陈丽"}, "title": {"财务总监"}, "functional_role": {"chief_accountant"}, "email": {"bad"}}
		p = b.post(edit, form)
		wantPage(t, "bad edit", p, 422, `value="财务总监"`)
		fieldError(t, p.Body, "c-email")
		form.Set("email", "chenli@example.com")
		wantPage(t, "save contact", b.post(edit, form), 303)
		form.Set("title", "我的改动")
		wantPage(t, "stale contact", b.post(edit, form), 409, `id="conflict"`, `value="我的改动"`)
		wantPage(t, "contact under another account", b.get(fmt.Sprintf("/accounts/%d/contacts/%d/edit", otherAcc.ID, c.ID)), 404)
		wantPage(t, "other's account", b.post(fmt.Sprintf("/accounts/%d/contacts", otherAcc.ID), url.Values{"csrf_token": {csrf}, "name": {"x"}}), 404)

		// An activity: bad date and no subject, then logged as done.
		act := url.Values{"csrf_token": {csrf}, "type": {"visit"}, "subject": {""}, "due_on": {"明天"}, "notes": {"备注 " + xssScript}}
		p = b.post(page+"/activities", act)
		wantPage(t, "bad activity", p, 422, `<details class="inline-form" open id="activity-add">`, `value="明天"`, `<option value="visit" selected>`)
		checkEscaped(t, p.Body)
		fieldError(t, p.Body, "a-due_on")
		act.Set("due_on", "2026-11-03")
		p = b.post(page+"/activities", act)
		wantPage(t, "no subject", p, 422, `value="2026-11-03"`)
		fieldError(t, p.Body, "a-subject")
		act.Set("subject", "拜访王总 "+xssAttr)
		act.Set("done", "1")
		wantPage(t, "log activity", b.post(page+"/activities", act), 303)
		p = b.get(page)
		wantPage(t, "timeline", p, 200, "活动已记录", "拜访王总", `class="is-done"`)
		checkEscaped(t, p.Body)

		// A deal from the account page.
		deal := url.Values{"csrf_token": {csrf}, "title": {""}, "amount": {"12.345"}, "expected_close_date": {"2026-12-20"}}
		p = b.post(page+"/deals", deal)
		wantPage(t, "bad deal", p, 422, `value="12.345"`, `value="2026-12-20"`)
		fieldError(t, p.Body, "d-amount")
		deal.Set("amount", "125000")
		p = b.post(page+"/deals", deal)
		wantPage(t, "no title", p, 422)
		fieldError(t, p.Body, "d-title")
		deal.Set("title", "进销存系统升级")
		p = b.post(page+"/deals", deal)
		wantPage(t, "create deal", p, 303)
		if !strings.HasPrefix(p.Header.Get("Location"), "/deals/") {
			t.Fatalf("after the deal: %s", p.Header.Get("Location"))
		}
		wantPage(t, "deal on account", b.get(page), 200, "进销存系统升级", "¥12.5万")
	})
}
