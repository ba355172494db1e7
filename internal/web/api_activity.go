package web

import (
	"net/http"

	"github.com/dealpath/dealpath/internal/crm"
)

func (s *Server) registerActivities() {
	s.api("GET", "/api/v1/activities", s.listActivities)
	s.api("POST", "/api/v1/activities", s.createActivity)
	s.api("GET", "/api/v1/activities/{id}", s.getActivity)
	s.api("PATCH", "/api/v1/activities/{id}", s.updateActivity)
	s.api("DELETE", "/api/v1/activities/{id}", s.deleteActivity)
}

func (s *Server) listActivities(w http.ResponseWriter, r *http.Request, actor crm.Actor) error {
	p, err := listParams(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	f := crm.ActivityFilter{ListParams: p, Type: q.Get("type")}
	// A slice, not a map, so that the first bad filter reported is always
	// the same one.
	ids := []struct {
		name string
		dst  **int64
	}{{"owner_id", &f.OwnerID}, {"deal_id", &f.DealID}, {"account_id", &f.AccountID}, {"contact_id", &f.ContactID}}
	for _, id := range ids {
		if *id.dst, err = queryID(q, id.name); err != nil {
			return err
		}
	}
	if f.Open, err = queryBool(q, "open"); err != nil {
		return err
	}
	page, err := s.svc.Activities(r.Context(), actor, f)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, page)
	return nil
}

func (s *Server) createActivity(w http.ResponseWriter, r *http.Request, actor crm.Actor) error {
	var in crm.ActivityInput
	if err := decode(w, r, &in); err != nil {
		return err
	}
	a, err := s.svc.CreateActivity(r.Context(), actor, in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, a)
	return nil
}

func (s *Server) getActivity(w http.ResponseWriter, r *http.Request, actor crm.Actor) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	a, err := s.svc.Activity(r.Context(), actor, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, a)
	return nil
}

func (s *Server) updateActivity(w http.ResponseWriter, r *http.Request, actor crm.Actor) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var p crm.ActivityPatch
	if err := decode(w, r, &p); err != nil {
		return err
	}
	a, err := s.svc.UpdateActivity(r.Context(), actor, id, p)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, a)
	return nil
}

func (s *Server) deleteActivity(w http.ResponseWriter, r *http.Request, actor crm.Actor) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	v, err := versionParam(r)
	if err != nil {
		return err
	}
	if err := s.svc.DeleteActivity(r.Context(), actor, id, v); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
