package crm

import (
	"math/big"
	"strconv"
	"strings"
)

// PriceLine computes the amounts of a quote line, exactly, in fen:
//
//	list_amount     = quantity × unit_price
//	total           = list_amount × (10000 − discount_bp) / 10000, rounded half up to the fen
//	discount_amount = list_amount − total
//
// This is the one rounding rule of quotes: each line is rounded once, to
// the fen, half up (half a fen or more counts as a whole one; all amounts
// are non-negative, so half up is also half away from zero), and a quote's
// totals are the sums of its rounded lines. The arithmetic is done in
// math/big, so no input overflows; ok is false when an amount would exceed
// MaxMoney, or when an input is out of range (a negative quantity or price,
// a discount outside 0–10000 bp), and the amounts are then zero.
func PriceLine(quantity, unitPrice int64, discountBP int) (listAmount, discountAmount, total int64, ok bool) {
	if quantity < 0 || unitPrice < 0 || discountBP < 0 || discountBP > MaxBP {
		return 0, 0, 0, false
	}
	list := new(big.Int).Mul(big.NewInt(quantity), big.NewInt(unitPrice))
	if list.Cmp(big.NewInt(MaxMoney)) > 0 {
		return 0, 0, 0, false
	}
	net := new(big.Int).Mul(list, big.NewInt(int64(MaxBP-discountBP)))
	net.Add(net, big.NewInt(MaxBP/2)) // half up: add half the divisor, then truncate
	net.Quo(net, big.NewInt(MaxBP))
	listAmount, total = list.Int64(), net.Int64()
	return listAmount, listAmount - total, total, true
}

// FormatFen writes an amount in fen as yuan with two decimals and commas
// between thousands, such as "1,234,567.89", for texts people read.
func FormatFen(fen int64) string {
	neg := fen < 0
	u := uint64(fen)
	if neg {
		u = -u // the two's complement magnitude, right even for the smallest int64
	}
	yuan, cents := u/100, u%100
	digits := strconv.FormatUint(yuan, 10)
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	for i, c := range digits {
		if i > 0 && (len(digits)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	b.WriteByte('.')
	if cents < 10 {
		b.WriteByte('0')
	}
	b.WriteString(strconv.FormatUint(cents, 10))
	return b.String()
}

// FormatBP writes basis points as a percentage without needless zeros:
// 1500 → "15%", 3333 → "33.33%", 1 → "0.01%", 10 → "0.1%".
func FormatBP(bp int64) string {
	sign := ""
	if bp < 0 {
		sign, bp = "-", -bp
	}
	s := strconv.FormatInt(bp/100, 10)
	if frac := bp % 100; frac != 0 {
		f := strconv.FormatInt(frac+100, 10)[1:] // two digits
		s += "." + strings.TrimRight(f, "0")
	}
	return sign + s + "%"
}
