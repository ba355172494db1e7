package crm

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/dealpath/dealpath/internal/playbook"
)

// Reports (issue 6). Every figure is computed by SQL in the store, limited
// to the viewer's Scope (a rep sees own deals, a manager the team's, an
// admin everything); this file validates the parameters, decides what the
// playbook's stages mean for a report and assembles the answers.
//
// How the stages are read (also returned as each report's "basis"):
//   - won stages are those with probability 100 (implementation: contract
//     signed; closed: final payment received);
//   - the lost stage is "lost";
//   - every other stage is open and makes up the pipeline.
//
// Forecast categories of a deal by its expected close date:
//   - closed: in a won stage (the contract is signed);
//   - commit: in stage "commit";
//   - best_case: open, at or past ReportBestCaseStage (negotiation) but
//     before commit;
//   - pipeline: open and before ReportBestCaseStage;
//   - omitted: lost;
//   - slipped: open with an expected close date before today, whatever its
//     stage (it is taken out of commit, best case and pipeline, because a
//     date that already passed is no forecast).

// Report parameter limits.
const (
	// ReportMaxMonths is the longest period a report spans: longer ranges
	// make tables nobody reads and queries nobody needs.
	ReportMaxMonths = 36
	// ReportDefaultIdleDays is how long a deal may go without activity
	// before the activity report lists it, unless idle_days says otherwise.
	ReportDefaultIdleDays = 14
	// ReportListLimit caps the deal lists inside reports (stalled, idle).
	ReportListLimit = 50
	// ReportBestCaseStage is the first stage counted as best case.
	ReportBestCaseStage = "negotiation"
	// ReportCommitStage is the stage counted as commit.
	ReportCommitStage = "commit"
	// DefaultCalibrationMin is how many finished (won or lost) deals the
	// viewer's history needs before the forecast trusts its own stage-to-win
	// rates over the playbook's probabilities.
	DefaultCalibrationMin = 30
)

// Forecast categories.
const (
	CatClosed   = "closed"
	CatCommit   = "commit"
	CatBestCase = "best_case"
	CatPipeline = "pipeline"
	CatOmitted  = "omitted"
	CatSlipped  = "slipped"
)

// ForecastCategories lists the categories in the order reports show them.
var ForecastCategories = []string{CatClosed, CatCommit, CatBestCase, CatPipeline, CatOmitted, CatSlipped}

// ReportQuery is the raw query of a report request; Service.parseReport
// validates it into a ReportFilter and reports every bad field at once.
type ReportQuery struct {
	Period   string // month (default) or quarter
	From, To string // YYYY-MM-DD
	AsOf     string // YYYY-MM-DD, pipeline only
	OwnerID  string
	TeamID   string
	IdleDays string // activity only
}

// ReportFilter is what the store needs to compute a report.
type ReportFilter struct {
	Scope   Scope
	OwnerID *int64
	TeamID  *int64
	// From and To bound the report's dates, both inclusive.
	From, To Date
	// Today is the viewer's today, by the service's clock.
	Today Date
	// Now is the service's clock.
	Now time.Time
	// AsOf, when set, asks for the state at the end of that moment.
	AsOf *time.Time
	// Stages are stage keys the query is about (open stages, won stages…).
	Stages []string
	// WonStages and LostStage classify finished deals.
	WonStages []string
	LostStage string
	// IdleSince is the activity report's cut-off: a deal whose last
	// activity is older is idle.
	IdleSince time.Time
	Limit     int
}

// ScopeKey names the scope and owner and team filters of f, as the key of
// what is computed for exactly these records (the forecast's calibration).
func (f ReportFilter) ScopeKey() string {
	k := "all"
	switch {
	case f.Scope.All:
	case f.Scope.TeamID != 0:
		k = "team:" + strconv.FormatInt(f.Scope.TeamID, 10) + ":" + strconv.FormatInt(f.Scope.OwnerID, 10)
	default:
		k = "owner:" + strconv.FormatInt(f.Scope.OwnerID, 10)
	}
	if f.OwnerID != nil {
		k += "/o:" + strconv.FormatInt(*f.OwnerID, 10)
	}
	if f.TeamID != nil {
		k += "/t:" + strconv.FormatInt(*f.TeamID, 10)
	}
	return k
}

// ReportPerson is a user who owns records in a report, with the team.
type ReportPerson struct {
	ID       int64  `json:"owner_id"`
	Name     string `json:"name"`
	TeamID   int64  `json:"team_id"`
	TeamName string `json:"team_name"`
}

// StageCell is a count and sum of deals of one owner in one stage.
type StageCell struct {
	OwnerID int64
	Stage   string
	Count   int64
	Amount  int64
}

// ForecastCell is a count and sum of deals of one owner, close month and
// stage, split by whether the close date has passed.
type ForecastCell struct {
	OwnerID int64
	Month   string // YYYY-MM
	Stage   string
	Slipped bool
	Count   int64
	Amount  int64
}

// StageWin is the history of one stage: how many finished deals passed
// through it and how many of those were won.
type StageWin struct {
	Stage    string
	Finished int64
	Won      int64
}

// ForecastAdjustment is a manager's own figure for an owner and period,
// kept with who made it and when; the newest one per owner and period is
// the one in force, the older ones are its history.
type ForecastAdjustment struct {
	ID        int64     `json:"id"`
	OwnerID   int64     `json:"owner_id"`
	Period    string    `json:"period"`
	Amount    int64     `json:"amount"`
	Note      string    `json:"note"`
	CreatedBy int64     `json:"created_by"`
	CreatedAt time.Time `json:"created_at"`
}

// ForecastAdjustmentInput records an adjustment.
type ForecastAdjustmentInput struct {
	OwnerID int64  `json:"owner_id"`
	Period  string `json:"period"`
	Amount  int64  `json:"amount"`
	Note    string `json:"note"`
}

// ReportStore computes the reports' figures.
type ReportStore interface {
	// ReportPeople lists the users in the scope with their teams.
	ReportPeople(ctx context.Context, s Scope) ([]ReportPerson, error)
	// PipelineCells groups the deals in f.Stages by owner and stage, as they
	// are now or, with f.AsOf, as they were then (from the audit history).
	PipelineCells(ctx context.Context, f ReportFilter) ([]StageCell, error)
	// ForecastCells groups the deals closing between f.From and f.To by
	// owner, month, stage and whether the date passed before f.Today.
	ForecastCells(ctx context.Context, f ReportFilter) ([]ForecastCell, error)
	// StageWins counts, per stage, the finished deals that reached it and
	// how many of them were won, and the number of finished deals.
	StageWins(ctx context.Context, f ReportFilter) ([]StageWin, int64, error)
	// AddForecastAdjustment stores an adjustment and sets its id.
	// CachedStageWins returns the stored StageWins of a scope key and when
	// they were computed; ok is false when none are stored.
	CachedStageWins(ctx context.Context, key string) (wins []StageWin, finished int64, at time.Time, ok bool, err error)
	// SaveStageWins stores StageWins for a scope key, replacing the last.
	SaveStageWins(ctx context.Context, key string, wins []StageWin, finished int64, at time.Time) error
	// AddForecastAdjustment stores an adjustment and sets its id.
	AddForecastAdjustment(ctx context.Context, a *ForecastAdjustment) error
	// ForecastAdjustments lists adjustments in scope, newest first.
	ForecastAdjustments(ctx context.Context, f ReportFilter, period string) ([]*ForecastAdjustment, error)
	// FunnelReach counts the deals created between f.From and f.To that
	// reached each stage of stageOrder (by the furthest in their history).
	FunnelReach(ctx context.Context, f ReportFilter, stageOrder []string) ([]int64, error)
	// StageStays returns the days of each stay in a stage that ended
	// between f.From and f.To, by stage.
	StageStays(ctx context.Context, f ReportFilter) (map[string][]float64, error)
	// CycleTimes returns the days from creation to the first move into a
	// won stage, for such moves between f.From and f.To.
	CycleTimes(ctx context.Context, f ReportFilter) ([]float64, error)
	// StalledDeals lists up to f.Limit open deals longer in their stage
	// than its max days (longest first) and counts them per stage.
	StalledDeals(ctx context.Context, f ReportFilter, maxDays map[string]int) ([]ReportDeal, map[string]int, error)
	// WinLoss groups the deals decided between f.From and f.To.
	WinLoss(ctx context.Context, f ReportFilter) (*WinLossReport, error)
	// ReceivablesReport sums signed contracts by owner and account.
	ReceivablesReport(ctx context.Context, f ReportFilter) ([]ReceivableCell, error)
	// ActivityCells counts done activities by owner, week and type.
	ActivityCells(ctx context.Context, f ReportFilter) ([]ActivityCell, error)
	// IdleDeals lists up to f.Limit open deals in f.Stages without activity
	// since f.IdleSince (longest idle first) and counts them.
	IdleDeals(ctx context.Context, f ReportFilter) ([]ReportDeal, int, error)
}

// ReportDeal is a deal listed inside a report.
type ReportDeal struct {
	ID      int64  `json:"id"`
	Title   string `json:"title"`
	OwnerID int64  `json:"owner_id"`
	Stage   string `json:"stage"`
	Amount  int64  `json:"amount"`
	// Days is how long it has been: in the stage (stalled) or since the
	// last activity (idle).
	Days int `json:"days"`
}

// Figures is a count with its sum of amounts and probability-weighted sum.
type Figures struct {
	Count    int64 `json:"count"`
	Amount   int64 `json:"amount"`
	Weighted int64 `json:"weighted_amount"`
}

func (m *Figures) add(o Figures) {
	m.Count += o.Count
	m.Amount += o.Amount
	m.Weighted += o.Weighted
}

// weigh returns amount × bp / 10000, rounded down, without overflowing
// on sums of a million deals.
func weigh(amount, bp int64) int64 {
	return amount/10000*bp + amount%10000*bp/10000
}

// stageClasses splits the playbook's stages into open, won and lost.
func stageClasses(pb *playbook.Playbook) (open, won []string, lost string) {
	for _, st := range pb.Stages {
		switch {
		case st.Key == StageLost:
			lost = st.Key
		case st.Probability == 100:
			won = append(won, st.Key)
		default:
			open = append(open, st.Key)
		}
	}
	return open, won, lost
}

// parseReport validates a report query. Dates default to the six months
// starting with the current month.
func (s *Service) parseReport(actor Actor, q ReportQuery) (ReportFilter, string, error) {
	var v validator
	now := s.now()
	today := DateOf(now)
	f := ReportFilter{Scope: actor.Scope(), Today: today, Now: now, Limit: ReportListLimit}
	period := q.Period
	if period == "" {
		period = "month"
	}
	v.oneOf("period", period, []string{"month", "quarter"}, false)
	first := time.Date(today.Year(), today.Month(), 1, 0, 0, 0, 0, time.UTC)
	f.From, f.To = DateOf(first), DateOf(first.AddDate(0, 6, -1))
	parseDate := func(field, s string, dst *Date) {
		if s == "" {
			return
		}
		d, err := ParseDate(s)
		if err != nil {
			v.add(field, "field.date")
			return
		}
		*dst = d
	}
	parseDate("from", q.From, &f.From)
	parseDate("to", q.To, &f.To)
	if !v.has("from") && !v.has("to") {
		if f.To.Before(f.From.Time) {
			v.add("to", "field.end_before_start")
		} else if f.To.After(f.From.AddDate(0, ReportMaxMonths, 0)) {
			v.add("to", "report.field.too_long_range", ReportMaxMonths)
		}
	}
	if q.AsOf != "" {
		var d Date
		parseDate("as_of", q.AsOf, &d)
		if !v.has("as_of") {
			if d.After(today.Time) {
				v.add("as_of", "field.date_past")
			} else {
				end := d.AddDate(0, 0, 1).Add(-time.Microsecond)
				f.AsOf = &end
			}
		}
	}
	parseID := func(field, s string) *int64 {
		if s == "" {
			return nil
		}
		id, err := strconv.ParseInt(s, 10, 64)
		if err != nil || id <= 0 {
			v.add(field, "field.not_number")
			return nil
		}
		return &id
	}
	f.OwnerID = parseID("owner_id", q.OwnerID)
	f.TeamID = parseID("team_id", q.TeamID)
	idle := ReportDefaultIdleDays
	if q.IdleDays != "" {
		n, err := strconv.Atoi(q.IdleDays)
		if err != nil || n < 1 || n > 365 {
			v.add("idle_days", "field.range", 1, 365)
		} else {
			idle = n
		}
	}
	f.IdleSince = now.AddDate(0, 0, -idle)
	if err := v.err(); err != nil {
		return f, "", err
	}
	return f, period, nil
}

// people returns the users the viewer may see in a report, by id.
func (s *Service) people(ctx context.Context, sc Scope) (map[int64]ReportPerson, error) {
	ps, err := s.Store.ReportPeople(ctx, sc)
	if err != nil {
		return nil, err
	}
	m := make(map[int64]ReportPerson, len(ps))
	for _, p := range ps {
		m[p.ID] = p
	}
	return m, nil
}

// person looks up an owner, falling back to the id alone for a user the
// viewer's scope does not list (a manager's deal owned by someone who left
// the team).
func person(m map[int64]ReportPerson, id int64) ReportPerson {
	if p, ok := m[id]; ok {
		return p
	}
	return ReportPerson{ID: id, Name: "#" + strconv.FormatInt(id, 10)}
}

// periodOf turns a month YYYY-MM into the report's period key: the month
// itself or its quarter YYYY-Qn.
func periodOf(month, period string) string {
	if period != "quarter" || len(month) < 7 {
		return month
	}
	m, _ := strconv.Atoi(month[5:7])
	return month[:4] + "-Q" + strconv.Itoa((m-1)/3+1)
}

// periodsBetween lists the period keys from one date to another.
func periodsBetween(from, to Date, period string) []string {
	var out []string
	seen := map[string]bool{}
	for m := time.Date(from.Year(), from.Month(), 1, 0, 0, 0, 0, time.UTC); !m.After(to.Time); m = m.AddDate(0, 1, 0) {
		k := periodOf(m.Format("2006-01"), period)
		if !seen[k] {
			seen[k] = true
			out = append(out, k)
		}
	}
	return out
}

// validPeriodKey reports whether s is a month YYYY-MM or a quarter YYYY-Qn.
func validPeriodKey(s string) bool {
	if len(s) == 7 && s[4] == '-' {
		if s[5] == 'Q' {
			return s[6] >= '1' && s[6] <= '4' && isDigits(s[:4])
		}
		if _, err := time.Parse("2006-01", s); err == nil {
			return true
		}
	}
	return false
}

func isDigits(s string) bool {
	return s != "" && strings.Trim(s, "0123456789") == ""
}

// has reports whether the validator already holds an error for field.
func (v *validator) has(field string) bool {
	_, ok := v.fields[field]
	return ok
}
