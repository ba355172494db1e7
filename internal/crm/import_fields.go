package crm

import (
	"strings"
	"unicode"

	"golang.org/x/text/width"
)

// Import kinds: the records a file can bring in, in the order a full
// migration imports them (contacts and deals name their account, activities
// their deal and contact).
const (
	KindAccounts   = "accounts"
	KindContacts   = "contacts"
	KindDeals      = "deals"
	KindActivities = "activities"
)

// ImportKinds lists the kinds in import order.
var ImportKinds = []string{KindAccounts, KindContacts, KindDeals, KindActivities}

// importField is one column an import understands: its key (also the
// export's column key and the catalogue's "import.field.<key>" label) and
// the headers it is recognized by, written as normHeader leaves them.
type importField struct {
	key     string
	aliases []string
}

// Headers in Chinese and English, and those of Salesforce and HubSpot
// exports. They are data, not user-facing text: they are what files say.
// Order matters only within one kind: the first field claiming a header
// wins.
var importFields = map[string][]importField{
	KindAccounts: {
		{"name", []string{"name", "accountname", "account", "company", "companyname", "customer", "customername", "organization",
			"公司名称", "公司", "客户名称", "客户", "企业名称", "单位名称", "名称", "客户名", "账户名称", "公司全称"}},
		{"credit_code", []string{"creditcode", "uscc", "unifiedsocialcreditcode", "taxid", "taxnumber",
			"统一社会信用代码", "信用代码", "社会信用代码", "税号", "纳税人识别号"}},
		{"owner", []string{"owner", "accountowner", "companyowner", "ownerusername", "负责人", "客户负责人", "所有人", "销售", "销售代表", "归属销售"}},
		{"headcount", []string{"headcount", "employees", "numberofemployees", "employeecount", "员工人数", "人数", "员工数", "企业规模"}},
		{"business_kind", []string{"businesskind", "主营业务", "业务类型", "经营类型"}},
		{"industry", []string{"industry", "行业", "所属行业"}},
		{"ownership", []string{"ownership", "企业性质", "所有制", "公司性质"}},
		{"restructured_on", []string{"restructuredon", "改制日期", "改制时间"}},
		{"just_restructured", []string{"justrestructured", "刚改制", "新近改制"}},
		{"revenue_last_year", []string{"revenuelastyear", "annualrevenue", "revenue", "去年营业额", "年营业额", "营业额", "年收入", "营业收入"}},
		{"gross_profit", []string{"grossprofit", "毛利", "毛利润"}},
		{"existing_software", []string{"existingsoftware", "software", "在用软件", "在用管理软件", "现有软件"}},
		{"branch_count", []string{"branchcount", "branches", "分支机构", "分支机构数", "分公司数"}},
		{"purchase_plan", []string{"purchaseplan", "采购计划", "近期采购计划"}},
		{"region", []string{"region", "city", "billingcity", "state", "billingstateprovince", "province", "countryregion",
			"地区", "区域", "城市", "省份", "所在地区", "省市"}},
		{"address", []string{"address", "billingstreet", "streetaddress", "地址", "详细地址", "公司地址"}},
		{"phone", []string{"phone", "phonenumber", "telephone", "tel", "电话", "联系电话", "公司电话", "座机"}},
		{"website", []string{"website", "websiteurl", "companydomainname", "domain", "url", "网站", "网址", "公司网站"}},
		{"credit_limit", []string{"creditlimit", "信用额度", "授信额度"}},
	},
	KindContacts: {
		{"account", []string{"account", "accountname", "company", "companyname", "associatedcompany", "organization",
			"公司名称", "公司", "客户名称", "客户", "企业名称", "单位名称", "所属客户", "所属公司", "单位"}},
		{"account_credit_code", []string{"accountcreditcode", "creditcode", "uscc", "统一社会信用代码", "客户信用代码", "信用代码"}},
		{"name", []string{"name", "fullname", "contactname", "contact", "联系人", "姓名", "联系人姓名", "名字"}},
		{"first_name", []string{"firstname", "givenname", "名"}},
		{"last_name", []string{"lastname", "surname", "familyname", "姓"}},
		{"title", []string{"title", "jobtitle", "position", "职位", "职务", "头衔"}},
		{"functional_role", []string{"functionalrole", "role", "职能角色", "角色", "职能"}},
		{"phone", []string{"phone", "phonenumber", "mobile", "mobilephone", "mobilephonenumber", "telephone", "tel",
			"电话", "手机", "手机号", "手机号码", "联系电话"}},
		{"email", []string{"email", "emailaddress", "mail", "邮箱", "电子邮件", "电子邮箱", "邮件"}},
		{"wechat", []string{"wechat", "weixin", "微信", "微信号"}},
		{"notes", []string{"notes", "note", "description", "comments", "备注", "说明", "描述"}},
	},
	KindDeals: {
		{"title", []string{"title", "dealname", "opportunityname", "opportunity", "deal", "name",
			"商机名称", "商机", "机会名称", "销售机会", "项目名称", "标题"}},
		{"account", []string{"account", "accountname", "company", "companyname", "associatedcompany",
			"公司名称", "公司", "客户名称", "客户", "企业名称", "单位名称", "所属客户"}},
		{"account_credit_code", []string{"accountcreditcode", "creditcode", "uscc", "统一社会信用代码", "客户信用代码", "信用代码"}},
		{"owner", []string{"owner", "dealowner", "opportunityowner", "ownerusername", "负责人", "所有人", "销售", "销售代表", "归属销售"}},
		{"stage", []string{"stage", "dealstage", "salesstage", "阶段", "销售阶段", "商机阶段"}},
		{"amount", []string{"amount", "dealamount", "value", "金额", "商机金额", "预计金额", "合同金额", "金额元"}},
		{"expected_close_date", []string{"expectedclosedate", "closedate", "expectedclose", "预计成交日期", "预计签约日期", "成交日期", "结单日期", "预计关闭日期"}},
		{"probability", []string{"probability", "dealprobability", "赢率", "成交概率", "概率", "可能性"}},
		{"next_step", []string{"nextstep", "下一步", "下一步行动", "下一步计划"}},
		{"lost_reason", []string{"lostreason", "closedlostreason", "丢单原因", "输单原因", "失败原因"}},
		{"no_competitors", []string{"nocompetitors", "无竞争对手", "没有竞争对手"}},
	},
	KindActivities: {
		{"type", []string{"type", "activitytype", "tasksubtype", "类型", "活动类型", "拜访类型"}},
		{"subject", []string{"subject", "title", "activity", "主题", "标题", "事项", "活动主题"}},
		{"due_at", []string{"dueat", "duedate", "activitydate", "date", "startdate", "计划时间", "到期时间", "截止时间", "日期", "时间", "活动时间"}},
		{"done_at", []string{"doneat", "completedat", "completeddate", "completiondate", "完成时间", "完成日期"}},
		{"owner", []string{"owner", "assignedto", "activityassignedto", "负责人", "执行人", "所有人", "销售"}},
		{"account", []string{"account", "accountname", "company", "companyname", "associatedcompany", "relatedto",
			"公司名称", "公司", "客户名称", "客户", "所属客户"}},
		{"account_credit_code", []string{"accountcreditcode", "creditcode", "统一社会信用代码", "客户信用代码"}},
		{"deal", []string{"deal", "dealname", "opportunity", "opportunityname", "associateddeal", "商机", "商机名称", "销售机会"}},
		{"contact", []string{"contact", "contactname", "associatedcontact", "联系人", "联系人姓名"}},
		{"notes", []string{"notes", "note", "comments", "description", "备注", "说明", "内容", "活动内容"}},
	},
}

// ImportFieldKeys lists the fields of a kind in column order (nil for an
// unknown kind).
func ImportFieldKeys(kind string) []string {
	fs := importFields[kind]
	if fs == nil {
		return nil
	}
	out := make([]string, len(fs))
	for i, f := range fs {
		out[i] = f.key
	}
	return out
}

// requiredImportFields are the columns without which no row of a kind can
// be read; a file lacking one is refused as a whole. Contacts need a name
// (or first/last name), checked separately.
var requiredImportFields = map[string][]string{
	KindAccounts:   {"name"},
	KindContacts:   {"account|account_credit_code"},
	KindDeals:      {"title", "account|account_credit_code"},
	KindActivities: {"type", "subject"},
}

// normHeader reduces a column heading to what the alias tables hold:
// half-width, lower case, without a bracketed unit or note ("金额（元）",
// "Probability (%)") and without spaces, punctuation or a required-marker
// star.
func normHeader(s string) string {
	s = strings.ToLower(width.Fold.String(s))
	var b strings.Builder
	depth := 0
	for _, r := range s {
		switch r {
		case '(', '[', '【', '〔':
			depth++
			continue
		case ')', ']', '】', '〕':
			if depth > 0 {
				depth--
			}
			continue
		}
		if depth > 0 {
			continue
		}
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// companySuffixes are the legal-form endings that do not tell two
// companies apart, longest first so the longest match is removed.
var companySuffixes = []string{
	"股份有限公司", "有限责任公司", "集团有限公司", "有限公司", "集团公司", "集团", "公司",
	"companylimited", "corporation", "limited", "coltd", "group", "corp", "gmbh", "ltd", "inc", "llc", "co",
}

// NormalizeCompanyName reduces a company name to what identifies it for
// duplicate detection: full-width folded to half-width, lower case, spaces
// and punctuation removed, "(集团)" and legal-form suffixes (有限公司,
// 有限责任公司, 股份有限公司, Co., Ltd. …) stripped. "华东机械（集团）股份有限公司"
// and "华东机械 有限公司" normalize alike.
func NormalizeCompanyName(name string) string {
	s := name
	if hasWide(s) {
		s = width.Fold.String(s)
	}
	s = strings.ToLower(s)
	s = strings.ReplaceAll(s, "(集团)", "")
	var b strings.Builder
	for _, r := range s {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(r)
		}
	}
	s = b.String()
	for changed := true; changed; {
		changed = false
		for _, suf := range companySuffixes {
			if t, ok := strings.CutSuffix(s, suf); ok && t != "" {
				s, changed = t, true
				break
			}
		}
	}
	return s
}

// hasWide reports whether s has a character width folding changes:
// full-width forms and the ideographic space. Most names have none, and
// folding allocates.
func hasWide(s string) bool {
	for _, r := range s {
		if r == '\u3000' || (r >= '\uFF01' && r <= '\uFFEE') {
			return true
		}
	}
	return false
}

// normalizeCreditCode folds a pasted code: full-width, spaces, lower case.
func normalizeCreditCode(s string) string {
	s = width.Fold.String(s)
	s = strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) || r == '-' {
			return -1
		}
		return unicode.ToUpper(r)
	}, s)
	return s
}
