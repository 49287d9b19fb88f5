package pdfdoc

import (
	"bytes"
	"testing"
)

func TestMissing(t *testing.T) {
	for s, want := range map[string]string{
		"人民调解协议书：甲、乙（一）〔2026〕＿　「确认」": "",
		"“确认”…":                     "“”…", // the font has no curly quotes or ellipsis: write 「」 and ...
		"Helvetica draws ASCII 123": "",
		"𠀀😀":                        "𠀀😀", // outside the subset: an extension-B ideograph, an emoji
	} {
		got, err := Missing(s)
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != want {
			t.Errorf("Missing(%q) = %q, want %q", s, string(got), want)
		}
	}
}

func TestDocWritesMixedText(t *testing.T) {
	doc, err := New("测试 test", "guanjia")
	if err != nil {
		t.Fatal(err)
	}
	doc.PDF.AddPage()
	doc.Cell(60, 8, "一段很长很长很长很长很长很长很长很长很长很长的中文 with Latin", "L", "")
	doc.Flow(6, "第二行 line two")
	b, err := doc.Bytes()
	if err != nil || !bytes.HasPrefix(b, []byte("%PDF-")) {
		t.Fatalf("%v %.8q", err, b)
	}
}
