package playbook

import (
	"regexp"
	"strconv"
	"strings"
)

// The languages every playbook text carries, default first.
const (
	ZH = "zh-CN"
	EN = "en"
)

// Languages lists the languages of a Text, default first.
var Languages = []string{ZH, EN}

// Text is a user-facing text in both languages. A struct rather than a map:
// a missing language cannot go unnoticed past Load, and Text is comparable.
type Text struct {
	ZH string `json:"zh-CN"`
	EN string `json:"en"`
}

// In returns the text in lang; any language other than English gets the
// default, Chinese.
func (t Text) In(lang string) string {
	if lang == EN {
		return t.EN
	}
	return t.ZH
}

// same returns a Text that reads s in both languages (numbers, keys).
func same(s string) Text { return Text{ZH: s, EN: s} }

// placeholderRE finds "{name}" placeholders in templates.
var placeholderRE = regexp.MustCompile(`\{([A-Za-z_][A-Za-z0-9_]*)\}`)

// render fills the template's placeholders from vars, language by language.
// Validation has made sure every placeholder has a value.
func (t Text) render(vars map[string]Text) Text {
	fill := func(s string, lang string) string {
		return placeholderRE.ReplaceAllStringFunc(s, func(m string) string {
			if v, ok := vars[m[1:len(m)-1]]; ok {
				return v.In(lang)
			}
			return m
		})
	}
	return Text{ZH: fill(t.ZH, ZH), EN: fill(t.EN, EN)}
}

// placeholders returns the placeholder names used in s.
func placeholders(s string) []string {
	var names []string
	for _, m := range placeholderRE.FindAllStringSubmatch(s, -1) {
		names = append(names, m[1])
	}
	return names
}

// join joins texts language by language with the language's separator.
func join(parts []Text, zhSep, enSep string) Text {
	zh := make([]string, len(parts))
	en := make([]string, len(parts))
	for i, p := range parts {
		zh[i], en[i] = p.ZH, p.EN
	}
	return Text{ZH: strings.Join(zh, zhSep), EN: strings.Join(en, enSep)}
}

// number renders an integer the same in both languages.
func number[T ~int | ~int64](n T) Text { return same(strconv.FormatInt(int64(n), 10)) }

// Money renders an amount in fen the way each language writes money:
// Chinese counts in 万元 when the amount is a whole number of them (that is
// how the thresholds of the source are written: 2000万), English in CNY with
// thousands separators.
func Money(fen int64) Text {
	sign := ""
	if fen < 0 {
		sign, fen = "-", -fen
	}
	yuan, cents := fen/100, fen%100
	plain := group(yuan)
	if cents != 0 {
		plain += "." + strconv.FormatInt(cents+100, 10)[1:]
	}
	zh := sign + plain + " 元"
	if cents == 0 && yuan >= 10000 && yuan%10000 == 0 {
		zh = sign + strconv.FormatInt(yuan/10000, 10) + " 万元"
	}
	return Text{ZH: zh, EN: "CNY " + sign + plain}
}

// group writes n with commas between thousands.
func group(n int64) string {
	s := strconv.FormatInt(n, 10)
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	return b.String()
}
