package weather

import (
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/encoding/simplifiedchinese"

	"guanjia"
)

func TestIntensityForWindFollowsGBT19201(t *testing.T) {
	for _, c := range []struct {
		ms   float64
		want guanjia.TyphoonIntensity
	}{
		{10.7, ""}, {10.8, guanjia.IntensityTD}, {17.1, guanjia.IntensityTD}, {17.2, guanjia.IntensityTS},
		{24.4, guanjia.IntensityTS}, {24.5, guanjia.IntensitySTS}, {32.6, guanjia.IntensitySTS}, {32.7, guanjia.IntensityTY},
		{41.4, guanjia.IntensityTY}, {41.5, guanjia.IntensitySTY}, {50.9, guanjia.IntensitySTY}, {51.0, guanjia.IntensitySuperTY},
		{62, guanjia.IntensitySuperTY},
	} {
		if got := IntensityForWind(c.ms); got != c.want {
			t.Errorf("IntensityForWind(%v) = %q, want %q", c.ms, got, c.want)
		}
	}
}

const yagiCSV = CSVHeader + `
2411,摩羯,YAGI,observed,2024-09-06 08:00,19.6,111.7,915,65,,
2411,摩羯,YAGI,observed,2024-09-06T16:20:00+08:00,19.95,110.95,915,62,超强台风,
2411,摩羯,YAGI,observed,2024-09-06 14:00,19.8,111.1,,,STY,
2411,摩羯,YAGI,forecast,2024-09-07 16:20,21.0,107.8,950,45,,
2411,摩羯,YAGI,forecast,2024-09-08 16:20,21.6,105.5,990,20,,90
`

func TestParseTrackCSV(t *testing.T) {
	ty, err := ParseTrackCSV(strings.NewReader(yagiCSV))
	if err != nil {
		t.Fatal(err)
	}
	if ty.Number != "2411" || ty.NameZH != "摩羯" || ty.NameEN != "YAGI" {
		t.Errorf("names: %+v", ty)
	}
	if len(ty.Observed) != 3 || len(ty.Forecast) != 2 {
		t.Fatalf("points: %d observed, %d forecast", len(ty.Observed), len(ty.Forecast))
	}
	landfall := time.Date(2024, 9, 6, 8, 20, 0, 0, time.UTC) // 16:20 Beijing time
	if last := ty.Observed[2]; !last.At.Equal(landfall) || last.Intensity != guanjia.IntensitySuperTY || last.PressureHPa != 915 {
		t.Errorf("observed positions are not in time order or lost values: last %+v", last)
	}
	if mid := ty.Observed[1]; mid.Intensity != guanjia.IntensitySTY || mid.WindMS != 0 {
		t.Errorf("a given intensity is kept: %+v", mid)
	}
	if ty.Observed[0].Intensity != guanjia.IntensitySuperTY {
		t.Errorf("65 m/s graded %q, want SuperTY", ty.Observed[0].Intensity)
	}
	if r := ty.Forecast[0].RadiusKM; r != 70 {
		t.Errorf("24 h forecast radius = %v, want the model's 70 km", r)
	}
	if r := ty.Forecast[1].RadiusKM; r != 90 {
		t.Errorf("a given radius is kept: %v", r)
	}
	if !ty.LastAt.Equal(landfall) {
		t.Errorf("LastAt = %v", ty.LastAt)
	}
}

func TestParseTrackCSVTrimsTheNumber(t *testing.T) {
	row := "2411,摩羯,YAGI,observed,2024-09-06 08:00,19.6,111.7,915,65,,"
	ty, err := ParseTrackCSV(strings.NewReader(CSVHeader + "\n \t" + row + "\n" + strings.Replace(row, "08:00", "11:00", 1) + "\n"))
	if err != nil || ty.Number != "2411" || len(ty.Observed) != 2 {
		t.Errorf("a first number with spaces: %v %+v", err, ty)
	}
}

func TestParseTrackCSVRefusesBadFiles(t *testing.T) {
	row := "2411,摩羯,YAGI,observed,2024-09-06 08:00,19.6,111.7,915,65,,"
	for name, c := range map[string]struct{ body, field string }{
		"no header":        {row + "\n", "file"},
		"no observation":   {CSVHeader + "\n2411,摩羯,YAGI,forecast,2024-09-06 08:00,19.6,111.7,915,65,,\n", "file"},
		"two typhoons":     {CSVHeader + "\n" + row + "\n" + strings.Replace(row, "2411", "2412", 1) + "\n", "file"},
		"bad number":       {CSVHeader + "\n" + strings.ReplaceAll(row, "2411", "24A1") + "\n", "number"},
		"bad kind":         {CSVHeader + "\n" + strings.Replace(row, "observed", "seen", 1) + "\n", "file"},
		"bad time":         {CSVHeader + "\n" + strings.Replace(row, "2024-09-06 08:00", "6/9/2024", 1) + "\n", "file"},
		"lat out of range": {CSVHeader + "\n" + strings.Replace(row, "19.6", "95", 1) + "\n", "file"},
		"swapped lat/lng":  {CSVHeader + "\n" + strings.Replace(strings.Replace(row, "19.6", "X", 1), "111.7", "19.6", 1) + "\n", "file"},
		"pressure":         {CSVHeader + "\n" + strings.Replace(row, ",915,", ",100,", 1) + "\n", "file"},
		"intensity":        {CSVHeader + "\n" + strings.Replace(row, "65,,", "65,CAT5,", 1) + "\n", "file"},
		"forecast in past": {CSVHeader + "\n" + row + "\n2411,摩羯,YAGI,forecast,2024-09-06 02:00,19.6,111.7,915,65,,\n", "file"},
		"short row":        {CSVHeader + "\n2411,摩羯\n", "file"},
		"year 10000 (UTC)": {CSVHeader + "\n" + strings.Replace(row, "2024-09-06 08:00", "9999-12-31T23:00:00-08:00", 1) + "\n", "file"},
	} {
		_, err := ParseTrackCSV(strings.NewReader(c.body))
		if guanjia.ErrorCode(err) != guanjia.EINVALID || guanjia.ErrorField(err) != c.field {
			t.Errorf("%s: %v (field %q), want EINVALID on %q", name, err, guanjia.ErrorField(err), c.field)
		}
	}
	if _, err := ParseTrackCSV(strings.NewReader(CSVHeader + "\n\xff\xfe\n")); guanjia.ErrorCode(err) != guanjia.EUNSUPPORTED {
		t.Errorf("neither UTF-8 nor GB18030: %v, want unsupported", err)
	}
}

// Excel on Chinese Windows saves a CSV in GB18030 (GBK): the names read as typed.
func TestParseTrackCSVSavedByChineseExcel(t *testing.T) {
	gbk, err := simplifiedchinese.GB18030.NewEncoder().String(yagiCSV)
	if err != nil {
		t.Fatal(err)
	}
	ty, err := ParseTrackCSV(strings.NewReader(gbk))
	if err != nil || ty.NameZH != "摩羯" || len(ty.Observed) != 3 {
		t.Fatalf("a GBK file: %+v %v", ty, err)
	}
	_, err = ParseTrackCSV(strings.NewReader(gbk + "2411,摩羯,YAGI,observed,2024-09-06 08:00,95,111.7,915,65,,\n"))
	if msg := guanjia.ErrorMessage(err); !strings.Contains(msg, "line 7") {
		t.Errorf("a bad last row: %q, want its line, 7", msg)
	}
}

// feedYagi is in the feed format (see ParseTrackFeed), abridged.
const feedYagi = `{"tfid":"202411","name":"摩羯","enname":"YAGI","isactive":"1","points":[
 {"time":"2024/9/6 8:00:00","lat":"19.60","lng":"111.70","strong":"超强台风","power":"17","speed":"65","pressure":"915","forecast":[]},
 {"time":"2024/9/6 14:00:00","lat":"19.80","lng":"111.10","strong":"超强台风","power":"17","speed":"62","pressure":"915","forecast":[
   {"tm":"美国","forecastpoints":[{"time":"2024/9/7 14:00:00","lat":"30.0","lng":"120.0","strong":"台风","speed":"40","pressure":"960"}]},
   {"tm":"中国","forecastpoints":[
     {"time":"2024/9/6 14:00:00","lat":"19.80","lng":"111.10","strong":"超强台风","speed":"62","pressure":"915"},
     {"time":"2024/9/7 14:00:00","lat":"21.00","lng":"107.60","strong":"强台风","speed":"48","pressure":"945"},
     {"time":"2024/9/8 14:00:00","lat":"21.80","lng":"105.00","strong":"热带风暴","speed":"20","pressure":"990"}]}]}]}`

func TestParseTrackFeed(t *testing.T) {
	ty, err := ParseTrackFeed(strings.NewReader(feedYagi))
	if err != nil {
		t.Fatal(err)
	}
	if ty.Number != "2411" || ty.NameZH != "摩羯" || ty.NameEN != "YAGI" || !ty.Active {
		t.Errorf("typhoon: %+v", ty)
	}
	if len(ty.Observed) != 2 || len(ty.Forecast) != 2 {
		t.Fatalf("points: %d observed, %d forecast (the CMA's, without the current position)", len(ty.Observed), len(ty.Forecast))
	}
	if f := ty.Forecast[0]; f.Lat != 21.0 || f.Intensity != guanjia.IntensitySTY || f.RadiusKM != 70 {
		t.Errorf("first forecast: %+v, want the CMA's 21.0N STY with the 24 h radius", f)
	}
	if !ty.Observed[1].At.Equal(time.Date(2024, 9, 6, 6, 0, 0, 0, time.UTC)) {
		t.Errorf("Beijing time not read as UTC+8: %v", ty.Observed[1].At)
	}
	list, err := ParseTrackFeed(strings.NewReader("[" + feedYagi + "]"))
	if err != nil || list.Number != "2411" {
		t.Errorf("list answer: %v %+v", err, list)
	}
}

func TestParseTrackFeedRefusesBadFiles(t *testing.T) {
	for name, body := range map[string]string{
		"not json":     "typhoon_jsons_view_123(",
		"empty list":   "[]",
		"no points":    `{"tfid":"202411","name":"摩羯","points":[]}`,
		"bad lat":      strings.Replace(feedYagi, `"19.60"`, `"north"`, 1),
		"bad tfid":     strings.Replace(feedYagi, `"202411"`, `"24"`, 1),
		"no name":      strings.Replace(strings.Replace(feedYagi, `"摩羯"`, `""`, 1), `"YAGI"`, `""`, 1),
		"wind too big": strings.Replace(feedYagi, `"65"`, `"650"`, 1),
	} {
		if _, err := ParseTrackFeed(strings.NewReader(body)); guanjia.ErrorCode(err) != guanjia.EINVALID {
			t.Errorf("%s: %v, want EINVALID", name, err)
		}
	}
}

// FuzzParseTrackCSV: whatever is uploaded, the parser never panics, and what
// it accepts is a typhoon a map can draw: a 4-digit number, at least one
// observed position, positions in range and in time order, forecasts after
// the last observation with a cone radius.
func FuzzParseTrackCSV(f *testing.F) {
	f.Add(yagiCSV)
	f.Add(CSVHeader + "\n")
	f.Add(CSVHeader + "\n2411,摩羯,YAGI,observed,2024-09-06 08:00,NaN,111.7,915,65,,\n")
	f.Add(CSVHeader + "\n2411,摩羯,YAGI,observed,2024-09-06 08:00,19.6,111.7,915.5,65,,\n")
	f.Add(CSVHeader + "\n\"2411\n\",摩羯,YAGI,observed,2024-09-06 08:00,19.6,111.7,915,65,,\n")
	f.Fuzz(func(t *testing.T, body string) {
		ty, err := ParseTrackCSV(strings.NewReader(body))
		if err != nil {
			if guanjia.ErrorCode(err) != guanjia.EINVALID {
				t.Fatalf("error %v is not EINVALID", err)
			}
			return
		}
		checkDrawable(t, ty)
	})
}

// FuzzParseTrackFeed: the same for the feed's JSON.
func FuzzParseTrackFeed(f *testing.F) {
	f.Add(feedYagi)
	f.Add("[" + feedYagi + "]")
	f.Add(`{"tfid":"202411","name":"x","points":[{"time":"202409060800","lat":"1e400","lng":"111"}]}`)
	f.Add(`{"tfid":"2411","name":"x","points":[{"time":"2024-09-06 08:00","lat":"19","lng":"111","forecast":[{"tm":"中国","forecastpoints":[{"time":"2024-09-06 07:00","lat":"19","lng":"111"}]}]}]}`)
	f.Fuzz(func(t *testing.T, body string) {
		ty, err := ParseTrackFeed(strings.NewReader(body))
		if err != nil {
			if guanjia.ErrorCode(err) != guanjia.EINVALID {
				t.Fatalf("error %v is not EINVALID", err)
			}
			return
		}
		checkDrawable(t, ty)
	})
}

func checkDrawable(t *testing.T, ty *guanjia.Typhoon) {
	t.Helper()
	if !typhoonNumber.MatchString(ty.Number) || len(ty.Observed) == 0 {
		t.Fatalf("accepted %+v", ty)
	}
	last := ty.Observed[len(ty.Observed)-1]
	for i, p := range append(append([]guanjia.TrackPoint{}, ty.Observed...), ty.Forecast...) {
		if !(p.Lat >= -60 && p.Lat <= 60 && p.Lng >= -180 && p.Lng <= 180) {
			t.Fatalf("point %d out of range: %+v", i, p)
		}
		if p.Intensity != "" && !slices.Contains(guanjia.TyphoonIntensities, p.Intensity) {
			t.Fatalf("point %d has grade %q", i, p.Intensity)
		}
	}
	for i := 1; i < len(ty.Observed); i++ {
		if ty.Observed[i].At.Before(ty.Observed[i-1].At) {
			t.Fatalf("observed positions out of order")
		}
	}
	for _, f := range ty.Forecast {
		if !f.At.After(last.At) || f.RadiusKM <= 0 || f.RadiusKM > MaxConeRadiusKM {
			t.Fatalf("forecast %+v after %v", f, last.At)
		}
	}
}
