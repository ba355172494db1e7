package crm

import (
	"math"
	"reflect"
	"testing"
	"time"
)

// TestPriceLine is the table of the quote rounding rule: each line is
// quantity × unit price × (10000 − discount_bp) / 10000, rounded half up
// to the fen, once.
func TestPriceLine(t *testing.T) {
	tests := []struct {
		name                  string
		qty, price            int64
		bp                    int
		list, discount, total int64
		ok                    bool
	}{
		{"no discount", 1, 100, 0, 100, 0, 100, true},
		{"odd quantity, a third off", 3, 333, 3333, 999, 333, 666, true}, // 666.0333
		{"a third off rounds down", 1, 150, 3333, 150, 50, 100, true},    // 100.005
		{"1 bp of a fen rounds to nothing", 1, 1, 1, 1, 0, 1, true},      // 0.9999
		{"1 bp of 100 yuan", 1, 10000, 1, 10000, 1, 9999, true},
		{"1 bp on an odd quantity", 7, 143, 1, 1001, 0, 1001, true}, // 1000.8999
		{"exactly half a fen rounds up", 1, 1, 5000, 1, 0, 1, true}, // 0.5
		{"one and a half fen round up", 1, 3, 5000, 3, 1, 2, true},  // 1.5
		{"half a fen at 99 % off", 1, 50, 9900, 50, 49, 1, true},    // 0.5
		{"just under half a fen", 2, 25, 9999, 50, 50, 0, true},     // 0.005
		{"half of an odd price", 1, 12345, 5000, 12345, 6172, 6173, true},
		{"everything off", 9, 5, 10000, 45, 45, 0, true},
		{"free product", 1000, 0, 1500, 0, 0, 0, true},
		{"the largest line", MaxQuantity, 1_000_000_000, 3333, MaxMoney, 333_300_000_000_000, 666_700_000_000_000, true},
		{"one fen beyond the largest line", MaxQuantity, 1_000_000_001, 0, 0, 0, 0, false},
		{"beyond int64", MaxQuantity, MaxMoney, 0, 0, 0, 0, false},
		{"int64 extremes", math.MaxInt64, math.MaxInt64, 0, 0, 0, 0, false},
		{"negative quantity", -1, 100, 0, 0, 0, 0, false},
		{"negative price", 1, -100, 0, 0, 0, 0, false},
		{"discount over 100 %", 1, 100, 10001, 0, 0, 0, false},
		{"negative discount", 1, 100, -1, 0, 0, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			list, discount, total, ok := PriceLine(tt.qty, tt.price, tt.bp)
			if list != tt.list || discount != tt.discount || total != tt.total || ok != tt.ok {
				t.Errorf("PriceLine(%d, %d, %d) = %d, %d, %d, %v; want %d, %d, %d, %v",
					tt.qty, tt.price, tt.bp, list, discount, total, ok, tt.list, tt.discount, tt.total, tt.ok)
			}
			if ok && list != discount+total {
				t.Errorf("list %d ≠ discount %d + total %d", list, discount, total)
			}
		})
	}
}

// TestQuoteTotals: a quote's totals are the sums of its rounded lines, and
// its largest discount is the one its owner's authority is checked against.
func TestQuoteTotals(t *testing.T) {
	now := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	s := &Service{Now: func() time.Time { return now }}
	q := &Quote{ValidUntil: DateOf(now), PaymentDays: 30, Lines: []QuoteLine{
		{Quantity: 1, UnitPrice: 1, DiscountBP: 5000},      // 0.5 → 1
		{Quantity: 1, UnitPrice: 1, DiscountBP: 5000},      // 0.5 → 1 again: lines round on their own
		{Quantity: 3, UnitPrice: 333, DiscountBP: 3333},    // 666
		{Quantity: 17, UnitPrice: 99_900, DiscountBP: 1},   // 1,698,130.17 → 1,698,130
		{Quantity: 2, UnitPrice: 1_500_000, DiscountBP: 0}, // 3,000,000
	}}
	if err := s.price(q); err != nil {
		t.Fatal(err)
	}
	if q.ListTotal != 2+999+1_698_300+3_000_000 || q.Total != 2+666+1_698_130+3_000_000 || q.DiscountTotal != q.ListTotal-q.Total || q.MaxDiscountBP != 5000 {
		t.Fatalf("totals: list %d, discount %d, total %d, max %d", q.ListTotal, q.DiscountTotal, q.Total, q.MaxDiscountBP)
	}
}

func TestFormat(t *testing.T) {
	for fen, want := range map[int64]string{
		0: "0.00", 5: "0.05", 100: "1.00", 123456: "1,234.56", 100000000: "1,000,000.00", -123456789: "-1,234,567.89",
		MaxMoney: "10,000,000,000,000.00", math.MinInt64: "-92,233,720,368,547,758.08",
	} {
		if got := FormatFen(fen); got != want {
			t.Errorf("FormatFen(%d) = %q, want %q", fen, got, want)
		}
	}
	for bp, want := range map[int64]string{0: "0%", 1: "0.01%", 10: "0.1%", 1500: "15%", 3333: "33.33%", 10000: "100%", -250: "-2.5%"} {
		if got := FormatBP(bp); got != want {
			t.Errorf("FormatBP(%d) = %q, want %q", bp, got, want)
		}
	}
}

func TestAuthority(t *testing.T) {
	rep := Authority{MaxDiscountBP: 1000, CreditDays: 30, CreditAmount: 10_000_000}
	if got := rep.Exceeds(Grant{DiscountBP: 1000, PaymentDays: 30, CreditAmount: 10_000_000}); got != nil {
		t.Errorf("at the limits: %v", got)
	}
	got := rep.Exceeds(Grant{DiscountBP: 1500, PaymentDays: 60, CreditAmount: 10_000_001})
	want := []ApprovalReason{{ReasonDiscount, 1500, 1000}, {ReasonPaymentDays, 60, 30}, {ReasonCreditAmount, 10_000_001, 10_000_000}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("beyond every limit: %v", got)
	}
	mgr := Authority{MaxDiscountBP: 2000, CreditDays: 45}
	if !mgr.Covers(want[:1]) || mgr.Covers(want[:2]) || mgr.Covers(want) || !mgr.Covers(nil) {
		t.Error("a manager's cover")
	}
	if !FullAuthority.Covers(want) || FullAuthority.Covers([]ApprovalReason{{Kind: "magic", Requested: 1}}) {
		t.Error("full authority covers every known reason and nothing unknown")
	}
	if defaultAuthority(RoleAdmin) != FullAuthority || defaultAuthority(RoleManager) != (Authority{}) || defaultAuthority(RoleRep) != (Authority{}) {
		t.Error("default authority by role")
	}
}
