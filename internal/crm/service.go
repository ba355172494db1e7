package crm

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"time"

	"github.com/dealpath/dealpath/internal/playbook"
)

// Store is everything the domain needs from persistence. The store package
// implements it once for SQLite and PostgreSQL.
type Store interface {
	UserStore
	AccountStore
	ContactStore
	DealStore
	ActivityStore
	AuditStore
	QualifyStore
	SettingStore
	ProductStore
	QuoteStore
	ApprovalStore
	ContractStore
	ProjectStore
	PaymentStore
	// Reports (issue 6) add their store below.
	ReportStore

	// Data in and out (issue 7) add theirs below.
	ImportStore

	// End of stores.
	Ping(ctx context.Context) error
}

// Service carries the business rules. Handlers and the CLI call it with the
// acting user; it checks permissions, validates, and calls the store.
type Service struct {
	Store Store
	// Playbook is the sales process in force: stages, gates, fit rules,
	// catalogues. It is read-only and shared.
	Playbook *playbook.Playbook
	// Now is the clock; tests inject a fixed one.
	Now func() time.Time
	// Tick makes the ticker that paces import heartbeats and sweeps: a
	// channel and a function that stops it. Nil means time.NewTicker;
	// tests inject channels they send on.
	Tick func(d time.Duration) (<-chan time.Time, func())
	// Instance names this server process among those sharing a database;
	// it owns the import jobs the process runs.
	Instance string
	// PasswordCost tunes password hashing; tests lower it to stay fast.
	PasswordCost int
	// SessionTTL is how long a login stays valid.
	SessionTTL time.Duration
	// Text renders the texts the service writes for a particular reader
	// (an approver's task); nil writes message keys (see Service.text).
	Text Text
}

// NewService returns a service with production defaults.
func NewService(st Store) *Service {
	return &Service{Store: st, Playbook: playbook.Default(), Now: time.Now, PasswordCost: DefaultPasswordCost, SessionTTL: 30 * 24 * time.Hour,
		Instance: newInstance()}
}

// newInstance names a server process: host and process id for the
// operator, and random bytes so that a restarted process with the same id
// is another instance.
func newInstance() string {
	host, _ := os.Hostname()
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return fmt.Sprintf("%s/%d/%s", host, os.Getpid(), hex.EncodeToString(b))
}

// ticker returns the channel and the stop function of a ticker of period d.
func (s *Service) ticker(d time.Duration) (<-chan time.Time, func()) {
	if s.Tick != nil {
		return s.Tick(d)
	}
	t := time.NewTicker(d)
	return t.C, t.Stop
}

// now returns the current time in UTC, truncated to microseconds because
// PostgreSQL keeps no more, and a record must read back exactly as written.
func (s *Service) now() time.Time { return s.Now().UTC().Truncate(time.Microsecond) }

// checkAssignable decides whether the actor may make ownerID the owner of a
// record: reps only themselves, managers members of their team, admins any
// active user.
func (s *Service) checkAssignable(ctx context.Context, actor Actor, ownerID int64) error {
	if ownerID == actor.UserID {
		return nil
	}
	if actor.Role == RoleRep {
		return Forbidden()
	}
	u, err := s.Store.UserByID(ctx, ownerID)
	if err != nil {
		if ErrorCode(err) == ENOTFOUND {
			return &Error{Code: EINVALID, Message: Msg("error.invalid"), Fields: map[string]Message{"owner_id": Msg("field.unknown_user")}}
		}
		return err
	}
	if u.Disabled {
		return &Error{Code: EINVALID, Message: Msg("error.invalid"), Fields: map[string]Message{"owner_id": Msg("field.user_disabled")}}
	}
	if actor.IsAdmin() {
		return nil
	}
	if actor.TeamID != 0 && u.TeamID != nil && *u.TeamID == actor.TeamID {
		return nil
	}
	return Forbidden()
}

// audit builds an audit row; before and after are any JSON-able values.
func (s *Service) audit(actor Actor, kind string, id int64, action string, before, after any, reason string) *AuditEntry {
	return &AuditEntry{
		ActorID: actor.UserID, EntityType: kind, EntityID: id, Action: action,
		Before: toJSON(before), After: toJSON(after), Reason: reason, CreatedAt: s.now(),
	}
}

func toJSON(v any) string {
	if v == nil {
		return ""
	}
	b, err := json.Marshal(v)
	if err != nil {
		return ""
	}
	return string(b)
}
