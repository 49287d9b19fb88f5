package dispatch

import (
	"context"
	"strings"

	"guanjia"
	"guanjia/geo"
)

// The crew's steps: 签收, 到场, 办结 (resolve) and 退单. See transitions.

// accept (签收): the crew member signs for the task.
func (a *act) accept(ctx context.Context) error {
	c := a.c
	if c.AssigneeID == nil {
		c.AssigneeID = &a.actor // a unit-level task: whoever accepts owns it
	}
	if c.AcceptBy != nil && a.now.After(*c.AcceptBy) {
		c.MissedAccepts++ // signed for late (the timer, had it fired, counted its miss but not this)
	}
	if _, err := a.countMiss(ctx, TimerAccept, c.AcceptBy); err != nil {
		return err
	}
	c.AcceptedAt = &a.now
	a.ch.Cancel = []TimerKind{TimerAccept, TimerAcceptReminder}
	a.record("")
	a.tell(news{status: "已受理", note: "处置人员已签收"})
	return nil
}

// arrive (到场): the crew member checks in on site by GPS.
func (a *act) arrive(ctx context.Context) error {
	lat, lng, err := arrivalPoint(a.in)
	if err != nil {
		return err
	}
	if d := geo.Distance(lat, lng, a.c.Lat, a.c.Lng); d > ArrivalRadiusM {
		return guanjia.FieldError(guanjia.EUNPROCESSABLE, "lat", "you are %.0f m from the site; check in within %d m", d, ArrivalRadiusM)
	}
	if _, err := a.countMiss(ctx, TimerArrive, a.c.ArriveBy); err != nil {
		return err
	}
	if a.c.ArrivedAt == nil { // a task handed over on site keeps its first arrival: the clock was met then
		a.c.ArrivedAt = &a.now
	}
	a.ch.Cancel = []TimerKind{TimerArrive, TimerArriveReminder}
	ev := a.record("")
	ev.Lat, ev.Lng = &lat, &lng
	a.tell(news{status: "已到场", note: "处置人员已到达现场"})
	return nil
}

// resolve (办结): the work is done, with a note and the before/after photos.
func (a *act) resolve(ctx context.Context) error {
	c := a.c
	if a.cat.PointToPoint && c.Status == guanjia.StatusAccepted && a.who.Role == guanjia.RoleCrew {
		return guanjia.Errorf(guanjia.ECONFLICT, "check in on site before resolving")
	}
	if strings.TrimSpace(a.in.Note) == "" {
		return guanjia.FieldError(guanjia.EINVALID, "note", "say what was done")
	}
	if err := a.checkPhotos(ctx); err != nil {
		return err
	}
	c.ResolvedAt = &a.now
	if c.ResolveBy != nil && a.now.After(*c.ResolveBy) {
		c.Overdue = true
		if _, err := a.countMiss(ctx, TimerResolve, c.ResolveBy); err != nil {
			return err
		}
	}
	a.ch.Cancel = allTimers
	note := a.in.Note
	if len(a.in.Photos) > 0 {
		note += " [照片: " + strings.Join(a.in.Photos, ",") + "]"
	}
	a.record(note)
	a.tell(news{status: "已处置", note: "已处置完成, 请评价", rate: true})
	return nil
}

// giveBack (退单): the crew or unit hands the task back to the command center.
func (a *act) giveBack(ctx context.Context) error {
	if err := requireReason(a.in.Reason); err != nil {
		return err
	}
	if err := a.countAcceptMiss(ctx); err != nil {
		return err
	}
	// A leader handing back a crew member's task tells them: they may be on their way.
	var told []guanjia.Message
	if a.c.AssigneeID != nil && *a.c.AssigneeID != a.who.UserID {
		told = a.s.addresses().withdrawn(a.c, nil, a.cat.Name, "单位已退单，无需前往")
	}
	a.c.AssigneeID = nil
	a.ch.Cancel = []TimerKind{TimerAccept, TimerAcceptReminder} // the citizen's on-site clock runs on
	msgs, err := a.s.addresses().toCommandCenter(ctx, guanjia.TplManualQueue, a.c, map[string]string{"reason": "退单: " + a.in.Reason})
	if err != nil {
		return err
	}
	a.ch.Messages = append(told, msgs...)
	a.record(a.in.Reason)
	return nil
}

// arrivalPoint is the crew member's position in WGS-84.
func arrivalPoint(in ActionInput) (float64, float64, error) {
	if in.Lat == nil || in.Lng == nil {
		return 0, 0, guanjia.FieldError(guanjia.EINVALID, "lat", "your position is required to check in")
	}
	sys := in.CoordSystem
	if sys == "" {
		sys = string(geo.WGS84)
	}
	return geo.ToWGS84(geo.CoordSystem(sys), *in.Lat, *in.Lng)
}

// checkPhotos makes sure every photo a resolve names belongs to the complaint.
func (a *act) checkPhotos(ctx context.Context) error {
	if len(a.in.Photos) > 2*guanjia.MaxPhotosPerKind {
		return guanjia.FieldError(guanjia.EINVALID, "photos", "at most %d photos", 2*guanjia.MaxPhotosPerKind)
	}
	for _, id := range a.in.Photos {
		p, err := a.s.Store.FindPhoto(ctx, id)
		if lookupFailed(err) {
			return err
		}
		if err != nil || p.ComplaintID != a.c.ID {
			return guanjia.FieldError(guanjia.EINVALID, "photos", "photo %q is not attached to this complaint", id)
		}
	}
	return nil
}
