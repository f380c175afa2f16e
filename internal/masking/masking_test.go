package masking

import (
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	good := map[string]Strategy{
		"keep": {Kind: Keep}, "NULL": {Kind: Null}, "redact": {Kind: Redact}, "redact:4": {Kind: Redact, Keep: 4},
		"hash": {Kind: Hash}, "email": {Kind: Email}, "name": {Kind: Name}, "phone": {Kind: Phone},
		"literal:REDACTED": {Kind: Literal, Value: "REDACTED"}, "literal:a:b c": {Kind: Literal, Value: "a:b c"},
		"literal:": {Kind: Literal},
		// Backquotes around TEXT are quoting, not TEXT.
		"literal:`a; b #c`": {Kind: Literal, Value: "a; b #c"}, "literal:``": {Kind: Literal},
		"literal:``x``": {Kind: Literal, Value: "`x`"}, "literal:`x": {Kind: Literal, Value: "`x"},
	}
	for in, want := range good {
		got, err := Parse(in)
		if err != nil || got != want {
			t.Errorf("Parse(%q) = %+v, %v; want %+v", in, got, err, want)
		}
		if again, err := Parse(got.String()); err != nil || again != got {
			t.Errorf("Parse(%q.String() = %q) = %+v, %v", in, got.String(), again, err)
		}
	}
	bad := map[string]string{
		"scramble": "use keep, null", "redact:x": "redact:4", "redact:-1": "whole number",
		"hash:sha1": "takes no argument", "literal": "literal:TEXT", "": "unknown",
	}
	for in, hint := range bad {
		_, err := Parse(in)
		if err == nil || !strings.Contains(err.Error(), hint) || !strings.Contains(err.Error(), in) {
			t.Errorf("Parse(%q) error = %v; want one naming the input and saying %q", in, err, hint)
		}
	}
}
