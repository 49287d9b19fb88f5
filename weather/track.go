// Package weather serves 台风 / 气象 / 积水 for 便民信息: typhoon tracks
// imported from the meteorological feed or CSV, waterlogging points with the
// depths their sensors push, and alerts pushed to the citizens whose saved
// places lie inside the area. Everything it shows is data staff and systems
// import or push: no external service is called.
package weather

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"io"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"guanjia"
	"guanjia/internal/textfile"
)

// Limits of an import.
const (
	MaxImportBytes  = 1 << 20
	MaxTrackPoints  = 2000
	maxTyphoonName  = 30
	typhoonMaxWindM = 120 // m/s: no tropical cyclone on record comes close
)

// IntensityForWind grades a 2-minute mean maximum wind (m/s) per GB/T
// 19201-2006; below 10.8 m/s it is no tropical cyclone and the answer is "".
func IntensityForWind(ms float64) guanjia.TyphoonIntensity {
	switch {
	case ms >= 51.0:
		return guanjia.IntensitySuperTY
	case ms >= 41.5:
		return guanjia.IntensitySTY
	case ms >= 32.7:
		return guanjia.IntensityTY
	case ms >= 24.5:
		return guanjia.IntensitySTS
	case ms >= 17.2:
		return guanjia.IntensityTS
	case ms >= 10.8:
		return guanjia.IntensityTD
	}
	return ""
}

// intensityNames are the Chinese grade names the CMA products use.
var intensityNames = map[string]guanjia.TyphoonIntensity{
	"热带低压": guanjia.IntensityTD, "热带风暴": guanjia.IntensityTS, "强热带风暴": guanjia.IntensitySTS,
	"台风": guanjia.IntensityTY, "强台风": guanjia.IntensitySTY, "超强台风": guanjia.IntensitySuperTY,
}

// parseIntensity reads a grade code (TD…SuperTY, any case) or its Chinese name.
func parseIntensity(s string) (guanjia.TyphoonIntensity, bool) {
	s = strings.TrimSpace(s)
	if i, ok := intensityNames[s]; ok {
		return i, true
	}
	for _, i := range guanjia.TyphoonIntensities {
		if strings.EqualFold(s, string(i)) {
			return i, true
		}
	}
	return "", false
}

var typhoonNumber = regexp.MustCompile(`^[0-9]{4}$`)

// checkTyphoon validates and completes a parsed typhoon: names, the points'
// ranges, grades from the wind where none was given, cone radii from the
// default model, and both lists in time order.
func checkTyphoon(t *guanjia.Typhoon) error {
	t.Number, t.NameZH, t.NameEN = strings.TrimSpace(t.Number), strings.TrimSpace(t.NameZH), strings.TrimSpace(t.NameEN)
	switch {
	case !typhoonNumber.MatchString(t.Number):
		return guanjia.FieldError(guanjia.EINVALID, "number", "the typhoon number must be 4 digits like 2411")
	case t.NameZH == "" && t.NameEN == "":
		return guanjia.FieldError(guanjia.EINVALID, "name", "the typhoon needs a Chinese or English name")
	case utf8.RuneCountInString(t.NameZH) > maxTyphoonName || utf8.RuneCountInString(t.NameEN) > maxTyphoonName:
		return guanjia.FieldError(guanjia.EINVALID, "name", "the typhoon name is longer than 30 characters")
	case len(t.Observed) == 0:
		return guanjia.FieldError(guanjia.EINVALID, "file", "the track has no observed position")
	case len(t.Observed)+len(t.Forecast) > MaxTrackPoints:
		return guanjia.FieldError(guanjia.EINVALID, "file", "the track has more than %d points", MaxTrackPoints)
	}
	for _, list := range [][]guanjia.TrackPoint{t.Observed, t.Forecast} {
		slices.SortStableFunc(list, func(a, b guanjia.TrackPoint) int { return a.At.Compare(b.At) })
	}
	last := t.Observed[len(t.Observed)-1]
	for i := range t.Forecast {
		f := &t.Forecast[i]
		if !f.At.After(last.At) {
			return guanjia.FieldError(guanjia.EINVALID, "file", "forecast at %s is not after the last observed position", f.At.In(guanjia.ChinaTime).Format("2006-01-02 15:04"))
		}
		if f.RadiusKM == 0 {
			f.RadiusKM = ConeRadiusKM(f.At.Sub(last.At))
		}
	}
	t.LastAt = last.At
	return nil
}

// checkPoint validates one point of a parsed row or feed entry.
func checkPoint(p *guanjia.TrackPoint, where string) error {
	switch {
	case guanjia.CheckTime("at", p.At) != nil:
		return guanjia.FieldError(guanjia.EINVALID, "file", "%s: the time is not between the years 1900 and 9999", where)
	case !(p.Lat >= -60 && p.Lat <= 60) || !(p.Lng >= -180 && p.Lng <= 180):
		return guanjia.FieldError(guanjia.EINVALID, "file", "%s: the position is not a latitude and longitude", where)
	case p.PressureHPa != 0 && (p.PressureHPa < 850 || p.PressureHPa > 1050):
		return guanjia.FieldError(guanjia.EINVALID, "file", "%s: the pressure must be between 850 and 1050 hPa", where)
	case !(p.WindMS >= 0 && p.WindMS <= typhoonMaxWindM):
		return guanjia.FieldError(guanjia.EINVALID, "file", "%s: the wind must be between 0 and 120 m/s", where)
	case !(p.RadiusKM >= 0 && p.RadiusKM <= MaxConeRadiusKM):
		return guanjia.FieldError(guanjia.EINVALID, "file", "%s: the cone radius must be between 0 and 1000 km", where)
	}
	if p.Intensity == "" {
		// "" below 10.8 m/s: a disturbance or an extratropical remnant, no grade.
		p.Intensity = IntensityForWind(p.WindMS)
	}
	return nil
}

// CSVHeader is the first line of a track CSV (see ParseTrackCSV).
const CSVHeader = "number,name_zh,name_en,kind,time,lat,lng,pressure_hpa,wind_ms,intensity,radius_km"

// ParseTrackCSV reads one typhoon's track from CSV (UTF-8, comma separated,
// header CSVHeader):
//
//	number      中国编号, 4 digits (YYNN); the same on every row
//	name_zh     中文名, e.g. 摩羯 (read from the first row)
//	name_en     English name, e.g. YAGI
//	kind        observed (实况) or forecast (预报)
//	time        RFC 3339 (2024-09-06T16:00:00+08:00) or Beijing time 2024-09-06 16:00
//	lat, lng    WGS-84 decimal degrees
//	pressure_hpa 中心气压, may be empty
//	wind_ms     最大风速 m/s, may be empty when intensity is given
//	intensity   TD, TS, STS, TY, STY, SuperTY or the Chinese name; empty: graded from wind_ms
//	radius_km   forecast rows: the cone's radius; empty: the default model (ConeRadiusKM)
//
// An import replaces the typhoon's whole track with the file's.
func ParseTrackCSV(r io.Reader) (*guanjia.Typhoon, error) {
	b, err := io.ReadAll(io.LimitReader(r, MaxImportBytes+1))
	if err != nil {
		return nil, guanjia.FieldError(guanjia.EINVALID, "file", "the file cannot be read")
	}
	if len(b) > MaxImportBytes {
		return nil, guanjia.FieldError(guanjia.EINVALID, "file", "the file is larger than 1 MB")
	}
	text, _, err := textfile.Decode(b) // Excel on Chinese Windows saves GB18030
	if err != nil {
		return nil, err
	}
	cr := textfile.NewCSV(strings.NewReader(text))
	head, _, err := cr.Row()
	if err != nil || strings.Join(head, ",") != CSVHeader {
		return nil, guanjia.FieldError(guanjia.EINVALID, "file", "the first line must be %s", CSVHeader)
	}
	fields := len(head)
	t := &guanjia.Typhoon{Source: "csv"}
	for {
		rec, line, err := cr.Row()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				line = pe.StartLine
			}
			return nil, guanjia.FieldError(guanjia.EINVALID, "file", "line %d is not a CSV row of 11 fields", line)
		}
		if len(rec) != fields {
			return nil, guanjia.FieldError(guanjia.EINVALID, "file", "line %d is not a CSV row of 11 fields", line)
		}
		if t.Number == "" {
			t.Number, t.NameZH, t.NameEN = strings.TrimSpace(rec[0]), rec[1], rec[2]
		} else if strings.TrimSpace(rec[0]) != t.Number {
			return nil, guanjia.FieldError(guanjia.EINVALID, "file", "line %d: one file holds one typhoon", line)
		}
		if len(t.Observed)+len(t.Forecast) >= MaxTrackPoints {
			return nil, guanjia.FieldError(guanjia.EINVALID, "file", "the track has more than %d points", MaxTrackPoints)
		}
		p, err := csvPoint(rec, line)
		if err != nil {
			return nil, err
		}
		if p.Kind == guanjia.TrackObserved {
			t.Observed = append(t.Observed, p)
		} else {
			t.Forecast = append(t.Forecast, p)
		}
	}
	if err := checkTyphoon(t); err != nil {
		return nil, err
	}
	return t, nil
}

func csvPoint(rec []string, line int) (guanjia.TrackPoint, error) {
	where := "line " + strconv.Itoa(line)
	p := guanjia.TrackPoint{Kind: strings.TrimSpace(rec[3])}
	if p.Kind != guanjia.TrackObserved && p.Kind != guanjia.TrackForecast {
		return p, guanjia.FieldError(guanjia.EINVALID, "file", "%s: kind must be observed or forecast", where)
	}
	at, ok := parseTrackTime(rec[4])
	if !ok {
		return p, guanjia.FieldError(guanjia.EINVALID, "file", "%s: %q is not a time like 2024-09-06 16:00", where, rec[4])
	}
	p.At = at
	nums := []struct {
		name, text string
		dst        *float64
	}{{"lat", rec[5], &p.Lat}, {"lng", rec[6], &p.Lng}, {"wind_ms", rec[8], &p.WindMS}, {"radius_km", rec[10], &p.RadiusKM}}
	for _, n := range nums {
		v, err := optionalNumber(n.text, n.name == "lat" || n.name == "lng")
		if err != nil {
			return p, guanjia.FieldError(guanjia.EINVALID, "file", "%s: %s %q is not a number", where, n.name, n.text)
		}
		*n.dst = v
	}
	pressure, err := optionalNumber(rec[7], false)
	if err != nil || pressure != math.Trunc(pressure) {
		return p, guanjia.FieldError(guanjia.EINVALID, "file", "%s: %s %q is not a number", where, "pressure_hpa", rec[7])
	}
	p.PressureHPa = int(pressure)
	if s := strings.TrimSpace(rec[9]); s != "" {
		if p.Intensity, ok = parseIntensity(s); !ok {
			return p, guanjia.FieldError(guanjia.EINVALID, "file", "%s: intensity must be TD, TS, STS, TY, STY or SuperTY", where)
		}
	}
	if p.Kind == guanjia.TrackObserved {
		p.RadiusKM = 0
	}
	return p, checkPoint(&p, where)
}

// optionalNumber parses a finite decimal; "" is 0 unless required.
func optionalNumber(s string, required bool) (float64, error) {
	s = strings.TrimSpace(s)
	if s == "" && !required {
		return 0, nil
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsInf(v, 0) || math.IsNaN(v) {
		return 0, errors.New("not a number")
	}
	return v, nil
}

// parseTrackTime reads RFC 3339, or Beijing time as the CMA products write
// it: 2024-09-06 16:00, 2024/9/6 16:00:00, 202409061600.
func parseTrackTime(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t.UTC(), true
	}
	for _, layout := range []string{"2006-01-02 15:04", "2006-01-02 15:04:05", "2006/1/2 15:04:05", "2006/1/2 15:04", "200601021504"} {
		if t, err := time.ParseInLocation(layout, s, guanjia.ChinaTime); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}

// The feed format: the typhoon JSON the provincial typhoon-path services
// publish from the 中央气象台 (CMA) bulletins (e.g. the 浙江省水利厅
// 台风路径 service's TyphoonInfo), every number a string, times in Beijing
// time:
//
//	{"tfid": "202411", "name": "摩羯", "enname": "YAGI", "isactive": "0",
//	 "points": [{"time": "2024/9/6 14:00:00", "lat": "19.6", "lng": "111.0",
//	             "strong": "超强台风", "power": "17", "speed": "62", "pressure": "915",
//	             "forecast": [{"tm": "中国", "forecastpoints": [
//	                 {"time": "2024/9/7 14:00:00", "lat": "21.0", "lng": "107.6",
//	                  "strong": "强台风", "power": "15", "speed": "48", "pressure": "945"}]}]}]}
//
// tfid is YYYYNN; its last four digits are the 中国编号. points are the
// observed positions; the forecast of the last one is the current forecast,
// the agency "中国" (CMA) preferred over the others. The feed gives no cone:
// its radii come from the default model (ConeRadiusKM). A top-level array
// of such objects (the service's list answer) is read as its first element.
type feedTyphoon struct {
	TFID     string      `json:"tfid"`
	Name     string      `json:"name"`
	EnName   string      `json:"enname"`
	IsActive string      `json:"isactive"`
	Points   []feedPoint `json:"points"`
}

type feedPoint struct {
	Time     string         `json:"time"`
	Lat      string         `json:"lat"`
	Lng      string         `json:"lng"`
	Strong   string         `json:"strong"`
	Speed    string         `json:"speed"`
	Pressure string         `json:"pressure"`
	Forecast []feedForecast `json:"forecast"`
}

type feedForecast struct {
	Agency string      `json:"tm"`
	Points []feedPoint `json:"forecastpoints"`
}

// cmaAgency names the CMA's forecast in the feed.
const cmaAgency = "中国"

// ParseTrackFeed reads one typhoon from the feed format described above.
func ParseTrackFeed(r io.Reader) (*guanjia.Typhoon, error) {
	b, err := io.ReadAll(io.LimitReader(r, MaxImportBytes+1))
	if err != nil {
		return nil, guanjia.FieldError(guanjia.EINVALID, "file", "the file cannot be read")
	}
	if len(b) > MaxImportBytes {
		return nil, guanjia.FieldError(guanjia.EINVALID, "file", "the file is larger than 1 MB")
	}
	b = bytes.TrimSpace(bytes.TrimPrefix(b, []byte("\xef\xbb\xbf")))
	var ft feedTyphoon
	if len(b) > 0 && b[0] == '[' {
		var list []feedTyphoon
		if err := json.Unmarshal(b, &list); err != nil || len(list) == 0 {
			return nil, guanjia.FieldError(guanjia.EINVALID, "file", "the file is not the typhoon feed's JSON")
		}
		ft = list[0]
	} else if err := json.Unmarshal(b, &ft); err != nil {
		return nil, guanjia.FieldError(guanjia.EINVALID, "file", "the file is not the typhoon feed's JSON")
	}
	number := strings.TrimSpace(ft.TFID)
	if len(number) == 6 {
		number = number[2:]
	}
	t := &guanjia.Typhoon{Number: number, NameZH: ft.Name, NameEN: ft.EnName, Active: strings.TrimSpace(ft.IsActive) == "1", Source: "feed"}
	if len(ft.Points) > MaxTrackPoints {
		return nil, guanjia.FieldError(guanjia.EINVALID, "file", "the track has more than %d points", MaxTrackPoints)
	}
	for i, fp := range ft.Points {
		p, err := feedTrackPoint(fp, guanjia.TrackObserved, "point "+strconv.Itoa(i+1))
		if err != nil {
			return nil, err
		}
		t.Observed = append(t.Observed, p)
	}
	if n := len(ft.Points); n > 0 {
		forecasts := ft.Points[n-1].Forecast
		// The CMA's forecast when the feed has one, else the first agency's.
		pick := slices.IndexFunc(forecasts, func(f feedForecast) bool { return strings.TrimSpace(f.Agency) == cmaAgency })
		if pick < 0 && len(forecasts) > 0 {
			pick = 0
		}
		if pick >= 0 {
			if len(forecasts[pick].Points)+len(t.Observed) > MaxTrackPoints {
				return nil, guanjia.FieldError(guanjia.EINVALID, "file", "the track has more than %d points", MaxTrackPoints)
			}
			for i, fp := range forecasts[pick].Points {
				p, err := feedTrackPoint(fp, guanjia.TrackForecast, "forecast "+strconv.Itoa(i+1))
				if err != nil {
					return nil, err
				}
				// The CMA's forecast list starts with the current position: it is no forecast.
				if len(t.Observed) > 0 && !p.At.After(t.Observed[len(t.Observed)-1].At) {
					continue
				}
				t.Forecast = append(t.Forecast, p)
			}
		}
	}
	if err := checkTyphoon(t); err != nil {
		return nil, err
	}
	return t, nil
}

func feedTrackPoint(fp feedPoint, kind, where string) (guanjia.TrackPoint, error) {
	p := guanjia.TrackPoint{Kind: kind}
	at, ok := parseTrackTime(fp.Time)
	if !ok {
		return p, guanjia.FieldError(guanjia.EINVALID, "file", "%s: %q is not a time like 2024-09-06 16:00", where, fp.Time)
	}
	p.At = at
	for _, n := range []struct {
		name, text string
		dst        *float64
	}{{"lat", fp.Lat, &p.Lat}, {"lng", fp.Lng, &p.Lng}, {"speed", fp.Speed, &p.WindMS}} {
		v, err := optionalNumber(n.text, n.name != "speed")
		if err != nil {
			return p, guanjia.FieldError(guanjia.EINVALID, "file", "%s: %s %q is not a number", where, n.name, n.text)
		}
		*n.dst = v
	}
	pressure, err := optionalNumber(fp.Pressure, false)
	if err != nil || pressure != math.Trunc(pressure) {
		return p, guanjia.FieldError(guanjia.EINVALID, "file", "%s: %s %q is not a number", where, "pressure", fp.Pressure)
	}
	p.PressureHPa = int(pressure)
	if s := strings.TrimSpace(fp.Strong); s != "" {
		// Weaker stages the feed names (热带扰动, 温带气旋) grade from the wind.
		p.Intensity, _ = parseIntensity(s)
	}
	return p, checkPoint(&p, where)
}
