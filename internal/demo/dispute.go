package demo

import (
	"context"
	"fmt"
	"io"
	"time"

	"guanjia"
	"guanjia/account"
	"guanjia/mediation"
	"guanjia/store"
)

// 大调解 demo: the committee ladder of Haikou (community → street →
// district → city), the specialised committees, a department doing 行政调解,
// grid managers, a mediator per committee, and disputes in every state.

var demoCommittees = []*guanjia.Committee{
	{Code: "tj-hk-xh", Name: "海垦街道秀华社区人民调解委员会", Level: guanjia.LevelVillage, Kind: guanjia.CommitteePeople, District: "龙华区", GridIDs: []string{"lh05"}, Superior: "tj-hk"},
	{Code: "tj-hk", Name: "海垦街道人民调解委员会", Level: guanjia.LevelTown, Kind: guanjia.CommitteePeople, District: "龙华区", GridIDs: []string{"lh05", "lh11"}, Superior: "tj-lh"},
	{Code: "tj-zs", Name: "中山街道人民调解委员会", Level: guanjia.LevelTown, Kind: guanjia.CommitteePeople, District: "龙华区", GridIDs: []string{"lh01", "lh07"}, Superior: "tj-lh"},
	{Code: "tj-lh", Name: "龙华区人民调解委员会", Level: guanjia.LevelDistrict, Kind: guanjia.CommitteePeople, District: "龙华区", Superior: "tj-hks"},
	{Code: "tj-ml", Name: "美兰区人民调解委员会", Level: guanjia.LevelDistrict, Kind: guanjia.CommitteePeople, District: "美兰区", Superior: "tj-hks"},
	{Code: "tj-hks", Name: "海口市人民调解委员会", Level: guanjia.LevelCity, Kind: guanjia.CommitteePeople},
	{Code: "tj-jt", Name: "海口市交通事故纠纷人民调解委员会", Level: guanjia.LevelCity, Kind: guanjia.CommitteePeople, Types: []string{"traffic"}},
	{Code: "tj-yl", Name: "海口市医疗纠纷人民调解委员会", Level: guanjia.LevelCity, Kind: guanjia.CommitteePeople, Types: []string{"medical"}},
	{Code: "tj-ly", Name: "海口市旅游纠纷人民调解委员会", Level: guanjia.LevelCity, Kind: guanjia.CommitteePeople, Types: []string{"tourism"}},
	{Code: "xz-rsj", Name: "海口市人力资源和社会保障局（劳动争议行政调解）", Level: guanjia.LevelCity, Kind: guanjia.CommitteeAdministrative},
}

// demoMediators names the mediator of each committee (mediator-<code>).
var demoMediators = map[string]string{
	"tj-hk-xh": "符秀英", "tj-hk": "王德明", "tj-zs": "陈少华", "tj-lh": "林国栋", "tj-ml": "吴海波",
	"tj-hks": "云天佑", "tj-jt": "黎志坚", "tj-yl": "邢医和", "tj-ly": "冯椰林", "xz-rsj": "周劳仲",
}

// demoGridManagers are the grid managers' grids (grid-<grid id>) and names.
var demoGridManagers = map[string]string{"lh05": "李网格", "lh01": "蔡网格", "ml01": "梁网格"}

// gridCentre is the centre of a demo grid.
func gridCentre(id string) (lat, lng float64) {
	for _, d := range demoDistricts {
		for r := 0; r < d.rows; r++ {
			for c := 0; c < d.cols; c++ {
				if fmt.Sprintf("%s%02d", d.code, r*d.cols+c+1) == id {
					return d.minLat + (float64(r)+0.5)*d.cellLat, d.minLng + (float64(c)+0.5)*d.cellLng
				}
			}
		}
	}
	panic("demo: no grid " + id)
}

func seedDisputeDemo(ctx context.Context, db *store.DB, out io.Writer) error {
	for _, c := range demoCommittees {
		if err := db.Disputes.UpsertCommittee(ctx, c); err != nil {
			return err
		}
	}
	hash, err := account.HashPassword(Password)
	if err != nil {
		return err
	}
	var users []*guanjia.User
	for _, c := range demoCommittees {
		role := guanjia.RoleMediator
		if c.Kind == guanjia.CommitteeAdministrative {
			role = guanjia.RoleDepartment
		}
		users = append(users, &guanjia.User{Username: "mediator-" + c.Code, Role: role, UnitCode: c.Code, Name: demoMediators[c.Code]})
	}
	for grid, name := range demoGridManagers {
		users = append(users, &guanjia.User{Username: "grid-" + grid, Role: guanjia.RoleGridManager, GridID: grid, Name: name})
	}
	who := map[string]guanjia.Claims{}
	for _, u := range users {
		found, err := db.Users.FindUserByUsername(ctx, u.Username)
		if guanjia.ErrorCode(err) == guanjia.ENOTFOUND {
			u.PasswordHash = hash
			err, found = db.Users.CreateUser(ctx, u), u
		}
		if err != nil {
			return err
		}
		who[u.Username] = guanjia.Claims{UserID: found.ID, Role: found.Role, UnitCode: found.UnitCode}
	}
	for _, name := range []string{"citizen", "agent", "dispatcher"} {
		u, err := db.Users.FindUserByUsername(ctx, name)
		if err != nil {
			return err
		}
		who[name] = guanjia.Claims{UserID: u.ID, Role: u.Role}
	}
	if _, total, err := db.Disputes.ListDisputes(ctx, mediation.Filter{Limit: 1}); err != nil || total > 0 {
		return err // seeded before: the disputes have moved on, leave them
	}
	n, err := seedDisputes(ctx, db, who)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "大调解: %d committees, %d disputes, grid managers grid-lh05/grid-lh01/grid-ml01, mediators mediator-<committee>\n", len(demoCommittees), n)
	return nil
}

// seedDisputes files the demo disputes and walks each to its state, as
// the people who would; the overdue one is accepted 35 days back, so the
// worker escalates it as soon as it runs.
func seedDisputes(ctx context.Context, db *store.DB, who map[string]guanjia.Claims) (int, error) {
	var now time.Time
	svc := mediation.NewService(db.Disputes, nil, nil, func() time.Time { return now })
	person := func(role, name, id, phone string) guanjia.Party {
		return guanjia.Party{Role: role, Kind: "person", Name: name, IDNumber: id, Phone: phone}
	}
	org := func(role, name, code string) guanjia.Party {
		return guanjia.Party{Role: role, Kind: "organisation", Name: name, CreditCode: code}
	}
	type step struct {
		as     string
		action guanjia.DisputeAction
		in     mediation.ActionInput
	}
	kept := true
	cases := []struct {
		by, source, typ, grid, summary, address string
		parties                                 []guanjia.Party
		daysAgo                                 int
		steps                                   []step
	}{
		{"grid-lh05", "", "neighbour", "lh05", "楼上住户空调滴水，邻里争吵", "龙华区海垦路秀华小区3栋", []guanjia.Party{
			person("applicant", "符丽萍", "460100198503120029", "13907551234"), person("respondent", "陈家豪", "", "")}, 0, nil},
		{"citizen", "", "property", "lh05", "物业费上涨与停车位纠纷", "龙华区海垦路秀华小区", []guanjia.Party{
			person("applicant", "市民张先生", "", "13876543210"), org("respondent", "海口秀华物业服务有限公司", "91350100M000100Y43")}, 2, []step{
			{"mediator-tj-hk-xh", guanjia.DisputeAccept, mediation.ActionInput{}},
			{"mediator-tj-hk-xh", guanjia.DisputeRoute, mediation.ActionInput{}},
			{"mediator-tj-hk-xh", guanjia.DisputeAssign, mediation.ActionInput{Mediators: []int64{who["mediator-tj-hk-xh"].UserID}}},
			{"mediator-tj-hk-xh", guanjia.DisputeSchedule, mediation.ActionInput{Place: "秀华社区党群服务中心调解室"}},
		}},
		{"agent", "", "traffic", "lh01", "电动车与小轿车刮擦，维修费争议", "龙华区滨海大道与龙华路交叉口", []guanjia.Party{
			person("applicant", "王海燕", "11010519491231002X", "13976001234"), person("respondent", "吴建国", "", "13876009876")}, 20, []step{
			{"mediator-tj-jt", guanjia.DisputeAccept, mediation.ActionInput{}},
			{"mediator-tj-jt", guanjia.DisputeRoute, mediation.ActionInput{}},
			{"mediator-tj-jt", guanjia.DisputeAssign, mediation.ActionInput{Mediators: []int64{who["mediator-tj-jt"].UserID}}},
			{"mediator-tj-jt", guanjia.DisputeSchedule, mediation.ActionInput{Place: "海口市交通事故纠纷人民调解委员会（交警支队事故处理大厅）"}},
			{"mediator-tj-jt", guanjia.DisputeRecord, mediation.ActionInput{Record: "双方陈述事故经过，对责任认定无异议，就维修费金额协商。", Attended: "王海燕、吴建国"}},
			{"mediator-tj-jt", guanjia.DisputeSucceed, mediation.ActionInput{Terms: "一、吴建国一次性赔偿王海燕车辆维修费人民币2,600元，于协议签订当日支付；\n二、双方就本次事故再无其他争议。"}},
			{"mediator-tj-jt", guanjia.DisputeRequestConfirmation, mediation.ActionInput{Court: "海口市龙华区人民法院"}},
			{"dispatcher", guanjia.DisputeConfirm, mediation.ActionInput{Result: "confirmed", Note: "裁定调解协议有效"}},
			{"grid-lh01", guanjia.DisputeFollowUp, mediation.ActionInput{Kept: &kept, Note: "赔偿款已当场支付"}},
			{"mediator-tj-jt", guanjia.DisputeClose, mediation.ActionInput{}},
		}},
		{"dispatcher", guanjia.DisputeFromCourt, "traffic", "lh01", "法院委派：追尾事故赔偿纠纷（诉前调解）", "龙华区国贸大道", []guanjia.Party{
			person("applicant", "郑小云", "", "13700001111"), org("respondent", "海口椰城出租汽车有限公司", "91350100M000100Y43")}, 10, []step{
			{"mediator-tj-jt", guanjia.DisputeAccept, mediation.ActionInput{}},
			{"mediator-tj-jt", guanjia.DisputeRoute, mediation.ActionInput{}},
			{"mediator-tj-jt", guanjia.DisputeAssign, mediation.ActionInput{Mediators: []int64{who["mediator-tj-jt"].UserID}}},
			{"mediator-tj-jt", guanjia.DisputeSchedule, mediation.ActionInput{Place: "海口市交通事故纠纷人民调解委员会"}},
			{"mediator-tj-jt", guanjia.DisputeRecord, mediation.ActionInput{Record: "出租车公司同意承担全部维修费及误工费。", Attended: "郑小云、公司代理人"}},
			{"mediator-tj-jt", guanjia.DisputeSucceed, mediation.ActionInput{Terms: "被申请人赔偿申请人维修费、误工费共计人民币5,800元，于十日内转账支付。"}},
		}},
		{"citizen", "", "marriage", "lh11", "离婚后子女探视纠纷", "龙华区海垦街道", []guanjia.Party{
			person("applicant", "市民张先生", "", "13876543210"), person("respondent", "黄美玲", "", "")}, 15, []step{
			{"mediator-tj-hk", guanjia.DisputeAccept, mediation.ActionInput{}},
			{"mediator-tj-hk", guanjia.DisputeRoute, mediation.ActionInput{}},
			{"mediator-tj-hk", guanjia.DisputeAssign, mediation.ActionInput{Mediators: []int64{who["mediator-tj-hk"].UserID}}},
			{"mediator-tj-hk", guanjia.DisputeSchedule, mediation.ActionInput{Place: "海垦街道综治中心"}},
			{"mediator-tj-hk", guanjia.DisputeRecord, mediation.ActionInput{Record: "双方对探视时间分歧较大，未能达成一致。", Attended: "张先生、黄美玲"}},
			{"mediator-tj-hk", guanjia.DisputeFail, mediation.ActionInput{Advice: "litigation", Note: "建议向龙华区人民法院起诉变更探视安排"}},
		}},
		{"agent", "", "labour", "ml01", "装修工人讨要工资", "美兰区海府路", []guanjia.Party{
			person("applicant", "羊志明", "", "13698765432"), org("respondent", "海口美居装饰工程有限公司", "91350100M000100Y43")}, 35, []step{
			{"dispatcher", guanjia.DisputeAccept, mediation.ActionInput{}},
			{"dispatcher", guanjia.DisputeRoute, mediation.ActionInput{Committee: "tj-ml"}},
			{"mediator-tj-ml", guanjia.DisputeAssign, mediation.ActionInput{Mediators: []int64{who["mediator-tj-ml"].UserID}}},
		}},
		{"grid-ml01", "", "medical", "ml01", "患者家属对手术费用有异议", "美兰区人民大道", []guanjia.Party{
			person("applicant", "邓春花", "", "13807551111"), org("respondent", "海口美兰某医院", "91350100M000100Y43")}, 5, []step{
			{"mediator-tj-yl", guanjia.DisputeAccept, mediation.ActionInput{}},
			{"mediator-tj-yl", guanjia.DisputeWithdraw, mediation.ActionInput{Note: "医院已退还多收费用，申请人撤回申请"}},
		}},
		{"citizen", "", "tourism", "", "一日游购物点强制消费", "秀英区假日海滩", []guanjia.Party{
			person("applicant", "市民张先生", "", "13876543210"), org("respondent", "海口某旅行社有限公司", "91350100M000100Y43")}, 1, nil},
	}
	base := time.Now().UTC().Truncate(time.Minute)
	for _, c := range cases {
		now = base.AddDate(0, 0, -c.daysAgo)
		lat, lng := 20.03, 110.25 // 秀英区, outside the demo grids
		if c.grid != "" {
			lat, lng = gridCentre(c.grid)
		}
		v, err := svc.Create(ctx, who[c.by], mediation.Input{Type: c.typ, Summary: c.summary, Address: c.address, Lat: lat, Lng: lng,
			GridID: c.grid, Source: c.source, Parties: c.parties})
		if err != nil {
			return 0, fmt.Errorf("demo dispute %s: %w", c.summary, err)
		}
		for i, s := range c.steps {
			now = now.Add(time.Duration(i+1) * 3 * time.Hour)
			in := s.in
			if s.action == guanjia.DisputeSchedule {
				in.At = now.Add(24 * time.Hour)
				if c.steps[len(c.steps)-1].action == guanjia.DisputeSchedule { // still to come: tomorrow morning
					in.At = base.Add(20 * time.Hour)
				}
			}
			if s.action == guanjia.DisputeRecord {
				now = now.Add(25 * time.Hour) // after the session
				in.Session = v.Sessions[len(v.Sessions)-1].ID
			}
			if v, err = svc.Act(ctx, who[s.as], v.ID, s.action, in); err != nil {
				return 0, fmt.Errorf("demo dispute %s: %s: %w", c.summary, s.action, err)
			}
		}
	}
	return len(cases), nil
}
