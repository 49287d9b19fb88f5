package api

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"testing"

	"guanjia"
	"guanjia/internal/testenv"
)

func exifJPEG(t testing.TB, w, h, o int) []byte { return testenv.PhoneJPEG(t, w, h, o) }

func TestJPEGOrientation(t *testing.T) {
	for o := 0; o <= 8; o++ {
		want := o
		if o == 0 {
			want = 1
		}
		if got := jpegOrientation(exifJPEG(t, 8, 4, o)); got != want {
			t.Errorf("orientation %d read as %d", o, got)
		}
	}
	// Damaged or hostile metadata reads as upright and never panics.
	data := exifJPEG(t, 8, 4, 6)
	for i := 0; i < 200 && i < len(data); i++ {
		_ = jpegOrientation(data[:i])
		broken := append([]byte{}, data...)
		broken[i] ^= 0xFF
		_ = jpegOrientation(broken)
	}
	if got := jpegOrientation([]byte("not a jpeg")); got != 1 {
		t.Errorf("not a JPEG: %d", got)
	}
}

// TestOrient checks each EXIF orientation on a 3×2 picture whose pixels are
// numbered 1…6 row by row: the result is the picture as it should stand.
// Each kind of decoded picture is turned the same way: RGBA, a JPEG's YCbCr
// (samples numbered in Y) and gray, with bounds not at the origin.
func TestOrient(t *testing.T) {
	r := image.Rect(10, 20, 13, 22)
	rgba, gray := image.NewRGBA(r), image.NewGray(r)
	ycc := image.NewYCbCr(r, image.YCbCrSubsampleRatio444)
	for i := 0; i < 6; i++ {
		x, y := r.Min.X+i%3, r.Min.Y+i/3
		rgba.Set(x, y, color.RGBA{R: uint8(i + 1), A: 255})
		gray.SetGray(x, y, color.Gray{Y: uint8(i + 1)})
		ycc.Y[ycc.YOffset(x, y)] = uint8(i + 1)
	}
	sample := func(img image.Image, x, y int) uint8 {
		switch m := img.(type) {
		case *image.YCbCr:
			return m.Y[m.YOffset(x, y)]
		case *image.Gray:
			return m.GrayAt(x, y).Y
		}
		r, _, _, _ := img.At(x, y).RGBA()
		return uint8(r >> 8)
	}
	for _, src := range []image.Image{rgba, ycc, gray} {
		testOrient(t, src, sample)
	}
}

func testOrient(t *testing.T, src image.Image, sample func(image.Image, int, int) uint8) {
	t.Helper()
	for _, tt := range []struct {
		o    int
		want [][]uint8 // rows
	}{
		{1, [][]uint8{{1, 2, 3}, {4, 5, 6}}},
		{2, [][]uint8{{3, 2, 1}, {6, 5, 4}}},
		{3, [][]uint8{{6, 5, 4}, {3, 2, 1}}},
		{4, [][]uint8{{4, 5, 6}, {1, 2, 3}}},
		{5, [][]uint8{{1, 4}, {2, 5}, {3, 6}}},
		{6, [][]uint8{{4, 1}, {5, 2}, {6, 3}}}, // turned 90° clockwise
		{7, [][]uint8{{6, 3}, {5, 2}, {4, 1}}},
		{8, [][]uint8{{3, 6}, {2, 5}, {1, 4}}}, // turned 90° counter-clockwise
	} {
		got := orient(src, tt.o)
		b := got.Bounds()
		if b.Dy() != len(tt.want) || b.Dx() != len(tt.want[0]) {
			t.Errorf("orientation %d: %v, want %d×%d", tt.o, b, len(tt.want[0]), len(tt.want))
			continue
		}
		for y, row := range tt.want {
			for x, v := range row {
				if s := sample(got, b.Min.X+x, b.Min.Y+y); s != v {
					t.Errorf("%T, orientation %d: pixel (%d,%d) = %d, want %d", src, tt.o, x, y, s, v)
				}
			}
		}
	}
}

func TestCleanImage(t *testing.T) {
	// A phone photo taken sideways: stored 40×20 with orientation 6.
	out, ct, err := cleanImage(exifJPEG(t, 40, 20, 6))
	if err != nil || ct != "image/jpeg" {
		t.Fatalf("clean: %q %v", ct, err)
	}
	if bytes.Contains(out, []byte("Exif")) || bytes.Contains(out, []byte("GPSCAM")) {
		t.Error("EXIF survived re-encoding")
	}
	img, err := jpeg.Decode(bytes.NewReader(out))
	if err != nil {
		t.Fatal(err)
	}
	if b := img.Bounds(); b.Dx() != 20 || b.Dy() != 40 {
		t.Errorf("upright size %v, want 20×40", b)
	}
	// The red corner was top-left as stored; turned clockwise it is top-right.
	if r, _, bl, _ := img.At(15, 5).RGBA(); r>>8 < 200 || bl>>8 > 60 {
		t.Errorf("top-right after turning is not red: r=%d b=%d", r>>8, bl>>8)
	}

	// A PNG with transparency stays a PNG.
	rgba := image.NewNRGBA(image.Rect(0, 0, 4, 4))
	rgba.Set(1, 1, color.NRGBA{G: 200, A: 100})
	var p bytes.Buffer
	png.Encode(&p, rgba)
	if _, ct, err := cleanImage(p.Bytes()); err != nil || ct != "image/png" {
		t.Errorf("PNG: %q %v", ct, err)
	}

	// Refused: not an image, a truncated one, a GIF, and a picture too large to decode safely.
	var gif bytes.Buffer
	gif.WriteString("GIF89a\x01\x00\x01\x00\x00\x00\x00;")
	bomb := pngHeader(50_000, 50_000)
	for name, tt := range map[string]struct {
		data []byte
		code string
	}{
		"html":      {[]byte("<html><script>alert(1)</script></html>"), guanjia.EUNSUPPORTED},
		"truncated": {p.Bytes()[:40], guanjia.EUNSUPPORTED},
		"gif":       {gif.Bytes(), guanjia.EUNSUPPORTED},
		"bomb":      {bomb, guanjia.ETOOLARGE},
	} {
		if _, _, err := cleanImage(tt.data); guanjia.ErrorCode(err) != tt.code || guanjia.ErrorField(err) != "file" {
			t.Errorf("%s: %v, want %s on file", name, err, tt.code)
		}
	}
}

// pngHeader is the start of a PNG claiming w×h pixels: enough for DecodeConfig.
func pngHeader(w, h int) []byte {
	var b bytes.Buffer
	big := image.NewGray(image.Rect(0, 0, 1, 1))
	png.Encode(&b, big)
	data := b.Bytes()
	// IHDR's data (width, height, …) is at 16:29, its CRC over type and data at 29.
	binary.BigEndian.PutUint32(data[16:], uint32(w))
	binary.BigEndian.PutUint32(data[20:], uint32(h))
	binary.BigEndian.PutUint32(data[29:], crc32.ChecksumIEEE(data[12:29]))
	return data
}
