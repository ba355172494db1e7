package crm

import (
	"context"
	"regexp"
	"strings"
	"time"
)

// ProductKinds are the kinds of product in the price book (PLAYBOOK.md
// §5.1): software modules such as finance, inventory (进销存) or CRM,
// licences per user or per site, implementation service per person-day,
// supporting equipment (§5.6) and annual maintenance.
var ProductKinds = []string{"software_module", "license_per_user", "license_per_site", "implementation_day", "equipment", "maintenance"}

// ProductUnits are the units a product is sold by. They are keys, not free
// text, so that a printed quote names them in the reader's language (the
// message catalogue's enum.unit.<key>).
var ProductUnits = []string{"set", "user", "site", "person_day", "piece", "year"}

// productCodePattern is what a product code looks like: short, upper case,
// printable on any quote and typeable in any input method.
var productCodePattern = regexp.MustCompile(`^[A-Z0-9-]{2,32}$`)

// LocalName is a name in both languages of the catalogue. JSON carries it
// as {"zh-CN": "…", "en": "…"}, the form the playbook uses for its texts.
type LocalName struct {
	ZH string `json:"zh-CN"`
	EN string `json:"en"`
}

// In returns the name in lang: the English one for "en", else the Chinese
// one, which is also the fallback when an English name is missing.
func (n LocalName) In(lang string) string {
	if lang == "en" && n.EN != "" {
		return n.EN
	}
	return n.ZH
}

// Product is an item of the price book, with its list price in fen. It is
// never deleted, only deactivated: quotes keep referring to it, and a
// product no longer sold must still explain old quotes.
type Product struct {
	ID        int64     `json:"id"`
	Version   int64     `json:"version"`
	Code      string    `json:"code"`
	Name      LocalName `json:"name"`
	Kind      string    `json:"kind"`
	Unit      string    `json:"unit"`
	ListPrice int64     `json:"list_price"`
	Active    bool      `json:"active"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// ProductInput creates a product; Active defaults to true.
type ProductInput struct {
	Code      string    `json:"code"`
	Name      LocalName `json:"name"`
	Kind      string    `json:"kind"`
	Unit      string    `json:"unit"`
	ListPrice int64     `json:"list_price"`
	Active    *bool     `json:"active"`
}

// ProductPatch changes a product. Name, when sent, replaces both languages;
// it is a pointer rather than an Opt so that the strict decoder also
// refuses unknown fields inside it.
type ProductPatch struct {
	Version   int64       `json:"version"`
	Code      Opt[string] `json:"code"`
	Name      *LocalName  `json:"name"`
	Kind      Opt[string] `json:"kind"`
	Unit      Opt[string] `json:"unit"`
	ListPrice Opt[int64]  `json:"list_price"`
	Active    Opt[bool]   `json:"active"`
}

// ProductFilter selects products for a list.
type ProductFilter struct {
	ListParams
	Active *bool
	Kind   string
}

// ProductSortFields are the fields a product list sorts by.
var ProductSortFields = []string{"code", "name", "list_price", "created_at", "updated_at"}

// ProductStore persists the price book.
type ProductStore interface {
	// CreateProduct inserts a product; a code already taken is a conflict
	// on code.
	CreateProduct(ctx context.Context, p *Product) error
	ProductByID(ctx context.Context, id int64) (*Product, error)
	// ProductsByIDs returns the products that exist among ids, by id.
	ProductsByIDs(ctx context.Context, ids []int64) (map[int64]*Product, error)
	ListProducts(ctx context.Context, f ProductFilter) (*Page[*Product], error)
	// UpdateProduct writes the product and its audit row in one
	// transaction if its version is still expectVersion.
	UpdateProduct(ctx context.Context, p *Product, expectVersion int64, audit *AuditEntry) error
}

func (p *Product) normalize() {
	p.Code = strings.ToUpper(clean(p.Code))
	p.Name = LocalName{ZH: clean(p.Name.ZH), EN: clean(p.Name.EN)}
}

func (p *Product) validate() error {
	var v validator
	if !productCodePattern.MatchString(p.Code) {
		v.add("code", "field.product_code")
	}
	v.required("name.zh-CN", p.Name.ZH)
	v.maxLen("name.zh-CN", p.Name.ZH, MaxName)
	v.required("name.en", p.Name.EN)
	v.maxLen("name.en", p.Name.EN, MaxName)
	v.oneOf("kind", p.Kind, ProductKinds, false)
	v.oneOf("unit", p.Unit, ProductUnits, false)
	v.money("list_price", p.ListPrice)
	return v.err()
}

// Product returns a product of the price book; everybody signed in may
// read it, since every rep quotes from it.
func (s *Service) Product(ctx context.Context, actor Actor, id int64) (*Product, error) {
	return s.Store.ProductByID(ctx, id)
}

// Products lists the price book.
func (s *Service) Products(ctx context.Context, actor Actor, f ProductFilter) (*Page[*Product], error) {
	var v validator
	f.normalize(&v, ProductSortFields)
	v.oneOf("kind", f.Kind, ProductKinds, true)
	if err := v.err(); err != nil {
		return nil, err
	}
	return s.Store.ListProducts(ctx, f)
}

// CreateProduct adds a product to the price book; admins only (DESIGN.md:
// the admin keeps the price book).
func (s *Service) CreateProduct(ctx context.Context, actor Actor, in ProductInput) (*Product, error) {
	if !actor.IsAdmin() {
		return nil, Forbidden()
	}
	p := &Product{Code: in.Code, Name: in.Name, Kind: in.Kind, Unit: in.Unit, ListPrice: in.ListPrice, Active: true}
	if in.Active != nil {
		p.Active = *in.Active
	}
	p.normalize()
	if err := p.validate(); err != nil {
		return nil, err
	}
	now := s.now()
	p.CreatedAt, p.UpdatedAt, p.Version = now, now, 1
	if err := s.Store.CreateProduct(ctx, p); err != nil {
		return nil, err
	}
	return p, nil
}

// UpdateProduct changes a product; admins only. Every change is audited
// with the product before and after, so that the history of list prices
// can be told. Quotes are not touched: their lines carry copies.
func (s *Service) UpdateProduct(ctx context.Context, actor Actor, id int64, patch ProductPatch) (*Product, error) {
	if !actor.IsAdmin() {
		return nil, Forbidden()
	}
	p, err := s.Store.ProductByID(ctx, id)
	if err != nil {
		return nil, err
	}
	if err := checkVersion(patch.Version, p.Version); err != nil {
		return nil, err
	}
	// A price or an active flag is never cleared: null would read as a
	// free product or a deactivated one, which nobody means by "no value".
	var v validator
	if patch.ListPrice.Null {
		v.add("list_price", "field.required")
	}
	if patch.Active.Null {
		v.add("active", "field.required")
	}
	if err := v.err(); err != nil {
		return nil, err
	}
	before := *p
	patch.Code.apply(&p.Code)
	if patch.Name != nil {
		p.Name = *patch.Name
	}
	patch.Kind.apply(&p.Kind)
	patch.Unit.apply(&p.Unit)
	patch.ListPrice.apply(&p.ListPrice)
	patch.Active.apply(&p.Active)
	p.normalize()
	if err := p.validate(); err != nil {
		return nil, err
	}
	p.UpdatedAt = s.now()
	audit := s.audit(actor, "product", id, "update", productAuditOf(&before), productAuditOf(p), "")
	if err := s.Store.UpdateProduct(ctx, p, patch.Version, audit); err != nil {
		return nil, err
	}
	return p, nil
}

// productAudit is what the audit log keeps of a product: everything but
// the bookkeeping fields.
type productAudit struct {
	Code      string    `json:"code"`
	Name      LocalName `json:"name"`
	Kind      string    `json:"kind"`
	Unit      string    `json:"unit"`
	ListPrice int64     `json:"list_price"`
	Active    bool      `json:"active"`
}

func productAuditOf(p *Product) productAudit {
	return productAudit{Code: p.Code, Name: p.Name, Kind: p.Kind, Unit: p.Unit, ListPrice: p.ListPrice, Active: p.Active}
}
