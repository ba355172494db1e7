package web

import (
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/dealpath/dealpath/internal/chart"
	"github.com/dealpath/dealpath/internal/crm"
	"github.com/dealpath/dealpath/internal/i18n"
	"github.com/dealpath/dealpath/internal/sheet"
)

// The report pages (/reports/…): a filter form, server-drawn SVG charts
// (internal/chart) and the same tables the downloads hold, so that what a
// manager reads on screen and in Excel is one set of figures. The filters
// go to the service as the API's do; bad ones answer 400 with the page,
// the values typed kept and each field's message shown.

func init() {
	uiTemplates["report"] = template.Must(template.New("layout.html").Funcs(uiFuncs).
		ParseFS(uiTemplateFS, "templates/ui/layout.html", "templates/ui/report.html"))
}

// reportKinds lists the report pages in the order of their tabs, with the
// filters each reads.
var reportKinds = []struct {
	key     string
	filters []string
}{
	{"pipeline", []string{"as_of"}},
	{"forecast", []string{"period", "from", "to"}},
	{"funnel", []string{"from", "to"}},
	{"win-loss", []string{"from", "to"}},
	{"receivables", nil},
	{"activity", []string{"from", "to", "idle_days"}},
}

func (s *Server) registerReportUI() {
	for _, k := range reportKinds {
		s.ui("GET /reports/"+k.key, s.reportPage(k.key, k.filters))
	}
	s.ui("POST /reports/forecast/adjustments", s.forecastAdjust)
	s.mux.HandleFunc("GET /reports", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/reports/pipeline", http.StatusSeeOther)
	})
}

type reportTab struct {
	Key, Label, Href string
	Active           bool
}

type reportField struct {
	Name, Label, Type, Value, Error string
	Options                         []plOption // for selects: ID 0 is "all"
	Choices                         []reportChoice
}

type reportChoice struct{ Value, Label string }

type reportTable struct {
	Title   string
	Columns []string
	Rows    [][]reportCell
}

type reportCell struct {
	Text    string
	Numeric bool
}

type reportChart struct {
	Title string
	SVG   template.HTML
}

type reportView struct {
	Kind     string
	Heading  string
	Tabs     []reportTab
	Fields   []reportField
	OwnerSel reportField
	TeamSel  reportField
	CanPick  bool
	Error    string
	Basis    string
	Charts   []reportChart
	Tables   []reportTable
	CSV      string
	XLSX     string
	// Adjust is the forecast's adjustment form and history, for managers
	// and admins only.
	Adjust *adjustView
}

// adjustView is the manager's adjustment form on the forecast page: an
// owner and a period of the report, an amount in yuan and a comment, with
// the adjustments of the report's owners and periods, newest first.
type adjustView struct {
	Action                      string
	Owners, Periods             []reportChoice
	Owner, Period, Amount, Note string
	Errors                      map[string]string
	Error                       string
	History                     []adjustRow
}

// adjustRow is one adjustment; InForce marks the newest of its owner and
// period, the one the forecast shows.
type adjustRow struct {
	Owner, Period, Amount, Note, By, At string
	InForce                             bool
}

// reportPage renders one report.
func (s *Server) reportPage(kind string, filters []string) uiHandler {
	return func(w http.ResponseWriter, r *http.Request, sess *uiSession) error {
		return s.renderReport(w, r, sess, kind, filters, nil, 0)
	}
}

// renderReport renders one report; adj, when set, is the forecast's
// adjustment form as the user sent it back with its errors, and status the
// answer's status then.
func (s *Server) renderReport(w http.ResponseWriter, r *http.Request, sess *uiSession, kind string, filters []string, adj *adjustView, status int) error {
	{
		p := s.newPage(w, r, sess, "report.ui."+kind, "reports")
		q := r.URL.Query()
		v := &reportView{Kind: kind, Heading: p.T("report.ui." + kind), Adjust: adj}
		for _, k := range reportKinds {
			v.Tabs = append(v.Tabs, reportTab{Key: k.key, Label: p.T("report.ui." + k.key), Href: "/reports/" + k.key, Active: k.key == kind})
		}
		pf, _, _ := s.pipelineScope(r, sess)
		v.CanPick = pf.CanFilter
		v.OwnerSel = reportField{Name: "owner_id", Label: p.T("report.col.owner"), Value: q.Get("owner_id"), Options: pf.Owners}
		v.TeamSel = reportField{Name: "team_id", Label: p.T("report.col.team"), Value: q.Get("team_id"), Options: pf.Teams}
		for _, f := range filters {
			fd := reportField{Name: f, Label: p.T("report.ui.field." + f), Type: "date", Value: q.Get(f)}
			switch f {
			case "period":
				fd.Type = "select"
				fd.Choices = []reportChoice{{"month", p.T("report.ui.month")}, {"quarter", p.T("report.ui.quarter")}}
			case "idle_days":
				fd.Type = "number"
			}
			v.Fields = append(v.Fields, fd)
		}
		rq := reportQuery(r)
		if !pf.CanFilter {
			rq.OwnerID, rq.TeamID = "", ""
		}
		lang := p.Lang
		err := s.fillReport(r, sess.actor, lang, kind, rq, v)
		var de *crm.Error
		if errors.As(err, &de) && de.Code == crm.EINVALID {
			p.Status = http.StatusBadRequest
			v.Error = i18n.T(lang, de.Message.Key, de.Message.Args...)
			mark := func(f *reportField) {
				if m, ok := de.Fields[f.Name]; ok {
					f.Error = i18n.T(lang, m.Key, m.Args...)
				}
			}
			for i := range v.Fields {
				mark(&v.Fields[i])
			}
			mark(&v.OwnerSel)
			mark(&v.TeamSel)
		} else if err != nil {
			return err
		}
		dl := url.Values{}
		for k, vals := range q {
			if k != "format" && len(vals) > 0 && vals[0] != "" {
				dl.Set(k, vals[0])
			}
		}
		dl.Set("format", "csv")
		v.CSV = "/api/v1/reports/" + kind + "?" + dl.Encode()
		dl.Set("format", "xlsx")
		v.XLSX = "/api/v1/reports/" + kind + "?" + dl.Encode()
		if status != 0 {
			p.Status = status
		}
		p.Data = v
		s.render(w, p, "report")
		return nil
	}
}

// fillReport computes a report and turns it into charts and tables.
func (s *Server) fillReport(r *http.Request, actor crm.Actor, lang, kind string, q crm.ReportQuery, v *reportView) error {
	ctx := r.Context()
	money := func(fen int64) string { return formatCNY(fen) }
	count := func(n int64) string { return strconv.FormatInt(n, 10) }
	var tables []sheet.Table
	switch kind {
	case "pipeline":
		rep, err := s.svc.ReportPipeline(ctx, actor, q)
		if err != nil {
			return err
		}
		var cats []string
		amount, weighted, deals := chart.Series{Name: tr(lang, "report.col.amount")}, chart.Series{Name: tr(lang, "report.col.weighted")}, chart.Series{Name: tr(lang, "report.col.count")}
		for _, st := range rep.Stages {
			cats = append(cats, s.stageName(st.Stage, lang))
			amount.Values = append(amount.Values, st.Amount)
			weighted.Values = append(weighted.Values, st.Weighted)
			deals.Values = append(deals.Values, st.Count)
		}
		v.Charts = append(v.Charts,
			reportChart{tr(lang, "report.ui.chart.pipeline_amount"), chart.Bars{Title: tr(lang, "report.ui.chart.pipeline_amount"), Categories: cats,
				Series: []chart.Series{amount, weighted}, Axis: tr(lang, "report.ui.axis.yuan"), Format: money}.SVG()},
			reportChart{tr(lang, "report.ui.chart.pipeline_count"), chart.Bars{Title: tr(lang, "report.ui.chart.pipeline_count"), Categories: cats,
				Series: []chart.Series{deals}, Axis: tr(lang, "report.ui.axis.deals"), Format: count}.SVG()})
		v.Basis = tr(lang, "report.ui.basis.pipeline")
		if rep.AsOf != nil {
			v.Basis += " " + tr(lang, "report.ui.basis.as_of", rep.AsOf.Format(time.DateOnly))
		}
		tables = s.pipelineTables(lang, rep)
	case "forecast":
		rep, err := s.svc.ReportForecast(ctx, actor, q)
		if err != nil {
			return err
		}
		var cats []string
		series := make([]chart.Series, 0, len(crm.ForecastCategories))
		for _, c := range crm.ForecastCategories {
			if c == crm.CatOmitted {
				continue
			}
			series = append(series, chart.Series{Name: categoryName(lang, c)})
		}
		for _, p := range rep.Periods {
			cats = append(cats, p.Period)
			i := 0
			for _, c := range crm.ForecastCategories {
				if c == crm.CatOmitted {
					continue
				}
				series[i].Values = append(series[i].Values, p.Categories[c].Amount)
				i++
			}
		}
		v.Charts = append(v.Charts, reportChart{tr(lang, "report.ui.chart.forecast"), chart.Bars{Title: tr(lang, "report.ui.chart.forecast"),
			Categories: cats, Series: series, Stacked: true, Axis: tr(lang, "report.ui.axis.yuan"), Format: money}.SVG()})
		v.Basis = tr(lang, "report.ui.basis.forecast_"+rep.Basis.Probabilities, rep.Basis.FinishedDeals, rep.Basis.CalibrationMin)
		tables = s.forecastTables(lang, rep)
		if actor.Role != crm.RoleRep {
			if err := s.fillAdjust(r, actor, lang, rep, v); err != nil {
				return err
			}
		}
	case "funnel":
		rep, err := s.svc.ReportFunnel(ctx, actor, q)
		if err != nil {
			return err
		}
		var cats []string
		reached := chart.Series{Name: tr(lang, "report.col.reached")}
		median, p80 := chart.Series{Name: tr(lang, "report.col.median_days")}, chart.Series{Name: tr(lang, "report.col.p80_days")}
		for _, st := range rep.Steps {
			name := s.stageName(st.Stage, lang)
			if st.ConversionBP != nil {
				name += fmt.Sprintf(" → %d%%", *st.ConversionBP/100)
			}
			cats = append(cats, name)
			reached.Values = append(reached.Values, st.Reached)
			median.Values = append(median.Values, int64(st.Days.Median+0.5))
			p80.Values = append(p80.Values, int64(st.Days.P80+0.5))
		}
		v.Charts = append(v.Charts,
			reportChart{tr(lang, "report.ui.chart.funnel"), chart.Bars{Title: tr(lang, "report.ui.chart.funnel"), Categories: cats,
				Series: []chart.Series{reached}, Axis: tr(lang, "report.ui.axis.deals"), Format: count}.SVG()},
			reportChart{tr(lang, "report.ui.chart.days"), chart.Bars{Title: tr(lang, "report.ui.chart.days"), Categories: cats,
				Series: []chart.Series{median, p80}, Axis: tr(lang, "report.ui.axis.days"), Format: count}.SVG()})
		v.Basis = tr(lang, "report.ui.basis.funnel")
		tables = s.funnelTables(lang, rep)
	case "win-loss":
		rep, err := s.svc.ReportWinLoss(ctx, actor, q)
		if err != nil {
			return err
		}
		grade := func(rows []crm.WinLossRow, title string) reportChart {
			var cats []string
			won, lost := chart.Series{Name: tr(lang, "report.col.won")}, chart.Series{Name: tr(lang, "report.col.lost")}
			for _, r := range rows {
				k := r.Key
				if k == "" {
					k = tr(lang, "report.none")
				}
				cats = append(cats, k)
				won.Values = append(won.Values, r.Won)
				lost.Values = append(lost.Values, r.Lost)
			}
			return reportChart{title, chart.Bars{Title: title, Categories: cats, Series: []chart.Series{won, lost}, Stacked: true,
				Axis: tr(lang, "report.ui.axis.deals"), Format: count}.SVG()}
		}
		v.Charts = append(v.Charts, grade(rep.Grades, tr(lang, "report.ui.chart.win_grade")), grade(rep.Competitors, tr(lang, "report.ui.chart.win_competitor")))
		v.Basis = tr(lang, "report.ui.basis.win_loss")
		tables = s.winLossTables(lang, rep)
	case "receivables":
		rep, err := s.svc.ReportReceivables(ctx, actor, q)
		if err != nil {
			return err
		}
		var series []chart.Series
		for _, b := range crm.AgingBuckets {
			sr := chart.Series{Name: tr(lang, "report.aging."+b)}
			for _, o := range rep.Owners {
				sr.Values = append(sr.Values, o.Aging[b])
			}
			series = append(series, sr)
		}
		var cats []string
		for _, o := range rep.Owners {
			cats = append(cats, o.Name)
		}
		v.Charts = append(v.Charts, reportChart{tr(lang, "report.ui.chart.aging"), chart.Bars{Title: tr(lang, "report.ui.chart.aging"),
			Categories: cats, Series: series, Stacked: true, Axis: tr(lang, "report.ui.axis.yuan"), Format: money}.SVG()})
		v.Basis = tr(lang, "report.ui.basis.receivables", rep.Today.String())
		tables = s.receivableTables(lang, rep)
	case "activity":
		rep, err := s.svc.ReportActivity(ctx, actor, q)
		if err != nil {
			return err
		}
		var cats []string
		var series []chart.Series
		for _, t := range rep.Types {
			sr := chart.Series{Name: tr(lang, "ui.activity_type."+t)}
			for _, o := range rep.Owners {
				var n int64
				for _, wk := range o.Weeks {
					n += wk[t]
				}
				sr.Values = append(sr.Values, n)
			}
			series = append(series, sr)
		}
		for _, o := range rep.Owners {
			cats = append(cats, o.Name)
		}
		v.Charts = append(v.Charts, reportChart{tr(lang, "report.ui.chart.activity"), chart.Bars{Title: tr(lang, "report.ui.chart.activity"),
			Categories: cats, Series: series, Stacked: true, Axis: tr(lang, "report.ui.axis.activities"), Format: count}.SVG()})
		v.Basis = tr(lang, "report.ui.basis.activity", rep.IdleDays, rep.IdleTotal)
		tables = s.activityTables(lang, rep)
	}
	for _, t := range tables {
		v.Tables = append(v.Tables, pageTable(t))
	}
	return nil
}

// pageTable renders a download's table for the page.
func pageTable(t sheet.Table) reportTable {
	out := reportTable{Title: t.Title, Columns: t.Columns}
	for _, row := range t.Rows {
		cells := make([]reportCell, len(row))
		for i, c := range row {
			switch x := c.(type) {
			case nil:
				cells[i] = reportCell{Text: "—"}
			case sheet.Money:
				cells[i] = reportCell{Text: formatCNY(int64(x)), Numeric: true}
			case int, int64:
				cells[i] = reportCell{Text: fmt.Sprint(x), Numeric: true}
			case float64:
				cells[i] = reportCell{Text: strconv.FormatFloat(x, 'f', -1, 64), Numeric: true}
			case time.Time:
				cells[i] = reportCell{Text: x.UTC().Format("2006-01-02 15:04")}
			default:
				cells[i] = reportCell{Text: fmt.Sprint(x)}
			}
		}
		out.Rows = append(out.Rows, cells)
	}
	return out
}

// fillAdjust lists the forecast's owners and periods for the adjustment
// form and the adjustments made for them, newest first.
func (s *Server) fillAdjust(r *http.Request, actor crm.Actor, lang string, rep *crm.ForecastReport, v *reportView) error {
	if v.Adjust == nil {
		v.Adjust = &adjustView{}
	}
	a := v.Adjust
	a.Action = "/reports/forecast/adjustments"
	if r.URL.RawQuery != "" {
		a.Action += "?" + r.URL.RawQuery
	}
	names := map[int64]string{}
	for _, o := range rep.Owners {
		if o.OwnerID != nil {
			names[*o.OwnerID] = o.Name
			a.Owners = append(a.Owners, reportChoice{strconv.FormatInt(*o.OwnerID, 10), o.Name})
		}
	}
	periods := map[string]bool{}
	for _, p := range rep.Periods {
		periods[p.Period] = true
		a.Periods = append(a.Periods, reportChoice{p.Period, p.Period})
	}
	list, err := s.svc.ForecastAdjustments(r.Context(), actor, "", "")
	if err != nil {
		return err
	}
	seen := map[string]bool{}
	for _, adj := range list {
		owner, ok := names[adj.OwnerID]
		if !ok || !periods[adj.Period] {
			continue
		}
		key := fmt.Sprint(adj.OwnerID, "/", adj.Period)
		by, ok := names[adj.CreatedBy]
		if !ok {
			// An admin outside the viewer's team made it.
			by = "#" + strconv.FormatInt(adj.CreatedBy, 10)
			if u, err := s.svc.Store.UserByID(r.Context(), adj.CreatedBy); err == nil {
				by = u.Username
				if u.DisplayName != "" {
					by = u.DisplayName
				}
				names[adj.CreatedBy] = by
			}
		}
		a.History = append(a.History, adjustRow{Owner: owner, Period: adj.Period, Amount: formatCNY(adj.Amount), Note: adj.Note,
			By: by, At: adj.CreatedAt.UTC().Format("2006-01-02 15:04"), InForce: !seen[key]})
		seen[key] = true
	}
	return nil
}

// forecastAdjust records a manager's adjustment from the forecast page's
// form: back to the forecast (with its filters) when saved, else the page
// again with the values typed and each field's message.
func (s *Server) forecastAdjust(w http.ResponseWriter, r *http.Request, sess *uiSession) error {
	if sess.actor.Role == crm.RoleRep {
		return crm.Forbidden()
	}
	lang := uiLanguage(r, sess.user)
	adj := &adjustView{Owner: r.PostFormValue("owner_id"), Period: r.PostFormValue("period"),
		Amount: strings.TrimSpace(r.PostFormValue("amount")), Note: r.PostFormValue("note"), Errors: map[string]string{}}
	in := crm.ForecastAdjustmentInput{Period: adj.Period, Note: adj.Note}
	var err error
	if in.OwnerID, err = strconv.ParseInt(adj.Owner, 10, 64); err != nil {
		adj.Errors["owner_id"] = i18n.T(lang, "field.required")
	}
	amount, ok := parseYuan(adj.Amount)
	if !ok {
		adj.Errors["amount"] = i18n.T(lang, "report.ui.adjust.bad_amount")
	}
	in.Amount = amount
	if len(adj.Errors) == 0 {
		_, err := s.svc.AddForecastAdjustment(r.Context(), sess.actor, in)
		if err == nil {
			to := "/reports/forecast"
			if r.URL.RawQuery != "" {
				to += "?" + r.URL.RawQuery
			}
			setFlash(w, r, "report_adjustment_saved")
			http.Redirect(w, r, to, http.StatusSeeOther)
			return nil
		}
		fe, msg, ok := fieldErrors(lang, err)
		if !ok {
			return err
		}
		adj.Errors, adj.Error = fe, msg
	} else {
		adj.Error = i18n.T(lang, "error.invalid")
	}
	return s.renderReport(w, r, sess, "forecast", reportKinds[1].filters, adj, http.StatusUnprocessableEntity)
}
