package crm

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"math/big"
	"slices"
)

// Limits of a demo record.
const (
	// MaxROILines caps the lines of an ROI sum.
	MaxROILines = 50
	// MaxAttendees caps the attendees of a demo.
	MaxAttendees = 100
	// MaxROIResult caps PaybackMonths and ROI3YPercent: a larger result
	// (a tiny cost against a huge benefit, or the reverse) reads as this
	// value. It keeps both within int32 and within what JSON clients read
	// exactly.
	MaxROIResult = math.MaxInt32
)

// ComputeROI sums an ROI's lines and derives payback and three-year ROI
// (PLAYBOOK.md §4, "the ROI sum"). It is pure and works in integer
// arithmetic only (math/big, so no input can overflow):
//
//	yearly_benefit = Σ saving + Σ gain
//	one_off_cost   = Σ one_off_cost
//	yearly_cost    = Σ yearly_cost
//	net            = yearly_benefit − yearly_cost
//	payback_months = ⌈one_off_cost × 12 / net⌉      when net > 0 (0 when one_off_cost is 0), else nil
//	total_cost     = one_off_cost + 3 × yearly_cost
//	roi_3y_percent = round((3 × yearly_benefit − total_cost) × 100 / total_cost)
//	                                                 when total_cost > 0, else nil
//
// The one rounding rule is round half away from zero, applied once to the
// exact quotient; payback is rounded up (a payback of 2.1 months is not
// reached after 2). Results beyond MaxROIResult in size read as
// ±MaxROIResult, and sums beyond int64 as math.MaxInt64; neither happens
// with validated input (at most MaxROILines lines of at most MaxMoney).
// Lines of an unknown kind count for nothing.
func ComputeROI(lines []ROILine) ROI {
	benefit, oneOff, yearly := new(big.Int), new(big.Int), new(big.Int)
	for _, l := range lines {
		amount := big.NewInt(l.Amount)
		switch l.Kind {
		case "saving", "gain":
			benefit.Add(benefit, amount)
		case "one_off_cost":
			oneOff.Add(oneOff, amount)
		case "yearly_cost":
			yearly.Add(yearly, amount)
		}
	}
	roi := ROI{
		Lines:         append([]ROILine{}, lines...),
		YearlyBenefit: saturate64(benefit),
		OneOffCost:    saturate64(oneOff),
		YearlyCost:    saturate64(yearly),
	}

	net := new(big.Int).Sub(benefit, yearly)
	if net.Sign() > 0 {
		months := ceilQuo(new(big.Int).Mul(oneOff, big.NewInt(12)), net)
		roi.PaybackMonths = saturateResult(months)
	}

	total := new(big.Int).Add(oneOff, new(big.Int).Mul(yearly, big.NewInt(3)))
	if total.Sign() > 0 {
		gain := new(big.Int).Sub(new(big.Int).Mul(benefit, big.NewInt(3)), total)
		percent := roundQuo(gain.Mul(gain, big.NewInt(100)), total)
		roi.ROI3YPercent = saturateResult(percent)
	}
	return roi
}

// ceilQuo is ⌈a / b⌉ for b > 0.
func ceilQuo(a, b *big.Int) *big.Int {
	q, r := new(big.Int).QuoRem(a, b, new(big.Int))
	if r.Sign() > 0 {
		q.Add(q, big.NewInt(1))
	}
	return q
}

// roundQuo is a / b rounded half away from zero, for b > 0.
func roundQuo(a, b *big.Int) *big.Int {
	q, r := new(big.Int).QuoRem(a, b, new(big.Int)) // truncated; r has a's sign
	twice := new(big.Int).Abs(r)
	twice.Lsh(twice, 1)
	if twice.Cmp(b) >= 0 {
		q.Add(q, big.NewInt(int64(a.Sign())))
	}
	return q
}

func saturate64(x *big.Int) int64 {
	switch {
	case x.IsInt64():
		return x.Int64()
	case x.Sign() > 0:
		return math.MaxInt64
	default:
		return math.MinInt64
	}
}

func saturateResult(x *big.Int) *int {
	n := int64(MaxROIResult)
	if x.IsInt64() {
		n = min(max(x.Int64(), -MaxROIResult), MaxROIResult)
	} else if x.Sign() < 0 {
		n = -MaxROIResult
	}
	v := int(n)
	return &v
}

// validateDemo checks a demo's own fields; the attendees' accounts are
// checked against the deal afterwards.
func (s *Service) validateDemo(d *Demo) error {
	var v validator
	if d.HeldOn.IsZero() {
		v.add("held_on", "field.required")
	} else if d.HeldOn.Year() < 2000 || d.HeldOn.Year() > 2200 {
		v.add("held_on", "field.date_range")
	}
	if len(d.Attendees) > MaxAttendees {
		v.add("attendees", "field.too_many", MaxAttendees)
	}
	seen := map[int64]bool{}
	for i, a := range d.Attendees {
		field := fmt.Sprintf("attendees.%d.", i)
		switch {
		case a.ContactID <= 0:
			v.add(field+"contact_id", "field.required")
		case seen[a.ContactID]:
			v.add(field+"contact_id", "field.repeated")
		}
		seen[a.ContactID] = true
		v.maxLen(field+"role", a.Role, MaxShort)
	}
	var checklist []string
	if st := s.Playbook.Stage("demo"); st != nil {
		for _, it := range st.Checklist {
			checklist = append(checklist, it.Key)
		}
	}
	for i, key := range d.Prep {
		field := fmt.Sprintf("prep.%d", i)
		switch {
		case !slices.Contains(checklist, key):
			v.add(field, "field.one_of", joinKeys(checklist))
		case slices.Contains(d.Prep[:i], key):
			v.add(field, "field.repeated")
		}
	}
	v.maxLen("story", d.Story, MaxText)
	v.maxLen("feedback", d.Feedback, MaxText)
	v.maxLen("next_step", d.NextStep, MaxText)
	if len(d.ROI.Lines) > MaxROILines {
		v.add("roi.lines", "field.too_many", MaxROILines)
	}
	for i, l := range d.ROI.Lines {
		field := fmt.Sprintf("roi.lines.%d.", i)
		v.oneOf(field+"kind", l.Kind, ROIKinds, false)
		v.maxLen(field+"category", l.Category, MaxShort)
		v.money(field+"amount", l.Amount)
	}
	return v.err()
}

// DealDemos lists the demos of a deal the actor may see, oldest first.
func (s *Service) DealDemos(ctx context.Context, actor Actor, dealID int64) ([]*Demo, error) {
	if _, err := s.Deal(ctx, actor, dealID); err != nil {
		return nil, err
	}
	return s.Store.DealDemos(ctx, dealID)
}

// CreateDemo records a demo held for the customer (PLAYBOOK.md §4): who
// attended in which role (contacts of the deal's account), the preparation
// steps done, story, feedback, the agreed next step and the ROI sum, which
// is computed here from its lines.
func (s *Service) CreateDemo(ctx context.Context, actor Actor, dealID int64, in DemoInput) (*Demo, error) {
	deal, err := s.Deal(ctx, actor, dealID)
	if err != nil {
		return nil, err
	}
	d := &Demo{DealID: dealID, HeldOn: in.HeldOn, Attendees: []DemoAttendee{}, Prep: []string{},
		Story: clean(in.Story), Feedback: clean(in.Feedback), NextStep: clean(in.NextStep), CreatedBy: actor.UserID}
	for _, a := range in.Attendees {
		d.Attendees = append(d.Attendees, DemoAttendee{ContactID: a.ContactID, Role: clean(a.Role)})
	}
	d.Prep = append(d.Prep, in.Prep...)
	lines := make([]ROILine, 0, len(in.ROI.Lines))
	for _, l := range in.ROI.Lines {
		lines = append(lines, ROILine{Kind: l.Kind, Category: clean(l.Category), Amount: l.Amount})
	}
	d.ROI.Lines = lines
	if err := s.validateDemo(d); err != nil {
		return nil, err
	}
	for i, a := range d.Attendees {
		if err := s.checkDealContact(ctx, deal, a.ContactID, fmt.Sprintf("attendees.%d.contact_id", i)); err != nil {
			return nil, err
		}
	}
	// Attendees are kept in contact order, which is the order they read
	// back in; the answer to the create then equals every later read.
	slices.SortFunc(d.Attendees, func(a, b DemoAttendee) int { return cmp.Compare(a.ContactID, b.ContactID) })
	d.ROI = ComputeROI(lines)
	now := s.now()
	d.CreatedAt, d.UpdatedAt, d.Version = now, now, 1
	if err := s.Store.CreateDemo(ctx, d); err != nil {
		return nil, err
	}
	return d, nil
}
