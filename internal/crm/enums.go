package crm

// The value sets of the six-factor fields and of the deal and contact roles,
// with the keys DESIGN.md fixes for the API, CSV and the playbook. Labels for
// each live in the message catalogue under "enum.<set>.<key>".
var (
	BusinessKinds   = []string{"distribution", "manufacturing_sales", "processing", "other"}
	Ownerships      = []string{"foreign", "private", "restructured_soe", "other"}
	SoftwareKinds   = []string{"finance", "inventory", "crm", "erp"}
	PurchasePlans   = []string{"none", "within_6_months", "within_12_months"}
	FunctionalRoles = []string{"general_manager", "cio", "sales_manager", "chief_accountant", "planning_manager", "other"}
	BuyingRoles     = []string{"contact", "participant", "sponsor", "decision_maker", "insider", "supporter"}
	Stances         = []string{"supports", "neutral", "opposes"}
	EngagementSteps = []string{"understand", "materials_sent", "questions_answered", "concerns_known", "relationship_built"}
	ActivityTypes   = []string{"call", "visit", "meeting", "email", "demo", "task"}
	Stages          = []string{"prospecting", "compelling_event", "qualification", "demo", "negotiation", "commit", "implementation", "closed", "lost"}
	Industries      = []string{"electronics", "machinery", "automotive_parts", "chemicals", "building_materials", "food", "furniture", "printing_packaging", "textiles", "apparel", "pharmaceutical", "medical_devices", "trading", "logistics", "it_services", "other"}
)

// Stage keys that the foundation itself needs to know.
const (
	StageProspecting = "prospecting"
	StageLost        = "lost"
	StageClosed      = "closed"
)
