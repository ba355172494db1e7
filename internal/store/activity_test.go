package store_test

import (
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

func activityID(a *crm.Activity) int64 { return a.ID }

func timep(t time.Time) *time.Time { return &t }

func mustActivity(t *testing.T, db *store.DB, a *crm.Activity) *crm.Activity {
	t.Helper()
	if a.Version == 0 {
		a.Version = 1
	}
	if a.Type == "" {
		a.Type = "call"
	}
	if a.CreatedAt.IsZero() {
		a.CreatedAt, a.UpdatedAt = t0, t0
	}
	if err := db.CreateActivity(context.Background(), a); err != nil {
		t.Fatalf("create activity: %v", err)
	}
	return a
}

func TestActivityRoundTrip(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		team := mustTeam(t, db, "华中")
		owner := mustUser(t, db, "rep1", crm.RoleRep, &team.ID)
		loner := mustUser(t, db, "loner", crm.RoleRep, nil)
		acc := mustAccount(t, db, "武汉示例食品有限公司", owner.ID)
		deal := mustDeal(t, db, &crm.Deal{AccountID: acc.ID, OwnerID: owner.ID, Title: "财务软件"})
		contact := mustContact(t, db, &crm.Contact{AccountID: acc.ID, Name: "陈会计"})
		for _, tc := range []struct {
			name     string
			a        crm.Activity
			wantTeam int64
		}{
			{"every field", crm.Activity{Type: "visit", Subject: "拜访财务部，演示月结流程", DueAt: timep(t0.Add(24 * time.Hour)),
				DoneAt: timep(t0.Add(25*time.Hour + 7*time.Microsecond)), DealID: &deal.ID, AccountID: &acc.ID, ContactID: &contact.ID,
				Notes: "带上报价单。\n客户关心库存核算。", OwnerID: owner.ID, CreatedAt: t0, UpdatedAt: t0.Add(time.Second)}, team.ID},
			{"nothing optional", crm.Activity{Type: "task", Subject: "整理名单", OwnerID: loner.ID, CreatedAt: t0, UpdatedAt: t0}, 0},
			{"account only, open", crm.Activity{Type: "call", Subject: "回访", DueAt: timep(t0), AccountID: &acc.ID, OwnerID: owner.ID,
				CreatedAt: t0, UpdatedAt: t0}, team.ID},
		} {
			t.Run(tc.name, func(t *testing.T) {
				a := tc.a
				a.Version = 1
				if err := db.CreateActivity(ctx, &a); err != nil {
					t.Fatal(err)
				}
				if a.ID == 0 || a.OwnerTeamID != tc.wantTeam {
					t.Fatalf("after create: %+v", a)
				}
				got, err := db.ActivityByID(ctx, a.ID)
				if err != nil {
					t.Fatal(err)
				}
				if !reflect.DeepEqual(got, &a) {
					t.Fatalf("round trip:\n got %+v\nwant %+v", got, &a)
				}
			})
		}
		_, err := db.ActivityByID(ctx, 9999)
		wantCode(t, err, crm.ENOTFOUND)
	})
}

func TestActivityCreateRefusesBadReferences(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		u := mustUser(t, db, "rep1", crm.RoleRep, nil)
		acc := mustAccount(t, db, "甲公司", u.ID)
		deal := mustDeal(t, db, &crm.Deal{AccountID: acc.ID, OwnerID: u.ID, Title: "项目"})
		goneDeal := mustDeal(t, db, &crm.Deal{AccountID: acc.ID, OwnerID: u.ID, Title: "已删除"})
		if err := db.DeleteDeal(ctx, goneDeal.ID, 1, deleteAudit(u.ID, "deal", goneDeal.ID)); err != nil {
			t.Fatal(err)
		}
		goneContact := mustContact(t, db, &crm.Contact{AccountID: acc.ID, Name: "已离职"})
		if err := db.DeleteContact(ctx, goneContact.ID, 1, deleteAudit(u.ID, "contact", goneContact.ID)); err != nil {
			t.Fatal(err)
		}
		missing := int64(9999)
		for _, tc := range []struct {
			name                   string
			deal, account, contact *int64
			owner                  int64
			field                  string
		}{
			{"missing deal", &missing, nil, nil, u.ID, "deal_id"},
			{"deleted deal", &goneDeal.ID, &acc.ID, nil, u.ID, "deal_id"},
			{"missing account", &deal.ID, &missing, nil, u.ID, "account_id"},
			{"missing contact", nil, nil, &missing, u.ID, "contact_id"},
			{"deleted contact", nil, &acc.ID, &goneContact.ID, u.ID, "contact_id"},
			{"missing owner", &deal.ID, &acc.ID, nil, 9999, "owner_id"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				a := &crm.Activity{Version: 1, Type: "call", Subject: "x", DealID: tc.deal, AccountID: tc.account, ContactID: tc.contact,
					OwnerID: tc.owner, CreatedAt: t0, UpdatedAt: t0}
				wantField(t, db.CreateActivity(ctx, a), crm.EINVALID, tc.field)
			})
		}
		p, err := db.ListActivities(ctx, crm.ActivityFilter{Scope: crm.Scope{All: true}, ListParams: crm.ListParams{Limit: 10, WithTotal: true}})
		if err != nil || *p.Total != 0 {
			t.Fatalf("activities after refused creates: %+v, %v", p, err)
		}
	})
}

func TestActivityUpdateAndDelete(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		north := mustTeam(t, db, "华北")
		south := mustTeam(t, db, "华南")
		r1 := mustUser(t, db, "r1", crm.RoleRep, &north.ID)
		r2 := mustUser(t, db, "r2", crm.RoleRep, &south.ID)
		acc := mustAccount(t, db, "甲公司", r1.ID)
		a := mustActivity(t, db, &crm.Activity{Type: "call", Subject: "电话", DueAt: timep(t0), AccountID: &acc.ID, OwnerID: r1.ID})
		reread := func() *crm.Activity {
			t.Helper()
			got, err := db.ActivityByID(ctx, a.ID)
			if err != nil {
				t.Fatal(err)
			}
			return got
		}

		// Every writable field changes: the due time is cleared, the done
		// time set, the owner moves to another team.
		upd := *a
		upd.Type, upd.Subject, upd.DueAt, upd.DoneAt = "meeting", "签约会议", nil, timep(t0.Add(2*time.Hour))
		upd.Notes, upd.OwnerID, upd.UpdatedAt = "已签字", r2.ID, t0.Add(3*time.Hour)
		if err := db.UpdateActivity(ctx, &upd, 1); err != nil {
			t.Fatal(err)
		}
		if upd.Version != 2 || upd.OwnerTeamID != south.ID {
			t.Fatalf("after update: version %d, owner team %d", upd.Version, upd.OwnerTeamID)
		}
		if got := reread(); !reflect.DeepEqual(got, &upd) {
			t.Fatalf("after update:\n got %+v\nwant %+v", got, &upd)
		}

		// Links are fixed: an update does not write them.
		moved := upd
		moved.AccountID = nil
		if err := db.UpdateActivity(ctx, &moved, 2); err != nil {
			t.Fatal(err)
		}
		if got := reread(); got.AccountID == nil || *got.AccountID != acc.ID {
			t.Fatalf("update changed the links: %+v", got)
		}
		upd.Version = 3

		for _, tc := range []struct {
			name        string
			id, version int64
			owner       int64
			code        string
		}{
			{"stale version", a.ID, 2, r1.ID, crm.ECONFLICT},
			{"missing activity", 9999, 1, r1.ID, crm.ENOTFOUND},
			{"unknown owner", a.ID, 3, 9999, crm.EINVALID},
		} {
			t.Run("update "+tc.name, func(t *testing.T) {
				x := upd
				x.ID, x.OwnerID, x.Subject, x.UpdatedAt = tc.id, tc.owner, "不应写入", t0.Add(9*time.Hour)
				wantCode(t, db.UpdateActivity(ctx, &x, tc.version), tc.code)
				if got := reread(); !reflect.DeepEqual(got, &upd) {
					t.Fatalf("refused update changed the activity:\n got %+v\nwant %+v", got, &upd)
				}
			})
		}

		// Delete: refused when stale or missing, then soft and audited.
		wantCode(t, db.DeleteActivity(ctx, a.ID, 1, deleteAudit(r2.ID, "activity", a.ID)), crm.ECONFLICT)
		wantCode(t, db.DeleteActivity(ctx, 9999, 1, deleteAudit(r2.ID, "activity", 9999)), crm.ENOTFOUND)
		wantAudit(t, db, "activity", a.ID, 0)
		if err := db.DeleteActivity(ctx, a.ID, 3, deleteAudit(r2.ID, "activity", a.ID)); err != nil {
			t.Fatal(err)
		}
		_, err := db.ActivityByID(ctx, a.ID)
		wantCode(t, err, crm.ENOTFOUND)
		wantCode(t, db.UpdateActivity(ctx, &upd, 4), crm.ENOTFOUND)
		wantCode(t, db.DeleteActivity(ctx, a.ID, 4, deleteAudit(r2.ID, "activity", a.ID)), crm.ENOTFOUND)
		log := wantAudit(t, db, "activity", a.ID, 1)
		if log[0].Action != "delete" || log[0].ActorID != r2.ID {
			t.Fatalf("audit row: %+v", log[0])
		}
		p, err := db.ListActivities(ctx, crm.ActivityFilter{Scope: crm.Scope{All: true}, ListParams: crm.ListParams{Limit: 10, WithTotal: true}})
		if err != nil || *p.Total != 0 {
			t.Fatalf("list after delete: %+v, %v", p, err)
		}
	})
}

func TestActivityList(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		team := mustTeam(t, db, "华东")
		r1 := mustUser(t, db, "r1", crm.RoleRep, &team.ID)
		r2 := mustUser(t, db, "r2", crm.RoleRep, &team.ID)
		r3 := mustUser(t, db, "r3", crm.RoleRep, nil)
		m := mustUser(t, db, "m", crm.RoleManager, &team.ID)
		owners := []*crm.User{r1, r2, r3, m}
		acc1, acc2 := mustAccount(t, db, "一号公司", r1.ID), mustAccount(t, db, "二号公司", r3.ID)
		d1 := mustDeal(t, db, &crm.Deal{AccountID: acc1.ID, OwnerID: r1.ID, Title: "一号商机"})
		c1 := mustContact(t, db, &crm.Contact{AccountID: acc1.ID, Name: "张三"})
		c2 := mustContact(t, db, &crm.Contact{AccountID: acc2.ID, Name: "李四"})
		types := []string{"call", "visit", "email", "demo", "task"}
		dues := []*time.Time{nil, timep(t0.Add(48 * time.Hour)), timep(t0), nil, timep(t0.Add(48 * time.Hour)), timep(t0.Add(-time.Hour))}
		dones := []*time.Time{nil, nil, timep(t0.Add(time.Hour)), timep(t0.Add(2 * time.Hour)), nil, timep(t0.Add(time.Hour)), nil}

		// Due and done times repeat and are often unknown, so pages end
		// among equal keys and among the NULLs.
		var all []*crm.Activity
		for i := range 29 {
			a := &crm.Activity{Type: types[i%len(types)], Subject: fmt.Sprintf("跟进%02d", i%8), DueAt: dues[i%len(dues)],
				DoneAt: dones[i%len(dones)], OwnerID: owners[i%len(owners)].ID,
				CreatedAt: t0.Add(time.Duration(i%4) * time.Hour), UpdatedAt: t0.Add(time.Duration(i%6) * time.Minute)}
			switch i % 4 {
			case 0:
				a.DealID, a.AccountID = &d1.ID, &acc1.ID
			case 1:
				a.ContactID, a.AccountID = &c1.ID, &acc1.ID
			case 2:
				a.ContactID, a.AccountID = &c2.ID, &acc2.ID
			}
			all = append(all, mustActivity(t, db, a))
		}
		all = append(all, mustActivity(t, db, &crm.Activity{Subject: "Send 10%_discount offer", OwnerID: r1.ID}))
		gone := mustActivity(t, db, &crm.Activity{Subject: "跟进00", OwnerID: r1.ID})
		if err := db.DeleteActivity(ctx, gone.ID, 1, deleteAudit(r1.ID, "activity", gone.ID)); err != nil {
			t.Fatal(err)
		}

		keys := map[string]func(a *crm.Activity) string{
			"due_at":     func(a *crm.Activity) string { return nullTimeKey(a.DueAt) },
			"done_at":    func(a *crm.Activity) string { return nullTimeKey(a.DoneAt) },
			"created_at": func(a *crm.Activity) string { return timeKey(a.CreatedAt) },
			"updated_at": func(a *crm.Activity) string { return timeKey(a.UpdatedAt) },
			"subject":    func(a *crm.Activity) string { return a.Subject },
		}
		for _, sort := range []string{"", "due_at", "-due_at", "done_at", "-done_at", "created_at", "-created_at",
			"updated_at", "-updated_at", "subject", "-subject"} {
			for _, limit := range []int{1, 5} {
				t.Run(fmt.Sprintf("sort=%s/limit=%d", sort, limit), func(t *testing.T) {
					field, desc := sort, false
					if field == "" {
						field = "due_at"
					} else if field[0] == '-' {
						field, desc = field[1:], true
					}
					var items []keyed
					for _, a := range all {
						items = append(items, keyed{keys[field](a), a.ID})
					}
					got := walkPages(t, limit, activityID, func(cursor string) (*crm.Page[*crm.Activity], error) {
						return db.ListActivities(ctx, crm.ActivityFilter{Scope: crm.Scope{All: true}, ListParams: crm.ListParams{Limit: limit, Sort: sort, Cursor: cursor}})
					})
					if want := wantOrder(items, desc); !slices.Equal(got, want) {
						t.Fatalf("order\n got %v\nwant %v", got, want)
					}
				})
			}
		}

		// The open list, due first, pages like the unfiltered one.
		t.Run("open pages", func(t *testing.T) {
			var items []keyed
			for _, a := range all {
				if a.DoneAt == nil {
					items = append(items, keyed{nullTimeKey(a.DueAt), a.ID})
				}
			}
			open := true
			got := walkPages(t, 3, activityID, func(cursor string) (*crm.Page[*crm.Activity], error) {
				return db.ListActivities(ctx, crm.ActivityFilter{Scope: crm.Scope{All: true}, Open: &open, ListParams: crm.ListParams{Limit: 3, Cursor: cursor}})
			})
			if want := wantOrder(items, false); !slices.Equal(got, want) {
				t.Fatalf("order\n got %v\nwant %v", got, want)
			}
		})

		yes, no := true, false
		since := t0.Add(3 * time.Minute)
		eq := func(p *int64, v int64) bool { return p != nil && *p == v }
		teamOf := map[int64]int64{r1.ID: team.ID, r2.ID: team.ID, m.ID: team.ID}
		for _, tc := range []struct {
			name string
			f    crm.ActivityFilter
			want func(a *crm.Activity) bool
		}{
			{"all", crm.ActivityFilter{Scope: crm.Scope{All: true}}, func(a *crm.Activity) bool { return true }},
			{"rep scope", crm.ActivityFilter{Scope: crm.Scope{OwnerID: r3.ID}}, func(a *crm.Activity) bool { return a.OwnerID == r3.ID }},
			{"team scope", crm.ActivityFilter{Scope: crm.Scope{TeamID: team.ID, OwnerID: m.ID}}, func(a *crm.Activity) bool { return a.OwnerID != r3.ID }},
			{"owner", crm.ActivityFilter{Scope: crm.Scope{All: true}, OwnerID: &r2.ID}, func(a *crm.Activity) bool { return a.OwnerID == r2.ID }},
			{"owner outside scope", crm.ActivityFilter{Scope: crm.Scope{OwnerID: r1.ID}, OwnerID: &r2.ID}, func(a *crm.Activity) bool { return false }},
			{"deal", crm.ActivityFilter{Scope: crm.Scope{All: true}, DealID: &d1.ID}, func(a *crm.Activity) bool { return eq(a.DealID, d1.ID) }},
			{"account", crm.ActivityFilter{Scope: crm.Scope{All: true}, AccountID: &acc1.ID}, func(a *crm.Activity) bool { return eq(a.AccountID, acc1.ID) }},
			{"contact", crm.ActivityFilter{Scope: crm.Scope{All: true}, ContactID: &c2.ID}, func(a *crm.Activity) bool { return eq(a.ContactID, c2.ID) }},
			{"type", crm.ActivityFilter{Scope: crm.Scope{All: true}, Type: "demo"}, func(a *crm.Activity) bool { return a.Type == "demo" }},
			{"open", crm.ActivityFilter{Scope: crm.Scope{All: true}, Open: &yes}, func(a *crm.Activity) bool { return a.DoneAt == nil }},
			{"done", crm.ActivityFilter{Scope: crm.Scope{All: true}, Open: &no}, func(a *crm.Activity) bool { return a.DoneAt != nil }},
			{"open, of an account, in rep scope", crm.ActivityFilter{Scope: crm.Scope{OwnerID: r1.ID}, Open: &yes, AccountID: &acc1.ID},
				func(a *crm.Activity) bool { return a.DoneAt == nil && eq(a.AccountID, acc1.ID) && a.OwnerID == r1.ID }},
			{"updated since", crm.ActivityFilter{Scope: crm.Scope{All: true}, ListParams: crm.ListParams{UpdatedSince: &since}},
				func(a *crm.Activity) bool { return !a.UpdatedAt.Before(since) }},
			{"search chinese", crm.ActivityFilter{Scope: crm.Scope{All: true}, ListParams: crm.ListParams{Q: "进07"}}, func(a *crm.Activity) bool { return a.Subject == "跟进07" }},
			{"search literal wildcards", crm.ActivityFilter{Scope: crm.Scope{All: true}, ListParams: crm.ListParams{Q: "10%_d"}},
				func(a *crm.Activity) bool { return a.Subject == "Send 10%_discount offer" }},
			{"search ascii case", crm.ActivityFilter{Scope: crm.Scope{All: true}, ListParams: crm.ListParams{Q: "SEND"}},
				func(a *crm.Activity) bool { return a.Subject == "Send 10%_discount offer" }},
		} {
			t.Run(tc.name, func(t *testing.T) {
				tc.f.Limit, tc.f.WithTotal = crm.MaxLimit, true
				p, err := db.ListActivities(ctx, tc.f)
				if err != nil {
					t.Fatal(err)
				}
				var want []*crm.Activity
				for _, a := range all {
					if tc.want(a) {
						want = append(want, a)
					}
				}
				if got, w := sortedIDs(p.Items, activityID), sortedIDs(want, activityID); !slices.Equal(got, w) || *p.Total != len(w) {
					t.Fatalf("got %v (total %d), want %v", got, *p.Total, w)
				}
				for _, a := range p.Items {
					if a.OwnerTeamID != teamOf[a.OwnerID] {
						t.Fatalf("activity %d: owner team %d, want %d", a.ID, a.OwnerTeamID, teamOf[a.OwnerID])
					}
				}
			})
		}
	})
}
