package playbook

import (
	"os"
	"strings"
	"testing"
	"time"
)

func ptr[T any](v T) *T { return &v }

// gradeA is the account of the acceptance criteria: a 30-person private
// distributor with 25,000,000 CNY revenue, 4,000,000 CNY gross profit,
// inventory software, branches and a purchase plan within 6 months.
func gradeA() AccountFacts {
	return AccountFacts{
		Headcount: ptr(30), BusinessKind: "distribution", Industry: "trading", Ownership: "private",
		RevenueLastYear: ptr(int64(2_500_000_000)), GrossProfit: ptr(int64(400_000_000)),
		ExistingSoftware: []string{"inventory"}, BranchCount: ptr(3), PurchasePlan: "within_6_months",
	}
}

func TestFitGradeADistributor(t *testing.T) {
	r := Default().Fit(gradeA())
	if r.Grade != "A" || r.Score != 100 || r.Disqualified {
		t.Fatalf("fit = %+v", r)
	}
	f1 := r.Factors[0]
	if f1.Key != "F1" || f1.Points != 30 || f1.Max != 30 {
		t.Errorf("F1 = %+v", f1)
	}
	for _, want := range []string{"30 人，分销批发企业门槛 20 人", "上年营业额 2500 万元（门槛 2000 万元）", "年毛利 400 万元（门槛 300 万元）"} {
		if !strings.Contains(f1.Reason.ZH, want) {
			t.Errorf("F1 reason %q lacks %q", f1.Reason.ZH, want)
		}
	}
	for _, want := range []string{"30 people, threshold for distributors is 20", "revenue last year CNY 25,000,000 (threshold CNY 20,000,000)"} {
		if !strings.Contains(f1.Reason.EN, want) {
			t.Errorf("F1 reason %q lacks %q", f1.Reason.EN, want)
		}
	}
}

// TestFitFactors covers each factor's thresholds at their edges, unknown
// values and every value of the value fields. Each case changes the grade-A
// account and checks one factor.
func TestFitFactors(t *testing.T) {
	cases := []struct {
		name   string
		factor string
		change func(a *AccountFacts)
		points int
		reason string // part of the zh-CN reason
	}{
		{"distributor 19 people", "F1", func(a *AccountFacts) { a.Headcount = ptr(19) }, 20, "19 人，分销批发企业门槛 20 人"},
		{"distributor 20 people", "F1", func(a *AccountFacts) { a.Headcount = ptr(20) }, 30, "20 人，分销批发企业门槛 20 人"},
		{"distributor 21 people", "F1", func(a *AccountFacts) { a.Headcount = ptr(21) }, 30, "21 人"},
		{"manufacturer 49 people", "F1", func(a *AccountFacts) { a.BusinessKind, a.Headcount = "manufacturing_sales", ptr(49) }, 20, "49 人，生产销售企业门槛 50 人"},
		{"manufacturer 50 people", "F1", func(a *AccountFacts) { a.BusinessKind, a.Headcount = "manufacturing_sales", ptr(50) }, 30, "50 人，生产销售企业门槛 50 人"},
		{"manufacturer 30 people", "F1", func(a *AccountFacts) { a.BusinessKind = "manufacturing_sales" }, 20, "30 人，生产销售企业门槛 50 人"},
		{"processor 49 people", "F1", func(a *AccountFacts) { a.BusinessKind, a.Headcount = "processing", ptr(49) }, 20, "加工企业门槛 50 人"},
		{"processor 51 people", "F1", func(a *AccountFacts) { a.BusinessKind, a.Headcount = "processing", ptr(51) }, 30, "51 人"},
		{"other kind 50 people", "F1", func(a *AccountFacts) { a.BusinessKind, a.Headcount = "other", ptr(50) }, 30, "其他企业门槛 50 人"},
		{"unknown kind 30 people", "F1", func(a *AccountFacts) { a.BusinessKind = "" }, 20, "30 人，类型未知的企业门槛 50 人"},
		{"headcount unknown", "F1", func(a *AccountFacts) { a.Headcount = nil }, 20, "人数未知"},
		{"revenue just below", "F1", func(a *AccountFacts) { a.RevenueLastYear = ptr(int64(1_999_999_999)) }, 20, "上年营业额 19,999,999.99 元（门槛 2000 万元）"},
		{"revenue at threshold", "F1", func(a *AccountFacts) { a.RevenueLastYear = ptr(int64(2_000_000_000)) }, 30, "上年营业额 2000 万元"},
		{"revenue unknown", "F1", func(a *AccountFacts) { a.RevenueLastYear = nil }, 20, "上年营业额未知"},
		{"gross profit just below", "F1", func(a *AccountFacts) { a.GrossProfit = ptr(int64(299_999_900)) }, 20, "年毛利 2,999,999 元（门槛 300 万元）"},
		{"gross profit at threshold", "F1", func(a *AccountFacts) { a.GrossProfit = ptr(int64(300_000_000)) }, 30, "年毛利 300 万元"},
		{"gross profit negative", "F1", func(a *AccountFacts) { a.GrossProfit = ptr(int64(-100_000_000)) }, 20, "年毛利 -100 万元"},
		{"gross profit unknown", "F1", func(a *AccountFacts) { a.GrossProfit = nil }, 20, "毛利未知"},
		{"all size unknown", "F1", func(a *AccountFacts) { a.Headcount, a.RevenueLastYear, a.GrossProfit = nil, nil, nil }, 0, "人数未知；上年营业额未知；毛利未知"},

		{"private", "F2", func(a *AccountFacts) {}, 15, "私营企业"},
		{"foreign", "F2", func(a *AccountFacts) { a.Ownership = "foreign" }, 12, "外资企业"},
		{"restructured soe", "F2", func(a *AccountFacts) { a.Ownership = "restructured_soe" }, 3, "国企改制"},
		{"other ownership", "F2", func(a *AccountFacts) { a.Ownership = "other" }, 5, "其他性质"},
		{"ownership unknown", "F2", func(a *AccountFacts) { a.Ownership = "" }, 0, "企业性质未知"},
		{"ownership not a key", "F2", func(a *AccountFacts) { a.Ownership = "martian" }, 0, "企业性质未知"},

		{"distribution", "F3", func(a *AccountFacts) {}, 15, "纯商品流通型"},
		{"manufacturing and sales", "F3", func(a *AccountFacts) { a.BusinessKind = "manufacturing_sales" }, 12, "制造与销售一体化"},
		{"processing", "F3", func(a *AccountFacts) { a.BusinessKind = "processing" }, 8, "加工型"},
		{"other business", "F3", func(a *AccountFacts) { a.BusinessKind = "other" }, 0, "其他主营业务"},
		{"business unknown", "F3", func(a *AccountFacts) { a.BusinessKind = "" }, 0, "主营业务未知"},

		{"inventory software", "F4", func(a *AccountFacts) {}, 10, "已使用进销存软件"},
		{"finance software", "F4", func(a *AccountFacts) { a.ExistingSoftware = []string{"finance"} }, 8, "已使用财务软件"},
		{"crm", "F4", func(a *AccountFacts) { a.ExistingSoftware = []string{"crm"} }, 8, "CRM"},
		{"erp", "F4", func(a *AccountFacts) { a.ExistingSoftware = []string{"erp"} }, 6, "ERP"},
		{"best of several", "F4", func(a *AccountFacts) { a.ExistingSoftware = []string{"erp", "inventory", "finance"} }, 10, "已使用进销存软件、已使用财务软件、已使用 ERP 系统"},
		{"no software", "F4", func(a *AccountFacts) { a.ExistingSoftware = []string{} }, 0, "未记录在用的管理软件"},
		{"software unknown", "F4", func(a *AccountFacts) { a.ExistingSoftware = nil }, 0, "未记录在用的管理软件"},

		{"no branches", "F5", func(a *AccountFacts) { a.BranchCount = ptr(0) }, 0, "0 个分支机构（门槛 1 个）"},
		{"one branch", "F5", func(a *AccountFacts) { a.BranchCount = ptr(1) }, 10, "1 个分支机构"},
		{"branches unknown", "F5", func(a *AccountFacts) { a.BranchCount = nil }, 0, "分支机构情况未知"},

		{"plan within 6 months", "F6", func(a *AccountFacts) {}, 20, "6 个月内"},
		{"plan within 12 months", "F6", func(a *AccountFacts) { a.PurchasePlan = "within_12_months" }, 12, "12 个月内"},
		{"no plan", "F6", func(a *AccountFacts) { a.PurchasePlan = "none" }, 0, "近期没有采购计划"},
		{"plan unknown", "F6", func(a *AccountFacts) { a.PurchasePlan = "" }, 0, "采购计划未知"},
	}
	p := Default()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			a := gradeA()
			tc.change(&a)
			r := p.Fit(a)
			var fs *FactorScore
			for i := range r.Factors {
				if r.Factors[i].Key == tc.factor {
					fs = &r.Factors[i]
				}
			}
			if fs == nil {
				t.Fatalf("no factor %s", tc.factor)
			}
			if fs.Points != tc.points || !strings.Contains(fs.Reason.ZH, tc.reason) {
				t.Errorf("%s = %d %q, want %d …%s…", tc.factor, fs.Points, fs.Reason.ZH, tc.points, tc.reason)
			}
			if fs.Reason.EN == "" || fs.Reason.EN == fs.Reason.ZH {
				t.Errorf("English reason %q", fs.Reason.EN)
			}
			if r.Disqualified {
				t.Errorf("unknown or poor facts must not disqualify: %+v", r.Disqualifiers)
			}
		})
	}
}

func TestFitUnknownAccount(t *testing.T) {
	r := Default().Fit(AccountFacts{})
	if r.Score != 0 || r.Grade != "D" || r.Disqualified || len(r.Factors) != 6 {
		t.Errorf("fit of an unknown account = %+v", r)
	}
	for _, f := range r.Factors {
		if f.Points != 0 || f.Max == 0 || f.Reason.ZH == "" || f.Reason.EN == "" {
			t.Errorf("factor %+v", f)
		}
	}
}

func TestGradeCutOffs(t *testing.T) {
	g := Default().Profile.Grades
	for score, want := range map[int]string{100: "A", 80: "A", 79: "B", 60: "B", 59: "C", 40: "C", 39: "D", 0: "D"} {
		if got := g.grade(score); got != want {
			t.Errorf("grade(%d) = %s, want %s", score, got, want)
		}
	}
	// An account in the middle: a 60-person private manufacturer with
	// revenue and profit at the thresholds, finance software, no branches,
	// a plan within 12 months: 30 + 15 + 12 + 8 + 0 + 12 = 77.
	a := AccountFacts{Headcount: ptr(60), BusinessKind: "manufacturing_sales", Ownership: "private",
		RevenueLastYear: ptr(int64(2_000_000_000)), GrossProfit: ptr(int64(300_000_000)),
		ExistingSoftware: []string{"finance"}, BranchCount: ptr(0), PurchasePlan: "within_12_months"}
	if r := Default().Fit(a); r.Score != 77 || r.Grade != "B" {
		t.Errorf("fit = %d %s, want 77 B", r.Score, r.Grade)
	}
}

func TestDisqualifiers(t *testing.T) {
	day := func(s string) *time.Time {
		d, err := time.Parse("2006-01-02", s)
		if err != nil {
			t.Fatal(err)
		}
		return &d
	}
	asOf := *day("2025-06-01")
	cases := []struct {
		name   string
		change func(a *AccountFacts)
		want   string // disqualifier key, "" for none
	}{
		{"pharmaceutical", func(a *AccountFacts) { a.Industry = "pharmaceutical" }, "pharmaceutical"},
		{"apparel", func(a *AccountFacts) { a.Industry = "apparel" }, "apparel"},
		{"textiles are fine", func(a *AccountFacts) { a.Industry = "textiles" }, ""},
		{"industry unknown", func(a *AccountFacts) { a.Industry = "" }, ""},
		{"flagged just restructured", func(a *AccountFacts) { a.Ownership, a.JustRestructured = "restructured_soe", true }, "just_restructured_soe"},
		{"restructured 100 days ago", func(a *AccountFacts) {
			a.Ownership, a.RestructuredOn, a.AsOf = "restructured_soe", day("2025-02-21"), asOf
		}, "just_restructured_soe"},
		{"restructured 365 days ago", func(a *AccountFacts) {
			a.Ownership, a.RestructuredOn, a.AsOf = "restructured_soe", day("2024-06-01"), asOf
		}, "just_restructured_soe"},
		{"restructured 366 days ago", func(a *AccountFacts) {
			a.Ownership, a.RestructuredOn, a.AsOf = "restructured_soe", day("2024-05-31"), asOf
		}, ""},
		{"restructuring date without a reference day", func(a *AccountFacts) {
			a.Ownership, a.RestructuredOn = "restructured_soe", day("2025-05-01")
		}, ""},
		{"restructured long ago", func(a *AccountFacts) {
			a.Ownership, a.RestructuredOn, a.AsOf = "restructured_soe", day("2010-01-01"), asOf
		}, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			a := gradeA()
			tc.change(&a)
			r := Default().Fit(a)
			if tc.want == "" {
				if r.Disqualified || len(r.Disqualifiers) != 0 {
					t.Errorf("disqualified: %+v", r.Disqualifiers)
				}
				return
			}
			if !r.Disqualified || len(r.Disqualifiers) != 1 || r.Disqualifiers[0].Key != tc.want {
				t.Fatalf("disqualifiers = %+v, want %s", r.Disqualifiers, tc.want)
			}
			if r.Grade != "D" {
				t.Errorf("grade %s, want D for a disqualified account (score %d)", r.Grade, r.Score)
			}
			if q := r.Disqualifiers[0].Reason; q.ZH == "" || q.EN == "" {
				t.Errorf("reason %+v", q)
			}
		})
	}
}

// TestStrictPlaybookFit checks that another file changes the score with no
// code change: the strict file asks 40 people of a distributor, 50,000,000
// CNY revenue and 95 points for an A.
func TestStrictPlaybookFit(t *testing.T) {
	strict := loadFile(t, "testdata/strict.yaml")
	r := strict.Fit(gradeA())
	if r.Score != 80 || r.Grade != "B" {
		t.Errorf("strict fit = %d %s, want 80 B", r.Score, r.Grade)
	}
	if !strings.Contains(r.Factors[0].Reason.ZH, "30 人，分销批发企业门槛 40 人") || !strings.Contains(r.Factors[0].Reason.EN, "threshold CNY 50,000,000") {
		t.Errorf("strict F1 reason = %+v", r.Factors[0].Reason)
	}
	if d := Default().Fit(gradeA()); d.Grade != "A" {
		t.Errorf("default grade %s", d.Grade)
	}
}

func loadFile(t *testing.T, name string) *Playbook {
	t.Helper()
	data, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	p, err := Load(data)
	if err != nil {
		t.Fatal(err)
	}
	return p
}
