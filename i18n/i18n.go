// Package i18n says guanjia's messages in the reader's language: Chinese by
// default, English on request (Accept-Language: en, or LANG=en_… for the
// command line).
//
// There is one catalogue, zh.go. Its keys are the English format strings
// that core code passes to guanjia.Errorf and guanjia.FieldError (and the
// credit import's row errors); its values are the Chinese. English needs no
// entries: the key is the English. Arguments are said in the reader's
// language too: a role, status or action (guanjia.Role, guanjia.Status, …)
// through the catalogue's terms, an error through its own message, and
// numbers without digit grouping (a year stays 2026, not 2,026).
package i18n

import (
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"time"

	"golang.org/x/text/language"
	"golang.org/x/text/message"
	"golang.org/x/text/message/catalog"

	"guanjia"
)

// The languages guanjia speaks; the first is the default.
var (
	Chinese = language.Chinese
	English = language.English
)

var (
	supported = []language.Tag{Chinese, English}
	matcher   = language.NewMatcher(supported)
	printers  = map[language.Tag]*message.Printer{}
)

func init() {
	b := catalog.NewBuilder(catalog.Fallback(English))
	for en, zh := range messages {
		if err := b.SetString(Chinese, en, zh); err != nil {
			panic(fmt.Sprintf("i18n: catalogue entry %q: %v", en, err))
		}
	}
	for _, t := range supported {
		printers[t] = message.NewPrinter(t, message.Catalog(b))
	}
}

// Match picks the language of an Accept-Language header: English when the
// reader prefers it, Chinese otherwise (also when the header is absent or
// malformed).
func Match(acceptLanguage string) language.Tag {
	tags, _, err := language.ParseAcceptLanguage(acceptLanguage)
	if err != nil || len(tags) == 0 {
		return Chinese
	}
	return pick(tags...)
}

// pick is the supported language closest to tags. With no real match the
// matcher guesses (English for French); a guess is the default, Chinese.
func pick(tags ...language.Tag) language.Tag {
	if _, i, c := matcher.Match(tags...); c != language.No {
		return supported[i]
	}
	return Chinese
}

// FromEnv picks the language of the command line from the POSIX locale
// variables (LC_ALL, then LC_MESSAGES, then LANG): English when the locale
// is English (en_US.UTF-8, en), Chinese otherwise.
func FromEnv(getenv func(string) string) language.Tag {
	for _, name := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		if v := getenv(name); v != "" {
			if strings.HasPrefix(v, "en") {
				return English
			}
			return Chinese
		}
	}
	return Chinese
}

func printer(tag language.Tag) *message.Printer {
	if p, ok := printers[tag]; ok {
		return p
	}
	return printers[pick(tag)]
}

func isEnglish(tag language.Tag) bool { return printer(tag) == printers[English] }

// Sprintf formats a catalogue message in the language of tag. format is the
// English, the catalogue's key; a message the catalogue lacks comes out in English.
func Sprintf(tag language.Tag, format string, args ...any) string {
	vs := verbs(format, len(args))
	local := make([]any, len(args))
	for i, a := range args {
		local[i] = localizeArg(tag, vs[i], a)
	}
	return printer(tag).Sprintf(format, local...)
}

// Text says a fixed English text (not a format) in the language of tag; a
// text the catalogue lacks is returned as it is.
func Text(tag language.Tag, s string) string {
	t, _ := Lookup(tag, s)
	return t
}

// Lookup is Text that also says whether the catalogue has s. English always has it.
func Lookup(tag language.Tag, s string) (string, bool) {
	if isEnglish(tag) {
		return s, true
	}
	if t, ok := messages[s]; ok && !strings.Contains(s, "%") {
		return t, true
	}
	return s, false
}

// Message is what a caller is told about err, in the language of tag: the
// message of the *guanjia.Error in its chain, or "internal error" (whose
// details are never shown) for anything else.
func Message(err error, tag language.Tag) string {
	var e *guanjia.Error
	if !errors.As(err, &e) {
		return Text(tag, "internal error")
	}
	if e.Format == "" { // built as a literal: Message is the key
		return Text(tag, e.Message)
	}
	return Sprintf(tag, e.Format, e.Args...)
}

// Explain is the text of err for the command line: err as Go prints it,
// with the *guanjia.Error in its chain (if any) said in the language of tag.
func Explain(err error, tag language.Tag) string {
	var e *guanjia.Error
	if !errors.As(err, &e) {
		return err.Error()
	}
	msg := Message(e, tag)
	switch {
	case e.Field == "":
	case isEnglish(tag):
		msg += " (" + e.Field + ")"
	default:
		msg += "（" + e.Field + "）"
	}
	return strings.Replace(err.Error(), e.Error(), msg, 1)
}

// Term says a word that comes into messages as an argument (a role, a
// status, an action, a kind of thing) in the language of tag. Words whose
// meaning depends on their type (a complaint that is "submitted" waits for
// dispatch, an activity that is "submitted" waits for review) are looked up
// by type first, as "guanjia.Status submitted".
func Term(tag language.Tag, v any) (string, bool) {
	rv := reflect.ValueOf(v)
	if !rv.IsValid() || rv.Kind() != reflect.String {
		return "", false
	}
	s := rv.String()
	if isEnglish(tag) {
		return s, true
	}
	if t, ok := terms[fmt.Sprintf("%T %s", v, s)]; ok {
		return t, true
	}
	t, ok := terms[s]
	return t, ok
}

// localizeArg prepares one argument of a message for tag. verb is the verb
// that prints it: a %q argument is a value as the user typed it and is never
// translated; a %s or %v one may be a term.
func localizeArg(tag language.Tag, verb rune, a any) any {
	switch v := a.(type) {
	case nil:
		return nil
	case error:
		var e *guanjia.Error
		if errors.As(v, &e) {
			return Message(e, tag)
		}
		return Text(tag, v.Error())
	case time.Duration:
		if isEnglish(tag) {
			return v.String()
		}
		return durationZh(v)
	case reflect.Type:
		if isEnglish(tag) {
			return v.String()
		}
		return kindZh(v)
	}
	rv := reflect.ValueOf(a)
	switch rv.Kind() {
	case reflect.String:
		// A named type (guanjia.Role) is a term under %s and %v; a plain
		// string only under %s, as %v prints keys and ids.
		if verb == 's' || verb == 'v' && rv.Type() != reflect.TypeFor[string]() {
			if t, ok := Term(tag, a); ok {
				return t
			}
		}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr,
		reflect.Float32, reflect.Float64:
		return plain{a}
	}
	return a
}

// plain prints a number as package fmt does: the message printer would
// group digits (2,026), which reads wrong for years, row numbers and ids.
type plain struct{ v any }

func (p plain) Format(f fmt.State, verb rune) {
	spec := []byte{'%'}
	for _, c := range "+-# 0" {
		if f.Flag(int(c)) {
			spec = append(spec, byte(c))
		}
	}
	if w, ok := f.Width(); ok {
		spec = strconv.AppendInt(spec, int64(w), 10)
	}
	if pr, ok := f.Precision(); ok {
		spec = append(spec, '.')
		spec = strconv.AppendInt(spec, int64(pr), 10)
	}
	spec = append(spec, string(verb)...)
	fmt.Fprintf(f, string(spec), p.v)
}

// verbs returns the verb that prints each of n arguments of format
// ('?' for an argument the format does not print).
func verbs(format string, n int) []rune {
	out := make([]rune, n)
	for i := range out {
		out[i] = '?'
	}
	arg := 0
	for i := 0; i < len(format); i++ {
		if format[i] != '%' {
			continue
		}
		i++
		for i < len(format) { // flags, width, precision, argument indexes
			c := format[i]
			if c == '[' {
				end := strings.IndexByte(format[i:], ']')
				if end < 0 {
					return out
				}
				if k, err := strconv.Atoi(format[i+1 : i+end]); err == nil {
					arg = k - 1
				}
				i += end + 1
				continue
			}
			if c == '*' {
				arg++
			} else if strings.IndexByte("+-# 0123456789.", c) < 0 {
				break
			}
			i++
		}
		if i >= len(format) {
			break
		}
		if format[i] == '%' {
			continue
		}
		if arg >= 0 && arg < n {
			out[arg] = rune(format[i]) // verbs are ASCII
		}
		arg++
	}
	return out
}

// durationZh says a duration as people write it: 2小时, 1小时30分钟, 45分钟.
func durationZh(d time.Duration) string {
	if d < time.Minute {
		return fmt.Sprintf("%d秒", int(d/time.Second))
	}
	var b strings.Builder
	if days := d / (24 * time.Hour); days > 0 && d%(24*time.Hour) == 0 {
		return fmt.Sprintf("%d天", days)
	}
	if h := d / time.Hour; h > 0 {
		fmt.Fprintf(&b, "%d小时", h)
	}
	if m := d % time.Hour / time.Minute; m > 0 {
		fmt.Fprintf(&b, "%d分钟", m)
	}
	return b.String()
}

// kindZh names the JSON type a Go type is read from.
func kindZh(t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.String:
		return "字符串"
	case reflect.Bool:
		return "布尔值（true 或 false）"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64,
		reflect.Float32, reflect.Float64:
		return "数字"
	case reflect.Slice, reflect.Array:
		return "数组"
	case reflect.Map, reflect.Struct:
		return "对象"
	}
	return t.String()
}
