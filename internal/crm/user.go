package crm

import (
	"context"
	"regexp"
	"time"
)

// Roles. A rep works their own accounts and deals, a manager their team's,
// an admin everything (DESIGN.md, Authorization).
const (
	RoleAdmin   = "admin"
	RoleManager = "manager"
	RoleRep     = "rep"
)

// Roles lists the valid roles.
var Roles = []string{RoleAdmin, RoleManager, RoleRep}

// Languages the message catalogue covers; the first is the default.
var Languages = []string{"zh-CN", "en"}

// User is a person who signs in to dealpath.
type User struct {
	ID          int64  `json:"id"`
	Version     int64  `json:"version"`
	Username    string `json:"username"`
	DisplayName string `json:"display_name"`
	Email       string `json:"email"`
	Role        string `json:"role"`
	TeamID      *int64 `json:"team_id"`
	Language    string `json:"language"`
	Disabled    bool   `json:"disabled"`
	// MaxDiscountBP, CreditDays and CreditAmount are the user's authority
	// (PLAYBOOK.md §4 credit authorization, see Authority): what they may
	// grant a customer on their own deals without anyone's approval.
	MaxDiscountBP int       `json:"max_discount_bp"`
	CreditDays    int       `json:"credit_days"`
	CreditAmount  int64     `json:"credit_amount"`
	CreatedAt     time.Time `json:"created_at"`
	UpdatedAt     time.Time `json:"updated_at"`

	// PasswordHash never leaves the server.
	PasswordHash string `json:"-"`
}

// Team groups reps under the manager who belongs to it.
type Team struct {
	ID        int64     `json:"id"`
	Version   int64     `json:"version"`
	Name      string    `json:"name"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// UserInput creates a user.
type UserInput struct {
	Username    string `json:"username"`
	Password    string `json:"password"`
	DisplayName string `json:"display_name"`
	Email       string `json:"email"`
	Role        string `json:"role"`
	TeamID      *int64 `json:"team_id"`
	Language    string `json:"language"`
}

// UserPatch changes a user. Password is set through its own call so that a
// profile edit never resets it by accident.
type UserPatch struct {
	Version     int64       `json:"version"`
	DisplayName Opt[string] `json:"display_name"`
	Email       Opt[string] `json:"email"`
	Role        Opt[string] `json:"role"`
	TeamID      Opt[int64]  `json:"team_id"`
	Language    Opt[string] `json:"language"`
	Disabled    Opt[bool]   `json:"disabled"`
	Password    Opt[string] `json:"password"`
	// The user's authority; a change is audited on the user.
	MaxDiscountBP Opt[int]   `json:"max_discount_bp"`
	CreditDays    Opt[int]   `json:"credit_days"`
	CreditAmount  Opt[int64] `json:"credit_amount"`
}

// TeamInput creates or renames a team.
type TeamInput struct {
	Name string `json:"name"`
}

// TeamPatch renames a team.
type TeamPatch struct {
	Version int64       `json:"version"`
	Name    Opt[string] `json:"name"`
}

// Session is a signed-in client: an API token or a browser session. Only a
// hash of the secret is stored, so a stolen database yields no logins.
type Session struct {
	ID        int64
	TokenHash string
	UserID    int64
	Kind      string
	CreatedAt time.Time
	ExpiresAt time.Time
}

// Session kinds.
const (
	SessionAPI     = "api"
	SessionBrowser = "browser"
)

// UserStore persists users, teams and sessions.
type UserStore interface {
	CreateUser(ctx context.Context, u *User) error
	UserByID(ctx context.Context, id int64) (*User, error)
	UserByUsername(ctx context.Context, username string) (*User, error)
	ListUsers(ctx context.Context, f UserFilter) ([]*User, error)
	// UpdateUser writes the user and, when audit is not nil, its audit row
	// in one transaction.
	UpdateUser(ctx context.Context, u *User, expectVersion int64, audit *AuditEntry) error
	CountUsers(ctx context.Context) (int, error)

	CreateTeam(ctx context.Context, t *Team) error
	TeamByID(ctx context.Context, id int64) (*Team, error)
	ListTeams(ctx context.Context) ([]*Team, error)
	UpdateTeam(ctx context.Context, t *Team, expectVersion int64) error
	DeleteTeam(ctx context.Context, id int64) error

	CreateSession(ctx context.Context, s *Session) error
	SessionByTokenHash(ctx context.Context, hash string, now time.Time) (*Session, error)
	DeleteSession(ctx context.Context, hash string) error
	DeleteUserSessions(ctx context.Context, userID int64) error
}

// UserFilter narrows a user list.
type UserFilter struct {
	TeamID          *int64
	IncludeDisabled bool
}

var usernamePattern = regexp.MustCompile(`^[a-zA-Z0-9._-]{2,64}$`)

// MinPasswordLen is the shortest password accepted.
const MinPasswordLen = 8
