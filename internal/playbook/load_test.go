package playbook

import (
	"errors"
	"fmt"
	"os"
	"reflect"
	"strings"
	"testing"
)

func TestDefaultLoads(t *testing.T) {
	p, err := Load(DefaultSource())
	if err != nil {
		t.Fatalf("default playbook: %v", err)
	}
	if first, second := Default(), Default(); first != second {
		t.Error("Default should be loaded once and shared")
	}
	var keys []string
	for _, s := range p.Stages {
		keys = append(keys, s.Key)
	}
	if !reflect.DeepEqual(keys, StageKeys) {
		t.Errorf("stages = %v", keys)
	}
	counts := map[string]int{"events": len(p.Events), "questions": len(p.Questions), "conditions": len(p.Conditions),
		"key roles": len(p.KeyRoles), "engagement steps": len(p.EngagementSteps), "factors": len(p.Profile.Factors),
		"disqualifiers": len(p.Profile.Disqualifiers), "implementation steps": len(p.Stage("implementation").Checklist)}
	wantCounts := map[string]int{"events": 11, "questions": 13, "conditions": 6, "key roles": 5, "engagement steps": 5,
		"factors": 6, "disqualifiers": 3, "implementation steps": 4}
	if !reflect.DeepEqual(counts, wantCounts) {
		t.Errorf("counts = %v, want %v", counts, wantCounts)
	}
	if p.Event("CE11") == nil || p.Question("budget_approval") == nil || p.Condition("implementation_plan_confirmed") == nil {
		t.Error("catalogue lookups failed")
	}
	total := 0
	for i := range p.Profile.Factors {
		total += p.Profile.Factors[i].Max()
	}
	if total != 100 {
		t.Errorf("the default factors give at most %d points, want 100", total)
	}
	if p.Fingerprint == "" {
		t.Error("no fingerprint")
	}
}

// TestEveryTextBilingual walks the whole loaded structure and checks every
// Text in it has both languages.
func TestEveryTextBilingual(t *testing.T) {
	for _, file := range []string{"default.yaml", "testdata/strict.yaml"} {
		t.Run(file, func(t *testing.T) {
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			p, err := Load(data)
			if err != nil {
				t.Fatal(err)
			}
			n := 0
			walkTexts(reflect.ValueOf(p).Elem(), "playbook", func(path string, txt Text) {
				n++
				if strings.TrimSpace(txt.ZH) == "" || strings.TrimSpace(txt.EN) == "" {
					t.Errorf("%s: %+v lacks a language", path, txt)
				}
			})
			if n < 150 {
				t.Errorf("found only %d texts; is the walk missing some?", n)
			}
		})
	}
}

var textType = reflect.TypeOf(Text{})

func walkTexts(v reflect.Value, path string, visit func(string, Text)) {
	switch {
	case v.Type() == textType:
		visit(path, v.Interface().(Text))
		return
	case v.Kind() == reflect.Pointer:
		if !v.IsNil() {
			walkTexts(v.Elem(), path, visit)
		}
	case v.Kind() == reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			if v.Type().Field(i).IsExported() {
				walkTexts(v.Field(i), path+"."+v.Type().Field(i).Name, visit)
			}
		}
	case v.Kind() == reflect.Slice:
		for i := 0; i < v.Len(); i++ {
			walkTexts(v.Index(i), fmt.Sprintf("%s[%d]", path, i), visit)
		}
	case v.Kind() == reflect.Map:
		for _, k := range v.MapKeys() {
			walkTexts(v.MapIndex(k), fmt.Sprintf("%s[%v]", path, k), visit)
		}
	}
}

// patch applies replacements to the default playbook; each old text must
// occur exactly once, so a test cannot silently patch the wrong place.
func patch(t *testing.T, pairs ...string) string {
	t.Helper()
	s := string(defaultYAML)
	for i := 0; i+1 < len(pairs); i += 2 {
		if n := strings.Count(s, pairs[i]); n != 1 {
			t.Fatalf("patch: %q occurs %d times", pairs[i], n)
		}
		s = strings.Replace(s, pairs[i], pairs[i+1], 1)
	}
	return s
}

// lineOf returns the line of the first occurrence of marker in s.
func lineOf(t *testing.T, s, marker string) int {
	t.Helper()
	i := strings.Index(s, marker)
	if i < 0 {
		t.Fatalf("marker %q not in file", marker)
	}
	return strings.Count(s[:i], "\n") + 1
}

// problem is an expected problem: the line of the marker, and a part of
// the message.
type problem struct{ at, msg string }

func TestBrokenFiles(t *testing.T) {
	const dropLost = "\n  - key: lost\n    name: {zh-CN: 丢单, en: Lost}"
	cases := []struct {
		name string
		// src is the file; when empty the default is patched with patches.
		src     string
		patches []string
		want    []problem
	}{
		{name: "yaml syntax error", patches: []string{"probability: 70", "probability: 70: 80"},
			want: []problem{{"probability: 70: 80", "YAML syntax"}}},
		{name: "empty file", src: "", want: []problem{{"", "empty"}}},
		{name: "not a mapping", src: "- a\n- b\n", want: []problem{{"- a", "must be a mapping"}}},
		{name: "two documents", patches: []string{"format: 1\n", "format: 1\n", "probability: 0\n", "probability: 0\n---\nformat: 1\n"},
			want: []problem{{"---\nformat", "one YAML document"}}},
		{name: "unknown stage key", patches: []string{"- key: closed", "- key: finished"},
			want: []problem{{"key: finished", `unknown stage key "finished"`}, {"stages:\n", `stage "closed" is missing`}}},
		{name: "stage missing", patches: []string{dropLost, "\n  - key: demo\n    name: {zh-CN: 再演示, en: Demo again}"},
			want: []problem{{"key: demo\n    name: {zh-CN: 再演示", `duplicate stage "demo"`}, {"stages:\n", `stage "lost" is missing`}}},
		{name: "stages out of order", patches: []string{"  - key: qualification\n", "  - key: TMP\n", "  - key: demo\n", "  - key: qualification\n", "  - key: TMP\n", "  - key: demo\n"},
			want: []problem{{"- key: qualification\n    name: {zh-CN: 标准演示", `stage "qualification" is out of order`}}},
		{name: "unknown criterion kind", patches: []string{"kind: competitors_recorded", "kind: competitors_known"},
			want: []problem{{"kind: competitors_known", `unknown criterion kind "competitors_known"`}}},
		{name: "unknown parameter", patches: []string{"params: {n: 1, with_impact: true}", "params: {n: 1, with_impact: true, within: 3}"},
			want: []problem{{"within: 3", `unknown parameter "within" for criterion kind compelling_events_at_least`}}},
		{name: "parameter of the wrong type", patches: []string{"params: {n: 1, with_impact: true}", "params: {n: \"1\", with_impact: yes}"},
			want: []problem{{"n: \"1\"", `parameter n of compelling_events_at_least must be a number, not the string "1"`},
				{"n: \"1\"", "parameter with_impact of compelling_events_at_least must be true or false"}}},
		{name: "n below 1", patches: []string{"params: {n: 1, with_impact: true}", "params: {n: 0, with_impact: true}"},
			want: []problem{{"n: 0", "must be at least 1, it is 0"}}},
		{name: "missing parameter", patches: []string{"        params: {questions: [requirements, key_problems]}\n", ""},
			want: []problem{{"- key: requirements_and_problems", `criterion kind questions_answered needs parameter "questions"`}}},
		{name: "unknown question key", patches: []string{"questions: [requirements, key_problems]", "questions: [requirements,\n          key_problem]"},
			want: []problem{{"key_problem]", `unknown question "key_problem"`}}},
		{name: "unknown buying role", patches: []string{"roles: [decision_maker, sponsor]", "roles: [decision_maker, boss]"},
			want: []problem{{"roles: [decision_maker, boss]", `unknown buying role "boss"`}}},
		{name: "unknown deal field", patches: []string{"fields: [expected_close_date]", "fields: [close_date]"},
			want: []problem{{"fields: [close_date]", `unknown deal field "close_date"`}}},
		{name: "unknown activity type", patches: []string{"types: [meeting, visit]", "types: [meeting, lunch]"},
			want: []problem{{"types: [meeting, lunch]", `unknown activity type "lunch"`}}},
		{name: "list parameter given as a word", patches: []string{"types: [meeting, visit]", "types: meeting"},
			want: []problem{{"types: meeting", "must be a list"}}},
		{name: "parameters on a kind without any", patches: []string{"      - kind: account_not_disqualified\n", "      - kind: account_not_disqualified\n        params: {manager: true}\n"},
			want: []problem{{"params: {manager: true}", "takes no parameters"}}},
		{name: "budget_known asking nothing", patches: []string{"params: {amount: true, approval_process: true}", "params: {amount: false, approval_process: false}"},
			want: []problem{{"- key: budget_known", "requires nothing"}}},
		{name: "duplicate yaml key", patches: []string{"    max_days: 30\n    probability: 10\n", "    max_days: 30\n    probability: 10\n    probability: 15\n"},
			want: []problem{{"probability: 15", `duplicate key "probability" (first at line`}}},
		{name: "duplicate question key", patches: []string{"- key: budget_gap", "- key: budget"},
			want: []problem{{"- key: budget\n    text: {zh-CN: 客户预算低于", `duplicate question key "budget"`}}},
		{name: "duplicate condition key", patches: []string{"- key: commercial_clear", "- key: solution_fits"},
			want: []problem{{"- key: solution_fits\n    text: {zh-CN: 商务问题", `duplicate condition key "solution_fits"`}}},
		{name: "duplicate event code", patches: []string{"- code: CE9", "- code: CE8"},
			want: []problem{{"- code: CE8\n    name: {zh-CN: 主开发", `duplicate event code "CE8"`}}},
		{name: "reserved event code", patches: []string{"- code: CE11", "- code: custom"},
			want: []problem{{"- code: custom", "reserved"}}},
		{name: "duplicate criterion key", patches: []string{"- key: competitors_recorded", "- key: expected_close_date"},
			want: []problem{{"- key: expected_close_date\n        kind: competitors_recorded", `duplicate criterion key in stage negotiation "expected_close_date"`}}},
		{name: "translation missing", patches: []string{"name: {zh-CN: 企业规模, en: Company size}", "name: {zh-CN: 企业规模}"},
			want: []problem{{"{zh-CN: 企业规模}", "missing translation: factor F1 name has no en text"}}},
		{name: "translation empty", patches: []string{"{zh-CN: 资料呈递, en: Materials sent}", "{zh-CN: \"\", en: Materials sent}"},
			want: []problem{{"zh-CN: \"\", en: Materials", "missing translation: engagement step materials_sent has an empty zh-CN text"}}},
		{name: "text without languages", patches: []string{"name: {zh-CN: 商务谈判, en: Negotiation}", "name: 商务谈判"},
			want: []problem{{"name: 商务谈判", "missing translation: stage negotiation name must have both zh-CN and en texts"}}},
		{name: "unknown language", patches: []string{"{zh-CN: 丢单, en: Lost}", "{zh-CN: 丢单, en: Lost, fr: Perdu}"},
			want: []problem{{"fr: Perdu", `unknown language "fr"`}}},
		{name: "threshold of the wrong type", patches: []string{"min: 2000000000 # 20,000,000 CNY", "min: \"2000万\""},
			want: []problem{{"min: \"2000万\"", `revenue_last_year min must be a number, not the string "2000万"`}}},
		{name: "threshold not a whole number", patches: []string{"min: 300000000 # 3,000,000 CNY", "min: 3.5e8"},
			want: []problem{{"min: 3.5e8", "must be a whole number"}}},
		{name: "probability outside 0-100", patches: []string{"probability: 70", "probability: 170"},
			want: []problem{{"probability: 170", "stage negotiation probability is 170, outside 0–100"}}},
		{name: "negative max_days", patches: []string{"max_days: 21", "max_days: -1"},
			want: []problem{{"max_days: -1", "stage demo max_days must not be negative"}}},
		{name: "grades not descending", patches: []string{"grades: {A: 80, B: 60, C: 40}", "grades: {A: 60, B: 80, C: 40}"},
			want: []problem{{"grades: {A: 60", "grade cut-offs must descend"}}},
		{name: "grade A out of reach", patches: []string{"grades: {A: 80, B: 60, C: 40}", "grades: {A: 95, B: 60, C: 40}", "points: 20\n", "points: 0\n"},
			want: []problem{{"grades: {A: 95", "grade A needs 95 points but the factors give at most 92"}}},
		{name: "points above 100", patches: []string{"points: 20\n", "points: 30\n"},
			want: []problem{{"  factors:\n", "the factors can add up to 110 points"}}},
		{name: "unknown placeholder", patches: []string{`en: "{value} branches (threshold {min})"`, `en: "{value} branches (threshold {minimum})"`},
			want: []problem{{"threshold {minimum}", "unknown placeholder {minimum}"}}},
		{name: "unknown account field in a rule", patches: []string{"field: branch_count", "field: branches"},
			want: []problem{{"field: branches", `unknown account field "branches"`}}},
		{name: "value missing from a value rule", patches: []string{"            processing:\n              points: 8\n", "            processed:\n              points: 8\n"},
			want: []problem{{"processed:", `unknown value "processed"`}, {"            distribution:\n              points: 15", `value "processing" is not scored`}}},
		{name: "unknown industry in disqualifier", patches: []string{"industries: [apparel]", "industries: [clothing]"},
			want: []problem{{"industries: [clothing]", `unknown industry "clothing"`}}},
		{name: "exit gate on an end stage", patches: []string{"    max_days: 0\n    probability: 100\n", "    max_days: 0\n    probability: 100\n    exit:\n      - kind: contract_signed\n"},
			want: []problem{{"    exit:\n      - kind: contract_signed", "stage closed ends the deal and has no exit gate"}}},
		{name: "unknown field", patches: []string{"    max_days: 14\n", "    max_days: 14\n    colour: red\n"},
			want: []problem{{"colour: red", `stage commit: unknown field "colour"`}}},
		{name: "missing field", patches: []string{"    max_days: 14\n", ""},
			want: []problem{{"  - key: commit", `stage commit: missing field "max_days"`}}},
		{name: "health weights not 100", patches: []string{"slips: 10}", "slips: 20}"},
			want: []problem{{"weights: {gate: 25", "health weights add up to 110"}}},
		{name: "engagement steps out of order", patches: []string{"- key: understand", "- key: TMP", "- key: materials_sent", "- key: understand", "- key: TMP", "- key: materials_sent"},
			want: []problem{{"- key: understand\n    text: {zh-CN: 资料呈递", `engagement step "understand" is out of order`}}},
		{name: "unknown key role", patches: []string{"- key: planning_manager", "- key: other"},
			want: []problem{{"- key: other", `unknown functional role "other"`}}},
		{name: "stages not a list", patches: []string{"stages:\n  - key: prospecting\n", "stages: prospecting\nunused:\n  - key: prospecting\n"},
			want: []problem{{"stages: prospecting", "stages must be a list"}, {"unused:", `unknown field "unused"`}}},
		{name: "key not a word", patches: []string{"- key: budget_gap", "- key: Budget-Gap"},
			want: []problem{{"- key: Budget-Gap", `question key "Budget-Gap" is not a valid key`}}},
		{name: "unknown disqualifier kind", patches: []string{"kind: just_restructured", "kind: recently_restructured"},
			want: []problem{{"kind: recently_restructured", `unknown disqualifier kind "recently_restructured"`}}},
		{name: "disqualifier without industries", patches: []string{"      industries: [apparel]\n", ""},
			want: []problem{{"- key: apparel", "kind industry needs industries"}}},
		{name: "label missing", patches: []string{"    processing: {zh-CN: 加工企业, en: processing companies}\n", ""},
			want: []problem{{"    distribution: {zh-CN: 分销批发企业", `missing label for "processing"`}}},
		{name: "number out of range", patches: []string{"min: 300000000 # 3,000,000 CNY", "min: 300000000000000000000000"},
			want: []problem{{"min: 3000000000000", "out of range"}}},
		{name: "unsupported format", patches: []string{"format: 1\n", "format: 2\n"},
			want: []problem{{"format: 2", "format 2 is not supported"}}},
	}
	kinds := map[string]bool{}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			src := tc.src
			if tc.patches != nil {
				src = patch(t, tc.patches...)
			}
			_, err := Load([]byte(src))
			var verr *ValidationError
			if !errors.As(err, &verr) {
				t.Fatalf("Load accepted the file (err = %v)", err)
			}
			if len(verr.Problems) != len(tc.want) {
				t.Errorf("got %d problems, want %d:\n%v", len(verr.Problems), len(tc.want), err)
			}
			for _, w := range tc.want {
				line := 1
				if w.at != "" {
					line = lineOf(t, src, w.at)
				}
				found := false
				for _, p := range verr.Problems {
					if p.Line == line && strings.Contains(p.Message, w.msg) {
						found = true
					}
				}
				if !found {
					t.Errorf("want line %d: …%s…; got:\n%v", line, w.msg, err)
				}
			}
			kinds[tc.name] = true
		})
	}
	if len(kinds) < 10 {
		t.Errorf("only %d kinds of broken file rejected", len(kinds))
	}
}

// TestAliasBomb checks that a file of nested aliases is refused quickly
// instead of being expanded.
func TestAliasBomb(t *testing.T) {
	var b strings.Builder
	b.WriteString("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n")
	for i := 1; i < 10; i++ {
		fmt.Fprintf(&b, "a%d: &a%d [*a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d]\n", i, i, i-1, i-1, i-1, i-1, i-1, i-1, i-1, i-1, i-1, i-1)
	}
	_, err := Load([]byte(b.String()))
	if err == nil || !strings.Contains(err.Error(), "too large") {
		t.Fatalf("err = %v", err)
	}
}

func TestAliasCycle(t *testing.T) {
	_, err := Load([]byte("name: &n {zh-CN: x, en: [*n]}\n"))
	if err == nil || !strings.Contains(err.Error(), "line 1: an alias refers to the value that contains it") {
		t.Fatalf("err = %v", err)
	}
}

// TestAliasesAllowed checks that ordinary anchors and aliases work: an
// author may reuse a text.
func TestAliasesAllowed(t *testing.T) {
	src := patch(t,
		"label: {zh-CN: 已确定预计成交日期, en: Expected close date set}", "label: &set {zh-CN: 已确定预计成交日期, en: Expected close date set}",
		"label: {zh-CN: 已记录竞争对手情况, en: Competitors recorded}", "label: *set")
	p, err := Load([]byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if got := p.Stage("negotiation").Exit[1].Label.EN; got != "Expected close date set" {
		t.Errorf("aliased label = %q", got)
	}
}

func TestValidationErrorMessage(t *testing.T) {
	_, err := Load([]byte(patch(t, "probability: 70", "probability: 170", "max_days: 21", "max_days: -1")))
	msg := err.Error()
	if !strings.HasPrefix(msg, "invalid playbook:\nline ") || strings.Count(msg, "\nline ") != 2 {
		t.Errorf("message = %q", msg)
	}
	// Ordered by line: demo comes before negotiation.
	if strings.Index(msg, "max_days") > strings.Index(msg, "probability") {
		t.Errorf("problems not ordered by line: %q", msg)
	}
}

// FuzzLoad checks that no input makes Load panic or accept a file that
// then fails to evaluate.
func FuzzLoad(f *testing.F) {
	f.Add(defaultYAML)
	f.Add([]byte("name: {zh-CN: x, en: y}\nstages: [{key: prospecting, exit: [{kind: field_set, params: {fields: [amount]}}]}]\n"))
	f.Add([]byte("a: &a [*a]\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := Load(data)
		if err != nil {
			return
		}
		p.Fit(AccountFacts{})
		p.CheckMove("prospecting", "closed", DealFacts{})
		p.Guide("demo", DealFacts{}, t0, t0)
		p.Health("demo", DealFacts{}, t0, t0, nil, 0)
	})
}
