// Package sheet writes tables as the files a sales team opens in Excel:
// CSV (UTF-8 with a byte-order mark, so Chinese Excel reads it as UTF-8)
// and XLSX. Reports and record exports both write through it, so every
// download of dealpath looks and reads the same.
package sheet

import (
	"bufio"
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"time"
)

// Format is a file format a table can be written as.
type Format string

// The formats a download can take.
const (
	CSV  Format = "csv"
	XLSX Format = "xlsx"
)

// ParseFormat reads a format named in a request ("csv" or "xlsx").
func ParseFormat(s string) (Format, bool) {
	switch Format(s) {
	case CSV, XLSX:
		return Format(s), true
	}
	return "", false
}

// ContentType is the media type of a format, for the HTTP answer.
func (f Format) ContentType() string {
	if f == XLSX {
		return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	}
	return "text/csv; charset=utf-8"
}

// Table is one sheet: a title (the sheet's name in XLSX), column headings
// already in the reader's language, and rows of cells.
//
// A cell is a string, a bool, an integer (int, int64), a float64, a Money
// amount, a time.Time (written as a date-time) or a Date; nil is an empty
// cell. Numbers stay numbers in XLSX so that the reader can sum them.
type Table struct {
	Title   string
	Columns []string
	Rows    [][]any
}

// Money is an amount in fen. CSV writes it as yuan with two decimals;
// XLSX as a number in yuan formatted with two decimals.
type Money int64

// Date is a calendar day written as YYYY-MM-DD.
type Date time.Time

// Write writes the tables in the format. CSV holds one table only, as CSV
// has no sheets; XLSX writes one sheet per table.
func Write(w io.Writer, f Format, tables ...Table) error {
	switch f {
	case CSV:
		if len(tables) != 1 {
			return fmt.Errorf("sheet: CSV holds one table, got %d", len(tables))
		}
		return WriteCSV(w, tables[0])
	case XLSX:
		return WriteXLSX(w, tables...)
	}
	return fmt.Errorf("sheet: unknown format %q", f)
}

// WriteCSV writes one table as UTF-8 CSV with a byte-order mark.
func WriteCSV(w io.Writer, t Table) error {
	bw := bufio.NewWriter(w)
	if _, err := bw.WriteString("\uFEFF"); err != nil {
		return err
	}
	cw := csv.NewWriter(bw)
	if err := cw.Write(t.Columns); err != nil {
		return err
	}
	rec := make([]string, 0, len(t.Columns))
	for _, row := range t.Rows {
		rec = rec[:0]
		for _, c := range row {
			rec = append(rec, csvCell(c))
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return err
	}
	return bw.Flush()
}

// csvCell renders a cell as text. A text cell that a spreadsheet would run
// as a formula (=, +, -, @ first) gets a leading apostrophe: a record named
// "=HYPERLINK(…)" must not become a live formula in the reader's Excel.
func csvCell(c any) string {
	switch v := c.(type) {
	case nil:
		return ""
	case string:
		return defuse(v)
	case bool:
		return strconv.FormatBool(v)
	case int:
		return strconv.Itoa(v)
	case int64:
		return strconv.FormatInt(v, 10)
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	case Money:
		return formatYuan(int64(v))
	case time.Time:
		return v.UTC().Format(time.RFC3339)
	case Date:
		return time.Time(v).Format(time.DateOnly)
	}
	return defuse(fmt.Sprint(c))
}

func defuse(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
		return "'" + s
	}
	return s
}

// formatYuan writes fen as yuan with two decimals, exactly.
func formatYuan(fen int64) string {
	sign := ""
	u := uint64(fen)
	if fen < 0 {
		sign = "-"
		u = uint64(-fen)
	}
	return fmt.Sprintf("%s%d.%02d", sign, u/100, u%100)
}
