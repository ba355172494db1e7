package crm

// Limits of authority and of the terms it measures.
const (
	// MaxBP is 100 % in basis points (1 bp = 0.01 %), the largest discount.
	MaxBP = 10000
	// MaxPaymentDays caps a payment term: ten years is beyond any contract,
	// and the cap keeps day arithmetic far from overflow.
	MaxPaymentDays = 3650
)

// Authority is what a user may grant a customer without anyone's approval
// (PLAYBOOK.md §4 "credit authorization", §5.8–5.10): the largest discount
// on any line in basis points, the longest payment term in days, and the
// largest amount in fen left open on credit. A quote or contract of a deal
// is measured against the authority of the deal's owner; beyond it, it
// needs the approval of someone whose authority covers it.
type Authority struct {
	MaxDiscountBP int   `json:"max_discount_bp"`
	CreditDays    int   `json:"credit_days"`
	CreditAmount  int64 `json:"credit_amount"`
}

// FullAuthority is what an admin starts with: everything the fields allow.
// An approval that no manager of the team may decide goes to an admin, so
// on a fresh installation an admin must be able to decide anything. Reps
// and managers start with none (zero: list prices, payment on delivery)
// until an admin grants them some (PATCH /api/v1/users/{id}).
var FullAuthority = Authority{MaxDiscountBP: MaxBP, CreditDays: MaxPaymentDays, CreditAmount: MaxMoney}

// Authority returns the user's authority.
func (u *User) Authority() Authority {
	return Authority{MaxDiscountBP: u.MaxDiscountBP, CreditDays: u.CreditDays, CreditAmount: u.CreditAmount}
}

func (u *User) setAuthority(a Authority) {
	u.MaxDiscountBP, u.CreditDays, u.CreditAmount = a.MaxDiscountBP, a.CreditDays, a.CreditAmount
}

// defaultAuthority is the authority a new user of the role gets.
func defaultAuthority(role string) Authority {
	if role == RoleAdmin {
		return FullAuthority
	}
	return Authority{}
}

func (a Authority) validate(v *validator) {
	if a.MaxDiscountBP < 0 || a.MaxDiscountBP > MaxBP {
		v.add("max_discount_bp", "field.range", 0, MaxBP)
	}
	if a.CreditDays < 0 || a.CreditDays > MaxPaymentDays {
		v.add("credit_days", "field.range", 0, MaxPaymentDays)
	}
	v.money("credit_amount", a.CreditAmount)
}

// The kinds of ApprovalReason: which limit of authority a request exceeds.
const (
	ReasonDiscount     = "discount_bp"
	ReasonPaymentDays  = "payment_days"
	ReasonCreditAmount = "credit_amount"
)

// ApprovalReasonKinds lists the kinds of ApprovalReason.
var ApprovalReasonKinds = []string{ReasonDiscount, ReasonPaymentDays, ReasonCreditAmount}

// ApprovalReason is one way a request goes beyond its owner's authority:
// what is asked against what the owner may grant, both in the unit of the
// kind (basis points, days, fen). An approval request keeps them as data,
// so the approver sees why it came to them and whether they may decide it.
type ApprovalReason struct {
	Kind      string `json:"kind"`
	Requested int64  `json:"requested"`
	Limit     int64  `json:"limit"`
}

// Grant is what a quote or contract gives the customer, in the terms of
// Authority.
type Grant struct {
	// DiscountBP is the largest discount of any line.
	DiscountBP int
	// PaymentDays is the payment term.
	PaymentDays int
	// CreditAmount is the amount left open on credit: the total when the
	// customer pays after delivery (PaymentDays > 0), else nothing.
	CreditAmount int64
}

// Exceeds lists each way g goes beyond a, in the order of
// ApprovalReasonKinds; nil when a covers g.
func (a Authority) Exceeds(g Grant) []ApprovalReason {
	var out []ApprovalReason
	if g.DiscountBP > a.MaxDiscountBP {
		out = append(out, ApprovalReason{Kind: ReasonDiscount, Requested: int64(g.DiscountBP), Limit: int64(a.MaxDiscountBP)})
	}
	if g.PaymentDays > a.CreditDays {
		out = append(out, ApprovalReason{Kind: ReasonPaymentDays, Requested: int64(g.PaymentDays), Limit: int64(a.CreditDays)})
	}
	if g.CreditAmount > a.CreditAmount {
		out = append(out, ApprovalReason{Kind: ReasonCreditAmount, Requested: g.CreditAmount, Limit: a.CreditAmount})
	}
	return out
}

// Covers reports whether a reaches what every reason asks. Only what goes
// beyond the owner's authority needs covering: the rest the owner could
// grant alone. A reason of a kind a does not know is never covered.
func (a Authority) Covers(reasons []ApprovalReason) bool {
	for _, r := range reasons {
		var have int64
		switch r.Kind {
		case ReasonDiscount:
			have = int64(a.MaxDiscountBP)
		case ReasonPaymentDays:
			have = int64(a.CreditDays)
		case ReasonCreditAmount:
			have = a.CreditAmount
		default:
			return false
		}
		if have < r.Requested {
			return false
		}
	}
	return true
}
