package web

import (
	"net/http"

	"github.com/dealpath/dealpath/internal/crm"
)

func (s *Server) registerProjects() {
	s.api("GET", "/api/v1/projects", s.listProjects)
	s.api("GET", "/api/v1/projects/{id}", s.getProject)
	s.api("PATCH", "/api/v1/projects/{id}", s.updateProject)
	s.api("POST", "/api/v1/projects/{id}/steps/{key}/complete", s.completeStep)
	s.api("GET", "/api/v1/projects/{id}/tasks", s.listProjectTasks)
	s.api("POST", "/api/v1/projects/{id}/tasks", s.createProjectTask)
	s.api("PATCH", "/api/v1/projects/{id}/tasks/{task_id}", s.updateProjectTask)
}

// projectView is a project with each step's text from the playbook in the
// reader's language.
type projectView struct {
	*crm.Project
	Steps []stepView `json:"steps"`
}

type stepView struct {
	crm.ProjectStep
	Text string `json:"text"`
}

func (s *Server) projectView(r *http.Request, p *crm.Project) projectView {
	lang := language(r)
	texts := map[string]string{}
	if st := s.svc.Playbook.Stage(crm.StageImplementation); st != nil {
		for _, it := range st.Checklist {
			texts[it.Key] = it.Text.In(lang)
		}
	}
	v := projectView{Project: p, Steps: make([]stepView, 0, len(p.Steps))}
	for _, st := range p.Steps {
		v.Steps = append(v.Steps, stepView{ProjectStep: st, Text: texts[st.Key]})
	}
	return v
}

func (s *Server) listProjects(w http.ResponseWriter, r *http.Request, actor crm.Actor) error {
	lp, err := listParams(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	f := crm.ProjectFilter{ListParams: lp, State: q.Get("state")}
	if f.DealID, err = queryID(q, "deal_id"); err != nil {
		return err
	}
	if f.OwnerID, err = queryID(q, "owner_id"); err != nil {
		return err
	}
	page, err := s.svc.Projects(r.Context(), actor, f)
	if err != nil {
		return err
	}
	out := crm.Page[projectView]{Items: make([]projectView, 0, len(page.Items)), NextCursor: page.NextCursor, Total: page.Total}
	for _, p := range page.Items {
		out.Items = append(out.Items, s.projectView(r, p))
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (s *Server) getProject(w http.ResponseWriter, r *http.Request, actor crm.Actor) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	p, err := s.svc.Project(r.Context(), actor, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, s.projectView(r, p))
	return nil
}

func (s *Server) updateProject(w http.ResponseWriter, r *http.Request, actor crm.Actor) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in crm.ProjectPatch
	if err := decode(w, r, &in); err != nil {
		return err
	}
	p, err := s.svc.UpdateProject(r.Context(), actor, id, in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, s.projectView(r, p))
	return nil
}

func (s *Server) completeStep(w http.ResponseWriter, r *http.Request, actor crm.Actor) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in crm.StepComplete
	if err := decode(w, r, &in); err != nil {
		return err
	}
	p, err := s.svc.CompleteStep(r.Context(), actor, id, r.PathValue("key"), in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, s.projectView(r, p))
	return nil
}

func (s *Server) listProjectTasks(w http.ResponseWriter, r *http.Request, actor crm.Actor) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	ts, err := s.svc.ProjectTasks(r.Context(), actor, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, listOf(ts))
	return nil
}

func (s *Server) createProjectTask(w http.ResponseWriter, r *http.Request, actor crm.Actor) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in crm.ProjectTaskInput
	if err := decode(w, r, &in); err != nil {
		return err
	}
	t, err := s.svc.CreateProjectTask(r.Context(), actor, id, in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, t)
	return nil
}

func (s *Server) updateProjectTask(w http.ResponseWriter, r *http.Request, actor crm.Actor) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	taskID, err := pathID(r, "task_id")
	if err != nil {
		return err
	}
	var in crm.ProjectTaskPatch
	if err := decode(w, r, &in); err != nil {
		return err
	}
	t, err := s.svc.UpdateProjectTask(r.Context(), actor, id, taskID, in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, t)
	return nil
}
