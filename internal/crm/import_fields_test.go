package crm

import "testing"

func TestNormalizeCompanyName(t *testing.T) {
	same := [][]string{
		{"华东机械有限公司", "华东机械（集团）股份有限公司", "华东机械 有限责任公司", "华东机械(集团)有限公司", "华东机械集团", "华东机械公司"},
		{"ＡＣＭＥ　Co., Ltd.", "Acme Co Ltd", "acme limited", "ACME Inc."},
		{"深圳电子科技有限公司", "深圳电子科技"},
	}
	for _, group := range same {
		want := NormalizeCompanyName(group[0])
		for _, n := range group[1:] {
			if got := NormalizeCompanyName(n); got != want {
				t.Errorf("%q → %q, want %q (as %q)", n, got, want, group[0])
			}
		}
	}
	// Different companies stay different; a name that is only a suffix
	// keeps it rather than becoming empty.
	if NormalizeCompanyName("华东机械有限公司") == NormalizeCompanyName("华南机械有限公司") {
		t.Error("华东 and 华南 collide")
	}
	if NormalizeCompanyName("有限公司") == "" {
		t.Error("a bare suffix normalized to nothing")
	}
}

func TestParseCells(t *testing.T) {
	for in, want := range map[string]int64{"1,234.50": 123450, "¥1234.5": 123450, "１２３４元": 123400, "12.5万": 12_500_000, "0.01": 1, ".5": 50} {
		if got, ok := parseYuan(in); !ok || got != want {
			t.Errorf("parseYuan(%q) = %d %v, want %d", in, got, ok, want)
		}
	}
	for _, in := range []string{"", "12.345", "abc", "1.2.3", "1e5", "--1"} {
		if _, ok := parseYuan(in); ok {
			t.Errorf("parseYuan(%q) accepted", in)
		}
	}
	for in, want := range map[string]string{"2027-03-31": "2027-03-31", "2027/3/1": "2027-03-01", "2027年3月1日": "2027-03-01", "3/31/2027": "2027-03-31", "2027-03-31 14:00": "2027-03-31"} {
		if got, ok := parseDay(in); !ok || got.String() != want {
			t.Errorf("parseDay(%q) = %s %v, want %s", in, got, ok, want)
		}
	}
	if got, ok := parseTime("2026-12-01 14:30"); !ok || got.Format("2006-01-02T15:04Z07:00") != "2026-12-01T06:30Z" {
		t.Errorf("parseTime local = %v %v", got, ok)
	}
}
