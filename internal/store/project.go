package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"

	"github.com/dealpath/dealpath/internal/crm"
)

// A project belongs to its deal: reads carry the deal's owner and team.
const projectCols = `p.id, p.version, p.deal_id, p.contract_id, d.owner_id, p.name, p.state, p.steps, p.notes, p.go_live_on,
	p.opened_at, p.closed_at, p.created_at, p.updated_at, COALESCE(u.team_id, 0)`

const projectFrom = `projects p JOIN deals d ON d.id = p.deal_id AND d.deleted_at IS NULL JOIN users u ON u.id = d.owner_id`

// projectCountFrom is projectFrom without the join that only adds the
// owner's team.
const projectCountFrom = `projects p JOIN deals d ON d.id = p.deal_id AND d.deleted_at IS NULL`

// scanProject reads a project; extra destinations (a list's sort key)
// follow its columns.
func scanProject(s interface{ Scan(...any) error }, extra ...any) (*crm.Project, error) {
	p := &crm.Project{}
	var steps string
	dest := []any{&p.ID, &p.Version, &p.DealID, &p.ContractID, &p.OwnerID, &p.Name, &p.State, &steps, &p.Notes,
		nullDateCol{&p.GoLiveOn}, timeCol{&p.OpenedAt}, nullTimeCol{&p.ClosedAt}, timeCol{&p.CreatedAt}, timeCol{&p.UpdatedAt},
		&p.OwnerTeamID}
	if err := s.Scan(append(dest, extra...)...); err != nil {
		return nil, err
	}
	p.Steps = []crm.ProjectStep{}
	if err := json.Unmarshal([]byte(steps), &p.Steps); err != nil {
		return nil, fmt.Errorf("project %d: steps: %w", p.ID, err)
	}
	return p, nil
}

func stepsJSON(steps []crm.ProjectStep) (string, error) {
	if steps == nil {
		steps = []crm.ProjectStep{}
	}
	b, err := json.Marshal(steps)
	return string(b), err
}

// insertProject inserts a project inside the transaction of its signing.
func (db *DB) insertProject(ctx context.Context, tx *sql.Tx, p *crm.Project) error {
	steps, err := stepsJSON(p.Steps)
	if err != nil {
		return err
	}
	return tx.QueryRowContext(ctx, db.q(`INSERT INTO projects (version, deal_id, contract_id, name, state, steps, notes, go_live_on,
		opened_at, closed_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`),
		p.Version, p.DealID, p.ContractID, p.Name, p.State, steps, p.Notes, dp(p.GoLiveOn), db.t(p.OpenedAt), db.tp(p.ClosedAt),
		db.t(p.CreatedAt), db.t(p.UpdatedAt)).Scan(&p.ID)
}

// ProjectByID returns a project of a live deal.
func (db *DB) ProjectByID(ctx context.Context, id int64) (*crm.Project, error) {
	p, err := scanProject(db.read.QueryRowContext(ctx, db.q("SELECT "+projectCols+" FROM "+projectFrom+" WHERE p.id = ?"), id))
	if err != nil {
		return nil, notFound(err, "project")
	}
	return p, nil
}

var projectSorts = map[string]sortSpec{
	"created_at": timeSort("p.created_at"),
	"updated_at": timeSort("p.updated_at"),
	"name":       textSort("p.name"),
	"go_live_on": nullDateSort("p.go_live_on"),
}

// ListProjects returns one page of the projects in scope, newest first
// unless sorted otherwise.
func (db *DB) ListProjects(ctx context.Context, f crm.ProjectFilter) (*crm.Page[*crm.Project], error) {
	lq := &listQuery{cols: projectCols, from: projectFrom, countFrom: projectCountFrom, idCol: "p.id", sorts: projectSorts, defSrt: "-created_at"}
	lq.scope("d.owner_id", f.Scope)
	if f.DealID != nil {
		lq.and("p.deal_id = ?", *f.DealID)
	}
	if f.OwnerID != nil {
		lq.and("d.owner_id = ?", *f.OwnerID)
	}
	if f.State != "" {
		lq.and("p.state = ?", f.State)
	}
	if f.UpdatedSince != nil {
		lq.and("p.updated_at >= ?", db.t(*f.UpdatedSince))
	}
	lq.search("p.name", f.Q)
	page := &crm.Page[*crm.Project]{Items: []*crm.Project{}}
	next, total, err := db.run(ctx, lq, f.ListParams, func(rows *sql.Rows, key *any) (int64, error) {
		p, err := scanProject(rows, key)
		if err != nil {
			return 0, err
		}
		page.Items = append(page.Items, p)
		return p.ID, nil
	})
	if err != nil {
		return nil, err
	}
	page.NextCursor, page.Total = next, total
	return page, nil
}

// UpdateProject writes a project if it is still at expectVersion, the due
// dates of dues and the audit row, in one transaction.
func (db *DB) UpdateProject(ctx context.Context, p *crm.Project, expectVersion int64, dues []crm.Milestone, audit *crm.AuditEntry) error {
	steps, err := stepsJSON(p.Steps)
	if err != nil {
		return err
	}
	err = db.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, db.q(`UPDATE projects SET version = version + 1, name = ?, notes = ?, steps = ?, go_live_on = ?,
			updated_at = ? WHERE id = ? AND version = ?`), p.Name, p.Notes, steps, dp(p.GoLiveOn), db.t(p.UpdatedAt), p.ID, expectVersion)
		if err != nil {
			return err
		}
		if err := db.rowMiss(ctx, tx, res, "SELECT COUNT(*) FROM projects WHERE id = ?", "project", p.ID); err != nil {
			return err
		}
		for _, m := range dues {
			if _, err := tx.ExecContext(ctx, db.q(`UPDATE contract_milestones SET due_on = ?, version = version + 1, updated_at = ?
				WHERE id = ? AND due_on IS NULL`), dp(m.DueOn), db.t(p.UpdatedAt), m.ID); err != nil {
				return err
			}
		}
		return db.insertAudit(ctx, tx, audit)
	})
	if err != nil {
		return err
	}
	p.Version = expectVersion + 1
	return nil
}

const projectTaskCols = `id, version, project_id, title, owner_id, due_on, done, created_at, updated_at`

func scanProjectTask(s interface{ Scan(...any) error }) (*crm.ProjectTask, error) {
	t := &crm.ProjectTask{}
	if err := s.Scan(&t.ID, &t.Version, &t.ProjectID, &t.Title, &t.OwnerID, nullDateCol{&t.DueOn}, &t.Done,
		timeCol{&t.CreatedAt}, timeCol{&t.UpdatedAt}); err != nil {
		return nil, err
	}
	return t, nil
}

// CreateProjectTask inserts a task of a project.
func (db *DB) CreateProjectTask(ctx context.Context, t *crm.ProjectTask) error {
	err := db.write.QueryRowContext(ctx, db.q(`INSERT INTO project_tasks (version, project_id, title, owner_id, due_on, done,
		created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`),
		t.Version, t.ProjectID, t.Title, t.OwnerID, dp(t.DueOn), t.Done, db.t(t.CreatedAt), db.t(t.UpdatedAt)).Scan(&t.ID)
	if isForeignKeyViolation(err) {
		return unknownOwner()
	}
	return err
}

// ProjectTaskByID returns a task of a project.
func (db *DB) ProjectTaskByID(ctx context.Context, projectID, id int64) (*crm.ProjectTask, error) {
	t, err := scanProjectTask(db.read.QueryRowContext(ctx, db.q("SELECT "+projectTaskCols+" FROM project_tasks WHERE id = ? AND project_id = ?"), id, projectID))
	if err != nil {
		return nil, notFound(err, "project_task")
	}
	return t, nil
}

// ProjectTasks returns a project's tasks in the order they were added.
func (db *DB) ProjectTasks(ctx context.Context, projectID int64) ([]*crm.ProjectTask, error) {
	rows, err := db.read.QueryContext(ctx, db.q("SELECT "+projectTaskCols+" FROM project_tasks WHERE project_id = ? ORDER BY id"), projectID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []*crm.ProjectTask{}
	for rows.Next() {
		t, err := scanProjectTask(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// UpdateProjectTask writes a task if it is still at expectVersion.
func (db *DB) UpdateProjectTask(ctx context.Context, t *crm.ProjectTask, expectVersion int64) error {
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, db.q(`UPDATE project_tasks SET version = version + 1, title = ?, owner_id = ?, due_on = ?,
			done = ?, updated_at = ? WHERE id = ? AND project_id = ? AND version = ?`),
			t.Title, t.OwnerID, dp(t.DueOn), t.Done, db.t(t.UpdatedAt), t.ID, t.ProjectID, expectVersion)
		if isForeignKeyViolation(err) {
			return unknownOwner()
		}
		if err != nil {
			return err
		}
		return db.rowMiss(ctx, tx, res, "SELECT COUNT(*) FROM project_tasks WHERE id = ?", "project_task", t.ID)
	})
	if err != nil {
		return err
	}
	t.Version = expectVersion + 1
	return nil
}
