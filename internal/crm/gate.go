package crm

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/dealpath/dealpath/internal/playbook"
)

// dealState is everything the playbook engine needs to judge a deal,
// assembled from the deal's records.
type dealState struct {
	facts          playbook.DealFacts
	lastActivityAt *time.Time
}

// maxFactActivities bounds how many of a deal's activities the facts read:
// gates ask whether a kind of activity exists, which the most recent
// hundreds answer.
const maxFactActivities = 500

// dealState reads a deal's account, contacts, qualification records and
// activities and maps them to the playbook's facts.
func (s *Service) dealState(ctx context.Context, d *Deal) (*dealState, error) {
	st := &dealState{}
	f := &st.facts
	acc, err := s.Store.AccountByID(ctx, d.AccountID)
	if err != nil {
		return nil, err
	}
	fit := s.fit(acc)
	f.AccountDisqualified, f.AccountGrade = fit.Disqualified, fit.Grade

	f.FieldsSet = []string{"title"}
	if d.Amount > 0 {
		f.FieldsSet = append(f.FieldsSet, "amount")
	}
	if d.ExpectedCloseDate != nil {
		f.FieldsSet = append(f.FieldsSet, "expected_close_date")
	}
	if d.Probability > 0 {
		f.FieldsSet = append(f.FieldsSet, "probability")
	}
	if strings.TrimSpace(d.NextStep) != "" {
		f.FieldsSet = append(f.FieldsSet, "next_step")
	}

	dcs, err := s.Store.DealContacts(ctx, d.ID)
	if err != nil {
		return nil, err
	}
	roleOf := map[int64]string{}
	for _, dc := range dcs {
		c, err := s.Store.ContactByID(ctx, dc.ContactID)
		if err != nil && ErrorCode(err) != ENOTFOUND {
			return nil, err
		}
		if err != nil {
			continue // a deleted contact no longer counts
		}
		roleOf[c.ID] = c.FunctionalRole
		f.Contacts = append(f.Contacts, playbook.DealContact{ContactID: c.ID, FunctionalRole: c.FunctionalRole,
			BuyingRole: dc.BuyingRole, Stance: dc.Stance, EngagementStep: dc.EngagementStep})
	}

	events, err := s.Store.DealEvents(ctx, d.ID)
	if err != nil {
		return nil, err
	}
	for _, e := range events {
		f.Events = append(f.Events, playbook.EventFact{Code: e.Code, Impact: strings.TrimSpace(e.Impact)})
	}

	q, err := s.Store.Qualification(ctx, d.ID)
	if err != nil {
		return nil, err
	}
	for k, v := range q.Answers {
		if strings.TrimSpace(v) != "" {
			f.Answered = append(f.Answered, k)
		}
	}
	slices.Sort(f.Answered)
	f.Budget = playbook.BudgetFact{AmountKnown: q.Budget.Amount != nil, ApprovalProcessKnown: strings.TrimSpace(q.Budget.ApprovalProcess) != ""}

	demos, err := s.Store.DealDemos(ctx, d.ID)
	if err != nil {
		return nil, err
	}
	for _, dm := range demos {
		f.Demos = append(f.Demos, playbook.DemoFact{HasROI: len(dm.ROI.Lines) > 0, HasNextStep: strings.TrimSpace(dm.NextStep) != ""})
	}

	comps, err := s.Store.DealCompetitors(ctx, d.ID)
	if err != nil {
		return nil, err
	}
	f.Competitors, f.NoCompetitors = len(comps), d.NoCompetitors

	conds, err := s.Store.Conditions(ctx, d.ID)
	if err != nil {
		return nil, err
	}
	f.Conditions = map[string]bool{}
	for _, c := range conds {
		f.Conditions[c.Key] = c.Met
	}

	if f.QuoteApproved, err = s.quoteApproved(ctx, d.ID); err != nil {
		return nil, err
	}
	if err := s.contractFacts(ctx, d.ID, f); err != nil {
		return nil, err
	}

	page, err := s.Store.ListActivities(ctx, ActivityFilter{Scope: Scope{All: true}, DealID: &d.ID,
		ListParams: ListParams{Limit: maxFactActivities, Sort: "-created_at"}})
	if err != nil {
		return nil, err
	}
	now := s.now()
	for _, a := range page.Items {
		af := playbook.ActivityFact{Type: a.Type, Done: a.DoneAt != nil, Scheduled: a.DueAt != nil}
		if a.ContactID != nil {
			af.ContactRole = roleOf[*a.ContactID]
			if af.ContactRole == "" {
				if c, err := s.Store.ContactByID(ctx, *a.ContactID); err == nil {
					af.ContactRole = c.FunctionalRole
				}
			}
		}
		f.Activities = append(f.Activities, af)
		if a.DoneAt != nil && !a.DoneAt.After(now) && (st.lastActivityAt == nil || a.DoneAt.After(*st.lastActivityAt)) {
			t := *a.DoneAt
			st.lastActivityAt = &t
		}
	}
	return st, nil
}

// GateUnmet is the error of a forward move whose gate does not hold: it
// lists each unmet criterion so the user can satisfy it and retry.
func GateUnmet(unmet []playbook.Unmet) *Error {
	return &Error{Code: EGATEUNMET, Message: Msg("error.gate_unmet"), Unmet: unmet}
}

// MoveDealStage moves a deal to another stage under the playbook's rules.
// Forward, every gate between the current and the target stage must hold,
// else the move is refused with the unmet criteria — unless a manager or
// admin overrides with a written reason, which is audited as such.
// Backward needs a reason; lost needs a reason, which becomes the lost
// reason. The deal's probability follows the playbook's default for the
// new stage.
func (s *Service) MoveDealStage(ctx context.Context, actor Actor, id int64, m StageMove) (*Deal, error) {
	d, err := s.Deal(ctx, actor, id)
	if err != nil {
		return nil, err
	}
	m.Reason = clean(m.Reason)
	var v validator
	v.oneOf("stage", m.Stage, Stages, false)
	v.maxLen("reason", m.Reason, MaxText)
	if m.Stage == d.Stage {
		v.add("stage", "field.same_stage")
	}
	if err := v.err(); err != nil {
		return nil, err
	}
	from, to := s.Playbook.Stage(d.Stage), s.Playbook.Stage(m.Stage)
	if from == nil || to == nil {
		return nil, &Error{Code: EINVALID, Message: Msg("error.invalid"), Fields: map[string]Message{"stage": Msg("field.unknown_stage")}}
	}
	forward := d.Stage == StageLost || (m.Stage != StageLost && s.stageIndex(m.Stage) > s.stageIndex(d.Stage))
	if !forward && m.Reason == "" {
		return nil, &Error{Code: EINVALID, Message: Msg("error.invalid"), Fields: map[string]Message{"reason": Msg("field.reason_required")}}
	}
	if m.Override {
		if actor.Role == RoleRep {
			return nil, Forbidden()
		}
		if m.Reason == "" {
			return nil, &Error{Code: EINVALID, Message: Msg("error.invalid"), Fields: map[string]Message{"reason": Msg("field.reason_required")}}
		}
	}
	action := "stage"
	var unmet []playbook.Unmet
	if forward {
		st, err := s.dealState(ctx, d)
		if err != nil {
			return nil, err
		}
		unmet = s.Playbook.CheckMove(d.Stage, m.Stage, st.facts)
		if len(unmet) > 0 && !m.Override {
			return nil, GateUnmet(unmet)
		}
		if len(unmet) > 0 {
			action = "override"
		}
	}
	before := map[string]any{"stage": d.Stage, "probability": d.Probability}
	version := d.Version
	d.Stage = m.Stage
	d.Probability = to.Probability
	if m.Stage == StageLost {
		d.LostReason = m.Reason
	} else {
		d.LostReason = ""
	}
	now := s.now()
	d.StageChangedAt, d.UpdatedAt = now, now
	after := map[string]any{"stage": d.Stage, "probability": d.Probability}
	if action == "override" {
		keys := make([]string, len(unmet))
		for i, u := range unmet {
			keys[i] = u.Stage + "." + u.Key
		}
		after["overridden"] = keys
	}
	if err := s.Store.UpdateDeal(ctx, d, version, s.audit(actor, "deal", id, action, before, after, m.Reason)); err != nil {
		return nil, err
	}
	return d, nil
}

func (s *Service) stageIndex(key string) int {
	for i, st := range s.Playbook.Stages {
		if st.Key == key {
			return i
		}
	}
	return -1
}

// DealGuidance tells the rep where a deal stands and what to do next.
func (s *Service) DealGuidance(ctx context.Context, actor Actor, id int64) (playbook.Guidance, error) {
	d, err := s.Deal(ctx, actor, id)
	if err != nil {
		return playbook.Guidance{}, err
	}
	st, err := s.dealState(ctx, d)
	if err != nil {
		return playbook.Guidance{}, err
	}
	return s.Playbook.Guide(d.Stage, st.facts, s.now(), d.StageChangedAt), nil
}

// DealHealth scores how well a deal is doing, with its reasons.
func (s *Service) DealHealth(ctx context.Context, actor Actor, id int64) (playbook.Health, error) {
	d, err := s.Deal(ctx, actor, id)
	if err != nil {
		return playbook.Health{}, err
	}
	st, err := s.dealState(ctx, d)
	if err != nil {
		return playbook.Health{}, err
	}
	return s.Playbook.Health(d.Stage, st.facts, s.now(), d.StageChangedAt, st.lastActivityAt, d.CloseDateSlips), nil
}

// DealKeyPersons is the key-person map of a deal (PLAYBOOK.md §1.3–1.4).
func (s *Service) DealKeyPersons(ctx context.Context, actor Actor, id int64) ([]playbook.KeyPersonSlot, error) {
	d, err := s.Deal(ctx, actor, id)
	if err != nil {
		return nil, err
	}
	st, err := s.dealState(ctx, d)
	if err != nil {
		return nil, err
	}
	return s.Playbook.KeyPersonMap(st.facts.Contacts), nil
}
