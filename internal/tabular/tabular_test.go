package tabular

import (
	"bytes"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"
)

func cells(t *Table) [][]string {
	var out [][]string
	for _, r := range t.Rows {
		out = append(out, r.Cells)
	}
	return out
}

func TestReadCSVEncodings(t *testing.T) {
	text := "公司名称,电话\n华东机械有限公司,021-5555\n\n深圳电子,0755-1234\n"
	want := [][]string{{"公司名称", "电话"}, {"华东机械有限公司", "021-5555"}, {"深圳电子", "0755-1234"}}
	gb, err := simplifiedchinese.GB18030.NewEncoder().String(text)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, data, enc string
	}{
		{"utf-8", text, "utf-8"},
		{"bom", "\uFEFF" + text, "utf-8-bom"},
		{"gb18030", gb, "gb18030"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tb, err := Read(strings.NewReader(tc.data), Limits{})
			if err != nil {
				t.Fatal(err)
			}
			if tb.Encoding != tc.enc || tb.Format != "csv" {
				t.Errorf("encoding %q format %q, want %q csv", tb.Encoding, tb.Format, tc.enc)
			}
			if got := cells(tb); !reflect.DeepEqual(got, want) {
				t.Errorf("cells %q, want %q", got, want)
			}
			if tb.Rows[2].Line != 4 {
				t.Errorf("line of the row after the blank one = %d, want 4", tb.Rows[2].Line)
			}
		})
	}
}

func TestReadCSVSemicolonAndLazyQuotes(t *testing.T) {
	tb, err := Read(strings.NewReader("Name;City\nACME \"Big\" Co;Berlin\n"), Limits{})
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{{"Name", "City"}, {`ACME "Big" Co`, "Berlin"}}
	if got := cells(tb); !reflect.DeepEqual(got, want) {
		t.Errorf("cells %q, want %q", got, want)
	}
}

func TestReadXLSXMergedHeaderAndBlankRows(t *testing.T) {
	f := excelize.NewFile()
	sh := f.GetSheetName(0)
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	// Row 1: a group header merged over A1:B1; row 2 the real headers, with
	// "联系方式" merged over C2:D2; rows 3 and 5 blank.
	must(f.SetCellValue(sh, "A1", "客户信息"))
	must(f.MergeCell(sh, "A1", "B1"))
	must(f.SetSheetRow(sh, "A2", &[]any{"公司名称", "统一社会信用代码", "联系方式"}))
	must(f.MergeCell(sh, "C2", "D2"))
	must(f.SetSheetRow(sh, "A4", &[]any{"甲公司", "91350100M000100Y43", "电话", 12}))
	must(f.SetSheetRow(sh, "A6", &[]any{"乙公司"}))
	var buf bytes.Buffer
	must(f.Write(&buf))
	tb, err := Read(&buf, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{
		{"客户信息", "客户信息"},
		{"公司名称", "统一社会信用代码", "联系方式", "联系方式"},
		{"甲公司", "91350100M000100Y43", "电话", "12"},
		{"乙公司"},
	}
	if got := cells(tb); !reflect.DeepEqual(got, want) {
		t.Errorf("cells %q, want %q", got, want)
	}
	if lines := []int{tb.Rows[0].Line, tb.Rows[1].Line, tb.Rows[2].Line, tb.Rows[3].Line}; !reflect.DeepEqual(lines, []int{1, 2, 4, 6}) {
		t.Errorf("lines %v", lines)
	}
}

func TestReadLimits(t *testing.T) {
	for _, tc := range []struct {
		name string
		data string
		lim  Limits
		want error
	}{
		{"empty", "", Limits{}, ErrEmpty},
		{"blank lines only", "\n \n,,\n", Limits{}, ErrEmpty},
		{"too large", strings.Repeat("a,b\n", 100), Limits{MaxBytes: 50}, ErrTooLarge},
		{"too many rows", strings.Repeat("a,b\n", 10), Limits{MaxRows: 5}, ErrTooMany},
		{"too wide", strings.Repeat("a,", 20) + "a\n", Limits{MaxCols: 10}, ErrTooWide},
		{"cell", strings.Repeat("x", 100) + "\n", Limits{MaxCell: 10}, ErrCell},
		{"bad zip", "PK\x03\x04garbage", Limits{}, ErrBadFile},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Read(strings.NewReader(tc.data), tc.lim)
			if !errors.Is(err, tc.want) {
				t.Errorf("err %v, want %v", err, tc.want)
			}
		})
	}
}
