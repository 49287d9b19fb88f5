package poi

import (
	"testing"
	"unicode/utf8"

	"guanjia/geo"
)

// FuzzParseCSV: whatever a file holds, the parser answers records, row
// errors or a file error, never a panic; a record's line is within the file,
// and its text is valid UTF-8.
func FuzzParseCSV(f *testing.F) {
	for _, seed := range []string{
		"name,kind,lat,lng,address,phone,hours\n滨海便民服务站,service_station,20.02,110.32,滨海大道1号,0898-66661234,8:30-17:30\n",
		"\xef\xbb\xbf名称,类型,纬度,经度\n公厕,公厕,20.0,110.3\n",
		"name,kind,lat,lng\n\"a,b\",toilet,20,110\n\"broken,toilet,1,2\n",
		"name,kind,lat,lng\n,,,\nx,y\n", "lat,lat\n", "", "\n\n", "name\n\xff\n",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		recs, errs, err := ParseCSV(data)
		if err != nil {
			if len(recs)+len(errs) > 0 {
				t.Fatal("a file error with rows")
			}
			return
		}
		lines := 1
		for _, b := range data {
			if b == '\n' {
				lines++
			}
		}
		for _, r := range recs {
			if r.Line < 2 || r.Line > lines || !utf8.ValidString(r.Name+r.Kind+r.Address+r.Phone+r.Hours) {
				t.Fatalf("record %+v of a %d-line file", r, lines)
			}
		}
		for _, e := range errs {
			if e.Line < 1 || e.Line > lines || e.Err == nil {
				t.Fatalf("row error %+v of a %d-line file", e, lines)
			}
		}
		places, _ := validate(recs, geo.GCJ02, "fuzz")
		for _, p := range places {
			if !geo.InServiceArea(p.Lat, p.Lng) {
				t.Fatalf("place %+v outside Haikou", p)
			}
		}
	})
}

// FuzzParseGeoJSON: the same for GeoJSON; every record has a real point.
func FuzzParseGeoJSON(f *testing.F) {
	for _, seed := range []string{
		`{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"Point","coordinates":[110.32,20.02]},"properties":{"name":"公厕","kind":"toilet"}}]}`,
		`{"type":"FeatureCollection","features":[{"type":"Feature","geometry":null,"properties":null}]}`,
		`{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"Point","coordinates":[]}}]}`,
		`{"features":[],"type":"FeatureCollection","bbox":[1,2,3,4]}`,
		`{"type":"FeatureCollection","features":[1,"x",null]}`, `[]`, `{}`, `{"type":"FeatureCollection","features":[]}x`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		recs, errs, err := ParseGeoJSON(data)
		if err != nil {
			return
		}
		lines := 1
		for _, b := range data {
			if b == '\n' {
				lines++
			}
		}
		for _, r := range recs {
			if r.Line < 1 || r.Line > lines {
				t.Fatalf("record %+v of a %d-line file", r, lines)
			}
		}
		for _, e := range errs {
			if e.Line < 1 || e.Line > lines || e.Err == nil {
				t.Fatalf("row error %+v of a %d-line file", e, lines)
			}
		}
		validate(recs, geo.WGS84, "fuzz")
	})
}
