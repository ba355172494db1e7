package web

import (
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/dealpath/dealpath/internal/crm"
	"github.com/dealpath/dealpath/internal/i18n"
)

// The manager and admin pages: the approval inbox (this file), users and
// teams (ui_admin_users.go), the price book (ui_products.go) and the
// playbook (ui_playbook.go).

// adminPages are the templates of the manager and admin pages, parsed with
// the layout like every other page.
var adminPages = []string{"approvals", "admin_users", "admin_user_form", "admin_user_status", "admin_teams", "products", "product_form", "playbook", "contact_form"}

func init() {
	funcs := template.FuncMap{"cny": formatCNY, "pair": pairOf}
	for _, page := range adminPages {
		uiTemplates[page] = template.Must(template.New("layout.html").Funcs(funcs).
			ParseFS(uiTemplateFS, "templates/ui/layout.html", "templates/ui/"+page+".html"))
	}
}

// pairOf hands a sub-template the page and one record, so that it can
// render texts of the catalogue for the record.
func pairOf(p *page, v any) map[string]any { return map[string]any{"P": p, "V": v} }

func (s *Server) registerAdminUI() {
	s.ui("GET /approvals", s.approvalsPage)
	s.ui("POST /approvals/{id}/approve", s.approvalDecide)
	s.ui("POST /approvals/{id}/reject", s.approvalDecide)
	s.registerAdminUsersUI()
	s.registerProductsUI()
	s.ui("GET /playbook", s.playbookPage)
}

// isApprover tells whether a role decides approvals: managers and admins.
// Reps have no inbox; their requests show on their deals.
func isApprover(role string) bool { return role == crm.RoleManager || role == crm.RoleAdmin }

// pendingApprovals counts the requests waiting in the user's inbox, for the
// badge of the navigation. A failure only hides the badge: the page itself
// must still render.
func (s *Server) pendingApprovals(r *http.Request, sess *uiSession) int {
	if sess == nil || !isApprover(sess.actor.Role) {
		return 0
	}
	ctx := crm.WithActor(r.Context(), sess.actor)
	res, err := s.svc.Approvals(ctx, sess.actor, crm.ApprovalFilter{Status: crm.ApprovalPending, ListParams: crm.ListParams{Limit: 1, WithTotal: true}})
	if err != nil || res.Total == nil {
		return 0
	}
	return *res.Total
}

type approvalsView struct {
	Pending  []approvalItem
	Decided  []approvalItem
	Status   string
	Statuses []option
	Next     string
	First    bool
	Base     string
}

// approvalItem is one request as the inbox shows it. The decision fields
// carry what the user typed and the messages when a decision failed.
type approvalItem struct {
	ID, Version  int64
	Kind         string
	Subject      string
	DealID       int64
	Deal         string
	AccountID    int64
	Account      string
	Owner        string
	RequestedBy  string
	AssignedTo   string
	Mine         bool
	Amount       int64
	HasAmount    bool
	Reasons      []string
	Since        string
	Status       string
	StatusLabel  string
	DecidedBy    string
	DecidedAt    string
	Comment      string
	Typed        string
	CommentError string
	Error        string
	Stale        bool
}

// approvalAttempt is a decision that failed, shown again on its request.
type approvalAttempt struct {
	id           int64
	comment      string
	commentError string
	err          string
	stale        bool
}

func (s *Server) approvalsPage(w http.ResponseWriter, r *http.Request, sess *uiSession) error {
	return s.renderApprovals(w, r, sess, nil, http.StatusOK)
}

func (s *Server) renderApprovals(w http.ResponseWriter, r *http.Request, sess *uiSession, at *approvalAttempt, status int) error {
	if !isApprover(sess.actor.Role) {
		return crm.Forbidden()
	}
	ctx, actor := r.Context(), sess.actor
	p := s.newPage(w, r, sess, "admin.approvals.title", "approvals")
	q := r.URL.Query()
	v := &approvalsView{Status: q.Get("status"), First: q.Get("cursor") == ""}
	if !slices.Contains([]string{crm.ApprovalApproved, crm.ApprovalRejected}, v.Status) {
		v.Status = ""
	}
	v.Statuses = []option{{Value: "", Label: p.T("admin.approvals.all_decided"), Selected: v.Status == ""}}
	for _, st := range []string{crm.ApprovalApproved, crm.ApprovalRejected} {
		v.Statuses = append(v.Statuses, option{Value: st, Label: p.T("admin.approval_status." + st), Selected: st == v.Status})
	}
	users, err := s.svc.Users(ctx, actor, crm.UserFilter{IncludeDisabled: true})
	if err != nil {
		return err
	}
	names := map[int64]string{}
	for _, u := range users {
		names[u.ID] = u.DisplayName
		if names[u.ID] == "" {
			names[u.ID] = u.Username
		}
	}

	pending, err := s.svc.Approvals(ctx, actor, crm.ApprovalFilter{Status: crm.ApprovalPending, ListParams: crm.ListParams{Limit: crm.MaxLimit, Sort: "created_at"}})
	if err != nil {
		return err
	}
	// Mine first: an admin sees every pending request, but those assigned
	// to them are theirs to act on.
	items := pending.Items
	slices.SortStableFunc(items, func(a, b *crm.Approval) int {
		am, bm := a.AssignedTo == actor.UserID, b.AssignedTo == actor.UserID
		switch {
		case am == bm:
			return 0
		case am:
			return -1
		}
		return 1
	})
	for _, a := range items {
		v.Pending = append(v.Pending, s.approvalItemOf(r, p.Lang, sess, a, names, at))
	}

	f := crm.ApprovalFilter{Status: v.Status, ListParams: crm.ListParams{Limit: 20, Cursor: q.Get("cursor"), Sort: "-updated_at"}}
	decided, err := s.svc.Approvals(ctx, actor, f)
	if crm.ErrorCode(err) == crm.EINVALID && f.Cursor != "" {
		f.Cursor, v.First = "", true
		decided, err = s.svc.Approvals(ctx, actor, f)
	}
	if err != nil {
		return err
	}
	for _, a := range decided.Items {
		if a.Status == crm.ApprovalPending {
			continue
		}
		v.Decided = append(v.Decided, s.approvalItemOf(r, p.Lang, sess, a, names, at))
	}
	base := url.Values{}
	if v.Status != "" {
		base.Set("status", v.Status)
	}
	v.Base = "/approvals?" + base.Encode() + "#decided"
	if decided.NextCursor != "" {
		base.Set("cursor", decided.NextCursor)
		v.Next = "/approvals?" + base.Encode() + "#decided"
	}
	p.Status = status
	p.Data = v
	s.render(w, p, "approvals")
	return nil
}

// approvalItemOf gathers what the inbox shows of a request: its deal,
// account and amount. A record the user may not see (a quote of another
// team for an admin is always visible; a manager's own team too) leaves its
// cell empty rather than failing the page.
func (s *Server) approvalItemOf(r *http.Request, lang string, sess *uiSession, a *crm.Approval, names map[int64]string, at *approvalAttempt) approvalItem {
	ctx, actor := r.Context(), sess.actor
	it := approvalItem{ID: a.ID, Version: a.Version, Kind: i18n.T(lang, "ui.approval_kind."+a.Kind), DealID: a.DealID,
		Owner: names[a.OwnerID], RequestedBy: names[a.RequestedBy], AssignedTo: names[a.AssignedTo], Mine: a.AssignedTo == actor.UserID,
		Since: a.CreatedAt.UTC().Format("2006-01-02 15:04"), Status: a.Status, StatusLabel: i18n.T(lang, "admin.approval_status."+a.Status),
		Comment: a.Comment}
	for _, line := range strings.Split(s.svc.ApprovalReasonsText(lang, a.Reasons), "\n") {
		if line != "" {
			it.Reasons = append(it.Reasons, line)
		}
	}
	if a.DecidedBy != nil {
		it.DecidedBy = names[*a.DecidedBy]
	}
	if a.DecidedAt != nil {
		it.DecidedAt = a.DecidedAt.UTC().Format("2006-01-02 15:04")
	}
	if d, err := s.svc.Deal(ctx, actor, a.DealID); err == nil {
		it.Deal, it.AccountID = d.Title, d.AccountID
		if acc, err := s.svc.Account(ctx, actor, d.AccountID); err == nil {
			it.Account = acc.Name
		}
	}
	switch a.Kind {
	case crm.ApprovalKindQuote:
		if q, err := s.svc.Quote(ctx, actor, a.SubjectID); err == nil {
			it.Subject = fmt.Sprintf("%s · R%d", q.Number, q.Revision)
			it.Amount, it.HasAmount = q.Total, true
		}
	case crm.ApprovalKindContract:
		if c, err := s.svc.Contract(ctx, actor, a.SubjectID); err == nil {
			it.Subject = c.Number
			it.Amount, it.HasAmount = c.Amount, true
		}
	}
	if at != nil && at.id == a.ID {
		it.Typed, it.CommentError, it.Error, it.Stale = at.comment, at.commentError, at.err, at.stale
	}
	return it
}

// approvalDecide approves or rejects a request from the inbox. A failed
// decision shows the inbox again with the message on that request and the
// comment as typed; a request decided meanwhile says so.
func (s *Server) approvalDecide(w http.ResponseWriter, r *http.Request, sess *uiSession) error {
	if !isApprover(sess.actor.Role) {
		return crm.Forbidden()
	}
	id, err := uiPathID(r)
	if err != nil {
		return err
	}
	version, _ := strconv.ParseInt(r.PostFormValue("version"), 10, 64)
	in := crm.ApprovalDecision{Version: version, Comment: r.PostFormValue("comment")}
	reject := strings.HasSuffix(r.URL.Path, "/reject")
	if reject {
		_, err = s.svc.RejectApproval(r.Context(), sess.actor, id, in)
	} else {
		_, err = s.svc.ApproveApproval(r.Context(), sess.actor, id, in)
	}
	if err == nil {
		flash := "admin_approved"
		if reject {
			flash = "admin_rejected"
		}
		setFlash(w, r, flash)
		http.Redirect(w, r, "/approvals", http.StatusSeeOther)
		return nil
	}
	lang := uiLanguage(r, sess.user)
	at := &approvalAttempt{id: id, comment: in.Comment}
	var de *crm.Error
	if !errors.As(err, &de) {
		return err
	}
	status := http.StatusUnprocessableEntity
	switch de.Code {
	case crm.EINVALID:
		fe, msg, _ := fieldErrors(lang, err)
		at.commentError = fe["comment"]
		if at.commentError == "" {
			at.err = msg
			for _, m := range fe {
				at.err = m
			}
		}
	case crm.ECONFLICT:
		// Stale: someone else decided the request, or changed it, since
		// this page was loaded.
		at.stale, status = true, http.StatusConflict
		at.err = i18n.T(lang, "admin.approvals.stale")
	case crm.EFORBIDDEN:
		if de.Message.Key == "error.forbidden" || de.Message.Key == "" {
			return err
		}
		// Not theirs to decide (their own deal, beyond their authority):
		// say why on the request.
		at.err, status = i18n.T(lang, de.Message.Key, de.Message.Args...), http.StatusForbidden
	default:
		return err
	}
	return s.renderApprovals(w, r, sess, at, status)
}
