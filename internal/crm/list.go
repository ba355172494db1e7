package crm

import "time"

// List limits (DESIGN.md: limit default 50, max 500).
const (
	DefaultLimit = 50
	MaxLimit     = 500
)

// ListParams are the query options every list endpoint shares.
type ListParams struct {
	Limit        int
	Cursor       string // opaque, from the previous page's NextCursor
	Sort         string // field name, "-field" for descending
	Q            string // text search on names
	UpdatedSince *time.Time
	WithTotal    bool
}

// Page is one page of a list.
type Page[T any] struct {
	Items      []T    `json:"items"`
	NextCursor string `json:"next_cursor"`
	Total      *int   `json:"total,omitempty"`
}

func (p *ListParams) normalize(v *validator, sortable []string) {
	if p.Limit == 0 {
		p.Limit = DefaultLimit
	}
	if p.Limit < 1 || p.Limit > MaxLimit {
		v.add("limit", "field.range", 1, MaxLimit)
	}
	// maxLen also refuses NUL and invalid UTF-8, which PostgreSQL rejects
	// in any text parameter: unchecked, a search for them is a 500.
	v.maxLen("q", p.Q, MaxShort)
	if p.Sort != "" {
		f := p.Sort
		if f[0] == '-' {
			f = f[1:]
		}
		ok := false
		for _, s := range sortable {
			if s == f {
				ok = true
			}
		}
		if !ok {
			v.add("sort", "field.one_of", joinKeys(sortable))
		}
	}
}

func joinKeys(keys []string) string {
	out := ""
	for i, k := range keys {
		if i > 0 {
			out += ", "
		}
		out += k
	}
	return out
}
