package web

import (
	"net/http"

	"github.com/dealpath/dealpath/internal/crm"
)

func (s *Server) registerDeals() {
	s.api("GET", "/api/v1/deals", s.listDeals)
	s.api("POST", "/api/v1/deals", s.createDeal)
	s.api("GET", "/api/v1/deals/{id}", s.getDeal)
	s.api("PATCH", "/api/v1/deals/{id}", s.updateDeal)
	s.api("DELETE", "/api/v1/deals/{id}", s.deleteDeal)
	s.api("POST", "/api/v1/deals/{id}/stage", s.moveDealStage)
	s.api("GET", "/api/v1/deals/{id}/history", s.dealHistory)
	s.api("GET", "/api/v1/deals/{id}/contacts", s.listDealContacts)
	s.api("POST", "/api/v1/deals/{id}/contacts", s.addDealContact)
	s.api("PATCH", "/api/v1/deals/{id}/contacts/{contact_id}", s.updateDealContact)
	s.api("DELETE", "/api/v1/deals/{id}/contacts/{contact_id}", s.removeDealContact)
}

func (s *Server) listDeals(w http.ResponseWriter, r *http.Request, actor crm.Actor) error {
	p, err := listParams(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	f := crm.DealFilter{ListParams: p, Stage: q.Get("stage")}
	// A slice, not a map, so that the first bad filter reported is always
	// the same one.
	ids := []struct {
		name string
		dst  **int64
	}{{"owner_id", &f.OwnerID}, {"account_id", &f.AccountID}, {"team_id", &f.TeamID}}
	for _, id := range ids {
		if *id.dst, err = queryID(q, id.name); err != nil {
			return err
		}
	}
	page, err := s.svc.Deals(r.Context(), actor, f)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, page)
	return nil
}

func (s *Server) createDeal(w http.ResponseWriter, r *http.Request, actor crm.Actor) error {
	var in crm.DealInput
	if err := decode(w, r, &in); err != nil {
		return err
	}
	d, err := s.svc.CreateDeal(r.Context(), actor, in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, d)
	return nil
}

func (s *Server) getDeal(w http.ResponseWriter, r *http.Request, actor crm.Actor) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	d, err := s.svc.Deal(r.Context(), actor, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, d)
	return nil
}

func (s *Server) updateDeal(w http.ResponseWriter, r *http.Request, actor crm.Actor) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var p crm.DealPatch
	if err := decode(w, r, &p); err != nil {
		return err
	}
	d, err := s.svc.UpdateDeal(r.Context(), actor, id, p)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, d)
	return nil
}

func (s *Server) deleteDeal(w http.ResponseWriter, r *http.Request, actor crm.Actor) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	v, err := versionParam(r)
	if err != nil {
		return err
	}
	if err := s.svc.DeleteDeal(r.Context(), actor, id, v); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// moveDealStage answers the moved deal, so that the client has its new
// version without reading it again.
func (s *Server) moveDealStage(w http.ResponseWriter, r *http.Request, actor crm.Actor) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var m crm.StageMove
	if err := decode(w, r, &m); err != nil {
		return err
	}
	d, err := s.svc.MoveDealStage(r.Context(), actor, id, m)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, d)
	return nil
}

// dealHistory answers the deal's audit rows in the list envelope. A deal's
// history is short, so it comes as one page without a cursor.
func (s *Server) dealHistory(w http.ResponseWriter, r *http.Request, actor crm.Actor) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	entries, err := s.svc.DealHistory(r.Context(), actor, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, crm.Page[*crm.AuditEntry]{Items: entries})
	return nil
}

// listDealContacts answers the deal's contacts as one page: a deal has a
// handful of people, never enough to page through.
func (s *Server) listDealContacts(w http.ResponseWriter, r *http.Request, actor crm.Actor) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	dcs, err := s.svc.DealContacts(r.Context(), actor, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, crm.Page[*crm.DealContact]{Items: dcs})
	return nil
}

func (s *Server) addDealContact(w http.ResponseWriter, r *http.Request, actor crm.Actor) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in crm.DealContactInput
	if err := decode(w, r, &in); err != nil {
		return err
	}
	dc, err := s.svc.AddDealContact(r.Context(), actor, id, in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, dc)
	return nil
}

func (s *Server) updateDealContact(w http.ResponseWriter, r *http.Request, actor crm.Actor) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	contactID, err := pathID(r, "contact_id")
	if err != nil {
		return err
	}
	var p crm.DealContactPatch
	if err := decode(w, r, &p); err != nil {
		return err
	}
	dc, err := s.svc.UpdateDealContact(r.Context(), actor, id, contactID, p)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, dc)
	return nil
}

func (s *Server) removeDealContact(w http.ResponseWriter, r *http.Request, actor crm.Actor) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	contactID, err := pathID(r, "contact_id")
	if err != nil {
		return err
	}
	if err := s.svc.RemoveDealContact(r.Context(), actor, id, contactID); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
