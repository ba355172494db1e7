package playbook

import (
	"fmt"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"
)

// unique reports a key seen twice in one list (question keys, event codes,
// criterion keys of a stage…).
type unique struct {
	what  string
	first map[string]int
}

func newUnique(what string) *unique { return &unique{what: what, first: map[string]int{}} }

// add records key and reports whether it is new.
func (u *unique) add(d *decoder, n *yaml.Node, key string) bool {
	if line, dup := u.first[key]; dup {
		d.errorf(n, "duplicate %s %q (first at line %d)", u.what, key, line)
		return false
	}
	u.first[key] = deref(n).Line
	return true
}

// playbook reads the whole file. Sections are read in dependency order,
// not file order: the gates refer to questions and key roles, so those are
// known before the stages are read, wherever they stand in the file.
func (d *decoder) playbook(root *yaml.Node) *Playbook {
	o, ok := d.record(root, "the playbook", "format", "name!", "labels!", "questions!", "conditions!",
		"events!", "key_roles!", "engagement_steps!", "pitches", "fit!", "health!", "messages!", "stages!")
	if !ok {
		return nil
	}
	p := &Playbook{}
	if o.has("format") {
		if v, ok := d.integer(o.get("format"), "format", 0, maxInt); ok && v != 1 {
			d.errorf(o.get("format"), "format %d is not supported; this version reads format 1", v)
		}
	}
	if o.has("name") {
		p.Name = d.text(o.get("name"), "name")
	}
	if o.has("labels") {
		p.Labels = d.labels(o.get("labels"))
	}
	if o.has("questions") {
		p.Questions = d.items(o.get("questions"), "question", nil)
	}
	if o.has("conditions") {
		p.Conditions = d.items(o.get("conditions"), "condition", nil)
	}
	if o.has("events") {
		p.Events = d.events(o.get("events"))
	}
	if o.has("key_roles") {
		p.KeyRoles = d.keyRoles(o.get("key_roles"))
	}
	if o.has("engagement_steps") {
		p.EngagementSteps = d.items(o.get("engagement_steps"), "engagement step", EngagementSteps)
		d.inOrder(o.get("engagement_steps"), "engagement step", EngagementSteps)
	}
	if o.has("pitches") {
		p.Pitches = d.items(o.get("pitches"), "pitch", nil)
	}
	if o.has("fit") {
		p.Profile = d.profile(o.get("fit"))
	}
	if o.has("health") {
		p.HealthRules = d.health(o.get("health"))
	}
	if o.has("messages") {
		p.Messages = d.messages(o.get("messages"))
	}
	if o.has("stages") {
		p.Stages = d.stages(o.get("stages"), o.key("stages"), p)
	}
	p.stageIndex = map[string]int{}
	for i, s := range p.Stages {
		p.stageIndex[s.Key] = i
	}
	return p
}

// items reads a non-empty list of {key, text}. With allowed, every key must
// be one of them and all of them must be there.
func (d *decoder) items(n *yaml.Node, what string, allowed []string) []Item {
	list := d.seq(n, what+"s")
	if len(list) == 0 && deref(n).Kind == yaml.SequenceNode {
		d.errorf(n, "the list of %ss is empty", what)
	}
	items := []Item{}
	seen := newUnique(what + " key")
	for _, in := range list {
		o, ok := d.record(in, what, "key!", "text!")
		if !ok {
			continue
		}
		var it Item
		if o.has("key") {
			if key, ok := d.ident(o.get("key"), what+" key", keyRE); ok {
				switch {
				case allowed != nil && !slices.Contains(allowed, key):
					d.errorf(o.get("key"), "unknown %s %q (known: %s)", what, key, strings.Join(allowed, ", "))
				case seen.add(d, o.get("key"), key):
					it.Key = key
				}
			}
		}
		if o.has("text") {
			it.Text = d.text(o.get("text"), fmt.Sprintf("%s %s", what, it.Key))
		}
		items = append(items, it)
	}
	for _, key := range allowed {
		if _, ok := seen.first[key]; !ok {
			d.errorf(n, "%s %q is missing", what, key)
		}
	}
	return items
}

// inOrder checks that the keys of a list of items follow order; it reports
// the first item that comes too early.
func (d *decoder) inOrder(n *yaml.Node, what string, order []string) {
	last := -1
	for _, item := range d.seq(n, what) {
		kn := deref(peek(item, "key"))
		if kn == nil {
			continue
		}
		i := slices.Index(order, kn.Value)
		if i < 0 {
			continue
		}
		if i < last {
			d.errorf(kn, "%s %q is out of order (the order is %s)", what, kn.Value, strings.Join(order, ", "))
			return
		}
		last = i
	}
}

func (d *decoder) labels(n *yaml.Node) Labels {
	var l Labels
	o, ok := d.record(n, "labels", "business_kind!")
	if !ok || !o.has("business_kind") {
		return l
	}
	l.BusinessKind = map[string]Text{}
	allowed := append(slices.Clone(BusinessKinds), "unknown")
	pairs, ok := d.mapping(o.get("business_kind"), "labels.business_kind")
	if !ok {
		return l
	}
	for _, pr := range pairs {
		if !slices.Contains(allowed, pr.name) {
			d.errorf(pr.key, "labels.business_kind: unknown business kind %q (known: %s)", pr.name, strings.Join(allowed, ", "))
			continue
		}
		l.BusinessKind[pr.name] = d.text(pr.value, "labels.business_kind."+pr.name)
	}
	for _, k := range allowed {
		if !hasKey(pairs, k) {
			d.errorf(o.get("business_kind"), "labels.business_kind: missing label for %q", k)
		}
	}
	return l
}

func (d *decoder) events(n *yaml.Node) []Event {
	list := d.seq(n, "events")
	if len(list) == 0 {
		d.errorf(n, "the compelling-event catalogue is empty")
	}
	events := []Event{}
	seen := newUnique("event code")
	for _, en := range list {
		o, ok := d.record(en, "event", "code!", "name!", "text!")
		if !ok {
			continue
		}
		var e Event
		if o.has("code") {
			if code, ok := d.ident(o.get("code"), "event code", codeRE); ok {
				switch {
				case strings.EqualFold(code, "custom"):
					// Deals record their own events under this code.
					d.errorf(o.get("code"), "event code %q is reserved for events outside the catalogue", code)
				case seen.add(d, o.get("code"), code):
					e.Code = code
				}
			}
		}
		if o.has("name") {
			e.Name = d.text(o.get("name"), "event "+e.Code+" name")
		}
		if o.has("text") {
			e.Text = d.text(o.get("text"), "event "+e.Code+" text")
		}
		events = append(events, e)
	}
	return events
}

func (d *decoder) keyRoles(n *yaml.Node) []KeyRole {
	list := d.seq(n, "key_roles")
	if len(list) == 0 {
		d.errorf(n, "the list of key roles is empty")
	}
	allowed := slices.DeleteFunc(slices.Clone(FunctionalRoles), func(r string) bool { return r == "other" })
	roles := []KeyRole{}
	seen := newUnique("key role")
	for _, rn := range list {
		o, ok := d.record(rn, "key role", "key!", "name!", "action!")
		if !ok {
			continue
		}
		var r KeyRole
		if o.has("key") {
			if key, ok := d.str(o.get("key"), "key role"); ok {
				switch {
				case !slices.Contains(allowed, key):
					d.errorf(o.get("key"), "unknown functional role %q (known: %s)", key, strings.Join(allowed, ", "))
				case seen.add(d, o.get("key"), key):
					r.Key = key
				}
			}
		}
		if o.has("name") {
			r.Name = d.text(o.get("name"), "key role "+r.Key+" name")
		}
		if o.has("action") {
			r.Action = d.text(o.get("action"), "key role "+r.Key+" action")
		}
		roles = append(roles, r)
	}
	return roles
}

func (d *decoder) messages(n *yaml.Node) Messages {
	var m Messages
	o, ok := d.record(n, "messages", "stalled!", "unknown_stage!")
	if !ok {
		return m
	}
	if o.has("stalled") {
		m.Stalled = d.template(o.get("stalled"), "messages.stalled", []string{"days", "max_days"})
	}
	if o.has("unknown_stage") {
		m.UnknownStage = d.template(o.get("unknown_stage"), "messages.unknown_stage", []string{"stage"})
	}
	return m
}

func (d *decoder) health(n *yaml.Node) HealthRules {
	var h HealthRules
	o, ok := d.record(n, "health", "weights!", "events_for_full!", "recency_full_days!", "recency_zero_days!", "slip_penalty!", "texts!")
	if !ok {
		return h
	}
	if o.has("weights") {
		w, ok := d.record(o.get("weights"), "health weights", "gate!", "events!", "key_persons!", "recency!", "stage_time!", "slips!")
		if ok {
			sum, complete := 0, true
			weights := []struct {
				name string
				dst  *int
			}{
				{"gate", &h.Weights.Gate}, {"events", &h.Weights.Events}, {"key_persons", &h.Weights.KeyPersons},
				{"recency", &h.Weights.Recency}, {"stage_time", &h.Weights.StageTime}, {"slips", &h.Weights.Slips},
			}
			for _, wt := range weights {
				name, dst := wt.name, wt.dst
				if !w.has(name) {
					complete = false
					continue
				}
				v, ok := d.integer(w.get(name), "health weight "+name, 0, 100)
				complete = complete && ok
				*dst = int(v)
				sum += int(v)
			}
			if complete && sum != 100 {
				d.errorf(o.key("weights"), "health weights add up to %d; they must add up to 100", sum)
			}
		}
	}
	ints := []struct {
		name string
		lo   int64
		dst  *int
	}{
		{"events_for_full", 1, &h.EventsForFull}, {"recency_full_days", 0, &h.RecencyFullDays},
		{"recency_zero_days", 1, &h.RecencyZeroDays}, {"slip_penalty", 0, &h.SlipPenalty},
	}
	for _, f := range ints {
		if o.has(f.name) {
			v, _ := d.integer(o.get(f.name), "health "+f.name, f.lo, 100_000)
			*f.dst = int(v)
		}
	}
	if o.has("recency_zero_days") && h.RecencyZeroDays > 0 && h.RecencyZeroDays <= h.RecencyFullDays {
		d.errorf(o.get("recency_zero_days"), "health recency_zero_days (%d) must be greater than recency_full_days (%d)", h.RecencyZeroDays, h.RecencyFullDays)
	}
	if o.has("texts") {
		names := []string{"gate!", "events!", "key_persons!", "recency!", "no_activity!", "stage_time!", "slips!"}
		t, ok := d.record(o.get("texts"), "health texts", names...)
		if ok {
			texts := []struct {
				name string
				dst  *Text
			}{
				{"gate", &h.Texts.Gate}, {"events", &h.Texts.Events}, {"key_persons", &h.Texts.KeyPersons}, {"recency", &h.Texts.Recency},
				{"no_activity", &h.Texts.NoActivity}, {"stage_time", &h.Texts.StageTime}, {"slips", &h.Texts.Slips},
			}
			for _, tx := range texts {
				if t.has(tx.name) {
					*tx.dst = d.template(t.get(tx.name), "health text "+tx.name, healthPlaceholders[tx.name])
				}
			}
		}
	}
	return h
}
