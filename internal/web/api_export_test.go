package web_test

import (
	"bytes"
	"encoding/csv"
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
