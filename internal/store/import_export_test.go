package store

import "database/sql"

// Raw lets the import tests count the rows of every table.
func (db *DB) Raw() *sql.DB { return db.read }
