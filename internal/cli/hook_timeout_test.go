package cli

// The post-clone hooks' time limit through `dbaf clone`, against an
// in-process sandbox whose prod-aurora is a real PostgreSQL server.

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dbaf/dbaf/internal/sandbox"
	"github.com/dbaf/dbaf/internal/sandbox/dbserver"
	"github.com/dbaf/dbaf/internal/testenv"
)

// A hook that hangs is stopped at --hook-timeout: the clone fails (exit 5)
// naming the hook, its line and the limit, after a hook_started event that
// named it; the clone, never handed over, is torn down.
func TestCloneHookTimeout(t *testing.T) {
	t.Parallel()
	testenv.Need(t, "initdb", "--version")
	sb := startSandboxWith(t, sandbox.Options{Pace: 0.05, DBSources: []string{"prod-aurora"},
		Databases: &dbserver.Config{StateDir: t.TempDir(), AddrBase: "127.84", TemplateDir: testenv.TemplateDir()}})
	ini := writeINI(t, fmt.Sprintf(prodINI, "db-artifact:unused")+"[hooks]\npost_clone = hooks/hung.sql\n")
	if err := os.MkdirAll(filepath.Join(filepath.Dir(ini), "hooks"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(filepath.Dir(ini), "hooks", "hung.sql"), []byte("SELECT 1;\nSELECT pg_sleep(600);\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	c := cmdRun{sandbox: sb, env: map[string]string{"DB_PASSWORD": testPassword, "DBAF_POLL_INTERVAL": "100ms"}}

	bad := c.run(t, "clone", "--config", ini, "--name", "hung", "--hook-timeout", "0s")
	if bad.code != ExitBadInput || !strings.Contains(bad.stderr, "--hook-timeout 0s") {
		t.Errorf("--hook-timeout 0s: exit %d\n%s", bad.code, bad.stderr)
	}

	r := c.run(t, "clone", "--config", ini, "--name", "hung", "--hook-timeout", "2s", "-o", "json")
	if r.code != ExitCloneFailed {
		t.Fatalf("clone with a hung hook: exit %d, want %d\n%s%s", r.code, ExitCloneFailed, r.stdout, r.stderr)
	}
	if !strings.Contains(r.stdout, `"event":"hook_started"`) || !strings.Contains(r.stdout, `"hook":"hooks/hung.sql"`) {
		t.Errorf("no hook_started event naming the hook:\n%s", r.stdout)
	}
	for _, want := range []string{"hooks/hung.sql:2", "within 2s", "--hook-timeout", "torn down"} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("message lacks %q:\n%s", want, r.stderr)
		}
	}
}
