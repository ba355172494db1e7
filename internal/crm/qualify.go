package crm

import (
	"context"
	"time"
)

// The records that qualify a deal as the playbook walks it: compelling
// events (PLAYBOOK.md §2), the qualification questionnaire and budget (§3),
// demos with their ROI sum (§4), competitors (§5.2) and the six purchase
// conditions (§6). Each belongs to one deal and is visible to whoever may
// see the deal.

// CompellingEvent is why the customer must buy now: a code of the
// playbook's catalogue (CE1…) or "custom" with a title of its own.
type CompellingEvent struct {
	ID                   int64     `json:"id"`
	DealID               int64     `json:"deal_id"`
	Code                 string    `json:"code"`
	Title                string    `json:"title"`
	Impact               string    `json:"impact"`
	ConfirmedByContactID *int64    `json:"confirmed_by_contact_id"`
	CreatedBy            int64     `json:"created_by"`
	CreatedAt            time.Time `json:"created_at"`
}

// CompellingEventInput records a compelling event.
type CompellingEventInput struct {
	Code                 string `json:"code"`
	Title                string `json:"title"`
	Impact               string `json:"impact"`
	ConfirmedByContactID *int64 `json:"confirmed_by_contact_id"`
}

// CustomEventCode marks an event that is not in the catalogue.
const CustomEventCode = "custom"

// Qualification is the questionnaire of §3: answers keyed by the
// playbook's question keys, and the customer's budget. A deal has exactly
// one; before the first save it reads as version 0 with nothing answered.
type Qualification struct {
	DealID    int64             `json:"deal_id"`
	Version   int64             `json:"version"`
	Answers   map[string]string `json:"answers"`
	Budget    Budget            `json:"budget"`
	UpdatedBy *int64            `json:"updated_by"`
	UpdatedAt *time.Time        `json:"updated_at"`
}

// Budget is what the customer can spend (§3 questions 11–13).
type Budget struct {
	// Amount in fen; nil while unknown.
	Amount *int64 `json:"amount"`
	// Flexibility is fixed, negotiable or open.
	Flexibility string `json:"flexibility"`
	// Basis is how the customer calculated it.
	Basis string `json:"basis"`
	// ApprovalProcess is how the customer approves the spend.
	ApprovalProcess string `json:"approval_process"`
	// PersuasionPlan is how we bring the customer up to our price when the
	// budget is below it (§3 question 12).
	PersuasionPlan string `json:"persuasion_plan"`
}

// BudgetFlexibilities are the values of Budget.Flexibility.
var BudgetFlexibilities = []string{"fixed", "negotiable", "open"}

// QualificationInput replaces a deal's questionnaire; Version is the one
// read (0 for a deal never qualified).
type QualificationInput struct {
	Version int64             `json:"version"`
	Answers map[string]string `json:"answers"`
	Budget  Budget            `json:"budget"`
}

// Demo is a standard demo held for the customer (§4), with its ROI sum.
type Demo struct {
	ID        int64          `json:"id"`
	DealID    int64          `json:"deal_id"`
	Version   int64          `json:"version"`
	HeldOn    Date           `json:"held_on"`
	Attendees []DemoAttendee `json:"attendees"`
	// Prep lists the keys of the preparation checklist that were done.
	Prep      []string  `json:"prep"`
	Story     string    `json:"story"`
	Feedback  string    `json:"feedback"`
	NextStep  string    `json:"next_step"`
	ROI       ROI       `json:"roi"`
	CreatedBy int64     `json:"created_by"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// DemoAttendee is a contact at the demo and the role they came in.
type DemoAttendee struct {
	ContactID int64  `json:"contact_id"`
	Role      string `json:"role"`
}

// DemoInput records a demo.
type DemoInput struct {
	HeldOn    Date           `json:"held_on"`
	Attendees []DemoAttendee `json:"attendees"`
	Prep      []string       `json:"prep"`
	Story     string         `json:"story"`
	Feedback  string         `json:"feedback"`
	NextStep  string         `json:"next_step"`
	ROI       ROIInput       `json:"roi"`
}

// ROIInput is the customer's ROI sum as entered: savings and gains per year
// by category, one-off and yearly costs.
type ROIInput struct {
	Lines []ROILine `json:"lines"`
}

// ROILine is one amount of the ROI sum, in fen.
type ROILine struct {
	Kind     string `json:"kind"`
	Category string `json:"category"`
	Amount   int64  `json:"amount"`
}

// ROI kinds: yearly savings and yearly gains are the benefit; one-off and
// yearly costs are what the customer pays.
var ROIKinds = []string{"saving", "gain", "one_off_cost", "yearly_cost"}

// ROI is the ROI sum computed server-side from its lines.
type ROI struct {
	Lines         []ROILine `json:"lines"`
	YearlyBenefit int64     `json:"yearly_benefit"`
	OneOffCost    int64     `json:"one_off_cost"`
	YearlyCost    int64     `json:"yearly_cost"`
	// PaybackMonths is nil when the software never pays back (net yearly
	// benefit not positive) or nothing was entered.
	PaybackMonths *int `json:"payback_months"`
	// ROI3YPercent is the three-year return: (3 × benefit − total cost) /
	// total cost, in whole percent; nil when there is no cost.
	ROI3YPercent *int `json:"roi_3y_percent"`
}

// Competitor is a rival vendor on a deal (§5.2).
type Competitor struct {
	ID         int64  `json:"id"`
	DealID     int64  `json:"deal_id"`
	Version    int64  `json:"version"`
	Name       string `json:"name"`
	Strengths  string `json:"strengths"`
	Weaknesses string `json:"weaknesses"`
	// Status is active while they are still in the race, eliminated once out.
	Status    string    `json:"status"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// CompetitorStatuses are the values of Competitor.Status.
var CompetitorStatuses = []string{"active", "eliminated"}

// CompetitorInput records a competitor.
type CompetitorInput struct {
	Name       string `json:"name"`
	Strengths  string `json:"strengths"`
	Weaknesses string `json:"weaknesses"`
	Status     string `json:"status"`
}

// CompetitorPatch changes a competitor.
type CompetitorPatch struct {
	Version    int64       `json:"version"`
	Name       Opt[string] `json:"name"`
	Strengths  Opt[string] `json:"strengths"`
	Weaknesses Opt[string] `json:"weaknesses"`
	Status     Opt[string] `json:"status"`
}

// PurchaseCondition is one of the six conditions of §6 on a deal: met or
// not, with the evidence, and who said so when. Version 0 means never set.
type PurchaseCondition struct {
	Key       string     `json:"key"`
	Version   int64      `json:"version"`
	Met       bool       `json:"met"`
	Evidence  string     `json:"evidence"`
	UpdatedBy *int64     `json:"updated_by"`
	UpdatedAt *time.Time `json:"updated_at"`
}

// ConditionInput sets one condition; Version is the one read.
type ConditionInput struct {
	Key      string `json:"key"`
	Version  int64  `json:"version"`
	Met      bool   `json:"met"`
	Evidence string `json:"evidence"`
}

// QualifyStore persists the qualification records of deals.
type QualifyStore interface {
	AddEvent(ctx context.Context, e *CompellingEvent, audit *AuditEntry) error
	DealEvents(ctx context.Context, dealID int64) ([]*CompellingEvent, error)
	DeleteEvent(ctx context.Context, dealID, id int64, audit *AuditEntry) error

	// Qualification returns the deal's questionnaire, version 0 if none.
	Qualification(ctx context.Context, dealID int64) (*Qualification, error)
	// SaveQualification replaces it when the stored version is expectVersion.
	SaveQualification(ctx context.Context, q *Qualification, expectVersion int64) error

	CreateDemo(ctx context.Context, d *Demo) error
	DealDemos(ctx context.Context, dealID int64) ([]*Demo, error)

	CreateCompetitor(ctx context.Context, c *Competitor) error
	DealCompetitors(ctx context.Context, dealID int64) ([]*Competitor, error)
	CompetitorByID(ctx context.Context, dealID, id int64) (*Competitor, error)
	UpdateCompetitor(ctx context.Context, c *Competitor, expectVersion int64) error
	DeleteCompetitor(ctx context.Context, dealID, id int64) error

	// Conditions returns the stored conditions of a deal (only those ever set).
	Conditions(ctx context.Context, dealID int64) ([]*PurchaseCondition, error)
	// SaveConditions writes the changed conditions and their audit rows in
	// one transaction; each must still be at its expected version.
	SaveConditions(ctx context.Context, dealID int64, changes []ConditionChange) error
}

// ConditionChange is one condition write with the version it expects and
// the audit row that records it.
type ConditionChange struct {
	Condition     *PurchaseCondition
	ExpectVersion int64
	Audit         *AuditEntry
}
