package crm

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
)

// Opt is one field of a partial update (PATCH): it tells apart a field the
// client did not send (Set false), a field it cleared with null (Set and
// Null) and a field it set to a value. Inputs use it too for values whose
// own decoder reports errors without naming the field (time.Time).
type Opt[T any] struct {
	Set   bool
	Null  bool
	Value T
}

// UnmarshalJSON records that the field was present. Any decoding error
// becomes a *json.UnmarshalTypeError, the only kind to which the decoder
// adds the field's name: time.Time, for one, answers a bad time with a bare
// parse error, which the API could then not report on its field.
func (o *Opt[T]) UnmarshalJSON(b []byte) error {
	o.Set = true
	if bytes.Equal(bytes.TrimSpace(b), []byte("null")) {
		o.Null = true
		var zero T
		o.Value = zero
		return nil
	}
	err := json.Unmarshal(b, &o.Value)
	var ute *json.UnmarshalTypeError
	if err != nil && !errors.As(err, &ute) {
		return &json.UnmarshalTypeError{Value: string(b), Type: reflect.TypeFor[T]()}
	}
	return err
}

// ptr returns the value of a set, non-null Opt, else nil.
func (o Opt[T]) ptr() *T {
	if !o.Set || o.Null {
		return nil
	}
	v := o.Value
	return &v
}

// Some returns a set Opt, for callers that build patches in Go.
func Some[T any](v T) Opt[T] { return Opt[T]{Set: true, Value: v} }

// apply writes the new value into dst when the field was sent. A null on a
// non-nullable field becomes the zero value, which validation then judges.
func (o Opt[T]) apply(dst *T) {
	if o.Set {
		*dst = o.Value
	}
}

// applyPtr writes a nullable field: null clears it.
func applyPtr[T any](o Opt[T], dst **T) {
	if !o.Set {
		return
	}
	if o.Null {
		*dst = nil
		return
	}
	v := o.Value
	*dst = &v
}
