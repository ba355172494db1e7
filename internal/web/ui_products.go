package web

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/dealpath/dealpath/internal/crm"
	"github.com/dealpath/dealpath/internal/i18n"
)

// The price book: everyone reads it (a rep quotes from it); admins add and
// change products. A product is deactivated, never deleted, because old
// quotes name it.

func (s *Server) registerProductsUI() {
	s.ui("GET /products", s.productsPage)
	s.ui("GET /products/new", s.adminOnly(s.productNewPage))
	s.ui("POST /products", s.adminOnly(s.productCreate))
	s.ui("GET /products/{id}/edit", s.adminOnly(s.productEditPage))
	s.ui("POST /products/{id}/edit", s.adminOnly(s.productUpdate))
	s.ui("POST /products/{id}/active", s.adminOnly(s.productSetActive))
}

type productsView struct {
	Q, Active string
	Actives   []option
	Rows      []productRow
	Total     int
	Admin     bool
	Next      string
	First     bool
	Base      string
}

type productRow struct {
	ID, Version     int64
	Code, Name, Alt string
	Kind, Unit      string
	Price           int64
	Active          bool
}

func (s *Server) productsPage(w http.ResponseWriter, r *http.Request, sess *uiSession) error {
	p := s.newPage(w, r, sess, "admin.products.title", "products")
	q := r.URL.Query()
	v := &productsView{Q: strings.TrimSpace(q.Get("q")), Active: q.Get("active"), Admin: sess.actor.IsAdmin(), First: q.Get("cursor") == ""}
	if !slices.Contains([]string{"", "1", "0"}, v.Active) {
		v.Active = ""
	}
	if _, set := q["active"]; !set {
		v.Active = "1" // what a rep quotes from: the products still sold
	}
	for _, o := range []struct{ val, key string }{{"1", "admin.products.active_only"}, {"0", "admin.products.inactive_only"}, {"", "admin.products.all"}} {
		v.Actives = append(v.Actives, option{Value: o.val, Label: p.T(o.key), Selected: o.val == v.Active})
	}
	f := crm.ProductFilter{ListParams: crm.ListParams{Limit: 25, Cursor: q.Get("cursor"), Sort: "code", Q: v.Q, WithTotal: true}}
	if v.Active != "" {
		active := v.Active == "1"
		f.Active = &active
	}
	res, err := s.svc.Products(r.Context(), sess.actor, f)
	if crm.ErrorCode(err) == crm.EINVALID && f.Cursor != "" {
		f.Cursor, v.First = "", true
		res, err = s.svc.Products(r.Context(), sess.actor, f)
	}
	if err != nil {
		return err
	}
	for _, pr := range res.Items {
		row := productRow{ID: pr.ID, Version: pr.Version, Code: pr.Code, Name: pr.Name.In(p.Lang), Kind: p.T("admin.product_kind." + pr.Kind),
			Unit: enumLabel(p.Lang, "unit", pr.Unit), Price: pr.ListPrice, Active: pr.Active}
		// The other language's name helps when a quote goes out in it.
		row.Alt = pr.Name.EN
		if p.Lang == i18n.EN {
			row.Alt = pr.Name.ZH
		}
		v.Rows = append(v.Rows, row)
	}
	if res.Total != nil {
		v.Total = *res.Total
	}
	base := url.Values{}
	if v.Q != "" {
		base.Set("q", v.Q)
	}
	base.Set("active", v.Active)
	v.Base = "/products?" + base.Encode()
	if res.NextCursor != "" {
		base.Set("cursor", res.NextCursor)
		v.Next = "/products?" + base.Encode()
	}
	p.Data = v
	s.render(w, p, "products")
	return nil
}

// productForm is the create and edit form of a product.
type productForm struct {
	ID, Version int64
	Values      map[string]string
	Kinds       []option
	Units       []option
	Errors      map[string]string
	Error       string
	Conflict    bool
}

var productFields = []string{"code", "name_zh", "name_en", "kind", "unit", "list_price"}

func productFormOf(r *http.Request) *productForm {
	f := &productForm{Values: map[string]string{}}
	for _, k := range productFields {
		f.Values[k] = strings.TrimSpace(r.PostFormValue(k))
	}
	if r.PostFormValue("active") != "" {
		f.Values["active"] = "1"
	}
	return f
}

func (s *Server) renderProductForm(w http.ResponseWriter, r *http.Request, sess *uiSession, f *productForm, status int) {
	title := "admin.products.new"
	if f.ID != 0 {
		title = "admin.products.edit"
	}
	p := s.newPage(w, r, sess, title, "products")
	f.Kinds = nil
	for _, k := range crm.ProductKinds {
		f.Kinds = append(f.Kinds, option{Value: k, Label: p.T("admin.product_kind." + k), Selected: k == f.Values["kind"]})
	}
	f.Units = enumOptions(p.Lang, "unit", crm.ProductUnits, f.Values["unit"])
	if f.Errors == nil {
		f.Errors = map[string]string{}
	}
	p.Status = status
	p.Data = f
	s.render(w, p, "product_form")
}

// productErrors maps the domain's field names to the form's.
func productErrors(fe map[string]string) map[string]string {
	for from, to := range map[string]string{"name.zh-CN": "name_zh", "name.en": "name_en"} {
		if m, ok := fe[from]; ok {
			fe[to] = m
			delete(fe, from)
		}
	}
	return fe
}

func (s *Server) productNewPage(w http.ResponseWriter, r *http.Request, sess *uiSession) error {
	s.renderProductForm(w, r, sess, &productForm{Values: map[string]string{"active": "1"}}, http.StatusOK)
	return nil
}

func (s *Server) productCreate(w http.ResponseWriter, r *http.Request, sess *uiSession) error {
	f := productFormOf(r)
	lang := uiLanguage(r, sess.user)
	v := f.Values
	errs := map[string]string{}
	price, ok := parseYuan(v["list_price"])
	if !ok {
		errs["list_price"] = i18n.T(lang, "ui.form.yuan_invalid")
	}
	if len(errs) == 0 {
		active := v["active"] != ""
		_, err := s.svc.CreateProduct(r.Context(), sess.actor, crm.ProductInput{Code: v["code"], Name: crm.LocalName{ZH: v["name_zh"], EN: v["name_en"]},
			Kind: v["kind"], Unit: v["unit"], ListPrice: price, Active: &active})
		if err == nil {
			setFlash(w, r, "admin_product_created")
			http.Redirect(w, r, "/products?q="+url.QueryEscape(strings.ToUpper(v["code"]))+"&active=", http.StatusSeeOther)
			return nil
		}
		fe, msg, ok := fieldErrors(lang, err)
		if !ok {
			return err
		}
		errs, f.Error = productErrors(fe), msg
	}
	f.Errors = errs
	s.renderProductForm(w, r, sess, f, http.StatusUnprocessableEntity)
	return nil
}

func (s *Server) productEditPage(w http.ResponseWriter, r *http.Request, sess *uiSession) error {
	id, err := uiPathID(r)
	if err != nil {
		return err
	}
	pr, err := s.svc.Product(r.Context(), sess.actor, id)
	if err != nil {
		return err
	}
	f := &productForm{ID: pr.ID, Version: pr.Version, Values: map[string]string{"code": pr.Code, "name_zh": pr.Name.ZH, "name_en": pr.Name.EN,
		"kind": pr.Kind, "unit": pr.Unit, "list_price": yuanOf(pr.ListPrice)}}
	if pr.Active {
		f.Values["active"] = "1"
	}
	s.renderProductForm(w, r, sess, f, http.StatusOK)
	return nil
}

func (s *Server) productUpdate(w http.ResponseWriter, r *http.Request, sess *uiSession) error {
	id, err := uiPathID(r)
	if err != nil {
		return err
	}
	if _, err := s.svc.Product(r.Context(), sess.actor, id); err != nil {
		return err
	}
	f := productFormOf(r)
	f.ID = id
	f.Version, _ = strconv.ParseInt(r.PostFormValue("version"), 10, 64)
	lang := uiLanguage(r, sess.user)
	v := f.Values
	errs := map[string]string{}
	price, ok := parseYuan(v["list_price"])
	if !ok {
		errs["list_price"] = i18n.T(lang, "ui.form.yuan_invalid")
	}
	if len(errs) == 0 {
		name := crm.LocalName{ZH: v["name_zh"], EN: v["name_en"]}
		_, err := s.svc.UpdateProduct(r.Context(), sess.actor, id, crm.ProductPatch{Version: f.Version, Code: optOf(v["code"]), Name: &name,
			Kind: optOf(v["kind"]), Unit: optOf(v["unit"]), ListPrice: optOf(price), Active: optOf(v["active"] != "")})
		if err == nil {
			setFlash(w, r, "admin_product_saved")
			http.Redirect(w, r, "/products?q="+url.QueryEscape(strings.ToUpper(v["code"]))+"&active=", http.StatusSeeOther)
			return nil
		}
		if crm.ErrorCode(err) == crm.ECONFLICT {
			f.Conflict = true
			s.renderProductForm(w, r, sess, f, http.StatusConflict)
			return nil
		}
		fe, msg, ok := fieldErrors(lang, err)
		if !ok {
			return err
		}
		errs, f.Error = productErrors(fe), msg
	}
	f.Errors = errs
	s.renderProductForm(w, r, sess, f, http.StatusUnprocessableEntity)
	return nil
}

// productSetActive deactivates (or reactivates) a product from the list.
// A stale version says so in a flash: the list shows the current state.
func (s *Server) productSetActive(w http.ResponseWriter, r *http.Request, sess *uiSession) error {
	id, err := uiPathID(r)
	if err != nil {
		return err
	}
	version, _ := strconv.ParseInt(r.PostFormValue("version"), 10, 64)
	active := r.PostFormValue("active") == "1"
	_, err = s.svc.UpdateProduct(r.Context(), sess.actor, id, crm.ProductPatch{Version: version, Active: optOf(active)})
	switch {
	case err == nil && active:
		setFlash(w, r, "admin_product_activated")
	case err == nil:
		setFlash(w, r, "admin_product_deactivated")
	case crm.ErrorCode(err) == crm.ECONFLICT:
		setFlash(w, r, "admin_stale")
	default:
		return err
	}
	http.Redirect(w, r, safeNext(r.PostFormValue("next")), http.StatusSeeOther)
	return nil
}
