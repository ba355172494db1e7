package playbook

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

var t0 = time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)

func day(n int) time.Time { return t0.AddDate(0, 0, n) }

func actionKeys(actions []Action) []string {
	out := []string{}
	for _, a := range actions {
		out = append(out, a.Kind+":"+a.Key)
	}
	return out
}

func TestGuideRanksActions(t *testing.T) {
	p := Default()
	f := DealFacts{
		Contacts: []DealContact{{ContactID: 1, FunctionalRole: "general_manager", BuyingRole: "decision_maker", Stance: "supports", EngagementStep: "concerns_known"},
			{ContactID: 2, FunctionalRole: "cio", BuyingRole: "participant"}, {ContactID: 3, FunctionalRole: "cio", BuyingRole: "insider"}},
		Answered: []string{"requirements", "key_problems"},
	}
	g := p.Guide("qualification", f, day(31), t0)
	want := []string{
		"criterion:decision_maker_and_sponsor", "criterion:budget_known",
		"key_person:sales_manager", "key_person:chief_accountant", "key_person:planning_manager",
		"stalled:stalled",
	}
	if got := actionKeys(g.NextActions); !reflect.DeepEqual(got, want) {
		t.Errorf("actions = %v\nwant %v", got, want)
	}
	if g.DaysInStage != 31 || g.MaxDays != 30 || !g.Stalled || g.NextStage != "demo" {
		t.Errorf("guidance = days %d max %d stalled %v next %q", g.DaysInStage, g.MaxDays, g.Stalled, g.NextStage)
	}
	if !reflect.DeepEqual(g.KeyPersonGaps, []string{"sales_manager", "chief_accountant", "planning_manager"}) {
		t.Errorf("gaps = %v", g.KeyPersonGaps)
	}
	if g.Name.EN != "Qualification" || g.Guidance.ZH == "" || len(g.Unmet) != 2 {
		t.Errorf("guidance = %+v", g)
	}
	stalled := g.NextActions[len(g.NextActions)-1].Text
	if !strings.Contains(stalled.ZH, "31 天") || !strings.Contains(stalled.EN, "31 days") || !strings.Contains(stalled.EN, "limit of 30") {
		t.Errorf("stalled text = %+v", stalled)
	}
	if g.NextActions[0].Text != p.Stage("qualification").Exit[0].Hint {
		t.Errorf("a criterion action should carry the criterion's hint: %+v", g.NextActions[0])
	}
	if g.KeyPersons[1].Role != "cio" || len(g.KeyPersons[1].Contacts) != 2 {
		t.Errorf("key persons = %+v", g.KeyPersons)
	}
}

func TestGuideStalledEdge(t *testing.T) {
	p := Default()
	for _, tc := range []struct {
		now     time.Time
		days    int
		stalled bool
	}{
		{day(30), 30, false},
		{day(30).Add(23 * time.Hour), 30, false},
		{day(31), 31, true},
		{day(-2), 0, false}, // a clock behind the record is no reason to panic
	} {
		g := p.Guide("prospecting", DealFacts{}, tc.now, t0)
		if g.DaysInStage != tc.days || g.Stalled != tc.stalled {
			t.Errorf("now %v: days %d stalled %v, want %d %v", tc.now, g.DaysInStage, g.Stalled, tc.days, tc.stalled)
		}
	}
}

func TestGuideEndStages(t *testing.T) {
	p := Default()
	for _, stage := range []string{"closed", "lost"} {
		g := p.Guide(stage, DealFacts{}, day(400), t0)
		if len(g.NextActions) != 0 || g.Stalled || len(g.Unmet) != 0 || g.NextStage != "" || g.Guidance.EN == "" {
			t.Errorf("%s: %+v", stage, g)
		}
	}
	g := p.Guide("implementation", fullFacts(), day(1), t0)
	if g.NextStage != "closed" || len(g.NextActions) != 3 { // three key-person gaps
		t.Errorf("implementation: %v", actionKeys(g.NextActions))
	}
	if len(g.Checklist) != 4 {
		t.Errorf("implementation checklist = %v", g.Checklist)
	}
	g = p.Guide("won", DealFacts{}, day(1), t0)
	if len(g.Unmet) != 1 || g.Unmet[0].Key != UnknownStageKey {
		t.Errorf("unknown stage: %+v", g)
	}
}

func TestKeyPersonMap(t *testing.T) {
	slots := Default().KeyPersonMap([]DealContact{
		{ContactID: 4, FunctionalRole: "chief_accountant", BuyingRole: "participant", Stance: "neutral", EngagementStep: "materials_sent"},
		{ContactID: 5, FunctionalRole: "other"},
	})
	if len(slots) != 5 {
		t.Fatalf("slots = %+v", slots)
	}
	for _, s := range slots {
		filled := s.Role == "chief_accountant"
		if s.Filled != filled || (filled && (len(s.Contacts) != 1 || s.Contacts[0].ContactID != 4 || s.Contacts[0].EngagementStep != "materials_sent")) {
			t.Errorf("slot %+v", s)
		}
		if s.Name.ZH == "" || s.Name.EN == "" || s.Contacts == nil {
			t.Errorf("slot %+v", s)
		}
	}
}
