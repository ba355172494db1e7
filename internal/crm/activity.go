package crm

import (
	"context"
	"time"
)

// Activity is a call, visit, meeting, email, demo or task: the written-down
// next step of a deal, or the record that it happened (DoneAt set).
type Activity struct {
	ID        int64      `json:"id"`
	Version   int64      `json:"version"`
	Type      string     `json:"type"`
	Subject   string     `json:"subject"`
	DueAt     *time.Time `json:"due_at"`
	DoneAt    *time.Time `json:"done_at"`
	DealID    *int64     `json:"deal_id"`
	AccountID *int64     `json:"account_id"`
	ContactID *int64     `json:"contact_id"`
	Notes     string     `json:"notes"`
	OwnerID   int64      `json:"owner_id"`
	CreatedAt time.Time  `json:"created_at"`
	UpdatedAt time.Time  `json:"updated_at"`

	// OwnerTeamID is the owner's team, loaded for permission checks.
	OwnerTeamID int64 `json:"-"`
}

// ActivityInput creates an activity. A deal link implies the deal's account;
// a contact link implies the contact's account. The times are Opt rather
// than *time.Time so that a malformed time is reported on its field (see
// Opt.UnmarshalJSON); absent and null both mean none.
type ActivityInput struct {
	Type      string         `json:"type"`
	Subject   string         `json:"subject"`
	DueAt     Opt[time.Time] `json:"due_at"`
	DoneAt    Opt[time.Time] `json:"done_at"`
	DealID    *int64         `json:"deal_id"`
	AccountID *int64         `json:"account_id"`
	ContactID *int64         `json:"contact_id"`
	Notes     string         `json:"notes"`
	OwnerID   int64          `json:"owner_id"`
}

// ActivityPatch changes an activity; links are fixed once made.
type ActivityPatch struct {
	Version int64          `json:"version"`
	Type    Opt[string]    `json:"type"`
	Subject Opt[string]    `json:"subject"`
	DueAt   Opt[time.Time] `json:"due_at"`
	DoneAt  Opt[time.Time] `json:"done_at"`
	Notes   Opt[string]    `json:"notes"`
	OwnerID Opt[int64]     `json:"owner_id"`
}

// ActivityFilter selects activities for a list.
type ActivityFilter struct {
	ListParams
	Scope     Scope
	OwnerID   *int64
	DealID    *int64
	AccountID *int64
	ContactID *int64
	Type      string
	Open      *bool // true: not done yet; false: done
}

// ActivitySortFields are the fields an activity list sorts by.
var ActivitySortFields = []string{"due_at", "done_at", "created_at", "updated_at", "subject"}

// ActivityStore persists activities.
type ActivityStore interface {
	CreateActivity(ctx context.Context, a *Activity) error
	ActivityByID(ctx context.Context, id int64) (*Activity, error)
	ListActivities(ctx context.Context, f ActivityFilter) (*Page[*Activity], error)
	UpdateActivity(ctx context.Context, a *Activity, expectVersion int64) error
	DeleteActivity(ctx context.Context, id int64, expectVersion int64, audit *AuditEntry) error
}

func (a *Activity) validate() error {
	var v validator
	if a.OwnerID <= 0 {
		v.add("owner_id", "field.required")
	}
	v.oneOf("type", a.Type, ActivityTypes, false)
	v.required("subject", a.Subject)
	v.maxLen("subject", a.Subject, MaxName)
	v.maxLen("notes", a.Notes, MaxText)
	for field, t := range map[string]*time.Time{"due_at": a.DueAt, "done_at": a.DoneAt} {
		if t != nil && (t.Year() < 2000 || t.Year() > 2200) {
			v.add(field, "field.date_range")
		}
	}
	return v.err()
}

func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC().Truncate(time.Microsecond)
	return &u
}

// CreateActivity records an activity on records the actor may see. Links
// must agree with each other: a deal's activity is on that deal's account.
func (s *Service) CreateActivity(ctx context.Context, actor Actor, in ActivityInput) (*Activity, error) {
	a := &Activity{
		Type: in.Type, Subject: clean(in.Subject), DueAt: utcPtr(in.DueAt.ptr()), DoneAt: utcPtr(in.DoneAt.ptr()),
		DealID: in.DealID, AccountID: in.AccountID, ContactID: in.ContactID, Notes: in.Notes, OwnerID: in.OwnerID,
	}
	if a.OwnerID == 0 {
		a.OwnerID = actor.UserID
	}
	if err := a.validate(); err != nil {
		return nil, err
	}
	if err := s.resolveActivityLinks(ctx, actor, a); err != nil {
		return nil, err
	}
	if err := s.checkAssignable(ctx, actor, a.OwnerID); err != nil {
		return nil, err
	}
	now := s.now()
	a.CreatedAt, a.UpdatedAt, a.Version = now, now, 1
	if err := s.Store.CreateActivity(ctx, a); err != nil {
		return nil, err
	}
	return a, nil
}

func (s *Service) resolveActivityLinks(ctx context.Context, actor Actor, a *Activity) error {
	var v validator
	if a.DealID != nil {
		d, err := s.Deal(ctx, actor, *a.DealID)
		if err != nil {
			return fieldRef(err, "deal_id")
		}
		if a.AccountID == nil {
			a.AccountID = &d.AccountID
		} else if *a.AccountID != d.AccountID {
			v.add("account_id", "field.link_mismatch")
		}
	}
	if a.ContactID != nil {
		c, err := s.Contact(ctx, actor, *a.ContactID)
		if err != nil {
			return fieldRef(err, "contact_id")
		}
		if a.AccountID == nil {
			a.AccountID = &c.AccountID
		} else if *a.AccountID != c.AccountID {
			v.add("contact_id", "field.link_mismatch")
		}
	}
	if a.AccountID != nil && a.DealID == nil && a.ContactID == nil {
		if _, err := s.Account(ctx, actor, *a.AccountID); err != nil {
			return fieldRef(err, "account_id")
		}
	}
	return v.err()
}

// Activity returns an activity the actor may see: their own, or one of a
// user in their scope.
func (s *Service) Activity(ctx context.Context, actor Actor, id int64) (*Activity, error) {
	a, err := s.Store.ActivityByID(ctx, id)
	if err != nil {
		return nil, err
	}
	if !actor.Scope().Covers(a.OwnerID, a.OwnerTeamID) {
		return nil, NotFound("activity")
	}
	return a, nil
}

// Activities lists the activities the actor may see.
func (s *Service) Activities(ctx context.Context, actor Actor, f ActivityFilter) (*Page[*Activity], error) {
	var v validator
	f.normalize(&v, ActivitySortFields)
	v.oneOf("type", f.Type, ActivityTypes, true)
	if err := v.err(); err != nil {
		return nil, err
	}
	f.Scope = actor.Scope()
	return s.Store.ListActivities(ctx, f)
}

// UpdateActivity applies a patch when the client's version is current.
func (s *Service) UpdateActivity(ctx context.Context, actor Actor, id int64, p ActivityPatch) (*Activity, error) {
	a, err := s.Activity(ctx, actor, id)
	if err != nil {
		return nil, err
	}
	if err := checkVersion(p.Version, a.Version); err != nil {
		return nil, err
	}
	oldOwner := a.OwnerID
	p.Type.apply(&a.Type)
	p.Subject.apply(&a.Subject)
	applyPtr(p.DueAt, &a.DueAt)
	applyPtr(p.DoneAt, &a.DoneAt)
	a.DueAt, a.DoneAt = utcPtr(a.DueAt), utcPtr(a.DoneAt)
	p.Notes.apply(&a.Notes)
	p.OwnerID.apply(&a.OwnerID)
	a.Subject = clean(a.Subject)
	if err := a.validate(); err != nil {
		return nil, err
	}
	if a.OwnerID != oldOwner {
		if err := s.checkAssignable(ctx, actor, a.OwnerID); err != nil {
			return nil, err
		}
	}
	a.UpdatedAt = s.now()
	if err := s.Store.UpdateActivity(ctx, a, p.Version); err != nil {
		return nil, err
	}
	return a, nil
}

// DeleteActivity soft-deletes an activity.
func (s *Service) DeleteActivity(ctx context.Context, actor Actor, id, version int64) error {
	a, err := s.Activity(ctx, actor, id)
	if err != nil {
		return err
	}
	if version != a.Version {
		return Conflict()
	}
	return s.Store.DeleteActivity(ctx, id, version, s.audit(actor, "activity", id, "delete", a, nil, ""))
}
