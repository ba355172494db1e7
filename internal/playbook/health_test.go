package playbook

import (
	"strings"
	"testing"
	"time"
)

func partPoints(h Health) map[string]int {
	m := map[string]int{}
	for _, p := range h.Parts {
		m[p.Key] = p.Points
	}
	return m
}

func TestHealth(t *testing.T) {
	p := Default()
	recent := day(-3)
	old := day(-30)
	mid := day(-18) // 12 of the 23 days between full (7) and zero (30) left
	d20, d39 := day(20), day(39)
	cases := []struct {
		name  string
		stage string
		f     DealFacts
		now   time.Time
		last  *time.Time
		slips int
		want  map[string]int
		score int
	}{
		{"new deal, nothing done", "prospecting", DealFacts{}, t0, nil, 0,
			map[string]int{"gate": 13, "events": 0, "key_persons": 0, "recency": 0, "stage_time": 15, "slips": 10}, 38},
		{"everything in order", "commit", fullFacts(), t0, &recent, 0,
			map[string]int{"gate": 25, "events": 8, "key_persons": 8, "recency": 15, "stage_time": 15, "slips": 10}, 81},
		{"old activity and slips", "commit", fullFacts(), t0, &old, 3,
			map[string]int{"gate": 25, "events": 8, "key_persons": 8, "recency": 0, "stage_time": 15, "slips": 0}, 56},
		{"activity halfway", "commit", fullFacts(), t0, &mid, 1,
			map[string]int{"recency": 8, "slips": 5}, 69},
		{"overstaying", "commit", fullFacts(), day(21), &d20, 0, // 21 days of 14: 7 over
			map[string]int{"stage_time": 8, "recency": 15}, 74},
		{"far over time", "commit", fullFacts(), day(40), &d39, 0,
			map[string]int{"stage_time": 0}, 66},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := p.Health(tc.stage, tc.f, tc.now, t0, tc.last, tc.slips)
			got := partPoints(h)
			for k, v := range tc.want {
				if got[k] != v {
					t.Errorf("%s = %d, want %d (%v)", k, got[k], v, got)
				}
			}
			if h.Score != tc.score {
				t.Errorf("score = %d, want %d (%v)", h.Score, tc.score, got)
			}
			max := 0
			for _, part := range h.Parts {
				max += part.Max
				if part.Reason.ZH == "" || part.Reason.EN == "" || strings.Contains(part.Reason.EN, "{") {
					t.Errorf("part %s reason %+v", part.Key, part.Reason)
				}
			}
			if max != 100 {
				t.Errorf("parts add up to %d", max)
			}
		})
	}
}

func TestHealthReasons(t *testing.T) {
	f := fullFacts()
	f.Events = append(f.Events, EventFact{Code: "CE4", Impact: "部门间信息不通"})
	last := day(-2)
	h := Default().Health("negotiation", f, t0, day(-5), &last, 2)
	want := map[string]string{
		"gate":        "3 of 3 criteria",
		"events":      "2 compelling events",
		"key_persons": "2 of 5 key-person roles",
		"recency":     "last activity 2 days ago",
		"stage_time":  "5 days in this stage (limit 30)",
		"slips":       "moved 2 times",
	}
	for _, part := range h.Parts {
		if !strings.Contains(part.Reason.EN, want[part.Key]) {
			t.Errorf("%s: %q lacks %q", part.Key, part.Reason.EN, want[part.Key])
		}
	}
	if got := partPoints(h)["events"]; got != 15 {
		t.Errorf("two events with impact = %d points, want the full 15", got)
	}
}
