package crm

import (
	"context"
	"time"

	"github.com/dealpath/dealpath/internal/playbook"
)

// FitAsOf scores an account against a playbook as of a day, mapping the
// account to the engine's facts exactly as the service does. Generated data
// (dealpath demo) stores the same score and grade the service would.
func FitAsOf(pb *playbook.Playbook, a *Account, asOf time.Time) playbook.FitResult {
	return pb.Fit(accountFacts(a, asOf))
}

// MarkFitCurrent records that the stored grades were computed with the
// playbook in force, after a bulk load that computed them itself with
// FitAsOf, so that the next start does not rescore every account.
func (s *Service) MarkFitCurrent(ctx context.Context) error {
	return s.Store.SetSetting(ctx, fingerprintSetting, s.Playbook.Fingerprint)
}

// PassedGatesUnmet lists the criteria a deal does not meet among the exit
// gates of every stage before its own: empty for a deal whose records back
// the stage it is in. Lost deals, and deals in the first stage, have passed
// no gate. Generated data is checked with it.
func (s *Service) PassedGatesUnmet(ctx context.Context, actor Actor, id int64) ([]playbook.Unmet, error) {
	d, err := s.Deal(ctx, actor, id)
	if err != nil {
		return nil, err
	}
	if d.Stage == StageLost || len(s.Playbook.Stages) == 0 || d.Stage == s.Playbook.Stages[0].Key {
		return nil, nil
	}
	st, err := s.dealState(ctx, d)
	if err != nil {
		return nil, err
	}
	return s.Playbook.CheckMove(s.Playbook.Stages[0].Key, d.Stage, st.facts), nil
}

// CreateUsers creates several users as CreateUser does, stopping at the
// first error, and hashes each distinct password once: bcrypt at the
// stored cost takes a noticeable fraction of a second, and generated users
// (dealpath demo) share one password.
func (s *Service) CreateUsers(ctx context.Context, actor Actor, ins []UserInput) ([]*User, error) {
	if !actor.IsAdmin() {
		return nil, Forbidden()
	}
	hashes := map[string]string{}
	var out []*User
	for _, in := range ins {
		u := &User{Username: clean(in.Username), DisplayName: clean(in.DisplayName), Email: clean(in.Email), Role: in.Role, TeamID: in.TeamID, Language: in.Language}
		if u.Role == "" {
			u.Role = RoleRep
		}
		if u.Language == "" {
			u.Language = Languages[0]
		}
		if u.DisplayName == "" {
			u.DisplayName = u.Username
		}
		u.setAuthority(defaultAuthority(u.Role))
		err := u.validate()
		if perr := validatePassword(in.Password); perr != nil {
			err = mergeInvalid(err, perr)
		}
		if err != nil {
			return out, err
		}
		if err := s.checkTeam(ctx, u.TeamID); err != nil {
			return out, err
		}
		hash, ok := hashes[in.Password]
		if !ok {
			if hash, err = s.hashPassword(in.Password); err != nil {
				return out, err
			}
			hashes[in.Password] = hash
		}
		u.PasswordHash = hash
		now := s.now()
		u.CreatedAt, u.UpdatedAt, u.Version = now, now, 1
		if err := s.Store.CreateUser(ctx, u); err != nil {
			return out, err
		}
		out = append(out, u)
	}
	return out, nil
}
