package volunteer

import (
	"fmt"

	"guanjia"
	"guanjia/pdfdoc"
)

// pdfText draws a certificate with the shared CJK text writer.
type pdfText struct{ *pdfdoc.Doc }

// RenderCertificate draws a certificate as an A4 PDF: who, their masked ID
// and volunteer number, each activity with its hours, totals, the issuing
// team, the certificate number and the verification code.
func RenderCertificate(c *guanjia.Certificate, publicURL string) ([]byte, error) {
	doc, err := pdfdoc.New("志愿服务记录证明 "+c.Number, "guanjia 公益海口")
	if err != nil {
		return nil, err
	}
	doc.PDF.SetMargins(22, 25, 22)
	doc.PDF.SetAutoPageBreak(true, 25)
	doc.PDF.AddPage()
	t := &pdfText{doc}
	t.title()
	t.statement(c)
	t.serviceLines(c)
	t.issuer(c, publicURL)
	out, err := doc.Bytes()
	if err != nil {
		return nil, fmt.Errorf("volunteer: render certificate %s: %w", c.Number, err)
	}
	return out, nil
}

// title draws the border and the title, in Chinese and English.
func (t *pdfText) title() {
	pdf := t.PDF
	pdf.SetDrawColor(178, 34, 34)
	pdf.SetLineWidth(0.8)
	pdf.Rect(12, 12, 186, 273, "D")
	pdf.SetLineWidth(0.2)
	pdf.SetDrawColor(0, 0, 0)

	pdf.SetY(28)
	t.Size = 24
	t.Cell(166, 12, "志愿服务记录证明", "C", "B")
	pdf.Ln(12)
	t.Size = 10
	t.Cell(166, 6, "Certificate of Volunteer Service Record", "C", "")
	pdf.Ln(14)
}

// statement is the paragraph that certifies who served how long.
func (t *pdfText) statement(c *guanjia.Certificate) {
	credit, honor := hoursText(c.Totals.CreditMinutes), hoursText(c.Totals.HonorMinutes)
	t.Size = 12
	t.Flow(8, fmt.Sprintf("兹证明 %s（公民身份号码 %s，志愿者编号 %s）在%s参加志愿服务，累计服务时长 %s 小时，其中信用时长 %s 小时，荣誉时长 %s 小时。服务记录如下：",
		c.Name, c.MaskedIDNumber, c.VolunteerNumber, c.TeamName, hoursText(c.Totals.TotalMinutes()), credit, honor))
	t.PDF.Ln(12)
}

// serviceLines is the table of the record: one row per activity or 荣誉时长 entry, and the total.
func (t *pdfText) serviceLines(c *guanjia.Certificate) {
	pdf := t.PDF
	cols := []struct {
		title string
		w     float64
		align string
	}{{"日期", 28, "L"}, {"服务项目", 90, "L"}, {"类别", 22, "C"}, {"时长（小时）", 26, "R"}}
	t.Size = 10.5
	pdf.SetFillColor(240, 240, 240)
	x0 := pdf.GetX()
	pdf.Rect(x0, pdf.GetY(), 166, 8, "F")
	for _, col := range cols {
		t.Cell(col.w, 8, col.title, col.align, "B")
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
			t.Cell(cols[i].w, 7, v, cols[i].align, "")
		}
		pdf.Line(x0, y+7, x0+166, y+7)
		pdf.Ln(7)
	}
	t.Size = 11
	t.Cell(140, 9, "合计", "R", "B")
	t.Cell(26, 9, hoursText(c.Totals.TotalMinutes()), "R", "B")
	pdf.Ln(18)
}

// issuer names the issuing team, the date, the number and the code, and
// tells how to verify them.
func (t *pdfText) issuer(c *guanjia.Certificate, publicURL string) {
	pdf := t.PDF
	t.Size = 12
	for _, line := range []string{
		"出具单位：" + c.TeamName,
		"出具日期：" + c.IssuedAt.In(guanjia.ChinaTime).Format("2006年01月02日"),
		"证明编号：" + c.Number,
		"验证码：" + c.Code,
	} {
		t.Cell(166, 8, line, "L", "")
		pdf.Ln(8)
	}
	pdf.Ln(6)
	t.Size = 9
	verify := "/api/v1/volunteer/certificates/" + c.Number + "?code=" + c.Code
	if publicURL != "" {
		verify = publicURL + verify
	}
	pdf.SetTextColor(90, 90, 90)
	t.Flow(5, "本证明依据《志愿服务记录与证明出具办法》（民政部令第67号）出具，免费，记录真实、准确、完整。凭证明编号和验证码查验：")
	pdf.Ln(5)
	t.Flow(5, verify)
}
