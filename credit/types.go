package credit

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"strings"

	"github.com/xuri/excelize/v2"

	"guanjia"
)

// FieldKind says how a column is checked.
type FieldKind int

const (
	KindText     FieldKind = iota
	KindPastDate           // a decision date: not after today
	KindDate               // any date (有效期至, 公示截止期)
	KindMoney              // an amount ≥ 0 with at most 6 decimals (万元 or 元, as the header says)
	KindEnum               // one of Enum
)

// Field is one column of a record type's template.
type Field struct {
	Key      string // JSON name and, for the well-known keys below, the entry column it fills
	Header   string // the template's column header
	Kind     FieldKind
	Required bool
	Max      int // characters; 0 = 200
	Enum     []string
}

// Keys that fill CreditEntry's own columns; every other key goes to Fields.
const (
	keyDocumentNo  = "document_no"
	keyListName    = "list_name"
	keyReason      = "reason"
	keyAuthority   = "authority"
	keyDecidedOn   = "decided_on"
	keyValidFrom   = "valid_from"
	keyValidUntil  = "valid_until"
	keyPublicUntil = "public_until"
	keySeverity    = "severity"
)

// Subject columns, common to every template.
const (
	keySubjectName = "subject_name"
	keySubjectKind = "subject_kind"
	keyCreditCode  = "credit_code"
	keyLegalRep    = "legal_rep"
	keyIDNumber    = "id_number"
	keyAddress     = "address"
)

// subjectKinds maps the 行政相对人类别 written in files to a SubjectKind.
var subjectKinds = map[string]guanjia.SubjectKind{
	"法人及非法人组织": guanjia.SubjectLegal, "法人": guanjia.SubjectLegal, "非法人组织": guanjia.SubjectLegal,
	"legal": guanjia.SubjectLegal,
	"个体工商户": guanjia.SubjectBusiness, "business": guanjia.SubjectBusiness,
	"自然人": guanjia.SubjectPerson, "person": guanjia.SubjectPerson,
}

// severities maps the 失信程度 written in files to a CreditSeverity. An empty
// cell is 一般失信: a department marks 严重失信 explicitly.
var severities = map[string]guanjia.CreditSeverity{
	"一般失信": guanjia.SeverityGeneral, "一般": guanjia.SeverityGeneral, "general": guanjia.SeverityGeneral,
	"严重失信": guanjia.SeveritySerious, "严重": guanjia.SeveritySerious, "serious": guanjia.SeveritySerious,
}

// SeverityName is the Chinese of a severity, as the template writes it.
func SeverityName(s guanjia.CreditSeverity) string {
	switch s {
	case guanjia.SeverityGeneral:
		return "一般失信"
	case guanjia.SeveritySerious:
		return "严重失信"
	}
	return string(s)
}

var subjectFields = []Field{
	{Key: keySubjectName, Header: "行政相对人名称", Required: true},
	{Key: keySubjectKind, Header: "行政相对人类别", Kind: KindEnum, Enum: []string{"法人及非法人组织", "个体工商户", "自然人"}},
	{Key: keyCreditCode, Header: "统一社会信用代码", Max: 18},
	{Key: keyLegalRep, Header: "法定代表人"},
	{Key: keyIDNumber, Header: "证件号码", Max: 18},
	{Key: keyAddress, Header: "地址", Max: 500},
}

// RecordType is one kind of published credit data and its template.
type RecordType struct {
	Code string // license, penalty, redlist, blacklist, …
	Name string // 行政许可, …
	// Negative records are 失信 information: a subject may apply to have them
	// repaired, and black-list entries fail a joint-punishment check.
	Negative bool
	List     bool // a red or black list rather than a record
	Fields   []Field
}

// Graded reports whether the type's records carry a 失信程度 (一般/严重).
func (t *RecordType) Graded() bool {
	for _, f := range t.Fields {
		if f.Key == keySeverity {
			return true
		}
	}
	return false
}

// Columns returns the template's columns: the subject's, then the type's own.
func (t *RecordType) Columns() []Field {
	return append(append([]Field{}, subjectFields...), t.Fields...)
}

var listFields = []Field{
	{Key: keyListName, Header: "名单名称", Required: true},
	{Key: keyReason, Header: "列入原因", Required: true, Max: 2000},
	{Key: keyDocumentNo, Header: "认定依据文号", Required: true},
	{Key: keyAuthority, Header: "认定部门", Required: true},
	{Key: keyDecidedOn, Header: "认定日期", Kind: KindPastDate, Required: true},
	{Key: keyPublicUntil, Header: "有效期至", Kind: KindDate, Required: true},
}

// recordTypes are the record types of 诚信海口, in the order templates are listed.
var recordTypes = []*RecordType{
	{Code: guanjia.CreditLicense, Name: "行政许可", Fields: []Field{
		{Key: keyDocumentNo, Header: "行政许可决定文书号", Required: true},
		{Key: keyListName, Header: "许可类别", Kind: KindEnum, Required: true, Enum: []string{"普通", "特许", "认可", "核准", "登记", "其他"}},
		{Key: "cert_name", Header: "许可证书名称"},
		{Key: "license_no", Header: "许可编号"},
		{Key: keyReason, Header: "许可内容", Required: true, Max: 2000},
		{Key: keyDecidedOn, Header: "许可决定日期", Kind: KindPastDate, Required: true},
		{Key: keyValidFrom, Header: "有效期自", Kind: KindDate, Required: true},
		{Key: keyValidUntil, Header: "有效期至", Kind: KindDate, Required: true},
		{Key: keyAuthority, Header: "许可机关", Required: true},
		{Key: "source_unit", Header: "数据来源单位", Required: true},
		{Key: keyPublicUntil, Header: "公示截止期", Kind: KindDate}, // defaults to 有效期至
	}},
	{Code: guanjia.CreditPenalty, Name: "行政处罚", Negative: true, Fields: []Field{
		{Key: keyDocumentNo, Header: "行政处罚决定书文号", Required: true},
		{Key: "violation_type", Header: "违法行为类型", Required: true},
		{Key: keyReason, Header: "违法事实", Required: true, Max: 4000},
		{Key: "basis", Header: "处罚依据", Required: true, Max: 2000},
		{Key: keyListName, Header: "处罚类别", Required: true},
		{Key: "content", Header: "处罚内容", Required: true, Max: 2000},
		{Key: "fine", Header: "罚款金额（万元）", Kind: KindMoney},
		{Key: "confiscation", Header: "没收金额（万元）", Kind: KindMoney},
		{Key: keyDecidedOn, Header: "处罚决定日期", Kind: KindPastDate, Required: true},
		{Key: keyPublicUntil, Header: "公示截止期", Kind: KindDate, Required: true},
		{Key: keyAuthority, Header: "处罚机关", Required: true},
		{Key: "source_unit", Header: "数据来源单位", Required: true},
		// Last, so files made from the older template still line up; empty = 一般失信.
		{Key: keySeverity, Header: "失信程度", Kind: KindEnum, Enum: []string{"一般失信", "严重失信"}},
	}},
	{Code: guanjia.CreditRedList, Name: "红名单", List: true, Fields: listFields},
	{Code: guanjia.CreditBlackList, Name: "黑名单", List: true, Negative: true, Fields: listFields},
	{Code: guanjia.CreditJudicial, Name: "司法信息", Negative: true, Fields: []Field{
		{Key: keyDocumentNo, Header: "案号", Required: true},
		{Key: keyListName, Header: "信息类别", Kind: KindEnum, Required: true, Enum: []string{"失信被执行人", "限制高消费", "裁判文书", "其他"}},
		{Key: keyReason, Header: "生效法律文书确定的义务", Required: true, Max: 2000},
		{Key: "performance", Header: "履行情况"},
		{Key: keyAuthority, Header: "执行法院", Required: true},
		{Key: keyDecidedOn, Header: "发布日期", Kind: KindPastDate, Required: true},
		{Key: keyPublicUntil, Header: "公示截止期", Kind: KindDate, Required: true},
	}},
	{Code: guanjia.CreditConstruction, Name: "建设领域不良行为", Negative: true, Fields: []Field{
		{Key: keyDocumentNo, Header: "处理决定文号", Required: true},
		{Key: keyListName, Header: "不良行为类别", Required: true},
		{Key: keyReason, Header: "不良行为内容", Required: true, Max: 2000},
		{Key: "decision", Header: "处理决定", Required: true, Max: 2000},
		{Key: "project", Header: "项目名称"},
		{Key: keyDecidedOn, Header: "决定日期", Kind: KindPastDate, Required: true},
		{Key: keyAuthority, Header: "决定机关", Required: true},
		{Key: keyPublicUntil, Header: "公示截止期", Kind: KindDate, Required: true},
	}},
	{Code: guanjia.CreditEnvironment, Name: "环境违法曝光", Negative: true, Fields: []Field{
		{Key: keyDocumentNo, Header: "曝光文号", Required: true},
		{Key: keyListName, Header: "违法类型", Required: true},
		{Key: keyReason, Header: "违法事实", Required: true, Max: 4000},
		{Key: "handling", Header: "处理情况", Required: true, Max: 2000},
		{Key: keyDecidedOn, Header: "曝光日期", Kind: KindPastDate, Required: true},
		{Key: keyAuthority, Header: "发布机关", Required: true},
		{Key: keyPublicUntil, Header: "公示截止期", Kind: KindDate, Required: true},
	}},
	{Code: guanjia.CreditQuality, Name: "质量监督抽查不合格", Negative: true, Fields: []Field{
		{Key: keyDocumentNo, Header: "通告编号", Required: true},
		{Key: keyListName, Header: "抽查类别", Kind: KindEnum, Required: true, Enum: []string{"国家监督抽查", "省级监督抽查", "市级监督抽查", "其他"}},
		{Key: "product", Header: "产品名称", Required: true},
		{Key: "model", Header: "规格型号"},
		{Key: keyReason, Header: "不合格项目", Required: true, Max: 2000},
		{Key: keyDecidedOn, Header: "通告日期", Kind: KindPastDate, Required: true},
		{Key: keyAuthority, Header: "发布机关", Required: true},
		{Key: keyPublicUntil, Header: "公示截止期", Kind: KindDate, Required: true},
	}},
	{Code: guanjia.CreditTaxArrears, Name: "欠税公告", Negative: true, Fields: []Field{
		{Key: keyDocumentNo, Header: "公告文号", Required: true},
		{Key: keyListName, Header: "欠税税种", Required: true},
		{Key: "arrears", Header: "欠税余额（元）", Kind: KindMoney, Required: true},
		{Key: "new_arrears", Header: "当期新发生欠税余额（元）", Kind: KindMoney},
		{Key: keyDecidedOn, Header: "公告日期", Kind: KindPastDate, Required: true},
		{Key: keyAuthority, Header: "税务机关", Required: true},
		{Key: keyPublicUntil, Header: "公示截止期", Kind: KindDate, Required: true},
	}},
}

var recordTypeByCode = func() map[string]*RecordType {
	m := make(map[string]*RecordType, len(recordTypes))
	for _, t := range recordTypes {
		m[t.Code] = t
	}
	return m
}()

// RecordTypes lists every record type.
func RecordTypes() []*RecordType { return recordTypes }

// LookupType returns the record type with code, or EINVALID naming the known ones.
func LookupType(code string) (*RecordType, error) {
	if t, ok := recordTypeByCode[code]; ok {
		return t, nil
	}
	known := make([]string, len(recordTypes))
	for i, t := range recordTypes {
		known[i] = t.Code
	}
	return nil, guanjia.FieldError(guanjia.EINVALID, "type", "unknown record type %q: use one of %s", code, strings.Join(known, ", "))
}

// TypeName returns the Chinese name of a record type code.
func TypeName(code string) string {
	if t, ok := recordTypeByCode[code]; ok {
		return t.Name
	}
	return code
}

// utf8BOM makes Excel on Chinese Windows open a UTF-8 CSV as UTF-8 rather than GBK.
const utf8BOM = "\ufeff"

// Headers are the template's column headers, in order.
func (t *RecordType) Headers() []string {
	cols := t.Columns()
	out := make([]string, len(cols))
	for i, f := range cols {
		out[i] = f.Header
	}
	return out
}

// CSV writes rows, in the template's column order, under its header row as
// UTF-8 CSV: a file an import takes as it is.
func (t *RecordType) CSV(rows [][]string) []byte {
	var buf bytes.Buffer
	buf.WriteString(utf8BOM)
	w := csv.NewWriter(&buf)
	_ = w.Write(t.Headers()) // writes to a buffer cannot fail
	_ = w.WriteAll(rows)
	return buf.Bytes()
}

// TemplateCSV is the template of a record type: its header row as UTF-8 CSV.
func (t *RecordType) TemplateCSV() []byte { return t.CSV(nil) }

// TemplateXLSX is the template as a spreadsheet. Every column is formatted as
// text, so ID numbers and codes keep their digits and dates stay as typed.
func (t *RecordType) TemplateXLSX() ([]byte, error) {
	f := excelize.NewFile()
	defer f.Close()
	sheet := t.Name
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return nil, fmt.Errorf("credit: template %s: %w", t.Code, err)
	}
	text, err := f.NewStyle(&excelize.Style{NumFmt: 49}) // "@": text
	if err != nil {
		return nil, fmt.Errorf("credit: template %s: %w", t.Code, err)
	}
	bold, err := f.NewStyle(&excelize.Style{NumFmt: 49, Font: &excelize.Font{Bold: true}})
	if err != nil {
		return nil, fmt.Errorf("credit: template %s: %w", t.Code, err)
	}
	headers := t.Headers()
	for i, h := range headers {
		name, _ := excelize.ColumnNumberToName(i + 1)
		if err := f.SetCellStr(sheet, name+"1", h); err != nil {
			return nil, fmt.Errorf("credit: template %s: %w", t.Code, err)
		}
		_ = f.SetColStyle(sheet, name, text)
		_ = f.SetColWidth(sheet, name, name, 18)
	}
	last, _ := excelize.ColumnNumberToName(len(headers))
	_ = f.SetCellStyle(sheet, "A1", last+"1", bold)
	buf, err := f.WriteToBuffer()
	if err != nil {
		return nil, fmt.Errorf("credit: template %s: %w", t.Code, err)
	}
	return buf.Bytes(), nil
}
