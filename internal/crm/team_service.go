package crm

import "context"

func (t *Team) validate() error {
	var v validator
	v.required("name", t.Name)
	v.maxLen("name", t.Name, MaxShort)
	return v.err()
}

// CreateTeam adds a team; admins only.
func (s *Service) CreateTeam(ctx context.Context, actor Actor, in TeamInput) (*Team, error) {
	if !actor.IsAdmin() {
		return nil, Forbidden()
	}
	t := &Team{Name: clean(in.Name)}
	if err := t.validate(); err != nil {
		return nil, err
	}
	now := s.now()
	t.CreatedAt, t.UpdatedAt, t.Version = now, now, 1
	if err := s.Store.CreateTeam(ctx, t); err != nil {
		return nil, err
	}
	return t, nil
}

// Team returns a team; everybody may read teams.
func (s *Service) Team(ctx context.Context, actor Actor, id int64) (*Team, error) {
	return s.Store.TeamByID(ctx, id)
}

// Teams lists all teams.
func (s *Service) Teams(ctx context.Context, actor Actor) ([]*Team, error) {
	return s.Store.ListTeams(ctx)
}

// UpdateTeam renames a team; admins only.
func (s *Service) UpdateTeam(ctx context.Context, actor Actor, id int64, p TeamPatch) (*Team, error) {
	if !actor.IsAdmin() {
		return nil, Forbidden()
	}
	t, err := s.Store.TeamByID(ctx, id)
	if err != nil {
		return nil, err
	}
	if err := checkVersion(p.Version, t.Version); err != nil {
		return nil, err
	}
	p.Name.apply(&t.Name)
	t.Name = clean(t.Name)
	if err := t.validate(); err != nil {
		return nil, err
	}
	t.UpdatedAt = s.now()
	if err := s.Store.UpdateTeam(ctx, t, p.Version); err != nil {
		return nil, err
	}
	return t, nil
}

// DeleteTeam removes an empty team; one with members is refused by the
// store (conflict), so no user is left pointing at nothing.
func (s *Service) DeleteTeam(ctx context.Context, actor Actor, id int64) error {
	if !actor.IsAdmin() {
		return Forbidden()
	}
	if _, err := s.Store.TeamByID(ctx, id); err != nil {
		return err
	}
	return s.Store.DeleteTeam(ctx, id)
}
