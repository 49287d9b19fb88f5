package guanjia

import (
	"context"
	"time"
)

// RoleDepartment is staff of a government department who publish credit data
// (双公示 records, red and black lists) and decide 信用修复 of their own entries.
// Their UnitCode names the department.
const RoleDepartment Role = "department"

// SubjectKind is what sort of 信用主体 a subject is.
type SubjectKind string

const (
	SubjectLegal    SubjectKind = "legal"    // 法人及非法人组织, keyed by 统一社会信用代码
	SubjectBusiness SubjectKind = "business" // 个体工商户: a credit code when registered, else the owner's ID number
	SubjectPerson   SubjectKind = "person"   // 自然人, keyed by ID number
)

// CreditSubject is someone credit data is about.
type CreditSubject struct {
	ID         int64
	Kind       SubjectKind
	CreditCode string // 统一社会信用代码; empty for a person
	IDNumber   string // plain here only when just read from an import; encrypted at rest, never shown
	IDMasked   string // 4601**********123X: the only form an ID number is shown in
	Name       string
	LegalRep   string // 法定代表人 (负责人, 经营者)
	Address    string
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// CreditStatus is where a list entry or public record stands.
type CreditStatus string

const (
	CreditActive   CreditStatus = "active"   // in public view
	CreditExpired  CreditStatus = "expired"  // its publication period ended
	CreditRepaired CreditStatus = "repaired" // 信用修复 approved: out of public view
	CreditRevoked  CreditStatus = "revoked"  // the deciding department withdrew it
)

// CreditAction is something that happens to an entry; the state table in
// package credit says which actions move it from which status.
type CreditAction string

const (
	CreditPublish      CreditAction = "publish"
	CreditAmend        CreditAction = "amend" // re-imported with corrected content
	CreditExpire       CreditAction = "expire"
	CreditRepairApply  CreditAction = "repair_apply"
	CreditRepairRefuse CreditAction = "repair_refuse"
	CreditRepair       CreditAction = "repair"
	CreditRevoke       CreditAction = "revoke"
)

// Record types. Red and black lists are records too: they share the status
// table, the publication period and the import.
const (
	CreditRedList      = "redlist"      // 红名单 (守信)
	CreditBlackList    = "blacklist"    // 黑名单 (失信)
	CreditLicense      = "license"      // 行政许可 (双公示)
	CreditPenalty      = "penalty"      // 行政处罚 (双公示)
	CreditJudicial     = "judicial"     // 司法: 失信被执行人 and court decisions
	CreditConstruction = "construction" // 建设领域不良行为
	CreditEnvironment  = "environment"  // 环境违法曝光
	CreditQuality      = "quality"      // 质量监督抽查不合格
	CreditTaxArrears   = "tax_arrears"  // 欠税公告
)

// CreditSeverity grades a 失信 record: the minimum publication period before
// 信用修复 depends on it (《失信行为纠正后的信用信息修复管理办法（试行）》).
type CreditSeverity string

const (
	SeverityGeneral CreditSeverity = "general" // 一般失信: the default when a department does not say
	SeveritySerious CreditSeverity = "serious" // 严重失信
)

// CreditEntry is one published item about a subject: a red or black list
// entry or a public record. Dates are civil dates (China), held at 00:00 UTC.
type CreditEntry struct {
	ID          int64
	Type        string // one of the Credit* record types
	SubjectID   int64
	Subject     *CreditSubject // filled in where an answer needs it
	ListName    string         // list name (拖欠农民工工资失信联合惩戒对象名单) or the record's category (许可类别, 处罚类别)
	Reason      string         // why listed; 违法事实; 许可内容
	DocumentNo  string         // 决定书文号 or the basis of a listing
	Authority   string         // the deciding authority as named in the decision
	Department  string         // unit code of the publishing department
	Severity    CreditSeverity // graded record types (行政处罚) only; "" for the others
	DecidedOn   time.Time
	ValidFrom   *time.Time // 有效期自 (licenses)
	ValidUntil  *time.Time // 有效期至 (licenses)
	PublicUntil time.Time  // last day in public view
	Status      CreditStatus
	Fields      map[string]string // the type's other fields, by key
	BatchID     int64
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// PublicOn reports whether the entry may be shown to the public on day.
func (e *CreditEntry) PublicOn(day time.Time) bool {
	return e.Status == CreditActive && !day.After(e.PublicUntil)
}

// CreditEvent is one immutable row of an entry's history (its audit log).
type CreditEvent struct {
	ID        int64
	EntryID   int64
	Action    CreditAction
	From, To  CreditStatus
	ActorID   *int64 // nil for the system (expiry)
	ActorRole Role
	BatchID   *int64
	RepairID  *int64
	Note      string
	At        time.Time
}

// CreditChecker answers joint incentive and punishment (联合奖惩) checks:
// the active black and red list entries of the subject with a 统一社会信用代码.
type CreditChecker interface {
	CheckCode(ctx context.Context, code string) (black, red []CreditEntry, err error)
}

// Messages of 诚信海口.
const (
	TplCreditExpired       = "credit_expired"        // department: entries left public view
	TplCreditRepairApplied = "credit_repair_applied" // department: a subject applied for 信用修复
	TplCreditRepairDecided = "credit_repair_decided" // applicant: approved or refused
	TplCreditImportDone    = "credit_import_done"    // department: a queued batch finished
	TplCreditAgentFiled    = "credit_agent_filed"    // department: a 授权委托书 to review
	TplCreditAgentDecided  = "credit_agent_decided"  // agent: the 授权委托书 was accepted or refused
)
