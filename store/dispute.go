package store

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"guanjia"
	"guanjia/mediation"
)

// Disputes keeps 大调解: mediation.Store.
type Disputes struct {
	*conn
	users *Users
}

type committeeRow struct {
	Code     string `gorm:"primaryKey"`
	Name     string
	Level    string
	Kind     string
	District string
	Superior string
	GridIDs  string `gorm:"column:grid_ids"`
	Types    string
}

func (committeeRow) TableName() string { return "mediation_committees" }

type disputeRow struct {
	ID                 int64 `gorm:"primaryKey"`
	Number             *string
	Type               string
	Status             string
	Level              string
	Source             string
	Summary            string
	Description        string
	Address            string
	Lat, Lng           float64
	CoordSystem        string
	GridID             string
	District           string
	CommitteeCode      string
	ReporterID         *int64
	Result             string
	AgreementNumber    *string
	Terms              string
	Performance        string
	Advice             string
	OutcomeNote        string
	OutcomeAt          *time.Time
	Court              string
	ConfirmationStatus string
	ConfirmationNote   string
	FollowUpKept       *bool
	FollowUpNote       string
	FollowUpAt         *time.Time
	AcceptedAt         *time.Time
	DueAt              *time.Time
	WarnedAt           *time.Time
	EscalatedAt        *time.Time
	AcceptEscalatedAt  *time.Time
	ClosedAt           *time.Time
	CreatedAt          time.Time
	UpdatedAt          time.Time
	Version            int
}

func (disputeRow) TableName() string { return "disputes" }

type partyRow struct {
	ID         int64 `gorm:"primaryKey"`
	DisputeID  int64
	Role       string
	Kind       string
	Name       string
	IDNumber   string `gorm:"column:id_number"`
	CreditCode string
	Phone      string
	UserID     *int64
}

func (partyRow) TableName() string { return "dispute_parties" }

type disputeMediatorRow struct {
	DisputeID int64 `gorm:"primaryKey"`
	UserID    int64 `gorm:"primaryKey"`
}

func (disputeMediatorRow) TableName() string { return "dispute_mediators" }

type mediationSessionRow struct {
	ID         int64 `gorm:"primaryKey"`
	DisputeID  int64
	At         time.Time
	Place      string
	Status     string
	Record     string
	Attended   string
	RemindedAt *time.Time
}

func (mediationSessionRow) TableName() string { return "dispute_sessions" }

type disputeEventRow struct {
	ID         int64 `gorm:"primaryKey"`
	DisputeID  int64
	At         time.Time
	ActorID    *int64
	ActorName  string
	Action     string
	FromStatus string
	ToStatus   string
	Note       string
}

func (disputeEventRow) TableName() string { return "dispute_events" }

func nonZero(id int64) *int64 {
	if id == 0 {
		return nil
	}
	return &id
}

func orZero(id *int64) int64 {
	if id == nil {
		return 0
	}
	return *id
}

func toDisputeRow(d *guanjia.Dispute) disputeRow {
	return disputeRow{ID: d.ID, Number: nullable(d.Number), Type: d.Type, Status: string(d.Status), Level: d.Level, Source: d.Source,
		Summary: d.Summary, Description: d.Description, Address: d.Address, Lat: d.Lat, Lng: d.Lng, CoordSystem: d.CoordSystem,
		GridID: d.GridID, District: d.District, CommitteeCode: d.CommitteeCode, ReporterID: nonZero(d.ReporterID),
		Result: d.Result, AgreementNumber: nullable(d.AgreementNumber), Terms: d.Terms, Performance: d.Performance,
		Advice: d.Advice, OutcomeNote: d.OutcomeNote, OutcomeAt: utc(d.OutcomeAt), Court: d.Court,
		ConfirmationStatus: d.ConfirmationStatus, ConfirmationNote: d.ConfirmationNote, FollowUpKept: d.FollowUpKept,
		FollowUpNote: d.FollowUpNote, FollowUpAt: utc(d.FollowUpAt), AcceptedAt: utc(d.AcceptedAt), DueAt: utc(d.DueAt),
		WarnedAt: utc(d.WarnedAt), EscalatedAt: utc(d.EscalatedAt), AcceptEscalatedAt: utc(d.AcceptEscalatedAt), ClosedAt: utc(d.ClosedAt),
		CreatedAt: d.CreatedAt.UTC(), UpdatedAt: d.UpdatedAt.UTC(), Version: d.Version}
}

func (r *disputeRow) dispute() *guanjia.Dispute {
	return &guanjia.Dispute{ID: r.ID, Number: deref(r.Number), Type: r.Type, Status: guanjia.DisputeStatus(r.Status), Level: r.Level,
		Source: r.Source, Summary: r.Summary, Description: r.Description, Address: r.Address, Lat: r.Lat, Lng: r.Lng,
		CoordSystem: r.CoordSystem, GridID: r.GridID, District: r.District, CommitteeCode: r.CommitteeCode,
		ReporterID: orZero(r.ReporterID), Result: r.Result, AgreementNumber: deref(r.AgreementNumber), Terms: r.Terms,
		Performance: r.Performance, Advice: r.Advice, OutcomeNote: r.OutcomeNote, OutcomeAt: utc(r.OutcomeAt), Court: r.Court,
		ConfirmationStatus: r.ConfirmationStatus, ConfirmationNote: r.ConfirmationNote, FollowUpKept: r.FollowUpKept,
		FollowUpNote: r.FollowUpNote, FollowUpAt: utc(r.FollowUpAt), AcceptedAt: utc(r.AcceptedAt), DueAt: utc(r.DueAt),
		WarnedAt: utc(r.WarnedAt), EscalatedAt: utc(r.EscalatedAt), AcceptEscalatedAt: utc(r.AcceptEscalatedAt), ClosedAt: utc(r.ClosedAt),
		CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(), Version: r.Version}
}

// UpsertCommittee creates or replaces a committee.
func (s *Disputes) UpsertCommittee(ctx context.Context, c *guanjia.Committee) error {
	row := committeeRow{Code: c.Code, Name: c.Name, Level: c.Level, Kind: c.Kind, District: c.District, Superior: c.Superior,
		GridIDs: jsonList(c.GridIDs), Types: jsonList(c.Types)}
	err := s.db.WithContext(ctx).Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "code"}}, UpdateAll: true}).Create(&row).Error
	if err != nil {
		return fmt.Errorf("store: upsert committee %s: %w", c.Code, err)
	}
	return nil
}

// ListCommittees returns every committee by level and code.
func (s *Disputes) ListCommittees(ctx context.Context) ([]*guanjia.Committee, error) {
	var rows []committeeRow
	if err := s.db.WithContext(ctx).Order("code").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("store: list committees: %w", err)
	}
	return mapRows(rows, func(r *committeeRow) *guanjia.Committee {
		c := &guanjia.Committee{Code: r.Code, Name: r.Name, Level: r.Level, Kind: r.Kind, District: r.District, Superior: r.Superior}
		decodeJSON("mediation_committees", r.Code, r.GridIDs, &c.GridIDs)
		decodeJSON("mediation_committees", r.Code, r.Types, &c.Types)
		return c
	}), nil
}

// FindGrid returns the grid with id.
func (s *Disputes) FindGrid(ctx context.Context, id string) (*guanjia.Grid, error) {
	var row gridRow
	if err := s.db.WithContext(ctx).Where("id = ?", id).Take(&row).Error; err != nil {
		return nil, notFound(err, "grid", id)
	}
	return &guanjia.Grid{ID: row.ID, Name: row.Name, District: row.District, Street: row.Street, Community: row.Community}, nil
}

func (s *Disputes) FindUserByID(ctx context.Context, id int64) (*guanjia.User, error) {
	return s.users.FindUserByID(ctx, id)
}

func (s *Disputes) ListUsersByRole(ctx context.Context, role guanjia.Role, unitCode string) ([]*guanjia.User, error) {
	return s.users.ListUsersByRole(ctx, role, unitCode)
}

// writeTrail writes the event and the outbox rows of a change.
func writeTrail(tx *gorm.DB, id int64, ev guanjia.DisputeEvent, msgs []guanjia.Message, now time.Time) error {
	evRow := disputeEventRow{DisputeID: id, At: ev.At.UTC(), ActorID: nonZero(ev.ActorID), ActorName: ev.ActorName,
		Action: string(ev.Action), FromStatus: string(ev.From), ToStatus: string(ev.To), Note: ev.Note}
	if err := tx.Create(&evRow).Error; err != nil {
		return fmt.Errorf("store: dispute event: %w", err)
	}
	if len(msgs) == 0 {
		return nil
	}
	rows := make([]notificationRow, len(msgs))
	for i, m := range msgs {
		rows[i] = newNotificationRow(m, now) // pending rows are handed to the queue by the re-queue job
	}
	if err := tx.Create(&rows).Error; err != nil {
		return fmt.Errorf("store: queue dispute messages: %w", err)
	}
	return nil
}

// CreateDispute inserts d with its parties, first event and messages, and
// numbers it (mediation.DisputeNumber).
func (s *Disputes) CreateDispute(ctx context.Context, d *guanjia.Dispute, ev guanjia.DisputeEvent, msgs []guanjia.Message) error {
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		row := toDisputeRow(d)
		row.Number = nil
		if err := tx.Create(&row).Error; err != nil {
			return fmt.Errorf("store: create dispute: %w", err)
		}
		d.ID = row.ID
		d.Number = mediation.DisputeNumber(d.CreatedAt, d.ID)
		if err := tx.Model(&disputeRow{}).Where("id = ?", d.ID).Update("number", d.Number).Error; err != nil {
			return fmt.Errorf("store: number dispute %d: %w", d.ID, err)
		}
		for i := range d.Parties {
			p := &d.Parties[i]
			pr := partyRow{DisputeID: d.ID, Role: p.Role, Kind: p.Kind, Name: p.Name, IDNumber: s.sealer.Seal(p.IDNumber),
				CreditCode: p.CreditCode, Phone: s.sealer.Seal(p.Phone), UserID: nonZero(p.UserID)}
			if err := tx.Create(&pr).Error; err != nil {
				return fmt.Errorf("store: create party: %w", err)
			}
			p.ID = pr.ID
		}
		for i := range msgs { // the messages were addressed before the number existed
			msgs[i].Data["complaint_no"] = d.Number
			msgs[i].Data["link"] = fmt.Sprintf("/console/disputes/%d", d.ID)
		}
		return writeTrail(tx, d.ID, ev, msgs, s.Now())
	})
}

// FindDispute returns a dispute with its parties (ID numbers and phones
// unsealed), mediators and sessions.
func (s *Disputes) FindDispute(ctx context.Context, id int64) (*guanjia.Dispute, error) {
	var row disputeRow
	if err := s.db.WithContext(ctx).Where("id = ?", id).Take(&row).Error; err != nil {
		return nil, notFound(err, "dispute", id)
	}
	list := []*guanjia.Dispute{row.dispute()}
	if err := s.fill(ctx, list); err != nil {
		return nil, err
	}
	return list[0], nil
}

// fill loads the parties, mediators and sessions of list.
func (s *Disputes) fill(ctx context.Context, list []*guanjia.Dispute) error {
	if len(list) == 0 {
		return nil
	}
	ids := make([]int64, len(list))
	byID := map[int64]*guanjia.Dispute{}
	for i, d := range list {
		ids[i], byID[d.ID] = d.ID, d
	}
	db := s.db.WithContext(ctx)
	var parties []partyRow
	if err := db.Where("dispute_id IN ?", ids).Order("id").Find(&parties).Error; err != nil {
		return fmt.Errorf("store: dispute parties: %w", err)
	}
	for _, p := range parties {
		idNumber, err := s.sealer.Open(p.IDNumber)
		if err != nil {
			return err
		}
		phone, err := s.sealer.Open(p.Phone)
		if err != nil {
			return err
		}
		d := byID[p.DisputeID]
		d.Parties = append(d.Parties, guanjia.Party{ID: p.ID, Role: p.Role, Kind: p.Kind, Name: p.Name, IDNumber: idNumber,
			CreditCode: p.CreditCode, Phone: phone, UserID: orZero(p.UserID)})
	}
	var mediators []struct {
		DisputeID, UserID int64
		Name              string
		Username          *string
	}
	err := db.Table("dispute_mediators AS m").Select("m.dispute_id, m.user_id, u.name, u.username").
		Joins("JOIN users AS u ON u.id = m.user_id").Where("m.dispute_id IN ?", ids).Order("m.user_id").Scan(&mediators).Error
	if err != nil {
		return fmt.Errorf("store: dispute mediators: %w", err)
	}
	for _, m := range mediators {
		d := byID[m.DisputeID]
		name := m.Name
		if name == "" {
			name = deref(m.Username)
		}
		d.MediatorIDs, d.MediatorNames = append(d.MediatorIDs, m.UserID), append(d.MediatorNames, name)
	}
	var sessions []mediationSessionRow
	if err := db.Where("dispute_id IN ?", ids).Order("at, id").Find(&sessions).Error; err != nil {
		return fmt.Errorf("store: dispute sessions: %w", err)
	}
	for _, x := range sessions {
		d := byID[x.DisputeID]
		d.Sessions = append(d.Sessions, guanjia.MediationSession{ID: x.ID, At: x.At.UTC(), Place: x.Place, Status: x.Status,
			Record: x.Record, Attended: x.Attended, RemindedAt: utc(x.RemindedAt)})
	}
	return nil
}

// ListDisputeEvents returns the timeline of a dispute, oldest first.
func (s *Disputes) ListDisputeEvents(ctx context.Context, id int64) ([]guanjia.DisputeEvent, error) {
	var rows []disputeEventRow
	if err := s.db.WithContext(ctx).Where("dispute_id = ?", id).Order("id").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("store: dispute events %d: %w", id, err)
	}
	out := make([]guanjia.DisputeEvent, len(rows))
	for i, r := range rows {
		out[i] = guanjia.DisputeEvent{ID: r.ID, DisputeID: r.DisputeID, At: r.At.UTC(), ActorID: orZero(r.ActorID), ActorName: r.ActorName,
			Action: guanjia.DisputeAction(r.Action), From: guanjia.DisputeStatus(r.FromStatus), To: guanjia.DisputeStatus(r.ToStatus), Note: r.Note}
	}
	return out, nil
}

// ListDisputes returns a page of disputes, newest first, and how many match.
func (s *Disputes) ListDisputes(ctx context.Context, f mediation.Filter) ([]*guanjia.Dispute, int64, error) {
	q := s.db.WithContext(ctx).Model(&disputeRow{})
	if f.Status != "" {
		q = q.Where("status = ?", f.Status)
	}
	if f.Level != "" {
		q = q.Where("level = ?", f.Level)
	}
	if f.Committee != "" {
		q = q.Where("committee_code = ?", f.Committee)
	}
	if f.GridID != "" || f.OrFiledBy != 0 { // an empty grid is none: not the ungridded disputes
		q = q.Where("((grid_id = ? AND grid_id <> '') OR reporter_id = ?)", f.GridID, f.OrFiledBy)
	}
	if f.ReporterID != 0 {
		q = q.Where("reporter_id = ?", f.ReporterID)
	}
	if f.MediatorID != 0 {
		q = q.Where("id IN (?)", s.db.Model(&disputeMediatorRow{}).Select("dispute_id").Where("user_id = ?", f.MediatorID))
	}
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, fmt.Errorf("store: count disputes: %w", err)
	}
	if f.Limit <= 0 || f.Limit > 100 {
		f.Limit = 20
	}
	var rows []disputeRow
	if err := q.Order("id DESC").Offset(f.Offset).Limit(f.Limit).Find(&rows).Error; err != nil {
		return nil, 0, fmt.Errorf("store: list disputes: %w", err)
	}
	list := mapRows(rows, (*disputeRow).dispute)
	if err := s.fill(ctx, list); err != nil {
		return nil, 0, err
	}
	return list, total, nil
}

// UpdateDispute saves d if nobody saved it since d.Version was read.
func (s *Disputes) UpdateDispute(ctx context.Context, d *guanjia.Dispute, ev guanjia.DisputeEvent, msgs []guanjia.Message) error {
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		row := toDisputeRow(d)
		row.Version = d.Version + 1
		res := tx.Model(&disputeRow{}).Where("id = ? AND version = ?", d.ID, d.Version).
			Select("*").Omit("id", "number", "created_at").Updates(&row)
		if res.Error != nil {
			return fmt.Errorf("store: update dispute %d: %w", d.ID, res.Error)
		}
		if res.RowsAffected == 0 {
			return guanjia.StaleVersion("dispute %d was changed by someone else: reload it", d.ID)
		}
		if err := tx.Where("dispute_id = ?", d.ID).Delete(&disputeMediatorRow{}).Error; err != nil {
			return fmt.Errorf("store: dispute mediators: %w", err)
		}
		for _, id := range d.MediatorIDs {
			if err := tx.Create(&disputeMediatorRow{DisputeID: d.ID, UserID: id}).Error; err != nil {
				return fmt.Errorf("store: dispute mediators: %w", err)
			}
		}
		for i := range d.Sessions {
			x := &d.Sessions[i]
			sr := mediationSessionRow{ID: x.ID, DisputeID: d.ID, At: x.At.UTC(), Place: x.Place, Status: x.Status, Record: x.Record,
				Attended: x.Attended, RemindedAt: utc(x.RemindedAt)}
			var err error
			if x.ID == 0 {
				err = tx.Create(&sr).Error
				x.ID = sr.ID
			} else {
				err = tx.Model(&mediationSessionRow{}).Where("id = ? AND dispute_id = ?", x.ID, d.ID).Select("*").Omit("id").Updates(&sr).Error
			}
			if err != nil {
				return fmt.Errorf("store: dispute session: %w", err)
			}
		}
		if err := writeTrail(tx, d.ID, ev, msgs, s.Now()); err != nil {
			return err
		}
		d.Version = row.Version
		return nil
	})
}

// AcceptedBetween returns the disputes accepted in [from, to), bare.
func (s *Disputes) AcceptedBetween(ctx context.Context, from, to time.Time) ([]*guanjia.Dispute, error) {
	var rows []disputeRow
	if err := s.db.WithContext(ctx).Where("accepted_at >= ? AND accepted_at < ?", from.UTC(), to.UTC()).Order("id").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("store: disputes accepted: %w", err)
	}
	return mapRows(rows, (*disputeRow).dispute), nil
}

// DueDeadlines returns the disputes, bare, in one of statuses whose deadline
// comes by until and whose warning or escalation has not fired.
func (s *Disputes) DueDeadlines(ctx context.Context, statuses []guanjia.DisputeStatus, until time.Time) ([]*guanjia.Dispute, error) {
	var rows []disputeRow
	err := s.db.WithContext(ctx).Where("status IN ? AND due_at IS NOT NULL AND due_at <= ? AND (warned_at IS NULL OR escalated_at IS NULL)",
		statuses, until.UTC()).Order("id").Find(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("store: due dispute deadlines: %w", err)
	}
	return mapRows(rows, (*disputeRow).dispute), nil
}

// AwaitingAcceptance returns the disputes, bare, reported by before and
// neither accepted nor escalated for it since.
func (s *Disputes) AwaitingAcceptance(ctx context.Context, before time.Time) ([]*guanjia.Dispute, error) {
	var rows []disputeRow
	err := s.db.WithContext(ctx).Where("status = ? AND accept_escalated_at IS NULL AND created_at <= ?", guanjia.DisputeReported, before.UTC()).
		Order("id").Find(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("store: disputes awaiting acceptance: %w", err)
	}
	return mapRows(rows, (*disputeRow).dispute), nil
}

// DueSessions returns the scheduled sessions, not yet reminded, that start
// after from and by until, of the disputes in status.
func (s *Disputes) DueSessions(ctx context.Context, status guanjia.DisputeStatus, from, until time.Time) ([]mediation.DueSession, error) {
	var rows []mediationSessionRow
	err := s.db.WithContext(ctx).Where("status = ? AND reminded_at IS NULL AND at > ? AND at <= ? AND dispute_id IN (?)", "scheduled",
		from.UTC(), until.UTC(), s.db.Model(&disputeRow{}).Select("id").Where("status = ?", status)).Order("id").Find(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("store: due dispute sessions: %w", err)
	}
	out := make([]mediation.DueSession, len(rows))
	for i, x := range rows {
		out[i] = mediation.DueSession{DisputeID: x.DisputeID, Session: guanjia.MediationSession{ID: x.ID, At: x.At.UTC(), Place: x.Place,
			Status: x.Status, Record: x.Record, Attended: x.Attended, RemindedAt: utc(x.RemindedAt)}}
	}
	return out, nil
}

var _ mediation.Store = (*Disputes)(nil)
