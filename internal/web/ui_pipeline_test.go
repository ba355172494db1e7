package web_test

import (
	"fmt"
	"html"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/dealpath/dealpath/internal/crm"
)

// pipelineFixture: two reps and a manager of one team, a rep of another,
// deals in several stages, hostile names on one account and deal.
type pipelineFixture struct {
	e                 *env
	rep2ID, northTeam int64
	hostile, demoDeal int64
}

func newPipelineFixture(t *testing.T, e *env) *pipelineFixture {
	t.Helper()
	east, north := e.team("华东"), e.team("华北")
	e.user("root", crm.RoleAdmin, nil)
	e.user("mgr", crm.RoleManager, &east.ID)
	e.user("rep", crm.RoleRep, &east.ID)
	rep2 := e.user("rep2", crm.RoleRep, &east.ID)
	e.user("rep-north", crm.RoleRep, &north.ID)
	f := &pipelineFixture{e: e, rep2ID: rep2.ID, northTeam: north.ID}
	rep, mgr := e.login("rep"), e.login("mgr")
	mk := func(c *client, account, title string, amount int64, close string) int64 {
		acc := mkAccount(c, account)
		var d crm.Deal
		body := map[string]any{"account_id": acc.ID, "title": title, "amount": amount}
		if close != "" {
			body["expected_close_date"] = close
		}
		c.do("POST", "/api/v1/deals", body).ok(201, &d)
		return d.ID
	}
	f.hostile = mk(rep, "客户 "+xssAttr, "商机 "+xssScript, 12_500_000, "2026-12-15")
	mk(rep, "宁波顺达商贸有限公司", "进销存系统升级", 8_000_000, "")
	f.demoDeal = mk(rep, "苏州恒信精密机械有限公司", "生产管理 ERP 一期", 38_600_000, "2027-01-10")
	mgr.do("POST", fmt.Sprintf("/api/v1/deals/%d/stage", f.demoDeal), map[string]any{"stage": "demo", "override": true, "reason": "老客户转介绍"}).ok(200, nil)
	mk(e.login("rep2"), "杭州云帆电子科技有限公司", "rep2 的财务软件替换", 5_000_000, "")
	mk(e.login("rep-north"), "北京华北商贸有限公司", "北方团队的商机", 7_000_000, "")
	lost := mk(rep, "无锡华冠纺织品有限公司", "已丢的商机", 3_000_000, "")
	rep.do("POST", fmt.Sprintf("/api/v1/deals/%d/stage", lost), map[string]any{"stage": "lost", "reason": "预算取消"}).ok(200, nil)
	return f
}

// column returns the HTML of a board column.
func column(t *testing.T, body, stage string) string {
	t.Helper()
	start := strings.Index(body, `<section class="pl-col" data-stage="`+stage+`"`)
	if start < 0 {
		t.Fatalf("no column %s", stage)
	}
	end := strings.Index(body[start:], "</section>")
	return body[start : start+end]
}

var boardScript = regexp.MustCompile(`<script src="/static/pipeline\.js\?v=[0-9a-f]+"></script>`)

var columnCount = regexp.MustCompile(`data-count>(\d+)<`)

func countOf(t *testing.T, col string) string {
	t.Helper()
	m := columnCount.FindStringSubmatch(col)
	if m == nil {
		t.Fatalf("no count in column:\n%s", col)
	}
	return m[1]
}

func TestPipelineBoard(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		f := newPipelineFixture(t, e)

		// A rep: own deals only, in their columns, counted and summed.
		b := e.browser()
		b.signIn("rep", testPassword)
		p := b.get("/pipeline")
		if p.Status != 200 {
			t.Fatalf("board: %d\n%s", p.Status, p.Body)
		}
		// The board's own script is the one script element.
		checkEscaped(t, boardScript.ReplaceAllString(p.Body, ""))
		for _, want := range []string{"商机 &lt;script&gt;alert(1)&lt;/script&gt;", "客户 &#34;&gt;&lt;img src=x onerror=alert(1)&gt;",
			"销售管道", `aria-current="page">管道`, "/static/pipeline.js?v=", "目标客户挖掘", "实施"} {
			if !strings.Contains(p.Body, want) {
				t.Errorf("board lacks %q", want)
			}
		}
		for _, absent := range []string{"rep2 的财务软件替换", "北方团队的商机", `id="filter-owner"`} {
			if strings.Contains(p.Body, absent) {
				t.Errorf("rep's board shows %q", absent)
			}
		}
		pros := column(t, p.Body, "prospecting")
		if countOf(t, pros) != "2" || !strings.Contains(pros, "¥20.5万") || !strings.Contains(pros, "¥8万") || !strings.Contains(pros, "2026-12-15") {
			t.Errorf("prospecting column:\n%s", pros)
		}
		demo := column(t, p.Body, "demo")
		if countOf(t, demo) != "1" || !strings.Contains(demo, "¥38.6万") || !strings.Contains(demo, "生产管理 ERP 一期") {
			t.Errorf("demo column:\n%s", demo)
		}
		if c := column(t, p.Body, "negotiation"); countOf(t, c) != "0" || !strings.Contains(c, "暂无商机") {
			t.Errorf("negotiation column:\n%s", c)
		}
		// The end stages are summarised, not columns.
		if lost := regexp.MustCompile(`<li data-stage="lost">.*?</li>`).FindString(p.Body); strings.Contains(p.Body, `class="pl-col" data-stage="lost"`) ||
			!strings.Contains(lost, `<span class="pl-col-count">1</span>`) || !strings.Contains(lost, "¥3万") {
			t.Errorf("lost not summarised: %q", lost)
		}
		if strings.Contains(p.Body, "已丢的商机") {
			t.Error("a lost deal has a card")
		}
		// Every card has the keyboard alternative, without its own stage.
		if !strings.Contains(demo, `<select class="pl-move-select" data-deal="`+fmt.Sprint(f.demoDeal)+`"`) || strings.Contains(demo, `<option value="demo">`) {
			t.Errorf("move select:\n%s", demo)
		}
		// The dialog's configuration is an escaped attribute.
		cfg := regexp.MustCompile(`data-config="([^"]*)"`).FindStringSubmatch(p.Body)
		if cfg == nil || !strings.Contains(html.UnescapeString(cfg[1]), `"CE1"`) || !strings.Contains(html.UnescapeString(cfg[1]), `"override":false`) {
			t.Errorf("config: %v", cfg)
		}
		// A rep cannot widen the board with filters.
		if p := b.get(fmt.Sprintf("/pipeline?owner=%d", f.rep2ID)); strings.Contains(p.Body, "rep2 的财务软件替换") {
			t.Error("a rep sees another rep's deal through the owner filter")
		}

		// The manager: the team's deals, filters by owner.
		m := e.browser()
		m.signIn("mgr", testPassword)
		p = m.get("/pipeline")
		if !strings.Contains(p.Body, "rep2 的财务软件替换") || strings.Contains(p.Body, "北方团队的商机") || !strings.Contains(p.Body, `id="filter-owner"`) {
			t.Errorf("manager's board:\n%s", p.Body)
		}
		if !strings.Contains(html.UnescapeString(p.Body), `"override":true`) {
			t.Error("a manager may not override from the board")
		}
		if c := column(t, p.Body, "prospecting"); countOf(t, c) != "3" || !strings.Contains(c, "¥25.5万") {
			t.Errorf("manager's prospecting:\n%s", c)
		}
		p = m.get(fmt.Sprintf("/pipeline?owner=%d", f.rep2ID))
		if !strings.Contains(p.Body, "rep2 的财务软件替换") || strings.Contains(p.Body, "进销存系统升级") {
			t.Errorf("owner filter:\n%s", p.Body)
		}
		if p := m.get("/pipeline?owner=abc"); p.Status != 400 {
			t.Errorf("bad owner: %d", p.Status)
		}
		// The admin filters by team.
		a := e.browser()
		a.signIn("root", testPassword)
		p = a.get("/pipeline")
		if !strings.Contains(p.Body, "北方团队的商机") || !strings.Contains(p.Body, "rep2 的财务软件替换") {
			t.Error("admin's board lacks deals")
		}
		p = a.get(fmt.Sprintf("/pipeline?team=%d", f.northTeam))
		if !strings.Contains(p.Body, "北方团队的商机") || strings.Contains(p.Body, "rep2 的财务软件替换") {
			t.Errorf("team filter:\n%s", p.Body)
		}
		// English.
		b.post("/settings/language", url.Values{"csrf_token": {csrfOf(t, b.get("/pipeline"))}, "language": {"en"}})
		if p := b.get("/pipeline"); !strings.Contains(p.Body, "Prospecting") || !strings.Contains(p.Body, "Move to…") {
			t.Error("english board")
		}
		// Signed out: to the sign-in page.
		if p := e.browser().get("/pipeline"); p.Status != 303 {
			t.Errorf("signed out: %d", p.Status)
		}
	})
}

func TestPipelineList(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		newPipelineFixture(t, e)
		b := e.browser()
		b.signIn("rep", testPassword)
		p := b.get("/pipeline/list?sort=-amount")
		if p.Status != 200 {
			t.Fatalf("list: %d\n%s", p.Status, p.Body)
		}
		checkEscaped(t, p.Body)
		// The rep's four deals, the largest first; nobody else's.
		i, j := strings.Index(p.Body, "生产管理 ERP 一期"), strings.Index(p.Body, "进销存系统升级")
		if i < 0 || j < 0 || i > j || !strings.Contains(p.Body, "已丢的商机") || strings.Contains(p.Body, "rep2 的财务软件替换") {
			t.Errorf("list:\n%s", p.Body)
		}
		if !strings.Contains(p.Body, `aria-sort="descending"><a href="/pipeline/list?sort=amount">金额 ▼`) {
			t.Errorf("sort header:\n%s", p.Body)
		}
		if !strings.Contains(p.Body, "共 4 个商机") {
			t.Errorf("list total:\n%s", p.Body)
		}
		// Filter by stage.
		p = b.get("/pipeline/list?stage=demo")
		if !strings.Contains(p.Body, "生产管理 ERP 一期") || strings.Contains(p.Body, "进销存系统升级") {
			t.Errorf("stage filter:\n%s", p.Body)
		}
		// Pages: two at a time, through the cursor.
		p = b.get("/pipeline/list?sort=amount&limit=2")
		next := regexp.MustCompile(`href="([^"]+)" rel="next"`).FindStringSubmatch(p.Body)
		if next == nil || !strings.Contains(p.Body, "已丢的商机") || strings.Contains(p.Body, "生产管理 ERP 一期") {
			t.Fatalf("first page:\n%s", p.Body)
		}
		p = b.get(html.UnescapeString(next[1]))
		if p.Status != 200 || !strings.Contains(p.Body, "生产管理 ERP 一期") || strings.Contains(p.Body, "已丢的商机") || strings.Contains(p.Body, `rel="next"`) {
			t.Errorf("second page: %d\n%s", p.Status, p.Body)
		}
		// Bad input is a 400, never a 500.
		for _, q := range []string{"sort=nope", "stage=nope", "limit=0", "limit=x", "cursor=%00bad"} {
			if p := b.get("/pipeline/list?" + q); p.Status != 400 {
				t.Errorf("%s: %d", q, p.Status)
			}
		}
	})
}
