package store

import "testing"

// Only postgres:// URLs reach customPlans (Open refuses anything else).
func TestCustomPlans(t *testing.T) {
	for in, want := range map[string]string{
		"postgres://u@h:5432/db":                 "postgres://u@h:5432/db?plan_cache_mode=force_custom_plan",
		"postgres://u@h/db?sslmode=disable":      "postgres://u@h/db?sslmode=disable&plan_cache_mode=force_custom_plan",
		"postgres://u@h/db?plan_cache_mode=auto": "postgres://u@h/db?plan_cache_mode=auto",
	} {
		if got := customPlans(in); got != want {
			t.Errorf("customPlans(%q) = %q, want %q", in, got, want)
		}
	}
}
