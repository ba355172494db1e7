package playbook

import (
	"testing"
	"time"
)

// TestScoreIsFit: the import's unexplained score is Fit's, for accounts
// that cross every threshold and disqualifier of the default profile.
func TestScoreIsFit(t *testing.T) {
	p := Default()
	ip := func(n int) *int { return &n }
	mp := func(n int64) *int64 { return &n }
	asOf := time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)
	recent := asOf.AddDate(0, -3, 0)
	var cases []AccountFacts
	for _, hc := range []*int{nil, ip(5), ip(50), ip(500)} {
		for _, bk := range append([]string{""}, BusinessKinds...) {
			for _, own := range append([]string{""}, Ownerships...) {
				cases = append(cases, AccountFacts{Headcount: hc, BusinessKind: bk, Ownership: own, AsOf: asOf,
					RevenueLastYear: mp(int64(len(cases)) * 1_000_000_00), BranchCount: ip(len(cases) % 4),
					ExistingSoftware: SoftwareKinds[:len(cases)%len(SoftwareKinds)], PurchasePlan: PurchasePlans[len(cases)%len(PurchasePlans)]})
			}
		}
	}
	cases = append(cases, AccountFacts{Industry: "pharmaceutical", Headcount: ip(500), AsOf: asOf},
		AccountFacts{Ownership: "restructured_soe", RestructuredOn: &recent, AsOf: asOf},
		AccountFacts{Ownership: "restructured_soe", JustRestructured: true, AsOf: asOf})
	for i, a := range cases {
		f := p.Fit(a)
		if s, g := p.Score(a); s != f.Score || g != f.Grade {
			t.Errorf("case %d: Score %d %s, Fit %d %s", i, s, g, f.Score, f.Grade)
		}
	}
}
