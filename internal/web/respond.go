package web

import (
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/dealpath/dealpath/internal/crm"
	"github.com/dealpath/dealpath/internal/i18n"
)

// MaxBodyBytes caps a request body (1 MiB): no record is anywhere near it.
const MaxBodyBytes = 1 << 20

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(true)
	_ = enc.Encode(v)
}

// statusOf is the one place where domain error codes become HTTP statuses.
func statusOf(code string) int {
	switch code {
	case crm.EINVALID:
		return http.StatusBadRequest
	case crm.ENOTFOUND:
		return http.StatusNotFound
	case crm.ECONFLICT:
		return http.StatusConflict
	case crm.EFORBIDDEN:
		return http.StatusForbidden
	case crm.EUNAUTHENTICATED:
		return http.StatusUnauthorized
	case crm.EGATEUNMET:
		return http.StatusUnprocessableEntity
	}
	return http.StatusInternalServerError
}

// errorBody is the JSON error envelope of DESIGN.md.
type errorBody struct {
	Error errorDetail `json:"error"`
}

type errorDetail struct {
	Code    string            `json:"code"`
	Message string            `json:"message"`
	Fields  map[string]string `json:"fields,omitempty"`
	Unmet   []unmetView       `json:"unmet,omitempty"`
}

// unmetView is one unmet gate criterion in the reader's language: what is
// missing (label) and what to do about it (hint).
type unmetView struct {
	Stage   string   `json:"stage"`
	Key     string   `json:"key"`
	Kind    string   `json:"kind"`
	Label   string   `json:"label"`
	Hint    string   `json:"hint"`
	Missing []string `json:"missing,omitempty"`
}

// writeError answers with the error envelope in the reader's language.
// Anything that is not a domain error is logged and shown only as an
// internal error with the request id.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	lang := language(r)
	var de *crm.Error
	if !errors.As(err, &de) {
		s.log.Error("internal error", "request_id", requestID(r), "method", r.Method, "path", r.URL.Path, "err", err)
		de = crm.Errorf(crm.EINTERNAL, "error.internal", requestID(r))
	}
	body := errorBody{Error: errorDetail{Code: de.Code, Message: i18n.T(lang, de.Message.Key, de.Message.Args...)}}
	if len(de.Fields) > 0 {
		body.Error.Fields = map[string]string{}
		for f, m := range de.Fields {
			body.Error.Fields[f] = i18n.T(lang, m.Key, m.Args...)
		}
	}
	if len(de.Unmet) > 0 {
		body.Error.Unmet = unmetViews(de.Unmet, lang)
	}
	if de.Code == crm.EUNAUTHENTICATED {
		w.Header().Set("WWW-Authenticate", `Bearer realm="dealpath"`)
	}
	writeJSON(w, statusOf(de.Code), body)
}

// language is the reader's language: what the browser asks for, else the
// signed-in user's setting, else the default zh-CN.
func language(r *http.Request) string {
	if l := i18n.Match(r.Header.Get("Accept-Language")); l != "" {
		return l
	}
	if a, ok := crm.ActorFrom(r.Context()); ok && a.Language != "" {
		return a.Language
	}
	return i18n.ZH
}

func invalid(field, key string, args ...any) error {
	return &crm.Error{Code: crm.EINVALID, Message: crm.Msg("error.invalid"), Fields: map[string]crm.Message{field: crm.Msg(key, args...)}}
}

// decode reads a JSON body strictly: JSON only, at most MaxBodyBytes, no
// unknown fields, no trailing data, and type errors reported on their field.
func decode(w http.ResponseWriter, r *http.Request, dst any) error {
	if ct := r.Header.Get("Content-Type"); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || mt != "application/json" {
			return crm.Errorf(crm.EINVALID, "error.bad_content_type")
		}
	}
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, MaxBodyBytes))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return decodeError(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return crm.Errorf(crm.EINVALID, "error.body_too_large", MaxBodyBytes)
		}
		return crm.Errorf(crm.EINVALID, "error.bad_json")
	}
	return nil
}

func decodeError(err error) error {
	var mbe *http.MaxBytesError
	var ute *json.UnmarshalTypeError
	var se *json.SyntaxError
	var tpe *time.ParseError
	switch {
	case errors.As(err, &mbe):
		return crm.Errorf(crm.EINVALID, "error.body_too_large", MaxBodyBytes)
	case errors.As(err, &ute):
		field := ute.Field
		if field == "" {
			return crm.Errorf(crm.EINVALID, "error.bad_json")
		}
		return invalid(field, "field.type", jsonType(ute))
	case errors.As(err, &se), errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return crm.Errorf(crm.EINVALID, "error.bad_json")
	case errors.As(err, &tpe):
		return crm.Errorf(crm.EINVALID, "error.bad_time")
	}
	if f, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		return invalid(strings.Trim(f, `"`), "field.unknown")
	}
	return crm.Errorf(crm.EINVALID, "error.bad_json")
}

// jsonType names the JSON type a Go type expects, for the type error.
func jsonType(ute *json.UnmarshalTypeError) string {
	if ute.Type == nil {
		return "value"
	}
	switch ute.Type {
	case reflect.TypeFor[crm.Date]():
		return "date YYYY-MM-DD"
	case reflect.TypeFor[time.Time]():
		return "RFC 3339 time"
	}
	switch ute.Type.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "integer"
	case reflect.Float32, reflect.Float64:
		return "number"
	case reflect.Bool:
		return "boolean"
	case reflect.String:
		return "string"
	case reflect.Slice, reflect.Array:
		return "array"
	}
	return "object"
}

// pathID reads a positive integer id from the path.
func pathID(r *http.Request, name string) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, crm.Errorf(crm.EINVALID, "error.bad_id")
	}
	return id, nil
}
