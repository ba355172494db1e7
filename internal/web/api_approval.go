package web

import (
	"context"
	"net/http"

	"github.com/dealpath/dealpath/internal/crm"
)

func (s *Server) registerApprovals() {
	s.api("GET", "/api/v1/approvals", s.listApprovals)
	s.api("GET", "/api/v1/approvals/{id}", s.getApproval)
	s.api("POST", "/api/v1/approvals/{id}/approve", s.decideApproval(s.svc.ApproveApproval))
	s.api("POST", "/api/v1/approvals/{id}/reject", s.decideApproval(s.svc.RejectApproval))
}

// listApprovals answers the caller's inbox (every request for an admin).
func (s *Server) listApprovals(w http.ResponseWriter, r *http.Request, actor crm.Actor) error {
	p, err := listParams(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	f := crm.ApprovalFilter{ListParams: p, Status: q.Get("status"), Kind: q.Get("kind")}
	if f.DealID, err = queryID(q, "deal_id"); err != nil {
		return err
	}
	page, err := s.svc.Approvals(r.Context(), actor, f)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, page)
	return nil
}

func (s *Server) getApproval(w http.ResponseWriter, r *http.Request, actor crm.Actor) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	a, err := s.svc.Approval(r.Context(), actor, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, a)
	return nil
}

// decideApproval makes the handler of a decision; it answers the decided
// request, whose subject has moved in the same transaction.
func (s *Server) decideApproval(decide func(ctx context.Context, actor crm.Actor, id int64, in crm.ApprovalDecision) (*crm.Approval, error)) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request, actor crm.Actor) error {
		id, err := pathID(r, "id")
		if err != nil {
			return err
		}
		var in crm.ApprovalDecision
		if err := decode(w, r, &in); err != nil {
			return err
		}
		a, err := decide(r.Context(), actor, id, in)
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusOK, a)
		return nil
	}
}
