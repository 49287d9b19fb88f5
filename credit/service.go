// Package credit is 诚信海口: subjects, red and black lists, 双公示 records and lookups.
package credit

// Service runs public credit.
type Service struct{}
