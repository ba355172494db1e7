package store

import (
	"context"
	"database/sql"

	"github.com/dealpath/dealpath/internal/crm"
)

const activityCols = `t.id, t.version, t.type, t.subject, t.due_at, t.done_at, t.deal_id, t.account_id, t.contact_id,
	t.notes, t.owner_id, t.created_at, t.updated_at, COALESCE(u.team_id, 0)`

// The activities alias is t (for task) because a is the accounts alias
// everywhere else in this package.
const activityFrom = `activities t JOIN users u ON u.id = t.owner_id`

func scanActivity(s interface{ Scan(...any) error }, extra ...any) (*crm.Activity, error) {
	a := &crm.Activity{}
	dest := []any{&a.ID, &a.Version, &a.Type, &a.Subject, nullTimeCol{&a.DueAt}, nullTimeCol{&a.DoneAt},
		nullInt64Col{&a.DealID}, nullInt64Col{&a.AccountID}, nullInt64Col{&a.ContactID},
		&a.Notes, &a.OwnerID, timeCol{&a.CreatedAt}, timeCol{&a.UpdatedAt}, &a.OwnerTeamID}
	if err := s.Scan(append(dest, extra...)...); err != nil {
		return nil, err
	}
	return a, nil
}

// CreateActivity inserts an activity whose links name live records, and
// sets its id and the owner's team. Whether the links agree with each other
// is the service's rule (crm.Service.CreateActivity).
func (db *DB) CreateActivity(ctx context.Context, a *crm.Activity) error {
	return db.inTx(ctx, func(tx *sql.Tx) error { return db.insertActivity(ctx, tx, a) })
}

// insertActivity is CreateActivity inside a transaction of the caller's,
// which may write more (an approval request and its task).
func (db *DB) insertActivity(ctx context.Context, tx *sql.Tx, a *crm.Activity) error {
	links := []struct {
		id    *int64
		table string
		field string
	}{{a.DealID, "deals", "deal_id"}, {a.AccountID, "accounts", "account_id"}, {a.ContactID, "contacts", "contact_id"}}
	for _, l := range links {
		if l.id == nil {
			continue
		}
		if err := db.requireLive(ctx, tx, l.table, *l.id, l.field); err != nil {
			return err
		}
	}
	err := tx.QueryRowContext(ctx, db.q(`INSERT INTO activities (version, type, subject, due_at, done_at, deal_id, account_id,
		contact_id, notes, owner_id, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`),
		a.Version, a.Type, a.Subject, db.tp(a.DueAt), db.tp(a.DoneAt), int64p(a.DealID), int64p(a.AccountID),
		int64p(a.ContactID), a.Notes, a.OwnerID, db.t(a.CreatedAt), db.t(a.UpdatedAt)).Scan(&a.ID)
	// The links were checked above, so a foreign key can only fail on
	// the owner.
	if isForeignKeyViolation(err) {
		return unknownOwner()
	}
	if err != nil {
		return err
	}
	return db.loadOwnerTeamTx(ctx, tx, a.OwnerID, &a.OwnerTeamID)
}

// ActivityByID returns a live activity.
func (db *DB) ActivityByID(ctx context.Context, id int64) (*crm.Activity, error) {
	row := db.read.QueryRowContext(ctx, db.q("SELECT "+activityCols+" FROM "+activityFrom+" WHERE t.id = ? AND t.deleted_at IS NULL"), id)
	a, err := scanActivity(row)
	if err != nil {
		return nil, notFound(err, "activity")
	}
	return a, nil
}

// activitySorts: an activity without a due or done time sorts after all
// that have one, so "what is due next" comes first.
var activitySorts = map[string]sortSpec{
	"due_at":     nullTimeSort("t.due_at"),
	"done_at":    nullTimeSort("t.done_at"),
	"created_at": timeSort("t.created_at"),
	"updated_at": timeSort("t.updated_at"),
	"subject":    textSort("t.subject"),
}

// ListActivities returns one page of live activities.
func (db *DB) ListActivities(ctx context.Context, f crm.ActivityFilter) (*crm.Page[*crm.Activity], error) {
	lq := &listQuery{cols: activityCols, from: activityFrom, idCol: "t.id", sorts: activitySorts, defSrt: "due_at"}
	lq.and("t.deleted_at IS NULL")
	lq.scope("t.owner_id", f.Scope)
	if f.OwnerID != nil {
		lq.and("t.owner_id = ?", *f.OwnerID)
	}
	if f.DealID != nil {
		lq.and("t.deal_id = ?", *f.DealID)
	}
	if f.AccountID != nil {
		lq.and("t.account_id = ?", *f.AccountID)
	}
	if f.ContactID != nil {
		lq.and("t.contact_id = ?", *f.ContactID)
	}
	if f.Type != "" {
		lq.and("t.type = ?", f.Type)
	}
	if f.Open != nil {
		if *f.Open {
			lq.and("t.done_at IS NULL")
		} else {
			lq.and("t.done_at IS NOT NULL")
		}
	}
	if f.UpdatedSince != nil {
		lq.and("t.updated_at >= ?", db.t(*f.UpdatedSince))
	}
	lq.search("t.subject", f.Q)
	page := &crm.Page[*crm.Activity]{Items: []*crm.Activity{}}
	next, total, err := db.run(ctx, lq, f.ListParams, func(rows *sql.Rows, key *any) (int64, error) {
		a, err := scanActivity(rows, key)
		if err != nil {
			return 0, err
		}
		page.Items = append(page.Items, a)
		return a.ID, nil
	})
	if err != nil {
		return nil, err
	}
	page.NextCursor, page.Total = next, total
	return page, nil
}

// UpdateActivity writes an activity if its version is still expectVersion.
// Links are fixed once made (crm.ActivityPatch), so they are not written.
func (db *DB) UpdateActivity(ctx context.Context, a *crm.Activity, expectVersion int64) error {
	res, err := db.write.ExecContext(ctx, db.q(`UPDATE activities SET version = version + 1, type = ?, subject = ?, due_at = ?,
		done_at = ?, notes = ?, owner_id = ?, updated_at = ?
		WHERE id = ? AND version = ? AND deleted_at IS NULL`),
		a.Type, a.Subject, db.tp(a.DueAt), db.tp(a.DoneAt), a.Notes, a.OwnerID, db.t(a.UpdatedAt), a.ID, expectVersion)
	if isForeignKeyViolation(err) {
		return unknownOwner()
	}
	if err := db.checkVersioned(ctx, res, err, "activities", "activity", a.ID); err != nil {
		return err
	}
	a.Version = expectVersion + 1
	return db.loadOwnerTeam(ctx, a.OwnerID, &a.OwnerTeamID)
}

// DeleteActivity soft-deletes an activity and audits it.
func (db *DB) DeleteActivity(ctx context.Context, id, expectVersion int64, audit *crm.AuditEntry) error {
	return db.inTx(ctx, func(tx *sql.Tx) error {
		return db.softDelete(ctx, tx, "activities", "activity", id, expectVersion, audit)
	})
}
