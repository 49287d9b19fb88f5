package store

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"

	"guanjia"
)

// WeChat keeps the WeChat adapter's tables (migration 002_wechat.sql):
// subscribe consents, media checks and mini-program codes. It satisfies
// wechat.Store without either package importing the other.
type WeChat struct{ *conn }

// RecordConsents adds one subscribe consent for each template id.
func (s *WeChat) RecordConsents(ctx context.Context, userID int64, templateIDs []string) error {
	if len(templateIDs) == 0 {
		return nil
	}
	now := s.Now()
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		for _, id := range templateIDs {
			if err := tx.Exec(`INSERT INTO wechat_consents (user_id, template_id, remaining, updated_at)
				VALUES (?, ?, 1, ?)
				ON CONFLICT (user_id, template_id)
				DO UPDATE SET remaining = wechat_consents.remaining + 1, updated_at = excluded.updated_at`,
				userID, id, now).Error; err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: record consents of user %d: %w", userID, err)
	}
	return nil
}

// SpendConsent takes one consent if any is left. The single conditional
// UPDATE is what makes it safe: two concurrent sends cannot both take the last one.
func (s *WeChat) SpendConsent(ctx context.Context, userID int64, templateID string) (bool, error) {
	res := s.db.WithContext(ctx).Exec(`UPDATE wechat_consents SET remaining = remaining - 1, updated_at = ?
		WHERE user_id = ? AND template_id = ? AND remaining > 0`, s.Now(), userID, templateID)
	if res.Error != nil {
		return false, fmt.Errorf("store: spend consent of user %d for %s: %w", userID, templateID, res.Error)
	}
	return res.RowsAffected == 1, nil
}

// RefundConsent gives back a consent whose message WeChat did not take.
func (s *WeChat) RefundConsent(ctx context.Context, userID int64, templateID string) error {
	if err := s.db.WithContext(ctx).Exec(`UPDATE wechat_consents SET remaining = remaining + 1, updated_at = ?
		WHERE user_id = ? AND template_id = ?`, s.Now(), userID, templateID).Error; err != nil {
		return fmt.Errorf("store: refund consent of user %d for %s: %w", userID, templateID, err)
	}
	return nil
}

// ClearConsent drops the remaining consents of one template.
func (s *WeChat) ClearConsent(ctx context.Context, userID int64, templateID string) error {
	if err := s.db.WithContext(ctx).Exec(`UPDATE wechat_consents SET remaining = 0, updated_at = ?
		WHERE user_id = ? AND template_id = ?`, s.Now(), userID, templateID).Error; err != nil {
		return fmt.Errorf("store: clear consent of user %d for %s: %w", userID, templateID, err)
	}
	return nil
}

// ListConsents returns the remaining consents per template id (zeros included).
func (s *WeChat) ListConsents(ctx context.Context, userID int64) (map[string]int, error) {
	var rows []struct {
		TemplateID string
		Remaining  int
	}
	if err := s.db.WithContext(ctx).Raw(`SELECT template_id, remaining FROM wechat_consents WHERE user_id = ?`,
		userID).Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("store: list consents of user %d: %w", userID, err)
	}
	out := make(map[string]int, len(rows))
	for _, r := range rows {
		out[r.TemplateID] = r.Remaining
	}
	return out, nil
}

// CreateMediaCheck remembers which photo an asynchronous check is about.
func (s *WeChat) CreateMediaCheck(ctx context.Context, traceID, photoID string) error {
	if err := s.db.WithContext(ctx).Exec(`INSERT INTO wechat_media_checks (trace_id, photo_id, created_at)
		VALUES (?, ?, ?) ON CONFLICT (trace_id) DO NOTHING`, traceID, photoID, s.Now()).Error; err != nil {
		return fmt.Errorf("store: create media check %s: %w", traceID, err)
	}
	return nil
}

// FinishMediaCheck records WeChat's verdict and returns the photo id.
func (s *WeChat) FinishMediaCheck(ctx context.Context, traceID, suggest string) (string, error) {
	var photoID string
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		res := tx.Exec(`UPDATE wechat_media_checks SET suggest = ?, checked_at = ? WHERE trace_id = ?`,
			suggest, s.Now(), traceID)
		if res.Error != nil {
			return res.Error
		} else if res.RowsAffected == 0 {
			return guanjia.Errorf(guanjia.ENOTFOUND, "media check %s not found", traceID)
		}
		return tx.Raw(`SELECT photo_id FROM wechat_media_checks WHERE trace_id = ?`, traceID).Scan(&photoID).Error
	})
	if guanjia.ErrorCode(err) == guanjia.ENOTFOUND {
		return "", err
	} else if err != nil {
		return "", fmt.Errorf("store: finish media check %s: %w", traceID, err)
	}
	return photoID, nil
}

type wxacodeRow struct {
	Scene     string
	Page      string
	Image     []byte
	CreatedAt time.Time
}

func (wxacodeRow) TableName() string { return "wechat_wxacodes" }

// FindWXACode returns a kept mini-program code; ENOTFOUND when there is none.
func (s *WeChat) FindWXACode(ctx context.Context, scene, page string) ([]byte, error) {
	var row wxacodeRow
	if err := s.db.WithContext(ctx).Where("scene = ? AND page = ?", scene, page).Take(&row).Error; err != nil {
		return nil, notFound(err, "mini-program code", scene+" "+page)
	}
	return row.Image, nil
}

// SaveWXACode keeps a mini-program code; the first one kept wins.
func (s *WeChat) SaveWXACode(ctx context.Context, scene, page string, image []byte) error {
	if err := s.db.WithContext(ctx).Exec(`INSERT INTO wechat_wxacodes (scene, page, image, created_at)
		VALUES (?, ?, ?, ?) ON CONFLICT (scene, page) DO NOTHING`, scene, page, image, s.Now()).Error; err != nil {
		return fmt.Errorf("store: save mini-program code %s %s: %w", scene, page, err)
	}
	return nil
}
