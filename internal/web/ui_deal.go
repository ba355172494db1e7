package web

import (
	"encoding/json"
	"fmt"
	"html/template"
	"net/http"
	"strconv"
	"strings"

	"github.com/dealpath/dealpath/internal/crm"
	"github.com/dealpath/dealpath/internal/i18n"
)

// The deal workspace: the stage path, what the current stage asks for,
// health, compelling events, qualification, purchase conditions, key
// persons, activities and the history of stage moves.

func (s *Server) registerDealUI() {
	s.ui("GET /deals/{id}", s.dealPage)
	s.ui("POST /deals/{id}/events", s.dealEventAdd)
	s.ui("POST /deals/{id}/qualification", s.dealQualificationSave)
	s.ui("POST /deals/{id}/conditions", s.dealConditionsSave)
	s.registerDealDesk()
}

// dealPages are the deal workspace and the quote builder. The workspace's
// panels live in templates of their own (deal_*.html) parsed with it; this
// runs after ui_account.go's init (files initialise in name order) and so
// replaces its parse of the page with the complete one.
func init() {
	uiTemplates["deal"] = template.Must(template.New("layout.html").Funcs(uiFuncs).
		ParseFS(uiTemplateFS, "templates/ui/layout.html", "templates/ui/deal.html", "templates/ui/deal_panel_*.html"))
	uiTemplates["deal_quote"] = template.Must(template.New("layout.html").Funcs(uiFuncs).
		ParseFS(uiTemplateFS, "templates/ui/layout.html", "templates/ui/deal_quote.html"))
}

type dealView struct {
	D           *crm.Deal
	Account     string
	Path        []stageStep
	Lost        bool
	StageName   string
	Guidance    string
	Checklist   []string
	Actions     []string
	Unmet       []unmetRow
	DaysInStage int
	MaxDays     int
	Stalled     bool
	Health      int
	HealthParts []factorRow
	Events      []eventRow
	EventForm   eventForm
	Qual        qualForm
	Conds       condForm
	KeyPersons  []keySlotRow
	Activities  []timelineRow
	History     []historyRow
	Desk        *deskView
}

type stageStep struct {
	Name          string
	Current, Done bool
}

type unmetRow struct{ Label, Hint string }

type eventRow struct{ Name, Impact, When string }

type eventForm struct {
	Code, Title, Impact string
	Options             []option
	Errors              map[string]string
	Error               string
}

// dealForms carries a workspace form that failed validation, so that the
// page shows it with the user's input and the messages.
type dealForms struct {
	event *eventForm
	qual  *qualForm
	conds *condForm
	// desk holds a desk panel's form that failed, by its key.
	desk map[string]*deskForm
}

type qualForm struct {
	Version     int64
	Questions   []qaRow
	Amount      string
	Flexibility []option
	Basis       string
	Approval    string
	Persuasion  string
	Errors      map[string]string
	Error       string
	Conflict    bool
	flex        string
}

type qaRow struct{ Key, Question, Answer string }

type condForm struct {
	Rows     []conditionRow
	Errors   map[string]string
	Error    string
	Conflict bool
}

type conditionRow struct {
	Key, Name, Evidence string
	Version             int64
	Met                 bool
}

type keySlotRow struct {
	Role    string
	Filled  bool
	Persons []keyPersonRow
}

type keyPersonRow struct{ Name, Buying, Stance, StanceKey, Step string }

type historyRow struct{ When, What, Reason string }

func (s *Server) dealPage(w http.ResponseWriter, r *http.Request, sess *uiSession) error {
	id, err := uiPathID(r)
	if err != nil {
		return err
	}
	return s.renderDeal(w, r, sess, id, dealForms{}, http.StatusOK)
}

func (s *Server) renderDeal(w http.ResponseWriter, r *http.Request, sess *uiSession, id int64, forms dealForms, status int) error {
	ctx, actor := r.Context(), sess.actor
	d, err := s.svc.Deal(ctx, actor, id)
	if err != nil {
		return err
	}
	p := s.newPage(w, r, sess, "ui.deal.workspace", "")
	p.Title = d.Title
	p.Status = status
	lang := p.Lang
	pb := s.svc.Playbook
	v := &dealView{D: d, Lost: d.Stage == crm.StageLost, StageName: s.stageName(d.Stage, lang)}
	if a, err := s.svc.Account(ctx, actor, d.AccountID); err == nil {
		v.Account = a.Name
	}
	cur := -1
	for i, st := range pb.Stages {
		if st.Key == d.Stage {
			cur = i
		}
	}
	for i, st := range pb.Stages {
		if st.Key == crm.StageLost {
			continue
		}
		v.Path = append(v.Path, stageStep{Name: st.Name.In(lang), Current: i == cur, Done: cur >= 0 && i < cur && !v.Lost})
	}
	g, err := s.svc.DealGuidance(ctx, actor, id)
	if err != nil {
		return err
	}
	v.Guidance, v.DaysInStage, v.MaxDays, v.Stalled = g.Guidance.In(lang), g.DaysInStage, g.MaxDays, g.Stalled
	for _, c := range g.Checklist {
		v.Checklist = append(v.Checklist, c.Text.In(lang))
	}
	for _, a := range g.NextActions {
		v.Actions = append(v.Actions, a.Text.In(lang))
	}
	for _, u := range g.Unmet {
		v.Unmet = append(v.Unmet, unmetRow{Label: u.Label.In(lang), Hint: u.Hint.In(lang)})
	}
	h, err := s.svc.DealHealth(ctx, actor, id)
	if err != nil {
		return err
	}
	v.Health = h.Score
	for _, part := range h.Parts {
		v.HealthParts = append(v.HealthParts, factorRow{Name: p.T("ui.deal.health." + part.Key), Reason: part.Reason.In(lang), Points: part.Points, Max: part.Max})
	}

	// Compelling events and the form to record one.
	evs, err := s.svc.DealEvents(ctx, actor, id)
	if err != nil {
		return err
	}
	eventName := map[string]string{}
	for _, e := range pb.Events {
		eventName[e.Code] = e.Name.In(lang)
	}
	for _, e := range evs {
		name := e.Title
		if name == "" {
			name = eventName[e.Code]
		}
		v.Events = append(v.Events, eventRow{Name: name, Impact: e.Impact, When: e.CreatedAt.UTC().Format("2006-01-02")})
	}
	ef := forms.event
	if ef == nil {
		ef = &eventForm{}
	}
	for _, e := range pb.Events {
		ef.Options = append(ef.Options, option{Value: e.Code, Label: e.Name.In(lang), Selected: e.Code == ef.Code})
	}
	ef.Options = append(ef.Options, option{Value: "custom", Label: p.T("ui.deal.event_custom"), Selected: ef.Code == "custom"})
	if ef.Errors == nil {
		ef.Errors = map[string]string{}
	}
	v.EventForm = *ef

	// The qualification questionnaire and budget: the stored answers, or
	// the user's input when saving failed.
	qf := forms.qual
	if qf == nil {
		q, err := s.svc.Qualification(ctx, actor, id)
		if err != nil {
			return err
		}
		qf = &qualForm{Version: q.Version, Basis: q.Budget.Basis, Approval: q.Budget.ApprovalProcess,
			Persuasion: q.Budget.PersuasionPlan, flex: q.Budget.Flexibility}
		for _, it := range pb.Questions {
			qf.Questions = append(qf.Questions, qaRow{Key: it.Key, Answer: q.Answers[it.Key]})
		}
		if q.Budget.Amount != nil {
			qf.Amount = yuanOf(*q.Budget.Amount)
		}
	}
	for i := range qf.Questions {
		if it := pb.Question(qf.Questions[i].Key); it != nil {
			qf.Questions[i].Question = it.Text.In(lang)
		}
	}
	qf.Flexibility = enumOptions(lang, "budget_flexibility", crm.BudgetFlexibilities, qf.flex)
	if qf.Errors == nil {
		qf.Errors = map[string]string{}
	}
	v.Qual = *qf

	// The purchase conditions with their evidence.
	cf := forms.conds
	if cf == nil {
		conds, err := s.svc.Conditions(ctx, actor, id)
		if err != nil {
			return err
		}
		cf = &condForm{}
		for _, c := range conds {
			cf.Rows = append(cf.Rows, conditionRow{Key: c.Key, Version: c.Version, Met: c.Met, Evidence: c.Evidence})
		}
	}
	for i := range cf.Rows {
		if it := pb.Condition(cf.Rows[i].Key); it != nil {
			cf.Rows[i].Name = it.Text.In(lang)
		}
	}
	if cf.Errors == nil {
		cf.Errors = map[string]string{}
	}
	v.Conds = *cf

	// Key persons.
	slots, err := s.svc.DealKeyPersons(ctx, actor, id)
	if err != nil {
		return err
	}
	names := map[int64]string{}
	if cs, err := s.svc.Contacts(ctx, actor, crm.ContactFilter{AccountID: &d.AccountID, ListParams: crm.ListParams{Limit: crm.MaxLimit}}); err == nil {
		for _, c := range cs.Items {
			names[c.ID] = c.Name
		}
	}
	for _, sl := range slots {
		row := keySlotRow{Role: sl.Name.In(lang), Filled: sl.Filled}
		for _, c := range sl.Contacts {
			row.Persons = append(row.Persons, keyPersonRow{Name: names[c.ContactID], Buying: enumLabel(lang, "buying_role", c.BuyingRole),
				Stance: enumLabel(lang, "stance", c.Stance), StanceKey: c.Stance, Step: enumLabel(lang, "engagement_step", c.EngagementStep)})
		}
		v.KeyPersons = append(v.KeyPersons, row)
	}

	// The deal desk: contacts, demos, competitors, quotes, approvals,
	// contracts, payments and the project.
	if v.Desk, err = s.buildDesk(ctx, p, sess, d, forms.desk); err != nil {
		return err
	}

	acts, err := s.svc.Activities(ctx, actor, crm.ActivityFilter{DealID: &id, ListParams: crm.ListParams{Limit: 50, Sort: "-created_at"}})
	if err != nil {
		return err
	}
	v.Activities = timelineOf(lang, acts.Items)

	hist, err := s.svc.DealHistory(ctx, actor, id)
	if err != nil {
		return err
	}
	for i := len(hist) - 1; i >= 0; i-- {
		e := hist[i]
		if e.Action != "stage" && e.Action != "override" {
			continue
		}
		var before, after struct {
			Stage string `json:"stage"`
		}
		_ = json.Unmarshal([]byte(e.Before), &before)
		_ = json.Unmarshal([]byte(e.After), &after)
		what := p.T("ui.deal.history.stage", s.stageName(before.Stage, lang), s.stageName(after.Stage, lang))
		if e.Action == "override" {
			what = p.T("ui.deal.history.override", s.stageName(before.Stage, lang), s.stageName(after.Stage, lang))
		}
		v.History = append(v.History, historyRow{When: e.CreatedAt.UTC().Format("2006-01-02 15:04"), What: what, Reason: e.Reason})
	}
	p.Data = v
	s.render(w, p, "deal")
	return nil
}

func (s *Server) dealEventAdd(w http.ResponseWriter, r *http.Request, sess *uiSession) error {
	id, err := uiPathID(r)
	if err != nil {
		return err
	}
	if _, err := s.svc.Deal(r.Context(), sess.actor, id); err != nil {
		return err
	}
	ef := &eventForm{Code: strings.TrimSpace(r.PostFormValue("code")), Title: strings.TrimSpace(r.PostFormValue("title")),
		Impact: strings.TrimSpace(r.PostFormValue("impact"))}
	in := crm.CompellingEventInput{Code: ef.Code, Title: ef.Title, Impact: ef.Impact}
	if c := r.PostFormValue("confirmed_by_contact_id"); c != "" {
		if n, err := strconv.ParseInt(c, 10, 64); err == nil {
			in.ConfirmedByContactID = &n
		}
	}
	_, err = s.svc.AddEvent(r.Context(), sess.actor, id, in)
	if err == nil {
		setFlash(w, r, "event_added")
		http.Redirect(w, r, fmt.Sprintf("/deals/%d#events", id), http.StatusSeeOther)
		return nil
	}
	fe, msg, ok := fieldErrors(uiLanguage(r, sess.user), err)
	if !ok {
		return err
	}
	ef.Errors, ef.Error = fe, msg
	return s.renderDeal(w, r, sess, id, dealForms{event: ef}, http.StatusUnprocessableEntity)
}

func (s *Server) dealQualificationSave(w http.ResponseWriter, r *http.Request, sess *uiSession) error {
	id, err := uiPathID(r)
	if err != nil {
		return err
	}
	if _, err := s.svc.Deal(r.Context(), sess.actor, id); err != nil {
		return err
	}
	lang := uiLanguage(r, sess.user)
	qf := &qualForm{Amount: strings.TrimSpace(r.PostFormValue("budget_amount")), flex: r.PostFormValue("budget_flexibility"),
		Basis: r.PostFormValue("budget_basis"), Approval: r.PostFormValue("budget_approval_process"),
		Persuasion: r.PostFormValue("budget_persuasion_plan"), Errors: map[string]string{}}
	qf.Version, _ = strconv.ParseInt(r.PostFormValue("version"), 10, 64)
	in := crm.QualificationInput{Version: qf.Version, Answers: map[string]string{},
		Budget: crm.Budget{Flexibility: qf.flex, Basis: qf.Basis, ApprovalProcess: qf.Approval, PersuasionPlan: qf.Persuasion}}
	for _, it := range s.svc.Playbook.Questions {
		a := r.PostFormValue("answer_" + it.Key)
		qf.Questions = append(qf.Questions, qaRow{Key: it.Key, Answer: a})
		in.Answers[it.Key] = a
	}
	if qf.Amount != "" {
		n, ok := parseYuan(qf.Amount)
		if !ok {
			qf.Errors["budget.amount"] = i18n.T(lang, "ui.form.yuan_invalid")
		} else {
			in.Budget.Amount = &n
		}
	}
	if len(qf.Errors) == 0 {
		_, err := s.svc.SaveQualification(r.Context(), sess.actor, id, in)
		if err == nil {
			setFlash(w, r, "qualification_saved")
			http.Redirect(w, r, fmt.Sprintf("/deals/%d#qualification", id), http.StatusSeeOther)
			return nil
		}
		status := http.StatusUnprocessableEntity
		if crm.ErrorCode(err) == crm.ECONFLICT {
			qf.Conflict = true
			status = http.StatusConflict
		} else if fe, msg, ok := fieldErrors(lang, err); ok {
			qf.Errors, qf.Error = fe, msg
		} else {
			return err
		}
		return s.renderDeal(w, r, sess, id, dealForms{qual: qf}, status)
	}
	return s.renderDeal(w, r, sess, id, dealForms{qual: qf}, http.StatusUnprocessableEntity)
}

func (s *Server) dealConditionsSave(w http.ResponseWriter, r *http.Request, sess *uiSession) error {
	ctx := r.Context()
	id, err := uiPathID(r)
	if err != nil {
		return err
	}
	stored, err := s.svc.Conditions(ctx, sess.actor, id)
	if err != nil {
		return err
	}
	cf := &condForm{}
	var in crm.ConditionsInput
	for _, c := range stored {
		row := conditionRow{Key: c.Key, Met: r.PostFormValue("met_"+c.Key) != "", Evidence: strings.TrimSpace(r.PostFormValue("evidence_" + c.Key))}
		row.Version, _ = strconv.ParseInt(r.PostFormValue("version_"+c.Key), 10, 64)
		cf.Rows = append(cf.Rows, row)
		// Only what the user changed is sent, so that an untouched
		// condition neither conflicts nor leaves an audit row.
		if row.Met != c.Met || row.Evidence != c.Evidence || row.Version != c.Version {
			in.Conditions = append(in.Conditions, crm.ConditionInput{Key: row.Key, Version: row.Version, Met: row.Met, Evidence: row.Evidence})
		}
	}
	if len(in.Conditions) == 0 {
		setFlash(w, r, "conditions_saved")
		http.Redirect(w, r, fmt.Sprintf("/deals/%d#conditions", id), http.StatusSeeOther)
		return nil
	}
	_, err = s.svc.SaveConditions(ctx, sess.actor, id, in)
	if err == nil {
		setFlash(w, r, "conditions_saved")
		http.Redirect(w, r, fmt.Sprintf("/deals/%d#conditions", id), http.StatusSeeOther)
		return nil
	}
	status := http.StatusUnprocessableEntity
	if crm.ErrorCode(err) == crm.ECONFLICT {
		cf.Conflict = true
		status = http.StatusConflict
	} else if fe, msg, ok := fieldErrors(uiLanguage(r, sess.user), err); ok {
		cf.Errors, cf.Error = map[string]string{}, msg
		for k, m := range fe {
			k = strings.TrimSuffix(strings.TrimPrefix(k, "conditions."), ".evidence")
			cf.Errors[k] = m
		}
	} else {
		return err
	}
	return s.renderDeal(w, r, sess, id, dealForms{conds: cf}, status)
}
