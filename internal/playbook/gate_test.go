package playbook

import (
	"reflect"
	"strings"
	"testing"
)

// keys returns "stage/key" of each unmet criterion, with its missing parts.
func keys(unmet []Unmet) []string {
	out := []string{}
	for _, u := range unmet {
		k := u.Stage + "/" + u.Key
		if len(u.Missing) > 0 {
			k += "[" + strings.Join(u.Missing, ",") + "]"
		}
		out = append(out, k)
	}
	return out
}

// fullFacts is a deal that meets every gate of the default playbook.
func fullFacts() DealFacts {
	return DealFacts{
		Activities: []ActivityFact{{Type: "meeting", Scheduled: true, ContactRole: "general_manager"}},
		Events:     []EventFact{{Code: "CE1", Impact: "订单量翻倍，手工对账跟不上"}},
		Contacts: []DealContact{
			{ContactID: 1, FunctionalRole: "general_manager", BuyingRole: "decision_maker", Stance: "supports", EngagementStep: "relationship_built"},
			{ContactID: 2, FunctionalRole: "cio", BuyingRole: "sponsor", Stance: "supports", EngagementStep: "concerns_known"},
		},
		Answered:       []string{"requirements", "key_problems"},
		Budget:         BudgetFact{AmountKnown: true, ApprovalProcessKnown: true},
		Demos:          []DemoFact{{HasROI: true, HasNextStep: true}},
		QuoteApproved:  true,
		FieldsSet:      []string{"amount", "expected_close_date"},
		Competitors:    2,
		Conditions:     map[string]bool{"solution_fits": true, "no_competitors": true, "commercial_clear": true, "timeline_confirmed": true, "stakeholders_support": true, "implementation_plan_confirmed": true},
		ContractSigned: true, FinalPaymentReceived: true,
	}
}

// TestWalkDealThroughGates moves one deal from prospecting to closed on the
// default playbook: each gate first refuses, listing exactly what is
// missing, then holds once the facts are there.
func TestWalkDealThroughGates(t *testing.T) {
	p := Default()
	var f DealFacts
	steps := []struct {
		from, to string
		before   func(f *DealFacts) // makes the gate fail in a specific way
		unmet    []string
		satisfy  func(f *DealFacts)
	}{
		{"prospecting", "compelling_event", func(f *DealFacts) { f.AccountDisqualified = true },
			[]string{"prospecting/account_not_disqualified", "prospecting/meeting_with_key_person"},
			func(f *DealFacts) {
				f.AccountDisqualified = false
				f.Activities = []ActivityFact{{Type: "visit", Done: true, ContactRole: "chief_accountant"}}
			}},
		{"compelling_event", "qualification", func(f *DealFacts) { f.Events = []EventFact{{Code: "CE3", Impact: "  "}} },
			[]string{"compelling_event/compelling_event"},
			func(f *DealFacts) { f.Events = []EventFact{{Code: "CE3", Impact: "旧系统每月停机两次"}} }},
		{"qualification", "demo", func(f *DealFacts) {
			f.Contacts = []DealContact{{ContactID: 7, FunctionalRole: "general_manager", BuyingRole: "decision_maker"}}
			f.Answered = []string{"budget"}
			f.Budget.AmountKnown = true
		},
			[]string{"qualification/decision_maker_and_sponsor[sponsor]", "qualification/requirements_and_problems[requirements,key_problems]", "qualification/budget_known[approval_process]"},
			func(f *DealFacts) {
				f.Contacts = append(f.Contacts, DealContact{ContactID: 8, FunctionalRole: "cio", BuyingRole: "sponsor"})
				f.Answered = append(f.Answered, "requirements", "key_problems")
				f.Budget.ApprovalProcessKnown = true
			}},
		{"demo", "negotiation", func(f *DealFacts) { f.Demos = []DemoFact{{HasROI: true}, {HasNextStep: true}} },
			[]string{"demo/demo_recorded"},
			func(f *DealFacts) { f.Demos = append(f.Demos, DemoFact{HasROI: true, HasNextStep: true}) }},
		{"negotiation", "commit", func(f *DealFacts) { f.FieldsSet = []string{"amount"} },
			[]string{"negotiation/quote_approved", "negotiation/expected_close_date[expected_close_date]", "negotiation/competitors_recorded"},
			func(f *DealFacts) {
				f.QuoteApproved = true
				f.FieldsSet = append(f.FieldsSet, "expected_close_date")
				f.NoCompetitors = true
			}},
		{"commit", "implementation", func(f *DealFacts) {
			f.Conditions = map[string]bool{"solution_fits": true, "no_competitors": true, "commercial_clear": true, "timeline_confirmed": true, "stakeholders_support": false}
		},
			[]string{"commit/conditions_all_met[stakeholders_support,implementation_plan_confirmed]", "commit/contract_signed"},
			func(f *DealFacts) {
				f.Conditions["stakeholders_support"] = true
				f.Conditions["implementation_plan_confirmed"] = true
				f.ContractSigned = true
			}},
		{"implementation", "closed", func(*DealFacts) {},
			[]string{"implementation/final_payment_received"},
			func(f *DealFacts) { f.FinalPaymentReceived = true }},
	}
	for _, st := range steps {
		st.before(&f)
		if got := keys(p.CheckMove(st.from, st.to, f)); !reflect.DeepEqual(got, st.unmet) {
			t.Fatalf("%s → %s: unmet = %v, want %v", st.from, st.to, got, st.unmet)
		}
		for _, u := range p.CheckMove(st.from, st.to, f) {
			if u.Label.ZH == "" || u.Label.EN == "" || u.Hint.ZH == "" || u.Hint.EN == "" || u.Kind == "" {
				t.Errorf("%s → %s: unmet %+v lacks texts", st.from, st.to, u)
			}
		}
		st.satisfy(&f)
		if got := p.CheckMove(st.from, st.to, f); len(got) != 0 {
			t.Fatalf("%s → %s after satisfying: unmet = %v", st.from, st.to, keys(got))
		}
	}
	// Every gate now holds, so one jump over all of them does too.
	if got := p.CheckMove("prospecting", "closed", f); len(got) != 0 {
		t.Errorf("prospecting → closed: %v", keys(got))
	}
}

func TestMeetingCriterion(t *testing.T) {
	p := Default()
	cases := []struct {
		name string
		act  ActivityFact
		ok   bool
	}{
		{"meeting held with GM", ActivityFact{Type: "meeting", Done: true, ContactRole: "general_manager"}, true},
		{"visit scheduled with planning manager", ActivityFact{Type: "visit", Scheduled: true, ContactRole: "planning_manager"}, true},
		{"meeting neither held nor scheduled", ActivityFact{Type: "meeting", ContactRole: "general_manager"}, false},
		{"meeting with a non-key person", ActivityFact{Type: "meeting", Done: true, ContactRole: "other"}, false},
		{"meeting with nobody in particular", ActivityFact{Type: "meeting", Done: true}, false},
		{"a call is not a meeting", ActivityFact{Type: "call", Done: true, ContactRole: "general_manager"}, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := p.CheckMove("prospecting", "compelling_event", DealFacts{Activities: []ActivityFact{tc.act}})
			if (len(got) == 0) != tc.ok {
				t.Errorf("unmet = %v", keys(got))
			}
		})
	}
}

func TestMultiStageJump(t *testing.T) {
	p := Default()
	got := keys(p.CheckMove("prospecting", "negotiation", DealFacts{}))
	want := []string{
		"prospecting/meeting_with_key_person",
		"compelling_event/compelling_event",
		"qualification/decision_maker_and_sponsor[decision_maker,sponsor]",
		"qualification/requirements_and_problems[requirements,key_problems]",
		"qualification/budget_known[amount,approval_process]",
		"demo/demo_recorded",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("prospecting → negotiation:\n got %v\nwant %v", got, want)
	}
	// A jump reports only the gates it crosses: the demo gate and later.
	f := fullFacts()
	f.Demos, f.QuoteApproved, f.ContractSigned = nil, false, false
	got = keys(p.CheckMove("demo", "implementation", f))
	want = []string{"demo/demo_recorded", "negotiation/quote_approved", "commit/contract_signed"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("demo → implementation: got %v, want %v", got, want)
	}
}

func TestMovesWithoutGates(t *testing.T) {
	p := Default()
	for _, m := range [][2]string{
		{"negotiation", "prospecting"}, // backward
		{"closed", "implementation"},   // backward from the end
		{"prospecting", "lost"},        // lost from anywhere
		{"commit", "lost"},
		{"demo", "demo"}, // no move
	} {
		if got := p.CheckMove(m[0], m[1], DealFacts{AccountDisqualified: true}); len(got) != 0 {
			t.Errorf("%s → %s: unmet %v", m[0], m[1], keys(got))
		}
	}
	// Out of lost, a deal starts over: every gate up to its new stage.
	got := keys(p.CheckMove("lost", "qualification", DealFacts{}))
	want := []string{"prospecting/meeting_with_key_person", "compelling_event/compelling_event"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("lost → qualification: got %v, want %v", got, want)
	}
	if got := p.CheckMove("lost", "prospecting", DealFacts{}); len(got) != 0 {
		t.Errorf("lost → prospecting: %v", keys(got))
	}
}

func TestUnknownStage(t *testing.T) {
	p := Default()
	for _, m := range [][2]string{{"prospecting", "won"}, {"nowhere", "demo"}, {"nowhere", "lost"}} {
		got := p.CheckMove(m[0], m[1], fullFacts())
		if len(got) != 1 || got[0].Key != UnknownStageKey || !strings.Contains(got[0].Label.EN, "unknown stage") || got[0].Label.ZH == "" {
			t.Errorf("%s → %s: %+v", m[0], m[1], got)
		}
	}
	if g := p.Gate("nowhere", DealFacts{}); g != nil {
		t.Errorf("Gate of an unknown stage = %v", g)
	}
}

// TestStrictPlaybookGates checks that another file's extra criteria apply
// with no code change.
func TestStrictPlaybookGates(t *testing.T) {
	strict := loadFile(t, "testdata/strict.yaml")
	f := fullFacts()
	f.AccountGrade = "C"
	if got := keys(Default().CheckMove("prospecting", "closed", f)); len(got) != 0 {
		t.Fatalf("default: %v", got)
	}
	got := keys(strict.CheckMove("prospecting", "closed", f))
	want := []string{"prospecting/grade_b_or_better", "qualification/supportive_insider[insider]"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("strict: got %v, want %v", got, want)
	}
	f.AccountGrade = "B"
	f.Contacts = append(f.Contacts, DealContact{ContactID: 9, FunctionalRole: "sales_manager", BuyingRole: "insider", Stance: "neutral"})
	if got := keys(strict.CheckMove("prospecting", "closed", f)); !reflect.DeepEqual(got, []string{"qualification/supportive_insider[insider]"}) {
		t.Errorf("a neutral insider: %v", got)
	}
	f.Contacts[len(f.Contacts)-1].Stance = "supports"
	if got := keys(strict.CheckMove("prospecting", "closed", f)); len(got) != 0 {
		t.Errorf("strict after satisfying: %v", got)
	}
}

// TestCriterionKinds evaluates the kinds the default file does not use and
// the edges of those it does, on hand-made criteria.
func TestCriterionKinds(t *testing.T) {
	p := Default()
	cases := []struct {
		name    string
		c       Criterion
		f       DealFacts
		ok      bool
		missing []string
	}{
		{"grade A meets B", Criterion{Kind: "account_grade_at_least", Params: Params{Grade: "B"}}, DealFacts{AccountGrade: "A"}, true, nil},
		{"grade C misses B", Criterion{Kind: "account_grade_at_least", Params: Params{Grade: "B"}}, DealFacts{AccountGrade: "C"}, false, nil},
		{"grade unknown misses D", Criterion{Kind: "account_grade_at_least", Params: Params{Grade: "D"}}, DealFacts{}, false, nil},
		{"two events needed", Criterion{Kind: "compelling_events_at_least", Params: Params{N: 2}}, DealFacts{Events: []EventFact{{Code: "CE1"}}}, false, nil},
		{"two events without impact", Criterion{Kind: "compelling_events_at_least", Params: Params{N: 2}}, DealFacts{Events: []EventFact{{Code: "CE1"}, {Code: "CE2"}}}, true, nil},
		{"competitors counted", Criterion{Kind: "competitors_recorded", Params: Params{N: 2}}, DealFacts{Competitors: 1}, false, nil},
		{"key persons engaged", Criterion{Kind: "key_persons_engaged", Params: Params{Roles: []string{"general_manager", "cio"}, MinStep: "materials_sent"}},
			DealFacts{Contacts: []DealContact{{FunctionalRole: "general_manager", EngagementStep: "relationship_built"}, {FunctionalRole: "cio", EngagementStep: "understand"}}}, false, []string{"cio"}},
		{"all key persons by default", Criterion{Kind: "key_persons_engaged"},
			DealFacts{Contacts: []DealContact{{FunctionalRole: "general_manager", EngagementStep: "understand"}}}, false, []string{"cio", "sales_manager", "chief_accountant", "planning_manager"}},
		{"budget amount only", Criterion{Kind: "budget_known", Params: Params{Amount: true}}, DealFacts{Budget: BudgetFact{AmountKnown: true}}, true, nil},
		{"demo without ROI asked", Criterion{Kind: "demo_recorded"}, DealFacts{Demos: []DemoFact{{}}}, true, nil},
		{"no demo", Criterion{Kind: "demo_recorded"}, DealFacts{}, false, nil},
		{"unknown kind never passes", Criterion{Kind: "magic"}, fullFacts(), false, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ok, missing := p.evaluate(&tc.c, &tc.f)
			if ok != tc.ok || !reflect.DeepEqual(missing, tc.missing) {
				t.Errorf("evaluate = %v %v, want %v %v", ok, missing, tc.ok, tc.missing)
			}
		})
	}
}
