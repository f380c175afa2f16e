package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestBuildRefusesHooksOutsideTheINIsDirectory: `dbaf build` of an INI
// whose post_clone names a file outside the INI's directory (an absolute
// path, a "..", a symbolic link leading out) exits 2 naming the hook,
// before any AWS or Docker work, and the file's text is nowhere.
func TestBuildRefusesHooksOutsideTheINIsDirectory(t *testing.T) {
	sb := startSandbox(t)
	outside := t.TempDir()
	const secretText = "-- the build machine's own file"
	secret := filepath.Join(outside, "secret.sql")
	if err := os.WriteFile(secret, []byte(secretText), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ name, hooks, says string }{
		// The scratch path may be longer than a message quotes whole.
		{"absolute", secret, `is an absolute path`},
		{"/etc/shadow", "/etc/shadow", `"/etc/shadow" is an absolute path`},
		{"dot-dot", "../" + filepath.Base(outside) + "/secret.sql", `climbs out of the INI's directory with ".."`},
		{"symbolic link", "link.sql", `hook "link.sql" (`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ini := writeINI(t, fmt.Sprintf(prodINI, "db-artifact:unused")+"[hooks]\npost_clone = "+tc.hooks+"\n")
			if err := os.Symlink(secret, filepath.Join(filepath.Dir(ini), "link.sql")); err != nil {
				t.Fatal(err)
			}
			for _, output := range []string{"text", "json"} {
				r := cmdRun{sandbox: sb}.run(t, "build", ini, "--yes", "-o", output)
				if r.code != ExitBadInput || !strings.Contains(r.stdout+r.stderr, tc.says) ||
					!strings.Contains(r.stdout+r.stderr, "inside the INI's directory") {
					t.Errorf("-o %s: exit %d, want 2 saying %q:\n%s%s", output, r.code, tc.says, r.stdout, r.stderr)
				}
				if tc.name == "symbolic link" && !strings.Contains(r.stdout+r.stderr, "a symbolic link to "+secret+", outside the INI's directory") {
					t.Errorf("-o %s: the link's target is not named:\n%s%s", output, r.stdout, r.stderr)
				}
				if strings.Contains(r.stdout+r.stderr, secretText) || strings.Contains(r.stdout+r.stderr, "Docker engine") {
					t.Errorf("-o %s: the build read the file or reached Docker:\n%s%s", output, r.stdout, r.stderr)
				}
			}
		})
	}
}
