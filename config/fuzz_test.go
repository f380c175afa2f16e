package config

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

// FuzzParse feeds arbitrary bytes to Parse. Nothing may panic; every error
// must be a *Error (so the CLI maps it to "bad input") and never an
// internal error; the locator and ini.v1 must agree on every line the
// locator lets through (else Parse says it "cannot read" it); and a
// config that parses and validates must survive Write -> Parse unchanged,
// with Write's output a fixed point. Seeds: testdata/fuzz/FuzzParse.
func FuzzParse(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		c, warnings, err := Parse("fuzz.ini", data)
		for _, w := range warnings {
			if w.File != "fuzz.ini" || w.String() == "" {
				t.Fatalf("bad warning %#v", w)
			}
		}
		if err != nil && strings.Contains(err.Error(), ": cannot read the ") {
			t.Fatalf("the locator let through what ini.v1 reads otherwise: %v", err)
		}
		if err != nil {
			if c != nil {
				t.Fatalf("Parse returned a config and an error: %v", err)
			}
			checkConfigErrors(t, err)
			return
		}
		if err := c.Validate(); err != nil {
			checkConfigErrors(t, err)
			return
		}
		var out bytes.Buffer
		if err := c.Write(&out); err != nil {
			t.Fatalf("Write of a valid config: %v", err)
		}
		c2, w2, err := Parse("roundtrip.ini", out.Bytes())
		if err != nil || len(w2) > 0 {
			t.Fatalf("written config does not parse cleanly: %v %v\n%s", err, w2, out.String())
		}
		if err := c2.Validate(); err != nil {
			t.Fatalf("written config does not validate: %v\n%s", err, out.String())
		}
		if diff := configDiff(c, c2); diff != "" {
			t.Fatalf("round trip changed the config: %s\n%s", diff, out.String())
		}
		var out2 bytes.Buffer
		if err := c2.Write(&out2); err != nil || !bytes.Equal(out.Bytes(), out2.Bytes()) {
			t.Fatalf("Write is not a fixed point (%v):\n%s\n---\n%s", err, out.String(), out2.String())
		}
	})
}

// checkConfigErrors asserts err is a *Error or a join of them, none of
// them internal.
func checkConfigErrors(t *testing.T, err error) {
	t.Helper()
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		for _, e := range j.Unwrap() {
			checkConfigErrors(t, e)
		}
		return
	}
	e, ok := err.(*Error)
	if !ok {
		t.Fatalf("error %T is not a *config.Error: %v", err, err)
	}
	if strings.Contains(e.Problem, "internal error") {
		t.Fatalf("internal error: %v", e)
	}
	if !errors.As(err, new(*Error)) {
		t.Fatalf("errors.As fails on %v", err)
	}
}
