package sheet

import (
	"fmt"
	"io"
	"time"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
)

// maxSheetName is Excel's limit on a sheet's name.
const maxSheetName = 31

// WriteXLSX writes each table as a sheet with a bold header row; money as
// numbers with two decimals, dates as dates. It streams rows, so a large
// export does not hold every cell in memory twice.
func WriteXLSX(w io.Writer, tables ...Table) error {
	if len(tables) == 0 {
		return fmt.Errorf("sheet: no table to write")
	}
	f := excelize.NewFile()
	defer f.Close()
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return err
	}
	money, err := f.NewStyle(&excelize.Style{NumFmt: 4}) // #,##0.00
	if err != nil {
		return err
	}
	dateFmt := "yyyy-mm-dd"
	day, err := f.NewStyle(&excelize.Style{CustomNumFmt: &dateFmt})
	if err != nil {
		return err
	}
	stampFmt := "yyyy-mm-dd hh:mm"
	stamp, err := f.NewStyle(&excelize.Style{CustomNumFmt: &stampFmt})
	if err != nil {
		return err
	}
	used := map[string]bool{}
	for i, t := range tables {
		name := sheetName(t.Title, i, used)
		if i == 0 {
			if err := f.SetSheetName("Sheet1", name); err != nil {
				return err
			}
		} else if _, err := f.NewSheet(name); err != nil {
			return err
		}
		sw, err := f.NewStreamWriter(name)
		if err != nil {
			return err
		}
		head := make([]any, len(t.Columns))
		for j, c := range t.Columns {
			head[j] = excelize.Cell{StyleID: bold, Value: c}
		}
		if err := sw.SetRow("A1", head); err != nil {
			return err
		}
		for r, row := range t.Rows {
			cells := make([]any, len(row))
			for j, c := range row {
				cells[j] = xlsxCell(c, money, day, stamp)
			}
			ref, err := excelize.CoordinatesToCellName(1, r+2)
			if err != nil {
				return err
			}
			if err := sw.SetRow(ref, cells); err != nil {
				return err
			}
		}
		if err := sw.Flush(); err != nil {
			return err
		}
	}
	return f.Write(w)
}

func xlsxCell(c any, money, day, stamp int) any {
	switch v := c.(type) {
	case nil:
		return nil
	case Money:
		// Yuan as a float is exact to the fen for any amount below 2^53 fen.
		return excelize.Cell{StyleID: money, Value: float64(v) / 100}
	case Date:
		return excelize.Cell{StyleID: day, Value: time.Time(v)}
	case time.Time:
		return excelize.Cell{StyleID: stamp, Value: v.UTC()}
	case string:
		return v
	case bool, int, int64, float64:
		return v
	}
	return fmt.Sprint(c)
}

// sheetName makes a valid, unique sheet name from a title: Excel refuses
// names over 31 characters, with []:*?/\ in them, or used twice.
func sheetName(title string, i int, used map[string]bool) string {
	clean := make([]rune, 0, len(title))
	for _, r := range title {
		switch r {
		case '[', ']', ':', '*', '?', '/', '\\':
			r = '_'
		}
		clean = append(clean, r)
	}
	name := string(clean)
	if name == "" {
		name = fmt.Sprintf("Sheet%d", i+1)
	}
	for utf8.RuneCountInString(name) > maxSheetName {
		r := []rune(name)
		name = string(r[:maxSheetName])
	}
	base := name
	for n := 2; used[name]; n++ {
		suffix := fmt.Sprintf(" (%d)", n)
		r := []rune(base)
		if len(r)+len(suffix) > maxSheetName {
			r = r[:maxSheetName-len(suffix)]
		}
		name = string(r) + suffix
	}
	used[name] = true
	return name
}
