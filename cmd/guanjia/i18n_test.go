package main

import (
	"context"
	"io"
	"testing"
)

// The command line says its errors in Chinese, or in English when the
// locale is English; LC_ALL wins over LANG.
func TestCLIErrorLanguage(t *testing.T) {
	ctx := context.Background()
	locale := func(vars ...string) func(string) string {
		return func(name string) string {
			for i := 0; i+1 < len(vars); i += 2 {
				if vars[i] == name {
					return vars[i+1]
				}
			}
			return ""
		}
	}
	tests := []struct {
		args             []string
		chinese, english string
	}{
		{[]string{"seed", "city"}, "guanjia: 用法：guanjia seed demo", "guanjia: usage: guanjia seed demo"},
		{[]string{"user", "add", "--username", "u1", "--password", "short"},
			"guanjia: 密码至少 8 位（password）", "guanjia: password must have at least 8 characters (password)"},
		{[]string{"user", "add", "--username", "u1", "--password", "long-enough", "--role", "boss"},
			`guanjia: 未知角色 "boss"（role）`, `guanjia: unknown role "boss" (role)`},
		{[]string{"user", "add", "--username", "u1", "--password", "long-enough", "--role", "crew"},
			"guanjia: 处置人员须指定所属单位（unit）", "guanjia: crew needs a unit (unit)"},
	}
	for _, tt := range tests {
		err := run(ctx, tt.args, io.Discard)
		if err == nil {
			t.Fatalf("%v: no error", tt.args)
		}
		for _, c := range []struct {
			env  func(string) string
			want string
		}{
			{locale(), tt.chinese},
			{locale("LANG", "zh_CN.UTF-8"), tt.chinese},
			{locale("LANG", "C.UTF-8"), tt.chinese},
			{locale("LANG", "en_US.UTF-8"), tt.english},
			{locale("LC_ALL", "zh_CN.UTF-8", "LANG", "en_US.UTF-8"), tt.chinese},
			{locale("LC_ALL", "en_GB.UTF-8", "LANG", "zh_CN.UTF-8"), tt.english},
		} {
			if got := explain(err, c.env); got != c.want {
				t.Errorf("%v: %q, want %q", tt.args, got, c.want)
			}
		}
	}
}
