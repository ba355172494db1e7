package web

import (
	"net/http"

	"github.com/dealpath/dealpath/internal/crm"
)

func (s *Server) registerEvents() {
	s.api("GET", "/api/v1/deals/{id}/events", s.listDealEvents)
	s.api("POST", "/api/v1/deals/{id}/events", s.addDealEvent)
	s.api("DELETE", "/api/v1/deals/{id}/events/{event_id}", s.deleteDealEvent)
}

// listDealEvents answers a deal's compelling events as one page: a deal has
// a handful, never enough to page through.
func (s *Server) listDealEvents(w http.ResponseWriter, r *http.Request, actor crm.Actor) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	events, err := s.svc.DealEvents(r.Context(), actor, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, crm.Page[*crm.CompellingEvent]{Items: events})
	return nil
}

func (s *Server) addDealEvent(w http.ResponseWriter, r *http.Request, actor crm.Actor) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in crm.CompellingEventInput
	if err := decode(w, r, &in); err != nil {
		return err
	}
	e, err := s.svc.AddEvent(r.Context(), actor, id, in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, e)
	return nil
}

// deleteDealEvent needs no version: an event is never changed, only
// recorded and removed.
func (s *Server) deleteDealEvent(w http.ResponseWriter, r *http.Request, actor crm.Actor) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	eventID, err := pathID(r, "event_id")
	if err != nil {
		return err
	}
	if err := s.svc.DeleteEvent(r.Context(), actor, id, eventID); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
