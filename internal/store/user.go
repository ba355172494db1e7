package store

import (
	"context"
	"database/sql"
	"time"

	"github.com/dealpath/dealpath/internal/crm"
)

const userCols = `id, version, username, display_name, email, role, team_id, language, disabled, password_hash,
	max_discount_bp, credit_days, credit_amount, created_at, updated_at`

func scanUser(s interface{ Scan(...any) error }) (*crm.User, error) {
	u := &crm.User{}
	err := s.Scan(&u.ID, &u.Version, &u.Username, &u.DisplayName, &u.Email, &u.Role, nullInt64Col{&u.TeamID}, &u.Language,
		&u.Disabled, &u.PasswordHash, &u.MaxDiscountBP, &u.CreditDays, &u.CreditAmount, timeCol{&u.CreatedAt}, timeCol{&u.UpdatedAt})
	return u, err
}

// CreateUser inserts a user; a taken username is a conflict.
func (db *DB) CreateUser(ctx context.Context, u *crm.User) error {
	err := db.write.QueryRowContext(ctx, db.q(`INSERT INTO users (version, username, display_name, email, role, team_id, language,
		disabled, password_hash, max_discount_bp, credit_days, credit_amount, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`),
		u.Version, u.Username, u.DisplayName, u.Email, u.Role, int64p(u.TeamID), u.Language, u.Disabled, u.PasswordHash,
		u.MaxDiscountBP, u.CreditDays, u.CreditAmount, db.t(u.CreatedAt), db.t(u.UpdatedAt)).Scan(&u.ID)
	if isUniqueViolation(err) {
		return duplicate("username")
	}
	return err
}

// UserByID returns a user.
func (db *DB) UserByID(ctx context.Context, id int64) (*crm.User, error) {
	u, err := scanUser(db.read.QueryRowContext(ctx, db.q("SELECT "+userCols+" FROM users WHERE id = ?"), id))
	if err != nil {
		return nil, notFound(err, "user")
	}
	return u, nil
}

// UserByUsername returns a user by login name.
func (db *DB) UserByUsername(ctx context.Context, username string) (*crm.User, error) {
	u, err := scanUser(db.read.QueryRowContext(ctx, db.q("SELECT "+userCols+" FROM users WHERE username = ?"), username))
	if err != nil {
		return nil, notFound(err, "user")
	}
	return u, nil
}

// ListUsers returns users ordered by username. The directory is small (a
// sales organisation), so it is not paged.
func (db *DB) ListUsers(ctx context.Context, f crm.UserFilter) ([]*crm.User, error) {
	lq := &listQuery{}
	if f.TeamID != nil {
		lq.and("team_id = ?", *f.TeamID)
	}
	if !f.IncludeDisabled {
		lq.and("disabled = ?", false)
	}
	rows, err := db.read.QueryContext(ctx, db.q("SELECT "+userCols+" FROM users"+whereSQL(lq.where)+" ORDER BY username"), lq.args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []*crm.User{}
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, u)
	}
	return out, rows.Err()
}

// UpdateUser writes a user if its version is still expectVersion, and its
// audit row (a change of authority) in the same transaction.
func (db *DB) UpdateUser(ctx context.Context, u *crm.User, expectVersion int64, audit *crm.AuditEntry) error {
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, db.q(`UPDATE users SET version = version + 1, display_name = ?, email = ?, role = ?,
			team_id = ?, language = ?, disabled = ?, password_hash = ?, max_discount_bp = ?, credit_days = ?, credit_amount = ?,
			updated_at = ? WHERE id = ? AND version = ?`),
			u.DisplayName, u.Email, u.Role, int64p(u.TeamID), u.Language, u.Disabled, u.PasswordHash,
			u.MaxDiscountBP, u.CreditDays, u.CreditAmount, db.t(u.UpdatedAt), u.ID, expectVersion)
		if err != nil {
			return err
		}
		if err := db.rowMiss(ctx, tx, res, "SELECT COUNT(*) FROM users WHERE id = ?", "user", u.ID); err != nil {
			return err
		}
		return db.insertAudit(ctx, tx, audit)
	})
	if err != nil {
		return err
	}
	u.Version = expectVersion + 1
	return nil
}

// CountUsers counts all users, disabled included.
func (db *DB) CountUsers(ctx context.Context) (int, error) {
	var n int
	err := db.read.QueryRowContext(ctx, "SELECT COUNT(*) FROM users").Scan(&n)
	return n, err
}

// CreateTeam inserts a team; a taken name is a conflict.
func (db *DB) CreateTeam(ctx context.Context, t *crm.Team) error {
	err := db.write.QueryRowContext(ctx, db.q("INSERT INTO teams (version, name, created_at, updated_at) VALUES (?, ?, ?, ?) RETURNING id"),
		t.Version, t.Name, db.t(t.CreatedAt), db.t(t.UpdatedAt)).Scan(&t.ID)
	if isUniqueViolation(err) {
		return duplicate("name")
	}
	return err
}

func scanTeam(s interface{ Scan(...any) error }) (*crm.Team, error) {
	t := &crm.Team{}
	err := s.Scan(&t.ID, &t.Version, &t.Name, timeCol{&t.CreatedAt}, timeCol{&t.UpdatedAt})
	return t, err
}

// TeamByID returns a team.
func (db *DB) TeamByID(ctx context.Context, id int64) (*crm.Team, error) {
	t, err := scanTeam(db.read.QueryRowContext(ctx, db.q("SELECT id, version, name, created_at, updated_at FROM teams WHERE id = ?"), id))
	if err != nil {
		return nil, notFound(err, "team")
	}
	return t, nil
}

// ListTeams returns all teams by name.
func (db *DB) ListTeams(ctx context.Context) ([]*crm.Team, error) {
	rows, err := db.read.QueryContext(ctx, "SELECT id, version, name, created_at, updated_at FROM teams ORDER BY name")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []*crm.Team{}
	for rows.Next() {
		t, err := scanTeam(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// UpdateTeam renames a team if its version is still expectVersion.
func (db *DB) UpdateTeam(ctx context.Context, t *crm.Team, expectVersion int64) error {
	res, err := db.write.ExecContext(ctx, db.q("UPDATE teams SET version = version + 1, name = ?, updated_at = ? WHERE id = ? AND version = ?"),
		t.Name, db.t(t.UpdatedAt), t.ID, expectVersion)
	if isUniqueViolation(err) {
		return duplicate("name")
	}
	if err := db.checkVersionedPlain(ctx, res, err, "teams", "team", t.ID); err != nil {
		return err
	}
	t.Version = expectVersion + 1
	return nil
}

// DeleteTeam removes a team without members.
func (db *DB) DeleteTeam(ctx context.Context, id int64) error {
	return db.inTx(ctx, func(tx *sql.Tx) error {
		var members int
		if err := tx.QueryRowContext(ctx, db.q("SELECT COUNT(*) FROM users WHERE team_id = ?"), id).Scan(&members); err != nil {
			return err
		}
		if members > 0 {
			return inUse("team")
		}
		res, err := tx.ExecContext(ctx, db.q("DELETE FROM teams WHERE id = ?"), id)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			if err != nil {
				return err
			}
			return crm.NotFound("team")
		}
		return nil
	})
}

// CreateSession stores a session by the hash of its token.
func (db *DB) CreateSession(ctx context.Context, s *crm.Session) error {
	return db.write.QueryRowContext(ctx, db.q(`INSERT INTO sessions (token_hash, user_id, kind, created_at, expires_at)
		VALUES (?, ?, ?, ?, ?) RETURNING id`), s.TokenHash, s.UserID, s.Kind, db.t(s.CreatedAt), db.t(s.ExpiresAt)).Scan(&s.ID)
}

// SessionByTokenHash returns an unexpired session.
func (db *DB) SessionByTokenHash(ctx context.Context, hash string, now time.Time) (*crm.Session, error) {
	s := &crm.Session{}
	err := db.read.QueryRowContext(ctx, db.q(`SELECT id, token_hash, user_id, kind, created_at, expires_at FROM sessions
		WHERE token_hash = ? AND expires_at > ?`), hash, db.t(now)).
		Scan(&s.ID, &s.TokenHash, &s.UserID, &s.Kind, timeCol{&s.CreatedAt}, timeCol{&s.ExpiresAt})
	if err != nil {
		return nil, notFound(err, "session")
	}
	return s, nil
}

// DeleteSession ends a session; ending one that does not exist is no error.
func (db *DB) DeleteSession(ctx context.Context, hash string) error {
	_, err := db.write.ExecContext(ctx, db.q("DELETE FROM sessions WHERE token_hash = ?"), hash)
	return err
}

// DeleteUserSessions ends every session of a user.
func (db *DB) DeleteUserSessions(ctx context.Context, userID int64) error {
	_, err := db.write.ExecContext(ctx, db.q("DELETE FROM sessions WHERE user_id = ?"), userID)
	return err
}
