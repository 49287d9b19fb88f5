package guanjia

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"
)

// Departments that handle complaints. 市政/园林/环卫/城管 problems go
// point-to-point to a frontline crew; the others go to the responsible unit.
const (
	DeptMunicipal   = "市政"
	DeptLandscaping = "园林"
	DeptSanitation  = "环卫"
	DeptUrbanMgmt   = "城管"
	DeptWater       = "供水"
	DeptPower       = "供电"
	DeptGas         = "燃气"
	DeptTelecom     = "通信"
	DeptTraffic     = "交警"
)

// TimeMode says how an SLA duration is counted.
type TimeMode string

const (
	NaturalTime TimeMode = "natural" // wall-clock time
	WorkingTime TimeMode = "working" // only 工作时 of 工作日 (holiday calendar applies)
)

// Category is one entry of the catalogue, in the 数字城管 部件/事件 style:
// a 大类 and a 小类, with the department that handles it and its SLA profile.
type Category struct {
	Code         string // e.g. "0101": 大类 01 + 小类 01
	Name         string // 小类 name, e.g. 井盖破损
	Kind         string // 部件 or 事件
	Major        string // 大类 name, e.g. 公用设施
	Department   string
	PointToPoint bool // dispatched straight to an on-duty crew member

	AcceptWithin  time.Duration // from dispatch to 签收
	ArriveWithin  time.Duration // point-to-point only: from the first dispatch to on site (30 min); 0 for the others
	ResolveWithin time.Duration // from the first dispatch to 处置完成
	ResolveMode   TimeMode      // how ResolveWithin is counted

	DuplicateRadiusM float64 // reports closer than this, same category, within 24 h, are me-too
	// Examples are sentences and keywords, as citizens put them, that the
	// category suggester learns from; staff edit them.
	Examples []string
	// Retired (停用): no new complaint is filed under it — it is not offered
	// for filing, filing under it is refused (CheckOffered), and it is never
	// suggested — while the complaints filed under it keep it. An
	// administrator may bring it back.
	Retired   bool
	UpdatedAt time.Time
}

// Validate checks an admin's edit of a category.
func (c *Category) Validate() error {
	switch {
	case c.Code == "":
		return FieldError(EINVALID, "code", "code is required")
	case c.Name == "":
		return FieldError(EINVALID, "name", "name is required")
	case c.Department == "":
		return FieldError(EINVALID, "department", "department is required")
	case c.AcceptWithin <= 0:
		return FieldError(EINVALID, "accept_within_s", "must be positive")
	case c.PointToPoint && c.ArriveWithin <= 0: // 确保半小时到达现场 needs a deadline to count
		return FieldError(EINVALID, "arrive_within_s", "must be positive")
	case c.ArriveWithin < 0: // unused unless the category goes point-to-point: 0 says "none"
		return FieldError(EINVALID, "arrive_within_s", "must not be negative")
	case c.ResolveWithin <= 0:
		return FieldError(EINVALID, "resolve_within_s", "must be positive")
	case c.ResolveMode != NaturalTime && c.ResolveMode != WorkingTime:
		return FieldError(EINVALID, "resolve_mode", "must be natural or working")
	case c.DuplicateRadiusM < 0 || c.DuplicateRadiusM > 5000:
		return FieldError(EINVALID, "duplicate_radius_m", "must be between 0 and 5000")
	}
	return CheckTexts(TextField{"code", c.Code, MaxCode, false}, TextField{"name", c.Name, MaxName, false},
		TextField{"kind", c.Kind, MaxName, false}, TextField{"major", c.Major, MaxName, false},
		TextField{"department", c.Department, MaxName, false}, TextField{"examples", strings.Join(c.Examples, "\n"), MaxText, true})
}

// CheckOffered refuses a new complaint under a retired category; field names
// the input that chose it (category, or Open311's service_code).
func (c *Category) CheckOffered(field string) error {
	if c.Retired {
		return FieldError(EINVALID, field, "category %s (%s) is retired and takes no new reports", c.Code, c.Name)
	}
	return nil
}

// MaxCategoryCode is the longest code a new category may take.
const MaxCategoryCode = 32

// CheckNewCategoryCode checks the code of a category being added: it names
// the category in URLs (/api/v1/categories/:code, Open311's service_code),
// so it is 1 to MaxCategoryCode ASCII letters, digits, '_' or '-'. Codes
// stored before this rule are kept as they are.
func CheckNewCategoryCode(code string) error {
	if code == "" || utf8.RuneCountInString(code) > MaxCategoryCode {
		return FieldError(EINVALID, "code", "a category code has 1 to %d characters", MaxCategoryCode)
	}
	for _, r := range code {
		if !('0' <= r && r <= '9' || 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || r == '_' || r == '-') {
			return FieldError(EINVALID, "code", "a category code is made of the letters A-Z and a-z, digits, _ and -")
		}
	}
	return nil
}

// Unit is a body complaints are dispatched to: a department's team or an
// enterprise such as the water, power or gas company.
type Unit struct {
	Code       string
	Name       string
	Department string
	District   string
}

// Grid is a 网格: a polygon with its place in the district/street/community
// hierarchy and, per department, the unit responsible for it.
type Grid struct {
	ID        string
	Name      string
	District  string
	Street    string
	Community string
	Geometry  []byte            // GeoJSON geometry (Polygon or MultiPolygon), WGS-84
	Units     map[string]string // department → unit code
}

// CatalogStore keeps the category catalogue, units and grids.
type CatalogStore interface {
	// ListCategories answers the whole catalogue, retired categories too:
	// what complaints already filed name (details, lists, statistics,
	// filters) and what administrators edit.
	ListCategories(ctx context.Context) ([]*Category, error)
	// ListOfferedCategories answers the categories a new complaint may be
	// filed under: the catalogue less the retired ones.
	ListOfferedCategories(ctx context.Context) ([]*Category, error)
	// FindCategory answers any category, retired or not; whoever files a
	// new complaint checks CheckOffered.
	FindCategory(ctx context.Context, code string) (*Category, error)
	// SaveCategory adds or replaces c. With seen, only over the category
	// as its editor read it: seen is its UpdatedAt then (StaleVersion when
	// saved since), or zero for a new one (ECONFLICT on "code" when taken).
	SaveCategory(ctx context.Context, c *Category, seen *time.Time) error
	ListUnits(ctx context.Context) ([]*Unit, error)
	FindUnit(ctx context.Context, code string) (*Unit, error)
	ListGrids(ctx context.Context) ([]*Grid, error)
}

// CategorizedText is a complaint's description with the category it was
// finally handled under: what the category suggester learns from.
type CategorizedText struct {
	Category string
	Text     string
}
