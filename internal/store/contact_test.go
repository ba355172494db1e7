package store_test

import (
	"cmp"
	"context"
	"fmt"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/dealpath/dealpath/internal/crm"
	"github.com/dealpath/dealpath/internal/store"
	"github.com/dealpath/dealpath/internal/store/storetest"
)

// Helpers shared by the contact, deal and activity tests.

func mustTeam(t *testing.T, db *store.DB, name string) *crm.Team {
	t.Helper()
	team := &crm.Team{Version: 1, Name: name, CreatedAt: t0, UpdatedAt: t0}
	if err := db.CreateTeam(context.Background(), team); err != nil {
		t.Fatalf("create team: %v", err)
	}
	return team
}

func mustContact(t *testing.T, db *store.DB, c *crm.Contact) *crm.Contact {
	t.Helper()
	if c.Version == 0 {
		c.Version = 1
	}
	if c.FunctionalRole == "" {
		c.FunctionalRole = "other"
	}
	if c.CreatedAt.IsZero() {
		c.CreatedAt, c.UpdatedAt = t0, t0
	}
	if err := db.CreateContact(context.Background(), c); err != nil {
		t.Fatalf("create contact: %v", err)
	}
	return c
}

func mustDeal(t *testing.T, db *store.DB, d *crm.Deal) *crm.Deal {
	t.Helper()
	if d.Version == 0 {
		d.Version = 1
	}
	if d.Stage == "" {
		d.Stage = crm.StageProspecting
	}
	if d.CreatedAt.IsZero() {
		d.CreatedAt, d.UpdatedAt = t0, t0
	}
	if d.StageChangedAt.IsZero() {
		d.StageChangedAt = d.CreatedAt
	}
	if err := db.CreateDeal(context.Background(), d); err != nil {
		t.Fatalf("create deal: %v", err)
	}
	return d
}

// deleteAudit is the audit row a delete by actor writes.
func deleteAudit(actor int64, kind string, id int64) *crm.AuditEntry {
	return &crm.AuditEntry{ActorID: actor, EntityType: kind, EntityID: id, Action: "delete", Before: `{"id":1}`, CreatedAt: t0.Add(48 * time.Hour)}
}

// wantField checks the code of a domain error and that it names field.
func wantField(t *testing.T, err error, code, field string) {
	t.Helper()
	wantCode(t, err, code)
	e := err.(*crm.Error)
	if _, ok := e.Fields[field]; !ok {
		t.Fatalf("error %v does not name field %s", err, field)
	}
}

// wantAudit checks the number of audit rows of a record and returns them.
func wantAudit(t *testing.T, db *store.DB, kind string, id int64, n int) []*crm.AuditEntry {
	t.Helper()
	log, err := db.AuditFor(context.Background(), kind, id)
	if err != nil {
		t.Fatal(err)
	}
	if len(log) != n {
		t.Fatalf("%s %d has %d audit rows, want %d: %+v", kind, id, len(log), n, log)
	}
	return log
}

// walkPages lists every page through its cursor and returns the ids in the
// order given. It fails on a repeated id, an over-full page, or a short page
// that still offers a next cursor.
func walkPages[T any](t *testing.T, limit int, id func(T) int64, list func(cursor string) (*crm.Page[T], error)) []int64 {
	t.Helper()
	out := []int64{}
	seen := map[int64]bool{}
	cursor := ""
	for page := 0; page < 1000; page++ {
		p, err := list(cursor)
		if err != nil {
			t.Fatalf("page %d: %v", page, err)
		}
		if len(p.Items) > limit {
			t.Fatalf("page %d has %d items, limit %d", page, len(p.Items), limit)
		}
		for _, it := range p.Items {
			i := id(it)
			if seen[i] {
				t.Fatalf("page %d repeats id %d", page, i)
			}
			seen[i] = true
			out = append(out, i)
		}
		if p.NextCursor == "" {
			return out
		}
		if len(p.Items) != limit {
			t.Fatalf("page %d has %d items and a next cursor", page, len(p.Items))
		}
		cursor = p.NextCursor
	}
	t.Fatal("the cursor never ends")
	return nil
}

// keyed is a record's sort key as text that orders like the SQL key, and
// its id, the tie-breaker.
type keyed struct {
	key string
	id  int64
}

// wantOrder is the order the store must produce: by key, then id; all
// reversed when descending.
func wantOrder(items []keyed, desc bool) []int64 {
	items = slices.Clone(items)
	slices.SortFunc(items, func(a, b keyed) int {
		if c := cmp.Compare(a.key, b.key); c != 0 {
			return c
		}
		return cmp.Compare(a.id, b.id)
	})
	ids := make([]int64, len(items))
	for i, it := range items {
		ids[i] = it.id
	}
	if desc {
		slices.Reverse(ids)
	}
	return ids
}

// Sort keys as ordered text. Unknown dates and times sort last, like the
// sentinel of nullDateSort and nullTimeSort.
func timeKey(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000000Z") }
func intKey(n int64) string      { return fmt.Sprintf("%020d", n) }

func nullTimeKey(t *time.Time) string {
	if t == nil {
		return "9999-12-31T00:00:00.000000Z"
	}
	return timeKey(*t)
}

func nullDateKey(d *crm.Date) string {
	if d == nil {
		return "9999-12-31"
	}
	return d.String()
}

// sortedIDs returns ids in ascending order, for comparing sets.
func sortedIDs[T any](items []T, id func(T) int64) []int64 {
	out := make([]int64, 0, len(items))
	for _, it := range items {
		out = append(out, id(it))
	}
	slices.Sort(out)
	return out
}

func contactID(c *crm.Contact) int64 { return c.ID }

func TestContactRoundTrip(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		team := mustTeam(t, db, "华南")
		owner := mustUser(t, db, "rep1", crm.RoleRep, &team.ID)
		acc := mustAccount(t, db, "深圳示例电子有限公司", owner.ID)
		c := &crm.Contact{Version: 1, AccountID: acc.ID, Name: "王小明", Title: "财务总监", FunctionalRole: "chief_accountant",
			Phone: "+86 755 1234-5678", Email: "wang@example.cn", WeChat: "wxm_1988", Notes: "周五下午方便。\n第二行",
			CreatedAt: t0, UpdatedAt: t0.Add(time.Minute)}
		if err := db.CreateContact(ctx, c); err != nil {
			t.Fatal(err)
		}
		if c.ID == 0 || c.AccountOwnerID != owner.ID || c.AccountOwnerTeamID != team.ID {
			t.Fatalf("after create: %+v", c)
		}
		got, err := db.ContactByID(ctx, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, c) {
			t.Fatalf("round trip:\n got %+v\nwant %+v", got, c)
		}

		// A contact of an account whose owner has no team.
		loner := mustUser(t, db, "loner", crm.RoleRep, nil)
		c2 := mustContact(t, db, &crm.Contact{AccountID: mustAccount(t, db, "无团队公司", loner.ID).ID, Name: "李四"})
		if got, err := db.ContactByID(ctx, c2.ID); err != nil || got.AccountOwnerID != loner.ID || got.AccountOwnerTeamID != 0 || got.Title != "" {
			t.Fatalf("teamless owner: %+v, %v", got, err)
		}

		// Stale version: conflict, and nothing changed.
		upd := crm.Contact{ID: c.ID, AccountID: acc.ID, Name: "王大明", Title: "总经理", FunctionalRole: "general_manager",
			Phone: "13800000000", Email: "", WeChat: "", Notes: "", UpdatedAt: t0.Add(time.Hour),
			CreatedAt: c.CreatedAt, AccountOwnerID: owner.ID, AccountOwnerTeamID: team.ID}
		stale := upd
		wantCode(t, db.UpdateContact(ctx, &stale, 7), crm.ECONFLICT)
		if again, _ := db.ContactByID(ctx, c.ID); !reflect.DeepEqual(again, c) {
			t.Fatalf("stale update changed the contact: %+v", again)
		}
		if err := db.UpdateContact(ctx, &upd, 1); err != nil {
			t.Fatal(err)
		}
		if upd.Version != 2 {
			t.Fatalf("version after update = %d", upd.Version)
		}
		if again, _ := db.ContactByID(ctx, c.ID); !reflect.DeepEqual(again, &upd) {
			t.Fatalf("after update:\n got %+v\nwant %+v", again, &upd)
		}
		wantCode(t, db.UpdateContact(ctx, &crm.Contact{ID: 9999, Name: "x", FunctionalRole: "other", UpdatedAt: t0}, 1), crm.ENOTFOUND)
		_, err = db.ContactByID(ctx, 9999)
		wantCode(t, err, crm.ENOTFOUND)

		// Deleting: stale and unknown are refused without an audit row;
		// then the contact is gone from reads and updates.
		wantCode(t, db.DeleteContact(ctx, c.ID, 1, deleteAudit(owner.ID, "contact", c.ID)), crm.ECONFLICT)
		wantCode(t, db.DeleteContact(ctx, 9999, 1, deleteAudit(owner.ID, "contact", 9999)), crm.ENOTFOUND)
		wantAudit(t, db, "contact", c.ID, 0)
		if err := db.DeleteContact(ctx, c.ID, 2, deleteAudit(owner.ID, "contact", c.ID)); err != nil {
			t.Fatal(err)
		}
		_, err = db.ContactByID(ctx, c.ID)
		wantCode(t, err, crm.ENOTFOUND)
		wantCode(t, db.UpdateContact(ctx, &upd, 2), crm.ENOTFOUND)
		wantCode(t, db.DeleteContact(ctx, c.ID, 3, deleteAudit(owner.ID, "contact", c.ID)), crm.ENOTFOUND)
		log := wantAudit(t, db, "contact", c.ID, 1)
		if log[0].Action != "delete" || log[0].ActorID != owner.ID || log[0].Before != `{"id":1}` {
			t.Fatalf("audit row: %+v", log[0])
		}
	})
}

func TestContactNeedsLiveAccount(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		u := mustUser(t, db, "rep1", crm.RoleRep, nil)
		gone := mustAccount(t, db, "已删除公司", u.ID)
		if err := db.DeleteAccount(ctx, gone.ID, 1, deleteAudit(u.ID, "account", gone.ID)); err != nil {
			t.Fatal(err)
		}
		for name, accountID := range map[string]int64{"missing": 9999, "deleted": gone.ID, "zero": 0} {
			t.Run(name, func(t *testing.T) {
				c := &crm.Contact{Version: 1, AccountID: accountID, Name: "张三", FunctionalRole: "other", CreatedAt: t0, UpdatedAt: t0}
				wantField(t, db.CreateContact(ctx, c), crm.EINVALID, "account_id")
				if c.ID != 0 {
					t.Fatalf("id set on failure: %d", c.ID)
				}
			})
		}
		p, err := db.ListContacts(ctx, crm.ContactFilter{Scope: crm.Scope{All: true}, ListParams: crm.ListParams{Limit: 10, WithTotal: true}})
		if err != nil || *p.Total != 0 {
			t.Fatalf("contacts after refused creates: %+v, %v", p, err)
		}
	})
}

func TestDeleteRefusedWhileReferenced(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		u := mustUser(t, db, "rep1", crm.RoleRep, nil)

		// A contact on a live deal stays; on a deleted deal it may go.
		acc := mustAccount(t, db, "甲公司", u.ID)
		c := mustContact(t, db, &crm.Contact{AccountID: acc.ID, Name: "张三"})
		d := mustDeal(t, db, &crm.Deal{AccountID: acc.ID, OwnerID: u.ID, Title: "ERP 项目"})
		if err := db.AddDealContact(ctx, &crm.DealContact{DealID: d.ID, ContactID: c.ID, Version: 1, BuyingRole: "sponsor",
			Stance: "supports", EngagementStep: "understand", CreatedAt: t0, UpdatedAt: t0}); err != nil {
			t.Fatal(err)
		}
		wantCode(t, db.DeleteContact(ctx, c.ID, 1, deleteAudit(u.ID, "contact", c.ID)), crm.ECONFLICT)
		if got, err := db.ContactByID(ctx, c.ID); err != nil || got.Version != 1 {
			t.Fatalf("refused delete changed the contact: %+v, %v", got, err)
		}
		wantAudit(t, db, "contact", c.ID, 0)
		wantCode(t, db.DeleteAccount(ctx, acc.ID, 1, deleteAudit(u.ID, "account", acc.ID)), crm.ECONFLICT)
		if err := db.DeleteDeal(ctx, d.ID, 1, deleteAudit(u.ID, "deal", d.ID)); err != nil {
			t.Fatal(err)
		}
		if err := db.DeleteContact(ctx, c.ID, 1, deleteAudit(u.ID, "contact", c.ID)); err != nil {
			t.Fatalf("contact of a deleted deal: %v", err)
		}
		if err := db.DeleteAccount(ctx, acc.ID, 1, deleteAudit(u.ID, "account", acc.ID)); err != nil {
			t.Fatalf("account without live records: %v", err)
		}

		// An account is held by either a live deal or a live contact alone.
		for _, tc := range []struct {
			name              string
			withContact, deal bool
		}{{"deal only", false, true}, {"contact only", true, false}} {
			t.Run(tc.name, func(t *testing.T) {
				acc := mustAccount(t, db, "乙公司 "+tc.name, u.ID)
				var release func()
				if tc.deal {
					d := mustDeal(t, db, &crm.Deal{AccountID: acc.ID, OwnerID: u.ID, Title: "续费"})
					release = func() {
						if err := db.DeleteDeal(ctx, d.ID, 1, deleteAudit(u.ID, "deal", d.ID)); err != nil {
							t.Fatal(err)
						}
					}
				}
				if tc.withContact {
					c := mustContact(t, db, &crm.Contact{AccountID: acc.ID, Name: "赵六"})
					release = func() {
						if err := db.DeleteContact(ctx, c.ID, 1, deleteAudit(u.ID, "contact", c.ID)); err != nil {
							t.Fatal(err)
						}
					}
				}
				wantCode(t, db.DeleteAccount(ctx, acc.ID, 1, deleteAudit(u.ID, "account", acc.ID)), crm.ECONFLICT)
				wantAudit(t, db, "account", acc.ID, 0)
				release()
				if err := db.DeleteAccount(ctx, acc.ID, 1, deleteAudit(u.ID, "account", acc.ID)); err != nil {
					t.Fatal(err)
				}
				wantAudit(t, db, "account", acc.ID, 1)
			})
		}
	})
}

func TestContactList(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		team := mustTeam(t, db, "华东")
		r1 := mustUser(t, db, "r1", crm.RoleRep, &team.ID)
		r2 := mustUser(t, db, "r2", crm.RoleRep, &team.ID)
		r3 := mustUser(t, db, "r3", crm.RoleRep, nil)
		m := mustUser(t, db, "m", crm.RoleManager, &team.ID)
		accs := []*crm.Account{mustAccount(t, db, "一号公司", r1.ID), mustAccount(t, db, "二号公司", r2.ID),
			mustAccount(t, db, "三号公司", r3.ID), mustAccount(t, db, "四号公司", r1.ID)}

		// Names, creation and update times repeat, so that pages end inside
		// runs of equal keys and the id must break the ties.
		var all []*crm.Contact
		for i := range 23 {
			created := t0.Add(time.Duration(i%5) * time.Hour)
			c := mustContact(t, db, &crm.Contact{AccountID: accs[i%len(accs)].ID, Name: fmt.Sprintf("联系人%02d", i%7),
				CreatedAt: created, UpdatedAt: created.Add(time.Duration(i%4) * time.Minute)})
			all = append(all, c)
		}
		all = append(all, mustContact(t, db, &crm.Contact{AccountID: accs[0].ID, Name: "Zhang_100% Wei"}))
		gone := mustContact(t, db, &crm.Contact{AccountID: accs[0].ID, Name: "联系人00"})
		if err := db.DeleteContact(ctx, gone.ID, 1, deleteAudit(r1.ID, "contact", gone.ID)); err != nil {
			t.Fatal(err)
		}

		keys := map[string]func(c *crm.Contact) string{
			"name":       func(c *crm.Contact) string { return c.Name },
			"created_at": func(c *crm.Contact) string { return timeKey(c.CreatedAt) },
			"updated_at": func(c *crm.Contact) string { return timeKey(c.UpdatedAt) },
		}
		for _, sort := range []string{"", "name", "-name", "created_at", "-created_at", "updated_at", "-updated_at"} {
			t.Run("sort="+sort, func(t *testing.T) {
				field, desc := sort, false
				if field == "" {
					field = "name"
				} else if field[0] == '-' {
					field, desc = field[1:], true
				}
				var items []keyed
				for _, c := range all {
					items = append(items, keyed{keys[field](c), c.ID})
				}
				got := walkPages(t, 4, contactID, func(cursor string) (*crm.Page[*crm.Contact], error) {
					return db.ListContacts(ctx, crm.ContactFilter{Scope: crm.Scope{All: true}, ListParams: crm.ListParams{Limit: 4, Sort: sort, Cursor: cursor}})
				})
				if want := wantOrder(items, desc); !slices.Equal(got, want) {
					t.Fatalf("order\n got %v\nwant %v", got, want)
				}
			})
		}

		since := t0.Add(2*time.Hour + 2*time.Minute)
		for _, tc := range []struct {
			name string
			f    crm.ContactFilter
			want func(c *crm.Contact) bool
		}{
			{"all", crm.ContactFilter{Scope: crm.Scope{All: true}}, func(c *crm.Contact) bool { return true }},
			{"rep scope", crm.ContactFilter{Scope: crm.Scope{OwnerID: r1.ID}}, func(c *crm.Contact) bool { return c.AccountOwnerID == r1.ID }},
			{"rep without accounts", crm.ContactFilter{Scope: crm.Scope{OwnerID: m.ID}}, func(c *crm.Contact) bool { return false }},
			{"team scope", crm.ContactFilter{Scope: crm.Scope{TeamID: team.ID, OwnerID: m.ID}}, func(c *crm.Contact) bool { return c.AccountOwnerID != r3.ID }},
			{"account", crm.ContactFilter{Scope: crm.Scope{All: true}, AccountID: &accs[3].ID}, func(c *crm.Contact) bool { return c.AccountID == accs[3].ID }},
			{"account outside scope", crm.ContactFilter{Scope: crm.Scope{OwnerID: r1.ID}, AccountID: &accs[2].ID}, func(c *crm.Contact) bool { return false }},
			{"account owner", crm.ContactFilter{Scope: crm.Scope{All: true}, OwnerID: &r1.ID}, func(c *crm.Contact) bool { return c.AccountOwnerID == r1.ID }},
			{"owner in team scope", crm.ContactFilter{Scope: crm.Scope{TeamID: team.ID, OwnerID: m.ID}, OwnerID: &r2.ID}, func(c *crm.Contact) bool { return c.AccountOwnerID == r2.ID }},
			{"updated since", crm.ContactFilter{Scope: crm.Scope{All: true}, ListParams: crm.ListParams{UpdatedSince: &since}},
				func(c *crm.Contact) bool { return !c.UpdatedAt.Before(since) }},
			{"search chinese", crm.ContactFilter{Scope: crm.Scope{All: true}, ListParams: crm.ListParams{Q: "人03"}}, func(c *crm.Contact) bool { return c.Name == "联系人03" }},
			{"search literal wildcards", crm.ContactFilter{Scope: crm.Scope{All: true}, ListParams: crm.ListParams{Q: "_100%"}}, func(c *crm.Contact) bool { return c.Name == "Zhang_100% Wei" }},
			{"search ignores ascii case", crm.ContactFilter{Scope: crm.Scope{All: true}, ListParams: crm.ListParams{Q: " zhang "}}, func(c *crm.Contact) bool { return c.Name == "Zhang_100% Wei" }},
			{"search and account", crm.ContactFilter{Scope: crm.Scope{All: true}, AccountID: &accs[1].ID, ListParams: crm.ListParams{Q: "联系人0"}},
				func(c *crm.Contact) bool { return c.AccountID == accs[1].ID }},
		} {
			t.Run(tc.name, func(t *testing.T) {
				tc.f.Limit, tc.f.WithTotal = crm.MaxLimit, true
				p, err := db.ListContacts(ctx, tc.f)
				if err != nil {
					t.Fatal(err)
				}
				var want []*crm.Contact
				for _, c := range all {
					if tc.want(c) {
						want = append(want, c)
					}
				}
				if got, w := sortedIDs(p.Items, contactID), sortedIDs(want, contactID); !slices.Equal(got, w) || *p.Total != len(w) {
					t.Fatalf("got %v (total %d), want %v", got, *p.Total, w)
				}
				for _, c := range p.Items {
					if c.AccountOwnerID == 0 {
						t.Fatalf("list item without account owner: %+v", c)
					}
				}
			})
		}
	})
}
