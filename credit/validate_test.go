package credit

import (
	"bytes"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/encoding/simplifiedchinese"

	"guanjia"
	"guanjia/i18n"
)

// now is 2026-03-10 10:00 in Haikou.
var now = time.Date(2026, 3, 10, 2, 0, 0, 0, time.UTC)

func TestCompleteCodes(t *testing.T) {
	// GB 32100-2015's worked example and GB 11643's, rebuilt from their first 17 characters.
	for _, code := range []string{"91350100M000100Y43", "91110000802100433B"} {
		if got := CompleteCreditCode(code[:17]); got != code {
			t.Errorf("CompleteCreditCode(%s) = %s", code[:17], got)
		}
	}
	if got := CompleteIDNumber("11010519491231002"); got != "11010519491231002X" {
		t.Errorf("CompleteIDNumber = %s", got)
	}
	if CompleteCreditCode("91350100I00010Y4") != "" || CompleteIDNumber("1101051949123100A") != "" {
		t.Error("bad input completed")
	}
}

func TestCivilDate(t *testing.T) {
	// 23:59 UTC on the 9th is 07:59 on the 10th in Haikou.
	got := civilDate(time.Date(2026, 3, 9, 23, 59, 0, 0, time.UTC))
	if got != time.Date(2026, 3, 10, 0, 0, 0, 0, time.UTC) {
		t.Errorf("civilDate = %v", got)
	}
}

func TestParseDate(t *testing.T) {
	csvTable, xlsxTable := &table{}, &table{excelDates: true}
	want := time.Date(2026, 1, 31, 0, 0, 0, 0, time.UTC)
	for _, s := range []string{"2026-01-31", "2026/01/31", "2026/1/31", "2026.1.31", "2026年1月31日", "20260131"} {
		if d, err := parseDate(s, csvTable); err != nil || !d.Equal(want) {
			t.Errorf("parseDate(%q) = %v, %v", s, d, err)
		}
	}
	if d, err := parseDate("46053", xlsxTable); err != nil || !d.Equal(want) {
		t.Errorf("Excel serial 46053 = %v, %v", d, err)
	}
	for _, s := range []string{"46053", "2026-02-30", "31/01/2026", "明天"} {
		if _, err := parseDate(s, csvTable); err == nil {
			t.Errorf("parseDate(%q) accepted", s)
		}
	}
}

func TestDecodeText(t *testing.T) {
	text := "行政相对人名称\n海南椰风建筑工程有限公司\n"
	gb, _ := simplifiedchinese.GB18030.NewEncoder().String(text)
	gbk, _ := simplifiedchinese.GBK.NewEncoder().String(text)
	tests := []struct {
		name   string
		data   []byte
		format string
		code   string
	}{
		{"UTF-8", []byte(text), FormatCSVUTF8, ""},
		{"UTF-8 with BOM", []byte(utf8BOM + text), FormatCSVUTF8, ""},
		{"GB18030", []byte(gb), FormatCSVGB18030, ""},
		{"GBK (what Excel saves)", []byte(gbk), FormatCSVGB18030, ""},
		{"UTF-16LE", []byte{0xFF, 0xFE, 0x4C, 0x88}, "", guanjia.EUNSUPPORTED},
		{"binary", []byte{0x89, 'P', 'N', 'G', 0, 0, 0}, "", guanjia.EUNSUPPORTED},
		{"not GB18030", []byte{0x81, 0x30, 0x81, 0x2C}, "", guanjia.EUNSUPPORTED}, // a broken four-byte sequence
	}
	for _, tt := range tests {
		got, format, err := decodeText(tt.data)
		if guanjia.ErrorCode(err) != tt.code || format != tt.format {
			t.Errorf("%s: format %q err %v", tt.name, format, err)
			continue
		}
		if err == nil && got != text {
			t.Errorf("%s: decoded %q", tt.name, got)
		}
	}
}

func TestParseUploadFormats(t *testing.T) {
	rt, _ := LookupType(guanjia.CreditBlackList)
	tpl, err := rt.TemplateXLSX()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := parseUpload("template.xlsx", tpl); guanjia.ErrorCode(err) != guanjia.EINVALID ||
		!strings.Contains(guanjia.ErrorMessage(err), "no data rows") {
		t.Errorf("an empty template should parse and say it has no data rows: %v", err)
	}
	if _, err := parseUpload("x.csv", []byte("a,\"b\n")); guanjia.ErrorCode(err) != guanjia.EINVALID ||
		!strings.Contains(guanjia.ErrorMessage(err), "line") {
		t.Errorf("a broken quote: %v", err)
	}
	tb, err := parseUpload("x.csv", []byte("h1,h2\n\n,\n1,2\n"))
	if err != nil || len(tb.rows) != 1 || tb.rows[0].line != 4 {
		t.Fatalf("blank rows are skipped but keep the numbering: %+v %v", tb, err)
	}
	tb, err = parseUpload("x.csv", []byte("h1,h2\n\"第一行\r\n第二行\n第三行\",2\n\n3,4\n"))
	if err != nil || len(tb.rows) != 2 || tb.rows[0].line != 2 || tb.rows[1].line != 4 {
		t.Fatalf("rows after a cell with line breaks are numbered as a spreadsheet shows them (2 and 4): %+v %v", tb.rows, err)
	}
	if !bytes.HasPrefix(rt.TemplateCSV(), []byte(utf8BOM+"行政相对人名称,")) {
		t.Errorf("CSV template: %q", rt.TemplateCSV())
	}
}

// rowCase is one data row of a black-list upload and the report it should get.
func TestValidateRows(t *testing.T) {
	rt, _ := LookupType(guanjia.CreditBlackList)
	header := "行政相对人名称,行政相对人类别,统一社会信用代码,证件号码,名单名称,列入原因,认定依据文号,认定部门,认定日期,有效期至"
	good := "海南椰风建筑工程有限公司,法人及非法人组织,91350100M000100Y43,,拖欠农民工工资失信联合惩戒对象名单,拖欠工资,海人社〔2026〕1号,海口市人社局,2026-01-05,2029-01-05"
	person := "王某,自然人,,11010519491231002X,失信被执行人名单,拒不履行,(2025)琼01执1号,海口中院,2026-01-05,2027-01-05"
	tests := []struct {
		name, row string
		want      []shownRow // empty: valid, else the report in Chinese
	}{
		{"valid company", good, nil},
		{"valid person", person, nil},
		{"kind told by the code", strings.Replace(good, "法人及非法人组织", "", 1), nil},
		{"lower-case code", strings.Replace(good, "91350100M000100Y43", "91350100m000100y43", 1), nil},
		{"wrong check character", strings.Replace(good, "Y43", "Y44", 1),
			[]shownRow{{2, "统一社会信用代码", "统一社会信用代码校验码不正确"}}},
		{"letter outside the alphabet", strings.Replace(good, "M000", "I000", 1),
			[]shownRow{{2, "统一社会信用代码", "统一社会信用代码含有无效字符 'I'"}}},
		{"decision in the future", strings.Replace(good, "2026-01-05", "2026-03-11", 1),
			[]shownRow{{2, "认定日期", "2026-03-11 晚于今天"}}},
		{"decided today is fine", strings.Replace(good, "2026-01-05", "2026-03-10", 1), nil},
		{"period over", strings.Replace(good, "2029-01-05", "2026-03-09", 1),
			[]shownRow{{2, "有效期至", "2026-03-09 已过，该信息不再公示"}}},
		{"period before decision", strings.Replace(good, "2029-01-05", "2025-12-31", 1),
			[]shownRow{{2, "有效期至", "早于认定日期"}}},
		{"not a date", strings.Replace(good, "2026-01-05", "去年", 1),
			[]shownRow{{2, "认定日期", `"去年" 不是日期，请写成 2026-01-31 的格式`}}},
		{"missing name", strings.Replace(good, "海南椰风建筑工程有限公司", "", 1),
			[]shownRow{{2, "行政相对人名称", "必填"}}},
		{"company without code", strings.Replace(good, "91350100M000100Y43", "", 1),
			[]shownRow{{2, "统一社会信用代码", "法人及非法人组织必填"}}},
		{"unknown kind", strings.Replace(good, "法人及非法人组织", "外星人", 1),
			[]shownRow{{2, "行政相对人类别", `"外星人" 不是可选值，可选：法人及非法人组织, 个体工商户, 自然人`}}},
		{"person's bad ID number, never echoed", strings.Replace(person, "002X", "0021", 1),
			[]shownRow{{2, "证件号码", "身份证号码校验码不正确"}}},
		{"person with a code", strings.Replace(person, ",自然人,,", ",自然人,91350100M000100Y43,", 1),
			[]shownRow{{2, "统一社会信用代码", "自然人没有统一社会信用代码，请留空"}}},
		{"two problems in one row", strings.Replace(strings.Replace(good, "Y43", "Y44", 1), "2026-01-05", "2027-01-01", 1),
			[]shownRow{{2, "统一社会信用代码", "统一社会信用代码校验码不正确"}, {2, "认定日期", "2027-01-01 晚于今天"}}},
		{"extra cells", good + ",多余",
			[]shownRow{{2, "", "该行有 11 个单元格，但表头只有 10 列"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tb, err := parseCSV([]byte(header + "\n" + tt.row + "\n"))
			if err != nil {
				t.Fatal(err)
			}
			rows, errs, n := validateRows(rt, tb, now, "hk-rsj")
			if len(tt.want) == 0 {
				if n != 0 || len(rows) != 1 {
					t.Fatalf("rejected: %v", errs)
				}
				return
			}
			// Errors are reported per cell, in column order.
			if n != len(tt.want) || len(errs) != len(tt.want) {
				t.Fatalf("got %v, want %v", errs, tt.want)
			}
			if got := shown(errs); !slices.Equal(got, tt.want) {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
			for _, e := range errs {
				if strings.Contains(e.Reason, "11010519491231002") {
					t.Errorf("the report repeats an ID number: %q", e.Reason)
				}
			}
		})
	}
}

func TestValidateRowsAcrossRows(t *testing.T) {
	rt, _ := LookupType(guanjia.CreditBlackList)
	header := "行政相对人名称,统一社会信用代码,名单名称,列入原因,认定依据文号,认定部门,认定日期,有效期至\n"
	row := func(name, doc string) string {
		return name + ",91350100M000100Y43,名单,原因," + doc + ",海口市人社局,2026-01-05,2029-01-05\n"
	}
	tb, _ := parseCSV([]byte(header + row("椰风公司", "1号") + row("椰风公司", "1号") + row("另一个名字", "2号")))
	_, errs, _ := validateRows(rt, tb, now, "hk-rsj")
	want := []shownRow{
		{3, "认定依据文号", "与第 2 行是同一条记录（文号、机关和主体均相同）"},
		{4, "行政相对人名称", `同一主体在第 2 行的名称为 "椰风公司"`},
	}
	if got := shown(errs); !slices.Equal(got, want) {
		t.Fatalf("got %v, want %v", got, want)
	}

	// The report stops growing at MaxRowErrors but counts everything.
	var b strings.Builder
	b.WriteString(header)
	for i := 0; i < MaxRowErrors+5; i++ {
		b.WriteString("椰风公司,91350100M000100Y44,名单,原因,1号,局,2026-01-05,2029-01-05\n")
	}
	tb, _ = parseCSV([]byte(b.String()))
	_, errs, n := validateRows(rt, tb, now, "hk-rsj")
	if len(errs) != MaxRowErrors || n != MaxRowErrors+5 {
		t.Fatalf("kept %d of %d errors", len(errs), n)
	}
}

func TestHeaders(t *testing.T) {
	rt, _ := LookupType(guanjia.CreditPenalty)
	// Half-width brackets and stray spaces match the template's headers.
	tb, _ := parseCSV([]byte("行政相对人名称 ,罚款金额(万元)\nx,1\n"))
	idx, errs := tb.columnIndex(rt)
	if idx["fine"] != 2 {
		t.Errorf("罚款金额(万元) not matched: %v", idx)
	}
	missing := map[string]bool{}
	for _, e := range errs {
		if e.Row != 1 {
			t.Errorf("header error on row %d", e.Row)
		}
		missing[e.Column] = true
	}
	if !missing["行政处罚决定书文号"] || !missing["处罚机关"] || missing["罚款金额（万元）"] {
		t.Errorf("missing columns: %v", errs)
	}
}

func TestEntryStateTable(t *testing.T) {
	tests := []struct {
		from   guanjia.CreditStatus
		action guanjia.CreditAction
		role   guanjia.Role
		to     guanjia.CreditStatus
		code   string
	}{
		{"", guanjia.CreditPublish, guanjia.RoleDepartment, guanjia.CreditActive, ""},
		{guanjia.CreditActive, guanjia.CreditExpire, "", guanjia.CreditExpired, ""},
		{guanjia.CreditActive, guanjia.CreditExpire, guanjia.RoleDepartment, "", guanjia.EFORBIDDEN},
		{guanjia.CreditExpired, guanjia.CreditExpire, "", "", guanjia.ECONFLICT},
		{guanjia.CreditActive, guanjia.CreditRepair, guanjia.RoleDepartment, guanjia.CreditRepaired, ""},
		{guanjia.CreditActive, guanjia.CreditRepair, guanjia.RoleCitizen, "", guanjia.EFORBIDDEN},
		{guanjia.CreditExpired, guanjia.CreditRepair, guanjia.RoleAdmin, "", guanjia.ECONFLICT},
		{guanjia.CreditActive, guanjia.CreditRepairApply, guanjia.RoleCitizen, guanjia.CreditActive, ""},
		{guanjia.CreditActive, guanjia.CreditRepairApply, "", "", guanjia.EFORBIDDEN},
		{guanjia.CreditRepaired, guanjia.CreditRepairApply, guanjia.RoleCitizen, "", guanjia.ECONFLICT},
		{guanjia.CreditExpired, guanjia.CreditRevoke, guanjia.RoleDepartment, guanjia.CreditRevoked, ""},
		{guanjia.CreditRepaired, guanjia.CreditRevoke, guanjia.RoleAdmin, "", guanjia.ECONFLICT},
		{guanjia.CreditRepaired, guanjia.CreditAmend, guanjia.RoleDepartment, guanjia.CreditRepaired, ""},
	}
	for _, tt := range tests {
		to, err := next(tt.from, tt.action, tt.role)
		if to != tt.to || guanjia.ErrorCode(err) != tt.code {
			t.Errorf("%s from %q by %q = %q, %v; want %q, %s", tt.action, tt.from, tt.role, to, err, tt.to, tt.code)
		}
	}
}

// shownRow is a RowError as the console shows it: the reason in Chinese.
type shownRow struct {
	Row            int
	Column, Reason string
}

func shown(errs []RowError) []shownRow {
	out := make([]shownRow, len(errs))
	for i, e := range errs {
		out[i] = shownRow{e.Row, e.Column, i18n.Sprintf(i18n.Chinese, e.Format, e.Args...)}
	}
	return out
}

// A batch's report is stored as JSON and read back: it says the same, in
// Chinese and in English, with numbers and characters intact.
func TestRowErrorsSurviveStorage(t *testing.T) {
	errs := []RowError{
		rowErrorf(2, "", "the row has %d cells but the header has %d columns", 11, 10),
		rowErrorf(3, "统一社会信用代码", "统一社会信用代码 has an invalid character %q", 'I'),
		rowErrorOf(1, "", guanjia.FieldError(guanjia.EINVALID, "file", "the CSV is malformed at line %d: %v", 7, errNotDate)),
	}
	data, err := json.Marshal(errs)
	if err != nil {
		t.Fatal(err)
	}
	var back []RowError
	if err := json.Unmarshal(data, &back); err != nil {
		t.Fatal(err)
	}
	want := []shownRow{
		{2, "", "该行有 11 个单元格，但表头只有 10 列"},
		{3, "统一社会信用代码", "统一社会信用代码含有无效字符 'I'"},
		{1, "", "CSV 文件第 7 行格式错误：not a date"},
	}
	if got := shown(back); !slices.Equal(got, want) {
		t.Errorf("read back in Chinese: %v, want %v", got, want)
	}
	for i, e := range back {
		if en := i18n.Sprintf(i18n.English, e.Format, e.Args...); en != errs[i].Reason || e.Reason != errs[i].Reason {
			t.Errorf("read back in English: %q (stored %q), want %q", en, e.Reason, errs[i].Reason)
		}
	}
}
