package store

import (
	"context"
	"database/sql"

	"github.com/dealpath/dealpath/internal/crm"
)

const productCols = `p.id, p.version, p.code, p.name_zh, p.name_en, p.kind, p.unit, p.list_price, p.active, p.created_at, p.updated_at`

func scanProduct(s interface{ Scan(...any) error }, extra ...any) (*crm.Product, error) {
	p := &crm.Product{}
	dest := []any{&p.ID, &p.Version, &p.Code, &p.Name.ZH, &p.Name.EN, &p.Kind, &p.Unit, &p.ListPrice, &p.Active,
		timeCol{&p.CreatedAt}, timeCol{&p.UpdatedAt}}
	if err := s.Scan(append(dest, extra...)...); err != nil {
		return nil, err
	}
	return p, nil
}

// CreateProduct inserts a product and sets its id; a code already taken is
// a conflict on code.
func (db *DB) CreateProduct(ctx context.Context, p *crm.Product) error {
	err := db.write.QueryRowContext(ctx, db.q(`INSERT INTO products (version, code, name_zh, name_en, kind, unit, list_price, active,
		created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`),
		p.Version, p.Code, p.Name.ZH, p.Name.EN, p.Kind, p.Unit, p.ListPrice, p.Active, db.t(p.CreatedAt), db.t(p.UpdatedAt)).Scan(&p.ID)
	if isUniqueViolation(err) {
		return duplicate("code")
	}
	return err
}

// ProductByID returns a product, active or not.
func (db *DB) ProductByID(ctx context.Context, id int64) (*crm.Product, error) {
	p, err := scanProduct(db.read.QueryRowContext(ctx, db.q("SELECT "+productCols+" FROM products p WHERE p.id = ?"), id))
	if err != nil {
		return nil, notFound(err, "product")
	}
	return p, nil
}

// ProductsByIDs returns the products among ids that exist, by id: one query
// for all the lines of a quote.
func (db *DB) ProductsByIDs(ctx context.Context, ids []int64) (map[int64]*crm.Product, error) {
	out := map[int64]*crm.Product{}
	if len(ids) == 0 {
		return out, nil
	}
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	rows, err := db.read.QueryContext(ctx, db.q("SELECT "+productCols+" FROM products p WHERE p.id IN ("+placeholders(len(ids))+")"), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		p, err := scanProduct(rows)
		if err != nil {
			return nil, err
		}
		out[p.ID] = p
	}
	return out, rows.Err()
}

var productSorts = map[string]sortSpec{
	"code":       textSort("p.code"),
	"name":       textSort("p.name_zh"),
	"list_price": intSort("p.list_price"),
	"created_at": timeSort("p.created_at"),
	"updated_at": timeSort("p.updated_at"),
}

// ListProducts returns one page of the price book. The text search looks
// at the code and both names at once.
func (db *DB) ListProducts(ctx context.Context, f crm.ProductFilter) (*crm.Page[*crm.Product], error) {
	lq := &listQuery{cols: productCols, from: "products p", idCol: "p.id", sorts: productSorts, defSrt: "code"}
	if f.Active != nil {
		lq.and("p.active = ?", *f.Active)
	}
	if f.Kind != "" {
		lq.and("p.kind = ?", f.Kind)
	}
	if f.UpdatedSince != nil {
		lq.and("p.updated_at >= ?", db.t(*f.UpdatedSince))
	}
	lq.search("(p.code || ' ' || p.name_zh || ' ' || p.name_en)", f.Q)
	page := &crm.Page[*crm.Product]{Items: []*crm.Product{}}
	next, total, err := db.run(ctx, lq, f.ListParams, func(rows *sql.Rows, key *any) (int64, error) {
		p, err := scanProduct(rows, key)
		if err != nil {
			return 0, err
		}
		page.Items = append(page.Items, p)
		return p.ID, nil
	})
	if err != nil {
		return nil, err
	}
	page.NextCursor, page.Total = next, total
	return page, nil
}

// UpdateProduct writes a product if its version is still expectVersion,
// with its audit row, in one transaction. Quotes are not touched: their
// lines carry copies of what they need.
func (db *DB) UpdateProduct(ctx context.Context, p *crm.Product, expectVersion int64, audit *crm.AuditEntry) error {
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, db.q(`UPDATE products SET version = version + 1, code = ?, name_zh = ?, name_en = ?, kind = ?,
			unit = ?, list_price = ?, active = ?, updated_at = ? WHERE id = ? AND version = ?`),
			p.Code, p.Name.ZH, p.Name.EN, p.Kind, p.Unit, p.ListPrice, p.Active, db.t(p.UpdatedAt), p.ID, expectVersion)
		if isUniqueViolation(err) {
			return duplicate("code")
		}
		if err != nil {
			return err
		}
		if err := db.rowMiss(ctx, tx, res, "SELECT COUNT(*) FROM products WHERE id = ?", "product", p.ID); err != nil {
			return err
		}
		return db.insertAudit(ctx, tx, audit)
	})
	if err != nil {
		return err
	}
	p.Version = expectVersion + 1
	return nil
}
