package web

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/dealpath/dealpath/internal/crm"
	"github.com/dealpath/dealpath/internal/i18n"
)

// The quote builder: a draft quote's lines picked from the price book,
// with quantity and discount per line, the payment term, validity and
// notes. It works without script: searching the price book, adding and
// removing a line each post the whole form and render it again as typed;
// static/deal.js adds the live line amounts and totals, computed with the
// server's rounding rule (crm.PriceLine). Saving creates or updates the
// draft; "save and submit" submits it for approval straight after.

func (s *Server) registerQuoteBuilder() {
	s.ui("GET /deals/{id}/quotes/new", s.quoteBuilderPage)
	s.ui("POST /deals/{id}/quotes/new", s.quoteBuilderPost)
	s.ui("GET /deals/{id}/quotes/{qid}/edit", s.quoteBuilderPage)
	s.ui("POST /deals/{id}/quotes/{qid}/edit", s.quoteBuilderPost)
}

// deskQuoteBuilder is what deal_quote.html reads.
type deskQuoteBuilder struct {
	Deal                            *crm.Deal
	Account                         string
	QuoteID, Version                int64
	Number                          string
	Revision                        int
	Lines                           []deskBuilderLine
	ValidUntil, PaymentDays, Notes  string
	Q                               string
	Results                         []deskProductRow
	ListTotal, DiscountTotal, Total int64
	LimitBP                         int
	Limit                           string
	OverLimit                       bool
	Errors                          map[string]string
	Error                           string
	Conflict                        bool
	Action                          string
}

// deskBuilderLine is a line as typed, with the product's copy for display.
type deskBuilderLine struct {
	ProductID          int64
	Code, Name, Unit   string
	UnitPrice          int64
	Quantity, Discount string
	Total              int64
	Priced             bool
}

type deskProductRow struct {
	ID                     int64
	Code, Name, Unit, Kind string
	Price                  int64
}

// E is the message of a field of the builder.
func (b *deskQuoteBuilder) E(name string) string { return b.Errors[name] }

// LineE is the message of a line's field.
func (b *deskQuoteBuilder) LineE(i int, name string) string {
	return b.Errors[fmt.Sprintf("lines.%d.%s", i, name)]
}

func (s *Server) quoteBuilderPage(w http.ResponseWriter, r *http.Request, sess *uiSession) error {
	d, err := s.deskDealOf(r, sess)
	if err != nil {
		return err
	}
	lang := uiLanguage(r, sess.user)
	b := &deskQuoteBuilder{Deal: d, Errors: map[string]string{}, PaymentDays: "0"}
	if r.PathValue("qid") != "" {
		qid, err := deskSubID(r, "qid")
		if err != nil {
			return err
		}
		q, err := s.svc.Quote(r.Context(), sess.actor, qid)
		if err != nil {
			return err
		}
		if q.DealID != d.ID {
			return crm.NotFound("quote")
		}
		if q.State != crm.QuoteDraft || q.SupersededBy != nil {
			http.Redirect(w, r, fmt.Sprintf("/deals/%d#quotes", d.ID), http.StatusSeeOther)
			return nil
		}
		b.QuoteID, b.Version, b.Number, b.Revision = q.ID, q.Version, q.Number, q.Revision
		b.ValidUntil, b.PaymentDays, b.Notes = q.ValidUntil.String(), strconv.Itoa(q.PaymentDays), q.Notes
		for _, l := range q.Lines {
			b.Lines = append(b.Lines, deskBuilderLine{ProductID: l.ProductID, Code: l.ProductCode, Name: l.ProductName.In(lang),
				Unit: enumLabel(lang, "unit", l.Unit), UnitPrice: l.UnitPrice, Quantity: strconv.FormatInt(l.Quantity, 10),
				Discount: strings.TrimSuffix(crm.FormatBP(int64(l.DiscountBP)), "%")})
		}
	} else {
		b.ValidUntil = crm.DateOf(s.svc.Now().AddDate(0, 0, crm.DefaultValidDays)).String()
	}
	return s.renderBuilder(w, r, sess, b, http.StatusOK)
}

// renderBuilder prices the lines as typed, searches the price book and
// renders the builder.
func (s *Server) renderBuilder(w http.ResponseWriter, r *http.Request, sess *uiSession, b *deskQuoteBuilder, status int) error {
	ctx := r.Context()
	p := s.newPage(w, r, sess, "desk.quote.builder", "")
	lang := p.Lang
	if a, err := s.svc.Account(ctx, sess.actor, b.Deal.AccountID); err == nil {
		b.Account = a.Name
	}
	if owner, err := s.svc.User(ctx, sess.actor, b.Deal.OwnerID); err == nil {
		b.LimitBP = owner.MaxDiscountBP
	}
	b.Limit = crm.FormatBP(int64(b.LimitBP))
	b.ListTotal, b.DiscountTotal, b.Total = 0, 0, 0
	for i := range b.Lines {
		l := &b.Lines[i]
		qty, err1 := strconv.ParseInt(strings.TrimSpace(l.Quantity), 10, 64)
		bp, ok := parseYuan(strings.TrimSuffix(strings.TrimSpace(l.Discount), "%"))
		if strings.TrimSpace(l.Discount) == "" {
			bp, ok = 0, true
		}
		if err1 != nil || !ok || qty < 1 || qty > crm.MaxQuantity || bp > crm.MaxBP {
			continue
		}
		list, disc, total, ok := crm.PriceLine(qty, l.UnitPrice, int(bp))
		if !ok {
			continue
		}
		l.Total, l.Priced = total, true
		b.ListTotal += list
		b.DiscountTotal += disc
		b.Total += total
		if int(bp) > b.LimitBP {
			b.OverLimit = true
		}
	}
	active := true
	res, err := s.svc.Products(ctx, sess.actor, crm.ProductFilter{Active: &active, ListParams: crm.ListParams{Q: b.Q, Limit: 20, Sort: "code"}})
	if err != nil {
		if _, _, ok := fieldErrors(lang, err); !ok {
			return err
		}
		b.Errors["q"] = i18n.T(lang, "field.too_long", crm.MaxShort)
	} else {
		for _, pr := range res.Items {
			b.Results = append(b.Results, deskProductRow{ID: pr.ID, Code: pr.Code, Name: pr.Name.In(lang), Unit: enumLabel(lang, "unit", pr.Unit),
				Kind: pr.Kind, Price: pr.ListPrice})
		}
	}
	if b.QuoteID != 0 {
		b.Action = fmt.Sprintf("/deals/%d/quotes/%d/edit", b.Deal.ID, b.QuoteID)
	} else {
		b.Action = fmt.Sprintf("/deals/%d/quotes/new", b.Deal.ID)
	}
	p.Title = p.T("desk.quote.builder") + " · " + b.Deal.Title
	p.Status = status
	p.Data = b
	s.render(w, p, "deal_quote")
	return nil
}

func (s *Server) quoteBuilderPost(w http.ResponseWriter, r *http.Request, sess *uiSession) error {
	d, err := s.deskDealOf(r, sess)
	if err != nil {
		return err
	}
	ctx, actor := r.Context(), sess.actor
	lang := uiLanguage(r, sess.user)
	b := &deskQuoteBuilder{Deal: d, Errors: map[string]string{}, ValidUntil: strings.TrimSpace(r.PostFormValue("valid_until")),
		PaymentDays: strings.TrimSpace(r.PostFormValue("payment_days")), Notes: r.PostFormValue("notes"), Q: strings.TrimSpace(r.PostFormValue("q"))}
	if r.PathValue("qid") != "" {
		if b.QuoteID, err = deskSubID(r, "qid"); err != nil {
			return err
		}
		q, err := s.svc.Quote(ctx, actor, b.QuoteID)
		if err != nil {
			return err
		}
		if q.DealID != d.ID {
			return crm.NotFound("quote")
		}
		b.Number, b.Revision = q.Number, q.Revision
		b.Version, _ = strconv.ParseInt(r.PostFormValue("version"), 10, 64)
	}
	// The lines as typed: parallel lists of product, quantity, discount.
	ids, qtys, discs := r.PostForm["line_product"], r.PostForm["line_quantity"], r.PostForm["line_discount"]
	if len(ids) > crm.MaxQuoteLines+1 {
		ids = ids[:crm.MaxQuoteLines+1]
	}
	products := map[int64]*crm.Product{}
	product := func(id int64) *crm.Product {
		if p, ok := products[id]; ok {
			return p
		}
		p, err := s.svc.Product(ctx, actor, id)
		if err != nil {
			p = nil
		}
		products[id] = p
		return p
	}
	for i, raw := range ids {
		id, err := strconv.ParseInt(raw, 10, 64)
		if err != nil || id <= 0 {
			continue
		}
		l := deskBuilderLine{ProductID: id}
		if i < len(qtys) {
			l.Quantity = strings.TrimSpace(qtys[i])
		}
		if i < len(discs) {
			l.Discount = strings.TrimSpace(discs[i])
		}
		if p := product(id); p != nil {
			l.Code, l.Name, l.Unit, l.UnitPrice = p.Code, p.Name.In(lang), enumLabel(lang, "unit", p.Unit), p.ListPrice
		}
		b.Lines = append(b.Lines, l)
	}
	switch op := r.PostFormValue("op"); {
	case r.PostFormValue("add") != "":
		id, err := strconv.ParseInt(r.PostFormValue("add"), 10, 64)
		if p := product(id); err == nil && p != nil && p.Active {
			b.Lines = append(b.Lines, deskBuilderLine{ProductID: p.ID, Code: p.Code, Name: p.Name.In(lang), Unit: enumLabel(lang, "unit", p.Unit),
				UnitPrice: p.ListPrice, Quantity: "1", Discount: "0"})
		}
		return s.renderBuilder(w, r, sess, b, http.StatusOK)
	case r.PostFormValue("remove") != "":
		i, err := strconv.Atoi(r.PostFormValue("remove"))
		if err == nil && i >= 0 && i < len(b.Lines) {
			b.Lines = append(b.Lines[:i], b.Lines[i+1:]...)
		}
		return s.renderBuilder(w, r, sess, b, http.StatusOK)
	case op == "save" || op == "submit":
		return s.quoteBuilderSave(w, r, sess, b, op == "submit")
	default: // search, or Enter in a field
		return s.renderBuilder(w, r, sess, b, http.StatusOK)
	}
}

// quoteBuilderSave writes the draft and, when asked, submits it.
func (s *Server) quoteBuilderSave(w http.ResponseWriter, r *http.Request, sess *uiSession, b *deskQuoteBuilder, submit bool) error {
	ctx, actor := r.Context(), sess.actor
	lang := uiLanguage(r, sess.user)
	lines := make([]crm.QuoteLineInput, 0, len(b.Lines))
	for i, l := range b.Lines {
		in := crm.QuoteLineInput{ProductID: l.ProductID}
		qty, err := strconv.ParseInt(l.Quantity, 10, 64)
		if err != nil {
			b.Errors[fmt.Sprintf("lines.%d.quantity", i)] = i18n.T(lang, "field.not_number")
		}
		in.Quantity = qty
		if l.Discount != "" {
			bp, ok := parseYuan(strings.TrimSuffix(l.Discount, "%"))
			if !ok || bp > crm.MaxBP {
				b.Errors[fmt.Sprintf("lines.%d.discount_bp", i)] = i18n.T(lang, "desk.field.percent")
			}
			in.DiscountBP = int(bp)
		}
		lines = append(lines, in)
	}
	days, err := strconv.Atoi(b.PaymentDays)
	if b.PaymentDays != "" && err != nil {
		b.Errors["payment_days"] = i18n.T(lang, "field.not_number")
	}
	var valid *crm.Date
	if b.ValidUntil != "" {
		v, err := crm.ParseDate(b.ValidUntil)
		if err != nil {
			b.Errors["valid_until"] = i18n.T(lang, "field.date")
		} else {
			valid = &v
		}
	}
	if len(b.Errors) > 0 {
		b.Error = i18n.T(lang, "error.invalid")
		return s.renderBuilder(w, r, sess, b, http.StatusUnprocessableEntity)
	}
	var q *crm.Quote
	if b.QuoteID == 0 {
		q, err = s.svc.CreateQuote(ctx, actor, crm.QuoteInput{DealID: b.Deal.ID, Lines: lines, ValidUntil: valid, PaymentDays: days, Notes: b.Notes})
	} else {
		p := crm.QuotePatch{Version: b.Version, Lines: lines, PaymentDays: optOf(days), Notes: optOf(b.Notes)}
		if valid != nil {
			p.ValidUntil = optOf(*valid)
		}
		q, err = s.svc.UpdateQuote(ctx, actor, b.QuoteID, p)
	}
	if err == nil {
		// The draft is saved: from here on the builder edits it.
		b.QuoteID, b.Version, b.Number, b.Revision = q.ID, q.Version, q.Number, q.Revision
		flash := "quote_saved"
		if submit {
			q, err = s.svc.SubmitQuote(ctx, actor, q.ID, crm.QuoteAction{Version: q.Version})
			flash = "quote_submit"
		}
		if err == nil {
			if q.State == crm.QuotePending {
				flash = "quote_pending"
			}
			setFlash(w, r, "desk."+flash)
			http.Redirect(w, r, fmt.Sprintf("/deals/%d#quotes", b.Deal.ID), http.StatusSeeOther)
			return nil
		}
	}
	f := newDeskForm()
	status, ok := deskFail(lang, f, err)
	if !ok {
		return err
	}
	b.Errors, b.Error, b.Conflict = f.Errors, f.Error, f.Conflict
	return s.renderBuilder(w, r, sess, b, status)
}
