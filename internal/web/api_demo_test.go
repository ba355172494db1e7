package web_test

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/dealpath/dealpath/internal/crm"
)

func TestDemos(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		me := e.user("rep", crm.RoleRep, nil)
		c := e.login("rep")
		acc := mkAccount(c, "台州精密机械有限公司")
		gm := mkContact(c, acc.ID, "林总")
		cfo := mkContact(c, acc.ID, "周会计")
		d := mkDeal(c, acc.ID, "ERP")
		path := fmt.Sprintf("/api/v1/deals/%d/demos", d.ID)

		var demo crm.Demo
		raw := c.do("POST", path, map[string]any{
			"held_on":   "2026-11-20",
			"attendees": []map[string]any{{"contact_id": cfo.ID, "role": " 财务把关 "}, {"contact_id": gm.ID, "role": "决策者"}},
			"prep":      []string{"demo_prep", "roi_sum", "sales_order_flow"},
			"story":     "同行业客户上线三个月库存准确率 99%", "feedback": "总经理认可信用额度控制", "next_step": " 下周三报价 ",
			"roi": map[string]any{"lines": []map[string]any{
				{"kind": "saving", "category": "库存资金占用", "amount": 1200},
				{"kind": "gain", "category": "少丢订单", "amount": 600},
				{"kind": "one_off_cost", "category": "软件和实施", "amount": 3000},
				{"kind": "yearly_cost", "category": "年服务费", "amount": 300},
			}},
		}).ok(201, &demo).Body
		// Benefit 1800, one-off 3000, yearly 300: payback ⌈36000/1500⌉ =
		// 24 months, ROI round((5400−3900)×100/3900) = 38 %.
		r := demo.ROI
		if demo.ID == 0 || demo.DealID != d.ID || demo.Version != 1 || demo.HeldOn.String() != "2026-11-20" || demo.CreatedBy != me.ID ||
			demo.NextStep != "下周三报价" || len(demo.Prep) != 3 || demo.Prep[0] != "demo_prep" ||
			r.YearlyBenefit != 1800 || r.OneOffCost != 3000 || r.YearlyCost != 300 || len(r.Lines) != 4 ||
			r.PaybackMonths == nil || *r.PaybackMonths != 24 || r.ROI3YPercent == nil || *r.ROI3YPercent != 38 {
			t.Fatalf("created %s", raw)
		}
		// Attendees come in contact order, trimmed.
		want := []crm.DemoAttendee{{ContactID: gm.ID, Role: "决策者"}, {ContactID: cfo.ID, Role: "财务把关"}}
		if gm.ID > cfo.ID {
			want[0], want[1] = want[1], want[0]
		}
		if fmt.Sprint(demo.Attendees) != fmt.Sprint(want) {
			t.Fatalf("attendees %+v, want %+v", demo.Attendees, want)
		}

		// A bare demo: empty lists, no ROI to speak of.
		bare := c.do("POST", path, map[string]any{"held_on": "2026-11-05"}).ok(201, nil).Body
		m := mapOf(t, bare)
		roi := m["roi"].(map[string]any)
		if fmt.Sprint(m["attendees"], m["prep"], roi["lines"]) != "[] [] []" || roi["payback_months"] != nil || roi["roi_3y_percent"] != nil ||
			roi["yearly_benefit"] != float64(0) {
			t.Fatalf("bare demo %s", bare)
		}

		// The list, by date, answers what the creates answered.
		list := c.do("GET", path, nil).ok(200, nil).Body
		wantList := `{"items":[` + string(bytes.TrimSpace(bare)) + `,` + string(bytes.TrimSpace(raw)) + `],"next_cursor":""}`
		if string(bytes.TrimSpace(list)) != wantList {
			t.Fatalf("list\n got %s\nwant %s", list, wantList)
		}

		// Every field is checked; nothing refused is written.
		other := mkAccount(c, "别的客户")
		stranger := mkContact(c, other.ID, "外人")
		long := strings.Repeat("长", crm.MaxText+1)
		ok := `"held_on":"2026-11-21"`
		many := func(n int, item string) string { return strings.TrimSuffix(strings.Repeat(item+",", n), ",") }
		cases := []struct{ body, field string }{
			{`{}`, "held_on"},
			{`{"held_on":null}`, "held_on"},
			{`{"held_on":""}`, "held_on"},
			{`{"held_on":"2026-02-30"}`, "held_on"},
			{`{"held_on":"2026-11-21T10:00:00Z"}`, "held_on"},
			{`{"held_on":"1999-12-31"}`, "held_on"},
			{`{"held_on":"2201-01-01"}`, "held_on"},
			{`{"held_on":20261121}`, "held_on"},
			{fmt.Sprintf(`{%s,"attendees":[{"contact_id":%d}]}`, ok, stranger.ID), "attendees.0.contact_id"},
			{fmt.Sprintf(`{%s,"attendees":[{"contact_id":%d},{"contact_id":99999999}]}`, ok, gm.ID), "attendees.1.contact_id"},
			{fmt.Sprintf(`{%s,"attendees":[{"contact_id":%d},{"contact_id":%d}]}`, ok, gm.ID, gm.ID), "attendees.1.contact_id"},
			{fmt.Sprintf(`{%s,"attendees":[{"role":"x"}]}`, ok), "attendees.0.contact_id"},
			{fmt.Sprintf(`{%s,"attendees":[{"contact_id":-3}]}`, ok), "attendees.0.contact_id"},
			{fmt.Sprintf(`{%s,"attendees":[{"contact_id":"%d"}]}`, ok, gm.ID), "attendees.contact_id"},
			{fmt.Sprintf(`{%s,"attendees":[{"contact_id":%d,"role":"%s"}]}`, ok, gm.ID, strings.Repeat("角", crm.MaxShort+1)), "attendees.0.role"},
			{fmt.Sprintf(`{%s,"attendees":[{"contact_id":%d,"role":"\u0000"}]}`, ok, gm.ID), "attendees.0.role"},
			{fmt.Sprintf(`{%s,"attendees":[%s]}`, ok, many(crm.MaxAttendees+1, fmt.Sprintf(`{"contact_id":%d}`, gm.ID))), "attendees"},
			{fmt.Sprintf(`{%s,"attendees":{"contact_id":%d}}`, ok, gm.ID), "attendees"},
			{`{` + ok + `,"prep":["bring_cake"]}`, "prep.0"},
			{`{` + ok + `,"prep":["demo_prep","demo_prep"]}`, "prep.1"},
			{`{` + ok + `,"prep":["standard_quote"]}`, "prep.0"}, // a checklist step of another stage
			{`{` + ok + `,"prep":[1]}`, "prep"},
			{`{` + ok + `,"prep":"demo_prep"}`, "prep"},
			{`{` + ok + `,"story":"` + long + `"}`, "story"},
			{`{` + ok + `,"feedback":"a\u0000"}`, "feedback"},
			{`{` + ok + `,"next_step":"` + long + `"}`, "next_step"},
			{`{` + ok + `,"roi":{"lines":[{"kind":"bribe","amount":1}]}}`, "roi.lines.0.kind"},
			{`{` + ok + `,"roi":{"lines":[{"amount":1}]}}`, "roi.lines.0.kind"},
			{`{` + ok + `,"roi":{"lines":[{"kind":"saving","amount":1},{"kind":"gain","amount":-1}]}}`, "roi.lines.1.amount"},
			{fmt.Sprintf(`{%s,"roi":{"lines":[{"kind":"saving","amount":%d}]}}`, ok, crm.MaxMoney+1), "roi.lines.0.amount"},
			{`{` + ok + `,"roi":{"lines":[{"kind":"saving","amount":1.5}]}}`, "roi.lines.amount"},
			{`{` + ok + `,"roi":{"lines":[{"kind":"saving","amount":"100"}]}}`, "roi.lines.amount"},
			{`{` + ok + `,"roi":{"lines":[{"kind":"saving","amount":9223372036854775808}]}}`, "roi.lines.amount"},
			{`{` + ok + `,"roi":{"lines":[{"kind":"saving","amount":1,"category":"` + strings.Repeat("类", crm.MaxShort+1) + `"}]}}`, "roi.lines.0.category"},
			{`{` + ok + `,"roi":{"lines":[` + many(crm.MaxROILines+1, `{"kind":"saving","amount":1}`) + `]}}`, "roi.lines"},
			{`{` + ok + `,"roi":{"lines":[{"kind":"saving","amount":1,"note":"x"}]}}`, "note"},
			{`{` + ok + `,"roi":{"payback_months":3}}`, "payback_months"},
			{`{` + ok + `,"roi":[]}`, "roi"},
			{`{` + ok + `,"id":1}`, "id"},
			{`{` + ok + `,"created_by":1}`, "created_by"},
		}
		for _, tc := range cases {
			func() {
				defer inCase(t, "POST %.120s", tc.body)()
				c.do("POST", path, tc.body).failField(tc.field)
			}()
		}
		for _, body := range []string{``, `{`, `[]`, `null`, `{"held_on":"2026-11-21"}x`} {
			c.do("POST", path, body).fail(400, "invalid")
		}
		if after := c.do("GET", path, nil).ok(200, nil).Body; !bytes.Equal(after, list) {
			t.Fatalf("refused demos changed the list:\n%s", after)
		}

		// The largest valid ROI sum computes without overflow.
		lines := make([]map[string]any, crm.MaxROILines)
		for i := range lines {
			lines[i] = map[string]any{"kind": "saving", "amount": crm.MaxMoney}
		}
		lines[0] = map[string]any{"kind": "one_off_cost", "amount": 1}
		c.do("POST", path, map[string]any{"held_on": "2026-12-01", "roi": map[string]any{"lines": lines}}).ok(201, &demo)
		if demo.ROI.YearlyBenefit != 49*crm.MaxMoney || *demo.ROI.PaybackMonths != 1 || *demo.ROI.ROI3YPercent != crm.MaxROIResult {
			t.Fatalf("largest sum %+v", demo.ROI)
		}
	})
}
