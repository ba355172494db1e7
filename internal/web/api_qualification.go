package web

import (
	"net/http"

	"github.com/dealpath/dealpath/internal/crm"
)

func (s *Server) registerQualification() {
	s.api("GET", "/api/v1/deals/{id}/qualification", s.getQualification)
	s.api("PUT", "/api/v1/deals/{id}/qualification", s.saveQualification)
}

func (s *Server) getQualification(w http.ResponseWriter, r *http.Request, actor crm.Actor) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	q, err := s.svc.Qualification(r.Context(), actor, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, q)
	return nil
}

// saveQualification replaces the questionnaire as a whole (PUT): answers
// left out are no longer answered.
func (s *Server) saveQualification(w http.ResponseWriter, r *http.Request, actor crm.Actor) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	// A pointer, so that a body of null, which would decode to nothing,
	// is refused rather than taken for "save an empty questionnaire".
	var in *crm.QualificationInput
	if err := decode(w, r, &in); err != nil {
		return err
	}
	if in == nil {
		return invalid("version", "field.required")
	}
	q, err := s.svc.SaveQualification(r.Context(), actor, id, *in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, q)
	return nil
}
