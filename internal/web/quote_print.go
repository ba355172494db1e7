package web

import (
	"bytes"
	"embed"
	"html/template"
	"net/http"

	"github.com/dealpath/dealpath/internal/crm"
	"github.com/dealpath/dealpath/internal/i18n"
)

//go:embed templates/quote_print.html
var templateFS embed.FS

// quotePrint is the printable quote. html/template escapes everything that
// comes from a record (names, notes, codes), so no product name or note
// can inject markup into the page.
var quotePrint = template.Must(template.New("quote_print.html").Funcs(template.FuncMap{
	"inc":     func(i int) int { return i + 1 },
	"yuan":    func(fen int64) string { return "¥" + crm.FormatFen(fen) },
	"percent": func(bp int) string { return crm.FormatBP(int64(bp)) },
}).ParseFS(templateFS, "templates/quote_print.html"))

func (s *Server) registerQuotePrint() {
	s.api("GET", "/quotes/{id}/print", s.printQuote)
}

// quotePrintView is what the template reads: the quote's document and the
// reader's language, in which T renders the catalogue's texts.
type quotePrintView struct {
	*crm.QuoteDocument
	Lang string
	// Date is the day of printing.
	Date crm.Date
}

// T renders a text of the catalogue in the reader's language.
func (v quotePrintView) T(key string, args ...any) string { return i18n.T(v.Lang, key, args...) }

// Name is a product's name in the reader's language.
func (v quotePrintView) Name(n crm.LocalName) string { return n.In(v.Lang) }

// StateLabel names the quote's state in the reader's language.
func (v quotePrintView) StateLabel() string { return v.T("enum.quote_state." + v.Quote.State) }

// Provisional says the page is not an offer the customer can accept: the
// quote is not (or no longer) approved, or a later revision replaced it.
func (v quotePrintView) Provisional() bool {
	switch v.Quote.State {
	case crm.QuoteApproved, crm.QuoteSent, crm.QuoteAccepted:
		return v.Quote.SupersededBy != nil
	}
	return true
}

// printQuote answers the quote as an HTML page to print, in the reader's
// language. Like every route it needs a signed-in user who may see the
// quote; errors answer in JSON as elsewhere.
func (s *Server) printQuote(w http.ResponseWriter, r *http.Request, actor crm.Actor) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	doc, err := s.svc.QuoteDocument(r.Context(), actor, id)
	if err != nil {
		return err
	}
	view := quotePrintView{QuoteDocument: doc, Lang: language(r), Date: crm.DateOf(s.svc.Now())}
	// Render into a buffer first: a template error is then a clean 500,
	// not half a page.
	var buf bytes.Buffer
	if err := quotePrint.Execute(&buf, view); err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("X-Content-Type-Options", "nosniff")
	// The page needs nothing but its own inline style; prices are
	// confidential, so no cache keeps them.
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'")
	h.Set("Cache-Control", "private, no-store")
	w.WriteHeader(http.StatusOK)
	_, err = w.Write(buf.Bytes())
	return err
}
