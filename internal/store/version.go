package store

import (
	"context"
	"database/sql"

	"github.com/dealpath/dealpath/internal/crm"
)

// rowMiss explains why a versioned UPDATE touched no row: the record named
// by id is missing (exists, a COUNT query with the id as its one argument,
// finds nothing: not_found) or someone else changed it since it was read
// (conflict). Inside a transaction, pass the transaction: on SQLite it
// holds the single writer connection, and the answer stays consistent with
// the failed write.
func (db *DB) rowMiss(ctx context.Context, q querier, res sql.Result, exists, kind string, id int64) error {
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 1 {
		return nil
	}
	var found int
	if err := q.QueryRowContext(ctx, db.q(exists), id).Scan(&found); err != nil {
		return err
	}
	if found == 0 {
		return crm.NotFound(kind)
	}
	return crm.Conflict()
}

// versionMiss is rowMiss for a table with soft delete: a deleted row is
// not found.
func (db *DB) versionMiss(ctx context.Context, q querier, res sql.Result, table, kind string, id int64) error {
	return db.rowMiss(ctx, q, res, "SELECT COUNT(*) FROM "+table+" WHERE id = ? AND deleted_at IS NULL", kind, id)
}

// checkVersioned is versionMiss for an UPDATE run outside a transaction,
// with the UPDATE's own error passed through first.
func (db *DB) checkVersioned(ctx context.Context, res sql.Result, err error, table, kind string, id int64) error {
	if err != nil {
		return err
	}
	return db.versionMiss(ctx, db.write, res, table, kind, id)
}

// checkVersionedPlain is checkVersioned for tables without soft delete.
func (db *DB) checkVersionedPlain(ctx context.Context, res sql.Result, err error, table, kind string, id int64) error {
	if err != nil {
		return err
	}
	return db.rowMiss(ctx, db.write, res, "SELECT COUNT(*) FROM "+table+" WHERE id = ?", kind, id)
}
