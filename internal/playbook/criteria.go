package playbook

import (
	"slices"
	"sort"
	"strings"
)

// paramType is the YAML type a criterion parameter must have.
type paramType int

const (
	intParam paramType = iota
	boolParam
	stringParam
	listParam // a list of strings
)

// paramSpec declares one parameter of a criterion kind. Declaring instead
// of hand-parsing each kind gives every kind the same checks (type,
// required, unknown, allowed values) and the same messages.
type paramSpec struct {
	name     string
	noun     string // what a value is, for messages: "question", "deal field"
	typ      paramType
	required bool
	min      int                        // intParam: the lowest value allowed
	allowed  func(p *Playbook) []string // string and list values; nil allows any
	set      func(ps *Params, v any)
}

// kindSpec is a criterion kind: its parameters, their defaults, a check
// across parameters, and the evaluation.
type kindSpec struct {
	params   []paramSpec
	defaults func(ps *Params)
	// validate reports a problem that no single parameter shows, or "".
	validate func(ps *Params) string
	// eval reports whether the deal meets the criterion and, for criteria
	// over several things (roles, questions, fields…), which are missing.
	eval func(p *Playbook, ps *Params, f *DealFacts) (bool, []string)
}

func fixed(values []string) func(*Playbook) []string {
	return func(*Playbook) []string { return values }
}

func questionKeys(p *Playbook) []string { return itemKeys(p.Questions) }

func keyRoleKeys(p *Playbook) []string {
	keys := make([]string, len(p.KeyRoles))
	for i, r := range p.KeyRoles {
		keys[i] = r.Key
	}
	return keys
}

func itemKeys(items []Item) []string {
	keys := make([]string, len(items))
	for i, it := range items {
		keys[i] = it.Key
	}
	return keys
}

// criterionKinds are the kinds a gate may use. Adding a kind here is the
// only code change a new sort of criterion needs.
var criterionKinds = map[string]kindSpec{
	"account_not_disqualified": {
		eval: func(_ *Playbook, _ *Params, f *DealFacts) (bool, []string) { return !f.AccountDisqualified, nil },
	},
	"account_grade_at_least": {
		params: []paramSpec{
			{name: "grade", noun: "grade", typ: stringParam, required: true, allowed: fixed([]string{"A", "B", "C", "D"}), set: func(ps *Params, v any) { ps.Grade = v.(string) }},
		},
		eval: func(_ *Playbook, ps *Params, f *DealFacts) (bool, []string) {
			// Grades sort alphabetically from best to worst.
			return f.AccountGrade != "" && f.AccountGrade <= ps.Grade, nil
		},
	},
	"activity_exists": {
		params: []paramSpec{
			{name: "types", noun: "activity type", typ: listParam, required: true, allowed: fixed(ActivityTypes), set: func(ps *Params, v any) { ps.Types = v.([]string) }},
			{name: "with_key_person", typ: boolParam, set: func(ps *Params, v any) { ps.WithKeyPerson = v.(bool) }},
			{name: "status", noun: "status", typ: stringParam, allowed: fixed([]string{"any", "done", "scheduled"}), set: func(ps *Params, v any) { ps.Status = v.(string) }},
		},
		defaults: func(ps *Params) { ps.Status = "any" },
		eval: func(p *Playbook, ps *Params, f *DealFacts) (bool, []string) {
			for _, a := range f.Activities {
				if !slices.Contains(ps.Types, a.Type) || (ps.WithKeyPerson && !p.IsKeyRole(a.ContactRole)) {
					continue
				}
				switch {
				case ps.Status == "done" && a.Done,
					ps.Status == "scheduled" && a.Scheduled && !a.Done,
					ps.Status == "any" && (a.Done || a.Scheduled):
					return true, nil
				}
			}
			return false, nil
		},
	},
	"deal_role_present": {
		params: []paramSpec{
			{name: "roles", noun: "buying role", typ: listParam, required: true, allowed: fixed(BuyingRoles), set: func(ps *Params, v any) { ps.Roles = v.([]string) }},
			{name: "stance", noun: "stance", typ: stringParam, allowed: fixed(Stances), set: func(ps *Params, v any) { ps.Stance = v.(string) }},
		},
		eval: func(_ *Playbook, ps *Params, f *DealFacts) (bool, []string) {
			return missing(ps.Roles, func(role string) bool {
				return slices.ContainsFunc(f.Contacts, func(c DealContact) bool {
					return c.BuyingRole == role && (ps.Stance == "" || c.Stance == ps.Stance)
				})
			})
		},
	},
	"key_persons_engaged": {
		params: []paramSpec{
			{name: "roles", noun: "key-person role", typ: listParam, allowed: keyRoleKeys, set: func(ps *Params, v any) { ps.Roles = v.([]string) }},
			{name: "min_step", noun: "engagement step", typ: stringParam, allowed: fixed(EngagementSteps), set: func(ps *Params, v any) { ps.MinStep = v.(string) }},
		},
		eval: func(p *Playbook, ps *Params, f *DealFacts) (bool, []string) {
			roles := ps.Roles
			if len(roles) == 0 {
				roles = keyRoleKeys(p)
			}
			least := max(slices.Index(EngagementSteps, ps.MinStep), 0)
			return missing(roles, func(role string) bool {
				return slices.ContainsFunc(f.Contacts, func(c DealContact) bool {
					return c.FunctionalRole == role && slices.Index(EngagementSteps, c.EngagementStep) >= least
				})
			})
		},
	},
	"compelling_events_at_least": {
		params: []paramSpec{
			{name: "n", typ: intParam, required: true, min: 1, set: func(ps *Params, v any) { ps.N = v.(int) }},
			{name: "with_impact", typ: boolParam, set: func(ps *Params, v any) { ps.WithImpact = v.(bool) }},
		},
		eval: func(_ *Playbook, ps *Params, f *DealFacts) (bool, []string) {
			return countEvents(f, ps.WithImpact) >= ps.N, nil
		},
	},
	"questions_answered": {
		params: []paramSpec{
			{name: "questions", noun: "question", typ: listParam, required: true, allowed: questionKeys, set: func(ps *Params, v any) { ps.Questions = v.([]string) }},
		},
		eval: func(_ *Playbook, ps *Params, f *DealFacts) (bool, []string) {
			return missing(ps.Questions, func(q string) bool { return slices.Contains(f.Answered, q) })
		},
	},
	"budget_known": {
		params: []paramSpec{
			{name: "amount", typ: boolParam, set: func(ps *Params, v any) { ps.Amount = v.(bool) }},
			{name: "approval_process", typ: boolParam, set: func(ps *Params, v any) { ps.ApprovalProcess = v.(bool) }},
		},
		defaults: func(ps *Params) { ps.Amount, ps.ApprovalProcess = true, true },
		validate: func(ps *Params) string {
			if !ps.Amount && !ps.ApprovalProcess {
				return "budget_known with amount and approval_process both false requires nothing"
			}
			return ""
		},
		eval: func(_ *Playbook, ps *Params, f *DealFacts) (bool, []string) {
			var miss []string
			if ps.Amount && !f.Budget.AmountKnown {
				miss = append(miss, "amount")
			}
			if ps.ApprovalProcess && !f.Budget.ApprovalProcessKnown {
				miss = append(miss, "approval_process")
			}
			return len(miss) == 0, miss
		},
	},
	"demo_recorded": {
		params: []paramSpec{
			{name: "with_roi", typ: boolParam, set: func(ps *Params, v any) { ps.WithROI = v.(bool) }},
			{name: "with_next_step", typ: boolParam, set: func(ps *Params, v any) { ps.WithNextStep = v.(bool) }},
		},
		eval: func(_ *Playbook, ps *Params, f *DealFacts) (bool, []string) {
			// One demo must carry everything asked for: an ROI sum from one
			// meeting and a next step from another do not make a demo that
			// convinced anyone.
			return slices.ContainsFunc(f.Demos, func(d DemoFact) bool {
				return (!ps.WithROI || d.HasROI) && (!ps.WithNextStep || d.HasNextStep)
			}), nil
		},
	},
	"field_set": {
		params: []paramSpec{
			{name: "fields", noun: "deal field", typ: listParam, required: true, allowed: fixed(DealFields), set: func(ps *Params, v any) { ps.Fields = v.([]string) }},
		},
		eval: func(_ *Playbook, ps *Params, f *DealFacts) (bool, []string) {
			return missing(ps.Fields, func(field string) bool { return slices.Contains(f.FieldsSet, field) })
		},
	},
	"competitors_recorded": {
		params: []paramSpec{
			{name: "n", typ: intParam, min: 1, set: func(ps *Params, v any) { ps.N = v.(int) }},
		},
		defaults: func(ps *Params) { ps.N = 1 },
		eval: func(_ *Playbook, ps *Params, f *DealFacts) (bool, []string) {
			return f.NoCompetitors || f.Competitors >= ps.N, nil
		},
	},
	"conditions_all_met": {
		eval: func(p *Playbook, _ *Params, f *DealFacts) (bool, []string) {
			return missing(itemKeys(p.Conditions), func(k string) bool { return f.Conditions[k] })
		},
	},
	"quote_approved": {
		eval: func(_ *Playbook, _ *Params, f *DealFacts) (bool, []string) { return f.QuoteApproved, nil },
	},
	"contract_signed": {
		eval: func(_ *Playbook, _ *Params, f *DealFacts) (bool, []string) { return f.ContractSigned, nil },
	},
	"final_payment_received": {
		eval: func(_ *Playbook, _ *Params, f *DealFacts) (bool, []string) { return f.FinalPaymentReceived, nil },
	},
}

// CriterionKinds lists the criterion kinds a playbook may use, sorted.
func CriterionKinds() []string {
	kinds := make([]string, 0, len(criterionKinds))
	for k := range criterionKinds {
		kinds = append(kinds, k)
	}
	sort.Strings(kinds)
	return kinds
}

// missing returns the keys that have is false, and whether there are none.
func missing(keys []string, has func(string) bool) (bool, []string) {
	var miss []string
	for _, k := range keys {
		if !has(k) {
			miss = append(miss, k)
		}
	}
	return len(miss) == 0, miss
}

// countEvents counts the deal's compelling events, only those with a
// written impact when withImpact is set.
func countEvents(f *DealFacts, withImpact bool) int {
	n := 0
	for _, e := range f.Events {
		if !withImpact || strings.TrimSpace(e.Impact) != "" {
			n++
		}
	}
	return n
}

// evaluate reports whether the deal meets a criterion and what is missing.
func (p *Playbook) evaluate(c *Criterion, f *DealFacts) (bool, []string) {
	spec, ok := criterionKinds[c.Kind]
	if !ok {
		// Load rejects unknown kinds, so this is a Playbook built by hand;
		// an unknown criterion must never let a deal through.
		return false, nil
	}
	return spec.eval(p, &c.Params, f)
}
