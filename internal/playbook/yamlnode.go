package playbook

import (
	"regexp"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"
)

// deref follows aliases to the node they name.
func deref(n *yaml.Node) *yaml.Node {
	for n != nil && n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	return n
}

func isNull(n *yaml.Node) bool {
	n = deref(n)
	return n == nil || (n.Kind == yaml.ScalarNode && n.Tag == "!!null")
}

// peek returns the value of a mapping's field without reporting anything:
// a rule's field decides which other fields it may have.
func peek(n *yaml.Node, name string) *yaml.Node {
	n = deref(n)
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == name {
			return n.Content[i+1]
		}
	}
	return nil
}

// peekValue returns a mapping's field as a word, or "": it names the
// record in messages about the record's other fields.
func peekValue(n *yaml.Node, name string) string {
	v := deref(peek(n, name))
	if v == nil || v.Kind != yaml.ScalarNode {
		return ""
	}
	return v.Value
}

// named joins a record's kind and name for messages, leaving out a name
// that is missing.
func named(what, name string) string {
	if name == "" {
		return what
	}
	return what + " " + name
}

// pair is one key and value of a mapping.
type pair struct {
	name       string
	key, value *yaml.Node
}

// mapping returns the pairs of a mapping node, reporting duplicate and
// non-scalar keys (and leaving them out). YAML forbids duplicate keys, but
// decoding into a node does not check them.
func (d *decoder) mapping(n *yaml.Node, what string) ([]pair, bool) {
	n = deref(n)
	if n == nil || n.Kind != yaml.MappingNode {
		d.errorf(n, "%s must be a mapping", what)
		return nil, false
	}
	var pairs []pair
	seen := map[string]int{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := deref(n.Content[i]), n.Content[i+1]
		if k.Kind != yaml.ScalarNode {
			d.errorf(k, "%s: a key must be a plain word", what)
			continue
		}
		if first, dup := seen[k.Value]; dup {
			d.errorf(k, "%s: duplicate key %q (first at line %d)", what, k.Value, first)
			continue
		}
		seen[k.Value] = k.Line
		pairs = append(pairs, pair{name: k.Value, key: k, value: v})
	}
	return pairs, true
}

// object is a mapping read as a record with named fields.
type object struct {
	node   *yaml.Node
	fields map[string]*yaml.Node
	keys   map[string]*yaml.Node
}

// key returns the key node of a field (for the line of "stages:"), or the
// mapping itself when the field is absent.
func (o object) key(name string) *yaml.Node {
	if k, ok := o.keys[name]; ok {
		return k
	}
	return o.node
}

// get returns a field's value node, or nil when the field is absent.
func (o object) get(name string) *yaml.Node { return o.fields[name] }

// has reports whether a field is present with a non-null value.
func (o object) has(name string) bool { return !isNull(o.fields[name]) }

// record reads a mapping whose keys are field names. A name ending in "!"
// is required. Unknown and missing fields are reported; ok is false when n
// is not a mapping at all.
func (d *decoder) record(n *yaml.Node, what string, fields ...string) (object, bool) {
	o := object{node: deref(n), fields: map[string]*yaml.Node{}, keys: map[string]*yaml.Node{}}
	pairs, ok := d.mapping(n, what)
	if !ok {
		return o, false
	}
	known := map[string]bool{}
	var names []string
	for _, f := range fields {
		name := strings.TrimSuffix(f, "!")
		known[name] = true
		names = append(names, name)
	}
	for _, p := range pairs {
		if !known[p.name] {
			d.errorf(p.key, "%s: unknown field %q (fields: %s)", what, p.name, strings.Join(names, ", "))
			continue
		}
		o.fields[p.name] = p.value
		o.keys[p.name] = p.key
	}
	for _, f := range fields {
		if name, req := strings.CutSuffix(f, "!"); req && isNull(o.fields[name]) {
			d.errorf(o.node, "%s: missing field %q", what, name)
		}
	}
	return o, true
}

// seq returns the items of a sequence; null is an empty sequence.
func (d *decoder) seq(n *yaml.Node, what string) []*yaml.Node {
	if isNull(n) {
		return nil
	}
	n = deref(n)
	if n.Kind != yaml.SequenceNode {
		d.errorf(n, "%s must be a list", what)
		return nil
	}
	return n.Content
}

// str reads a scalar as a string.
func (d *decoder) str(n *yaml.Node, what string) (string, bool) {
	n = deref(n)
	if isNull(n) || n.Kind != yaml.ScalarNode {
		d.errorf(n, "%s must be a single value", what)
		return "", false
	}
	return n.Value, true
}

var (
	keyRE  = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)
	codeRE = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]*$`)
	// digitsRE matches a whole number, however long.
	digitsRE = regexp.MustCompile(`^[-+]?[0-9][0-9_]*$`)
)

// ident reads a key: a snake_case word (or, with re = codeRE, a code such
// as CE1 or F3).
func (d *decoder) ident(n *yaml.Node, what string, re *regexp.Regexp) (string, bool) {
	s, ok := d.str(n, what)
	if !ok {
		return "", false
	}
	if !re.MatchString(s) {
		d.errorf(n, "%s %q is not a valid key (letters, digits and _)", what, s)
		return "", false
	}
	return s, true
}

// integer reads a whole number and checks its range. A quoted number is an
// error, not a conversion: "20" in a threshold is a typo or a misplaced
// text, and silently reading it would hide which.
func (d *decoder) integer(n *yaml.Node, what string, lo, hi int64) (int64, bool) {
	n = deref(n)
	if n == nil || n.Kind != yaml.ScalarNode {
		d.errorf(n, "%s must be a whole number", what)
		return 0, false
	}
	switch n.Tag {
	case "!!int":
	case "!!str":
		d.errorf(n, "%s must be a number, not the string %q", what, n.Value)
		return 0, false
	case "!!float":
		if digitsRE.MatchString(n.Value) {
			// YAML reads an integer too large for 64 bits as a float.
			d.errorf(n, "%s: %s is out of range", what, n.Value)
		} else {
			d.errorf(n, "%s must be a whole number, not %s", what, n.Value)
		}
		return 0, false
	default:
		d.errorf(n, "%s must be a whole number, not %q", what, n.Value)
		return 0, false
	}
	var v int64
	if err := n.Decode(&v); err != nil {
		d.errorf(n, "%s: %s is out of range", what, n.Value)
		return 0, false
	}
	switch {
	case v < 0 && lo == 0:
		d.errorf(n, "%s must not be negative, it is %d", what, v)
	case v < lo && hi >= 100_000:
		// A bound that large is a sanity limit, not part of the rule.
		d.errorf(n, "%s must be at least %d, it is %d", what, lo, v)
	case v < lo || v > hi:
		d.errorf(n, "%s is %d, outside %d–%d", what, v, lo, hi)
	default:
		return v, true
	}
	return 0, false
}

const maxInt = int64(^uint64(0) >> 1)

// boolean reads true or false.
func (d *decoder) boolean(n *yaml.Node, what string) (bool, bool) {
	n = deref(n)
	if n == nil || n.Kind != yaml.ScalarNode || n.Tag != "!!bool" {
		d.errorf(n, "%s must be true or false", what)
		return false, false
	}
	var v bool
	_ = n.Decode(&v)
	return v, true
}

// strList reads a list of single values, reporting duplicates; it returns
// the values with their nodes (for the line of a bad value).
func (d *decoder) strList(n *yaml.Node, what string) ([]string, []*yaml.Node) {
	var vals []string
	var nodes []*yaml.Node
	seen := map[string]bool{}
	for _, item := range d.seq(n, what) {
		s, ok := d.str(item, what+" item")
		if !ok {
			continue
		}
		if seen[s] {
			d.errorf(item, "%s: %q is listed twice", what, s)
			continue
		}
		seen[s] = true
		vals = append(vals, s)
		nodes = append(nodes, deref(item))
	}
	return vals, nodes
}

// text reads a bilingual text: a mapping with a non-empty zh-CN and en.
func (d *decoder) text(n *yaml.Node, what string) Text {
	t, _ := d.textNodes(n, what)
	return t
}

func (d *decoder) textNodes(n *yaml.Node, what string) (Text, map[string]*yaml.Node) {
	nodes := map[string]*yaml.Node{}
	if dn := deref(n); dn != nil && dn.Kind == yaml.ScalarNode && !isNull(dn) {
		d.errorf(dn, "missing translation: %s must have both zh-CN and en texts, not a single string", what)
		return Text{}, nodes
	}
	pairs, ok := d.mapping(n, what)
	if !ok {
		return Text{}, nodes
	}
	var t Text
	for _, p := range pairs {
		if p.name != ZH && p.name != EN {
			d.errorf(p.key, "%s: unknown language %q (texts have zh-CN and en)", what, p.name)
			continue
		}
		v := deref(p.value)
		if isNull(v) || v.Kind != yaml.ScalarNode || strings.TrimSpace(v.Value) == "" {
			d.errorf(p.key, "missing translation: %s has an empty %s text", what, p.name)
			continue
		}
		nodes[p.name] = v
		if p.name == ZH {
			t.ZH = strings.TrimSpace(v.Value)
		} else {
			t.EN = strings.TrimSpace(v.Value)
		}
	}
	for _, lang := range Languages {
		if _, ok := nodes[lang]; !ok && !hasKey(pairs, lang) {
			d.errorf(n, "missing translation: %s has no %s text", what, lang)
		}
	}
	return t, nodes
}

func hasKey(pairs []pair, name string) bool {
	for _, p := range pairs {
		if p.name == name {
			return true
		}
	}
	return false
}

// template reads a text whose placeholders must be among allowed.
func (d *decoder) template(n *yaml.Node, what string, allowed []string) Text {
	t, nodes := d.textNodes(n, what)
	for _, lang := range Languages {
		v, ok := nodes[lang]
		if !ok {
			continue
		}
		for _, name := range placeholders(v.Value) {
			if !slices.Contains(allowed, name) {
				if len(allowed) == 0 {
					d.errorf(v, "%s: unknown placeholder {%s} (this text takes none)", what, name)
				} else {
					d.errorf(v, "%s: unknown placeholder {%s} (allowed: {%s})", what, name, strings.Join(allowed, "}, {"))
				}
			}
		}
	}
	return t
}
