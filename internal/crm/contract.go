package crm

import (
	"context"
	"time"

	"github.com/dealpath/dealpath/internal/playbook"
)

// Contract states. A contract moves
//
//	draft → pending_approval → approved → signed → completed
//
// and may be cancelled before it is signed. Submitting always asks a
// manager (PLAYBOOK.md §5.10: the manager approves the sales contract
// before it is signed); the approval's decision makes it approved or
// rejected. A rejected contract stays as it was; a new one is made from
// the quote. Signing a sale contract moves its deal to implementation
// through the stage gate and opens its project; the last payment completes
// it.
const (
	ContractDraft     = "draft"
	ContractPending   = "pending_approval"
	ContractApproved  = "approved"
	ContractRejected  = "rejected"
	ContractSigned    = "signed"
	ContractCompleted = "completed"
	ContractCancelled = "cancelled"
)

// ContractStates lists the states of a contract.
var ContractStates = []string{ContractDraft, ContractPending, ContractApproved, ContractRejected, ContractSigned, ContractCompleted, ContractCancelled}

// Contract kinds: a sale, or a trial agreement (PLAYBOOK.md §5.11) with a
// start and an end, which converts into a sale.
const (
	ContractSale  = "sale"
	ContractTrial = "trial"
)

// ContractKinds lists the kinds of contract.
var ContractKinds = []string{ContractSale, ContractTrial}

// PaymentMethods lists how a customer pays.
var PaymentMethods = []string{"bank_transfer", "cash", "check", "other"}

// Milestone triggers: the event that makes a milestone due.
const (
	TriggerSigning = "signing"
	TriggerGoLive  = "go_live"
	TriggerFinal   = "final"
)

// MilestoneTriggers lists the triggers of a payment milestone.
var MilestoneTriggers = []string{TriggerSigning, TriggerGoLive, TriggerFinal}

// MaxMilestones bounds the milestones of one contract.
const MaxMilestones = 20

// OurCompanySetting names the setting that holds our company's name, the
// first party of every contract; DefaultOurCompany stands in until an
// admin sets it.
const (
	OurCompanySetting = "company_name"
	DefaultOurCompany = "dealpath"
)

// Contract is a sales contract, or a trial agreement, made from an accepted
// quote of a deal (PLAYBOOK.md §5.5, §5.9–5.11). Its amount is the quote's
// total, split into payment milestones whose amounts add up to it exactly.
type Contract struct {
	ID      int64 `json:"id"`
	Version int64 `json:"version"`
	DealID  int64 `json:"deal_id"`
	QuoteID int64 `json:"quote_id"`
	// AccountID and OwnerID are the deal's account and owner.
	AccountID int64 `json:"account_id"`
	OwnerID   int64 `json:"owner_id"`
	// Number names the contract ("C000123").
	Number        string      `json:"number"`
	Kind          string      `json:"kind"`
	State         string      `json:"state"`
	PartyOurs     string      `json:"party_ours"`
	PartyCustomer string      `json:"party_customer"`
	Amount        int64       `json:"amount"`
	PaymentMethod string      `json:"payment_method"`
	PaymentDays   int         `json:"payment_days"`
	StartOn       *Date       `json:"start_on"`
	EndOn         *Date       `json:"end_on"`
	SignedOn      *Date       `json:"signed_on"`
	ConvertedFrom *int64      `json:"converted_from"`
	ApprovalID    *int64      `json:"approval_id"`
	Milestones    []Milestone `json:"milestones"`
	// Paid is the sum of the milestones' paid amounts.
	Paid           int64     `json:"paid"`
	CreatedBy      int64     `json:"created_by"`
	StateChangedAt time.Time `json:"state_changed_at"`
	CreatedAt      time.Time `json:"created_at"`
	UpdatedAt      time.Time `json:"updated_at"`

	// OwnerTeamID is the owner's team, loaded for permission checks.
	OwnerTeamID int64 `json:"-"`
}

// Milestone is a payment milestone of a contract: an amount due on an
// event (Trigger), with the amount received against it so far.
type Milestone struct {
	ID         int64  `json:"id"`
	Version    int64  `json:"version"`
	ContractID int64  `json:"contract_id"`
	Position   int    `json:"position"`
	Name       string `json:"name"`
	// Percent is the share of the contract amount the client asked for,
	// nil when it gave an amount.
	Percent *int   `json:"percent"`
	Amount  int64  `json:"amount"`
	Paid    int64  `json:"paid"`
	Trigger string `json:"trigger"`
	// DueOn is when the customer must have paid; nil until the trigger
	// has happened, unless the client set it.
	DueOn     *Date     `json:"due_on"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Open is what is still to be paid on the milestone.
func (m *Milestone) Open() int64 { return m.Amount - m.Paid }

// MilestoneInput is a milestone as the client writes it: a percent of the
// contract amount or an amount in fen (one of the two), a trigger, and
// optionally a due date.
type MilestoneInput struct {
	Name    string `json:"name"`
	Percent *int   `json:"percent"`
	Amount  *int64 `json:"amount"`
	DueOn   *Date  `json:"due_on"`
	Trigger string `json:"trigger"`
}

// ContractInput creates a draft contract from an accepted quote. Without
// milestones the default template applies (DefaultMilestones).
type ContractInput struct {
	QuoteID       int64            `json:"quote_id"`
	Kind          string           `json:"kind"`
	PaymentMethod string           `json:"payment_method"`
	PaymentDays   int              `json:"payment_days"`
	StartOn       *Date            `json:"start_on"`
	EndOn         *Date            `json:"end_on"`
	Milestones    []MilestoneInput `json:"milestones"`
}

// ContractAction asks for a move of a contract: the version the client
// read and an optional comment for the audit row.
type ContractAction struct {
	Version int64  `json:"version"`
	Comment string `json:"comment"`
}

// ContractSign signs an approved contract on a day.
type ContractSign struct {
	Version  int64 `json:"version"`
	SignedOn *Date `json:"signed_on"`
}

// ContractFilter selects contracts for a list. Its Q searches the
// contract number and the deal's title.
type ContractFilter struct {
	ListParams
	Scope   Scope
	DealID  *int64
	OwnerID *int64
	State   string
}

// ContractSortFields are the fields a contract list sorts by.
var ContractSortFields = []string{"created_at", "updated_at", "number", "amount", "signed_on"}

// ContractSigning is everything signing a sale contract writes in one
// transaction: the contract, the deal's move to implementation and the new
// project, with their audit rows.
type ContractSigning struct {
	Contract      *Contract
	ExpectVersion int64
	Deal          *Deal
	DealVersion   int64
	Project       *Project
	Audits        []*AuditEntry
	// Recheck, for a sale, judges the deal's stage gate again. The store
	// calls it inside the signing's transaction once it holds the deal's
	// row against every write of the deal's gate facts, and an error
	// aborts the signing: a purchase condition un-met after the service's
	// first check is seen here.
	Recheck func(ctx context.Context) error
}

// ContractStore persists contracts and their milestones.
type ContractStore interface {
	// CreateContract inserts a contract with its milestones and sets its
	// id, number and the milestones' ids, with its audit row.
	CreateContract(ctx context.Context, c *Contract, audit *AuditEntry) error
	ContractByID(ctx context.Context, id int64) (*Contract, error)
	ListContracts(ctx context.Context, f ContractFilter) (*Page[*Contract], error)
	// UpdateContractState moves a contract from one state to another if it
	// is still at expectVersion in state from, with its audit rows.
	UpdateContractState(ctx context.Context, c *Contract, expectVersion int64, from string, audits []*AuditEntry) error
	// SignContract writes a signing: the contract (approved at the expected
	// version), and for a sale the deal's stage move and the project.
	SignContract(ctx context.Context, sg *ContractSigning) error
	// AccountOpenReceivables is what the account's signed contracts still
	// have open on their milestones.
	AccountOpenReceivables(ctx context.Context, accountID int64) (int64, error)
	// DealContractStates returns the states of the deal's sale contracts.
	DealContractStates(ctx context.Context, dealID int64) ([]string, error)
}

// contractAudit is what the audit log keeps of a contract's state change.
type contractAudit struct {
	State      string           `json:"state"`
	Amount     int64            `json:"amount,omitempty"`
	SignedOn   *Date            `json:"signed_on,omitempty"`
	Reasons    []ApprovalReason `json:"reasons,omitempty"`
	ApprovalID int64            `json:"approval_id,omitempty"`
}

// DefaultMilestones is the template used when a contract names none
// (PLAYBOOK.md §7.1–7.4): 50 % at signing and installation, 40 % at
// go-live, 10 % final.
func DefaultMilestones() []MilestoneInput {
	p := func(n int) *int { return &n }
	return []MilestoneInput{
		{Name: "signing_and_installation", Percent: p(50), Trigger: TriggerSigning},
		{Name: "go_live", Percent: p(40), Trigger: TriggerGoLive},
		{Name: "final", Percent: p(10), Trigger: TriggerFinal},
	}
}

// SplitMilestones turns the client's milestones into amounts that add up
// exactly to total. Every milestone gives either a percent or an amount.
// With percents, which must add up to 100, each milestone but the last
// gets total × percent / 100 rounded down to the fen, and the last takes
// the remainder; so the amounts always add up exactly. With amounts they
// must add up to total. Mixing the two is refused.
func SplitMilestones(total int64, in []MilestoneInput) ([]Milestone, error) {
	var v validator
	if len(in) == 0 {
		v.add("milestones", "field.required")
		return nil, v.err()
	}
	if len(in) > MaxMilestones {
		v.add("milestones", "field.too_many", MaxMilestones)
		return nil, v.err()
	}
	var percents int
	var amounts int64
	nPercent := 0
	out := make([]Milestone, len(in))
	for i, m := range in {
		f := func(name string) string { return "milestones." + itoa(i) + "." + name }
		name := clean(m.Name)
		v.required(f("name"), name)
		v.maxLen(f("name"), name, MaxName)
		v.oneOf(f("trigger"), m.Trigger, MilestoneTriggers, false)
		switch {
		case m.Percent != nil && m.Amount != nil, m.Percent == nil && m.Amount == nil:
			v.add(f("percent"), "field.percent_or_amount")
		case m.Percent != nil:
			nPercent++
			if *m.Percent <= 0 || *m.Percent > 100 {
				v.add(f("percent"), "field.range", 1, 100)
			} else {
				percents += *m.Percent
			}
		default:
			if *m.Amount <= 0 || *m.Amount > MaxMoney {
				v.add(f("amount"), "field.range", 1, MaxMoney)
			} else {
				amounts += *m.Amount
			}
		}
		if m.DueOn != nil && (m.DueOn.Year() < 2000 || m.DueOn.Year() > 2200) {
			v.add(f("due_on"), "field.date_range")
		}
		out[i] = Milestone{Position: i + 1, Name: name, Percent: m.Percent, Trigger: m.Trigger, DueOn: m.DueOn}
		if m.Amount != nil {
			out[i].Amount = *m.Amount
		}
	}
	if err := v.err(); err != nil {
		return nil, err
	}
	switch {
	case nPercent > 0 && nPercent < len(in):
		v.add("milestones", "field.percent_or_amount")
	case nPercent > 0 && percents != 100:
		v.add("milestones", "field.percent_sum")
	case nPercent == 0 && amounts != total:
		v.add("milestones", "field.amount_sum", FormatFen(total))
	}
	if err := v.err(); err != nil {
		return nil, err
	}
	if nPercent > 0 {
		var sum int64
		for i := range out {
			if i == len(out)-1 {
				out[i].Amount = total - sum
				break
			}
			// total ≤ MaxMoney (1e15) and percent ≤ 100: no overflow.
			out[i].Amount = total * int64(*out[i].Percent) / 100
			sum += out[i].Amount
		}
	}
	return out, nil
}

func itoa(i int) string {
	const digits = "0123456789"
	if i < 10 {
		return digits[i : i+1]
	}
	return itoa(i/10) + digits[i%10:i%10+1]
}

// Contract returns a contract of a deal the actor may see.
func (s *Service) Contract(ctx context.Context, actor Actor, id int64) (*Contract, error) {
	c, err := s.Store.ContractByID(ctx, id)
	if err != nil {
		return nil, err
	}
	if !actor.Scope().Covers(c.OwnerID, c.OwnerTeamID) {
		return nil, NotFound("contract")
	}
	return c, nil
}

// Contracts lists the contracts of the deals the actor may see.
func (s *Service) Contracts(ctx context.Context, actor Actor, f ContractFilter) (*Page[*Contract], error) {
	var v validator
	f.normalize(&v, ContractSortFields)
	v.oneOf("state", f.State, ContractStates, true)
	if err := v.err(); err != nil {
		return nil, err
	}
	f.Scope = actor.Scope()
	return s.Store.ListContracts(ctx, f)
}

// ContractHistory returns the audit rows of a contract the actor may see.
func (s *Service) ContractHistory(ctx context.Context, actor Actor, id int64) ([]*AuditEntry, error) {
	if _, err := s.Contract(ctx, actor, id); err != nil {
		return nil, err
	}
	return s.Store.AuditFor(ctx, "contract", id)
}

// CreateContract makes a draft contract from an accepted quote of a deal
// the actor may see.
func (s *Service) CreateContract(ctx context.Context, actor Actor, in ContractInput) (*Contract, error) {
	if in.Kind == "" {
		in.Kind = ContractSale
	}
	var v validator
	if in.QuoteID <= 0 {
		v.add("quote_id", "field.required")
	}
	v.oneOf("kind", in.Kind, ContractKinds, false)
	v.oneOf("payment_method", in.PaymentMethod, PaymentMethods, false)
	if in.PaymentDays < 0 || in.PaymentDays > MaxPaymentDays {
		v.add("payment_days", "field.range", 0, MaxPaymentDays)
	}
	if in.Kind == ContractTrial {
		if in.StartOn == nil {
			v.add("start_on", "field.required")
		}
		if in.EndOn == nil {
			v.add("end_on", "field.required")
		}
		if in.StartOn != nil && in.EndOn != nil && in.EndOn.Before(in.StartOn.Time) {
			v.add("end_on", "field.end_before_start")
		}
	}
	for _, d := range []struct {
		f string
		d *Date
	}{{"start_on", in.StartOn}, {"end_on", in.EndOn}} {
		if d.d != nil && (d.d.Year() < 2000 || d.d.Year() > 2200) {
			v.add(d.f, "field.date_range")
		}
	}
	if err := v.err(); err != nil {
		return nil, err
	}
	q, err := s.Quote(ctx, actor, in.QuoteID)
	if err != nil {
		return nil, fieldRef(err, "quote_id")
	}
	if q.State != QuoteAccepted || q.SupersededBy != nil {
		return nil, &Error{Code: EINVALID, Message: Msg("error.invalid"), Fields: map[string]Message{"quote_id": Msg("field.quote_not_accepted")}}
	}
	d, err := s.Deal(ctx, actor, q.DealID)
	if err != nil {
		return nil, err
	}
	acc, err := s.Store.AccountByID(ctx, d.AccountID)
	if err != nil {
		return nil, err
	}
	ms := in.Milestones
	if len(ms) == 0 {
		ms = DefaultMilestones()
	}
	milestones, err := SplitMilestones(q.Total, ms)
	if err != nil {
		return nil, err
	}
	ours, err := s.Store.Setting(ctx, OurCompanySetting)
	if err != nil {
		return nil, err
	}
	if ours == "" {
		ours = DefaultOurCompany
	}
	now := s.now()
	c := &Contract{Version: 1, DealID: d.ID, QuoteID: q.ID, AccountID: d.AccountID, OwnerID: d.OwnerID, OwnerTeamID: d.OwnerTeamID,
		Kind: in.Kind, State: ContractDraft, PartyOurs: ours, PartyCustomer: acc.Name, Amount: q.Total,
		PaymentMethod: in.PaymentMethod, PaymentDays: in.PaymentDays, StartOn: in.StartOn, EndOn: in.EndOn,
		Milestones: milestones, CreatedBy: actor.UserID, StateChangedAt: now, CreatedAt: now, UpdatedAt: now}
	for i := range c.Milestones {
		c.Milestones[i].Version, c.Milestones[i].UpdatedAt = 1, now
	}
	if err := s.Store.CreateContract(ctx, c, s.audit(actor, "contract", 0, "create", nil, contractAudit{State: c.State, Amount: c.Amount}, "")); err != nil {
		return nil, err
	}
	return c, nil
}

// contractStateError refuses an action the contract's state does not allow.
func contractStateError(c *Contract, action string) error {
	return Errorf(ECONFLICT, "error.contract_transition", Msg("enum.contract_state."+c.State), Msg("contract.action."+action))
}

// contractForAction loads a contract for an action: visible to the actor,
// at the version the client read, in one of the states from.
func (s *Service) contractForAction(ctx context.Context, actor Actor, id, version int64, action string, from ...string) (*Contract, error) {
	c, err := s.Contract(ctx, actor, id)
	if err != nil {
		return nil, err
	}
	if err := checkVersion(version, c.Version); err != nil {
		return nil, err
	}
	for _, st := range from {
		if c.State == st {
			return c, nil
		}
	}
	return nil, contractStateError(c, action)
}

// SubmitContract submits a draft for approval. A manager's approval is
// always needed before signing (PLAYBOOK.md §5.10). The request's reasons
// also say where the contract goes beyond the owner's authority (payment
// days, amount on credit) and, when the account's open receivables plus
// this contract exceed the account's credit limit (§7; a limit of 0 means
// none is set), a credit_amount reason whose requested amount is that
// total and whose limit is the account's credit limit: whoever decides
// must have a credit authority covering it.
func (s *Service) SubmitContract(ctx context.Context, actor Actor, id int64, in ContractAction) (*Contract, error) {
	c, err := s.contractForAction(ctx, actor, id, in.Version, "submit", ContractDraft)
	if err != nil {
		return nil, err
	}
	d, err := s.Store.DealByID(ctx, c.DealID)
	if err != nil {
		return nil, err
	}
	owner, err := s.Store.UserByID(ctx, d.OwnerID)
	if err != nil {
		return nil, err
	}
	grant := Grant{PaymentDays: c.PaymentDays}
	if c.PaymentDays > 0 {
		grant.CreditAmount = c.Amount
	}
	reasons := owner.Authority().Exceeds(grant)
	acc, err := s.Store.AccountByID(ctx, c.AccountID)
	if err != nil {
		return nil, err
	}
	if acc.CreditLimit > 0 {
		open, err := s.Store.AccountOpenReceivables(ctx, acc.ID)
		if err != nil {
			return nil, err
		}
		if exposure := open + c.Amount; exposure > acc.CreditLimit {
			r := ApprovalReason{Kind: ReasonCreditAmount, Requested: exposure, Limit: acc.CreditLimit}
			merged := false
			for i := range reasons {
				if reasons[i].Kind == ReasonCreditAmount {
					merged = true
					if exposure >= reasons[i].Requested {
						reasons[i] = r
					}
				}
			}
			if !merged {
				reasons = append(reasons, r)
			}
		}
	}
	if reasons == nil {
		reasons = []ApprovalReason{} // within authority: approved all the same, for no reason beyond §5.10
	}
	req := approvalRequest{kind: ApprovalKindContract, subjectID: c.ID, subjectVersion: c.Version, deal: d, owner: owner, reasons: reasons,
		title: Msg("approval.task.contract", c.Number, d.Title, FormatFen(c.Amount)), comment: in.Comment,
		subjectAudit: func(a *Approval) *AuditEntry {
			return s.audit(actor, "contract", c.ID, "submit", contractAudit{State: c.State},
				contractAudit{State: ContractPending, Amount: c.Amount, Reasons: reasons}, clean(in.Comment))
		}}
	if _, err := s.requestApproval(ctx, actor, req); err != nil {
		return nil, err
	}
	return s.Store.ContractByID(ctx, c.ID)
}

// CancelContract cancels a contract that is not signed yet.
func (s *Service) CancelContract(ctx context.Context, actor Actor, id int64, in ContractAction) (*Contract, error) {
	c, err := s.contractForAction(ctx, actor, id, in.Version, "cancel", ContractDraft, ContractApproved, ContractRejected)
	if err != nil {
		return nil, err
	}
	return s.moveContract(ctx, actor, c, ContractCancelled, "cancel", in.Comment)
}

func (s *Service) moveContract(ctx context.Context, actor Actor, c *Contract, to, action, comment string) (*Contract, error) {
	from, version := c.State, c.Version
	now := s.now()
	c.State, c.StateChangedAt, c.UpdatedAt = to, now, now
	audit := s.audit(actor, "contract", c.ID, action, contractAudit{State: from}, contractAudit{State: to, SignedOn: c.SignedOn}, clean(comment))
	if err := s.Store.UpdateContractState(ctx, c, version, from, []*AuditEntry{audit}); err != nil {
		return nil, err
	}
	return s.Store.ContractByID(ctx, c.ID)
}

// SignContract signs an approved contract. A trial agreement is simply
// signed. A sale contract moves its deal to implementation through the
// stage gate — every gate between the deal's stage and implementation
// must hold, with the contract counted as signed — so it is refused with
// gate_unmet while, say, a purchase condition is unmet, and then nothing
// changes. On success the contract, the deal's stage move and the new
// project (with the playbook's implementation steps) are written in one
// transaction, each with its audit row; that transaction judges the gate
// again once it holds the deal (ContractSigning.Recheck), so a purchase
// condition un-met meanwhile refuses the signing all the same. Milestones due at signing without
// a due date fall due payment_days after the signing day.
func (s *Service) SignContract(ctx context.Context, actor Actor, id int64, in ContractSign) (*Contract, error) {
	c, err := s.contractForAction(ctx, actor, id, in.Version, "sign", ContractApproved)
	if err != nil {
		return nil, err
	}
	signedOn := s.today()
	if in.SignedOn != nil {
		signedOn = *in.SignedOn
	}
	if signedOn.Year() < 2000 || signedOn.Year() > 2200 {
		return nil, &Error{Code: EINVALID, Message: Msg("error.invalid"), Fields: map[string]Message{"signed_on": Msg("field.date_range")}}
	}
	now := s.now()
	version := c.Version
	sg := &ContractSigning{Contract: c, ExpectVersion: version}
	c.State, c.SignedOn, c.StateChangedAt, c.UpdatedAt = ContractSigned, &signedOn, now, now
	for i := range c.Milestones {
		if m := &c.Milestones[i]; m.Trigger == TriggerSigning && m.DueOn == nil {
			due := Date{signedOn.AddDate(0, 0, c.PaymentDays)}
			m.DueOn = &due
		}
	}
	sg.Audits = append(sg.Audits, s.audit(actor, "contract", c.ID, "sign", contractAudit{State: ContractApproved},
		contractAudit{State: ContractSigned, Amount: c.Amount, SignedOn: &signedOn}, ""))
	if c.Kind == ContractSale {
		d, err := s.Store.DealByID(ctx, c.DealID)
		if err != nil {
			return nil, err
		}
		dealAudit, err := s.gateMove(ctx, actor, d, StageImplementation, func(f *gateFacts) { f.ContractSigned = true })
		if err != nil {
			return nil, err
		}
		sg.Deal, sg.DealVersion = d, d.Version
		sg.Recheck = func(ctx context.Context) error {
			return s.recheckGate(ctx, d.ID, sg.DealVersion, StageImplementation, func(f *gateFacts) { f.ContractSigned = true })
		}
		sg.Audits = append(sg.Audits, dealAudit)
		sg.Project = s.newProject(d, c, now)
		sg.Audits = append(sg.Audits, s.audit(actor, "project", 0, "open", nil, map[string]any{"state": ProjectOpen, "contract_id": c.ID}, ""))
	}
	if err := s.Store.SignContract(ctx, sg); err != nil {
		return nil, err
	}
	return s.Store.ContractByID(ctx, c.ID)
}

// ConvertTrial makes a draft sale contract from a signed trial agreement,
// with the trial's quote, payment terms and the default milestones; the
// trial is completed. The sale contract goes through approval and signing
// like any other.
func (s *Service) ConvertTrial(ctx context.Context, actor Actor, id int64, in ContractAction) (*Contract, error) {
	t, err := s.contractForAction(ctx, actor, id, in.Version, "convert", ContractSigned)
	if err != nil {
		return nil, err
	}
	if t.Kind != ContractTrial {
		return nil, contractStateError(t, "convert")
	}
	milestones, err := SplitMilestones(t.Amount, DefaultMilestones())
	if err != nil {
		return nil, err
	}
	now := s.now()
	c := &Contract{Version: 1, DealID: t.DealID, QuoteID: t.QuoteID, AccountID: t.AccountID, OwnerID: t.OwnerID, OwnerTeamID: t.OwnerTeamID,
		Kind: ContractSale, State: ContractDraft, PartyOurs: t.PartyOurs, PartyCustomer: t.PartyCustomer, Amount: t.Amount,
		PaymentMethod: t.PaymentMethod, PaymentDays: t.PaymentDays, ConvertedFrom: &t.ID,
		Milestones: milestones, CreatedBy: actor.UserID, StateChangedAt: now, CreatedAt: now, UpdatedAt: now}
	for i := range c.Milestones {
		c.Milestones[i].Version, c.Milestones[i].UpdatedAt = 1, now
	}
	if _, err := s.moveContract(ctx, actor, t, ContractCompleted, "convert", in.Comment); err != nil {
		return nil, err
	}
	if err := s.Store.CreateContract(ctx, c, s.audit(actor, "contract", 0, "create", nil, contractAudit{State: c.State, Amount: c.Amount}, "convert")); err != nil {
		return nil, err
	}
	return c, nil
}

// StageImplementation and StageCommit are the stages a signing and a final
// payment move a deal between.
const (
	StageCommit         = "commit"
	StageImplementation = "implementation"
)

// gateFacts are the playbook's facts about a deal.
type gateFacts = playbook.DealFacts

// gateMove moves d forward to stage under the playbook's gates, with the
// facts of d's records changed by adjust (what the caller is about to
// write: a signed contract, a final payment). It changes d in memory and
// returns the stage move's audit row; an unmet gate is gate_unmet and a
// deal not behind stage a conflict. Nobody overrides here: a contract is
// signed and paid for real.
func (s *Service) gateMove(ctx context.Context, actor Actor, d *Deal, stage string, adjust func(f *gateFacts)) (*AuditEntry, error) {
	if err := s.checkGate(ctx, d, stage, adjust); err != nil {
		return nil, err
	}
	to := s.Playbook.Stage(stage)
	if to == nil {
		return nil, Errorf(EINVALID, "error.invalid")
	}
	before := map[string]any{"stage": d.Stage, "probability": d.Probability}
	now := s.now()
	d.Stage, d.Probability, d.LostReason, d.StageChangedAt, d.UpdatedAt = stage, to.Probability, "", now, now
	after := map[string]any{"stage": d.Stage, "probability": d.Probability}
	return s.audit(actor, "deal", d.ID, "stage", before, after, ""), nil
}

// checkGate judges whether d may move forward to stage under the
// playbook's gates, with its facts changed by adjust.
func (s *Service) checkGate(ctx context.Context, d *Deal, stage string, adjust func(f *gateFacts)) error {
	if d.Stage == StageLost || s.stageIndex(d.Stage) >= s.stageIndex(stage) {
		return Errorf(ECONFLICT, "error.deal_stage_past", d.Stage)
	}
	st, err := s.dealState(ctx, d)
	if err != nil {
		return err
	}
	adjust(&st.facts)
	if unmet := s.Playbook.CheckMove(d.Stage, stage, st.facts); len(unmet) > 0 {
		return GateUnmet(unmet)
	}
	return nil
}

// recheckGate judges the gate again on the deal as now committed, for a
// store that calls it inside a write transaction holding the deal's row
// (ContractSigning.Recheck): a deal no longer at version is a conflict.
func (s *Service) recheckGate(ctx context.Context, dealID, version int64, stage string, adjust func(f *gateFacts)) error {
	d, err := s.Store.DealByID(ctx, dealID)
	if err != nil {
		return err
	}
	if d.Version != version {
		return Conflict()
	}
	return s.checkGate(ctx, d, stage, adjust)
}

// contractFacts sets the playbook's contract_signed and
// final_payment_received facts from the deal's sale contracts: signed
// when one is signed or completed, final payment received when one is
// completed (its last milestone paid).
func (s *Service) contractFacts(ctx context.Context, dealID int64, f *gateFacts) error {
	states, err := s.Store.DealContractStates(ctx, dealID)
	if err != nil {
		return err
	}
	for _, st := range states {
		f.ContractSigned = f.ContractSigned || st == ContractSigned || st == ContractCompleted
		f.FinalPaymentReceived = f.FinalPaymentReceived || st == ContractCompleted
	}
	return nil
}
