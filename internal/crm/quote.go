package crm

import (
	"context"
	"fmt"
	"time"
)

// Quote states. A quote moves
//
//	draft → pending_approval → approved → sent → accepted | rejected | expired
//
// submit takes a draft to approved directly when it is within the deal
// owner's authority, else to pending_approval and an approval request; the
// approver's decision makes it approved or rejected. send, accept, reject
// (the customer declines) and expire move it on from there. Anything else
// is a conflict (409) that names the state and the refused action.
const (
	QuoteDraft    = SubjectDraft
	QuotePending  = SubjectPending
	QuoteApproved = SubjectApproved
	QuoteSent     = "sent"
	QuoteAccepted = "accepted"
	QuoteRejected = SubjectRejected
	QuoteExpired  = "expired"
)

// QuoteStates lists the states of a quote in the order of the machine.
var QuoteStates = []string{QuoteDraft, QuotePending, QuoteApproved, QuoteSent, QuoteAccepted, QuoteRejected, QuoteExpired}

// quoteCountsApproved are the states in which a quote is approved for the
// playbook's quote_approved criterion: approved, and every state an
// approved quote moves on to while the customer still stands by it.
var quoteCountsApproved = []string{QuoteApproved, QuoteSent, QuoteAccepted}

// Limits of a quote. They keep every amount within MaxMoney, so that the
// exact integer arithmetic of PriceLine never meets an overflow.
const (
	MaxQuoteLines = 200
	MaxQuantity   = 1_000_000
	// DefaultValidDays is how long a quote is valid when nobody says.
	DefaultValidDays = 30
)

// Quote is an offer to the customer of a deal, priced from the price book
// (PLAYBOOK.md §5.1). Its lines copy each product's code, names, unit and
// list price when they are written, so that a later change of the price
// book never alters it. Revising an issued quote makes a new draft with
// the next revision number; the old one keeps its state, lines and totals
// and is marked superseded (SupersededBy), which freezes it.
type Quote struct {
	ID      int64 `json:"id"`
	Version int64 `json:"version"`
	DealID  int64 `json:"deal_id"`
	// OwnerID is the deal's owner, whose authority the quote is measured
	// against.
	OwnerID int64 `json:"owner_id"`
	// Number names the quote and all its revisions ("Q000123").
	Number       string      `json:"number"`
	Revision     int         `json:"revision"`
	RevisedFrom  *int64      `json:"revised_from"`
	SupersededBy *int64      `json:"superseded_by"`
	State        string      `json:"state"`
	ValidUntil   Date        `json:"valid_until"`
	PaymentDays  int         `json:"payment_days"`
	Notes        string      `json:"notes"`
	Lines        []QuoteLine `json:"lines"`
	// ListTotal, DiscountTotal and Total are the sums of the lines'
	// amounts (see PriceLine): Total = ListTotal − DiscountTotal.
	ListTotal     int64 `json:"list_total"`
	DiscountTotal int64 `json:"discount_total"`
	Total         int64 `json:"total"`
	// MaxDiscountBP is the largest discount of any line, the one the
	// owner's authority is checked against.
	MaxDiscountBP int `json:"max_discount_bp"`
	// ApprovalID is the latest approval request of the quote, if any.
	ApprovalID     *int64    `json:"approval_id"`
	CreatedBy      int64     `json:"created_by"`
	StateChangedAt time.Time `json:"state_changed_at"`
	CreatedAt      time.Time `json:"created_at"`
	UpdatedAt      time.Time `json:"updated_at"`

	// OwnerTeamID is the owner's team, loaded for permission checks.
	OwnerTeamID int64 `json:"-"`
}

// QuoteLine is one line of a quote: a product of the price book as it was
// when the line was written, a quantity, a discount and the amounts
// computed from them (PriceLine).
type QuoteLine struct {
	ProductID      int64     `json:"product_id"`
	ProductCode    string    `json:"product_code"`
	ProductName    LocalName `json:"product_name"`
	Kind           string    `json:"kind"`
	Unit           string    `json:"unit"`
	Quantity       int64     `json:"quantity"`
	UnitPrice      int64     `json:"unit_price"`
	DiscountBP     int       `json:"discount_bp"`
	ListAmount     int64     `json:"list_amount"`
	DiscountAmount int64     `json:"discount_amount"`
	Total          int64     `json:"total"`
}

// QuoteLineInput is a line as the client writes it: which product, how
// many, and the discount in basis points. The server copies the rest.
type QuoteLineInput struct {
	ProductID  int64 `json:"product_id"`
	Quantity   int64 `json:"quantity"`
	DiscountBP int   `json:"discount_bp"`
}

// QuoteInput creates a draft quote on a deal. ValidUntil defaults to
// DefaultValidDays from today.
type QuoteInput struct {
	DealID      int64            `json:"deal_id"`
	Lines       []QuoteLineInput `json:"lines"`
	ValidUntil  *Date            `json:"valid_until"`
	PaymentDays int              `json:"payment_days"`
	Notes       string           `json:"notes"`
}

// QuotePatch changes a draft. Lines, when sent (not null), replace all
// lines, each priced at its product's list price now.
type QuotePatch struct {
	Version     int64            `json:"version"`
	Lines       []QuoteLineInput `json:"lines"`
	ValidUntil  Opt[Date]        `json:"valid_until"`
	PaymentDays Opt[int]         `json:"payment_days"`
	Notes       Opt[string]      `json:"notes"`
}

// QuoteAction asks for a move of the state machine: submit, send, accept,
// reject, expire or revise. Version is the one the client read, so nobody
// acts on a quote they have not seen; Comment, optional, goes into the
// audit row as its reason (why the customer declined, say).
type QuoteAction struct {
	Version int64  `json:"version"`
	Comment string `json:"comment"`
}

// QuoteFilter selects quotes for a list.
type QuoteFilter struct {
	ListParams
	Scope   Scope
	DealID  *int64
	OwnerID *int64
	State   string
}

// QuoteSortFields are the fields a quote list sorts by.
var QuoteSortFields = []string{"created_at", "updated_at", "number", "total", "valid_until"}

// QuoteStore persists quotes.
type QuoteStore interface {
	// CreateQuote inserts a quote with its lines on a live deal and sets
	// its id and, for a first revision, its number.
	CreateQuote(ctx context.Context, q *Quote) error
	// QuoteByID returns a quote of a live deal with its lines.
	QuoteByID(ctx context.Context, id int64) (*Quote, error)
	ListQuotes(ctx context.Context, f QuoteFilter) (*Page[*Quote], error)
	// UpdateDraft writes a draft's fields and lines if it is still a draft
	// at expectVersion.
	UpdateDraft(ctx context.Context, q *Quote, expectVersion int64) error
	// ReviseQuote marks old superseded by rev, which it inserts, if old is
	// still at expectVersion and not superseded; with the audit rows, in
	// one transaction.
	ReviseQuote(ctx context.Context, old *Quote, expectVersion int64, rev *Quote, audits []*AuditEntry) error
	// DealQuoteStates returns the states of a deal's current quotes, those
	// not superseded by a revision.
	DealQuoteStates(ctx context.Context, dealID int64) ([]string, error)
}

// stateAudit is what the audit log keeps of a state change of a quote (or
// of another subject of an approval).
type stateAudit struct {
	State      string           `json:"state"`
	Total      int64            `json:"total,omitempty"`
	Revision   int              `json:"revision,omitempty"`
	Reasons    []ApprovalReason `json:"reasons,omitempty"`
	ApprovalID int64            `json:"approval_id,omitempty"`
}

// quoteStateError refuses an action the quote's state does not allow.
func quoteStateError(q *Quote, action string) error {
	return Errorf(ECONFLICT, "error.quote_transition", Msg("enum.quote_state."+q.State), Msg("quote.action."+action))
}

// Quote returns a quote of a deal the actor may see.
func (s *Service) Quote(ctx context.Context, actor Actor, id int64) (*Quote, error) {
	q, err := s.Store.QuoteByID(ctx, id)
	if err != nil {
		return nil, err
	}
	if !actor.Scope().Covers(q.OwnerID, q.OwnerTeamID) {
		return nil, NotFound("quote")
	}
	return q, nil
}

// Quotes lists the quotes of the deals the actor may see.
func (s *Service) Quotes(ctx context.Context, actor Actor, f QuoteFilter) (*Page[*Quote], error) {
	var v validator
	f.normalize(&v, QuoteSortFields)
	v.oneOf("state", f.State, QuoteStates, true)
	if err := v.err(); err != nil {
		return nil, err
	}
	f.Scope = actor.Scope()
	return s.Store.ListQuotes(ctx, f)
}

// QuoteHistory returns the audit rows of a quote the actor may see.
func (s *Service) QuoteHistory(ctx context.Context, actor Actor, id int64) ([]*AuditEntry, error) {
	if _, err := s.Quote(ctx, actor, id); err != nil {
		return nil, err
	}
	return s.Store.AuditFor(ctx, "quote", id)
}

// today is the current UTC calendar day.
func (s *Service) today() Date { return DateOf(s.now()) }

// priceLines turns the client's lines into priced lines: each product must
// exist and be active, and its code, names, unit and list price are copied.
// Input errors are collected on v under lines.<i>.<field>.
func (s *Service) priceLines(ctx context.Context, v *validator, in []QuoteLineInput) ([]QuoteLine, error) {
	if len(in) == 0 {
		v.add("lines", "field.required")
		return nil, nil
	}
	if len(in) > MaxQuoteLines {
		v.add("lines", "field.too_many", MaxQuoteLines)
		return nil, nil
	}
	ids := make([]int64, 0, len(in))
	for _, l := range in {
		if l.ProductID > 0 {
			ids = append(ids, l.ProductID)
		}
	}
	products, err := s.Store.ProductsByIDs(ctx, ids)
	if err != nil {
		return nil, err
	}
	lines := make([]QuoteLine, 0, len(in))
	for i, l := range in {
		field := fmt.Sprintf("lines.%d.", i)
		p := products[l.ProductID]
		switch {
		case l.ProductID <= 0:
			v.add(field+"product_id", "field.required")
		case p == nil:
			v.add(field+"product_id", "field.unknown_ref")
		case !p.Active:
			v.add(field+"product_id", "field.product_inactive")
		}
		line := QuoteLine{ProductID: l.ProductID, Quantity: l.Quantity, DiscountBP: l.DiscountBP}
		if p != nil {
			line.ProductCode, line.ProductName, line.Kind, line.Unit, line.UnitPrice = p.Code, p.Name, p.Kind, p.Unit, p.ListPrice
		}
		lines = append(lines, line)
	}
	return lines, nil
}

// price validates a quote's own fields and lines and computes its amounts
// and totals. Dates are judged against today: a quote valid until a day
// already past could not be accepted.
func (s *Service) price(q *Quote) error {
	var v validator
	if len(q.Lines) == 0 {
		v.add("lines", "field.required")
	}
	if len(q.Lines) > MaxQuoteLines {
		v.add("lines", "field.too_many", MaxQuoteLines)
	}
	q.ListTotal, q.DiscountTotal, q.Total, q.MaxDiscountBP = 0, 0, 0, 0
	for i := range q.Lines {
		l := &q.Lines[i]
		field := fmt.Sprintf("lines.%d.", i)
		bad := false
		if l.Quantity < 1 || l.Quantity > MaxQuantity {
			v.add(field+"quantity", "field.range", 1, MaxQuantity)
			bad = true
		}
		if l.DiscountBP < 0 || l.DiscountBP > MaxBP {
			v.add(field+"discount_bp", "field.range", 0, MaxBP)
			bad = true
		}
		if bad {
			continue
		}
		list, discount, total, ok := PriceLine(l.Quantity, l.UnitPrice, l.DiscountBP)
		if !ok {
			v.add(field+"quantity", "field.amount_too_large")
			continue
		}
		l.ListAmount, l.DiscountAmount, l.Total = list, discount, total
		// At most MaxQuoteLines lines of at most MaxMoney each: the sums
		// stay far below the int64 limit before they are checked.
		q.ListTotal += list
		q.DiscountTotal += discount
		q.Total += total
		q.MaxDiscountBP = max(q.MaxDiscountBP, l.DiscountBP)
	}
	if q.ListTotal > MaxMoney {
		v.add("lines", "field.amount_too_large")
	}
	if q.ValidUntil.IsZero() {
		v.add("valid_until", "field.required")
	} else if q.ValidUntil.Before(s.today().Time) {
		v.add("valid_until", "field.date_past")
	} else if q.ValidUntil.Year() > 2200 {
		v.add("valid_until", "field.date_range")
	}
	if q.PaymentDays < 0 || q.PaymentDays > MaxPaymentDays {
		v.add("payment_days", "field.range", 0, MaxPaymentDays)
	}
	v.maxLen("notes", q.Notes, MaxText)
	return v.err()
}

// CreateQuote drafts a quote on a deal the actor may see (and so work on),
// pricing its lines from the price book as it is now. Deals that are lost
// or closed take no quotes.
func (s *Service) CreateQuote(ctx context.Context, actor Actor, in QuoteInput) (*Quote, error) {
	if in.DealID <= 0 {
		return nil, &Error{Code: EINVALID, Message: Msg("error.invalid"), Fields: map[string]Message{"deal_id": Msg("field.required")}}
	}
	d, err := s.Deal(ctx, actor, in.DealID)
	if err != nil {
		return nil, fieldRef(err, "deal_id")
	}
	if d.Stage == StageLost || d.Stage == StageClosed {
		return nil, &Error{Code: EINVALID, Message: Msg("error.invalid"), Fields: map[string]Message{"deal_id": Msg("field.deal_closed")}}
	}
	var v validator
	lines, err := s.priceLines(ctx, &v, in.Lines)
	if err != nil {
		return nil, err
	}
	q := &Quote{DealID: d.ID, OwnerID: d.OwnerID, OwnerTeamID: d.OwnerTeamID, Revision: 1, State: QuoteDraft,
		PaymentDays: in.PaymentDays, Notes: clean(in.Notes), Lines: lines, CreatedBy: actor.UserID}
	if in.ValidUntil != nil {
		q.ValidUntil = *in.ValidUntil
	} else {
		q.ValidUntil = DateOf(s.now().AddDate(0, 0, DefaultValidDays))
	}
	if err := mergeErrors(v.err(), s.price(q)); err != nil {
		return nil, err
	}
	now := s.now()
	q.CreatedAt, q.UpdatedAt, q.StateChangedAt, q.Version = now, now, now, 1
	if err := s.Store.CreateQuote(ctx, q); err != nil {
		return nil, err
	}
	return q, nil
}

// mergeErrors joins two validation results; the first error that is not a
// validation error wins.
func mergeErrors(a, b error) error {
	switch {
	case a == nil:
		return b
	case b == nil:
		return a
	case ErrorCode(a) != EINVALID:
		return a
	case ErrorCode(b) != EINVALID:
		return b
	}
	return mergeInvalid(a, b)
}

// UpdateQuote changes a draft when the client's version is current. An
// issued quote is never changed; it is revised instead.
func (s *Service) UpdateQuote(ctx context.Context, actor Actor, id int64, p QuotePatch) (*Quote, error) {
	q, err := s.Quote(ctx, actor, id)
	if err != nil {
		return nil, err
	}
	if err := checkVersion(p.Version, q.Version); err != nil {
		return nil, err
	}
	if q.State != QuoteDraft {
		return nil, quoteStateError(q, "update")
	}
	var v validator
	if p.Lines != nil {
		if q.Lines, err = s.priceLines(ctx, &v, p.Lines); err != nil {
			return nil, err
		}
	}
	p.ValidUntil.apply(&q.ValidUntil)
	p.PaymentDays.apply(&q.PaymentDays)
	p.Notes.apply(&q.Notes)
	q.Notes = clean(q.Notes)
	if err := mergeErrors(v.err(), s.price(q)); err != nil {
		return nil, err
	}
	q.UpdatedAt = s.now()
	if err := s.Store.UpdateDraft(ctx, q, p.Version); err != nil {
		return nil, err
	}
	return q, nil
}

// quoteForAction reads a quote for a state move: visible to the actor, at
// the version the client read, not superseded, and in one of the states
// the action starts from.
func (s *Service) quoteForAction(ctx context.Context, actor Actor, id int64, in QuoteAction, action string, from ...string) (*Quote, error) {
	q, err := s.Quote(ctx, actor, id)
	if err != nil {
		return nil, err
	}
	var v validator
	v.maxLen("comment", in.Comment, MaxText)
	if err := v.err(); err != nil {
		return nil, err
	}
	if err := checkVersion(in.Version, q.Version); err != nil {
		return nil, err
	}
	if q.SupersededBy != nil {
		return nil, Errorf(ECONFLICT, "error.quote_superseded")
	}
	for _, st := range from {
		if q.State == st {
			return q, nil
		}
	}
	return nil, quoteStateError(q, action)
}

// moveQuote writes a simple state move of a quote with its audit row.
func (s *Service) moveQuote(ctx context.Context, actor Actor, q *Quote, to, action, comment string) (*Quote, error) {
	now := s.now()
	m := SubjectMove{Kind: ApprovalKindQuote, ID: q.ID, ExpectVersion: q.Version, From: q.State, To: to, At: now}
	audit := s.audit(actor, "quote", q.ID, action, stateAudit{State: q.State}, stateAudit{State: to, Total: q.Total}, clean(comment))
	if err := s.Store.MoveSubject(ctx, m, []*AuditEntry{audit}); err != nil {
		return nil, err
	}
	return s.Store.QuoteByID(ctx, q.ID)
}

// SubmitQuote submits a draft (PLAYBOOK.md §5.8). Within the authority of
// the deal's owner it is approved at once. Beyond it — a line discount
// above the owner's max_discount_bp, payment_days above their credit_days,
// or a total on credit (payment_days > 0) above their credit_amount — it
// becomes pending_approval, and an approval request goes to an approver
// (see chooseApprover) with a task activity on the deal. When nobody's
// authority covers the request, the submission is refused and the quote
// stays a draft.
func (s *Service) SubmitQuote(ctx context.Context, actor Actor, id int64, in QuoteAction) (*Quote, error) {
	q, err := s.quoteForAction(ctx, actor, id, in, "submit", QuoteDraft)
	if err != nil {
		return nil, err
	}
	// The draft may have been written days ago: its validity is judged now.
	if err := s.price(q); err != nil {
		return nil, err
	}
	d, err := s.Store.DealByID(ctx, q.DealID)
	if err != nil {
		return nil, err
	}
	owner, err := s.Store.UserByID(ctx, d.OwnerID)
	if err != nil {
		return nil, err
	}
	grant := Grant{DiscountBP: q.MaxDiscountBP, PaymentDays: q.PaymentDays}
	if q.PaymentDays > 0 {
		grant.CreditAmount = q.Total
	}
	reasons := owner.Authority().Exceeds(grant)
	if len(reasons) == 0 {
		return s.moveQuote(ctx, actor, q, QuoteApproved, "submit", in.Comment)
	}
	req := approvalRequest{kind: ApprovalKindQuote, subjectID: q.ID, subjectVersion: q.Version, deal: d, owner: owner, reasons: reasons,
		title: Msg("approval.task.quote", q.Number, q.Revision, d.Title, FormatFen(q.Total)), comment: in.Comment,
		subjectAudit: func(a *Approval) *AuditEntry {
			return s.audit(actor, "quote", q.ID, "submit", stateAudit{State: q.State},
				stateAudit{State: QuotePending, Total: q.Total, Reasons: reasons}, clean(in.Comment))
		}}
	if _, err := s.requestApproval(ctx, actor, req); err != nil {
		return nil, err
	}
	return s.Store.QuoteByID(ctx, q.ID)
}

// SendQuote records that an approved quote went to the customer. A quote
// whose validity has ended is not sent; it is revised.
func (s *Service) SendQuote(ctx context.Context, actor Actor, id int64, in QuoteAction) (*Quote, error) {
	q, err := s.quoteForAction(ctx, actor, id, in, "send", QuoteApproved)
	if err != nil {
		return nil, err
	}
	if q.ValidUntil.Before(s.today().Time) {
		return nil, Errorf(ECONFLICT, "error.quote_lapsed", q.ValidUntil.String())
	}
	return s.moveQuote(ctx, actor, q, QuoteSent, "send", in.Comment)
}

// AcceptQuote records that the customer accepted a sent quote while it was
// valid.
func (s *Service) AcceptQuote(ctx context.Context, actor Actor, id int64, in QuoteAction) (*Quote, error) {
	q, err := s.quoteForAction(ctx, actor, id, in, "accept", QuoteSent)
	if err != nil {
		return nil, err
	}
	if q.ValidUntil.Before(s.today().Time) {
		return nil, Errorf(ECONFLICT, "error.quote_lapsed", q.ValidUntil.String())
	}
	return s.moveQuote(ctx, actor, q, QuoteAccepted, "accept", in.Comment)
}

// RejectQuote records that the customer declined a sent quote; the comment
// says why. (A manager's refusal of a pending quote is a rejected approval.)
func (s *Service) RejectQuote(ctx context.Context, actor Actor, id int64, in QuoteAction) (*Quote, error) {
	q, err := s.quoteForAction(ctx, actor, id, in, "reject", QuoteSent)
	if err != nil {
		return nil, err
	}
	return s.moveQuote(ctx, actor, q, QuoteRejected, "reject", in.Comment)
}

// ExpireQuote marks an approved or sent quote expired once its validity has
// ended (valid_until is before today).
func (s *Service) ExpireQuote(ctx context.Context, actor Actor, id int64, in QuoteAction) (*Quote, error) {
	q, err := s.quoteForAction(ctx, actor, id, in, "expire", QuoteApproved, QuoteSent)
	if err != nil {
		return nil, err
	}
	if !q.ValidUntil.Before(s.today().Time) {
		return nil, Errorf(ECONFLICT, "error.quote_still_valid", q.ValidUntil.String())
	}
	return s.moveQuote(ctx, actor, q, QuoteExpired, "expire", in.Comment)
}

// ReviseQuote starts the next revision of an issued quote: a new draft
// with revision n+1 and the same number, copying the lines at their copied
// prices (a revision does not pick up price-book changes unless its lines
// are written again), the payment days and the notes; valid until the old
// date if that is still ahead, else DefaultValidDays from today. The old
// quote keeps its state, lines and totals and is marked superseded, which
// freezes it and takes it out of the quote_approved criterion. A draft is
// changed, not revised; a pending quote waits for its decision; an accepted
// quote is the agreed offer and is final.
func (s *Service) ReviseQuote(ctx context.Context, actor Actor, id int64, in QuoteAction) (*Quote, error) {
	old, err := s.quoteForAction(ctx, actor, id, in, "revise", QuoteApproved, QuoteSent, QuoteRejected, QuoteExpired)
	if err != nil {
		return nil, err
	}
	now := s.now()
	rev := &Quote{DealID: old.DealID, OwnerID: old.OwnerID, OwnerTeamID: old.OwnerTeamID, Number: old.Number, Revision: old.Revision + 1,
		RevisedFrom: &old.ID, State: QuoteDraft, ValidUntil: old.ValidUntil, PaymentDays: old.PaymentDays, Notes: old.Notes,
		Lines: append([]QuoteLine(nil), old.Lines...), ListTotal: old.ListTotal, DiscountTotal: old.DiscountTotal, Total: old.Total,
		MaxDiscountBP: old.MaxDiscountBP, CreatedBy: actor.UserID, StateChangedAt: now, CreatedAt: now, UpdatedAt: now, Version: 1}
	if rev.ValidUntil.Before(s.today().Time) {
		rev.ValidUntil = DateOf(now.AddDate(0, 0, DefaultValidDays))
	}
	// The new revision's row names it by id 0, which the store fills in.
	audits := []*AuditEntry{
		s.audit(actor, "quote", old.ID, "revise", stateAudit{State: old.State, Revision: old.Revision},
			stateAudit{State: old.State, Revision: rev.Revision}, clean(in.Comment)),
		s.audit(actor, "quote", 0, "create_revision", stateAudit{State: old.State, Revision: old.Revision},
			stateAudit{State: QuoteDraft, Revision: rev.Revision, Total: rev.Total}, clean(in.Comment)),
	}
	if err := s.Store.ReviseQuote(ctx, old, in.Version, rev, audits); err != nil {
		return nil, err
	}
	return rev, nil
}

// quoteApproved tells the playbook whether a deal has an approved quote: a
// current (not superseded) quote approved, sent or accepted.
func (s *Service) quoteApproved(ctx context.Context, dealID int64) (bool, error) {
	states, err := s.Store.DealQuoteStates(ctx, dealID)
	if err != nil {
		return false, err
	}
	for _, st := range states {
		for _, ok := range quoteCountsApproved {
			if st == ok {
				return true, nil
			}
		}
	}
	return false, nil
}

// QuoteDocument is what a printed quote shows: the quote, its deal, the
// customer and the owner who issued it.
type QuoteDocument struct {
	Quote   *Quote
	Deal    *Deal
	Account *Account
	Owner   *User
}

// QuoteDocument gathers a quote the actor may see for printing. Whoever may
// see the quote may see the customer's name on it, even when the account
// is someone else's.
func (s *Service) QuoteDocument(ctx context.Context, actor Actor, id int64) (*QuoteDocument, error) {
	q, err := s.Quote(ctx, actor, id)
	if err != nil {
		return nil, err
	}
	d, err := s.Store.DealByID(ctx, q.DealID)
	if err != nil {
		return nil, err
	}
	acc, err := s.Store.AccountByID(ctx, d.AccountID)
	if err != nil {
		return nil, err
	}
	owner, err := s.Store.UserByID(ctx, d.OwnerID)
	if err != nil {
		return nil, err
	}
	return &QuoteDocument{Quote: q, Deal: d, Account: acc, Owner: owner}, nil
}
