// Package i18n is the message catalogue: every text a user reads, in zh-CN
// and en, looked up by key. Code never writes user-facing text inline; it
// names a key, and this package renders it in the reader's language.
package i18n

import (
	"embed"
	"encoding/json"
	"fmt"
	"strings"
)

// Languages, default first.
const (
	ZH = "zh-CN"
	EN = "en"
)

// Supported lists the catalogue's languages, default first.
var Supported = []string{ZH, EN}

// The catalogue is split by area so that work on one part of the product
// touches its own files: messages/<lang>.json holds the core texts and
// messages/<area>.<lang>.json the texts of one area (reports, import…).
// A key defined twice in one language is a mistake the loader refuses.
//
//go:embed messages/*.json
var files embed.FS

var catalogue = mustLoad()

func mustLoad() map[string]map[string]string {
	out := map[string]map[string]string{}
	for _, lang := range Supported {
		out[lang] = map[string]string{}
	}
	entries, err := files.ReadDir("messages")
	if err != nil {
		panic(err)
	}
	for _, e := range entries {
		lang := languageOfFile(e.Name())
		if lang == "" {
			panic(fmt.Sprintf("i18n: messages/%s: name is neither <lang>.json nor <area>.<lang>.json", e.Name()))
		}
		b, err := files.ReadFile("messages/" + e.Name())
		if err != nil {
			panic(err)
		}
		m := map[string]string{}
		if err := json.Unmarshal(b, &m); err != nil {
			panic(fmt.Sprintf("i18n: messages/%s: %v", e.Name(), err))
		}
		for k, v := range m {
			if _, dup := out[lang][k]; dup {
				panic(fmt.Sprintf("i18n: messages/%s: key %q is defined twice", e.Name(), k))
			}
			out[lang][k] = v
		}
	}
	return out
}

// languageOfFile reads the language from a catalogue file name:
// "en.json" and "reports.en.json" are both English.
func languageOfFile(name string) string {
	base, ok := strings.CutSuffix(name, ".json")
	if !ok {
		return ""
	}
	for _, lang := range Supported {
		if base == lang || strings.HasSuffix(base, "."+lang) {
			return lang
		}
	}
	return ""
}

// Keys returns every key of a language's catalogue (for the completeness test).
func Keys(lang string) []string {
	keys := make([]string, 0, len(catalogue[lang]))
	for k := range catalogue[lang] {
		keys = append(keys, k)
	}
	return keys
}

// Has reports whether the catalogue has a key in the language.
func Has(lang, key string) bool {
	_, ok := catalogue[lang][key]
	return ok
}

// Translator renders a message. Arguments that are themselves translatable
// (anything with a Key and Args, such as crm.Message) are rendered first, so
// that "%s not found" reads "客户不存在" and "account not found".
type Translator interface {
	MessageKey() string
	MessageArgs() []any
}

// T renders key in lang with printf-style args. An unknown key renders as
// the key itself, which a test keeps from ever reaching a user.
func T(lang, key string, args ...any) string {
	m, ok := catalogue[lang]
	if !ok {
		m = catalogue[ZH]
		lang = ZH
	}
	tmpl, ok := m[key]
	if !ok {
		tmpl = key
	}
	if len(args) == 0 {
		return tmpl
	}
	rendered := make([]any, len(args))
	for i, a := range args {
		if tr, ok := a.(Translator); ok {
			rendered[i] = T(lang, tr.MessageKey(), tr.MessageArgs()...)
		} else {
			rendered[i] = a
		}
	}
	return fmt.Sprintf(tmpl, rendered...)
}

// Match picks the best supported language for an Accept-Language header,
// or "" when the header names none of them.
func Match(acceptLanguage string) string {
	best, bestQ := "", -1.0
	for _, part := range strings.Split(acceptLanguage, ",") {
		tag, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		q := 1.0
		if v, ok := strings.CutPrefix(strings.TrimSpace(params), "q="); ok {
			if _, err := fmt.Sscanf(v, "%g", &q); err != nil {
				continue
			}
		}
		lang := normalize(tag)
		if lang != "" && q > bestQ {
			best, bestQ = lang, q
		}
	}
	return best
}

func normalize(tag string) string {
	t := strings.ToLower(strings.TrimSpace(tag))
	switch {
	case t == "zh" || strings.HasPrefix(t, "zh-"):
		return ZH
	case t == "en" || strings.HasPrefix(t, "en-"):
		return EN
	}
	return ""
}
