package mediation

import (
	"testing"

	"guanjia"
)

// haikou is a small ladder: a community committee and a street committee
// serving grids, the district's, the city's, a traffic committee and a
// department doing 行政调解.
var haikou = []*guanjia.Committee{
	{Code: "tj-bs", Name: "滨海社区人民调解委员会", Level: guanjia.LevelVillage, Kind: guanjia.CommitteePeople, District: "龙华区", GridIDs: []string{"g1"}, Superior: "tj-hk"},
	{Code: "tj-hk", Name: "海垦街道人民调解委员会", Level: guanjia.LevelTown, Kind: guanjia.CommitteePeople, District: "龙华区", GridIDs: []string{"g1", "g2"}},
	{Code: "tj-lh", Name: "龙华区人民调解委员会", Level: guanjia.LevelDistrict, Kind: guanjia.CommitteePeople, District: "龙华区"},
	{Code: "tj-ml", Name: "美兰区人民调解委员会", Level: guanjia.LevelDistrict, Kind: guanjia.CommitteePeople, District: "美兰区"},
	{Code: "tj-hks", Name: "海口市人民调解委员会", Level: guanjia.LevelCity, Kind: guanjia.CommitteePeople},
	{Code: "tj-jt", Name: "海口市交通事故纠纷人民调解委员会", Level: guanjia.LevelCity, Kind: guanjia.CommitteePeople, Types: []string{"traffic"}},
	{Code: "hk-rsj", Name: "海口市人力资源和社会保障局", Level: guanjia.LevelCity, Kind: guanjia.CommitteeAdministrative, Types: []string{"labour"}},
}

func TestRoute(t *testing.T) {
	cases := []struct {
		typ, grid, district, want string
	}{
		{"neighbour", "g1", "龙华区", "tj-bs"}, // the community where it arises
		{"neighbour", "g2", "龙华区", "tj-hk"}, // no community committee: the street's
		{"marriage", "g9", "龙华区", "tj-lh"},  // a grid nobody serves: the district's
		{"marriage", "", "美兰区", "tj-ml"},    // no grid at all
		{"marriage", "", "", "tj-hks"},      // nowhere known: the city's
		{"traffic", "g1", "龙华区", "tj-jt"},   // specialised wins over the community
		{"labour", "g1", "龙华区", "tj-bs"},    // 行政调解 is chosen by a person, never by default
	}
	for _, c := range cases {
		got := Route(haikou, c.typ, c.grid, c.district)
		if got == nil || got.Code != c.want {
			t.Errorf("Route(%s, %s, %s) = %v, want %s", c.typ, c.grid, c.district, got, c.want)
		}
	}
	if got := Route(nil, "neighbour", "g1", "龙华区"); got != nil {
		t.Errorf("no committees: %v, want nil", got)
	}
}

func TestSuperior(t *testing.T) {
	cases := []struct{ from, want string }{
		{"tj-bs", "tj-hk"},  // named superior
		{"tj-hk", "tj-lh"},  // the next level in its district
		{"tj-lh", "tj-hks"}, // the city's
		{"tj-jt", ""},       // the top
	}
	for _, c := range cases {
		got := superior(haikou, findCommittee(haikou, c.from))
		if (got == nil && c.want != "") || (got != nil && got.Code != c.want) {
			t.Errorf("superior(%s) = %v, want %q", c.from, got, c.want)
		}
	}
}
