package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"strings"
	"time"

	"github.com/dealpath/dealpath/internal/crm"
)

// Reports (issue 6): every figure is one SQL query per report, limited by
// the viewer's scope exactly as the lists are (see listQuery.scope). The
// few expressions the engines spell differently (JSON, dates, day
// differences) are the methods below.

// stageActions are the audit actions that record a stage change; both
// carry {"stage": …} in before_json and after_json.
const stageActions = "('stage', 'override')"

// jsonStage reads the stage out of an audit row's JSON column.
func (db *DB) jsonStage(col string) string {
	if db.engine == Postgres {
		return "((" + col + ")::jsonb ->> 'stage')"
	}
	return "json_extract(" + col + ", '$.stage')"
}

// daysBetween is the fractional days from the time column from to the time
// expression to.
func (db *DB) daysBetween(from, to string) string {
	if db.engine == Postgres {
		return "(CAST(EXTRACT(EPOCH FROM (" + to + " - " + from + ")) AS DOUBLE PRECISION) / 86400.0)"
	}
	return "(julianday(" + to + ") - julianday(" + from + "))"
}

// timeParam is a placeholder for a time argument usable inside
// expressions (PostgreSQL needs the type).
func (db *DB) timeParam() string {
	if db.engine == Postgres {
		return "CAST(? AS TIMESTAMPTZ)"
	}
	return "?"
}

// noIndex keeps SQLite from choosing an index for a condition on col (a
// unary + is SQLite's documented way); PostgreSQL plans with statistics
// and needs no hint.
func (db *DB) noIndex(col string) string {
	if db.engine == Postgres {
		return col
	}
	return "+" + col
}

// greatest is the largest of expressions that are never NULL.
func (db *DB) greatest(exprs ...string) string {
	if db.engine == Postgres {
		return "GREATEST(" + strings.Join(exprs, ", ") + ")"
	}
	return "max(" + strings.Join(exprs, ", ") + ")"
}

// sqlList quotes stage keys as an SQL list. Keys come from the validated
// playbook; quoting keeps a stray quote harmless anyway.
func sqlList(keys []string) string {
	q := make([]string, len(keys))
	for i, k := range keys {
		q[i] = "'" + strings.ReplaceAll(k, "'", "''") + "'"
	}
	if len(q) == 0 {
		return "(NULL)"
	}
	return "(" + strings.Join(q, ", ") + ")"
}

// reportWhere is the scope and the owner and team filters of a report on
// the owner column.
func reportWhere(ownerCol string, f crm.ReportFilter) (string, []any) {
	var conds []string
	var args []any
	switch s := f.Scope; {
	case s.All:
	case s.TeamID != 0:
		// One IN list rather than "owner = ? OR owner IN (…)": the engines
		// turn it into index seeks per owner on the reports' indexes,
		// where the OR is a filter on every row.
		conds = append(conds, ownerCol+" IN (SELECT id FROM users WHERE team_id = ? UNION SELECT ?)")
		args = append(args, s.TeamID, s.OwnerID)
	default:
		conds = append(conds, ownerCol+" = ?")
		args = append(args, s.OwnerID)
	}
	if f.OwnerID != nil {
		conds = append(conds, ownerCol+" = ?")
		args = append(args, *f.OwnerID)
	}
	if f.TeamID != nil {
		conds = append(conds, ownerCol+" IN (SELECT id FROM users WHERE team_id = ?)")
		args = append(args, *f.TeamID)
	}
	if len(conds) == 0 {
		return "1 = 1", nil
	}
	return strings.Join(conds, " AND "), args
}

// dayStart is the first instant of a date, as a time argument.
func (db *DB) dayStart(d crm.Date) any { return db.t(d.Time) }

// dayAfter is the first instant after a date.
func (db *DB) dayAfter(d crm.Date) any { return db.t(d.AddDate(0, 0, 1)) }

// ReportPeople lists the users in the scope with their teams.
func (db *DB) ReportPeople(ctx context.Context, s crm.Scope) ([]crm.ReportPerson, error) {
	where, args := reportWhere("u.id", crm.ReportFilter{Scope: s})
	rows, err := db.read.QueryContext(ctx, db.q(`SELECT u.id, COALESCE(NULLIF(u.display_name, ''), u.username), COALESCE(u.team_id, 0), COALESCE(t.name, '')
		FROM users u LEFT JOIN teams t ON t.id = u.team_id WHERE `+where+` ORDER BY u.id`), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []crm.ReportPerson
	for rows.Next() {
		var p crm.ReportPerson
		if err := rows.Scan(&p.ID, &p.Name, &p.TeamID, &p.TeamName); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// stageCells runs a query answering owner, stage, count, sum.
func (db *DB) stageCells(ctx context.Context, query string, args []any) ([]crm.StageCell, error) {
	rows, err := db.read.QueryContext(ctx, db.q(query), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []crm.StageCell
	for rows.Next() {
		var c crm.StageCell
		if err := rows.Scan(&c.OwnerID, &c.Stage, &c.Count, &c.Amount); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// PipelineCells groups the deals in f.Stages by owner and stage. Now, it
// reads report_pipeline_totals, which triggers keep. As of a past time, it
// reads report_pipeline_changes (migration 0014), the day-by-day changes
// of the same cells, at the granularity of a UTC day: the pipeline at the
// end of the day holding f.AsOf. Either the sum of the changes up to that
// day or the totals less the changes after it; whichever side of the
// history is shorter, judged by the day against the midpoint of the first
// day and today.
func (db *DB) PipelineCells(ctx context.Context, f crm.ReportFilter) ([]crm.StageCell, error) {
	if f.AsOf == nil {
		// The summary the triggers of migration 0007 keep exact.
		where, args := reportWhere("p.owner_id", f)
		return db.stageCells(ctx, `SELECT p.owner_id, p.stage, p.deals, p.amount FROM report_pipeline_totals p
			WHERE p.deals <> 0 AND p.stage IN `+sqlList(f.Stages)+` AND `+where, args)
	}
	day := f.AsOf.UTC().Format(crm.DateLayout)
	var first sql.NullString
	firstQ := "SELECT MIN(day) FROM report_pipeline_changes"
	if db.engine == Postgres {
		firstQ = "SELECT to_char(MIN(day), 'YYYY-MM-DD') FROM report_pipeline_changes"
	}
	if err := db.read.QueryRowContext(ctx, firstQ).Scan(&first); err != nil {
		return nil, err
	}
	q, args := db.pipelineAsOf(f, day, fromStart(first.String, day, f.Now))
	return db.stageCells(ctx, q, args)
}

// fromStart tells whether the pipeline as of day is cheaper summed from the
// first day of the history (first) than taken back from the totals: true
// when day is nearer to first than to today (now's day, or the clock's when
// now is unset).
func fromStart(first, day string, now time.Time) bool {
	if now.IsZero() {
		now = time.Now()
	}
	f, err1 := time.Parse(crm.DateLayout, first)
	d, err2 := time.Parse(crm.DateLayout, day)
	if err1 != nil || err2 != nil {
		// No history at all (or no parsable one): the totals side reads
		// at most every change.
		return false
	}
	return d.Sub(f) < now.UTC().Sub(d)
}

// pipelineAsOf is the query of the pipeline at the end of day, summed from
// the start of the history or taken back from the totals.
func (db *DB) pipelineAsOf(f crm.ReportFilter, day string, fromStart bool) (string, []any) {
	where, args := reportWhere("c.owner_id", f)
	stages := sqlList(f.Stages)
	if fromStart {
		return `SELECT c.owner_id, c.stage, SUM(c.deals), SUM(c.amount) FROM report_pipeline_changes c
			WHERE c.day <= ? AND c.stage IN ` + stages + ` AND ` + where + `
			GROUP BY c.owner_id, c.stage HAVING SUM(c.deals) <> 0`, append([]any{day}, args...)
	}
	pwhere, pargs := reportWhere("p.owner_id", f)
	return `SELECT x.owner_id, x.stage, SUM(x.deals), SUM(x.amount) FROM (
			SELECT p.owner_id, p.stage, p.deals, p.amount FROM report_pipeline_totals p WHERE p.stage IN ` + stages + ` AND ` + pwhere + `
			UNION ALL
			SELECT c.owner_id, c.stage, -c.deals, -c.amount FROM report_pipeline_changes c
			WHERE c.day > ? AND c.stage IN ` + stages + ` AND ` + where + `
		) x GROUP BY x.owner_id, x.stage HAVING SUM(x.deals) <> 0`, append(append(pargs, day), args...)
}

// PipelineAsOfBothWays answers the pipeline at the end of day both ways:
// summed from the first day of the history and taken back from the totals.
// Tests check that the two agree; the report uses the cheaper one.
func (db *DB) PipelineAsOfBothWays(ctx context.Context, f crm.ReportFilter, day crm.Date) (fromStart, fromTotals []crm.StageCell, err error) {
	q, args := db.pipelineAsOf(f, day.String(), true)
	if fromStart, err = db.stageCells(ctx, q, args); err != nil {
		return nil, nil, err
	}
	q, args = db.pipelineAsOf(f, day.String(), false)
	fromTotals, err = db.stageCells(ctx, q, args)
	return fromStart, fromTotals, err
}

// ForecastCells groups the live deals closing between f.From and f.To by
// owner, month, stage and whether the date is before f.Today. It reads two
// summaries the triggers on deals keep exact: report_forecast_months
// (migration 0012), per close month, owner and stage, for every month the
// range covers whole except the one holding today, whose deals are all
// slipped (before today's month) or all not (after it); and
// report_forecast_totals (migration 0010), per close day, for the month
// holding today, whose days before today are slipped, and for a first or
// last month the range covers only in part. No month is read from both,
// so each cell is what the day rows alone would give; an admin's six
// months are a few hundred month rows and one month of day rows instead
// of some 33,000 day rows.
func (db *DB) ForecastCells(ctx context.Context, f crm.ReportFilter) ([]crm.ForecastCell, error) {
	dayMonth := "substr(p.close_date, 1, 7)"
	if db.engine == Postgres {
		dayMonth = "to_char(p.close_date, 'YYYY-MM')"
	}
	plan := forecastPlanOf(f)
	var parts []string
	var all []any
	if plan.firstMonth != "" {
		where, args := reportWhere("m.owner_id", f)
		parts = append(parts, `SELECT m.month, m.owner_id, m.stage, CASE WHEN m.month < ? THEN 1 ELSE 0 END, m.deals, m.amount
			FROM report_forecast_months m WHERE m.deals <> 0 AND m.month >= ? AND m.month <= ? AND m.month <> ? AND `+where)
		all = append(append(all, plan.today, plan.firstMonth, plan.lastMonth, plan.today), args...)
	}
	for _, r := range plan.days {
		where, args := reportWhere("p.owner_id", f)
		parts = append(parts, `SELECT `+dayMonth+`, p.owner_id, p.stage, CASE WHEN p.close_date < ? THEN 1 ELSE 0 END, SUM(p.deals), SUM(p.amount)
			FROM report_forecast_totals p WHERE p.deals <> 0 AND p.close_date >= ? AND p.close_date <= ? AND `+where+`
			GROUP BY 1, 2, 3, 4`)
		all = append(append(all, f.Today.String(), r[0].String(), r[1].String()), args...)
	}
	if len(parts) == 0 {
		return nil, nil
	}
	rows, err := db.read.QueryContext(ctx, db.q(strings.Join(parts, "\nUNION ALL\n")), all...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []crm.ForecastCell
	for rows.Next() {
		var c crm.ForecastCell
		var slipped int
		if err := rows.Scan(&c.Month, &c.OwnerID, &c.Stage, &slipped, &c.Count, &c.Amount); err != nil {
			return nil, err
		}
		c.Slipped = slipped == 1
		out = append(out, c)
	}
	return out, rows.Err()
}

// forecastPlan splits a forecast's range between the two summaries: the
// whole months firstMonth to lastMonth ('YYYY-MM', empty when none) but
// today's read from the month rows, and the day ranges (inclusive) read
// from the day rows — at most three: a partial first month, the month
// holding today, a partial last month.
type forecastPlan struct {
	today                 string // today's month, 'YYYY-MM'
	firstMonth, lastMonth string
	days                  [][2]crm.Date
}

// forecastPlanOf plans the reading of f.From to f.To.
func forecastPlanOf(f crm.ReportFilter) forecastPlan {
	const monthLayout = "2006-01"
	p := forecastPlan{today: f.Today.Format(monthLayout)}
	if f.To.Before(f.From.Time) {
		return p
	}
	start := time.Date(f.From.Year(), f.From.Month(), 1, 0, 0, 0, 0, time.UTC)
	for m := start; !m.After(f.To.Time); m = m.AddDate(0, 1, 0) {
		first, last := m, m.AddDate(0, 1, -1)
		whole := !first.Before(f.From.Time) && !last.After(f.To.Time)
		if whole && m.Format(monthLayout) != p.today {
			if p.firstMonth == "" {
				p.firstMonth = m.Format(monthLayout)
			}
			p.lastMonth = m.Format(monthLayout)
			continue
		}
		if first.Before(f.From.Time) {
			first = f.From.Time
		}
		if last.After(f.To.Time) {
			last = f.To.Time
		}
		p.days = append(p.days, [2]crm.Date{crm.DateOf(first), crm.DateOf(last)})
	}
	return p
}

// stageIndex maps a stage expression to its position on the way to a win
// (-1 for lost or unknown).
func stageIndex(expr string, way []string) string {
	var b strings.Builder
	b.WriteString("CASE " + expr)
	for i, k := range way {
		fmt.Fprintf(&b, " WHEN '%s' THEN %d", strings.ReplaceAll(k, "'", "''"), i)
	}
	b.WriteString(" ELSE -1 END")
	return b.String()
}

// reachExpr is the furthest stage on the way a deal ever reached: the
// furthest of the stages it entered (deal_stage_entries, migration 0014,
// which holds its current stage too). Gates check every stage between, so
// a deal past a stage has passed through it.
func (db *DB) reachExpr(way []string) string {
	return db.greatest(stageIndex("d.stage", way), `COALESCE((SELECT MAX(`+stageIndex("e.stage", way)+`) FROM deal_stage_entries e
			WHERE e.deal_id = d.id), -1)`)
}

// reachCounts runs a query answering reach, won flag and count, and sums
// per stage the deals that reached it or beyond.
func (db *DB) reachCounts(ctx context.Context, q string, args []any, n int) (reached, won []int64, err error) {
	rows, err := db.read.QueryContext(ctx, db.q(q), args...)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	reached, won = make([]int64, n), make([]int64, n)
	for rows.Next() {
		var reach, w, count int64
		if err := rows.Scan(&reach, &w, &count); err != nil {
			return nil, nil, err
		}
		for i := 0; i <= int(reach) && i < n; i++ {
			reached[i] += count
			if w == 1 {
				won[i] += count
			}
		}
	}
	return reached, won, rows.Err()
}

// StageWins counts per stage the finished deals that reached it and the
// won among them, and all finished deals (those that never reached a
// stage of the way, such as a deal created lost, count only there).
func (db *DB) StageWins(ctx context.Context, f crm.ReportFilter) ([]crm.StageWin, int64, error) {
	where, args := reportWhere("d.owner_id", f)
	way := append(append([]string{}, f.Stages...), f.WonStages...)
	fin := append(append([]string{}, f.WonStages...), f.LostStage)
	// A won deal reached every stage up to the one it is in (gates check
	// each stage on the way), so only lost deals need their history read.
	reach := `CASE WHEN d.stage IN ` + sqlList(f.WonStages) + ` THEN ` + stageIndex("d.stage", way) + ` ELSE ` + db.reachExpr(way) + ` END`
	q := `SELECT reach, won, COUNT(*) FROM (SELECT ` + reach + ` AS reach,
			CASE WHEN d.stage IN ` + sqlList(f.WonStages) + ` THEN 1 ELSE 0 END AS won
		FROM deals d WHERE d.deleted_at IS NULL AND d.stage IN ` + sqlList(fin) + ` AND ` + where + `) x GROUP BY reach, won`
	rows, err := db.read.QueryContext(ctx, db.q(q), args...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	finished, won := make([]int64, len(way)), make([]int64, len(way))
	var total int64
	for rows.Next() {
		var reach, w, count int64
		if err := rows.Scan(&reach, &w, &count); err != nil {
			return nil, 0, err
		}
		total += count
		for i := 0; i <= int(reach) && i < len(way); i++ {
			finished[i] += count
			if w == 1 {
				won[i] += count
			}
		}
	}
	if err := rows.Err(); err != nil {
		return nil, 0, err
	}
	out := make([]crm.StageWin, len(way))
	for i, k := range way {
		out[i] = crm.StageWin{Stage: k, Finished: finished[i], Won: won[i]}
	}
	return out, total, nil
}

// FunnelReach counts the deals created between f.From and f.To that
// reached each stage of the way.
func (db *DB) FunnelReach(ctx context.Context, f crm.ReportFilter, way []string) ([]int64, error) {
	where, args := reportWhere("d.owner_id", f)
	q := `SELECT reach, 0, COUNT(*) FROM (SELECT ` + db.reachExpr(way) + ` AS reach
		FROM deals d WHERE d.deleted_at IS NULL AND d.created_at >= ? AND d.created_at < ? AND ` + where + `) x GROUP BY reach`
	reached, _, err := db.reachCounts(ctx, q, append([]any{db.dayStart(f.From), db.dayAfter(f.To)}, args...), len(way))
	return reached, err
}

// StageStays returns the days of each stay in a stage that ended between
// f.From and f.To: from the previous stage change (or the deal's creation)
// to the change that ended it.
func (db *DB) StageStays(ctx context.Context, f crm.ReportFilter) (map[string][]float64, error) {
	where, args := reportWhere("d.owner_id", f)
	prev := `COALESCE((SELECT p.created_at FROM audit_log p WHERE p.entity_type = 'deal' AND p.entity_id = a.entity_id
		AND p.action IN ` + stageActions + ` AND p.id < a.id ORDER BY p.id DESC LIMIT 1), d.created_at)`
	q := `SELECT ` + db.jsonStage("a.before_json") + `, ` + db.daysBetween(prev, "a.created_at") + `
		FROM audit_log a JOIN deals d ON d.id = a.entity_id
		WHERE a.entity_type = 'deal' AND a.action IN ` + stageActions + ` AND a.created_at >= ? AND a.created_at < ?
			AND d.deleted_at IS NULL AND ` + where
	rows, err := db.read.QueryContext(ctx, db.q(q), append([]any{db.dayStart(f.From), db.dayAfter(f.To)}, args...)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string][]float64{}
	for rows.Next() {
		var stage sql.NullString
		var days float64
		if err := rows.Scan(&stage, &days); err != nil {
			return nil, err
		}
		out[stage.String] = append(out[stage.String], days)
	}
	return out, rows.Err()
}

// firstWon is the condition that the stage entry e is a deal's first
// entry into a won stage (the earlier stage key first on a tie).
func firstWon(won []string) string {
	return `e.stage IN ` + sqlList(won) + ` AND NOT EXISTS (SELECT 1 FROM deal_stage_entries w WHERE w.deal_id = e.deal_id
		AND w.stage IN ` + sqlList(won) + ` AND (w.entered_at < e.entered_at OR (w.entered_at = e.entered_at AND w.stage < e.stage)))`
}

// CycleTimes returns the days from creation to signing of the deals first
// moved into a won stage between f.From and f.To. The first entries come
// from deal_stage_entries through its (stage, entered_at) index; a deal
// that was in a won stage from its creation (an import) was not moved
// there and has no cycle to measure.
func (db *DB) CycleTimes(ctx context.Context, f crm.ReportFilter) ([]float64, error) {
	where, args := reportWhere("d.owner_id", f)
	q := `SELECT ` + db.daysBetween("d.created_at", "e.entered_at") + ` FROM deal_stage_entries e JOIN deals d ON d.id = e.deal_id
		WHERE e.entered_at >= ? AND e.entered_at < ? AND ` + firstWon(f.WonStages) + `
			AND e.entered_at > d.created_at AND d.deleted_at IS NULL AND ` + where
	rows, err := db.read.QueryContext(ctx, db.q(q), append([]any{db.dayStart(f.From), db.dayAfter(f.To)}, args...)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []float64
	for rows.Next() {
		var d float64
		if err := rows.Scan(&d); err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// reportDeals runs a query answering id, title, owner, stage, amount and
// fractional days.
func (db *DB) reportDeals(ctx context.Context, q string, args []any) ([]crm.ReportDeal, error) {
	rows, err := db.read.QueryContext(ctx, db.q(q), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []crm.ReportDeal{}
	for rows.Next() {
		var d crm.ReportDeal
		var days float64
		if err := rows.Scan(&d.ID, &d.Title, &d.OwnerID, &d.Stage, &d.Amount, &days); err != nil {
			return nil, err
		}
		d.Days = int(days)
		out = append(out, d)
	}
	return out, rows.Err()
}

// StalledDeals lists the open deals longer in their stage than its max
// days, longest first, and counts them per stage.
func (db *DB) StalledDeals(ctx context.Context, f crm.ReportFilter, maxDays map[string]int) ([]crm.ReportDeal, map[string]int, error) {
	where, args := reportWhere("d.owner_id", f)
	var conds []string
	var cargs []any
	for stage, n := range maxDays {
		conds = append(conds, "(d.stage = ? AND d.stage_changed_at < ?)")
		cargs = append(cargs, stage, db.t(f.Now.AddDate(0, 0, -n)))
	}
	counts := map[string]int{}
	if len(conds) == 0 {
		return []crm.ReportDeal{}, counts, nil
	}
	cond := "d.deleted_at IS NULL AND (" + strings.Join(conds, " OR ") + ") AND " + where
	all := append(cargs, args...)
	rows, err := db.read.QueryContext(ctx, db.q(`SELECT d.stage, COUNT(*) FROM deals d WHERE `+cond+` GROUP BY d.stage`), all...)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var s string
		var n int
		if err := rows.Scan(&s, &n); err != nil {
			return nil, nil, err
		}
		counts[s] = n
	}
	if err := rows.Err(); err != nil {
		return nil, nil, err
	}
	list, err := db.reportDeals(ctx, `SELECT d.id, d.title, d.owner_id, d.stage, d.amount, `+db.daysBetween("d.stage_changed_at", db.timeParam())+`
		FROM deals d WHERE `+cond+` ORDER BY d.stage_changed_at, d.id LIMIT ?`, append(append([]any{db.t(f.Now)}, all...), f.Limit))
	return list, counts, err
}

// WinLoss groups the deals decided between f.From and f.To — lost when
// moved to the lost stage, won at their first entry into a won stage
// (deal_stage_entries; a deal recorded as won at its creation entered it
// then) — in total, by lost reason, by the account's ICP grade, by
// compelling-event code and by competitor. A deal with several events or
// competitors counts once under each.
func (db *DB) WinLoss(ctx context.Context, f crm.ReportFilter) (*crm.WinLossReport, error) {
	where, args := reportWhere(db.noIndex("d.owner_id"), f)
	q := `WITH decided AS MATERIALIZED (SELECT d.id, d.account_id, d.amount, d.lost_reason, 0 AS won
		FROM deals d WHERE d.deleted_at IS NULL AND ` + where + ` AND d.stage = ? AND d.stage_changed_at >= ? AND d.stage_changed_at < ?
		UNION ALL
		SELECT d.id, d.account_id, d.amount, d.lost_reason, 1 FROM deal_stage_entries e JOIN deals d ON d.id = e.deal_id
		WHERE e.entered_at >= ? AND e.entered_at < ? AND ` + firstWon(f.WonStages) + `
			AND d.deleted_at IS NULL AND d.stage IN ` + sqlList(f.WonStages) + ` AND ` + where + `)
	SELECT 't', '', won, COUNT(*), COALESCE(SUM(amount), 0) FROM decided GROUP BY won
	UNION ALL SELECT 'r', lost_reason, won, COUNT(*), COALESCE(SUM(amount), 0) FROM decided WHERE won = 0 GROUP BY lost_reason, won
	UNION ALL SELECT 'g', ac.fit_grade, won, COUNT(*), COALESCE(SUM(decided.amount), 0) FROM decided JOIN accounts ac ON ac.id = decided.account_id GROUP BY ac.fit_grade, won
	UNION ALL SELECT 'e', COALESCE(e.code, ''), won, COUNT(*), COALESCE(SUM(decided.amount), 0) FROM decided
		LEFT JOIN (SELECT DISTINCT deal_id, code FROM deal_events) e ON e.deal_id = decided.id GROUP BY COALESCE(e.code, ''), won
	UNION ALL SELECT 'c', COALESCE(c.name, ''), won, COUNT(*), COALESCE(SUM(decided.amount), 0) FROM decided
		LEFT JOIN (SELECT DISTINCT deal_id, name FROM deal_competitors) c ON c.deal_id = decided.id GROUP BY COALESCE(c.name, ''), won`
	from, to := db.dayStart(f.From), db.dayAfter(f.To)
	all := append(append(append([]any{}, args...), f.LostStage, from, to, from, to), args...)
	rows, err := db.read.QueryContext(ctx, db.q(q), all...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	rep := &crm.WinLossReport{Reasons: []crm.WinLossRow{}, Grades: []crm.WinLossRow{}, Events: []crm.WinLossRow{}, Competitors: []crm.WinLossRow{}}
	groups := map[string]*[]crm.WinLossRow{"r": &rep.Reasons, "g": &rep.Grades, "e": &rep.Events, "c": &rep.Competitors}
	for rows.Next() {
		var dim, key string
		var won, count, amount int64
		if err := rows.Scan(&dim, &key, &won, &count, &amount); err != nil {
			return nil, err
		}
		row := &rep.Total
		if dim != "t" {
			list := groups[dim]
			i := 0
			for i < len(*list) && (*list)[i].Key != key {
				i++
			}
			if i == len(*list) {
				*list = append(*list, crm.WinLossRow{Key: key})
			}
			row = &(*list)[i]
		}
		if won == 1 {
			row.Won += count
			row.WonAmount += amount
		} else {
			row.Lost += count
			row.LostAmount += amount
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for _, list := range groups {
		sortWinLoss(*list)
	}
	return rep, nil
}

// sortWinLoss orders rows by the number of deals, most first, then key.
func sortWinLoss(rows []crm.WinLossRow) {
	for i := 1; i < len(rows); i++ {
		for j := i; j > 0 && lessWinLoss(rows[j], rows[j-1]); j-- {
			rows[j], rows[j-1] = rows[j-1], rows[j]
		}
	}
}

func lessWinLoss(a, b crm.WinLossRow) bool {
	if a.Won+a.Lost != b.Won+b.Lost {
		return a.Won+a.Lost > b.Won+b.Lost
	}
	return a.Key < b.Key
}

// ReceivablesReport sums the milestones of signed and completed contracts
// by the deal's owner and account: contracted (milestone amounts, which add
// up to the contract's amount), collected (paid) and open, the open amount
// aged by days past its due date as of f.Today.
func (db *DB) ReceivablesReport(ctx context.Context, f crm.ReportFilter) ([]crm.ReceivableCell, error) {
	// The owner condition is kept off SQLite's owner indexes: from them it
	// would walk every deal of a rep (50,000 at 1,000,000 deals) and its
	// account to find the few with a signed contract; from the contracts'
	// state index it reads the signed contracts only.
	where, args := reportWhere(db.noIndex("d.owner_id"), f)
	day := func(n int) string { return f.Today.AddDate(0, 0, -n).Format(crm.DateLayout) }
	open := "(m.amount - m.paid)"
	q := `SELECT d.owner_id, d.account_id, ac.name, COALESCE(SUM(m.amount), 0), COALESCE(SUM(m.paid), 0), COALESCE(SUM(` + open + `), 0),
		COALESCE(SUM(CASE WHEN m.due_on IS NULL OR m.due_on >= ? THEN ` + open + ` ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN m.due_on < ? AND m.due_on >= ? THEN ` + open + ` ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN m.due_on < ? AND m.due_on >= ? THEN ` + open + ` ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN m.due_on < ? AND m.due_on >= ? THEN ` + open + ` ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN m.due_on < ? THEN ` + open + ` ELSE 0 END), 0)
		FROM contract_milestones m JOIN contracts c ON c.id = m.contract_id JOIN deals d ON d.id = c.deal_id
		JOIN accounts ac ON ac.id = d.account_id
		WHERE c.state IN ('signed', 'completed') AND ` + where + `
		GROUP BY d.owner_id, d.account_id, ac.name`
	all := append([]any{day(0), day(0), day(30), day(30), day(60), day(60), day(90), day(90)}, args...)
	rows, err := db.read.QueryContext(ctx, db.q(q), all...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []crm.ReceivableCell
	for rows.Next() {
		c := crm.ReceivableCell{Aging: map[string]int64{}}
		var a [5]int64
		if err := rows.Scan(&c.OwnerID, &c.AccountID, &c.Account, &c.Contracted, &c.Collected, &c.Open, &a[0], &a[1], &a[2], &a[3], &a[4]); err != nil {
			return nil, err
		}
		for i, b := range crm.AgingBuckets {
			c.Aging[b] = a[i]
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// ActivityCells counts the activities done between f.From and f.To by
// owner, week (its Monday, UTC) and type.
func (db *DB) ActivityCells(ctx context.Context, f crm.ReportFilter) ([]crm.ActivityCell, error) {
	where, args := reportWhere("t.owner_id", f)
	week := "date(substr(t.done_at, 1, 10), 'weekday 0', '-6 days')"
	if db.engine == Postgres {
		week = "to_char(date_trunc('week', t.done_at AT TIME ZONE 'UTC'), 'YYYY-MM-DD')"
	}
	q := `SELECT t.owner_id, ` + week + `, t.type, COUNT(*) FROM activities t
		WHERE t.deleted_at IS NULL AND t.done_at >= ? AND t.done_at < ? AND ` + where + `
		GROUP BY t.owner_id, ` + week + `, t.type`
	rows, err := db.read.QueryContext(ctx, db.q(q), append([]any{db.dayStart(f.From), db.dayAfter(f.To)}, args...)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []crm.ActivityCell
	for rows.Next() {
		var c crm.ActivityCell
		if err := rows.Scan(&c.OwnerID, &c.Week, &c.Type, &c.Count); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// IdleDeals lists the open deals whose last activity — done, or created
// when not done — or, without any, whose creation is before f.IdleSince,
// longest idle first, and counts them. The last activity is
// deals.last_activity_at, which the triggers of migration 0013 keep, and
// idle since is the expression the indexes deals_idle and
// deals_owner_idle hold: the count reads one of them alone, and so does
// the choice of the deals to list, which are then read by id. The stage
// condition is kept off SQLite's stage indexes, which it would otherwise
// prefer for an IN list and then read every open deal.
func (db *DB) IdleDeals(ctx context.Context, f crm.ReportFilter) ([]crm.ReportDeal, int, error) {
	where, args := reportWhere("d.owner_id", f)
	since := func(alias string) string { return `COALESCE(` + alias + `.last_activity_at, ` + alias + `.created_at)` }
	cond := `d.deleted_at IS NULL AND ` + db.noIndex("d.stage") + ` IN ` + sqlList(f.Stages) + ` AND ` + since("d") + ` < ? AND ` + where
	cargs := append([]any{db.t(f.IdleSince)}, args...)
	var n int
	if err := db.read.QueryRowContext(ctx, db.q(`SELECT COUNT(*) FROM deals d WHERE `+cond), cargs...).Scan(&n); err != nil {
		return nil, 0, err
	}
	list, err := db.reportDeals(ctx, `SELECT o.id, o.title, o.owner_id, o.stage, o.amount, `+db.daysBetween(since("o"), db.timeParam())+`
		FROM deals o WHERE o.id IN (SELECT d.id FROM deals d WHERE `+cond+` ORDER BY `+since("d")+`, d.id LIMIT ?)
		ORDER BY `+since("o")+`, o.id`, append(append([]any{db.t(f.Now)}, cargs...), f.Limit))
	return list, n, err
}

// AddForecastAdjustment stores an adjustment and sets its id.
func (db *DB) AddForecastAdjustment(ctx context.Context, a *crm.ForecastAdjustment) error {
	return db.write.QueryRowContext(ctx, db.q(`INSERT INTO report_forecast_adjustments (owner_id, period, amount, note, created_by, created_at)
		VALUES (?, ?, ?, ?, ?, ?) RETURNING id`), a.OwnerID, a.Period, a.Amount, a.Note, a.CreatedBy, db.t(a.CreatedAt)).Scan(&a.ID)
}

// ForecastAdjustments lists the adjustments of owners in the scope,
// newest first, optionally of one period.
func (db *DB) ForecastAdjustments(ctx context.Context, f crm.ReportFilter, period string) ([]*crm.ForecastAdjustment, error) {
	where, args := reportWhere("r.owner_id", f)
	if period != "" {
		where += " AND r.period = ?"
		args = append(args, period)
	}
	rows, err := db.read.QueryContext(ctx, db.q(`SELECT r.id, r.owner_id, r.period, r.amount, r.note, r.created_by, r.created_at
		FROM report_forecast_adjustments r WHERE `+where+` ORDER BY r.id DESC`), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []*crm.ForecastAdjustment{}
	for rows.Next() {
		a := &crm.ForecastAdjustment{}
		if err := rows.Scan(&a.ID, &a.OwnerID, &a.Period, &a.Amount, &a.Note, &a.CreatedBy, timeCol{&a.CreatedAt}); err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// CachedStageWins reads the stored calibration counts of a scope key.
func (db *DB) CachedStageWins(ctx context.Context, key string) ([]crm.StageWin, int64, time.Time, bool, error) {
	var finished int64
	var stages string
	var at time.Time
	err := db.read.QueryRowContext(ctx, db.q(`SELECT finished, stages, computed_at FROM report_calibration WHERE scope_key = ?`), key).
		Scan(&finished, &stages, timeCol{&at})
	if errors.Is(err, sql.ErrNoRows) {
		return nil, 0, at, false, nil
	}
	if err != nil {
		return nil, 0, at, false, err
	}
	var wins []crm.StageWin
	if err := json.Unmarshal([]byte(stages), &wins); err != nil {
		return nil, 0, at, false, err
	}
	return wins, finished, at, true, nil
}

// SaveStageWins stores the calibration counts of a scope key.
func (db *DB) SaveStageWins(ctx context.Context, key string, wins []crm.StageWin, finished int64, at time.Time) error {
	b, err := json.Marshal(wins)
	if err != nil {
		return err
	}
	_, err = db.write.ExecContext(ctx, db.q(`INSERT INTO report_calibration (scope_key, finished, stages, computed_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (scope_key) DO UPDATE SET finished = excluded.finished, stages = excluded.stages, computed_at = excluded.computed_at`),
		key, finished, string(b), db.t(at))
	return err
}

// historyMigration is the migration that made report_pipeline_changes and
// deal_stage_entries; its backfill lies between these markers.
const (
	historyMigration = "0014_report_history.sql"
	rebuildBegin     = "-- rebuild:begin\n"
	rebuildEnd       = "-- rebuild:end\n"
)

// RebuildReportHistory recomputes report_pipeline_changes and
// deal_stage_entries from the deals and the stage changes of the audit
// log, with the very statements of migration 0014's backfill. The triggers
// keep both tables as deals are written; this is for deals and their
// history written in bulk out of order (a deal inserted at its current
// stage, its moves added to the audit log afterwards), as the test seeds
// and the demo data are.
func (db *DB) RebuildReportHistory(ctx context.Context) error {
	b, err := fs.ReadFile(migrationFS, path.Join("migrations", db.engine, historyMigration))
	if err != nil {
		return err
	}
	_, rest, ok1 := strings.Cut(string(b), rebuildBegin)
	stmts, _, ok2 := strings.Cut(rest, rebuildEnd)
	if !ok1 || !ok2 {
		return fmt.Errorf("%s: no rebuild markers", historyMigration)
	}
	err = db.inTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, stmts)
		return err
	})
	if err != nil || db.engine != Postgres {
		return err
	}
	// Every row is new: let the planner know the tables' new sizes.
	_, err = db.write.ExecContext(ctx, "ANALYZE report_pipeline_changes, deal_stage_entries")
	return err
}
