package crm

import (
	"net/mail"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"
)

// Limits on user input. They keep a single record small enough that a list
// page stays fast and that nobody can fill the database with one request.
const (
	MaxName   = 200
	MaxShort  = 100
	MaxText   = 10000
	MaxMoney  = int64(1e15) // 10 trillion yuan in fen: far above any deal, far below int64 overflow
	MaxCount  = 10_000_000
	MaxListIn = 20
)

// validator collects field errors so that one response can tell the user
// everything that is wrong with a form, not only the first problem.
type validator struct {
	fields map[string]Message
}

func (v *validator) add(field, key string, args ...any) {
	if v.fields == nil {
		v.fields = map[string]Message{}
	}
	if _, ok := v.fields[field]; !ok {
		v.fields[field] = Msg(key, args...)
	}
}

func (v *validator) err() error {
	if len(v.fields) == 0 {
		return nil
	}
	return &Error{Code: EINVALID, Message: Msg("error.invalid"), Fields: v.fields}
}

func (v *validator) required(field, s string) {
	if strings.TrimSpace(s) == "" {
		v.add(field, "field.required")
	}
}

func (v *validator) maxLen(field, s string, n int) {
	if utf8.RuneCountInString(s) > n {
		v.add(field, "field.too_long", n)
	}
	if !utf8.ValidString(s) || strings.ContainsRune(s, 0) {
		v.add(field, "field.bad_text")
	}
}

func (v *validator) money(field string, x int64) {
	if x < 0 {
		v.add(field, "field.negative")
	} else if x > MaxMoney {
		v.add(field, "field.too_large")
	}
}

func (v *validator) optMoney(field string, x *int64) {
	if x != nil {
		v.money(field, *x)
	}
}

func (v *validator) count(field string, x *int) {
	if x == nil {
		return
	}
	if *x < 0 {
		v.add(field, "field.negative")
	} else if *x > MaxCount {
		v.add(field, "field.too_large")
	}
}

func (v *validator) oneOf(field, s string, allowed []string, optional bool) {
	if s == "" && optional {
		return
	}
	if !slices.Contains(allowed, s) {
		v.add(field, "field.one_of", strings.Join(allowed, ", "))
	}
}

func (v *validator) email(field, s string) {
	if s == "" {
		return
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s {
		v.add(field, "field.email")
	}
}

var phonePattern = regexp.MustCompile(`^[0-9+()\- ]{3,40}$`)

func (v *validator) phone(field, s string) {
	if s != "" && !phonePattern.MatchString(s) {
		v.add(field, "field.phone")
	}
}

// clean trims surrounding space, which users paste by accident and which
// would otherwise make "ACME" and "ACME " two different companies.
func clean(s string) string { return strings.TrimSpace(s) }
