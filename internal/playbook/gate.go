package playbook

// Unmet is a gate criterion a deal does not meet yet: what to show the user
// (Label) and what they should do (Hint).
type Unmet struct {
	// Stage is the stage whose exit gate holds the criterion.
	Stage string `json:"stage"`
	// Key is the criterion's key within that stage.
	Key   string `json:"key"`
	Kind  string `json:"kind"`
	Label Text   `json:"label"`
	Hint  Text   `json:"hint"`
	// Missing lists what exactly is still missing, for criteria over several
	// things: buying or functional roles, question keys, deal fields,
	// condition keys, budget parts ("amount", "approval_process").
	Missing []string `json:"missing,omitempty"`
}

// UnknownStageKey is the Unmet key reported when a move names a stage the
// playbook does not have.
const UnknownStageKey = "unknown_stage"

// Gate returns the criteria of a stage's exit gate that the deal does not
// meet, in the order of the file. A stage without a gate, or an unknown
// stage, returns none.
func (p *Playbook) Gate(stage string, f DealFacts) []Unmet {
	s := p.Stage(stage)
	if s == nil {
		return nil
	}
	return p.gate(s, &f)
}

func (p *Playbook) gate(s *Stage, f *DealFacts) []Unmet {
	var unmet []Unmet
	for i := range s.Exit {
		c := &s.Exit[i]
		if ok, miss := p.evaluate(c, f); !ok {
			unmet = append(unmet, Unmet{Stage: s.Key, Key: c.Key, Kind: c.Kind, Label: c.Label, Hint: c.Hint, Missing: miss})
		}
	}
	return unmet
}

// CheckMove returns what stands in the way of moving a deal from one stage
// to another; none means the move may go ahead.
//
// A forward move must pass the exit gate of every stage it leaves behind,
// so a jump over several stages lists the unmet criteria of each, stage by
// stage. Backward moves and moves to lost pass no gate: they need a reason,
// which the caller asks for, as it decides on a manager's override. A deal
// taken back out of lost is treated as starting over from the first stage,
// so it passes every gate up to its new stage. An unknown stage key is
// reported as an Unmet with key UnknownStageKey.
func (p *Playbook) CheckMove(from, to string, f DealFacts) []Unmet {
	for _, key := range []string{from, to} {
		if p.Stage(key) == nil {
			msg := p.Messages.UnknownStage.render(map[string]Text{"stage": same(key)})
			return []Unmet{{Stage: key, Key: UnknownStageKey, Label: msg, Hint: msg}}
		}
	}
	if to == StageLost || from == to {
		return nil
	}
	fi, ti := p.stageIndex[from], p.stageIndex[to]
	if from == StageLost {
		fi = 0
	}
	var unmet []Unmet
	for i := fi; i < ti; i++ {
		unmet = append(unmet, p.gate(&p.Stages[i], &f)...)
	}
	return unmet
}
