package crm

import (
	"context"
	"time"

	"github.com/dealpath/dealpath/internal/playbook"
)

// accountFacts maps an account to what the playbook's fit rules read.
func accountFacts(a *Account, asOf time.Time) playbook.AccountFacts {
	f := playbook.AccountFacts{
		Headcount: a.Headcount, BusinessKind: a.BusinessKind, Industry: a.Industry, Ownership: a.Ownership,
		JustRestructured: a.JustRestructured, RevenueLastYear: a.RevenueLastYear, GrossProfit: a.GrossProfit,
		ExistingSoftware: a.ExistingSoftware, BranchCount: a.BranchCount, PurchasePlan: a.PurchasePlan, AsOf: asOf,
	}
	if a.RestructuredOn != nil {
		t := a.RestructuredOn.Time
		f.RestructuredOn = &t
	}
	return f
}

// fit scores an account against the playbook in force, as of now.
func (s *Service) fit(a *Account) playbook.FitResult {
	return s.Playbook.Fit(accountFacts(a, s.now()))
}

// applyFit stores the fit on the account record and returns an audit row
// when the grade changed (nil otherwise). The stored grade is what lists
// filter and sort by; the full explanation is computed on demand.
func (s *Service) applyFit(actor Actor, a *Account) *AuditEntry {
	res := s.fit(a)
	old := a.FitGrade
	a.FitScore, a.FitGrade = &res.Score, res.Grade
	if old == res.Grade {
		return nil
	}
	return s.audit(actor, "account", a.ID, "grade", map[string]string{"grade": old}, map[string]any{"grade": res.Grade, "score": res.Score}, "")
}

// AccountFit returns the explained fit of an account the actor may see.
func (s *Service) AccountFit(ctx context.Context, actor Actor, id int64) (playbook.FitResult, error) {
	a, err := s.Account(ctx, actor, id)
	if err != nil {
		return playbook.FitResult{}, err
	}
	return s.fit(a), nil
}

// fingerprintSetting names the setting that remembers which playbook the
// stored grades were computed with.
const fingerprintSetting = "playbook_fingerprint"

// SyncFit recomputes every stored grade when the playbook in force differs
// from the one they were computed with (a new file, a new default), so that
// lists filtered by grade never mix two rule sets. It returns how many
// accounts it rescored. Grade changes are audited; versions stay, because a
// new rule is no edit by a user and must not make their open forms stale.
func (s *Service) SyncFit(ctx context.Context) (int, error) {
	stored, err := s.Store.Setting(ctx, fingerprintSetting)
	if err != nil {
		return 0, err
	}
	if stored == s.Playbook.Fingerprint {
		return 0, nil
	}
	n := 0
	f := AccountFilter{Scope: Scope{All: true}, ListParams: ListParams{Limit: MaxLimit, Sort: "created_at"}}
	for {
		page, err := s.Store.ListAccounts(ctx, f)
		if err != nil {
			return n, err
		}
		for _, a := range page.Items {
			audit := s.applyFit(SystemActor, a)
			if err := s.Store.SetAccountFit(ctx, a.ID, *a.FitScore, a.FitGrade, audit); err != nil {
				return n, err
			}
			n++
		}
		if page.NextCursor == "" {
			break
		}
		f.Cursor = page.NextCursor
	}
	return n, s.Store.SetSetting(ctx, fingerprintSetting, s.Playbook.Fingerprint)
}
