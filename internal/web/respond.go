package web

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"sync/atomic"
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
	case crm.EUNAVAILABLE:
		return http.StatusServiceUnavailable
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

// retryAfterSeconds is the Retry-After of a 503: a deadlock or a lock
// wait is over within a second or two.
const retryAfterSeconds = "2"

// statusClientClosed is the status logged for a request whose client went
// away before the answer (nginx's 499). It is never sent: nobody is there.
const statusClientClosed = 499

// Counts are the failed requests a server counted since it started, kept
// apart so that a client hanging up is not mistaken for a server fault.
type Counts struct {
	// ServerErrors were answered 500.
	ServerErrors int64
	// Unavailable were answered 503: the database was busy (a deadlock,
	// a serialization failure, a lock timeout) and the client may retry.
	Unavailable int64
	// ClientClosed were abandoned by their client before the answer.
	ClientClosed int64
}

// counters backs Counts; the handlers of many requests add to it at once.
type counters struct {
	serverErrors, unavailable, clientClosed atomic.Int64
}

// Counts returns the failed requests counted so far.
func (s *Server) Counts() Counts {
	return Counts{ServerErrors: s.counts.serverErrors.Load(), Unavailable: s.counts.unavailable.Load(),
		ClientClosed: s.counts.clientClosed.Load()}
}

// clientClosed handles an error of a request whose client went away (its
// context is cancelled when the connection closes): the error is a
// consequence, not a fault, so it is logged as status 499 below error
// level, counted apart, and nothing is written. It reports whether that
// was the case.
func (s *Server) clientClosed(w http.ResponseWriter, r *http.Request, err error) bool {
	if !errors.Is(r.Context().Err(), context.Canceled) {
		return false
	}
	s.counts.clientClosed.Add(1)
	if rec, ok := w.(*statusRecorder); ok && rec.status == 0 {
		rec.status = statusClientClosed
	}
	s.log.Info("client closed request", "request_id", requestID(r), "method", r.Method, "path", r.URL.Path,
		"status", statusClientClosed, "err", err)
	return true
}

// classify names what an error means as far as the store can tell, and
// logs and counts the errors that are no fault of the request: a busy
// database (503, with Retry-After) and anything not a domain error (500).
// It returns the domain error to answer with.
func (s *Server) classify(w http.ResponseWriter, r *http.Request, err error) *crm.Error {
	var de *crm.Error
	if !errors.As(s.svc.Classify(err), &de) {
		s.counts.serverErrors.Add(1)
		s.log.Error("internal error", "request_id", requestID(r), "method", r.Method, "path", r.URL.Path, "err", err)
		return crm.Errorf(crm.EINTERNAL, "error.internal", requestID(r))
	}
	if de.Code == crm.EUNAVAILABLE {
		s.counts.unavailable.Add(1)
		s.log.Warn("database busy", "request_id", requestID(r), "method", r.Method, "path", r.URL.Path, "err", err)
		w.Header().Set("Retry-After", retryAfterSeconds)
	}
	return de
}

// writeError answers with the error envelope in the reader's language.
// Anything that is not a domain error is logged and shown only as an
// internal error with the request id; a request whose client left gets
// no answer.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	if s.clientClosed(w, r, err) {
		return
	}
	lang := language(r)
	de := s.classify(w, r, err)
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
