package playbook

import (
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"
)

// ruleFields are the fields of a fit rule, by how the field is scored.
var (
	numericRuleFields = []string{"field!", "min!", "min_by_business_kind", "points!", "text!", "unknown!"}
	valueRuleFields   = []string{"field!", "values!", "unknown!"}
	factorKeyRE       = codeRE
)

func (d *decoder) profile(n *yaml.Node) Profile {
	var f Profile
	o, ok := d.record(n, "fit", "grades!", "factors!", "disqualifiers")
	if !ok {
		return f
	}
	gradesOK := false
	if o.has("grades") {
		g, ok := d.record(o.get("grades"), "fit grades", "A!", "B!", "C!")
		if ok && g.has("A") && g.has("B") && g.has("C") {
			a, okA := d.integer(g.get("A"), "grade A cut-off", 0, 100)
			b, okB := d.integer(g.get("B"), "grade B cut-off", 0, 100)
			c, okC := d.integer(g.get("C"), "grade C cut-off", 0, 100)
			f.Grades = Grades{A: int(a), B: int(b), C: int(c)}
			if okA && okB && okC {
				gradesOK = true
				if !(a > b && b > c) {
					d.errorf(o.key("grades"), "grade cut-offs must descend: A (%d) > B (%d) > C (%d)", a, b, c)
				}
			}
		}
	}
	if o.has("factors") {
		f.Factors = d.factors(o.get("factors"))
		total := 0
		for i := range f.Factors {
			total += f.Factors[i].Max()
		}
		switch {
		case total > 100:
			d.errorf(o.key("factors"), "the factors can add up to %d points; the score must not exceed 100", total)
		case gradesOK && f.Grades.A > total:
			d.errorf(o.key("grades"), "grade A needs %d points but the factors give at most %d", f.Grades.A, total)
		}
	}
	f.Disqualifiers = []Disqualifier{}
	if o.has("disqualifiers") {
		f.Disqualifiers = d.disqualifiers(o.get("disqualifiers"))
	}
	return f
}

func (d *decoder) factors(n *yaml.Node) []Factor {
	list := d.seq(n, "fit factors")
	if len(list) == 0 {
		d.errorf(n, "the list of fit factors is empty")
	}
	factors := []Factor{}
	seen := newUnique("factor key")
	for _, fn := range list {
		o, ok := d.record(fn, "fit factor", "key!", "name!", "rules!")
		if !ok {
			continue
		}
		var f Factor
		if o.has("key") {
			if key, ok := d.ident(o.get("key"), "factor key", factorKeyRE); ok && seen.add(d, o.get("key"), key) {
				f.Key = key
			}
		}
		if o.has("name") {
			f.Name = d.text(o.get("name"), "factor "+f.Key+" name")
		}
		rules := d.seq(o.get("rules"), "factor "+f.Key+" rules")
		if len(rules) == 0 && o.has("rules") {
			d.errorf(o.get("rules"), "factor %s has no rules", f.Key)
		}
		for _, rn := range rules {
			if r, ok := d.rule(rn, "factor "+f.Key+" rule"); ok {
				f.Rules = append(f.Rules, r)
			}
		}
		factors = append(factors, f)
	}
	return factors
}

func (d *decoder) rule(n *yaml.Node, what string) (Rule, bool) {
	var r Rule
	fn := peek(n, "field")
	field := ""
	if fn != nil && deref(fn).Kind == yaml.ScalarNode {
		field = deref(fn).Value
	}
	numeric := slices.Contains(numericFields, field)
	values := valueFields[field]
	if values == nil {
		values = listFields[field]
	}
	fields := valueRuleFields
	if numeric {
		fields = numericRuleFields
	}
	if !numeric && values == nil {
		if fn != nil {
			all := append(append([]string{}, numericFields...), "ownership", "business_kind", "purchase_plan", "existing_software")
			d.errorf(fn, "%s: unknown account field %q (fields: %s)", what, field, strings.Join(all, ", "))
		} else {
			d.errorf(n, "%s: missing field \"field\"", what)
		}
		return r, false
	}
	what = what + " " + field
	o, ok := d.record(n, what, fields...)
	if !ok {
		return r, false
	}
	r.Field = field
	if o.has("unknown") {
		r.Unknown = d.template(o.get("unknown"), what+" unknown", nil)
	}
	if numeric {
		if o.has("min") {
			r.Min, _ = d.integer(o.get("min"), what+" min", 0, maxInt)
		}
		if o.has("min_by_business_kind") {
			r.MinByBusinessKind = map[string]int64{}
			pairs, _ := d.mapping(o.get("min_by_business_kind"), what+" min_by_business_kind")
			for _, pr := range pairs {
				if !slices.Contains(BusinessKinds, pr.name) {
					d.errorf(pr.key, "%s: unknown business kind %q (known: %s)", what, pr.name, strings.Join(BusinessKinds, ", "))
					continue
				}
				r.MinByBusinessKind[pr.name], _ = d.integer(pr.value, what+" min for "+pr.name, 0, maxInt)
			}
		}
		if o.has("points") {
			v, _ := d.integer(o.get("points"), what+" points", 0, 100)
			r.Points = int(v)
		}
		if o.has("text") {
			t := d.template(o.get("text"), what+" text", []string{"value", "min", "business_kind"})
			r.Text = &t
		}
		return r, true
	}
	if o.has("values") {
		pairs, ok := d.mapping(o.get("values"), what+" values")
		if !ok {
			return r, true
		}
		for _, pr := range pairs {
			if !slices.Contains(values, pr.name) {
				d.errorf(pr.key, "%s: unknown value %q (values: %s)", what, pr.name, strings.Join(values, ", "))
				continue
			}
			vo, ok := d.record(pr.value, what+" value "+pr.name, "points!", "text!")
			if !ok {
				continue
			}
			vp := ValuePoints{Key: pr.name}
			if vo.has("points") {
				v, _ := d.integer(vo.get("points"), what+" points of "+pr.name, 0, 100)
				vp.Points = int(v)
			}
			if vo.has("text") {
				vp.Text = d.template(vo.get("text"), what+" text of "+pr.name, nil)
			}
			r.Values = append(r.Values, vp)
		}
		for _, v := range values {
			if !hasKey(pairs, v) {
				d.errorf(o.get("values"), "%s: value %q is not scored (every value must be listed, with 0 points if need be)", what, v)
			}
		}
	}
	return r, true
}

func (d *decoder) disqualifiers(n *yaml.Node) []Disqualifier {
	out := []Disqualifier{}
	seen := newUnique("disqualifier key")
	for _, dn := range d.seq(n, "fit disqualifiers") {
		o, ok := d.record(dn, "disqualifier", "key!", "kind!", "industries", "within_days", "reason!")
		if !ok {
			continue
		}
		var q Disqualifier
		if o.has("key") {
			if key, ok := d.ident(o.get("key"), "disqualifier key", keyRE); ok && seen.add(d, o.get("key"), key) {
				q.Key = key
			}
		}
		what := "disqualifier " + q.Key
		if o.has("kind") {
			q.Kind, _ = d.str(o.get("kind"), what+" kind")
		}
		switch q.Kind {
		case "industry":
			if o.get("within_days") != nil {
				d.errorf(o.key("within_days"), "%s: within_days does not apply to kind industry", what)
			}
			if !o.has("industries") {
				d.errorf(o.node, "%s: kind industry needs industries", what)
				break
			}
			if in := deref(o.get("industries")); in.Kind == yaml.SequenceNode && len(in.Content) == 0 {
				d.errorf(in, "%s: industries must not be empty", what)
			}
			vals, nodes := d.strList(o.get("industries"), what+" industries")
			for i, v := range vals {
				if !slices.Contains(Industries, v) {
					d.errorf(nodes[i], "%s: unknown industry %q (known: %s)", what, v, strings.Join(Industries, ", "))
					continue
				}
				q.Industries = append(q.Industries, v)
			}
		case "just_restructured":
			if o.get("industries") != nil {
				d.errorf(o.key("industries"), "%s: industries does not apply to kind just_restructured", what)
			}
			if !o.has("within_days") {
				d.errorf(o.node, "%s: kind just_restructured needs within_days", what)
				break
			}
			v, _ := d.integer(o.get("within_days"), what+" within_days", 1, 100_000)
			q.WithinDays = int(v)
		case "":
		default:
			d.errorf(o.get("kind"), "%s: unknown disqualifier kind %q (kinds: industry, just_restructured)", what, q.Kind)
		}
		if o.has("reason") {
			q.Reason = d.text(o.get("reason"), what+" reason")
		}
		out = append(out, q)
	}
	return out
}
