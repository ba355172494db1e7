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
