package api

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"image"
	"image/draw"
	"image/jpeg"
	"image/png"

	_ "golang.org/x/image/webp" // decodes WebP uploads (they are stored as JPEG or PNG)

	"guanjia"
)

// maxImagePixels bounds the size of a decoded photo, whatever its file size:
// a few kilobytes of PNG can claim a picture of gigabytes (a decompression
// bomb). 40 megapixels is more than any phone camera takes.
const maxImagePixels = 40_000_000

// jpegQuality is that of re-encoded photos: good enough for evidence, far
// smaller than a camera's original.
const jpegQuality = 85

// cleanImage decodes an uploaded photo and encodes it afresh, so what is
// stored and served is only pixels: bytes appended to or hidden in the file
// (HTML after a JPEG, a PNG that is also a page) and metadata — EXIF with
// the GPS position of the citizen's phone, camera serial numbers — are gone.
// The EXIF orientation is applied to the pixels first, so the photo stands
// as it was taken. JPEG and WebP come back as JPEG, PNG as PNG; anything
// that does not decode as one of them is refused.
func cleanImage(data []byte) (out []byte, contentType string, err error) {
	cfg, format, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil || (format != "jpeg" && format != "png" && format != "webp") {
		return nil, "", guanjia.FieldError(guanjia.EUNSUPPORTED, "file", "the file is not a JPEG, PNG or WebP image")
	}
	if cfg.Width <= 0 || cfg.Height <= 0 || int64(cfg.Width)*int64(cfg.Height) > maxImagePixels {
		return nil, "", guanjia.FieldError(guanjia.ETOOLARGE, "file", "the photo has more than %d megapixels", maxImagePixels/1_000_000)
	}
	img, _, err := image.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, "", guanjia.FieldError(guanjia.EUNSUPPORTED, "file", "the image is damaged and cannot be read")
	}
	if format == "jpeg" {
		img = orient(img, jpegOrientation(data))
	}
	var buf bytes.Buffer
	contentType = "image/jpeg"
	if format == "png" || !opaque(img) { // JPEG has no transparency
		contentType = "image/png"
		err = (&png.Encoder{CompressionLevel: png.BestSpeed}).Encode(&buf, img)
	} else {
		err = jpeg.Encode(&buf, img, &jpeg.Options{Quality: jpegQuality})
	}
	if err != nil {
		return nil, "", fmt.Errorf("api: encode photo: %w", err)
	}
	return buf.Bytes(), contentType, nil
}

func opaque(img image.Image) bool {
	o, ok := img.(interface{ Opaque() bool })
	return !ok || o.Opaque()
}

// jpegOrientation reads the EXIF orientation (tag 0x0112 of IFD0, 1 to 8)
// of a JPEG: 1, upright, when there is none or it cannot be read.
func jpegOrientation(data []byte) int {
	if len(data) < 4 || data[0] != 0xFF || data[1] != 0xD8 {
		return 1
	}
	for i := 2; i+4 <= len(data); {
		if data[i] != 0xFF {
			return 1
		}
		marker := data[i+1]
		if marker == 0xFF { // fill byte
			i++
			continue
		}
		if marker == 0xDA || marker == 0xD9 { // start of scan, end of image: no more metadata
			return 1
		}
		n := int(binary.BigEndian.Uint16(data[i+2:]))
		if n < 2 || i+2+n > len(data) {
			return 1
		}
		seg := data[i+4 : i+2+n]
		if marker == 0xE1 && len(seg) >= 6 && string(seg[:6]) == "Exif\x00\x00" {
			return exifOrientation(seg[6:])
		}
		i += 2 + n
	}
	return 1
}

// exifOrientation reads the orientation from a TIFF structure (an EXIF block).
func exifOrientation(tiff []byte) int {
	if len(tiff) < 8 {
		return 1
	}
	var bo binary.ByteOrder
	switch string(tiff[:2]) {
	case "II":
		bo = binary.LittleEndian
	case "MM":
		bo = binary.BigEndian
	default:
		return 1
	}
	if bo.Uint16(tiff[2:]) != 42 {
		return 1
	}
	ifd := int(bo.Uint32(tiff[4:]))
	if ifd < 8 || ifd+2 > len(tiff) {
		return 1
	}
	count := int(bo.Uint16(tiff[ifd:]))
	for k := 0; k < count; k++ {
		e := ifd + 2 + 12*k
		if e+12 > len(tiff) {
			return 1
		}
		if bo.Uint16(tiff[e:]) != 0x0112 {
			continue
		}
		if bo.Uint16(tiff[e+2:]) != 3 { // SHORT
			return 1
		}
		if v := int(bo.Uint16(tiff[e+8:])); v >= 1 && v <= 8 {
			return v
		}
		return 1
	}
	return 1
}

// orient turns img as EXIF orientation o (1 to 8) says it must be turned
// to stand upright: 2 mirrored, 3 upside down, 4 mirrored upside down,
// 5 transposed, 6 turned 90° clockwise, 7 transverse, 8 turned 90°
// counter-clockwise. A JPEG's YCbCr or gray samples are moved as they are
// (no colour conversion, one picture's worth of memory more).
func orient(img image.Image, o int) image.Image {
	if o < 2 || o > 8 {
		return img
	}
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	dw, dh := w, h
	if o >= 5 {
		dw, dh = h, w
	}
	// from is the source point (in img's bounds) shown at (dx, dy) upright.
	from := func(dx, dy int) (int, int) {
		var sx, sy int
		switch o {
		case 2:
			sx, sy = w-1-dx, dy
		case 3:
			sx, sy = w-1-dx, h-1-dy
		case 4:
			sx, sy = dx, h-1-dy
		case 5:
			sx, sy = dy, dx
		case 6:
			sx, sy = dy, h-1-dx
		case 7:
			sx, sy = w-1-dy, h-1-dx
		case 8:
			sx, sy = w-1-dy, dx
		}
		return b.Min.X + sx, b.Min.Y + sy
	}
	rect := image.Rect(0, 0, dw, dh)
	switch src := img.(type) {
	case *image.YCbCr:
		dst := image.NewYCbCr(rect, image.YCbCrSubsampleRatio444)
		for dy := 0; dy < dh; dy++ {
			for dx := 0; dx < dw; dx++ {
				x, y := from(dx, dy)
				i, yi, ci := dst.YOffset(dx, dy), src.YOffset(x, y), src.COffset(x, y)
				dst.Y[i], dst.Cb[i], dst.Cr[i] = src.Y[yi], src.Cb[ci], src.Cr[ci]
			}
		}
		return dst
	case *image.Gray:
		dst := image.NewGray(rect)
		for dy := 0; dy < dh; dy++ {
			for dx := 0; dx < dw; dx++ {
				dst.Pix[dst.PixOffset(dx, dy)] = src.Pix[src.PixOffset(from(dx, dy))]
			}
		}
		return dst
	}
	// Anything else (a CMYK JPEG): through RGBA.
	src := image.NewRGBA(b)
	draw.Draw(src, b, img, b.Min, draw.Src)
	dst := image.NewRGBA(rect)
	for dy := 0; dy < dh; dy++ {
		for dx := 0; dx < dw; dx++ {
			si, di := src.PixOffset(from(dx, dy)), dst.PixOffset(dx, dy)
			copy(dst.Pix[di:di+4], src.Pix[si:si+4])
		}
	}
	return dst
}
