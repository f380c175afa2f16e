package cli

import (
	"bytes"
	"context"
	"encoding/pem"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/dbaf/dbaf/artifact"
	"github.com/dbaf/dbaf/db"
)

// asDbafEnv, set, makes this test binary run as dbaf (its arguments after
// "--" are dbaf's): the printed lines' "docker run … IMAGE" stands for it.
const asDbafEnv = "DBAF_TEST_RUN_AS_DBAF"

func init() {
	if os.Getenv(asDbafEnv) == "" {
		return
	}
	args := os.Args[1:]
	if i := slices.Index(args, "--"); i >= 0 {
		args = args[i+1:]
	}
	f := NewFactory(IOStreams{In: os.Stdin, Out: os.Stdout, ErrOut: os.Stderr, IsTerminal: func() bool { return false }},
		os.Getenv, os.Environ, "test")
	os.Exit(Run(context.Background(), f, args))
}

// certs are the DER certificates of a PEM bundle, failing on anything else.
func certs(t *testing.T, pemCerts []byte) [][]byte {
	t.Helper()
	var out [][]byte
	for rest := pemCerts; ; {
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil {
			if len(bytes.TrimSpace(rest)) != 0 {
				t.Fatalf("not PEM after %d certificates: %.60q", len(out), rest)
			}
			break
		}
		if b.Type != "CERTIFICATE" {
			t.Fatalf("PEM block %q, want CERTIFICATE", b.Type)
		}
		out = append(out, b.Bytes)
	}
	if len(out) == 0 {
		t.Fatal("no certificate")
	}
	return out
}

func TestCABundlePrintsTheBundleDbafVerifiesWith(t *testing.T) {
	t.Parallel()
	t.Run("embedded", func(t *testing.T) {
		r := run(t, map[string]string{"XDG_CACHE_HOME": t.TempDir()}, "ca-bundle")
		if r.code != 0 {
			t.Fatalf("exit %d: %s", r.code, r.stderr)
		}
		if got, want := certs(t, []byte(r.stdout)), certs(t, db.RDSBundle()); !slices.EqualFunc(got, want, bytes.Equal) {
			t.Errorf("printed %d certificates, not the embedded bundle's %d", len(got), len(want))
		}
	})
	one := certs(t, db.RDSBundle())[0]
	file := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(file, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: one}), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		env  map[string]string
		args []string
	}{
		{"flag", nil, []string{"--ca-bundle", file, "ca-bundle"}},
		{"env", map[string]string{"DBAF_CA_BUNDLE": file}, []string{"ca-bundle"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := run(t, tc.env, tc.args...)
			if got := certs(t, []byte(r.stdout)); r.code != 0 || len(got) != 1 || !bytes.Equal(got[0], one) {
				t.Errorf("exit %d, %d certificates, want the file's one: %s", r.code, len(got), r.stderr)
			}
		})
	}
	t.Run("not a bundle", func(t *testing.T) {
		r := run(t, nil, "--ca-bundle", filepath.Join(t.TempDir(), "missing.pem"), "ca-bundle")
		if r.code != ExitBadInput || r.stdout != "" || !strings.Contains(r.stderr, "--ca-bundle") {
			t.Errorf("exit %d, want %d naming --ca-bundle:\n%s%s", r.code, ExitBadInput, r.stdout, r.stderr)
		}
	})
}

// The psql and mysql lines dbaf prints from inside its artifact image save
// the image's bundle on the host and name it: run as printed by a real
// shell, with this test binary as the image, the file is the bundle and
// the client gets its path.
func TestPrintedInImageConnectionSavesTheBundle(t *testing.T) {
	t.Parallel()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	c := artifact.Commands{InImage: "reg.example/db:7"}
	for _, tc := range []struct {
		target db.Target
		caArg  func(path string) string
	}{
		{db.Target{Engine: db.EnginePostgres, Host: "c1.rds.example", Port: 5432, User: "postgres", Database: "app"},
			func(path string) string {
				return "host=c1.rds.example port=5432 user=postgres dbname=app sslmode=verify-full sslrootcert=" + path
			}},
		{db.Target{Engine: db.EngineMySQL, Host: "c1.rds.example", Port: 3306, User: "admin"},
			func(path string) string { return "--ssl-ca=" + path }},
	} {
		t.Run(tc.target.Engine, func(t *testing.T) {
			line := c.Connection(tc.target)
			home := t.TempDir()
			// docker stands for the image: it must be run as
			// "docker run --rm IMAGE ca-bundle", which this binary
			// answers as dbaf would in it; the client prints its
			// arguments.
			stubs := `docker() { [ "$1 $2 $3" = "run --rm reg.example/db:7" ] || { echo "docker $*" >&2; exit 9; }; shift 3; ` +
				asDbafEnv + `=1 XDG_CACHE_HOME= ` + artifact.ShellQuote(exe) + ` -- "$@"; }; ` +
				`psql() { printf '%s\0' "$@"; }; mysql() { printf '%s\0' "$@"; }; `
			cmd := exec.Command("sh", "-c", stubs+line)
			cmd.Env = append(os.Environ(), "HOME="+home)
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			out, err := cmd.Output()
			if err != nil {
				t.Fatalf("sh -c %q: %v\n%s", line, err, stderr.String())
			}
			path := filepath.Join(home, ".cache", "dbaf", "rds-ca.pem")
			saved, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if got, want := certs(t, saved), certs(t, db.RDSBundle()); !slices.EqualFunc(got, want, bytes.Equal) {
				t.Errorf("saved %d certificates, not the embedded bundle's %d", len(got), len(want))
			}
			if args := strings.Split(string(out), "\x00"); !slices.Contains(args, tc.caArg(path)) {
				t.Errorf("line %s\ngave the client %q, want %q among them", line, args, tc.caArg(path))
			}
		})
	}
}
