package web

import (
	"net/http"

	"github.com/dealpath/dealpath/internal/crm"
	"github.com/dealpath/dealpath/internal/playbook"
)

func (s *Server) registerGuidance() {
	s.api("GET", "/api/v1/deals/{id}/guidance", s.dealGuidance)
	s.api("GET", "/api/v1/deals/{id}/health", s.dealHealth)
	s.api("GET", "/api/v1/deals/{id}/key-persons", s.dealKeyPersons)
}

// guidanceView is playbook.Guidance in the reader's language.
type guidanceView struct {
	Stage         string          `json:"stage"`
	StageName     string          `json:"stage_name"`
	Guidance      string          `json:"guidance"`
	Checklist     []itemView      `json:"checklist"`
	NextStage     string          `json:"next_stage"`
	Unmet         []unmetView     `json:"unmet"`
	NextActions   []actionView    `json:"next_actions"`
	DaysInStage   int             `json:"days_in_stage"`
	MaxDays       int             `json:"max_days"`
	Stalled       bool            `json:"stalled"`
	KeyPersonGaps []string        `json:"key_person_gaps"`
	KeyPersons    []keyPersonView `json:"key_persons"`
}

type itemView struct {
	Key  string `json:"key"`
	Text string `json:"text"`
}

type actionView struct {
	Kind string `json:"kind"`
	Key  string `json:"key"`
	Text string `json:"text"`
}

type keyPersonView struct {
	Role     string                 `json:"role"`
	Name     string                 `json:"name"`
	Filled   bool                   `json:"filled"`
	Contacts []playbook.DealContact `json:"contacts"`
}

func unmetViews(unmet []playbook.Unmet, lang string) []unmetView {
	out := []unmetView{}
	for _, u := range unmet {
		out = append(out, unmetView{Stage: u.Stage, Key: u.Key, Kind: u.Kind, Label: u.Label.In(lang), Hint: u.Hint.In(lang), Missing: u.Missing})
	}
	return out
}

func keyPersonViews(slots []playbook.KeyPersonSlot, lang string) []keyPersonView {
	out := []keyPersonView{}
	for _, k := range slots {
		contacts := k.Contacts
		if contacts == nil {
			contacts = []playbook.DealContact{}
		}
		out = append(out, keyPersonView{Role: k.Role, Name: k.Name.In(lang), Filled: k.Filled, Contacts: contacts})
	}
	return out
}

func (s *Server) dealGuidance(w http.ResponseWriter, r *http.Request, actor crm.Actor) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	g, err := s.svc.DealGuidance(r.Context(), actor, id)
	if err != nil {
		return err
	}
	lang := language(r)
	v := guidanceView{Stage: g.Stage, StageName: g.Name.In(lang), Guidance: g.Guidance.In(lang), Checklist: []itemView{},
		NextStage: g.NextStage, Unmet: unmetViews(g.Unmet, lang), NextActions: []actionView{}, DaysInStage: g.DaysInStage,
		MaxDays: g.MaxDays, Stalled: g.Stalled, KeyPersonGaps: g.KeyPersonGaps, KeyPersons: keyPersonViews(g.KeyPersons, lang)}
	if v.KeyPersonGaps == nil {
		v.KeyPersonGaps = []string{}
	}
	for _, c := range g.Checklist {
		v.Checklist = append(v.Checklist, itemView{Key: c.Key, Text: c.Text.In(lang)})
	}
	for _, a := range g.NextActions {
		v.NextActions = append(v.NextActions, actionView{Kind: a.Kind, Key: a.Key, Text: a.Text.In(lang)})
	}
	writeJSON(w, http.StatusOK, v)
	return nil
}

// healthView is playbook.Health in the reader's language.
type healthView struct {
	Score int              `json:"score"`
	Parts []healthPartView `json:"parts"`
}

type healthPartView struct {
	Key    string `json:"key"`
	Points int    `json:"points"`
	Max    int    `json:"max"`
	Reason string `json:"reason"`
}

func (s *Server) dealHealth(w http.ResponseWriter, r *http.Request, actor crm.Actor) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	h, err := s.svc.DealHealth(r.Context(), actor, id)
	if err != nil {
		return err
	}
	lang := language(r)
	v := healthView{Score: h.Score, Parts: []healthPartView{}}
	for _, p := range h.Parts {
		v.Parts = append(v.Parts, healthPartView{Key: p.Key, Points: p.Points, Max: p.Max, Reason: p.Reason.In(lang)})
	}
	writeJSON(w, http.StatusOK, v)
	return nil
}

func (s *Server) dealKeyPersons(w http.ResponseWriter, r *http.Request, actor crm.Actor) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	slots, err := s.svc.DealKeyPersons(r.Context(), actor, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": keyPersonViews(slots, language(r)), "next_cursor": ""})
	return nil
}
