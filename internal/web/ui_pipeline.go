package web

import (
	"encoding/json"
	"html/template"
	"net/http"
	"net/url"
	"strconv"

	"github.com/dealpath/dealpath/internal/crm"
)

// The pipeline board (管道): a column per open stage of the playbook with
// the deals in it, the end stages summarised; and a list view with sorting,
// filters and pages for large pipelines. Moves go through the JSON API from
// static/pipeline.js, which shows an unmet gate in a dialog.

// boardMaxDeals caps the deals the board loads; the list view has them all.
const boardMaxDeals = 2000

// pipelineListLimit is the page size of the list view.
const pipelineListLimit = 50

func init() {
	for _, name := range []string{"pipeline", "pipeline_list"} {
		uiTemplates[name] = template.Must(template.New("layout.html").Funcs(uiFuncs).
			ParseFS(uiTemplateFS, "templates/ui/layout.html", "templates/ui/"+name+".html", "templates/ui/pipeline_filters.html"))
	}
}

func (s *Server) registerPipeline() {
	s.ui("GET /pipeline", s.pipelineBoard)
	s.ui("GET /pipeline/list", s.pipelineList)
}

type boardCard struct {
	ID      int64
	Title   string
	Account string
	Grade   string
	Amount  int64
	Close   string
	Late    bool
	Health  int
	Stage   string
	Owner   string
	Updated string
}

type boardColumn struct {
	Key    string
	Name   string
	Count  int
	Amount int64
	Cards  []boardCard
}

type plOption struct {
	ID   int64
	Name string
}

type plStage struct {
	Key  string
	Name string
}

// pipelineFilter is what the board and the list are filtered by.
type pipelineFilter struct {
	CanFilter bool
	OwnerID   int64
	TeamID    int64
	Owners    []plOption
	Teams     []plOption
}

type boardView struct {
	pipelineFilter
	Columns   []boardColumn
	Ends      []boardColumn
	Stages    []plStage
	Total     int
	Amount    int64
	Truncated bool
	Config    string
}

// pipelineScope reads the owner and team filters: managers and admins
// choose; a rep always sees their own deals.
func (s *Server) pipelineScope(r *http.Request, sess *uiSession) (pipelineFilter, crm.DealFilter, bool) {
	ctx, actor := r.Context(), sess.actor
	var pf pipelineFilter
	var df crm.DealFilter
	q := r.URL.Query()
	parse := func(name string) (int64, bool) {
		v := q.Get(name)
		if v == "" {
			return 0, true
		}
		n, err := strconv.ParseInt(v, 10, 64)
		return n, err == nil && n > 0
	}
	if actor.Role == crm.RoleRep {
		me := actor.UserID
		df.OwnerID = &me
		return pf, df, true
	}
	pf.CanFilter = true
	var ok bool
	if pf.OwnerID, ok = parse("owner"); !ok {
		return pf, df, false
	}
	if pf.TeamID, ok = parse("team"); !ok {
		return pf, df, false
	}
	if pf.OwnerID != 0 {
		df.OwnerID = &pf.OwnerID
	}
	if pf.TeamID != 0 {
		df.TeamID = &pf.TeamID
	}
	uf := crm.UserFilter{}
	if actor.Role == crm.RoleManager && actor.TeamID != 0 {
		uf.TeamID = &actor.TeamID
	}
	if users, err := s.svc.Users(ctx, actor, uf); err == nil {
		for _, u := range users {
			name := u.DisplayName
			if name == "" {
				name = u.Username
			}
			pf.Owners = append(pf.Owners, plOption{u.ID, name})
		}
	}
	if teams, err := s.svc.Teams(ctx, actor); err == nil {
		for _, t := range teams {
			if actor.Role == crm.RoleManager && t.ID != actor.TeamID {
				continue
			}
			pf.Teams = append(pf.Teams, plOption{t.ID, t.Name})
		}
	}
	return pf, df, true
}

// plNames caches the names of accounts and owners of a page.
type plNames struct {
	s        *Server
	r        *http.Request
	actor    crm.Actor
	accounts map[int64]*crm.Account
	users    map[int64]string
}

func (n *plNames) account(id int64) (string, string) {
	a, ok := n.accounts[id]
	if !ok {
		a, _ = n.s.svc.Account(n.r.Context(), n.actor, id)
		n.accounts[id] = a
	}
	if a == nil {
		return "", ""
	}
	return a.Name, a.FitGrade
}

func (n *plNames) user(id int64) string {
	name, ok := n.users[id]
	if !ok {
		if u, err := n.s.svc.User(n.r.Context(), n.actor, id); err == nil {
			name = u.DisplayName
			if name == "" {
				name = u.Username
			}
		}
		n.users[id] = name
	}
	return name
}

func (s *Server) pipelineBoard(w http.ResponseWriter, r *http.Request, sess *uiSession) error {
	ctx, actor := r.Context(), sess.actor
	p := s.newPage(w, r, sess, "ui.pipeline.title", "pipeline")
	pf, df, ok := s.pipelineScope(r, sess)
	if !ok {
		s.uiError(w, r, sess, http.StatusBadRequest)
		return nil
	}
	v := &boardView{pipelineFilter: pf}
	index := map[string]int{}
	ends := map[string]int{}
	for _, st := range s.svc.Playbook.Stages {
		name := st.Name.In(p.Lang)
		if st.Key == crm.StageClosed || st.Key == crm.StageLost {
			ends[st.Key] = len(v.Ends)
			v.Ends = append(v.Ends, boardColumn{Key: st.Key, Name: name})
			continue
		}
		index[st.Key] = len(v.Columns)
		v.Columns = append(v.Columns, boardColumn{Key: st.Key, Name: name})
		v.Stages = append(v.Stages, plStage{st.Key, name})
	}
	n := &plNames{s: s, r: r, actor: actor, accounts: map[int64]*crm.Account{}, users: map[int64]string{}}
	today := crm.DateOf(s.svc.Now().UTC())
	df.ListParams = crm.ListParams{Limit: crm.MaxLimit, Sort: "expected_close_date"}
	loaded := 0
	for {
		page, err := s.svc.Deals(ctx, actor, df)
		if err != nil {
			return err
		}
		for _, d := range page.Items {
			loaded++
			if i, ok := ends[d.Stage]; ok {
				v.Ends[i].Count++
				v.Ends[i].Amount += d.Amount
				continue
			}
			i, ok := index[d.Stage]
			if !ok {
				continue
			}
			c := boardCard{ID: d.ID, Title: d.Title, Amount: d.Amount, Stage: d.Stage, Owner: n.user(d.OwnerID)}
			c.Account, c.Grade = n.account(d.AccountID)
			if d.ExpectedCloseDate != nil {
				c.Close = d.ExpectedCloseDate.String()
				c.Late = d.ExpectedCloseDate.Before(today.Time)
			}
			if h, err := s.svc.DealHealth(ctx, actor, d.ID); err == nil {
				c.Health = h.Score
			} else {
				return err
			}
			col := &v.Columns[i]
			col.Count++
			col.Amount += d.Amount
			col.Cards = append(col.Cards, c)
			v.Total++
			v.Amount += d.Amount
		}
		if page.NextCursor == "" {
			break
		}
		if loaded >= boardMaxDeals {
			v.Truncated = true
			break
		}
		df.Cursor = page.NextCursor
	}
	v.Config = s.pipelineConfig(p)
	p.Data = v
	s.render(w, p, "pipeline")
	return nil
}

// pipelineConfig is what pipeline.js needs to build the gate dialog, in the
// reader's language: the event catalogue, condition and role names, texts.
func (s *Server) pipelineConfig(p *page) string {
	pb := s.svc.Playbook
	type named struct {
		Key  string `json:"key"`
		Name string `json:"name"`
	}
	cfg := struct {
		Events     []named           `json:"events"`
		Conditions map[string]string `json:"conditions"`
		Roles      map[string]string `json:"roles"`
		Stages     map[string]string `json:"stages"`
		Text       map[string]string `json:"text"`
		Override   bool              `json:"override"`
	}{Override: p.User != nil && p.User.Role != crm.RoleRep, Conditions: map[string]string{}, Roles: map[string]string{}, Stages: map[string]string{}, Text: map[string]string{}}
	for _, e := range pb.Events {
		cfg.Events = append(cfg.Events, named{e.Code, e.Code + " " + e.Name.In(p.Lang)})
	}
	for _, c := range pb.Conditions {
		cfg.Conditions[c.Key] = c.Text.In(p.Lang)
	}
	for _, r := range crm.BuyingRoles {
		cfg.Roles[r] = p.T("ui.pipeline.buying_role." + r)
	}
	for _, st := range pb.Stages {
		cfg.Stages[st.Key] = st.Name.In(p.Lang)
	}
	for _, k := range []string{"gate_title", "gate_intro", "retry", "cancel", "save", "saved", "event", "impact", "record_event",
		"contact", "choose_contact", "no_contacts", "set_role", "condition_met", "evidence", "save_conditions", "reason",
		"reason_intro", "move", "failed", "moved", "hint", "override", "override_intro", "override_button"} {
		cfg.Text[k] = p.T("ui.pipeline.js." + k)
	}
	b, _ := json.Marshal(cfg)
	return string(b)
}

type plListRow struct {
	boardCard
	StageName string
}

type plListView struct {
	pipelineFilter
	Stage    string
	Sort     string
	Stages   []plStage
	Rows     []plListRow
	Total    int
	Next     string
	First    string
	Paged    bool
	SortKeys map[string]string
}

// AriaSort says how the list is sorted by column k, for aria-sort.
func (v *plListView) AriaSort(k string) string {
	switch v.Sort {
	case k:
		return "ascending"
	case "-" + k:
		return "descending"
	}
	return "none"
}

// Arrow marks the column the list is sorted by.
func (v *plListView) Arrow(k string) string {
	return map[string]string{"ascending": " ▲", "descending": " ▼"}[v.AriaSort(k)]
}

// pipelineSorts are the list's sortable columns.
var pipelineSorts = []string{"title", "amount", "expected_close_date", "updated_at"}

func (s *Server) pipelineList(w http.ResponseWriter, r *http.Request, sess *uiSession) error {
	ctx, actor := r.Context(), sess.actor
	p := s.newPage(w, r, sess, "ui.pipeline.list_title", "pipeline")
	pf, df, ok := s.pipelineScope(r, sess)
	if !ok {
		s.uiError(w, r, sess, http.StatusBadRequest)
		return nil
	}
	q := r.URL.Query()
	v := &plListView{pipelineFilter: pf, Stage: q.Get("stage"), Sort: q.Get("sort"), SortKeys: map[string]string{}}
	if v.Sort == "" {
		v.Sort = "expected_close_date"
	}
	for _, st := range s.svc.Playbook.Stages {
		v.Stages = append(v.Stages, plStage{st.Key, st.Name.In(p.Lang)})
	}
	limit := pipelineListLimit
	if l := q.Get("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 || n > crm.MaxLimit {
			s.uiError(w, r, sess, http.StatusBadRequest)
			return nil
		}
		limit = n
	}
	df.Stage = v.Stage
	df.ListParams = crm.ListParams{Limit: limit, Sort: v.Sort, Cursor: q.Get("cursor"), WithTotal: true}
	v.Paged = df.Cursor != ""
	res, err := s.svc.Deals(ctx, actor, df)
	if err != nil {
		if crm.ErrorCode(err) == crm.EINVALID {
			s.uiError(w, r, sess, http.StatusBadRequest)
			return nil
		}
		return err
	}
	if res.Total != nil {
		v.Total = *res.Total
	}
	n := &plNames{s: s, r: r, actor: actor, accounts: map[int64]*crm.Account{}, users: map[int64]string{}}
	today := crm.DateOf(s.svc.Now().UTC())
	for _, d := range res.Items {
		row := plListRow{boardCard: boardCard{ID: d.ID, Title: d.Title, Amount: d.Amount, Stage: d.Stage, Owner: n.user(d.OwnerID)},
			StageName: s.stageName(d.Stage, p.Lang)}
		row.Updated = d.UpdatedAt.UTC().Format("2006-01-02")
		row.Account, row.Grade = n.account(d.AccountID)
		if d.ExpectedCloseDate != nil {
			row.Close = d.ExpectedCloseDate.String()
			row.Late = d.ExpectedCloseDate.Before(today.Time) && d.Stage != crm.StageClosed && d.Stage != crm.StageLost
		}
		v.Rows = append(v.Rows, row)
	}
	base := url.Values{}
	if v.Stage != "" {
		base.Set("stage", v.Stage)
	}
	if pf.OwnerID != 0 {
		base.Set("owner", strconv.FormatInt(pf.OwnerID, 10))
	}
	if pf.TeamID != 0 {
		base.Set("team", strconv.FormatInt(pf.TeamID, 10))
	}
	if limit != pipelineListLimit {
		base.Set("limit", strconv.Itoa(limit))
	}
	for _, k := range pipelineSorts {
		u := url.Values{}
		for kk, vv := range base {
			u[kk] = vv
		}
		if v.Sort == k {
			u.Set("sort", "-"+k)
		} else {
			u.Set("sort", k)
		}
		v.SortKeys[k] = "/pipeline/list?" + u.Encode()
	}
	base.Set("sort", v.Sort)
	v.First = "/pipeline/list?" + base.Encode()
	if res.NextCursor != "" {
		base.Set("cursor", res.NextCursor)
		v.Next = "/pipeline/list?" + base.Encode()
	}
	p.Data = v
	s.render(w, p, "pipeline_list")
	return nil
}
