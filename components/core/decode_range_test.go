package core

import (
	"strings"
	"testing"
)

// A number that does not fit its field is named at the field, not as the
// whole object that "cannot be read".
func TestDecodeObjectNamesANumberOutOfRange(t *testing.T) {
	type inner struct {
		N int     `json:"n"`
		U uint8   `json:"u"`
		F float64 `json:"f"`
	}
	var out struct {
		In inner `json:"in"`
	}
	for raw, want := range map[string]string{
		`{"in":{"n":1e20}}`:  "wedsync:x.in.n = 1e+20: out of range",
		`{"in":{"n":1.5}}`:   "wedsync:x.in.n = 1.5: out of range: want a whole number",
		`{"in":{"u":256}}`:   "wedsync:x.in.u = 256: out of range: want a whole number from 0 to 255",
		`{"in":{"u":-1}}`:    "wedsync:x.in.u = -1: out of range",
		`{"in":{"f":1e308}}`: "",
		`{"in":{"n":42}}`:    "",
	} {
		p := &Problems{}
		DecodeObject(p, "wedsync:x", raw, &out)
		got := ""
		if err := p.Err(); err != nil {
			got = err.Error()
		}
		if want == "" && got != "" || !strings.Contains(got, want) {
			t.Errorf("%s: got %q, want %q", raw, got, want)
		}
	}
}
