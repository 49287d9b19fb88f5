package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"time"

	"guanjia"
	"guanjia/api"
	"guanjia/credit"
	"guanjia/store"
)

// creditDepartments are the departments that publish credit data in the
// demo, with what each may publish.
var creditDepartments = []struct {
	unit  guanjia.Unit
	user  string
	types []string
}{
	{guanjia.Unit{Code: "hk-fgw", Name: "海口市发展和改革委员会", Department: "发改"}, "credit-fgw",
		[]string{guanjia.CreditRedList, guanjia.CreditBlackList}},
	{guanjia.Unit{Code: "hk-scjg", Name: "海口市市场监督管理局", Department: "市场监管"}, "credit-scjg",
		[]string{guanjia.CreditLicense, guanjia.CreditPenalty, guanjia.CreditQuality, guanjia.CreditRedList, guanjia.CreditBlackList}},
	{guanjia.Unit{Code: "hk-rsj", Name: "海口市人力资源和社会保障局", Department: "人社"}, "credit-rsj",
		[]string{guanjia.CreditBlackList, guanjia.CreditPenalty}},
	{guanjia.Unit{Code: "hk-swj", Name: "国家税务总局海口市税务局", Department: "税务"}, "credit-swj",
		[]string{guanjia.CreditRedList, guanjia.CreditBlackList, guanjia.CreditTaxArrears, guanjia.CreditPenalty}},
	{guanjia.Unit{Code: "hk-zjj", Name: "海口市住房和城乡建设局", Department: "住建"}, "credit-zjj",
		[]string{guanjia.CreditLicense, guanjia.CreditPenalty, guanjia.CreditConstruction, guanjia.CreditBlackList}},
	{guanjia.Unit{Code: "hk-sthj", Name: "海口市生态环境局", Department: "生态环境"}, "credit-sthj",
		[]string{guanjia.CreditPenalty, guanjia.CreditEnvironment}},
	{guanjia.Unit{Code: "hk-zy", Name: "海口市中级人民法院", Department: "法院"}, "credit-zy",
		[]string{guanjia.CreditJudicial, guanjia.CreditBlackList}},
}

// seedCreditDemo loads 诚信海口's demo: departments and their remits, their
// staff accounts, a few hundred generated subjects with list entries and
// records (imported through the same path as a department's upload) and
// an article per section. Running it twice changes nothing.
func seedCreditDemo(ctx context.Context, db *store.DB, out io.Writer) error {
	hash, err := api.HashPassword(demoPassword)
	if err != nil {
		return err
	}
	staff := map[string]guanjia.Claims{}
	for _, d := range creditDepartments {
		if err := db.UpsertUnit(ctx, &d.unit); err != nil {
			return err
		}
		if err := db.SetRemit(ctx, d.unit.Code, d.types); err != nil {
			return err
		}
		u, err := db.FindUserByUsername(ctx, d.user)
		if guanjia.ErrorCode(err) == guanjia.ENOTFOUND {
			u = &guanjia.User{Username: d.user, PasswordHash: hash, Role: guanjia.RoleDepartment, UnitCode: d.unit.Code, Name: d.unit.Name + "信用科"}
			err = db.CreateUser(ctx, u)
		}
		if err != nil {
			return err
		}
		staff[d.unit.Code] = guanjia.Claims{UserID: u.ID, Role: guanjia.RoleDepartment, UnitCode: d.unit.Code}
	}
	gen := newCreditGen(2026, time.Now().UTC())
	if _, err := db.FindSubjectByCode(ctx, gen.companyCode(0)); err == nil {
		fmt.Fprintln(out, "诚信海口 demo: already loaded")
		return nil
	}
	svc := credit.NewService(db, nil, nil, nil)
	svc.Log = slog.New(slog.DiscardHandler)
	rows, batches := 0, 0
	for _, b := range gen.demoBatches(240, 30, 30) {
		res, err := svc.SubmitImport(ctx, staff[b.unit], credit.Upload{Type: b.typ, Filename: b.typ + ".csv", Data: b.csv})
		if err != nil {
			return fmt.Errorf("demo credit %s/%s: %w", b.unit, b.typ, err)
		}
		if res.Status != credit.BatchDone {
			return fmt.Errorf("demo credit %s/%s rejected: %v", b.unit, b.typ, res.Errors)
		}
		rows += res.Inserted
		batches++
	}
	if err := seedCreditRepresentative(ctx, db, svc, gen, hash); err != nil {
		return err
	}
	admin, err := db.FindUserByUsername(ctx, "admin")
	if err != nil {
		return err
	}
	who := guanjia.Claims{UserID: admin.ID, Role: guanjia.RoleAdmin}
	for _, a := range demoArticles {
		art, err := svc.CreateArticle(ctx, who, a)
		if err != nil {
			return err
		}
		if _, err := svc.ArticleAction(ctx, who, art.ID, "publish"); err != nil {
			return err
		}
	}
	fmt.Fprintf(out, "诚信海口 demo: %d departments, %d entries in %d batches, %d articles (departments sign in as credit-scjg, credit-rsj, …; "+
		"credit-rep is the first company's 法定代表人)\n",
		len(creditDepartments), rows, batches, len(demoArticles))
	return nil
}

// demoRepUser is the demo's 信用修复 applicant: a citizen bound, as its
// 法定代表人, to the first demo company (which is on 人社局's black list, and
// has a 严重失信 penalty of 市场监管局 still inside its minimum period).
const demoRepUser = "credit-rep"

// demoRepID is the ID number the first company registers for its 法定代表人.
func (g *creditGen) demoRepID() string { return g.idNumber(500000) }

// seedCreditRepresentative adds credit-rep and binds it the way a citizen
// does: name and ID number checked against the registered 法定代表人.
func seedCreditRepresentative(ctx context.Context, db *store.DB, svc *credit.Service, gen *creditGen, hash string) error {
	company, err := db.FindSubjectByCode(ctx, gen.companyCode(0))
	if err != nil {
		return err
	}
	u, err := db.FindUserByUsername(ctx, demoRepUser)
	if guanjia.ErrorCode(err) == guanjia.ENOTFOUND {
		u = &guanjia.User{Username: demoRepUser, PasswordHash: hash, Role: guanjia.RoleCitizen, Name: company.LegalRep}
		err = db.CreateUser(ctx, u)
	}
	if err != nil {
		return err
	}
	who := guanjia.Claims{UserID: u.ID, Role: guanjia.RoleCitizen}
	if _, _, err := svc.BindLegalRep(ctx, who, company.CreditCode, credit.LegalRepClaim{Name: company.LegalRep, IDNumber: gen.demoRepID()}); err != nil {
		return fmt.Errorf("demo credit: bind %s to %s: %w", demoRepUser, company.Name, err)
	}
	return nil
}

var demoArticles = []credit.ArticleInput{
	{Section: credit.SectionNews, Title: "海口市开展诚信建设万里行主题宣传活动", Source: "海口市发展和改革委员会",
		Body: "为营造诚实守信的社会氛围，我市在各区开展诚信建设万里行主题宣传活动，发布守信激励和失信惩戒典型案例。"},
	{Section: credit.SectionPolicy, Title: "海口市公共信用信息管理办法", Source: "海口市人民政府",
		Body: "第一条 为规范公共信用信息的归集、披露和使用，维护信用主体合法权益，制定本办法。"},
	{Section: credit.SectionNotice, Title: "关于做好行政许可和行政处罚等信用信息公示工作的通知", Source: "海口市发展和改革委员会",
		Body: "各有关单位应当自作出行政决定之日起7个工作日内，通过诚信海口网站公示行政许可和行政处罚信息。"},
}

// creditGen makes plausible Haikou credit data: company names with a 字号,
// valid 统一社会信用代码 and ID numbers, decisions and publication periods
// around today. The same seed gives the same data.
type creditGen struct {
	r     *rand.Rand
	today time.Time
}

func newCreditGen(seed uint64, now time.Time) *creditGen {
	y, m, d := now.In(time.FixedZone("CST", 8*3600)).Date()
	return &creditGen{r: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)), today: time.Date(y, m, d, 0, 0, 0, 0, time.UTC)}
}

const (
	zihaoChars = "鸿泰达盛华兴隆丰源恒瑞祥和信诚安康宏远海椰琼鑫泽润德嘉富鼎晟昌荣旺通顺利佳美景辉明阳光天成永益汇聚新创智联博众合力金银龙凤腾飞亚洲环球中南方东西北宝万福寿喜乐佰仟恒久星月云"
	surnames   = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高梁郑谢宋唐许韩冯邓曹彭曾符吉云"
	givenChars = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰建国志海燕"
)

var (
	industries = []string{"建筑工程", "装饰工程", "劳务", "商贸", "餐饮管理", "物业服务", "旅游开发", "科技", "农业开发", "水产",
		"房地产开发", "物流", "医药", "汽车服务", "酒店管理", "文化传媒", "环保科技", "电子商务", "食品", "园林绿化"}
	suffixes  = []string{"有限公司", "有限公司", "有限公司", "有限责任公司", "股份有限公司"}
	regions   = []string{"海南", "海口", "海南", "海口市", ""}
	streets   = []string{"龙华区滨海大道", "美兰区海府路", "秀英区长滨路", "琼山区府城大道", "龙华区国贸路", "美兰区白龙南路", "龙华区金贸西路"}
	districts = []string{"460105", "460106", "460107", "460108"}
)

func (g *creditGen) pick(s string) string {
	r := []rune(s)
	return string(r[g.r.IntN(len(r))])
}

func (g *creditGen) companyName() string {
	zihao := g.pick(zihaoChars) + g.pick(zihaoChars)
	if g.r.IntN(3) == 0 {
		zihao += g.pick(zihaoChars)
	}
	return regions[g.r.IntN(len(regions))] + zihao + industries[g.r.IntN(len(industries))] + suffixes[g.r.IntN(len(suffixes))]
}

func (g *creditGen) personName() string {
	n := g.pick(surnames) + g.pick(givenChars)
	if g.r.IntN(2) == 0 {
		n += g.pick(givenChars)
	}
	return n
}

func (g *creditGen) address() string {
	return fmt.Sprintf("海南省海口市%s%d号", streets[g.r.IntN(len(streets))], 1+g.r.IntN(300))
}

// codeSpace is 31^9, the 9 characters of a code after the division code; n is
// spread over it by a multiplier prime to 31 so codes do not look sequential.
const codeSpace = 26439622160671

func base31(n uint64, width int) string {
	const alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
	b := make([]byte, width)
	for i := width - 1; i >= 0; i-- {
		b[i] = alphabet[n%31]
		n /= 31
	}
	return string(b)
}

// companyCode is the n-th company's code: 9 (工商) 1 (企业) 460100 (海口), then n spread.
func (g *creditGen) companyCode(n int) string {
	return credit.CompleteCreditCode("91460100" + base31(uint64(n)*1000003%codeSpace, 9))
}

// businessCode is the n-th 个体工商户's code (92…).
func (g *creditGen) businessCode(n int) string {
	return credit.CompleteCreditCode("92460100" + base31(uint64(n)*999983%codeSpace, 9))
}

// idNumber is the n-th person's ID number: a Haikou district, a birth date in
// 1960–1999 and a sequence number, all told by n so that no two are equal.
func (g *creditGen) idNumber(n int) string {
	days := n % 14600
	seq := (n / 14600) % 1000
	district := districts[(n/14600/1000)%len(districts)]
	birth := time.Date(1960, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, days)
	return credit.CompleteIDNumber(fmt.Sprintf("%s%s%03d", district, birth.Format("20060102"), seq))
}

// day returns a date between from and to days after today, as the CSV writes it.
func (g *creditGen) day(from, to int) string {
	return g.today.AddDate(0, 0, from+g.r.IntN(to-from+1)).Format("2006-01-02")
}

type demoSubject struct {
	kind, name, code, legalRep, id, address string
}

func (g *creditGen) subjects(companies, businesses, persons int) []demoSubject {
	var out []demoSubject
	for i := 0; i < companies; i++ {
		out = append(out, demoSubject{kind: "法人及非法人组织", name: g.companyName(), code: g.companyCode(i), legalRep: g.personName(), address: g.address()})
	}
	if companies > 0 {
		out[0].id = g.demoRepID() // the 法定代表人's, so that credit-rep can bind to it
	}
	for i := 0; i < businesses; i++ {
		owner := g.personName()
		out = append(out, demoSubject{kind: "个体工商户", name: "海口市" + demoDistricts[g.r.IntN(len(demoDistricts))].name + owner + g.pick("记号") + "餐饮店",
			code: g.businessCode(i), legalRep: owner, address: g.address()})
	}
	for i := 0; i < persons; i++ {
		out = append(out, demoSubject{kind: "自然人", name: g.personName(), id: g.idNumber(i)})
	}
	return out
}

type demoBatch struct {
	unit, typ string
	csv       []byte
}

// demoBatches spreads list entries and records over the subjects, one CSV per
// department and record type.
func (g *creditGen) demoBatches(companies, businesses, persons int) []demoBatch {
	subs := g.subjects(companies, businesses, persons)
	type key struct{ unit, typ string }
	rows := map[key][][]string{}
	var order []key
	add := func(unit, typ string, row []string) {
		k := key{unit, typ}
		if rows[k] == nil {
			order = append(order, k)
		}
		rows[k] = append(rows[k], row)
	}
	for i, s := range subs {
		subj := []string{s.name, s.kind, s.code, s.legalRep, s.id, s.address}
		n := i + 1
		switch {
		case s.kind == "自然人":
			add("hk-zy", guanjia.CreditBlackList, append(subj, "失信被执行人名单", "有履行能力而拒不履行生效法律文书确定义务",
				fmt.Sprintf("(2025)琼01执%d号", 100+n), "海口市中级人民法院", g.day(-400, -10), g.day(60, 900)))
		case i%9 == 0:
			add("hk-rsj", guanjia.CreditBlackList, append(subj, "拖欠农民工工资失信联合惩戒对象名单", "拖欠农民工工资数额较大",
				fmt.Sprintf("海人社欠薪〔2025〕%d号", n), "海口市人力资源和社会保障局", g.day(-500, -30), g.day(30, 1000)))
		case i%7 == 0:
			add("hk-swj", guanjia.CreditRedList, append(subj, "A级纳税人名单", "2025年度纳税信用评价为A级",
				fmt.Sprintf("琼税信〔2026〕%d号", n), "国家税务总局海口市税务局", g.day(-200, -20), g.day(200, 400)))
		case i%11 == 0:
			add("hk-swj", guanjia.CreditTaxArrears, append(subj, fmt.Sprintf("海税欠公〔2026〕%d号", n), "增值税",
				fmt.Sprintf("%d.%02d", 10000+g.r.IntN(900000), g.r.IntN(100)), "", g.day(-180, -5), "国家税务总局海口市税务局", g.day(60, 365)))
		}
		if s.kind == "自然人" {
			continue
		}
		if i%3 == 0 {
			severity := "一般失信"
			if i%4 == 0 {
				severity = "严重失信"
			}
			add("hk-scjg", guanjia.CreditPenalty, append(subj, fmt.Sprintf("海市监罚〔2026〕%d号", n), "违反食品安全法",
				"经营超过保质期的食品", "《中华人民共和国食品安全法》第一百二十四条", "罚款", "罚款人民币伍仟元",
				fmt.Sprintf("%.2f", 0.5+float64(g.r.IntN(50))/10), "", g.day(-300, -3), g.day(90, 1095),
				"海口市市场监督管理局", "海口市市场监督管理局", severity))
		}
		if i%2 == 0 && s.kind == "法人及非法人组织" {
			add("hk-scjg", guanjia.CreditLicense, append(subj, fmt.Sprintf("琼市监许〔2026〕%d号", n), "普通", "食品经营许可证",
				fmt.Sprintf("JY1460100%06d", n), "预包装食品销售、热食类食品制售", g.day(-300, -1), g.day(-300, -1),
				g.day(300, 1800), "海口市市场监督管理局", "海口市市场监督管理局", ""))
		}
		if i%13 == 0 && s.kind == "法人及非法人组织" {
			add("hk-sthj", guanjia.CreditEnvironment, append(subj, fmt.Sprintf("海环曝〔2026〕%d号", n), "超标排放",
				"废水排放化学需氧量超标", "责令改正并处罚款", g.day(-200, -1), "海口市生态环境局", g.day(30, 365)))
		}
	}
	// Two entries whose publication period ends today: the expiry job takes them out of view tomorrow.
	for _, k := range order {
		if k.typ == guanjia.CreditPenalty && len(rows[k]) > 2 {
			for _, row := range rows[k][:2] {
				row[len(row)-4] = g.today.Format("2006-01-02") // 公示截止期 (then 处罚机关, 数据来源单位, 失信程度)
			}
			break
		}
	}
	var out []demoBatch
	for _, k := range order {
		rt, _ := credit.LookupType(k.typ)
		var buf bytes.Buffer
		w := csv.NewWriter(&buf)
		var header []string
		for _, f := range rt.Columns() {
			header = append(header, f.Header)
		}
		_ = w.Write(header)
		_ = w.WriteAll(rows[k])
		out = append(out, demoBatch{unit: k.unit, typ: k.typ, csv: buf.Bytes()})
	}
	return out
}
