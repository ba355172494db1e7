package web

import (
	"net/http"

	"github.com/dealpath/dealpath/internal/crm"
)

func (s *Server) registerProducts() {
	s.api("GET", "/api/v1/products", s.listProducts)
	s.api("POST", "/api/v1/products", s.createProduct)
	s.api("GET", "/api/v1/products/{id}", s.getProduct)
	s.api("PATCH", "/api/v1/products/{id}", s.updateProduct)
}

func (s *Server) listProducts(w http.ResponseWriter, r *http.Request, actor crm.Actor) error {
	p, err := listParams(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	f := crm.ProductFilter{ListParams: p, Kind: q.Get("kind")}
	if f.Active, err = queryBool(q, "active"); err != nil {
		return err
	}
	page, err := s.svc.Products(r.Context(), actor, f)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, page)
	return nil
}

func (s *Server) createProduct(w http.ResponseWriter, r *http.Request, actor crm.Actor) error {
	var in crm.ProductInput
	if err := decode(w, r, &in); err != nil {
		return err
	}
	p, err := s.svc.CreateProduct(r.Context(), actor, in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, p)
	return nil
}

func (s *Server) getProduct(w http.ResponseWriter, r *http.Request, actor crm.Actor) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	p, err := s.svc.Product(r.Context(), actor, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, p)
	return nil
}

// updateProduct changes a product; deactivating one is a change of its
// active flag, as the price book keeps every product a quote refers to.
func (s *Server) updateProduct(w http.ResponseWriter, r *http.Request, actor crm.Actor) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var p crm.ProductPatch
	if err := decode(w, r, &p); err != nil {
		return err
	}
	out, err := s.svc.UpdateProduct(r.Context(), actor, id, p)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}
