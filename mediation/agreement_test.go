package mediation

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"guanjia"
	"guanjia/pdfdoc"
)

func sampleAgreement() *View {
	at := time.Date(2026, 3, 18, 7, 30, 0, 0, time.UTC)
	return &View{
		Dispute: &guanjia.Dispute{ID: 7, Type: "traffic", Summary: "电动车与小轿车刮擦", Description: "双方对维修费用有争议",
			Address: "海口市龙华区滨海大道88号", Result: "success", AgreementNumber: "HK-XY-2026-000007",
			Terms: "一、被申请人一次性赔偿申请人维修费人民币3,200元；\n二、双方就本纠纷再无其他争议。", OutcomeAt: &at,
			Parties: []guanjia.Party{
				{Role: "applicant", Kind: "person", Name: "王海燕", IDNumber: "46010019900307002X", Phone: "13876543210"},
				{Role: "respondent", Kind: "organisation", Name: "海口椰城出租汽车有限公司", CreditCode: "91350100M000100Y43"},
			}},
		Committee: &guanjia.Committee{Name: "海口市交通事故纠纷人民调解委员会"},
		Mediators: []Person{{ID: 1, Name: "林志强"}},
	}
}

// TestAgreementFontCoversText: every character the 协议书 prints, and every
// name the catalogue gives, has a glyph in the embedded subset.
func TestAgreementFontCoversText(t *testing.T) {
	var all strings.Builder
	for _, sec := range AgreementText(sampleAgreement()) {
		all.WriteString(sec[0] + sec[1])
	}
	all.WriteString("人民调解协议书编号：" + DefaultPerformance)
	for _, ty := range Types {
		all.WriteString(ty.Name)
	}
	for _, c := range haikou {
		all.WriteString(c.Name)
	}
	missing, err := pdfdoc.Missing(all.String())
	if err != nil {
		t.Fatal(err)
	}
	if len(missing) > 0 {
		t.Fatalf("the font has no glyph for %q", string(missing))
	}
	if m, _ := pdfdoc.Missing("😀"); len(m) != 1 {
		t.Fatalf("Missing does not notice an emoji: %q", string(m))
	}
}

func TestRenderAgreement(t *testing.T) {
	v := sampleAgreement()
	text := AgreementText(v)
	joined := ""
	for _, sec := range text {
		joined += sec[0] + "|" + sec[1] + "\n"
	}
	for _, want := range []string{"申请人：王海燕，公民身份号码 4601**********002X，联系电话 138****3210",
		"被申请人：海口椰城出租汽车有限公司，统一社会信用代码 91350100M000100Y43", "3,200元", "海口市交通事故纠纷人民调解委员会（印章）",
		"2026年03月18日", "人民调解员（签名）：林志强", DefaultPerformance} {
		if !strings.Contains(joined, want) {
			t.Errorf("the agreement lacks %q:\n%s", want, joined)
		}
	}
	if strings.Contains(joined, "46010019900307002X") || strings.Contains(joined, "13876543210") {
		t.Error("the agreement shows an ID number or phone unmasked")
	}
	pdf, err := RenderAgreement(v)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(pdf, []byte("%PDF-")) || len(pdf) < 5000 {
		t.Fatalf("not a PDF with an embedded font: %d bytes", len(pdf))
	}
}
