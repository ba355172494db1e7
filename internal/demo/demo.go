// Package demo fills a database with realistic demo data (dealpath demo):
// Chinese small and medium companies with their six-factor values and key
// persons, and deals spread over every stage of the playbook, each with the
// history its stage implies: stage moves in the audit log, compelling
// events, qualification answers and budget, demos with an ROI sum,
// competitors, purchase conditions, quotes, contracts, payments and
// implementation projects, and activities.
//
// Users, teams and the price book go through the service. Everything else
// is written with store.Bulk in batched multi-row INSERTs, so that a
// million deals take minutes: the generator itself keeps the rules the
// service would enforce (a deal's records back every gate it has passed),
// and the tests check that through the service and the web server.
package demo

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/dealpath/dealpath/internal/crm"
	"github.com/dealpath/dealpath/internal/store"
)

// Config says how much to generate.
type Config struct {
	Accounts int
	Deals    int
	// Teams and RepsPerTeam size the sales force: each team has a manager
	// and RepsPerTeam reps.
	Teams       int
	RepsPerTeam int
	// Password is every generated user's password.
	Password string
	// Seed makes the data reproducible: the same seed, sizes and AsOf give
	// the same rows.
	Seed uint64
	// AsOf is the day the data is "today" for: histories end on it, open
	// deals close after it.
	AsOf time.Time
	// Progress receives a line now and then; nil for none.
	Progress io.Writer
	// CommitEvery is how many accounts (with their deals) go in one
	// transaction; 0 means 2,000.
	CommitEvery int
}

// Stats is what a run wrote.
type Stats struct {
	// Users counts the managers and reps created; AdminCreated says
	// whether the user "admin" was created too (on a database without
	// users), with the same password.
	Users, Accounts, Deals int
	AdminCreated           bool
	Rows                   int64
	Elapsed                time.Duration
}

// Users names the users a run creates, so that callers (the load
// generator, tests) can sign in as them: manager<i> and rep<i>_<j>.
func Users(cfg Config) (managers, reps []string) {
	for t := 1; t <= cfg.Teams; t++ {
		managers = append(managers, fmt.Sprintf("manager%d", t))
		for r := 1; r <= cfg.RepsPerTeam; r++ {
			reps = append(reps, fmt.Sprintf("rep%d_%d", t, r))
		}
	}
	return managers, reps
}

// ErrNotEmpty is returned when the database already holds accounts: demo
// data is never mixed into real records.
var ErrNotEmpty = errors.New("the database already holds accounts; demo data goes into an empty database")

// stage indexes in the default playbook's order.
const (
	sProspecting = iota
	sCompellingEvent
	sQualification
	sDemo
	sNegotiation
	sCommit
	sImplementation
	sClosed
	sLost
)

// stageWeights is the funnel: how many deals of a hundred are in each stage.
var stageWeights = [...]int{24, 14, 12, 10, 8, 4, 5, 9, 14}

type gen struct {
	cfg   Config
	svc   *crm.Service
	r     *rand.Rand
	asOf  time.Time
	ours  string
	prods []*crm.Product
	users []owner
	stats Stats

	b                                                                                  *store.Bulk
	accounts, contacts, deals, dealContacts, activities, events, quals, answers, demos *store.BulkTable
	attendees, roi, competitors, conditions, quotes, quoteLines, contracts, milestones *store.BulkTable
	payments, projects, audit, approvals                                               *store.BulkTable
	stageKeys                                                                          []string
	stageProb                                                                          []int
	conditionKeys, demoChecklist, implChecklist                                        []string
	stageJSON                                                                          []string
	industryWeights                                                                    []int
}

type owner struct {
	id int64
	// approver decides this owner's contracts (crm chooseApprover): the
	// team's manager for a rep, the first admin for a manager; 0 when there
	// is none.
	approver int64
}

type contact struct {
	id   int64
	role string
	name string
}

// Generate writes the demo data into db, through svc for users, teams and
// products. It refuses a database that already holds accounts.
func Generate(ctx context.Context, db *store.DB, svc *crm.Service, cfg Config) (Stats, error) {
	start := time.Now()
	if cfg.Accounts < 1 || cfg.Deals < 0 || cfg.Teams < 1 || cfg.RepsPerTeam < 1 {
		return Stats{}, errors.New("need at least one account, team and rep, and no negative deal count")
	}
	if cfg.CommitEvery <= 0 {
		cfg.CommitEvery = 2000
	}
	if cfg.AsOf.IsZero() {
		return Stats{}, errors.New("AsOf is required")
	}
	page, err := db.ListAccounts(ctx, crm.AccountFilter{Scope: crm.Scope{All: true}, ListParams: crm.ListParams{Limit: 1}})
	if err != nil {
		return Stats{}, err
	}
	if len(page.Items) > 0 {
		return Stats{}, ErrNotEmpty
	}
	// On a new database, the admin the server would make at its first
	// start, with the demo password: the server makes one only when there
	// are no users at all.
	_, adminCreated, err := svc.EnsureAdmin(ctx, cfg.Password)
	if err != nil {
		return Stats{}, fmt.Errorf("create admin: %w", err)
	}
	g := &gen{cfg: cfg, svc: svc, r: rand.New(rand.NewPCG(cfg.Seed, cfg.Seed^0x9e3779b97f4a7c15)),
		asOf: crm.DateOf(cfg.AsOf).Add(18 * time.Hour)}
	g.ours, err = db.Setting(ctx, crm.OurCompanySetting)
	if err != nil {
		return Stats{}, err
	}
	if g.ours == "" {
		g.ours = crm.DefaultOurCompany
	}
	pb := svc.Playbook
	for _, st := range pb.Stages {
		g.stageKeys = append(g.stageKeys, st.Key)
		g.stageProb = append(g.stageProb, st.Probability)
		g.stageJSON = append(g.stageJSON, toJSON(map[string]any{"stage": st.Key, "probability": st.Probability}))
		switch st.Key {
		case "demo":
			for _, it := range st.Checklist {
				g.demoChecklist = append(g.demoChecklist, it.Key)
			}
		case "implementation":
			for _, it := range st.Checklist {
				g.implChecklist = append(g.implChecklist, it.Key)
			}
		}
	}
	if !slices.Equal(g.stageKeys, crm.Stages) {
		return Stats{}, fmt.Errorf("demo data follows the default playbook's stages %v; this playbook has %v", crm.Stages, g.stageKeys)
	}
	for _, k := range crm.Industries {
		g.industryWeights = append(g.industryWeights, max(1, industryWeights[k]))
	}
	for _, c := range pb.Conditions {
		g.conditionKeys = append(g.conditionKeys, c.Key)
	}
	if err := g.people(ctx); err != nil {
		return Stats{}, err
	}
	if err := g.priceBook(ctx); err != nil {
		return Stats{}, err
	}
	if g.b, err = db.BeginBulk(ctx); err != nil {
		return Stats{}, err
	}
	if err := g.tables(ctx); err != nil {
		g.b.Rollback() //nolint:errcheck // the first error is the one to report
		return Stats{}, err
	}
	if err := g.run(ctx, time.Now()); err != nil {
		g.b.Rollback() //nolint:errcheck // the first error is the one to report
		return Stats{}, err
	}
	if err := g.b.Finish(ctx); err != nil {
		return Stats{}, err
	}
	// Deals went in at their current stage and their moves into the audit
	// log after them: the reports' stage history is computed afresh.
	if err := db.RebuildReportHistory(ctx); err != nil {
		return Stats{}, err
	}
	if err := svc.MarkFitCurrent(ctx); err != nil {
		return Stats{}, err
	}
	g.stats.Rows = g.b.Written
	g.stats.AdminCreated = adminCreated
	g.stats.Elapsed = time.Since(start)
	return g.stats, nil
}

// people creates the teams, their managers and reps through the service,
// or finds them from an earlier run.
func (g *gen) people(ctx context.Context) error {
	sys := crm.SystemActor
	teams, err := g.svc.Teams(ctx, sys)
	if err != nil {
		return err
	}
	users, err := g.svc.Users(ctx, sys, crm.UserFilter{IncludeDisabled: true})
	if err != nil {
		return err
	}
	byName := map[string]*crm.User{}
	for _, u := range users {
		byName[u.Username] = u
	}
	var missing []crm.UserInput
	teamIDs := make([]int64, g.cfg.Teams)
	for t := 1; t <= g.cfg.Teams; t++ {
		name := teamNames[(t-1)%len(teamNames)]
		if t > len(teamNames) {
			name = fmt.Sprintf("%s%d", name, (t-1)/len(teamNames)+1)
		}
		var team *crm.Team
		for _, x := range teams {
			if x.Name == name {
				team = x
			}
		}
		if team == nil {
			if team, err = g.svc.CreateTeam(ctx, sys, crm.TeamInput{Name: name}); err != nil {
				return fmt.Errorf("team %s: %w", name, err)
			}
		}
		teamIDs[t-1] = team.ID
		for r := 0; r <= g.cfg.RepsPerTeam; r++ {
			username, role := fmt.Sprintf("rep%d_%d", t, r), crm.RoleRep
			if r == 0 {
				username, role = fmt.Sprintf("manager%d", t), crm.RoleManager
			}
			if byName[username] == nil {
				missing = append(missing, crm.UserInput{Username: username, Password: g.cfg.Password,
					DisplayName: g.personName(), Role: role, TeamID: &teamIDs[t-1], Language: "zh-CN"})
			}
		}
	}
	created, err := g.svc.CreateUsers(ctx, sys, missing)
	if err != nil {
		return fmt.Errorf("create users: %w", err)
	}
	g.stats.Users = len(created)
	for _, u := range created {
		byName[u.Username] = u
	}
	var admin int64
	adminName := ""
	for _, u := range byName {
		if u.Role == crm.RoleAdmin && !u.Disabled && (adminName == "" || u.Username < adminName) {
			admin, adminName = u.ID, u.Username
		}
	}
	for t := 1; t <= g.cfg.Teams; t++ {
		mgr := byName[fmt.Sprintf("manager%d", t)]
		g.users = append(g.users, owner{id: mgr.ID, approver: admin})
		for r := 1; r <= g.cfg.RepsPerTeam; r++ {
			g.users = append(g.users, owner{id: byName[fmt.Sprintf("rep%d_%d", t, r)].ID, approver: mgr.ID})
		}
	}
	return nil
}

// demoProducts is the price book the quotes draw from.
var demoProducts = []crm.ProductInput{
	{Code: "DEMO-INV", Name: crm.LocalName{ZH: "进销存管理系统 标准版", EN: "Inventory management, standard"}, Kind: "software_module", Unit: "set", ListPrice: 3_800_000},
	{Code: "DEMO-FIN", Name: crm.LocalName{ZH: "财务管理模块", EN: "Finance module"}, Kind: "software_module", Unit: "set", ListPrice: 2_600_000},
	{Code: "DEMO-CRM", Name: crm.LocalName{ZH: "客户关系管理模块", EN: "CRM module"}, Kind: "software_module", Unit: "set", ListPrice: 2_200_000},
	{Code: "DEMO-USER", Name: crm.LocalName{ZH: "用户许可", EN: "User licence"}, Kind: "license_per_user", Unit: "user", ListPrice: 180_000},
	{Code: "DEMO-IMPL", Name: crm.LocalName{ZH: "实施服务", EN: "Implementation service"}, Kind: "implementation_day", Unit: "person_day", ListPrice: 150_000},
	{Code: "DEMO-MAINT", Name: crm.LocalName{ZH: "年度维护服务", EN: "Yearly maintenance"}, Kind: "maintenance", Unit: "year", ListPrice: 800_000},
}

func (g *gen) priceBook(ctx context.Context) error {
	for _, in := range demoProducts {
		page, err := g.svc.Products(ctx, crm.SystemActor, crm.ProductFilter{ListParams: crm.ListParams{Q: in.Code, Limit: 10}})
		if err != nil {
			return err
		}
		var p *crm.Product
		for _, x := range page.Items {
			if x.Code == in.Code {
				p = x
			}
		}
		if p == nil {
			if p, err = g.svc.CreateProduct(ctx, crm.SystemActor, in); err != nil {
				return fmt.Errorf("product %s: %w", in.Code, err)
			}
		}
		g.prods = append(g.prods, p)
	}
	return nil
}

func (g *gen) tables(ctx context.Context) error {
	var err error
	t := func(dst **store.BulkTable, name, cols string) {
		if err == nil {
			*dst, err = g.b.Table(ctx, name, cols)
		}
	}
	t(&g.accounts, "accounts", "id, version, name, credit_code, headcount, business_kind, industry, ownership, restructured_on, just_restructured, revenue_last_year, gross_profit, existing_software, branch_count, purchase_plan, region, address, phone, website, owner_id, credit_limit, fit_score, fit_grade, created_at, updated_at")
	t(&g.contacts, "contacts", "id, version, account_id, name, title, functional_role, phone, email, wechat, notes, created_at, updated_at")
	t(&g.deals, "deals", "id, version, account_id, owner_id, title, stage, amount, expected_close_date, probability, next_step, lost_reason, stage_changed_at, close_date_slips, no_competitors, created_at, updated_at")
	t(&g.dealContacts, "deal_contacts", "deal_id, contact_id, version, buying_role, stance, engagement_step, created_at, updated_at")
	t(&g.activities, "activities", "id, version, type, subject, due_at, done_at, deal_id, account_id, contact_id, notes, owner_id, created_at, updated_at")
	t(&g.events, "deal_events", "id, deal_id, code, title, impact, confirmed_by_contact_id, created_by, created_at")
	t(&g.quals, "deal_qualifications", "deal_id, version, budget_amount, budget_flexibility, budget_basis, budget_approval_process, persuasion_plan, updated_by, updated_at")
	t(&g.answers, "deal_answers", "deal_id, question_key, answer")
	t(&g.demos, "demos", "id, deal_id, version, held_on, prep, story, feedback, next_step, created_by, created_at, updated_at")
	t(&g.attendees, "demo_attendees", "demo_id, contact_id, role")
	t(&g.roi, "demo_roi_lines", "demo_id, position, kind, category, amount")
	t(&g.competitors, "deal_competitors", "id, deal_id, version, name, strengths, weaknesses, status, created_at, updated_at")
	t(&g.conditions, "deal_conditions", "deal_id, condition_key, version, met, evidence, updated_by, updated_at")
	t(&g.quotes, "quotes", "id, version, deal_id, number, revision, state, valid_until, payment_days, notes, list_total, discount_total, total, max_discount_bp, created_by, state_changed_at, created_at, updated_at")
	t(&g.quoteLines, "quote_lines", "quote_id, position, product_id, product_code, name_zh, name_en, kind, unit, quantity, unit_price, discount_bp, list_amount, discount_amount, total")
	t(&g.contracts, "contracts", "id, version, deal_id, quote_id, number, kind, state, party_ours, party_customer, amount, payment_method, payment_days, start_on, end_on, signed_on, approval_id, created_by, state_changed_at, created_at, updated_at")
	t(&g.approvals, "approvals", "id, version, kind, subject_id, deal_id, requested_by, assigned_to, status, reasons, comment, decided_by, decided_at, task_id, created_at, updated_at")
	t(&g.milestones, "contract_milestones", "id, version, contract_id, position, name, percent, amount, paid, trigger_on, due_on, updated_at")
	t(&g.payments, "payments", "id, contract_id, milestone_id, amount, received_on, method, notes, recorded_by, created_at")
	t(&g.projects, "projects", "id, version, deal_id, contract_id, name, state, steps, notes, go_live_on, opened_at, closed_at, created_at, updated_at")
	t(&g.audit, "audit_log", "id, actor_id, entity_type, entity_id, action, before_json, after_json, reason, created_at")
	return err
}

func (g *gen) run(ctx context.Context, start time.Time) error {
	n, m := g.cfg.Accounts, g.cfg.Deals
	last := time.Now()
	for i := 0; i < n; i++ {
		if err := g.account(ctx, i, m*(i+1)/n-m*i/n); err != nil {
			return err
		}
		if err := g.b.FlushIfFull(ctx); err != nil {
			return err
		}
		if (i+1)%g.cfg.CommitEvery == 0 || i == n-1 {
			if err := g.b.Commit(ctx); err != nil {
				return err
			}
			if g.cfg.Progress != nil && (time.Since(last) > 2*time.Second || i == n-1) {
				last = time.Now()
				secs := time.Since(start).Seconds()
				fmt.Fprintf(g.cfg.Progress, "%d/%d accounts, %d deals, %d rows, %.0f rows/s\n",
					i+1, n, g.stats.Deals, g.b.Written, float64(g.b.Written)/secs)
			}
		}
	}
	return nil
}

func (g *gen) pick(list []string) string { return list[g.r.IntN(len(list))] }

func (g *gen) personName() string {
	return string(surnames[g.r.IntN(len(surnames))]) + g.pick(givenNames)
}

// at is a time on a working day's hours, days before AsOf.
func (g *gen) at(daysAgo int) time.Time {
	d := crm.DateOf(g.asOf).AddDate(0, 0, -daysAgo)
	return d.Add(time.Duration(9*60+g.r.IntN(9*60)) * time.Minute)
}

// creditCode makes a valid unified social credit code, unique per account
// index: "91" (a company), the region's area code, a nine-character
// organisation code from the index, and the check character.
func creditCode(areaCode string, index int) string {
	const chars = "0123456789ABCDEFGHJKLMNPQRTUWXY"
	weights := [17]int{1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28}
	b := []byte("91" + areaCode + "MA")
	org := make([]byte, 7)
	x := index
	for i := 6; i >= 0; i-- {
		org[i] = chars[x%31]
		x /= 31
	}
	b = append(b, org...)
	sum := 0
	for i := 0; i < 17; i++ {
		for j := 0; j < len(chars); j++ {
			if chars[j] == b[i] {
				sum += j * weights[i]
			}
		}
	}
	return string(append(b, chars[(31-sum%31)%31]))
}

// weightedIndex picks an index with probability proportional to its weight.
func weightedIndex(r *rand.Rand, weights []int) int {
	total := 0
	for _, w := range weights {
		total += w
	}
	x := r.IntN(total)
	for i, w := range weights {
		if x -= w; x < 0 {
			return i
		}
	}
	return len(weights) - 1
}

var (
	teamNames           = []string{"华东销售部", "华南销售部", "华北销售部", "西南销售部", "华中销售部", "东北销售部"}
	businessKinds       = []string{"distribution", "manufacturing_sales", "processing", "other", ""}
	businessKindWeights = []int{35, 30, 20, 10, 5}
	ownerships          = []string{"private", "foreign", "restructured_soe", "other", ""}
	ownershipWeights    = []int{60, 12, 10, 13, 5}
)

func ptr[T any](v T) *T { return &v }

// account writes one account, its contacts and its deals.
func (g *gen) account(ctx context.Context, index, dealCount int) error {
	r := g.r
	reg := regions[r.IntN(len(regions))]
	industry := crm.Industries[weightedIndex(r, g.industryWeights)]
	a := &crm.Account{ID: g.accounts.NextID(), Version: 1, Industry: industry, ExistingSoftware: []string{}}
	brand := string([]rune{brandFirst[r.IntN(len(brandFirst))], brandSecond[r.IntN(len(brandSecond))]})
	a.Name = reg.city[:len(reg.city)-len("市")] + brand + g.pick(industryWords[industry]) + g.pick(companySuffixes)
	if r.IntN(10) > 0 {
		a.CreditCode = creditCode(reg.code, index)
	}
	// Six-factor values over their whole range, with some unknown.
	if r.IntN(12) > 0 {
		a.Headcount = ptr(5 + int(r.ExpFloat64()*120))
	}
	a.BusinessKind = businessKinds[weightedIndex(r, businessKindWeights)]
	a.Ownership = ownerships[weightedIndex(r, ownershipWeights)]
	if a.Ownership == "restructured_soe" {
		// Some restructured within the year: disqualified until a year has passed.
		on := crm.DateOf(g.asOf.AddDate(0, 0, -30-r.IntN(3000)))
		a.RestructuredOn = &on
		a.JustRestructured = r.IntN(20) == 0
	}
	if r.IntN(8) > 0 {
		rev := int64(200_000_000 + r.Int64N(30_000_000_000)) // ¥2M–¥302M in fen
		a.RevenueLastYear = &rev
		if r.IntN(6) > 0 {
			a.GrossProfit = ptr(rev * int64(5+r.IntN(30)) / 100)
		}
	}
	for _, s := range crm.SoftwareKinds {
		if r.IntN(3) == 0 {
			a.ExistingSoftware = append(a.ExistingSoftware, s)
		}
	}
	if r.IntN(10) > 0 {
		a.BranchCount = ptr(max(0, int(r.NormFloat64()*3+2)))
	}
	a.PurchasePlan = g.pick([]string{"within_6_months", "within_12_months", "none", "none", ""})
	a.Region = reg.province + reg.city
	if reg.province == reg.city {
		a.Region = reg.city
	}
	a.Address = fmt.Sprintf("%s%s路%d号", reg.city, g.pick([]string{"人民", "建设", "解放", "中山", "工业", "科技", "长江", "黄河", "新华", "湖滨"}), 1+r.IntN(888))
	a.Phone = fmt.Sprintf("%s-%d", reg.phone, 60000000+r.IntN(29999999))
	// No credit limit: demo contracts are paid on signing and approved
	// without reasons, which a limit below their amount would contradict.
	own := g.users[index%len(g.users)]
	a.OwnerID = own.id
	fit := crm.FitAsOf(g.svc.Playbook, a, g.asOf)
	a.FitScore, a.FitGrade = &fit.Score, fit.Grade
	created := g.at(400 + r.IntN(700))
	a.CreatedAt, a.UpdatedAt = created, created
	if err := g.accounts.Add(a.ID, a.Version, a.Name, a.CreditCode, a.Headcount, a.BusinessKind, a.Industry, a.Ownership,
		a.RestructuredOn, a.JustRestructured, a.RevenueLastYear, a.GrossProfit, joinList(a.ExistingSoftware), a.BranchCount,
		a.PurchasePlan, a.Region, a.Address, a.Phone, a.Website, a.OwnerID, a.CreditLimit, a.FitScore, a.FitGrade, a.CreatedAt, a.UpdatedAt); err != nil {
		return err
	}
	g.stats.Accounts++

	// Key persons: two to four, the first two always in key roles.
	roles := []string{"general_manager", "cio", "sales_manager", "chief_accountant", "planning_manager"}
	r.Shuffle(len(roles), func(i, j int) { roles[i], roles[j] = roles[j], roles[i] })
	nc := 2 + r.IntN(3)
	contacts := make([]contact, nc)
	for i := range contacts {
		role := roles[i%len(roles)]
		if i >= 2 && r.IntN(4) == 0 {
			role = "other"
		}
		c := contact{id: g.contacts.NextID(), role: role, name: g.personName()}
		contacts[i] = c
		phone := fmt.Sprintf("1%d%09d", 3+r.IntN(7), r.IntN(1_000_000_000))
		if err := g.contacts.Add(c.id, 1, a.ID, c.name, g.pick(roleTitles[role]), role, phone, "", "", "", created, created); err != nil {
			return err
		}
	}
	for range dealCount {
		if err := g.deal(ctx, a, fit.Disqualified, own, contacts); err != nil {
			return err
		}
	}
	return nil
}

func joinList(l []string) string {
	out := ""
	for i, s := range l {
		if i > 0 {
			out += ","
		}
		out += s
	}
	return out
}

func toJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // only maps and slices of plain values are marshalled
	}
	return string(b)
}

// deal writes one deal and the records its stage implies.
func (g *gen) deal(ctx context.Context, a *crm.Account, disqualified bool, own owner, contacts []contact) error {
	r := g.r
	stage := weightedIndex(r, stageWeights[:])
	reached := stage // the furthest stage whose records exist
	if stage == sLost {
		reached = r.IntN(sCommit + 1)
	}
	if disqualified && stage != sLost {
		// A disqualified account's deal never leaves prospecting without
		// an override; most are dropped.
		stage, reached = sProspecting, sProspecting
		if r.IntN(3) > 0 {
			stage = sLost
		}
	}
	// Times: the deal entered its current stage `since` days ago; each
	// earlier stage took a few days to a few weeks.
	since := r.IntN(40)
	if stage == sClosed || stage == sLost {
		since = r.IntN(300)
	}
	moves := reached
	if stage == sLost {
		moves = reached + 1
	}
	entered := make([]int, moves+1) // days ago each stage was entered; [0] is creation
	day := since
	for i := moves; i >= 0; i-- {
		entered[i] = day
		day += 3 + r.IntN(22)
	}
	createdAt := g.at(entered[0])
	changedAt := g.at(entered[moves])
	if !changedAt.After(createdAt) {
		changedAt = createdAt
	}
	d := &crm.Deal{ID: g.deals.NextID(), Version: 1 + int64(moves), AccountID: a.ID, OwnerID: own.id, Stage: g.stageKeys[stage],
		Probability: g.stageProb[stage], StageChangedAt: changedAt, CreatedAt: createdAt, UpdatedAt: changedAt}
	d.Title = string([]rune(a.Name)[:min(6, len([]rune(a.Name)))]) + " " + g.pick(productsWanted) + "项目"
	d.Amount = int64(5+r.IntN(60)) * 1_000_000
	if stage != sProspecting || r.IntN(4) > 0 {
		close := crm.DateOf(g.asOf.AddDate(0, 0, 10+r.IntN(170)))
		if stage == sClosed || stage == sLost {
			close = crm.DateOf(changedAt)
		}
		d.ExpectedCloseDate = &close
		d.CloseDateSlips = r.IntN(3) * r.IntN(2)
	}
	switch stage {
	case sLost:
		d.LostReason = g.pick(lostReasons)
		if disqualified {
			d.LostReason = "客户不符合目标客户条件（六要素评分取消资格）"
		}
	case sClosed:
		d.NextStep = "保持联系，争取转介绍"
	default:
		d.NextStep = g.pick([]string{"约总经理面谈", "发送案例资料", "安排标准演示", "跟进报价反馈", "确认合同条款", "确认上线时间"})
	}
	// Who is on the deal: the first contacts decide and sponsor once the
	// deal is past qualification; they support it from commit on.
	nd := min(len(contacts), 1+r.IntN(len(contacts)))
	if reached > sQualification || (reached == sQualification && r.IntN(2) == 0) {
		nd = max(nd, 2)
	}
	dcs := contacts[:nd]
	for i, c := range dcs {
		role := g.pick([]string{"contact", "participant", "insider", "supporter"})
		switch {
		case i == 0 && nd >= 2:
			role = "decision_maker"
		case i == 1:
			role = "sponsor"
		}
		stance := g.pick([]string{"supports", "neutral", "neutral", "opposes"})
		if reached >= sCommit {
			stance = "supports"
		}
		step := crm.EngagementSteps[min(len(crm.EngagementSteps)-1, reached/2+r.IntN(2))]
		if err := g.dealContacts.Add(d.ID, c.id, 1, role, stance, step, createdAt, changedAt); err != nil {
			return err
		}
	}
	// The first meeting with a key person: prospecting's gate.
	key := dcs[0]
	meetDays := max(entered[0]-2, 0)
	metAt := g.at(meetDays)
	var meetDone *time.Time
	if reached > sProspecting || r.IntN(2) == 0 {
		meetDone = &metAt
	} else {
		metAt = g.at(-1 - r.IntN(10)) // scheduled
	}
	if err := g.activity(ctx, d, a, &key, g.pick([]string{"meeting", "visit"}), metAt, meetDone, own.id); err != nil {
		return err
	}
	// The latest contact, which health's recency reads.
	if since > 0 || r.IntN(2) == 0 {
		t := g.at(max(0, since-r.IntN(5)))
		if err := g.activity(ctx, d, a, &dcs[r.IntN(len(dcs))], g.pick([]string{"call", "email"}), t, &t, own.id); err != nil {
			return err
		}
	}
	if stage < sClosed && r.IntN(2) == 0 {
		due := g.at(-1 - r.IntN(14))
		if err := g.activity(ctx, d, a, nil, "task", due, nil, own.id); err != nil {
			return err
		}
	}

	// Compelling events: compelling_event's gate.
	if reached > sCompellingEvent || (reached == sCompellingEvent && r.IntN(2) == 0) {
		for range 1 + r.IntN(2) {
			code := g.pick(eventCodes)
			if err := g.events.Add(g.events.NextID(), d.ID, code, eventTitles[code], g.pick(eventImpacts), key.id, own.id, g.at(entered[min(1, moves)])); err != nil {
				return err
			}
		}
	}
	// Questionnaire and budget: qualification's gate.
	if reached > sQualification || (reached == sQualification && r.IntN(2) == 0) {
		at := g.at(entered[min(2, moves)])
		budget := d.Amount * int64(80+r.IntN(40)) / 100
		if err := g.quals.Add(d.ID, 1, budget, g.pick([]string{"fixed", "negotiable", "open"}), "按去年 IT 投入和三年规划测算",
			g.pick(answers["budget_approval"]), "", own.id, at); err != nil {
			return err
		}
		keys := []string{"requirements", "key_problems"}
		for _, k := range []string{"sponsor_and_participants", "budget", "budget_approval", "products_services", "markets_channels"} {
			if r.IntN(5) == 0 {
				keys = append(keys, k)
			}
		}
		for _, k := range keys {
			if err := g.answers.Add(d.ID, k, g.pick(answers[k])); err != nil {
				return err
			}
		}
	}
	// A demo with its ROI sum and next step: demo's gate.
	if reached > sDemo || (reached == sDemo && r.IntN(2) == 0) {
		at := g.at(entered[min(3, moves)] - 1)
		id := g.demos.NextID()
		prep := g.demoChecklist[:min(len(g.demoChecklist), 2+r.IntN(4))]
		if err := g.demos.Add(id, d.ID, 1, crm.DateOf(at), toJSON(prep), "以销售订单为起点演示客户档案与信用控制",
			g.pick([]string{"客户对库存预警很感兴趣", "财务经理认可应收账款报表", "总经理希望看到同行案例"}),
			g.pick([]string{"下周提交报价", "安排同行案例参观", "提交实施方案"}), own.id, at, at); err != nil {
			return err
		}
		for i, c := range dcs[:min(2, len(dcs))] {
			if err := g.attendees.Add(id, c.id, []string{"决策者", "发起人"}[i]); err != nil {
				return err
			}
		}
		lines := []struct {
			kind, cat string
			amount    int64
		}{
			{"saving", "库存资金占用减少", int64(5+r.IntN(40)) * 1_000_000},
			{"one_off_cost", "软件与实施", d.Amount},
		}
		if r.IntN(2) == 0 {
			lines = append(lines, struct {
				kind, cat string
				amount    int64
			}{"gain", "回款提速带来的收益", int64(2+r.IntN(20)) * 1_000_000})
		}
		for i, l := range lines {
			if err := g.roi.Add(id, i, l.kind, l.cat, l.amount); err != nil {
				return err
			}
		}
	}
	// Negotiation: competitors (or none), a quote from the price book,
	// and some purchase conditions.
	if reached >= sNegotiation {
		at := g.at(entered[min(4, moves)])
		nComp := r.IntN(3)
		if nComp == 0 {
			d.NoCompetitors = true
		}
		for range nComp {
			status := "active"
			if reached >= sCommit {
				status = "eliminated"
			}
			if err := g.competitors.Add(g.competitors.NextID(), d.ID, 1, g.pick(competitorNames), "价格低，本地服务",
				"行业方案弱，实施周期长", status, at, at); err != nil {
				return err
			}
		}
		if reached > sNegotiation || r.IntN(3) > 0 {
			if err := g.quote(ctx, d, a, own, at, stage, entered, moves); err != nil {
				return err
			}
		}
		for i, k := range g.conditionKeys {
			// From commit on all six hold; in negotiation a few do.
			if reached < sCommit && (stage != sNegotiation || i >= r.IntN(4)) {
				continue
			}
			if err := g.conditions.Add(d.ID, k, 1, true, "已与客户书面确认", own.id, at); err != nil {
				return err
			}
		}
	}
	if err := g.deals.Add(d.ID, d.Version, d.AccountID, d.OwnerID, d.Title, d.Stage, d.Amount, d.ExpectedCloseDate, d.Probability,
		d.NextStep, d.LostReason, d.StageChangedAt, d.CloseDateSlips, d.NoCompetitors, d.CreatedAt, d.UpdatedAt); err != nil {
		return err
	}
	// The stage history, one audit row per move.
	for i := 1; i <= moves; i++ {
		from, to := i-1, i
		reason := ""
		if stage == sLost && i == moves {
			to, reason = sLost, d.LostReason
		}
		before, after := g.stageJSON[from], g.stageJSON[to]
		t := g.at(entered[i])
		if t.Before(createdAt) {
			t = createdAt
		}
		if err := g.audit.Add(g.audit.NextID(), own.id, "deal", d.ID, "stage", before, after, reason, t); err != nil {
			return err
		}
	}
	g.stats.Deals++
	return nil
}

func (g *gen) activity(ctx context.Context, d *crm.Deal, a *crm.Account, c *contact, typ string, due time.Time, done *time.Time, ownerID int64) error {
	var cid *int64
	if c != nil {
		cid = &c.id
	}
	created := d.CreatedAt
	if due.Before(created) {
		created = due
	}
	return g.activities.Add(g.activities.NextID(), 1, typ, g.pick(activitySubjects[typ]), due, done, d.ID, a.ID, cid, "", ownerID, created, created)
}

// quote writes a quote at list price and payment on signing (no discount
// and no credit, which a rep's authority of nothing allows without an
// approval) and, from commit on, its contract, payments and project. The
// deal's amount becomes the quote's total.
func (g *gen) quote(ctx context.Context, d *crm.Deal, a *crm.Account, own owner, at time.Time, stage int, entered []int, moves int) error {
	r := g.r
	qid := g.quotes.NextID()
	var total int64
	type line struct {
		p   *crm.Product
		qty int64
	}
	lines := []line{{g.prods[r.IntN(3)], 1}, {g.prods[3], int64(5 + r.IntN(40))}, {g.prods[4], int64(5 + r.IntN(30))}}
	if r.IntN(2) == 0 {
		lines = append(lines, line{g.prods[5], 1})
	}
	for i, l := range lines {
		amount := l.p.ListPrice * l.qty
		total += amount
		if err := g.quoteLines.Add(qid, i, l.p.ID, l.p.Code, l.p.Name.ZH, l.p.Name.EN, l.p.Kind, l.p.Unit, l.qty, l.p.ListPrice, 0, amount, 0, amount); err != nil {
			return err
		}
	}
	d.Amount = total
	state := crm.QuoteAccepted
	if stage == sNegotiation {
		state = g.pick([]string{crm.QuoteApproved, crm.QuoteSent, crm.QuoteAccepted})
	}
	validUntil := crm.DateOf(at.AddDate(0, 0, crm.DefaultValidDays))
	if err := g.quotes.Add(qid, 1, d.ID, fmt.Sprintf("Q%06d", qid), 1, state, validUntil, 0, "", total, 0, total, 0,
		own.id, at, at, at); err != nil {
		return err
	}
	if stage < sCommit || stage == sLost {
		return nil
	}
	// Commit: a draft contract, waiting for approval and signature.
	// Implementation: signed, the first milestone paid, the project open.
	// Closed: completed, every milestone paid, the project closed.
	cid := g.contracts.NextID()
	cstate := crm.ContractDraft
	var signed *crm.Date
	if stage >= sImplementation {
		s := crm.DateOf(g.at(entered[min(sImplementation, moves)]))
		signed = &s
		cstate = crm.ContractSigned
		if stage == sClosed {
			cstate = crm.ContractCompleted
		}
	}
	cat := g.at(entered[min(sCommit, moves)])
	// A signed contract was approved first (PLAYBOOK.md §5.10): the
	// request, decided, with the approver's task done. Within authority
	// (paid on signing, no credit limit) it has no reasons.
	var approvalID *int64
	if signed != nil && own.approver != 0 {
		id := g.approvals.NextID()
		approvalID = &id
		decided := signed.Add(9 * time.Hour)
		task := g.activities.NextID()
		if err := g.activities.Add(task, 1, "task", fmt.Sprintf("审批合同 C%06d：%s", cid, d.Title), decided, &decided, d.ID, a.ID, nil,
			"", own.approver, cat, decided); err != nil {
			return err
		}
		if err := g.approvals.Add(id, 2, crm.ApprovalKindContract, cid, d.ID, own.id, own.approver, crm.ApprovalApproved, "[]", "",
			own.approver, decided, task, cat, decided); err != nil {
			return err
		}
	}
	if err := g.contracts.Add(cid, 1, d.ID, qid, fmt.Sprintf("C%06d", cid), crm.ContractSale, cstate, g.ours, a.Name, total,
		"bank_transfer", 0, nil, nil, signed, approvalID, own.id, d.StageChangedAt, cat, d.StageChangedAt); err != nil {
		return err
	}
	parts := []struct {
		name, trigger string
		percent       int
	}{{"签约款", crm.TriggerSigning, 50}, {"上线款", crm.TriggerGoLive, 30}, {"尾款", crm.TriggerFinal, 20}}
	rest := total
	goLive := stage == sClosed || r.IntN(2) == 0
	for i, p := range parts {
		amount := total * int64(p.percent) / 100
		if i == len(parts)-1 {
			amount = rest
		}
		rest -= amount
		mid := g.milestones.NextID()
		var due *crm.Date
		var paid int64
		if signed != nil && (p.trigger == crm.TriggerSigning || (p.trigger == crm.TriggerGoLive && goLive) || stage == sClosed) {
			x := crm.Date{Time: signed.AddDate(0, 0, 30*(i+1))}
			if stage == sClosed && x.After(d.StageChangedAt) {
				x = crm.DateOf(d.StageChangedAt)
			}
			due = &x
			if stage == sClosed || p.trigger == crm.TriggerSigning {
				paid = amount
			}
		}
		if err := g.milestones.Add(mid, 1, cid, i+1, p.name, p.percent, amount, paid, p.trigger, due, d.StageChangedAt); err != nil {
			return err
		}
		if paid > 0 {
			on := *due
			if on.After(g.asOf) {
				on = crm.DateOf(g.asOf)
			}
			if err := g.payments.Add(g.payments.NextID(), cid, mid, paid, on, "bank_transfer", "", own.id, on.Add(10*time.Hour)); err != nil {
				return err
			}
		}
	}
	if signed == nil {
		return nil
	}
	steps := make([]crm.ProjectStep, len(g.implChecklist))
	for i, k := range g.implChecklist {
		done := stage == sClosed || i == 0 || (goLive && k == crm.StepGoLive)
		if k == crm.StepFinalPayment && stage != sClosed {
			done = false
		}
		steps[i] = crm.ProjectStep{Key: k, Done: done}
		if done {
			t := signed.Add(time.Duration(10+i*24) * time.Hour)
			steps[i].DoneAt, steps[i].DoneBy = &t, &own.id
		}
	}
	pstate, closed := crm.ProjectOpen, (*time.Time)(nil)
	var goLiveOn *crm.Date
	if goLive {
		x := crm.Date{Time: signed.AddDate(0, 0, 30)}
		goLiveOn = &x
	}
	if stage == sClosed {
		pstate, closed = crm.ProjectClosed, &d.StageChangedAt
	}
	opened := signed.Add(10 * time.Hour)
	return g.projects.Add(g.projects.NextID(), 1, d.ID, cid, d.Title, pstate, toJSON(steps), "", goLiveOn, opened, closed, opened, d.StageChangedAt)
}
