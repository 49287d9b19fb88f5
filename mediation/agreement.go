package mediation

import (
	"context"
	"fmt"
	"strings"

	"guanjia"
	"guanjia/pdfdoc"
)

// Agreement renders the 人民调解协议书 of a dispute mediated to success.
func (s *Service) Agreement(ctx context.Context, who guanjia.Claims, id int64) ([]byte, *View, error) {
	d, committees, _, err := s.find(ctx, who, id)
	if err != nil {
		return nil, nil, err
	}
	v := s.view(d, committees, "") // the document, not what may be done
	if v.Result != "success" {
		return nil, nil, guanjia.Errorf(guanjia.ENOTFOUND, "dispute %d has no agreement", id)
	}
	b, err := RenderAgreement(v)
	return b, v, err
}

// DefaultPerformance is the 履行方式 written when the mediators give none.
const DefaultPerformance = "双方当事人应当按照本协议约定自觉履行；一方不履行的，另一方可以申请人民调解委员会督促履行，或者依法申请司法确认后申请人民法院强制执行。"

// AgreementText is the agreement's text, section by section (title, body):
// what RenderAgreement draws and what a test checks the font covers.
func AgreementText(v *View) [][2]string {
	committee := "人民调解委员会"
	if v.Committee != nil {
		committee = v.Committee.Name
	}
	var parties []string
	for _, p := range v.Parties {
		role := map[string]string{"applicant": "申请人", "respondent": "被申请人"}[p.Role]
		line := role + "：" + p.Name
		switch {
		case p.IDNumber != "":
			line += "，公民身份号码 " + guanjia.MaskIDNumber(p.IDNumber)
		case p.CreditCode != "":
			line += "，统一社会信用代码 " + p.CreditCode
		}
		if p.Phone != "" {
			line += "，联系电话 " + guanjia.MaskPhone(p.Phone)
		}
		parties = append(parties, line)
	}
	performance := v.Performance
	if performance == "" {
		performance = DefaultPerformance
	}
	facts := v.Summary
	if v.Description != "" {
		facts += "。" + v.Description
	}
	var mediators []string
	for _, m := range v.Mediators {
		mediators = append(mediators, m.Name)
	}
	date := v.CreatedAt
	if v.OutcomeAt != nil {
		date = *v.OutcomeAt
	}
	return [][2]string{
		{"当事人", strings.Join(parties, "\n")},
		{"纠纷主要事实、争议事项", fmt.Sprintf("%s（%s）。%s", TypeName(v.Type), v.Address, facts)},
		{"经调解，自愿达成如下协议", v.Terms},
		{"履行方式、时限", performance},
		{"", "本协议一式三份，当事人、人民调解委员会各持一份，自各方当事人签名（盖章）、人民调解员签名并加盖人民调解委员会印章之日起生效。"},
		{"", "当事人（签名）：＿＿＿＿＿＿　　＿＿＿＿＿＿"},
		{"", "人民调解员（签名）：" + strings.Join(mediators, "、")},
		{"", committee + "（印章）"},
		{"", date.In(guanjia.ChinaTime).Format("2006年01月02日")},
	}
}

// RenderAgreement draws the 人民调解协议书 as an A4 PDF: its number, the
// parties, the facts, the terms, how they are performed, the signature and
// seal lines and the date.
func RenderAgreement(v *View) ([]byte, error) {
	doc, err := pdfdoc.New("人民调解协议书 "+v.AgreementNumber, "guanjia 大调解")
	if err != nil {
		return nil, err
	}
	pdf := doc.PDF
	pdf.SetMargins(25, 25, 25)
	pdf.SetAutoPageBreak(true, 25)
	pdf.AddPage()
	doc.Size = 22
	doc.Cell(160, 12, "人民调解协议书", "C", "")
	pdf.Ln(14)
	doc.Size = 11
	doc.Cell(160, 7, "编号："+v.AgreementNumber, "R", "")
	pdf.Ln(12)
	text := AgreementText(v)
	for i, sec := range text {
		if i >= len(text)-2 { // the seal and the date, at the foot on the right
			doc.Size = 12
			doc.Cell(160, 8, sec[1], "R", "")
			pdf.Ln(10)
			continue
		}
		if sec[0] != "" {
			doc.Size = 13
			doc.Cell(160, 8, sec[0]+"：", "L", "")
			pdf.Ln(9)
		}
		doc.Size = 12
		for _, line := range strings.Split(sec[1], "\n") {
			doc.Flow(7.5, line)
			pdf.Ln(8)
		}
		pdf.Ln(3)
	}
	out, err := doc.Bytes()
	if err != nil {
		return nil, fmt.Errorf("mediation: render agreement %s: %w", v.AgreementNumber, err)
	}
	return out, nil
}
