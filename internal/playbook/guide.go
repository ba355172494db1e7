package playbook

import (
	"slices"
	"strconv"
	"time"
)

// Guidance tells a rep where a deal stands and what to do next.
type Guidance struct {
	Stage     string `json:"stage"`
	Name      Text   `json:"name"`
	Guidance  Text   `json:"guidance"`
	Checklist []Item `json:"checklist"`
	// NextStage is the stage the deal moves to when its gate holds ("" at
	// the end of the path and for lost).
	NextStage string `json:"next_stage"`
	// Unmet are the criteria of this stage's exit gate not yet met.
	Unmet []Unmet `json:"unmet"`
	// NextActions is what to do, most important first.
	NextActions []Action `json:"next_actions"`
	DaysInStage int      `json:"days_in_stage"`
	MaxDays     int      `json:"max_days"`
	Stalled     bool     `json:"stalled"`
	// KeyPersonGaps are the key-person roles nobody on the deal fills.
	KeyPersonGaps []string        `json:"key_person_gaps"`
	KeyPersons    []KeyPersonSlot `json:"key_persons"`
}

// Action is one next action. Kind says where it comes from: "criterion"
// (an unmet gate criterion; Key is its key), "key_person" (a key-person
// role nobody fills; Key is the role) or "stalled" (the deal is over its
// stage's time).
type Action struct {
	Kind string `json:"kind"`
	Key  string `json:"key"`
	Text Text   `json:"text"`
}

// The kinds of Action.
const (
	ActionCriterion = "criterion"
	ActionKeyPerson = "key_person"
	ActionStalled   = "stalled"
)

// KeyPersonSlot is one key-person role of a deal and the contacts who fill
// it, with their buying role, stance and engagement step.
type KeyPersonSlot struct {
	Role     string        `json:"role"`
	Name     Text          `json:"name"`
	Filled   bool          `json:"filled"`
	Contacts []DealContact `json:"contacts"`
}

// KeyPersonMap lists, for each key-person role in the playbook's order, who
// on the deal fills it, or that nobody does.
func (p *Playbook) KeyPersonMap(contacts []DealContact) []KeyPersonSlot {
	slots := make([]KeyPersonSlot, 0, len(p.KeyRoles))
	for _, r := range p.KeyRoles {
		s := KeyPersonSlot{Role: r.Key, Name: r.Name, Contacts: []DealContact{}}
		for _, c := range contacts {
			if c.FunctionalRole == r.Key {
				s.Contacts = append(s.Contacts, c)
			}
		}
		s.Filled = len(s.Contacts) > 0
		slots = append(slots, s)
	}
	return slots
}

// keyPersonGaps returns the key-person roles nobody on the deal fills.
func (p *Playbook) keyPersonGaps(contacts []DealContact) []string {
	gaps := []string{}
	for _, s := range p.KeyPersonMap(contacts) {
		if !s.Filled {
			gaps = append(gaps, s.Role)
		}
	}
	return gaps
}

// daysBetween counts whole days from then to now, never negative.
func daysBetween(then, now time.Time) int {
	if now.Before(then) {
		return 0
	}
	return int(now.Sub(then) / (24 * time.Hour))
}

// Guide returns the guidance for a deal in a stage: the stage's text, what
// its gate still lacks, the next actions ranked (the gate first, because
// that is what moves the deal; then the missing key persons, who decide
// later gates; then the stalled warning), the days in the stage and the
// key-person gaps. The end stages (closed, lost) have no actions.
func (p *Playbook) Guide(stage string, f DealFacts, now, stageEnteredAt time.Time) Guidance {
	s := p.Stage(stage)
	if s == nil {
		msg := p.Messages.UnknownStage.render(map[string]Text{"stage": same(stage)})
		return Guidance{Stage: stage, Unmet: []Unmet{{Stage: stage, Key: UnknownStageKey, Label: msg, Hint: msg}},
			NextActions: []Action{}, KeyPersonGaps: []string{}, KeyPersons: []KeyPersonSlot{}, Checklist: []Item{}}
	}
	g := Guidance{
		// The checklist is copied: a caller that edits its Guidance must
		// not edit the shared playbook.
		Stage: s.Key, Name: s.Name, Guidance: s.Guidance, Checklist: slices.Clone(s.Checklist), NextStage: p.NextStage(s.Key),
		Unmet: p.gate(s, &f), NextActions: []Action{}, KeyPersonGaps: []string{},
		DaysInStage: daysBetween(stageEnteredAt, now), MaxDays: s.MaxDays,
		KeyPersons: p.KeyPersonMap(f.Contacts),
	}
	if g.Unmet == nil {
		g.Unmet = []Unmet{}
	}
	if g.Checklist == nil {
		g.Checklist = []Item{}
	}
	if s.Key == StageClosed || s.Key == StageLost {
		return g
	}
	g.Stalled = s.MaxDays > 0 && g.DaysInStage > s.MaxDays
	for _, u := range g.Unmet {
		g.NextActions = append(g.NextActions, Action{Kind: ActionCriterion, Key: u.Key, Text: u.Hint})
	}
	g.KeyPersonGaps = p.keyPersonGaps(f.Contacts)
	for _, role := range g.KeyPersonGaps {
		for _, r := range p.KeyRoles {
			if r.Key == role {
				g.NextActions = append(g.NextActions, Action{Kind: ActionKeyPerson, Key: role, Text: r.Action})
			}
		}
	}
	if g.Stalled {
		msg := p.Messages.Stalled.render(map[string]Text{
			"days": same(strconv.Itoa(g.DaysInStage)), "max_days": same(strconv.Itoa(s.MaxDays)),
		})
		g.NextActions = append(g.NextActions, Action{Kind: ActionStalled, Key: ActionStalled, Text: msg})
	}
	return g
}
