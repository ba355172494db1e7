package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/dealpath/dealpath/internal/crm"
)

// listParams reads the query options every list shares: limit, cursor,
// sort, q, updated_since, with_total.
func listParams(r *http.Request) (crm.ListParams, error) {
	q := r.URL.Query()
	var p crm.ListParams
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > crm.MaxLimit {
			return p, invalid("limit", "field.range", 1, crm.MaxLimit)
		}
		p.Limit = n
	}
	p.Cursor = q.Get("cursor")
	p.Sort = q.Get("sort")
	p.Q = q.Get("q")
	if v := q.Get("updated_since"); v != "" {
		t, err := time.Parse(time.RFC3339Nano, v)
		if err != nil {
			return p, invalid("updated_since", "field.time")
		}
		p.UpdatedSince = &t
	}
	if v := q.Get("with_total"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return p, invalid("with_total", "field.bool")
		}
		p.WithTotal = b
	}
	return p, nil
}

// queryID reads an optional id filter such as owner_id=7.
func queryID(q url.Values, name string) (*int64, error) {
	v := q.Get(name)
	if v == "" {
		return nil, nil
	}
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil || id <= 0 {
		return nil, invalid(name, "field.not_number")
	}
	return &id, nil
}

// queryBool reads an optional boolean filter such as open=true.
func queryBool(q url.Values, name string) (*bool, error) {
	v := q.Get(name)
	if v == "" {
		return nil, nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return nil, invalid(name, "field.bool")
	}
	return &b, nil
}

// versionParam reads the version a DELETE must name (?version=3), so that a
// delete, like an update, never acts on a record the user has not seen.
func versionParam(r *http.Request) (int64, error) {
	v, err := strconv.ParseInt(r.URL.Query().Get("version"), 10, 64)
	if err != nil || v <= 0 {
		return 0, invalid("version", "field.required")
	}
	return v, nil
}

// queryList reads a filter that takes several values, as repeated
// parameters (grade=A&grade=B) or comma-separated (grade=A,B).
func queryList(q url.Values, name string) []string {
	var out []string
	for _, v := range q[name] {
		for _, part := range strings.Split(v, ",") {
			if part = strings.TrimSpace(part); part != "" {
				out = append(out, part)
			}
		}
	}
	return out
}
