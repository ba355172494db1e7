package web

import (
	"net/http"

	"github.com/dealpath/dealpath/internal/crm"
)

func (s *Server) registerPlaybook() {
	s.api("GET", "/api/v1/playbook", s.getPlaybook)
}

// getPlaybook answers the playbook in force with every text in both
// languages: clients (the UI, integrations) show stages, questions and
// conditions from it instead of keeping their own copies.
func (s *Server) getPlaybook(w http.ResponseWriter, r *http.Request, _ crm.Actor) error {
	writeJSON(w, http.StatusOK, s.svc.Playbook)
	return nil
}
