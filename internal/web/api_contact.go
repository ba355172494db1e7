package web

import (
	"net/http"

	"github.com/dealpath/dealpath/internal/crm"
)

func (s *Server) registerContacts() {
	s.api("GET", "/api/v1/contacts", s.listContacts)
	s.api("POST", "/api/v1/contacts", s.createContact)
	s.api("GET", "/api/v1/contacts/{id}", s.getContact)
	s.api("PATCH", "/api/v1/contacts/{id}", s.updateContact)
	s.api("DELETE", "/api/v1/contacts/{id}", s.deleteContact)
}

func (s *Server) listContacts(w http.ResponseWriter, r *http.Request, actor crm.Actor) error {
	p, err := listParams(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	f := crm.ContactFilter{ListParams: p}
	if f.AccountID, err = queryID(q, "account_id"); err != nil {
		return err
	}
	if f.OwnerID, err = queryID(q, "owner_id"); err != nil {
		return err
	}
	page, err := s.svc.Contacts(r.Context(), actor, f)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, page)
	return nil
}

func (s *Server) createContact(w http.ResponseWriter, r *http.Request, actor crm.Actor) error {
	var in crm.ContactInput
	if err := decode(w, r, &in); err != nil {
		return err
	}
	c, err := s.svc.CreateContact(r.Context(), actor, in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, c)
	return nil
}

func (s *Server) getContact(w http.ResponseWriter, r *http.Request, actor crm.Actor) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	c, err := s.svc.Contact(r.Context(), actor, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, c)
	return nil
}

func (s *Server) updateContact(w http.ResponseWriter, r *http.Request, actor crm.Actor) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var p crm.ContactPatch
	if err := decode(w, r, &p); err != nil {
		return err
	}
	c, err := s.svc.UpdateContact(r.Context(), actor, id, p)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, c)
	return nil
}

func (s *Server) deleteContact(w http.ResponseWriter, r *http.Request, actor crm.Actor) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	v, err := versionParam(r)
	if err != nil {
		return err
	}
	if err := s.svc.DeleteContact(r.Context(), actor, id, v); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
