package crm

import (
	"context"
	"math"
	"slices"
)

// FunnelReport is conversion between consecutive stages, time in stage,
// cycle time and stalled deals.
type FunnelReport struct {
	From  Date        `json:"from"`
	To    Date        `json:"to"`
	Basis FunnelBasis `json:"basis"`
	// Steps are the stages of the way to a win in order, with how many of
	// the deals created in the period reached each and the share of those
	// that reached the next (basis points, 0 when none reached it).
	Steps []FunnelStep `json:"steps"`
	// Cycle is days from creation to signing of deals signed in the period.
	Cycle   DayStats      `json:"cycle"`
	Stalled []ReportDeal  `json:"stalled"`
	Counts  []StalledStat `json:"stalled_by_stage"`
}

// FunnelBasis documents the definitions.
type FunnelBasis struct {
	Cohort  string         `json:"cohort"`
	Stays   string         `json:"stays"`
	Cycle   string         `json:"cycle"`
	Stalled string         `json:"stalled"`
	MaxDays map[string]int `json:"max_days"`
}

// FunnelStep is one stage of the funnel.
type FunnelStep struct {
	Stage        string   `json:"stage"`
	Reached      int64    `json:"reached"`
	ConversionBP *int64   `json:"conversion_bp"`
	Days         DayStats `json:"days_in_stage"`
}

// DayStats summarises durations in days (one decimal).
type DayStats struct {
	Count  int     `json:"count"`
	Median float64 `json:"median"`
	P80    float64 `json:"p80"`
}

// StalledStat counts the stalled deals of one stage.
type StalledStat struct {
	Stage   string `json:"stage"`
	MaxDays int    `json:"max_days"`
	Count   int    `json:"count"`
}

// dayStats computes the median and 80th percentile (nearest rank) of days.
func dayStats(days []float64) DayStats {
	if len(days) == 0 {
		return DayStats{}
	}
	slices.Sort(days)
	rank := func(p float64) float64 {
		i := int(math.Ceil(p*float64(len(days)))) - 1
		return math.Round(days[max(i, 0)]*10) / 10
	}
	n := len(days)
	med := days[n/2]
	if n%2 == 0 {
		med = (days[n/2-1] + days[n/2]) / 2
	}
	return DayStats{Count: n, Median: math.Round(med*10) / 10, P80: rank(0.8)}
}

// ReportFunnel reports conversion and velocity over a period.
func (s *Service) ReportFunnel(ctx context.Context, actor Actor, q ReportQuery) (*FunnelReport, error) {
	f, _, err := s.parseReport(actor, ReportQuery{From: q.From, To: q.To, OwnerID: q.OwnerID, TeamID: q.TeamID})
	if err != nil {
		return nil, err
	}
	open, won, lost := stageClasses(s.Playbook)
	f.WonStages, f.LostStage = won, lost
	way := append(slices.Clone(open), won...)
	rep := &FunnelReport{From: f.From, To: f.To, Basis: FunnelBasis{
		Cohort:  "deals created between from and to; a deal reached every stage up to the furthest one in its stage history",
		Stays:   "stays in a stage that ended between from and to, from the stage-change history",
		Cycle:   "days from creation to the first move into a won stage, for moves between from and to",
		Stalled: "open deals now longer in their stage than the stage's max_days",
		MaxDays: map[string]int{},
	}}
	reach, err := s.Store.FunnelReach(ctx, f, way)
	if err != nil {
		return nil, err
	}
	stays, err := s.Store.StageStays(ctx, f)
	if err != nil {
		return nil, err
	}
	for i, st := range way {
		step := FunnelStep{Stage: st, Reached: reach[i], Days: dayStats(stays[st])}
		if i+1 < len(way) {
			var c int64
			if reach[i] > 0 {
				c = reach[i+1] * 10000 / reach[i]
			}
			step.ConversionBP = &c
		}
		rep.Steps = append(rep.Steps, step)
	}
	cycle, err := s.Store.CycleTimes(ctx, f)
	if err != nil {
		return nil, err
	}
	rep.Cycle = dayStats(cycle)
	maxDays := map[string]int{}
	for _, st := range s.Playbook.Stages {
		if slices.Contains(open, st.Key) && st.MaxDays > 0 {
			maxDays[st.Key] = st.MaxDays
			rep.Basis.MaxDays[st.Key] = st.MaxDays
		}
	}
	stalled, counts, err := s.Store.StalledDeals(ctx, f, maxDays)
	if err != nil {
		return nil, err
	}
	rep.Stalled = stalled
	for _, st := range open {
		rep.Counts = append(rep.Counts, StalledStat{Stage: st, MaxDays: maxDays[st], Count: counts[st]})
	}
	return rep, nil
}

// WinLossReport is won against lost deals decided in a period, by reason,
// ICP grade, compelling event and competitor.
type WinLossReport struct {
	From        Date         `json:"from"`
	To          Date         `json:"to"`
	Basis       string       `json:"basis"`
	Total       WinLossRow   `json:"total"`
	Reasons     []WinLossRow `json:"reasons"`
	Grades      []WinLossRow `json:"grades"`
	Events      []WinLossRow `json:"events"`
	Competitors []WinLossRow `json:"competitors"`
}

// WinLossRow is one group's outcome. Key "" is the deals without one (no
// grade, no event, no competitor; won deals have no lost reason).
type WinLossRow struct {
	Key        string `json:"key"`
	Won        int64  `json:"won"`
	Lost       int64  `json:"lost"`
	WonAmount  int64  `json:"won_amount"`
	LostAmount int64  `json:"lost_amount"`
	WinRateBP  int64  `json:"win_rate_bp"`
}

// ReportWinLoss reports the deals decided in the period.
func (s *Service) ReportWinLoss(ctx context.Context, actor Actor, q ReportQuery) (*WinLossReport, error) {
	f, _, err := s.parseReport(actor, ReportQuery{From: q.From, To: q.To, OwnerID: q.OwnerID, TeamID: q.TeamID})
	if err != nil {
		return nil, err
	}
	_, f.WonStages, f.LostStage = stageClasses(s.Playbook)
	rep, err := s.Store.WinLoss(ctx, f)
	if err != nil {
		return nil, err
	}
	rep.From, rep.To = f.From, f.To
	rep.Basis = "deals decided between from and to: lost when moved to lost, won at the first move into a won stage"
	for _, rows := range [][]WinLossRow{rep.Reasons, rep.Grades, rep.Events, rep.Competitors, {rep.Total}} {
		for i := range rows {
			rows[i].rate()
		}
	}
	rep.Total.rate()
	return rep, nil
}

func (r *WinLossRow) rate() {
	if n := r.Won + r.Lost; n > 0 {
		r.WinRateBP = r.Won * 10000 / n
	}
}

// Aging buckets of open receivables, by days past the due date.
const (
	AgeNotDue = "not_due"
	Age0_30   = "0_30"
	Age31_60  = "31_60"
	Age61_90  = "61_90"
	Age90     = "90_plus"
)

// AgingBuckets lists the buckets in order.
var AgingBuckets = []string{AgeNotDue, Age0_30, Age31_60, Age61_90, Age90}

// ReceivableCell is what one owner's signed contracts with one account
// contracted, collected and still owe, the open amount split by age.
type ReceivableCell struct {
	OwnerID    int64
	AccountID  int64
	Account    string
	Contracted int64
	Collected  int64
	Open       int64
	Aging      map[string]int64
}

// ReceivablesReport is contracted, collected and open money of signed
// contracts with aging, by owner and account.
type ReceivablesReport struct {
	Today    Date              `json:"today"`
	Basis    string            `json:"basis"`
	Total    ReceivableFigures `json:"total"`
	Owners   []ReceivableGroup `json:"owners"`
	Accounts []ReceivableGroup `json:"accounts"`
}

// ReceivableFigures are the amounts of a group.
type ReceivableFigures struct {
	Contracted int64            `json:"contracted"`
	Collected  int64            `json:"collected"`
	Open       int64            `json:"open"`
	Aging      map[string]int64 `json:"aging"`
}

func (r *ReceivableFigures) add(c ReceivableCell) {
	r.Contracted += c.Contracted
	r.Collected += c.Collected
	r.Open += c.Open
	if r.Aging == nil {
		r.Aging = newAging()
	}
	for k, v := range c.Aging {
		r.Aging[k] += v
	}
}

func newAging() map[string]int64 {
	m := map[string]int64{}
	for _, b := range AgingBuckets {
		m[b] = 0
	}
	return m
}

// ReceivableGroup is an owner's or an account's figures.
type ReceivableGroup struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
	ReceivableFigures
}

// ReportReceivables reports money of the signed contracts the actor may see.
func (s *Service) ReportReceivables(ctx context.Context, actor Actor, q ReportQuery) (*ReceivablesReport, error) {
	f, _, err := s.parseReport(actor, ReportQuery{OwnerID: q.OwnerID, TeamID: q.TeamID})
	if err != nil {
		return nil, err
	}
	cells, err := s.Store.ReceivablesReport(ctx, f)
	if err != nil {
		return nil, err
	}
	ppl, err := s.people(ctx, f.Scope)
	if err != nil {
		return nil, err
	}
	rep := &ReceivablesReport{Today: f.Today, Total: ReceivableFigures{Aging: newAging()},
		Basis: "contracts signed or completed; open = milestone amount not yet paid, aged by days past its due date (undated: not_due)"}
	owners, accounts := map[int64]*ReceivableGroup{}, map[int64]*ReceivableGroup{}
	for _, c := range cells {
		o := owners[c.OwnerID]
		if o == nil {
			o = &ReceivableGroup{ID: c.OwnerID, Name: person(ppl, c.OwnerID).Name, ReceivableFigures: ReceivableFigures{Aging: newAging()}}
			owners[c.OwnerID] = o
		}
		a := accounts[c.AccountID]
		if a == nil {
			a = &ReceivableGroup{ID: c.AccountID, Name: c.Account, ReceivableFigures: ReceivableFigures{Aging: newAging()}}
			accounts[c.AccountID] = a
		}
		o.add(c)
		a.add(c)
		rep.Total.add(c)
	}
	rep.Owners, rep.Accounts = sortedReceivable(owners), sortedReceivable(accounts)
	return rep, nil
}

func sortedReceivable(m map[int64]*ReceivableGroup) []ReceivableGroup {
	out := make([]ReceivableGroup, 0, len(m))
	for _, g := range m {
		out = append(out, *g)
	}
	slices.SortFunc(out, func(a, b ReceivableGroup) int {
		if a.Name != b.Name {
			if a.Name < b.Name {
				return -1
			}
			return 1
		}
		return int(a.ID - b.ID)
	})
	return out
}

// ActivityCell counts one owner's activities of one type in one week.
type ActivityCell struct {
	OwnerID int64
	Week    string // the Monday, YYYY-MM-DD
	Type    string
	Count   int64
}

// ActivityReport is activities per rep per week by type, and the open
// deals without activity for IdleDays days.
type ActivityReport struct {
	From      Date          `json:"from"`
	To        Date          `json:"to"`
	IdleDays  int           `json:"idle_days"`
	Basis     string        `json:"basis"`
	Types     []string      `json:"types"`
	Weeks     []string      `json:"weeks"`
	Owners    []ActivityRow `json:"owners"`
	Idle      []ReportDeal  `json:"idle_deals"`
	IdleTotal int           `json:"idle_total"`
}

// ActivityRow is one owner's activity per week and type.
type ActivityRow struct {
	OwnerID int64                       `json:"owner_id"`
	Name    string                      `json:"name"`
	TeamID  int64                       `json:"team_id"`
	Total   int64                       `json:"total"`
	Weeks   map[string]map[string]int64 `json:"weeks"`
}

// ReportActivity reports done activities per owner, week and type, and the idle
// deals.
func (s *Service) ReportActivity(ctx context.Context, actor Actor, q ReportQuery) (*ActivityReport, error) {
	f, _, err := s.parseReport(actor, ReportQuery{From: q.From, To: q.To, OwnerID: q.OwnerID, TeamID: q.TeamID, IdleDays: q.IdleDays})
	if err != nil {
		return nil, err
	}
	f.Stages, _, _ = stageClasses(s.Playbook)
	cells, err := s.Store.ActivityCells(ctx, f)
	if err != nil {
		return nil, err
	}
	ppl, err := s.people(ctx, f.Scope)
	if err != nil {
		return nil, err
	}
	idleDays := int(f.Now.Sub(f.IdleSince).Hours()/24 + 0.5)
	rep := &ActivityReport{From: f.From, To: f.To, IdleDays: idleDays, Types: ActivityTypes,
		Basis: "activities done between from and to, by the Monday of their week (UTC); idle: open deals whose last activity (or creation) is older than idle_days"}
	for d := f.From.AddDate(0, 0, -((int(f.From.Weekday()) + 6) % 7)); !d.After(f.To.Time); d = d.AddDate(0, 0, 7) {
		rep.Weeks = append(rep.Weeks, d.Format(DateLayout))
	}
	rows := map[int64]*ActivityRow{}
	for _, c := range cells {
		r := rows[c.OwnerID]
		if r == nil {
			p := person(ppl, c.OwnerID)
			r = &ActivityRow{OwnerID: c.OwnerID, Name: p.Name, TeamID: p.TeamID, Weeks: map[string]map[string]int64{}}
			rows[c.OwnerID] = r
		}
		if r.Weeks[c.Week] == nil {
			r.Weeks[c.Week] = map[string]int64{}
		}
		r.Weeks[c.Week][c.Type] += c.Count
		r.Total += c.Count
	}
	for _, r := range rows {
		rep.Owners = append(rep.Owners, *r)
	}
	slices.SortFunc(rep.Owners, func(a, b ActivityRow) int {
		if a.Name != b.Name {
			if a.Name < b.Name {
				return -1
			}
			return 1
		}
		return int(a.OwnerID - b.OwnerID)
	})
	if rep.Owners == nil {
		rep.Owners = []ActivityRow{}
	}
	rep.Idle, rep.IdleTotal, err = s.Store.IdleDeals(ctx, f)
	if err != nil {
		return nil, err
	}
	return rep, nil
}
