package web_test

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/dealpath/dealpath/internal/crm"
	"github.com/dealpath/dealpath/internal/playbook"
)

type fitAnswer struct {
	Score        int    `json:"score"`
	Grade        string `json:"grade"`
	Disqualified bool   `json:"disqualified"`
	Factors      []struct {
		Key    string `json:"key"`
		Points int    `json:"points"`
		Max    int    `json:"max"`
		Reason string `json:"reason"`
	} `json:"factors"`
	Disqualifiers []struct {
		Key    string `json:"key"`
		Reason string `json:"reason"`
	} `json:"disqualifiers"`
}

// The acceptance cases of the fit: the grade-A distributor of the issue,
// and the three disqualified kinds of company.
func TestAccountFit(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		e.user("rep", crm.RoleRep, nil)
		c := e.login("rep")
		var good crm.Account
		c.do("POST", "/api/v1/accounts", map[string]any{
			"name": "宁波顺达商贸有限公司", "headcount": 30, "business_kind": "distribution", "ownership": "private",
			"revenue_last_year": 2_500_000_000, "gross_profit": 400_000_000, "existing_software": []string{"inventory"},
			"branch_count": 3, "purchase_plan": "within_6_months",
		}).ok(201, &good)
		if good.FitGrade != "A" || good.FitScore == nil || *good.FitScore < 80 {
			t.Fatalf("stored fit of the grade-A distributor: %v %v", good.FitGrade, good.FitScore)
		}
		var fit fitAnswer
		c.do("GET", fmt.Sprintf("/api/v1/accounts/%d/fit", good.ID), nil).ok(200, &fit)
		if fit.Grade != "A" || fit.Score != *good.FitScore || len(fit.Factors) != 6 || fit.Disqualified {
			t.Fatalf("fit = %+v", fit)
		}
		sum := 0
		for _, f := range fit.Factors {
			sum += f.Points
			if f.Reason == "" || f.Points > f.Max {
				t.Errorf("factor %+v", f)
			}
		}
		if sum != fit.Score {
			t.Errorf("factor points add up to %d, score %d", sum, fit.Score)
		}
		if !strings.Contains(fit.Factors[0].Reason, "30") {
			t.Errorf("F1 reason does not show the headcount: %q", fit.Factors[0].Reason)
		}
		c.lang = "en"
		var en fitAnswer
		c.do("GET", fmt.Sprintf("/api/v1/accounts/%d/fit", good.ID), nil).ok(200, &en)
		if en.Factors[0].Reason == fit.Factors[0].Reason {
			t.Errorf("reason not translated: %q", en.Factors[0].Reason)
		}
		c.lang = ""

		for _, body := range []map[string]any{
			{"name": "华康制药", "industry": "pharmaceutical", "headcount": 300, "ownership": "private"},
			{"name": "美衣服饰", "industry": "apparel", "headcount": 300, "ownership": "private"},
			{"name": "某市机械厂（改制）", "ownership": "restructured_soe", "just_restructured": true, "headcount": 300},
		} {
			var a crm.Account
			c.do("POST", "/api/v1/accounts", body).ok(201, &a)
			var f fitAnswer
			c.do("GET", fmt.Sprintf("/api/v1/accounts/%d/fit", a.ID), nil).ok(200, &f)
			if a.FitGrade != "D" || !f.Disqualified || len(f.Disqualifiers) == 0 || f.Disqualifiers[0].Reason == "" {
				t.Errorf("%s: grade %s, fit %+v", body["name"], a.FitGrade, f)
			}
		}

		// The grade follows every change, and the change is audited.
		var up crm.Account
		c.do("PATCH", fmt.Sprintf("/api/v1/accounts/%d", good.ID), map[string]any{"version": good.Version, "industry": "apparel"}).ok(200, &up)
		if up.FitGrade != "D" {
			t.Fatalf("grade after becoming an apparel maker: %s", up.FitGrade)
		}
		log, err := e.db.AuditFor(context.Background(), "account", good.ID)
		if err != nil || len(log) != 1 || log[0].Action != "grade" {
			t.Fatalf("audit = %+v, %v", log, err)
		}

		// Lists filter and sort by grade.
		var p crm.Page[crm.Account]
		c.do("GET", "/api/v1/accounts?grade=D&with_total=true", nil).ok(200, &p)
		if *p.Total != 4 {
			t.Fatalf("grade D: %d", *p.Total)
		}
		c.do("GET", "/api/v1/accounts?grade=A,B&with_total=true", nil).ok(200, &p)
		if *p.Total != 0 {
			t.Fatalf("grade A,B: %d", *p.Total)
		}
		c.do("GET", "/api/v1/accounts?sort=-fit_score", nil).ok(200, &p)
		c.do("GET", "/api/v1/accounts?grade=E", nil).failField("grade")
		c.do("GET", "/api/v1/accounts/abc/fit", nil).fail(400, "invalid")
		c.do("GET", "/api/v1/accounts/9999/fit", nil).fail(404, "not_found")
	})
}

// A playbook with other thresholds regrades the stored accounts at start.
func TestSyncFitRegradesOnNewPlaybook(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		rep := e.user("rep", crm.RoleRep, nil)
		if _, err := e.svc.SyncFit(ctx); err != nil {
			t.Fatal(err)
		}
		a, err := e.svc.CreateAccount(ctx, crm.ActorOf(rep), crm.AccountInput{Name: "小公司", Headcount: ptr(25), BusinessKind: "distribution"})
		if err != nil {
			t.Fatal(err)
		}
		if n, err := e.svc.SyncFit(ctx); err != nil || n != 0 {
			t.Fatalf("same playbook rescored %d, %v", n, err)
		}
		src, err := os.ReadFile("../playbook/testdata/strict.yaml")
		if err != nil {
			t.Fatal(err)
		}
		strict, err := playbook.Load(src)
		if err != nil {
			t.Fatal(err)
		}
		e.svc.Playbook = strict
		if n, err := e.svc.SyncFit(ctx); err != nil || n != 1 {
			t.Fatalf("new playbook rescored %d, %v", n, err)
		}
		b, _ := e.svc.Account(ctx, crm.ActorOf(rep), a.ID)
		if *b.FitScore == *a.FitScore || b.Version != a.Version {
			t.Fatalf("before %d v%d, after %d v%d", *a.FitScore, a.Version, *b.FitScore, b.Version)
		}
	})
}

func ptr[T any](v T) *T { return &v }

func TestGetPlaybook(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		e.user("rep", crm.RoleRep, nil)
		c := e.login("rep")
		var pb struct {
			Stages []struct {
				Key  string `json:"key"`
				Name struct {
					ZH string `json:"zh-CN"`
					EN string `json:"en"`
				} `json:"name"`
			} `json:"stages"`
			Events    []struct{ Code string } `json:"events"`
			Questions []struct{ Key string }  `json:"questions"`
		}
		c.do("GET", "/api/v1/playbook", nil).ok(200, &pb)
		if len(pb.Stages) != 9 || pb.Stages[0].Key != "prospecting" || pb.Stages[0].Name.ZH == "" || len(pb.Events) != 11 || len(pb.Questions) != 13 {
			t.Fatalf("playbook = %+v", pb)
		}
		e.anon().do("GET", "/api/v1/playbook", nil).fail(401, "unauthenticated")
	})
}
