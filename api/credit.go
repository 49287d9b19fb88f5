package api

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/redis/go-redis/v9"
	"golang.org/x/text/language"

	"guanjia"
	"guanjia/credit"
	"guanjia/i18n"
)

// creditHandlers serve 诚信海口: public lookups, imports, 信用修复 and the
// representatives who apply for it, departments and articles (article.go).
type creditHandlers struct {
	credit *credit.Service
	rdb    redis.UniversalClient // counts the public's lookups that find nothing; nil: not counted
	log    *slog.Logger
}

// A subject looked up by the public names its key: a 统一社会信用代码, or an ID
// number (身份证号), which is a guess anyone can make about a person. Lookups
// that find nothing are counted per address, as 行政审批's are: enough for
// typos, not for walking through ID numbers.
const (
	subjectMisses     = 20
	subjectMissWindow = 15 * time.Minute
	subjectMissPrefix = "guanjia:credit:miss:"
)

// creditStaff publish credit data and see what left public view.
var creditStaff = []guanjia.Role{guanjia.RoleDepartment, guanjia.RoleAdmin}

type creditSubjectJSON struct {
	ID         int64  `json:"id"`
	Kind       string `json:"kind"`
	CreditCode string `json:"credit_code,omitempty"`
	IDNumber   string `json:"id_number,omitempty"` // always masked
	Name       string `json:"name"`
	LegalRep   string `json:"legal_rep,omitempty"`
	Address    string `json:"address,omitempty"`
	Black      *int   `json:"black,omitempty"` // list entries in public view, in search results
	Red        *int   `json:"red,omitempty"`
}

func toCreditSubjectJSON(sub *guanjia.CreditSubject) *creditSubjectJSON {
	if sub == nil {
		return nil
	}
	j := &creditSubjectJSON{ID: sub.ID, Kind: string(sub.Kind), CreditCode: sub.CreditCode, IDNumber: sub.IDMasked,
		Name: sub.Name, LegalRep: sub.LegalRep, Address: sub.Address}
	if credit.KeyedByIDNumber(sub) { // 双公示 names a person and masks the ID number: no home address
		j.LegalRep, j.Address = "", ""
	}
	return j
}

type creditEntryJSON struct {
	ID             int64              `json:"id"`
	Type           string             `json:"type"`
	TypeName       string             `json:"type_name"`
	ListName       string             `json:"list_name"`
	Reason         string             `json:"reason"`
	DocumentNo     string             `json:"document_no"`
	Authority      string             `json:"authority"`
	Department     string             `json:"department"`
	Severity       string             `json:"severity,omitempty"` // general (一般失信) or serious (严重失信), graded types only
	DecidedOn      string             `json:"decided_on"`
	ValidFrom      string             `json:"valid_from,omitempty"`
	ValidUntil     string             `json:"valid_until,omitempty"`
	PublicUntil    string             `json:"public_until"`
	Status         string             `json:"status"`
	RepairableFrom string             `json:"repairable_from,omitempty"` // first day a 信用修复 may be applied for (credit/period.go)
	Fields         map[string]string  `json:"fields"`
	Subject        *creditSubjectJSON `json:"subject,omitempty"`
}

func civil(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.Format("2006-01-02")
}

func toCreditEntryJSON(e *guanjia.CreditEntry) creditEntryJSON {
	out := creditEntryJSON{ID: e.ID, Type: e.Type, TypeName: credit.TypeName(e.Type), ListName: e.ListName, Reason: e.Reason,
		DocumentNo: e.DocumentNo, Authority: e.Authority, Department: e.Department, Severity: string(e.Severity),
		DecidedOn: civil(&e.DecidedOn), ValidFrom: civil(e.ValidFrom), ValidUntil: civil(e.ValidUntil),
		PublicUntil: civil(&e.PublicUntil), Status: string(e.Status), Fields: e.Fields, Subject: toCreditSubjectJSON(e.Subject)}
	if day, ok := credit.RepairableFrom(e); ok {
		out.RepairableFrom = civil(&day)
	}
	return out
}

func toCreditEntriesJSON(list []*guanjia.CreditEntry) []creditEntryJSON {
	return mapJSON(list, toCreditEntryJSON)
}

// handleCreditTypes lists the record types with their template columns.
func (h *creditHandlers) handleCreditTypes(c echo.Context) error {
	type fieldJSON struct {
		Key      string   `json:"key"`
		Header   string   `json:"header"`
		Required bool     `json:"required"`
		Values   []string `json:"values,omitempty"`
	}
	type typeJSON struct {
		Code     string      `json:"code"`
		Name     string      `json:"name"`
		List     bool        `json:"list"`
		Negative bool        `json:"negative"`
		Columns  []fieldJSON `json:"columns"`
	}
	var out []typeJSON
	for _, t := range credit.RecordTypes() {
		tj := typeJSON{Code: t.Code, Name: t.Name, List: t.List, Negative: t.Negative}
		for _, f := range t.Columns() {
			tj.Columns = append(tj.Columns, fieldJSON{Key: f.Key, Header: f.Header, Required: f.Required, Values: f.Enum})
		}
		out = append(out, tj)
	}
	return c.JSON(http.StatusOK, map[string]any{"types": out})
}

// handleCreditTemplate answers a record type's template: CSV (UTF-8 with a
// BOM, so Excel shows the Chinese headers) or, with ?format=xlsx, a spreadsheet.
func (h *creditHandlers) handleCreditTemplate(c echo.Context) error {
	typ, format := c.Param("type"), c.QueryParam("format")
	body, err := h.credit.Template(typ, format)
	if err != nil {
		return err
	}
	ct, ext := "text/csv; charset=utf-8", "csv"
	if format == "xlsx" {
		ct, ext = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"
	}
	c.Response().Header().Set(echo.HeaderContentDisposition, fmt.Sprintf(`attachment; filename="%s.%s"`, typ, ext))
	return c.Blob(http.StatusOK, ct, body)
}

// handleCreditSubjectSearch finds subjects by code, ID number or part of the
// name. A code or ID number is looked up exactly, and counted as
// handleCreditSubjectGet counts it.
func (h *creditHandlers) handleCreditSubjectSearch(c echo.Context) error {
	page, perPage, err := paging(c, 20, 100)
	if err != nil {
		return err
	}
	q := c.QueryParam("q")
	var res *credit.SearchResult
	search := func() (found bool, err error) {
		res, err = h.credit.Search(c.Request().Context(), claimsOf(c), q, page, perPage)
		return err == nil && len(res.Subjects) > 0, err
	}
	if _, exact := h.credit.SubjectKey(q); exact {
		err = h.countedLookup(c, search)
	} else {
		_, err = search()
	}
	if err != nil {
		return err
	}
	out := make([]*creditSubjectJSON, len(res.Subjects))
	for i, sub := range res.Subjects {
		out[i] = toCreditSubjectJSON(sub)
		black, red := res.Lists[sub.ID][guanjia.CreditBlackList], res.Lists[sub.ID][guanjia.CreditRedList]
		out[i].Black, out[i].Red = &black, &red
	}
	return c.JSON(http.StatusOK, map[string]any{"subjects": out, "page": max(page, 1), "more": res.More})
}

// handleCreditSubjectGet answers a subject with its lists and records: the
// public see what is in public view, staff everything with its status.
func (h *creditHandlers) handleCreditSubjectGet(c echo.Context) error {
	var d *credit.SubjectDetail
	err := h.countedLookup(c, func() (found bool, err error) {
		d, err = h.credit.Subject(c.Request().Context(), claimsOf(c), c.Param("code"))
		return err == nil, err
	})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"subject": toCreditSubjectJSON(d.Subject),
		"black": toCreditEntriesJSON(d.Black), "red": toCreditEntriesJSON(d.Red), "records": toCreditEntriesJSON(d.Records)})
}

// countedLookup runs lookup, the public's lookup of a subject by its code or
// ID number, counting it against the caller's address unless it finds the
// subject; past the limit it is refused (429) without being made. Staff
// are not counted.
func (h *creditHandlers) countedLookup(c echo.Context, lookup func() (found bool, err error)) error {
	if h.rdb == nil || slices.Contains(creditStaff, claimsOf(c).Role) {
		_, err := lookup()
		return err
	}
	undo, wait := countMiss(c.Request().Context(), h.rdb, h.log, "credit lookup", subjectMissPrefix+clientNet(c), subjectMisses, subjectMissWindow)
	if wait > 0 {
		return retryLater(c, &throttled{wait: wait, err: guanjia.Errorf(guanjia.ETOOMANY,
			"too many lookups that found nothing from this address; try again in %d minutes", waitMinutes(wait))})
	}
	found, err := lookup()
	if found {
		undo()
	}
	return err
}

// handleCreditCheck is the joint incentive and punishment check other services call.
func (h *creditHandlers) handleCreditCheck(c echo.Context) error {
	code := c.QueryParam("code")
	if code == "" {
		return invalid("code", "code (统一社会信用代码) is required")
	}
	black, red, err := h.credit.CheckCode(c.Request().Context(), code)
	if err != nil {
		return err
	}
	conv := func(list []guanjia.CreditEntry) []creditEntryJSON {
		out := make([]creditEntryJSON, len(list))
		for i := range list {
			out[i] = toCreditEntryJSON(&list[i])
			out[i].Subject = nil // the caller knows whom it asked about
		}
		return out
	}
	return c.JSON(http.StatusOK, map[string]any{"code": credit.NormalizeCode(code), "black": conv(black), "red": conv(red)})
}

// handleCreditList answers a page of the current red or black list.
func (h *creditHandlers) handleCreditList(c echo.Context) error {
	page, perPage, err := paging(c, 20, 100)
	if err != nil {
		return err
	}
	p, err := h.credit.List(c.Request().Context(), c.Param("kind"), c.QueryParam("list_name"), page, perPage)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"entries": toCreditEntriesJSON(p.Entries), "total": p.Total, "page": max(page, 1)})
}

// handleCreditEntryGet answers one entry; staff get its history too.
func (h *creditHandlers) handleCreditEntryGet(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	hist, err := h.credit.Entry(c.Request().Context(), claimsOf(c), id)
	if err != nil {
		return err
	}
	out := map[string]any{"entry": toCreditEntryJSON(hist.Entry)}
	if hist.Events != nil {
		out["events"] = mapJSON(hist.Events, toCreditEventJSON)
	}
	return c.JSON(http.StatusOK, out)
}

type creditEventJSON struct {
	Action    string    `json:"action"`
	From      string    `json:"from,omitempty"`
	To        string    `json:"to,omitempty"`
	ActorID   *int64    `json:"actor_id"`
	ActorRole string    `json:"actor_role,omitempty"`
	BatchID   *int64    `json:"batch_id,omitempty"`
	RepairID  *int64    `json:"repair_id,omitempty"`
	Note      string    `json:"note,omitempty"`
	At        time.Time `json:"at"`
}

func toCreditEventJSON(e *guanjia.CreditEvent) creditEventJSON {
	return creditEventJSON{Action: string(e.Action), From: string(e.From), To: string(e.To), ActorID: e.ActorID,
		ActorRole: string(e.ActorRole), BatchID: e.BatchID, RepairID: e.RepairID, Note: e.Note, At: e.At}
}

type noteRequest struct {
	Note string `json:"note"`
}

// handleCreditEntryRevoke withdraws an entry published in error or annulled.
func (h *creditHandlers) handleCreditEntryRevoke(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	var req noteRequest
	if err := bind(c, &req); err != nil {
		return err
	}
	e, err := h.credit.Revoke(c.Request().Context(), claimsOf(c), id, req.Note)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toCreditEntryJSON(e))
}

type creditBatchJSON struct {
	ID         int64             `json:"id"`
	Type       string            `json:"type"`
	Department string            `json:"department"`
	UploadedBy int64             `json:"uploaded_by"`
	Filename   string            `json:"filename"`
	FileHash   string            `json:"file_hash"`
	Format     string            `json:"format"`
	Status     string            `json:"status"`
	Percent    int               `json:"percent"`
	Rows       int               `json:"rows"`
	Inserted   int               `json:"inserted"`
	Updated    int               `json:"updated"`
	Unchanged  int               `json:"unchanged"`
	ErrorCount int               `json:"error_count"`
	Errors     []rowErrorJSON    `json:"errors"`
	CreatedAt  time.Time         `json:"created_at"`
	FinishedAt *time.Time        `json:"finished_at,omitempty"`
	Error      map[string]string `json:"error,omitempty"` // a rejected batch also answers in the usual error shape
}

// rowErrorJSON is one row error of an import, its reason in the reader's language.
type rowErrorJSON struct {
	Row    int    `json:"row"`
	Column string `json:"column"`
	Reason string `json:"reason"`
}

func toCreditBatchJSON(b *credit.Batch, lang language.Tag) creditBatchJSON {
	errs := make([]rowErrorJSON, len(b.Errors))
	for i, e := range b.Errors {
		errs[i] = rowErrorJSON{Row: e.Row, Column: e.Column, Reason: i18n.Text(lang, e.Reason)}
		if e.Format != "" {
			errs[i].Reason = i18n.Sprintf(lang, e.Format, e.Args...)
		}
	}
	return creditBatchJSON{ID: b.ID, Type: b.Type, Department: b.Department, UploadedBy: b.UploadedBy, Filename: b.Filename,
		FileHash: b.FileHash, Format: b.Format, Status: string(b.Status), Percent: b.Percent, Rows: b.Rows, Inserted: b.Inserted,
		Updated: b.Updated, Unchanged: b.Unchanged, ErrorCount: b.ErrorCount, Errors: errs, CreatedAt: b.CreatedAt, FinishedAt: b.FinishedAt}
}

// handleCreditImportCreate takes a department's file (multipart "file" and
// "type"; an admin adds "department"). A batch with an invalid row is a 422
// carrying the row report; a valid one is imported (201) or queued (202).
func (h *creditHandlers) handleCreditImportCreate(c echo.Context) error {
	r := c.Request()
	filename, data, err := readUpload(c, h.credit.MaxImportBytes, invalid("file", "upload the file as multipart field \"file\" (CSV or XLSX)"))
	if err != nil {
		return err
	}
	b, err := h.credit.SubmitImport(r.Context(), claimsOf(c), credit.Upload{Type: c.FormValue("type"),
		Department: c.FormValue("department"), Filename: filename, Data: data})
	if err != nil {
		return err
	}
	out := toCreditBatchJSON(b, langOf(c))
	switch b.Status {
	case credit.BatchRejected:
		out.Error = fileRefused(langOf(c), b.ErrorCount)
		return c.JSON(http.StatusUnprocessableEntity, out)
	case credit.BatchQueued:
		c.Response().Header().Set(echo.HeaderLocation, fmt.Sprintf("/api/v1/credit/imports/%d", b.ID))
		return c.JSON(http.StatusAccepted, out)
	}
	return c.JSON(http.StatusCreated, out)
}

// handleCreditImportGet answers a batch: status, percent done, counts, errors.
func (h *creditHandlers) handleCreditImportGet(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	b, err := h.credit.ImportStatus(c.Request().Context(), claimsOf(c), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toCreditBatchJSON(b, langOf(c)))
}

// handleCreditImportList answers a page of batches, newest first (the row
// reports are in each batch's own answer).
func (h *creditHandlers) handleCreditImportList(c echo.Context) error {
	page, perPage, err := paging(c, 50, 100)
	if err != nil {
		return err
	}
	list, total, err := h.credit.Batches(c.Request().Context(), claimsOf(c), page, perPage)
	if err != nil {
		return err
	}
	out := mapJSON(list, func(b *credit.Batch) creditBatchJSON {
		j := toCreditBatchJSON(b, langOf(c))
		j.Errors = nil
		return j
	})
	return c.JSON(http.StatusOK, map[string]any{"imports": out, "total": total, "page": page})
}

type creditRepairJSON struct {
	ID             int64            `json:"id"`
	EntryID        int64            `json:"entry_id"`
	Entry          *creditEntryJSON `json:"entry,omitempty"`
	Department     string           `json:"department"`
	ApplicantID    int64            `json:"applicant_id"`
	ApplicantName  string           `json:"applicant_name,omitempty"` // for the deciding staff only
	Basis          string           `json:"basis"`                    // legal_rep, power_of_attorney, department, admin
	Representative *int64           `json:"representative_id,omitempty"`
	Reason         string           `json:"reason"`
	Evidence       string           `json:"evidence"`
	Status         string           `json:"status"`
	DecidedBy      *int64           `json:"decided_by,omitempty"`
	DecisionNote   string           `json:"decision_note,omitempty"`
	DecidedAt      *time.Time       `json:"decided_at,omitempty"`
	CreatedAt      time.Time        `json:"created_at"`
}

func toCreditRepairJSON(r *credit.Repair) creditRepairJSON {
	out := creditRepairJSON{ID: r.ID, EntryID: r.EntryID, Department: r.Department, ApplicantID: r.ApplicantID,
		ApplicantName: r.ApplicantName, Basis: string(r.Basis), Representative: r.Representative, Reason: r.Reason,
		Evidence: r.Evidence, Status: string(r.Status), DecidedBy: r.DecidedBy, DecisionNote: r.DecisionNote,
		DecidedAt: r.DecidedAt, CreatedAt: r.CreatedAt}
	if r.Entry != nil {
		e := toCreditEntryJSON(r.Entry)
		out.Entry = &e
	}
	return out
}

type repairRequest struct {
	EntryID  int64  `json:"entry_id"`
	Reason   string `json:"reason"`
	Evidence string `json:"evidence"`
}

// handleCreditRepairCreate files a 信用修复 application.
func (h *creditHandlers) handleCreditRepairCreate(c echo.Context) error {
	var req repairRequest
	if err := bind(c, &req); err != nil {
		return err
	}
	if req.EntryID <= 0 {
		return invalid("entry_id", "entry_id is required")
	}
	r, err := h.credit.ApplyRepair(c.Request().Context(), claimsOf(c), credit.RepairApplication{EntryID: req.EntryID,
		Reason: req.Reason, Evidence: req.Evidence})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, toCreditRepairJSON(r))
}

type decideRequest struct {
	Approve *bool  `json:"approve"`
	Note    string `json:"note"`
}

// handleCreditRepairDecide approves or refuses an application.
func (h *creditHandlers) handleCreditRepairDecide(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	var req decideRequest
	if err := bind(c, &req); err != nil {
		return err
	}
	if req.Approve == nil {
		return invalid("approve", "approve (true or false) is required")
	}
	r, err := h.credit.DecideRepair(c.Request().Context(), claimsOf(c), id, *req.Approve, req.Note)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toCreditRepairJSON(r))
}

func (h *creditHandlers) handleCreditRepairGet(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	r, err := h.credit.Repair(c.Request().Context(), claimsOf(c), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toCreditRepairJSON(r))
}

// handleCreditRepairList answers a page of a department's queue, or of the caller's own applications.
func (h *creditHandlers) handleCreditRepairList(c echo.Context) error {
	page, perPage, err := paging(c, 50, 100)
	if err != nil {
		return err
	}
	list, total, err := h.credit.Repairs(c.Request().Context(), claimsOf(c), credit.RepairStatus(c.QueryParam("status")), page, perPage)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"repairs": mapJSON(list, toCreditRepairJSON), "total": total, "page": page})
}

type creditRepresentativeJSON struct {
	ID           int64              `json:"id"`
	Subject      *creditSubjectJSON `json:"subject,omitempty"`
	UserID       int64              `json:"user_id"`
	Basis        string             `json:"basis"` // legal_rep or power_of_attorney
	Name         string             `json:"name"`
	Department   string             `json:"department,omitempty"` // a 授权委托书's reviewing department: its entries only
	EntryID      *int64             `json:"entry_id,omitempty"`
	Document     string             `json:"document,omitempty"` // the 授权委托书, for its user and reviewers
	DocumentType string             `json:"document_type,omitempty"`
	DocumentSize int64              `json:"document_size,omitempty"`
	Status       string             `json:"status"`
	DecidedBy    *int64             `json:"decided_by,omitempty"`
	DecisionNote string             `json:"decision_note,omitempty"`
	DecidedAt    *time.Time         `json:"decided_at,omitempty"`
	CreatedAt    time.Time          `json:"created_at"`
}

func toCreditRepresentativeJSON(r *credit.Representative) creditRepresentativeJSON {
	out := creditRepresentativeJSON{ID: r.ID, Subject: toCreditSubjectJSON(r.Subject), UserID: r.UserID, Basis: string(r.Basis),
		Name: r.Name, Department: r.Department, EntryID: r.EntryID, DocumentType: r.DocumentType, DocumentSize: r.DocumentSize,
		Status: string(r.Status), DecidedBy: r.DecidedBy, DecisionNote: r.DecisionNote, DecidedAt: r.DecidedAt, CreatedAt: r.CreatedAt}
	if r.DocumentKey != "" {
		out.Document = fmt.Sprintf("/api/v1/credit/representatives/%d/document", r.ID)
	}
	return out
}

// representativeBindRequest names a subject's 法定代表人.
type representativeBindRequest struct {
	Name     string `json:"name"`
	IDNumber string `json:"id_number"`
}

// handleCreditRepresentativeBind binds the caller's account to a subject as
// its 法定代表人: {"name","id_number"} checked against the registered ones.
// 201 when bound now, 200 when bound already, 403 (kept as a failed attempt) when they differ.
func (h *creditHandlers) handleCreditRepresentativeBind(c echo.Context) error {
	var req representativeBindRequest
	if err := bind(c, &req); err != nil {
		return err
	}
	r, created, err := h.credit.BindLegalRep(c.Request().Context(), claimsOf(c), c.Param("code"),
		credit.LegalRepClaim{Name: req.Name, IDNumber: req.IDNumber})
	if err != nil {
		return err
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	return c.JSON(status, toCreditRepresentativeJSON(r))
}

// handleCreditPowerOfAttorneyCreate takes an agent's 授权委托书 for the
// subject of an entry: multipart "file" (PDF, JPEG or PNG, sniffed) and
// "name" (the agent's). It is pending until the publishing department accepts it.
func (h *creditHandlers) handleCreditPowerOfAttorneyCreate(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	r := c.Request()
	limit := h.credit.MaxDocumentBytes
	r.Body = http.MaxBytesReader(c.Response(), r.Body, limit+(64<<10))
	tooLarge := guanjia.FieldError(guanjia.ETOOLARGE, "file", "the file is larger than %d MB", limit>>20)
	fh, err := c.FormFile("file")
	var maxErr *http.MaxBytesError
	switch {
	case errors.As(err, &maxErr) || (err == nil && fh.Size > limit):
		return tooLarge
	case err != nil:
		return invalid("file", "upload the 授权委托书 as multipart field \"file\" (PDF, JPEG or PNG)")
	}
	if err := checkForm(r); err != nil {
		return err
	}
	f, err := fh.Open()
	if err != nil {
		return err
	}
	defer f.Close()
	head := make([]byte, 512)
	n, _ := io.ReadFull(f, head)
	rep, err := h.credit.FilePowerOfAttorney(r.Context(), claimsOf(c), credit.PowerOfAttorney{EntryID: id, Name: c.FormValue("name"),
		ContentType: http.DetectContentType(head[:n]), Size: fh.Size, Body: io.MultiReader(bytes.NewReader(head[:n]), f)})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, toCreditRepresentativeJSON(rep))
}

// handleCreditRepresentativeList answers a page of a department's 授权委托书 to review, or of the caller's own standings.
func (h *creditHandlers) handleCreditRepresentativeList(c echo.Context) error {
	page, perPage, err := paging(c, 50, 100)
	if err != nil {
		return err
	}
	list, total, err := h.credit.Representatives(c.Request().Context(), claimsOf(c),
		credit.RepresentativeStatus(c.QueryParam("status")), page, perPage)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"representatives": mapJSON(list, toCreditRepresentativeJSON), "total": total, "page": page})
}

func (h *creditHandlers) handleCreditRepresentativeGet(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	r, err := h.credit.Representative(c.Request().Context(), claimsOf(c), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toCreditRepresentativeJSON(r))
}

// handleCreditRepresentativeDocument streams a 授权委托书 to its user and its reviewers.
func (h *creditHandlers) handleCreditRepresentativeDocument(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	r, body, err := h.credit.OpenPowerOfAttorney(c.Request().Context(), claimsOf(c), id)
	if err != nil {
		return err
	}
	defer body.Close()
	hd := c.Response().Header()
	hd.Set("Cache-Control", "private, no-store")
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set(echo.HeaderContentDisposition, fmt.Sprintf(`attachment; filename="poa-%d%s"`, r.ID, documentExt[r.DocumentType]))
	return c.Stream(http.StatusOK, r.DocumentType, body)
}

var documentExt = map[string]string{"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png"}

// representativeDecideRequest accepts or refuses a 授权委托书.
type representativeDecideRequest struct {
	Accept *bool  `json:"accept"`
	Note   string `json:"note"`
}

// handleCreditRepresentativeDecide accepts or refuses a 授权委托书: {"accept","note"}.
func (h *creditHandlers) handleCreditRepresentativeDecide(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	var req representativeDecideRequest
	if err := bind(c, &req); err != nil {
		return err
	}
	if req.Accept == nil {
		return invalid("accept", "accept (true or false) is required")
	}
	r, err := h.credit.DecideRepresentative(c.Request().Context(), claimsOf(c), id, *req.Accept, req.Note)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toCreditRepresentativeJSON(r))
}

type remitJSON struct {
	Unit  string   `json:"unit"`
	Name  string   `json:"name"`
	Types []string `json:"types"`
}

// handleCreditDepartmentList answers what each department may publish.
func (h *creditHandlers) handleCreditDepartmentList(c echo.Context) error {
	list, err := h.credit.Remits(c.Request().Context(), claimsOf(c))
	if err != nil {
		return err
	}
	out := mapJSON(list, func(r credit.Remit) remitJSON { return remitJSON{r.UnitCode, r.UnitName, r.Types} })
	return c.JSON(http.StatusOK, map[string]any{"departments": out})
}

// remitRequest lists the record types a department may publish.
type remitRequest struct {
	Types []string `json:"types"`
}

// handleCreditDepartmentUpdate sets the record types a department may publish.
func (h *creditHandlers) handleCreditDepartmentUpdate(c echo.Context) error {
	var req remitRequest
	if err := bind(c, &req); err != nil {
		return err
	}
	r, err := h.credit.SetRemit(c.Request().Context(), claimsOf(c), c.Param("unit"), req.Types)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, remitJSON{r.UnitCode, r.UnitName, r.Types})
}
