package guanjia_test

import (
	"testing"

	"guanjia"
)

func TestMaskName(t *testing.T) {
	for in, want := range map[string]string{"王小明": "王*明", "李雷": "李*", "欧阳娜娜": "欧**娜", "Alice": "A****", "": ""} {
		if got := guanjia.MaskName(in); got != want {
			t.Errorf("MaskName(%q) = %q, want %q", in, got, want)
		}
	}
}
