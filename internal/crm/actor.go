package crm

import "context"

// Actor is the signed-in user on whose behalf a service call runs. Every
// permission check reads it; handlers never decide permissions themselves.
type Actor struct {
	UserID   int64
	Role     string
	TeamID   int64 // 0 when the user has no team
	Language string
}

// ActorOf makes the actor for a user.
func ActorOf(u *User) Actor {
	a := Actor{UserID: u.ID, Role: u.Role, Language: u.Language}
	if u.TeamID != nil {
		a.TeamID = *u.TeamID
	}
	return a
}

// IsAdmin reports whether the actor is an admin.
func (a Actor) IsAdmin() bool { return a.Role == RoleAdmin }

// Scope limits a query to the records an actor may see. The store turns it
// into SQL so that lists, counts and reports all obey the same rule.
type Scope struct {
	All     bool  // admin: everything
	TeamID  int64 // manager: records owned by members of this team
	OwnerID int64 // rep (and a manager's own records)
}

// Scope returns the visibility scope of the actor.
func (a Actor) Scope() Scope {
	switch {
	case a.Role == RoleAdmin:
		return Scope{All: true}
	case a.Role == RoleManager && a.TeamID != 0:
		return Scope{TeamID: a.TeamID, OwnerID: a.UserID}
	default:
		return Scope{OwnerID: a.UserID}
	}
}

// Covers reports whether a record owned by ownerID, who belongs to
// ownerTeamID (0 for none), falls inside the scope.
func (s Scope) Covers(ownerID, ownerTeamID int64) bool {
	if s.All {
		return true
	}
	if ownerID == s.OwnerID {
		return true
	}
	return s.TeamID != 0 && ownerTeamID == s.TeamID
}

type actorKey struct{}

// WithActor returns a context that carries the actor.
func WithActor(ctx context.Context, a Actor) context.Context {
	return context.WithValue(ctx, actorKey{}, a)
}

// ActorFrom returns the actor of a context.
func ActorFrom(ctx context.Context) (Actor, bool) {
	a, ok := ctx.Value(actorKey{}).(Actor)
	return a, ok
}
