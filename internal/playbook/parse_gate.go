package playbook

import (
	"fmt"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"
)

// stages reads the stages, which must be exactly StageKeys in that order:
// the rest of dealpath (API, CSV, reports) knows the stages by these keys.
func (d *decoder) stages(n, keyNode *yaml.Node, p *Playbook) []Stage {
	stages := []Stage{}
	if dn := deref(n); dn.Kind != yaml.SequenceNode {
		d.errorf(dn, "stages must be a list")
		return stages
	}
	seen := newUnique("stage")
	last := -1
	for _, sn := range d.seq(n, "stages") {
		o, ok := d.record(sn, named("stage", peekValue(sn, "key")), "key!", "name!", "guidance!", "max_days!", "probability!", "checklist", "exit")
		if !ok {
			continue
		}
		var s Stage
		if o.has("key") {
			if key, ok := d.str(o.get("key"), "stage key"); ok {
				i := slices.Index(StageKeys, key)
				switch {
				case i < 0:
					d.errorf(o.get("key"), "unknown stage key %q (stages: %s)", key, strings.Join(StageKeys, ", "))
				case !seen.add(d, o.get("key"), key):
				case i < last:
					d.errorf(o.get("key"), "stage %q is out of order: it comes before %q (the order is %s)", key, StageKeys[last], strings.Join(StageKeys, ", "))
					s.Key = key
				default:
					last = i
					s.Key = key
				}
			}
		}
		what := "stage " + s.Key
		if o.has("name") {
			s.Name = d.text(o.get("name"), what+" name")
		}
		if o.has("guidance") {
			s.Guidance = d.text(o.get("guidance"), what+" guidance")
		}
		if o.has("max_days") {
			v, _ := d.integer(o.get("max_days"), what+" max_days", 0, 100_000)
			s.MaxDays = int(v)
		}
		if o.has("probability") {
			v, _ := d.integer(o.get("probability"), what+" probability", 0, 100)
			s.Probability = int(v)
		}
		s.Checklist = []Item{}
		if o.has("checklist") {
			s.Checklist = d.items(o.get("checklist"), what+" checklist step", nil)
		}
		s.Exit = []Criterion{}
		if o.has("exit") {
			if s.Key == StageClosed || s.Key == StageLost {
				d.errorf(o.key("exit"), "stage %s ends the deal and has no exit gate", s.Key)
			} else {
				s.Exit = d.criteria(o.get("exit"), s.Key, p)
			}
		}
		stages = append(stages, s)
	}
	for _, key := range StageKeys {
		if _, ok := seen.first[key]; !ok {
			d.errorf(keyNode, "stage %q is missing", key)
		}
	}
	return stages
}

// criteria reads a stage's exit gate.
func (d *decoder) criteria(n *yaml.Node, stage string, p *Playbook) []Criterion {
	out := []Criterion{}
	seen := newUnique("criterion key in stage " + stage)
	for _, cn := range d.seq(n, "stage "+stage+" exit") {
		name := peekValue(cn, "key")
		if name == "" {
			name = peekValue(cn, "kind")
		}
		o, ok := d.record(cn, named("stage "+stage+" criterion", name), "key", "kind!", "params", "label!", "hint!")
		if !ok {
			continue
		}
		var c Criterion
		var spec kindSpec
		known := false
		if o.has("kind") {
			if kind, ok := d.str(o.get("kind"), "criterion kind"); ok {
				c.Kind = kind
				if spec, known = criterionKinds[kind]; !known {
					d.errorf(o.get("kind"), "unknown criterion kind %q (kinds: %s)", kind, strings.Join(CriterionKinds(), ", "))
				}
			}
		}
		c.Key = c.Kind
		keyNode := o.get("kind")
		if o.has("key") {
			c.Key, _ = d.ident(o.get("key"), "criterion key", keyRE)
			keyNode = o.get("key")
		}
		if c.Key != "" {
			seen.add(d, keyNode, c.Key)
		}
		if known {
			c.Params = d.params(o, spec, c.Kind, p)
		}
		what := fmt.Sprintf("stage %s criterion %s", stage, c.Key)
		if o.has("label") {
			c.Label = d.text(o.get("label"), what+" label")
		}
		if o.has("hint") {
			c.Hint = d.text(o.get("hint"), what+" hint")
		}
		out = append(out, c)
	}
	return out
}

// params reads a criterion's parameters against its kind's declaration.
func (d *decoder) params(o object, spec kindSpec, kind string, p *Playbook) Params {
	var ps Params
	if spec.defaults != nil {
		spec.defaults(&ps)
	}
	given := map[string]bool{}
	if o.has("params") {
		pairs, _ := d.mapping(o.get("params"), kind+" params")
		for _, pr := range pairs {
			i := slices.IndexFunc(spec.params, func(s paramSpec) bool { return s.name == pr.name })
			if i < 0 {
				if len(spec.params) == 0 {
					d.errorf(pr.key, "criterion kind %s takes no parameters, got %q", kind, pr.name)
				} else {
					d.errorf(pr.key, "unknown parameter %q for criterion kind %s (parameters: %s)", pr.name, kind, paramNames(spec))
				}
				continue
			}
			given[pr.name] = true
			d.param(pr.value, spec.params[i], kind, p, &ps)
		}
	}
	for _, s := range spec.params {
		if s.required && !given[s.name] {
			d.errorf(o.node, "criterion kind %s needs parameter %q", kind, s.name)
		}
	}
	if spec.validate != nil {
		if msg := spec.validate(&ps); msg != "" {
			d.errorf(o.node, "%s", msg)
		}
	}
	return ps
}

func paramNames(spec kindSpec) string {
	names := make([]string, len(spec.params))
	for i, s := range spec.params {
		names[i] = s.name
	}
	return strings.Join(names, ", ")
}

// param reads one parameter value and stores it.
func (d *decoder) param(n *yaml.Node, s paramSpec, kind string, p *Playbook, ps *Params) {
	what := fmt.Sprintf("parameter %s of %s", s.name, kind)
	var allowed []string
	if s.allowed != nil {
		allowed = s.allowed(p)
	}
	check := func(v string, vn *yaml.Node) bool {
		if allowed != nil && !slices.Contains(allowed, v) {
			d.errorf(vn, "unknown %s %q in %s (known: %s)", s.noun, v, what, strings.Join(allowed, ", "))
			return false
		}
		return true
	}
	switch s.typ {
	case intParam:
		if v, ok := d.integer(n, what, int64(s.min), 1_000_000); ok {
			s.set(ps, int(v))
		}
	case boolParam:
		if v, ok := d.boolean(n, what); ok {
			s.set(ps, v)
		}
	case stringParam:
		if v, ok := d.str(n, what); ok && check(v, deref(n)) {
			s.set(ps, v)
		}
	case listParam:
		dn := deref(n)
		switch {
		case dn != nil && dn.Kind == yaml.ScalarNode && !isNull(dn):
			d.errorf(dn, "%s must be a list, such as [%s]", what, dn.Value)
			return
		case isNull(dn) || (dn.Kind == yaml.SequenceNode && len(dn.Content) == 0):
			d.errorf(n, "%s must not be empty", what)
			return
		}
		vals, nodes := d.strList(n, what)
		good := vals[:0:0]
		for i, v := range vals {
			if check(v, nodes[i]) {
				good = append(good, v)
			}
		}
		s.set(ps, good)
	}
}
