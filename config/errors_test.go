package config

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

func TestErrorFormat(t *testing.T) {
	tests := []struct {
		err  Error
		want string
	}{
		{Error{File: "artifact_config.ini", Line: 4, Section: "target_db", Key: "subnet_ids",
			Problem: `"subnet-1" is not a subnet id`, Hint: `want "source" or two or more ids like subnet-0a1b2c3d, separated by commas`},
			`artifact_config.ini:4: [target_db] subnet_ids: "subnet-1" is not a subnet id; want "source" or two or more ids like subnet-0a1b2c3d, separated by commas`},
		{Error{File: "a.ini", Section: "target_db", Key: "instance_type", Problem: "missing"},
			"a.ini: [target_db] instance_type: missing"},
		{Error{File: "a.ini", Line: 3, Problem: `unclosed section header "[x"`, Hint: "want [name]"},
			`a.ini:3: unclosed section header "[x"; want [name]`},
		{Error{File: "a.ini", Problem: "no such file"}, "a.ini: no such file"},
		{Error{Section: "target_db", Key: "instance_type", Problem: "bad"}, "[target_db] instance_type: bad"},
		{Error{Key: "nope", Problem: "unknown key"}, "nope: unknown key"},
		{Error{Line: 2, Section: "x", Problem: "p"}, "line 2: [x]: p"},
	}
	for _, tt := range tests {
		if got := tt.err.Error(); got != tt.want {
			t.Errorf("got  %s\nwant %s", got, tt.want)
		}
	}
}

func TestWarningFormat(t *testing.T) {
	w := Warning{File: "a.ini", Line: 7, Section: "target_db", Key: "instanse_type", Message: "unknown key, ignored; did you mean instance_type?"}
	if got, want := w.String(), "a.ini:7: [target_db] instanse_type: unknown key, ignored; did you mean instance_type?"; got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

func TestErrorsAs(t *testing.T) {
	_, _, err := Parse("a.ini", []byte("[target_db]\ninstance_type = x\nsubnet_ids = y\n"))
	var e *Error
	if !errors.As(err, &e) || e.Line != 2 {
		t.Fatalf("errors.As on a joined error: %v %#v", err, e)
	}
	wrapped := fmt.Errorf("--instance-class: %w", (&Config{}).Set("instance_type", "x"))
	if !errors.As(wrapped, new(*Error)) {
		t.Fatalf("errors.As on a wrapped Set error failed")
	}
}

func TestQuoteShortens(t *testing.T) {
	got := quote(strings.Repeat("é", 100))
	if !strings.HasSuffix(got, `"…`) || len(got) > maxQuoted+8 {
		t.Errorf("quote of a long value: %s", got)
	}
	if got := quote("a\x00b"); got != `"a\x00b"` {
		t.Errorf("quote keeps control characters visible: %s", got)
	}
}
