package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"

	"github.com/dealpath/dealpath/internal/crm"
)

// CreateDemo records a demo on a live deal with its attendees (live
// contacts of the deal's account) and its ROI lines, all in one
// transaction, and sets its id.
func (db *DB) CreateDemo(ctx context.Context, d *crm.Demo) error {
	prep, err := json.Marshal(d.Prep)
	if err != nil {
		return err
	}
	if d.Prep == nil {
		prep = []byte("[]")
	}
	return db.inTx(ctx, func(tx *sql.Tx) error {
		accountID, err := db.liveDealAccount(ctx, tx, d.DealID)
		if err != nil {
			return err
		}
		for i, a := range d.Attendees {
			if err := db.requireAccountContact(ctx, tx, a.ContactID, accountID, fmt.Sprintf("attendees.%d.contact_id", i)); err != nil {
				return err
			}
		}
		err = tx.QueryRowContext(ctx, db.q(`INSERT INTO demos (deal_id, version, held_on, prep, story, feedback, next_step,
			created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`),
			d.DealID, d.Version, d.HeldOn.String(), string(prep), d.Story, d.Feedback, d.NextStep, d.CreatedBy,
			db.t(d.CreatedAt), db.t(d.UpdatedAt)).Scan(&d.ID)
		if err != nil {
			return err
		}
		for i, a := range d.Attendees {
			_, err := tx.ExecContext(ctx, db.q("INSERT INTO demo_attendees (demo_id, contact_id, role) VALUES (?, ?, ?)"), d.ID, a.ContactID, a.Role)
			if isUniqueViolation(err) {
				return &crm.Error{Code: crm.EINVALID, Message: crm.Msg("error.invalid"),
					Fields: map[string]crm.Message{fmt.Sprintf("attendees.%d.contact_id", i): crm.Msg("field.repeated")}}
			}
			if err != nil {
				return err
			}
		}
		for i, l := range d.ROI.Lines {
			if _, err := tx.ExecContext(ctx, db.q("INSERT INTO demo_roi_lines (demo_id, position, kind, category, amount) VALUES (?, ?, ?, ?, ?)"),
				d.ID, i, l.Kind, l.Category, l.Amount); err != nil {
				return err
			}
		}
		return nil
	})
}

// DealDemos returns the demos of a deal, oldest first, each with its
// attendees (in contact order), its ROI lines (in the order entered) and
// the ROI computed from them by crm.ComputeROI.
func (db *DB) DealDemos(ctx context.Context, dealID int64) ([]*crm.Demo, error) {
	rows, err := db.read.QueryContext(ctx, db.q(`SELECT id, deal_id, version, held_on, prep, story, feedback, next_step,
		created_by, created_at, updated_at FROM demos WHERE deal_id = ? ORDER BY held_on, id`), dealID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []*crm.Demo{}
	byID := map[int64]*crm.Demo{}
	for rows.Next() {
		d := &crm.Demo{Attendees: []crm.DemoAttendee{}, Prep: []string{}}
		var prep string
		if err := rows.Scan(&d.ID, &d.DealID, &d.Version, &d.HeldOn, &prep, &d.Story, &d.Feedback, &d.NextStep,
			&d.CreatedBy, timeCol{&d.CreatedAt}, timeCol{&d.UpdatedAt}); err != nil {
			return nil, err
		}
		if prep != "" {
			if err := json.Unmarshal([]byte(prep), &d.Prep); err != nil {
				return nil, fmt.Errorf("demo %d: prep: %w", d.ID, err)
			}
		}
		out = append(out, d)
		byID[d.ID] = d
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows.Close()
	if len(out) == 0 {
		return out, nil
	}

	// Demos never change once recorded and are written whole in one
	// transaction, so rows of a demo created since the first query are
	// simply not asked for by id.
	lines := map[int64][]crm.ROILine{}
	err = db.eachRow(ctx, `SELECT a.demo_id, a.contact_id, a.role FROM demo_attendees a JOIN demos d ON d.id = a.demo_id
		WHERE d.deal_id = ? ORDER BY a.demo_id, a.contact_id`, dealID, func(rows *sql.Rows) error {
		var demoID int64
		var a crm.DemoAttendee
		if err := rows.Scan(&demoID, &a.ContactID, &a.Role); err != nil {
			return err
		}
		if d := byID[demoID]; d != nil {
			d.Attendees = append(d.Attendees, a)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	err = db.eachRow(ctx, `SELECT l.demo_id, l.kind, l.category, l.amount FROM demo_roi_lines l JOIN demos d ON d.id = l.demo_id
		WHERE d.deal_id = ? ORDER BY l.demo_id, l.position`, dealID, func(rows *sql.Rows) error {
		var demoID int64
		var l crm.ROILine
		if err := rows.Scan(&demoID, &l.Kind, &l.Category, &l.Amount); err != nil {
			return err
		}
		lines[demoID] = append(lines[demoID], l)
		return nil
	})
	if err != nil {
		return nil, err
	}
	for _, d := range out {
		d.ROI = crm.ComputeROI(lines[d.ID])
	}
	return out, nil
}

// eachRow runs a read query with one argument and calls fn for every row.
func (db *DB) eachRow(ctx context.Context, query string, arg any, fn func(rows *sql.Rows) error) error {
	rows, err := db.read.QueryContext(ctx, db.q(query), arg)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}
