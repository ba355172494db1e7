package web

import (
	"net/http"

	"github.com/dealpath/dealpath/internal/crm"
	"github.com/dealpath/dealpath/internal/sheet"
)

// registerReports adds the reports of issue 6. Each answers JSON, or with
// ?format=csv|xlsx a download of the same figures (export_report.go).
func (s *Server) registerReports() {
	s.api("GET", "/api/v1/reports/pipeline", s.reportPipeline)
	s.api("GET", "/api/v1/reports/forecast", s.reportForecast)
	s.api("GET", "/api/v1/reports/forecast/adjustments", s.listForecastAdjustments)
	s.api("POST", "/api/v1/reports/forecast/adjustments", s.addForecastAdjustment)
	s.api("GET", "/api/v1/reports/funnel", s.reportFunnel)
	s.api("GET", "/api/v1/reports/win-loss", s.reportWinLoss)
	s.api("GET", "/api/v1/reports/receivables", s.reportReceivables)
	s.api("GET", "/api/v1/reports/activity", s.reportActivity)
}

// reportQuery reads the parameters the reports share; the service
// validates them.
func reportQuery(r *http.Request) crm.ReportQuery {
	q := r.URL.Query()
	return crm.ReportQuery{Period: q.Get("period"), From: q.Get("from"), To: q.Get("to"), AsOf: q.Get("as_of"),
		OwnerID: q.Get("owner_id"), TeamID: q.Get("team_id"), IdleDays: q.Get("idle_days")}
}

// reportFormat reads ?format=: "" for JSON, else csv or xlsx.
func reportFormat(r *http.Request) (sheet.Format, error) {
	v := r.URL.Query().Get("format")
	if v == "" || v == "json" {
		return "", nil
	}
	f, ok := sheet.ParseFormat(v)
	if !ok {
		return "", invalid("format", "field.one_of", "json, csv, xlsx")
	}
	return f, nil
}

// answerReport writes a report as JSON or as a download.
func answerReport[T any](s *Server, w http.ResponseWriter, r *http.Request, name string, rep T, err error, tables func(lang string, rep T) []sheet.Table) error {
	if err != nil {
		return err
	}
	f, err := reportFormat(r)
	if err != nil {
		return err
	}
	if f == "" {
		writeJSON(w, http.StatusOK, rep)
		return nil
	}
	return writeDownload(w, f, name, tables(language(r), rep))
}

func (s *Server) reportPipeline(w http.ResponseWriter, r *http.Request, actor crm.Actor) error {
	if _, err := reportFormat(r); err != nil {
		return err
	}
	rep, err := s.svc.ReportPipeline(r.Context(), actor, reportQuery(r))
	return answerReport(s, w, r, "pipeline", rep, err, s.pipelineTables)
}

func (s *Server) reportForecast(w http.ResponseWriter, r *http.Request, actor crm.Actor) error {
	if _, err := reportFormat(r); err != nil {
		return err
	}
	rep, err := s.svc.ReportForecast(r.Context(), actor, reportQuery(r))
	return answerReport(s, w, r, "forecast", rep, err, s.forecastTables)
}

func (s *Server) reportFunnel(w http.ResponseWriter, r *http.Request, actor crm.Actor) error {
	if _, err := reportFormat(r); err != nil {
		return err
	}
	rep, err := s.svc.ReportFunnel(r.Context(), actor, reportQuery(r))
	return answerReport(s, w, r, "funnel", rep, err, s.funnelTables)
}

func (s *Server) reportWinLoss(w http.ResponseWriter, r *http.Request, actor crm.Actor) error {
	if _, err := reportFormat(r); err != nil {
		return err
	}
	rep, err := s.svc.ReportWinLoss(r.Context(), actor, reportQuery(r))
	return answerReport(s, w, r, "win-loss", rep, err, s.winLossTables)
}

func (s *Server) reportReceivables(w http.ResponseWriter, r *http.Request, actor crm.Actor) error {
	if _, err := reportFormat(r); err != nil {
		return err
	}
	rep, err := s.svc.ReportReceivables(r.Context(), actor, reportQuery(r))
	return answerReport(s, w, r, "receivables", rep, err, s.receivableTables)
}

func (s *Server) reportActivity(w http.ResponseWriter, r *http.Request, actor crm.Actor) error {
	if _, err := reportFormat(r); err != nil {
		return err
	}
	rep, err := s.svc.ReportActivity(r.Context(), actor, reportQuery(r))
	return answerReport(s, w, r, "activity", rep, err, s.activityTables)
}

func (s *Server) listForecastAdjustments(w http.ResponseWriter, r *http.Request, actor crm.Actor) error {
	q := r.URL.Query()
	list, err := s.svc.ForecastAdjustments(r.Context(), actor, q.Get("owner_id"), q.Get("period"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": list})
	return nil
}

func (s *Server) addForecastAdjustment(w http.ResponseWriter, r *http.Request, actor crm.Actor) error {
	var in crm.ForecastAdjustmentInput
	if err := decode(w, r, &in); err != nil {
		return err
	}
	a, err := s.svc.AddForecastAdjustment(r.Context(), actor, in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, a)
	return nil
}
