package tabular

import (
	"bytes"
	"fmt"

	"github.com/xuri/excelize/v2"
)

// maxMergedFill caps how many cells merged ranges may fill in, so that a
// file merging A1:XFD1048576 cannot make the reader allocate billions.
const maxMergedFill = 200_000

// readXLSX reads the first visible sheet. Values come formatted as the
// sheet shows them (a date cell reads "2026-03-01", money "1,234.50"),
// which is what the user saw and what the domain parses. A merged range
// reads its value in every cell it covers, so a header merged across two
// columns, or a company name merged down several rows, names each of them.
func readXLSX(data []byte, lim Limits) (t *Table, err error) {
	// excelize panics on some malformed archives; a bad upload is the
	// file's fault and must come back as an error, never take the server down.
	defer func() {
		if r := recover(); r != nil {
			t, err = nil, fmt.Errorf("%w: %v", ErrBadFile, r)
		}
	}()
	f, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{
		UnzipSizeLimit:    8 * lim.MaxBytes,
		UnzipXMLSizeLimit: lim.MaxBytes,
	})
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadFile, err)
	}
	defer f.Close()
	sheet := ""
	for _, name := range f.GetSheetList() {
		if visible, err := f.GetSheetVisible(name); err == nil && visible {
			sheet = name
			break
		}
	}
	if sheet == "" {
		return nil, ErrEmpty
	}
	merged, err := mergedValues(f, sheet, lim)
	if err != nil {
		return nil, err
	}
	rows, err := f.Rows(sheet)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadFile, err)
	}
	defer rows.Close()
	t = &Table{Format: "xlsx"}
	line := 0
	for rows.Next() {
		line++
		if line > lim.MaxRows {
			return nil, ErrTooMany
		}
		cells, err := rows.Columns()
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrBadFile, err)
		}
		for col, v := range merged[line] {
			if col >= lim.MaxCols {
				continue
			}
			for len(cells) <= col {
				cells = append(cells, "")
			}
			if cells[col] == "" {
				cells[col] = v
			}
		}
		if err := t.add(line, cells, lim); err != nil {
			return nil, err
		}
	}
	if err := rows.Error(); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadFile, err)
	}
	if len(t.Rows) == 0 {
		return nil, ErrEmpty
	}
	return t, nil
}

// mergedValues maps row → column (0-based) → the value of the merged range
// covering that cell, for every cell but a range's first.
func mergedValues(f *excelize.File, sheet string, lim Limits) (map[int]map[int]string, error) {
	ranges, err := f.GetMergeCells(sheet)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadFile, err)
	}
	out := map[int]map[int]string{}
	filled := 0
	for _, m := range ranges {
		v := m.GetCellValue()
		if v == "" {
			continue
		}
		c1, r1, err1 := excelize.CellNameToCoordinates(m.GetStartAxis())
		c2, r2, err2 := excelize.CellNameToCoordinates(m.GetEndAxis())
		if err1 != nil || err2 != nil || c2 < c1 || r2 < r1 {
			continue
		}
		if r2 > lim.MaxRows {
			r2 = lim.MaxRows
		}
		if c2 > lim.MaxCols {
			c2 = lim.MaxCols
		}
		for r := r1; r <= r2; r++ {
			for c := c1; c <= c2; c++ {
				if r == r1 && c == c1 {
					continue
				}
				if filled++; filled > maxMergedFill {
					return nil, ErrTooWide
				}
				if out[r] == nil {
					out[r] = map[int]string{}
				}
				out[r][c-1] = v
			}
		}
	}
	return out, nil
}
