package crm

import (
	"slices"
	"strconv"
	"strings"
	"time"

	"golang.org/x/text/width"
)

// The parsers below read cells as people type them into spreadsheets:
// full-width digits, thousands separators, currency signs, Chinese date
// forms. Each returns ok=false for a value it cannot read, which the
// import reports on the row and column.

// foldCell folds full-width characters and trims space.
func foldCell(s string) string {
	return strings.TrimSpace(width.Fold.String(s))
}

// parseCount reads a whole number such as "1,200" or "１２００".
func parseCount(s string) (int, bool) {
	s = strings.ReplaceAll(foldCell(s), ",", "")
	s = strings.TrimSuffix(strings.TrimSuffix(s, "人"), "家")
	if f, ok := strings.CutSuffix(s, ".0"); ok { // spreadsheets write 12 as 12.0
		s = f
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < -MaxCount*10 || n > MaxCount*10 {
		return 0, false
	}
	return n, true
}

// parseYuan reads an amount in yuan ("1,234.50", "¥1234.5", "1234元",
// "12.5万") into fen, exactly: decimal text, never a float.
func parseYuan(s string) (int64, bool) {
	s = foldCell(s)
	for _, p := range []string{"¥", "￥", "RMB", "CNY", "rmb", "cny"} {
		s = strings.TrimSpace(strings.TrimPrefix(s, p))
	}
	s = strings.TrimSpace(strings.TrimSuffix(s, "元"))
	mult := int64(1)
	if t, ok := strings.CutSuffix(s, "万"); ok {
		s, mult = strings.TrimSpace(t), 10000
	}
	s = strings.ReplaceAll(s, ",", "")
	neg := false
	if t, ok := strings.CutPrefix(s, "-"); ok {
		s, neg = t, true
	}
	whole, frac, hasDot := strings.Cut(s, ".")
	if whole == "" && (!hasDot || frac == "") {
		return 0, false
	}
	if len(whole) > 15 || !allDigits(whole) || !allDigits(frac) {
		return 0, false
	}
	// Fen are two decimals; with 万 four more digits are still exact.
	scale := 2
	if mult == 10000 {
		scale = 6
	}
	frac = strings.TrimRight(frac, "0")
	if len(frac) > scale {
		return 0, false
	}
	frac += strings.Repeat("0", scale-len(frac))
	w := int64(0)
	if whole != "" {
		w, _ = strconv.ParseInt(whole, 10, 64)
	}
	f, _ := strconv.ParseInt(frac, 10, 64)
	var fen int64
	if mult == 10000 {
		fen = w*1_000_000 + f // w万 = w×10000×100 fen; f is in 1/10^6 of 万 = fen
	} else {
		fen = w*100 + f
	}
	if fen > MaxMoney*10 {
		return 0, false
	}
	if neg {
		fen = -fen
	}
	return fen, true
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// dateLayouts are the day forms accepted, ISO first. Month-first US dates
// are what Salesforce and HubSpot write in their default locale;
// "01-02-06" is how excelize shows Excel's built-in short date.
var dateLayouts = []string{"2006-01-02", "2006-1-2", "2006/1/2", "2006.1.2", "2006年1月2日", "1/2/2006", "01-02-06"}

// parseDay reads a calendar day; a date-time keeps its day.
func parseDay(s string) (Date, bool) {
	s = foldCell(s)
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return Date{time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)}, true
	}
	if d, _, ok := strings.Cut(s, " "); ok {
		s = d
	}
	if d, _, ok := strings.Cut(s, "T"); ok {
		s = d
	}
	for _, l := range dateLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return Date{t}, true
		}
	}
	return Date{}, false
}

// ImportZone is where a time without a zone is taken to be: the product
// serves Chinese sales teams, whose spreadsheets mean Beijing time. Exports
// write UTC with a zone, so a round trip is exact.
var ImportZone = time.FixedZone("UTC+8", 8*3600)

// parseTime reads a point in time: RFC 3339, or a local date and time
// ("2026-03-01 14:30", "2026/3/1 14:30:00", a bare day at midnight).
func parseTime(s string) (time.Time, bool) {
	s = foldCell(s)
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t.UTC(), true
	}
	day, clock, _ := strings.Cut(s, " ")
	d, ok := parseDay(day)
	if !ok {
		return time.Time{}, false
	}
	var h, m, sec int
	if clock = strings.TrimSpace(clock); clock != "" {
		parts := strings.Split(clock, ":")
		if len(parts) < 2 || len(parts) > 3 {
			return time.Time{}, false
		}
		vals := []*int{&h, &m, &sec}
		for i, p := range parts {
			n, err := strconv.Atoi(p)
			if err != nil || n < 0 || n > 59 || (i == 0 && n > 23) {
				return time.Time{}, false
			}
			*vals[i] = n
		}
	}
	return time.Date(d.Year(), d.Month(), d.Day(), h, m, sec, 0, ImportZone).UTC(), true
}

// parseBool reads yes/no in the forms spreadsheets hold.
func parseBool(s string) (bool, bool) {
	switch strings.ToLower(foldCell(s)) {
	case "true", "yes", "y", "1", "是", "有", "√", "x":
		return true, true
	case "false", "no", "n", "0", "否", "无", "没有", "":
		return false, true
	}
	return false, false
}

// parsePercent reads 0–100 from "30", "30%", "0.3" is taken literally.
func parsePercent(s string) (int, bool) {
	s = strings.TrimSpace(strings.TrimSuffix(foldCell(s), "%"))
	if t, ok := strings.CutSuffix(s, ".0"); ok {
		s = t
	}
	n, err := strconv.Atoi(s)
	return n, err == nil
}

// splitListCell splits a list cell on the separators people use; on
// spaces only when there is no other separator, since labels have spaces.
func splitListCell(s string) []string {
	s = foldCell(s)
	parts := strings.FieldsFunc(s, func(r rune) bool {
		return r == ',' || r == ';' || r == '、' || r == '|' || r == '/' || r == '，' || r == '；'
	})
	if len(parts) == 1 && !strings.ContainsAny(s, ",;、|/，；") {
		parts = strings.Fields(s)
	}
	for i := range parts {
		parts[i] = strings.TrimSpace(parts[i])
	}
	return slices.DeleteFunc(parts, func(p string) bool { return p == "" })
}

// undefuse removes the apostrophe the sheet package puts before a text
// that a spreadsheet would run as a formula, so an exported "-5%" or
// "=A1" comes back as written.
func undefuse(s string) string {
	if len(s) >= 2 && s[0] == '\'' {
		switch s[1] {
		case '=', '+', '-', '@', '\t', '\r':
			return s[1:]
		}
	}
	return s
}
