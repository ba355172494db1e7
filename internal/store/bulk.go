package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/dealpath/dealpath/internal/crm"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
)

// Bulk loads many rows fast, for generated data (dealpath demo): rows are
// buffered per table and written, on SQLite, as multi-row INSERTs of SQL
// literals, and on PostgreSQL with COPY, inside transactions of many
// statements. Literals rather than parameters
// keep one statement at a thousand rows on either engine without meeting a
// parameter limit. Ids are assigned here, from each table's largest id, so
// that child rows can name their parents before anything is written; on
// PostgreSQL the identity sequences are moved past them at the end.
//
// Bulk bypasses the service: its caller is responsible for rows that keep
// every rule the service would (cmd/dealpath demo's tests check the result
// through the service and the web server).
type Bulk struct {
	db *DB
	// tx is the SQLite transaction; on PostgreSQL conn holds one session
	// whose transaction Bulk opens and closes itself, because COPY goes
	// through the driver's own connection, beside database/sql.
	tx     *sql.Tx
	conn   *sql.Conn
	tables []*BulkTable
	rows   int // rows buffered, all tables
	// Written counts rows written so far, all tables.
	Written int64
}

// BulkTable is one table's buffer.
type BulkTable struct {
	b      *Bulk
	name   string
	cols   []string
	head   string
	copy   [][]any // PostgreSQL: the rows for COPY
	hasID  bool
	nextID int64
	buf    strings.Builder
	n      int
}

const (
	bulkStatementRows = 1000
	bulkFlushRows     = 50_000
	// bulkCacheKB is SQLite's page cache during a bulk load, in KiB.
	bulkCacheKB = 512 * 1024
)

// BeginBulk starts a bulk load in a write transaction. On SQLite rows go in
// as multi-row INSERTs; on PostgreSQL with COPY, which is several times
// faster there.
func (db *DB) BeginBulk(ctx context.Context) (*Bulk, error) {
	b := &Bulk{db: db}
	if db.engine == Postgres {
		conn, err := db.write.Conn(ctx)
		if err != nil {
			return nil, err
		}
		b.conn = conn
		if _, err := conn.ExecContext(ctx, "BEGIN"); err != nil {
			conn.Close()
			return nil, err
		}
		return b, nil
	}
	// A large page cache for the load: every index of a growing table is
	// written at random places, and with SQLite's 2 MB default most of
	// those writes first read their page back from disk. The write pool is
	// one connection, so the setting reaches the transaction's connection;
	// Finish puts the default back.
	if _, err := db.write.ExecContext(ctx, fmt.Sprintf("PRAGMA cache_size = -%d", bulkCacheKB)); err != nil {
		return nil, err
	}
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	b.tx = tx
	return b, nil
}

// q is the querier of the open transaction.
func (b *Bulk) q() querier {
	if b.conn != nil {
		return b.conn
	}
	return b.tx
}

// Table registers a table and its column list ("id, name, …"). Tables are
// written in the order they are registered, so register parents first.
// When the first column is id, NextID hands out ids from the table's
// largest one.
func (b *Bulk) Table(ctx context.Context, name, columns string) (*BulkTable, error) {
	t := &BulkTable{b: b, name: name, head: "INSERT INTO " + name + " (" + columns + ") VALUES "}
	for _, c := range strings.Split(columns, ",") {
		t.cols = append(t.cols, strings.TrimSpace(c))
	}
	if t.cols[0] == "id" {
		t.hasID = true
		var max sql.NullInt64
		if err := b.q().QueryRowContext(ctx, "SELECT MAX(id) FROM "+name).Scan(&max); err != nil {
			return nil, err
		}
		t.nextID = max.Int64 + 1
	}
	b.tables = append(b.tables, t)
	return t, nil
}

// NextID returns the id for the next row of the table.
func (t *BulkTable) NextID() int64 {
	id := t.nextID
	t.nextID++
	return id
}

// Add buffers one row; nothing is written until Flush, FlushIfFull or
// Commit, so rows of one record may be added in any order. Values may be nil, bool, int, int64, string,
// time.Time, crm.Date, *crm.Date, *int, *int64 or *string.
func (t *BulkTable) Add(values ...any) error {
	if len(values) != len(t.cols) {
		return fmt.Errorf("bulk insert into %s: %d values for %d columns", t.name, len(values), len(t.cols))
	}
	if t.b.conn != nil {
		row := make([]any, len(values))
		for i, v := range values {
			x, ok := copyValue(v)
			if !ok {
				return fmt.Errorf("bulk insert into %s: value %d: unsupported type %T", t.name, i, v)
			}
			row[i] = x
		}
		t.copy = append(t.copy, row)
		t.n++
		t.b.rows++
		return nil
	}
	if t.n%bulkStatementRows == 0 {
		if t.n > 0 {
			t.buf.WriteString(";\n")
		}
		t.buf.WriteString(t.head)
	} else {
		t.buf.WriteByte(',')
	}
	t.buf.WriteByte('(')
	for i, v := range values {
		if i > 0 {
			t.buf.WriteByte(',')
		}
		if !t.b.literal(&t.buf, v) {
			return fmt.Errorf("bulk insert into %s: value %d: unsupported type %T", t.name, i, v)
		}
	}
	t.buf.WriteByte(')')
	t.n++
	t.b.rows++
	return nil
}

// FlushIfFull writes the buffered rows once there are many. Call it between
// whole records (never between a parent and the children that name it, when
// the parent is added last).
func (b *Bulk) FlushIfFull(ctx context.Context) error {
	if b.rows >= bulkFlushRows {
		return b.Flush(ctx)
	}
	return nil
}

// literal writes v as an SQL literal; false for a type it does not know.
func (b *Bulk) literal(sb *strings.Builder, v any) bool {
	switch x := v.(type) {
	case nil:
		sb.WriteString("NULL")
	case bool:
		switch {
		case b.db.engine == Postgres && x:
			sb.WriteString("TRUE")
		case b.db.engine == Postgres:
			sb.WriteString("FALSE")
		case x:
			sb.WriteByte('1')
		default:
			sb.WriteByte('0')
		}
	case int:
		sb.WriteString(strconv.Itoa(x))
	case int64:
		sb.WriteString(strconv.FormatInt(x, 10))
	case string:
		sb.WriteByte('\'')
		sb.WriteString(strings.ReplaceAll(x, "'", "''"))
		sb.WriteByte('\'')
	case time.Time:
		sb.WriteByte('\'')
		sb.WriteString(x.UTC().Format(timeLayout))
		sb.WriteByte('\'')
	case crm.Date:
		sb.WriteByte('\'')
		sb.WriteString(x.String())
		sb.WriteByte('\'')
	case *crm.Date:
		if x == nil {
			sb.WriteString("NULL")
		} else {
			return b.literal(sb, *x)
		}
	case *int:
		if x == nil {
			sb.WriteString("NULL")
		} else {
			sb.WriteString(strconv.Itoa(*x))
		}
	case *int64:
		if x == nil {
			sb.WriteString("NULL")
		} else {
			sb.WriteString(strconv.FormatInt(*x, 10))
		}
	case *string:
		if x == nil {
			sb.WriteString("NULL")
		} else {
			return b.literal(sb, *x)
		}
	case *time.Time:
		if x == nil {
			sb.WriteString("NULL")
		} else {
			return b.literal(sb, *x)
		}
	default:
		return false
	}
	return true
}

// copyValue converts a value for pgx's COPY, which encodes Go values by
// the column's type.
func copyValue(v any) (any, bool) {
	switch x := v.(type) {
	case nil, bool, int64, string, time.Time:
		return x, true
	case int:
		return int64(x), true
	case crm.Date:
		return x.Time, true
	case *crm.Date:
		if x == nil {
			return nil, true
		}
		return x.Time, true
	case *int:
		if x == nil {
			return nil, true
		}
		return int64(*x), true
	case *int64:
		if x == nil {
			return nil, true
		}
		return *x, true
	case *string:
		if x == nil {
			return nil, true
		}
		return *x, true
	case *time.Time:
		if x == nil {
			return nil, true
		}
		return *x, true
	}
	return nil, false
}

// Flush writes every buffered row, parents first.
func (b *Bulk) Flush(ctx context.Context) error {
	for _, t := range b.tables {
		if t.n == 0 {
			continue
		}
		if b.conn != nil {
			err := b.conn.Raw(func(dc any) error {
				c, ok := dc.(*stdlib.Conn)
				if !ok {
					return fmt.Errorf("bulk load: unexpected driver connection %T", dc)
				}
				_, err := c.Conn().CopyFrom(ctx, pgx.Identifier{t.name}, t.cols, pgx.CopyFromRows(t.copy))
				return err
			})
			if err != nil {
				return fmt.Errorf("bulk copy into %s: %w", t.name, err)
			}
			t.copy = t.copy[:0]
		} else {
			if _, err := b.tx.ExecContext(ctx, t.buf.String()); err != nil {
				return fmt.Errorf("bulk insert into %s: %w", t.name, err)
			}
			t.buf.Reset()
		}
		b.Written += int64(t.n)
		t.n = 0
	}
	b.rows = 0
	return nil
}

// Commit writes what is buffered, commits, and begins the next
// transaction, so that a long load is a series of moderate transactions.
func (b *Bulk) Commit(ctx context.Context) error {
	if err := b.Flush(ctx); err != nil {
		return err
	}
	if b.conn != nil {
		if _, err := b.conn.ExecContext(ctx, "COMMIT"); err != nil {
			return err
		}
		_, err := b.conn.ExecContext(ctx, "BEGIN")
		return err
	}
	if err := b.tx.Commit(); err != nil {
		return err
	}
	tx, err := b.db.write.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	b.tx = tx
	return nil
}

// Finish commits the last rows and, on PostgreSQL, moves each table's id
// sequence past the ids handed out and analyzes the tables, as autovacuum
// would soon after such a load.
func (b *Bulk) Finish(ctx context.Context) error {
	if err := b.Flush(ctx); err != nil {
		b.Rollback() //nolint:errcheck // the flush error is the one to report
		return err
	}
	if b.conn == nil {
		if err := b.tx.Commit(); err != nil {
			return err
		}
		_, err := b.db.write.ExecContext(ctx, "PRAGMA cache_size = -2000")
		return err
	}
	defer b.conn.Close()
	for _, t := range b.tables {
		if !t.hasID {
			continue
		}
		if _, err := b.conn.ExecContext(ctx, fmt.Sprintf(
			"SELECT setval(pg_get_serial_sequence('%s', 'id'), GREATEST((SELECT MAX(id) FROM %s), 1))", t.name, t.name)); err != nil {
			b.conn.ExecContext(ctx, "ROLLBACK") //nolint:errcheck // the setval error is the one to report
			return err
		}
	}
	if _, err := b.conn.ExecContext(ctx, "COMMIT"); err != nil {
		return err
	}
	for _, t := range b.tables {
		if _, err := b.conn.ExecContext(ctx, "ANALYZE "+t.name); err != nil {
			return err
		}
	}
	return nil
}

// Rollback abandons the open transaction (after an error).
func (b *Bulk) Rollback() error {
	if b.conn != nil {
		_, err := b.conn.ExecContext(context.Background(), "ROLLBACK")
		return errors.Join(err, b.conn.Close())
	}
	err := b.tx.Rollback()
	_, perr := b.db.write.ExecContext(context.Background(), "PRAGMA cache_size = -2000")
	return errors.Join(err, perr)
}
