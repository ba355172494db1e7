package crm

import (
	"context"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode"

	"github.com/dealpath/dealpath/internal/tabular"
)

// Import modes. A dry run reads and checks every row and writes nothing;
// all-or-nothing writes every row or, when any row has a problem, none;
// skip-bad-rows writes the good rows and hands back the bad ones.
const (
	ImportDryRun       = "dry_run"
	ImportAllOrNothing = "all_or_nothing"
	ImportSkipBadRows  = "skip_bad_rows"
)

// ImportModes lists the modes.
var ImportModes = []string{ImportDryRun, ImportAllOrNothing, ImportSkipBadRows}

// ImportColumn is one column of the file and the field it feeds ("" when
// the column is ignored).
type ImportColumn struct {
	Index  int    `json:"index"`
	Header string `json:"header"`
	Field  string `json:"field"`
}

// ImportProblem is one thing wrong with one cell (or a whole row, when
// Field is empty): the line of the file, the column's header, the field,
// and what is wrong, as a catalogue message.
type ImportProblem struct {
	Line    int     `json:"line"`
	Column  string  `json:"column"`
	Field   string  `json:"field"`
	Message Message `json:"message"`
}

// ImportBadRow is a row that had problems, with its cells as read, for the
// error file the user corrects and imports again.
type ImportBadRow struct {
	Line     int             `json:"line"`
	Cells    []string        `json:"cells"`
	Problems []ImportProblem `json:"problems"`
}

// ImportRequest is one import: a file already read into rows, the kind of
// records it holds, the mode, and optionally the user's column mapping.
type ImportRequest struct {
	Kind  string
	Mode  string
	Table *tabular.Table
	// Mapping, when not nil, gives the field of each column by index ("" to
	// ignore it), overriding recognition. Its header row is still the one
	// recognition finds.
	Mapping []string
	// JobID names the import job in the audit row (0 from the command line).
	JobID int64
	// Progress, when set, is told how many rows are done out of how many,
	// as rows are checked and as batches are written.
	Progress func(phase string, done, total int)
}

// Progress phases.
const (
	PhaseCheck = "check"
	PhaseWrite = "write"
)

// ImportResult is what an import found and did.
type ImportResult struct {
	Kind       string         `json:"kind"`
	Mode       string         `json:"mode"`
	HeaderLine int            `json:"header_line"`
	Header     []string       `json:"header"`
	Columns    []ImportColumn `json:"columns"`
	// Rows counts the data rows read; Good those without a problem, Bad
	// those with; Inserted the records written.
	Rows     int             `json:"rows"`
	Good     int             `json:"good"`
	Bad      int             `json:"bad"`
	Inserted int             `json:"inserted"`
	Problems []ImportProblem `json:"problems"`
	BadRows  []ImportBadRow  `json:"bad_rows"`
	// Failed is set when an all-or-nothing import found problems and so
	// wrote nothing.
	Failed bool `json:"failed"`
}

// AccountRef, ContactRef and DealRef are the few columns of live records
// an import needs to find duplicates and resolve the names a file refers
// to records by.
type AccountRef struct {
	ID          int64
	Name        string
	CreditCode  string
	OwnerID     int64
	OwnerTeamID int64
}

// ContactRef identifies a live contact within its account.
type ContactRef struct {
	ID        int64
	AccountID int64
	Name      string
}

// DealRef identifies a live deal within its account.
type DealRef struct {
	ID          int64
	AccountID   int64
	Title       string
	OwnerID     int64
	OwnerTeamID int64
}

// ImportStore writes imports and keeps their jobs. BeginImport opens the
// one transaction an import writes all its records and its audit row in.
type ImportStore interface {
	AccountRefs(ctx context.Context) ([]AccountRef, error)
	ContactRefs(ctx context.Context) ([]ContactRef, error)
	DealRefs(ctx context.Context) ([]DealRef, error)
	BeginImport(ctx context.Context, kind string) (ImportWriter, error)

	CreateImportJob(ctx context.Context, j *ImportJob) error
	UpdateImportJob(ctx context.Context, j *ImportJob) error
	ImportJobByID(ctx context.Context, id int64) (*ImportJob, error)
	ImportJobFile(ctx context.Context, id int64, which string) ([]byte, error)
	// TouchImportJob records that server instance owner still runs the
	// job, as of now (its heartbeat).
	TouchImportJob(ctx context.Context, id int64, owner string, now time.Time) error
	// FailStaleImportJobs marks failed, with errorKey, the running jobs of
	// owners other than owner whose heartbeat is older than staleBefore.
	FailStaleImportJobs(ctx context.Context, errorKey, owner string, staleBefore, now time.Time) (int, error)
}

// ImportWriter is the open transaction of one import. Write takes records
// of the kind (*Account, *Contact, *Deal or *Activity) in file order, in
// blocks of any size, and may hold some back until a batch is full;
// Commit writes the rest and the audit row and commits; Rollback undoes
// everything and is harmless after Commit.
type ImportWriter interface {
	Write(ctx context.Context, recs []any) error
	Commit(ctx context.Context, audit *AuditEntry) error
	Rollback() error
}

// MaxImportProblems caps the problems a result lists; the count of bad
// rows and the error file stay complete.
const MaxImportProblems = 1000

// headerScanRows is how far down a file the header row may be: files from
// Excel often start with a title or a merged group header.
const headerScanRows = 10

// importer carries what one import needs while it reads rows.
type importer struct {
	s      *Service
	actor  Actor
	kind   string
	cols   []ImportColumn
	col    map[string]int // field → column index
	labels map[string]map[string]string

	users      map[string]*User // by lower-case username, display name, email
	usersByID  map[int64]*User
	accByID    map[int64]*AccountRef
	accByCode  map[string]*AccountRef
	accByName  map[string][]*AccountRef // exact name
	accByNorm  map[string][]*AccountRef // normalized name
	contacts   map[string][]*ContactRef // account id + lower name
	contactsBy map[string][]*ContactRef // lower name
	deals      map[string][]*DealRef    // account id + lower title
	dealsBy    map[string][]*DealRef    // lower title

	seen map[string]int // fileKey.key → line of the first row with it
	now  time.Time
}

// row is one data row being read.
type row struct {
	im       *importer
	line     int
	cells    []string
	problems []ImportProblem
	// fileKeys identify the record for duplicates within the file; they
	// are checked in file order once every row was read (see Import).
	fileKeys []fileKey
}

// fileKey is one identity of a record within the file: a credit code, a
// normalized company name, an account and a name.
type fileKey struct {
	field, key string
}

// get returns a cell's text for a field, trimmed, "" when unmapped.
func (r *row) get(field string) string {
	i, ok := r.im.col[field]
	if !ok || i >= len(r.cells) {
		return ""
	}
	return undefuse(strings.TrimSpace(r.cells[i]))
}

func (r *row) has(field string) bool { _, ok := r.im.col[field]; return ok }

func (r *row) bad(field, key string, args ...any) {
	for _, p := range r.problems {
		if p.Field == field && field != "" {
			return // one problem per cell is enough to fix it
		}
	}
	col := ""
	if i, ok := r.im.col[field]; ok {
		col = r.im.cols[i].Header
	}
	r.problems = append(r.problems, ImportProblem{Line: r.line, Column: col, Field: field, Message: Msg(key, args...)})
}

// fromValidation turns a record's validation error into row problems on
// the import's fields.
func (r *row) fromValidation(err error) {
	e, ok := err.(*Error)
	if !ok {
		r.bad("", "import.problem.invalid")
		return
	}
	keys := make([]string, 0, len(e.Fields))
	for k := range e.Fields {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		m := e.Fields[k]
		if base, ok := strings.CutSuffix(k, "_id"); ok {
			k = base // owner_id is the owner column, account_id the account one
		}
		if k == "account" && r.hasProblem("account_credit_code") {
			continue
		}
		r.bad(k, m.Key, m.Args...)
	}
}

func (r *row) hasProblem(field string) bool {
	for _, p := range r.problems {
		if p.Field == field {
			return true
		}
	}
	return false
}

func (r *row) count(field string) *int {
	s := r.get(field)
	if s == "" {
		return nil
	}
	n, ok := parseCount(s)
	if !ok {
		r.bad(field, "import.problem.bad_number", s)
		return nil
	}
	return &n
}

func (r *row) money(field string) *int64 {
	s := r.get(field)
	if s == "" {
		return nil
	}
	n, ok := parseYuan(s)
	if !ok {
		r.bad(field, "import.problem.bad_money", s)
		return nil
	}
	return &n
}

func (r *row) day(field string) *Date {
	s := r.get(field)
	if s == "" {
		return nil
	}
	d, ok := parseDay(s)
	if !ok {
		r.bad(field, "import.problem.bad_date", s)
		return nil
	}
	return &d
}

func (r *row) time(field string) *time.Time {
	s := r.get(field)
	if s == "" {
		return nil
	}
	t, ok := parseTime(s)
	if !ok {
		r.bad(field, "import.problem.bad_time", s)
		return nil
	}
	return &t
}

func (r *row) boolean(field string) bool {
	s := r.get(field)
	b, ok := parseBool(s)
	if !ok {
		r.bad(field, "import.problem.bad_bool", s)
	}
	return b
}

// enum reads a value of a set by key or by its label in either language.
func (r *row) enum(field, set string, keys []string) string {
	s := r.get(field)
	if s == "" {
		return ""
	}
	if k, ok := r.im.lookupEnum(set, keys, s); ok {
		return k
	}
	r.bad(field, "import.problem.unknown_value", s, strings.Join(keys, ", "))
	return ""
}

// owner resolves the owner column (username, display name or email) or
// defaults to the actor, and checks the actor may assign it.
func (r *row) owner() int64 {
	s := r.get("owner")
	if s == "" {
		if r.im.actor.UserID == 0 {
			r.bad("owner", "import.problem.owner_required")
		}
		return r.im.actor.UserID
	}
	u := r.im.users[strings.ToLower(s)]
	if u == nil {
		r.bad("owner", "import.problem.unknown_user", s)
		return 0
	}
	if !r.im.assignable(u) {
		r.bad("owner", "import.problem.owner_forbidden", s)
		return 0
	}
	return u.ID
}

// assignable is checkAssignable on the users loaded for the import, so
// that 50,000 rows do not ask the database 50,000 times.
func (im *importer) assignable(u *User) bool {
	a := im.actor
	switch {
	case u.ID == a.UserID:
		return true
	case u.Disabled || a.Role == RoleRep:
		return false
	case a.IsAdmin():
		return true
	}
	return a.TeamID != 0 && u.TeamID != nil && *u.TeamID == a.TeamID
}

// account resolves the account a row refers to, by credit code when the
// file has one, else by name (exact, then normalized), among the accounts
// the actor may see.
func (r *row) account() *AccountRef {
	im := r.im
	visible := func(refs []*AccountRef) []*AccountRef {
		var out []*AccountRef
		for _, a := range refs {
			if im.actor.Scope().Covers(a.OwnerID, a.OwnerTeamID) {
				out = append(out, a)
			}
		}
		return out
	}
	if code := normalizeCreditCode(r.get("account_credit_code")); code != "" {
		if a := im.accByCode[code]; a != nil && len(visible([]*AccountRef{a})) == 1 {
			return a
		}
		r.bad("account_credit_code", "import.problem.missing_account", code)
		return nil
	}
	name := r.get("account")
	if name == "" {
		field := "account"
		if !r.has("account") {
			field = "account_credit_code"
		}
		r.bad(field, "field.required")
		return nil
	}
	refs := visible(im.accByName[name])
	if len(refs) == 0 {
		refs = visible(im.accByNorm[NormalizeCompanyName(name)])
	}
	switch len(refs) {
	case 0:
		r.bad("account", "import.problem.missing_account", name)
		return nil
	case 1:
		return refs[0]
	}
	r.bad("account", "import.problem.ambiguous_account", name)
	return nil
}

// Import reads a file's rows as records of a kind, checks each, and, unless
// the mode is a dry run, writes them. Problems with rows are in the result;
// the error is for a request that cannot be carried out at all (unknown
// kind or mode, a file without the columns the kind needs).
func (s *Service) Import(ctx context.Context, actor Actor, req ImportRequest) (*ImportResult, error) {
	var v validator
	v.oneOf("kind", req.Kind, ImportKinds, false)
	v.oneOf("mode", req.Mode, ImportModes, false)
	if err := v.err(); err != nil {
		return nil, err
	}
	if req.Table == nil || len(req.Table.Rows) == 0 {
		return nil, &Error{Code: EINVALID, Message: Msg("error.invalid"), Fields: map[string]Message{"file": Msg("import.error.empty")}}
	}
	res := &ImportResult{Kind: req.Kind, Mode: req.Mode, Problems: []ImportProblem{}, BadRows: []ImportBadRow{}}
	im := &importer{s: s, actor: actor, kind: req.Kind, now: s.now(), seen: map[string]int{}}
	im.labels = s.importLabels()
	hdr, cols, err := s.planColumns(req.Kind, req.Table, req.Mapping, im.labels)
	if err != nil {
		return nil, err
	}
	res.HeaderLine, res.Header, res.Columns = req.Table.Rows[hdr].Line, req.Table.Rows[hdr].Cells, cols
	im.cols, im.col = cols, columnIndex(cols)
	if err := im.load(ctx); err != nil {
		return nil, err
	}
	data := req.Table.Rows[hdr+1:]
	res.Rows = len(data)
	if req.Progress != nil {
		// Checking reports from its goroutines, writing from this one.
		var mu sync.Mutex
		progress := req.Progress
		req.Progress = func(phase string, done, total int) {
			mu.Lock()
			defer mu.Unlock()
			progress(phase, done, total)
		}
	}
	// Blocks of rows are checked on every processor and come back here in
	// file order; each is then written into the import's transaction while
	// the next ones are checked, so an import takes about as long as the
	// slower of checking and writing, not their sum.
	var (
		w       ImportWriter
		writing = req.Mode != ImportDryRun
		written int
	)
	defer func() {
		if w != nil {
			w.Rollback() // harmless after Commit
		}
	}()
	onBlock := func(rows []*row, recs []any, checkedAll bool) error {
		good := recs[:0:0]
		for i, r := range rows {
			// Duplicates within the file, in file order: the first row
			// with a key keeps it, later ones are the duplicates.
			for _, k := range r.fileKeys {
				if l, ok := im.seen[k.key]; ok {
					r.bad(k.field, "import.problem.duplicate_in_file", l)
				} else if len(r.problems) == 0 {
					im.seen[k.key] = r.line
				}
			}
			if len(r.problems) > 0 {
				res.Bad++
				for _, p := range r.problems {
					if len(res.Problems) < MaxImportProblems {
						res.Problems = append(res.Problems, p)
					}
				}
				res.BadRows = append(res.BadRows, ImportBadRow{Line: r.line, Cells: r.cells, Problems: r.problems})
				continue
			}
			res.Good++
			good = append(good, recs[i])
		}
		if req.Mode == ImportAllOrNothing && res.Bad > 0 {
			// Nothing of the file will be kept: stop writing; the
			// transaction is rolled back when the checking is done.
			writing = false
		}
		if !writing || len(good) == 0 {
			return nil
		}
		if w == nil {
			var err error
			if w, err = s.Store.BeginImport(ctx, req.Kind); err != nil {
				return err
			}
		}
		if err := w.Write(ctx, good); err != nil {
			return err
		}
		written += len(good)
		if req.Progress != nil && checkedAll {
			req.Progress(PhaseWrite, res.Good+res.Bad, len(data))
		}
		return nil
	}
	if err := im.readAll(ctx, data, req.Progress, onBlock); err != nil {
		return nil, err
	}
	switch {
	case req.Mode == ImportDryRun:
		return res, nil
	case req.Mode == ImportAllOrNothing && res.Bad > 0:
		res.Failed = true
		return res, nil
	case written == 0:
		return res, nil
	}
	audit := s.audit(actor, "import", req.JobID, "import", nil, map[string]any{"kind": req.Kind, "mode": req.Mode, "rows": written}, "")
	if err := w.Commit(ctx, audit); err != nil {
		return nil, err
	}
	if req.Progress != nil {
		req.Progress(PhaseWrite, len(data), len(data))
	}
	res.Inserted = written
	return res, nil
}

// readAll reads and checks every row, on as many goroutines as there are
// processors: rows are independent once the references are loaded (the
// importer's maps are only read), and checking is most of an import's
// work. Each block of rows is handed to onBlock on the calling goroutine,
// in file order, as soon as it and every block before it are checked;
// checkedAll says whether every row of the file is checked by then. The
// first error of onBlock stops the checking and is returned.
func (im *importer) readAll(ctx context.Context, data []tabular.Row, progress func(string, int, int),
	onBlock func(rows []*row, recs []any, checkedAll bool) error) error {
	rows := make([]*row, len(data))
	recs := make([]any, len(data))
	const block = 1000
	nblocks := (len(data) + block - 1) / block
	ready := make([]chan struct{}, nblocks)
	for i := range ready {
		ready[i] = make(chan struct{})
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		mu   sync.Mutex
		done int
		next int
	)
	report := func(n int) {
		mu.Lock()
		defer mu.Unlock()
		done += n
		if progress != nil {
			progress(PhaseCheck, done, len(data))
		}
	}
	checkedAll := func() bool {
		mu.Lock()
		defer mu.Unlock()
		return done == len(data)
	}
	claim := func() (int, bool) {
		mu.Lock()
		defer mu.Unlock()
		if next >= nblocks {
			return 0, false
		}
		next++
		return next - 1, true
	}
	work := func() {
		for {
			b, ok := claim()
			if !ok || ctx.Err() != nil {
				return
			}
			for i := b * block; i < min(len(data), (b+1)*block); i++ {
				r := &row{im: im, line: data[i].Line, cells: data[i].Cells}
				recs[i] = im.read(r)
				rows[i] = r
			}
			report(min(len(data), (b+1)*block) - b*block)
			close(ready[b])
		}
	}
	var wg sync.WaitGroup
	defer wg.Wait()
	for range max(1, min(runtime.GOMAXPROCS(0), nblocks)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			work()
		}()
	}
	for b := range nblocks {
		select {
		case <-ready[b]:
		case <-ctx.Done():
			return ctx.Err()
		}
		start, end := b*block, min(len(data), (b+1)*block)
		if err := onBlock(rows[start:end], recs[start:end], checkedAll()); err != nil {
			cancel()
			return err
		}
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if progress != nil && len(data) == 0 {
		progress(PhaseCheck, 0, 0)
	}
	return nil
}

// importLabels gathers, per value set, the labels of each key in every
// language, so a file may say "分销批发" or "Distribution" for distribution.
func (s *Service) importLabels() map[string]map[string]string {
	out := map[string]map[string]string{}
	add := func(set, key, label string) {
		if out[set] == nil {
			out[set] = map[string]string{}
		}
		if n := normHeader(label); n != "" {
			out[set][n] = key
		}
		out[set][normHeader(key)] = key
	}
	sets := map[string][]string{
		"business_kind": BusinessKinds, "industry": Industries, "ownership": Ownerships, "software": SoftwareKinds,
		"purchase_plan": PurchasePlans, "functional_role": FunctionalRoles,
	}
	for _, lang := range Languages {
		for set, keys := range sets {
			for _, k := range keys {
				label := ""
				if s.Text != nil {
					label = s.Text(lang, "enum."+set+"."+k)
				}
				add(set, k, label)
			}
		}
		for _, k := range ActivityTypes {
			label := ""
			if s.Text != nil {
				label = s.Text(lang, "ui.activity_type."+k)
			}
			add("activity_type", k, label)
		}
		for _, kind := range ImportKinds {
			for _, k := range ImportFieldKeys(kind) {
				if s.Text != nil {
					add("field."+kind, k, s.ImportFieldLabel(lang, kind, k))
				}
			}
		}
	}
	for _, st := range s.Playbook.Stages {
		add("stage", st.Key, st.Name.ZH)
		add("stage", st.Key, st.Name.EN)
	}
	for k, v := range stageSynonyms {
		add("stage", v, k)
	}
	for k, v := range activitySynonyms {
		add("activity_type", v, k)
	}
	for k, v := range industrySynonyms {
		add("industry", v, k)
	}
	for k, v := range roleSynonyms {
		add("functional_role", v, k)
	}
	return out
}

// stageSynonyms maps stage names of other systems (Salesforce's and
// HubSpot's default pipelines) and common Chinese names to the playbook's
// stage keys, by meaning: "Closed Won" is a signed contract, which this
// playbook calls implementation.
var stageSynonyms = map[string]string{
	"Appointment Scheduled": "prospecting", "Qualified To Buy": "qualification", "Needs Analysis": "qualification",
	"Id. Decision Makers": "qualification", "Value Proposition": "demo", "Perception Analysis": "demo",
	"Presentation Scheduled": "demo", "Proposal/Price Quote": "negotiation", "Negotiation/Review": "negotiation",
	"Decision Maker Bought-In": "negotiation", "Contract Sent": "commit", "Closed Won": "implementation",
	"Closed Lost": "lost", "Won": "implementation", "Lost": "lost",
	"初步接洽": "prospecting", "需求确认": "qualification", "方案演示": "demo", "商务谈判": "negotiation",
	"赢单": "implementation", "已成交": "implementation", "输单": "lost", "丢单": "lost", "已关闭": "closed",
}

var activitySynonyms = map[string]string{
	"Phone call": "call", "电话": "call", "拜访": "visit", "上门拜访": "visit", "会议": "meeting",
	"邮件": "email", "演示": "demo", "任务": "task", "待办": "task", "To-do": "task",
}

var roleSynonyms = map[string]string{
	"主管会计": "chief_accountant", "会计主管": "chief_accountant", "财务总监": "chief_accountant", "CFO": "chief_accountant",
	"副总经理": "general_manager", "CEO": "general_manager", "GM": "general_manager",
	"IT经理": "cio", "网络管理员": "cio", "销售总监": "sales_manager", "企划部经理": "planning_manager", "企管部经理": "planning_manager",
}

var industrySynonyms = map[string]string{
	"Food & Beverage": "food", "Transportation": "logistics", "Technology": "it_services",
	"Chemical": "chemicals", "Pharmaceuticals": "pharmaceutical", "Other": "other",
}

func (im *importer) lookupEnum(set string, keys []string, s string) (string, bool) {
	if slices.Contains(keys, s) {
		return s, true
	}
	k, ok := im.labels[set][normHeader(s)]
	return k, ok
}

// findHeader picks the header row: among the first rows, the one in which
// the most cells are recognized headers (the first on a tie), so a title
// line or a merged group header above the headers is passed over.
func (s *Service) findHeader(kind string, t *tabular.Table, labels map[string]map[string]string) int {
	best, bestN := 0, 0
	for i := 0; i < len(t.Rows) && i < headerScanRows; i++ {
		n := 0
		for _, c := range s.mapColumns(kind, t.Rows[i].Cells, labels) {
			if c.Field != "" {
				n++
			}
		}
		if n > bestN {
			best, bestN = i, n
		}
	}
	return best
}

// mapColumns recognizes each header; a field claimed by an earlier column
// is not claimed again.
func (s *Service) mapColumns(kind string, header []string, labels map[string]map[string]string) []ImportColumn {
	cols := make([]ImportColumn, len(header))
	taken := map[string]bool{}
	labelSet := "field." + kind
	for i, h := range header {
		cols[i] = ImportColumn{Index: i, Header: strings.TrimSpace(h)}
		n := normHeader(h)
		if n == "" {
			continue
		}
		field := labels[labelSet][n]
		if field == "" {
			for _, f := range importFields[kind] {
				if slices.Contains(f.aliases, n) {
					field = f.key
					break
				}
			}
		}
		if field != "" && !taken[field] {
			cols[i].Field = field
			taken[field] = true
		}
	}
	return cols
}

// applyMapping puts the user's choice of fields over the recognized one.
func applyMapping(kind string, cols []ImportColumn, mapping []string) error {
	keys := ImportFieldKeys(kind)
	seen := map[string]bool{}
	for i, f := range mapping {
		if i >= len(cols) {
			break
		}
		if f != "" && !slices.Contains(keys, f) {
			return &Error{Code: EINVALID, Message: Msg("error.invalid"), Fields: map[string]Message{"mapping": Msg("import.error.unknown_field", f)}}
		}
		if f != "" && seen[f] {
			return &Error{Code: EINVALID, Message: Msg("error.invalid"), Fields: map[string]Message{"mapping": Msg("import.error.field_twice", f)}}
		}
		seen[f] = true
		cols[i].Field = f
	}
	return nil
}

// ImportColumns finds the header row of a file and the field each column
// feeds (recognized, or as mapping says), and refuses a file that lacks a
// column the kind needs. The page shows this for the user to review.
func (s *Service) ImportColumns(kind string, t *tabular.Table, mapping []string) (headerLine int, cols []ImportColumn, err error) {
	var v validator
	v.oneOf("kind", kind, ImportKinds, false)
	if err := v.err(); err != nil {
		return 0, nil, err
	}
	if t == nil || len(t.Rows) == 0 {
		return 0, nil, &Error{Code: EINVALID, Message: Msg("error.invalid"), Fields: map[string]Message{"file": Msg("import.error.empty")}}
	}
	hdr, cols, err := s.planColumns(kind, t, mapping, s.importLabels())
	if err != nil {
		return 0, nil, err
	}
	return t.Rows[hdr].Line, cols, nil
}

func (s *Service) planColumns(kind string, t *tabular.Table, mapping []string, labels map[string]map[string]string) (int, []ImportColumn, error) {
	hdr := s.findHeader(kind, t, labels)
	cols := s.mapColumns(kind, t.Rows[hdr].Cells, labels)
	if mapping != nil {
		if err := applyMapping(kind, cols, mapping); err != nil {
			return 0, nil, err
		}
	}
	if err := checkRequiredColumns(kind, columnIndex(cols)); err != nil {
		return 0, nil, err
	}
	return hdr, cols, nil
}

// columnIndex maps each field to the first column that feeds it.
func columnIndex(cols []ImportColumn) map[string]int {
	out := map[string]int{}
	for _, c := range cols {
		if c.Field != "" {
			if _, dup := out[c.Field]; !dup {
				out[c.Field] = c.Index
			}
		}
	}
	return out
}

func checkRequiredColumns(kind string, col map[string]int) error {
	for _, req := range requiredImportFields[kind] {
		ok := false
		for _, f := range strings.Split(req, "|") {
			if _, has := col[f]; has {
				ok = true
			}
		}
		if !ok {
			return &Error{Code: EINVALID, Message: Msg("error.invalid"),
				Fields: map[string]Message{"mapping": Msg("import.error.missing_column", Msg("import.field."+strings.Split(req, "|")[0]))}}
		}
	}
	if kind == KindContacts {
		_, n := col["name"]
		_, f := col["first_name"]
		_, l := col["last_name"]
		if !n && !f && !l {
			return &Error{Code: EINVALID, Message: Msg("error.invalid"),
				Fields: map[string]Message{"mapping": Msg("import.error.missing_column", Msg("import.field.name"))}}
		}
	}
	return nil
}

// load reads the users and the references the kind needs.
func (im *importer) load(ctx context.Context) error {
	st := im.s.Store
	users, err := st.ListUsers(ctx, UserFilter{IncludeDisabled: true})
	if err != nil {
		return err
	}
	im.users, im.usersByID = map[string]*User{}, map[int64]*User{}
	for _, u := range users {
		im.usersByID[u.ID] = u
		for _, k := range []string{u.Email, u.DisplayName, u.Username} { // username wins
			if k != "" {
				im.users[strings.ToLower(k)] = u
			}
		}
	}
	accs, err := st.AccountRefs(ctx)
	if err != nil {
		return err
	}
	im.accByID, im.accByCode = map[int64]*AccountRef{}, map[string]*AccountRef{}
	im.accByName, im.accByNorm = map[string][]*AccountRef{}, map[string][]*AccountRef{}
	for i := range accs {
		a := &accs[i]
		im.accByID[a.ID] = a
		if a.CreditCode != "" {
			im.accByCode[a.CreditCode] = a
		}
		im.accByName[a.Name] = append(im.accByName[a.Name], a)
		n := NormalizeCompanyName(a.Name)
		im.accByNorm[n] = append(im.accByNorm[n], a)
	}
	if im.kind == KindContacts || im.kind == KindActivities {
		cs, err := st.ContactRefs(ctx)
		if err != nil {
			return err
		}
		im.contacts, im.contactsBy = map[string][]*ContactRef{}, map[string][]*ContactRef{}
		for i := range cs {
			c := &cs[i]
			n := strings.ToLower(c.Name)
			k := fmt.Sprint(c.AccountID, "\x00", n)
			im.contacts[k] = append(im.contacts[k], c)
			im.contactsBy[n] = append(im.contactsBy[n], c)
		}
	}
	if im.kind == KindDeals || im.kind == KindActivities {
		ds, err := st.DealRefs(ctx)
		if err != nil {
			return err
		}
		im.deals, im.dealsBy = map[string][]*DealRef{}, map[string][]*DealRef{}
		for i := range ds {
			d := &ds[i]
			n := strings.ToLower(d.Title)
			k := fmt.Sprint(d.AccountID, "\x00", n)
			im.deals[k] = append(im.deals[k], d)
			im.dealsBy[n] = append(im.dealsBy[n], d)
		}
	}
	return nil
}

// read turns a row into a record of the kind, noting its problems.
func (im *importer) read(r *row) any {
	switch im.kind {
	case KindAccounts:
		return im.readAccount(r)
	case KindContacts:
		return im.readContact(r)
	case KindDeals:
		return im.readDeal(r)
	}
	return im.readActivity(r)
}

func (im *importer) readAccount(r *row) *Account {
	in := AccountInput{
		Name: r.get("name"), CreditCode: normalizeCreditCode(r.get("credit_code")), Headcount: r.count("headcount"),
		BusinessKind: r.enum("business_kind", "business_kind", BusinessKinds), Industry: r.enum("industry", "industry", Industries),
		Ownership: r.enum("ownership", "ownership", Ownerships), RestructuredOn: r.day("restructured_on"),
		JustRestructured: r.boolean("just_restructured"), RevenueLastYear: r.money("revenue_last_year"),
		GrossProfit: r.money("gross_profit"), BranchCount: r.count("branch_count"),
		PurchasePlan: r.enum("purchase_plan", "purchase_plan", PurchasePlans),
		Region:       r.get("region"), Address: r.get("address"), Phone: r.get("phone"), Website: r.get("website"),
		OwnerID: r.owner(),
	}
	if cl := r.money("credit_limit"); cl != nil {
		in.CreditLimit = *cl
	}
	in.ExistingSoftware = []string{}
	items := splitListCell(r.get("existing_software"))
	if _, ok := im.lookupEnum("software", SoftwareKinds, r.get("existing_software")); ok {
		items = []string{r.get("existing_software")} // one label with a space in it
	}
	for _, s := range items {
		if k, ok := im.lookupEnum("software", SoftwareKinds, s); ok {
			in.ExistingSoftware = append(in.ExistingSoftware, k)
		} else {
			r.bad("existing_software", "import.problem.unknown_value", s, strings.Join(SoftwareKinds, ", "))
		}
	}
	a := in.account()
	if a.OwnerID == 0 {
		a.OwnerID = -1 // reported already; keep validate from adding a second problem
	}
	if err := a.validate(); err != nil {
		r.fromValidation(err)
	}
	// Duplicates: by credit code, then by normalized name, against the
	// database (every live account: the unique index is global) and the
	// rows above in the file.
	if a.CreditCode != "" {
		if _, ok := im.accByCode[a.CreditCode]; ok {
			r.bad("credit_code", "import.problem.duplicate_existing", a.CreditCode)
		} else {
			r.fileKeys = append(r.fileKeys, fileKey{"credit_code", "code\x00" + a.CreditCode})
		}
	}
	if n := NormalizeCompanyName(a.Name); n != "" {
		if refs := im.accByNorm[n]; len(refs) > 0 {
			r.bad("name", "import.problem.duplicate_existing", refs[0].Name)
		} else {
			r.fileKeys = append(r.fileKeys, fileKey{"name", "name\x00" + n})
		}
	}
	a.CreatedAt, a.UpdatedAt, a.Version = im.now, im.now, 1
	// The same fit as on create (applyFit), without rendering the
	// explanation nobody reads during an import.
	score, grade := im.s.Playbook.Score(accountFacts(a, im.now))
	a.FitScore, a.FitGrade = &score, grade
	return a
}

// personName joins first and last names the way each language writes
// them: 张 + 三 is 张三; Ada + Lovelace is "Ada Lovelace".
func personName(first, last string) string {
	if first == "" || last == "" {
		return first + last
	}
	for _, r := range first + last {
		if unicode.Is(unicode.Han, r) {
			return last + first
		}
	}
	return first + " " + last
}

func (im *importer) readContact(r *row) *Contact {
	name := r.get("name")
	if name == "" {
		name = personName(r.get("first_name"), r.get("last_name"))
	}
	c := &Contact{
		Name: clean(name), Title: r.get("title"), FunctionalRole: r.enum("functional_role", "functional_role", FunctionalRoles),
		Phone: r.get("phone"), Email: r.get("email"), WeChat: r.get("wechat"), Notes: r.get("notes"),
	}
	if acc := r.account(); acc != nil {
		c.AccountID = acc.ID
	} else {
		c.AccountID = -1
	}
	if err := c.validate(); err != nil {
		r.fromValidation(err)
	}
	if c.AccountID > 0 && c.Name != "" {
		k := fmt.Sprint(c.AccountID, "\x00", strings.ToLower(c.Name))
		if len(im.contacts[k]) > 0 {
			r.bad("name", "import.problem.duplicate_existing", c.Name)
		} else {
			r.fileKeys = append(r.fileKeys, fileKey{"name", k})
		}
	}
	c.CreatedAt, c.UpdatedAt, c.Version = im.now, im.now, 1
	return c
}

func (im *importer) readDeal(r *row) *Deal {
	d := &Deal{Title: r.get("title"), NextStep: r.get("next_step"), LostReason: r.get("lost_reason"),
		ExpectedCloseDate: r.day("expected_close_date"), NoCompetitors: r.boolean("no_competitors"), OwnerID: r.owner()}
	if s := r.get("stage"); s == "" {
		d.Stage = StageProspecting
	} else if k, ok := im.lookupEnum("stage", Stages, s); ok {
		d.Stage = k
	} else {
		r.bad("stage", "import.problem.unknown_stage", s)
		d.Stage = StageProspecting
	}
	if m := r.money("amount"); m != nil {
		d.Amount = *m
	}
	if s := r.get("probability"); s != "" {
		p, ok := parsePercent(s)
		if !ok {
			r.bad("probability", "import.problem.bad_number", s)
		}
		d.Probability = p
	} else if st := im.s.Playbook.Stage(d.Stage); st != nil {
		d.Probability = st.Probability
	}
	if acc := r.account(); acc != nil {
		d.AccountID = acc.ID
	} else {
		d.AccountID = -1
	}
	if d.OwnerID == 0 {
		d.OwnerID = -1
	}
	if err := d.validate(); err != nil {
		r.fromValidation(err)
	}
	if d.AccountID > 0 && d.Title != "" {
		k := fmt.Sprint(d.AccountID, "\x00", strings.ToLower(d.Title))
		if len(im.deals[k]) > 0 {
			r.bad("title", "import.problem.duplicate_existing", d.Title)
		} else {
			r.fileKeys = append(r.fileKeys, fileKey{"title", k})
		}
	}
	d.CreatedAt, d.UpdatedAt, d.StageChangedAt, d.Version = im.now, im.now, im.now, 1
	return d
}

func (im *importer) readActivity(r *row) *Activity {
	a := &Activity{Subject: clean(r.get("subject")), Notes: r.get("notes"), DueAt: r.time("due_at"), DoneAt: r.time("done_at"), OwnerID: r.owner()}
	if s := r.get("type"); s != "" {
		if k, ok := im.lookupEnum("activity_type", ActivityTypes, s); ok {
			a.Type = k
		} else {
			r.bad("type", "import.problem.unknown_value", s, strings.Join(ActivityTypes, ", "))
			a.Type = ActivityTypes[0]
		}
	}
	if a.OwnerID == 0 {
		a.OwnerID = -1
	}
	if err := a.validate(); err != nil {
		r.fromValidation(err)
	}
	var accID int64
	if r.get("account") != "" || r.get("account_credit_code") != "" {
		if acc := r.account(); acc != nil {
			accID = acc.ID
		}
	}
	scope := im.actor.Scope()
	if title := r.get("deal"); title != "" {
		var refs []*DealRef
		if accID != 0 {
			refs = im.deals[fmt.Sprint(accID, "\x00", strings.ToLower(title))]
		} else {
			refs = im.dealsBy[strings.ToLower(title)]
		}
		refs = slices.DeleteFunc(slices.Clone(refs), func(d *DealRef) bool { return !scope.Covers(d.OwnerID, d.OwnerTeamID) })
		switch len(refs) {
		case 0:
			r.bad("deal", "import.problem.unknown_deal", title)
		case 1:
			a.DealID = &refs[0].ID
			if accID == 0 {
				accID = refs[0].AccountID
			}
		default:
			r.bad("deal", "import.problem.ambiguous", title)
		}
	}
	if name := r.get("contact"); name != "" {
		var refs []*ContactRef
		if accID != 0 {
			refs = im.contacts[fmt.Sprint(accID, "\x00", strings.ToLower(name))]
		} else {
			refs = im.contactsBy[strings.ToLower(name)]
		}
		refs = slices.DeleteFunc(slices.Clone(refs), func(c *ContactRef) bool {
			acc := im.accByID[c.AccountID]
			return acc == nil || !scope.Covers(acc.OwnerID, acc.OwnerTeamID)
		})
		switch len(refs) {
		case 0:
			r.bad("contact", "import.problem.unknown_contact", name)
		case 1:
			a.ContactID = &refs[0].ID
			if accID == 0 {
				accID = refs[0].AccountID
			}
		default:
			r.bad("contact", "import.problem.ambiguous", name)
		}
	}
	if accID != 0 {
		a.AccountID = &accID
	}
	a.CreatedAt, a.UpdatedAt, a.Version = im.now, im.now, 1
	return a
}

// ImportFieldLabel is a field's column heading in a language: the kind's
// own label where the generic one would mislead (a deal's title is its
// name, a contact's title their job), else the generic one.
func (s *Service) ImportFieldLabel(lang, kind, key string) string {
	specific := "import.field." + kind + "." + key
	if t := s.text(lang, Msg(specific)); t != specific {
		return t
	}
	return s.text(lang, Msg("import.field."+key))
}
