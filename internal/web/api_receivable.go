package web

import (
	"net/http"

	"github.com/dealpath/dealpath/internal/crm"
)

func (s *Server) registerReceivables() {
	s.api("GET", "/api/v1/receivables", s.listReceivables)
}

// listReceivables answers one page of the open milestones of signed
// contracts the actor may see; overdue=true keeps those due before today.
func (s *Server) listReceivables(w http.ResponseWriter, r *http.Request, actor crm.Actor) error {
	p, err := listParams(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	f := crm.ReceivableFilter{ListParams: p}
	if f.AccountID, err = queryID(q, "account_id"); err != nil {
		return err
	}
	overdue, err := queryBool(q, "overdue")
	if err != nil {
		return err
	}
	f.Overdue = overdue != nil && *overdue
	page, err := s.svc.Receivables(r.Context(), actor, f)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, page)
	return nil
}
