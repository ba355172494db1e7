package store

import (
	"context"
	"database/sql"

	"github.com/dealpath/dealpath/internal/crm"
)

const competitorCols = `id, deal_id, version, name, strengths, weaknesses, status, created_at, updated_at`

func scanCompetitor(s interface{ Scan(...any) error }) (*crm.Competitor, error) {
	c := &crm.Competitor{}
	if err := s.Scan(&c.ID, &c.DealID, &c.Version, &c.Name, &c.Strengths, &c.Weaknesses, &c.Status,
		timeCol{&c.CreatedAt}, timeCol{&c.UpdatedAt}); err != nil {
		return nil, err
	}
	return c, nil
}

// CreateCompetitor records a competitor on a live deal and sets its id.
func (db *DB) CreateCompetitor(ctx context.Context, c *crm.Competitor) error {
	return db.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := db.liveDealAccount(ctx, tx, c.DealID); err != nil {
			return err
		}
		return tx.QueryRowContext(ctx, db.q(`INSERT INTO deal_competitors (deal_id, version, name, strengths, weaknesses, status,
			created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`),
			c.DealID, c.Version, c.Name, c.Strengths, c.Weaknesses, c.Status, db.t(c.CreatedAt), db.t(c.UpdatedAt)).Scan(&c.ID)
	})
}

// DealCompetitors returns the competitors of a deal in the order they were
// recorded.
func (db *DB) DealCompetitors(ctx context.Context, dealID int64) ([]*crm.Competitor, error) {
	rows, err := db.read.QueryContext(ctx, db.q("SELECT "+competitorCols+" FROM deal_competitors WHERE deal_id = ? ORDER BY id"), dealID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []*crm.Competitor{}
	for rows.Next() {
		c, err := scanCompetitor(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// CompetitorByID returns a competitor of the deal; one of another deal is
// not found.
func (db *DB) CompetitorByID(ctx context.Context, dealID, id int64) (*crm.Competitor, error) {
	row := db.read.QueryRowContext(ctx, db.q("SELECT "+competitorCols+" FROM deal_competitors WHERE id = ? AND deal_id = ?"), id, dealID)
	c, err := scanCompetitor(row)
	if err != nil {
		return nil, notFound(err, "competitor")
	}
	return c, nil
}

// UpdateCompetitor writes a competitor if its version is still
// expectVersion, and sets the new version.
func (db *DB) UpdateCompetitor(ctx context.Context, c *crm.Competitor, expectVersion int64) error {
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, db.q(`UPDATE deal_competitors SET version = version + 1, name = ?, strengths = ?,
			weaknesses = ?, status = ?, updated_at = ? WHERE id = ? AND deal_id = ? AND version = ?`),
			c.Name, c.Strengths, c.Weaknesses, c.Status, db.t(c.UpdatedAt), c.ID, c.DealID, expectVersion)
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		if err != nil || n == 1 {
			return err
		}
		var exists int
		if err := tx.QueryRowContext(ctx, db.q("SELECT COUNT(*) FROM deal_competitors WHERE id = ? AND deal_id = ?"), c.ID, c.DealID).Scan(&exists); err != nil {
			return err
		}
		if exists == 0 {
			return crm.NotFound("competitor")
		}
		return crm.Conflict()
	})
	if err != nil {
		return err
	}
	c.Version = expectVersion + 1
	return nil
}

// DeleteCompetitor removes a competitor of a deal. The row is deleted, not
// soft-deleted: a competitor who left the race is marked eliminated
// instead, so a deletion only undoes a mistake.
func (db *DB) DeleteCompetitor(ctx context.Context, dealID, id int64) error {
	res, err := db.write.ExecContext(ctx, db.q("DELETE FROM deal_competitors WHERE id = ? AND deal_id = ?"), id, dealID)
	if err != nil {
		return err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return crm.NotFound("competitor")
	}
	return nil
}
