package web

import (
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"net/url"

	"github.com/dealpath/dealpath/internal/crm"
	"github.com/dealpath/dealpath/internal/i18n"
)

// The import and export page: upload a file (with a dry run by default),
// review the recognized columns and every problem, run the import for
// real, follow its progress (static/import.js polls the API), download
// the error file; and export buttons for every kind.

func init() {
	for _, page := range []string{"import", "import_job"} {
		uiTemplates[page] = template.Must(template.New("layout.html").Funcs(uiFuncs).
			ParseFS(uiTemplateFS, "templates/ui/layout.html", "templates/ui/"+page+".html"))
	}
}

func (s *Server) registerImportUI() {
	s.ui("GET /import", s.importPage)
	// The upload is larger than any other form: it has its own guard.
	s.mux.HandleFunc("POST /import", s.importUpload)
	s.ui("GET /import/{id}", s.importJobPage)
	s.ui("POST /import/{id}/run", s.importRunSubmit)
}

// importForm is the upload form with what the user chose.
type importForm struct {
	Kinds []option
	// ExportKinds are the kinds the export section offers: the importable
	// ones and the export-only ones.
	ExportKinds []option
	Modes       []option
	Error       string
}

func importFormFor(actor crm.Actor, lang, kind, mode string) importForm {
	f := importForm{}
	if mode == "" {
		mode = crm.ImportDryRun
	}
	for _, k := range crm.ImportKinds {
		f.Kinds = append(f.Kinds, option{Value: k, Label: i18n.T(lang, "import.kind."+k), Selected: k == kind})
	}
	for _, k := range crm.ExportKinds {
		// Users and teams are for admins only; others get no button that
		// would only answer 403.
		if (k == crm.KindUsers || k == crm.KindTeams) && !actor.IsAdmin() {
			continue
		}
		f.ExportKinds = append(f.ExportKinds, option{Value: k, Label: i18n.T(lang, "import.kind."+k)})
	}
	for _, m := range crm.ImportModes {
		f.Modes = append(f.Modes, option{Value: m, Label: i18n.T(lang, "import.ui.mode."+m), Selected: m == mode})
	}
	return f
}

func (s *Server) importPage(w http.ResponseWriter, r *http.Request, sess *uiSession) error {
	p := s.newPage(w, r, sess, "import.ui.title", "import")
	p.Data = importFormFor(sess.actor, p.Lang, crm.KindAccounts, crm.ImportDryRun)
	s.render(w, p, "import")
	return nil
}

// importUpload takes the upload form. It reads the multipart body as a
// stream with the upload's size limit (s.ui caps bodies at 1 MiB) and
// checks the session and the CSRF token, which the form sends first.
func (s *Server) importUpload(w http.ResponseWriter, r *http.Request) {
	sess, err := s.uiSessionOf(r)
	if err != nil {
		s.uiError(w, r, nil, http.StatusForbidden)
		return
	}
	r = r.WithContext(crm.WithActor(r.Context(), sess.actor))
	up, err := readUpload(w, r)
	if up != nil && !tokenEqual(up.csrf, csrfToken(sess.token)) {
		s.uiError(w, r, sess, http.StatusForbidden)
		return
	}
	if err == nil {
		var j *crm.ImportJob
		if j, err = s.startImport(r.Context(), sess.actor, up); err == nil {
			http.Redirect(w, r, fmt.Sprintf("/import/%d", j.ID), http.StatusSeeOther)
			return
		}
	}
	var de *crm.Error
	if !errors.As(err, &de) || de.Code != crm.EINVALID {
		s.uiFail(w, r, sess, err)
		return
	}
	p := s.newPage(w, r, sess, "import.ui.title", "import")
	kind, mode := "", ""
	if up != nil {
		kind, mode = up.kind, up.mode
	}
	form := importFormFor(sess.actor, p.Lang, kind, mode)
	form.Error = i18n.T(p.Lang, de.Message.Key, de.Message.Args...)
	for _, m := range de.Fields {
		form.Error = i18n.T(p.Lang, m.Key, m.Args...)
		break
	}
	p.Data, p.Status = form, http.StatusBadRequest
	s.render(w, p, "import")
}

// importJobData is the job page.
type importJobData struct {
	Job      importView
	Good     int
	Error    string
	Running  bool
	Status   string
	Mode     string
	Kind     string
	Fields   []option // the kind's fields, for the mapping selects
	Columns  []importColumnRow
	Modes    []option
	CanRerun bool
}

type importColumnRow struct {
	Index  int
	Header string
	Fields []option
}

func (s *Server) importJobPage(w http.ResponseWriter, r *http.Request, sess *uiSession) error {
	id, err := pathID(r, "id")
	if err != nil {
		return crm.NotFound("import")
	}
	j, err := s.svc.ImportJob(r.Context(), sess.actor, id)
	if err != nil {
		return err
	}
	s.renderImportJob(w, r, sess, j, "", http.StatusOK)
	return nil
}

func (s *Server) renderImportJob(w http.ResponseWriter, r *http.Request, sess *uiSession, j *crm.ImportJob, errMsg string, status int) {
	p := s.newPage(w, r, sess, "import.ui.job_title", "import")
	p.Status = status
	v := s.importView(j, p.Lang)
	d := importJobData{Job: v, Good: v.Total - v.Bad, Error: errMsg, Running: j.Status == crm.JobRunning, Status: i18n.T(p.Lang, "import.ui.status."+j.Status),
		Mode: i18n.T(p.Lang, "import.ui.mode."+j.Mode), Kind: i18n.T(p.Lang, "import.kind."+j.Kind)}
	// A file is kept for another run until rows from it were written.
	d.CanRerun = !d.Running && len(v.Columns) > 0 && (j.Mode == crm.ImportDryRun || j.Status == crm.JobRejected)
	if d.CanRerun {
		for _, c := range v.Columns {
			row := importColumnRow{Index: c.Index, Header: c.Header}
			row.Fields = append(row.Fields, option{Value: "", Label: i18n.T(p.Lang, "import.ui.ignore"), Selected: c.Field == ""})
			for _, k := range crm.ImportFieldKeys(j.Kind) {
				row.Fields = append(row.Fields, option{Value: k, Label: s.svc.ImportFieldLabel(p.Lang, j.Kind, k), Selected: c.Field == k})
			}
			d.Columns = append(d.Columns, row)
		}
		for _, m := range []string{crm.ImportAllOrNothing, crm.ImportSkipBadRows, crm.ImportDryRun} {
			d.Modes = append(d.Modes, option{Value: m, Label: i18n.T(p.Lang, "import.ui.mode."+m), Selected: m == crm.ImportAllOrNothing})
		}
	}
	p.Data = d
	s.render(w, p, "import_job")
}

// importRunSubmit runs a kept file again with the reviewed mapping.
func (s *Server) importRunSubmit(w http.ResponseWriter, r *http.Request, sess *uiSession) error {
	id, err := pathID(r, "id")
	if err != nil {
		return crm.NotFound("import")
	}
	if err := r.ParseForm(); err != nil {
		s.uiError(w, r, sess, http.StatusBadRequest)
		return nil
	}
	in := rerunInput{Mode: r.PostFormValue("mode")}
	if n := r.PostForm["column"]; len(n) > 0 {
		in.Mapping = n
	}
	j, err := s.rerun(r.Context(), sess.actor, id, in)
	var de *crm.Error
	if errors.As(err, &de) && de.Code == crm.EINVALID {
		// Show the job again with what is wrong with the chosen mapping.
		old, gerr := s.svc.ImportJob(r.Context(), sess.actor, id)
		if gerr != nil {
			return gerr
		}
		msg := i18n.T(uiLanguage(r, sess.user), de.Message.Key, de.Message.Args...)
		for _, m := range de.Fields {
			msg = i18n.T(uiLanguage(r, sess.user), m.Key, m.Args...)
			break
		}
		s.renderImportJob(w, r, sess, old, msg, http.StatusBadRequest)
		return nil
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/import/"+url.PathEscape(fmt.Sprint(j.ID)), http.StatusSeeOther)
	return nil
}
