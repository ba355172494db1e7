package web

import (
	"net/http"

	"github.com/dealpath/dealpath/internal/crm"
)

func (s *Server) registerTeams() {
	s.api("GET", "/api/v1/teams", s.listTeams)
	s.api("POST", "/api/v1/teams", s.createTeam)
	s.api("GET", "/api/v1/teams/{id}", s.getTeam)
	s.api("PATCH", "/api/v1/teams/{id}", s.updateTeam)
	s.api("DELETE", "/api/v1/teams/{id}", s.deleteTeam)
}

type teamList struct {
	Items      []*crm.Team `json:"items"`
	NextCursor string      `json:"next_cursor"`
}

func (s *Server) listTeams(w http.ResponseWriter, r *http.Request, actor crm.Actor) error {
	teams, err := s.svc.Teams(r.Context(), actor)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, teamList{Items: teams})
	return nil
}

func (s *Server) createTeam(w http.ResponseWriter, r *http.Request, actor crm.Actor) error {
	var in crm.TeamInput
	if err := decode(w, r, &in); err != nil {
		return err
	}
	t, err := s.svc.CreateTeam(r.Context(), actor, in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, t)
	return nil
}

func (s *Server) getTeam(w http.ResponseWriter, r *http.Request, actor crm.Actor) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	t, err := s.svc.Team(r.Context(), actor, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, t)
	return nil
}

func (s *Server) updateTeam(w http.ResponseWriter, r *http.Request, actor crm.Actor) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var p crm.TeamPatch
	if err := decode(w, r, &p); err != nil {
		return err
	}
	t, err := s.svc.UpdateTeam(r.Context(), actor, id, p)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, t)
	return nil
}

func (s *Server) deleteTeam(w http.ResponseWriter, r *http.Request, actor crm.Actor) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := s.svc.DeleteTeam(r.Context(), actor, id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
