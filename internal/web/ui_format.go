package web

import (
	"strconv"
	"strings"

	"github.com/dealpath/dealpath/internal/crm"
)

// formatCNY writes an amount in fen the way a Chinese sales team reads it:
// ¥8,500 below ten thousand yuan, ¥12.5万 up to a hundred million, ¥1.2亿
// beyond; at most two decimals, rounded half away from zero, trailing
// zeros dropped.
func formatCNY(fen int64) string {
	neg := fen < 0
	u := uint64(fen)
	if neg {
		u = -u
	}
	sign := ""
	if neg {
		sign = "-"
	}
	const wan = 10_000 * 100 // fen in 1万 yuan
	const yi = 10_000 * wan  // fen in 1亿 yuan
	switch {
	case u < wan:
		s := crm.FormatFen(int64(u))
		s = strings.TrimSuffix(s, ".00")
		return sign + "¥" + s
	case u < yi-wan/200: // anything that does not round to 10,000万
		return sign + "¥" + hundredths(u, wan) + "万"
	default:
		return sign + "¥" + hundredths(u, yi) + "亿"
	}
}

// hundredths renders u/unit with two decimals, rounded, trailing zeros
// trimmed, and thousands separators in the integer part.
func hundredths(u, unit uint64) string {
	h := (u*100 + unit/2) / unit
	whole, frac := h/100, h%100
	s := crm.FormatFen(int64(whole * 100))
	s = strings.TrimSuffix(s, ".00")
	if frac == 0 {
		return s
	}
	f := strconv.FormatUint(frac+100, 10)[1:]
	return s + "." + strings.TrimSuffix(f, "0")
}
