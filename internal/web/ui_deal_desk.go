package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/dealpath/dealpath/internal/crm"
	"github.com/dealpath/dealpath/internal/i18n"
)

// The deal desk panels of the deal workspace: the deal's contacts and
// their buying roles, demos with the ROI sum, competitors, quotes and
// their approvals, contracts with milestones and payments, the project
// and the activity log. Every form posts to a handler here that calls the
// crm service, then redirects back to its panel (post-redirect-get) or,
// when the service refuses the input, renders the deal page again with
// what the user typed and a message next to each offending field.

// deskForm is a panel's form as the user filled it: the values typed (by
// input name), the message of each field the service refused, and the
// form's own message. Input names follow the service's field paths
// (lines.0.quantity, milestones.1.percent), so that a field error lands
// next to its input without translation tables.
type deskForm struct {
	Values   map[string]string
	Multi    map[string][]string
	Errors   map[string]string
	Error    string
	Conflict bool
	Unmet    []unmetRow
}

func newDeskForm() *deskForm {
	return &deskForm{Values: map[string]string{}, Multi: map[string][]string{}, Errors: map[string]string{}}
}

// deskFormOf takes a posted form's values.
func deskFormOf(r *http.Request) *deskForm {
	f := newDeskForm()
	for k, vs := range r.PostForm {
		if k == csrfField || len(vs) == 0 {
			continue
		}
		f.Values[k] = vs[0]
		f.Multi[k] = vs
	}
	return f
}

// V is the value typed into an input.
func (f *deskForm) V(name string) string { return f.Values[name] }

// E is the message next to an input, if any.
func (f *deskForm) E(name string) string { return f.Errors[name] }

// EP is the message of the field name or of any field under it
// (attendees.0.contact_id under attendees), for a group of inputs.
func (f *deskForm) EP(name string) string {
	if m := f.Errors[name]; m != "" {
		return m
	}
	keys := make([]string, 0, len(f.Errors))
	for k := range f.Errors {
		if strings.HasPrefix(k, name+".") {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	if len(keys) == 0 {
		return ""
	}
	return f.Errors[keys[0]]
}

// Has reports whether a checkbox group has the value checked.
func (f *deskForm) Has(name, value string) bool { return slices.Contains(f.Multi[name], value) }

// Failed reports whether the form carries a message.
func (f *deskForm) Failed() bool { return f.Error != "" || len(f.Errors) > 0 }

// deskView is what the desk panels read.
type deskView struct {
	forms   map[string]*deskForm
	DealID  int64
	Today   string
	Lang    string
	Contact struct {
		Rows    []deskContactRow
		Choices []option
	}
	BuyingRoles, Stances, Steps []option
	Demos                       []deskDemoRow
	DemoPrep                    []option
	ROIKinds                    []option
	ROIRows                     []int
	Competitors                 []deskCompetitorRow
	CompetitorStatuses          []option
	Quotes                      []deskQuoteRow
	Approvals                   []deskApprovalRow
	AcceptedQuotes              []option
	ContractKinds               []option
	PaymentMethods              []option
	Triggers                    []option
	MilestoneRows               []int
	Contracts                   []deskContractRow
	Projects                    []deskProjectRow
	ActivityTypes               []option
}

// Form returns the form under key: the user's input when it failed, else
// the form's defaults, else an empty form.
func (v *deskView) Form(key string) *deskForm {
	if f := v.forms[key]; f != nil {
		return f
	}
	return newDeskForm()
}

type deskContactRow struct {
	ContactID                           int64
	Version                             int64
	Name, Title                         string
	BuyingRole, Stance, EngagementStep  string
	BuyingLabel, StanceLabel, StepLabel string
}

type deskDemoRow struct {
	HeldOn, Story, Feedback, NextStep string
	Attendees                         []string
	YearlyBenefit, OneOff, YearlyCost int64
	Payback, ROI3Y                    string
}

type deskCompetitorRow struct {
	ID, Version                         int64
	Name, Strengths, Weaknesses, Status string
	StatusKey                           string
}

type deskQuoteRow struct {
	ID, Version                int64
	Number, State, StateKey    string
	ValidUntil                 string
	Revision                   int
	Total, ListTotal, Discount int64
	MaxDiscount                string
	PaymentDays                int
	Superseded                 bool
	Actions                    []string
	Editable                   bool
	Lines                      []deskQuoteLineRow
}

type deskQuoteLineRow struct {
	Code, Name, Unit, Discount string
	Quantity                   int64
	UnitPrice, Total           int64
}

type deskApprovalRow struct {
	ID, Version                      int64
	Subject, Kind, Status, StatusKey string
	Approver, Requester, Comment     string
	Reasons                          string
	When                             string
	CanDecide                        bool
}

type deskContractRow struct {
	ID, Version           int64
	Number, Kind, KindKey string
	State, StateKey       string
	SignedOn, Method      string
	PaymentDays           int
	Amount, Paid, Open    int64
	Milestones            []deskMilestoneRow
	Actions               []string
	Payable               bool
}

type deskMilestoneRow struct {
	ID, Version        int64
	Name, Due, Trigger string
	Percent            string
	Amount, Paid, Open int64
}

type deskProjectRow struct {
	ID, Version int64
	Name, State string
	GoLive      string
	Steps       []deskStepRow
	Tasks       []deskTaskRow
	Open        bool
}

type deskStepRow struct {
	Key, Name, DoneAt string
	Done, ByPayment   bool
}

type deskTaskRow struct {
	ID, Version int64
	Title, Due  string
	Done        bool
}

// deskLabel names a value of a desk enumeration (desk.enum.<set>.<key>).
func deskLabel(lang, set, key string) string {
	if key == "" {
		return ""
	}
	if k := "desk.enum." + set + "." + key; i18n.Has(lang, k) {
		return i18n.T(lang, k)
	}
	return key
}

func deskOptions(lang, set string, keys []string) []option {
	out := make([]option, 0, len(keys))
	for _, k := range keys {
		out = append(out, option{Value: k, Label: deskLabel(lang, set, k)})
	}
	return out
}

// ROIFormRows is how many lines the demo form offers for the ROI sum.
const roiFormRows = 6

// milestoneFormRows is how many milestones the contract form offers.
const milestoneFormRows = 4

// buildDesk gathers the desk panels of a deal for its page.
func (s *Server) buildDesk(ctx context.Context, p *page, sess *uiSession, d *crm.Deal, failed map[string]*deskForm) (*deskView, error) {
	actor, lang, id := sess.actor, p.Lang, d.ID
	v := &deskView{forms: map[string]*deskForm{}, DealID: id, Today: crm.DateOf(s.svc.Now()).String(), Lang: lang}
	v.BuyingRoles = enumOptions(lang, "buying_role", crm.BuyingRoles)
	v.Stances = enumOptions(lang, "stance", crm.Stances)
	v.Steps = enumOptions(lang, "engagement_step", crm.EngagementSteps)
	v.ROIKinds = deskOptions(lang, "roi_kind", crm.ROIKinds)
	v.CompetitorStatuses = deskOptions(lang, "competitor_status", crm.CompetitorStatuses)
	v.ContractKinds = deskOptions(lang, "contract_kind", crm.ContractKinds)
	v.PaymentMethods = deskOptions(lang, "payment_method", crm.PaymentMethods)
	v.Triggers = deskOptions(lang, "trigger", crm.MilestoneTriggers)
	for _, t := range crm.ActivityTypes {
		v.ActivityTypes = append(v.ActivityTypes, option{Value: t, Label: i18n.T(lang, "ui.activity_type."+t)})
	}
	for i := range roiFormRows {
		v.ROIRows = append(v.ROIRows, i)
	}
	for i := range milestoneFormRows {
		v.MilestoneRows = append(v.MilestoneRows, i)
	}
	if st := s.svc.Playbook.Stage("demo"); st != nil {
		for _, it := range st.Checklist {
			v.DemoPrep = append(v.DemoPrep, option{Value: it.Key, Label: it.Text.In(lang)})
		}
	}

	// Contacts of the account, and those placed on the deal.
	contacts := map[int64]*crm.Contact{}
	var accountContacts []*crm.Contact
	if cs, err := s.svc.Contacts(ctx, actor, crm.ContactFilter{AccountID: &d.AccountID, ListParams: crm.ListParams{Limit: crm.MaxLimit}}); err == nil {
		accountContacts = cs.Items
		for _, c := range cs.Items {
			contacts[c.ID] = c
		}
	} else if crm.ErrorCode(err) != crm.EFORBIDDEN {
		return nil, err
	}
	dcs, err := s.svc.DealContacts(ctx, actor, id)
	if err != nil {
		return nil, err
	}
	onDeal := map[int64]bool{}
	for _, dc := range dcs {
		onDeal[dc.ContactID] = true
		row := deskContactRow{ContactID: dc.ContactID, Version: dc.Version, BuyingRole: dc.BuyingRole, Stance: dc.Stance, EngagementStep: dc.EngagementStep,
			BuyingLabel: enumLabel(lang, "buying_role", dc.BuyingRole), StanceLabel: enumLabel(lang, "stance", dc.Stance),
			StepLabel: enumLabel(lang, "engagement_step", dc.EngagementStep)}
		if c := contacts[dc.ContactID]; c != nil {
			row.Name, row.Title = c.Name, c.Title
		}
		v.Contact.Rows = append(v.Contact.Rows, row)
		f := newDeskForm()
		f.Values["version"] = strconv.FormatInt(dc.Version, 10)
		f.Values["buying_role"], f.Values["stance"], f.Values["engagement_step"] = dc.BuyingRole, dc.Stance, dc.EngagementStep
		v.forms[fmt.Sprintf("contact-%d", dc.ContactID)] = f
	}
	for _, c := range accountContacts {
		if !onDeal[c.ID] {
			v.Contact.Choices = append(v.Contact.Choices, option{Value: strconv.FormatInt(c.ID, 10), Label: c.Name})
		}
	}

	// Demos with their ROI sums.
	demos, err := s.svc.DealDemos(ctx, actor, id)
	if err != nil {
		return nil, err
	}
	for i := len(demos) - 1; i >= 0; i-- {
		dm := demos[i]
		row := deskDemoRow{HeldOn: dm.HeldOn.String(), Story: dm.Story, Feedback: dm.Feedback, NextStep: dm.NextStep,
			YearlyBenefit: dm.ROI.YearlyBenefit, OneOff: dm.ROI.OneOffCost, YearlyCost: dm.ROI.YearlyCost,
			Payback: i18n.T(lang, "desk.demo.never"), ROI3Y: "—"}
		if dm.ROI.PaybackMonths != nil {
			row.Payback = i18n.T(lang, "desk.demo.months", *dm.ROI.PaybackMonths)
		}
		if dm.ROI.ROI3YPercent != nil {
			row.ROI3Y = strconv.Itoa(*dm.ROI.ROI3YPercent) + "%"
		}
		for _, a := range dm.Attendees {
			if c := contacts[a.ContactID]; c != nil {
				row.Attendees = append(row.Attendees, c.Name)
			}
		}
		v.Demos = append(v.Demos, row)
	}
	demoForm := newDeskForm()
	demoForm.Values["held_on"] = v.Today
	for i, k := range []string{"saving", "gain", "one_off_cost", "yearly_cost", "saving", "yearly_cost"} {
		demoForm.Values[fmt.Sprintf("roi.lines.%d.kind", i)] = k
	}
	v.forms["demo"] = demoForm

	// Competitors.
	comps, err := s.svc.DealCompetitors(ctx, actor, id)
	if err != nil {
		return nil, err
	}
	for _, c := range comps {
		v.Competitors = append(v.Competitors, deskCompetitorRow{ID: c.ID, Version: c.Version, Name: c.Name, Strengths: c.Strengths,
			Weaknesses: c.Weaknesses, StatusKey: c.Status, Status: deskLabel(lang, "competitor_status", c.Status)})
	}

	// Quotes, newest first, with the actions their states allow.
	qs, err := s.svc.Quotes(ctx, actor, crm.QuoteFilter{DealID: &id, ListParams: crm.ListParams{Limit: crm.MaxLimit, Sort: "-created_at"}})
	if err != nil {
		return nil, err
	}
	users := map[int64]string{}
	userName := func(uid int64) string {
		if n, ok := users[uid]; ok {
			return n
		}
		n := ""
		if u, err := s.svc.User(ctx, actor, uid); err == nil {
			n = u.DisplayName
			if n == "" {
				n = u.Username
			}
		}
		users[uid] = n
		return n
	}
	var approvalIDs []int64
	subjects := map[int64]string{}
	for _, q := range qs.Items {
		row := deskQuoteRow{ID: q.ID, Version: q.Version, Number: q.Number, Revision: q.Revision, State: enumLabel(lang, "quote_state", q.State),
			StateKey: q.State, ValidUntil: q.ValidUntil.String(), Total: q.Total, ListTotal: q.ListTotal, Discount: q.DiscountTotal,
			MaxDiscount: crm.FormatBP(int64(q.MaxDiscountBP)), PaymentDays: q.PaymentDays, Superseded: q.SupersededBy != nil}
		for _, l := range q.Lines {
			row.Lines = append(row.Lines, deskQuoteLineRow{Code: l.ProductCode, Name: l.ProductName.In(lang), Unit: enumLabel(lang, "unit", l.Unit),
				Quantity: l.Quantity, UnitPrice: l.UnitPrice, Discount: crm.FormatBP(int64(l.DiscountBP)), Total: l.Total})
		}
		if !row.Superseded {
			switch q.State {
			case crm.QuoteDraft:
				row.Editable = true
				row.Actions = []string{"submit"}
			case crm.QuoteApproved:
				row.Actions = []string{"send", "revise"}
			case crm.QuoteSent:
				row.Actions = []string{"accept", "reject", "revise"}
			case crm.QuoteRejected, crm.QuoteExpired:
				row.Actions = []string{"revise"}
			}
		}
		if q.State == crm.QuoteAccepted && !row.Superseded {
			v.AcceptedQuotes = append(v.AcceptedQuotes, option{Value: strconv.FormatInt(q.ID, 10),
				Label: fmt.Sprintf("%s r%d · %s", q.Number, q.Revision, formatCNY(q.Total))})
		}
		v.Quotes = append(v.Quotes, row)
		if q.ApprovalID != nil {
			approvalIDs = append(approvalIDs, *q.ApprovalID)
			subjects[*q.ApprovalID] = fmt.Sprintf("%s r%d", q.Number, q.Revision)
		}
	}

	// Contracts with milestones and what is paid.
	cs, err := s.svc.Contracts(ctx, actor, crm.ContractFilter{DealID: &id, ListParams: crm.ListParams{Limit: crm.MaxLimit, Sort: "-created_at"}})
	if err != nil {
		return nil, err
	}
	for _, c := range cs.Items {
		row := deskContractRow{ID: c.ID, Version: c.Version, Number: c.Number, KindKey: c.Kind, Kind: deskLabel(lang, "contract_kind", c.Kind),
			State: enumLabel(lang, "contract_state", c.State), StateKey: c.State, Method: deskLabel(lang, "payment_method", c.PaymentMethod),
			PaymentDays: c.PaymentDays, Amount: c.Amount, Paid: c.Paid, Open: c.Amount - c.Paid,
			Payable: c.State == crm.ContractSigned && c.Kind == crm.ContractSale}
		if c.SignedOn != nil {
			row.SignedOn = c.SignedOn.String()
		}
		switch c.State {
		case crm.ContractDraft:
			row.Actions = []string{"submit", "cancel"}
		case crm.ContractApproved:
			row.Actions = []string{"sign", "cancel"}
		case crm.ContractRejected:
			row.Actions = []string{"cancel"}
		case crm.ContractSigned:
			if c.Kind == crm.ContractTrial {
				row.Actions = []string{"convert"}
			}
		}
		for _, m := range c.Milestones {
			mr := deskMilestoneRow{ID: m.ID, Version: m.Version, Name: deskMilestoneName(lang, m.Name), Trigger: deskLabel(lang, "trigger", m.Trigger),
				Amount: m.Amount, Paid: m.Paid, Open: m.Open()}
			if m.DueOn != nil {
				mr.Due = m.DueOn.String()
			}
			if m.Percent != nil {
				mr.Percent = strconv.Itoa(*m.Percent) + "%"
			}
			row.Milestones = append(row.Milestones, mr)
			pf := newDeskForm()
			pf.Values["received_on"] = v.Today
			pf.Values["method"] = c.PaymentMethod
			if m.Open() > 0 {
				pf.Values["amount"] = yuanOf(m.Open())
			}
			v.forms[fmt.Sprintf("payment-%d", m.ID)] = pf
		}
		sf := newDeskForm()
		sf.Values["signed_on"] = v.Today
		v.forms[fmt.Sprintf("contract-%d", c.ID)] = sf
		v.Contracts = append(v.Contracts, row)
		if c.ApprovalID != nil {
			approvalIDs = append(approvalIDs, *c.ApprovalID)
			subjects[*c.ApprovalID] = c.Number
		}
	}
	// A quote under a contract that is not cancelled takes no second one.
	v.AcceptedQuotes = slices.DeleteFunc(v.AcceptedQuotes, func(o option) bool {
		return slices.ContainsFunc(cs.Items, func(c *crm.Contract) bool {
			return c.State != crm.ContractCancelled && strconv.FormatInt(c.QuoteID, 10) == o.Value
		})
	})
	cf := newDeskForm()
	if len(v.AcceptedQuotes) > 0 {
		cf.Values["quote_id"] = v.AcceptedQuotes[0].Value
	}
	cf.Values["kind"], cf.Values["payment_method"], cf.Values["payment_days"] = crm.ContractSale, "bank_transfer", "30"
	for i, m := range crm.DefaultMilestones() {
		cf.Values[fmt.Sprintf("milestones.%d.name", i)] = deskMilestoneName(lang, m.Name)
		cf.Values[fmt.Sprintf("milestones.%d.percent", i)] = strconv.Itoa(*m.Percent)
		cf.Values[fmt.Sprintf("milestones.%d.trigger", i)] = m.Trigger
	}
	v.forms["contract"] = cf

	// Approval requests of the deal's quotes and contracts.
	slices.Sort(approvalIDs)
	for i := len(approvalIDs) - 1; i >= 0; i-- {
		a, err := s.svc.Approval(ctx, actor, approvalIDs[i])
		if err != nil {
			if crm.ErrorCode(err) == crm.ENOTFOUND {
				continue
			}
			return nil, err
		}
		row := deskApprovalRow{ID: a.ID, Version: a.Version, Subject: subjects[a.ID], Kind: deskLabel(lang, "approval_kind", a.Kind),
			StatusKey: a.Status, Status: deskLabel(lang, "approval_status", a.Status), Approver: userName(a.AssignedTo),
			Requester: userName(a.RequestedBy), Comment: a.Comment, Reasons: s.svc.ApprovalReasonsText(lang, a.Reasons),
			When: a.CreatedAt.UTC().Format("2006-01-02 15:04")}
		row.CanDecide = a.Status == crm.ApprovalPending && (a.AssignedTo == actor.UserID || actor.IsAdmin()) &&
			actor.UserID != a.RequestedBy && actor.UserID != a.OwnerID
		v.Approvals = append(v.Approvals, row)
	}

	// The project of a signed contract, with its steps and tasks.
	ps, err := s.svc.Projects(ctx, actor, crm.ProjectFilter{DealID: &id, ListParams: crm.ListParams{Limit: crm.MaxLimit}})
	if err != nil {
		return nil, err
	}
	stepName := map[string]string{}
	if st := s.svc.Playbook.Stage(crm.StageImplementation); st != nil {
		for _, it := range st.Checklist {
			stepName[it.Key] = it.Text.In(lang)
		}
	}
	for _, pr := range ps.Items {
		row := deskProjectRow{ID: pr.ID, Version: pr.Version, Name: pr.Name, State: deskLabel(lang, "project_state", pr.State), Open: pr.State == crm.ProjectOpen}
		if pr.GoLiveOn != nil {
			row.GoLive = pr.GoLiveOn.String()
		}
		for _, st := range pr.Steps {
			sr := deskStepRow{Key: st.Key, Name: stepName[st.Key], Done: st.Done, ByPayment: st.Key == crm.StepFinalPayment}
			if sr.Name == "" {
				sr.Name = st.Key
			}
			if st.DoneAt != nil {
				sr.DoneAt = st.DoneAt.UTC().Format("2006-01-02")
			}
			row.Steps = append(row.Steps, sr)
		}
		tasks, err := s.svc.ProjectTasks(ctx, actor, pr.ID)
		if err != nil {
			return nil, err
		}
		for _, t := range tasks {
			tr := deskTaskRow{ID: t.ID, Version: t.Version, Title: t.Title, Done: t.Done}
			if t.DueOn != nil {
				tr.Due = t.DueOn.String()
			}
			row.Tasks = append(row.Tasks, tr)
		}
		v.Projects = append(v.Projects, row)
		sf := newDeskForm()
		sf.Values["on"] = v.Today
		v.forms[fmt.Sprintf("step-%d", pr.ID)] = sf
	}

	af := newDeskForm()
	af.Values["type"] = "call"
	v.forms["activity"] = af

	for k, f := range failed {
		v.forms[k] = f
	}
	return v, nil
}

// deskMilestoneName shows the default milestones' keys in the reader's
// language; a name the user typed stays as it is.
func deskMilestoneName(lang, name string) string {
	if k := "desk.milestone." + name; i18n.Has(lang, k) {
		return i18n.T(lang, k)
	}
	return name
}

// ---- posting

// deskFail turns what the service refused into the form's messages and the
// page's status. ok is false for anything that is not the user's to fix
// (an error page answers it).
func deskFail(lang string, f *deskForm, err error) (status int, ok bool) {
	var de *crm.Error
	if !errors.As(err, &de) {
		return 0, false
	}
	switch de.Code {
	case crm.EINVALID:
		for k, m := range de.Fields {
			f.Errors[k] = i18n.T(lang, m.Key, m.Args...)
		}
		f.Error = i18n.T(lang, de.Message.Key, de.Message.Args...)
		return http.StatusUnprocessableEntity, true
	case crm.ECONFLICT:
		f.Error = i18n.T(lang, de.Message.Key, de.Message.Args...)
		f.Conflict = de.Message.Key == "error.stale_version"
		return http.StatusConflict, true
	case crm.EGATEUNMET:
		f.Error = i18n.T(lang, de.Message.Key, de.Message.Args...)
		for _, u := range de.Unmet {
			f.Unmet = append(f.Unmet, unmetRow{Label: u.Label.In(lang), Hint: u.Hint.In(lang)})
		}
		return http.StatusUnprocessableEntity, true
	case crm.EFORBIDDEN:
		// A refusal with its own reason (deciding one's own request, an
		// authority too small) is shown on the form; a plain one is the
		// forbidden page.
		if de.Message.Key == "error.forbidden" {
			return 0, false
		}
		f.Error = i18n.T(lang, de.Message.Key, de.Message.Args...)
		return http.StatusForbidden, true
	}
	return 0, false
}

// deskFinish ends a desk post: on success a flash and a redirect to the
// panel; on input the form or the service refused, the deal page with the
// form as typed.
func (s *Server) deskFinish(w http.ResponseWriter, r *http.Request, sess *uiSession, dealID int64, key string, f *deskForm, err error, flash, anchor string) error {
	lang := uiLanguage(r, sess.user)
	status := http.StatusUnprocessableEntity
	switch {
	case err != nil:
		st, ok := deskFail(lang, f, err)
		if !ok {
			return err
		}
		status = st
	case len(f.Errors) > 0:
		f.Error = i18n.T(lang, "error.invalid")
	default:
		setFlash(w, r, "desk."+flash)
		http.Redirect(w, r, fmt.Sprintf("/deals/%d#%s", dealID, anchor), http.StatusSeeOther)
		return nil
	}
	return s.renderDeal(w, r, sess, dealID, dealForms{desk: map[string]*deskForm{key: f}}, status)
}

// deskSubID reads a second path id ({sub}); a malformed one is a page that
// does not exist.
func deskSubID(r *http.Request, name string) (int64, error) {
	n, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil || n <= 0 {
		return 0, crm.NotFound("page")
	}
	return n, nil
}

// deskDealOf reads the deal of a desk post and checks the actor may see it.
func (s *Server) deskDealOf(r *http.Request, sess *uiSession) (*crm.Deal, error) {
	id, err := uiPathID(r)
	if err != nil {
		return nil, err
	}
	return s.svc.Deal(r.Context(), sess.actor, id)
}

// The parsers below read a typed value into what the service takes; what
// cannot be read is a message on the field, and the service is not called.

func (f *deskForm) int64Of(lang, name string, required bool) int64 {
	s := strings.TrimSpace(f.Values[name])
	if s == "" {
		if required {
			f.Errors[name] = i18n.T(lang, "field.required")
		}
		return 0
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		f.Errors[name] = i18n.T(lang, "field.not_number")
	}
	return n
}

func (f *deskForm) intOf(lang, name string) int {
	n := f.int64Of(lang, name, false)
	if n > 1<<31-1 || n < -(1<<31) {
		f.Errors[name] = i18n.T(lang, "field.not_number")
		return 0
	}
	return int(n)
}

func (f *deskForm) yuanOf(lang, name string, required bool) int64 {
	s := strings.TrimSpace(f.Values[name])
	if s == "" {
		if required {
			f.Errors[name] = i18n.T(lang, "field.required")
		}
		return 0
	}
	n, ok := parseYuan(s)
	if !ok {
		f.Errors[name] = i18n.T(lang, "ui.form.yuan_invalid")
	}
	return n
}

func (f *deskForm) dateOf(lang, name string) *crm.Date {
	s := strings.TrimSpace(f.Values[name])
	if s == "" {
		return nil
	}
	d, err := crm.ParseDate(s)
	if err != nil {
		f.Errors[name] = i18n.T(lang, "field.date")
		return nil
	}
	return &d
}

func (s *Server) registerDealDesk() {
	s.ui("POST /deals/{id}/contacts", s.deskContactAdd)
	s.ui("POST /deals/{id}/contacts/{cid}", s.deskContactSave)
	s.ui("POST /deals/{id}/demos", s.deskDemoAdd)
	s.ui("POST /deals/{id}/competitors", s.deskCompetitorAdd)
	s.ui("POST /deals/{id}/competitors/{cid}/remove", s.deskCompetitorRemove)
	s.ui("POST /deals/{id}/quotes/{qid}/action", s.deskQuoteAction)
	s.ui("POST /deals/{id}/approvals/{aid}/decide", s.deskApprovalDecide)
	s.ui("POST /deals/{id}/contracts", s.deskContractAdd)
	s.ui("POST /deals/{id}/contracts/{cid}/action", s.deskContractAction)
	s.ui("POST /deals/{id}/contracts/{cid}/payments", s.deskPaymentAdd)
	s.ui("POST /deals/{id}/projects/{pid}/steps", s.deskStepComplete)
	s.ui("POST /deals/{id}/projects/{pid}/tasks", s.deskTaskAdd)
	s.ui("POST /deals/{id}/projects/{pid}/tasks/{tid}/done", s.deskTaskDone)
	s.ui("POST /deals/{id}/activities", s.deskActivityAdd)
	s.registerQuoteBuilder()
}

func (s *Server) deskContactAdd(w http.ResponseWriter, r *http.Request, sess *uiSession) error {
	d, err := s.deskDealOf(r, sess)
	if err != nil {
		return err
	}
	lang := uiLanguage(r, sess.user)
	f := deskFormOf(r)
	in := crm.DealContactInput{ContactID: f.int64Of(lang, "contact_id", true), BuyingRole: f.V("buying_role"), Stance: f.V("stance"), EngagementStep: f.V("engagement_step")}
	if len(f.Errors) == 0 {
		_, err = s.svc.AddDealContact(r.Context(), sess.actor, d.ID, in)
	}
	return s.deskFinish(w, r, sess, d.ID, "contact", f, err, "contact_added", "deal-contacts")
}

func (s *Server) deskContactSave(w http.ResponseWriter, r *http.Request, sess *uiSession) error {
	d, err := s.deskDealOf(r, sess)
	if err != nil {
		return err
	}
	cid, err := deskSubID(r, "cid")
	if err != nil {
		return err
	}
	lang := uiLanguage(r, sess.user)
	f := deskFormOf(r)
	key := fmt.Sprintf("contact-%d", cid)
	if f.V("op") == "remove" {
		err = s.svc.RemoveDealContact(r.Context(), sess.actor, d.ID, cid)
		return s.deskFinish(w, r, sess, d.ID, key, f, err, "contact_removed", "deal-contacts")
	}
	p := crm.DealContactPatch{Version: f.int64Of(lang, "version", true), BuyingRole: optOf(f.V("buying_role")),
		Stance: optOf(f.V("stance")), EngagementStep: optOf(f.V("engagement_step"))}
	if len(f.Errors) == 0 {
		_, err = s.svc.UpdateDealContact(r.Context(), sess.actor, d.ID, cid, p)
	}
	return s.deskFinish(w, r, sess, d.ID, key, f, err, "contact_saved", "deal-contacts")
}

func (s *Server) deskDemoAdd(w http.ResponseWriter, r *http.Request, sess *uiSession) error {
	d, err := s.deskDealOf(r, sess)
	if err != nil {
		return err
	}
	lang := uiLanguage(r, sess.user)
	f := deskFormOf(r)
	in := crm.DemoInput{Story: f.V("story"), Feedback: f.V("feedback"), NextStep: f.V("next_step"), Prep: f.Multi["prep"]}
	if held := f.dateOf(lang, "held_on"); held != nil {
		in.HeldOn = *held
	}
	for _, a := range f.Multi["attendee"] {
		n, err := strconv.ParseInt(a, 10, 64)
		if err != nil {
			f.Errors["attendees"] = i18n.T(lang, "field.not_number")
			continue
		}
		in.Attendees = append(in.Attendees, crm.DemoAttendee{ContactID: n})
	}
	// Rows without an amount are left out; rowOf maps the service's line
	// index back to the row, so that its messages land on the right row.
	var rowOf []int
	for i := range roiFormRows {
		field := fmt.Sprintf("roi.lines.%d.", i)
		if strings.TrimSpace(f.V(field+"amount")) == "" {
			continue
		}
		amount := f.yuanOf(lang, field+"amount", true)
		in.ROI.Lines = append(in.ROI.Lines, crm.ROILine{Kind: f.V(field + "kind"), Category: f.V(field + "category"), Amount: amount})
		rowOf = append(rowOf, i)
	}
	if len(f.Errors) == 0 {
		_, err = s.svc.CreateDemo(r.Context(), sess.actor, d.ID, in)
		err = renumberRows(err, "roi.lines.", rowOf)
	}
	return s.deskFinish(w, r, sess, d.ID, "demo", f, err, "demo_added", "demos")
}

func (s *Server) deskCompetitorAdd(w http.ResponseWriter, r *http.Request, sess *uiSession) error {
	d, err := s.deskDealOf(r, sess)
	if err != nil {
		return err
	}
	f := deskFormOf(r)
	_, err = s.svc.CreateCompetitor(r.Context(), sess.actor, d.ID, crm.CompetitorInput{Name: f.V("name"), Strengths: f.V("strengths"),
		Weaknesses: f.V("weaknesses"), Status: f.V("status")})
	return s.deskFinish(w, r, sess, d.ID, "competitor", f, err, "competitor_added", "competitors")
}

func (s *Server) deskCompetitorRemove(w http.ResponseWriter, r *http.Request, sess *uiSession) error {
	d, err := s.deskDealOf(r, sess)
	if err != nil {
		return err
	}
	cid, err := deskSubID(r, "cid")
	if err != nil {
		return err
	}
	lang := uiLanguage(r, sess.user)
	f := deskFormOf(r)
	version := f.int64Of(lang, "version", true)
	if len(f.Errors) == 0 {
		err = s.svc.DeleteCompetitor(r.Context(), sess.actor, d.ID, cid, version)
	}
	return s.deskFinish(w, r, sess, d.ID, fmt.Sprintf("competitor-%d", cid), f, err, "competitor_removed", "competitors")
}

func (s *Server) deskQuoteAction(w http.ResponseWriter, r *http.Request, sess *uiSession) error {
	d, err := s.deskDealOf(r, sess)
	if err != nil {
		return err
	}
	qid, err := deskSubID(r, "qid")
	if err != nil {
		return err
	}
	ctx, actor := r.Context(), sess.actor
	q, err := s.svc.Quote(ctx, actor, qid)
	if err != nil {
		return err
	}
	if q.DealID != d.ID {
		return crm.NotFound("quote")
	}
	lang := uiLanguage(r, sess.user)
	f := deskFormOf(r)
	in := crm.QuoteAction{Version: f.int64Of(lang, "version", true), Comment: f.V("comment")}
	act := map[string]func(context.Context, crm.Actor, int64, crm.QuoteAction) (*crm.Quote, error){
		"submit": s.svc.SubmitQuote, "send": s.svc.SendQuote, "accept": s.svc.AcceptQuote,
		"reject": s.svc.RejectQuote, "revise": s.svc.ReviseQuote, "expire": s.svc.ExpireQuote,
	}[f.V("action")]
	if act == nil {
		return crm.NotFound("page")
	}
	flash := "quote_" + f.V("action")
	if len(f.Errors) == 0 {
		var nq *crm.Quote
		nq, err = act(ctx, actor, qid, in)
		if err == nil && f.V("action") == "revise" {
			// A revision is a new draft: straight on to the builder.
			setFlash(w, r, "desk.quote_revised")
			http.Redirect(w, r, fmt.Sprintf("/deals/%d/quotes/%d/edit", d.ID, nq.ID), http.StatusSeeOther)
			return nil
		}
		if err == nil && nq.State == crm.QuotePending {
			flash = "quote_pending"
		}
	}
	return s.deskFinish(w, r, sess, d.ID, fmt.Sprintf("quote-%d", qid), f, err, flash, "quotes")
}

func (s *Server) deskApprovalDecide(w http.ResponseWriter, r *http.Request, sess *uiSession) error {
	d, err := s.deskDealOf(r, sess)
	if err != nil {
		return err
	}
	aid, err := deskSubID(r, "aid")
	if err != nil {
		return err
	}
	ctx, actor := r.Context(), sess.actor
	a, err := s.svc.Approval(ctx, actor, aid)
	if err != nil {
		return err
	}
	if a.DealID != d.ID {
		return crm.NotFound("approval")
	}
	lang := uiLanguage(r, sess.user)
	f := deskFormOf(r)
	in := crm.ApprovalDecision{Version: f.int64Of(lang, "version", true), Comment: f.V("comment")}
	decide := map[string]func(context.Context, crm.Actor, int64, crm.ApprovalDecision) (*crm.Approval, error){
		"approve": s.svc.ApproveApproval, "reject": s.svc.RejectApproval,
	}[f.V("decision")]
	if decide == nil {
		return crm.NotFound("page")
	}
	if len(f.Errors) == 0 {
		_, err = decide(ctx, actor, aid, in)
	}
	return s.deskFinish(w, r, sess, d.ID, fmt.Sprintf("approval-%d", aid), f, err, "approval_"+f.V("decision"), "approvals")
}

func (s *Server) deskContractAdd(w http.ResponseWriter, r *http.Request, sess *uiSession) error {
	d, err := s.deskDealOf(r, sess)
	if err != nil {
		return err
	}
	lang := uiLanguage(r, sess.user)
	f := deskFormOf(r)
	in := crm.ContractInput{QuoteID: f.int64Of(lang, "quote_id", true), Kind: f.V("kind"), PaymentMethod: f.V("payment_method"),
		PaymentDays: f.intOf(lang, "payment_days"), StartOn: f.dateOf(lang, "start_on"), EndOn: f.dateOf(lang, "end_on")}
	var rowOf []int
	for i := range milestoneFormRows {
		field := fmt.Sprintf("milestones.%d.", i)
		name, pct, amt := strings.TrimSpace(f.V(field+"name")), strings.TrimSpace(f.V(field+"percent")), strings.TrimSpace(f.V(field+"amount"))
		if name == "" && pct == "" && amt == "" {
			continue
		}
		m := crm.MilestoneInput{Name: name, Trigger: f.V(field + "trigger"), DueOn: f.dateOf(lang, field+"due_on")}
		if pct != "" {
			p := f.intOf(lang, field+"percent")
			m.Percent = &p
		}
		if amt != "" {
			a := f.yuanOf(lang, field+"amount", true)
			m.Amount = &a
		}
		in.Milestones = append(in.Milestones, m)
		rowOf = append(rowOf, i)
	}
	if len(in.Milestones) == 0 {
		f.Errors["milestones"] = i18n.T(lang, "field.required")
	}
	// The quote must be one of this deal's: a contract is never made on
	// another deal from this deal's page.
	if len(f.Errors) == 0 {
		if q, qerr := s.svc.Quote(r.Context(), sess.actor, in.QuoteID); qerr != nil || q.DealID != d.ID {
			if qerr != nil && crm.ErrorCode(qerr) != crm.ENOTFOUND {
				return qerr
			}
			f.Errors["quote_id"] = i18n.T(lang, "field.unknown_ref")
		}
	}
	if len(f.Errors) == 0 {
		_, err = s.svc.CreateContract(r.Context(), sess.actor, in)
		err = renumberRows(err, "milestones.", rowOf)
	}
	return s.deskFinish(w, r, sess, d.ID, "contract", f, err, "contract_added", "contracts")
}

func (s *Server) deskContractAction(w http.ResponseWriter, r *http.Request, sess *uiSession) error {
	d, err := s.deskDealOf(r, sess)
	if err != nil {
		return err
	}
	cid, err := deskSubID(r, "cid")
	if err != nil {
		return err
	}
	ctx, actor := r.Context(), sess.actor
	c, err := s.svc.Contract(ctx, actor, cid)
	if err != nil {
		return err
	}
	if c.DealID != d.ID {
		return crm.NotFound("contract")
	}
	lang := uiLanguage(r, sess.user)
	f := deskFormOf(r)
	version := f.int64Of(lang, "version", true)
	action := f.V("action")
	in := crm.ContractAction{Version: version, Comment: f.V("comment")}
	if len(f.Errors) == 0 {
		switch action {
		case "submit":
			_, err = s.svc.SubmitContract(ctx, actor, cid, in)
		case "cancel":
			_, err = s.svc.CancelContract(ctx, actor, cid, in)
		case "convert":
			_, err = s.svc.ConvertTrial(ctx, actor, cid, in)
		case "sign":
			on := f.dateOf(lang, "signed_on")
			if len(f.Errors) == 0 {
				_, err = s.svc.SignContract(ctx, actor, cid, crm.ContractSign{Version: version, SignedOn: on})
			}
		default:
			return crm.NotFound("page")
		}
	}
	return s.deskFinish(w, r, sess, d.ID, fmt.Sprintf("contract-%d", cid), f, err, "contract_"+action, "contracts")
}

func (s *Server) deskPaymentAdd(w http.ResponseWriter, r *http.Request, sess *uiSession) error {
	d, err := s.deskDealOf(r, sess)
	if err != nil {
		return err
	}
	cid, err := deskSubID(r, "cid")
	if err != nil {
		return err
	}
	ctx, actor := r.Context(), sess.actor
	c, err := s.svc.Contract(ctx, actor, cid)
	if err != nil {
		return err
	}
	if c.DealID != d.ID {
		return crm.NotFound("contract")
	}
	lang := uiLanguage(r, sess.user)
	f := deskFormOf(r)
	mid := f.int64Of(lang, "milestone_id", true)
	in := crm.PaymentInput{MilestoneID: mid, MilestoneVersion: f.int64Of(lang, "milestone_version", false),
		Amount: f.yuanOf(lang, "amount", true), ReceivedOn: f.dateOf(lang, "received_on"), Method: f.V("method"), Notes: f.V("notes")}
	if len(f.Errors) == 0 {
		_, err = s.svc.RecordPayment(ctx, actor, cid, in)
	}
	return s.deskFinish(w, r, sess, d.ID, fmt.Sprintf("payment-%d", mid), f, err, "payment_added", "contracts")
}

// deskProjectOf loads a project of the deal for a post.
func (s *Server) deskProjectOf(r *http.Request, sess *uiSession, d *crm.Deal) (*crm.Project, error) {
	pid, err := deskSubID(r, "pid")
	if err != nil {
		return nil, err
	}
	p, err := s.svc.Project(r.Context(), sess.actor, pid)
	if err != nil {
		return nil, err
	}
	if p.DealID != d.ID {
		return nil, crm.NotFound("project")
	}
	return p, nil
}

func (s *Server) deskStepComplete(w http.ResponseWriter, r *http.Request, sess *uiSession) error {
	d, err := s.deskDealOf(r, sess)
	if err != nil {
		return err
	}
	p, err := s.deskProjectOf(r, sess, d)
	if err != nil {
		return err
	}
	lang := uiLanguage(r, sess.user)
	f := deskFormOf(r)
	in := crm.StepComplete{Version: f.int64Of(lang, "version", true), OnDay: f.dateOf(lang, "on")}
	if len(f.Errors) == 0 {
		_, err = s.svc.CompleteStep(r.Context(), sess.actor, p.ID, f.V("step"), in)
		if crm.ErrorCode(err) == crm.ENOTFOUND {
			err = &crm.Error{Code: crm.EINVALID, Message: crm.Msg("error.invalid"), Fields: map[string]crm.Message{"step": crm.Msg("field.unknown_ref")}}
		}
	}
	return s.deskFinish(w, r, sess, d.ID, fmt.Sprintf("step-%d", p.ID), f, err, "step_done", "project")
}

func (s *Server) deskTaskAdd(w http.ResponseWriter, r *http.Request, sess *uiSession) error {
	d, err := s.deskDealOf(r, sess)
	if err != nil {
		return err
	}
	p, err := s.deskProjectOf(r, sess, d)
	if err != nil {
		return err
	}
	lang := uiLanguage(r, sess.user)
	f := deskFormOf(r)
	in := crm.ProjectTaskInput{Title: f.V("title"), DueOn: f.dateOf(lang, "due_on")}
	if len(f.Errors) == 0 {
		_, err = s.svc.CreateProjectTask(r.Context(), sess.actor, p.ID, in)
	}
	return s.deskFinish(w, r, sess, d.ID, fmt.Sprintf("task-%d", p.ID), f, err, "task_added", "project")
}

func (s *Server) deskTaskDone(w http.ResponseWriter, r *http.Request, sess *uiSession) error {
	d, err := s.deskDealOf(r, sess)
	if err != nil {
		return err
	}
	p, err := s.deskProjectOf(r, sess, d)
	if err != nil {
		return err
	}
	tid, err := deskSubID(r, "tid")
	if err != nil {
		return err
	}
	lang := uiLanguage(r, sess.user)
	f := deskFormOf(r)
	in := crm.ProjectTaskPatch{Version: f.int64Of(lang, "version", true), Done: optOf(f.V("done") == "1")}
	if len(f.Errors) == 0 {
		_, err = s.svc.UpdateProjectTask(r.Context(), sess.actor, p.ID, tid, in)
	}
	return s.deskFinish(w, r, sess, d.ID, fmt.Sprintf("task-%d", p.ID), f, err, "task_saved", "project")
}

func (s *Server) deskActivityAdd(w http.ResponseWriter, r *http.Request, sess *uiSession) error {
	d, err := s.deskDealOf(r, sess)
	if err != nil {
		return err
	}
	lang := uiLanguage(r, sess.user)
	f := deskFormOf(r)
	in := crm.ActivityInput{Type: f.V("type"), Subject: f.V("subject"), Notes: f.V("notes"), DealID: &d.ID}
	if due := strings.TrimSpace(f.V("due_at")); due != "" {
		t, err := time.Parse("2006-01-02T15:04", due)
		if err != nil {
			t, err = time.Parse(crm.DateLayout, due)
		}
		if err != nil {
			f.Errors["due_at"] = i18n.T(lang, "desk.field.datetime")
		} else {
			in.DueAt = optOf(t)
		}
	}
	if f.V("done") != "" {
		in.DoneAt = optOf(s.svc.Now())
	}
	if len(f.Errors) == 0 {
		_, err = s.svc.CreateActivity(r.Context(), sess.actor, in)
	}
	return s.deskFinish(w, r, sess, d.ID, "activity", f, err, "activity_added", "activities")
}

// renumberRows points a service's field errors on list items
// ("milestones.1.amount") back at the form rows they came from: the form
// skips blank rows, so the service's item n is the form's row rowOf[n].
func renumberRows(err error, prefix string, rowOf []int) error {
	var de *crm.Error
	if !errors.As(err, &de) || de.Code != crm.EINVALID {
		return err
	}
	fields := make(map[string]crm.Message, len(de.Fields))
	for k, m := range de.Fields {
		var n int
		var rest string
		if _, e := fmt.Sscanf(k, prefix+"%d.%s", &n, &rest); e == nil && n >= 0 && n < len(rowOf) {
			k = fmt.Sprintf("%s%d.%s", prefix, rowOf[n], rest)
		}
		fields[k] = m
	}
	return &crm.Error{Code: de.Code, Message: de.Message, Fields: fields, Unmet: de.Unmet}
}
