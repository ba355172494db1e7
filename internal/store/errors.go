package store

import (
	"database/sql"
	"errors"

	"github.com/dealpath/dealpath/internal/crm"
	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"
)

// SQLite extended result codes (sqlite3.h).
const (
	sqliteConstraintUnique     = 2067
	sqliteConstraintPrimaryKey = 1555
	sqliteConstraintForeignKey = 787
	// Primary result codes: the low byte of an extended code.
	sqliteBusy   = 5 // another connection holds the lock past busy_timeout
	sqliteLocked = 6 // a lock inside this connection's own database
)

// PostgreSQL SQLSTATEs of a transaction that lost a race and was rolled
// back, or gave up waiting for a lock: sent again, it normally succeeds.
var pgRetryable = map[string]bool{
	"40001": true, // serialization_failure
	"40P01": true, // deadlock_detected
	"55P03": true, // lock_not_available (lock_timeout, NOWAIT)
}

// isRetryable reports an engine error that says the database was busy,
// not that the request or the data were wrong.
func isRetryable(err error) bool {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pgRetryable[pe.Code]
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		c := se.Code() & 0xff
		return c == sqliteBusy || c == sqliteLocked
	}
	return false
}

// ClassifyError implements crm.ErrorClassifier: a deadlock, a
// serialization failure or a lock timeout becomes crm.EUNAVAILABLE, which
// the web layer answers with 503 and Retry-After; any other error is
// returned as it is.
func (db *DB) ClassifyError(err error) error {
	var de *crm.Error
	if errors.As(err, &de) || !isRetryable(err) {
		return err
	}
	return crm.Unavailable(err)
}

func isUniqueViolation(err error) bool {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code == "23505"
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		return se.Code() == sqliteConstraintUnique || se.Code() == sqliteConstraintPrimaryKey
	}
	return false
}

func isForeignKeyViolation(err error) bool {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code == "23503"
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		return se.Code() == sqliteConstraintForeignKey
	}
	return false
}

// notFound maps sql.ErrNoRows to the domain's not_found for kind.
func notFound(err error, kind string) error {
	if errors.Is(err, sql.ErrNoRows) {
		return crm.NotFound(kind)
	}
	return err
}

// duplicate is the domain error for a unique key taken by another record,
// reported on the field the user can change.
func duplicate(field string) error {
	return &crm.Error{Code: crm.ECONFLICT, Message: crm.Msg("error.duplicate"), Fields: map[string]crm.Message{field: crm.Msg("field.duplicate")}}
}

// inUse refuses to delete a record that live records still refer to.
func inUse(kind string) error {
	return crm.Errorf(crm.ECONFLICT, "error.in_use", crm.Msg("record."+kind))
}
