package playbook

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Problem is one thing wrong with a playbook file, at a line of it.
type Problem struct {
	Line    int    `json:"line"`
	Message string `json:"message"`
}

// ValidationError is every problem Load found in a file, ordered by line:
// an author fixes a file in one pass instead of one error per attempt.
type ValidationError struct {
	Problems []Problem `json:"problems"`
}

// Error lists the problems, one "line N: message" a line.
func (e *ValidationError) Error() string {
	lines := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		lines[i] = fmt.Sprintf("line %d: %s", p.Line, p.Message)
	}
	return "invalid playbook:\n" + strings.Join(lines, "\n")
}

// maxNodes bounds the size of a file after its aliases are expanded, so a
// hostile file (aliases of aliases) cannot make validation run for ever.
const maxNodes = 200_000

// Load reads and validates a playbook file. Any problem fails the load; the
// error is a *ValidationError listing them all, each with its line.
func Load(data []byte) (*Playbook, error) {
	d := &decoder{}
	root := d.parse(data)
	var p *Playbook
	if root != nil {
		p = d.playbook(root)
	}
	if len(d.problems) > 0 {
		sort.SliceStable(d.problems, func(i, j int) bool { return d.problems[i].Line < d.problems[j].Line })
		return nil, &ValidationError{Problems: d.problems}
	}
	sum := sha256.Sum256(data)
	p.Fingerprint = hex.EncodeToString(sum[:8])
	return p, nil
}

// decoder walks the YAML node tree by hand instead of unmarshalling into
// structs: that is what gives every problem a line number, lets one pass
// report them all, and catches what unmarshalling lets through (duplicate
// keys, unknown fields, a string where a number belongs).
type decoder struct {
	problems []Problem
}

func (d *decoder) addAt(line int, format string, args ...any) {
	d.problems = append(d.problems, Problem{Line: max(line, 1), Message: fmt.Sprintf(format, args...)})
}

func (d *decoder) errorf(n *yaml.Node, format string, args ...any) {
	line := 1
	if n != nil {
		line = n.Line
	}
	d.addAt(line, format, args...)
}

var yamlLineRE = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// parse returns the root node of the single document in data, or nil after
// reporting why there is none.
func (d *decoder) parse(data []byte) *yaml.Node {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			d.addAt(1, "the file is empty")
		} else {
			d.syntax(err)
		}
		return nil
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); err == nil {
		d.errorf(&extra, "a playbook file holds one YAML document, this is a second one")
	} else if !errors.Is(err, io.EOF) {
		d.syntax(err)
	}
	root := &doc
	if doc.Kind == yaml.DocumentNode && len(doc.Content) == 1 {
		root = doc.Content[0]
	}
	sz := sizer{memo: map[*yaml.Node]int{}}
	if sz.size(root) > maxNodes {
		if sz.cycle != nil {
			d.errorf(sz.cycle, "an alias refers to the value that contains it")
		} else {
			d.errorf(root, "the file is too large once its aliases are expanded (more than %d nodes)", maxNodes)
		}
		return nil
	}
	return root
}

func (d *decoder) syntax(err error) {
	msg := err.Error()
	if m := yamlLineRE.FindStringSubmatch(msg); m != nil {
		line, _ := strconv.Atoi(m[1])
		d.addAt(line, "YAML syntax: %s", m[2])
		return
	}
	d.addAt(1, "YAML syntax: %s", strings.TrimPrefix(msg, "yaml: "))
}

// sizer counts the nodes of a tree with aliases expanded, remembering
// each subtree's size so that counting stays cheap however often an alias
// repeats it.
type sizer struct {
	memo  map[*yaml.Node]int
	cycle *yaml.Node // an alias inside its own anchor, if any
}

func (s *sizer) size(n *yaml.Node) int {
	if n == nil {
		return 0
	}
	if v, ok := s.memo[n]; ok {
		if v < 0 {
			s.cycle = n
			return maxNodes + 1
		}
		return v
	}
	s.memo[n] = -1 // in progress: meeting n again means a cycle
	size := 1
	if n.Kind == yaml.AliasNode {
		size += s.size(n.Alias)
	}
	for _, c := range n.Content {
		size += s.size(c)
		if size > maxNodes {
			break
		}
	}
	s.memo[n] = size
	return size
}
