package web

import (
	"net/http"

	"github.com/dealpath/dealpath/internal/crm"
)

func (s *Server) registerUsers() {
	s.api("GET", "/api/v1/users", s.listUsers)
	s.api("POST", "/api/v1/users", s.createUser)
	s.api("GET", "/api/v1/users/{id}", s.getUser)
	s.api("PATCH", "/api/v1/users/{id}", s.updateUser)
}

// userList is the users answer: the whole directory, in the list envelope.
type userList struct {
	Items      []*crm.User `json:"items"`
	NextCursor string      `json:"next_cursor"`
}

func (s *Server) listUsers(w http.ResponseWriter, r *http.Request, actor crm.Actor) error {
	q := r.URL.Query()
	var f crm.UserFilter
	var err error
	if f.TeamID, err = queryID(q, "team_id"); err != nil {
		return err
	}
	inc, err := queryBool(q, "include_disabled")
	if err != nil {
		return err
	}
	f.IncludeDisabled = inc != nil && *inc
	users, err := s.svc.Users(r.Context(), actor, f)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, userList{Items: users})
	return nil
}

func (s *Server) createUser(w http.ResponseWriter, r *http.Request, actor crm.Actor) error {
	var in crm.UserInput
	if err := decode(w, r, &in); err != nil {
		return err
	}
	u, err := s.svc.CreateUser(r.Context(), actor, in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, u)
	return nil
}

func (s *Server) getUser(w http.ResponseWriter, r *http.Request, actor crm.Actor) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	u, err := s.svc.User(r.Context(), actor, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, u)
	return nil
}

func (s *Server) updateUser(w http.ResponseWriter, r *http.Request, actor crm.Actor) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var p crm.UserPatch
	if err := decode(w, r, &p); err != nil {
		return err
	}
	u, err := s.svc.UpdateUser(r.Context(), actor, id, p)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, u)
	return nil
}
