package web

import (
	"context"
	"net/http"

	"github.com/dealpath/dealpath/internal/crm"
)

func (s *Server) registerContracts() {
	s.api("GET", "/api/v1/contracts", s.listContracts)
	s.api("POST", "/api/v1/contracts", s.createContract)
	s.api("GET", "/api/v1/contracts/{id}", s.getContract)
	s.api("GET", "/api/v1/contracts/{id}/history", s.contractHistory)
	s.api("POST", "/api/v1/contracts/{id}/submit", s.contractAction(s.svc.SubmitContract))
	s.api("POST", "/api/v1/contracts/{id}/cancel", s.contractAction(s.svc.CancelContract))
	s.api("POST", "/api/v1/contracts/{id}/convert", s.convertContract)
	s.api("POST", "/api/v1/contracts/{id}/sign", s.signContract)
}

// itemList is the list envelope of the lists that come in one page: every
// item, no cursor.
type itemList[T any] struct {
	Items      []T    `json:"items"`
	NextCursor string `json:"next_cursor"`
}

func listOf[T any](items []T) itemList[T] {
	if items == nil {
		items = []T{}
	}
	return itemList[T]{Items: items}
}

func (s *Server) listContracts(w http.ResponseWriter, r *http.Request, actor crm.Actor) error {
	p, err := listParams(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	f := crm.ContractFilter{ListParams: p, State: q.Get("state")}
	if f.DealID, err = queryID(q, "deal_id"); err != nil {
		return err
	}
	if f.OwnerID, err = queryID(q, "owner_id"); err != nil {
		return err
	}
	page, err := s.svc.Contracts(r.Context(), actor, f)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, page)
	return nil
}

func (s *Server) createContract(w http.ResponseWriter, r *http.Request, actor crm.Actor) error {
	var in crm.ContractInput
	if err := decode(w, r, &in); err != nil {
		return err
	}
	c, err := s.svc.CreateContract(r.Context(), actor, in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, c)
	return nil
}

func (s *Server) getContract(w http.ResponseWriter, r *http.Request, actor crm.Actor) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	c, err := s.svc.Contract(r.Context(), actor, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, c)
	return nil
}

func (s *Server) contractHistory(w http.ResponseWriter, r *http.Request, actor crm.Actor) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	h, err := s.svc.ContractHistory(r.Context(), actor, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, listOf(h))
	return nil
}

// contractAction serves a move of a contract's state machine.
func (s *Server) contractAction(act func(ctx context.Context, actor crm.Actor, id int64, in crm.ContractAction) (*crm.Contract, error)) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request, actor crm.Actor) error {
		id, err := pathID(r, "id")
		if err != nil {
			return err
		}
		var in crm.ContractAction
		if err := decode(w, r, &in); err != nil {
			return err
		}
		c, err := act(r.Context(), actor, id, in)
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusOK, c)
		return nil
	}
}

// convertContract makes a sale contract from a signed trial: 201 with the
// new contract.
func (s *Server) convertContract(w http.ResponseWriter, r *http.Request, actor crm.Actor) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in crm.ContractAction
	if err := decode(w, r, &in); err != nil {
		return err
	}
	c, err := s.svc.ConvertTrial(r.Context(), actor, id, in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, c)
	return nil
}

func (s *Server) signContract(w http.ResponseWriter, r *http.Request, actor crm.Actor) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in crm.ContractSign
	if err := decode(w, r, &in); err != nil {
		return err
	}
	c, err := s.svc.SignContract(r.Context(), actor, id, in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, c)
	return nil
}
