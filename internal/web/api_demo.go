package web

import (
	"net/http"

	"github.com/dealpath/dealpath/internal/crm"
)

func (s *Server) registerDemos() {
	s.api("GET", "/api/v1/deals/{id}/demos", s.listDealDemos)
	s.api("POST", "/api/v1/deals/{id}/demos", s.createDealDemo)
}

// listDealDemos answers a deal's demos as one page, oldest first.
func (s *Server) listDealDemos(w http.ResponseWriter, r *http.Request, actor crm.Actor) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	demos, err := s.svc.DealDemos(r.Context(), actor, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, crm.Page[*crm.Demo]{Items: demos})
	return nil
}

// createDealDemo answers the demo with its ROI computed by the server.
func (s *Server) createDealDemo(w http.ResponseWriter, r *http.Request, actor crm.Actor) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in crm.DemoInput
	if err := decode(w, r, &in); err != nil {
		return err
	}
	d, err := s.svc.CreateDemo(r.Context(), actor, id, in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, d)
	return nil
}
