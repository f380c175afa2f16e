package db

import (
	"strings"
	"testing"
)

func TestParseStrategy(t *testing.T) {
	good := map[string]Strategy{
		"keep": {Kind: Keep}, "NULL": {Kind: Null}, "redact": {Kind: Redact}, "redact:4": {Kind: Redact, Keep: 4},
		"hash": {Kind: Hash}, "email": {Kind: Email}, "name": {Kind: Name}, "phone": {Kind: Phone},
		"literal:REDACTED": {Kind: Literal, Value: "REDACTED"}, "literal:a:b c": {Kind: Literal, Value: "a:b c"},
		"literal:": {Kind: Literal},
	}
	for in, want := range good {
		got, err := ParseStrategy(in)
		if err != nil || got != want {
			t.Errorf("ParseStrategy(%q) = %+v, %v; want %+v", in, got, err, want)
		}
		if again, err := ParseStrategy(got.String()); err != nil || again != got {
			t.Errorf("ParseStrategy(%q.String() = %q) = %+v, %v", in, got.String(), again, err)
		}
	}
	bad := map[string]string{
		"scramble": "use keep, null", "redact:x": "redact:4", "redact:-1": "whole number",
		"hash:sha1": "takes no argument", "literal": "literal:TEXT", "": "unknown",
	}
	for in, hint := range bad {
		_, err := ParseStrategy(in)
		if err == nil || !strings.Contains(err.Error(), hint) || !strings.Contains(err.Error(), in) {
			t.Errorf("ParseStrategy(%q) error = %v; want one naming the input and saying %q", in, err, hint)
		}
	}
}
