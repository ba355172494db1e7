package web

import (
	"net/http"

	"github.com/dealpath/dealpath/internal/crm"
)

func (s *Server) registerPayments() {
	s.api("GET", "/api/v1/contracts/{id}/payments", s.listPayments)
	s.api("POST", "/api/v1/contracts/{id}/payments", s.recordPayment)
}

func (s *Server) listPayments(w http.ResponseWriter, r *http.Request, actor crm.Actor) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	ps, err := s.svc.Payments(r.Context(), actor, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, listOf(ps))
	return nil
}

func (s *Server) recordPayment(w http.ResponseWriter, r *http.Request, actor crm.Actor) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in crm.PaymentInput
	if err := decode(w, r, &in); err != nil {
		return err
	}
	p, err := s.svc.RecordPayment(r.Context(), actor, id, in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, p)
	return nil
}
