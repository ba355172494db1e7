package crm

import (
	"database/sql/driver"
	"encoding/json"
	"fmt"
	"reflect"
	"time"
)

// Date is a calendar day without a time zone, such as an expected close
// date. JSON and both databases carry it as "YYYY-MM-DD".
type Date struct {
	time.Time
}

// DateLayout is the one textual form of a Date.
const DateLayout = "2006-01-02"

// ParseDate reads "YYYY-MM-DD".
func ParseDate(s string) (Date, error) {
	t, err := time.Parse(DateLayout, s)
	if err != nil {
		return Date{}, err
	}
	return Date{t}, nil
}

// DateOf returns the UTC calendar day of t.
func DateOf(t time.Time) Date {
	y, m, d := t.UTC().Date()
	return Date{time.Date(y, m, d, 0, 0, 0, 0, time.UTC)}
}

// String formats the date as "YYYY-MM-DD".
func (d Date) String() string { return d.Format(DateLayout) }

// MarshalJSON writes "YYYY-MM-DD".
func (d Date) MarshalJSON() ([]byte, error) { return json.Marshal(d.String()) }

// UnmarshalJSON reads "YYYY-MM-DD" and rejects anything else, including
// full timestamps, so that a date never silently shifts by a time zone.
func (d *Date) UnmarshalJSON(b []byte) error {
	// A *json.UnmarshalTypeError lets the decoder name the offending field.
	bad := &json.UnmarshalTypeError{Value: string(b), Type: reflect.TypeFor[Date]()}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return bad
	}
	v, err := ParseDate(s)
	if err != nil {
		return bad
	}
	*d = v
	return nil
}

// Value stores the date as text, which SQLite keeps and PostgreSQL casts.
func (d Date) Value() (driver.Value, error) { return d.String(), nil }

// Scan reads a date from either engine: PostgreSQL returns time.Time,
// SQLite the stored text.
func (d *Date) Scan(src any) error {
	switch v := src.(type) {
	case time.Time:
		*d = DateOf(v)
		return nil
	case string:
		return d.scanText(v)
	case []byte:
		return d.scanText(string(v))
	}
	return fmt.Errorf("crm.Date: cannot scan %T", src)
}

func (d *Date) scanText(s string) error {
	if len(s) > len(DateLayout) {
		s = s[:len(DateLayout)]
	}
	v, err := ParseDate(s)
	if err != nil {
		return err
	}
	*d = v
	return nil
}
