// Package playbook is the sales process as data: the stages of a deal with
// their exit gates, the ideal-customer-profile factors, the compelling-event
// catalogue, the qualification questions, the purchase conditions and the
// key-person roles of PLAYBOOK.md, read from a YAML file and evaluated by
// pure functions.
//
// Why data and not code: a company adapts thresholds, questions and gates to
// its own market without a rebuild, and one engine evaluates whatever the
// file says. The package therefore knows the vocabulary of the records
// (stage keys, account fields, role keys) but none of the numbers or texts.
//
// The file format in brief (default.yaml is the complete, commented
// example; Load reports every deviation with its line):
//
//	stages:      the nine stages in order, each with name, guidance,
//	             max_days, probability, checklist and exit: the gate, a list
//	             of criteria, each a kind with params, label and hint
//	fit:         grade cut-offs, factors F1–F6 (rules over account fields
//	             with points and reason templates), disqualifiers
//	events, questions, conditions, key_roles, engagement_steps, pitches:
//	             keyed catalogues
//	labels, health, messages: names, weights and templates of the engine
//
// Every text is a mapping {zh-CN: …, en: …} and both languages are
// required; money is in fen.
//
// The package does no I/O and imports nothing else of dealpath: callers map
// their records to AccountFacts and DealFacts and pass the time in, so every
// result is deterministic and testable. A loaded *Playbook is never modified
// and is safe for concurrent use.
package playbook

import (
	_ "embed"
	"sync"
)

// Playbook is a loaded, validated playbook. Load and Default are the only
// ways to make one: the evaluation methods rely on the validation (every
// reference resolves, every text has both languages).
type Playbook struct {
	Name            Text        `json:"name"`
	Stages          []Stage     `json:"stages"`
	Profile         Profile     `json:"fit"`
	Events          []Event     `json:"events"`
	Questions       []Item      `json:"questions"`
	Conditions      []Item      `json:"conditions"`
	KeyRoles        []KeyRole   `json:"key_roles"`
	EngagementSteps []Item      `json:"engagement_steps"`
	Pitches         []Item      `json:"pitches"`
	Labels          Labels      `json:"labels"`
	HealthRules     HealthRules `json:"health"`
	Messages        Messages    `json:"messages"`
	// Fingerprint identifies the source bytes (a hash), so that a caller can
	// tell when the playbook changed and stored grades must be recomputed.
	Fingerprint string `json:"fingerprint"`

	stageIndex map[string]int
}

// Stage is one step of the sales process. Moving forward out of a stage
// requires its Exit criteria (the gate); see CheckMove.
type Stage struct {
	Key      string `json:"key"`
	Name     Text   `json:"name"`
	Guidance Text   `json:"guidance"`
	// MaxDays is how long a deal may stay before it counts as stalled; 0
	// means never (the end stages).
	MaxDays int `json:"max_days"`
	// Probability is the default win probability of a deal here, 0–100.
	Probability int         `json:"probability"`
	Checklist   []Item      `json:"checklist"`
	Exit        []Criterion `json:"exit"`
}

// Criterion is one condition of a stage's exit gate: a kind the engine
// knows how to evaluate, its parameters, and the texts that tell the user
// what is missing and what to do about it.
type Criterion struct {
	// Key names the criterion within its stage (defaults to the kind); it is
	// what Unmet reports, so API clients can match on it.
	Key    string `json:"key"`
	Kind   string `json:"kind"`
	Params Params `json:"params"`
	Label  Text   `json:"label"`
	Hint   Text   `json:"hint"`
}

// Params holds the parameters of a criterion. Which fields a kind accepts
// is declared in criteria.go; the others stay zero. One flat struct (rather
// than one type per kind) keeps the JSON form simple for API clients.
type Params struct {
	N               int      `json:"n,omitempty"`
	WithImpact      bool     `json:"with_impact,omitempty"`
	Types           []string `json:"types,omitempty"`
	WithKeyPerson   bool     `json:"with_key_person,omitempty"`
	Status          string   `json:"status,omitempty"`
	Roles           []string `json:"roles,omitempty"`
	Stance          string   `json:"stance,omitempty"`
	MinStep         string   `json:"min_step,omitempty"`
	Questions       []string `json:"questions,omitempty"`
	Fields          []string `json:"fields,omitempty"`
	Amount          bool     `json:"amount,omitempty"`
	ApprovalProcess bool     `json:"approval_process,omitempty"`
	WithROI         bool     `json:"with_roi,omitempty"`
	WithNextStep    bool     `json:"with_next_step,omitempty"`
	Grade           string   `json:"grade,omitempty"`
}

// Item is a keyed text: a qualification question, a purchase condition, an
// engagement step, a checklist step, a pitch.
type Item struct {
	Key  string `json:"key"`
	Text Text   `json:"text"`
}

// Event is an entry of the compelling-event catalogue (PLAYBOOK.md §2).
type Event struct {
	Code string `json:"code"`
	Name Text   `json:"name"`
	Text Text   `json:"text"`
}

// KeyRole is one of the functional roles whose holder a rep must find and
// win (PLAYBOOK.md §1.3); Action is the next action shown while nobody on
// the deal fills it.
type KeyRole struct {
	Key    string `json:"key"`
	Name   Text   `json:"name"`
	Action Text   `json:"action"`
}

// Labels names the values that reason templates mention.
type Labels struct {
	// BusinessKind names each business kind, plus "unknown" for an account
	// whose kind is not recorded.
	BusinessKind map[string]Text `json:"business_kind"`
}

// Messages are the engine's own texts that belong to no single record.
type Messages struct {
	// Stalled is the warning for a deal over its stage's max_days; it may
	// use {days} and {max_days}.
	Stalled Text `json:"stalled"`
	// UnknownStage is reported when a move names a stage the playbook does
	// not have; it may use {stage}.
	UnknownStage Text `json:"unknown_stage"`
}

// The vocabulary of the records: the keys that DESIGN.md fixes for the API,
// CSV and the playbook. They are repeated here, not imported, because this
// package imports nothing of ours; a test in the domain package can check
// that both lists agree.
var (
	StageKeys       = []string{"prospecting", "compelling_event", "qualification", "demo", "negotiation", "commit", "implementation", "closed", "lost"}
	BusinessKinds   = []string{"distribution", "manufacturing_sales", "processing", "other"}
	Ownerships      = []string{"foreign", "private", "restructured_soe", "other"}
	SoftwareKinds   = []string{"finance", "inventory", "crm", "erp"}
	PurchasePlans   = []string{"none", "within_6_months", "within_12_months"}
	FunctionalRoles = []string{"general_manager", "cio", "sales_manager", "chief_accountant", "planning_manager", "other"}
	BuyingRoles     = []string{"contact", "participant", "sponsor", "decision_maker", "insider", "supporter"}
	Stances         = []string{"supports", "neutral", "opposes"}
	EngagementSteps = []string{"understand", "materials_sent", "questions_answered", "concerns_known", "relationship_built"}
	ActivityTypes   = []string{"call", "visit", "meeting", "email", "demo", "task"}
	Industries      = []string{"electronics", "machinery", "automotive_parts", "chemicals", "building_materials", "food", "furniture", "printing_packaging", "textiles", "apparel", "pharmaceutical", "medical_devices", "trading", "logistics", "it_services", "other"}
	// DealFields are the deal fields a field_set criterion may require.
	DealFields = []string{"title", "amount", "expected_close_date", "probability", "next_step"}
)

// Stage keys the engine itself gives meaning to: closed ends the path, lost
// is off it.
const (
	StageClosed = "closed"
	StageLost   = "lost"
)

//go:embed default.yaml
var defaultYAML []byte

var defaultPlaybook = sync.OnceValue(func() *Playbook {
	p, err := Load(defaultYAML)
	if err != nil {
		// The embedded file is tested; a failure here is a build defect.
		panic("playbook: embedded default.yaml is invalid: " + err.Error())
	}
	return p
})

// Default returns the embedded default playbook (PLAYBOOK.md as data). It is
// loaded once and shared: callers must not modify it.
func Default() *Playbook { return defaultPlaybook() }

// DefaultSource returns a copy of the embedded default playbook's YAML, for
// download, display and as a starting point for a company's own file.
func DefaultSource() []byte { return append([]byte(nil), defaultYAML...) }

// Stage returns the stage with the key, or nil.
func (p *Playbook) Stage(key string) *Stage {
	i, ok := p.stageIndex[key]
	if !ok {
		return nil
	}
	return &p.Stages[i]
}

// NextStage returns the key of the stage after key on the path, or "" at
// the end of the path, for lost and for unknown keys.
func (p *Playbook) NextStage(key string) string {
	i, ok := p.stageIndex[key]
	if !ok || key == StageLost || key == StageClosed || i+1 >= len(p.Stages) {
		return ""
	}
	return p.Stages[i+1].Key
}

// Question returns the qualification question with the key, or nil.
func (p *Playbook) Question(key string) *Item { return findItem(p.Questions, key) }

// Condition returns the purchase condition with the key, or nil.
func (p *Playbook) Condition(key string) *Item { return findItem(p.Conditions, key) }

// Event returns the catalogue event with the code, or nil.
func (p *Playbook) Event(code string) *Event {
	for i := range p.Events {
		if p.Events[i].Code == code {
			return &p.Events[i]
		}
	}
	return nil
}

// IsKeyRole reports whether a functional role is one of the key-person
// roles of this playbook.
func (p *Playbook) IsKeyRole(role string) bool {
	for _, r := range p.KeyRoles {
		if r.Key == role {
			return true
		}
	}
	return false
}

func findItem(items []Item, key string) *Item {
	for i := range items {
		if items[i].Key == key {
			return &items[i]
		}
	}
	return nil
}
