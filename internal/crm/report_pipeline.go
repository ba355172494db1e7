package crm

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"time"
)

// PipelineReport is the open pipeline per stage, owner and team.
type PipelineReport struct {
	// AsOf is the end of the day the pipeline was read at; nil for now.
	AsOf   *time.Time      `json:"as_of"`
	Basis  PipelineBasis   `json:"basis"`
	Stages []PipelineStage `json:"stages"`
	Total  Figures         `json:"total"`
	Owners []PipelineGroup `json:"owners"`
	Teams  []PipelineGroup `json:"teams"`
}

// PipelineBasis explains how the figures were made.
type PipelineBasis struct {
	// Probabilities is always "playbook": the weighted amount uses each
	// stage's probability from the playbook in force.
	Probabilities string `json:"probabilities"`
	// OpenStages are the stages counted as pipeline.
	OpenStages []string `json:"open_stages"`
	// History says how a past date is read: "audit" (each deal's stage from
	// its stage-change history; owner and amount as they are now).
	History string `json:"history,omitempty"`
}

// PipelineStage is one stage's figures.
type PipelineStage struct {
	Stage       string `json:"stage"`
	Probability int    `json:"probability"`
	Figures
}

// PipelineGroup is an owner's or team's figures per stage. OwnerID is set
// for an owner, TeamID for a team (0: users without a team).
type PipelineGroup struct {
	OwnerID *int64          `json:"owner_id,omitempty"`
	TeamID  int64           `json:"team_id"`
	Name    string          `json:"name"`
	Total   Figures         `json:"total"`
	Stages  []PipelineStage `json:"stages"`
}

// ReportPipeline reports the open deals the actor may see per stage, owner and
// team, now or as of a past date.
func (s *Service) ReportPipeline(ctx context.Context, actor Actor, q ReportQuery) (*PipelineReport, error) {
	f, _, err := s.parseReport(actor, ReportQuery{AsOf: q.AsOf, OwnerID: q.OwnerID, TeamID: q.TeamID})
	if err != nil {
		return nil, err
	}
	open, _, _ := stageClasses(s.Playbook)
	f.Stages = open
	cells, err := s.Store.PipelineCells(ctx, f)
	if err != nil {
		return nil, err
	}
	ppl, err := s.people(ctx, f.Scope)
	if err != nil {
		return nil, err
	}
	rep := &PipelineReport{AsOf: f.AsOf, Basis: PipelineBasis{Probabilities: "playbook", OpenStages: open}}
	if f.AsOf != nil {
		rep.Basis.History = "audit"
	}
	prob := map[string]int{}
	for _, st := range s.Playbook.Stages {
		prob[st.Key] = st.Probability
	}
	newStages := func() []PipelineStage {
		out := make([]PipelineStage, len(open))
		for i, k := range open {
			out[i] = PipelineStage{Stage: k, Probability: prob[k]}
		}
		return out
	}
	rep.Stages = newStages()
	owners := map[int64]*PipelineGroup{}
	teams := map[int64]*PipelineGroup{}
	for _, c := range cells {
		i := slices.Index(open, c.Stage)
		if i < 0 {
			continue
		}
		fig := Figures{Count: c.Count, Amount: c.Amount, Weighted: weigh(c.Amount, int64(prob[c.Stage])*100)}
		p := person(ppl, c.OwnerID)
		o := owners[c.OwnerID]
		if o == nil {
			id := c.OwnerID
			o = &PipelineGroup{OwnerID: &id, TeamID: p.TeamID, Name: p.Name, Stages: newStages()}
			owners[c.OwnerID] = o
		}
		t := teams[p.TeamID]
		if t == nil {
			t = &PipelineGroup{TeamID: p.TeamID, Name: p.TeamName, Stages: newStages()}
			teams[p.TeamID] = t
		}
		for _, g := range []*PipelineGroup{o, t} {
			g.Stages[i].add(fig)
			g.Total.add(fig)
		}
		rep.Stages[i].add(fig)
		rep.Total.add(fig)
	}
	rep.Owners = sortedGroups(owners)
	rep.Teams = sortedGroups(teams)
	return rep, nil
}

// sortedGroups orders groups by name, then id, so that answers are stable.
func sortedGroups(m map[int64]*PipelineGroup) []PipelineGroup {
	return sortedByName(m, func(g *PipelineGroup) (string, int64, *int64) { return g.Name, g.TeamID, g.OwnerID })
}

// sortedByName orders the groups of a report (owner or team groups of one
// kind) by name, then by owner id — or team id, for team groups.
func sortedByName[G any](m map[int64]*G, key func(*G) (name string, teamID int64, ownerID *int64)) []G {
	out := make([]G, 0, len(m))
	for _, g := range m {
		out = append(out, *g)
	}
	slices.SortFunc(out, func(a, b G) int {
		an, ai, ao := key(&a)
		bn, bi, bo := key(&b)
		if c := strings.Compare(an, bn); c != 0 {
			return c
		}
		if ao != nil && bo != nil {
			ai, bi = *ao, *bo
		}
		return int(ai - bi)
	})
	return out
}

// ForecastReport is the forecast per period, owner and team.
type ForecastReport struct {
	Period  string          `json:"period"`
	From    Date            `json:"from"`
	To      Date            `json:"to"`
	Today   Date            `json:"today"`
	Basis   ForecastBasis   `json:"basis"`
	Periods []ForecastRow   `json:"periods"`
	Owners  []ForecastGroup `json:"owners"`
	Teams   []ForecastGroup `json:"teams"`
}

// ForecastBasis says where the probabilities come from and how deals fall
// into categories.
type ForecastBasis struct {
	// Probabilities is "playbook" or "calibrated" (stage-to-win rates from
	// the viewer's own finished deals, once there are CalibrationMin).
	Probabilities string `json:"probabilities"`
	FinishedDeals int64  `json:"finished_deals"`
	// ComputedAt is when the finished deals' history was read (it is kept
	// for CalibrationTTL).
	ComputedAt     time.Time       `json:"computed_at"`
	CalibrationMin int             `json:"calibration_min"`
	Stages         []ForecastStage `json:"stages"`
	// Categories maps each category to its stages; slipped takes open deals
	// whose expected close date is before today, out of their category.
	Categories map[string][]string `json:"categories"`
	// DateField is the deal field that places a deal in a period.
	DateField string `json:"date_field"`
}

// ForecastStage is one stage's probability and, when calibrated, the
// history behind it.
type ForecastStage struct {
	Stage           string `json:"stage"`
	PlaybookPercent int    `json:"playbook_percent"`
	// ProbabilityBP is the probability in use, in basis points (1/100 %).
	ProbabilityBP int64 `json:"probability_bp"`
	Finished      int64 `json:"finished"`
	Won           int64 `json:"won"`
}

// ForecastRow is one period's figures per category, with the manager's
// adjustment in force (owner rows only).
type ForecastRow struct {
	Period     string              `json:"period"`
	Categories map[string]Figures  `json:"categories"`
	Adjustment *ForecastAdjustment `json:"adjustment"`
}

// ForecastGroup is an owner's or team's forecast.
type ForecastGroup struct {
	OwnerID *int64        `json:"owner_id,omitempty"`
	TeamID  int64         `json:"team_id"`
	Name    string        `json:"name"`
	Periods []ForecastRow `json:"periods"`
}

// category places a deal's stage in a forecast category.
func (s *Service) category(stage string, slipped bool) string {
	open, won, lost := stageClasses(s.Playbook)
	switch {
	case slices.Contains(won, stage):
		return CatClosed
	case stage == lost:
		return CatOmitted
	case slipped:
		return CatSlipped
	case stage == ReportCommitStage:
		return CatCommit
	case slices.Index(open, stage) >= slices.Index(open, ReportBestCaseStage) && slices.Index(open, ReportBestCaseStage) >= 0:
		return CatBestCase
	}
	return CatPipeline
}

// CalibrationSetting is the settings key of the number of finished deals
// the forecast needs before it calibrates; unset or invalid means
// DefaultCalibrationMin. An installation sets it with the CLI or SQL.
const CalibrationSetting = "report.calibration_min"

// CalibrationTTL is how long the forecast keeps a scope's calibration
// counts (report_calibration) before it reads the history again: the
// history of finished deals changes slowly, and reading it costs seconds
// on a million deals (docs/benchmarks.md).
const CalibrationTTL = time.Hour

// stageWins returns the calibration counts of f's scope: the stored ones
// when younger than CalibrationTTL, else freshly computed and stored.
func (s *Service) stageWins(ctx context.Context, f ReportFilter) ([]StageWin, int64, time.Time, error) {
	key := f.ScopeKey()
	now := s.now()
	wins, finished, at, ok, err := s.Store.CachedStageWins(ctx, key)
	if err != nil {
		return nil, 0, at, err
	}
	if ok && !at.After(now) && now.Sub(at) < CalibrationTTL {
		return wins, finished, at, nil
	}
	wins, finished, err = s.Store.StageWins(ctx, f)
	if err != nil {
		return nil, 0, now, err
	}
	if err := s.Store.SaveStageWins(ctx, key, wins, finished, now); err != nil {
		return nil, 0, now, err
	}
	return wins, finished, now, nil
}

// calibrationMin reads the configured threshold.
func (s *Service) calibrationMin(ctx context.Context) (int, error) {
	v, err := s.Store.Setting(ctx, CalibrationSetting)
	if err != nil {
		return 0, err
	}
	if n, err := strconv.Atoi(v); err == nil && n > 0 {
		return n, nil
	}
	return DefaultCalibrationMin, nil
}

// ReportForecast reports the deals the actor may see by expected close date.
func (s *Service) ReportForecast(ctx context.Context, actor Actor, q ReportQuery) (*ForecastReport, error) {
	f, period, err := s.parseReport(actor, ReportQuery{Period: q.Period, From: q.From, To: q.To, OwnerID: q.OwnerID, TeamID: q.TeamID})
	if err != nil {
		return nil, err
	}
	open, won, lost := stageClasses(s.Playbook)
	f.Stages, f.WonStages, f.LostStage = open, won, lost
	rep := &ForecastReport{Period: period, From: f.From, To: f.To, Today: f.Today}
	basis, bp, err := s.forecastBasis(ctx, f)
	if err != nil {
		return nil, err
	}
	rep.Basis = basis
	rep.Basis.Categories = map[string][]string{}
	for _, st := range s.Playbook.Stages {
		c := s.category(st.Key, false)
		rep.Basis.Categories[c] = append(rep.Basis.Categories[c], st.Key)
	}
	rep.Basis.Categories[CatSlipped] = open
	rep.Basis.DateField = "expected_close_date"

	cells, err := s.Store.ForecastCells(ctx, f)
	if err != nil {
		return nil, err
	}
	ppl, err := s.people(ctx, f.Scope)
	if err != nil {
		return nil, err
	}
	keys := periodsBetween(f.From, f.To, period)
	newRows := func() []ForecastRow {
		rows := make([]ForecastRow, len(keys))
		for i, k := range keys {
			rows[i] = ForecastRow{Period: k, Categories: map[string]Figures{}}
			for _, c := range ForecastCategories {
				rows[i].Categories[c] = Figures{}
			}
		}
		return rows
	}
	rep.Periods = newRows()
	owners := map[int64]*ForecastGroup{}
	teams := map[int64]*ForecastGroup{}
	for _, c := range cells {
		i := slices.Index(keys, periodOf(c.Month, period))
		if i < 0 {
			continue
		}
		cat := s.category(c.Stage, c.Slipped)
		fig := Figures{Count: c.Count, Amount: c.Amount, Weighted: weigh(c.Amount, bp[c.Stage])}
		p := person(ppl, c.OwnerID)
		o := owners[c.OwnerID]
		if o == nil {
			id := c.OwnerID
			o = &ForecastGroup{OwnerID: &id, TeamID: p.TeamID, Name: p.Name, Periods: newRows()}
			owners[c.OwnerID] = o
		}
		t := teams[p.TeamID]
		if t == nil {
			t = &ForecastGroup{TeamID: p.TeamID, Name: p.TeamName, Periods: newRows()}
			teams[p.TeamID] = t
		}
		for _, rows := range [][]ForecastRow{rep.Periods, o.Periods, t.Periods} {
			sum := rows[i].Categories[cat]
			sum.add(fig)
			rows[i].Categories[cat] = sum
		}
	}
	adj, err := s.Store.ForecastAdjustments(ctx, f, "")
	if err != nil {
		return nil, err
	}
	for _, a := range adj { // newest first: the first seen is in force
		i := slices.Index(keys, a.Period)
		if i < 0 {
			continue
		}
		o := owners[a.OwnerID]
		if o == nil {
			p := person(ppl, a.OwnerID)
			id := a.OwnerID
			o = &ForecastGroup{OwnerID: &id, TeamID: p.TeamID, Name: p.Name, Periods: newRows()}
			owners[a.OwnerID] = o
		}
		if o.Periods[i].Adjustment == nil {
			o.Periods[i].Adjustment = a
		}
	}
	rep.Owners = sortedForecast(owners)
	rep.Teams = sortedForecast(teams)
	return rep, nil
}

// sortedForecast orders forecast groups as sortedGroups does.
func sortedForecast(m map[int64]*ForecastGroup) []ForecastGroup {
	return sortedByName(m, func(g *ForecastGroup) (string, int64, *int64) { return g.Name, g.TeamID, g.OwnerID })
}

// forecastBasis decides the probabilities: the playbook's, or — once the
// viewer's history holds calibrationMin finished deals — each stage's
// share of won among the finished deals that reached it. A stage no
// finished deal reached keeps the playbook's probability.
func (s *Service) forecastBasis(ctx context.Context, f ReportFilter) (ForecastBasis, map[string]int64, error) {
	min, err := s.calibrationMin(ctx)
	if err != nil {
		return ForecastBasis{}, nil, err
	}
	b := ForecastBasis{Probabilities: "playbook", CalibrationMin: min}
	wins, finished, at, err := s.stageWins(ctx, f)
	if err != nil {
		return b, nil, err
	}
	b.FinishedDeals, b.ComputedAt = finished, at
	byStage := map[string]StageWin{}
	for _, w := range wins {
		byStage[w.Stage] = w
	}
	calibrated := finished >= int64(min)
	if calibrated {
		b.Probabilities = "calibrated"
	}
	bp := map[string]int64{}
	for _, st := range s.Playbook.Stages {
		fs := ForecastStage{Stage: st.Key, PlaybookPercent: st.Probability, ProbabilityBP: int64(st.Probability) * 100}
		w := byStage[st.Key]
		fs.Finished, fs.Won = w.Finished, w.Won
		// Won and lost stages keep 100 % and 0 %: they are outcomes, not
		// predictions.
		if calibrated && w.Finished > 0 && st.Probability != 100 && st.Key != f.LostStage {
			fs.ProbabilityBP = w.Won * 10000 / w.Finished
		}
		bp[st.Key] = fs.ProbabilityBP
		b.Stages = append(b.Stages, fs)
	}
	return b, bp, nil
}

// ForecastAdjustments lists the adjustments the actor may see, newest
// first; owner_id and period narrow the list.
func (s *Service) ForecastAdjustments(ctx context.Context, actor Actor, ownerID, period string) ([]*ForecastAdjustment, error) {
	f, _, err := s.parseReport(actor, ReportQuery{OwnerID: ownerID})
	if err == nil && period != "" && !validPeriodKey(period) {
		err = &Error{Code: EINVALID, Message: Msg("error.invalid"), Fields: map[string]Message{"period": Msg("report.field.period_key")}}
	}
	if err != nil {
		return nil, err
	}
	return s.Store.ForecastAdjustments(ctx, f, period)
}

// AddForecastAdjustment records a manager's figure for an owner and
// period. Only admins, and managers for members of their own team (and
// themselves), may adjust; reps may not.
func (s *Service) AddForecastAdjustment(ctx context.Context, actor Actor, in ForecastAdjustmentInput) (*ForecastAdjustment, error) {
	if actor.Role == RoleRep {
		return nil, Forbidden()
	}
	in.Note = clean(in.Note)
	var v validator
	if in.OwnerID <= 0 {
		v.add("owner_id", "field.required")
	}
	if !validPeriodKey(in.Period) {
		v.add("period", "report.field.period_key")
	}
	v.money("amount", in.Amount)
	v.maxLen("note", in.Note, MaxText)
	if err := v.err(); err != nil {
		return nil, err
	}
	u, err := s.Store.UserByID(ctx, in.OwnerID)
	if err != nil {
		if ErrorCode(err) == ENOTFOUND {
			return nil, &Error{Code: EINVALID, Message: Msg("error.invalid"), Fields: map[string]Message{"owner_id": Msg("field.unknown_user")}}
		}
		return nil, err
	}
	var team int64
	if u.TeamID != nil {
		team = *u.TeamID
	}
	if !actor.Scope().Covers(u.ID, team) {
		return nil, Forbidden()
	}
	a := &ForecastAdjustment{OwnerID: in.OwnerID, Period: in.Period, Amount: in.Amount, Note: in.Note, CreatedBy: actor.UserID, CreatedAt: s.now()}
	if err := s.Store.AddForecastAdjustment(ctx, a); err != nil {
		return nil, err
	}
	return a, nil
}
