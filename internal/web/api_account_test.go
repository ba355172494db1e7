package web_test

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/dealpath/dealpath/internal/crm"
)

func mapOf(t *testing.T, b []byte) map[string]any {
	t.Helper()
	m := map[string]any{}
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("decode %s: %v", b, err)
	}
	return m
}

func TestAccountCRUD(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		e.user("rep", crm.RoleRep, nil)
		c := e.login("rep")
		in := map[string]any{
			"name": "  苏州精工机械有限公司 ", "credit_code": "91330100716105852f", "headcount": 80,
			"business_kind": "manufacturing_sales", "industry": "machinery", "ownership": "private",
			"revenue_last_year": 3_000_000_000, "gross_profit": 500_000_000, "existing_software": []string{"inventory", "finance", "finance"},
			"branch_count": 3, "purchase_plan": "within_6_months", "region": "江苏", "phone": "+86 512-6666 8888", "credit_limit": 50_000_000,
		}
		var a crm.Account
		c.do("POST", "/api/v1/accounts", in).ok(201, &a)
		if a.Name != "苏州精工机械有限公司" || a.CreditCode != "91330100716105852F" || a.Version != 1 ||
			strings.Join(a.ExistingSoftware, ",") != "finance,inventory" || *a.Headcount != 80 {
			t.Fatalf("created %+v", a)
		}
		var got crm.Account
		c.do("GET", fmt.Sprintf("/api/v1/accounts/%d", a.ID), nil).ok(200, &got)
		if got.Name != a.Name || got.RevenueLastYear == nil || *got.RevenueLastYear != 3_000_000_000 {
			t.Fatalf("read back %+v", got)
		}

		// PATCH changes only what it names; null clears a nullable field.
		var up crm.Account
		c.do("PATCH", fmt.Sprintf("/api/v1/accounts/%d", a.ID), map[string]any{"version": 1, "region": "上海", "headcount": nil}).ok(200, &up)
		if up.Region != "上海" || up.Headcount != nil || up.Version != 2 || up.Name != a.Name || *up.BranchCount != 3 {
			t.Fatalf("patched %+v", up)
		}
		// A stale version changes nothing.
		c.do("PATCH", fmt.Sprintf("/api/v1/accounts/%d", a.ID), map[string]any{"version": 1, "region": "北京"}).fail(409, "conflict")
		c.do("GET", fmt.Sprintf("/api/v1/accounts/%d", a.ID), nil).ok(200, &got)
		if got.Region != "上海" {
			t.Fatalf("stale update changed region to %q", got.Region)
		}

		// Delete needs the current version.
		c.do("DELETE", fmt.Sprintf("/api/v1/accounts/%d", a.ID), nil).failField("version")
		c.do("DELETE", fmt.Sprintf("/api/v1/accounts/%d?version=1", a.ID), nil).fail(409, "conflict")
		c.do("DELETE", fmt.Sprintf("/api/v1/accounts/%d?version=2", a.ID), nil).ok(204, nil)
		c.do("GET", fmt.Sprintf("/api/v1/accounts/%d", a.ID), nil).fail(404, "not_found")
	})
}

func TestAccountValidation(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		e.user("rep", crm.RoleRep, nil)
		c := e.login("rep")
		cases := []struct {
			body  string
			field string
		}{
			{`{"name":""}`, "name"},
			{`{"name":"   "}`, "name"},
			{`{"name":"` + strings.Repeat("长", 201) + `"}`, "name"},
			{`{"name":"x","credit_code":"91330100716105852A"}`, "credit_code"},
			{`{"name":"x","headcount":-1}`, "headcount"},
			{`{"name":"x","headcount":"many"}`, "headcount"},
			{`{"name":"x","headcount":1.5}`, "headcount"},
			{`{"name":"x","headcount":99999999999999999999999}`, "headcount"},
			{`{"name":"x","revenue_last_year":-100}`, "revenue_last_year"},
			{`{"name":"x","revenue_last_year":9223372036854775807}`, "revenue_last_year"},
			{`{"name":"x","business_kind":"retail"}`, "business_kind"},
			{`{"name":"x","ownership":"state"}`, "ownership"},
			{`{"name":"x","industry":"drugs"}`, "industry"},
			{`{"name":"x","existing_software":["sap"]}`, "existing_software"},
			{`{"name":"x","existing_software":"erp"}`, "existing_software"},
			{`{"name":"x","purchase_plan":"someday"}`, "purchase_plan"},
			{`{"name":"x","ownership":"private","just_restructured":true}`, "ownership"},
			{`{"name":"x","restructured_on":"2024-13-01","ownership":"restructured_soe"}`, "restructured_on"},
			{`{"name":"x","restructured_on":"yesterday","ownership":"restructured_soe"}`, "restructured_on"},
			{`{"name":"x","phone":"call me"}`, "phone"},
			{`{"name":"x","credit_limit":-1}`, "credit_limit"},
			{`{"name":"x","colour":"red"}`, "colour"},
			{`{"name":"x","owner_id":"me"}`, "owner_id"},
		}
		for _, tc := range cases {
			c.do("POST", "/api/v1/accounts", tc.body).failField(tc.field)
		}
		var p crm.Page[crm.Account]
		c.do("GET", "/api/v1/accounts?with_total=true", nil).ok(200, &p)
		if *p.Total != 0 {
			t.Fatalf("invalid input created %d accounts", *p.Total)
		}
	})
}

func TestAccountListFiltersSortsAndPages(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		e.user("rep", crm.RoleRep, nil)
		c := e.login("rep")
		names := []string{"北京远大贸易", "上海申通物流", "广州白云电子", "深圳华强电子", "杭州西湖食品"}
		for i, n := range names {
			c.do("POST", "/api/v1/accounts", map[string]any{"name": n, "headcount": 10 * (i + 1)}).ok(201, nil)
		}
		var p crm.Page[crm.Account]
		c.do("GET", "/api/v1/accounts?q="+url.QueryEscape("电子")+"&with_total=true", nil).ok(200, &p)
		if *p.Total != 2 || len(p.Items) != 2 {
			t.Fatalf("search: %+v", p)
		}
		var all []string
		cursor := ""
		for {
			var pg crm.Page[crm.Account]
			c.do("GET", "/api/v1/accounts?limit=2&sort=-headcount&cursor="+url.QueryEscape(cursor), nil).ok(200, &pg)
			for _, a := range pg.Items {
				all = append(all, a.Name)
			}
			if pg.NextCursor == "" {
				break
			}
			cursor = pg.NextCursor
		}
		if strings.Join(all, ",") != "杭州西湖食品,深圳华强电子,广州白云电子,上海申通物流,北京远大贸易" {
			t.Fatalf("sorted pages: %v", all)
		}
		for _, q := range []string{"limit=0", "limit=501", "limit=x", "sort=password", "cursor=zzz", "updated_since=yesterday", "with_total=maybe", "owner_id=abc"} {
			c.do("GET", "/api/v1/accounts?"+q, nil).fail(400, "invalid")
		}
	})
}

// Errors speak the reader's language: Accept-Language first, then the
// user's own setting, zh-CN by default.
func TestErrorLanguage(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		e.user("rep", crm.RoleRep, nil)
		c := e.login("rep")
		zh := c.do("POST", "/api/v1/accounts", `{"name":""}`).failField("name")
		if zh.Error.Message != "部分字段填写有误。" || zh.Error.Fields["name"] != "此项必填。" {
			t.Errorf("zh-CN: %+v", zh.Error)
		}
		c.lang = "en-US,en;q=0.9"
		en := c.do("POST", "/api/v1/accounts", `{"name":""}`).failField("name")
		if en.Error.Message != "Some fields are not valid." || en.Error.Fields["name"] != "This field is required." {
			t.Errorf("en: %+v", en.Error)
		}
		nf := c.do("GET", "/api/v1/accounts/12345", nil).fail(404, "not_found")
		if nf.Error.Message != "Account not found." {
			t.Errorf("en not found: %q", nf.Error.Message)
		}

		// The user's own language applies when the client names none.
		var me crm.User
		root := e.user("root", crm.RoleAdmin, nil)
		admin := e.login("root")
		admin.do("GET", "/api/v1/me", nil).ok(200, &me)
		admin.do("PATCH", fmt.Sprintf("/api/v1/users/%d", root.ID), map[string]any{"version": me.Version, "language": "en"}).ok(200, nil)
		if m := admin.do("POST", "/api/v1/accounts", `{"name":""}`).failField("name"); m.Error.Fields["name"] != "This field is required." {
			t.Errorf("user setting en: %+v", m.Error)
		}
	})
}
