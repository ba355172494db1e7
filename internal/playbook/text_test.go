package playbook

import "testing"

func TestMoney(t *testing.T) {
	cases := []struct {
		fen    int64
		zh, en string
	}{
		{2_000_000_000, "2000 万元", "CNY 20,000,000"},
		{1_999_999_999, "19,999,999.99 元", "CNY 19,999,999.99"},
		{1_000_000, "1 万元", "CNY 10,000"},
		{5_000, "50 元", "CNY 50"},
		{5, "0.05 元", "CNY 0.05"},
		{0, "0 元", "CNY 0"},
		{-300_000_000, "-300 万元", "CNY -3,000,000"},
	}
	for _, tc := range cases {
		if got := Money(tc.fen); got.ZH != tc.zh || got.EN != tc.en {
			t.Errorf("Money(%d) = %+v, want %q %q", tc.fen, got, tc.zh, tc.en)
		}
	}
}

func TestTextRender(t *testing.T) {
	tpl := Text{ZH: "{n} 天，上限 {max}，{missing}", EN: "{n} days, limit {max}, {missing}"}
	got := tpl.render(map[string]Text{"n": same("3"), "max": {ZH: "三十", EN: "thirty"}})
	if got.ZH != "3 天，上限 三十，{missing}" || got.EN != "3 days, limit thirty, {missing}" {
		t.Errorf("render = %+v", got)
	}
	if (Text{ZH: "中", EN: "en"}).In("fr") != "中" || (Text{ZH: "中", EN: "en"}).In(EN) != "en" {
		t.Error("In should fall back to Chinese")
	}
}
