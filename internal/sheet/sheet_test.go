package sheet

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

func sample() Table {
	return Table{
		Title:   "管道 Pipeline",
		Columns: []string{"阶段", "数量", "金额", "日期", "时间", "通过"},
		Rows: [][]any{
			{"商机确认", 3, Money(123456789), Date(time.Date(2026, 11, 29, 0, 0, 0, 0, time.UTC)), time.Date(2026, 11, 29, 8, 30, 0, 0, time.UTC), true},
			{"=HYPERLINK(\"x\")", int64(-2), Money(-5), nil, nil, false},
		},
	}
}

func TestWriteCSV(t *testing.T) {
	var b bytes.Buffer
	if err := Write(&b, CSV, sample()); err != nil {
		t.Fatal(err)
	}
	want := "\uFEFF阶段,数量,金额,日期,时间,通过\n" +
		"商机确认,3,1234567.89,2026-11-29,2026-11-29T08:30:00Z,true\n" +
		"\"'=HYPERLINK(\"\"x\"\")\",-2,-0.05,,,false\n"
	if got := b.String(); got != want {
		t.Errorf("got\n%q\nwant\n%q", got, want)
	}
	if err := Write(&b, CSV, sample(), sample()); err == nil {
		t.Error("two tables in one CSV must be refused")
	}
}

func TestWriteXLSX(t *testing.T) {
	var b bytes.Buffer
	second := sample()
	second.Title = strings.Repeat("很长的名字", 10) + "[x]"
	if err := Write(&b, XLSX, sample(), second, second); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&b)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	names := f.GetSheetList()
	if len(names) != 3 || names[0] != "管道 Pipeline" {
		t.Fatalf("sheets %q", names)
	}
	for _, n := range names {
		if len([]rune(n)) > maxSheetName || strings.ContainsAny(n, "[]") {
			t.Errorf("invalid sheet name %q", n)
		}
	}
	if names[1] == names[2] {
		t.Errorf("duplicate sheet names %q", names)
	}
	rows, err := f.GetRows(names[0])
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 3 || rows[0][0] != "阶段" || rows[1][0] != "商机确认" || rows[1][1] != "3" {
		t.Errorf("rows %q", rows)
	}
	v, err := f.GetCellValue(names[0], "C2", excelize.Options{RawCellValue: true})
	if err != nil || v != "1234567.89" {
		t.Errorf("money cell %q %v", v, err)
	}
	if err := Write(&b, XLSX); err == nil {
		t.Error("no table must be refused")
	}
}

func TestParseFormat(t *testing.T) {
	for in, ok := range map[string]bool{"csv": true, "xlsx": true, "pdf": false, "": false, "CSV": false} {
		if _, got := ParseFormat(in); got != ok {
			t.Errorf("ParseFormat(%q) ok = %v", in, got)
		}
	}
}
