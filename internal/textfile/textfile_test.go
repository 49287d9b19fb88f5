package textfile_test

import (
	"io"
	"slices"
	"strings"
	"testing"

	"golang.org/x/text/encoding/simplifiedchinese"

	"guanjia"
	"guanjia/internal/textfile"
)

func TestDecode(t *testing.T) {
	text := "名称,类型\n椰城市民游客中心,服务中心\n"
	gb, _ := simplifiedchinese.GB18030.NewEncoder().String(text)
	gbk, _ := simplifiedchinese.GBK.NewEncoder().String(text)
	tests := []struct {
		name string
		data []byte
		enc  textfile.Encoding
		code string
	}{
		{"UTF-8", []byte(text), textfile.UTF8, ""},
		{"UTF-8 with BOM", []byte("\uFEFF" + text), textfile.UTF8, ""},
		{"GB18030", []byte(gb), textfile.GB18030, ""},
		{"GBK (what Excel saves)", []byte(gbk), textfile.GB18030, ""},
		{"UTF-16LE", []byte{0xFF, 0xFE, 0x4C, 0x88}, "", guanjia.EUNSUPPORTED},
		{"binary", []byte{0x89, 'P', 'N', 'G', 0, 0, 0}, "", guanjia.EUNSUPPORTED},
		{"not GB18030", []byte{0x81, 0x30, 0x81, 0x2C}, "", guanjia.EUNSUPPORTED},
	}
	for _, tt := range tests {
		got, enc, err := textfile.Decode(tt.data)
		if guanjia.ErrorCode(err) != tt.code || enc != tt.enc {
			t.Errorf("%s: encoding %q err %v", tt.name, enc, err)
			continue
		}
		if err == nil && got != text {
			t.Errorf("%s: decoded %q", tt.name, got)
		}
	}
}

// Rows are numbered as a spreadsheet shows them: a cell holding line breaks
// (CRLF or LF) moves the rows after it by none, a blank line keeps its row.
func TestCSVRowNumbers(t *testing.T) {
	r := textfile.NewCSV(strings.NewReader("h1,h2\n\"第一行\r\n第二行\n第三行\",2\n\n3,4\n5\n"))
	var rows []int
	for {
		rec, row, err := r.Row()
		if err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		rows = append(rows, row)
		if row == 2 && rec[0] != "第一行\n第二行\n第三行" {
			t.Errorf("row 2's cell %q", rec[0])
		}
	}
	if want := []int{1, 2, 4, 5}; !slices.Equal(rows, want) {
		t.Errorf("rows %v, want %v", rows, want)
	}
}
