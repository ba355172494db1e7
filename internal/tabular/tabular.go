// Package tabular reads the spreadsheets people bring to an import: CSV in
// UTF-8, UTF-8 with a byte-order mark, or GB18030 (what Chinese Excel writes
// when it saves "CSV"), and XLSX. It turns them into rows of text cells and
// nothing more; what the columns mean is the domain's business (crm).
//
// A hostile file must not exhaust memory, so every read is bounded: the
// file's size, the number of rows and columns, and the size of one cell.
package tabular

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/simplifiedchinese"
)

// Limits bound what a read accepts. Zero fields take the defaults.
type Limits struct {
	MaxBytes int64 // size of the file
	MaxRows  int   // rows, blank ones included
	MaxCols  int   // cells in one row
	MaxCell  int   // bytes in one cell
}

// Default limits: far above any real export of a sales team, far below what
// would hurt the server.
const (
	DefaultMaxBytes = 64 << 20
	DefaultMaxRows  = 1_000_000
	DefaultMaxCols  = 200
	DefaultMaxCell  = 32 << 10
)

func (l Limits) withDefaults() Limits {
	if l.MaxBytes <= 0 {
		l.MaxBytes = DefaultMaxBytes
	}
	if l.MaxRows <= 0 {
		l.MaxRows = DefaultMaxRows
	}
	if l.MaxCols <= 0 {
		l.MaxCols = DefaultMaxCols
	}
	if l.MaxCell <= 0 {
		l.MaxCell = DefaultMaxCell
	}
	return l
}

// Row is one non-blank row of the file. Line is its 1-based row number in
// the file (the spreadsheet's row number, the CSV record number), which is
// what an error report must name so the user can find the row.
type Row struct {
	Line  int
	Cells []string
}

// Table is the content of a file: its non-blank rows in order. Blank rows
// are dropped, so a file with empty lines between blocks reads the same.
type Table struct {
	// Format is "csv" or "xlsx".
	Format string
	// Encoding names what a CSV was decoded from: "utf-8", "utf-8-bom" or
	// "gb18030"; empty for XLSX.
	Encoding string
	Rows     []Row
}

// Errors a read returns; each is the file's fault, not the server's.
var (
	ErrTooLarge = errors.New("tabular: file too large")
	ErrTooMany  = errors.New("tabular: too many rows")
	ErrTooWide  = errors.New("tabular: too many columns")
	ErrCell     = errors.New("tabular: cell too large")
	ErrEmpty    = errors.New("tabular: empty file")
	ErrBadFile  = errors.New("tabular: not a readable CSV or XLSX file")
)

// Read reads a CSV or XLSX file, telling them apart by content (an XLSX is
// a ZIP archive), not by name, since uploads are often misnamed.
func Read(r io.Reader, lim Limits) (*Table, error) {
	lim = lim.withDefaults()
	data, err := io.ReadAll(io.LimitReader(r, lim.MaxBytes+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > lim.MaxBytes {
		return nil, ErrTooLarge
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, ErrEmpty
	}
	if bytes.HasPrefix(data, []byte("PK\x03\x04")) {
		return readXLSX(data, lim)
	}
	return readCSV(data, lim)
}

// Decode turns CSV bytes into UTF-8 text: a byte-order mark means UTF-8;
// valid UTF-8 is UTF-8; anything else is taken for GB18030, the encoding
// Chinese Windows writes (a superset of GBK and GB2312).
func Decode(data []byte) (text []byte, encoding string, err error) {
	if b, ok := bytes.CutPrefix(data, []byte("\xEF\xBB\xBF")); ok {
		return b, "utf-8-bom", nil
	}
	if utf8.Valid(data) {
		return data, "utf-8", nil
	}
	out, err := simplifiedchinese.GB18030.NewDecoder().Bytes(data)
	if err != nil {
		return nil, "", ErrBadFile
	}
	return out, "gb18030", nil
}

func readCSV(data []byte, lim Limits) (*Table, error) {
	text, enc, err := Decode(data)
	if err != nil {
		return nil, err
	}
	t := &Table{Format: "csv", Encoding: enc}
	cr := csv.NewReader(bytes.NewReader(text))
	cr.FieldsPerRecord = -1
	// Excel and hand-edited files put stray quotes inside fields; a lazy
	// reader keeps such a row instead of failing the whole file on it.
	cr.LazyQuotes = true
	cr.Comma = sniffComma(text)
	n := 0
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrBadFile, err)
		}
		if n++; n > lim.MaxRows {
			return nil, ErrTooMany
		}
		// The line where the record starts, as a text editor or Excel
		// numbers it (the reader skips empty lines without counting them).
		line, _ := cr.FieldPos(0)
		if err := t.add(line, rec, lim); err != nil {
			return nil, err
		}
	}
	if len(t.Rows) == 0 {
		return nil, ErrEmpty
	}
	return t, nil
}

// sniffComma picks the separator of the first line: a comma unless the
// line has more semicolons or tabs (European Excel and tab exports).
func sniffComma(text []byte) rune {
	first, _, _ := bytes.Cut(text, []byte("\n"))
	best, n := ',', bytes.Count(first, []byte(","))
	for _, c := range []rune{';', '\t'} {
		if k := bytes.Count(first, []byte(string(c))); k > n {
			best, n = c, k
		}
	}
	return best
}

// add appends a row unless it is blank, enforcing the limits.
func (t *Table) add(line int, cells []string, lim Limits) error {
	if len(cells) > lim.MaxCols {
		// Trailing empty cells are what a spreadsheet pads rows with;
		// only real content counts against the limit.
		for len(cells) > 0 && strings.TrimSpace(cells[len(cells)-1]) == "" {
			cells = cells[:len(cells)-1]
		}
		if len(cells) > lim.MaxCols {
			return ErrTooWide
		}
	}
	blank := true
	for i, c := range cells {
		if len(c) > lim.MaxCell {
			return ErrCell
		}
		c = strings.ReplaceAll(c, "\x00", "")
		cells[i] = c
		if strings.TrimSpace(c) != "" {
			blank = false
		}
	}
	if blank {
		return nil
	}
	t.Rows = append(t.Rows, Row{Line: line, Cells: cells})
	return nil
}
