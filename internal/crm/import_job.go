package crm

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"time"

	"github.com/dealpath/dealpath/internal/sheet"
)

// Import job statuses. A job is running until it is done (records written,
// or a dry run checked), rejected (all-or-nothing found bad rows, nothing
// written) or failed (the file could not be imported at all).
const (
	JobRunning  = "running"
	JobDone     = "done"
	JobRejected = "rejected"
	JobFailed   = "failed"
)

// ImportJob is an import started through the API or the page: its progress
// while it runs and its result afterwards. It lives in the database, so
// whichever server instance the page polls can answer.
type ImportJob struct {
	ID       int64  `json:"id"`
	UserID   int64  `json:"user_id"`
	Kind     string `json:"kind"`
	Mode     string `json:"mode"`
	FileName string `json:"file_name"`
	Status   string `json:"status"`
	// Phase is "check" while rows are read and checked, "write" while they
	// are written; Done counts the rows of the phase finished out of Total.
	Phase    string `json:"phase"`
	Total    int    `json:"total"`
	Done     int    `json:"done"`
	Inserted int    `json:"inserted"`
	Bad      int    `json:"bad"`
	// ErrorKey is the catalogue key of a failed job's reason.
	ErrorKey  string        `json:"-"`
	Result    *ImportResult `json:"-"`
	ErrorFile []byte        `json:"-"`
	// FileData is the uploaded file, written with a new job only.
	FileData  []byte    `json:"-"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
	// Owner is the server instance (Service.Instance) running the job;
	// HeartbeatAt is when it last said so (every ImportHeartbeat).
	Owner       string    `json:"-"`
	HeartbeatAt time.Time `json:"-"`
}

// Several servers may share a database, each running the imports started
// through it. A running job's owner touches its heartbeat every
// ImportHeartbeat; a job not heard of for ImportStaleAfter was left by a
// server that stopped or crashed, and is failed by the next server start
// or by the sweep every server runs every ImportSweepEvery. The margin
// covers missed beats: on SQLite a beat waits while the import's own
// transaction holds the one writer.
const (
	ImportHeartbeat  = 10 * time.Second
	ImportStaleAfter = time.Minute
	ImportSweepEvery = 30 * time.Second
)

// Which file of a job ImportJobFile returns.
const (
	JobFileUpload = "upload"
	JobFileErrors = "errors"
)

// StartImportJob records a new import of an uploaded file for the actor.
func (s *Service) StartImportJob(ctx context.Context, actor Actor, kind, mode, fileName string, file []byte) (*ImportJob, error) {
	var v validator
	v.oneOf("kind", kind, ImportKinds, false)
	v.oneOf("mode", mode, ImportModes, false)
	v.maxLen("file_name", fileName, MaxName)
	if err := v.err(); err != nil {
		return nil, err
	}
	if actor.UserID <= 0 {
		return nil, Forbidden()
	}
	now := s.now()
	j := &ImportJob{UserID: actor.UserID, Kind: kind, Mode: mode, FileName: fileName, Status: JobRunning, Phase: PhaseCheck,
		FileData: file, CreatedAt: now, UpdatedAt: now, Owner: s.Instance, HeartbeatAt: now}
	if err := s.Store.CreateImportJob(ctx, j); err != nil {
		return nil, err
	}
	return j, nil
}

// FailInterruptedImports marks as failed the import jobs left running by
// a server that stopped or crashed during them (their heartbeat is older
// than ImportStaleAfter), so their pages stop waiting. Jobs of this
// instance and of live servers beside it are left alone. A server calls it
// as it starts and then periodically (SweepInterruptedImports). It returns
// how many jobs it marked.
func (s *Service) FailInterruptedImports(ctx context.Context) (int, error) {
	now := s.now()
	return s.Store.FailStaleImportJobs(ctx, "import.error.interrupted", s.Instance, now.Add(-ImportStaleAfter), now)
}

// SweepInterruptedImports calls FailInterruptedImports every
// ImportSweepEvery until ctx ends, so that the jobs of a server that
// crashed beside this one are failed without waiting for a restart. report
// is told of each sweep that marked jobs or failed.
func (s *Service) SweepInterruptedImports(ctx context.Context, report func(marked int, err error)) {
	ticks, stop := s.ticker(ImportSweepEvery)
	defer stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-ticks:
			if n, err := s.FailInterruptedImports(ctx); (n > 0 || err != nil) && ctx.Err() == nil {
				report(n, err)
			}
		}
	}
}

// keepAlive touches job id's heartbeat every ImportHeartbeat until the
// returned function is called; that function returns once the last touch
// is over, so none lands after the job's outcome. A failed touch is
// harmless: the job is failed only after several are missed.
func (s *Service) keepAlive(ctx context.Context, id int64) (stop func()) {
	ctx, cancel := context.WithCancel(ctx)
	ticks, stopTicks := s.ticker(ImportHeartbeat)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			select {
			case <-ctx.Done():
				return
			case <-ticks:
				_ = s.Store.TouchImportJob(ctx, id, s.Instance, s.now())
			}
		}
	}()
	return func() {
		cancel()
		stopTicks()
		<-done
	}
}

// ImportJob returns a job of the actor's (an admin sees every job).
func (s *Service) ImportJob(ctx context.Context, actor Actor, id int64) (*ImportJob, error) {
	j, err := s.Store.ImportJobByID(ctx, id)
	if err != nil {
		return nil, err
	}
	if j.UserID != actor.UserID && !actor.IsAdmin() {
		return nil, NotFound("import")
	}
	return j, nil
}

// ImportJobFile returns the uploaded file of a job of the actor's (for a
// run with another mode or mapping) or its error file; not found when the
// job has none (any more).
func (s *Service) ImportJobFile(ctx context.Context, actor Actor, id int64, which string) (*ImportJob, []byte, error) {
	j, err := s.ImportJob(ctx, actor, id)
	if err != nil {
		return nil, nil, err
	}
	b, err := s.Store.ImportJobFile(ctx, id, which)
	if err != nil {
		return nil, nil, err
	}
	if len(b) == 0 {
		return nil, nil, NotFound("import_file")
	}
	return j, b, nil
}

// RunImportJob carries out the import of a started job and stores its
// outcome; progress is reported through req.Progress as well. It returns
// the finished job. The job row is written before and after the import's
// transaction, never inside it: on SQLite the one writer is busy then.
func (s *Service) RunImportJob(ctx context.Context, actor Actor, j *ImportJob, req ImportRequest) (*ImportJob, error) {
	req.Kind, req.Mode, req.JobID = j.Kind, j.Mode, j.ID
	stop := s.keepAlive(ctx, j.ID)
	res, err := s.Import(ctx, actor, req)
	stop()
	j.UpdatedAt = s.now()
	switch {
	case err != nil && ErrorCode(err) == EINTERNAL:
		j.Status, j.ErrorKey = JobFailed, "import.error.internal"
	case err != nil:
		j.Status, j.ErrorKey = JobFailed, importErrorKey(err)
	default:
		j.Result = res
		j.Status, j.Phase = JobDone, PhaseWrite
		j.Total, j.Done, j.Inserted, j.Bad = res.Rows, res.Rows, res.Inserted, res.Bad
		if res.Failed {
			j.Status = JobRejected
		}
		if res.Bad > 0 {
			j.ErrorFile, err = s.ImportErrorFile(actor.Language, res)
			if err != nil {
				return nil, err
			}
		}
	}
	if uerr := s.Store.UpdateImportJob(ctx, j); uerr != nil {
		return nil, uerr
	}
	return j, err
}

// importErrorKey names why an import could not run, for the job.
func importErrorKey(err error) string {
	e, ok := err.(*Error)
	if !ok {
		return "error.invalid"
	}
	for _, m := range e.Fields {
		return m.Key
	}
	return e.Message.Key
}

// ImportErrorFile writes the bad rows as CSV: the header of the file, the
// row's line, its cells as read and a column saying what is wrong, so the
// user can correct the rows and import the file again.
func (s *Service) ImportErrorFile(lang string, res *ImportResult) ([]byte, error) {
	t := sheet.Table{Title: "errors"}
	t.Columns = append([]string{s.text(lang, Msg("import.error_file.line")), s.text(lang, Msg("import.error_file.problems"))}, res.Header...)
	for _, br := range res.BadRows {
		var msgs []string
		for _, p := range br.Problems {
			m := s.text(lang, p.Message)
			if p.Column != "" {
				m = p.Column + ": " + m
			}
			msgs = append(msgs, m)
		}
		cells := []any{br.Line, strings.Join(msgs, "; ")}
		for _, c := range br.Cells {
			cells = append(cells, c)
		}
		t.Rows = append(t.Rows, cells)
	}
	var buf bytes.Buffer
	if err := sheet.WriteCSV(&buf, t); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// MarshalResult and UnmarshalResult keep a result in the job row.
func MarshalResult(r *ImportResult) string {
	if r == nil {
		return ""
	}
	b, err := json.Marshal(r)
	if err != nil {
		return ""
	}
	return string(b)
}

// UnmarshalResult reads a stored result; nil when there is none.
func UnmarshalResult(s string) *ImportResult {
	if s == "" {
		return nil
	}
	var r ImportResult
	if err := json.Unmarshal([]byte(s), &r); err != nil {
		return nil
	}
	// JSON numbers come back as float64; messages format them with %d.
	fix := func(ps []ImportProblem) {
		for i := range ps {
			for j, a := range ps[i].Message.Args {
				if f, ok := a.(float64); ok && f == float64(int64(f)) {
					ps[i].Message.Args[j] = int64(f)
				}
			}
		}
	}
	fix(r.Problems)
	for i := range r.BadRows {
		fix(r.BadRows[i].Problems)
	}
	return &r
}
