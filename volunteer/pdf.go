package volunteer

import (
	"bytes"
	"compress/gzip"
	_ "embed"
	"fmt"
	"io"
	"sync"
	"unicode/utf8"

	"github.com/go-pdf/fpdf"

	"guanjia"
)

// certFontGz is Droid Sans Fallback (Apache-2.0, from Debian's
// fonts-droid-fallback) cut down to the CJK Unified Ideographs and CJK
// punctuation: about 1.4 MB compressed, where the full font is 4 MB. Latin
// text uses the PDF core font Helvetica. See certfont/subset.sh and NOTICE.
//
//go:embed certfont/DroidSansFallback-subset.ttf.gz
var certFontGz []byte

var certFont = sync.OnceValues(func() ([]byte, error) {
	zr, err := gzip.NewReader(bytes.NewReader(certFontGz))
	if err != nil {
		return nil, fmt.Errorf("volunteer: certificate font: %w", err)
	}
	return io.ReadAll(zr)
})

// pdfText writes strings that mix Chinese and Latin: runs of ASCII in
// Helvetica, everything else in the CJK font.
type pdfText struct {
	pdf  *fpdf.Fpdf
	size float64
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

func (t *pdfText) font(latin bool, style string) {
	if latin {
		t.pdf.SetFont("Helvetica", style, t.size)
	} else {
		t.pdf.SetFont("cjk", "", t.size) // one face: bold is drawn as a heavier size instead
	}
}

func (t *pdfText) width(s, style string) float64 {
	w := 0.0
	for _, r := range runsOf(s) {
		t.font(r.latin, style)
		w += t.pdf.GetStringWidth(r.s)
	}
	return w
}

// flow writes s at the current position, wrapping at the right margin.
func (t *pdfText) flow(lineHeight float64, s string) {
	for _, r := range runsOf(s) {
		t.font(r.latin, "")
		t.pdf.Write(lineHeight, r.s)
	}
}

// cell writes s in a box of width w at the current position, cut with ...
// when it does not fit (the CJK font has no ellipsis), and moves right by w.
func (t *pdfText) cell(w, h float64, s, align, style string) {
	x, y := t.pdf.GetXY()
	if t.width(s, style) > w-2 {
		r := []rune(s)
		for len(r) > 1 && t.width(string(r)+"...", style) > w-2 {
			r = r[:len(r)-1]
		}
		s = string(r) + "..."
	}
	tw := t.width(s, style)
	start := x + 1
	switch align {
	case "C":
		start = x + (w-tw)/2
	case "R":
		start = x + w - 1 - tw
	}
	t.pdf.SetXY(start, y)
	for _, r := range runsOf(s) {
		t.font(r.latin, style)
		rw := t.pdf.GetStringWidth(r.s)
		t.pdf.CellFormat(rw, h, r.s, "", 0, "L", false, 0, "")
	}
	t.pdf.SetXY(x+w, y)
}

// RenderCertificate draws a certificate as an A4 PDF: who, their masked ID
// and volunteer number, each activity with its hours, totals, the issuing
// team, the certificate number and the verification code.
func RenderCertificate(c *guanjia.Certificate, publicURL string) ([]byte, error) {
	font, err := certFont()
	if err != nil {
		return nil, err
	}
	pdf := fpdf.New("P", "mm", "A4", "")
	pdf.SetTitle("志愿服务记录证明 "+c.Number, true)
	pdf.SetCreator("guanjia 公益海口", true)
	pdf.AddUTF8FontFromBytes("cjk", "", font)
	pdf.SetMargins(22, 25, 22)
	pdf.SetAutoPageBreak(true, 25)
	pdf.AddPage()
	t := &pdfText{pdf: pdf}
	t.title()
	t.statement(c)
	t.serviceLines(c)
	t.issuer(c, publicURL)
	var buf bytes.Buffer
	if err := pdf.Output(&buf); err != nil {
		return nil, fmt.Errorf("volunteer: render certificate %s: %w", c.Number, err)
	}
	return buf.Bytes(), nil
}

// title draws the border and the title, in Chinese and English.
func (t *pdfText) title() {
	pdf := t.pdf
	pdf.SetDrawColor(178, 34, 34)
	pdf.SetLineWidth(0.8)
	pdf.Rect(12, 12, 186, 273, "D")
	pdf.SetLineWidth(0.2)
	pdf.SetDrawColor(0, 0, 0)

	pdf.SetY(28)
	t.size = 24
	t.cell(166, 12, "志愿服务记录证明", "C", "B")
	pdf.Ln(12)
	t.size = 10
	t.cell(166, 6, "Certificate of Volunteer Service Record", "C", "")
	pdf.Ln(14)
}

// statement is the paragraph that certifies who served how long.
func (t *pdfText) statement(c *guanjia.Certificate) {
	credit, honor := hoursText(c.Totals.CreditMinutes), hoursText(c.Totals.HonorMinutes)
	t.size = 12
	t.flow(8, fmt.Sprintf("兹证明 %s（公民身份号码 %s，志愿者编号 %s）在%s参加志愿服务，累计服务时长 %s 小时，其中信用时长 %s 小时，荣誉时长 %s 小时。服务记录如下：",
		c.Name, c.MaskedIDNumber, c.VolunteerNumber, c.TeamName, hoursText(c.Totals.TotalMinutes()), credit, honor))
	t.pdf.Ln(12)
}

// serviceLines is the table of the record: one row per activity or 荣誉时长 entry, and the total.
func (t *pdfText) serviceLines(c *guanjia.Certificate) {
	pdf := t.pdf
	cols := []struct {
		title string
		w     float64
		align string
	}{{"日期", 28, "L"}, {"服务项目", 90, "L"}, {"类别", 22, "C"}, {"时长（小时）", 26, "R"}}
	t.size = 10.5
	pdf.SetFillColor(240, 240, 240)
	x0 := pdf.GetX()
	pdf.Rect(x0, pdf.GetY(), 166, 8, "F")
	for _, col := range cols {
		t.cell(col.w, 8, col.title, col.align, "B")
	}
	pdf.Ln(8)
	for _, l := range c.Lines {
		if pdf.GetY() > 255 {
			pdf.AddPage()
		}
		kind := "信用时长"
		if l.Kind == guanjia.HoursHonor {
			kind = "荣誉时长"
		}
		y := pdf.GetY()
		for i, v := range []string{l.Date, l.Activity, kind, hoursText(l.Minutes)} {
			t.cell(cols[i].w, 7, v, cols[i].align, "")
		}
		pdf.Line(x0, y+7, x0+166, y+7)
		pdf.Ln(7)
	}
	t.size = 11
	t.cell(140, 9, "合计", "R", "B")
	t.cell(26, 9, hoursText(c.Totals.TotalMinutes()), "R", "B")
	pdf.Ln(18)
}

// issuer names the issuing team, the date, the number and the code, and
// tells how to verify them.
func (t *pdfText) issuer(c *guanjia.Certificate, publicURL string) {
	pdf := t.pdf
	t.size = 12
	for _, line := range []string{
		"出具单位：" + c.TeamName,
		"出具日期：" + c.IssuedAt.In(cst).Format("2006年01月02日"),
		"证明编号：" + c.Number,
		"验证码：" + c.Code,
	} {
		t.cell(166, 8, line, "L", "")
		pdf.Ln(8)
	}
	pdf.Ln(6)
	t.size = 9
	verify := "/api/v1/volunteer/certificates/" + c.Number + "?code=" + c.Code
	if publicURL != "" {
		verify = publicURL + verify
	}
	pdf.SetTextColor(90, 90, 90)
	t.flow(5, "本证明依据《志愿服务记录与证明出具办法》（民政部令第67号）出具，免费，记录真实、准确、完整。凭证明编号和验证码查验：")
	pdf.Ln(5)
	t.flow(5, verify)
}
