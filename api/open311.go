package api

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/redis/go-redis/v9"

	"guanjia"
	"guanjia/i18n"
	"guanjia/open311"
)

// open311Handlers serve the Open311 GeoReport v2 endpoint at /open311/v2/
// and the administration of its clients. The endpoint answers in the
// specification's shapes, errors included, in XML or JSON by the suffix.
type open311Handlers struct {
	open311   *open311.Service
	perMinute int                   // requests an api_key may file a minute; 0: no limit
	rdb       redis.UniversalClient // counts them for every replica; nil: no limit (a server without Redis)
	now       func() time.Time
	log       *slog.Logger
}

// open311LimitKey holds one client's filed requests of the last minute.
func open311LimitKey(client int64) string {
	return "guanjia:open311:filed:" + strconv.FormatInt(client, 10)
}

// countRequest counts a request client files, or refuses it with 429 when
// the client filed perMinute in the minute before it: a window that slides,
// so no burst at a window's edge doubles the limit, and refused requests do
// not count (slideTry). Every replica counts against the same limit. Without
// Redis there is no limit, and a Redis outage lets requests through
// (logged): filing matters more than counting.
func (h *open311Handlers) countRequest(ctx context.Context, client int64) error {
	if h.rdb == nil || h.perMinute <= 0 {
		return nil
	}
	wait, err := slideTry(ctx, h.rdb, open311LimitKey(client), h.perMinute, time.Minute, h.now())
	if err != nil {
		h.log.Error("open311 rate limit: redis unavailable, not counting", "err", err)
		return nil
	}
	if wait > 0 {
		return &throttled{wait: wait, err: guanjia.Errorf(guanjia.ETOOMANY, "too many requests for this api_key")}
	}
	return nil
}

// open311Answer is what a handler returns: the XML and the JSON renderings.
type open311Answer struct {
	status    int
	xml, json any
}

// list answers a list: a JSON array, or in XML the records inside name.
func list[T any](status int, name string, items []T) open311Answer {
	return open311Answer{status: status, xml: open311.NewList(name, items), json: items}
}

func one(v any) open311Answer { return open311Answer{status: http.StatusOK, xml: v, json: v} }

// serve runs f for the format the path's suffix names, after the
// jurisdiction check, and writes its answer or the specification's error list.
func (h *open311Handlers) serve(param string, f func(c echo.Context, name string) (open311Answer, error)) echo.HandlerFunc {
	return func(c echo.Context) error {
		// "fmt" is the suffix alone; "file" is a name and its suffix (requests/12.xml).
		name, format := "", c.Param(param)
		if i := strings.LastIndexByte(format, '.'); param == "file" && i >= 0 {
			name, format = format[:i], format[i+1:]
		} else if param == "file" {
			format = ""
		}
		if format != "xml" && format != "json" {
			return h.fail(c, "json", guanjia.Errorf(guanjia.ENOTFOUND, "the format must be xml or json"))
		}
		if err := readOpen311Form(c); err != nil {
			return h.fail(c, format, err)
		}
		if err := h.open311.CheckJurisdiction(c.FormValue("jurisdiction_id")); err != nil {
			return h.fail(c, format, err)
		}
		a, err := f(c, name)
		if err != nil {
			return h.fail(c, format, err)
		}
		if format == "xml" {
			return c.XML(a.status, a.xml)
		}
		return c.JSON(a.status, a.json)
	}
}

// maxOpen311Body bounds what an Open311 call may send: the specification's
// POST is a short urlencoded form (a photo travels as media_url), and every
// call, a public GET or a POST whose key is not yet checked, reads its body.
const maxOpen311Body = 64 << 10

// readOpen311Form parses the query and the body's form, at most
// maxOpen311Body of it, and checks its fields as every form is checked.
func readOpen311Form(c echo.Context) error {
	r := c.Request()
	r.Body = http.MaxBytesReader(c.Response(), r.Body, maxOpen311Body)
	err := r.ParseForm() // a urlencoded body; a multipart one is read next
	if err == nil {
		if err = r.ParseMultipartForm(maxOpen311Body); errors.Is(err, http.ErrNotMultipart) {
			err = nil
		}
	}
	if _, tooLarge := errors.AsType[*http.MaxBytesError](err); tooLarge {
		return guanjia.Errorf(guanjia.ETOOLARGE, "request body is too large")
	} else if err != nil {
		return invalid("", "the request body could not be read")
	}
	return checkForm(r)
}

// open311Errors writes the errors of every call under /open311/v2/ that no
// handler of the endpoint answered (echo's 404 and 405, refuseBadParams) as
// the specification's error list, in the format the path's suffix names.
func (h *open311Handlers) open311Errors(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		path := c.Request().URL.Path
		err := next(c)
		if err == nil || h.open311 == nil || !strings.HasPrefix(path+"/", "/open311/v2/") || c.Response().Committed {
			return err
		}
		format := "json"
		if strings.HasSuffix(path, ".xml") {
			format = "xml"
		}
		return h.fail(c, format, err)
	}
}

// fail writes err as the specification's error list.
func (h *open311Handlers) fail(c echo.Context, format string, err error) error {
	lang, code := langOf(c), guanjia.ErrorCode(err)
	status, description := statusOf[code], i18n.Message(err, lang)
	var he *echo.HTTPError
	if code == guanjia.EUNPROCESSABLE { // the specification knows only 400 for bad input
		status = http.StatusBadRequest
	} else if code == guanjia.EINTERNAL && errors.As(err, &he) { // echo's own, by its status
		status, description = he.Code, echoMessage(he, lang)
	}
	if status >= http.StatusInternalServerError {
		h.log.Error("open311: internal error", "err", err, "method", c.Request().Method, "path", c.Path(),
			"request_id", c.Response().Header().Get(echo.HeaderXRequestID))
	}
	errs := []open311.Error{{Code: status, Description: description}}
	c.Response().Header().Add(echo.HeaderVary, "Accept-Language")
	if format == "xml" {
		return c.XML(status, open311.NewList("errors", errs))
	}
	return c.JSON(status, errs)
}

func (h *open311Handlers) handleDiscovery(c echo.Context, _ string) (open311Answer, error) {
	base := c.Scheme() + "://" + c.Request().Host + "/open311/v2/"
	return one(open311.Discovery{Changeset: open311.Changeset, Contact: "海口市 12345 政务服务便民热线",
		KeyService: "API keys are issued by the city's administrators (guanjia open311 add-client).",
		Endpoints: []open311.Endpoint{{Specification: open311.Specification, URL: base, Changeset: open311.Changeset,
			Type: "production", Formats: []string{"text/xml", "application/json"}}}}), nil
}

func (h *open311Handlers) handleServices(c echo.Context, _ string) (open311Answer, error) {
	items, err := h.open311.Services(c.Request().Context())
	return list(http.StatusOK, "services", items), err
}

func (h *open311Handlers) handleServiceDefinition(c echo.Context, code string) (open311Answer, error) {
	d, err := h.open311.Definition(c.Request().Context(), code)
	if guanjia.ErrorCode(err) == guanjia.EINVALID {
		err = guanjia.Errorf(guanjia.ENOTFOUND, "unknown service %q", code)
	}
	return one(d), err
}

func (h *open311Handlers) handleRequestCreate(c echo.Context, _ string) (open311Answer, error) {
	ctx := c.Request().Context()
	client, err := h.open311.Authenticate(ctx, c.FormValue("api_key"))
	if err != nil {
		return open311Answer{}, err
	}
	if err := h.countRequest(ctx, client.ID); err != nil {
		return open311Answer{}, retryLater(c, err)
	}
	r := open311.NewRequest{ServiceCode: c.FormValue("service_code"), AddressString: c.FormValue("address_string"),
		Description: c.FormValue("description"), MediaURL: c.FormValue("media_url")}
	if r.Lat, err = formFloat(c, "lat"); err != nil {
		return open311Answer{}, err
	}
	if r.Long, err = formFloat(c, "long"); err != nil {
		return open311Answer{}, err
	}
	receipt, err := h.open311.Submit(ctx, client, r)
	if err != nil {
		return open311Answer{}, err
	}
	return list(http.StatusCreated, "service_requests", []open311.Receipt{*receipt}), nil
}

func formFloat(c echo.Context, field string) (*float64, error) {
	v := c.FormValue(field)
	if v == "" {
		return nil, nil
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil {
		return nil, invalid(field, "%s is not a number", field)
	}
	return &f, nil
}

func (h *open311Handlers) handleRequestList(c echo.Context, _ string) (open311Answer, error) {
	items, err := h.open311.Requests(c.Request().Context(), open311.Query{IDs: c.QueryParam("service_request_id"),
		ServiceCode: c.QueryParam("service_code"), StartDate: c.QueryParam("start_date"),
		EndDate: c.QueryParam("end_date"), Status: c.QueryParam("status")})
	return list(http.StatusOK, "service_requests", items), err
}

func (h *open311Handlers) handleRequestGet(c echo.Context, id string) (open311Answer, error) {
	items, err := h.open311.Request(c.Request().Context(), id)
	return list(http.StatusOK, "service_requests", items), err
}

func (h *open311Handlers) handleUpdates(c echo.Context, _ string) (open311Answer, error) {
	items, err := h.open311.Updates(c.Request().Context(), c.QueryParam("start_date"), c.QueryParam("end_date"))
	return list(http.StatusOK, "service_request_updates", items), err
}

// open311ClientJSON is a client as administrators see it; Key only in the
// answer that created it.
type open311ClientJSON struct {
	ID        int64      `json:"id"`
	Name      string     `json:"name"`
	Key       string     `json:"key,omitempty"`
	Services  []string   `json:"services"`
	UserID    int64      `json:"user_id"`
	CreatedAt time.Time  `json:"created_at"`
	RevokedAt *time.Time `json:"revoked_at"`
}

func toOpen311ClientJSON(c *guanjia.Open311Client) open311ClientJSON {
	services := c.Services
	if services == nil {
		services = []string{}
	}
	return open311ClientJSON{ID: c.ID, Name: c.Name, Services: services, UserID: c.UserID, CreatedAt: c.CreatedAt, RevokedAt: c.RevokedAt}
}

// open311ClientRequest adds a client.
type open311ClientRequest struct {
	Name     string   `json:"name"`
	Services []string `json:"services"` // service codes it may file; none: every one
}

type open311ClientList struct {
	Clients []open311ClientJSON `json:"clients"`
}

func (h *open311Handlers) handleClientCreate(c echo.Context) error {
	var in open311ClientRequest
	if err := bind(c, &in); err != nil {
		return err
	}
	client, key, err := h.open311.AddClient(c.Request().Context(), in.Name, in.Services)
	if err != nil {
		return err
	}
	out := toOpen311ClientJSON(client)
	out.Key = key
	return c.JSON(http.StatusCreated, out)
}

func (h *open311Handlers) handleClientList(c echo.Context) error {
	clients, err := h.open311.ListClients(c.Request().Context())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, open311ClientList{Clients: mapJSON(clients, toOpen311ClientJSON)})
}

func (h *open311Handlers) handleClientRevoke(c echo.Context) error {
	client, err := h.open311.RevokeClient(c.Request().Context(), c.Param("name"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toOpen311ClientJSON(client))
}
