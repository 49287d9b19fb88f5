package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"

	"guanjia"
)

type ratingRow struct {
	ID          int64 `gorm:"primaryKey"`
	ComplaintID int64
	Round       int
	Channel     string
	Solved      *bool
	Score       int
	Comment     string
	RaterID     *int64
	CreatedAt   time.Time
}

func (ratingRow) TableName() string { return "complaint_ratings" }

// addRating records a 回访 answer; a second answer for the same round is ECONFLICT.
func addRating(tx *gorm.DB, complaintID int64, r *guanjia.Rating) error {
	if r == nil {
		return nil
	}
	row := ratingRow{ComplaintID: complaintID, Round: r.Round, Channel: r.Channel, Solved: r.Solved, Score: r.Score,
		Comment: r.Comment, RaterID: r.RaterID, CreatedAt: r.At}
	if err := tx.Create(&row).Error; errors.Is(err, gorm.ErrDuplicatedKey) {
		return guanjia.Errorf(guanjia.ECONFLICT, "already rated")
	} else if err != nil {
		return fmt.Errorf("store: rate complaint %d: %w", complaintID, err)
	}
	r.ID, r.ComplaintID = row.ID, complaintID
	return nil
}

// RatingsOf returns every rating of the complaints created in [from, to).
func (s *Complaints) RatingsOf(ctx context.Context, from, to time.Time) ([]*guanjia.Rating, error) {
	var rows []ratingRow
	err := s.db.WithContext(ctx).Table("complaint_ratings r").Select("r.*").
		Joins("JOIN complaints c ON c.id = r.complaint_id").
		Where("c.created_at >= ? AND c.created_at < ?", from, to).Order("r.id").Find(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("store: ratings: %w", err)
	}
	out := make([]*guanjia.Rating, len(rows))
	for i, r := range rows {
		out[i] = &guanjia.Rating{ID: r.ID, ComplaintID: r.ComplaintID, Round: r.Round, Channel: r.Channel, Solved: r.Solved,
			Score: r.Score, Comment: r.Comment, RaterID: r.RaterID, At: r.CreatedAt.UTC()}
	}
	return out, nil
}
