package testenv

import (
	"bytes"
	"encoding/binary"
	"image"
	"image/color"
	"image/jpeg"
	"testing"
)

// PhoneJPEG is a w×h JPEG as a phone camera writes it: red in its top-left
// quarter and blue elsewhere, with an EXIF block holding orientation o
// (1 to 8; 0 writes none), the camera make "GPSCAM" and a GPS position
// (N 20° 0' 12.34"). Upload tests check that all of it is gone and the
// picture turned upright.
func PhoneJPEG(tb testing.TB, w, h, o int) []byte {
	tb.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			c := color.RGBA{B: 255, A: 255}
			if x < w/2 && y < h/2 {
				c = color.RGBA{R: 255, A: 255}
			}
			img.Set(x, y, c)
		}
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 95}); err != nil {
		tb.Fatal(err)
	}
	return withEXIF(buf.Bytes(), o)
}

// withEXIF inserts an APP1 EXIF segment (a little-endian TIFF) after the SOI.
func withEXIF(jpg []byte, o int) []byte {
	le := binary.LittleEndian
	var tiff []byte
	u16 := func(v int) { tiff = le.AppendUint16(tiff, uint16(v)) }
	u32 := func(v int) { tiff = le.AppendUint32(tiff, uint32(v)) }
	entry := func(tag, typ, count, value int) { u16(tag); u16(typ); u32(count); u32(value) }
	tiff = append(tiff, 'I', 'I')
	u16(42)
	u32(8)
	// IFD0 at 8: the make, the orientation, a pointer to the GPS IFD.
	n := 2
	if o > 0 {
		n = 3
	}
	ifd0End := 8 + 2 + 12*n + 4
	gps := ifd0End + 8 // after the make's 8 bytes
	u16(n)
	entry(0x010F, 2, 8, ifd0End) // Make, ASCII
	if o > 0 {
		u16(0x0112) // Orientation, one SHORT, in the value field
		u16(3)
		u32(1)
		u16(o)
		u16(0)
	}
	entry(0x8825, 4, 1, gps) // GPSInfo
	u32(0)
	tiff = append(tiff, "GPSCAM\x00\x00"...)
	// The GPS IFD: latitude ref "N" and latitude as three rationals after it.
	rationals := gps + 2 + 12*2 + 4
	u16(2)
	entry(0x0001, 2, 2, int(le.Uint32([]byte{'N', 0, 0, 0})))
	entry(0x0002, 5, 3, rationals)
	u32(0)
	for _, r := range [][2]int{{20, 1}, {0, 1}, {1234, 100}} {
		u32(r[0])
		u32(r[1])
	}
	seg := append([]byte("Exif\x00\x00"), tiff...)
	app1 := []byte{0xFF, 0xE1, 0, 0}
	binary.BigEndian.PutUint16(app1[2:], uint16(len(seg)+2))
	out := append([]byte{}, jpg[:2]...)
	out = append(out, app1...)
	out = append(out, seg...)
	return append(out, jpg[2:]...)
}
