package web

import (
	"net/http"
	"strings"

	"github.com/dealpath/dealpath/internal/crm"
)

// SessionCookie is the browser session's cookie name (the HTML UI).
const SessionCookie = "dealpath_session"

func (s *Server) registerAuth() {
	s.public("POST", "/api/v1/auth/login", s.login)
	s.api("POST", "/api/v1/auth/logout", s.logout)
	s.api("GET", "/api/v1/me", s.me)
}

// bearerToken returns the token of a request: the Authorization header for
// API clients, the session cookie for browsers.
func bearerToken(r *http.Request) string {
	if h := r.Header.Get("Authorization"); h != "" {
		scheme, token, ok := strings.Cut(h, " ")
		if ok && strings.EqualFold(scheme, "Bearer") {
			return strings.TrimSpace(token)
		}
		return ""
	}
	if c, err := r.Cookie(SessionCookie); err == nil {
		return c.Value
	}
	return ""
}

func (s *Server) authenticate(r *http.Request) (crm.Actor, error) {
	u, err := s.svc.Authenticate(r.Context(), bearerToken(r))
	if err != nil {
		return crm.Actor{}, err
	}
	return crm.ActorOf(u), nil
}

type loginRequest struct {
	Username string `json:"username"`
	Password string `json:"password"`
}

type loginResponse struct {
	Token string    `json:"token"`
	User  *crm.User `json:"user"`
}

func (s *Server) login(w http.ResponseWriter, r *http.Request) error {
	var in loginRequest
	if err := decode(w, r, &in); err != nil {
		return err
	}
	token, u, err := s.svc.Login(r.Context(), in.Username, in.Password, crm.SessionAPI)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, loginResponse{Token: token, User: u})
	return nil
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request, _ crm.Actor) error {
	if err := s.svc.Logout(r.Context(), bearerToken(r)); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) me(w http.ResponseWriter, r *http.Request, actor crm.Actor) error {
	u, err := s.svc.User(r.Context(), actor, actor.UserID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, u)
	return nil
}
