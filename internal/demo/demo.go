// Package demo is the Haikou demo city: its four districts as 39 grids with
// their units and on-duty crews, the category catalogue, demo accounts,
// 公益海口's teams and activities and 诚信海口's departments and records.
// The all-in-one `guanjia` seeds it into an empty database, `guanjia seed
// demo` on demand; the benchmarks file their load against it.
package demo

import (
	"context"
	"fmt"
	"io"
	"time"

	"guanjia"
	"guanjia/account"
	"guanjia/store"
)

// Password is the password of every demo account. `seed demo` is the only
// place guanjia creates accounts with a known password.
const Password = "haikou2026"

// district is one of Haikou's four districts, laid out as a block of grids
// over its built-up area (approximate WGS-84 extents).
type district struct {
	code, name       string
	minLat, minLng   float64
	rows, cols       int
	cellLat, cellLng float64
	streets          []string
}

var demoDistricts = []district{
	{"lh", "龙华区", 19.995, 110.280, 3, 4, 0.017, 0.020, []string{"中山街道", "滨海街道", "金宇街道", "大同街道", "海垦街道", "城西镇"}},
	{"ml", "美兰区", 19.990, 110.360, 3, 3, 0.030, 0.030, []string{"海府街道", "白龙街道", "和平南街道", "博爱街道", "人民街道", "演丰镇"}},
	{"xy", "秀英区", 19.960, 110.180, 3, 3, 0.030, 0.033, []string{"秀英街道", "海秀街道", "长流镇", "西秀镇"}},
	{"qs", "琼山区", 19.900, 110.330, 3, 3, 0.030, 0.030, []string{"府城街道", "滨江街道", "国兴街道", "凤翔街道", "云龙镇"}},
}

// The four point-to-point departments have a team per district; the
// utilities and the traffic police serve the whole city.
var districtDepts = []struct{ code, dept, suffix string }{
	{"sz", guanjia.DeptMunicipal, "市政管理所"},
	{"yl", guanjia.DeptLandscaping, "园林管理所"},
	{"hw", guanjia.DeptSanitation, "环卫所"},
	{"cg", guanjia.DeptUrbanMgmt, "综合行政执法局"},
}

var cityUnits = []guanjia.Unit{
	{Code: "water", Name: "海口威立雅水务有限公司", Department: guanjia.DeptWater},
	{Code: "power", Name: "海南电网海口供电局", Department: guanjia.DeptPower},
	{Code: "gas", Name: "海口民生燃气管网有限公司", Department: guanjia.DeptGas},
	{Code: "telecom", Name: "中国电信海口分公司", Department: guanjia.DeptTelecom},
	{Code: "traffic", Name: "海口市公安局交通警察支队", Department: guanjia.DeptTraffic},
}

// demoCategories is a catalogue in the 数字城管 style: 0xxx 部件, 1xxx 事件.
func demoCategories() []*guanjia.Category {
	p2p := func(code, name, kind, major, dept string, resolve time.Duration, mode guanjia.TimeMode) *guanjia.Category {
		return &guanjia.Category{Code: code, Name: name, Kind: kind, Major: major, Department: dept, PointToPoint: true,
			AcceptWithin: 5 * time.Minute, ArriveWithin: 30 * time.Minute, ResolveWithin: resolve, ResolveMode: mode, DuplicateRadiusM: 50}
	}
	unit := func(code, name, kind, major, dept string, resolve time.Duration, mode guanjia.TimeMode) *guanjia.Category {
		return &guanjia.Category{Code: code, Name: name, Kind: kind, Major: major, Department: dept,
			AcceptWithin: 30 * time.Minute, ArriveWithin: 2 * time.Hour, ResolveWithin: resolve, ResolveMode: mode, DuplicateRadiusM: 50}
	}
	day := 7 * time.Hour // one working day of 工作时
	return []*guanjia.Category{
		p2p("0101", "井盖破损/缺失", "部件", "公用设施", guanjia.DeptMunicipal, 4*time.Hour, guanjia.NaturalTime),
		p2p("0102", "路灯不亮", "部件", "公用设施", guanjia.DeptMunicipal, 2*day, guanjia.WorkingTime),
		p2p("0201", "道路破损", "部件", "道路交通", guanjia.DeptMunicipal, 3*day, guanjia.WorkingTime),
		p2p("0202", "护栏损坏", "部件", "道路交通", guanjia.DeptMunicipal, 2*day, guanjia.WorkingTime),
		p2p("0401", "行道树倒伏/断枝", "部件", "园林绿化", guanjia.DeptLandscaping, 4*time.Hour, guanjia.NaturalTime),
		p2p("0402", "绿地破坏", "部件", "园林绿化", guanjia.DeptLandscaping, 2*day, guanjia.WorkingTime),
		p2p("1101", "暴露垃圾", "事件", "市容环境", guanjia.DeptSanitation, 2*time.Hour, guanjia.NaturalTime),
		p2p("1102", "道路不洁", "事件", "市容环境", guanjia.DeptSanitation, 2*time.Hour, guanjia.NaturalTime),
		p2p("1103", "垃圾桶满溢", "事件", "市容环境", guanjia.DeptSanitation, 2*time.Hour, guanjia.NaturalTime),
		p2p("1201", "占道经营", "事件", "街面秩序", guanjia.DeptUrbanMgmt, 2*time.Hour, guanjia.NaturalTime),
		p2p("1202", "乱张贴小广告", "事件", "街面秩序", guanjia.DeptUrbanMgmt, day, guanjia.WorkingTime),
		p2p("1203", "违章搭建", "事件", "街面秩序", guanjia.DeptUrbanMgmt, 5*day, guanjia.WorkingTime),
		p2p("1301", "道路积水", "事件", "突发事件", guanjia.DeptMunicipal, 4*time.Hour, guanjia.NaturalTime),
		unit("1401", "停水/水压低", "事件", "公用事业", guanjia.DeptWater, 24*time.Hour, guanjia.NaturalTime),
		unit("1402", "停电/电力故障", "事件", "公用事业", guanjia.DeptPower, 24*time.Hour, guanjia.NaturalTime),
		unit("1403", "燃气泄漏", "事件", "公用事业", guanjia.DeptGas, 4*time.Hour, guanjia.NaturalTime),
		unit("1404", "通信线缆脱落", "事件", "公用事业", guanjia.DeptTelecom, 2*day, guanjia.WorkingTime),
		unit("1501", "违章停车", "事件", "交通秩序", guanjia.DeptTraffic, day, guanjia.WorkingTime),
	}
}

// departmentAccount makes unit and its department staff account username
// (named name) unless they exist, and answers the account.
func departmentAccount(ctx context.Context, db *store.DB, unit *guanjia.Unit, username, name string) (*guanjia.User, error) {
	if err := db.Catalog.UpsertUnit(ctx, unit); err != nil {
		return nil, err
	}
	u, err := db.Users.FindUserByUsername(ctx, username)
	if guanjia.ErrorCode(err) != guanjia.ENOTFOUND {
		return u, err
	}
	hash, err := account.HashPassword(Password)
	if err != nil {
		return nil, err
	}
	u = &guanjia.User{Username: username, PasswordHash: hash, Role: guanjia.RoleDepartment, UnitCode: unit.Code, Name: name}
	return u, db.Users.CreateUser(ctx, u)
}

// Seed loads the Haikou demo city. Running it twice changes nothing.
func Seed(ctx context.Context, db *store.DB, out io.Writer) error {
	for _, c := range Categories() {
		if err := db.Catalog.UpsertCategory(ctx, c); err != nil {
			return err
		}
	}
	for i := range cityUnits {
		if err := db.Catalog.UpsertUnit(ctx, &cityUnits[i]); err != nil {
			return err
		}
	}
	hash, err := account.HashPassword(Password)
	if err != nil {
		return err
	}
	users := []*guanjia.User{
		{Username: "admin", Role: guanjia.RoleAdmin, Name: "系统管理员"},
		{Username: "dispatcher", Role: guanjia.RoleDispatcher, Name: "指挥中心值班员"},
		{Username: "agent", Role: guanjia.RoleAgent, Name: "12345话务员"},
		{Username: "citizen", Role: guanjia.RoleCitizen, Name: "市民张先生", Phone: "13876543210"},
	}
	for _, u := range cityUnits {
		users = append(users, &guanjia.User{Username: u.Code + "-lead", Role: guanjia.RoleUnitAdmin, UnitCode: u.Code, Name: u.Name + "负责人"})
	}
	grids := 0
	for _, d := range demoDistricts {
		for _, dd := range districtDepts {
			code := d.code + "-" + dd.code
			if err := db.Catalog.UpsertUnit(ctx, &guanjia.Unit{Code: code, Name: d.name + dd.suffix, Department: dd.dept, District: d.name}); err != nil {
				return err
			}
			users = append(users, &guanjia.User{Username: code + "-lead", Role: guanjia.RoleUnitAdmin, UnitCode: code, Name: d.name + dd.suffix + "负责人"})
		}
		for r := 0; r < d.rows; r++ {
			for c := 0; c < d.cols; c++ {
				n := r*d.cols + c + 1
				g := demoGrid(d, r, c, n)
				if err := db.Catalog.UpsertGrid(ctx, g); err != nil {
					return err
				}
				grids++
				// One on-duty crew member per point-to-point department, at the grid's centre.
				lat, lng := d.minLat+(float64(r)+0.5)*d.cellLat, d.minLng+(float64(c)+0.5)*d.cellLng
				now := time.Now().UTC()
				for _, dd := range districtDepts {
					users = append(users, &guanjia.User{Username: fmt.Sprintf("crew-%s%02d-%s", d.code, n, dd.code),
						Role: guanjia.RoleCrew, UnitCode: d.code + "-" + dd.code, GridID: g.ID, Name: fmt.Sprintf("%s%s%02d号", d.name, dd.dept, n),
						OnDuty: true, Lat: lat, Lng: lng, PositionAt: &now, WeComUserID: fmt.Sprintf("crew%s%02d%s", d.code, n, dd.code)})
				}
			}
		}
	}
	created := 0
	for _, u := range users {
		if _, err := db.Users.FindUserByUsername(ctx, u.Username); err == nil {
			continue
		}
		u.PasswordHash = hash
		if err := db.Users.CreateUser(ctx, u); err != nil {
			return err
		}
		created++
	}
	fmt.Fprintf(out, "demo city: %d categories, %d grids, %d units, %d new accounts (password %s)\n",
		len(demoCategories()), grids, len(cityUnits)+len(demoDistricts)*len(districtDepts), created, Password)
	if err := seedCreditDemo(ctx, db, out); err != nil { // 诚信海口 (demo_credit.go)
		return err
	}
	if err := seedPOIDemo(ctx, db, out); err != nil { // 15分钟便民生活圈 (poi.go)
		return err
	}
	if err := seedApprovalDemo(ctx, db, out); err != nil { // 行政审批查询 (approval.go)
		return err
	}
	if err := seedLawDemo(ctx, db, out); err != nil { // 法律法规 (law.go)
		return err
	}
	if err := seedWeatherDemo(ctx, db, out); err != nil { // 台风 / 气象 / 积水 (weather.go)
		return err
	}
	if err := seedDisputeDemo(ctx, db, out); err != nil { // 大调解 (dispute.go)
		return err
	}
	return seedVolunteerDemo(ctx, db, out) // 公益海口 (demo_volunteer.go)
}

func demoGrid(d district, r, c, n int) *guanjia.Grid {
	lat0, lng0 := d.minLat+float64(r)*d.cellLat, d.minLng+float64(c)*d.cellLng
	lat1, lng1 := lat0+d.cellLat, lng0+d.cellLng
	geom := fmt.Sprintf(`{"type":"Polygon","coordinates":[[[%.5f,%.5f],[%.5f,%.5f],[%.5f,%.5f],[%.5f,%.5f],[%.5f,%.5f]]]}`,
		lng0, lat0, lng1, lat0, lng1, lat1, lng0, lat1, lng0, lat0)
	street := d.streets[(n-1)%len(d.streets)]
	units := map[string]string{}
	for _, dd := range districtDepts {
		units[dd.dept] = d.code + "-" + dd.code
	}
	for _, u := range cityUnits {
		units[u.Department] = u.Code
	}
	return &guanjia.Grid{ID: fmt.Sprintf("%s%02d", d.code, n), Name: fmt.Sprintf("%s第%d网格", street, n),
		District: d.name, Street: street, Community: fmt.Sprintf("%s第%d社区", street, (n+1)/2), Geometry: []byte(geom), Units: units}
}

// GridCentres are the centres of the demo grids, as (lat, lng) in WGS-84.
func GridCentres() [][2]float64 {
	var out [][2]float64
	for _, d := range demoDistricts {
		for r := 0; r < d.rows; r++ {
			for c := 0; c < d.cols; c++ {
				out = append(out, [2]float64{d.minLat + (float64(r)+0.5)*d.cellLat, d.minLng + (float64(c)+0.5)*d.cellLng})
			}
		}
	}
	return out
}
