package store

import (
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
	return refreshRatingCounts(tx, complaintID) // stats.go
}
