package i18n

import (
	"sort"
	"testing"
)

func TestEveryKeyInEveryLanguage(t *testing.T) {
	for _, a := range Supported {
		for _, b := range Supported {
			for _, k := range Keys(a) {
				if !Has(b, k) {
					t.Errorf("key %q is in %s but not in %s", k, a, b)
				}
			}
		}
	}
	keys := Keys(ZH)
	sort.Strings(keys)
	if len(keys) == 0 {
		t.Fatal("empty catalogue")
	}
}

type msg struct {
	key  string
	args []any
}

func (m msg) MessageKey() string { return m.key }
func (m msg) MessageArgs() []any { return m.args }

func TestTRendersNestedMessages(t *testing.T) {
	if got := T(EN, "error.not_found", msg{key: "record.deal"}); got != "Deal not found." {
		t.Errorf("en: %q", got)
	}
	if got := T(ZH, "error.not_found", msg{key: "record.deal"}); got != "商机不存在。" {
		t.Errorf("zh: %q", got)
	}
	if got := T("fr", "field.required"); got != "此项必填。" {
		t.Errorf("unknown language falls back to zh-CN: %q", got)
	}
}

func TestMatch(t *testing.T) {
	for header, want := range map[string]string{
		"":                             "",
		"en":                           EN,
		"en-US,en;q=0.9":               EN,
		"zh-CN,zh;q=0.9,en;q=0.8":      ZH,
		"fr-FR, en;q=0.5, zh-TW;q=0.7": ZH,
		"de":                           "",
		"en;q=abc":                     "",
		"zh;q=0.1, en;q=0.2":           EN,
	} {
		if got := Match(header); got != want {
			t.Errorf("Match(%q) = %q, want %q", header, got, want)
		}
	}
}

func TestLanguageOfFile(t *testing.T) {
	for name, want := range map[string]string{
		"en.json":            EN,
		"zh-CN.json":         ZH,
		"reports.en.json":    EN,
		"reports.zh-CN.json": ZH,
		"reports.fr.json":    "",
		"en.yaml":            "",
		"xen.json":           "",
	} {
		if got := languageOfFile(name); got != want {
			t.Errorf("languageOfFile(%q) = %q, want %q", name, got, want)
		}
	}
}
