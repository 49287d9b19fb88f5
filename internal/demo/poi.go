package demo

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"strconv"

	"guanjia"
	"guanjia/geo"
	"guanjia/poi"
	"guanjia/store"
)

// demoPOISource is the list the demo's places are imported as.
const demoPOISource = "海口市便民设施（演示）"

// poiAnchor is a neighbourhood of Haikou and the kinds of place it has; the
// kinds it lacks are the gaps the console's map shows. Coordinates are
// WGS-84, placed inside the demo grids.
type poiAnchor struct {
	district, area string
	lat, lng       float64
	roads          []string
	kinds          []string // nil: every kind
}

var sparse = []string{"bus_stop", "toilet", "supermarket", "school"}

var poiAnchors = []poiAnchor{
	{"龙华区", "国贸", 20.0270, 110.3190, []string{"国贸路", "玉沙路", "金龙路"}, nil},
	{"龙华区", "滨海", 20.0400, 110.3250, []string{"滨海大道", "龙华路", "世贸北路"}, nil},
	{"龙华区", "金牛岭", 20.0100, 110.3150, []string{"金牛路", "南沙路", "秀华路"},
		[]string{"service_station", "health_center", "pharmacy", "school", "kindergarten", "toilet", "bus_stop", "parking", "express", "sports", "park"}},
	{"龙华区", "中山", 20.0420, 110.3470, []string{"中山路", "博爱北路", "解放西路"},
		[]string{"service_station", "health_center", "pharmacy", "market", "supermarket", "school", "toilet", "bus_stop", "express"}},
	{"龙华区", "城西", 19.9990, 110.2950, []string{"城西路", "学院路", "丁村路"}, sparse},
	{"龙华区", "大同", 20.0300, 110.3420, []string{"大同路", "海秀中路", "义龙路"}, nil},
	{"美兰区", "海甸岛", 20.0600, 110.3700, []string{"海甸二西路", "人民大道", "和平大道"}, nil},
	{"美兰区", "白龙", 20.0350, 110.3750, []string{"白龙南路", "白龙北路", "文明东路"},
		[]string{"service_station", "health_center", "pharmacy", "market", "supermarket", "kindergarten", "elderly_care", "toilet", "bus_stop", "express"}},
	{"美兰区", "海府", 20.0200, 110.3650, []string{"海府路", "国兴大道", "蓝天路"}, nil},
	{"美兰区", "新埠岛", 20.0650, 110.4050, []string{"新埠大道", "东营路"}, []string{"bus_stop", "supermarket", "express", "park"}},
	{"美兰区", "灵山", 20.0000, 110.4400, []string{"灵山大道", "新琼路"}, []string{"bus_stop", "market"}},
	{"秀英区", "西海岸", 20.0350, 110.2500, []string{"滨海大道", "长滨路", "假日海滩路"},
		[]string{"service_station", "supermarket", "toilet", "bus_stop", "parking", "express", "sports", "park"}},
	{"秀英区", "秀英港", 20.0250, 110.2700, []string{"秀英大道", "港湾路"}, nil},
	{"秀英区", "海秀", 20.0000, 110.2500, []string{"海秀西路", "永庄路"},
		[]string{"service_station", "health_center", "market", "school", "kindergarten", "bus_stop", "express"}},
	{"秀英区", "长流", 19.9850, 110.2000, []string{"长流大道", "长滨三路"}, sparse},
	{"琼山区", "府城", 19.9850, 110.3550, []string{"忠介路", "文庄路", "琼州大道"}, nil},
	{"琼山区", "红城湖", 19.9750, 110.3400, []string{"红城湖路", "琼州大道"},
		[]string{"service_station", "health_center", "pharmacy", "market", "supermarket", "school", "elderly_care", "toilet", "bus_stop", "park"}},
	{"琼山区", "滨江", 19.9600, 110.3750, []string{"滨江路", "椰海大道"}, []string{"service_station", "market", "bus_stop", "express", "school"}},
	{"琼山区", "云龙", 19.9200, 110.4000, []string{"云龙大道"}, []string{"bus_stop"}},
}

// poiNames are the names a kind's places go by; %s is the area.
var poiNames = map[string][]string{
	"service_station": {"%s社区党群服务中心", "%s便民服务站"},
	"health_center":   {"%s社区卫生服务中心", "%s社区卫生服务站"},
	"pharmacy":        {"海王星辰药店（%s店）", "一心堂大药房（%s店）"},
	"market":          {"%s农贸市场", "%s生鲜菜市场"},
	"supermarket":     {"旺豪超市（%s店）", "美宜佳便利店（%s店）", "友谊阳光城（%s店）"},
	"school":          {"海口市%s小学", "海口市%s中学"},
	"kindergarten":    {"%s幼儿园", "%s第二幼儿园"},
	"elderly_care":    {"%s社区日间照料中心", "%s养老服务驿站"},
	"toilet":          {"%s公厕", "%s二号公厕"},
	"bus_stop":        {"%s公交站", "%s路口公交站", "%s东公交站"},
	"parking":         {"%s公共停车场", "%s立体停车场"},
	"express":         {"菜鸟驿站（%s店）", "丰巢快递柜（%s）"},
	"sports":          {"%s全民健身广场", "%s社区健身点"},
	"park":            {"%s公园", "%s街心广场"},
}

var poiHours = map[string]string{
	"service_station": "周一至周五 8:30-12:00, 14:30-17:30", "health_center": "8:00-17:30", "pharmacy": "8:00-22:00",
	"market": "6:00-19:00", "supermarket": "7:00-23:00", "elderly_care": "8:00-17:30", "toilet": "全天",
	"parking": "全天", "express": "9:00-21:00", "sports": "6:00-22:00", "park": "全天",
}

// DemoPOIs writes the demo's places as a CSV file in GCJ-02, as a file
// exported from a Chinese map would be. The same seed gives the same file.
func DemoPOIs() []byte {
	rng := rand.New(rand.NewPCG(14, 2026))
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	w.Write([]string{"name", "kind", "lat", "lng", "address", "phone", "hours"})
	for _, a := range poiAnchors {
		kinds := a.kinds
		if kinds == nil {
			for _, k := range poi.Kinds {
				kinds = append(kinds, k.Code)
			}
		}
		for _, kind := range kinds {
			names := poiNames[kind]
			n := 1
			if a.kinds == nil { // a busy area has more than one of most kinds
				n = len(names)
			}
			for i := 0; i < n; i++ {
				// Within about 700 m of the area's centre.
				dist, bearing := 100+600*rng.Float64(), 2*math.Pi*rng.Float64()
				lat := a.lat + dist*math.Cos(bearing)/111195
				lng := a.lng + dist*math.Sin(bearing)/(111195*math.Cos(a.lat*math.Pi/180))
				gLat, gLng := geo.WGS84ToGCJ02(lat, lng)
				phone := ""
				if kind == "service_station" || kind == "health_center" || kind == "elderly_care" {
					phone = fmt.Sprintf("0898-6%07d", rng.IntN(10000000))
				}
				address := fmt.Sprintf("%s%s%d号", a.district, a.roads[rng.IntN(len(a.roads))], 1+rng.IntN(300))
				w.Write([]string{fmt.Sprintf(names[i], a.area), kind, strconv.FormatFloat(gLat, 'f', 6, 64),
					strconv.FormatFloat(gLng, 'f', 6, 64), address, phone, poiHours[kind]})
			}
		}
	}
	w.Flush()
	return buf.Bytes()
}

// seedPOIDemo imports the demo's places through the same path as a
// department's file, once: a second run finds the import and does nothing.
func seedPOIDemo(ctx context.Context, db *store.DB, out io.Writer) error {
	imports, err := db.POIs.ListImports(ctx, 500)
	if err != nil {
		return err
	}
	for _, imp := range imports {
		if imp.Source == demoPOISource {
			return nil
		}
	}
	admin, err := db.Users.FindUserByUsername(ctx, "admin")
	if err != nil {
		return err
	}
	svc := poi.NewService(db.POIs, db.Catalog, nil)
	rep, err := svc.Import(ctx, guanjia.Claims{UserID: admin.ID, Role: guanjia.RoleAdmin},
		poi.Upload{Source: demoPOISource, Filename: "haikou-poi-demo.csv", CoordSystem: geo.GCJ02, Data: DemoPOIs()})
	if err != nil {
		return err
	}
	if len(rep.Errors) > 0 {
		return fmt.Errorf("demo: places line %d: %s", rep.Errors[0].Line, rep.Errors[0].Err.Message)
	}
	fmt.Fprintf(out, "demo 生活圈: %d places\n", rep.Places)
	return nil
}
