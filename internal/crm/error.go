// Package crm holds dealpath's domain: the records a sales team works with,
// the rules that govern them (validation, permissions, optimistic locking)
// and the storage interfaces those rules need. It imports nothing of ours
// except the playbook engine, so every other layer depends on it and not the
// other way round.
package crm

import (
	"errors"
	"fmt"
	"sort"

	"github.com/dealpath/dealpath/internal/playbook"
)

// Error codes shared by every layer. The web layer maps each to one HTTP
// status in a single function; nothing else may invent codes.
const (
	EINVALID         = "invalid"
	ENOTFOUND        = "not_found"
	ECONFLICT        = "conflict"
	EFORBIDDEN       = "forbidden"
	EUNAUTHENTICATED = "unauthenticated"
	EGATEUNMET       = "gate_unmet"
	// EUNAVAILABLE is a request the database could not serve at the
	// moment (a deadlock, a serialization failure, a lock held too long);
	// the same request is expected to succeed when sent again.
	EUNAVAILABLE = "unavailable"
	EINTERNAL    = "internal"
)

// Message is a translatable text: a key into the message catalogue plus the
// arguments its template needs. The domain never renders text itself, so the
// same error reads in zh-CN or en depending on who asked.
type Message struct {
	Key  string
	Args []any
}

// Msg builds a Message.
func Msg(key string, args ...any) Message { return Message{Key: key, Args: args} }

// Error is a domain error: a code, a translatable message and, for invalid
// input, the message for each offending field.
type Error struct {
	Code    string
	Message Message
	Fields  map[string]Message
	// Unmet lists, for gate_unmet, each criterion of the playbook that
	// stands in the way, so the user can satisfy it and retry.
	Unmet []playbook.Unmet
	// Cause is the error this one classifies (a store's engine error),
	// kept for the log; it is never shown to the user.
	Cause error
}

// Unwrap returns the classified error, so errors.Is and errors.As see it.
func (e *Error) Unwrap() error { return e.Cause }

// Error implements error with the untranslated key, for logs and tests.
func (e *Error) Error() string {
	if len(e.Fields) == 0 {
		return fmt.Sprintf("%s: %s", e.Code, e.Message.Key)
	}
	keys := make([]string, 0, len(e.Fields))
	for k := range e.Fields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return fmt.Sprintf("%s: %s %v", e.Code, e.Message.Key, keys)
}

// Errorf returns a domain error with the given code and message.
func Errorf(code, key string, args ...any) *Error {
	return &Error{Code: code, Message: Msg(key, args...)}
}

// ErrorCode returns the code of a domain error, or EINTERNAL for anything
// else: an unexpected error is always the server's fault.
func ErrorCode(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorClassifier is implemented by a store that recognises some of its
// own errors as domain conditions. The store knows its engine's codes; the
// domain and the web layer only see the resulting code.
type ErrorClassifier interface {
	// ClassifyError returns err as a domain error when the engine says
	// what it means (for example EUNAVAILABLE for a deadlock), else err.
	ClassifyError(err error) error
}

// Classify lets the store name what an error means when it can (see
// ErrorClassifier); the web layer calls it before mapping an error to an
// answer.
func (s *Service) Classify(err error) error {
	if c, ok := s.Store.(ErrorClassifier); ok && err != nil {
		return c.ClassifyError(err)
	}
	return err
}

// Unavailable reports a request the database could not serve now and that
// may be sent again; cause is the engine's error, for the log.
func Unavailable(cause error) *Error {
	return &Error{Code: EUNAVAILABLE, Message: Msg("error.unavailable"), Cause: cause}
}

// NotFound reports a record that does not exist or that the actor may not
// see; the two are deliberately indistinguishable.
func NotFound(kind string) *Error {
	return Errorf(ENOTFOUND, "error.not_found", Msg("record."+kind))
}

// Conflict reports a stale version: someone else changed the record since it
// was read.
func Conflict() *Error { return Errorf(ECONFLICT, "error.stale_version") }

// Forbidden reports an action the actor's role does not allow.
func Forbidden() *Error { return Errorf(EFORBIDDEN, "error.forbidden") }

// MessageKey lets the message catalogue render nested messages.
func (m Message) MessageKey() string { return m.Key }

// MessageArgs lets the message catalogue render nested messages.
func (m Message) MessageArgs() []any { return m.Args }

// checkVersion compares the version a client sent with the stored one. A
// missing version is a client error of its own, not a conflict: telling the
// user "someone else changed this" would send them reloading for nothing.
func checkVersion(sent, current int64) error {
	if sent <= 0 {
		return &Error{Code: EINVALID, Message: Msg("error.invalid"), Fields: map[string]Message{"version": Msg("field.required")}}
	}
	if sent != current {
		return Conflict()
	}
	return nil
}
