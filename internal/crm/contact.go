package crm

import (
	"context"
	"time"
)

// Contact is a person at a customer, with the functional role that the
// key-person map of PLAYBOOK.md §1.3 needs. A contact belongs to one account
// and is visible to whoever may see that account.
type Contact struct {
	ID             int64     `json:"id"`
	Version        int64     `json:"version"`
	AccountID      int64     `json:"account_id"`
	Name           string    `json:"name"`
	Title          string    `json:"title"`
	FunctionalRole string    `json:"functional_role"`
	Phone          string    `json:"phone"`
	Email          string    `json:"email"`
	WeChat         string    `json:"wechat"`
	Notes          string    `json:"notes"`
	CreatedAt      time.Time `json:"created_at"`
	UpdatedAt      time.Time `json:"updated_at"`

	// AccountOwnerID and AccountOwnerTeamID decide visibility.
	AccountOwnerID     int64 `json:"-"`
	AccountOwnerTeamID int64 `json:"-"`
}

// ContactInput creates a contact.
type ContactInput struct {
	AccountID      int64  `json:"account_id"`
	Name           string `json:"name"`
	Title          string `json:"title"`
	FunctionalRole string `json:"functional_role"`
	Phone          string `json:"phone"`
	Email          string `json:"email"`
	WeChat         string `json:"wechat"`
	Notes          string `json:"notes"`
}

// ContactPatch changes a contact. Moving a contact to another account is not
// offered: a person who changes company is a new contact.
type ContactPatch struct {
	Version        int64       `json:"version"`
	Name           Opt[string] `json:"name"`
	Title          Opt[string] `json:"title"`
	FunctionalRole Opt[string] `json:"functional_role"`
	Phone          Opt[string] `json:"phone"`
	Email          Opt[string] `json:"email"`
	WeChat         Opt[string] `json:"wechat"`
	Notes          Opt[string] `json:"notes"`
}

// ContactFilter selects contacts for a list.
type ContactFilter struct {
	ListParams
	Scope     Scope
	AccountID *int64
	OwnerID   *int64 // owner of the contact's account
}

// ContactSortFields are the fields a contact list sorts by.
var ContactSortFields = []string{"name", "created_at", "updated_at"}

// ContactStore persists contacts.
type ContactStore interface {
	CreateContact(ctx context.Context, c *Contact) error
	ContactByID(ctx context.Context, id int64) (*Contact, error)
	ListContacts(ctx context.Context, f ContactFilter) (*Page[*Contact], error)
	UpdateContact(ctx context.Context, c *Contact, expectVersion int64) error
	// DeleteContact soft-deletes a contact; it refuses (conflict) while the
	// contact is on a live deal.
	DeleteContact(ctx context.Context, id int64, expectVersion int64, audit *AuditEntry) error
}

func (in *ContactInput) contact() *Contact {
	return &Contact{
		AccountID: in.AccountID, Name: clean(in.Name), Title: clean(in.Title), FunctionalRole: in.FunctionalRole,
		Phone: clean(in.Phone), Email: clean(in.Email), WeChat: clean(in.WeChat), Notes: in.Notes,
	}
}

func (p *ContactPatch) apply(c *Contact) {
	p.Name.apply(&c.Name)
	p.Title.apply(&c.Title)
	p.FunctionalRole.apply(&c.FunctionalRole)
	p.Phone.apply(&c.Phone)
	p.Email.apply(&c.Email)
	p.WeChat.apply(&c.WeChat)
	p.Notes.apply(&c.Notes)
	c.Name, c.Title, c.Phone, c.Email, c.WeChat = clean(c.Name), clean(c.Title), clean(c.Phone), clean(c.Email), clean(c.WeChat)
}

func (c *Contact) validate() error {
	var v validator
	if c.AccountID <= 0 {
		v.add("account_id", "field.required")
	}
	v.required("name", c.Name)
	v.maxLen("name", c.Name, MaxShort)
	v.maxLen("title", c.Title, MaxShort)
	if c.FunctionalRole == "" {
		c.FunctionalRole = "other"
	}
	v.oneOf("functional_role", c.FunctionalRole, FunctionalRoles, false)
	v.maxLen("phone", c.Phone, 40)
	v.phone("phone", c.Phone)
	v.maxLen("email", c.Email, MaxName)
	v.email("email", c.Email)
	v.maxLen("wechat", c.WeChat, MaxShort)
	v.maxLen("notes", c.Notes, MaxText)
	return v.err()
}

// CreateContact adds a contact to an account the actor may see.
func (s *Service) CreateContact(ctx context.Context, actor Actor, in ContactInput) (*Contact, error) {
	c := in.contact()
	if err := c.validate(); err != nil {
		return nil, err
	}
	if _, err := s.Account(ctx, actor, c.AccountID); err != nil {
		return nil, fieldRef(err, "account_id")
	}
	now := s.now()
	c.CreatedAt, c.UpdatedAt, c.Version = now, now, 1
	if err := s.Store.CreateContact(ctx, c); err != nil {
		return nil, err
	}
	return c, nil
}

// Contact returns a contact the actor may see.
func (s *Service) Contact(ctx context.Context, actor Actor, id int64) (*Contact, error) {
	c, err := s.Store.ContactByID(ctx, id)
	if err != nil {
		return nil, err
	}
	if !actor.Scope().Covers(c.AccountOwnerID, c.AccountOwnerTeamID) {
		return nil, NotFound("contact")
	}
	return c, nil
}

// Contacts lists the contacts the actor may see.
func (s *Service) Contacts(ctx context.Context, actor Actor, f ContactFilter) (*Page[*Contact], error) {
	var v validator
	f.normalize(&v, ContactSortFields)
	if err := v.err(); err != nil {
		return nil, err
	}
	f.Scope = actor.Scope()
	return s.Store.ListContacts(ctx, f)
}

// UpdateContact applies a patch when the client's version is current.
func (s *Service) UpdateContact(ctx context.Context, actor Actor, id int64, p ContactPatch) (*Contact, error) {
	c, err := s.Contact(ctx, actor, id)
	if err != nil {
		return nil, err
	}
	if err := checkVersion(p.Version, c.Version); err != nil {
		return nil, err
	}
	p.apply(c)
	if err := c.validate(); err != nil {
		return nil, err
	}
	c.UpdatedAt = s.now()
	if err := s.Store.UpdateContact(ctx, c, p.Version); err != nil {
		return nil, err
	}
	return c, nil
}

// DeleteContact soft-deletes a contact that is on no live deal.
func (s *Service) DeleteContact(ctx context.Context, actor Actor, id, version int64) error {
	c, err := s.Contact(ctx, actor, id)
	if err != nil {
		return err
	}
	if version != c.Version {
		return Conflict()
	}
	return s.Store.DeleteContact(ctx, id, version, s.audit(actor, "contact", id, "delete", c, nil, ""))
}

// fieldRef turns "the referenced record does not exist (for you)" into a
// field error on the referencing field: the client sent a bad id, which is
// invalid input, not a missing resource at the URL.
func fieldRef(err error, field string) error {
	if ErrorCode(err) != ENOTFOUND {
		return err
	}
	return &Error{Code: EINVALID, Message: Msg("error.invalid"), Fields: map[string]Message{field: Msg("field.unknown_ref")}}
}
