package web_test

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/dealpath/dealpath/internal/crm"
)

// mkProduct adds a product to the price book as the client (an admin).
func mkProduct(c *client, code, name, kind, unit string, price int64) crm.Product {
	c.e.t.Helper()
	var p crm.Product
	c.do("POST", "/api/v1/products", map[string]any{"code": code, "name": map[string]string{"zh-CN": name, "en": "EN " + name},
		"kind": kind, "unit": unit, "list_price": price}).ok(201, &p)
	return p
}

// setAuthority sets a user's limits as the client (an admin).
func setAuthority(c *client, userID int64, bp, days int, amount int64) crm.User {
	c.e.t.Helper()
	var u crm.User
	c.do("GET", fmt.Sprintf("/api/v1/users/%d", userID), nil).ok(200, &u)
	c.do("PATCH", fmt.Sprintf("/api/v1/users/%d", userID), map[string]any{"version": u.Version,
		"max_discount_bp": bp, "credit_days": days, "credit_amount": amount}).ok(200, &u)
	return u
}

func TestProductsAPI(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		e.user("root", crm.RoleAdmin, nil)
		e.user("rep", crm.RoleRep, nil)
		admin, rep := e.login("root"), e.login("rep")

		var p crm.Product
		admin.do("POST", "/api/v1/products", map[string]any{"code": " fin-01 ", "name": map[string]string{"zh-CN": " 财务模块 ", "en": "Finance module"},
			"kind": "software_module", "unit": "set", "list_price": 3_800_000}).ok(201, &p)
		if p.Code != "FIN-01" || p.Name.ZH != "财务模块" || !p.Active || p.Version != 1 {
			t.Fatalf("created: %+v", p)
		}
		day := mkProduct(admin, "IMPL-DAY", "实施服务", "implementation_day", "person_day", 150_000)
		mkProduct(admin, "SRV-01", "服务器", "equipment", "piece", 2_500_000)

		// Everybody reads the price book; only admins change it.
		var got crm.Product
		rep.do("GET", fmt.Sprintf("/api/v1/products/%d", p.ID), nil).ok(200, &got)
		if got != p {
			t.Fatalf("read %+v, want %+v", got, p)
		}
		rep.do("POST", "/api/v1/products", map[string]any{"code": "X1", "name": map[string]string{"zh-CN": "x", "en": "x"},
			"kind": "equipment", "unit": "piece", "list_price": 1}).fail(403, "forbidden")
		rep.do("PATCH", fmt.Sprintf("/api/v1/products/%d", p.ID), map[string]any{"version": 1, "list_price": 1}).fail(403, "forbidden")
		rep.do("GET", "/api/v1/products/99999", nil).fail(404, "not_found")
		rep.do("GET", "/api/v1/products/abc", nil).fail(400, "invalid")

		// A code is unique, whatever its case.
		admin.do("POST", "/api/v1/products", map[string]any{"code": "Fin-01", "name": map[string]string{"zh-CN": "x", "en": "x"},
			"kind": "equipment", "unit": "piece", "list_price": 1}).fail(409, "conflict")

		// Filters, search, sort, total.
		for _, tc := range []struct {
			query string
			want  []int64
		}{
			{"", []int64{p.ID, day.ID, 0}},
			{"?kind=implementation_day", []int64{day.ID}},
			{"?q=" + url.QueryEscape("实施"), []int64{day.ID}},
			{"?q=module", []int64{p.ID}},
			{"?sort=-list_price&limit=1", []int64{p.ID}},
		} {
			ids := listIDs(rep, "/api/v1/products"+tc.query)
			if len(ids) != len(tc.want) || ids[0] != tc.want[0] {
				t.Fatalf("%s: %v, want %v", tc.query, ids, tc.want)
			}
		}
		if n := listTotal(rep, "/api/v1/products?limit=1"); n != 3 {
			t.Fatalf("total %d", n)
		}
		if got := allPages(rep, "/api/v1/products?limit=2&sort=-code", "code"); strings.Join(got, ",") != "SRV-01,IMPL-DAY,FIN-01" {
			t.Fatalf("pages: %v", got)
		}

		// A price change and a deactivation: versioned, audited.
		var upd crm.Product
		admin.do("PATCH", fmt.Sprintf("/api/v1/products/%d", p.ID), map[string]any{"version": 1, "list_price": 4_200_000}).ok(200, &upd)
		admin.do("PATCH", fmt.Sprintf("/api/v1/products/%d", p.ID), map[string]any{"version": 1, "active": false}).fail(409, "conflict")
		admin.do("PATCH", fmt.Sprintf("/api/v1/products/%d", p.ID), map[string]any{"list_price": 1}).failField("version")
		admin.do("PATCH", fmt.Sprintf("/api/v1/products/%d", p.ID), map[string]any{"version": upd.Version, "active": false}).ok(200, &upd)
		admin.do("PATCH", fmt.Sprintf("/api/v1/products/%d", day.ID), map[string]any{"version": 1, "code": "FIN-01"}).fail(409, "conflict")
		admin.do("PATCH", "/api/v1/products/99999", map[string]any{"version": 1, "active": false}).fail(404, "not_found")
		if upd.ListPrice != 4_200_000 || upd.Active || upd.Version != 3 {
			t.Fatalf("after changes: %+v", upd)
		}
		if ids := listIDs(rep, "/api/v1/products?active=false"); len(ids) != 1 || ids[0] != p.ID {
			t.Fatalf("inactive: %v", ids)
		}
		if n := listTotal(rep, "/api/v1/products?active=true"); n != 2 {
			t.Fatalf("active: %d", n)
		}
		audit, err := e.db.AuditFor(context.Background(), "product", p.ID)
		if err != nil || len(audit) != 2 || !strings.Contains(audit[0].Before, `"list_price":3800000`) || !strings.Contains(audit[0].After, `"list_price":4200000`) {
			t.Fatalf("audit: %v %+v", err, audit)
		}
		// The name is replaced whole, both languages.
		admin.do("PATCH", fmt.Sprintf("/api/v1/products/%d", p.ID), map[string]any{"version": 3, "name": map[string]string{"en": "Finance"}}).failField("name.zh-CN")
		admin.do("PATCH", fmt.Sprintf("/api/v1/products/%d", p.ID), map[string]any{"version": 3, "name": map[string]string{"zh-CN": "财务", "en": "Finance"}}).ok(200, &upd)
		if upd.Name != (crm.LocalName{ZH: "财务", EN: "Finance"}) {
			t.Fatalf("renamed: %+v", upd.Name)
		}
		// An English reader gets English errors.
		admin.lang = "en"
		e1 := admin.do("POST", "/api/v1/products", map[string]any{"code": "a", "name": map[string]string{"zh-CN": "x", "en": "x"},
			"kind": "equipment", "unit": "piece", "list_price": 1}).failField("code")
		if !strings.Contains(e1.Error.Fields["code"], "capital letters") {
			t.Fatalf("english message: %v", e1.Error.Fields)
		}
	})
}

// TestHostileProducts: bad input of every kind is a 4xx and leaves the
// price book as it was.
func TestHostileProducts(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		e.user("root", crm.RoleAdmin, nil)
		admin := e.login("root")
		p := mkProduct(admin, "FIN-01", "财务模块", "software_module", "set", 3_800_000)
		snap := func() string {
			return string(admin.do("GET", "/api/v1/products?limit=500", nil).ok(200, nil).Body)
		}
		before := snap()
		// with is the body of a good product with one field replaced by
		// raw JSON (or added, for a field that does not exist).
		with := func(field, raw string) string {
			good := map[string]string{"code": `"NEW-1"`, "name": `{"zh-CN":"新","en":"New"}`, "kind": `"equipment"`, "unit": `"piece"`, "list_price": `100`}
			good[field] = raw
			var parts []string
			for k, v := range good {
				parts = append(parts, fmt.Sprintf("%q:%s", k, v))
			}
			return "{" + strings.Join(parts, ",") + "}"
		}
		for _, tc := range []struct{ field, raw, want string }{
			{"list_price", `-1`, "list_price"},
			{"list_price", `1000000000000001`, "list_price"},
			{"list_price", `1e30`, "list_price"},
			{"list_price", `1.5`, "list_price"},
			{"list_price", `"100"`, "list_price"},
			{"code", `"A"`, "code"},
			{"code", `"` + strings.Repeat("A", 33) + `"`, "code"},
			{"code", `"财务"`, "code"},
			{"code", `"A B"`, "code"},
			{"code", `7`, "code"},
			{"kind", `"magic"`, "kind"},
			{"unit", `"kg"`, "unit"},
			{"name", `{"zh-CN":"","en":"x"}`, "name.zh-CN"},
			{"name", `{"zh-CN":"x"}`, "name.en"},
			{"name", `{"zh-CN":"x","en":"x","fr":"x"}`, "fr"},
			{"name", `"财务"`, "name"},
			{"name", `{"zh-CN":"` + strings.Repeat("长", 201) + `","en":"x"}`, "name.zh-CN"},
			{"name", `{"zh-CN":"a\u0000","en":"x"}`, "name.zh-CN"},
			{"active", `"yes"`, "active"},
			{"id", `5`, "id"},
			{"version", `5`, "version"},
		} {
			func() {
				body := with(tc.field, tc.raw)
				defer inCase(t, "%s", body)()
				admin.do("POST", "/api/v1/products", body).failField(tc.want)
			}()
		}
		path := fmt.Sprintf("/api/v1/products/%d", p.ID)
		for _, tc := range []struct{ body, field string }{
			{`{"version":1,"list_price":-5}`, "list_price"},
			{`{"version":1,"list_price":null}`, "list_price"}, // a price is never cleared
			{`{"version":1,"active":null}`, "active"},
			{`{"version":1,"code":null}`, "code"},
			{`{"version":1,"name":{"zh-CN":"x","en":""}}`, "name.en"},
			{`{"version":1,"active":1}`, "active"},
			{`{"version":"1"}`, "version"},
			{`{"version":1,"created_at":"2020-01-01T00:00:00Z"}`, "created_at"},
		} {
			func() {
				defer inCase(t, "%s", tc.body)()
				admin.do("PATCH", path, tc.body).failField(tc.field)
			}()
		}
		for _, body := range []string{``, `{`, `[]`, `"x"`, `{"code":"X1"} {}`} {
			admin.raw("POST", "/api/v1/products", "application/json", []byte(body)).fail(400, "invalid")
			admin.raw("PATCH", path, "application/json", []byte(body)).fail(400, "invalid")
		}
		for _, q := range []string{"active=maybe", "kind=magic", "sort=price", "limit=0", "limit=501", "q=%00", "cursor=%00", "with_total=2"} {
			admin.do("GET", "/api/v1/products?"+q, nil).fail(400, "invalid")
		}
		if after := snap(); after != before {
			t.Fatalf("refused requests changed the price book:\nbefore %s\nafter  %s", before, after)
		}
	})
}
