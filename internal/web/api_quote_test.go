package web_test

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/dealpath/dealpath/internal/crm"
)

// quoteDesk is a sales team with a price book: an admin, the east team's
// manager and rep (with authority), a rep of the same team and a manager
// and rep of the north team (without), and a deal of the east rep's.
type quoteDesk struct {
	e                       *env
	root, mgr, rep          *client
	rootU, mgrU, repU       *crm.User
	fin, users, day, srv    crm.Product
	acc                     crm.Account
	deal                    crm.Deal
	eastTeamID, northTeamID int64
}

// Authority of the desk: the rep may give 10 %, 30 days and 500,000 yuan
// on credit; the manager 20 %, 90 days and 5,000,000 yuan.
const (
	repBP, repDays, repAmount = 1000, 30, 50_000_000
	mgrBP, mgrDays, mgrAmount = 2000, 90, 500_000_000
)

func newQuoteDesk(e *env) *quoteDesk {
	e.t.Helper()
	east, north := e.team("华东"), e.team("华北")
	d := &quoteDesk{e: e, eastTeamID: east.ID, northTeamID: north.ID}
	d.rootU = e.user("root", crm.RoleAdmin, nil)
	d.mgrU = e.user("mgr", crm.RoleManager, &east.ID)
	d.repU = e.user("rep", crm.RoleRep, &east.ID)
	e.user("rep2", crm.RoleRep, &east.ID)
	e.user("mgr-north", crm.RoleManager, &north.ID)
	e.user("rep-north", crm.RoleRep, &north.ID)
	d.root, d.mgr, d.rep = e.login("root"), e.login("mgr"), e.login("rep")
	setAuthority(d.root, d.repU.ID, repBP, repDays, repAmount)
	setAuthority(d.root, d.mgrU.ID, mgrBP, mgrDays, mgrAmount)
	d.fin = mkProduct(d.root, "FIN-STD", "财务标准版", "software_module", "set", 3_800_000)
	d.users = mkProduct(d.root, "LIC-USER", "用户许可", "license_per_user", "user", 120_000)
	d.day = mkProduct(d.root, "IMPL-DAY", "实施服务", "implementation_day", "person_day", 150_000)
	d.srv = mkProduct(d.root, "SRV-01", "服务器", "equipment", "piece", 2_499_999)
	d.acc = mkAccount(d.rep, "宁波顺达商贸有限公司")
	d.deal = mkDeal(d.rep, d.acc.ID, "进销存系统")
	return d
}

// quoteLine is a quote line as the client writes it.
func quoteLine(p crm.Product, qty int64, bp int) map[string]any {
	return map[string]any{"product_id": p.ID, "quantity": qty, "discount_bp": bp}
}

// mkQuote drafts a quote on a deal with the lines.
func mkQuote(c *client, dealID int64, body map[string]any, lines ...map[string]any) crm.Quote {
	c.e.t.Helper()
	b := map[string]any{"deal_id": dealID, "lines": lines}
	for k, v := range body {
		b[k] = v
	}
	var q crm.Quote
	c.do("POST", "/api/v1/quotes", b).ok(201, &q)
	return q
}

// quoteAct moves a quote through the state machine and returns it; status is
// the expected answer.
func quoteAct(c *client, q crm.Quote, action string, status int) crm.Quote {
	c.e.t.Helper()
	var out crm.Quote
	r := c.do("POST", fmt.Sprintf("/api/v1/quotes/%d/%s", q.ID, action), map[string]any{"version": q.Version})
	if status >= 400 {
		r.ok(status, nil)
		return q
	}
	r.ok(status, &out)
	return out
}

func getQuote(c *client, id int64) crm.Quote {
	c.e.t.Helper()
	var q crm.Quote
	c.do("GET", fmt.Sprintf("/api/v1/quotes/%d", id), nil).ok(200, &q)
	return q
}

func TestQuoteLifecycle(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		d := newQuoteDesk(e)
		q := mkQuote(d.rep, d.deal.ID, map[string]any{"notes": "含首年维护"},
			quoteLine(d.fin, 1, 1000), quoteLine(d.users, 17, 333), quoteLine(d.day, 3, 0))
		if q.State != crm.QuoteDraft || q.Revision != 1 || q.Number != fmt.Sprintf("Q%06d", q.ID) || q.OwnerID != d.repU.ID ||
			q.ValidUntil.String() != "2026-12-02" || q.PaymentDays != 0 || q.Version != 1 || q.ApprovalID != nil {
			t.Fatalf("new quote: %+v", q)
		}
		// The server copies the price book and computes every amount.
		want := []crm.QuoteLine{
			{ProductID: d.fin.ID, ProductCode: "FIN-STD", ProductName: d.fin.Name, Kind: "software_module", Unit: "set", Quantity: 1,
				UnitPrice: 3_800_000, DiscountBP: 1000, ListAmount: 3_800_000, DiscountAmount: 380_000, Total: 3_420_000},
			{ProductID: d.users.ID, ProductCode: "LIC-USER", ProductName: d.users.Name, Kind: "license_per_user", Unit: "user", Quantity: 17,
				UnitPrice: 120_000, DiscountBP: 333, ListAmount: 2_040_000, DiscountAmount: 67_932, Total: 1_972_068},
			{ProductID: d.day.ID, ProductCode: "IMPL-DAY", ProductName: d.day.Name, Kind: "implementation_day", Unit: "person_day", Quantity: 3,
				UnitPrice: 150_000, ListAmount: 450_000, Total: 450_000},
		}
		if !reflect.DeepEqual(q.Lines, want) {
			t.Fatalf("lines:\n got %+v\nwant %+v", q.Lines, want)
		}
		if q.ListTotal != 6_290_000 || q.DiscountTotal != 447_932 || q.Total != 5_842_068 || q.MaxDiscountBP != 1000 {
			t.Fatalf("totals: %d %d %d %d", q.ListTotal, q.DiscountTotal, q.Total, q.MaxDiscountBP)
		}
		if got := getQuote(d.rep, q.ID); !reflect.DeepEqual(got, q) {
			t.Fatalf("read back:\n got %+v\nwant %+v", got, q)
		}

		// A draft changes, versioned.
		var upd crm.Quote
		path := fmt.Sprintf("/api/v1/quotes/%d", q.ID)
		d.rep.do("PATCH", path, map[string]any{"version": 1, "payment_days": 30, "valid_until": "2026-11-30"}).ok(200, &upd)
		d.rep.do("PATCH", path, map[string]any{"version": 1, "notes": "x"}).fail(409, "conflict")
		if upd.Version != 2 || upd.PaymentDays != 30 || upd.ValidUntil.String() != "2026-11-30" || upd.Notes != "含首年维护" || upd.Total != q.Total {
			t.Fatalf("patched: %+v", upd)
		}

		// Moves out of order are conflicts that name the state.
		d.rep.lang = "en"
		r := d.rep.do("POST", path+"/send", map[string]any{"version": 2}).fail(409, "conflict")
		if !strings.Contains(r.Error.Message, "draft") || !strings.Contains(r.Error.Message, "sent") {
			t.Fatalf("message %q", r.Error.Message)
		}
		d.rep.lang = ""
		for _, a := range []string{"accept", "reject", "expire", "revise"} {
			quoteAct(d.rep, upd, a, 409)
		}
		d.rep.do("POST", path+"/submit", map[string]any{}).failField("version")
		d.rep.do("POST", path+"/submit", map[string]any{"version": 1}).fail(409, "conflict")

		// Within the rep's authority (10 %, 30 days, ¥58,420.68 on credit
		// of ¥500,000) submitting approves at once.
		q = quoteAct(d.rep, upd, "submit", 200)
		if q.State != crm.QuoteApproved || q.ApprovalID != nil || q.Version != 3 {
			t.Fatalf("submitted: %+v", q)
		}
		d.rep.do("PATCH", path, map[string]any{"version": 3, "notes": "x"}).fail(409, "conflict")
		for _, a := range []string{"submit", "accept", "reject"} {
			quoteAct(d.rep, q, a, 409)
		}
		q = quoteAct(d.rep, q, "send", 200)
		q = quoteAct(d.rep, q, "accept", 200)
		if q.State != crm.QuoteAccepted {
			t.Fatalf("accepted: %+v", q)
		}
		// Accepted is final.
		for _, a := range []string{"submit", "send", "accept", "reject", "expire", "revise"} {
			quoteAct(d.rep, q, a, 409)
		}
		var hist crm.Page[crm.AuditEntry]
		d.rep.do("GET", path+"/history", nil).ok(200, &hist)
		var actions []string
		for _, h := range hist.Items {
			actions = append(actions, h.Action)
		}
		if strings.Join(actions, ",") != "submit,send,accept" {
			t.Fatalf("history %v", actions)
		}
		if ids := listIDs(d.rep, fmt.Sprintf("/api/v1/quotes?deal_id=%d&state=accepted", d.deal.ID)); len(ids) != 1 || ids[0] != q.ID {
			t.Fatalf("list by deal and state: %v", ids)
		}
	})
}

// TestQuoteKeepsItsPrices: a quote's lines and totals never change when the
// price book does; only lines written again pick up new prices.
func TestQuoteKeepsItsPrices(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		d := newQuoteDesk(e)
		setAuthority(d.root, d.repU.ID, 5000, repDays, repAmount)
		q := mkQuote(d.rep, d.deal.ID, nil, quoteLine(d.fin, 3, 3333), quoteLine(d.users, 7, 1))
		before := getQuote(d.rep, q.ID)

		var p crm.Product
		d.root.do("PATCH", fmt.Sprintf("/api/v1/products/%d", d.fin.ID), map[string]any{"version": 1, "list_price": 9_999_900,
			"name": map[string]string{"zh-CN": "财务旗舰版", "en": "Finance flagship"}, "code": "FIN-MAX"}).ok(200, &p)
		d.root.do("PATCH", fmt.Sprintf("/api/v1/products/%d", d.users.ID), map[string]any{"version": 1, "active": false}).ok(200, nil)
		if got := getQuote(d.rep, q.ID); !reflect.DeepEqual(got, before) {
			t.Fatalf("the price book changed the draft:\n got %+v\nwant %+v", got, before)
		}
		// Issued with its copied prices, revised with them too.
		q = quoteAct(d.rep, before, "submit", 200)
		if q.Total != before.Total || !reflect.DeepEqual(q.Lines, before.Lines) {
			t.Fatalf("submitted: %+v", q)
		}
		rev := quoteAct(d.rep, q, "revise", 201)
		if rev.Revision != 2 || rev.Number != q.Number || rev.Total != before.Total || !reflect.DeepEqual(rev.Lines, before.Lines) {
			t.Fatalf("revision: %+v", rev)
		}
		// Writing the lines again prices them now; the deactivated product
		// can no longer be quoted.
		path := fmt.Sprintf("/api/v1/quotes/%d", rev.ID)
		d.rep.do("PATCH", path, map[string]any{"version": 1, "lines": []any{quoteLine(d.fin, 3, 3333), quoteLine(d.users, 7, 1)}}).failField("lines.1.product_id")
		var upd crm.Quote
		d.rep.do("PATCH", path, map[string]any{"version": 1, "lines": []any{quoteLine(d.fin, 3, 3333)}}).ok(200, &upd)
		// 3 × ¥99,999.00 at 33.33 % off: 29,999,700 × 6667 / 10000 =
		// 20,000,799.99 fen, rounded to 20,000,800.
		if upd.Lines[0].UnitPrice != 9_999_900 || upd.Lines[0].ProductCode != "FIN-MAX" || upd.Total != 20_000_800 {
			t.Fatalf("repriced: %+v", upd)
		}
		if old := getQuote(d.rep, q.ID); !reflect.DeepEqual(old.Lines, before.Lines) || old.Total != before.Total || old.State != crm.QuoteApproved {
			t.Fatalf("the revised quote changed: %+v", old)
		}
	})
}

// TestQuoteRevisions: a revision supersedes its quote, which is frozen and
// no longer counts for the negotiation gate.
func TestQuoteRevisions(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		d := newQuoteDesk(e)
		d.mgr.do("POST", fmt.Sprintf("/api/v1/deals/%d/stage", d.deal.ID), map[string]any{"stage": "negotiation", "override": true, "reason": "老客户续约"}).ok(200, nil)
		gateLacksQuote := func() bool {
			t.Helper()
			var g struct {
				Unmet []unmetAnswer `json:"unmet"`
			}
			d.rep.do("GET", fmt.Sprintf("/api/v1/deals/%d/guidance", d.deal.ID), nil).ok(200, &g)
			return slices.ContainsFunc(g.Unmet, func(u unmetAnswer) bool { return u.Key == "quote_approved" })
		}
		if !gateLacksQuote() {
			t.Fatal("a deal without a quote meets quote_approved")
		}
		q := mkQuote(d.rep, d.deal.ID, nil, quoteLine(d.fin, 1, 500))
		if !gateLacksQuote() {
			t.Fatal("a draft meets quote_approved")
		}
		q = quoteAct(d.rep, q, "submit", 200)
		if gateLacksQuote() {
			t.Fatal("an approved quote does not meet quote_approved")
		}
		q = quoteAct(d.rep, q, "send", 200)
		if gateLacksQuote() {
			t.Fatal("a sent quote does not meet quote_approved")
		}
		rev := quoteAct(d.rep, q, "revise", 201)
		if rev.State != crm.QuoteDraft || rev.Revision != 2 || rev.RevisedFrom == nil || *rev.RevisedFrom != q.ID {
			t.Fatalf("revision: %+v", rev)
		}
		old := getQuote(d.rep, q.ID)
		if old.State != crm.QuoteSent || old.SupersededBy == nil || *old.SupersededBy != rev.ID || old.Version != q.Version+1 {
			t.Fatalf("revised quote: %+v", old)
		}
		if !gateLacksQuote() {
			t.Fatal("a superseded quote still meets quote_approved")
		}
		// The old revision is frozen; the new draft is changed, not revised.
		for _, a := range []string{"accept", "reject", "expire", "revise"} {
			quoteAct(d.rep, old, a, 409)
		}
		quoteAct(d.rep, rev, "revise", 409)
		rev = quoteAct(d.rep, rev, "submit", 200)
		if gateLacksQuote() {
			t.Fatal("the approved revision does not meet quote_approved")
		}
		var hist crm.Page[crm.AuditEntry]
		d.rep.do("GET", fmt.Sprintf("/api/v1/quotes/%d/history", rev.ID), nil).ok(200, &hist)
		if len(hist.Items) != 2 || hist.Items[0].Action != "create_revision" || hist.Items[1].Action != "submit" {
			t.Fatalf("revision history: %+v", hist.Items)
		}
		// The customer declines; a revision answers.
		rev = quoteAct(d.rep, rev, "send", 200)
		var declined crm.Quote
		d.rep.do("POST", fmt.Sprintf("/api/v1/quotes/%d/reject", rev.ID), map[string]any{"version": rev.Version, "comment": "价格太高"}).ok(200, &declined)
		if declined.State != crm.QuoteRejected {
			t.Fatalf("declined: %+v", declined)
		}
		third := quoteAct(d.rep, declined, "revise", 201)
		if third.Revision != 3 || third.Number != q.Number {
			t.Fatalf("third revision: %+v", third)
		}
		if n := listTotal(d.rep, fmt.Sprintf("/api/v1/quotes?deal_id=%d", d.deal.ID)); n != 3 {
			t.Fatalf("%d quotes on the deal", n)
		}
	})
}

// TestQuoteValidity: a quote is valid until a day; after it, it is not sent
// or accepted but expired and revised.
func TestQuoteValidity(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		d := newQuoteDesk(e)
		d.rep.do("POST", "/api/v1/quotes", map[string]any{"deal_id": d.deal.ID, "valid_until": "2026-11-01", "lines": []any{quoteLine(d.fin, 1, 0)}}).failField("valid_until")
		q := mkQuote(d.rep, d.deal.ID, map[string]any{"valid_until": "2026-11-04"}, quoteLine(d.fin, 1, 0))
		late := mkQuote(d.rep, d.deal.ID, map[string]any{"valid_until": "2026-11-03"}, quoteLine(d.fin, 1, 0))
		sent := quoteAct(d.rep, quoteAct(d.rep, mkQuote(d.rep, d.deal.ID, map[string]any{"valid_until": "2026-11-04"}, quoteLine(d.fin, 2, 0)), "submit", 200), "send", 200)
		q = quoteAct(d.rep, q, "submit", 200)
		quoteAct(d.rep, q, "expire", 409) // still valid

		e.clock.Add(5 * 24 * time.Hour)
		d.rep = e.login("rep")
		d.rep.lang = "en"
		r := d.rep.do("POST", fmt.Sprintf("/api/v1/quotes/%d/send", q.ID), map[string]any{"version": q.Version}).fail(409, "conflict")
		if !strings.Contains(r.Error.Message, "2026-11-04") {
			t.Fatalf("lapsed: %q", r.Error.Message)
		}
		quoteAct(d.rep, sent, "accept", 409)
		quoteAct(d.rep, late, "submit", 400) // a draft whose day has passed
		q = quoteAct(d.rep, q, "expire", 200)
		sent = quoteAct(d.rep, sent, "expire", 200)
		if q.State != crm.QuoteExpired || sent.State != crm.QuoteExpired {
			t.Fatalf("expired: %s %s", q.State, sent.State)
		}
		rev := quoteAct(d.rep, q, "revise", 201)
		if rev.ValidUntil.String() != "2026-12-07" {
			t.Fatalf("a revision of a lapsed quote is valid until %s", rev.ValidUntil)
		}
	})
}

// TestQuoteVisibility: a quote is seen and worked on by whoever may see its
// deal, and by nobody else, who cannot tell it from a missing one.
func TestQuoteVisibility(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		d := newQuoteDesk(e)
		q := mkQuote(d.rep, d.deal.ID, nil, quoteLine(d.fin, 1, 0))
		path := fmt.Sprintf("/api/v1/quotes/%d", q.ID)
		for _, name := range []string{"rep2", "rep-north", "mgr-north"} {
			c := e.login(name)
			c.do("GET", path, nil).fail(404, "not_found")
			c.do("GET", path+"/history", nil).fail(404, "not_found")
			c.do("GET", fmt.Sprintf("/quotes/%d/print", q.ID), nil).fail(404, "not_found")
			c.do("PATCH", path, map[string]any{"version": 1, "notes": "x"}).fail(404, "not_found")
			for _, a := range []string{"submit", "send", "accept", "reject", "expire", "revise"} {
				c.do("POST", path+"/"+a, map[string]any{"version": 1}).fail(404, "not_found")
			}
			if ids := listIDs(c, "/api/v1/quotes"); len(ids) != 0 {
				t.Fatalf("%s lists %v", name, ids)
			}
			// Nor may they quote on the deal.
			c.do("POST", "/api/v1/quotes", map[string]any{"deal_id": d.deal.ID, "lines": []any{quoteLine(d.fin, 1, 0)}}).failField("deal_id")
		}
		// The team's manager and the admin see it; the manager may work on it.
		for _, c := range []*client{d.mgr, d.root} {
			if got := getQuote(c, q.ID); got.ID != q.ID {
				t.Fatal("not seen")
			}
			if ids := listIDs(c, fmt.Sprintf("/api/v1/quotes?owner_id=%d", d.repU.ID)); len(ids) != 1 {
				t.Fatalf("owner filter: %v", ids)
			}
		}
		var upd crm.Quote
		d.mgr.do("PATCH", path, map[string]any{"version": 1, "notes": "经理补充"}).ok(200, &upd)
		if ids := listIDs(d.rep, fmt.Sprintf("/api/v1/quotes?owner_id=%d", d.mgrU.ID)); len(ids) != 0 {
			t.Fatalf("owner filter for another owner: %v", ids)
		}
		// A lost deal takes no more quotes; its quotes stay readable.
		d.rep.do("POST", fmt.Sprintf("/api/v1/deals/%d/stage", d.deal.ID), map[string]any{"stage": "lost", "reason": "预算取消"}).ok(200, nil)
		d.rep.do("POST", "/api/v1/quotes", map[string]any{"deal_id": d.deal.ID, "lines": []any{quoteLine(d.fin, 1, 0)}}).failField("deal_id")
		getQuote(d.rep, q.ID)
	})
}

// TestQuotePrint: the printable quote is HTML in the reader's language,
// with money as ¥ and thousands separators, and every text escaped.
func TestQuotePrint(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		d := newQuoteDesk(e)
		setAuthority(d.root, d.repU.ID, repBP, repDays, 500_000_000)
		evil := mkProduct(d.root, "EVIL-1", `<script>alert("x")</script>`, "equipment", "piece", 123_456_789)
		q := mkQuote(d.rep, d.deal.ID, map[string]any{"notes": `<b>加急</b> & "引号"`, "payment_days": 30},
			quoteLine(d.fin, 1, 1000), quoteLine(evil, 2, 0))
		path := fmt.Sprintf("/quotes/%d/print", q.ID)
		r := d.rep.do("GET", path, nil).ok(200, nil)
		page := string(r.Body)
		if ct := r.Header.Get("Content-Type"); ct != "text/html; charset=utf-8" || r.Header.Get("Content-Security-Policy") == "" {
			t.Fatalf("headers %v", r.Header)
		}
		for _, want := range []string{`<html lang="zh-CN">`, "报价单", q.Number, "宁波顺达商贸有限公司", "进销存系统", "财务标准版", "套", "台",
			"¥38,000.00", "¥34,200.00", "10%", "¥1,234,567.89", "¥2,469,135.78", "¥2,503,335.78", "交付后 30 天内付款",
			"&lt;script&gt;", "&lt;b&gt;加急&lt;/b&gt; &amp; &#34;引号&#34;", "草稿"} {
			if !strings.Contains(page, want) {
				t.Errorf("zh page lacks %q", want)
			}
		}
		for _, bad := range []string{"<script>", "<b>"} {
			if strings.Contains(page, bad) {
				t.Errorf("zh page contains raw %q", bad)
			}
		}
		d.rep.lang = "en"
		page = string(d.rep.do("GET", path, nil).ok(200, nil).Body)
		for _, want := range []string{`<html lang="en">`, "Quotation", "EN 财务标准版", "set", "¥2,503,335.78", "payment within 30 days", "not a valid offer"} {
			if !strings.Contains(page, want) {
				t.Errorf("en page lacks %q", want)
			}
		}
		// An approved quote is an offer: no notice.
		q = quoteAct(d.rep, q, "submit", 200)
		if page := string(d.rep.do("GET", path, nil).ok(200, nil).Body); strings.Contains(page, "not a valid offer") {
			t.Error("an approved quote is printed as no offer")
		}
		d.rep.do("GET", "/quotes/abc/print", nil).fail(400, "invalid")
		d.rep.do("GET", "/quotes/99999/print", nil).fail(404, "not_found")
		e.anon().do("GET", path, nil).fail(401, "unauthenticated")
	})
}

// TestHostileQuotes: bad input on every quote endpoint is a 4xx and changes
// nothing.
func TestHostileQuotes(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		d := newQuoteDesk(e)
		inactive := mkProduct(d.root, "OLD-1", "旧版", "software_module", "set", 100)
		d.root.do("PATCH", fmt.Sprintf("/api/v1/products/%d", inactive.ID), map[string]any{"version": 1, "active": false}).ok(200, nil)
		q := mkQuote(d.rep, d.deal.ID, nil, quoteLine(d.fin, 1, 0))
		approved := quoteAct(d.rep, mkQuote(d.rep, d.deal.ID, nil, quoteLine(d.fin, 2, 0)), "submit", 200)
		big := mkProduct(d.root, "BIG-1", "大单", "equipment", "piece", crm.MaxMoney)
		snap := func() string {
			var b strings.Builder
			for _, p := range []string{"/api/v1/quotes?limit=500", "/api/v1/products?limit=500", "/api/v1/approvals?limit=500", "/api/v1/activities?limit=500"} {
				b.Write(d.root.do("GET", p, nil).ok(200, nil).Body)
			}
			return b.String()
		}
		before := snap()

		lines := func(l ...string) string { return "[" + strings.Join(l, ",") + "]" }
		ln := func(productID int64, rest string) string { return fmt.Sprintf(`{"product_id":%d%s}`, productID, rest) }
		good := ln(d.fin.ID, `,"quantity":1`)
		many := make([]string, crm.MaxQuoteLines+1)
		for i := range many {
			many[i] = good
		}
		create := func(rest string) string { return fmt.Sprintf(`{"deal_id":%d%s}`, d.deal.ID, rest) }
		for _, tc := range []struct{ body, field string }{
			{create(`,"lines":` + lines(ln(d.fin.ID, `,"quantity":0`))), "lines.0.quantity"},
			{create(`,"lines":` + lines(ln(d.fin.ID, `,"quantity":-3`))), "lines.0.quantity"},
			{create(`,"lines":` + lines(ln(d.fin.ID, `,"quantity":1000001`))), "lines.0.quantity"},
			{create(`,"lines":` + lines(ln(d.fin.ID, `,"quantity":99999999999999999999`))), "lines.quantity"}, // a type error names the field, not the line
			{create(`,"lines":` + lines(ln(d.fin.ID, `,"quantity":1.5`))), "lines.quantity"},                  // a type error names the field, not the line
			{create(`,"lines":` + lines(ln(d.fin.ID, `,"quantity":"2"`))), "lines.quantity"},                  // a type error names the field, not the line
			{create(`,"lines":` + lines(ln(d.fin.ID, `,"quantity":1,"discount_bp":10001`))), "lines.0.discount_bp"},
			{create(`,"lines":` + lines(ln(d.fin.ID, `,"quantity":1,"discount_bp":-1`))), "lines.0.discount_bp"},
			{create(`,"lines":` + lines(good, ln(99999, `,"quantity":1`))), "lines.1.product_id"},
			{create(`,"lines":` + lines(ln(inactive.ID, `,"quantity":1`))), "lines.0.product_id"},
			{create(`,"lines":` + lines(ln(0, `,"quantity":1`))), "lines.0.product_id"},
			{create(`,"lines":` + lines(ln(-1, `,"quantity":1`))), "lines.0.product_id"},
			{create(`,"lines":` + lines(ln(d.fin.ID, `,"quantity":1,"unit_price":1`))), "unit_price"}, // the decoder names an unknown field alone
			{create(`,"lines":` + lines(ln(d.fin.ID, `,"quantity":1,"total":1`))), "total"},
			{create(`,"lines":[]`), "lines"},
			{create(``), "lines"},
			{create(`,"lines":{}`), "lines"},
			{create(`,"lines":` + lines(many...)), "lines"},
			{create(`,"lines":` + lines(good) + `,"payment_days":-1`), "payment_days"},
			{create(`,"lines":` + lines(good) + `,"payment_days":3651`), "payment_days"},
			{create(`,"lines":` + lines(good) + `,"valid_until":"2026-13-01"`), "valid_until"},
			{create(`,"lines":` + lines(good) + `,"valid_until":"2026-12-01T00:00:00Z"`), "valid_until"},
			{create(`,"lines":` + lines(good) + `,"valid_until":"9999-12-31"`), "valid_until"},
			{create(`,"lines":` + lines(good) + `,"notes":"` + strings.Repeat("长", crm.MaxText+1) + `"`), "notes"},
			{create(`,"lines":` + lines(good) + `,"notes":"\u0000"`), "notes"},
			{create(`,"lines":` + lines(good) + `,"state":"approved"`), "state"},
			{create(`,"lines":` + lines(good) + `,"total":1`), "total"},
			{`{"deal_id":99999,"lines":` + lines(good) + `}`, "deal_id"},
			{`{"deal_id":"1","lines":` + lines(good) + `}`, "deal_id"},
			{`{"lines":` + lines(good) + `}`, "deal_id"},
		} {
			func() {
				defer inCase(t, "%.200s", tc.body)()
				d.rep.do("POST", "/api/v1/quotes", tc.body).failField(tc.field)
			}()
		}
		// A price the largest quantity would overflow.
		d.rep.do("POST", "/api/v1/quotes", create(`,"lines":`+lines(ln(big.ID, `,"quantity":1000000`)))).failField("lines.0.quantity")
		d.rep.do("POST", "/api/v1/quotes", create(`,"lines":`+lines(ln(big.ID, `,"quantity":1`), ln(big.ID, `,"quantity":1`)))).failField("lines")

		path := fmt.Sprintf("/api/v1/quotes/%d", q.ID)
		for _, tc := range []struct{ body, field string }{
			{`{"version":1,"lines":[]}`, "lines"},
			{`{"version":1,"lines":` + lines(ln(inactive.ID, `,"quantity":1`)) + `}`, "lines.0.product_id"},
			{`{"version":1,"valid_until":null}`, "valid_until"},
			{`{"version":1,"valid_until":"2020-01-01"}`, "valid_until"},
			{`{"version":1,"payment_days":"30"}`, "payment_days"},
			{`{"version":1,"deal_id":5}`, "deal_id"},
			{`{"version":1,"state":"approved"}`, "state"},
			{`{"version":-1}`, "version"},
			{`{}`, "version"},
		} {
			func() {
				defer inCase(t, "%s", tc.body)()
				d.rep.do("PATCH", path, tc.body).failField(tc.field)
			}()
		}
		for _, a := range []string{"submit", "send", "accept", "reject", "expire", "revise"} {
			for _, tc := range []struct{ body, field string }{
				{`{"version":"1"}`, "version"},
				{`{"version":1,"state":"sent"}`, "state"},
				{`{"version":1,"comment":"` + strings.Repeat("长", crm.MaxText+1) + `"}`, "comment"},
				{`{"version":1,"comment":7}`, "comment"},
			} {
				func() {
					defer inCase(t, "%s %s", a, tc.body)()
					d.rep.do("POST", path+"/"+a, tc.body).failField(tc.field)
					d.rep.do("POST", fmt.Sprintf("/api/v1/quotes/%d/%s", approved.ID, a), tc.body).failField(tc.field)
				}()
			}
			for _, body := range []string{``, `{`, `[]`, `null`, `{"version":1} {}`} {
				if r := d.rep.raw("POST", path+"/"+a, "application/json", []byte(body)); r.Status != 400 {
					t.Fatalf("%s %q: %d %s", a, body, r.Status, r.Body)
				}
			}
			d.rep.do("POST", "/api/v1/quotes/abc/"+a, `{"version":1}`).fail(400, "invalid")
			d.rep.do("POST", "/api/v1/quotes/99999/"+a, `{"version":1}`).fail(404, "not_found")
		}
		for _, q := range []string{"state=won", "deal_id=x", "owner_id=-1", "sort=amount", "limit=0", "q=%00", "cursor=%00",
			"sort=total&cursor=" + forgedCursor(`{"s":"total","k":"x","i":1}`), "sort=valid_until&cursor=" + forgedCursor(`{"s":"valid_until","k":"2026-99-99","i":1}`)} {
			d.rep.do("GET", "/api/v1/quotes?"+q, nil).fail(400, "invalid")
		}
		if after := snap(); after != before {
			t.Fatalf("refused requests changed data:\nbefore %s\nafter  %s", before, after)
		}
		audit, err := e.db.AuditFor(context.Background(), "quote", q.ID)
		if err != nil || len(audit) != 0 {
			t.Fatalf("refused requests were audited: %v %+v", err, audit)
		}
	})
}
