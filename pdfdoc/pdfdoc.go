// Package pdfdoc writes A4 PDF documents that mix Chinese and Latin text
// (volunteer certificates, 人民调解协议书) on go-pdf/fpdf with an embedded
// subset CJK font.
package pdfdoc

import (
	"bytes"
	"compress/gzip"
	_ "embed"
	"fmt"
	"io"
	"sync"
	"unicode/utf8"

	"github.com/go-pdf/fpdf"
	"golang.org/x/image/font/sfnt"
)

// fontGz is Droid Sans Fallback (Apache-2.0, from Debian's
// fonts-droid-fallback) cut down to the CJK Unified Ideographs, CJK
// punctuation and full-width forms: about 1.4 MB compressed, where the full
// font is 4 MB. Latin text uses the PDF core font Helvetica. See
// font/subset.sh and font/NOTICE.
//
//go:embed font/DroidSansFallback-subset.ttf.gz
var fontGz []byte

var cjkFont = sync.OnceValues(func() ([]byte, error) {
	zr, err := gzip.NewReader(bytes.NewReader(fontGz))
	if err != nil {
		return nil, fmt.Errorf("pdfdoc: font: %w", err)
	}
	return io.ReadAll(zr)
})

// Doc is a PDF being written, and its text writer: runs of ASCII in
// Helvetica, everything else in the CJK font, at Size points.
type Doc struct {
	PDF  *fpdf.Fpdf
	Size float64
}

// New starts an A4 portrait document with the CJK font loaded.
func New(title, creator string) (*Doc, error) {
	font, err := cjkFont()
	if err != nil {
		return nil, err
	}
	pdf := fpdf.New("P", "mm", "A4", "")
	pdf.SetTitle(title, true)
	pdf.SetCreator(creator, true)
	pdf.AddUTF8FontFromBytes("cjk", "", font)
	return &Doc{PDF: pdf, Size: 12}, nil
}

// Bytes finishes the document.
func (t *Doc) Bytes() ([]byte, error) {
	var buf bytes.Buffer
	if err := t.PDF.Output(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

type textRun struct {
	latin bool
	s     string
}

func runsOf(s string) []textRun {
	var out []textRun
	for _, r := range s {
		latin := r < utf8.RuneSelf
		if len(out) == 0 || out[len(out)-1].latin != latin {
			out = append(out, textRun{latin: latin})
		}
		out[len(out)-1].s += string(r)
	}
	return out
}

func (t *Doc) font(latin bool, style string) {
	if latin {
		t.PDF.SetFont("Helvetica", style, t.Size)
	} else {
		t.PDF.SetFont("cjk", "", t.Size) // one face: bold is drawn as a heavier size instead
	}
}

// Width is the width of s in the current size.
func (t *Doc) Width(s, style string) float64 {
	w := 0.0
	for _, r := range runsOf(s) {
		t.font(r.latin, style)
		w += t.PDF.GetStringWidth(r.s)
	}
	return w
}

// Flow writes s at the current position, wrapping at the right margin.
func (t *Doc) Flow(lineHeight float64, s string) {
	for _, r := range runsOf(s) {
		t.font(r.latin, "")
		t.PDF.Write(lineHeight, r.s)
	}
}

// Cell writes s in a box of width w at the current position, cut with ...
// when it does not fit (the CJK font has no ellipsis), and moves right by w.
// align is L, C or R.
func (t *Doc) Cell(w, h float64, s, align, style string) {
	pdf := t.PDF
	x, y := pdf.GetXY()
	if t.Width(s, style) > w-2 {
		r := []rune(s)
		for len(r) > 1 && t.Width(string(r)+"...", style) > w-2 {
			r = r[:len(r)-1]
		}
		s = string(r) + "..."
	}
	tw := t.Width(s, style)
	start := x + 1
	switch align {
	case "C":
		start = x + (w-tw)/2
	case "R":
		start = x + w - 1 - tw
	}
	pdf.SetXY(start, y)
	for _, r := range runsOf(s) {
		t.font(r.latin, style)
		rw := pdf.GetStringWidth(r.s)
		pdf.CellFormat(rw, h, r.s, "", 0, "L", false, 0, "")
	}
	pdf.SetXY(x+w, y)
}

var parsedFont = sync.OnceValues(func() (*sfnt.Font, error) {
	b, err := cjkFont()
	if err != nil {
		return nil, err
	}
	return sfnt.Parse(b)
})

// Missing returns the characters of s the document cannot draw: non-ASCII
// runes the CJK subset has no glyph for (they would print as blanks).
func Missing(s string) ([]rune, error) {
	f, err := parsedFont()
	if err != nil {
		return nil, fmt.Errorf("pdfdoc: parse font: %w", err)
	}
	var buf sfnt.Buffer
	var out []rune
	seen := map[rune]bool{}
	for _, r := range s {
		if r < utf8.RuneSelf || r == '\n' || seen[r] {
			continue
		}
		seen[r] = true
		if g, err := f.GlyphIndex(&buf, r); err != nil || g == 0 {
			out = append(out, r)
		}
	}
	return out, nil
}
