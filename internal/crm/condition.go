package crm

import "context"

// ConditionsInput sets some of a deal's purchase conditions at once.
type ConditionsInput struct {
	Conditions []ConditionInput `json:"conditions"`
}

// conditionAudit is what the audit log keeps of a condition change.
type conditionAudit struct {
	Key      string `json:"key"`
	Met      bool   `json:"met"`
	Evidence string `json:"evidence"`
}

// Conditions returns the purchase conditions of a deal the actor may see:
// every condition of the playbook, in the playbook's order, those never set
// at version 0 and not met.
func (s *Service) Conditions(ctx context.Context, actor Actor, dealID int64) ([]*PurchaseCondition, error) {
	if _, err := s.Deal(ctx, actor, dealID); err != nil {
		return nil, err
	}
	return s.conditions(ctx, dealID)
}

func (s *Service) conditions(ctx context.Context, dealID int64) ([]*PurchaseCondition, error) {
	stored, err := s.Store.Conditions(ctx, dealID)
	if err != nil {
		return nil, err
	}
	byKey := make(map[string]*PurchaseCondition, len(stored))
	for _, c := range stored {
		byKey[c.Key] = c
	}
	out := make([]*PurchaseCondition, 0, len(s.Playbook.Conditions))
	for _, it := range s.Playbook.Conditions {
		c, ok := byKey[it.Key]
		if !ok {
			c = &PurchaseCondition{Key: it.Key}
		}
		out = append(out, c)
	}
	return out, nil
}

// SaveConditions sets purchase conditions of a deal (PLAYBOOK.md §6). Each
// names the version it read (0 for one never set); if any is stale nothing
// is written. A met condition needs its evidence. Every condition that
// actually changes is audited on the deal, in the same transaction; one
// sent unchanged keeps its version. The answer is the full list, as
// Conditions gives it.
func (s *Service) SaveConditions(ctx context.Context, actor Actor, dealID int64, in ConditionsInput) ([]*PurchaseCondition, error) {
	if _, err := s.Deal(ctx, actor, dealID); err != nil {
		return nil, err
	}
	var v validator
	if len(in.Conditions) == 0 {
		v.add("conditions", "field.required")
	}
	seen := map[string]bool{}
	for _, c := range in.Conditions {
		field := "conditions." + c.Key
		switch {
		case s.Playbook.Condition(c.Key) == nil:
			v.add(field, "field.unknown_condition")
			continue
		case seen[c.Key]:
			v.add(field, "field.repeated")
		}
		seen[c.Key] = true
		if c.Version < 0 {
			v.add(field+".version", "field.negative")
		}
		v.maxLen(field+".evidence", c.Evidence, MaxText)
		if c.Met && clean(c.Evidence) == "" {
			v.add(field+".evidence", "field.evidence_required")
		}
	}
	if err := v.err(); err != nil {
		return nil, err
	}

	current, err := s.conditions(ctx, dealID)
	if err != nil {
		return nil, err
	}
	byKey := make(map[string]*PurchaseCondition, len(current))
	for _, c := range current {
		byKey[c.Key] = c
	}
	now := s.now()
	var changes []ConditionChange
	for _, in := range in.Conditions {
		old := byKey[in.Key]
		if in.Version != old.Version {
			return nil, Conflict()
		}
		evidence := clean(in.Evidence)
		if in.Met == old.Met && evidence == old.Evidence {
			// Nothing changes (a never-set condition reads as not met,
			// without evidence): no write, no audit row, same version.
			continue
		}
		c := &PurchaseCondition{Key: in.Key, Version: old.Version, Met: in.Met, Evidence: evidence, UpdatedBy: actorRef(actor), UpdatedAt: &now}
		audit := s.audit(actor, "deal", dealID, "condition",
			conditionAudit{Key: old.Key, Met: old.Met, Evidence: old.Evidence},
			conditionAudit{Key: c.Key, Met: c.Met, Evidence: c.Evidence}, "")
		changes = append(changes, ConditionChange{Condition: c, ExpectVersion: old.Version, Audit: audit})
	}
	if len(changes) > 0 {
		if err := s.Store.SaveConditions(ctx, dealID, changes); err != nil {
			return nil, err
		}
	}
	return s.conditions(ctx, dealID)
}
