package crm

import (
	"context"
	"slices"
	"time"
)

// Payment is money received against a milestone of a signed contract
// (PLAYBOOK.md §7.1, §7.4). A milestone may be paid in parts, never beyond
// its amount.
type Payment struct {
	ID          int64     `json:"id"`
	ContractID  int64     `json:"contract_id"`
	MilestoneID int64     `json:"milestone_id"`
	Amount      int64     `json:"amount"`
	ReceivedOn  Date      `json:"received_on"`
	Method      string    `json:"method"`
	Notes       string    `json:"notes"`
	RecordedBy  int64     `json:"recorded_by"`
	CreatedAt   time.Time `json:"created_at"`

	// MilestoneVersion, when not 0, is the milestone's version the clerk
	// read: the payment is recorded only if the milestone is still at it.
	MilestoneVersion int64 `json:"-"`
}

// PaymentInput records a payment. ReceivedOn defaults to today and Method
// to the contract's payment method. MilestoneVersion, optional, is the
// version of the milestone the clerk read: with it, a payment recorded
// meanwhile by someone else makes this one a conflict (409), never a
// second count of the same money.
type PaymentInput struct {
	MilestoneID      int64  `json:"milestone_id"`
	MilestoneVersion int64  `json:"milestone_version"`
	Amount           int64  `json:"amount"`
	ReceivedOn       *Date  `json:"received_on"`
	Method           string `json:"method"`
	Notes            string `json:"notes"`
}

// PaymentCompletion is what the last payment of a contract writes with it
// in one transaction: the contract completed, its project closed, the deal
// moved to closed, with their audit rows.
type PaymentCompletion struct {
	Contract    *Contract
	Deal        *Deal
	DealVersion int64
	At          time.Time
	Audits      []*AuditEntry
}

// Receivable is a milestone with an open amount on a signed contract.
type Receivable struct {
	ContractID     int64  `json:"contract_id"`
	ContractNumber string `json:"contract_number"`
	DealID         int64  `json:"deal_id"`
	AccountID      int64  `json:"account_id"`
	OwnerID        int64  `json:"owner_id"`
	MilestoneID    int64  `json:"milestone_id"`
	MilestoneName  string `json:"milestone_name"`
	Amount         int64  `json:"amount"`
	Paid           int64  `json:"paid"`
	Open           int64  `json:"open"`
	DueOn          *Date  `json:"due_on"`
	// DaysOverdue counts the days since DueOn, 0 when not overdue.
	DaysOverdue int `json:"days_overdue"`
}

// ReceivableFilter selects receivables. Overdue keeps only those due
// before Today; Q searches the contract number.
type ReceivableFilter struct {
	ListParams
	Scope     Scope
	AccountID *int64
	// OwnerID narrows the scope to one owner's deals: My day shows the
	// viewer's own payments, which the first page of a manager's or an
	// admin's whole scope need not hold.
	OwnerID *int64
	Overdue bool
	Today   Date
}

// ReceivableSortFields are the fields a receivable list sorts by: the due
// date (the undated last) and the days overdue by Today.
var ReceivableSortFields = []string{"due_on", "days_overdue", "open"}

// PaymentStore persists payments and reads receivables.
type PaymentStore interface {
	// RecordPayment adds p to its milestone's paid amount only if that
	// stays within the milestone's amount — a conditional update, so two
	// clerks recording at once never double-count: the later one finds no
	// room and gets a conflict. With done not nil, the payment must pay
	// the contract in full, and the completion is written in the same
	// transaction; otherwise it must not.
	RecordPayment(ctx context.Context, p *Payment, audit *AuditEntry, done *PaymentCompletion) error
	ContractPayments(ctx context.Context, contractID int64) ([]*Payment, error)
	Receivables(ctx context.Context, f ReceivableFilter) (*Page[*Receivable], error)
}

// RecordPayment records a payment against a milestone of a signed contract
// the actor may see. The amount must be positive and at most what is still
// open on the milestone (400 on amount; 409 when another payment took the
// room meanwhile). The payment that leaves nothing open on the contract
// completes it: in one transaction the contract is completed, its project
// closed (the final_payment step done) and the deal moved to closed
// through the gate, with final_payment_received holding.
func (s *Service) RecordPayment(ctx context.Context, actor Actor, contractID int64, in PaymentInput) (*Payment, error) {
	c, err := s.Contract(ctx, actor, contractID)
	if err != nil {
		return nil, err
	}
	p := &Payment{ContractID: c.ID, MilestoneID: in.MilestoneID, Amount: in.Amount, Method: in.Method, Notes: clean(in.Notes), RecordedBy: actor.UserID}
	if p.Method == "" {
		p.Method = c.PaymentMethod
	}
	p.ReceivedOn = s.today()
	if in.ReceivedOn != nil {
		p.ReceivedOn = *in.ReceivedOn
	}
	var v validator
	if p.MilestoneID <= 0 {
		v.add("milestone_id", "field.required")
	}
	if p.Amount <= 0 || p.Amount > MaxMoney {
		v.add("amount", "field.range", 1, MaxMoney)
	}
	v.oneOf("method", p.Method, PaymentMethods, false)
	v.maxLen("notes", p.Notes, MaxText)
	if p.ReceivedOn.Year() < 2000 || p.ReceivedOn.Year() > 2200 {
		v.add("received_on", "field.date_range")
	}
	if err := v.err(); err != nil {
		return nil, err
	}
	if c.State != ContractSigned || c.Kind != ContractSale {
		return nil, contractStateError(c, "pay")
	}
	i := slices.IndexFunc(c.Milestones, func(m Milestone) bool { return m.ID == p.MilestoneID })
	if i < 0 {
		return nil, &Error{Code: EINVALID, Message: Msg("error.invalid"), Fields: map[string]Message{"milestone_id": Msg("field.milestone_not_of_contract")}}
	}
	m := c.Milestones[i]
	if in.MilestoneVersion < 0 || (in.MilestoneVersion > 0 && in.MilestoneVersion != m.Version) {
		return nil, Conflict()
	}
	p.MilestoneVersion = in.MilestoneVersion
	if p.Amount > m.Open() {
		return nil, &Error{Code: EINVALID, Message: Msg("error.invalid"), Fields: map[string]Message{"amount": Msg("field.over_open_amount", "¥"+FormatFen(m.Open()))}}
	}
	now := s.now()
	p.CreatedAt = now
	audit := s.audit(actor, "contract", c.ID, "payment", nil,
		map[string]any{"milestone_id": m.ID, "amount": p.Amount, "received_on": p.ReceivedOn, "method": p.Method}, p.Notes)
	var done *PaymentCompletion
	if c.Amount-c.Paid == p.Amount {
		d, err := s.Store.DealByID(ctx, c.DealID)
		if err != nil {
			return nil, err
		}
		done = &PaymentCompletion{Contract: c, Deal: d, DealVersion: d.Version, At: now}
		dealAudit, err := s.gateMove(ctx, actor, d, StageClosed, func(f *gateFacts) { f.ContractSigned, f.FinalPaymentReceived = true, true })
		if err != nil {
			return nil, err
		}
		done.Audits = append(done.Audits,
			s.audit(actor, "contract", c.ID, "complete", contractAudit{State: ContractSigned}, contractAudit{State: ContractCompleted, Amount: c.Amount}, ""),
			dealAudit,
			s.audit(actor, "project", 0, "close", map[string]string{"state": ProjectOpen}, map[string]string{"state": ProjectClosed}, ""))
	}
	if err := s.Store.RecordPayment(ctx, p, audit, done); err != nil {
		return nil, err
	}
	return p, nil
}

// Payments lists the payments of a contract the actor may see.
func (s *Service) Payments(ctx context.Context, actor Actor, contractID int64) ([]*Payment, error) {
	if _, err := s.Contract(ctx, actor, contractID); err != nil {
		return nil, err
	}
	return s.Store.ContractPayments(ctx, contractID)
}

// Receivables lists the open milestones of signed contracts on the deals
// the actor may see, with the days each is overdue by today's date (the
// service's clock). With overdue, only those due before today.
func (s *Service) Receivables(ctx context.Context, actor Actor, f ReceivableFilter) (*Page[*Receivable], error) {
	var v validator
	f.normalize(&v, ReceivableSortFields)
	if err := v.err(); err != nil {
		return nil, err
	}
	f.Scope = actor.Scope()
	f.Today = s.today()
	out, err := s.Store.Receivables(ctx, f)
	if err != nil {
		return nil, err
	}
	for _, r := range out.Items {
		if r.DueOn != nil && r.DueOn.Before(f.Today.Time) {
			r.DaysOverdue = int(f.Today.Sub(r.DueOn.Time).Hours() / 24)
		}
	}
	return out, nil
}
