package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// runApp runs one command line in-process with env as its environment.
func runApp(t *testing.T, env map[string]string, args ...string) (code int, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	f := NewFactory(IOStreams{In: strings.NewReader(""), Out: &out, ErrOut: &errOut, IsTerminal: func() bool { return false }},
		func(k string) string { return env[k] }, func() []string { return nil }, "test")
	code = Run(context.Background(), f, args)
	return code, errOut.String()
}

func TestPollIntervalIsFlooredAndChecked(t *testing.T) {
	for _, tt := range []struct{ value, want string }{
		{"1ns", `DBAF_POLL_INTERVAL=1ns is below the minimum 100ms`},
		{"99ms", `DBAF_POLL_INTERVAL=99ms is below the minimum 100ms`},
		{"fast", `DBAF_POLL_INTERVAL="fast" is not a duration`},
		{"-1s", `DBAF_POLL_INTERVAL=-1s is below the minimum 100ms`},
	} {
		code, stderr := runApp(t, map[string]string{"DBAF_POLL_INTERVAL": tt.value}, "teardown", "some-stack", "--yes")
		if code != ExitBadInput || !strings.Contains(stderr, tt.want) {
			t.Errorf("%s: exit %d, stderr %q; want exit 2 and %q", tt.value, code, stderr, tt.want)
		}
	}
	for _, v := range []string{"", "100ms", "2s"} {
		d, err := parsePollInterval(v)
		if err != nil || d < minPollInterval {
			t.Errorf("%q: %v, %v", v, d, err)
		}
	}
	if d, _ := parsePollInterval("250ms"); d != 250*time.Millisecond {
		t.Errorf("250ms read as %v", d)
	}
}

func TestPasswordFile(t *testing.T) {
	dir := t.TempDir()
	write := func(name, data string, mode os.FileMode) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(data), mode); err != nil {
			t.Fatal(err)
		}
		return p
	}
	a := func(env map[string]string) *Factory {
		return NewFactory(IOStreams{In: strings.NewReader(""), IsTerminal: func() bool { return false }},
			func(k string) string { return env[k] }, nil, "test")
	}

	good := write("pw", "s3cret-pass-from-file\nsecond line\n", 0o600)
	pw, source, err := a(map[string]string{"DB_PASSWORD_FILE": good}).password(&CloneOptions{}, false)
	if err != nil || pw != "s3cret-pass-from-file" || !strings.Contains(source, "DB_PASSWORD_FILE") {
		t.Errorf("password file: %q from %q, %v", pw, source, err)
	}
	crlf := write("crlf", "s3cret-pass\r\n", 0o600)
	if pw, _, err := a(map[string]string{"DB_PASSWORD_FILE": crlf}).password(&CloneOptions{}, false); err != nil || pw != "s3cret-pass" {
		t.Errorf("CRLF file: %q, %v", pw, err)
	}
	// DB_PASSWORD keeps working.
	if pw, source, err := a(map[string]string{"DB_PASSWORD": "s3cret-env"}).password(&CloneOptions{}, false); err != nil || pw != "s3cret-env" || source != "DB_PASSWORD" {
		t.Errorf("DB_PASSWORD: %q from %q, %v", pw, source, err)
	}

	for _, tt := range []struct {
		name string
		env  map[string]string
		want []string
	}{
		{"missing", map[string]string{"DB_PASSWORD_FILE": filepath.Join(dir, "nope")},
			[]string{"DB_PASSWORD_FILE=" + filepath.Join(dir, "nope"), "no such file", "/run/secrets/db_password"}},
		{"directory", map[string]string{"DB_PASSWORD_FILE": dir}, []string{"DB_PASSWORD_FILE=" + dir, "cannot read it"}},
		{"empty", map[string]string{"DB_PASSWORD_FILE": write("empty", "\n", 0o600)}, []string{"first line is empty"}},
		{"both", map[string]string{"DB_PASSWORD_FILE": good, "DB_PASSWORD": "s3cret-env"}, []string{"both set"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := a(tt.env).password(&CloneOptions{}, false)
			if err == nil || ExitCode(context.Background(), err) != ExitBadInput {
				t.Fatalf("err = %v, want a bad-input error", err)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error lacks %q: %v", w, err)
				}
			}
			if strings.Contains(err.Error(), "s3cret") {
				t.Errorf("error shows the password: %v", err)
			}
		})
	}
}
