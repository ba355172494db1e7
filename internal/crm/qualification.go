package crm

import "context"

// Qualification returns the questionnaire of a deal the actor may see;
// before the first save it is version 0 with nothing answered.
func (s *Service) Qualification(ctx context.Context, actor Actor, dealID int64) (*Qualification, error) {
	if _, err := s.Deal(ctx, actor, dealID); err != nil {
		return nil, err
	}
	q, err := s.Store.Qualification(ctx, dealID)
	if err != nil {
		return nil, err
	}
	if q.Answers == nil {
		q.Answers = map[string]string{}
	}
	return q, nil
}

// SaveQualification replaces a deal's questionnaire and budget when the
// client's version is the stored one (0 for a deal never qualified). Keys
// must be questions of the playbook; blank answers are dropped, so that an
// answer counts as given exactly when it is stored.
func (s *Service) SaveQualification(ctx context.Context, actor Actor, dealID int64, in QualificationInput) (*Qualification, error) {
	if _, err := s.Deal(ctx, actor, dealID); err != nil {
		return nil, err
	}
	q := &Qualification{DealID: dealID, Answers: map[string]string{}, Budget: Budget{
		Amount: in.Budget.Amount, Flexibility: in.Budget.Flexibility, Basis: clean(in.Budget.Basis),
		ApprovalProcess: clean(in.Budget.ApprovalProcess), PersuasionPlan: clean(in.Budget.PersuasionPlan),
	}}
	var v validator
	if in.Version < 0 {
		v.add("version", "field.negative")
	}
	for key, answer := range in.Answers {
		field := "answers." + key
		if s.Playbook.Question(key) == nil {
			v.add(field, "field.unknown_question")
			continue
		}
		v.maxLen(field, answer, MaxText)
		if a := clean(answer); a != "" {
			q.Answers[key] = a
		}
	}
	v.optMoney("budget.amount", q.Budget.Amount)
	v.oneOf("budget.flexibility", q.Budget.Flexibility, BudgetFlexibilities, true)
	v.maxLen("budget.basis", q.Budget.Basis, MaxText)
	v.maxLen("budget.approval_process", q.Budget.ApprovalProcess, MaxText)
	v.maxLen("budget.persuasion_plan", q.Budget.PersuasionPlan, MaxText)
	if err := v.err(); err != nil {
		return nil, err
	}
	current, err := s.Store.Qualification(ctx, dealID)
	if err != nil {
		return nil, err
	}
	if current.Version != in.Version {
		return nil, Conflict()
	}
	now := s.now()
	q.UpdatedAt = &now
	q.UpdatedBy = actorRef(actor)
	if err := s.Store.SaveQualification(ctx, q, in.Version); err != nil {
		return nil, err
	}
	q.Version = in.Version + 1
	return q, nil
}

// actorRef is the user id to record as the author of a change: nil for the
// command line, which is no user.
func actorRef(a Actor) *int64 {
	if a.UserID == 0 {
		return nil
	}
	id := a.UserID
	return &id
}
