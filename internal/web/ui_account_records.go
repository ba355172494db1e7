package web

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/dealpath/dealpath/internal/crm"
	"github.com/dealpath/dealpath/internal/i18n"
)

// The forms of the account page: add and edit a contact, log an activity,
// open a deal. Each posts to its own URL; a validation failure shows the
// account page again with the messages next to the fields and the input as
// typed, success redirects back to the page (POST-redirect-GET).

func (s *Server) registerAccountRecordsUI() {
	s.ui("POST /accounts/{id}/contacts", s.accountContactCreate)
	s.ui("GET /accounts/{id}/contacts/{cid}/edit", s.accountContactEditPage)
	s.ui("POST /accounts/{id}/contacts/{cid}/edit", s.accountContactUpdate)
	s.ui("POST /accounts/{id}/activities", s.accountActivityCreate)
	s.ui("POST /accounts/{id}/deals", s.accountDealCreate)
}

// inlineForm is one of the account page's forms: the values as typed, the
// messages of each field, and whether it failed (so that it opens).
type inlineForm struct {
	ID, Version int64
	Values      map[string]string
	Errors      map[string]string
	Error       string
	Failed      bool
	Conflict    bool
	Options     map[string][]option
}

// accountForms are the account page's forms; nil fields are fresh forms.
type accountForms struct {
	Contact, Activity, Deal *inlineForm
}

func newInlineForm(values map[string]string) *inlineForm {
	if values == nil {
		values = map[string]string{}
	}
	return &inlineForm{Values: values, Errors: map[string]string{}, Options: map[string][]option{}}
}

// fill completes the forms with their options for the page's language.
func (fs *accountForms) fill(lang string) {
	if fs.Contact == nil {
		fs.Contact = newInlineForm(map[string]string{"functional_role": "other"})
	}
	if fs.Activity == nil {
		fs.Activity = newInlineForm(map[string]string{"type": "call"})
	}
	if fs.Deal == nil {
		fs.Deal = newInlineForm(nil)
	}
	fs.Contact.Options["functional_role"] = enumOptions(lang, "functional_role", crm.FunctionalRoles, fs.Contact.Values["functional_role"])
	var types []option
	for _, t := range crm.ActivityTypes {
		types = append(types, option{Value: t, Label: i18n.T(lang, "ui.activity_type."+t), Selected: t == fs.Activity.Values["type"]})
	}
	fs.Activity.Options["type"] = types
}

// failed fills a form with a domain error's messages; ok is false for
// errors that are not about the input.
func (f *inlineForm) failed(lang string, err error) bool {
	fe, msg, ok := fieldErrors(lang, err)
	if !ok {
		return false
	}
	for k, m := range fe {
		f.Errors[k] = m
	}
	f.Error, f.Failed = msg, true
	return true
}

func formValues(r *http.Request, keys ...string) map[string]string {
	v := map[string]string{}
	for _, k := range keys {
		v[k] = strings.TrimSpace(r.PostFormValue(k))
	}
	return v
}

var contactFormFields = []string{"name", "title", "functional_role", "phone", "email", "wechat", "notes"}

func (s *Server) accountContactCreate(w http.ResponseWriter, r *http.Request, sess *uiSession) error {
	id, err := uiPathID(r)
	if err != nil {
		return err
	}
	if _, err := s.svc.Account(r.Context(), sess.actor, id); err != nil {
		return err
	}
	f := newInlineForm(formValues(r, contactFormFields...))
	v := f.Values
	_, err = s.svc.CreateContact(r.Context(), sess.actor, crm.ContactInput{AccountID: id, Name: v["name"], Title: v["title"],
		FunctionalRole: v["functional_role"], Phone: v["phone"], Email: v["email"], WeChat: v["wechat"], Notes: v["notes"]})
	if err == nil {
		setFlash(w, r, "admin_contact_added")
		http.Redirect(w, r, fmt.Sprintf("/accounts/%d#contacts", id), http.StatusSeeOther)
		return nil
	}
	if !f.failed(uiLanguage(r, sess.user), err) {
		return err
	}
	return s.renderAccountPage(w, r, sess, &accountForms{Contact: f}, http.StatusUnprocessableEntity)
}

// contactOfAccount loads a contact through the account in the path, so
// that a contact of another account is a page that does not exist.
func (s *Server) contactOfAccount(r *http.Request, sess *uiSession) (*crm.Account, *crm.Contact, error) {
	id, err := uiPathID(r)
	if err != nil {
		return nil, nil, err
	}
	cid, err := strconv.ParseInt(r.PathValue("cid"), 10, 64)
	if err != nil || cid <= 0 {
		return nil, nil, crm.NotFound("page")
	}
	a, err := s.svc.Account(r.Context(), sess.actor, id)
	if err != nil {
		return nil, nil, err
	}
	c, err := s.svc.Contact(r.Context(), sess.actor, cid)
	if err != nil {
		return nil, nil, err
	}
	if c.AccountID != a.ID {
		return nil, nil, crm.NotFound("contact")
	}
	return a, c, nil
}

type contactFormView struct {
	AccountID   int64
	AccountName string
	F           *inlineForm
}

func (s *Server) renderContactForm(w http.ResponseWriter, r *http.Request, sess *uiSession, a *crm.Account, f *inlineForm, status int) {
	p := s.newPage(w, r, sess, "admin.contact.edit", "accounts")
	f.Options["functional_role"] = enumOptions(p.Lang, "functional_role", crm.FunctionalRoles, f.Values["functional_role"])
	p.Status = status
	p.Data = &contactFormView{AccountID: a.ID, AccountName: a.Name, F: f}
	s.render(w, p, "contact_form")
}

func (s *Server) accountContactEditPage(w http.ResponseWriter, r *http.Request, sess *uiSession) error {
	a, c, err := s.contactOfAccount(r, sess)
	if err != nil {
		return err
	}
	f := newInlineForm(map[string]string{"name": c.Name, "title": c.Title, "functional_role": c.FunctionalRole, "phone": c.Phone,
		"email": c.Email, "wechat": c.WeChat, "notes": c.Notes})
	f.ID, f.Version = c.ID, c.Version
	s.renderContactForm(w, r, sess, a, f, http.StatusOK)
	return nil
}

func (s *Server) accountContactUpdate(w http.ResponseWriter, r *http.Request, sess *uiSession) error {
	a, c, err := s.contactOfAccount(r, sess)
	if err != nil {
		return err
	}
	f := newInlineForm(formValues(r, contactFormFields...))
	f.ID = c.ID
	f.Version, _ = strconv.ParseInt(r.PostFormValue("version"), 10, 64)
	v := f.Values
	_, err = s.svc.UpdateContact(r.Context(), sess.actor, c.ID, crm.ContactPatch{Version: f.Version, Name: optOf(v["name"]), Title: optOf(v["title"]),
		FunctionalRole: optOf(v["functional_role"]), Phone: optOf(v["phone"]), Email: optOf(v["email"]), WeChat: optOf(v["wechat"]), Notes: optOf(v["notes"])})
	if err == nil {
		setFlash(w, r, "admin_contact_saved")
		http.Redirect(w, r, fmt.Sprintf("/accounts/%d#contacts", a.ID), http.StatusSeeOther)
		return nil
	}
	if crm.ErrorCode(err) == crm.ECONFLICT {
		f.Conflict = true
		s.renderContactForm(w, r, sess, a, f, http.StatusConflict)
		return nil
	}
	if !f.failed(uiLanguage(r, sess.user), err) {
		return err
	}
	s.renderContactForm(w, r, sess, a, f, http.StatusUnprocessableEntity)
	return nil
}

// activityDueHour is the hour of the day (UTC, as the timeline shows it)
// given to an activity logged with a due date only.
const activityDueHour = 9

func (s *Server) accountActivityCreate(w http.ResponseWriter, r *http.Request, sess *uiSession) error {
	id, err := uiPathID(r)
	if err != nil {
		return err
	}
	if _, err := s.svc.Account(r.Context(), sess.actor, id); err != nil {
		return err
	}
	lang := uiLanguage(r, sess.user)
	f := newInlineForm(formValues(r, "type", "subject", "due_on", "notes"))
	if r.PostFormValue("done") != "" {
		f.Values["done"] = "1"
	}
	v := f.Values
	in := crm.ActivityInput{Type: v["type"], Subject: v["subject"], AccountID: &id, Notes: v["notes"]}
	if v["due_on"] != "" {
		d, err := crm.ParseDate(v["due_on"])
		if err != nil {
			f.Errors["due_on"], f.Failed = i18n.T(lang, "field.date"), true
		} else {
			in.DueAt = optOf(time.Date(d.Year(), d.Month(), d.Day(), activityDueHour, 0, 0, 0, time.UTC))
		}
	}
	if v["done"] != "" {
		in.DoneAt = optOf(s.svc.Now())
	}
	if !f.Failed {
		_, err := s.svc.CreateActivity(r.Context(), sess.actor, in)
		if err == nil {
			setFlash(w, r, "admin_activity_logged")
			http.Redirect(w, r, fmt.Sprintf("/accounts/%d#timeline", id), http.StatusSeeOther)
			return nil
		}
		if !f.failed(lang, err) {
			return err
		}
		if m, ok := f.Errors["due_at"]; ok {
			f.Errors["due_on"] = m
		}
	}
	return s.renderAccountPage(w, r, sess, &accountForms{Activity: f}, http.StatusUnprocessableEntity)
}

func (s *Server) accountDealCreate(w http.ResponseWriter, r *http.Request, sess *uiSession) error {
	id, err := uiPathID(r)
	if err != nil {
		return err
	}
	if _, err := s.svc.Account(r.Context(), sess.actor, id); err != nil {
		return err
	}
	lang := uiLanguage(r, sess.user)
	f := newInlineForm(formValues(r, "title", "amount", "expected_close_date", "next_step"))
	v := f.Values
	in := crm.DealInput{AccountID: id, Title: v["title"], NextStep: v["next_step"]}
	if v["amount"] != "" {
		fen, ok := parseYuan(v["amount"])
		if !ok {
			f.Errors["amount"], f.Failed = i18n.T(lang, "ui.form.yuan_invalid"), true
		}
		in.Amount = fen
	}
	if v["expected_close_date"] != "" {
		d, err := crm.ParseDate(v["expected_close_date"])
		if err != nil {
			f.Errors["expected_close_date"], f.Failed = i18n.T(lang, "field.date"), true
		} else {
			in.ExpectedCloseDate = &d
		}
	}
	if !f.Failed {
		d, err := s.svc.CreateDeal(r.Context(), sess.actor, in)
		if err == nil {
			setFlash(w, r, "admin_deal_created")
			http.Redirect(w, r, fmt.Sprintf("/deals/%d", d.ID), http.StatusSeeOther)
			return nil
		}
		if !f.failed(lang, err) {
			return err
		}
	}
	return s.renderAccountPage(w, r, sess, &accountForms{Deal: f}, http.StatusUnprocessableEntity)
}
