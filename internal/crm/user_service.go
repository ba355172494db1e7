package crm

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"strings"
)

func (u *User) validate() error {
	var v validator
	if !usernamePattern.MatchString(u.Username) {
		v.add("username", "field.username")
	}
	v.maxLen("display_name", u.DisplayName, MaxShort)
	v.maxLen("email", u.Email, MaxName)
	v.email("email", u.Email)
	v.oneOf("role", u.Role, Roles, false)
	v.oneOf("language", u.Language, Languages, false)
	u.Authority().validate(&v)
	return v.err()
}

func validatePassword(pw string) error {
	var v validator
	if len([]rune(pw)) < MinPasswordLen {
		v.add("password", "field.password_short", MinPasswordLen)
	}
	if len(pw) > 72 { // bcrypt ignores what lies beyond 72 bytes
		v.add("password", "field.too_long", 72)
	}
	return v.err()
}

func (s *Service) checkTeam(ctx context.Context, id *int64) error {
	if id == nil {
		return nil
	}
	if _, err := s.Store.TeamByID(ctx, *id); err != nil {
		return fieldRef(err, "team_id")
	}
	return nil
}

// CreateUser adds a user; only admins may. The CLI calls it with a system
// actor (an admin without a user row).
func (s *Service) CreateUser(ctx context.Context, actor Actor, in UserInput) (*User, error) {
	if !actor.IsAdmin() {
		return nil, Forbidden()
	}
	u := &User{Username: clean(in.Username), DisplayName: clean(in.DisplayName), Email: clean(in.Email), Role: in.Role, TeamID: in.TeamID, Language: in.Language}
	if u.Role == "" {
		u.Role = RoleRep
	}
	if u.Language == "" {
		u.Language = Languages[0]
	}
	if u.DisplayName == "" {
		u.DisplayName = u.Username
	}
	u.setAuthority(defaultAuthority(u.Role))
	err := u.validate()
	if perr := validatePassword(in.Password); perr != nil {
		err = mergeInvalid(err, perr)
	}
	if err != nil {
		return nil, err
	}
	if err := s.checkTeam(ctx, u.TeamID); err != nil {
		return nil, err
	}
	hash, err := s.hashPassword(in.Password)
	if err != nil {
		return nil, err
	}
	u.PasswordHash = hash
	now := s.now()
	u.CreatedAt, u.UpdatedAt, u.Version = now, now, 1
	if err := s.Store.CreateUser(ctx, u); err != nil {
		return nil, err
	}
	return u, nil
}

// mergeInvalid joins the field errors of two validation results.
func mergeInvalid(a, b error) error {
	if a == nil {
		return b
	}
	ea, eb := a.(*Error), b.(*Error)
	for k, m := range eb.Fields {
		if _, ok := ea.Fields[k]; !ok {
			ea.Fields[k] = m
		}
	}
	return ea
}

// User returns a user. Everybody may read the directory of users, which the
// owner pickers and the pipeline board need; only admins change it.
func (s *Service) User(ctx context.Context, actor Actor, id int64) (*User, error) {
	return s.Store.UserByID(ctx, id)
}

// Users lists users, disabled ones only for admins.
func (s *Service) Users(ctx context.Context, actor Actor, f UserFilter) ([]*User, error) {
	if !actor.IsAdmin() {
		f.IncludeDisabled = false
	}
	return s.Store.ListUsers(ctx, f)
}

// UpdateUser changes a user; admins only. A user who is disabled or whose
// password changes loses all sessions at once. A change of authority is
// audited on the user, because it decides which discounts and payment terms
// pass without approval. A change of role leaves the authority as it is.
func (s *Service) UpdateUser(ctx context.Context, actor Actor, id int64, p UserPatch) (*User, error) {
	if !actor.IsAdmin() {
		return nil, Forbidden()
	}
	u, err := s.Store.UserByID(ctx, id)
	if err != nil {
		return nil, err
	}
	if err := checkVersion(p.Version, u.Version); err != nil {
		return nil, err
	}
	p.DisplayName.apply(&u.DisplayName)
	p.Email.apply(&u.Email)
	p.Role.apply(&u.Role)
	applyPtr(p.TeamID, &u.TeamID)
	p.Language.apply(&u.Language)
	p.Disabled.apply(&u.Disabled)
	before := u.Authority()
	p.MaxDiscountBP.apply(&u.MaxDiscountBP)
	p.CreditDays.apply(&u.CreditDays)
	p.CreditAmount.apply(&u.CreditAmount)
	u.DisplayName, u.Email = clean(u.DisplayName), clean(u.Email)
	err = u.validate()
	if p.Password.Set {
		if perr := validatePassword(p.Password.Value); perr != nil {
			err = mergeInvalid(err, perr)
		}
	}
	if id == actor.UserID && (u.Disabled || u.Role != RoleAdmin) {
		err = mergeInvalid(err, &Error{Code: EINVALID, Message: Msg("error.invalid"), Fields: map[string]Message{"role": Msg("field.self_lockout")}})
	}
	if err != nil {
		return nil, err
	}
	if err := s.checkTeam(ctx, u.TeamID); err != nil {
		return nil, err
	}
	if p.Password.Set {
		if u.PasswordHash, err = s.hashPassword(p.Password.Value); err != nil {
			return nil, err
		}
	}
	var audit *AuditEntry
	if after := u.Authority(); after != before {
		audit = s.audit(actor, "user", id, "authority", before, after, "")
	}
	u.UpdatedAt = s.now()
	if err := s.Store.UpdateUser(ctx, u, p.Version, audit); err != nil {
		return nil, err
	}
	if u.Disabled || p.Password.Set {
		if err := s.Store.DeleteUserSessions(ctx, u.ID); err != nil {
			return nil, err
		}
	}
	return u, nil
}

// SystemActor is the actor of the command line, which runs with the rights
// of whoever can read the database file.
var SystemActor = Actor{Role: RoleAdmin, Language: Languages[0]}

// SetPassword sets a user's password by username (dealpath user passwd).
func (s *Service) SetPassword(ctx context.Context, username, password string) error {
	u, err := s.Store.UserByUsername(ctx, username)
	if err != nil {
		return err
	}
	_, err = s.UpdateUser(ctx, SystemActor, u.ID, UserPatch{Version: u.Version, Password: Some(password)})
	return err
}

// SetDisabled disables or enables a user by username (dealpath user disable).
func (s *Service) SetDisabled(ctx context.Context, username string, disabled bool) error {
	u, err := s.Store.UserByUsername(ctx, username)
	if err != nil {
		return err
	}
	_, err = s.UpdateUser(ctx, SystemActor, u.ID, UserPatch{Version: u.Version, Disabled: Some(disabled)})
	return err
}

// EnsureAdmin creates the user "admin" on an empty database. It returns the
// password it set and whether it created the user; password may be given
// (DEALPATH_ADMIN_PASSWORD) or is generated.
func (s *Service) EnsureAdmin(ctx context.Context, password string) (string, bool, error) {
	n, err := s.Store.CountUsers(ctx)
	if err != nil || n > 0 {
		return "", false, err
	}
	if password == "" {
		password = RandomSecret(12)
	}
	_, err = s.CreateUser(ctx, SystemActor, UserInput{Username: "admin", Password: password, Role: RoleAdmin, DisplayName: "Administrator"})
	if err != nil {
		return "", false, err
	}
	return password, true, nil
}

// Login checks a username and password and opens a session. A wrong
// username and a wrong password answer the same, so that usernames cannot
// be probed.
func (s *Service) Login(ctx context.Context, username, password, kind string) (token string, u *User, err error) {
	username = strings.TrimSpace(username)
	// No user has a name outside the pattern, and the database need not be
	// asked about one: PostgreSQL refuses a NUL byte in a query with an
	// error, which would be a 500 instead of a failed login.
	if !usernamePattern.MatchString(username) {
		return "", nil, Errorf(EUNAUTHENTICATED, "error.bad_login")
	}
	u, err = s.Store.UserByUsername(ctx, username)
	if err != nil && ErrorCode(err) != ENOTFOUND {
		return "", nil, err
	}
	if err != nil || u.Disabled || !checkPassword(u.PasswordHash, password) {
		return "", nil, Errorf(EUNAUTHENTICATED, "error.bad_login")
	}
	token = RandomSecret(32)
	now := s.now()
	sess := &Session{TokenHash: HashToken(token), UserID: u.ID, Kind: kind, CreatedAt: now, ExpiresAt: now.Add(s.SessionTTL)}
	if err := s.Store.CreateSession(ctx, sess); err != nil {
		return "", nil, err
	}
	return token, u, nil
}

// Authenticate turns a token into the user it belongs to.
func (s *Service) Authenticate(ctx context.Context, token string) (*User, error) {
	if token == "" || len(token) > 200 {
		return nil, Errorf(EUNAUTHENTICATED, "error.unauthenticated")
	}
	sess, err := s.Store.SessionByTokenHash(ctx, HashToken(token), s.now())
	if err != nil {
		if ErrorCode(err) == ENOTFOUND {
			return nil, Errorf(EUNAUTHENTICATED, "error.unauthenticated")
		}
		return nil, err
	}
	u, err := s.Store.UserByID(ctx, sess.UserID)
	if err != nil {
		return nil, err
	}
	if u.Disabled {
		return nil, Errorf(EUNAUTHENTICATED, "error.unauthenticated")
	}
	return u, nil
}

// Logout ends the session of a token.
func (s *Service) Logout(ctx context.Context, token string) error {
	return s.Store.DeleteSession(ctx, HashToken(token))
}

// HashToken is how a session secret is stored: SHA-256 suffices because the
// secret is 256 random bits, not a guessable password.
func HashToken(token string) string {
	h := sha256.Sum256([]byte(token))
	return hex.EncodeToString(h[:])
}

// SetLanguage sets the signed-in user's own language (the UI's language
// switch). Every user may change their own language; other fields of a user
// stay with the admin (UpdateUser).
func (s *Service) SetLanguage(ctx context.Context, actor Actor, lang string) (*User, error) {
	var v validator
	v.oneOf("language", lang, Languages, false)
	if err := v.err(); err != nil {
		return nil, err
	}
	u, err := s.Store.UserByID(ctx, actor.UserID)
	if err != nil {
		return nil, err
	}
	if u.Language == lang {
		return u, nil
	}
	version := u.Version
	u.Language = lang
	u.UpdatedAt = s.now()
	if err := s.Store.UpdateUser(ctx, u, version, nil); err != nil {
		return nil, err
	}
	return u, nil
}
