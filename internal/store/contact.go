package store

import (
	"context"
	"database/sql"
	"errors"

	"github.com/dealpath/dealpath/internal/crm"
)

// A contact has no owner of its own: whoever may see its account may see
// it, so the list scopes by the account's owner and every read carries that
// owner and their team.
const contactCols = `c.id, c.version, c.account_id, c.name, c.title, c.functional_role, c.phone, c.email, c.wechat,
	c.notes, c.created_at, c.updated_at, a.owner_id, COALESCE(u.team_id, 0)`

const contactFrom = `contacts c JOIN accounts a ON a.id = c.account_id JOIN users u ON u.id = a.owner_id`

func scanContact(s interface{ Scan(...any) error }, extra ...any) (*crm.Contact, error) {
	c := &crm.Contact{}
	dest := []any{&c.ID, &c.Version, &c.AccountID, &c.Name, &c.Title, &c.FunctionalRole, &c.Phone, &c.Email, &c.WeChat,
		&c.Notes, timeCol{&c.CreatedAt}, timeCol{&c.UpdatedAt}, &c.AccountOwnerID, &c.AccountOwnerTeamID}
	if err := s.Scan(append(dest, extra...)...); err != nil {
		return nil, err
	}
	return c, nil
}

// unknownRef is the error for a record that points at one that does not
// exist or is deleted: the caller sent a bad id, which is invalid input on
// that field, not a missing resource at the URL (see crm.fieldRef).
func unknownRef(field string) error {
	return &crm.Error{Code: crm.EINVALID, Message: crm.Msg("error.invalid"), Fields: map[string]crm.Message{field: crm.Msg("field.unknown_ref")}}
}

// requireLive checks, inside the writing transaction, that the row a new
// record refers to exists and is not deleted. The foreign key alone would
// accept a soft-deleted row and would fail with a raw driver error. The
// shared lock makes a concurrent delete of that row wait for this
// transaction (or this one see the delete), so no child outlives its parent.
func (db *DB) requireLive(ctx context.Context, q querier, table string, id int64, field string) error {
	var got int64
	err := q.QueryRowContext(ctx, db.q("SELECT id FROM "+table+" WHERE id = ? AND deleted_at IS NULL"+db.forShare("")), id).Scan(&got)
	if errors.Is(err, sql.ErrNoRows) {
		return unknownRef(field)
	}
	return err
}

// CreateContact inserts a contact on a live account and sets its id and the
// account owner fields.
func (db *DB) CreateContact(ctx context.Context, c *crm.Contact) error {
	return db.inTx(ctx, func(tx *sql.Tx) error {
		// Reading the owner doubles as the check that the account is live,
		// in the same transaction as the insert.
		err := tx.QueryRowContext(ctx, db.q(`SELECT a.owner_id, COALESCE(u.team_id, 0) FROM accounts a JOIN users u ON u.id = a.owner_id
			WHERE a.id = ? AND a.deleted_at IS NULL`+db.forShare("a")), c.AccountID).Scan(&c.AccountOwnerID, &c.AccountOwnerTeamID)
		if errors.Is(err, sql.ErrNoRows) {
			return unknownRef("account_id")
		}
		if err != nil {
			return err
		}
		return tx.QueryRowContext(ctx, db.q(`INSERT INTO contacts (version, account_id, name, title, functional_role, phone, email,
			wechat, notes, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`),
			c.Version, c.AccountID, c.Name, c.Title, c.FunctionalRole, c.Phone, c.Email, c.WeChat, c.Notes,
			db.t(c.CreatedAt), db.t(c.UpdatedAt)).Scan(&c.ID)
	})
}

// ContactByID returns a live contact of a live account.
func (db *DB) ContactByID(ctx context.Context, id int64) (*crm.Contact, error) {
	row := db.read.QueryRowContext(ctx, db.q("SELECT "+contactCols+" FROM "+contactFrom+
		" WHERE c.id = ? AND c.deleted_at IS NULL AND a.deleted_at IS NULL"), id)
	c, err := scanContact(row)
	if err != nil {
		return nil, notFound(err, "contact")
	}
	return c, nil
}

var contactSorts = map[string]sortSpec{
	"name":       textSort("c.name"),
	"created_at": timeSort("c.created_at"),
	"updated_at": timeSort("c.updated_at"),
}

// ListContacts returns one page of live contacts of live accounts.
func (db *DB) ListContacts(ctx context.Context, f crm.ContactFilter) (*crm.Page[*crm.Contact], error) {
	lq := &listQuery{cols: contactCols, from: contactFrom, idCol: "c.id", sorts: contactSorts, defSrt: "name"}
	lq.and("c.deleted_at IS NULL")
	lq.and("a.deleted_at IS NULL")
	lq.scope("a.owner_id", f.Scope)
	if f.AccountID != nil {
		lq.and("c.account_id = ?", *f.AccountID)
	}
	if f.OwnerID != nil {
		lq.and("a.owner_id = ?", *f.OwnerID)
	}
	if f.UpdatedSince != nil {
		lq.and("c.updated_at >= ?", db.t(*f.UpdatedSince))
	}
	lq.search("c.name", f.Q)
	page := &crm.Page[*crm.Contact]{Items: []*crm.Contact{}}
	next, total, err := db.run(ctx, lq, f.ListParams, func(rows *sql.Rows, key *any) (int64, error) {
		c, err := scanContact(rows, key)
		if err != nil {
			return 0, err
		}
		page.Items = append(page.Items, c)
		return c.ID, nil
	})
	if err != nil {
		return nil, err
	}
	page.NextCursor, page.Total = next, total
	return page, nil
}

// UpdateContact writes a contact if its version is still expectVersion. The
// account is fixed once made (crm.ContactPatch), so it is not written.
func (db *DB) UpdateContact(ctx context.Context, c *crm.Contact, expectVersion int64) error {
	res, err := db.write.ExecContext(ctx, db.q(`UPDATE contacts SET version = version + 1, name = ?, title = ?, functional_role = ?,
		phone = ?, email = ?, wechat = ?, notes = ?, updated_at = ?
		WHERE id = ? AND version = ? AND deleted_at IS NULL`),
		c.Name, c.Title, c.FunctionalRole, c.Phone, c.Email, c.WeChat, c.Notes, db.t(c.UpdatedAt), c.ID, expectVersion)
	if err := db.checkVersioned(ctx, res, err, "contacts", "contact", c.ID); err != nil {
		return err
	}
	c.Version = expectVersion + 1
	return nil
}

// DeleteContact soft-deletes a contact that is on no live deal. A deleted
// deal keeps its deal_contacts rows as history; they do not hold the
// contact.
func (db *DB) DeleteContact(ctx context.Context, id, expectVersion int64, audit *crm.AuditEntry) error {
	return db.inTx(ctx, func(tx *sql.Tx) error {
		// Delete first, count after: the UPDATE locks the row, so a deal
		// adding this contact meanwhile either finished before the count
		// or sees the contact deleted.
		if err := db.softDelete(ctx, tx, "contacts", "contact", id, expectVersion, audit); err != nil {
			return err
		}
		var refs int
		err := tx.QueryRowContext(ctx, db.q(`SELECT COUNT(*) FROM deal_contacts dc JOIN deals d ON d.id = dc.deal_id
			WHERE dc.contact_id = ? AND d.deleted_at IS NULL`), id).Scan(&refs)
		if err != nil {
			return err
		}
		if refs > 0 {
			return inUse("contact")
		}
		return nil
	})
}
