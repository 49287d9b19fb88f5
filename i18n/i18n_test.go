package i18n_test

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/language"

	"guanjia"
	"guanjia/i18n"
)

func TestMatch(t *testing.T) {
	for header, want := range map[string]language.Tag{
		"":                           i18n.Chinese,
		"zh-CN,zh;q=0.9":             i18n.Chinese,
		"zh-TW":                      i18n.Chinese,
		"en":                         i18n.English,
		"en-US,en;q=0.9,zh-CN;q=0.8": i18n.English,
		"zh-CN;q=0.5,en-GB":          i18n.English,
		"fr-FR":                      i18n.Chinese, // not spoken here: the default
		"fr-FR,en;q=0.5":             i18n.English,
		"*":                          i18n.Chinese,
		";;;":                        i18n.Chinese,
	} {
		if got := i18n.Match(header); got != want {
			t.Errorf("Match(%q) = %v, want %v", header, got, want)
		}
	}
}

func TestMessage(t *testing.T) {
	zh, en := i18n.Chinese, i18n.English
	tests := []struct {
		err     error
		chinese string
		english string
	}{
		{guanjia.Errorf(guanjia.EINVALID, "unknown category %q", "rubbish"), `未知分类 "rubbish"`, `unknown category "rubbish"`},
		// Roles, actions and statuses are said in Chinese, each in its sense.
		{guanjia.Errorf(guanjia.EFORBIDDEN, "a %s may not %s a complaint", guanjia.RoleAgent, guanjia.ActionRate),
			"话务员无权对工单进行“评价”操作", "a agent may not rate a complaint"},
		{guanjia.Errorf(guanjia.ECONFLICT, "cannot %s a complaint that is %s", guanjia.ActionDispatch, guanjia.StatusClosed),
			"工单当前为“已结案”，不能派遣", "cannot dispatch a complaint that is closed"},
		{guanjia.Errorf(guanjia.ECONFLICT, "cannot %s a %s that is %s", "cancel", "activity", guanjia.ActivitySubmitted),
			"活动当前为“待审核”，不能取消", "cannot cancel a activity that is submitted"},
		// A word the user typed (%q) is never translated.
		{guanjia.Errorf(guanjia.EINVALID, "unknown action %q", "close"), `未知操作 "close"`, `unknown action "close"`},
		// Numbers are not grouped: years, ids and row numbers read as written.
		{guanjia.Errorf(guanjia.EINVALID, "holidays %d: bad date %q", 2026, "2026-13-20"),
			`2026 年节假日安排：日期 "2026-13-20" 无效`, `holidays 2026: bad date "2026-13-20"`},
		{guanjia.Errorf(guanjia.ENOTFOUND, "complaint %d not found", int64(1234567)), "工单 1234567 不存在", "complaint 1234567 not found"},
		{guanjia.Errorf(guanjia.EUNPROCESSABLE, "you are %.0f m from the site; check in within %d m", 1234.4, 100),
			"您距离现场约 1234 米，请到现场 100 米范围内再打卡", "you are 1234 m from the site; check in within 100 m"},
		// An error as an argument is said through its own message.
		{guanjia.Errorf(guanjia.EINVALID, "holidays: %v", guanjia.Errorf(guanjia.EINVALID, "holidays %d: %s is both a holiday and a workday", 2026, "2026-10-01")),
			"节假日安排：2026 年节假日安排：2026-10-01 既是假日又是工作日", "holidays: holidays 2026: 2026-10-01 is both a holiday and a workday"},
		{guanjia.Errorf(guanjia.EINVALID, "%s must be a %s", "lat", reflect.TypeFor[float64]()), "lat 须为数字", "lat must be a float64"},
		{guanjia.Errorf(guanjia.EUNPROCESSABLE, "cancelling closed at %s (%s before the start); tell the organiser instead", "2026-08-10 07:00", 2*time.Hour),
			"取消报名已于 2026-08-10 07:00 截止（活动开始前 2小时），请联系组织者",
			"cancelling closed at 2026-08-10 07:00 (2h0m0s before the start); tell the organiser instead"},
		// Wrapped, and built as a literal.
		{fmt.Errorf("store: %w", guanjia.Errorf(guanjia.ENOTFOUND, "%s %v not found", "team", 7)), "团队 7 不存在", "team 7 not found"},
		{&guanjia.Error{Code: guanjia.ECONFLICT, Message: "no subscribe consent"}, "用户未同意接收订阅消息", "no subscribe consent"},
		// Anything else is internal: its text is never shown.
		{fmt.Errorf("dial tcp 10.0.0.1:5432: connection refused"), "系统内部错误，请稍后再试", "internal error"},
	}
	for _, tt := range tests {
		if got := i18n.Message(tt.err, zh); got != tt.chinese {
			t.Errorf("%v in Chinese: %q, want %q", tt.err, got, tt.chinese)
		}
		if got := i18n.Message(tt.err, en); got != tt.english {
			t.Errorf("%v in English: %q, want %q", tt.err, got, tt.english)
		}
	}
}

// English is what the code wrote: i18n.Sprintf in English is fmt.Sprintf
// for every message of the catalogue, and Chinese has no formatting errors.
func TestEnglishIsUnchanged(t *testing.T) {
	for _, en := range i18n.Keys() {
		var args []any
		for _, v := range i18n.Verbs(en) {
			switch v {
			case 'd':
				args = append(args, 20260)
			case 'f':
				args = append(args, 12345.6)
			default:
				args = append(args, "x")
			}
		}
		if got, want := i18n.Sprintf(i18n.English, en, args...), fmt.Sprintf(en, args...); got != want {
			t.Errorf("English %q = %q, want %q", en, got, want)
		}
		if zh := i18n.Sprintf(i18n.Chinese, en, args...); strings.Contains(zh, "%!") || strings.Contains(zh, "20,260") {
			t.Errorf("Chinese %q = %q", en, zh)
		}
	}
}

func TestExplain(t *testing.T) {
	err := fmt.Errorf("GUANJIA_HOLIDAYS_FILE: %w", guanjia.FieldError(guanjia.EINVALID, "file", "holidays %d: bad date %q", 2027, "x"))
	if got, want := i18n.Explain(err, i18n.Chinese), `GUANJIA_HOLIDAYS_FILE: 2027 年节假日安排：日期 "x" 无效（file）`; got != want {
		t.Errorf("Chinese: %q, want %q", got, want)
	}
	if got, want := i18n.Explain(err, i18n.English), `GUANJIA_HOLIDAYS_FILE: holidays 2027: bad date "x" (file)`; got != want {
		t.Errorf("English: %q, want %q", got, want)
	}
	if got := i18n.Explain(fmt.Errorf("listen :80: permission denied"), i18n.Chinese); got != "listen :80: permission denied" {
		t.Errorf("a system error: %q", got)
	}
}
