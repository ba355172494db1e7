package playbook

import (
	"strconv"
	"time"
)

// HealthRules weigh the parts of a deal's health score. The weights add up
// to 100, so the score reads as a percentage.
type HealthRules struct {
	Weights HealthWeights `json:"weights"`
	// EventsForFull is how many compelling events with an impact earn the
	// full events weight.
	EventsForFull int `json:"events_for_full"`
	// RecencyFullDays: an activity at most this old earns the full recency
	// weight; RecencyZeroDays: at least this old earns nothing; linear in
	// between.
	RecencyFullDays int `json:"recency_full_days"`
	RecencyZeroDays int `json:"recency_zero_days"`
	// SlipPenalty is what each move of the expected close date costs.
	SlipPenalty int         `json:"slip_penalty"`
	Texts       HealthTexts `json:"texts"`
}

// HealthWeights are the maximum points of each part.
type HealthWeights struct {
	Gate       int `json:"gate"`
	Events     int `json:"events"`
	KeyPersons int `json:"key_persons"`
	Recency    int `json:"recency"`
	StageTime  int `json:"stage_time"`
	Slips      int `json:"slips"`
}

// HealthTexts explain each part; the placeholders each may use are in
// healthPlaceholders.
type HealthTexts struct {
	Gate       Text `json:"gate"`
	Events     Text `json:"events"`
	KeyPersons Text `json:"key_persons"`
	Recency    Text `json:"recency"`
	NoActivity Text `json:"no_activity"`
	StageTime  Text `json:"stage_time"`
	Slips      Text `json:"slips"`
}

// Health is a deal's health score and its parts.
type Health struct {
	Score int          `json:"score"`
	Parts []HealthPart `json:"parts"`
}

// HealthPart is one part of the health score, explained. Key is one of
// gate, events, key_persons, recency, stage_time, slips.
type HealthPart struct {
	Key    string `json:"key"`
	Points int    `json:"points"`
	Max    int    `json:"max"`
	Reason Text   `json:"reason"`
}

// share returns round(weight × num / den), with num clamped to [0, den].
func share(weight, num, den int) int {
	if den <= 0 {
		return weight
	}
	num = min(max(num, 0), den)
	return (2*weight*num + den) / (2 * den)
}

// Health scores how well a deal in a stage is doing: how much of the
// stage's gate holds, whether compelling events are written down, how many
// key-person roles are covered, how recent the last activity is (nil: none
// yet), whether the deal overstays its stage, and how often its expected
// close date has slipped.
func (p *Playbook) Health(stage string, f DealFacts, now, stageEnteredAt time.Time, lastActivityAt *time.Time, closeDateSlips int) Health {
	w, t := p.HealthRules.Weights, p.HealthRules.Texts
	n := func(i int) Text { return same(strconv.Itoa(i)) }
	var parts []HealthPart

	// A stage without a gate (the end stages) has nothing left to do; an
	// unknown stage earns nothing rather than a full score.
	total, met, gatePoints := 0, 0, 0
	if s := p.Stage(stage); s != nil {
		total = len(s.Exit)
		met = total - len(p.gate(s, &f))
		gatePoints = share(w.Gate, met, total)
	}
	parts = append(parts, HealthPart{Key: "gate", Max: w.Gate, Points: gatePoints,
		Reason: t.Gate.render(map[string]Text{"met": n(met), "total": n(total)})})

	events := countEvents(&f, true)
	parts = append(parts, HealthPart{Key: "events", Max: w.Events, Points: share(w.Events, events, p.HealthRules.EventsForFull),
		Reason: t.Events.render(map[string]Text{"n": n(events), "target": n(p.HealthRules.EventsForFull)})})

	filled := len(p.KeyRoles) - len(p.keyPersonGaps(f.Contacts))
	parts = append(parts, HealthPart{Key: "key_persons", Max: w.KeyPersons, Points: share(w.KeyPersons, filled, len(p.KeyRoles)),
		Reason: t.KeyPersons.render(map[string]Text{"n": n(filled), "total": n(len(p.KeyRoles))})})

	rec := HealthPart{Key: "recency", Max: w.Recency, Reason: t.NoActivity}
	if lastActivityAt != nil {
		days := daysBetween(*lastActivityAt, now)
		full, zero := p.HealthRules.RecencyFullDays, p.HealthRules.RecencyZeroDays
		rec.Points = share(w.Recency, zero-days, zero-full)
		rec.Reason = t.Recency.render(map[string]Text{"days": n(days)})
	}
	parts = append(parts, rec)

	// Overstaying costs the stage-time points gradually: none at max_days,
	// all of them at twice max_days. A stage without a limit never costs.
	days, maxDays := daysBetween(stageEnteredAt, now), 0
	if s := p.Stage(stage); s != nil && stage != StageClosed && stage != StageLost {
		maxDays = s.MaxDays
	}
	st := HealthPart{Key: "stage_time", Max: w.StageTime, Points: w.StageTime,
		Reason: t.StageTime.render(map[string]Text{"days": n(days), "max_days": n(maxDays)})}
	if maxDays > 0 {
		st.Points = share(w.StageTime, 2*maxDays-days, maxDays)
	}
	parts = append(parts, st)

	slips := max(closeDateSlips, 0)
	parts = append(parts, HealthPart{Key: "slips", Max: w.Slips, Points: max(w.Slips-slips*p.HealthRules.SlipPenalty, 0),
		Reason: t.Slips.render(map[string]Text{"n": n(slips)})})

	h := Health{Parts: parts}
	for _, part := range parts {
		h.Score += part.Points
	}
	h.Score = min(max(h.Score, 0), 100)
	return h
}

// healthPlaceholders are the placeholders each health text may use.
var healthPlaceholders = map[string][]string{
	"gate":        {"met", "total"},
	"events":      {"n", "target"},
	"key_persons": {"n", "total"},
	"recency":     {"days"},
	"no_activity": nil,
	"stage_time":  {"days", "max_days"},
	"slips":       {"n"},
}
