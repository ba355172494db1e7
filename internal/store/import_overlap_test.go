package store_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/dealpath/dealpath/internal/crm"
	"github.com/dealpath/dealpath/internal/store"
	"github.com/dealpath/dealpath/internal/store/storetest"
)

// TestImportWritesWhileChecking imports a file of several blocks, so that
// the first blocks are written while later ones are still checked, with a
// duplicate of an early row and a bad row near the end: all-or-nothing and
// dry run must leave the database as it was even though writing had begun,
// skip-bad-rows must write every other row, and the duplicate must point
// at the earlier row as in file order.
func TestImportWritesWhileChecking(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newImportEnv(t, db)
		lines := strings.Split(strings.TrimSuffix(string(accountsCSV("块", 3500)), "\n"), "\n")
		// Row 3400 (line 3402) repeats the name of row 5 (line 7); row
		// 3450 has a headcount that is not a number.
		cells := strings.Split(lines[3401], ",")
		cells[0] = "块客户000005有限公司"
		lines[3401] = strings.Join(cells, ",")
		cells = strings.Split(lines[3451], ",")
		cells[2] = "很多"
		lines[3451] = strings.Join(cells, ",")
		file := []byte(strings.Join(lines, "\n") + "\n")

		before := e.counts()
		for _, mode := range []string{crm.ImportDryRun, crm.ImportAllOrNothing} {
			res := e.run(e.admin, crm.KindAccounts, mode, file)
			if res.Bad != 2 || res.Good != 3498 || res.Inserted != 0 || res.Failed != (mode == crm.ImportAllOrNothing) {
				t.Fatalf("%s: bad %d good %d inserted %d failed %v", mode, res.Bad, res.Good, res.Inserted, res.Failed)
			}
			if after := e.counts(); fmt.Sprint(before) != fmt.Sprint(after) {
				t.Fatalf("%s changed the database: %v → %v", mode, before, after)
			}
		}
		res := e.run(e.admin, crm.KindAccounts, crm.ImportSkipBadRows, file)
		if res.Bad != 2 || res.Inserted != 3498 {
			t.Fatalf("skip: bad %d inserted %d", res.Bad, res.Inserted)
		}
		if br := res.BadRows[0]; br.Line != 3402 || br.Problems[0].Message.Key != "import.problem.duplicate_in_file" ||
			fmt.Sprint(br.Problems[0].Message.Args) != "[7]" {
			t.Errorf("first bad row %d: %+v, want line 3402 a duplicate of line 7", br.Line, br.Problems)
		}
		if res.BadRows[1].Line != 3452 {
			t.Errorf("second bad row on line %d, want 3452", res.BadRows[1].Line)
		}
		after := e.counts()
		if after["accounts"] != before["accounts"]+3498 || after["audit_log"] != before["audit_log"]+1 {
			t.Errorf("skip wrote %v → %v, want 3498 accounts and one audit row", before, after)
		}
	})
}
