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
)

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
