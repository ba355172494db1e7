package web

import (
	"context"
	"net/http"

	"github.com/dealpath/dealpath/internal/crm"
)

func (s *Server) registerQuotes() {
	s.api("GET", "/api/v1/quotes", s.listQuotes)
	s.api("POST", "/api/v1/quotes", s.createQuote)
	s.api("GET", "/api/v1/quotes/{id}", s.getQuote)
	s.api("PATCH", "/api/v1/quotes/{id}", s.updateQuote)
	s.api("GET", "/api/v1/quotes/{id}/history", s.quoteHistory)
	for _, a := range []struct {
		name string
		do   quoteActionFunc
	}{
		{"submit", s.svc.SubmitQuote},
		{"send", s.svc.SendQuote},
		{"accept", s.svc.AcceptQuote},
		{"reject", s.svc.RejectQuote},
		{"expire", s.svc.ExpireQuote},
	} {
		s.api("POST", "/api/v1/quotes/{id}/"+a.name, s.quoteAction(a.do, http.StatusOK))
	}
	// A revision is a new quote, hence 201.
	s.api("POST", "/api/v1/quotes/{id}/revise", s.quoteAction(s.svc.ReviseQuote, http.StatusCreated))
	s.registerQuotePrint()
}

func (s *Server) listQuotes(w http.ResponseWriter, r *http.Request, actor crm.Actor) error {
	p, err := listParams(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	f := crm.QuoteFilter{ListParams: p, State: q.Get("state")}
	if f.DealID, err = queryID(q, "deal_id"); err != nil {
		return err
	}
	if f.OwnerID, err = queryID(q, "owner_id"); err != nil {
		return err
	}
	page, err := s.svc.Quotes(r.Context(), actor, f)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, page)
	return nil
}

func (s *Server) createQuote(w http.ResponseWriter, r *http.Request, actor crm.Actor) error {
	var in crm.QuoteInput
	if err := decode(w, r, &in); err != nil {
		return err
	}
	q, err := s.svc.CreateQuote(r.Context(), actor, in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, q)
	return nil
}

func (s *Server) getQuote(w http.ResponseWriter, r *http.Request, actor crm.Actor) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	q, err := s.svc.Quote(r.Context(), actor, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, q)
	return nil
}

func (s *Server) updateQuote(w http.ResponseWriter, r *http.Request, actor crm.Actor) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var p crm.QuotePatch
	if err := decode(w, r, &p); err != nil {
		return err
	}
	q, err := s.svc.UpdateQuote(r.Context(), actor, id, p)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, q)
	return nil
}

// quoteHistory answers the quote's audit rows in the list envelope, as a
// deal's history does.
func (s *Server) quoteHistory(w http.ResponseWriter, r *http.Request, actor crm.Actor) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	entries, err := s.svc.QuoteHistory(r.Context(), actor, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, crm.Page[*crm.AuditEntry]{Items: entries})
	return nil
}

// quoteActionFunc is a move of the quote state machine.
type quoteActionFunc func(ctx context.Context, actor crm.Actor, id int64, in crm.QuoteAction) (*crm.Quote, error)

// quoteAction makes the handler of one move: every move reads the same
// body ({"version", "comment"}) and answers the quote as it is after it.
func (s *Server) quoteAction(do quoteActionFunc, status int) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request, actor crm.Actor) error {
		id, err := pathID(r, "id")
		if err != nil {
			return err
		}
		var in crm.QuoteAction
		if err := decode(w, r, &in); err != nil {
			return err
		}
		q, err := do(r.Context(), actor, id, in)
		if err != nil {
			return err
		}
		writeJSON(w, status, q)
		return nil
	}
}
