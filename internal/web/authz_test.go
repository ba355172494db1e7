package web_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/dealpath/dealpath/internal/crm"
)

// authzCreate is a request that creates a record under another one: a
// contact on an account, an activity on a deal. Refused, it answers
// deniedStatus, naming deniedField when that is not empty.
type authzCreate struct {
	what         string
	method, path string
	body         func() any
	deniedStatus int
	deniedField  string
}

// authzResource is one of rep A's records and the ways to reach it.
type authzResource struct {
	name    string
	path    string            // GET; empty when the record has no GET of its own
	write   string            // PATCH; DELETE too, with ?version= when path is set
	list    string            // a list the record appears in
	listKey string            // the item field that identifies it in that list
	id      int64             // its value
	reads   []string          // further paths that read it
	version func() int64      // its current version, read as its owner
	patch   func(v int64) any // a valid change
	fresh   func() string     // a new record of rep A's to delete: the DELETE path
	creates []authzCreate
}

// TestAuthorizationMatrix: every role × every resource × read and write.
// Rep A's records are visible to A, A's manager and the admin; rep B (same
// team) and rep C (other team) cannot tell them from missing records.
func TestAuthorizationMatrix(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		east, north := e.team("华东"), e.team("华北")
		e.user("root", crm.RoleAdmin, nil)
		e.user("mgr", crm.RoleManager, &east.ID)
		e.user("rep-a", crm.RoleRep, &east.ID)
		e.user("rep-b", crm.RoleRep, &east.ID)
		e.user("rep-c", crm.RoleRep, &north.ID)
		a := e.login("rep-a")

		acc := mkAccount(a, "A 的客户")
		ct := mkContact(a, acc.ID, "A 的联系人")
		deal := mkDeal(a, acc.ID, "A 的商机")
		a.do("POST", fmt.Sprintf("/api/v1/deals/%d/contacts", deal.ID), map[string]any{"contact_id": ct.ID}).ok(201, nil)
		act := mkActivity(a, map[string]any{"type": "call", "subject": "A 的活动", "deal_id": deal.ID})

		// version reads the "version" field of what path answers; a deal
		// contact's comes from the deal's list of contacts.
		version := func(path string) int64 {
			var v struct {
				Version int64 `json:"version"`
			}
			a.do("GET", path, nil).ok(200, &v)
			return v.Version
		}
		dealContactVersion := func() int64 {
			var l crm.Page[crm.DealContact]
			a.do("GET", fmt.Sprintf("/api/v1/deals/%d/contacts", deal.ID), nil).ok(200, &l)
			for _, dc := range l.Items {
				if dc.ContactID == ct.ID {
					return dc.Version
				}
			}
			t.Fatal("rep A's deal contact is gone")
			return 0
		}
		n := 0
		seq := func(prefix string) string { n++; return fmt.Sprintf("%s %d", prefix, n) }
		newContactOnDeal := func() int64 {
			return mkContact(a, acc.ID, seq("又一个联系人")).ID
		}
		// Stage moves that pass no gate: out to lost and back to the start,
		// whichever the deal's current stage allows (denied attempts change
		// nothing, so the stage is read each time).

		resources := []authzResource{
			{
				name: "account", path: fmt.Sprintf("/api/v1/accounts/%d", acc.ID), write: fmt.Sprintf("/api/v1/accounts/%d", acc.ID), list: "/api/v1/accounts?limit=500", listKey: "id", id: acc.ID,
				version: func() int64 { return version(fmt.Sprintf("/api/v1/accounts/%d", acc.ID)) },
				patch:   func(v int64) any { return map[string]any{"version": v, "region": seq("区域")} },
				fresh: func() string {
					return fmt.Sprintf("/api/v1/accounts/%d?version=1", mkAccount(a, seq("待删客户")).ID)
				},
				creates: []authzCreate{
					{"contact", "POST", "/api/v1/contacts", func() any { return map[string]any{"account_id": acc.ID, "name": seq("联系人")} }, 400, "account_id"},
					{"deal", "POST", "/api/v1/deals", func() any { return map[string]any{"account_id": acc.ID, "title": seq("商机")} }, 400, "account_id"},
					{"activity", "POST", "/api/v1/activities", func() any {
						return map[string]any{"account_id": acc.ID, "type": "task", "subject": seq("活动")}
					}, 400, "account_id"},
				},
			},
			{
				name: "contact", path: fmt.Sprintf("/api/v1/contacts/%d", ct.ID), write: fmt.Sprintf("/api/v1/contacts/%d", ct.ID), list: "/api/v1/contacts?limit=500", listKey: "id", id: ct.ID,
				version: func() int64 { return version(fmt.Sprintf("/api/v1/contacts/%d", ct.ID)) },
				patch:   func(v int64) any { return map[string]any{"version": v, "title": seq("职位")} },
				fresh: func() string {
					return fmt.Sprintf("/api/v1/contacts/%d?version=1", mkContact(a, acc.ID, seq("待删联系人")).ID)
				},
				creates: []authzCreate{
					{"activity", "POST", "/api/v1/activities", func() any {
						return map[string]any{"contact_id": ct.ID, "type": "call", "subject": seq("活动")}
					}, 400, "contact_id"},
				},
			},
			{
				name: "deal", path: fmt.Sprintf("/api/v1/deals/%d", deal.ID), write: fmt.Sprintf("/api/v1/deals/%d", deal.ID), list: "/api/v1/deals?limit=500", listKey: "id", id: deal.ID,
				reads:   []string{fmt.Sprintf("/api/v1/deals/%d/history", deal.ID)},
				version: func() int64 { return version(fmt.Sprintf("/api/v1/deals/%d", deal.ID)) },
				patch:   func(v int64) any { return map[string]any{"version": v, "next_step": seq("下一步")} },
				fresh: func() string {
					return fmt.Sprintf("/api/v1/deals/%d?version=1", mkDeal(a, acc.ID, seq("待删商机")).ID)
				},
				creates: []authzCreate{
					{"deal contact", "POST", fmt.Sprintf("/api/v1/deals/%d/contacts", deal.ID), func() any {
						return map[string]any{"contact_id": newContactOnDeal()}
					}, 404, ""},
					{"activity", "POST", "/api/v1/activities", func() any {
						return map[string]any{"deal_id": deal.ID, "type": "demo", "subject": seq("活动")}
					}, 400, "deal_id"},
					{"stage move", "POST", fmt.Sprintf("/api/v1/deals/%d/stage", deal.ID), func() any {
						cur, err := e.db.DealByID(context.Background(), deal.ID)
						if err != nil {
							t.Fatal(err)
						}
						if cur.Stage != "lost" {
							return map[string]any{"stage": "lost", "reason": seq("预算冻结")}
						}
						return map[string]any{"stage": "prospecting"}
					}, 404, ""},
				},
			},
			{
				name: "deal contact", write: fmt.Sprintf("/api/v1/deals/%d/contacts/%d", deal.ID, ct.ID), list: fmt.Sprintf("/api/v1/deals/%d/contacts", deal.ID), listKey: "contact_id", id: ct.ID,
				version: dealContactVersion,
				patch: func(v int64) any {
					return map[string]any{"version": v, "stance": []string{"supports", "opposes"}[v%2]}
				},
				fresh: func() string {
					id := newContactOnDeal()
					a.do("POST", fmt.Sprintf("/api/v1/deals/%d/contacts", deal.ID), map[string]any{"contact_id": id}).ok(201, nil)
					return fmt.Sprintf("/api/v1/deals/%d/contacts/%d", deal.ID, id)
				},
			},
			{
				name: "activity", path: fmt.Sprintf("/api/v1/activities/%d", act.ID), write: fmt.Sprintf("/api/v1/activities/%d", act.ID), list: "/api/v1/activities?limit=500", listKey: "id", id: act.ID,
				version: func() int64 { return version(fmt.Sprintf("/api/v1/activities/%d", act.ID)) },
				patch:   func(v int64) any { return map[string]any{"version": v, "notes": seq("备注")} },
				fresh: func() string {
					return fmt.Sprintf("/api/v1/activities/%d?version=1", mkActivity(a, map[string]any{"type": "task", "subject": seq("待删活动")}).ID)
				},
			},
		}

		actors := []struct {
			name    string
			c       *client
			allowed bool
		}{
			{"rep A (owner)", a, true},
			{"rep B (same team)", e.login("rep-b"), false},
			{"manager of A's team", e.login("mgr"), true},
			{"rep C (other team)", e.login("rep-c"), false},
			{"admin", e.login("root"), true},
		}

		// inList reports whether the record is on the first page of its
		// list; a list under a record the client may not see is a 404.
		inList := func(c *client, r authzResource) bool {
			resp := c.do("GET", r.list, nil)
			if resp.Status == 404 {
				return false
			}
			var p struct {
				Items []map[string]any `json:"items"`
			}
			resp.ok(200, &p)
			return slices.ContainsFunc(p.Items, func(it map[string]any) bool { return it[r.listKey] == float64(r.id) })
		}

		for _, r := range resources {
			for _, ac := range actors {
				func() {
					defer inCase(t, "%s × %s", ac.name, r.name)()
					c := ac.c

					// Read: the record itself, further reads, the list.
					if r.path != "" {
						resp := c.do("GET", r.path, nil)
						if ac.allowed {
							resp.ok(200, nil)
						} else {
							denied := resp.fail(404, "not_found")
							missing := c.do("GET", r.path[:strings.LastIndex(r.path, "/")]+"/99999999", nil).fail(404, "not_found")
							if denied.Error.Code != missing.Error.Code || denied.Error.Message != missing.Error.Message || len(denied.Error.Fields)+len(missing.Error.Fields) != 0 {
								t.Fatalf("another's record (%+v) and a missing one (%+v) answer differently", denied, missing)
							}
						}
					}
					for _, p := range r.reads {
						if resp := c.do("GET", p, nil); ac.allowed {
							resp.ok(200, nil)
						} else {
							resp.fail(404, "not_found")
						}
					}
					if got := inList(c, r); got != ac.allowed {
						t.Fatalf("in %s: %v, want %v", r.list, got, ac.allowed)
					}

					// Write: change, delete, create under it.
					v := r.version()
					resp := c.do("PATCH", r.write, r.patch(v))
					if ac.allowed {
						resp.ok(200, nil)
						if nv := r.version(); nv != v+1 {
							t.Fatalf("after PATCH version %d, want %d", nv, v+1)
						}
					} else {
						resp.fail(404, "not_found")
						if nv := r.version(); nv != v {
							t.Fatalf("refused PATCH changed version %d to %d", v, nv)
						}
					}
					if ac.allowed {
						// Delete a fresh record of A's, so that the matrix
						// keeps its subject.
						p := r.fresh()
						c.do("DELETE", p, nil).ok(204, nil)
						a.do("DELETE", p, nil).fail(404, "not_found")
					} else {
						del := r.write
						if r.path != "" {
							del = fmt.Sprintf("%s?version=%d", r.write, r.version())
						}
						c.do("DELETE", del, nil).fail(404, "not_found")
						if !inList(a, r) {
							t.Fatal("refused DELETE deleted the record")
						}
					}
					for _, cr := range r.creates {
						func() {
							defer inCase(t, "create %s", cr.what)()
							resp := c.do(cr.method, cr.path, cr.body())
							switch {
							case ac.allowed:
								if resp.Status != 200 && resp.Status != 201 {
									t.Fatalf("status %d: %s", resp.Status, resp.Body)
								}
							case cr.deniedField != "":
								resp.failField(cr.deniedField)
							default:
								resp.fail(cr.deniedStatus, "not_found")
							}
						}()
					}
				}()
			}
		}
	})
}

// TestAssignOwner: reps own what they create; managers may hand records to
// members of their team and nobody else; admins to anyone active.
func TestAssignOwner(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		east, north := e.team("华东"), e.team("华北")
		root := e.user("root", crm.RoleAdmin, nil)
		mgrU := e.user("mgr", crm.RoleManager, &east.ID)
		repA := e.user("rep-a", crm.RoleRep, &east.ID)
		repB := e.user("rep-b", crm.RoleRep, &east.ID)
		repC := e.user("rep-c", crm.RoleRep, &north.ID)
		gone := e.user("gone", crm.RoleRep, &east.ID)
		a, b, c, mgr, admin := e.login("rep-a"), e.login("rep-b"), e.login("rep-c"), e.login("mgr"), e.login("root")
		admin.do("PATCH", fmt.Sprintf("/api/v1/users/%d", gone.ID), map[string]any{"version": gone.Version, "disabled": true}).ok(200, nil)

		acc := mkAccount(a, "A 的客户")
		creates := []struct {
			path string
			body func(owner int64) map[string]any
		}{
			{"/api/v1/accounts", func(o int64) map[string]any { return map[string]any{"name": "x", "owner_id": o} }},
			{"/api/v1/deals", func(o int64) map[string]any { return map[string]any{"account_id": acc.ID, "title": "x", "owner_id": o} }},
			{"/api/v1/activities", func(o int64) map[string]any {
				return map[string]any{"type": "call", "subject": "x", "account_id": acc.ID, "owner_id": o}
			}},
		}
		cases := []struct {
			who    string
			c      *client
			owner  int64
			status int
			field  string
		}{
			{"rep A for B", a, repB.ID, 403, ""},
			{"rep A for C", a, repC.ID, 403, ""},
			{"rep A for the manager", a, mgrU.ID, 403, ""},
			{"rep A for themselves", a, repA.ID, 201, ""},
			{"manager for A", mgr, repA.ID, 201, ""},
			{"manager for themselves", mgr, mgrU.ID, 201, ""},
			{"manager for C", mgr, repC.ID, 403, ""},
			{"manager for the admin", mgr, root.ID, 403, ""},
			{"manager for nobody", mgr, 99999999, 400, "owner_id"},
			{"manager for a disabled member", mgr, gone.ID, 400, "owner_id"},
			{"admin for C", admin, repC.ID, 201, ""},
			{"admin for a disabled user", admin, gone.ID, 400, "owner_id"},
		}
		for _, cr := range creates {
			for _, tc := range cases {
				func() {
					defer inCase(t, "%s: %s", cr.path, tc.who)()
					r := tc.c.do("POST", cr.path, cr.body(tc.owner))
					switch {
					case tc.status == 201:
						var got struct {
							OwnerID int64 `json:"owner_id"`
						}
						r.ok(201, &got)
						if got.OwnerID != tc.owner {
							t.Fatalf("owner %d, want %d", got.OwnerID, tc.owner)
						}
					case tc.field != "":
						r.failField(tc.field)
					default:
						r.fail(tc.status, "forbidden")
					}
				}()
			}
		}
		// Rep C's deal on A's account: made by the admin, it is C's to see,
		// not A's, though A owns the account.
		var p crm.Page[crm.Deal]
		c.do("GET", "/api/v1/deals", nil).ok(200, &p)
		if len(p.Items) != 1 || p.Items[0].OwnerID != repC.ID {
			t.Fatalf("rep C's deals: %+v", p.Items)
		}

		// Reassigning follows the same rules and is audited for deals.
		d := mkDeal(a, acc.ID, "要转手的商机")
		dp := fmt.Sprintf("/api/v1/deals/%d", d.ID)
		a.do("PATCH", dp, map[string]any{"version": 1, "owner_id": repB.ID}).fail(403, "forbidden")
		a.do("PATCH", dp, map[string]any{"version": 1, "owner_id": repA.ID}).ok(200, nil) // to oneself: no change of owner
		mgr.do("PATCH", dp, map[string]any{"version": 2, "owner_id": repC.ID}).fail(403, "forbidden")
		var moved crm.Deal
		mgr.do("PATCH", dp, map[string]any{"version": 2, "owner_id": repB.ID}).ok(200, &moved)
		if moved.OwnerID != repB.ID || moved.Version != 3 {
			t.Fatalf("reassigned %+v", moved)
		}
		a.do("GET", dp, nil).fail(404, "not_found")
		b.do("GET", dp, nil).ok(200, nil)
		var hist crm.Page[crm.AuditEntry]
		b.do("GET", dp+"/history", nil).ok(200, &hist)
		if len(hist.Items) != 1 || hist.Items[0].Action != "reassign" || hist.Items[0].ActorID != mgrU.ID ||
			hist.Items[0].Before != fmt.Sprintf(`{"owner_id":%d}`, repA.ID) || hist.Items[0].After != fmt.Sprintf(`{"owner_id":%d}`, repB.ID) {
			t.Fatalf("reassign history %+v", hist.Items)
		}
		admin.do("PATCH", dp, map[string]any{"version": 3, "owner_id": repC.ID}).ok(200, nil)
		mgr.do("GET", dp, nil).fail(404, "not_found")
		c.do("GET", dp, nil).ok(200, nil)

		// Accounts and activities too.
		ap := fmt.Sprintf("/api/v1/accounts/%d", acc.ID)
		a.do("PATCH", ap, map[string]any{"version": 1, "owner_id": repB.ID}).fail(403, "forbidden")
		mgr.do("PATCH", ap, map[string]any{"version": 1, "owner_id": repC.ID}).fail(403, "forbidden")
		mgr.do("PATCH", ap, map[string]any{"version": 1, "owner_id": 0}).failField("owner_id")
		var got crm.Account
		a.do("GET", ap, nil).ok(200, &got)
		if got.OwnerID != repA.ID || got.Version != 1 {
			t.Fatalf("refused reassignments changed %+v", got)
		}
		act := mkActivity(a, map[string]any{"type": "call", "subject": "回访"})
		tp := fmt.Sprintf("/api/v1/activities/%d", act.ID)
		a.do("PATCH", tp, map[string]any{"version": 1, "owner_id": mgrU.ID}).fail(403, "forbidden")
		mgr.do("PATCH", tp, map[string]any{"version": 1, "owner_id": repC.ID}).fail(403, "forbidden")
		mgr.do("PATCH", tp, map[string]any{"version": 1, "owner_id": repB.ID}).ok(200, nil)
		b.do("GET", tp, nil).ok(200, nil)
		a.do("GET", tp, nil).fail(404, "not_found")
	})
}
