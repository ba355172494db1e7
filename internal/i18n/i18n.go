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

//go:embed messages/*.json
var files embed.FS

var catalogue = mustLoad()

func mustLoad() map[string]map[string]string {
	out := map[string]map[string]string{}
	for _, lang := range Supported {
		b, err := files.ReadFile("messages/" + lang + ".json")
		if err != nil {
			panic(err)
		}
		m := map[string]string{}
		if err := json.Unmarshal(b, &m); err != nil {
			panic(fmt.Sprintf("i18n: messages/%s.json: %v", lang, err))
		}
		out[lang] = m
	}
	return out
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
