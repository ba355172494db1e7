package web

import (
	"math"
	"testing"
)

func TestFormatCNY(t *testing.T) {
	for _, c := range []struct {
		fen  int64
		want string
	}{
		{0, "¥0"},
		{1, "¥0.01"},
		{850000, "¥8,500"},
		{850050, "¥8,500.50"},
		{999999, "¥9,999.99"},
		{1000000, "¥1万"},
		{12500000, "¥12.5万"},
		{12345600, "¥12.35万"},
		{12344900, "¥12.34万"},
		{100000000, "¥100万"},
		{123456789000, "¥12.35亿"},
		{12345678900, "¥1.23亿"},
		{9999994999, "¥9,999.99万"},
		{9999995000, "¥1亿"},
		{999999999999, "¥100亿"},
		{10000000000, "¥1亿"},
		{12500000000, "¥1.25亿"},
		{-12500000, "-¥12.5万"},
		{-500, "-¥5"},
		{math.MinInt64, ""},
	} {
		if c.fen == math.MinInt64 {
			// Only checks it does not panic: no real amount is this large.
			_ = formatCNY(c.fen)
			continue
		}
		if got := formatCNY(c.fen); got != c.want {
			t.Errorf("formatCNY(%d) = %q, want %q", c.fen, got, c.want)
		}
	}
}
