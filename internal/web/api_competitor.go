package web

import (
	"net/http"

	"github.com/dealpath/dealpath/internal/crm"
)

func (s *Server) registerCompetitors() {
	s.api("GET", "/api/v1/deals/{id}/competitors", s.listDealCompetitors)
	s.api("POST", "/api/v1/deals/{id}/competitors", s.createDealCompetitor)
	s.api("PATCH", "/api/v1/deals/{id}/competitors/{competitor_id}", s.updateDealCompetitor)
	s.api("DELETE", "/api/v1/deals/{id}/competitors/{competitor_id}", s.deleteDealCompetitor)
}

// listDealCompetitors answers a deal's competitors as one page.
func (s *Server) listDealCompetitors(w http.ResponseWriter, r *http.Request, actor crm.Actor) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	cs, err := s.svc.DealCompetitors(r.Context(), actor, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, crm.Page[*crm.Competitor]{Items: cs})
	return nil
}

func (s *Server) createDealCompetitor(w http.ResponseWriter, r *http.Request, actor crm.Actor) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in crm.CompetitorInput
	if err := decode(w, r, &in); err != nil {
		return err
	}
	c, err := s.svc.CreateCompetitor(r.Context(), actor, id, in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, c)
	return nil
}

func (s *Server) updateDealCompetitor(w http.ResponseWriter, r *http.Request, actor crm.Actor) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	competitorID, err := pathID(r, "competitor_id")
	if err != nil {
		return err
	}
	var p crm.CompetitorPatch
	if err := decode(w, r, &p); err != nil {
		return err
	}
	c, err := s.svc.UpdateCompetitor(r.Context(), actor, id, competitorID, p)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, c)
	return nil
}

func (s *Server) deleteDealCompetitor(w http.ResponseWriter, r *http.Request, actor crm.Actor) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	competitorID, err := pathID(r, "competitor_id")
	if err != nil {
		return err
	}
	v, err := versionParam(r)
	if err != nil {
		return err
	}
	if err := s.svc.DeleteCompetitor(r.Context(), actor, id, competitorID, v); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
