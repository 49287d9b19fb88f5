package credit

import (
	"context"
	"time"

	"guanjia"
)

// Store is what public credit needs from the database.
type Store interface {
	FindSubject(ctx context.Context, id int64) (*guanjia.CreditSubject, error)
	FindSubjectByCode(ctx context.Context, code string) (*guanjia.CreditSubject, error)
	FindSubjectByIDNumber(ctx context.Context, idNumber string) (*guanjia.CreditSubject, error)
	// SearchSubjects finds subjects whose name contains a substring.
	SearchSubjects(ctx context.Context, f SubjectSearch) ([]*guanjia.CreditSubject, bool, error)
	// CountLists counts the active list entries public on day of each subject, by type.
	CountLists(ctx context.Context, subjectIDs []int64, day time.Time) (map[int64]map[string]int, error)

	ListEntries(ctx context.Context, f EntryFilter) ([]*guanjia.CreditEntry, int, error)
	FindEntry(ctx context.Context, id int64) (*guanjia.CreditEntry, error)
	ListCreditEvents(ctx context.Context, entryID int64) ([]*guanjia.CreditEvent, error)
	// SaveEntryChange applies one change of an entry atomically. When the entry
	// no longer has ch.Expect (or a decided repair is no longer pending) it
	// returns ECONFLICT and writes nothing.
	SaveEntryChange(ctx context.Context, ch *EntryChange) error
	// ExpireDue moves up to limit active entries whose publication period ended
	// before day to expired, each with its event, and returns them with their
	// subjects. notices (nil: none) tells of them in the same transaction;
	// queued are the outbox messages to hand to the queue.
	ExpireDue(ctx context.Context, day, at time.Time, limit int, notices Notices[[]*guanjia.CreditEntry]) (
		expired []*guanjia.CreditEntry, queued []int64, err error)

	ListRemits(ctx context.Context) ([]Remit, error)
	// FindRemit returns what the department with unitCode may publish; ENOTFOUND for an unknown unit.
	FindRemit(ctx context.Context, unitCode string) (*Remit, error)
	// SetRemit replaces the record types a department may publish.
	SetRemit(ctx context.Context, unitCode string, types []string) error
	FindUnit(ctx context.Context, code string) (*guanjia.Unit, error)
	ListUsersByRole(ctx context.Context, role guanjia.Role, unitCode string) ([]*guanjia.User, error)

	// CreateBatch records an upload; file, when not nil, is kept for the import job.
	CreateBatch(ctx context.Context, b *Batch, file []byte) error
	FindBatch(ctx context.Context, id int64) (*Batch, error)
	// ListBatches answers newest first, and their number when f.CountTotal.
	ListBatches(ctx context.Context, f BatchFilter) ([]*Batch, int, error)
	// UpdateBatch records a batch's status, errors and counts. A batch that
	// ended (rejected, failed) drops its file in the same transaction. One
	// that ended is never brought back to queued or running: that is ECONFLICT.
	UpdateBatch(ctx context.Context, b *Batch) error
	// FinishBatch records the end of a queued or running batch (rejected,
	// failed), drops its file and writes messages to the outbox, atomically,
	// and answers the messages to queue. ECONFLICT when the batch had already
	// ended: nothing is written.
	FinishBatch(ctx context.Context, b *Batch, messages []guanjia.Message) (queued []int64, err error)
	LoadImportFile(ctx context.Context, batchID int64) ([]byte, error)
	// ImportBatch writes rows in one transaction: subjects upserted by natural
	// key, entries inserted (publish event) or, when their content differs,
	// amended (amend event) by natural key, identical ones left alone; then
	// the batch is marked done with its counts and its file dropped. progress
	// is told how many rows are written as it goes. A row naming another
	// department's record refuses the batch with EUNPROCESSABLE; a race with
	// another import of the same records, or the batch having ended
	// meanwhile (another run of it), is ECONFLICT. notices (nil: none) tells
	// of the done batch in the same transaction; queued are the outbox
	// messages to hand to the queue.
	ImportBatch(ctx context.Context, b *Batch, rows []ImportRow, progress func(done int), notices Notices[*Batch]) (queued []int64, err error)
	// StaleBatches lists batches created before before that the import job
	// should run: still queued, or running with their file kept (a job Redis
	// lost), for the sweep to queue again.
	StaleBatches(ctx context.Context, before time.Time) ([]int64, error)
	// AbandonedBatches lists batches created before before still running
	// without a file: an import within a request whose process died, which
	// nothing can finish.
	AbandonedBatches(ctx context.Context, before time.Time) ([]int64, error)

	// CreateRepair files an application with its event, and the messages
	// notices (nil: none) builds of it, answering their ids to queue;
	// ECONFLICT when the applicant already has one pending for the entry.
	CreateRepair(ctx context.Context, r *Repair, ev *guanjia.CreditEvent, notices Notices[*Repair]) (queued []int64, err error)
	FindRepair(ctx context.Context, id int64) (*Repair, error)
	// ListRepairs answers newest first, each with its entry, and their number when f.CountTotal.
	ListRepairs(ctx context.Context, f RepairFilter) ([]*Repair, int, error)
	// UserNames answers the display names of users by ID; unknown IDs are left out.
	UserNames(ctx context.Context, ids []int64) (map[int64]string, error)

	// CreateRepresentative records a standing (or a failed attempt); ECONFLICT
	// when the user already has a pending or accepted one for the subject and
	// department. notices (nil: none) tells of it in its transaction.
	CreateRepresentative(ctx context.Context, r *Representative, notices Notices[*Representative]) (queued []int64, err error)
	FindRepresentative(ctx context.Context, id int64) (*Representative, error)
	// ListRepresentatives answers newest first, each with its subject, and
	// their number when f.CountTotal.
	ListRepresentatives(ctx context.Context, f RepresentativeFilter) ([]*Representative, int, error)
	// DecideRepresentative saves the decision on a pending 授权委托书 and
	// writes messages to the outbox, atomically, and answers the messages to
	// queue; ECONFLICT when it is no longer pending.
	DecideRepresentative(ctx context.Context, r *Representative, messages []guanjia.Message) (queued []int64, err error)
	// MatchSubjectIDNumber reports whether the subject has a registered ID
	// number (its 法定代表人's, 经营者's, or a person's own) and whether idNumber is it.
	MatchSubjectIDNumber(ctx context.Context, subjectID int64, idNumber string) (registered, match bool, err error)
	// MatchRealName reports whether the user has a real-name certification
	// (公益海口's) and whether idNumber is its ID number.
	MatchRealName(ctx context.Context, userID int64, idNumber string) (certified, match bool, err error)

	CreateArticle(ctx context.Context, a *Article) error
	// UpdateArticle saves a; when expect is set the article must still have
	// that status, and when seen is, the UpdatedAt its editor read (else
	// ECONFLICT).
	UpdateArticle(ctx context.Context, a *Article, expect ArticleStatus, seen time.Time) error
	FindArticle(ctx context.Context, id int64) (*Article, error)
	ListArticles(ctx context.Context, f ArticleFilter) ([]*Article, int, error)
}

// Cache keeps hot lookups and import progress (Redis in production). It is
// an optimisation: a failing cache is logged and the database answers.
//
// A lookup's miss comes with a lease, the right to fill the key with what
// the database answers next. Delete revokes leases as well as values, so a
// lookup that read the database before a write committed cannot cache the
// old answer after the write's Delete.
type Cache interface {
	Get(ctx context.Context, key string) (value []byte, ok bool, err error)
	Set(ctx context.Context, key string, value []byte, ttl time.Duration) error
	// GetOrLease returns key's value, or nil and, unless another lookup is
	// filling the key, a lease on it.
	GetOrLease(ctx context.Context, key string) (value []byte, lease string, err error)
	// Fill stores value under key if lease still holds; otherwise nothing.
	Fill(ctx context.Context, key, lease string, value []byte, ttl time.Duration) error
	Delete(ctx context.Context, keys ...string) error
}

// Deliverer queues delivery of an outbox message (worker.Scheduler does).
type Deliverer interface {
	Deliver(ctx context.Context, notificationID int64) error
}

// Notices builds the messages a change tells, from what the change did; the
// store writes them to the outbox in the change's transaction and answers
// the ids to queue. An error rolls the change back.
type Notices[T any] func(done T) ([]guanjia.Message, error)

// Jobs queues background work. It must be idempotent per batch.
type Jobs interface {
	EnqueueImport(ctx context.Context, batchID int64) error
}

// SubjectSearch selects subjects by part of their name.
type SubjectSearch struct {
	Name string // a substring of the name
	// PublicOn, when set, leaves out persons without an entry public on that
	// day (active, period not ended): a natural person is findable only while
	// something about them is published.
	PublicOn *time.Time
	Offset   int
	Limit    int
}

// EntryFilter selects entries.
type EntryFilter struct {
	SubjectID  int64
	Types      []string
	Status     []guanjia.CreditStatus
	ListName   string
	Department string
	PublicOn   *time.Time // only entries public on that day (active, period not ended)
	// WithoutBlackListed leaves out the entries of subjects on a black list
	// public on PublicOn (see withholdRed).
	WithoutBlackListed bool
	WithSubject        bool // fill in Entry.Subject
	Offset             int
	Limit              int
	CountTotal         bool
}

// EntryChange is one change of an entry, written atomically.
type EntryChange struct {
	EntryID int64
	Expect  guanjia.CreditStatus
	To      guanjia.CreditStatus // Expect when the status stays
	Event   *guanjia.CreditEvent
	// Repair, when set, is a decided application saved in the same
	// transaction; it must still be pending. When it is approved, the entry's
	// other pending applications are closed as superseded, and returned in
	// Superseded.
	Repair     *Repair
	Superseded []*Repair
	// Notices (nil: none) tells of the change in its transaction, once
	// Superseded is known; Queued answers the outbox messages to queue.
	Notices Notices[*EntryChange]
	Queued  []int64
}

// Remit is the record types one department may publish.
type Remit struct {
	UnitCode string
	UnitName string
	Types    []string
}

// BatchStatus is where an upload stands.
type BatchStatus string

const (
	BatchRejected BatchStatus = "rejected" // a row was invalid: nothing was imported
	BatchQueued   BatchStatus = "queued"   // valid, waiting for the import job
	BatchRunning  BatchStatus = "running"
	BatchDone     BatchStatus = "done"
	BatchFailed   BatchStatus = "failed" // the import itself failed: nothing was imported
)

// Batch is one upload of a department: who, when, which file, what came of it.
type Batch struct {
	ID           int64
	Type         string
	Department   string // unit code
	UploadedBy   int64
	UploaderRole guanjia.Role
	Filename     string
	FileHash     string // SHA-256 of the file's bytes, hex
	Format       string
	Status       BatchStatus
	Rows         int
	Inserted     int
	Updated      int
	Unchanged    int
	ErrorCount   int
	Errors       []RowError // at most MaxRowErrors
	Percent      int        // while running: from the cache
	CreatedAt    time.Time
	FinishedAt   *time.Time
}

// BatchFilter selects batches.
type BatchFilter struct {
	Department string
	Offset     int
	Limit      int
	CountTotal bool
}

// Repair is an application for 信用修复 of one entry.
type Repair struct {
	ID             int64
	EntryID        int64
	Entry          *guanjia.CreditEntry // filled in for answers
	Department     string               // the entry's deciding department, who decides
	ApplicantID    int64
	ApplicantName  string // the applicant's display name, filled in for staff
	Basis          Basis  // how the applicant stands for the subject
	Representative *int64 // the standing applied under (法定代表人 or 授权委托书)
	Reason         string
	Evidence       string // what the subject shows: 整改 done, fine paid, 信用承诺书, with document numbers
	Status         RepairStatus
	DecidedBy      *int64
	DecisionNote   string
	DecidedAt      *time.Time
	CreatedAt      time.Time
}

// Basis is how someone stands for a subject in 信用修复.
type Basis string

const (
	AsLegalRep   Basis = "legal_rep"         // the 法定代表人 (经营者, the person themself): name and ID number matched
	AsAgent      Basis = "power_of_attorney" // an agent whose 授权委托书 the department accepted
	AsDepartment Basis = "department"        // staff of the publishing department, on the subject's behalf
	AsAdmin      Basis = "admin"
)

// Representative is a user's standing to act for a credit subject: as its
// 法定代表人 (accepted when the name and ID number match the registered
// ones; a mismatch is kept, refused, as a failed attempt) or as an agent with
// a 授权委托书 (pending until the department accepts it).
type Representative struct {
	ID        int64
	SubjectID int64
	Subject   *guanjia.CreditSubject // filled in for answers
	UserID    int64
	Basis     Basis
	Name      string // the representative's name, as they gave it
	// Department reviews a 授权委托书, and it covers that department's
	// entries only; "" (法定代表人) covers every department's.
	Department   string
	EntryID      *int64 // the entry a 授权委托书 was filed for
	DocumentKey  string // the 授权委托书 in the blob store
	DocumentType string
	DocumentSize int64
	Status       RepresentativeStatus
	DecidedBy    *int64 // nil: decided by the system (an ID-number check)
	DecisionNote string
	DecidedAt    *time.Time
	CreatedAt    time.Time
}

// Covers reports whether r lets its user apply for the repair of e.
func (r *Representative) Covers(e *guanjia.CreditEntry) bool {
	return r.Status == RepresentativeAccepted && r.SubjectID == e.SubjectID && (r.Department == "" || r.Department == e.Department)
}

// RepresentativeFilter selects standings.
type RepresentativeFilter struct {
	SubjectID  int64
	UserID     int64
	Department string
	Basis      Basis
	Status     []RepresentativeStatus
	Since      time.Time // created at or after
	Offset     int
	Limit      int
	CountTotal bool
}

// RepairFilter selects repair applications.
type RepairFilter struct {
	EntryID     int64
	Department  string
	ApplicantID int64
	Status      RepairStatus
	Offset      int
	Limit       int
	CountTotal  bool
}

// Article sections of the public site.
const (
	SectionNews   = "news"   // 诚信动态
	SectionPolicy = "policy" // 政策法规
	SectionNotice = "notice" // 通知公告
)

// Sections names each section.
var Sections = map[string]string{SectionNews: "诚信动态", SectionPolicy: "政策法规", SectionNotice: "通知公告"}

// Article is a page of the public site's sections.
type Article struct {
	ID          int64
	Section     string
	Title       string
	Body        string
	Source      string // 发布单位
	Status      ArticleStatus
	AuthorID    int64
	Department  string // the unit that wrote it, "" for an administrator: only it and administrators change it
	PublishedAt *time.Time
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// ArticleFilter selects articles.
type ArticleFilter struct {
	Section       string
	PublishedOnly bool
	Offset        int
	Limit         int
}
