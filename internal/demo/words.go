package demo

// The word lists generated companies, people and texts are made from.

// region is a city with its province and the area code of its credit codes.
type region struct {
	province, city, code, phone string
}

var regions = []region{
	{"江苏省", "苏州市", "320500", "0512"}, {"江苏省", "无锡市", "320200", "0510"}, {"江苏省", "南京市", "320100", "025"},
	{"江苏省", "常州市", "320400", "0519"}, {"浙江省", "杭州市", "330100", "0571"}, {"浙江省", "宁波市", "330200", "0574"},
	{"浙江省", "温州市", "330300", "0577"}, {"浙江省", "义乌市", "330782", "0579"}, {"广东省", "广州市", "440100", "020"},
	{"广东省", "深圳市", "440300", "0755"}, {"广东省", "东莞市", "441900", "0769"}, {"广东省", "佛山市", "440600", "0757"},
	{"广东省", "中山市", "442000", "0760"}, {"山东省", "青岛市", "370200", "0532"}, {"山东省", "济南市", "370100", "0531"},
	{"山东省", "烟台市", "370600", "0535"}, {"福建省", "厦门市", "350200", "0592"}, {"福建省", "泉州市", "350500", "0595"},
	{"上海市", "上海市", "310100", "021"}, {"北京市", "北京市", "110100", "010"}, {"天津市", "天津市", "120100", "022"},
	{"四川省", "成都市", "510100", "028"}, {"湖北省", "武汉市", "420100", "027"}, {"湖南省", "长沙市", "430100", "0731"},
	{"河南省", "郑州市", "410100", "0371"}, {"安徽省", "合肥市", "340100", "0551"}, {"河北省", "石家庄市", "130100", "0311"},
	{"辽宁省", "大连市", "210200", "0411"}, {"陕西省", "西安市", "610100", "029"}, {"重庆市", "重庆市", "500100", "023"},
}

// brandFirst and brandSecond make two-character trade names (字号).
var (
	brandFirst  = []rune("华金鑫恒瑞宏盛新隆泰嘉德永兴昌丰源达信通佳明博远正中凯创天海宇合")
	brandSecond = []rune("美诚发星辉腾联和安康顺祥富成利锦汇润洋峰鸿威邦科力旺德源泰盛")
)

// industryWords are the business words of a company name per industry.
var industryWords = map[string][]string{
	"electronics":        {"电子", "电子科技", "光电"},
	"machinery":          {"机械", "精密机械", "机电设备"},
	"automotive_parts":   {"汽车配件", "汽车零部件", "车业"},
	"chemicals":          {"化工", "新材料", "精细化工"},
	"building_materials": {"建材", "装饰材料", "管业"},
	"food":               {"食品", "食品贸易", "粮油"},
	"furniture":          {"家具", "家居", "木业"},
	"printing_packaging": {"印刷", "包装", "纸品包装"},
	"textiles":           {"纺织", "织造", "纺织品"},
	"apparel":            {"服饰", "服装", "制衣"},
	"pharmaceutical":     {"制药", "医药", "生物医药"},
	"medical_devices":    {"医疗器械", "医疗设备", "医用耗材"},
	"trading":            {"商贸", "贸易", "进出口"},
	"logistics":          {"物流", "供应链", "仓储"},
	"it_services":        {"信息技术", "网络科技", "软件"},
	"other":              {"实业", "发展", "工贸"},
}

// industryWeights spreads accounts over industries; the disqualified ones
// (pharmaceutical, apparel) are a few percent, as in a real territory.
var industryWeights = map[string]int{
	"electronics": 10, "machinery": 11, "automotive_parts": 8, "chemicals": 6, "building_materials": 6,
	"food": 7, "furniture": 5, "printing_packaging": 5, "textiles": 5, "apparel": 3, "pharmaceutical": 3,
	"medical_devices": 4, "trading": 12, "logistics": 6, "it_services": 5, "other": 4,
}

var companySuffixes = []string{"有限公司", "有限公司", "有限公司", "股份有限公司", "有限责任公司"}

var (
	surnames   = []rune("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦傅方邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤")
	givenNames = []string{"伟", "芳", "娜", "秀英", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超", "秀兰", "霞",
		"平", "刚", "桂英", "建华", "志强", "海燕", "晓东", "文博", "思远", "雪梅", "国庆", "建国", "丽娟", "春生", "宏伟", "嘉怡", "子涵", "浩然", "一鸣", "佳琪"}
)

// roleTitles are job titles per functional role.
var roleTitles = map[string][]string{
	"general_manager":  {"总经理", "副总经理", "董事长兼总经理"},
	"cio":              {"信息部经理", "网络管理员", "CIO"},
	"sales_manager":    {"销售部经理", "销售总监", "营销副总"},
	"chief_accountant": {"财务经理", "主管会计", "财务总监"},
	"planning_manager": {"企划部经理", "企业管理部经理", "总经办主任"},
	"other":            {"采购主管", "仓库主管", "行政主管"},
}

var productsWanted = []string{"ERP 升级", "进销存", "财务一体化", "CRM 实施", "WMS 仓储", "MES 试点", "报表平台", "移动审批", "分销管理", "门店管理"}

var competitorNames = []string{"用友", "金蝶", "鼎捷", "浪潮", "管家婆", "速达", "SAP Business One", "本地软件公司"}

var eventImpacts = []string{
	"订单量一年翻番，手工台账已经跟不上，月底对账要加班一周",
	"准备在华南开设分公司，总部需要实时看到各地库存和回款",
	"现有软件厂商已不再提供升级，系统经常出错影响发货",
	"销售和仓库信息不通，上季度因缺货丢了两个大客户",
	"去年坏账超过 80 万元，出了问题查不清责任",
	"两名业务员离职带走了客户资料，损失了一批老客户",
	"厂家要求年底前按月上报进销存报表，否则取消代理资格",
	"同行都已上线 CRM，客户开始比较响应速度",
	"年底前签约可享受实施费八五折，财务已认可这笔账",
}

var lostReasons = []string{"客户预算取消，明年再议", "选择了竞争对手的方案，价格更低", "客户内部决策人变动，项目搁置", "无法确认强迫事件，客户不急于购买", "客户所在行业不在我们的目标范围内"}

var eventTitles = map[string]string{
	"CE1": "企业高速成长", "CE2": "新战略或新商业模式", "CE3": "现有系统落后", "CE4": "部门协作弱", "CE5": "业务流程有漏洞",
	"CE6": "缺少完整客户档案", "CE7": "CRM 与进销存未打通", "CE8": "限时优惠", "CE10": "厂商要求", "CE11": "竞争力要求",
}

var eventCodes = []string{"CE1", "CE2", "CE3", "CE4", "CE5", "CE6", "CE7", "CE8", "CE10", "CE11"}

// answers are sample answers to the qualification questionnaire.
var answers = map[string][]string{
	"requirements":             {"订单、库存、应收一体化，支持多仓库和批次管理", "财务与业务一体化，月结时间从十天缩短到三天", "客户档案统一管理，业务员离职不丢客户"},
	"key_problems":             {"库存不准、对账慢、坏账多", "各部门数据不通，管理层看不到实时经营情况", "销售机会跟进无记录，丢单原因说不清"},
	"sponsor_and_participants": {"发起人是总经理，财务经理和仓库主管参与", "副总经理牵头，信息部经理负责选型"},
	"budget":                   {"预算约 30 万元，可上浮一成", "预算 50 万元以内，按季度付款"},
	"budget_approval":          {"总经理审批，超过 20 万元需董事会同意", "财务总监审核后报总经理签字"},
	"products_services":        {"生产并销售精密零部件，提供来料加工", "代理多个品牌的快消品，覆盖华东三省"},
	"markets_channels":         {"以分销为主，下游有 200 多家经销商", "直销大客户为主，兼做外贸"},
}

var activitySubjects = map[string][]string{
	"call":    {"电话了解近期经营情况", "电话确认演示时间", "电话跟进报价反馈"},
	"email":   {"发送产品资料和案例", "发送报价单和合同草案", "发送实施计划"},
	"meeting": {"与总经理会面，介绍公司和产品", "拜访客户，了解业务流程", "与财务经理讨论付款方式"},
	"visit":   {"上门拜访，参观仓库和生产线", "回访客户，收集使用意见"},
	"task":    {"准备演示数据", "整理需求调研报告", "跟进合同审批"},
}
