// Package volunteer is 公益海口: teams, reviewed activities, signups, check-in and hours.
package volunteer

// Service runs the volunteer platform.
type Service struct{}
