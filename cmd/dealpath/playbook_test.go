package main

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/dealpath/dealpath/internal/playbook"
)

func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestPlaybookLint(t *testing.T) {
	good := writeFile(t, "good.yaml", string(playbook.DefaultSource()))
	if code, out, errs := cli(t, "playbook", "lint", good); code != 0 || out != "ok\n" || errs != "" {
		t.Fatalf("lint of the default: %d %q %q", code, out, errs)
	}

	src := string(playbook.DefaultSource())
	for _, r := range [][2]string{
		{"probability: 70", "probability: 170"},
		{"kind: competitors_recorded", "kind: competitors_known"},
		{"fields: [expected_close_date]", "fields: [close_date]"},
	} {
		if strings.Count(src, r[0]) != 1 {
			t.Fatalf("patch %q is not unique", r[0])
		}
		src = strings.Replace(src, r[0], r[1], 1)
	}
	bad := writeFile(t, "bad.yaml", src)
	code, out, errs := cli(t, "playbook", "lint", bad)
	if code != 1 || out != "" {
		t.Fatalf("lint of a broken file: %d %q %q", code, out, errs)
	}
	lines := strings.Split(strings.TrimSpace(errs), "\n")
	if len(lines) != 3 {
		t.Fatalf("want 3 problems, got:\n%s", errs)
	}
	for i, want := range []struct{ at, msg string }{
		{"probability: 170", "probability is 170"},
		{"fields: [close_date]", `unknown deal field "close_date"`},
		{"kind: competitors_known", `unknown criterion kind "competitors_known"`},
	} {
		line := strings.Count(src[:strings.Index(src, want.at)], "\n") + 1
		prefix := fmt.Sprintf("%s:%d: ", bad, line)
		if !strings.HasPrefix(lines[i], prefix) || !strings.Contains(lines[i], want.msg) {
			t.Errorf("problem %d = %q, want %s…%s…", i, lines[i], prefix, want.msg)
		}
	}

	if code, _, errs := cli(t, "playbook", "lint", filepath.Join(t.TempDir(), "missing.yaml")); code != 1 || !strings.Contains(errs, "no such file") {
		t.Errorf("lint of a missing file: %d %q", code, errs)
	}
	for _, args := range [][]string{{"playbook"}, {"playbook", "lint"}, {"playbook", "lint", good, good}, {"playbook", "frobnicate"}} {
		if code, _, errs := cli(t, args...); code != 1 || !strings.Contains(errs, "usage:") {
			t.Errorf("%v: %d %q", args, code, errs)
		}
	}
}

func TestPlaybookShow(t *testing.T) {
	code, out, errs := cli(t, "playbook", "show")
	if code != 0 || errs != "" {
		t.Fatalf("show: %d %q", code, errs)
	}
	for _, want := range []string{"管理软件销售流程", "== 阶段 ==", "1. 目标客户挖掘 [prospecting]", "已与关键人会面或约定会面",
		"revenue_last_year ≥ 2000 万元 → 10 分", "CE11 竞争力要求", "13. 客户的预算审批流程是怎样的？ [budget_approval]", "实施与服务工作计划已确认"} {
		if !strings.Contains(out, want) {
			t.Errorf("show (zh-CN) lacks %q", want)
		}
	}

	code, out, _ = cli(t, "playbook", "show", "--lang", "en")
	if code != 0 {
		t.Fatalf("show --lang en: %d", code)
	}
	for _, want := range []string{"== STAGES ==", "6. Commit [commit]: probability 90%, stalled after 14 days",
		"[decision_maker_and_sponsor: deal_role_present roles=decision_maker,sponsor]", "Grades: A ≥ 80, B ≥ 60, C ≥ 40",
		"revenue_last_year ≥ CNY 20,000,000 → 10 points", "CE1 Fast growth", "== PURCHASE CONDITIONS =="} {
		if !strings.Contains(out, want) {
			t.Errorf("show --lang en lacks %q", want)
		}
	}
	if regexp.MustCompile(`\p{Han}`).MatchString(out) {
		t.Error("the English listing contains Chinese text")
	}

	strict := writeFile(t, "strict.yaml", readTestdata(t))
	code, out, _ = cli(t, "playbook", "show", strict, "--lang", "en")
	if code != 0 || !strings.Contains(out, "(strict)") || !strings.Contains(out, "grade_b_or_better") {
		t.Errorf("show FILE: %d\n%s", code, out)
	}

	bad := writeFile(t, "bad.yaml", "name: x\n")
	if code, _, errs := cli(t, "playbook", "show", bad); code != 1 || !strings.Contains(errs, bad+":1: ") {
		t.Errorf("show of a broken file: %d %q", code, errs)
	}
	if code, _, errs := cli(t, "playbook", "show", "--lang", "fr"); code != 1 || !strings.Contains(errs, "usage:") {
		t.Errorf("show --lang fr: %d %q", code, errs)
	}
}

func readTestdata(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile("../../internal/playbook/testdata/strict.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
