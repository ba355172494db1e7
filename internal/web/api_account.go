package web

import (
	"net/http"

	"github.com/dealpath/dealpath/internal/crm"
)

func (s *Server) registerAccounts() {
	s.api("GET", "/api/v1/accounts", s.listAccounts)
	s.api("POST", "/api/v1/accounts", s.createAccount)
	s.api("GET", "/api/v1/accounts/{id}", s.getAccount)
	s.api("PATCH", "/api/v1/accounts/{id}", s.updateAccount)
	s.api("DELETE", "/api/v1/accounts/{id}", s.deleteAccount)
	s.api("GET", "/api/v1/accounts/{id}/fit", s.accountFit)
}

func (s *Server) listAccounts(w http.ResponseWriter, r *http.Request, actor crm.Actor) error {
	p, err := listParams(r)
	if err != nil {
		return err
	}
	f := crm.AccountFilter{ListParams: p}
	if f.OwnerID, err = queryID(r.URL.Query(), "owner_id"); err != nil {
		return err
	}
	f.Grades = queryList(r.URL.Query(), "grade")
	page, err := s.svc.Accounts(r.Context(), actor, f)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, page)
	return nil
}

func (s *Server) createAccount(w http.ResponseWriter, r *http.Request, actor crm.Actor) error {
	var in crm.AccountInput
	if err := decode(w, r, &in); err != nil {
		return err
	}
	a, err := s.svc.CreateAccount(r.Context(), actor, in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, a)
	return nil
}

func (s *Server) getAccount(w http.ResponseWriter, r *http.Request, actor crm.Actor) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	a, err := s.svc.Account(r.Context(), actor, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, a)
	return nil
}

func (s *Server) updateAccount(w http.ResponseWriter, r *http.Request, actor crm.Actor) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var p crm.AccountPatch
	if err := decode(w, r, &p); err != nil {
		return err
	}
	a, err := s.svc.UpdateAccount(r.Context(), actor, id, p)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, a)
	return nil
}

func (s *Server) deleteAccount(w http.ResponseWriter, r *http.Request, actor crm.Actor) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	v, err := versionParam(r)
	if err != nil {
		return err
	}
	if err := s.svc.DeleteAccount(r.Context(), actor, id, v); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// fitView is an account's fit in the reader's language.
type fitView struct {
	AccountID     int64              `json:"account_id"`
	Score         int                `json:"score"`
	Grade         string             `json:"grade"`
	Disqualified  bool               `json:"disqualified"`
	Factors       []factorView       `json:"factors"`
	Disqualifiers []disqualifierView `json:"disqualifiers"`
}

type factorView struct {
	Key    string `json:"key"`
	Name   string `json:"name"`
	Points int    `json:"points"`
	Max    int    `json:"max"`
	Reason string `json:"reason"`
}

type disqualifierView struct {
	Key    string `json:"key"`
	Reason string `json:"reason"`
}

func (s *Server) accountFit(w http.ResponseWriter, r *http.Request, actor crm.Actor) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	fit, err := s.svc.AccountFit(r.Context(), actor, id)
	if err != nil {
		return err
	}
	lang := language(r)
	v := fitView{AccountID: id, Score: fit.Score, Grade: fit.Grade, Disqualified: fit.Disqualified,
		Factors: []factorView{}, Disqualifiers: []disqualifierView{}}
	for _, f := range fit.Factors {
		v.Factors = append(v.Factors, factorView{Key: f.Key, Name: f.Name.In(lang), Points: f.Points, Max: f.Max, Reason: f.Reason.In(lang)})
	}
	for _, d := range fit.Disqualifiers {
		v.Disqualifiers = append(v.Disqualifiers, disqualifierView{Key: d.Key, Reason: d.Reason.In(lang)})
	}
	writeJSON(w, http.StatusOK, v)
	return nil
}
