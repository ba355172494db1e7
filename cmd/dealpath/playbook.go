package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"

	"github.com/dealpath/dealpath/internal/playbook"
)

const playbookUsage = `usage:
  dealpath playbook lint FILE
  dealpath playbook show [--lang zh-CN|en] [FILE]
lint checks a playbook file and lists every problem as FILE:LINE: message.
show prints a playbook readably; without FILE, the built-in default.`

// errPlaybookInvalid wraps errUsage so that run exits 1 without repeating
// what lint has already printed, problem by problem.
var errPlaybookInvalid = fmt.Errorf("the playbook has problems: %w", errUsage)

func runPlaybook(_ context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprintln(stderr, playbookUsage)
		return errUsage
	}
	fs := flag.NewFlagSet("playbook "+args[0], flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprintln(stderr, playbookUsage) }
	lang := fs.String("lang", playbook.ZH, "language of the texts: zh-CN or en")
	sub := args[0]
	if sub == "-h" || sub == "--help" || sub == "help" {
		fs.Usage()
		return flag.ErrHelp
	}
	files, err := parseInterspersed(fs, args[1:])
	if err != nil {
		return err
	}
	switch {
	case sub == "lint" && len(files) == 1 && !isSet(fs, "lang"):
		if _, err := loadPlaybook(files[0], stderr); err != nil {
			return err
		}
		fmt.Fprintln(stdout, "ok")
		return nil
	case sub == "show" && len(files) <= 1 && (*lang == playbook.ZH || *lang == playbook.EN):
		p := playbook.Default()
		if len(files) == 1 {
			if p, err = loadPlaybook(files[0], stderr); err != nil {
				return err
			}
		}
		showPlaybook(stdout, p, *lang)
		return nil
	}
	fs.Usage()
	return errUsage
}

func isSet(fs *flag.FlagSet, name string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}

// loadPlaybook reads and validates a file; its problems go to w as
// FILE:LINE: message, the form editors and CI annotate.
func loadPlaybook(name string, w io.Writer) (*playbook.Playbook, error) {
	data, err := os.ReadFile(name)
	if err != nil {
		return nil, err
	}
	p, err := playbook.Load(data)
	var verr *playbook.ValidationError
	if errors.As(err, &verr) {
		for _, pr := range verr.Problems {
			fmt.Fprintf(w, "%s:%d: %s\n", name, pr.Line, pr.Message)
		}
		return nil, errPlaybookInvalid
	}
	return p, err
}

// showWords are the headings of show; the playbook's own texts come from
// the file.
var showWords = map[string][2]string{ // key → {zh-CN, en}
	"stages":      {"阶段", "STAGES"},
	"probability": {"成交概率", "probability"},
	"stalled":     {"停滞上限", "stalled after"},
	"days":        {"天", "days"},
	"no_limit":    {"无停滞上限", "no time limit"},
	"off_path":    {"不在主流程中", "off the path"},
	"checklist":   {"步骤", "Checklist"},
	"gate":        {"出口关口", "Exit gate"},
	"profile":     {"目标客户画像（六要素）", "IDEAL CUSTOMER PROFILE"},
	"grades":      {"评级", "Grades"},
	"below":       {"以下", "below"},
	"max":         {"满分", "max"},
	"otherwise":   {"否则", "else"},
	"points":      {"分", "points"},
	"disq":        {"取消资格", "Disqualifiers"},
	"within":      {"改制后天数", "days since restructuring"},
	"pitches":     {"产品简介", "PITCH"},
	"key_roles":   {"业务关键人", "KEY PERSONS"},
	"engagement":  {"关键人推进步骤", "ENGAGEMENT STEPS"},
	"events":      {"强迫事件", "COMPELLING EVENTS"},
	"questions":   {"资格问卷", "QUALIFICATION QUESTIONS"},
	"conditions":  {"购买条件", "PURCHASE CONDITIONS"},
	"health":      {"健康度权重", "HEALTH WEIGHTS"},
}

// showPlaybook prints a playbook for a person to read: every text in one
// language, keys in brackets so an author can find them in the file.
func showPlaybook(w io.Writer, p *playbook.Playbook, lang string) {
	word := func(k string) string {
		if lang == playbook.EN {
			return showWords[k][1]
		}
		return showWords[k][0]
	}
	tr := func(t playbook.Text) string { return t.In(lang) }
	heading := func(k string) { fmt.Fprintf(w, "\n== %s ==\n", word(k)) }

	fmt.Fprintln(w, tr(p.Name))
	heading("stages")
	for i, s := range p.Stages {
		limit := fmt.Sprintf("%s %d %s", word("stalled"), s.MaxDays, word("days"))
		if s.MaxDays == 0 {
			limit = word("no_limit")
		}
		if s.Key == playbook.StageLost {
			limit += ", " + word("off_path")
		}
		fmt.Fprintf(w, "%d. %s [%s]: %s %d%%, %s\n", i+1, tr(s.Name), s.Key, word("probability"), s.Probability, limit)
		fmt.Fprintf(w, "   %s\n", tr(s.Guidance))
		if len(s.Checklist) > 0 {
			fmt.Fprintf(w, "   %s:\n", word("checklist"))
			for _, it := range s.Checklist {
				fmt.Fprintf(w, "     - %s [%s]\n", tr(it.Text), it.Key)
			}
		}
		if len(s.Exit) > 0 {
			fmt.Fprintf(w, "   %s:\n", word("gate"))
			for _, c := range s.Exit {
				kind := c.Kind
				if c.Key != c.Kind {
					kind = c.Key + ": " + c.Kind
				}
				fmt.Fprintf(w, "     - %s [%s%s]\n", tr(c.Label), kind, params(c.Params))
			}
		}
	}

	heading("profile")
	g := p.Profile.Grades
	fmt.Fprintf(w, "%s: A ≥ %d, B ≥ %d, C ≥ %d, D %s\n", word("grades"), g.A, g.B, g.C, word("below"))
	for _, f := range p.Profile.Factors {
		fmt.Fprintf(w, "%s %s (%s %d)\n", f.Key, tr(f.Name), word("max"), f.Max())
		for _, r := range f.Rules {
			fmt.Fprintf(w, "   - %s\n", rule(r, lang, word))
		}
	}
	fmt.Fprintf(w, "%s:\n", word("disq"))
	for _, d := range p.Profile.Disqualifiers {
		detail := strings.Join(d.Industries, ", ")
		if d.Kind == "just_restructured" {
			detail = fmt.Sprintf("%s ≤ %d", word("within"), d.WithinDays)
		}
		fmt.Fprintf(w, "   - %s [%s: %s]\n", tr(d.Reason), d.Key, detail)
	}

	heading("pitches")
	for _, it := range p.Pitches {
		fmt.Fprintf(w, "%s\n", tr(it.Text))
	}
	heading("key_roles")
	for _, r := range p.KeyRoles {
		fmt.Fprintf(w, "- %s [%s]\n", tr(r.Name), r.Key)
	}
	heading("engagement")
	for i, it := range p.EngagementSteps {
		fmt.Fprintf(w, "%d. %s [%s]\n", i+1, tr(it.Text), it.Key)
	}
	heading("events")
	for _, e := range p.Events {
		fmt.Fprintf(w, "%s %s: %s\n", e.Code, tr(e.Name), tr(e.Text))
	}
	heading("questions")
	for i, it := range p.Questions {
		fmt.Fprintf(w, "%d. %s [%s]\n", i+1, tr(it.Text), it.Key)
	}
	heading("conditions")
	for i, it := range p.Conditions {
		fmt.Fprintf(w, "%d. %s [%s]\n", i+1, tr(it.Text), it.Key)
	}
	heading("health")
	hw := p.HealthRules.Weights
	fmt.Fprintf(w, "gate %d, events %d, key_persons %d, recency %d, stage_time %d, slips %d\n",
		hw.Gate, hw.Events, hw.KeyPersons, hw.Recency, hw.StageTime, hw.Slips)
}

// params renders a criterion's parameters as " key=value …", sorted.
func params(ps playbook.Params) string {
	b, _ := json.Marshal(ps)
	var m map[string]any
	_ = json.Unmarshal(b, &m)
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var out strings.Builder
	for _, k := range keys {
		v := m[k]
		if list, ok := v.([]any); ok {
			parts := make([]string, len(list))
			for i, x := range list {
				parts[i] = fmt.Sprint(x)
			}
			v = strings.Join(parts, ",")
		}
		fmt.Fprintf(&out, " %s=%v", k, v)
	}
	return out.String()
}

// rule describes one fit rule: its threshold and points, or the points of
// each value.
func rule(r playbook.Rule, lang string, word func(string) string) string {
	if len(r.Values) > 0 {
		parts := make([]string, len(r.Values))
		for i, v := range r.Values {
			parts[i] = fmt.Sprintf("%s %d", v.Key, v.Points)
		}
		return fmt.Sprintf("%s: %s", r.Field, strings.Join(parts, ", "))
	}
	show := func(n int64) string {
		if r.IsMoney() {
			return playbook.Money(n).In(lang)
		}
		return fmt.Sprint(n)
	}
	s := fmt.Sprintf("%s ≥ %s", r.Field, show(r.Min))
	if len(r.MinByBusinessKind) > 0 {
		kinds := make([]string, 0, len(r.MinByBusinessKind))
		for k := range r.MinByBusinessKind {
			kinds = append(kinds, k)
		}
		sort.Strings(kinds)
		var by []string
		for _, k := range kinds {
			by = append(by, fmt.Sprintf("%s ≥ %s", k, show(r.MinByBusinessKind[k])))
		}
		s = fmt.Sprintf("%s: %s; %s %s", r.Field, strings.Join(by, ", "), word("otherwise"), s)
	}
	return fmt.Sprintf("%s → %d %s", s, r.Points, word("points"))
}
