package store

import (
	"context"

	"github.com/dealpath/dealpath/internal/crm"
)

// insertAudit writes an audit row inside the transaction of the change.
func (db *DB) insertAudit(ctx context.Context, c querier, e *crm.AuditEntry) error {
	if e == nil {
		return nil
	}
	var actor any
	if e.ActorID != 0 {
		actor = e.ActorID
	}
	return c.QueryRowContext(ctx, db.q(`INSERT INTO audit_log (actor_id, entity_type, entity_id, action, before_json, after_json, reason, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`),
		actor, e.EntityType, e.EntityID, e.Action, e.Before, e.After, e.Reason, db.t(e.CreatedAt)).Scan(&e.ID)
}

// AuditFor returns the audit rows of one record, oldest first.
func (db *DB) AuditFor(ctx context.Context, entityType string, entityID int64) ([]*crm.AuditEntry, error) {
	rows, err := db.read.QueryContext(ctx, db.q(`SELECT id, COALESCE(actor_id, 0), entity_type, entity_id, action, before_json, after_json, reason, created_at
		FROM audit_log WHERE entity_type = ? AND entity_id = ? ORDER BY id`), entityType, entityID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []*crm.AuditEntry{}
	for rows.Next() {
		e := &crm.AuditEntry{}
		if err := rows.Scan(&e.ID, &e.ActorID, &e.EntityType, &e.EntityID, &e.Action, &e.Before, &e.After, &e.Reason, timeCol{&e.CreatedAt}); err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}
