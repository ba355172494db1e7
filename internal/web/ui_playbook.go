package web

import (
	"net/http"
	"strconv"

	"github.com/dealpath/dealpath/internal/playbook"
)

// The playbook page: the process in force, readable in the user's
// language. It renders the loaded playbook itself, so what a rep reads is
// exactly what the gates and the fit score enforce.

type playbookView struct {
	Name       string
	Stages     []pbStage
	Grades     []pbGrade
	Factors    []pbFactor
	Disq       []pbText
	Events     []pbText
	Questions  []pbText
	Conditions []pbText
	KeyRoles   []pbText
	Steps      []pbText
	Pitches    []string
}

type pbStage struct {
	Key, Name, Guidance string
	MaxDays             int
	Probability         int
	Checklist           []string
	Exit                []pbText
	End                 bool
}

// pbText is a keyed entry with a name and an explanation.
type pbText struct{ Key, Name, Text string }

type pbGrade struct {
	Grade string
	Band  string
}

type pbFactor struct {
	Key, Name string
	Max       int
	Rules     []pbRule
}

type pbRule struct {
	Field     string
	Threshold string
	Points    int
	Values    []pbValue
}

type pbValue struct {
	Label, Text string
	Points      int
}

func (s *Server) playbookPage(w http.ResponseWriter, r *http.Request, sess *uiSession) error {
	p := s.newPage(w, r, sess, "admin.playbook.title", "playbook")
	pb, lang := s.svc.Playbook, p.Lang
	v := &playbookView{Name: pb.Name.In(lang)}
	for _, st := range pb.Stages {
		row := pbStage{Key: st.Key, Name: st.Name.In(lang), Guidance: st.Guidance.In(lang), MaxDays: st.MaxDays, Probability: st.Probability,
			End: st.Key == playbook.StageClosed || st.Key == playbook.StageLost}
		for _, c := range st.Checklist {
			row.Checklist = append(row.Checklist, c.Text.In(lang))
		}
		for _, c := range st.Exit {
			row.Exit = append(row.Exit, pbText{Key: c.Key, Name: c.Label.In(lang), Text: c.Hint.In(lang)})
		}
		v.Stages = append(v.Stages, row)
	}
	g := pb.Profile.Grades
	v.Grades = []pbGrade{
		{"A", p.T("admin.playbook.band_from", g.A)},
		{"B", p.T("admin.playbook.band", g.B, g.A-1)},
		{"C", p.T("admin.playbook.band", g.C, g.B-1)},
		{"D", p.T("admin.playbook.band_below", g.C)},
	}
	for _, f := range pb.Profile.Factors {
		pf := pbFactor{Key: f.Key, Name: f.Name.In(lang), Max: f.Max()}
		for _, rule := range f.Rules {
			pr := pbRule{Field: p.T("ui.account." + rule.Field), Points: rule.Points}
			if len(rule.Values) == 0 {
				threshold := func(n int64) string {
					if rule.IsMoney() {
						return formatCNY(n)
					}
					return strconv.FormatInt(n, 10)
				}
				pr.Threshold = "≥ " + threshold(rule.Min)
				for _, kind := range playbook.BusinessKinds {
					if m, ok := rule.MinByBusinessKind[kind]; ok {
						label := enumLabel(lang, "business_kind", kind)
						if t, ok := pb.Labels.BusinessKind[kind]; ok {
							label = t.In(lang)
						}
						pr.Threshold += p.T("admin.playbook.threshold_kind", label, threshold(m))
					}
				}
			}
			for _, val := range rule.Values {
				set := map[string]string{"existing_software": "software"}[rule.Field]
				if set == "" {
					set = rule.Field
				}
				pr.Values = append(pr.Values, pbValue{Label: enumLabel(lang, set, val.Key), Text: val.Text.In(lang), Points: val.Points})
			}
			pf.Rules = append(pf.Rules, pr)
		}
		v.Factors = append(v.Factors, pf)
	}
	for _, d := range pb.Profile.Disqualifiers {
		v.Disq = append(v.Disq, pbText{Key: d.Key, Text: d.Reason.In(lang)})
	}
	for _, e := range pb.Events {
		v.Events = append(v.Events, pbText{Key: e.Code, Name: e.Name.In(lang), Text: e.Text.In(lang)})
	}
	for i, q := range pb.Questions {
		v.Questions = append(v.Questions, pbText{Key: strconv.Itoa(i + 1), Text: q.Text.In(lang)})
	}
	for _, c := range pb.Conditions {
		v.Conditions = append(v.Conditions, pbText{Key: c.Key, Text: c.Text.In(lang)})
	}
	for _, k := range pb.KeyRoles {
		v.KeyRoles = append(v.KeyRoles, pbText{Key: k.Key, Name: k.Name.In(lang), Text: k.Action.In(lang)})
	}
	for _, st := range pb.EngagementSteps {
		v.Steps = append(v.Steps, pbText{Key: st.Key, Text: st.Text.In(lang)})
	}
	for _, pi := range pb.Pitches {
		v.Pitches = append(v.Pitches, pi.Text.In(lang))
	}
	p.Data = v
	s.render(w, p, "playbook")
	return nil
}
