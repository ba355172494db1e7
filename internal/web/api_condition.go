package web

import (
	"net/http"
	"time"

	"github.com/dealpath/dealpath/internal/crm"
)

func (s *Server) registerConditions() {
	s.api("GET", "/api/v1/deals/{id}/conditions", s.getConditions)
	s.api("PUT", "/api/v1/deals/{id}/conditions", s.saveConditions)
}

// conditionView is a purchase condition as the reader sees it: the stored
// state plus the condition's text from the playbook in the reader's
// language. The domain returns data; the language is the web layer's.
type conditionView struct {
	Key       string     `json:"key"`
	Label     string     `json:"label"`
	Version   int64      `json:"version"`
	Met       bool       `json:"met"`
	Evidence  string     `json:"evidence"`
	UpdatedBy *int64     `json:"updated_by"`
	UpdatedAt *time.Time `json:"updated_at"`
}

// conditionList is the answer of both endpoints: every condition of the
// playbook, in its order, in the list envelope (one page, no cursor).
type conditionList struct {
	Items      []conditionView `json:"items"`
	NextCursor string          `json:"next_cursor"`
}

func (s *Server) conditionList(r *http.Request, cs []*crm.PurchaseCondition) conditionList {
	lang := language(r)
	out := conditionList{Items: make([]conditionView, 0, len(cs))}
	for _, c := range cs {
		v := conditionView{Key: c.Key, Version: c.Version, Met: c.Met, Evidence: c.Evidence, UpdatedBy: c.UpdatedBy, UpdatedAt: c.UpdatedAt}
		if it := s.svc.Playbook.Condition(c.Key); it != nil {
			v.Label = it.Text.In(lang)
		}
		out.Items = append(out.Items, v)
	}
	return out
}

func (s *Server) getConditions(w http.ResponseWriter, r *http.Request, actor crm.Actor) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	cs, err := s.svc.Conditions(r.Context(), actor, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, s.conditionList(r, cs))
	return nil
}

// saveConditions sets the conditions named in the body and answers the
// full list, as GET does.
func (s *Server) saveConditions(w http.ResponseWriter, r *http.Request, actor crm.Actor) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in crm.ConditionsInput
	if err := decode(w, r, &in); err != nil {
		return err
	}
	cs, err := s.svc.SaveConditions(r.Context(), actor, id, in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, s.conditionList(r, cs))
	return nil
}
