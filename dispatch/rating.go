package dispatch

import (
	"context"
	"fmt"
	"slices"
	"unicode/utf8"

	"guanjia"
)

// MaxRatingComment is the longest 回访 comment accepted, in characters.
const MaxRatingComment = 500

// rate records a 回访 answer for the complaint's current round. 不满意, or
// "not solved", sends the work back once (返工); after that the answer is
// recorded only. Ratings are rows of their own and are never erased.
func (s *Service) rate(ctx context.Context, ch *Change, cat *guanjia.Category, who guanjia.Claims, channel string, in ActionInput) error {
	c := ch.Complaint
	if c.Rating != 0 {
		return guanjia.Errorf(guanjia.ECONFLICT, "already rated")
	}
	if in.Score < guanjia.RatingUnsatisfied || in.Score > guanjia.RatingSatisfied {
		return guanjia.FieldError(guanjia.EINVALID, "score", "score is 3 (满意), 2 (基本满意) or 1 (不满意)")
	}
	if utf8.RuneCountInString(in.Comment) > MaxRatingComment {
		return guanjia.FieldError(guanjia.EINVALID, "comment", "comment is longer than %d characters", MaxRatingComment)
	}
	now := s.Now()
	var rater *int64
	if who.UserID != 0 {
		id := who.UserID
		rater = &id
	}
	ch.Rating = &guanjia.Rating{Round: c.ReopenCount, Channel: channel, Solved: in.Solved, Score: in.Score,
		Comment: in.Comment, RaterID: rater, At: now}
	c.Rating, c.RatingComment = in.Score, in.Comment
	ch.Events = append(ch.Events, &guanjia.Event{Action: guanjia.ActionRate, From: c.Status, To: c.Status,
		ActorID: rater, ActorRole: who.Role, Note: ratingNote(channel, in), At: now})
	unsolved := in.Score == guanjia.RatingUnsatisfied || (in.Solved != nil && !*in.Solved)
	if unsolved && c.ReopenCount == 0 && c.Status != guanjia.StatusDuplicate { // a me-too has no work of its own
		return s.reopen(ctx, ch, cat, nil, who.Role, "回访未解决或不满意: "+in.Comment)
	}
	return nil
}

var channelWord = map[string]string{
	guanjia.RatedInMiniProgram: "小程序评价", guanjia.RatedBySMS: "短信回访", guanjia.RatedByPhone: "电话回访",
}

var scoreWord = map[int]string{
	guanjia.RatingSatisfied: "满意", guanjia.RatingFair: "基本满意", guanjia.RatingUnsatisfied: "不满意",
}

func ratingNote(channel string, in ActionInput) string {
	note := fmt.Sprintf("%s: %s", channelWord[channel], scoreWord[in.Score])
	if in.Solved != nil {
		note += map[bool]string{true: ", 已解决", false: ", 未解决"}[*in.Solved]
	}
	if in.Comment != "" {
		note += " " + in.Comment
	}
	return note
}

// RatedAs is the status that decides whether c may be rated: its own, or
// for a report that joined an order open already (a me-too at intake, a
// merge at the desk) that order's. Its reporter follows that order, a
// hotline caller is texted 办结 with a rating link when it closes
// (callerClosed), and either answers on their own order, where it stays:
// the KPIs count received orders only, which a duplicate is not.
func (s *Service) RatedAs(ctx context.Context, c *guanjia.Complaint) (guanjia.Status, error) {
	joined, err := s.joinedOrder(ctx, c)
	if err != nil {
		return "", err
	}
	return joined.Status, nil
}

// Rateable says whether a report rated as status (RatedAs) may be rated, by
// the state table, for pages that say why not.
func Rateable(status guanjia.Status) bool {
	return slices.Contains(transitions[guanjia.ActionRate].from, status)
}

// maxMergeChain bounds the links followed from a duplicate to the order its
// problem is worked on under. A merge's target is open, so links never
// loop; an order with me-toos merged into another makes a chain of two.
const maxMergeChain = 8

// joinedOrder is the order c's problem is worked on under: c itself, or
// the end of its duplicate_of links.
func (s *Service) joinedOrder(ctx context.Context, c *guanjia.Complaint) (*guanjia.Complaint, error) {
	for hop := 0; hop < maxMergeChain && c.Status == guanjia.StatusDuplicate && c.DuplicateOf != nil; hop++ {
		var err error
		if c, err = s.Store.FindComplaint(ctx, *c.DuplicateOf); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// RateByLink records a hotline caller's 回访 answer from the signed link of
// the 办结 SMS. The caller has no account: the link's signature is the
// authority, checked by the caller of this method.
func (s *Service) RateByLink(ctx context.Context, complaintID int64, in ActionInput) (*guanjia.Complaint, error) {
	c, err := s.Store.FindComplaint(ctx, complaintID)
	if err != nil {
		return nil, err
	}
	// The state table decides when a rating may come, for the link as for the mini-program.
	if _, err := s.decide(ctx, c, guanjia.ActionRate, guanjia.RoleCitizen); err != nil {
		return nil, err
	}
	cat, err := s.Store.FindCategory(ctx, c.Category)
	if err != nil {
		return nil, err
	}
	ch := &Change{Complaint: c}
	if err := s.rate(ctx, ch, cat, guanjia.Claims{Role: guanjia.RoleCitizen}, guanjia.RatedBySMS, in); err != nil {
		return nil, err
	}
	c.UpdatedAt = s.Now()
	if err := s.save(ctx, ch); err != nil {
		return nil, err
	}
	return c, nil
}
