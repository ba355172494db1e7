package crm

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// Approval kinds: what an approval request is about. Contracts use the same
// machinery (PLAYBOOK.md §5.10: the manager approves the sales contract).
const (
	ApprovalKindQuote    = "quote"
	ApprovalKindContract = "contract"
)

// ApprovalKinds lists the kinds of approval request.
var ApprovalKinds = []string{ApprovalKindQuote, ApprovalKindContract}

// Approval statuses. A request is decided once: pending → approved or
// rejected, never back.
const (
	ApprovalPending  = "pending"
	ApprovalApproved = "approved"
	ApprovalRejected = "rejected"
)

// ApprovalStatuses lists the statuses of an approval request.
var ApprovalStatuses = []string{ApprovalPending, ApprovalApproved, ApprovalRejected}

// The states a subject of an approval (a quote, a contract) passes through
// around its approval: a draft is submitted; beyond its owner's authority
// it is pending until the decision makes it approved or rejected.
const (
	SubjectDraft    = "draft"
	SubjectPending  = "pending_approval"
	SubjectApproved = "approved"
	SubjectRejected = "rejected"
)

// ApprovalTaskDue is how long an approver has for a request: the due time
// of the task activity they get.
const ApprovalTaskDue = 48 * time.Hour

// Approval is a request to approve a quote (or contract) that goes beyond
// the authority of its deal's owner (PLAYBOOK.md §4 credit authorization,
// §5.8, §5.10). Reasons say by how much; the approver decides once, with a
// comment, and the decision moves the subject in the same transaction.
type Approval struct {
	ID        int64  `json:"id"`
	Version   int64  `json:"version"`
	Kind      string `json:"kind"`
	SubjectID int64  `json:"subject_id"`
	DealID    int64  `json:"deal_id"`
	// RequestedBy submitted the subject; AssignedTo is the approver chosen
	// for it and holds the task. Any other user allowed to decide it (see
	// checkDecider) may decide it too.
	RequestedBy int64            `json:"requested_by"`
	AssignedTo  int64            `json:"assigned_to"`
	Status      string           `json:"status"`
	Reasons     []ApprovalReason `json:"reasons"`
	Comment     string           `json:"comment"`
	DecidedBy   *int64           `json:"decided_by"`
	DecidedAt   *time.Time       `json:"decided_at"`
	// TaskID is the approver's task activity.
	TaskID    *int64    `json:"task_id"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`

	// OwnerID and OwnerTeamID are the deal's owner and their team, loaded
	// for permission checks.
	OwnerID     int64 `json:"-"`
	OwnerTeamID int64 `json:"-"`
}

// ApprovalDecision approves or rejects a request: the version read and a
// comment, required to reject (the requester must learn why).
type ApprovalDecision struct {
	Version int64  `json:"version"`
	Comment string `json:"comment"`
}

// ApprovalFilter selects approval requests for a list.
type ApprovalFilter struct {
	ListParams
	// AssignedTo limits the list to one approver's inbox; nil is all.
	AssignedTo *int64
	Status     string
	Kind       string
	DealID     *int64
}

// ApprovalSortFields are the fields an approval list sorts by.
var ApprovalSortFields = []string{"created_at", "updated_at"}

// SubjectMove is a change of state of an approval's subject (a quote, a
// contract), written in the same transaction as the approval it goes with.
// The store knows the subject's table by Kind; the move happens only if the
// subject is still in state From (and, when ExpectVersion > 0, at that
// version), else nothing is written and the answer is a conflict.
type SubjectMove struct {
	Kind          string
	ID            int64
	ExpectVersion int64
	From, To      string
	At            time.Time
}

// ApprovalStore persists approval requests and the subject moves that go
// with them. Each subject table has the columns state, version,
// state_changed_at, updated_at and approval_id.
type ApprovalStore interface {
	// MoveSubject moves a subject that needs no approval, with audit rows.
	MoveSubject(ctx context.Context, m SubjectMove, audits []*AuditEntry) error
	// RequestApproval moves the subject (to pending), creates the approval
	// request and the approver's task activity, links the three and writes
	// the audit rows, in one transaction. Audit rows about the new request
	// (entity "approval", EntityID 0) get its id.
	RequestApproval(ctx context.Context, m SubjectMove, a *Approval, task *Activity, audits []*AuditEntry) error
	ApprovalByID(ctx context.Context, id int64) (*Approval, error)
	ListApprovals(ctx context.Context, f ApprovalFilter) (*Page[*Approval], error)
	// DecideApproval writes the decision if the request is still pending at
	// expectVersion, moves the subject, marks the task done and writes the
	// audit rows, in one transaction; a request decided meanwhile is a
	// conflict and nothing is written.
	DecideApproval(ctx context.Context, a *Approval, expectVersion int64, m SubjectMove, audits []*AuditEntry) error
}

// approvalAudit is what the audit log keeps of an approval request.
type approvalAudit struct {
	Status     string           `json:"status"`
	Kind       string           `json:"kind,omitempty"`
	SubjectID  int64            `json:"subject_id,omitempty"`
	AssignedTo int64            `json:"assigned_to,omitempty"`
	Reasons    []ApprovalReason `json:"reasons,omitempty"`
	Comment    string           `json:"comment,omitempty"`
}

// approvalRequest is what requestApproval needs to know of a subject.
type approvalRequest struct {
	kind           string
	subjectID      int64
	subjectVersion int64
	deal           *Deal
	owner          *User
	reasons        []ApprovalReason
	// title names the subject in the approver's task, rendered in their
	// language.
	title   Message
	comment string
	// subjectAudit is the subject's audit row of the submission.
	subjectAudit func(a *Approval) *AuditEntry
}

// requestApproval opens an approval request for a subject beyond its
// owner's authority and moves the subject from draft to pending_approval.
// The approver gets a task on the deal, due in ApprovalTaskDue. A contract
// calls it just as a quote does.
func (s *Service) requestApproval(ctx context.Context, actor Actor, req approvalRequest) (*Approval, error) {
	approver, err := s.chooseApprover(ctx, req.owner, actor.UserID, req.reasons)
	if err != nil {
		return nil, err
	}
	now := s.now()
	a := &Approval{Version: 1, Kind: req.kind, SubjectID: req.subjectID, DealID: req.deal.ID, RequestedBy: actor.UserID,
		AssignedTo: approver.ID, Status: ApprovalPending, Reasons: req.reasons, CreatedAt: now, UpdatedAt: now,
		OwnerID: req.deal.OwnerID, OwnerTeamID: req.deal.OwnerTeamID}
	due := now.Add(ApprovalTaskDue)
	task := &Activity{Version: 1, Type: "task", Subject: s.text(approver.Language, req.title),
		DueAt: &due, DealID: &req.deal.ID, AccountID: &req.deal.AccountID, OwnerID: approver.ID,
		Notes: s.reasonsText(approver.Language, req.reasons), CreatedAt: now, UpdatedAt: now}
	m := SubjectMove{Kind: req.kind, ID: req.subjectID, ExpectVersion: req.subjectVersion, From: SubjectDraft, To: SubjectPending, At: now}
	audits := []*AuditEntry{
		req.subjectAudit(a),
		s.audit(actor, "approval", 0, "request", nil,
			approvalAudit{Status: ApprovalPending, Kind: a.Kind, SubjectID: a.SubjectID, AssignedTo: a.AssignedTo, Reasons: a.Reasons}, clean(req.comment)),
	}
	if err := s.Store.RequestApproval(ctx, m, a, task, audits); err != nil {
		return nil, err
	}
	return a, nil
}

// chooseApprover picks who gets an approval request: an active manager of
// the owner's team whose own authority covers every reason, else an active
// admin whose authority covers it; within each group the first by
// username. Neither the requester nor the owner is ever chosen: nobody
// approves their own request. When nobody qualifies, the request is
// refused: no one could decide it.
func (s *Service) chooseApprover(ctx context.Context, owner *User, requester int64, reasons []ApprovalReason) (*User, error) {
	eligible := func(u *User, role string) bool {
		return u.Role == role && !u.Disabled && u.ID != requester && u.ID != owner.ID && u.Authority().Covers(reasons)
	}
	if owner.TeamID != nil {
		team, err := s.Store.ListUsers(ctx, UserFilter{TeamID: owner.TeamID})
		if err != nil {
			return nil, err
		}
		for _, u := range team {
			if eligible(u, RoleManager) {
				return u, nil
			}
		}
	}
	all, err := s.Store.ListUsers(ctx, UserFilter{})
	if err != nil {
		return nil, err
	}
	for _, u := range all {
		if eligible(u, RoleAdmin) {
			return u, nil
		}
	}
	return nil, Errorf(EINVALID, "error.no_approver")
}

// Text renders a message of the catalogue in a language. The service needs
// it for the texts it writes into records for a particular reader, such as
// an approver's task; the web layer sets it (i18n.T), which keeps the
// domain free of the catalogue.
type Text func(lang, key string, args ...any) string

// text renders m in lang, or, without a renderer, writes the key and its
// arguments, which is still readable in a log or a test.
func (s *Service) text(lang string, m Message) string {
	if s.Text != nil {
		return s.Text(lang, m.Key, m.Args...)
	}
	parts := []string{m.Key}
	for _, a := range m.Args {
		parts = append(parts, fmt.Sprint(a))
	}
	return strings.Join(parts, " ")
}

// reasonsText explains, one reason per line, why a request needs approval.
func (s *Service) reasonsText(lang string, reasons []ApprovalReason) string {
	lines := make([]string, 0, len(reasons))
	for _, r := range reasons {
		requested, limit := fmt.Sprint(r.Requested), fmt.Sprint(r.Limit)
		switch r.Kind {
		case ReasonDiscount:
			requested, limit = FormatBP(r.Requested), FormatBP(r.Limit)
		case ReasonCreditAmount:
			requested, limit = "¥"+FormatFen(r.Requested), "¥"+FormatFen(r.Limit)
		}
		lines = append(lines, s.text(lang, Msg("approval.reason."+r.Kind, requested, limit)))
	}
	return strings.Join(lines, "\n")
}

// ApprovalReasonsText explains in lang, one reason per line, why a request
// needs approval (for the UI's inbox and My day).
func (s *Service) ApprovalReasonsText(lang string, reasons []ApprovalReason) string {
	return s.reasonsText(lang, reasons)
}

// Approval returns an approval request the actor may see: one on a deal in
// their scope, or one assigned to them.
func (s *Service) Approval(ctx context.Context, actor Actor, id int64) (*Approval, error) {
	a, err := s.Store.ApprovalByID(ctx, id)
	if err != nil {
		return nil, err
	}
	if a.AssignedTo != actor.UserID && !actor.Scope().Covers(a.OwnerID, a.OwnerTeamID) {
		return nil, NotFound("approval")
	}
	return a, nil
}

// Approvals lists the actor's inbox: the requests assigned to them, or, for
// an admin, every request.
func (s *Service) Approvals(ctx context.Context, actor Actor, f ApprovalFilter) (*Page[*Approval], error) {
	var v validator
	f.normalize(&v, ApprovalSortFields)
	v.oneOf("status", f.Status, ApprovalStatuses, true)
	v.oneOf("kind", f.Kind, ApprovalKinds, true)
	if err := v.err(); err != nil {
		return nil, err
	}
	f.AssignedTo = nil
	if !actor.IsAdmin() {
		me := actor.UserID
		f.AssignedTo = &me
	}
	return s.Store.ListApprovals(ctx, f)
}

// checkDecider decides whether the actor may decide a request: an admin, or
// a manager of the owner's team; never the requester or the owner; and
// only with an authority of their own that covers every reason.
func (s *Service) checkDecider(ctx context.Context, actor Actor, a *Approval) error {
	switch {
	case actor.Role == RoleAdmin:
	case actor.Role == RoleManager && actor.TeamID != 0 && actor.TeamID == a.OwnerTeamID:
	default:
		return Forbidden()
	}
	if actor.UserID == a.RequestedBy || actor.UserID == a.OwnerID {
		return Errorf(EFORBIDDEN, "error.approval_own")
	}
	me, err := s.Store.UserByID(ctx, actor.UserID)
	if err != nil {
		return err
	}
	if !me.Authority().Covers(a.Reasons) {
		return Errorf(EFORBIDDEN, "error.approval_beyond_authority")
	}
	return nil
}

// ApproveApproval approves a pending request and moves its subject on
// (a quote to approved).
func (s *Service) ApproveApproval(ctx context.Context, actor Actor, id int64, in ApprovalDecision) (*Approval, error) {
	return s.decide(ctx, actor, id, in, ApprovalApproved)
}

// RejectApproval rejects a pending request, with a comment that says why,
// and moves its subject on (a quote to rejected, to be revised).
func (s *Service) RejectApproval(ctx context.Context, actor Actor, id int64, in ApprovalDecision) (*Approval, error) {
	return s.decide(ctx, actor, id, in, ApprovalRejected)
}

// decide writes a decision. Permission comes first (403), then the version
// (409 when stale), then the status: a request already decided is a
// conflict. Two deciders racing both pass these checks; the store's
// versioned update lets exactly one of them win, and the other gets 409.
func (s *Service) decide(ctx context.Context, actor Actor, id int64, in ApprovalDecision, status string) (*Approval, error) {
	a, err := s.Approval(ctx, actor, id)
	if err != nil {
		return nil, err
	}
	if err := s.checkDecider(ctx, actor, a); err != nil {
		return nil, err
	}
	comment := clean(in.Comment)
	var v validator
	v.maxLen("comment", comment, MaxText)
	if status == ApprovalRejected {
		v.required("comment", comment)
	}
	if err := v.err(); err != nil {
		return nil, err
	}
	if err := checkVersion(in.Version, a.Version); err != nil {
		return nil, err
	}
	if a.Status != ApprovalPending {
		return nil, Errorf(ECONFLICT, "error.approval_decided")
	}
	now := s.now()
	subjectTo := SubjectApproved
	if status == ApprovalRejected {
		subjectTo = SubjectRejected
	}
	action := map[string]string{ApprovalApproved: "approve", ApprovalRejected: "reject"}[status]
	a.Status, a.Comment, a.DecidedBy, a.DecidedAt, a.UpdatedAt = status, comment, &actor.UserID, &now, now
	m := SubjectMove{Kind: a.Kind, ID: a.SubjectID, From: SubjectPending, To: subjectTo, At: now}
	audits := []*AuditEntry{
		s.audit(actor, "approval", a.ID, action, approvalAudit{Status: ApprovalPending}, approvalAudit{Status: status, Comment: comment}, comment),
		s.audit(actor, a.Kind, a.SubjectID, action, stateAudit{State: SubjectPending}, stateAudit{State: subjectTo, ApprovalID: a.ID}, comment),
	}
	if err := s.Store.DecideApproval(ctx, a, in.Version, m, audits); err != nil {
		return nil, err
	}
	return a, nil
}
