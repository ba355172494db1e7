package crm

import "context"

// eventAudit is what the audit log keeps of a compelling event: enough to
// tell which event was added or removed without reading any other table.
type eventAudit struct {
	ID                   int64  `json:"id,omitempty"`
	Code                 string `json:"code"`
	Title                string `json:"title,omitempty"`
	Impact               string `json:"impact,omitempty"`
	ConfirmedByContactID *int64 `json:"confirmed_by_contact_id,omitempty"`
}

func auditOfEvent(e *CompellingEvent) eventAudit {
	return eventAudit{ID: e.ID, Code: e.Code, Title: e.Title, Impact: e.Impact, ConfirmedByContactID: e.ConfirmedByContactID}
}

// validateEvent checks an event against the playbook's catalogue: a code of
// the catalogue, or "custom" with a title of its own. Only a custom event
// has a title; a catalogue event is named by the playbook.
func (s *Service) validateEvent(e *CompellingEvent) error {
	var v validator
	switch {
	case e.Code == "":
		v.add("code", "field.required")
	case e.Code == CustomEventCode:
		v.required("title", e.Title)
	case s.Playbook.Event(e.Code) == nil:
		v.add("code", "field.unknown_event")
	case e.Title != "":
		v.add("title", "field.title_custom_only")
	}
	v.maxLen("code", e.Code, MaxShort)
	v.maxLen("title", e.Title, MaxName)
	v.maxLen("impact", e.Impact, MaxText)
	if e.ConfirmedByContactID != nil && *e.ConfirmedByContactID <= 0 {
		v.add("confirmed_by_contact_id", "field.contact_not_of_account")
	}
	return v.err()
}

// checkDealContact makes sure contactID names a live contact of the deal's
// account; anything else is invalid input on field.
func (s *Service) checkDealContact(ctx context.Context, d *Deal, contactID int64, field string) error {
	c, err := s.Store.ContactByID(ctx, contactID)
	if err == nil && c.AccountID == d.AccountID {
		return nil
	}
	if err != nil && ErrorCode(err) != ENOTFOUND {
		return err
	}
	return &Error{Code: EINVALID, Message: Msg("error.invalid"), Fields: map[string]Message{field: Msg("field.contact_not_of_account")}}
}

// DealEvents lists the compelling events of a deal the actor may see, in
// the order they were recorded.
func (s *Service) DealEvents(ctx context.Context, actor Actor, dealID int64) ([]*CompellingEvent, error) {
	if _, err := s.Deal(ctx, actor, dealID); err != nil {
		return nil, err
	}
	return s.Store.DealEvents(ctx, dealID)
}

// AddEvent records why the customer must buy now (PLAYBOOK.md §2). The
// contact who confirmed it, if any, must be one of the deal's account. The
// addition is audited on the deal.
func (s *Service) AddEvent(ctx context.Context, actor Actor, dealID int64, in CompellingEventInput) (*CompellingEvent, error) {
	d, err := s.Deal(ctx, actor, dealID)
	if err != nil {
		return nil, err
	}
	e := &CompellingEvent{DealID: dealID, Code: clean(in.Code), Title: clean(in.Title), Impact: clean(in.Impact),
		ConfirmedByContactID: in.ConfirmedByContactID, CreatedBy: actor.UserID}
	if err := s.validateEvent(e); err != nil {
		return nil, err
	}
	if e.ConfirmedByContactID != nil {
		if err := s.checkDealContact(ctx, d, *e.ConfirmedByContactID, "confirmed_by_contact_id"); err != nil {
			return nil, err
		}
	}
	e.CreatedAt = s.now()
	audit := s.audit(actor, "deal", dealID, "event_add", nil, auditOfEvent(e), "")
	if err := s.Store.AddEvent(ctx, e, audit); err != nil {
		return nil, err
	}
	return e, nil
}

// DeleteEvent removes a compelling event from a deal; the audit row keeps
// what it said.
func (s *Service) DeleteEvent(ctx context.Context, actor Actor, dealID, eventID int64) error {
	if _, err := s.Deal(ctx, actor, dealID); err != nil {
		return err
	}
	events, err := s.Store.DealEvents(ctx, dealID)
	if err != nil {
		return err
	}
	for _, e := range events {
		if e.ID == eventID {
			audit := s.audit(actor, "deal", dealID, "event_delete", auditOfEvent(e), nil, "")
			return s.Store.DeleteEvent(ctx, dealID, eventID, audit)
		}
	}
	return NotFound("compelling_event")
}
