package web_test

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

// csvRows parses a CSV download (with its byte order mark).
func csvRows(t *testing.T, body []byte) [][]string {
	t.Helper()
	rows, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(body, []byte("\uFEFF")))).ReadAll()
	if err != nil {
		t.Fatalf("csv: %v\n%s", err, body)
	}
	return rows
}

// xlsxRows parses the first sheet of an XLSX download as displayed.
func xlsxRows(t *testing.T, body []byte) [][]string {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	rows, err := f.GetRows(f.GetSheetName(0))
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

// TestExportDeskKinds: the price book and the quotes (one row per line)
// come out as CSV and XLSX with headings in the reader's language; a rep
// gets only the quotes of their own deals, a manager their team's.
func TestExportDeskKinds(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		d := newQuoteDesk(e)
		q := mkQuote(d.rep, d.deal.ID, nil, quoteLine(d.fin, 1, 500), quoteLine(d.users, 10, 0))
		north := e.login("rep-north")
		nacc := mkAccount(north, "北方客户")
		mkQuote(north, mkDeal(north, nacc.ID, "北方商机").ID, nil, quoteLine(d.day, 2, 0))
		valid := q.ValidUntil.Format(time.DateOnly)

		products := csvRows(t, d.rep.do("GET", "/api/v1/exports/products?format=csv", nil).ok(200, nil).Body)
		wantProducts := [][]string{
			{"产品编码", "名称", "类别", "单位", "目录价（元）", "在售"},
			{"FIN-STD", "财务标准版", "软件模块", "set", "38000.00", "true"},
			{"LIC-USER", "用户许可", "用户许可", "user", "1200.00", "true"},
			{"IMPL-DAY", "实施服务", "实施服务", "person_day", "1500.00", "true"},
			{"SRV-01", "服务器", "硬件设备", "piece", "24999.99", "true"},
		}
		if !reflect.DeepEqual(products, wantProducts) {
			t.Errorf("products csv\n got %q\nwant %q", products, wantProducts)
		}

		head := []string{"报价单号", "版本", "状态", "商机", "客户", "负责人", "产品编码", "产品", "数量", "单价（元）", "折扣 %", "行金额（元）", "报价总额（元）", "有效期至"}
		own := [][]string{head,
			{q.Number, "1", "草稿", "进销存系统", "宁波顺达商贸有限公司", "rep", "FIN-STD", "财务标准版", "1", "38000.00", "5", "36100.00", "48100.00", valid},
			{q.Number, "1", "草稿", "进销存系统", "宁波顺达商贸有限公司", "rep", "LIC-USER", "用户许可", "10", "1200.00", "0", "12000.00", "48100.00", valid},
		}
		for _, c := range []*client{d.rep, d.mgr} {
			if got := csvRows(t, c.do("GET", "/api/v1/exports/quotes", nil).ok(200, nil).Body); !reflect.DeepEqual(got, own) {
				t.Errorf("quotes csv\n got %q\nwant %q", got, own)
			}
		}
		x := d.rep.do("GET", "/api/v1/exports/quotes?format=xlsx", nil).ok(200, nil)
		if cd := x.Header.Get("Content-Disposition"); !strings.HasPrefix(cd, "attachment; filename=quotes-") {
			t.Errorf("Content-Disposition %q", cd)
		}
		xr := xlsxRows(t, x.Body)
		if len(xr) != 3 || !reflect.DeepEqual(xr[0], head) || xr[1][0] != q.Number || xr[1][6] != "FIN-STD" || xr[2][8] != "10" {
			t.Errorf("quotes xlsx %q", xr)
		}
		f, _ := excelize.OpenReader(bytes.NewReader(x.Body))
		sh := f.GetSheetName(0)
		for cell, want := range map[string]string{"L2": "36100", "M3": "48100", "J3": "1200"} {
			if v, err := f.GetCellValue(sh, cell, excelize.Options{RawCellValue: true}); err != nil || v != want {
				t.Errorf("quotes xlsx %s = %q %v, want %q", cell, v, err, want)
			}
		}
		all := csvRows(t, d.root.do("GET", "/api/v1/exports/quotes?format=csv", nil).ok(200, nil).Body)
		if len(all) != 4 || all[3][3] != "北方商机" {
			t.Errorf("admin quotes %q", all)
		}
		// An unknown kind is a field error, not a missing route.
		d.rep.do("GET", "/api/v1/exports/invoices", nil).failField("kind")
	})
}

// TestExportContractsAndPeople: contracts and their payment milestones
// come out for the owner and the manager, not for another rep; users and
// teams only for admins, without any secret.
func TestExportContractsAndPeople(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		s := newDesk(t, e)
		c := s.readyToSign(t)
		path := fmt.Sprintf("/api/v1/contracts/%d", c.ID)
		s.rc.do("POST", path+"/sign", map[string]any{"version": c.Version, "signed_on": "2026-11-02"}).ok(200, &c)
		m1 := c.Milestones[0]
		s.rc.do("POST", path+"/payments", map[string]any{"milestone_id": m1.ID, "amount": 2_000_000, "received_on": "2026-11-05"}).ok(201, nil)
		root := e.login("boss")

		contracts := [][]string{
			{"合同编号", "类型", "状态", "商机", "客户", "负责人", "合同金额（元）", "已回款（元）", "未回款（元）", "付款方式", "账期（天）", "签订日期", "开始日期", "结束日期"},
			{c.Number, "销售合同", "已签订", "进销存系统", "宁波顺达商贸有限公司", "rep", "84999.99", "20000.00", "64999.99", "现金", fmt.Sprint(c.PaymentDays), "2026-11-02", "", ""},
		}
		for _, cl := range []*client{s.rc, s.mc, root} {
			if got := csvRows(t, cl.do("GET", "/api/v1/exports/contracts", nil).ok(200, nil).Body); !reflect.DeepEqual(got, contracts) {
				t.Errorf("contracts csv\n got %q\nwant %q", got, contracts)
			}
		}
		xr := xlsxRows(t, s.rc.do("GET", "/api/v1/exports/contracts?format=xlsx", nil).ok(200, nil).Body)
		if len(xr) != 2 || !reflect.DeepEqual(xr[0], contracts[0]) || xr[1][0] != c.Number || xr[1][9] != "现金" {
			t.Errorf("contracts xlsx %q", xr)
		}

		payHead := []string{"合同编号", "客户", "负责人", "回款节点", "触发事件", "应付日期", "应收金额（元）", "已回款（元）", "未回款（元）", "最近回款日期"}
		pays := csvRows(t, s.mc.do("GET", "/api/v1/exports/payments?format=csv", nil).ok(200, nil).Body)
		if len(pays) != 1+len(c.Milestones) || !reflect.DeepEqual(pays[0], payHead) {
			t.Fatalf("payments csv %q", pays)
		}
		yuan := func(fen int64) string { return fmt.Sprintf("%d.%02d", fen/100, fen%100) }
		want1 := []string{c.Number, "宁波顺达商贸有限公司", "rep", m1.Name, "签约", m1.DueOn.String(), yuan(m1.Amount), "20000.00", yuan(m1.Amount - 2_000_000), "2026-11-05"}
		if !reflect.DeepEqual(pays[1], want1) {
			t.Errorf("payment row\n got %q\nwant %q", pays[1], want1)
		}
		if m2 := c.Milestones[1]; pays[2][5] != "" || pays[2][7] != "0.00" || pays[2][8] != yuan(m2.Amount) || pays[2][9] != "" {
			t.Errorf("unpaid milestone %q", pays[2])
		}
		if px := xlsxRows(t, s.rc.do("GET", "/api/v1/exports/payments?format=xlsx", nil).ok(200, nil).Body); len(px) != len(pays) || px[1][3] != m1.Name {
			t.Errorf("payments xlsx %q", px)
		}

		// Another rep of the team sees none of it.
		for _, kind := range []string{"contracts", "payments"} {
			if got := csvRows(t, s.rc2.do("GET", "/api/v1/exports/"+kind, nil).ok(200, nil).Body); len(got) != 1 {
				t.Errorf("rep2 %s: %q", kind, got)
			}
		}

		// Users and teams: admins only.
		for _, kind := range []string{"users", "teams"} {
			s.rc.do("GET", "/api/v1/exports/"+kind, nil).fail(403, "forbidden")
			s.mc.do("GET", "/api/v1/exports/"+kind+"?format=xlsx", nil).fail(403, "forbidden")
		}
		users := root.do("GET", "/api/v1/exports/users", nil).ok(200, nil)
		ur := csvRows(t, users.Body)
		if !reflect.DeepEqual(ur[0], []string{"用户名", "显示名", "邮箱", "角色", "团队", "语言", "已停用", "最大折扣 %", "信用账期（天）", "信用额度（元）"}) || len(ur) != 5 {
			t.Fatalf("users csv %q", ur)
		}
		byName := map[string][]string{}
		for _, r := range ur[1:] {
			byName[r[0]] = r
		}
		if m := byName["mgr"]; m == nil || m[3] != "销售经理" || m[4] != "华东" || m[6] != "false" || m[7] != "20" || m[8] != "60" || m[9] != "1000000000.00" {
			t.Errorf("manager row %q", m)
		}
		if b := byName["boss"]; b == nil || b[3] != "管理员" || b[4] != "" {
			t.Errorf("admin row %q", b)
		}
		if strings.Contains(string(users.Body), "$2") || strings.Contains(strings.ToLower(string(users.Body)), "password") {
			t.Errorf("users export shows a secret: %s", users.Body)
		}
		teams := xlsxRows(t, root.do("GET", "/api/v1/exports/teams?format=xlsx", nil).ok(200, nil).Body)
		if !reflect.DeepEqual(teams, [][]string{{"团队", "在职成员数"}, {"华东", "3"}}) {
			t.Errorf("teams xlsx %q", teams)
		}
	})
}
