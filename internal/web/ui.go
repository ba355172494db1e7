package web

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"embed"
	"encoding/hex"
	"errors"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/dealpath/dealpath/internal/crm"
	"github.com/dealpath/dealpath/internal/i18n"
)

// The HTML UI: server-rendered pages (html/template escapes every value
// that comes from a record), one embedded stylesheet, no JavaScript
// toolchain. A browser signs in with a session in the cookie SessionCookie;
// every unsafe request carries a CSRF token derived from that session.

//go:embed templates/ui/*.html
var uiTemplateFS embed.FS

//go:embed static
var staticFS embed.FS

const (
	// csrfField is the hidden form field that carries the CSRF token.
	csrfField = "csrf_token"
	// csrfHeader carries the CSRF token on script requests.
	csrfHeader = "X-CSRF-Token"
	// loginCSRFCookie holds the double-submit token of the sign-in form,
	// which has no session yet to derive a token from.
	loginCSRFCookie = "dealpath_login_csrf"
	// flashCookie carries a one-time message to the next page.
	flashCookie = "dealpath_flash"
)

// csrfToken is the CSRF token of a session: derived from the session token,
// so it needs no storage and holds on every instance.
func csrfToken(session string) string {
	h := sha256.Sum256([]byte("csrf|" + session))
	return hex.EncodeToString(h[:])
}

func tokenEqual(a, b string) bool {
	return a != "" && subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}

func unsafeMethod(m string) bool {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		return false
	}
	return true
}

// checkCookieCSRF guards API requests that a browser authenticates with
// its session cookie: an unsafe method must carry the session's CSRF token
// in X-CSRF-Token. Bearer clients cannot be driven by another site and are
// not affected.
func checkCookieCSRF(r *http.Request) error {
	if !unsafeMethod(r.Method) || r.Header.Get("Authorization") != "" {
		return nil
	}
	c, err := r.Cookie(SessionCookie)
	if err != nil {
		return nil
	}
	if !tokenEqual(r.Header.Get(csrfHeader), csrfToken(c.Value)) {
		return crm.Errorf(crm.EFORBIDDEN, "error.csrf")
	}
	return nil
}

// uiTemplates holds one template set per page, each with the layout.
var uiTemplates = parseUITemplates()

var uiFuncs = template.FuncMap{
	"cny": formatCNY,
}

func parseUITemplates() map[string]*template.Template {
	out := map[string]*template.Template{}
	for _, page := range []string{"login", "my_day", "error"} {
		out[page] = template.Must(template.New("layout.html").Funcs(uiFuncs).
			ParseFS(uiTemplateFS, "templates/ui/layout.html", "templates/ui/"+page+".html"))
	}
	return out
}

// staticVersion is a digest of the static files, appended to their URLs so
// that browsers may cache them for long and still see a new release.
var staticVersion = func() string {
	h := sha256.New()
	_ = fs.WalkDir(staticFS, "static", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := staticFS.ReadFile(path)
		h.Write([]byte(path))
		h.Write(b)
		return err
	})
	return hex.EncodeToString(h.Sum(nil))[:12]
}()

// page is what every template reads: the frame (user, language, CSRF
// token, flash) and the page's own data.
type page struct {
	Lang    string
	User    *crm.User
	CSRF    string
	Flash   string
	Title   string
	Nav     string
	Static  string
	Status  int
	Data    any
	Request *http.Request
	// PendingApprovals is the count of requests in a manager's or admin's
	// inbox, for the badge of the navigation.
	PendingApprovals int
}

// T renders a text of the catalogue in the page's language.
func (p *page) T(key string, args ...any) string { return i18n.T(p.Lang, key, args...) }

// RoleLabel names the user's role.
func (p *page) RoleLabel() string {
	if p.User == nil {
		return ""
	}
	return p.T("ui.role." + p.User.Role)
}

// Name is the user's display name, else the username.
func (p *page) Name() string {
	if p.User == nil {
		return ""
	}
	if p.User.DisplayName != "" {
		return p.User.DisplayName
	}
	return p.User.Username
}

// Initial is the first character of the user's name, for the avatar.
func (p *page) Initial() string {
	for _, r := range p.Name() {
		return strings.ToUpper(string(r))
	}
	return ""
}

// Languages lists the language choices of the switch.
func (p *page) Languages() []string { return i18n.Supported }

// LangLabel names a language in itself.
func (p *page) LangLabel(l string) string { return i18n.T(l, "ui.language.self") }

// uiLanguage is the UI's language: the user's setting, else what the
// browser asks for, else zh-CN.
func uiLanguage(r *http.Request, u *crm.User) string {
	if u != nil && u.Language != "" {
		return u.Language
	}
	if l := i18n.Match(r.Header.Get("Accept-Language")); l != "" {
		return l
	}
	return i18n.ZH
}

// uiSession is a signed-in browser request.
type uiSession struct {
	user  *crm.User
	actor crm.Actor
	token string
}

type uiHandler func(w http.ResponseWriter, r *http.Request, sess *uiSession) error

func (s *Server) registerUI() {
	s.mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		if _, err := s.uiSessionOf(r); err != nil {
			http.Redirect(w, r, "/login", http.StatusSeeOther)
			return
		}
		http.Redirect(w, r, "/my-day", http.StatusSeeOther)
	})
	s.mux.HandleFunc("GET /login", s.loginPage)
	s.mux.HandleFunc("POST /login", s.loginSubmit)
	s.ui("POST /logout", s.logoutSubmit)
	s.ui("POST /settings/language", s.languageSubmit)
	s.ui("GET /my-day", s.myDay)
	s.registerAccountUI()
	s.registerPipeline()
	// Deal desk pages register below.

	// Manager and admin pages register below.
	s.registerAdminUI()

	// Report pages register below.
	s.registerReportUI()

	// Import and export pages register below.
	s.registerImportUI()

	// End of page registrations.
	s.mux.Handle("GET /static/", http.HandlerFunc(s.static))
	// Every other path outside the API is a page that does not exist.
	s.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		sess, _ := s.uiSessionOf(r)
		s.uiError(w, r, sess, http.StatusNotFound)
	})
}

func (s *Server) uiSessionOf(r *http.Request) (*uiSession, error) {
	c, err := r.Cookie(SessionCookie)
	if err != nil || c.Value == "" {
		return nil, crm.Errorf(crm.EUNAUTHENTICATED, "error.unauthenticated")
	}
	u, err := s.svc.Authenticate(r.Context(), c.Value)
	if err != nil {
		return nil, err
	}
	return &uiSession{user: u, actor: crm.ActorOf(u), token: c.Value}, nil
}

// ui registers a page for signed-in users. A signed-out browser goes to the
// sign-in page; an unsafe request needs the session's CSRF token.
func (s *Server) ui(pattern string, h uiHandler) {
	s.mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		sess, err := s.uiSessionOf(r)
		if err != nil {
			if crm.ErrorCode(err) != crm.EUNAUTHENTICATED {
				s.uiFail(w, r, nil, err)
				return
			}
			if unsafeMethod(r.Method) {
				s.uiError(w, r, nil, http.StatusForbidden)
				return
			}
			http.Redirect(w, r, "/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
			return
		}
		if unsafeMethod(r.Method) {
			r.Body = http.MaxBytesReader(w, r.Body, MaxBodyBytes)
			given := r.Header.Get(csrfHeader)
			if given == "" {
				given = r.PostFormValue(csrfField)
			}
			if !tokenEqual(given, csrfToken(sess.token)) {
				s.uiError(w, r, sess, http.StatusForbidden)
				return
			}
		}
		r = r.WithContext(crm.WithActor(r.Context(), sess.actor))
		if err := h(w, r, sess); err != nil {
			s.uiFail(w, r, sess, err)
		}
	})
}

// uiFail answers an error as a page: forbidden and not found have their
// own pages; anything else is logged and shown as an internal error.
func (s *Server) uiFail(w http.ResponseWriter, r *http.Request, sess *uiSession, err error) {
	if s.clientClosed(w, r, err) {
		return
	}
	switch crm.ErrorCode(err) {
	case crm.EFORBIDDEN:
		s.uiError(w, r, sess, http.StatusForbidden)
		return
	case crm.ENOTFOUND:
		s.uiError(w, r, sess, http.StatusNotFound)
		return
	}
	if s.classify(w, r, err).Code == crm.EUNAVAILABLE {
		s.uiError(w, r, sess, http.StatusServiceUnavailable)
		return
	}
	// classify logged what is not a domain error; a domain error that no
	// page expects is a fault of the page, logged here.
	var de *crm.Error
	if errors.As(err, &de) {
		s.counts.serverErrors.Add(1)
		s.log.Error("internal error", "request_id", requestID(r), "method", r.Method, "path", r.URL.Path, "err", err)
	}
	s.uiError(w, r, sess, http.StatusInternalServerError)
}

func (s *Server) uiError(w http.ResponseWriter, r *http.Request, sess *uiSession, status int) {
	key := map[int]string{http.StatusBadRequest: "400", http.StatusForbidden: "403", http.StatusNotFound: "404",
		http.StatusServiceUnavailable: "503"}[status]
	if key == "" {
		key = "500"
	}
	p := s.newPage(w, r, sess, "ui.error."+key+".title", "")
	p.Status = status
	p.Data = map[string]string{"Code": key, "RequestID": requestID(r)}
	s.render(w, p, "error")
}

// newPage makes the frame of a page and takes the flash message, which is
// shown once.
func (s *Server) newPage(w http.ResponseWriter, r *http.Request, sess *uiSession, titleKey, nav string) *page {
	p := &page{Nav: nav, Static: staticVersion, Status: http.StatusOK, Request: r}
	if sess != nil {
		p.User = sess.user
		p.CSRF = csrfToken(sess.token)
		p.PendingApprovals = s.pendingApprovals(r, sess)
	}
	p.Lang = uiLanguage(r, p.User)
	p.Title = p.T(titleKey)
	if c, err := r.Cookie(flashCookie); err == nil {
		if key := "ui.flash." + c.Value; i18n.Has(p.Lang, key) {
			p.Flash = p.T(key)
		}
		http.SetCookie(w, &http.Cookie{Name: flashCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: isTLS(r)})
	}
	return p
}

// setFlash leaves a message (a key under ui.flash.) for the next page.
func setFlash(w http.ResponseWriter, r *http.Request, key string) {
	http.SetCookie(w, &http.Cookie{Name: flashCookie, Value: key, Path: "/", MaxAge: 60, HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: isTLS(r)})
}

// render writes a page. It renders into a buffer first, so that a template
// error is a clean error page and not half a page.
func (s *Server) render(w http.ResponseWriter, p *page, name string) {
	var buf bytes.Buffer
	if err := uiTemplates[name].Execute(&buf, p); err != nil {
		s.log.Error("template failed", "request_id", requestID(p.Request), "page", name, "err", err)
		http.Error(w, "internal error "+requestID(p.Request), http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "same-origin")
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'self'; img-src 'self' data:; script-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
	h.Set("Cache-Control", "private, no-store")
	w.WriteHeader(p.Status)
	_, _ = w.Write(buf.Bytes())
}

// isTLS reports whether the browser reached us over HTTPS, directly or
// through a proxy that says so.
func isTLS(r *http.Request) bool {
	return r.TLS != nil || strings.EqualFold(r.Header.Get("X-Forwarded-Proto"), "https")
}

func (s *Server) setSessionCookie(w http.ResponseWriter, r *http.Request, token string, maxAge int) {
	http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: token, Path: "/", MaxAge: maxAge,
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: isTLS(r)})
}

type loginView struct {
	Username string
	Error    string
	Next     string
}

// safeNext keeps a redirect after sign-in on this site.
func safeNext(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") || strings.ContainsAny(next, "\r\n") {
		return "/my-day"
	}
	return next
}

func (s *Server) loginPage(w http.ResponseWriter, r *http.Request) {
	if _, err := s.uiSessionOf(r); err == nil {
		http.Redirect(w, r, "/my-day", http.StatusSeeOther)
		return
	}
	s.renderLogin(w, r, loginView{Next: safeNext(r.URL.Query().Get("next"))}, http.StatusOK)
}

func (s *Server) renderLogin(w http.ResponseWriter, r *http.Request, v loginView, status int) {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	token := hex.EncodeToString(b)
	http.SetCookie(w, &http.Cookie{Name: loginCSRFCookie, Value: token, Path: "/login", MaxAge: 3600,
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: isTLS(r)})
	p := s.newPage(w, r, nil, "ui.login.title", "")
	p.CSRF = token
	p.Status = status
	p.Data = v
	s.render(w, p, "login")
}

func (s *Server) loginSubmit(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, MaxBodyBytes)
	if err := r.ParseForm(); err != nil {
		s.uiError(w, r, nil, http.StatusBadRequest)
		return
	}
	c, err := r.Cookie(loginCSRFCookie)
	if err != nil || !tokenEqual(r.PostFormValue(csrfField), c.Value) {
		s.uiError(w, r, nil, http.StatusForbidden)
		return
	}
	v := loginView{Username: r.PostFormValue("username"), Next: safeNext(r.PostFormValue("next"))}
	token, _, err := s.svc.Login(r.Context(), v.Username, r.PostFormValue("password"), crm.SessionBrowser)
	if err != nil {
		if crm.ErrorCode(err) != crm.EUNAUTHENTICATED {
			s.uiFail(w, r, nil, err)
			return
		}
		var de *crm.Error
		errors.As(err, &de)
		v.Error = i18n.T(uiLanguage(r, nil), de.Message.Key, de.Message.Args...)
		s.renderLogin(w, r, v, http.StatusUnauthorized)
		return
	}
	s.setSessionCookie(w, r, token, int(s.svc.SessionTTL/time.Second))
	http.SetCookie(w, &http.Cookie{Name: loginCSRFCookie, Value: "", Path: "/login", MaxAge: -1, HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: isTLS(r)})
	http.Redirect(w, r, v.Next, http.StatusSeeOther)
}

func (s *Server) logoutSubmit(w http.ResponseWriter, r *http.Request, sess *uiSession) error {
	if err := s.svc.Logout(r.Context(), sess.token); err != nil {
		return err
	}
	s.setSessionCookie(w, r, "", -1)
	setFlash(w, r, "signed_out")
	http.Redirect(w, r, "/login", http.StatusSeeOther)
	return nil
}

func (s *Server) languageSubmit(w http.ResponseWriter, r *http.Request, sess *uiSession) error {
	if _, err := s.svc.SetLanguage(r.Context(), sess.actor, r.PostFormValue("language")); err != nil {
		if crm.ErrorCode(err) == crm.EINVALID {
			s.uiError(w, r, sess, http.StatusBadRequest)
			return nil
		}
		return err
	}
	setFlash(w, r, "language_saved")
	http.Redirect(w, r, safeNext(r.PostFormValue("next")), http.StatusSeeOther)
	return nil
}

// static serves the embedded stylesheet and scripts. Their URLs carry
// staticVersion, so a long cache life is safe.
func (s *Server) static(w http.ResponseWriter, r *http.Request) {
	name := strings.TrimPrefix(r.URL.Path, "/")
	b, err := staticFS.ReadFile(name)
	if err != nil || strings.Contains(name, "..") {
		sess, _ := s.uiSessionOf(r)
		s.uiError(w, r, sess, http.StatusNotFound)
		return
	}
	h := w.Header()
	switch {
	case strings.HasSuffix(name, ".css"):
		h.Set("Content-Type", "text/css; charset=utf-8")
	case strings.HasSuffix(name, ".js"):
		h.Set("Content-Type", "text/javascript; charset=utf-8")
	case strings.HasSuffix(name, ".svg"):
		h.Set("Content-Type", "image/svg+xml")
	}
	h.Set("X-Content-Type-Options", "nosniff")
	if r.URL.Query().Get("v") == staticVersion {
		h.Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		h.Set("Cache-Control", "public, max-age=3600")
	}
	h.Set("ETag", `"`+staticVersion+`"`)
	if r.Header.Get("If-None-Match") == `"`+staticVersion+`"` {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	_, _ = w.Write(b)
}
