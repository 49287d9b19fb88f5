package store

import (
	"context"
	"fmt"

	"guanjia"
)

// ConfirmedTexts answers the descriptions of closed complaints, newest
// first, with the category each was finally handled under (after 改派 the
// complaint carries the new one): what the category suggester learns from.
func (s *Complaints) ConfirmedTexts(ctx context.Context, limit int) ([]guanjia.CategorizedText, error) {
	var rows []struct {
		Category    string
		Description string
	}
	err := s.db.WithContext(ctx).Table("complaints").Select("category, description").
		Where("status = ? AND description <> ''", guanjia.StatusClosed).
		Order("id DESC").Limit(limit).Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("store: confirmed texts: %w", err)
	}
	out := make([]guanjia.CategorizedText, len(rows))
	for i, r := range rows {
		out[i] = guanjia.CategorizedText{Category: r.Category, Text: r.Description}
	}
	return out, nil
}
