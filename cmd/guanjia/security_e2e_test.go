package main

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"image"
	"image/jpeg"
	"image/png"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"guanjia/internal/testenv"
)

// Issue 10, row 14: /metrics is not on the public port; it is served on a
// listener of its own (GUANJIA_METRICS_ADDR, loopback by default).
func TestMetricsOnTheirOwnListener(t *testing.T) {
	m := startMain(t)
	res, err := http.Get(m.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusNotFound {
		t.Errorf("GET /metrics on the API port: %d, want 404", res.StatusCode)
	}
	login(t, m, "dispatcher").do("GET", "/api/v1/me", nil) // something to count
	res, err = http.Get(m.MetricsURL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK || !strings.Contains(string(body), "go_goroutines") {
		t.Errorf("GET /metrics on the metrics listener: %d %.200s", res.StatusCode, body)
	}
	t.Setenv("GUANJIA_METRICS_ADDR", "")
	if cfg, err := loadConfig(); err != nil || !strings.HasPrefix(cfg.MetricsAddr, "127.0.0.1:") {
		t.Errorf("default metrics address %q (%v), want loopback", cfg.MetricsAddr, err)
	}
}

// uploadNamed posts file as multipart "file" named name.
func (c *client) uploadNamed(path, kind, name string, file []byte) answer {
	c.t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	_ = w.WriteField("kind", kind)
	fw, _ := w.CreateFormFile("file", name)
	fw.Write(file)
	w.Close()
	req, _ := http.NewRequest(http.MethodPost, c.base+path, &buf)
	req.Header.Set("Content-Type", w.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+c.token)
	return c.send(req)
}

// Issue 10, row 15: uploads are decoded and encoded afresh — a PNG that is
// also a web page, a JPEG with a page after it, a phone photo with its GPS
// position — so what is stored and served is pixels only, upright, and
// served as an image that no browser takes for a page.
func TestPhotoUploadsAreReEncoded(t *testing.T) {
	m := startMain(t)
	citizen, dispatcher := login(t, m, "citizen"), login(t, m, "dispatcher")
	a := citizen.do("POST", "/api/v1/complaints", map[string]any{"category": "1101", "description": "路口有垃圾",
		"lat": lh01Lat, "lng": lh01Lng})
	if a.status != 201 {
		t.Fatalf("create: %d %s", a.status, a.raw)
	}
	path := fmt.Sprintf("/api/v1/complaints/%d/photos", int64(a.num("id")))
	const page = `<html><body><script>alert(document.cookie)</script><img src=x onerror=alert(1)></body></html>`
	stored := func(id string) []byte {
		t.Helper()
		b, err := os.ReadFile(filepath.Join(m.Config.DataDir, "photos", id[:2], id))
		if err != nil {
			t.Fatalf("stored photo %s: %v", id, err)
		}
		return b
	}

	for _, tt := range []struct {
		name, file string
		data       []byte
		wantType   string
	}{
		{"PNG+HTML polyglot", "x.png", append(pngBytes(), page...), "image/png"},
		{"PNG with a page in a text chunk", "x.png", pngWithText(t, page), "image/png"},
		{"JPEG followed by HTML", "x.jpg", append(testenv.PhoneJPEG(t, 16, 8, 0), page...), "image/jpeg"},
		{"HTML named .jpg with a JPEG head", "x.html", append(testenv.PhoneJPEG(t, 16, 8, 1)[:200], page...), ""},
	} {
		up := citizen.uploadNamed(path, "report", tt.file, tt.data)
		if tt.wantType == "" {
			if up.status != http.StatusUnsupportedMediaType || up.errField() != "file" {
				t.Errorf("%s: %d %s, want 415 on file", tt.name, up.status, up.raw)
			}
			continue
		}
		if up.status != 201 || up.str("content_type") != tt.wantType {
			t.Errorf("%s: %d %s", tt.name, up.status, up.raw)
			continue
		}
		if b := stored(up.str("id")); bytes.Contains(b, []byte("<script")) || bytes.Contains(b, []byte("<html")) || bytes.Contains(b, []byte("onerror")) {
			t.Errorf("%s: the stored file still holds the page", tt.name)
		}
		got := dispatcher.do("GET", "/api/v1/photos/"+up.str("id"), nil)
		h := got.header
		if got.status != 200 || h.Get("Content-Type") != tt.wantType || h.Get("X-Content-Type-Options") != "nosniff" ||
			!strings.HasPrefix(h.Get("Content-Disposition"), `inline; filename="`+up.str("id")+".") ||
			!strings.Contains(h.Get("Content-Security-Policy"), "sandbox") || bytes.Contains(got.raw, []byte("<script")) {
			t.Errorf("%s served: %d %v", tt.name, got.status, h)
		}
	}

	// A photo taken sideways on a phone: stored 40×20 with EXIF orientation 6 and a GPS position.
	up := citizen.uploadNamed(path, "report", "IMG_0001.JPG", testenv.PhoneJPEG(t, 40, 20, 6))
	if up.status != 201 {
		t.Fatalf("phone photo: %d %s", up.status, up.raw)
	}
	b := stored(up.str("id"))
	if bytes.Contains(b, []byte("Exif")) || bytes.Contains(b, []byte("GPSCAM")) {
		t.Error("the stored photo keeps the phone's EXIF (GPS position, camera)")
	}
	img, err := jpeg.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	if bd := img.Bounds(); bd.Dx() != 20 || bd.Dy() != 40 {
		t.Errorf("stored %v, want the upright 20×40", bd)
	}
	if r, _, bl, _ := img.At(15, 5).RGBA(); r>>8 < 200 || bl>>8 > 60 {
		t.Errorf("the photo was not turned clockwise: top-right is r=%d b=%d", r>>8, bl>>8)
	}

	// Not an image at all, whatever its name says.
	for name, data := range map[string][]byte{"page.png": []byte(page), "empty.jpg": {}, "gif.png": []byte("GIF89a\x01\x00\x01\x00\x00\x00\x00;")} {
		if up := citizen.uploadNamed(path, "report", name, data); up.status != http.StatusUnsupportedMediaType {
			t.Errorf("%s: %d %s, want 415", name, up.status, up.raw)
		}
	}

	// The volunteer album takes the same road.
	lead := login(t, m, "team-lead")
	album := lead.uploadNamed("/api/v1/activities/1/photos", "", "a.jpg", append(testenv.PhoneJPEG(t, 40, 20, 6), page...))
	if album.status != 201 || album.str("content_type") != "image/jpeg" {
		t.Fatalf("album upload: %d %s", album.status, album.raw)
	}
	if b := stored(album.str("id")); bytes.Contains(b, []byte("<script")) || bytes.Contains(b, []byte("GPSCAM")) {
		t.Error("the album photo was stored as uploaded")
	}
	got := lead.do("GET", "/api/v1/activities/1/photos/"+album.str("id"), nil)
	if got.status != 200 || got.header.Get("X-Content-Type-Options") != "nosniff" || got.header.Get("Content-Type") != "image/jpeg" {
		t.Errorf("album photo served: %d %v", got.status, got.header)
	}
}

// pngWithText is a small PNG carrying text in a tEXt chunk before its pixels.
func pngWithText(t *testing.T, text string) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, image.NewGray(image.Rect(0, 0, 3, 3))); err != nil {
		t.Fatal(err)
	}
	raw := b.Bytes()
	chunk := pngChunk("tEXt", append([]byte("Comment\x00"), text...))
	const ihdrEnd = 8 + 25 // signature, then IHDR (4+4+13+4)
	return append(append(append([]byte{}, raw[:ihdrEnd]...), chunk...), raw[ihdrEnd:]...)
}

// pngChunk is one PNG chunk: length, type, data and CRC.
func pngChunk(typ string, data []byte) []byte {
	out := binary.BigEndian.AppendUint32(nil, uint32(len(data)))
	out = append(append(out, typ...), data...)
	return binary.BigEndian.AppendUint32(out, crc32.ChecksumIEEE(append([]byte(typ), data...)))
}

// Issue 10, row 14: the production compose file publishes no port without a
// login in front of it: the API on loopback only (for the TLS proxy), no
// separate queue monitor, no metrics, no database or Redis.
func TestComposePublishesNothingOpen(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("..", "..", "docker", "compose.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	inPorts, published := false, 0
	for i, line := range strings.Split(string(raw), "\n") {
		trimmed := strings.TrimSpace(line)
		switch {
		case strings.HasPrefix(trimmed, "#") || trimmed == "":
		case strings.HasSuffix(trimmed, "ports:"):
			inPorts = true
		case inPorts && strings.HasPrefix(trimmed, "- "):
			published++
			mapping := strings.Trim(strings.TrimSpace(strings.SplitN(trimmed[2:], "#", 2)[0]), `"'`)
			if !strings.HasPrefix(mapping, "127.0.0.1:") || !strings.HasSuffix(mapping, ":8080") {
				t.Errorf("compose.yaml:%d publishes %q: only the API, on 127.0.0.1", i+1, mapping)
			}
		default:
			inPorts = false
		}
		if strings.Contains(trimmed, "asynqmon") && !strings.HasPrefix(trimmed, "#") {
			t.Errorf("compose.yaml:%d runs asynqmon on its own: it has no login; use the API's /admin/queues", i+1)
		}
	}
	if published != 1 {
		t.Errorf("compose.yaml publishes %d ports, want the API's only", published)
	}
}
