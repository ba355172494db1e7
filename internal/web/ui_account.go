package web

import (
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/dealpath/dealpath/internal/crm"
	"github.com/dealpath/dealpath/internal/i18n"
	"github.com/dealpath/dealpath/internal/playbook"
)

// The account pages: the list, the create and edit forms, and the account
// page with its six-factor fit.

// accountPages are the templates of this file and ui_deal.go, parsed with
// the layout like every other page.
var accountPages = []string{"accounts", "account", "account_form", "deal"}

func init() {
	funcs := template.FuncMap{"cny": formatCNY}
	for _, page := range accountPages {
		uiTemplates[page] = template.Must(template.New("layout.html").Funcs(funcs).
			ParseFS(uiTemplateFS, "templates/ui/layout.html", "templates/ui/"+page+".html"))
	}
}

func (s *Server) registerAccountUI() {
	s.ui("GET /accounts", s.accountsPage)
	s.ui("GET /accounts/new", s.accountNewPage)
	s.ui("POST /accounts", s.accountCreate)
	s.ui("GET /accounts/{id}", s.accountPage)
	s.ui("GET /accounts/{id}/edit", s.accountEditPage)
	s.ui("POST /accounts/{id}/edit", s.accountUpdate)
	s.registerAccountRecordsUI()
	s.registerDealUI()
}

// option is a choice of a select or a checkbox group.
type option struct {
	Value, Label string
	Selected     bool
}

func enumOptions(lang, set string, keys []string, selected ...string) []option {
	out := make([]option, 0, len(keys))
	for _, k := range keys {
		out = append(out, option{Value: k, Label: i18n.T(lang, "enum."+set+"."+k), Selected: slices.Contains(selected, k)})
	}
	return out
}

// enumLabel names a value of an enumeration, or "" for none.
func enumLabel(lang, set, key string) string {
	if key == "" {
		return ""
	}
	if k := "enum." + set + "." + key; i18n.Has(lang, k) {
		return i18n.T(lang, k)
	}
	return key
}

// uiPathID reads the {id} of a path; a malformed id is a page that does not
// exist.
func uiPathID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, crm.NotFound("page")
	}
	return id, nil
}

// fieldErrors renders a domain error's field messages; ok is false when the
// error is not a validation error.
func fieldErrors(lang string, err error) (map[string]string, string, bool) {
	var de *crm.Error
	if !errors.As(err, &de) || de.Code != crm.EINVALID {
		return nil, "", false
	}
	out := map[string]string{}
	for f, m := range de.Fields {
		out[f] = i18n.T(lang, m.Key, m.Args...)
	}
	return out, i18n.T(lang, de.Message.Key, de.Message.Args...), true
}

// ---- list

type accountsView struct {
	Q, Grade, Sort string
	Grades         []string
	Sorts          []option
	Rows           []accountRow
	Total          int
	Next           string
	First          bool
	Base           string
}

type accountRow struct {
	ID                     int64
	Name, Industry, Region string
	Grade                  string
	Score                  *int
	Headcount              *int
	Updated                string
}

func (s *Server) accountsPage(w http.ResponseWriter, r *http.Request, sess *uiSession) error {
	p := s.newPage(w, r, sess, "ui.accounts.title", "accounts")
	q := r.URL.Query()
	v := &accountsView{Q: strings.TrimSpace(q.Get("q")), Grade: q.Get("grade"), Sort: q.Get("sort"), Grades: crm.FitGrades, First: q.Get("cursor") == ""}
	if !slices.Contains(crm.FitGrades, v.Grade) {
		v.Grade = ""
	}
	sorts := []string{"name", "-fit_score", "-updated_at", "-headcount"}
	if !slices.Contains(sorts, v.Sort) {
		v.Sort = "name"
	}
	for _, k := range sorts {
		v.Sorts = append(v.Sorts, option{Value: k, Label: p.T("ui.accounts.sort." + strings.TrimPrefix(k, "-")), Selected: k == v.Sort})
	}
	f := crm.AccountFilter{ListParams: crm.ListParams{Limit: 25, Cursor: q.Get("cursor"), Sort: v.Sort, Q: v.Q, WithTotal: true}}
	if v.Grade != "" {
		f.Grades = []string{v.Grade}
	}
	res, err := s.svc.Accounts(r.Context(), sess.actor, f)
	if crm.ErrorCode(err) == crm.EINVALID && f.Cursor != "" {
		// A stale cursor: start again from the first page.
		f.Cursor, v.First = "", true
		res, err = s.svc.Accounts(r.Context(), sess.actor, f)
	}
	if err != nil {
		return err
	}
	for _, a := range res.Items {
		v.Rows = append(v.Rows, accountRow{ID: a.ID, Name: a.Name, Industry: enumLabel(p.Lang, "industry", a.Industry), Region: a.Region,
			Grade: a.FitGrade, Score: a.FitScore, Headcount: a.Headcount, Updated: a.UpdatedAt.UTC().Format("2006-01-02")})
	}
	if res.Total != nil {
		v.Total = *res.Total
	}
	base := url.Values{}
	if v.Q != "" {
		base.Set("q", v.Q)
	}
	if v.Grade != "" {
		base.Set("grade", v.Grade)
	}
	base.Set("sort", v.Sort)
	v.Base = "/accounts?" + base.Encode()
	if res.NextCursor != "" {
		base.Set("cursor", res.NextCursor)
		v.Next = "/accounts?" + base.Encode()
	}
	p.Data = v
	s.render(w, p, "accounts")
	return nil
}

// ---- forms

// accountForm is what the form shows: the values as typed, the options and
// the messages of each field.
type accountForm struct {
	ID, Version  int64
	Values       map[string]string
	BusinessKind []option
	Industry     []option
	Ownership    []option
	Software     []option
	Plan         []option
	Errors       map[string]string
	Error        string
	Conflict     bool
}

var accountTextFields = []string{"name", "credit_code", "headcount", "industry", "business_kind", "ownership", "restructured_on",
	"revenue_last_year", "gross_profit", "branch_count", "purchase_plan", "region", "address", "phone", "website"}

func (f *accountForm) fill(lang string, software []string) {
	f.BusinessKind = enumOptions(lang, "business_kind", crm.BusinessKinds, f.Values["business_kind"])
	f.Industry = enumOptions(lang, "industry", crm.Industries, f.Values["industry"])
	f.Ownership = enumOptions(lang, "ownership", crm.Ownerships, f.Values["ownership"])
	f.Software = enumOptions(lang, "software", crm.SoftwareKinds, software...)
	f.Plan = enumOptions(lang, "purchase_plan", crm.PurchasePlans, f.Values["purchase_plan"])
	if f.Errors == nil {
		f.Errors = map[string]string{}
	}
}

// formOf takes the form's values as typed.
func formOf(r *http.Request) (*accountForm, []string) {
	f := &accountForm{Values: map[string]string{}}
	for _, k := range accountTextFields {
		f.Values[k] = strings.TrimSpace(r.PostFormValue(k))
	}
	if r.PostFormValue("just_restructured") != "" {
		f.Values["just_restructured"] = "1"
	}
	return f, r.PostForm["existing_software"]
}

// formOfAccount shows a stored account in the form.
func formOfAccount(a *crm.Account) *accountForm {
	f := &accountForm{ID: a.ID, Version: a.Version, Values: map[string]string{
		"name": a.Name, "credit_code": a.CreditCode, "industry": a.Industry, "business_kind": a.BusinessKind, "ownership": a.Ownership,
		"purchase_plan": a.PurchasePlan, "region": a.Region, "address": a.Address, "phone": a.Phone, "website": a.Website,
	}}
	if a.Headcount != nil {
		f.Values["headcount"] = strconv.Itoa(*a.Headcount)
	}
	if a.BranchCount != nil {
		f.Values["branch_count"] = strconv.Itoa(*a.BranchCount)
	}
	if a.RestructuredOn != nil {
		f.Values["restructured_on"] = a.RestructuredOn.String()
	}
	if a.JustRestructured {
		f.Values["just_restructured"] = "1"
	}
	if a.RevenueLastYear != nil {
		f.Values["revenue_last_year"] = yuanOf(*a.RevenueLastYear)
	}
	if a.GrossProfit != nil {
		f.Values["gross_profit"] = yuanOf(*a.GrossProfit)
	}
	return f
}

// yuanOf writes fen as yuan without separators, for a form field.
func yuanOf(fen int64) string {
	s := strconv.FormatInt(fen/100, 10)
	if c := fen % 100; c != 0 {
		s += fmt.Sprintf(".%02d", max(c, -c))
	}
	return s
}

// parseYuan reads an amount in yuan with at most two decimals into fen.
func parseYuan(s string) (int64, bool) {
	s = strings.ReplaceAll(s, ",", "")
	whole, frac, _ := strings.Cut(s, ".")
	if len(frac) > 2 || whole == "" {
		return 0, false
	}
	w, err := strconv.ParseInt(whole, 10, 64)
	if err != nil || w < 0 || w > 1e15 {
		return 0, false
	}
	f := int64(0)
	if frac != "" {
		frac += strings.Repeat("0", 2-len(frac))
		x, err := strconv.ParseInt(frac, 10, 64)
		if err != nil || x < 0 {
			return 0, false
		}
		f = x
	}
	return w*100 + f, true
}

// input converts the typed values; what cannot be read is a field error.
func (f *accountForm) input(lang string, software []string) (crm.AccountInput, map[string]string) {
	v, errs := f.Values, map[string]string{}
	in := crm.AccountInput{Name: v["name"], CreditCode: v["credit_code"], BusinessKind: v["business_kind"], Industry: v["industry"],
		Ownership: v["ownership"], PurchasePlan: v["purchase_plan"], Region: v["region"], Address: v["address"], Phone: v["phone"],
		Website: v["website"], ExistingSoftware: software, JustRestructured: v["just_restructured"] != ""}
	if in.ExistingSoftware == nil {
		in.ExistingSoftware = []string{}
	}
	intField := func(k string) *int {
		if v[k] == "" {
			return nil
		}
		n, err := strconv.Atoi(v[k])
		if err != nil {
			errs[k] = i18n.T(lang, "field.not_number")
			return nil
		}
		return &n
	}
	moneyField := func(k string) *int64 {
		if v[k] == "" {
			return nil
		}
		n, ok := parseYuan(v[k])
		if !ok {
			errs[k] = i18n.T(lang, "ui.form.yuan_invalid")
			return nil
		}
		return &n
	}
	in.Headcount, in.BranchCount = intField("headcount"), intField("branch_count")
	in.RevenueLastYear, in.GrossProfit = moneyField("revenue_last_year"), moneyField("gross_profit")
	if v["restructured_on"] != "" {
		d, err := crm.ParseDate(v["restructured_on"])
		if err != nil {
			errs["restructured_on"] = i18n.T(lang, "field.date")
		} else {
			in.RestructuredOn = &d
		}
	}
	return in, errs
}

func (s *Server) renderAccountForm(w http.ResponseWriter, r *http.Request, sess *uiSession, f *accountForm, software []string, status int) {
	title := "ui.accounts.new"
	if f.ID != 0 {
		title = "ui.accounts.edit"
	}
	p := s.newPage(w, r, sess, title, "accounts")
	f.fill(p.Lang, software)
	p.Status = status
	p.Data = f
	s.render(w, p, "account_form")
}

func (s *Server) accountNewPage(w http.ResponseWriter, r *http.Request, sess *uiSession) error {
	s.renderAccountForm(w, r, sess, &accountForm{Values: map[string]string{}}, nil, http.StatusOK)
	return nil
}

func (s *Server) accountCreate(w http.ResponseWriter, r *http.Request, sess *uiSession) error {
	f, software := formOf(r)
	lang := uiLanguage(r, sess.user)
	in, errs := f.input(lang, software)
	if len(errs) == 0 {
		a, err := s.svc.CreateAccount(r.Context(), sess.actor, in)
		if err == nil {
			setFlash(w, r, "account_created")
			http.Redirect(w, r, fmt.Sprintf("/accounts/%d", a.ID), http.StatusSeeOther)
			return nil
		}
		fe, msg, ok := fieldErrors(lang, err)
		if !ok {
			return err
		}
		errs, f.Error = fe, msg
	}
	f.Errors = errs
	s.renderAccountForm(w, r, sess, f, software, http.StatusUnprocessableEntity)
	return nil
}

func (s *Server) accountEditPage(w http.ResponseWriter, r *http.Request, sess *uiSession) error {
	id, err := uiPathID(r)
	if err != nil {
		return err
	}
	a, err := s.svc.Account(r.Context(), sess.actor, id)
	if err != nil {
		return err
	}
	s.renderAccountForm(w, r, sess, formOfAccount(a), a.ExistingSoftware, http.StatusOK)
	return nil
}

func (s *Server) accountUpdate(w http.ResponseWriter, r *http.Request, sess *uiSession) error {
	id, err := uiPathID(r)
	if err != nil {
		return err
	}
	if _, err := s.svc.Account(r.Context(), sess.actor, id); err != nil {
		return err
	}
	f, software := formOf(r)
	f.ID = id
	f.Version, _ = strconv.ParseInt(r.PostFormValue("version"), 10, 64)
	lang := uiLanguage(r, sess.user)
	in, errs := f.input(lang, software)
	if len(errs) == 0 {
		p := crm.AccountPatch{Version: f.Version, Name: optOf(in.Name), CreditCode: optOf(in.CreditCode),
			Headcount: optPtr(in.Headcount), BusinessKind: optOf(in.BusinessKind), Industry: optOf(in.Industry),
			Ownership: optOf(in.Ownership), RestructuredOn: optPtr(in.RestructuredOn), JustRestructured: optOf(in.JustRestructured),
			RevenueLastYear: optPtr(in.RevenueLastYear), GrossProfit: optPtr(in.GrossProfit), ExistingSoftware: optOf(in.ExistingSoftware),
			BranchCount: optPtr(in.BranchCount), PurchasePlan: optOf(in.PurchasePlan), Region: optOf(in.Region),
			Address: optOf(in.Address), Phone: optOf(in.Phone), Website: optOf(in.Website)}
		_, err := s.svc.UpdateAccount(r.Context(), sess.actor, id, p)
		if err == nil {
			setFlash(w, r, "account_saved")
			http.Redirect(w, r, fmt.Sprintf("/accounts/%d", id), http.StatusSeeOther)
			return nil
		}
		if crm.ErrorCode(err) == crm.ECONFLICT {
			f.Conflict = true
			s.renderAccountForm(w, r, sess, f, software, http.StatusConflict)
			return nil
		}
		fe, msg, ok := fieldErrors(lang, err)
		if !ok {
			return err
		}
		errs, f.Error = fe, msg
	}
	f.Errors = errs
	s.renderAccountForm(w, r, sess, f, software, http.StatusUnprocessableEntity)
	return nil
}

// ---- the account page

type accountView struct {
	A          *crm.Account
	Facts      []factRow
	Software   string
	Fit        playbook.FitResult
	Factors    []factorRow
	Disq       []string
	KeyPersons []keyRoleRow
	Contacts   []contactRow
	Deals      []accountDealRow
	Timeline   []timelineRow
	// Forms are the contact, activity and deal forms, with what the user
	// typed when one of them failed.
	Forms *accountForms
}

type factRow struct{ Label, Value string }

type factorRow struct {
	Name, Reason string
	Points, Max  int
}

type keyRoleRow struct {
	Role   string
	Filled bool
	People []string
}

type contactRow struct {
	ID                              int64
	Name, Title, Role, Phone, Email string
}

type accountDealRow struct {
	ID                     int64
	Title, Stage, StageKey string
	Amount                 int64
	Close                  string
}

type timelineRow struct {
	When, Type, Subject, Notes string
	Done                       bool
}

func (s *Server) accountPage(w http.ResponseWriter, r *http.Request, sess *uiSession) error {
	return s.renderAccountPage(w, r, sess, &accountForms{}, http.StatusOK)
}

// renderAccountPage shows the account with its forms; a form that failed
// comes back with its messages and the input as typed.
func (s *Server) renderAccountPage(w http.ResponseWriter, r *http.Request, sess *uiSession, forms *accountForms, status int) error {
	ctx, actor := r.Context(), sess.actor
	id, err := uiPathID(r)
	if err != nil {
		return err
	}
	a, err := s.svc.Account(ctx, actor, id)
	if err != nil {
		return err
	}
	fit, err := s.svc.AccountFit(ctx, actor, id)
	if err != nil {
		return err
	}
	p := s.newPage(w, r, sess, "ui.account.title", "accounts")
	p.Title = a.Name
	lang := p.Lang
	forms.fill(lang)
	p.Status = status
	v := &accountView{A: a, Fit: fit, Forms: forms}
	for _, f := range fit.Factors {
		v.Factors = append(v.Factors, factorRow{Name: f.Name.In(lang), Reason: f.Reason.In(lang), Points: f.Points, Max: f.Max})
	}
	for _, d := range fit.Disqualifiers {
		v.Disq = append(v.Disq, d.Reason.In(lang))
	}
	var sw []string
	for _, k := range a.ExistingSoftware {
		sw = append(sw, enumLabel(lang, "software", k))
	}
	v.Software = strings.Join(sw, "、")
	dash := func(s string) string {
		if s == "" {
			return "—"
		}
		return s
	}
	num := func(n *int) string {
		if n == nil {
			return "—"
		}
		return strconv.Itoa(*n)
	}
	money := func(n *int64) string {
		if n == nil {
			return "—"
		}
		return formatCNY(*n)
	}
	own := enumLabel(lang, "ownership", a.Ownership)
	if a.RestructuredOn != nil {
		own += " · " + a.RestructuredOn.String()
	}
	v.Facts = []factRow{
		{p.T("ui.account.headcount"), num(a.Headcount)},
		{p.T("ui.account.business_kind"), dash(enumLabel(lang, "business_kind", a.BusinessKind))},
		{p.T("ui.account.industry"), dash(enumLabel(lang, "industry", a.Industry))},
		{p.T("ui.account.ownership"), dash(own)},
		{p.T("ui.account.revenue_last_year"), money(a.RevenueLastYear)},
		{p.T("ui.account.gross_profit"), money(a.GrossProfit)},
		{p.T("ui.account.existing_software"), dash(v.Software)},
		{p.T("ui.account.branch_count"), num(a.BranchCount)},
		{p.T("ui.account.purchase_plan"), dash(enumLabel(lang, "purchase_plan", a.PurchasePlan))},
		{p.T("ui.account.region"), dash(a.Region)},
		{p.T("ui.account.phone"), dash(a.Phone)},
		{p.T("ui.account.credit_code"), dash(a.CreditCode)},
	}

	cs, err := s.svc.Contacts(ctx, actor, crm.ContactFilter{AccountID: &id, ListParams: crm.ListParams{Limit: crm.MaxLimit, Sort: "name"}})
	if err != nil {
		return err
	}
	for _, kr := range s.svc.Playbook.KeyRoles {
		row := keyRoleRow{Role: kr.Name.In(lang)}
		for _, c := range cs.Items {
			if c.FunctionalRole == kr.Key {
				row.People = append(row.People, c.Name)
			}
		}
		row.Filled = len(row.People) > 0
		v.KeyPersons = append(v.KeyPersons, row)
	}
	for _, c := range cs.Items {
		v.Contacts = append(v.Contacts, contactRow{ID: c.ID, Name: c.Name, Title: c.Title, Role: enumLabel(lang, "functional_role", c.FunctionalRole), Phone: c.Phone, Email: c.Email})
	}
	ds, err := s.svc.Deals(ctx, actor, crm.DealFilter{AccountID: &id, ListParams: crm.ListParams{Limit: crm.MaxLimit, Sort: "-updated_at"}})
	if err != nil {
		return err
	}
	for _, d := range ds.Items {
		row := accountDealRow{ID: d.ID, Title: d.Title, Stage: s.stageName(d.Stage, lang), StageKey: d.Stage, Amount: d.Amount}
		if d.ExpectedCloseDate != nil {
			row.Close = d.ExpectedCloseDate.String()
		}
		v.Deals = append(v.Deals, row)
	}
	acts, err := s.svc.Activities(ctx, actor, crm.ActivityFilter{AccountID: &id, ListParams: crm.ListParams{Limit: 50, Sort: "-created_at"}})
	if err != nil {
		return err
	}
	v.Timeline = timelineOf(lang, acts.Items)
	p.Data = v
	s.render(w, p, "account")
	return nil
}

func timelineOf(lang string, acts []*crm.Activity) []timelineRow {
	var out []timelineRow
	for _, a := range acts {
		when := a.CreatedAt
		if a.DoneAt != nil {
			when = *a.DoneAt
		} else if a.DueAt != nil {
			when = *a.DueAt
		}
		out = append(out, timelineRow{When: when.UTC().Format("2006-01-02 15:04"), Type: i18n.T(lang, "ui.activity_type."+a.Type),
			Subject: a.Subject, Notes: a.Notes, Done: a.DoneAt != nil})
	}
	return out
}

func optOf[T any](v T) crm.Opt[T] { return crm.Opt[T]{Set: true, Value: v} }

func optPtr[T any](v *T) crm.Opt[T] {
	if v == nil {
		return crm.Opt[T]{Set: true, Null: true}
	}
	return crm.Opt[T]{Set: true, Value: *v}
}
