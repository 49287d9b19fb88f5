package demo

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"time"

	"guanjia"
	"guanjia/account"
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
	staff := map[string]guanjia.Claims{}
	for _, d := range creditDepartments {
		u, err := departmentAccount(ctx, db, &d.unit, d.user, d.unit.Name+"信用科")
		if err != nil {
			return err
		}
		if err := db.Credit.SetRemit(ctx, d.unit.Code, d.types); err != nil {
			return err
		}
		staff[d.unit.Code] = guanjia.Claims{UserID: u.ID, Role: guanjia.RoleDepartment, UnitCode: d.unit.Code}
	}
	gen := NewCreditGen(2026, time.Now().UTC())
	if _, err := db.Credit.FindSubjectByCode(ctx, gen.CompanyCode(0)); err == nil {
		fmt.Fprintln(out, "诚信海口 demo: already loaded")
		return nil
	}
	svc := credit.NewService(db.Credit, nil, nil, nil)
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
	hash, err := account.HashPassword(Password)
	if err != nil {
		return err
	}
	if err := seedCreditRepresentative(ctx, db, svc, gen, hash); err != nil {
		return err
	}
	admin, err := db.Users.FindUserByUsername(ctx, "admin")
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
func (g *CreditGen) demoRepID() string { return g.IDNumber(500000) }

// seedCreditRepresentative adds credit-rep and binds it the way a citizen
// does: name and ID number checked against the registered 法定代表人.
func seedCreditRepresentative(ctx context.Context, db *store.DB, svc *credit.Service, gen *CreditGen, hash string) error {
	company, err := db.Credit.FindSubjectByCode(ctx, gen.CompanyCode(0))
	if err != nil {
		return err
	}
	u, err := db.Users.FindUserByUsername(ctx, demoRepUser)
	if guanjia.ErrorCode(err) == guanjia.ENOTFOUND {
		u = &guanjia.User{Username: demoRepUser, PasswordHash: hash, Role: guanjia.RoleCitizen, Name: company.LegalRep}
		err = db.Users.CreateUser(ctx, u)
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

type demoSubject struct {
	kind, name, code, legalRep, id, address string
}

func (g *CreditGen) subjects(companies, businesses, persons int) []demoSubject {
	var out []demoSubject
	for i := 0; i < companies; i++ {
		out = append(out, demoSubject{kind: "法人及非法人组织", name: g.CompanyName(), code: g.CompanyCode(i), legalRep: g.PersonName(), address: g.Address()})
	}
	if companies > 0 {
		out[0].id = g.demoRepID() // the 法定代表人's, so that credit-rep can bind to it
	}
	for i := 0; i < businesses; i++ {
		owner := g.PersonName()
		out = append(out, demoSubject{kind: "个体工商户", name: "海口市" + demoDistricts[g.Rand.IntN(len(demoDistricts))].name + owner + g.pick("记号") + "餐饮店",
			code: g.BusinessCode(i), legalRep: owner, address: g.Address()})
	}
	for i := 0; i < persons; i++ {
		out = append(out, demoSubject{kind: "自然人", name: g.PersonName(), id: g.IDNumber(i)})
	}
	return out
}

// longestPublication is the latest 公示截止期 the law allows a penalty of
// severity decided on decided (as the CSV writes dates).
func longestPublication(decided string, severity guanjia.CreditSeverity) string {
	d, _ := time.Parse("2006-01-02", decided)
	last, _ := credit.LatestPublicUntil(&guanjia.CreditEntry{Type: guanjia.CreditPenalty, Severity: severity, DecidedOn: d})
	return last.Format("2006-01-02")
}

type demoBatch struct {
	unit, typ string
	csv       []byte
}

// demoBatches spreads list entries and records over the subjects, one CSV per
// department and record type.
func (g *CreditGen) demoBatches(companies, businesses, persons int) []demoBatch {
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
				fmt.Sprintf("%d.%02d", 10000+g.Rand.IntN(900000), g.Rand.IntN(100)), "", g.day(-180, -5), "国家税务总局海口市税务局", g.day(60, 365)))
		}
		if s.kind == "自然人" {
			continue
		}
		if i%3 == 0 {
			severity := guanjia.SeverityGeneral
			if i%4 == 0 {
				severity = guanjia.SeveritySerious
			}
			decided := g.day(-300, -3)
			add("hk-scjg", guanjia.CreditPenalty, append(subj, fmt.Sprintf("海市监罚〔2026〕%d号", n), "违反食品安全法",
				"经营超过保质期的食品", "《中华人民共和国食品安全法》第一百二十四条", "罚款", "罚款人民币伍仟元",
				fmt.Sprintf("%.2f", 0.5+float64(g.Rand.IntN(50))/10), "", decided, longestPublication(decided, severity),
				"海口市市场监督管理局", "海口市市场监督管理局", credit.SeverityName(severity)))
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
	// Two penalties whose publication period ends today, their minimum
	// served: the expiry job takes them out of view tomorrow.
	today := g.Today.Format("2006-01-02")
	for _, k := range order {
		if k.typ != guanjia.CreditPenalty {
			continue
		}
		ending := 0
		for _, row := range rows[k] { // …, 处罚决定日期, 公示截止期, 处罚机关, 数据来源单位, 失信程度
			decided, _ := time.Parse("2006-01-02", row[len(row)-5])
			first, _ := credit.RepairableFrom(&guanjia.CreditEntry{Type: k.typ, Severity: guanjia.SeverityGeneral, DecidedOn: decided})
			if ending < 2 && row[len(row)-1] == credit.SeverityName(guanjia.SeverityGeneral) && first.Format("2006-01-02") <= today {
				row[len(row)-4] = today
				ending++
			}
		}
	}
	var out []demoBatch
	for _, k := range order {
		rt, _ := credit.LookupType(k.typ)
		out = append(out, demoBatch{unit: k.unit, typ: k.typ, csv: rt.CSV(rows[k])})
	}
	return out
}
