package playbook

import "slices"

// Profile is the ideal customer profile (PLAYBOOK.md §1.1): factors made
// of scoring rules, the grade cut-offs and the disqualifiers. Fit scores an
// account against it.
type Profile struct {
	Grades        Grades         `json:"grades"`
	Factors       []Factor       `json:"factors"`
	Disqualifiers []Disqualifier `json:"disqualifiers"`
}

// Grades are the lowest scores of grades A, B and C; anything below C is D.
type Grades struct {
	A int `json:"A"`
	B int `json:"B"`
	C int `json:"C"`
}

// Factor is one of the six factors (F1–F6): the sum of its rules.
type Factor struct {
	Key   string `json:"key"`
	Name  Text   `json:"name"`
	Rules []Rule `json:"rules"`
}

// Rule scores one account field.
//
// A numeric field (headcount, branch_count, revenue_last_year,
// gross_profit; money in fen) earns Points when it is at least Min, or at
// least MinByBusinessKind[kind] for the account's business kind; Text
// explains the outcome with {value}, {min} and {business_kind}. Only
// numeric rules have a Text.
//
// A value field (ownership, business_kind, purchase_plan) earns the points
// of its value in Values and is explained by that value's text. A list
// field (existing_software) earns the points of its best value and is
// explained by the texts of all its values.
//
// Unknown explains an unknown value (or, for a list, an empty one), which
// earns nothing.
type Rule struct {
	Field             string           `json:"field"`
	Min               int64            `json:"min,omitempty"`
	MinByBusinessKind map[string]int64 `json:"min_by_business_kind,omitempty"`
	Points            int              `json:"points,omitempty"`
	Values            []ValuePoints    `json:"values,omitempty"`
	Text              *Text            `json:"text,omitempty"`
	Unknown           Text             `json:"unknown"`
}

// ValuePoints is the score and explanation of one value of a field.
type ValuePoints struct {
	Key    string `json:"key"`
	Points int    `json:"points"`
	Text   Text   `json:"text"`
}

// Disqualifier rules an account out. Kind "industry" matches the listed
// industries; kind "just_restructured" matches a state-owned company
// restructured within WithinDays (or flagged as just restructured).
type Disqualifier struct {
	Key        string   `json:"key"`
	Kind       string   `json:"kind"`
	Industries []string `json:"industries,omitempty"`
	WithinDays int      `json:"within_days,omitempty"`
	Reason     Text     `json:"reason"`
}

// The field sets a rule can score, by how they are scored.
var (
	numericFields = []string{"headcount", "branch_count", "revenue_last_year", "gross_profit"}
	moneyFields   = []string{"revenue_last_year", "gross_profit"}
	valueFields   = map[string][]string{"ownership": Ownerships, "business_kind": BusinessKinds, "purchase_plan": PurchasePlans}
	listFields    = map[string][]string{"existing_software": SoftwareKinds}
)

// IsMoney reports whether the rule's field is an amount in fen.
func (r *Rule) IsMoney() bool { return slices.Contains(moneyFields, r.Field) }

// Max is the most a rule can earn.
func (r *Rule) Max() int {
	if len(r.Values) == 0 {
		return r.Points
	}
	m := 0
	for _, v := range r.Values {
		m = max(m, v.Points)
	}
	return m
}

// Max is the most a factor can earn.
func (f *Factor) Max() int {
	total := 0
	for i := range f.Rules {
		total += f.Rules[i].Max()
	}
	return total
}

// FitResult is an account's score against the profile, explained.
type FitResult struct {
	// Score is 0–100: the sum of the factors' points.
	Score int `json:"score"`
	// Grade is A–D; always D when the account is disqualified.
	Grade         string             `json:"grade"`
	Disqualified  bool               `json:"disqualified"`
	Factors       []FactorScore      `json:"factors"`
	Disqualifiers []Disqualification `json:"disqualifiers"`
}

// FactorScore is one factor's share of the score, with the reason in words
// that show the account's actual values against the thresholds.
type FactorScore struct {
	Key    string `json:"key"`
	Name   Text   `json:"name"`
	Points int    `json:"points"`
	Max    int    `json:"max"`
	Reason Text   `json:"reason"`
}

// Disqualification is a disqualifier that applies to the account.
type Disqualification struct {
	Key    string `json:"key"`
	Reason Text   `json:"reason"`
}

// Fit scores an account against the playbook's ideal customer profile.
func (p *Playbook) Fit(a AccountFacts) FitResult { return p.fit(a, true) }

// Score is Fit without the explanation: the score and grade alone, which
// is what a bulk import stores for tens of thousands of accounts, at a
// fraction of the cost of rendering every reason.
func (p *Playbook) Score(a AccountFacts) (score int, grade string) {
	res := p.fit(a, false)
	return res.Score, res.Grade
}

func (p *Playbook) fit(a AccountFacts, explain bool) FitResult {
	res := FitResult{Factors: []FactorScore{}, Disqualifiers: []Disqualification{}}
	for i := range p.Profile.Factors {
		f := &p.Profile.Factors[i]
		fs := FactorScore{Key: f.Key, Name: f.Name, Max: f.Max()}
		reasons := make([]Text, 0, len(f.Rules))
		for j := range f.Rules {
			pts, why := p.scoreRule(&f.Rules[j], a, explain)
			fs.Points += pts
			reasons = append(reasons, why)
		}
		if explain {
			fs.Reason = join(reasons, "；", "; ")
		}
		res.Score += fs.Points
		res.Factors = append(res.Factors, fs)
	}
	res.Score = min(max(res.Score, 0), 100)
	for _, d := range p.Profile.Disqualifiers {
		if d.applies(a) {
			res.Disqualifiers = append(res.Disqualifiers, Disqualification{Key: d.Key, Reason: d.Reason})
		}
	}
	res.Disqualified = len(res.Disqualifiers) > 0
	res.Grade = p.Profile.Grades.grade(res.Score)
	if res.Disqualified {
		res.Grade = "D"
	}
	return res
}

func (g Grades) grade(score int) string {
	switch {
	case score >= g.A:
		return "A"
	case score >= g.B:
		return "B"
	case score >= g.C:
		return "C"
	}
	return "D"
}

// scoreRule returns a rule's points for the account and, when explain is
// set, why.
func (p *Playbook) scoreRule(r *Rule, a AccountFacts, explain bool) (int, Text) {
	switch {
	case slices.Contains(numericFields, r.Field):
		v, ok := numericValue(r.Field, a)
		if !ok {
			return 0, r.Unknown
		}
		threshold := r.Min
		if m, ok := r.MinByBusinessKind[a.BusinessKind]; ok {
			threshold = m
		}
		kind, ok := p.Labels.BusinessKind[a.BusinessKind]
		if !ok || a.BusinessKind == "" {
			kind = p.Labels.BusinessKind["unknown"]
		}
		var why Text
		if explain {
			show := number[int64]
			if r.IsMoney() {
				show = Money
			}
			why = r.Text.render(map[string]Text{"value": show(v), "min": show(threshold), "business_kind": kind})
		}
		if v >= threshold {
			return r.Points, why
		}
		return 0, why
	case listFields[r.Field] != nil:
		best, texts := 0, []Text{}
		for _, vp := range r.Values {
			if slices.Contains(a.ExistingSoftware, vp.Key) {
				best = max(best, vp.Points)
				texts = append(texts, vp.Text)
			}
		}
		if len(texts) == 0 {
			return 0, r.Unknown
		}
		return best, join(texts, "、", ", ")
	default:
		v := valueOf(r.Field, a)
		for _, vp := range r.Values {
			if vp.Key == v {
				return vp.Points, vp.Text
			}
		}
		return 0, r.Unknown
	}
}

func numericValue(field string, a AccountFacts) (int64, bool) {
	var ip *int
	switch field {
	case "headcount":
		ip = a.Headcount
	case "branch_count":
		ip = a.BranchCount
	case "revenue_last_year":
		if a.RevenueLastYear != nil {
			return *a.RevenueLastYear, true
		}
		return 0, false
	case "gross_profit":
		if a.GrossProfit != nil {
			return *a.GrossProfit, true
		}
		return 0, false
	}
	if ip == nil {
		return 0, false
	}
	return int64(*ip), true
}

func valueOf(field string, a AccountFacts) string {
	switch field {
	case "ownership":
		return a.Ownership
	case "business_kind":
		return a.BusinessKind
	case "purchase_plan":
		return a.PurchasePlan
	}
	return ""
}

func (d *Disqualifier) applies(a AccountFacts) bool {
	switch d.Kind {
	case "industry":
		return a.Industry != "" && slices.Contains(d.Industries, a.Industry)
	case "just_restructured":
		if a.JustRestructured {
			return true
		}
		// The date alone is evidence only for a restructured state-owned
		// company, and only when the caller said what "now" is.
		if a.Ownership != "restructured_soe" || a.RestructuredOn == nil || a.AsOf.IsZero() {
			return false
		}
		limit := a.RestructuredOn.AddDate(0, 0, d.WithinDays)
		return !a.AsOf.Before(*a.RestructuredOn) && !a.AsOf.After(limit)
	}
	return false
}
