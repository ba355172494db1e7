package tabular

import (
	"bytes"
	"testing"
)

// FuzzRead: no input makes the reader panic or break its limits.
func FuzzRead(f *testing.F) {
	f.Add([]byte("公司名称,电话\n甲,1\n"))
	f.Add([]byte("\xEF\xBB\xBFa,b\n\"x\"\"y\",2\n"))
	f.Add([]byte{0xb9, 0xab, 0xcb, 0xbe, ',', 'a', '\n'})
	f.Add([]byte("PK\x03\x04"))
	lim := Limits{MaxBytes: 1 << 16, MaxRows: 100, MaxCols: 20, MaxCell: 256}
	f.Fuzz(func(t *testing.T, data []byte) {
		tb, err := Read(bytes.NewReader(data), lim)
		if err != nil {
			return
		}
		if len(tb.Rows) == 0 || len(tb.Rows) > lim.MaxRows {
			t.Fatalf("%d rows", len(tb.Rows))
		}
		for _, r := range tb.Rows {
			if len(r.Cells) > lim.MaxCols && tb.Format == "csv" {
				t.Fatalf("%d cells", len(r.Cells))
			}
			for _, c := range r.Cells {
				if len(c) > lim.MaxCell {
					t.Fatalf("cell of %d bytes", len(c))
				}
			}
		}
	})
}
