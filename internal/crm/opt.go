package crm

import (
	"bytes"
	"encoding/json"
)

// Opt is one field of a partial update (PATCH): it tells apart a field the
// client did not send (Set false), a field it cleared with null (Set and
// Null) and a field it set to a value.
type Opt[T any] struct {
	Set   bool
	Null  bool
	Value T
}

// UnmarshalJSON records that the field was present.
func (o *Opt[T]) UnmarshalJSON(b []byte) error {
	o.Set = true
	if bytes.Equal(bytes.TrimSpace(b), []byte("null")) {
		o.Null = true
		var zero T
		o.Value = zero
		return nil
	}
	return json.Unmarshal(b, &o.Value)
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
