package open311

import (
	"context"
	"net/url"
	"strconv"
	"strings"
	"time"

	"guanjia"
	"guanjia/dispatch"
	"guanjia/geo"
)

// Services lists the categories a request may be filed under as services:
// a retired one is left out (its requests still name it).
func (s *Service) Services(ctx context.Context) ([]ServiceRecord, error) {
	cats, err := s.catalog.ListOfferedCategories(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]ServiceRecord, len(cats))
	for i, c := range cats {
		out[i] = ServiceRecord{Code: c.Code, Name: c.Name, Description: c.Major + " · " + c.Name + "（" + c.Department + "）",
			Metadata: false, Type: "realtime", Keywords: strings.Join([]string{c.Kind, c.Major, c.Department}, ","), Group: c.Major}
	}
	return out, nil
}

// Definition returns service code's definition; no category asks more
// than the description, so its attributes are empty.
func (s *Service) Definition(ctx context.Context, code string) (*Definition, error) {
	if _, err := s.category(ctx, code); err != nil {
		return nil, err
	}
	return &Definition{Code: code, Attributes: []Attribute{}}, nil
}

func (s *Service) category(ctx context.Context, code string) (*guanjia.Category, error) {
	c, err := s.catalog.FindCategory(ctx, code)
	if guanjia.ErrorCode(err) == guanjia.ENOTFOUND {
		return nil, guanjia.FieldError(guanjia.EINVALID, "service_code", "unknown service %q", code)
	}
	return c, err
}

// NewRequest is a POSTed request. Person fields (email, names, phone,
// device and account ids) are accepted by the endpoint and not kept.
type NewRequest struct {
	ServiceCode   string
	Lat, Long     *float64
	AddressString string
	Description   string
	MediaURL      string
}

// Submit files r from client through the same intake as every other source.
func (s *Service) Submit(ctx context.Context, client *guanjia.Open311Client, r NewRequest) (*Receipt, error) {
	cat, err := s.category(ctx, r.ServiceCode)
	if err != nil {
		return nil, err
	}
	if err := cat.CheckOffered("service_code"); err != nil {
		return nil, err
	}
	if !client.Allows(r.ServiceCode) {
		return nil, guanjia.FieldError(guanjia.EFORBIDDEN, "service_code", "this client may not file service %q", r.ServiceCode)
	}
	if r.Lat == nil || r.Long == nil {
		// Only a place on the map can be routed to a grid.
		return nil, guanjia.FieldError(guanjia.EINVALID, "lat", "lat and long are required")
	}
	if err := checkMediaURL(r.MediaURL); err != nil {
		return nil, err
	}
	c, err := s.dispatch.CreateOpen311(ctx, client.UserID, dispatch.NewComplaint{Category: r.ServiceCode,
		Description: r.Description, Lat: *r.Lat, Lng: *r.Long, Address: r.AddressString, MediaURL: r.MediaURL})
	if err != nil {
		return nil, err
	}
	return &Receipt{ServiceRequestID: strconv.FormatInt(c.ID, 10), ServiceNotice: notice(c)}, nil
}

// maxMediaURL bounds a media_url: a link, not a picture inlined as data.
const maxMediaURL = 2048

// checkMediaURL accepts a media_url that staff can open safely in a browser:
// an absolute http(s) link with a host and no credentials in it.
func checkMediaURL(raw string) error {
	if raw == "" {
		return nil
	}
	u, err := url.Parse(raw)
	switch {
	case len(raw) > maxMediaURL:
		return guanjia.FieldError(guanjia.EINVALID, "media_url", "media_url is longer than %d characters", maxMediaURL)
	case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "":
		return guanjia.FieldError(guanjia.EINVALID, "media_url", "media_url must be an http or https link")
	case u.User != nil:
		return guanjia.FieldError(guanjia.EINVALID, "media_url", "media_url may not carry a user name or password")
	}
	return nil
}

// Query is GET requests' filters, as sent.
type Query struct {
	IDs         string // comma list
	ServiceCode string
	StartDate   string
	EndDate     string
	Status      string // open, closed or a comma list of both
}

// Requests answers GET requests.
func (s *Service) Requests(ctx context.Context, q Query) ([]Request, error) {
	f := guanjia.Open311Filter{Limit: MaxResults}
	for _, code := range strings.Split(q.ServiceCode, ",") { // the specification allows a comma list
		if code = strings.TrimSpace(code); code != "" {
			f.Categories = append(f.Categories, code)
		}
	}
	for _, part := range strings.Split(q.IDs, ",") {
		if part = strings.TrimSpace(part); part == "" {
			continue
		}
		id, err := strconv.ParseInt(part, 10, 64)
		if err != nil || id <= 0 {
			return nil, guanjia.FieldError(guanjia.EINVALID, "service_request_id", "service_request_id %q is not a request id", part)
		}
		f.IDs = append(f.IDs, id)
	}
	var err error
	if f.From, f.To, err = s.window(q.StartDate, q.EndDate); err != nil {
		return nil, err
	}
	for _, st := range strings.Split(q.Status, ",") {
		switch strings.TrimSpace(st) {
		case "":
		case "open":
			f.Statuses = append(f.Statuses, openStatuses...)
		case "closed":
			f.Statuses = append(f.Statuses, closedStatuses...)
		default:
			return nil, guanjia.FieldError(guanjia.EINVALID, "status", "status must be open or closed")
		}
	}
	cs, err := s.store.Open311Requests(ctx, f)
	if err != nil {
		return nil, err
	}
	return s.records(ctx, cs)
}

var (
	openStatuses = []guanjia.Status{guanjia.StatusSubmitted, guanjia.StatusDispatched, guanjia.StatusAccepted,
		guanjia.StatusOnSite, guanjia.StatusResolved, guanjia.StatusReturned}
	closedStatuses = []guanjia.Status{guanjia.StatusClosed, guanjia.StatusRejected, guanjia.StatusDuplicate}
)

// Request answers GET requests/{id}.
func (s *Service) Request(ctx context.Context, id string) ([]Request, error) {
	n, err := strconv.ParseInt(id, 10, 64)
	if err != nil || n <= 0 {
		return nil, guanjia.Errorf(guanjia.ENOTFOUND, "no such id %q", id)
	}
	cs, err := s.store.Open311Requests(ctx, guanjia.Open311Filter{IDs: []int64{n}, Limit: 1})
	if err != nil {
		return nil, err
	}
	if len(cs) == 0 {
		return nil, guanjia.Errorf(guanjia.ENOTFOUND, "no such id %q", id)
	}
	return s.records(ctx, cs)
}

// window reads start_date and end_date as [from, to): by default the
// DefaultWindow up to now. end_date includes the whole of what it names:
// its second, as times are shown to the second, or its day.
func (s *Service) window(start, end string) (from, to time.Time, err error) {
	to = s.now()
	if end != "" {
		if _, to, err = ParseDatetime("end_date", end); err != nil {
			return
		}
	}
	from = to.Add(-DefaultWindow)
	if start != "" {
		if from, _, err = ParseDatetime("start_date", start); err != nil {
			return
		}
	}
	if end == "" && start != "" && to.Before(from) {
		to = from.Add(DefaultWindow)
	}
	return from, to, nil
}

// records renders complaints as requests: only what the public pages show,
// never the reporter, the caller or the staff who handled it. Reading is
// public, so a report's own words, address and exact place are shown only
// for requests filed through Open311, whose clients publish them; a hotline
// order is the caller's words as the agent typed them, and a mini-program
// report's place may be the citizen's door. Those show their place to about
// a hundred metres, enough for a map.
func (s *Service) records(ctx context.Context, cs []*guanjia.Complaint) ([]Request, error) {
	cats := map[string]*guanjia.Category{}
	out := make([]Request, len(cs))
	for i, c := range cs {
		cat, ok := cats[c.Category]
		if !ok {
			var err error
			if cat, err = s.catalog.FindCategory(ctx, c.Category); err != nil && guanjia.ErrorCode(err) != guanjia.ENOTFOUND {
				return nil, err
			}
			cats[c.Category] = cat
		}
		r := Request{ServiceRequestID: strconv.FormatInt(c.ID, 10), Status: "open", StatusNotes: statusNotes[c.Status],
			ServiceCode: c.Category, RequestedDatetime: datetime(c.CreatedAt),
			UpdatedDatetime: datetime(c.UpdatedAt), ExpectedDatetime: optDatetime(c.ResolveBy),
			Lat: geo.Rough(c.Lat), Long: geo.Rough(c.Lng)}
		if c.Source == guanjia.SourceOpen311 {
			r.Description, r.Address, r.Lat, r.Long, r.MediaURL = c.Description, c.Address, c.Lat, c.Lng, c.MediaURL
		}
		if !c.Status.Open() {
			r.Status = "closed"
		}
		if cat != nil {
			r.ServiceName, r.AgencyResponsible = cat.Name, cat.Department
		}
		out[i] = r
	}
	return out, nil
}

// statusNotes says where a request stands, in the words of the public pages.
var statusNotes = map[guanjia.Status]string{
	guanjia.StatusSubmitted:  "已立案，等待派遣",
	guanjia.StatusDispatched: "已派遣",
	guanjia.StatusAccepted:   "已签收，正在处置",
	guanjia.StatusOnSite:     "处置人员已到场",
	guanjia.StatusResolved:   "处置完成，等待核查",
	guanjia.StatusClosed:     "已结案",
	guanjia.StatusReturned:   "退回指挥中心重新派遣",
	guanjia.StatusRejected:   "不予立案",
	guanjia.StatusDuplicate:  "与已有工单为同一问题，合并处理",
}

// Updates answers GET servicerequestupdates: each public event of a request
// (its filing and every change of status) is one update, its id the event's.
func (s *Service) Updates(ctx context.Context, start, end string) ([]Update, error) {
	from, to, err := s.window(start, end)
	if err != nil {
		return nil, err
	}
	events, err := s.store.Open311Events(ctx, from, to, MaxResults)
	if err != nil {
		return nil, err
	}
	out := []Update{}
	for _, e := range events {
		status, ok := updateStatus(e)
		if !ok {
			continue
		}
		out = append(out, Update{UpdateID: strconv.FormatInt(e.ID, 10), ServiceRequestID: strconv.FormatInt(e.ComplaintID, 10),
			Status: status, UpdatedDatetime: datetime(e.At), Description: statusNotes[e.To]})
	}
	return out, nil
}

// updateStatus maps an event to the extension's statuses; events that do
// not change where a request stands (reminders, escalations) are internal,
// and Open311Events leaves them out already.
func updateStatus(e *guanjia.Event) (string, bool) {
	if e.Action != guanjia.ActionCreate && e.From == e.To {
		return "", false
	}
	switch e.To {
	case guanjia.StatusSubmitted, guanjia.StatusReturned:
		return "OPEN", true
	case guanjia.StatusDispatched:
		return "ACTION_SCHEDULED", true
	case guanjia.StatusAccepted, guanjia.StatusOnSite:
		return "IN_PROGRESS", true
	case guanjia.StatusResolved:
		return "FIXED", true
	case guanjia.StatusClosed:
		return "CLOSED", true
	case guanjia.StatusDuplicate:
		return "DUPLICATE", true
	case guanjia.StatusRejected:
		return "NOT_COUNCILS_RESPONSIBILITY", true
	}
	return "", false
}
