package mediation

import (
	"math"
	"testing"
	"time"

	"guanjia"
)

// TestCountWorkedByHand: six disputes, counted on paper first.
//
//	#  type       committee level    source       end
//	1  traffic    tj-jt     city     patrol       调解成功          → pre-litigation
//	2  traffic    tj-jt     city     court        调解成功, closed  → not pre-litigation (a court sent it)
//	3  traffic    tj-jt     city     hotline      调解不成
//	4  neighbour  tj-bs     village  miniprogram  调解成功          → pre-litigation
//	5  neighbour  tj-bs     village  police       still mediating
//	6  marriage   tj-hk     town     hotline      withdrawn
//
// handled 6; succeeded 3 = resolved; failed 1; withdrawn 1; concluded 5;
// 调处成功率 = 3 ÷ (3 + 1) = 75 %; pre-litigation 2. Traffic alone: 3
// handled, 2 succeeded, 1 failed, 2 ÷ 3 = 66.7 %, pre-litigation 1.
func TestCountWorkedByHand(t *testing.T) {
	d := func(typ, committee, level, source string, status guanjia.DisputeStatus, result string) *guanjia.Dispute {
		return &guanjia.Dispute{Type: typ, CommitteeCode: committee, Level: level, Source: source, Status: status, Result: result}
	}
	list := []*guanjia.Dispute{
		d("traffic", "tj-jt", guanjia.LevelCity, guanjia.DisputeFromPatrol, guanjia.DisputeSucceeded, "success"),
		d("traffic", "tj-jt", guanjia.LevelCity, guanjia.DisputeFromCourt, guanjia.DisputeClosed, "success"),
		d("traffic", "tj-jt", guanjia.LevelCity, guanjia.DisputeFromHotline, guanjia.DisputeFailed, "failure"),
		d("neighbour", "tj-bs", guanjia.LevelVillage, guanjia.DisputeFromMiniProgram, guanjia.DisputeConfirming, "success"),
		d("neighbour", "tj-bs", guanjia.LevelVillage, guanjia.DisputeFromPolice, guanjia.DisputeMediating, ""),
		d("marriage", "tj-hk", guanjia.LevelTown, guanjia.DisputeFromHotline, guanjia.DisputeWithdrawn, ""),
	}
	st := Count(list, haikou, time.Time{}, time.Time{})
	tot := st.Total
	if tot.Handled != 6 || tot.Succeeded != 3 || tot.Resolved != 3 || tot.Failed != 1 || tot.Withdrawn != 1 || tot.Concluded != 5 || tot.PreLitigation != 2 {
		t.Fatalf("totals %+v", tot)
	}
	if tot.SuccessRate == nil || *tot.SuccessRate != 0.75 {
		t.Fatalf("success rate %v, want 0.75", tot.SuccessRate)
	}
	traffic := st.ByType[0]
	if traffic.Key != "traffic" || traffic.Name != "交通事故纠纷" || traffic.Handled != 3 || traffic.Succeeded != 2 || traffic.PreLitigation != 1 ||
		math.Abs(*traffic.SuccessRate-2.0/3) > 1e-9 {
		t.Fatalf("traffic %+v", traffic)
	}
	if st.ByLevel[0].Key != guanjia.LevelCity || st.ByLevel[0].Name != "市" || st.ByLevel[0].Handled != 3 {
		t.Fatalf("by level %+v", st.ByLevel)
	}
	if c := st.ByCommittee[0]; c.Key != "tj-jt" || c.Name != "海口市交通事故纠纷人民调解委员会" {
		t.Fatalf("by committee %+v", st.ByCommittee)
	}
	if town := st.ByLevel[2]; town.Key != guanjia.LevelTown || town.SuccessRate != nil {
		t.Fatalf("a level with no outcome has no rate: %+v", town)
	}
}

// TestCountCaseFigures: the case's year, 5,045 handled and 4,947 resolved,
// the other 98 mediated without agreement, gives 调处成功率 98.1 %.
func TestCountCaseFigures(t *testing.T) {
	var list []*guanjia.Dispute
	for i := 0; i < 5045; i++ {
		result := "success"
		if i >= 4947 {
			result = "failure"
		}
		list = append(list, &guanjia.Dispute{Type: "traffic", Result: result, Source: guanjia.DisputeFromPatrol})
	}
	st := Count(list, nil, time.Time{}, time.Time{})
	if st.Total.Handled != 5045 || st.Total.Resolved != 4947 || math.Round(*st.Total.SuccessRate*1000)/10 != 98.1 {
		t.Fatalf("%+v rate %v", st.Total, *st.Total.SuccessRate)
	}
}
