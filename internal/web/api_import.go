package web

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"sync"
	"time"

	"github.com/dealpath/dealpath/internal/crm"
	"github.com/dealpath/dealpath/internal/i18n"
	"github.com/dealpath/dealpath/internal/sheet"
	"github.com/dealpath/dealpath/internal/tabular"
)

// Data in and out (issue 7): imports run as jobs. POST /imports reads the
// upload, checks its columns at once (a file the kind cannot use is a 400),
// records a job with the file and runs it in the background; the client
// polls GET /imports/{id}. Exports answer the file directly.

// MaxUploadBytes caps an uploaded import file (64 MiB): 50,000 accounts
// with every column are about 10 MiB of CSV.
const MaxUploadBytes = tabular.DefaultMaxBytes

// uploadLimits bound what an upload may hold besides its size.
var uploadLimits = tabular.Limits{MaxBytes: MaxUploadBytes, MaxRows: 500_000}

func (s *Server) registerImports() {
	s.api("POST", "/api/v1/imports", s.createImport)
	s.api("GET", "/api/v1/imports/{id}", s.getImport)
	s.api("POST", "/api/v1/imports/{id}/run", s.rerunImport)
	s.api("GET", "/api/v1/imports/{id}/errors", s.importErrors)
	s.api("GET", "/api/v1/exports/{kind}", s.exportRecords)
}

// liveImports holds the progress of the imports this process runs, which
// moves faster than the job row: on SQLite the row cannot be written
// while the import's own transaction holds the one writer.
var liveImports sync.Map // liveKey → *liveProgress

type liveKey struct {
	s  *Server
	id int64
}

type liveProgress struct {
	mu                sync.Mutex
	phase             string
	done, total       int
	startedAt, lastAt time.Time
}

// importUpload is a parsed upload form.
type importUpload struct {
	kind, mode, name string
	csrf             string // the page's form sends its token first
	mapping          []string
	file             []byte
}

// readUpload reads the multipart form as a stream, holding at most the
// file and a few small fields in memory.
func readUpload(w http.ResponseWriter, r *http.Request) (*importUpload, error) {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/form-data" {
		return nil, crm.Errorf(crm.EINVALID, "error.bad_content_type")
	}
	r.Body = http.MaxBytesReader(w, r.Body, MaxUploadBytes+1<<20)
	mr, err := r.MultipartReader()
	if err != nil {
		return nil, invalid("file", "import.error.bad_upload")
	}
	up := &importUpload{mode: crm.ImportDryRun}
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, uploadError(err)
		}
		switch part.FormName() {
		case "file":
			up.name = part.FileName()
			up.file, err = io.ReadAll(io.LimitReader(part, MaxUploadBytes+1))
			if err != nil {
				return nil, uploadError(err)
			}
			if len(up.file) > MaxUploadBytes {
				return nil, invalid("file", "import.error.too_large", MaxUploadBytes>>20)
			}
		case "kind", "mode", "mapping", "csrf_token":
			b, err := io.ReadAll(io.LimitReader(part, 64<<10))
			if err != nil {
				return nil, uploadError(err)
			}
			switch part.FormName() {
			case "kind":
				up.kind = string(b)
			case "csrf_token":
				up.csrf = string(b)
			case "mode":
				if len(b) > 0 {
					up.mode = string(b)
				}
			case "mapping":
				if len(b) > 0 {
					if err := json.Unmarshal(b, &up.mapping); err != nil || up.mapping == nil {
						return nil, invalid("mapping", "import.error.bad_mapping")
					}
				}
			}
		}
		part.Close()
	}
	if up.file == nil {
		return nil, invalid("file", "import.error.no_file")
	}
	return up, nil
}

func uploadError(err error) error {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return invalid("file", "import.error.too_large", MaxUploadBytes>>20)
	}
	return invalid("file", "import.error.bad_upload")
}

// readTable reads an upload into rows; a bad file is the client's fault.
func readTable(data []byte) (*tabular.Table, error) {
	t, err := tabular.Read(bytes.NewReader(data), uploadLimits)
	switch {
	case err == nil:
		return t, nil
	case errors.Is(err, tabular.ErrEmpty):
		return nil, invalid("file", "import.error.empty")
	case errors.Is(err, tabular.ErrTooLarge):
		return nil, invalid("file", "import.error.too_large", MaxUploadBytes>>20)
	case errors.Is(err, tabular.ErrTooMany):
		return nil, invalid("file", "import.error.too_many_rows", uploadLimits.MaxRows)
	case errors.Is(err, tabular.ErrTooWide):
		return nil, invalid("file", "import.error.too_wide")
	case errors.Is(err, tabular.ErrCell):
		return nil, invalid("file", "import.error.cell_too_large")
	case errors.Is(err, tabular.ErrBadFile):
		return nil, invalid("file", "import.error.bad_file")
	}
	return nil, err
}

func (s *Server) createImport(w http.ResponseWriter, r *http.Request, actor crm.Actor) error {
	up, err := readUpload(w, r)
	if err != nil {
		return err
	}
	j, err := s.startImport(r.Context(), actor, up)
	if err != nil {
		return err
	}
	w.Header().Set("Location", fmt.Sprintf("/api/v1/imports/%d", j.ID))
	writeJSON(w, http.StatusAccepted, s.importView(j, language(r)))
	return nil
}

// startImport checks an upload, records its job and runs it in the
// background. Everything that makes the file unusable is found here, so
// that the client hears it at once as a 400.
func (s *Server) startImport(ctx context.Context, actor crm.Actor, up *importUpload) (*crm.ImportJob, error) {
	var v []string
	if !containsStr(crm.ImportKinds, up.kind) {
		v = append(v, "kind")
	}
	if !containsStr(crm.ImportModes, up.mode) {
		v = append(v, "mode")
	}
	if len(v) > 0 {
		e := &crm.Error{Code: crm.EINVALID, Message: crm.Msg("error.invalid"), Fields: map[string]crm.Message{}}
		for _, f := range v {
			keys := crm.ImportKinds
			if f == "mode" {
				keys = crm.ImportModes
			}
			e.Fields[f] = crm.Msg("field.one_of", joinStr(keys))
		}
		return nil, e
	}
	table, err := readTable(up.file)
	if err != nil {
		return nil, err
	}
	if _, _, err := s.svc.ImportColumns(up.kind, table, up.mapping); err != nil {
		return nil, err
	}
	j, err := s.svc.StartImportJob(ctx, actor, up.kind, up.mode, truncateRunes(up.name, crm.MaxName), up.file)
	if err != nil {
		return nil, err
	}
	key := liveKey{s, j.ID}
	lp := &liveProgress{phase: crm.PhaseCheck, total: len(table.Rows), startedAt: time.Now()}
	liveImports.Store(key, lp)
	// The import outlives the request that started it; it stops only when
	// done. A server stopped meanwhile leaves the job "running" until its
	// heartbeat is old and a server's start or sweep marks it failed
	// (crm.FailInterruptedImports).
	bg := context.WithoutCancel(ctx)
	go func() {
		defer liveImports.Delete(key)
		req := crm.ImportRequest{Table: table, Mapping: up.mapping, Progress: func(phase string, done, total int) {
			lp.mu.Lock()
			lp.phase, lp.done, lp.total, lp.lastAt = phase, done, total, time.Now()
			lp.mu.Unlock()
		}}
		if _, err := s.svc.RunImportJob(bg, actor, j, req); err != nil && crm.ErrorCode(err) == crm.EINTERNAL {
			s.log.Error("import failed", "job", j.ID, "err", err)
		}
	}()
	return j, nil
}

func containsStr(xs []string, x string) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}

func joinStr(xs []string) string {
	var b bytes.Buffer
	for i, x := range xs {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(x)
	}
	return b.String()
}

func truncateRunes(s string, n int) string {
	r := []rune(s)
	if len(r) > n {
		return string(r[:n])
	}
	return s
}

// importView is a job as the API shows it, messages in the reader's
// language.
type importView struct {
	ID         int64              `json:"id"`
	Kind       string             `json:"kind"`
	Mode       string             `json:"mode"`
	FileName   string             `json:"file_name"`
	Status     string             `json:"status"`
	Phase      string             `json:"phase"`
	Total      int                `json:"total"`
	Done       int                `json:"done"`
	RowsPerSec int                `json:"rows_per_second"`
	Inserted   int                `json:"inserted"`
	Bad        int                `json:"bad"`
	Error      string             `json:"error,omitempty"`
	HeaderLine int                `json:"header_line"`
	Columns    []crm.ImportColumn `json:"columns"`
	Problems   []problemView      `json:"problems"`
	ErrorFile  string             `json:"error_file,omitempty"`
	CreatedAt  time.Time          `json:"created_at"`
	UpdatedAt  time.Time          `json:"updated_at"`
}

type problemView struct {
	Line    int    `json:"line"`
	Column  string `json:"column"`
	Field   string `json:"field"`
	Message string `json:"message"`
}

func (s *Server) importView(j *crm.ImportJob, lang string) importView {
	v := importView{ID: j.ID, Kind: j.Kind, Mode: j.Mode, FileName: j.FileName, Status: j.Status, Phase: j.Phase,
		Total: j.Total, Done: j.Done, Inserted: j.Inserted, Bad: j.Bad, CreatedAt: j.CreatedAt, UpdatedAt: j.UpdatedAt,
		Columns: []crm.ImportColumn{}, Problems: []problemView{}}
	if j.Status == crm.JobRunning {
		if x, ok := liveImports.Load(liveKey{s, j.ID}); ok {
			lp := x.(*liveProgress)
			lp.mu.Lock()
			v.Phase, v.Done, v.Total = lp.phase, lp.done, lp.total
			if secs := lp.lastAt.Sub(lp.startedAt).Seconds(); secs > 0 && lp.phase == crm.PhaseWrite {
				v.RowsPerSec = int(float64(lp.done) / secs)
			}
			lp.mu.Unlock()
		}
	}
	if j.ErrorKey != "" {
		v.Error = i18n.T(lang, j.ErrorKey)
	}
	if res := j.Result; res != nil {
		v.HeaderLine, v.Columns = res.HeaderLine, res.Columns
		for _, p := range res.Problems {
			v.Problems = append(v.Problems, problemView{Line: p.Line, Column: p.Column, Field: p.Field,
				Message: i18n.T(lang, p.Message.Key, p.Message.Args...)})
		}
	}
	if j.Bad > 0 {
		v.ErrorFile = fmt.Sprintf("/api/v1/imports/%d/errors", j.ID)
	}
	return v
}

func (s *Server) getImport(w http.ResponseWriter, r *http.Request, actor crm.Actor) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	j, err := s.svc.ImportJob(r.Context(), actor, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, s.importView(j, language(r)))
	return nil
}

// rerunInput runs a job's file again with another mode or mapping.
type rerunInput struct {
	Mode    string   `json:"mode"`
	Mapping []string `json:"mapping"`
}

func (s *Server) rerunImport(w http.ResponseWriter, r *http.Request, actor crm.Actor) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in rerunInput
	if err := decode(w, r, &in); err != nil {
		return err
	}
	j, err := s.rerun(r.Context(), actor, id, in)
	if err != nil {
		return err
	}
	w.Header().Set("Location", fmt.Sprintf("/api/v1/imports/%d", j.ID))
	writeJSON(w, http.StatusAccepted, s.importView(j, language(r)))
	return nil
}

func (s *Server) rerun(ctx context.Context, actor crm.Actor, id int64, in rerunInput) (*crm.ImportJob, error) {
	old, file, err := s.svc.ImportJobFile(ctx, actor, id, crm.JobFileUpload)
	if err != nil {
		return nil, err
	}
	return s.startImport(ctx, actor, &importUpload{kind: old.Kind, mode: in.Mode, name: old.FileName, mapping: in.Mapping, file: file})
}

func (s *Server) importErrors(w http.ResponseWriter, r *http.Request, actor crm.Actor) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	j, b, err := s.svc.ImportJobFile(r.Context(), actor, id, crm.JobFileErrors)
	if err != nil {
		return err
	}
	name := fmt.Sprintf("import-%d-errors.csv", j.ID)
	w.Header().Set("Content-Type", sheet.CSV.ContentType())
	w.Header().Set("Content-Disposition", "attachment; filename="+name)
	w.Header().Set("X-Content-Type-Options", "nosniff")
	_, _ = w.Write(b)
	return nil
}

func (s *Server) exportRecords(w http.ResponseWriter, r *http.Request, actor crm.Actor) error {
	kind := r.PathValue("kind")
	format := sheet.CSV
	if q := r.URL.Query().Get("format"); q != "" {
		f, ok := sheet.ParseFormat(q)
		if !ok {
			return invalid("format", "field.one_of", "csv, xlsx")
		}
		format = f
	}
	lang := language(r)
	table, err := s.svc.Export(r.Context(), actor, kind, lang)
	if err != nil {
		return err
	}
	// Render into a buffer, so that a failure is a clean error answer and
	// not half a file.
	var buf bytes.Buffer
	if err := sheet.Write(&buf, format, table); err != nil {
		return err
	}
	name := fmt.Sprintf("%s-%s.%s", kind, s.svc.Now().UTC().Format("20060102"), format)
	w.Header().Set("Content-Type", format.ContentType())
	w.Header().Set("Content-Disposition", "attachment; filename="+name+"; filename*=UTF-8''"+url.PathEscape(name))
	w.Header().Set("X-Content-Type-Options", "nosniff")
	_, _ = w.Write(buf.Bytes())
	return nil
}
