package store

import (
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/dealpath/dealpath/internal/crm"
)

// sortSpec is one sortable field of a list: its SQL expression per engine
// (nullable columns are wrapped in COALESCE with a sentinel that sorts them
// last, so that keyset pagination never meets a NULL) and how its cursor
// value is written back as a query argument.
type sortSpec struct {
	sqlite   string
	postgres string
	kind     byte // 's' text, 'i' integer, 't' time, 'd' date
}

// listQuery is a list in the making: what to select, from where, under which
// conditions, and the sort fields it offers.
type listQuery struct {
	cols string
	from string
	// countFrom, when set, is what the total counts over: the from clause
	// without joins that only add columns, so counting skips them.
	countFrom string
	idCol     string
	where     []string
	args      []any
	sorts     map[string]sortSpec
	defSrt    string
	// searches are the text searches, turned into SQL by run, which knows
	// the engine (see search).
	searches []textSearch
	// countWhere replaces conditions of where, by index, in the count of
	// with_total: the same rows, said in a form the count runs faster in
	// (see scope), for SQLite and for PostgreSQL. The replacement takes the
	// same arguments in the same order.
	countWhere map[int][2]string
	// total, when set, is a query that counts the list's rows from a
	// summary kept exact by triggers, for lists whose conditions the
	// summary can answer; run uses it for with_total instead of counting
	// the rows themselves.
	total *summaryCount
}

// summaryCount is a count query over a summary table and its arguments.
type summaryCount struct {
	sql  string
	args []any
}

// ownerSummaryScope is the condition of scope s on a summary table kept
// per owner (column owner_id), the same rows as listQuery.scope.
func ownerSummaryScope(s crm.Scope) ([]string, []any) {
	switch {
	case s.All:
		return nil, nil
	case s.TeamID != 0:
		return []string{"owner_id IN (SELECT CAST(? AS BIGINT) UNION ALL SELECT id FROM users WHERE team_id = ?)"}, []any{s.OwnerID, s.TeamID}
	default:
		return []string{"owner_id = ?"}, []any{s.OwnerID}
	}
}

// textSearch is one search condition: its LIKE pattern on any of its
// columns.
type textSearch struct {
	cols    []string
	pattern string
	// fts, when set, is the SQLite FTS5 trigram table that indexes the one
	// column (migration 0009), with idCol the list's id column and text the
	// search text; see ftsCondition.
	fts, idCol, text string
	// pairs, when set, is the table of neighbouring character pairs of
	// the one column (migration 0016) that serves texts of one or two
	// characters on both engines; see pairCondition.
	pairs string
}

func (lq *listQuery) and(cond string, args ...any) {
	lq.where = append(lq.where, cond)
	lq.args = append(lq.args, args...)
}

// scope restricts the list to what the actor may see, by the owner column.
func (lq *listQuery) scope(ownerCol string, s crm.Scope) {
	switch {
	case s.All:
	case s.TeamID != 0:
		// A page walks the sort index and keeps the team's rows as it
		// goes, which stops after a page while the team owns a fair share.
		// A count reads every match: as one IN list of owners it reads the
		// owner indexes, one range per member, instead of testing every
		// row of the table (at 1,000,000 deals 540 ms on SQLite, docs/benchmarks.md).
		// PostgreSQL scans the owner index only for = ANY(ARRAY(…)); an IN
		// subquery it hash-joins against the whole table.
		if lq.countWhere == nil {
			lq.countWhere = map[int][2]string{}
		}
		owners := "SELECT CAST(? AS BIGINT) UNION ALL SELECT id FROM users WHERE team_id = ?"
		lq.countWhere[len(lq.where)] = [2]string{
			fmt.Sprintf("%s IN (%s)", ownerCol, owners),
			fmt.Sprintf("%s = ANY(ARRAY(%s))", ownerCol, owners),
		}
		// The unary plus keeps the page from using an index that leads
		// with the owner (SQLite would then read and sort every deal of
		// the team: 74 ms instead of 10 ms at 1,000,000 deals, more for a
		// larger team), so that it walks the sort index and stops early.
		lq.and(fmt.Sprintf("(+%s = ? OR +%s IN (SELECT id FROM users WHERE team_id = ?))", ownerCol, ownerCol), s.OwnerID, s.TeamID)
	default:
		lq.and(ownerCol+" = ?", s.OwnerID)
	}
}

// search adds a substring match on a name column that ignores the case of
// Latin letters. LIKE with % on both sides works for Chinese, where
// word-based search does not.
func (lq *listQuery) search(col, q string) { lq.searchAny(q, col) }

// searchIndexed is search on a column that migration 0009 indexes by
// trigrams: on PostgreSQL a pg_trgm GIN index on the same lower(… COLLATE
// "C") expression serves the LIKE as it stands; on SQLite the FTS5 table
// fts is consulted first (ftsCondition). pairs, when not empty, names the
// character pair table of the column (migration 0016), which serves texts
// too short for a trigram (pairCondition).
func (lq *listQuery) searchIndexed(col, q, fts, pairs string) {
	lq.searchAny(q, col)
	if n := len(lq.searches); n > 0 && lq.searches[n-1].cols[0] == col {
		s := &lq.searches[n-1]
		s.fts, s.idCol, s.text, s.pairs = fts, lq.idCol, strings.TrimSpace(q), pairs
	}
}

// ftsRareLimit is how many trigram matches a search may have for the list
// to start from them. Past it the matches are common enough that walking
// the list's sort index and filtering finds a page sooner than fetching
// and sorting every match.
const ftsRareLimit = 2000

// ftsCondition returns, on SQLite, an extra condition that restricts a
// search to the rows its FTS5 trigram table matches, when that pays: the
// text has at least three characters (a trigram) and matches fewer than
// ftsRareLimit rows, which one cheap query counts. The LIKE stays beside
// it, so results are exactly those of the LIKE alone (the trigram match
// folds case more widely than the LIKE does, never less).
func (db *DB) ftsCondition(ctx context.Context, s textSearch) (string, any, error) {
	if db.engine != SQLite || s.fts == "" || utf8.RuneCountInString(s.text) < 3 {
		return "", nil, nil
	}
	phrase := `"` + strings.ReplaceAll(s.text, `"`, `""`) + `"`
	var n int
	err := db.read.QueryRowContext(ctx, "SELECT COUNT(*) FROM (SELECT 1 FROM "+s.fts+" WHERE "+s.fts+" MATCH ? LIMIT ?)",
		phrase, ftsRareLimit).Scan(&n)
	if err != nil {
		return "", nil, err
	}
	if n >= ftsRareLimit {
		return "", nil, nil
	}
	return s.idCol + " IN (SELECT rowid FROM " + s.fts + " WHERE " + s.fts + " MATCH ?)", phrase, nil
}

// pairRareLimit is ftsRareLimit for the pair table. pairCondition reads
// the matching ids themselves, so fewer are read: past 500 matches (one
// name in 400 at 200,000 accounts) walking the name index finds a page
// after some 8,000 names.
const pairRareLimit = 500

// pairCondition returns, on either engine, an extra condition that
// restricts a search of one or two characters to the rows whose column
// holds that pair of neighbouring characters (or, for one character, a
// pair that starts with it) in the pair table s.pairs, when fewer than
// pairRareLimit pairs match; past that the text is common and walking the
// sort index finds a page sooner. The table holds the pairs of the very
// text the LIKE reads (lower() of ASCII letters only, no other folding),
// so a row has the pair exactly when the LIKE matches it; the LIKE stays
// beside it all the same. The table has the columns c1, c2 and
// account_id (migration 0016).
//
// The matches are read in key order: with LIMIT alone PostgreSQL may scan
// the whole table, expecting to meet enough matches early, and for a text
// that matches nothing it reads every pair (731 ms at 200,000 accounts).
// On PostgreSQL the list then gets the ids themselves, whose number the
// planner sees; from a subquery it guesses, and may walk the name index
// past every account. SQLite plans the subquery from its primary key
// (TestShortSearchUsesPairsAndMatchesLike).
func (db *DB) pairCondition(ctx context.Context, s textSearch) (string, []any, error) {
	if s.pairs == "" {
		return "", nil, nil
	}
	runes := []rune(asciiLower(s.text))
	var cond string
	var args []any
	switch len(runes) {
	case 1:
		cond, args = "c1 = ?", []any{string(runes[0])}
	case 2:
		cond, args = "c1 = ? AND c2 = ?", []any{string(runes[0]), string(runes[1])}
	default:
		return "", nil, nil
	}
	var q querier = db.read
	if db.engine == Postgres {
		// Only a plain walk of the primary key stops after pairRareLimit
		// matches: the planner, guessing few, took a bitmap scan that
		// fetched all 20,000 rows of a common pair (254 ms) or, with
		// LIMIT alone, a scan of the whole table. The settings last until
		// the read-only transaction ends.
		tx, err := db.read.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
		if err != nil {
			return "", nil, err
		}
		defer tx.Rollback() //nolint:errcheck // read-only: nothing to keep
		if _, err := tx.ExecContext(ctx, "SET LOCAL enable_seqscan = off; SET LOCAL enable_bitmapscan = off"); err != nil {
			return "", nil, err
		}
		q = tx
	}
	rows, err := q.QueryContext(ctx, db.q("SELECT account_id FROM "+s.pairs+" WHERE "+cond+" ORDER BY c1, c2, account_id LIMIT ?"),
		append(args, pairRareLimit)...)
	if err != nil {
		return "", nil, err
	}
	defer rows.Close()
	n := 0
	seen := map[int64]bool{}
	ids := []int64{}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return "", nil, err
		}
		n++
		if !seen[id] {
			seen[id] = true
			ids = append(ids, id)
		}
	}
	if err := rows.Err(); err != nil {
		return "", nil, err
	}
	if n >= pairRareLimit {
		return "", nil, nil
	}
	if db.engine == Postgres {
		return s.idCol + " = ANY(?)", []any{ids}, nil
	}
	return s.idCol + " IN (SELECT account_id FROM " + s.pairs + " WHERE " + cond + ")", args, nil
}

// searchAny is search on several columns: a row matches when any of them
// does.
func (lq *listQuery) searchAny(q string, cols ...string) {
	q = strings.TrimSpace(q)
	if q == "" {
		return
	}
	lq.searches = append(lq.searches, textSearch{cols: cols, pattern: "%" + likeEscape(asciiLower(q)) + "%"})
}

// searchSQL is the condition of a search on the engine. PostgreSQL's lower()
// follows the column's collation and lowers Ü to ü as well, so a search for
// the very text stored would miss it; under the C collation it lowers ASCII
// only, as SQLite's lower() and asciiLower do.
//
// A search on several columns is their conditions joined by OR, each with
// its own copy of the pattern among the arguments.
func (db *DB) searchSQL(s textSearch) string {
	conds := make([]string, len(s.cols))
	for i, col := range s.cols {
		if db.engine == Postgres {
			col += ` COLLATE "C"`
		}
		conds[i] = "lower(" + col + ") LIKE ? ESCAPE '\\'"
	}
	if len(conds) == 1 {
		return conds[0]
	}
	return "(" + strings.Join(conds, " OR ") + ")"
}

func likeEscape(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return r.Replace(s)
}

// asciiLower lowers only ASCII letters: SQLite's lower() does the same, so
// both sides of the LIKE agree on every engine.
func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && 'Z' >= c {
			b[i] = c + 32
		}
	}
	return string(b)
}

// cursor is the decoded form of the opaque next_cursor: the sort key and id
// of the last row of the previous page.
type cursor struct {
	Sort string `json:"s"`
	Key  any    `json:"k"`
	ID   int64  `json:"i"`
}

func badCursor() error {
	return &crm.Error{Code: crm.EINVALID, Message: crm.Msg("error.invalid"), Fields: map[string]crm.Message{"cursor": crm.Msg("field.cursor")}}
}

func decodeCursor(s string) (*cursor, error) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || len(b) > 1024 {
		return nil, badCursor()
	}
	var c cursor
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.UseNumber()
	if err := dec.Decode(&c); err != nil {
		return nil, badCursor()
	}
	return &c, nil
}

func encodeCursor(c cursor) string {
	b, _ := json.Marshal(c)
	return base64.RawURLEncoding.EncodeToString(b)
}

// run executes the list: one page in keyset order, the next cursor, and
// the total when asked. scan reads one row; its last destination must be
// the sort key, which run appends to the selected columns.
func (db *DB) run(ctx context.Context, lq *listQuery, p crm.ListParams, scan func(rows *sql.Rows, sortKey *any) (id int64, err error)) (next string, total *int, err error) {
	field, desc := p.Sort, false
	if field == "" {
		field = lq.defSrt
	}
	if strings.HasPrefix(field, "-") {
		field, desc = field[1:], true
	}
	spec, ok := lq.sorts[field]
	if !ok {
		return "", nil, &crm.Error{Code: crm.EINVALID, Message: crm.Msg("error.invalid"), Fields: map[string]crm.Message{"sort": crm.Msg("field.sort")}}
	}
	expr := spec.sqlite
	if db.engine == Postgres {
		expr = spec.postgres
	}
	where, args, err := db.conditions(ctx, lq)
	if err != nil {
		return "", nil, err
	}

	if p.WithTotal && lq.total != nil {
		var n int
		if err := db.read.QueryRowContext(ctx, db.q(lq.total.sql), lq.total.args...).Scan(&n); err != nil {
			return "", nil, err
		}
		total = &n
	} else if p.WithTotal {
		var n int
		from := lq.from
		if lq.countFrom != "" {
			from = lq.countFrom
		}
		cw := append([]string(nil), where...)
		for i, c := range lq.countWhere {
			cw[i] = c[0]
			if db.engine == Postgres {
				cw[i] = c[1]
			}
		}
		qs := "SELECT COUNT(*) FROM " + from + whereSQL(cw)
		if err := db.read.QueryRowContext(ctx, db.q(qs), args...).Scan(&n); err != nil {
			return "", nil, err
		}
		total = &n
	}

	op, dir := ">", "ASC"
	if desc {
		op, dir = "<", "DESC"
	}
	if p.Cursor != "" {
		c, err := decodeCursor(p.Cursor)
		if err != nil {
			return "", nil, err
		}
		key, err := cursorArg(spec.kind, c.Key)
		if err != nil || c.Sort != p.Sort {
			return "", nil, badCursor()
		}
		// The leading single-column bound is implied by the row comparison;
		// it is there because SQLite seeks an index only on it, and would
		// otherwise walk every row before the cursor.
		where = append(where, fmt.Sprintf("%s %s= ? AND (%s, %s) %s (?, ?)", expr, op, expr, lq.idCol, op))
		args = append(args, key, key, c.ID)
	}
	qs := fmt.Sprintf("SELECT %s, %s FROM %s%s ORDER BY %s %s, %s %s LIMIT %d",
		lq.cols, expr, lq.from, whereSQL(where), expr, dir, lq.idCol, dir, p.Limit+1)
	rows, err := db.read.QueryContext(ctx, db.q(qs), args...)
	if err != nil {
		return "", nil, err
	}
	defer rows.Close()
	n := 0
	var lastKey any
	var lastID int64
	for rows.Next() {
		n++
		if n > p.Limit {
			next = encodeCursor(cursor{Sort: p.Sort, Key: cursorValue(spec.kind, lastKey), ID: lastID})
			break
		}
		var key any
		id, err := scan(rows, &key)
		if err != nil {
			return "", nil, err
		}
		lastKey, lastID = key, id
	}
	if err := rows.Err(); err != nil {
		return "", nil, err
	}
	return next, total, nil
}

// conditions returns the list's conditions and their arguments, with the
// text searches turned into SQL for the engine and, where an index serves
// them, the condition that lets the plan start from it.
func (db *DB) conditions(ctx context.Context, lq *listQuery) ([]string, []any, error) {
	where := append([]string(nil), lq.where...)
	args := append([]any(nil), lq.args...)
	for _, s := range lq.searches {
		where = append(where, db.searchSQL(s))
		for range s.cols {
			args = append(args, s.pattern)
		}
		cond, arg, err := db.ftsCondition(ctx, s)
		if err != nil {
			return nil, nil, err
		}
		if cond != "" {
			where = append(where, cond)
			args = append(args, arg)
		}
		cond, pargs, err := db.pairCondition(ctx, s)
		if err != nil {
			return nil, nil, err
		}
		if cond != "" {
			where = append(where, cond)
			args = append(args, pargs...)
		}
	}
	return where, args, nil
}

func whereSQL(conds []string) string {
	if len(conds) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(conds, " AND ")
}

// cursorValue turns a scanned sort key into a JSON-safe value.
func cursorValue(kind byte, v any) any {
	switch x := v.(type) {
	case []byte:
		return string(x)
	case time.Time:
		if kind == 'd' {
			return x.UTC().Format(crm.DateLayout)
		}
		return x.UTC().Format(timeLayout)
	}
	return v
}

// cursorArg checks a cursor's key against the sort field's kind, so that a
// forged cursor cannot smuggle a value of the wrong type into the query.
func cursorArg(kind byte, v any) (any, error) {
	switch kind {
	case 'i':
		n, ok := v.(json.Number)
		if !ok {
			return nil, badCursor()
		}
		return n.Int64()
	case 't':
		s, ok := v.(string)
		if !ok {
			return nil, badCursor()
		}
		t, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			return nil, badCursor()
		}
		return t.UTC().Format(timeLayout), nil
	case 'd':
		s, ok := v.(string)
		if !ok {
			return nil, badCursor()
		}
		if _, err := crm.ParseDate(s); err != nil {
			return nil, badCursor()
		}
		return s, nil
	default:
		// PostgreSQL refuses NUL and invalid UTF-8 in a text parameter with
		// an error that would surface as a 500.
		s, ok := v.(string)
		if !ok || !utf8.ValidString(s) || strings.ContainsRune(s, 0) {
			return nil, badCursor()
		}
		return s, nil
	}
}

// Sort specs shared by several lists.
func textSort(col string) sortSpec { return sortSpec{col, col, 's'} }
func intSort(col string) sortSpec  { return sortSpec{col, col, 'i'} }
func timeSort(col string) sortSpec { return sortSpec{col, col, 't'} }

// nullIntSort sorts a nullable integer with unknown values first (ascending).
func nullIntSort(col string) sortSpec {
	e := "COALESCE(" + col + ", -1)"
	return sortSpec{e, e, 'i'}
}

// nullDateSort sorts a nullable date with unknown values last (ascending).
func nullDateSort(col string) sortSpec {
	return sortSpec{"COALESCE(" + col + ", '9999-12-31')", "COALESCE(" + col + ", DATE '9999-12-31')", 'd'}
}

// nullTimeSort sorts a nullable time with unknown values last (ascending).
func nullTimeSort(col string) sortSpec {
	return sortSpec{"COALESCE(" + col + ", '9999-12-31T00:00:00.000000Z')", "COALESCE(" + col + ", TIMESTAMPTZ '9999-12-31 00:00:00Z')", 't'}
}
