package crm

import (
	"math"
	"reflect"
	"testing"
)

func TestComputeROI(t *testing.T) {
	ip := func(n int) *int { return &n }
	line := func(kind string, amount int64) ROILine { return ROILine{Kind: kind, Category: "c", Amount: amount} }
	repeat := func(n int, l ROILine) []ROILine {
		out := make([]ROILine, n)
		for i := range out {
			out[i] = l
		}
		return out
	}
	tests := []struct {
		name                    string
		lines                   []ROILine
		benefit, oneOff, yearly int64
		payback, percent        *int
	}{
		{"nothing entered", nil, 0, 0, 0, nil, nil},
		{"zero amounts", []ROILine{line("saving", 0), line("one_off_cost", 0)}, 0, 0, 0, nil, nil},
		{"benefit without any cost pays back at once, no ROI", []ROILine{line("saving", 100)}, 100, 0, 0, ip(0), nil},
		{"cost without benefit never pays back, loses everything", []ROILine{line("one_off_cost", 1000)}, 0, 1000, 0, nil, ip(-100)},
		// benefit 1800, one-off 3000, yearly 300: net 1500 → 36000/1500 = 24
		// months; total 3900 → (5400−3900)×100/3900 = 38.46… → 38.
		{"typical sum", []ROILine{line("saving", 1200), line("gain", 600), line("one_off_cost", 3000), line("yearly_cost", 300)},
			1800, 3000, 300, ip(24), ip(38)},
		{"payback exact", []ROILine{line("saving", 3000), line("one_off_cost", 1000)}, 3000, 1000, 0, ip(4), ip(800)},
		{"payback rounds up", []ROILine{line("saving", 3000), line("one_off_cost", 1001)}, 3000, 1001, 0, ip(5), ip(799)},
		{"payback by a hair", []ROILine{line("gain", 12_000_000_00), line("one_off_cost", 1)}, 12_000_000_00, 1, 0, ip(1), ip(MaxROIResult)},
		// (201−200)×100/200 = 0.5 → 1; (597−600)×100/600 = −0.5 → −1.
		{"half rounds away from zero, up", []ROILine{line("saving", 67), line("one_off_cost", 200)}, 67, 200, 0, ip(36), ip(1)},
		{"half rounds away from zero, down", []ROILine{line("saving", 199), line("one_off_cost", 600)}, 199, 600, 0, ip(37), ip(-1)},
		// 100/203 = 0.49 → 0; 100/197 = 0.51 → 1; −100/202 = −0.495 → 0.
		{"just below half truncates", []ROILine{line("saving", 68), line("one_off_cost", 203)}, 68, 203, 0, ip(36), ip(0)},
		{"just above half rounds up", []ROILine{line("saving", 66), line("one_off_cost", 197)}, 66, 197, 0, ip(36), ip(1)},
		{"just above minus half truncates", []ROILine{line("saving", 67), line("one_off_cost", 202)}, 67, 202, 0, ip(37), ip(0)},
		{"a third rounds to zero", []ROILine{line("saving", 200), line("one_off_cost", 599)}, 200, 599, 0, ip(36), ip(0)},
		{"net zero never pays back", []ROILine{line("saving", 100), line("yearly_cost", 100), line("one_off_cost", 50)}, 100, 50, 100, nil, ip(-14)},
		{"net negative never pays back", []ROILine{line("gain", 100), line("yearly_cost", 200)}, 100, 0, 200, nil, ip(-50)},
		{"yearly cost only", []ROILine{line("yearly_cost", 7)}, 0, 0, 7, nil, ip(-100)},
		{"unknown kinds count for nothing", []ROILine{line("bribe", 100), line("saving", 10)}, 10, 0, 0, ip(0), nil},
		// 49 × 1e15 benefit against 1e15 one-off: (1.47e17 − 1e15)×100/1e15
		// = 14600, and ×100 alone would overflow int64 (1.46e19).
		{"largest valid sums", append(repeat(49, line("saving", MaxMoney)), line("one_off_cost", MaxMoney)),
			49 * MaxMoney, MaxMoney, 0, ip(1), ip(14600)},
		{"largest valid costs", append(repeat(25, line("one_off_cost", MaxMoney)), repeat(25, line("yearly_cost", MaxMoney))...),
			0, 25 * MaxMoney, 25 * MaxMoney, nil, ip(-100)},
		{"a tiny cost against the largest benefit saturates", append(repeat(49, line("gain", MaxMoney)), line("yearly_cost", 1)),
			49 * MaxMoney, 0, 1, ip(0), ip(MaxROIResult)},
		{"years to pay back saturate", []ROILine{line("saving", 2), line("yearly_cost", 1), line("one_off_cost", MaxMoney)},
			2, MaxMoney, 1, ip(MaxROIResult), ip(-100)},
		{"sums beyond int64 saturate", []ROILine{line("saving", math.MaxInt64), line("saving", math.MaxInt64), line("one_off_cost", math.MaxInt64)},
			math.MaxInt64, math.MaxInt64, 0, ip(6), ip(500)},
		{"negative amounts (unvalidated) do not panic", []ROILine{line("saving", -5), line("one_off_cost", math.MinInt64), line("one_off_cost", -1)},
			-5, math.MinInt64, 0, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := append([]ROILine(nil), tt.lines...)
			got := ComputeROI(tt.lines)
			if got.YearlyBenefit != tt.benefit || got.OneOffCost != tt.oneOff || got.YearlyCost != tt.yearly {
				t.Errorf("sums = %d, %d, %d; want %d, %d, %d", got.YearlyBenefit, got.OneOffCost, got.YearlyCost, tt.benefit, tt.oneOff, tt.yearly)
			}
			if !reflect.DeepEqual(got.PaybackMonths, tt.payback) {
				t.Errorf("payback = %v, want %v", show(got.PaybackMonths), show(tt.payback))
			}
			if !reflect.DeepEqual(got.ROI3YPercent, tt.percent) {
				t.Errorf("roi = %v, want %v", show(got.ROI3YPercent), show(tt.percent))
			}
			if got.Lines == nil || len(got.Lines) != len(in) || (len(in) > 0 && !reflect.DeepEqual(got.Lines, in)) {
				t.Errorf("lines = %v, want a copy of %v", got.Lines, in)
			}
			if len(tt.lines) > 0 {
				got.Lines[0].Amount = 42
				if tt.lines[0].Amount == 42 && in[0].Amount != 42 {
					t.Error("the ROI shares its lines with the input")
				}
			}
		})
	}
}

func show(p *int) any {
	if p == nil {
		return "nil"
	}
	return *p
}
