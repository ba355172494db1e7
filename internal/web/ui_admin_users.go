package web

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/dealpath/dealpath/internal/crm"
	"github.com/dealpath/dealpath/internal/i18n"
)

// The admin's pages for users and teams: who may sign in, in which role and
// team, and how far each may go without approval (their authority).

func (s *Server) registerAdminUsersUI() {
	s.ui("GET /admin/users", s.adminOnly(s.adminUsersPage))
	s.ui("GET /admin/users/new", s.adminOnly(s.adminUserNewPage))
	s.ui("POST /admin/users", s.adminOnly(s.adminUserCreate))
	s.ui("GET /admin/users/{id}/edit", s.adminOnly(s.adminUserEditPage))
	s.ui("POST /admin/users/{id}/edit", s.adminOnly(s.adminUserUpdate))
	s.ui("GET /admin/users/{id}/status", s.adminOnly(s.adminUserStatusPage))
	s.ui("POST /admin/users/{id}/status", s.adminOnly(s.adminUserStatus))
	s.ui("GET /admin/teams", s.adminOnly(s.adminTeamsPage))
	s.ui("POST /admin/teams", s.adminOnly(s.adminTeamCreate))
	s.ui("POST /admin/teams/{id}", s.adminOnly(s.adminTeamRename))
	s.ui("POST /admin/teams/{id}/delete", s.adminOnly(s.adminTeamDelete))
}

// adminOnly shows everyone but admins the forbidden page. The services
// refuse non-admins too; checking first keeps a rep from even seeing the
// forms.
func (s *Server) adminOnly(h uiHandler) uiHandler {
	return func(w http.ResponseWriter, r *http.Request, sess *uiSession) error {
		if !sess.actor.IsAdmin() {
			return crm.Forbidden()
		}
		return h(w, r, sess)
	}
}

// ---- users list

type adminUsersView struct {
	Rows []adminUserRow
}

type adminUserRow struct {
	ID                         int64
	Username, Name, Email      string
	Role, Team                 string
	Disabled, Self             bool
	Discount, Days, CreditLine string
}

func (s *Server) teamNames(r *http.Request, sess *uiSession) (map[int64]string, []*crm.Team, error) {
	teams, err := s.svc.Teams(r.Context(), sess.actor)
	if err != nil {
		return nil, nil, err
	}
	names := map[int64]string{}
	for _, t := range teams {
		names[t.ID] = t.Name
	}
	return names, teams, nil
}

func (s *Server) adminUsersPage(w http.ResponseWriter, r *http.Request, sess *uiSession) error {
	p := s.newPage(w, r, sess, "admin.users.title", "admin")
	users, err := s.svc.Users(r.Context(), sess.actor, crm.UserFilter{IncludeDisabled: true})
	if err != nil {
		return err
	}
	teams, _, err := s.teamNames(r, sess)
	if err != nil {
		return err
	}
	v := &adminUsersView{}
	for _, u := range users {
		row := adminUserRow{ID: u.ID, Username: u.Username, Name: u.DisplayName, Email: u.Email, Role: p.T("ui.role." + u.Role),
			Disabled: u.Disabled, Self: u.ID == sess.user.ID, Discount: crm.FormatBP(int64(u.MaxDiscountBP)),
			Days: p.T("admin.users.days", u.CreditDays), CreditLine: formatCNY(u.CreditAmount)}
		if u.TeamID != nil {
			row.Team = teams[*u.TeamID]
		}
		v.Rows = append(v.Rows, row)
	}
	p.Data = v
	s.render(w, p, "admin_users")
	return nil
}

// ---- the user form

// adminUserForm is the create and the edit form of a user, with the values
// as typed and the messages of each field.
type adminUserForm struct {
	ID, Version int64
	Username    string
	Values      map[string]string
	Roles       []option
	Teams       []option
	Errors      map[string]string
	Error       string
	Conflict    bool
}

var adminUserFields = []string{"username", "display_name", "email", "role", "team_id", "password", "max_discount", "credit_days", "credit_amount"}

func (s *Server) renderUserForm(w http.ResponseWriter, r *http.Request, sess *uiSession, f *adminUserForm, status int) error {
	title := "admin.users.new"
	if f.ID != 0 {
		title = "admin.users.edit"
	}
	p := s.newPage(w, r, sess, title, "admin")
	_, teams, err := s.teamNames(r, sess)
	if err != nil {
		return err
	}
	f.Roles = nil
	for _, role := range crm.Roles {
		f.Roles = append(f.Roles, option{Value: role, Label: p.T("ui.role." + role), Selected: role == f.Values["role"]})
	}
	f.Teams = nil
	for _, t := range teams {
		id := strconv.FormatInt(t.ID, 10)
		f.Teams = append(f.Teams, option{Value: id, Label: t.Name, Selected: id == f.Values["team_id"]})
	}
	if f.Errors == nil {
		f.Errors = map[string]string{}
	}
	p.Status = status
	p.Data = f
	s.render(w, p, "admin_user_form")
	return nil
}

func userFormOf(r *http.Request) *adminUserForm {
	f := &adminUserForm{Values: map[string]string{}}
	for _, k := range adminUserFields {
		if k == "password" {
			f.Values[k] = r.PostFormValue(k) // a password is kept exactly as typed
			continue
		}
		f.Values[k] = strings.TrimSpace(r.PostFormValue(k))
	}
	return f
}

// percentField reads a discount typed in percent (at most two decimals)
// into basis points.
func percentField(s string) (int, bool) {
	s = strings.TrimSuffix(strings.TrimSpace(s), "%")
	n, ok := parseYuan(s) // hundredths, the same shape as yuan and fen
	if !ok || n > crm.MaxBP {
		return 0, false
	}
	return int(n), true
}

// percentOf writes basis points as a percent for a form field.
func percentOf(bp int) string { return strings.TrimSuffix(crm.FormatBP(int64(bp)), "%") }

// teamField reads the team select: empty is no team.
func teamField(v map[string]string, errs map[string]string, lang string) *int64 {
	if v["team_id"] == "" {
		return nil
	}
	id, err := strconv.ParseInt(v["team_id"], 10, 64)
	if err != nil || id <= 0 {
		errs["team_id"] = i18n.T(lang, "field.unknown_ref")
		return nil
	}
	return &id
}

func (s *Server) adminUserNewPage(w http.ResponseWriter, r *http.Request, sess *uiSession) error {
	return s.renderUserForm(w, r, sess, &adminUserForm{Values: map[string]string{"role": crm.RoleRep}}, http.StatusOK)
}

func (s *Server) adminUserCreate(w http.ResponseWriter, r *http.Request, sess *uiSession) error {
	f := userFormOf(r)
	lang := uiLanguage(r, sess.user)
	errs := map[string]string{}
	v := f.Values
	in := crm.UserInput{Username: v["username"], DisplayName: v["display_name"], Email: v["email"], Role: v["role"],
		Password: v["password"], TeamID: teamField(v, errs, lang)}
	if len(errs) == 0 {
		u, err := s.svc.CreateUser(r.Context(), sess.actor, in)
		if err == nil {
			setFlash(w, r, "admin_user_created")
			http.Redirect(w, r, fmt.Sprintf("/admin/users/%d/edit", u.ID), http.StatusSeeOther)
			return nil
		}
		fe, msg, ok := fieldErrors(lang, err)
		if !ok {
			return err
		}
		errs, f.Error = fe, msg
	}
	f.Errors = errs
	f.Values["password"] = "" // never sent back to the browser
	return s.renderUserForm(w, r, sess, f, http.StatusUnprocessableEntity)
}

func (s *Server) adminUserEditPage(w http.ResponseWriter, r *http.Request, sess *uiSession) error {
	id, err := uiPathID(r)
	if err != nil {
		return err
	}
	u, err := s.svc.User(r.Context(), sess.actor, id)
	if err != nil {
		return err
	}
	f := &adminUserForm{ID: u.ID, Version: u.Version, Username: u.Username, Values: map[string]string{
		"display_name": u.DisplayName, "email": u.Email, "role": u.Role, "max_discount": percentOf(u.MaxDiscountBP),
		"credit_days": strconv.Itoa(u.CreditDays), "credit_amount": yuanOf(u.CreditAmount)}}
	if u.TeamID != nil {
		f.Values["team_id"] = strconv.FormatInt(*u.TeamID, 10)
	}
	return s.renderUserForm(w, r, sess, f, http.StatusOK)
}

func (s *Server) adminUserUpdate(w http.ResponseWriter, r *http.Request, sess *uiSession) error {
	id, err := uiPathID(r)
	if err != nil {
		return err
	}
	u, err := s.svc.User(r.Context(), sess.actor, id)
	if err != nil {
		return err
	}
	f := userFormOf(r)
	f.ID, f.Username = id, u.Username
	f.Version, _ = strconv.ParseInt(r.PostFormValue("version"), 10, 64)
	lang := uiLanguage(r, sess.user)
	errs := map[string]string{}
	v := f.Values
	patch := crm.UserPatch{Version: f.Version, DisplayName: optOf(v["display_name"]), Email: optOf(v["email"]), Role: optOf(v["role"])}
	if team := teamField(v, errs, lang); team != nil {
		patch.TeamID = optOf(*team)
	} else if _, bad := errs["team_id"]; !bad {
		patch.TeamID = crm.Opt[int64]{Set: true, Null: true}
	}
	if bp, ok := percentField(v["max_discount"]); ok {
		patch.MaxDiscountBP = optOf(bp)
	} else {
		errs["max_discount"] = i18n.T(lang, "admin.users.percent_invalid")
	}
	if days, err := strconv.Atoi(v["credit_days"]); err == nil {
		patch.CreditDays = optOf(days)
	} else {
		errs["credit_days"] = i18n.T(lang, "field.not_number")
	}
	if fen, ok := parseYuan(v["credit_amount"]); ok {
		patch.CreditAmount = optOf(fen)
	} else {
		errs["credit_amount"] = i18n.T(lang, "ui.form.yuan_invalid")
	}
	if v["password"] != "" {
		patch.Password = optOf(v["password"])
	}
	if len(errs) == 0 {
		_, err := s.svc.UpdateUser(r.Context(), sess.actor, id, patch)
		if err == nil {
			setFlash(w, r, "admin_user_saved")
			http.Redirect(w, r, "/admin/users", http.StatusSeeOther)
			return nil
		}
		if crm.ErrorCode(err) == crm.ECONFLICT {
			f.Conflict = true
			f.Values["password"] = ""
			return s.renderUserForm(w, r, sess, f, http.StatusConflict)
		}
		fe, msg, ok := fieldErrors(lang, err)
		if !ok {
			return err
		}
		// The domain names the authority fields as the API does.
		for from, to := range map[string]string{"max_discount_bp": "max_discount"} {
			if m, ok := fe[from]; ok {
				fe[to] = m
				delete(fe, from)
			}
		}
		errs, f.Error = fe, msg
	}
	f.Errors = errs
	f.Values["password"] = ""
	return s.renderUserForm(w, r, sess, f, http.StatusUnprocessableEntity)
}

// ---- disable and enable, with a confirmation step

type adminUserStatusView struct {
	ID, Version int64
	Name        string
	Disable     bool
	Error       string
}

func (s *Server) adminUserStatusPage(w http.ResponseWriter, r *http.Request, sess *uiSession) error {
	id, err := uiPathID(r)
	if err != nil {
		return err
	}
	u, err := s.svc.User(r.Context(), sess.actor, id)
	if err != nil {
		return err
	}
	return s.renderUserStatus(w, r, sess, &adminUserStatusView{ID: u.ID, Version: u.Version, Name: userName(u), Disable: !u.Disabled}, http.StatusOK)
}

func (s *Server) renderUserStatus(w http.ResponseWriter, r *http.Request, sess *uiSession, v *adminUserStatusView, status int) error {
	title := "admin.users.enable_title"
	if v.Disable {
		title = "admin.users.disable_title"
	}
	p := s.newPage(w, r, sess, title, "admin")
	p.Status = status
	p.Data = v
	s.render(w, p, "admin_user_status")
	return nil
}

func userName(u *crm.User) string {
	if u.DisplayName != "" {
		return u.DisplayName
	}
	return u.Username
}

func (s *Server) adminUserStatus(w http.ResponseWriter, r *http.Request, sess *uiSession) error {
	id, err := uiPathID(r)
	if err != nil {
		return err
	}
	u, err := s.svc.User(r.Context(), sess.actor, id)
	if err != nil {
		return err
	}
	version, _ := strconv.ParseInt(r.PostFormValue("version"), 10, 64)
	disable := r.PostFormValue("disabled") == "1"
	_, err = s.svc.UpdateUser(r.Context(), sess.actor, id, crm.UserPatch{Version: version, Disabled: optOf(disable)})
	if err == nil {
		flash := "admin_user_enabled"
		if disable {
			flash = "admin_user_disabled"
		}
		setFlash(w, r, flash)
		http.Redirect(w, r, "/admin/users", http.StatusSeeOther)
		return nil
	}
	lang := uiLanguage(r, sess.user)
	v := &adminUserStatusView{ID: u.ID, Version: u.Version, Name: userName(u), Disable: disable}
	switch crm.ErrorCode(err) {
	case crm.ECONFLICT:
		v.Error = i18n.T(lang, "ui.form.conflict")
		return s.renderUserStatus(w, r, sess, v, http.StatusConflict)
	case crm.EINVALID:
		fe, msg, _ := fieldErrors(lang, err)
		v.Error = msg
		for _, m := range fe {
			v.Error = m
		}
		return s.renderUserStatus(w, r, sess, v, http.StatusUnprocessableEntity)
	}
	return err
}

// ---- teams

type adminTeamsView struct {
	Rows   []adminTeamRow
	Name   string
	Error  string
	Errors map[string]string
}

type adminTeamRow struct {
	ID, Version int64
	Name        string
	Typed       string
	Members     int
	Error       string
	Conflict    bool
}

// teamAttempt is a failed create (ID 0) or rename, shown again.
type teamAttempt struct {
	id        int64
	name, err string
	conflict  bool
}

func (s *Server) adminTeamsPage(w http.ResponseWriter, r *http.Request, sess *uiSession) error {
	return s.renderTeams(w, r, sess, nil, http.StatusOK)
}

func (s *Server) renderTeams(w http.ResponseWriter, r *http.Request, sess *uiSession, at *teamAttempt, status int) error {
	p := s.newPage(w, r, sess, "admin.teams.title", "admin")
	_, teams, err := s.teamNames(r, sess)
	if err != nil {
		return err
	}
	users, err := s.svc.Users(r.Context(), sess.actor, crm.UserFilter{IncludeDisabled: true})
	if err != nil {
		return err
	}
	members := map[int64]int{}
	for _, u := range users {
		if u.TeamID != nil {
			members[*u.TeamID]++
		}
	}
	v := &adminTeamsView{Errors: map[string]string{}}
	for _, t := range teams {
		row := adminTeamRow{ID: t.ID, Version: t.Version, Name: t.Name, Typed: t.Name, Members: members[t.ID]}
		if at != nil && at.id == t.ID {
			row.Typed, row.Error, row.Conflict = at.name, at.err, at.conflict
		}
		v.Rows = append(v.Rows, row)
	}
	if at != nil && at.id == 0 {
		v.Name, v.Errors["name"] = at.name, at.err
	}
	p.Status = status
	p.Data = v
	s.render(w, p, "admin_teams")
	return nil
}

func (s *Server) adminTeamCreate(w http.ResponseWriter, r *http.Request, sess *uiSession) error {
	name := strings.TrimSpace(r.PostFormValue("name"))
	_, err := s.svc.CreateTeam(r.Context(), sess.actor, crm.TeamInput{Name: name})
	if err == nil {
		setFlash(w, r, "admin_team_created")
		http.Redirect(w, r, "/admin/teams", http.StatusSeeOther)
		return nil
	}
	fe, msg, ok := fieldErrors(uiLanguage(r, sess.user), err)
	if !ok {
		return err
	}
	at := &teamAttempt{name: name, err: fe["name"]}
	if at.err == "" {
		at.err = msg
	}
	return s.renderTeams(w, r, sess, at, http.StatusUnprocessableEntity)
}

func (s *Server) adminTeamRename(w http.ResponseWriter, r *http.Request, sess *uiSession) error {
	id, err := uiPathID(r)
	if err != nil {
		return err
	}
	name := strings.TrimSpace(r.PostFormValue("name"))
	version, _ := strconv.ParseInt(r.PostFormValue("version"), 10, 64)
	_, err = s.svc.UpdateTeam(r.Context(), sess.actor, id, crm.TeamPatch{Version: version, Name: optOf(name)})
	if err == nil {
		setFlash(w, r, "admin_team_saved")
		http.Redirect(w, r, "/admin/teams", http.StatusSeeOther)
		return nil
	}
	lang := uiLanguage(r, sess.user)
	at := &teamAttempt{id: id, name: name}
	if crm.ErrorCode(err) == crm.ECONFLICT {
		at.err, at.conflict = i18n.T(lang, "ui.form.conflict"), true
		return s.renderTeams(w, r, sess, at, http.StatusConflict)
	}
	fe, msg, ok := fieldErrors(lang, err)
	if !ok {
		return err
	}
	at.err = fe["name"]
	if at.err == "" {
		at.err = msg
	}
	return s.renderTeams(w, r, sess, at, http.StatusUnprocessableEntity)
}

// adminTeamDelete removes a team that has no members; a team that gained a
// member meanwhile is refused with a message, nothing removed.
func (s *Server) adminTeamDelete(w http.ResponseWriter, r *http.Request, sess *uiSession) error {
	id, err := uiPathID(r)
	if err != nil {
		return err
	}
	err = s.svc.DeleteTeam(r.Context(), sess.actor, id)
	switch {
	case err == nil:
		setFlash(w, r, "admin_team_deleted")
	case crm.ErrorCode(err) == crm.ECONFLICT:
		setFlash(w, r, "admin_team_not_empty")
	default:
		return err
	}
	http.Redirect(w, r, "/admin/teams", http.StatusSeeOther)
	return nil
}
