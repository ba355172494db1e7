package store_test

import (
	"context"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/dealpath/dealpath/internal/crm"
	"github.com/dealpath/dealpath/internal/store"
	"github.com/dealpath/dealpath/internal/store/storetest"
)

func productID(p *crm.Product) int64 { return p.ID }

// mustProduct creates a product directly in the store.
func mustProduct(t *testing.T, db *store.DB, code string, price int64) *crm.Product {
	t.Helper()
	p := &crm.Product{Version: 1, Code: code, Name: crm.LocalName{ZH: "产品 " + code, EN: "Product " + code}, Kind: "software_module",
		Unit: "set", ListPrice: price, Active: true, CreatedAt: t0, UpdatedAt: t0}
	if err := db.CreateProduct(context.Background(), p); err != nil {
		t.Fatalf("create product: %v", err)
	}
	return p
}

func TestProducts(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		admin := mustUser(t, db, "root", crm.RoleAdmin, nil)
		fin := &crm.Product{Version: 1, Code: "FIN-01", Name: crm.LocalName{ZH: "财务模块", EN: "Finance module"}, Kind: "software_module",
			Unit: "set", ListPrice: 3_800_000, Active: true, CreatedAt: t0, UpdatedAt: t0}
		if err := db.CreateProduct(ctx, fin); err != nil || fin.ID == 0 {
			t.Fatalf("create: %v %+v", err, fin)
		}
		got, err := db.ProductByID(ctx, fin.ID)
		if err != nil || !reflect.DeepEqual(got, fin) {
			t.Fatalf("round trip: %v\n got %+v\nwant %+v", err, got, fin)
		}
		dup := *fin
		wantField(t, db.CreateProduct(ctx, &dup), crm.ECONFLICT, "code")
		_, err = db.ProductByID(ctx, 99999)
		wantCode(t, err, crm.ENOTFOUND)

		inv := mustProduct(t, db, "INV-01", 2_000_000)
		day := &crm.Product{Version: 1, Code: "IMPL-DAY", Name: crm.LocalName{ZH: "实施服务", EN: "Implementation day"}, Kind: "implementation_day",
			Unit: "person_day", ListPrice: 150_000, Active: false, CreatedAt: t0, UpdatedAt: t0}
		if err := db.CreateProduct(ctx, day); err != nil {
			t.Fatal(err)
		}
		byID, err := db.ProductsByIDs(ctx, []int64{fin.ID, day.ID, 99999})
		if err != nil || len(byID) != 2 || byID[fin.ID].Code != "FIN-01" || byID[day.ID].Active {
			t.Fatalf("by ids: %v %+v", err, byID)
		}
		if none, err := db.ProductsByIDs(ctx, nil); err != nil || len(none) != 0 {
			t.Fatalf("by no ids: %v %v", none, err)
		}

		list := func(f crm.ProductFilter) []int64 {
			t.Helper()
			if f.Limit == 0 {
				f.Limit = 50
			}
			p, err := db.ListProducts(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			var ids []int64
			for _, it := range p.Items {
				ids = append(ids, it.ID)
			}
			return ids
		}
		yes, no := true, false
		for _, tc := range []struct {
			name string
			f    crm.ProductFilter
			want []int64
		}{
			{"all by code", crm.ProductFilter{}, []int64{fin.ID, day.ID, inv.ID}},
			{"active", crm.ProductFilter{Active: &yes}, []int64{fin.ID, inv.ID}},
			{"inactive", crm.ProductFilter{Active: &no}, []int64{day.ID}},
			{"kind", crm.ProductFilter{Kind: "implementation_day"}, []int64{day.ID}},
			{"q on the code", crm.ProductFilter{ListParams: crm.ListParams{Q: "fin-"}}, []int64{fin.ID}},
			{"q on the Chinese name", crm.ProductFilter{ListParams: crm.ListParams{Q: "实施"}}, []int64{day.ID}},
			{"q on the English name", crm.ProductFilter{ListParams: crm.ListParams{Q: "MODULE"}}, []int64{fin.ID}},
			{"q with a wildcard", crm.ProductFilter{ListParams: crm.ListParams{Q: "%"}}, nil},
			{"by price, descending", crm.ProductFilter{ListParams: crm.ListParams{Sort: "-list_price"}}, []int64{fin.ID, inv.ID, day.ID}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				if got := list(tc.f); !reflect.DeepEqual(got, tc.want) {
					t.Fatalf("got %v, want %v", got, tc.want)
				}
			})
		}
		for i := range 7 {
			mustProduct(t, db, fmt.Sprintf("EQ-%02d", i), int64(i%3)*100)
		}
		for _, sort := range []string{"code", "-code", "list_price", "-list_price", "name", "created_at", "-updated_at"} {
			ids := walkPages(t, 3, productID, func(cursor string) (*crm.Page[*crm.Product], error) {
				return db.ListProducts(ctx, crm.ProductFilter{ListParams: crm.ListParams{Limit: 3, Sort: sort, Cursor: cursor}})
			})
			if len(ids) != 10 {
				t.Fatalf("sort %s: %d products through the pages", sort, len(ids))
			}
		}

		upd := *fin
		upd.ListPrice, upd.Active, upd.UpdatedAt = 4_200_000, false, t0.Add(time.Hour)
		audit := &crm.AuditEntry{ActorID: admin.ID, EntityType: "product", EntityID: fin.ID, Action: "update", After: `{"list_price":4200000}`, CreatedAt: upd.UpdatedAt}
		if err := db.UpdateProduct(ctx, &upd, 1, audit); err != nil || upd.Version != 2 {
			t.Fatalf("update: %v, version %d", err, upd.Version)
		}
		wantAudit(t, db, "product", fin.ID, 1)
		stale := upd
		wantCode(t, db.UpdateProduct(ctx, &stale, 1, audit), crm.ECONFLICT)
		taken := upd
		taken.Code = "INV-01"
		wantField(t, db.UpdateProduct(ctx, &taken, 2, audit), crm.ECONFLICT, "code")
		missing := upd
		missing.ID = 99999
		wantCode(t, db.UpdateProduct(ctx, &missing, 1, audit), crm.ENOTFOUND)
		wantAudit(t, db, "product", fin.ID, 1) // refused updates leave no trace
		if got, _ := db.ProductByID(ctx, fin.ID); !reflect.DeepEqual(got, &upd) {
			t.Fatalf("after refused updates:\n got %+v\nwant %+v", got, &upd)
		}
	})
}
