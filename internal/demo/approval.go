package demo

import (
	"context"
	"fmt"
	"io"
	"time"

	"guanjia"
	"guanjia/approval"
	"guanjia/store"
)

// approvalUnit is the demo's 行政审批 department, whose staff import records.
var approvalUnit = guanjia.Unit{Code: "hk-xzsp", Name: "海口市行政审批服务局", Department: "行政审批"}

// demoApproval is one application and the statuses it passed, a version each.
type demoApproval struct {
	number, matter, department, applicant, phone string
	steps                                        []approval.Status
	note                                         string // of the last step
}

var demoApprovals = []demoApproval{
	{"HKSP-2026-000101", "食品经营许可（新办）", "海口市行政审批服务局", "王海燕", "13876541234",
		[]approval.Status{approval.StatusReceived, approval.StatusReviewing, approval.StatusDecided, approval.StatusCompleted}, "许可证已寄出，请注意查收"},
	{"HKSP-2026-000102", "公共场所卫生许可", "海口市行政审批服务局", "陈志强", "13907560987",
		[]approval.Status{approval.StatusReceived, approval.StatusSupplement}, "请补交从业人员健康证明"},
	{"HKSP-2026-000103", "建设工程规划许可证核发", "海口市行政审批服务局", "海口椰城置业有限公司", "0898-66781234",
		[]approval.Status{approval.StatusReceived, approval.StatusReviewing}, ""},
	{"HKSP-2026-000104", "户外广告设施设置审批", "海口市综合行政执法局", "林小梅", "13698762345",
		[]approval.Status{approval.StatusRefused}, "设置地点位于禁设区域"},
	{"HKSP-2026-000105", "城市道路挖掘许可", "海口市园林和环境卫生管理局", "符建国", "13518003456",
		[]approval.Status{approval.StatusReceived}, ""},
}

// seedApprovalDemo loads 行政审批查询's demo: the department's importer and
// a few applications, each step a version, as the approval system would
// push them (look one up with its number and the last four digits of its
// phone). Versions make it idempotent: a second run changes nothing.
func seedApprovalDemo(ctx context.Context, db *store.DB, out io.Writer) error {
	if _, err := departmentAccount(ctx, db, &approvalUnit, "approval-xzsp", "行政审批服务局窗口"); err != nil {
		return err
	}
	now := time.Now().UTC().Truncate(time.Minute)
	var us []approval.Update
	for i, a := range demoApprovals {
		start := now.Add(-time.Duration(10-i) * 24 * time.Hour)
		for v, st := range a.steps {
			u := approval.Update{Number: a.number, Version: int64(v + 1), Matter: a.matter, Department: a.department,
				Applicant: a.applicant, Phone: a.phone, Status: st, At: start.Add(time.Duration(v) * 36 * time.Hour)}
			if v == len(a.steps)-1 {
				u.Note = a.note
			}
			us = append(us, u)
		}
	}
	results, _, err := db.Approvals.ApplyUpdates(ctx, us, approval.SourcePush, nil, now)
	if err != nil {
		return err
	}
	changed := 0
	for _, r := range results {
		if r.Outcome == approval.OutcomeCreated || r.Outcome == approval.OutcomeUpdated {
			changed++
		}
	}
	fmt.Fprintf(out, "行政审批查询: %d applications (%d versions applied now); try %s with phone tail 1234\n",
		len(demoApprovals), changed, demoApprovals[0].number)
	return nil
}
