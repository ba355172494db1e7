package crm

import (
	"slices"
	"testing"
)

func TestSplitMilestones(t *testing.T) {
	p := func(n int) *int { return &n }
	a := func(n int64) *int64 { return &n }
	pct := func(ps ...int) []MilestoneInput {
		var out []MilestoneInput
		for _, x := range ps {
			out = append(out, MilestoneInput{Name: "m", Percent: p(x), Trigger: TriggerSigning})
		}
		return out
	}
	cases := []struct {
		name  string
		total int64
		in    []MilestoneInput
		want  []int64
		field string
	}{
		{"default template", 10_000_000, DefaultMilestones(), []int64{5_000_000, 4_000_000, 1_000_000}, ""},
		{"odd total: the last takes the remainder", 8_499_999, DefaultMilestones(), []int64{4_249_999, 3_399_999, 850_001}, ""},
		{"thirds", 100, pct(33, 33, 34), []int64{33, 33, 34}, ""},
		{"one fen", 1, pct(50, 50), []int64{0, 1}, ""},
		{"zero total", 0, pct(100), []int64{0}, ""},
		{"largest amount", MaxMoney, pct(1, 99), []int64{MaxMoney / 100, MaxMoney - MaxMoney/100}, ""},
		{"amounts that add up", 300, []MilestoneInput{{Name: "a", Amount: a(100), Trigger: TriggerSigning}, {Name: "b", Amount: a(200), Trigger: TriggerFinal}}, []int64{100, 200}, ""},
		{"amounts that do not", 300, []MilestoneInput{{Name: "a", Amount: a(100), Trigger: TriggerSigning}}, nil, "milestones"},
		{"percents short of 100", 300, pct(50, 40), nil, "milestones"},
		{"mixed", 300, []MilestoneInput{{Name: "a", Amount: a(100), Trigger: TriggerSigning}, {Name: "b", Percent: p(50), Trigger: TriggerFinal}}, nil, "milestones"},
		{"both on one", 300, []MilestoneInput{{Name: "a", Amount: a(300), Percent: p(100), Trigger: TriggerSigning}}, nil, "milestones.0.percent"},
		{"percent out of range", 300, pct(150, -50), nil, "milestones.0.percent"},
		{"unknown trigger", 300, []MilestoneInput{{Name: "a", Percent: p(100), Trigger: "later"}}, nil, "milestones.0.trigger"},
		{"none", 300, nil, nil, "milestones"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := SplitMilestones(tc.total, tc.in)
			if tc.field != "" {
				e, ok := err.(*Error)
				if !ok || e.Fields[tc.field].Key == "" {
					t.Fatalf("err %v, want one on %s", err, tc.field)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var amounts []int64
			var sum int64
			for _, m := range got {
				amounts = append(amounts, m.Amount)
				sum += m.Amount
			}
			if !slices.Equal(amounts, tc.want) || sum != tc.total {
				t.Fatalf("amounts %v (sum %d), want %v", amounts, sum, tc.want)
			}
		})
	}
}
