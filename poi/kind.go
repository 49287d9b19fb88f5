package poi

import "guanjia"

// Kind is one kind of place a 15分钟便民生活圈 should have within reach.
type Kind struct {
	Code string // stable, in files and the API
	Name string // what residents call it
}

// Kinds is the catalogue, in the order answers list them. It follows the
// facilities of the 15-minute life circle in 《城市居住区规划设计标准》
// (GB 50180-2018) and 《完整社区建设指南》, narrowed to what residents walk to.
// A file may name a kind by code or by name.
var Kinds = []Kind{
	{"service_station", "便民服务站"},
	{"health_center", "社区卫生服务中心"},
	{"pharmacy", "药店"},
	{"market", "菜市场"},
	{"supermarket", "超市便利店"},
	{"school", "学校"},
	{"kindergarten", "幼儿园"},
	{"elderly_care", "养老服务"},
	{"toilet", "公厕"},
	{"bus_stop", "公交站"},
	{"parking", "停车场"},
	{"express", "快递点"},
	{"sports", "健身场地"},
	{"park", "公园广场"},
}

// kindAliases are other names seen in departments' files.
var kindAliases = map[string]string{
	"社区服务站": "service_station", "党群服务中心": "service_station", "便民服务中心": "service_station",
	"社区卫生服务站": "health_center", "卫生服务中心": "health_center", "卫生院": "health_center",
	"农贸市场": "market", "生鲜市场": "market", "超市": "supermarket", "便利店": "supermarket",
	"小学": "school", "中学": "school", "养老": "elderly_care", "日间照料中心": "elderly_care",
	"公共厕所": "toilet", "厕所": "toilet", "公交车站": "bus_stop", "快递驿站": "express",
	"健身": "sports", "公园": "park", "广场": "park",
}

// LookupKind finds a kind by code, name or alias.
func LookupKind(s string) (Kind, error) {
	if code, ok := kindAliases[s]; ok {
		s = code
	}
	for _, k := range Kinds {
		if k.Code == s || k.Name == s {
			return k, nil
		}
	}
	return Kind{}, guanjia.FieldError(guanjia.EINVALID, "kind", "unknown kind %q", s)
}
