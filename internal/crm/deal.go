package crm

import (
	"context"
	"time"
)

// Deal is a sales opportunity moving through the playbook's stages.
type Deal struct {
	ID                int64     `json:"id"`
	Version           int64     `json:"version"`
	AccountID         int64     `json:"account_id"`
	OwnerID           int64     `json:"owner_id"`
	Title             string    `json:"title"`
	Stage             string    `json:"stage"`
	Amount            int64     `json:"amount"`
	ExpectedCloseDate *Date     `json:"expected_close_date"`
	Probability       int       `json:"probability"`
	NextStep          string    `json:"next_step"`
	LostReason        string    `json:"lost_reason"`
	StageChangedAt    time.Time `json:"stage_changed_at"`
	// CloseDateSlips counts how often the expected close date moved later:
	// a deal that keeps slipping is less healthy than its stage suggests.
	CloseDateSlips int `json:"close_date_slips"`
	// NoCompetitors records that the rep knows nobody else competes, which
	// answers "know the competitors" (PLAYBOOK.md §5.2) as well as a list.
	NoCompetitors bool      `json:"no_competitors"`
	CreatedAt     time.Time `json:"created_at"`
	UpdatedAt     time.Time `json:"updated_at"`

	// OwnerTeamID is the owner's team, loaded for permission checks.
	OwnerTeamID int64 `json:"-"`
}

// DealInput creates a deal. Stage defaults to prospecting and OwnerID to the
// actor; a stage other than the first is for imports of running deals.
type DealInput struct {
	AccountID         int64  `json:"account_id"`
	OwnerID           int64  `json:"owner_id"`
	Title             string `json:"title"`
	Stage             string `json:"stage"`
	Amount            int64  `json:"amount"`
	ExpectedCloseDate *Date  `json:"expected_close_date"`
	Probability       int    `json:"probability"`
	NextStep          string `json:"next_step"`
}

// DealPatch changes a deal. The stage is not here: it moves only through
// MoveDealStage, where the playbook's gates apply.
type DealPatch struct {
	Version           int64       `json:"version"`
	OwnerID           Opt[int64]  `json:"owner_id"`
	Title             Opt[string] `json:"title"`
	Amount            Opt[int64]  `json:"amount"`
	ExpectedCloseDate Opt[Date]   `json:"expected_close_date"`
	Probability       Opt[int]    `json:"probability"`
	NextStep          Opt[string] `json:"next_step"`
	NoCompetitors     Opt[bool]   `json:"no_competitors"`
}

// StageMove asks to move a deal to another stage. Override, for managers
// and admins, moves past unmet gates; it needs a reason and is audited.
type StageMove struct {
	Stage    string `json:"stage"`
	Reason   string `json:"reason"`
	Override bool   `json:"override"`
}

// DealFilter selects deals for a list.
type DealFilter struct {
	ListParams
	Scope     Scope
	OwnerID   *int64
	AccountID *int64
	TeamID    *int64
	Stage     string
}

// DealSortFields are the fields a deal list sorts by.
var DealSortFields = []string{"title", "amount", "expected_close_date", "created_at", "updated_at", "probability"}

// DealContact places a contact in a deal: the buying role they play
// (PLAYBOOK.md §3, §6 condition 5), where they stand, and how far the rep
// has got with them (§1.4).
type DealContact struct {
	DealID         int64     `json:"deal_id"`
	ContactID      int64     `json:"contact_id"`
	Version        int64     `json:"version"`
	BuyingRole     string    `json:"buying_role"`
	Stance         string    `json:"stance"`
	EngagementStep string    `json:"engagement_step"`
	CreatedAt      time.Time `json:"created_at"`
	UpdatedAt      time.Time `json:"updated_at"`
}

// DealContactInput adds a contact to a deal.
type DealContactInput struct {
	ContactID      int64  `json:"contact_id"`
	BuyingRole     string `json:"buying_role"`
	Stance         string `json:"stance"`
	EngagementStep string `json:"engagement_step"`
}

// DealContactPatch changes a contact's part in a deal.
type DealContactPatch struct {
	Version        int64       `json:"version"`
	BuyingRole     Opt[string] `json:"buying_role"`
	Stance         Opt[string] `json:"stance"`
	EngagementStep Opt[string] `json:"engagement_step"`
}

// DealStore persists deals and their contacts.
type DealStore interface {
	CreateDeal(ctx context.Context, d *Deal) error
	DealByID(ctx context.Context, id int64) (*Deal, error)
	ListDeals(ctx context.Context, f DealFilter) (*Page[*Deal], error)
	// UpdateDeal writes the deal and, when audit is not nil, its audit row
	// in one transaction.
	UpdateDeal(ctx context.Context, d *Deal, expectVersion int64, audit *AuditEntry) error
	DeleteDeal(ctx context.Context, id int64, expectVersion int64, audit *AuditEntry) error

	AddDealContact(ctx context.Context, dc *DealContact) error
	DealContacts(ctx context.Context, dealID int64) ([]*DealContact, error)
	DealContact(ctx context.Context, dealID, contactID int64) (*DealContact, error)
	UpdateDealContact(ctx context.Context, dc *DealContact, expectVersion int64) error
	RemoveDealContact(ctx context.Context, dealID, contactID int64) error
}

func (d *Deal) validate() error {
	var v validator
	if d.OwnerID <= 0 {
		v.add("owner_id", "field.required")
	}
	if d.AccountID <= 0 {
		v.add("account_id", "field.required")
	}
	v.required("title", d.Title)
	v.maxLen("title", d.Title, MaxName)
	v.oneOf("stage", d.Stage, Stages, false)
	v.money("amount", d.Amount)
	if d.Probability < 0 || d.Probability > 100 {
		v.add("probability", "field.range", 0, 100)
	}
	if d.ExpectedCloseDate != nil && (d.ExpectedCloseDate.Year() < 2000 || d.ExpectedCloseDate.Year() > 2200) {
		v.add("expected_close_date", "field.date_range")
	}
	v.maxLen("next_step", d.NextStep, MaxName)
	v.maxLen("lost_reason", d.LostReason, MaxText)
	return v.err()
}

// CreateDeal opens a deal on an account the actor may see.
func (s *Service) CreateDeal(ctx context.Context, actor Actor, in DealInput) (*Deal, error) {
	d := &Deal{
		AccountID: in.AccountID, OwnerID: in.OwnerID, Title: clean(in.Title), Stage: in.Stage, Amount: in.Amount,
		ExpectedCloseDate: in.ExpectedCloseDate, Probability: in.Probability, NextStep: clean(in.NextStep),
	}
	if d.OwnerID == 0 {
		d.OwnerID = actor.UserID
	}
	if d.Stage == "" {
		d.Stage = StageProspecting
	}
	if st := s.Playbook.Stage(d.Stage); st != nil && d.Probability == 0 {
		d.Probability = st.Probability // the playbook's default for the stage
	}
	if d.Stage == StageLost {
		return nil, &Error{Code: EINVALID, Message: Msg("error.invalid"), Fields: map[string]Message{"stage": Msg("field.lost_needs_move")}}
	}
	if err := d.validate(); err != nil {
		return nil, err
	}
	if _, err := s.Account(ctx, actor, d.AccountID); err != nil {
		return nil, fieldRef(err, "account_id")
	}
	if err := s.checkAssignable(ctx, actor, d.OwnerID); err != nil {
		return nil, err
	}
	now := s.now()
	d.CreatedAt, d.UpdatedAt, d.StageChangedAt, d.Version = now, now, now, 1
	if err := s.Store.CreateDeal(ctx, d); err != nil {
		return nil, err
	}
	return d, nil
}

// Deal returns a deal the actor may see.
func (s *Service) Deal(ctx context.Context, actor Actor, id int64) (*Deal, error) {
	d, err := s.Store.DealByID(ctx, id)
	if err != nil {
		return nil, err
	}
	if !actor.Scope().Covers(d.OwnerID, d.OwnerTeamID) {
		return nil, NotFound("deal")
	}
	return d, nil
}

// Deals lists the deals the actor may see.
func (s *Service) Deals(ctx context.Context, actor Actor, f DealFilter) (*Page[*Deal], error) {
	var v validator
	f.normalize(&v, DealSortFields)
	v.oneOf("stage", f.Stage, Stages, true)
	if err := v.err(); err != nil {
		return nil, err
	}
	f.Scope = actor.Scope()
	return s.Store.ListDeals(ctx, f)
}

// UpdateDeal applies a patch when the client's version is current.
func (s *Service) UpdateDeal(ctx context.Context, actor Actor, id int64, p DealPatch) (*Deal, error) {
	d, err := s.Deal(ctx, actor, id)
	if err != nil {
		return nil, err
	}
	if err := checkVersion(p.Version, d.Version); err != nil {
		return nil, err
	}
	oldOwner, oldClose := d.OwnerID, d.ExpectedCloseDate
	p.OwnerID.apply(&d.OwnerID)
	p.Title.apply(&d.Title)
	p.Amount.apply(&d.Amount)
	applyPtr(p.ExpectedCloseDate, &d.ExpectedCloseDate)
	p.Probability.apply(&d.Probability)
	p.NextStep.apply(&d.NextStep)
	p.NoCompetitors.apply(&d.NoCompetitors)
	d.Title, d.NextStep = clean(d.Title), clean(d.NextStep)
	if oldClose != nil && d.ExpectedCloseDate != nil && d.ExpectedCloseDate.After(oldClose.Time) {
		d.CloseDateSlips++
	}
	if err := d.validate(); err != nil {
		return nil, err
	}
	var audit *AuditEntry
	if d.OwnerID != oldOwner {
		if err := s.checkAssignable(ctx, actor, d.OwnerID); err != nil {
			return nil, err
		}
		audit = s.audit(actor, "deal", id, "reassign", map[string]int64{"owner_id": oldOwner}, map[string]int64{"owner_id": d.OwnerID}, "")
	}
	d.UpdatedAt = s.now()
	if err := s.Store.UpdateDeal(ctx, d, p.Version, audit); err != nil {
		return nil, err
	}
	return d, nil
}

// DeleteDeal soft-deletes a deal; its history stays in the audit log.
func (s *Service) DeleteDeal(ctx context.Context, actor Actor, id, version int64) error {
	d, err := s.Deal(ctx, actor, id)
	if err != nil {
		return err
	}
	if version != d.Version {
		return Conflict()
	}
	return s.Store.DeleteDeal(ctx, id, version, s.audit(actor, "deal", id, "delete", d, nil, ""))
}

// DealHistory returns the audit rows of a deal the actor may see.
func (s *Service) DealHistory(ctx context.Context, actor Actor, id int64) ([]*AuditEntry, error) {
	if _, err := s.Deal(ctx, actor, id); err != nil {
		return nil, err
	}
	return s.Store.AuditFor(ctx, "deal", id)
}

func (dc *DealContact) validate() error {
	var v validator
	v.oneOf("buying_role", dc.BuyingRole, BuyingRoles, false)
	v.oneOf("stance", dc.Stance, Stances, false)
	v.oneOf("engagement_step", dc.EngagementStep, EngagementSteps, false)
	return v.err()
}

// DealContacts lists the contacts of a deal the actor may see.
func (s *Service) DealContacts(ctx context.Context, actor Actor, dealID int64) ([]*DealContact, error) {
	if _, err := s.Deal(ctx, actor, dealID); err != nil {
		return nil, err
	}
	return s.Store.DealContacts(ctx, dealID)
}

// AddDealContact puts a contact of the deal's account into the deal.
func (s *Service) AddDealContact(ctx context.Context, actor Actor, dealID int64, in DealContactInput) (*DealContact, error) {
	d, err := s.Deal(ctx, actor, dealID)
	if err != nil {
		return nil, err
	}
	dc := &DealContact{DealID: dealID, ContactID: in.ContactID, BuyingRole: in.BuyingRole, Stance: in.Stance, EngagementStep: in.EngagementStep}
	if dc.BuyingRole == "" {
		dc.BuyingRole = "contact"
	}
	if dc.Stance == "" {
		dc.Stance = "neutral"
	}
	if dc.EngagementStep == "" {
		dc.EngagementStep = EngagementSteps[0]
	}
	if err := dc.validate(); err != nil {
		return nil, err
	}
	c, err := s.Store.ContactByID(ctx, in.ContactID)
	if err != nil || c.AccountID != d.AccountID {
		if err == nil || ErrorCode(err) == ENOTFOUND {
			return nil, &Error{Code: EINVALID, Message: Msg("error.invalid"), Fields: map[string]Message{"contact_id": Msg("field.contact_not_of_account")}}
		}
		return nil, err
	}
	now := s.now()
	dc.CreatedAt, dc.UpdatedAt, dc.Version = now, now, 1
	if err := s.Store.AddDealContact(ctx, dc); err != nil {
		return nil, err
	}
	return dc, nil
}

// UpdateDealContact changes a contact's buying role, stance or engagement.
func (s *Service) UpdateDealContact(ctx context.Context, actor Actor, dealID, contactID int64, p DealContactPatch) (*DealContact, error) {
	if _, err := s.Deal(ctx, actor, dealID); err != nil {
		return nil, err
	}
	dc, err := s.Store.DealContact(ctx, dealID, contactID)
	if err != nil {
		return nil, err
	}
	if err := checkVersion(p.Version, dc.Version); err != nil {
		return nil, err
	}
	p.BuyingRole.apply(&dc.BuyingRole)
	p.Stance.apply(&dc.Stance)
	p.EngagementStep.apply(&dc.EngagementStep)
	if err := dc.validate(); err != nil {
		return nil, err
	}
	dc.UpdatedAt = s.now()
	if err := s.Store.UpdateDealContact(ctx, dc, p.Version); err != nil {
		return nil, err
	}
	return dc, nil
}

// RemoveDealContact takes a contact out of a deal.
func (s *Service) RemoveDealContact(ctx context.Context, actor Actor, dealID, contactID int64) error {
	if _, err := s.Deal(ctx, actor, dealID); err != nil {
		return err
	}
	return s.Store.RemoveDealContact(ctx, dealID, contactID)
}
