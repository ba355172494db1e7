package crm

import (
	"context"
	"slices"
	"strings"
	"time"
)

// Account is a customer company, described by the six factors of the ideal
// customer profile (PLAYBOOK.md §1.1). Unknown factors are nil or empty,
// which is different from zero: a company with no branches is not a company
// whose branches nobody asked about.
type Account struct {
	ID               int64    `json:"id"`
	Version          int64    `json:"version"`
	Name             string   `json:"name"`
	CreditCode       string   `json:"credit_code"`
	Headcount        *int     `json:"headcount"`
	BusinessKind     string   `json:"business_kind"`
	Industry         string   `json:"industry"`
	Ownership        string   `json:"ownership"`
	RestructuredOn   *Date    `json:"restructured_on"`
	JustRestructured bool     `json:"just_restructured"`
	RevenueLastYear  *int64   `json:"revenue_last_year"`
	GrossProfit      *int64   `json:"gross_profit"`
	ExistingSoftware []string `json:"existing_software"`
	BranchCount      *int     `json:"branch_count"`
	PurchasePlan     string   `json:"purchase_plan"`
	Region           string   `json:"region"`
	Address          string   `json:"address"`
	Phone            string   `json:"phone"`
	Website          string   `json:"website"`
	OwnerID          int64    `json:"owner_id"`
	CreditLimit      int64    `json:"credit_limit"`
	// FitScore and FitGrade are the stored result of the six-factor fit
	// (PLAYBOOK.md §1.1), recomputed on every change and when the playbook
	// changes; GET /accounts/{id}/fit explains them.
	FitScore  *int      `json:"fit_score"`
	FitGrade  string    `json:"fit_grade"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`

	// OwnerTeamID is the owner's team, loaded for permission checks.
	OwnerTeamID int64 `json:"-"`
}

// AccountInput creates an account. OwnerID defaults to the actor.
type AccountInput struct {
	Name             string   `json:"name"`
	CreditCode       string   `json:"credit_code"`
	Headcount        *int     `json:"headcount"`
	BusinessKind     string   `json:"business_kind"`
	Industry         string   `json:"industry"`
	Ownership        string   `json:"ownership"`
	RestructuredOn   *Date    `json:"restructured_on"`
	JustRestructured bool     `json:"just_restructured"`
	RevenueLastYear  *int64   `json:"revenue_last_year"`
	GrossProfit      *int64   `json:"gross_profit"`
	ExistingSoftware []string `json:"existing_software"`
	BranchCount      *int     `json:"branch_count"`
	PurchasePlan     string   `json:"purchase_plan"`
	Region           string   `json:"region"`
	Address          string   `json:"address"`
	Phone            string   `json:"phone"`
	Website          string   `json:"website"`
	OwnerID          int64    `json:"owner_id"`
	CreditLimit      int64    `json:"credit_limit"`
}

// AccountPatch changes an account; Version is the one the client read.
type AccountPatch struct {
	Version          int64         `json:"version"`
	Name             Opt[string]   `json:"name"`
	CreditCode       Opt[string]   `json:"credit_code"`
	Headcount        Opt[int]      `json:"headcount"`
	BusinessKind     Opt[string]   `json:"business_kind"`
	Industry         Opt[string]   `json:"industry"`
	Ownership        Opt[string]   `json:"ownership"`
	RestructuredOn   Opt[Date]     `json:"restructured_on"`
	JustRestructured Opt[bool]     `json:"just_restructured"`
	RevenueLastYear  Opt[int64]    `json:"revenue_last_year"`
	GrossProfit      Opt[int64]    `json:"gross_profit"`
	ExistingSoftware Opt[[]string] `json:"existing_software"`
	BranchCount      Opt[int]      `json:"branch_count"`
	PurchasePlan     Opt[string]   `json:"purchase_plan"`
	Region           Opt[string]   `json:"region"`
	Address          Opt[string]   `json:"address"`
	Phone            Opt[string]   `json:"phone"`
	Website          Opt[string]   `json:"website"`
	OwnerID          Opt[int64]    `json:"owner_id"`
	CreditLimit      Opt[int64]    `json:"credit_limit"`
}

// AccountFilter selects accounts for a list.
type AccountFilter struct {
	ListParams
	Scope   Scope
	OwnerID *int64
	// Grades keeps accounts whose stored fit grade is one of these.
	Grades []string
}

// FitGrades are the grades of the fit score, best first.
var FitGrades = []string{"A", "B", "C", "D"}

// AccountSortFields are the fields an account list sorts by.
var AccountSortFields = []string{"name", "created_at", "updated_at", "headcount", "revenue_last_year", "fit_score", "fit_grade"}

// AccountStore persists accounts. Get and List return only live (not
// deleted) accounts.
type AccountStore interface {
	CreateAccount(ctx context.Context, a *Account) error
	AccountByID(ctx context.Context, id int64) (*Account, error)
	ListAccounts(ctx context.Context, f AccountFilter) (*Page[*Account], error)
	// UpdateAccount writes the account and, when audit is not nil, its
	// audit row (a grade change) in one transaction.
	UpdateAccount(ctx context.Context, a *Account, expectVersion int64, audit *AuditEntry) error
	// SetAccountFit stores a recomputed fit without touching the version.
	SetAccountFit(ctx context.Context, id int64, score int, grade string, audit *AuditEntry) error
	// DeleteAccount soft-deletes an account; it refuses (conflict) while live
	// contacts or deals refer to it.
	DeleteAccount(ctx context.Context, id int64, expectVersion int64, audit *AuditEntry) error
}

func (in *AccountInput) account() *Account {
	return &Account{
		Name: clean(in.Name), CreditCode: strings.ToUpper(clean(in.CreditCode)), Headcount: in.Headcount,
		BusinessKind: in.BusinessKind, Industry: in.Industry, Ownership: in.Ownership,
		RestructuredOn: in.RestructuredOn, JustRestructured: in.JustRestructured,
		RevenueLastYear: in.RevenueLastYear, GrossProfit: in.GrossProfit,
		ExistingSoftware: in.ExistingSoftware, BranchCount: in.BranchCount, PurchasePlan: in.PurchasePlan,
		Region: clean(in.Region), Address: clean(in.Address), Phone: clean(in.Phone), Website: clean(in.Website),
		OwnerID: in.OwnerID, CreditLimit: in.CreditLimit,
	}
}

func (p *AccountPatch) apply(a *Account) {
	p.Name.apply(&a.Name)
	p.CreditCode.apply(&a.CreditCode)
	applyPtr(p.Headcount, &a.Headcount)
	p.BusinessKind.apply(&a.BusinessKind)
	p.Industry.apply(&a.Industry)
	p.Ownership.apply(&a.Ownership)
	applyPtr(p.RestructuredOn, &a.RestructuredOn)
	p.JustRestructured.apply(&a.JustRestructured)
	applyPtr(p.RevenueLastYear, &a.RevenueLastYear)
	applyPtr(p.GrossProfit, &a.GrossProfit)
	p.ExistingSoftware.apply(&a.ExistingSoftware)
	applyPtr(p.BranchCount, &a.BranchCount)
	p.PurchasePlan.apply(&a.PurchasePlan)
	p.Region.apply(&a.Region)
	p.Address.apply(&a.Address)
	p.Phone.apply(&a.Phone)
	p.Website.apply(&a.Website)
	p.OwnerID.apply(&a.OwnerID)
	p.CreditLimit.apply(&a.CreditLimit)
	a.Name, a.Region, a.Address, a.Phone, a.Website = clean(a.Name), clean(a.Region), clean(a.Address), clean(a.Phone), clean(a.Website)
	a.CreditCode = strings.ToUpper(clean(a.CreditCode))
}

func (a *Account) validate() error {
	var v validator
	if a.OwnerID <= 0 {
		v.add("owner_id", "field.required")
	}
	v.required("name", a.Name)
	v.maxLen("name", a.Name, MaxName)
	if a.CreditCode != "" && !ValidCreditCode(a.CreditCode) {
		v.add("credit_code", "field.credit_code")
	}
	v.count("headcount", a.Headcount)
	v.oneOf("business_kind", a.BusinessKind, BusinessKinds, true)
	v.oneOf("industry", a.Industry, Industries, true)
	v.oneOf("ownership", a.Ownership, Ownerships, true)
	v.optMoney("revenue_last_year", a.RevenueLastYear)
	v.optMoney("gross_profit", a.GrossProfit)
	v.count("branch_count", a.BranchCount)
	v.oneOf("purchase_plan", a.PurchasePlan, PurchasePlans, true)
	if len(a.ExistingSoftware) > len(SoftwareKinds) {
		v.add("existing_software", "field.one_of", joinKeys(SoftwareKinds))
	}
	for _, s := range a.ExistingSoftware {
		v.oneOf("existing_software", s, SoftwareKinds, false)
	}
	if a.ExistingSoftware == nil {
		a.ExistingSoftware = []string{}
	}
	slices.Sort(a.ExistingSoftware)
	a.ExistingSoftware = slices.Compact(a.ExistingSoftware)
	if a.Ownership != "restructured_soe" && (a.RestructuredOn != nil || a.JustRestructured) {
		v.add("ownership", "field.restructured_needs_soe")
	}
	v.maxLen("region", a.Region, MaxShort)
	v.maxLen("address", a.Address, MaxName)
	v.maxLen("phone", a.Phone, 40)
	v.phone("phone", a.Phone)
	v.maxLen("website", a.Website, MaxName)
	v.money("credit_limit", a.CreditLimit)
	return v.err()
}

// CreateAccount creates an account owned by the actor, or by another user
// the actor may assign records to.
func (s *Service) CreateAccount(ctx context.Context, actor Actor, in AccountInput) (*Account, error) {
	a := in.account()
	if a.OwnerID == 0 {
		a.OwnerID = actor.UserID
	}
	if err := a.validate(); err != nil {
		return nil, err
	}
	if err := s.checkAssignable(ctx, actor, a.OwnerID); err != nil {
		return nil, err
	}
	now := s.now()
	a.CreatedAt, a.UpdatedAt, a.Version = now, now, 1
	s.applyFit(actor, a)
	if err := s.Store.CreateAccount(ctx, a); err != nil {
		return nil, err
	}
	return a, nil
}

// Account returns an account the actor may see.
func (s *Service) Account(ctx context.Context, actor Actor, id int64) (*Account, error) {
	a, err := s.Store.AccountByID(ctx, id)
	if err != nil {
		return nil, err
	}
	if !actor.Scope().Covers(a.OwnerID, a.OwnerTeamID) {
		return nil, NotFound("account")
	}
	return a, nil
}

// Accounts lists the accounts the actor may see.
func (s *Service) Accounts(ctx context.Context, actor Actor, f AccountFilter) (*Page[*Account], error) {
	var v validator
	f.normalize(&v, AccountSortFields)
	for _, g := range f.Grades {
		v.oneOf("grade", g, FitGrades, false)
	}
	if err := v.err(); err != nil {
		return nil, err
	}
	f.Scope = actor.Scope()
	return s.Store.ListAccounts(ctx, f)
}

// UpdateAccount applies a patch when the client's version is current.
func (s *Service) UpdateAccount(ctx context.Context, actor Actor, id int64, p AccountPatch) (*Account, error) {
	a, err := s.Account(ctx, actor, id)
	if err != nil {
		return nil, err
	}
	if err := checkVersion(p.Version, a.Version); err != nil {
		return nil, err
	}
	oldOwner := a.OwnerID
	p.apply(a)
	if err := a.validate(); err != nil {
		return nil, err
	}
	if a.OwnerID != oldOwner {
		if err := s.checkAssignable(ctx, actor, a.OwnerID); err != nil {
			return nil, err
		}
	}
	a.UpdatedAt = s.now()
	audit := s.applyFit(actor, a)
	if err := s.Store.UpdateAccount(ctx, a, p.Version, audit); err != nil {
		return nil, err
	}
	return a, nil
}

// DeleteAccount soft-deletes an account nobody refers to any more.
func (s *Service) DeleteAccount(ctx context.Context, actor Actor, id, version int64) error {
	a, err := s.Account(ctx, actor, id)
	if err != nil {
		return err
	}
	if version != a.Version {
		return Conflict()
	}
	return s.Store.DeleteAccount(ctx, id, version, s.audit(actor, "account", id, "delete", a, nil, ""))
}
