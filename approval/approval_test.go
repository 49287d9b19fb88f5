package approval_test

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"guanjia"
	"guanjia/approval"
)

func TestVerifyPush(t *testing.T) {
	const secret = "s3cret-shared-with-the-approval-system"
	now := time.Now()
	body := []byte(`{"records":[]}`)
	ts := strconv.FormatInt(now.Unix(), 10)
	good := approval.Sign(secret, ts, body)
	// The signature is HMAC-SHA256 of timestamp + "." + body, as the README tells the sender.
	if !strings.HasPrefix(good, "sha256=") || len(good) != len("sha256=")+64 {
		t.Fatalf("signature %q", good)
	}
	old := strconv.FormatInt(now.Add(-approval.PushWindow-time.Second).Unix(), 10)
	ahead := strconv.FormatInt(now.Add(approval.PushWindow+time.Second).Unix(), 10)
	for _, tc := range []struct {
		name, secret, ts, sig string
		body                  []byte
		ok                    bool
	}{
		{"good", secret, ts, good, body, true},
		{"good, 4 minutes old", secret, strconv.FormatInt(now.Add(-4*time.Minute).Unix(), 10),
			approval.Sign(secret, strconv.FormatInt(now.Add(-4*time.Minute).Unix(), 10), body), body, true},
		{"body changed", secret, ts, good, []byte(`{"records":[{}]}`), false},
		{"other secret", secret, ts, approval.Sign("guess", ts, body), body, false},
		{"timestamp changed", secret, strconv.FormatInt(now.Unix()-1, 10), good, body, false},
		{"expired", secret, old, approval.Sign(secret, old, body), body, false},
		{"from the future", secret, ahead, approval.Sign(secret, ahead, body), body, false},
		{"no timestamp", secret, "", good, body, false},
		{"no signature", secret, ts, "", body, false},
		{"hex without prefix", secret, ts, strings.TrimPrefix(good, "sha256="), body, false},
		{"no secret configured", "", ts, approval.Sign("", ts, body), body, false},
	} {
		err := approval.VerifyPush(tc.secret, tc.ts, tc.sig, tc.body, now)
		if tc.ok && err != nil {
			t.Errorf("%s: %v", tc.name, err)
		}
		if !tc.ok && guanjia.ErrorCode(err) != guanjia.EUNAUTHORIZED {
			t.Errorf("%s: %v, want unauthorized", tc.name, err)
		}
	}
}

func TestStatusTable(t *testing.T) {
	S := func(s string) approval.Status { st, _ := approval.ParseStatus(s); return st }
	for _, tc := range []struct {
		from, to string
		ok       bool
	}{
		{"", "已受理", true},
		{"", "不予受理", true},
		{"已受理", "审查中", true},
		{"审查中", "补正材料", true},
		{"补正材料", "审查中", true}, // materials handed in: review goes on
		{"已受理", "已决定", true},  // a simple matter decided at once
		{"已决定", "已办结", true},
		{"审查中", "审查中", true}, // a new version that corrects other fields
		{"已决定", "审查中", false},
		{"已办结", "审查中", false},
		{"不予受理", "已受理", false},
		{"审查中", "不予受理", false}, // once under review it is decided, not refused acceptance
		{"已办结", "已决定", false},
	} {
		if got := approval.CanMove(S(tc.from), S(tc.to)); got != tc.ok {
			t.Errorf("%s → %s: %v, want %v", tc.from, tc.to, got, tc.ok)
		}
	}
	for _, st := range approval.Statuses {
		if st.Label() == "" {
			t.Errorf("%s has no label", st)
		}
		if back, ok := approval.ParseStatus(st.Label()); !ok || back != st {
			t.Errorf("%s: label %s reads back as %s", st, st.Label(), back)
		}
	}
	if !approval.StatusCompleted.Final() || !approval.StatusRefused.Final() || approval.StatusSupplement.Final() {
		t.Error("final statuses: 已办结 and 不予受理 only")
	}
}

const header = "受理编号,版本,事项名称,受理部门,申请人,联系电话,状态,说明,时间\n"

func TestParseCSV(t *testing.T) {
	rows, errs, err := approval.ParseCSV([]byte("\uFEFF" + header +
		"HK-2026-0001,1,食品经营许可,海口市行政审批服务局,王小明,13876541234,已受理,,2026-03-02 09:30\n" +
		"\n" +
		"HK-2026-0002,x,食品经营许可,海口市行政审批服务局,李雷,13876549876,已受理,,\n" +
		"HK-2026-0003,2,公共场所卫生许可,海口市行政审批服务局,韩梅梅,0898-66661234,已放弃,,\n" +
		"HK 2026,1,公共场所卫生许可,海口市行政审批服务局,韩梅梅,13800001111,审查中,,\n" +
		"HK-2026-0004,1,公共场所卫生许可,海口市行政审批服务局,韩梅梅,1380000111X,审查中,,\n" +
		"HK-2026-0005,1,公共场所卫生许可,海口市行政审批服务局,韩梅梅,13800001111,审查中,,0000-01-01\n")) // year −1 in UTC: no page could show it
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 1 || rows[0].Line != 2 || rows[0].Update.Status != approval.StatusReceived ||
		!rows[0].Update.At.Equal(time.Date(2026, 3, 2, 1, 30, 0, 0, time.UTC)) {
		t.Fatalf("rows: %+v", rows)
	}
	want := []struct {
		line   int
		column string
	}{{4, "版本"}, {5, "状态"}, {6, "受理编号"}, {7, "联系电话"}, {8, "时间"}}
	if len(errs) != len(want) {
		t.Fatalf("errors: %+v", errs)
	}
	for i, w := range want {
		if errs[i].Line != w.line || errs[i].Column != w.column {
			t.Errorf("error %d: line %d column %s (%v), want line %d column %s", i, errs[i].Line, errs[i].Column, errs[i].Err, w.line, w.column)
		}
	}
	for name, data := range map[string]string{
		"empty": "", "no data": header, "missing column": "受理编号,版本\nA,1\n", "bad quote": header + "\"A,1\n",
	} {
		if _, _, err := approval.ParseCSV([]byte(data)); guanjia.ErrorCode(err) != guanjia.EINVALID {
			t.Errorf("%s: %v, want invalid", name, err)
		}
	}
}

// FuzzParseCSV: any file is rows, row errors or one error, never a panic,
// and every row it accepts is a valid update.
func FuzzParseCSV(f *testing.F) {
	f.Add([]byte(header + "HK-1,1,事项,部门,王小明,13876541234,已受理,,\n"))
	f.Add([]byte(header + "HK-1,0,,,,,,\n"))
	f.Add([]byte("number,version,matter,department,applicant,phone,status\nA,9,m,d,a,1234567,decided\n"))
	f.Add([]byte{0xb9, 0xfa, 0x0a})
	f.Fuzz(func(t *testing.T, data []byte) {
		rows, errs, err := approval.ParseCSV(data)
		if err != nil {
			if rows != nil || errs != nil {
				t.Fatal("an error with rows")
			}
			if guanjia.ErrorCode(err) == guanjia.EINTERNAL {
				t.Fatalf("not a guanjia error: %v", err)
			}
			return
		}
		for _, r := range rows {
			u := r.Update
			if err := u.Validate(); err != nil || u.Version <= 0 || r.Line < 2 {
				t.Fatalf("accepted row %+v: %v", r, err)
			}
		}
		for _, e := range errs {
			if e.Err == nil || e.Line < 2 {
				t.Fatalf("row error %+v", e)
			}
		}
	})
}

// A header the import does not know (备注 for 说明, 办理时间 for 时间, as
// approval systems export them) is refused by name, not skipped: skipped,
// every note would be lost and every change dated at the import. A column
// given twice is refused too, rather than the last one winning.
func TestParseCSVRefusesColumnsItDoesNotKnow(t *testing.T) {
	row := "HKSP-2026-000201,1,城市道路挖掘许可,海口市行政审批服务局,符建国,13518003456,补正材料,请补交施工方案,2026-03-01 09:30\n"
	for name, head := range map[string]string{
		"备注":   "受理编号,版本,事项名称,受理部门,申请人,联系电话,状态,备注,办理时间\n",
		"note": "受理编号,版本,事项名称,受理部门,申请人,联系电话,状态,说明,note\n",
	} {
		rows, _, err := approval.ParseCSV([]byte(head + row))
		if guanjia.ErrorCode(err) != guanjia.EINVALID || guanjia.ErrorField(err) != "file" || !strings.Contains(err.Error(), name) {
			t.Errorf("header %q: %d rows, %v; want it refused naming %s", head, len(rows), err, name)
		}
	}
	if rows, _, err := approval.ParseCSV([]byte(header + row)); err != nil || len(rows) != 1 || rows[0].Update.Note != "请补交施工方案" {
		t.Fatalf("the template's own header: %v %+v", err, rows)
	}
}
