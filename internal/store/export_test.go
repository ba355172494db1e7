package store

import (
	"context"
	"fmt"
	"strings"

	"github.com/dealpath/dealpath/internal/crm"
)

// ExplainAccountList returns the plan the engine makes for the page query
// of ListAccounts with f, sorted by name: one line per step, as EXPLAIN
// QUERY PLAN (SQLite) or EXPLAIN (PostgreSQL) prints it.
func ExplainAccountList(ctx context.Context, db *DB, f crm.AccountFilter) (string, error) {
	lq := db.accountList(f)
	where, args, err := db.conditions(ctx, lq)
	if err != nil {
		return "", err
	}
	qs := fmt.Sprintf("SELECT %s, a.name FROM %s%s ORDER BY a.name, a.id LIMIT %d", lq.cols, lq.from, whereSQL(where), f.Limit+1)
	if db.engine == SQLite {
		qs = "EXPLAIN QUERY PLAN " + qs
	} else {
		qs = "EXPLAIN " + qs
	}
	rows, err := db.read.QueryContext(ctx, db.q(qs), args...)
	if err != nil {
		return "", err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return "", err
	}
	var lines []string
	for rows.Next() {
		dest := make([]any, len(cols))
		for i := range dest {
			dest[i] = new(any)
		}
		if err := rows.Scan(dest...); err != nil {
			return "", err
		}
		lines = append(lines, fmt.Sprint(*dest[len(dest)-1].(*any)))
	}
	if err := rows.Err(); err != nil {
		return "", err
	}
	return strings.Join(lines, "\n"), nil
}
