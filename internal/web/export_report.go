package web

import (
	"bytes"
	"fmt"
	"net/http"

	"github.com/dealpath/dealpath/internal/crm"
	"github.com/dealpath/dealpath/internal/i18n"
	"github.com/dealpath/dealpath/internal/sheet"
)

// Downloads of the reports: the same figures as the JSON, as tables with
// headings in the reader's language. XLSX holds every table of a report,
// one sheet each; CSV, which has no sheets, holds the first (the main one).

// writeDownload writes tables as a file download named after the report.
func writeDownload(w http.ResponseWriter, f sheet.Format, name string, tables []sheet.Table) error {
	var buf bytes.Buffer
	if f == sheet.CSV {
		tables = tables[:1]
	}
	if err := sheet.Write(&buf, f, tables...); err != nil {
		return err
	}
	w.Header().Set("Content-Type", f.ContentType())
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s.%s"`, name, f))
	w.WriteHeader(http.StatusOK)
	_, err := w.Write(buf.Bytes())
	return err
}

// tr is a catalogue text of the language.
func tr(lang, key string, args ...any) string { return i18n.T(lang, key, args...) }

// categoryName is a forecast category's name.
func categoryName(lang, cat string) string { return tr(lang, "report.category."+cat) }

// ownerTeam names an owner's team, or "no team".
func ownerTeam(lang, name string) string {
	if name == "" {
		return tr(lang, "report.no_team")
	}
	return name
}

func (s *Server) pipelineTables(lang string, rep *crm.PipelineReport) []sheet.Table {
	cols := []string{tr(lang, "report.col.stage"), tr(lang, "report.col.probability"), tr(lang, "report.col.count"), tr(lang, "report.col.amount"), tr(lang, "report.col.weighted")}
	stages := sheet.Table{Title: tr(lang, "report.pipeline.title"), Columns: cols}
	for _, st := range rep.Stages {
		stages.Rows = append(stages.Rows, []any{s.stageName(st.Stage, lang), st.Probability, st.Count, sheet.Money(st.Amount), sheet.Money(st.Weighted)})
	}
	stages.Rows = append(stages.Rows, []any{tr(lang, "report.total"), nil, rep.Total.Count, sheet.Money(rep.Total.Amount), sheet.Money(rep.Total.Weighted)})
	group := func(title, who string, gs []crm.PipelineGroup, teamNames bool) sheet.Table {
		t := sheet.Table{Title: title, Columns: append([]string{who}, cols...)}
		for _, g := range gs {
			name := g.Name
			if teamNames {
				name = ownerTeam(lang, name)
			}
			for _, st := range g.Stages {
				if st.Count == 0 {
					continue
				}
				t.Rows = append(t.Rows, []any{name, s.stageName(st.Stage, lang), st.Probability, st.Count, sheet.Money(st.Amount), sheet.Money(st.Weighted)})
			}
		}
		return t
	}
	return []sheet.Table{stages,
		group(tr(lang, "report.by_owner"), tr(lang, "report.col.owner"), rep.Owners, false),
		group(tr(lang, "report.by_team"), tr(lang, "report.col.team"), rep.Teams, true)}
}

// forecastTables lays the forecast out as a manager reads it: a row per
// period (and owner, and team) with the amount of each category, the
// weighted total of the categories still to win, and the adjustment.
func (s *Server) forecastTables(lang string, rep *crm.ForecastReport) []sheet.Table {
	cols := []string{tr(lang, "report.col.period")}
	for _, c := range crm.ForecastCategories {
		cols = append(cols, categoryName(lang, c))
	}
	cols = append(cols, tr(lang, "report.col.weighted_open"))
	row := func(prefix []any, p crm.ForecastRow) ([]any, bool) {
		r := append(append([]any{}, prefix...), p.Period)
		var weighted int64
		any := false
		for _, c := range crm.ForecastCategories {
			f := p.Categories[c]
			r = append(r, sheet.Money(f.Amount))
			if c != crm.CatClosed && c != crm.CatOmitted {
				weighted += f.Weighted
			}
			any = any || f.Count > 0
		}
		return append(r, sheet.Money(weighted)), any
	}
	all := sheet.Table{Title: tr(lang, "report.forecast.title"), Columns: cols}
	for _, p := range rep.Periods {
		r, _ := row(nil, p)
		all.Rows = append(all.Rows, r)
	}
	owners := sheet.Table{Title: tr(lang, "report.by_owner"), Columns: append(append([]string{tr(lang, "report.col.owner")}, cols...),
		tr(lang, "report.col.adjustment"), tr(lang, "report.col.note"), tr(lang, "report.col.created_at"))}
	for _, o := range rep.Owners {
		for _, p := range o.Periods {
			r, some := row([]any{o.Name}, p)
			if a := p.Adjustment; a != nil {
				r = append(r, sheet.Money(a.Amount), a.Note, a.CreatedAt)
			} else if !some {
				continue
			} else {
				r = append(r, nil, nil, nil)
			}
			owners.Rows = append(owners.Rows, r)
		}
	}
	teams := sheet.Table{Title: tr(lang, "report.by_team"), Columns: append([]string{tr(lang, "report.col.team")}, cols...)}
	for _, t := range rep.Teams {
		for _, p := range t.Periods {
			if r, some := row([]any{ownerTeam(lang, t.Name)}, p); some {
				teams.Rows = append(teams.Rows, r)
			}
		}
	}
	return []sheet.Table{all, owners, teams}
}

func (s *Server) funnelTables(lang string, rep *crm.FunnelReport) []sheet.Table {
	steps := sheet.Table{Title: tr(lang, "report.funnel.title"), Columns: []string{tr(lang, "report.col.stage"), tr(lang, "report.col.reached"),
		tr(lang, "report.col.conversion"), tr(lang, "report.col.median_days"), tr(lang, "report.col.p80_days")}}
	for _, st := range rep.Steps {
		var conv any
		if st.ConversionBP != nil {
			conv = float64(*st.ConversionBP) / 100
		}
		steps.Rows = append(steps.Rows, []any{s.stageName(st.Stage, lang), st.Reached, conv, st.Days.Median, st.Days.P80})
	}
	steps.Rows = append(steps.Rows, []any{tr(lang, "report.funnel.cycle"), int64(rep.Cycle.Count), nil, rep.Cycle.Median, rep.Cycle.P80})
	stalled := sheet.Table{Title: tr(lang, "report.funnel.stalled"), Columns: []string{tr(lang, "report.col.deal"), tr(lang, "report.col.stage"),
		tr(lang, "report.col.amount"), tr(lang, "report.col.days")}}
	for _, d := range rep.Stalled {
		stalled.Rows = append(stalled.Rows, []any{d.Title, s.stageName(d.Stage, lang), sheet.Money(d.Amount), d.Days})
	}
	return []sheet.Table{steps, stalled}
}

func (s *Server) winLossTables(lang string, rep *crm.WinLossReport) []sheet.Table {
	cols := []string{tr(lang, "report.col.dimension"), tr(lang, "report.col.key"), tr(lang, "report.col.won"), tr(lang, "report.col.lost"),
		tr(lang, "report.col.won_amount"), tr(lang, "report.col.lost_amount"), tr(lang, "report.col.win_rate")}
	t := sheet.Table{Title: tr(lang, "report.win_loss.title"), Columns: cols}
	add := func(dim string, rows []crm.WinLossRow) {
		for _, r := range rows {
			key := r.Key
			if key == "" {
				key = tr(lang, "report.none")
			}
			t.Rows = append(t.Rows, []any{tr(lang, "report.win_loss."+dim), key, r.Won, r.Lost, sheet.Money(r.WonAmount), sheet.Money(r.LostAmount), float64(r.WinRateBP) / 100})
		}
	}
	add("total", []crm.WinLossRow{rep.Total})
	add("reasons", rep.Reasons)
	add("grades", rep.Grades)
	add("events", rep.Events)
	add("competitors", rep.Competitors)
	return []sheet.Table{t}
}

func (s *Server) receivableTables(lang string, rep *crm.ReceivablesReport) []sheet.Table {
	cols := []string{tr(lang, "report.col.contracted"), tr(lang, "report.col.collected"), tr(lang, "report.col.open")}
	for _, b := range crm.AgingBuckets {
		cols = append(cols, tr(lang, "report.aging."+b))
	}
	row := func(name string, f crm.ReceivableFigures) []any {
		r := []any{name, sheet.Money(f.Contracted), sheet.Money(f.Collected), sheet.Money(f.Open)}
		for _, b := range crm.AgingBuckets {
			r = append(r, sheet.Money(f.Aging[b]))
		}
		return r
	}
	owners := sheet.Table{Title: tr(lang, "report.by_owner"), Columns: append([]string{tr(lang, "report.col.owner")}, cols...)}
	for _, o := range rep.Owners {
		owners.Rows = append(owners.Rows, row(o.Name, o.ReceivableFigures))
	}
	owners.Rows = append(owners.Rows, row(tr(lang, "report.total"), rep.Total))
	accounts := sheet.Table{Title: tr(lang, "report.by_account"), Columns: append([]string{tr(lang, "report.col.account")}, cols...)}
	for _, a := range rep.Accounts {
		accounts.Rows = append(accounts.Rows, row(a.Name, a.ReceivableFigures))
	}
	return []sheet.Table{owners, accounts}
}

func (s *Server) activityTables(lang string, rep *crm.ActivityReport) []sheet.Table {
	cols := []string{tr(lang, "report.col.owner"), tr(lang, "report.col.week")}
	for _, t := range rep.Types {
		cols = append(cols, tr(lang, "ui.activity_type."+t))
	}
	weeks := sheet.Table{Title: tr(lang, "report.activity.title"), Columns: cols}
	for _, o := range rep.Owners {
		for _, wk := range rep.Weeks {
			byType := o.Weeks[wk]
			if byType == nil {
				continue
			}
			r := []any{o.Name, wk}
			for _, t := range rep.Types {
				r = append(r, byType[t])
			}
			weeks.Rows = append(weeks.Rows, r)
		}
	}
	idle := sheet.Table{Title: tr(lang, "report.activity.idle"), Columns: []string{tr(lang, "report.col.deal"), tr(lang, "report.col.stage"),
		tr(lang, "report.col.amount"), tr(lang, "report.col.days")}}
	for _, d := range rep.Idle {
		idle.Rows = append(idle.Rows, []any{d.Title, s.stageName(d.Stage, lang), sheet.Money(d.Amount), d.Days})
	}
	return []sheet.Table{weeks, idle}
}
