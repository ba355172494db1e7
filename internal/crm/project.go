package crm

import (
	"context"
	"slices"
	"time"
)

// Project states: a project opens when its sale contract is signed and
// closes with the final payment, in the same transaction that completes
// the contract and closes the deal.
const (
	ProjectOpen   = "open"
	ProjectClosed = "closed"
)

// ProjectStates lists the states of a project.
var ProjectStates = []string{ProjectOpen, ProjectClosed}

// Step keys of the default playbook's implementation checklist that the
// service acts on (PLAYBOOK.md §7): go-live makes the go_live milestones
// due; the final payment step is done by the last payment, never by hand.
const (
	StepGoLive       = "go_live"
	StepFinalPayment = "final_payment"
)

// Project is the implementation project of a signed sale contract
// (PLAYBOOK.md §7). Its steps are the playbook's implementation checklist
// when the contract was signed.
type Project struct {
	ID         int64         `json:"id"`
	Version    int64         `json:"version"`
	DealID     int64         `json:"deal_id"`
	ContractID int64         `json:"contract_id"`
	OwnerID    int64         `json:"owner_id"`
	Name       string        `json:"name"`
	State      string        `json:"state"`
	Steps      []ProjectStep `json:"steps"`
	Notes      string        `json:"notes"`
	GoLiveOn   *Date         `json:"go_live_on"`
	OpenedAt   time.Time     `json:"opened_at"`
	ClosedAt   *time.Time    `json:"closed_at"`
	CreatedAt  time.Time     `json:"created_at"`
	UpdatedAt  time.Time     `json:"updated_at"`

	// OwnerTeamID is the owner's team, loaded for permission checks.
	OwnerTeamID int64 `json:"-"`
}

// ProjectStep is one step of a project: a key of the playbook's
// implementation checklist and whether, when and by whom it was done.
type ProjectStep struct {
	Key    string     `json:"key"`
	Done   bool       `json:"done"`
	DoneAt *time.Time `json:"done_at"`
	DoneBy *int64     `json:"done_by"`
}

// ProjectPatch changes a project's name or notes.
type ProjectPatch struct {
	Version int64       `json:"version"`
	Name    Opt[string] `json:"name"`
	Notes   Opt[string] `json:"notes"`
}

// StepComplete completes a step; OnDay is the day it happened (go-live),
// today when absent.
type StepComplete struct {
	Version int64 `json:"version"`
	OnDay   *Date `json:"on"`
}

// ProjectTask is a task of a project's operation (PLAYBOOK.md §7.3).
type ProjectTask struct {
	ID        int64     `json:"id"`
	Version   int64     `json:"version"`
	ProjectID int64     `json:"project_id"`
	Title     string    `json:"title"`
	OwnerID   int64     `json:"owner_id"`
	DueOn     *Date     `json:"due_on"`
	Done      bool      `json:"done"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// ProjectTaskInput creates a task; the owner defaults to the actor.
type ProjectTaskInput struct {
	Title   string `json:"title"`
	OwnerID int64  `json:"owner_id"`
	DueOn   *Date  `json:"due_on"`
}

// ProjectTaskPatch changes a task.
type ProjectTaskPatch struct {
	Version int64       `json:"version"`
	Title   Opt[string] `json:"title"`
	OwnerID Opt[int64]  `json:"owner_id"`
	DueOn   Opt[Date]   `json:"due_on"`
	Done    Opt[bool]   `json:"done"`
}

// ProjectFilter selects projects for a list. Its Q searches the project's
// name.
type ProjectFilter struct {
	ListParams
	Scope   Scope
	DealID  *int64
	OwnerID *int64
	State   string
}

// ProjectSortFields are the fields a project list sorts by.
var ProjectSortFields = []string{"created_at", "updated_at", "name", "go_live_on"}

// ProjectStore persists projects and their tasks. Projects are created by
// SignContract and closed by a final payment.
type ProjectStore interface {
	ProjectByID(ctx context.Context, id int64) (*Project, error)
	ListProjects(ctx context.Context, f ProjectFilter) (*Page[*Project], error)
	// UpdateProject writes name, notes, steps and go-live day if the
	// project is still at expectVersion; when dues is not nil it also sets
	// the due dates of those milestones, all with the audit row.
	UpdateProject(ctx context.Context, p *Project, expectVersion int64, dues []Milestone, audit *AuditEntry) error
	CreateProjectTask(ctx context.Context, t *ProjectTask) error
	ProjectTaskByID(ctx context.Context, projectID, id int64) (*ProjectTask, error)
	ProjectTasks(ctx context.Context, projectID int64) ([]*ProjectTask, error)
	UpdateProjectTask(ctx context.Context, t *ProjectTask, expectVersion int64) error
}

// newProject builds the project a signing opens.
func (s *Service) newProject(d *Deal, c *Contract, now time.Time) *Project {
	p := &Project{Version: 1, DealID: d.ID, ContractID: c.ID, OwnerID: d.OwnerID, OwnerTeamID: d.OwnerTeamID,
		Name: d.Title, State: ProjectOpen, OpenedAt: now, CreatedAt: now, UpdatedAt: now, Steps: []ProjectStep{}}
	if st := s.Playbook.Stage(StageImplementation); st != nil {
		for _, it := range st.Checklist {
			p.Steps = append(p.Steps, ProjectStep{Key: it.Key})
		}
	}
	return p
}

// Project returns a project of a deal the actor may see.
func (s *Service) Project(ctx context.Context, actor Actor, id int64) (*Project, error) {
	p, err := s.Store.ProjectByID(ctx, id)
	if err != nil {
		return nil, err
	}
	if !actor.Scope().Covers(p.OwnerID, p.OwnerTeamID) {
		return nil, NotFound("project")
	}
	return p, nil
}

// Projects lists the projects of the deals the actor may see.
func (s *Service) Projects(ctx context.Context, actor Actor, f ProjectFilter) (*Page[*Project], error) {
	var v validator
	f.normalize(&v, ProjectSortFields)
	v.oneOf("state", f.State, ProjectStates, true)
	if err := v.err(); err != nil {
		return nil, err
	}
	f.Scope = actor.Scope()
	return s.Store.ListProjects(ctx, f)
}

// UpdateProject changes a project's name or notes.
func (s *Service) UpdateProject(ctx context.Context, actor Actor, id int64, in ProjectPatch) (*Project, error) {
	p, err := s.Project(ctx, actor, id)
	if err != nil {
		return nil, err
	}
	if err := checkVersion(in.Version, p.Version); err != nil {
		return nil, err
	}
	in.Name.apply(&p.Name)
	in.Notes.apply(&p.Notes)
	p.Name, p.Notes = clean(p.Name), clean(p.Notes)
	var v validator
	v.required("name", p.Name)
	v.maxLen("name", p.Name, MaxName)
	v.maxLen("notes", p.Notes, MaxText)
	if err := v.err(); err != nil {
		return nil, err
	}
	p.UpdatedAt = s.now()
	if err := s.Store.UpdateProject(ctx, p, in.Version, nil, nil); err != nil {
		return nil, err
	}
	return p, nil
}

// CompleteStep marks a step of an open project done. Completing go_live
// records the go-live day and makes every go_live milestone of the
// contract without a due date due payment_days after it (final milestones
// fall due the same way when project_operation is completed). The
// final_payment step is done by the last payment, not by hand.
func (s *Service) CompleteStep(ctx context.Context, actor Actor, id int64, key string, in StepComplete) (*Project, error) {
	p, err := s.Project(ctx, actor, id)
	if err != nil {
		return nil, err
	}
	if err := checkVersion(in.Version, p.Version); err != nil {
		return nil, err
	}
	i := slices.IndexFunc(p.Steps, func(st ProjectStep) bool { return st.Key == key })
	if i < 0 {
		return nil, NotFound("project_step")
	}
	if key == StepFinalPayment {
		return nil, &Error{Code: EINVALID, Message: Msg("error.invalid"), Fields: map[string]Message{"key": Msg("field.step_by_payment")}}
	}
	if p.State != ProjectOpen || p.Steps[i].Done {
		return nil, Errorf(ECONFLICT, "error.step_done")
	}
	day := s.today()
	if in.OnDay != nil {
		day = *in.OnDay
	}
	if day.Year() < 2000 || day.Year() > 2200 {
		return nil, &Error{Code: EINVALID, Message: Msg("error.invalid"), Fields: map[string]Message{"on": Msg("field.date_range")}}
	}
	now := s.now()
	version := p.Version
	p.Steps[i].Done, p.Steps[i].DoneAt, p.Steps[i].DoneBy = true, &now, &actor.UserID
	p.UpdatedAt = now
	var dues []Milestone
	trigger := map[string]string{StepGoLive: TriggerGoLive, "project_operation": TriggerFinal}[key]
	if key == StepGoLive {
		p.GoLiveOn = &day
	}
	if trigger != "" {
		c, err := s.Store.ContractByID(ctx, p.ContractID)
		if err != nil {
			return nil, err
		}
		for _, m := range c.Milestones {
			if m.Trigger == trigger && m.DueOn == nil {
				due := Date{day.AddDate(0, 0, c.PaymentDays)}
				m.DueOn = &due
				dues = append(dues, m)
			}
		}
	}
	audit := s.audit(actor, "project", p.ID, "step", nil, map[string]any{"step": key, "on": day}, "")
	if err := s.Store.UpdateProject(ctx, p, version, dues, audit); err != nil {
		return nil, err
	}
	return p, nil
}

// ProjectTasks lists the tasks of a project the actor may see.
func (s *Service) ProjectTasks(ctx context.Context, actor Actor, id int64) ([]*ProjectTask, error) {
	if _, err := s.Project(ctx, actor, id); err != nil {
		return nil, err
	}
	return s.Store.ProjectTasks(ctx, id)
}

func (t *ProjectTask) validate() error {
	var v validator
	v.required("title", t.Title)
	v.maxLen("title", t.Title, MaxName)
	if t.DueOn != nil && (t.DueOn.Year() < 2000 || t.DueOn.Year() > 2200) {
		v.add("due_on", "field.date_range")
	}
	return v.err()
}

// CreateProjectTask adds a task to a project the actor may see; its owner
// must be someone the actor may assign work to.
func (s *Service) CreateProjectTask(ctx context.Context, actor Actor, id int64, in ProjectTaskInput) (*ProjectTask, error) {
	if _, err := s.Project(ctx, actor, id); err != nil {
		return nil, err
	}
	now := s.now()
	t := &ProjectTask{Version: 1, ProjectID: id, Title: clean(in.Title), OwnerID: in.OwnerID, DueOn: in.DueOn, CreatedAt: now, UpdatedAt: now}
	if t.OwnerID == 0 {
		t.OwnerID = actor.UserID
	}
	if err := t.validate(); err != nil {
		return nil, err
	}
	if err := s.checkAssignable(ctx, actor, t.OwnerID); err != nil {
		return nil, err
	}
	if err := s.Store.CreateProjectTask(ctx, t); err != nil {
		return nil, err
	}
	return t, nil
}

// UpdateProjectTask changes a task of a project the actor may see.
func (s *Service) UpdateProjectTask(ctx context.Context, actor Actor, id, taskID int64, in ProjectTaskPatch) (*ProjectTask, error) {
	if _, err := s.Project(ctx, actor, id); err != nil {
		return nil, err
	}
	t, err := s.Store.ProjectTaskByID(ctx, id, taskID)
	if err != nil {
		return nil, err
	}
	if err := checkVersion(in.Version, t.Version); err != nil {
		return nil, err
	}
	oldOwner := t.OwnerID
	in.Title.apply(&t.Title)
	in.OwnerID.apply(&t.OwnerID)
	applyPtr(in.DueOn, &t.DueOn)
	in.Done.apply(&t.Done)
	t.Title = clean(t.Title)
	if err := t.validate(); err != nil {
		return nil, err
	}
	if t.OwnerID != oldOwner {
		if err := s.checkAssignable(ctx, actor, t.OwnerID); err != nil {
			return nil, err
		}
	}
	t.UpdatedAt = s.now()
	if err := s.Store.UpdateProjectTask(ctx, t, in.Version); err != nil {
		return nil, err
	}
	return t, nil
}
