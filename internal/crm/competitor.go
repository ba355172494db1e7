package crm

import "context"

func (c *Competitor) validate() error {
	var v validator
	v.required("name", c.Name)
	v.maxLen("name", c.Name, MaxName)
	v.maxLen("strengths", c.Strengths, MaxText)
	v.maxLen("weaknesses", c.Weaknesses, MaxText)
	v.oneOf("status", c.Status, CompetitorStatuses, false)
	return v.err()
}

// DealCompetitors lists the competitors on a deal the actor may see, in the
// order they were recorded.
func (s *Service) DealCompetitors(ctx context.Context, actor Actor, dealID int64) ([]*Competitor, error) {
	if _, err := s.Deal(ctx, actor, dealID); err != nil {
		return nil, err
	}
	return s.Store.DealCompetitors(ctx, dealID)
}

// CreateCompetitor records a rival vendor on a deal (PLAYBOOK.md §5.2),
// active unless said otherwise.
func (s *Service) CreateCompetitor(ctx context.Context, actor Actor, dealID int64, in CompetitorInput) (*Competitor, error) {
	if _, err := s.Deal(ctx, actor, dealID); err != nil {
		return nil, err
	}
	c := &Competitor{DealID: dealID, Name: clean(in.Name), Strengths: clean(in.Strengths), Weaknesses: clean(in.Weaknesses), Status: in.Status}
	if c.Status == "" {
		c.Status = CompetitorStatuses[0]
	}
	if err := c.validate(); err != nil {
		return nil, err
	}
	now := s.now()
	c.CreatedAt, c.UpdatedAt, c.Version = now, now, 1
	if err := s.Store.CreateCompetitor(ctx, c); err != nil {
		return nil, err
	}
	return c, nil
}

// UpdateCompetitor changes a competitor when the client's version is
// current; eliminating one is a change of its status.
func (s *Service) UpdateCompetitor(ctx context.Context, actor Actor, dealID, id int64, p CompetitorPatch) (*Competitor, error) {
	if _, err := s.Deal(ctx, actor, dealID); err != nil {
		return nil, err
	}
	c, err := s.Store.CompetitorByID(ctx, dealID, id)
	if err != nil {
		return nil, err
	}
	if err := checkVersion(p.Version, c.Version); err != nil {
		return nil, err
	}
	p.Name.apply(&c.Name)
	p.Strengths.apply(&c.Strengths)
	p.Weaknesses.apply(&c.Weaknesses)
	p.Status.apply(&c.Status)
	c.Name, c.Strengths, c.Weaknesses = clean(c.Name), clean(c.Strengths), clean(c.Weaknesses)
	if err := c.validate(); err != nil {
		return nil, err
	}
	c.UpdatedAt = s.now()
	if err := s.Store.UpdateCompetitor(ctx, c, p.Version); err != nil {
		return nil, err
	}
	return c, nil
}

// DeleteCompetitor removes a competitor recorded by mistake; one who left
// the race is better marked eliminated, which keeps the history. Like every
// delete it names the version the client read.
func (s *Service) DeleteCompetitor(ctx context.Context, actor Actor, dealID, id, version int64) error {
	if _, err := s.Deal(ctx, actor, dealID); err != nil {
		return err
	}
	c, err := s.Store.CompetitorByID(ctx, dealID, id)
	if err != nil {
		return err
	}
	if version != c.Version {
		return Conflict()
	}
	return s.Store.DeleteCompetitor(ctx, dealID, id)
}
