package playbook

import "time"

// AccountFacts is what the fit score needs to know about an account. The
// caller maps its account record to it. Pointers and empty strings mean
// "not known", which scores no points but does not count against the
// account either.
type AccountFacts struct {
	Headcount    *int   `json:"headcount"`
	BusinessKind string `json:"business_kind"`
	Industry     string `json:"industry"`
	Ownership    string `json:"ownership"`
	// JustRestructured is the rep's judgement that a state-owned company has
	// only just been restructured.
	JustRestructured bool       `json:"just_restructured"`
	RestructuredOn   *time.Time `json:"restructured_on"`
	// RevenueLastYear and GrossProfit are in fen.
	RevenueLastYear  *int64   `json:"revenue_last_year"`
	GrossProfit      *int64   `json:"gross_profit"`
	ExistingSoftware []string `json:"existing_software"`
	BranchCount      *int     `json:"branch_count"`
	PurchasePlan     string   `json:"purchase_plan"`
	// AsOf is the day the fit is judged on; with RestructuredOn it decides
	// whether a restructuring is recent enough to disqualify. Zero means
	// only JustRestructured counts. It is passed in, never read from the
	// clock, so a score is reproducible.
	AsOf time.Time `json:"as_of"`
}

// DealFacts is everything the gate criteria, the guidance and the health
// score need to know about a deal. The caller assembles it from the deal,
// its account's fit, its contacts and its related records.
type DealFacts struct {
	// AccountDisqualified and AccountGrade come from Fit on the account.
	AccountDisqualified bool   `json:"account_disqualified"`
	AccountGrade        string `json:"account_grade"`
	// FieldsSet lists the deal fields (DealFields) that have a value.
	FieldsSet []string `json:"fields_set"`
	// Contacts are the people on the deal.
	Contacts []DealContact `json:"contacts"`
	// Events are the compelling events recorded on the deal.
	Events []EventFact `json:"events"`
	// Answered lists the qualification question keys with an answer.
	Answered []string   `json:"answered"`
	Budget   BudgetFact `json:"budget"`
	Demos    []DemoFact `json:"demos"`
	// Competitors counts the competitors recorded on the deal;
	// NoCompetitors says the rep has recorded that nobody else competes,
	// which also answers "know the competitors" (PLAYBOOK.md §5.2).
	Competitors   int  `json:"competitors"`
	NoCompetitors bool `json:"no_competitors"`
	// Conditions maps a purchase-condition key to whether it is met.
	Conditions           map[string]bool `json:"conditions"`
	Activities           []ActivityFact  `json:"activities"`
	QuoteApproved        bool            `json:"quote_approved"`
	ContractSigned       bool            `json:"contract_signed"`
	FinalPaymentReceived bool            `json:"final_payment_received"`
}

// DealContact is a person on a deal: the functional role they hold at the
// customer, the buying role they play in this deal, where they stand and
// how far the rep has got with them.
type DealContact struct {
	ContactID      int64  `json:"contact_id"`
	FunctionalRole string `json:"functional_role"`
	BuyingRole     string `json:"buying_role"`
	Stance         string `json:"stance"`
	EngagementStep string `json:"engagement_step"`
}

// EventFact is a compelling event recorded on a deal; Impact is the
// recorded effect on the customer (empty when not written down).
type EventFact struct {
	Code   string `json:"code"`
	Impact string `json:"impact"`
}

// BudgetFact says which parts of the customer's budget are known.
type BudgetFact struct {
	AmountKnown          bool `json:"amount_known"`
	ApprovalProcessKnown bool `json:"approval_process_known"`
}

// DemoFact is a recorded demo.
type DemoFact struct {
	HasROI      bool `json:"has_roi"`
	HasNextStep bool `json:"has_next_step"`
}

// ActivityFact is an activity of the deal. Done means it took place;
// Scheduled means it is planned with a date. ContactRole is the functional
// role of the contact it was with ("" for none), which decides whether it
// was with a key person.
type ActivityFact struct {
	Type        string `json:"type"`
	Done        bool   `json:"done"`
	Scheduled   bool   `json:"scheduled"`
	ContactRole string `json:"contact_role"`
}
