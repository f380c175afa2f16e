package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dbaf/dbaf/internal/testenv"
)

// TestBuildMaskedExample builds examples/masked_artifact_config.ini: the
// image carries the masking rules and the hook files (show lists them with
// no network and no files beside it), and building again gives the same
// image ID.
func TestBuildMaskedExample(t *testing.T) {
	t.Parallel()
	testenv.NeedDocker(t)
	tag := uniqueTag(t, "masked")
	ini := filepath.Join("examples", "masked_artifact_config.ini")
	first := runDbaf(t, nil, "--sandbox", "build", ini, "--yes", "--tag", tag)
	if first.code != 0 {
		t.Fatalf("build exit %d\nstdout:\n%s\nstderr:\n%s", first.code, first.stdout, first.stderr)
	}
	id := field(first.stdout, "id")
	if !strings.HasPrefix(id, "sha256:") {
		t.Fatalf("result lines:\n%s", first.stdout)
	}

	out, err := exec.Command("docker", "run", "--rm", "--network", "none", tag, "show").CombinedOutput()
	if err != nil {
		t.Fatalf("docker run show: %v\n%s", err, out)
	}
	grants, err := os.ReadFile(filepath.Join("examples", "sql", "grants.sql"))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"masking     6 columns, masked on every clone before handover\n",
		"              legacy.customers.email = email\n" +
			"              legacy.customers.phone = null\n" +
			"              legacy.customers.national_id = redact:4\n" +
			"              legacy.customers.full_name = name\n" +
			"              legacy.payments.iban = hash\n" +
			"              legacy.customers.date_of_birth = keep\n",
		"hooks       2 SQL files run after masking, in order\n",
		fmt.Sprintf("              sql/grants.sql (%d lines of SQL)\n", strings.Count(string(grants), "\n")),
		"              sql/cleanup.sql (",
	}
	for _, w := range want {
		if !strings.Contains(string(out), w) {
			t.Errorf("show output lacks %q:\n%s", w, out)
		}
	}

	// The hooks' SQL itself is in the image's artifact file.
	shown := runDbaf(t, nil, "show", "--image", tag, "-o", "json")
	if shown.code != 0 || !strings.Contains(shown.stdout, "GRANT SELECT ON ALL TABLES IN SCHEMA legacy TO analyst") {
		t.Errorf("show --image -o json: exit %d, hook SQL missing\n%s%s", shown.code, shown.stdout, shown.stderr)
	}

	second := runDbaf(t, nil, "--sandbox", "build", ini, "--yes", "--tag", tag)
	if second.code != 0 || field(second.stdout, "id") != id {
		t.Errorf("second build: exit %d id %q, want %q\n%s", second.code, field(second.stdout, "id"), id, second.stderr)
	}
}

// TestBuildMaskingErrors: bad [masking] and [hooks] values stop the build
// with exit 2 and a message naming file, line and key, before any image.
func TestBuildMaskingErrors(t *testing.T) {
	t.Parallel()
	base := fmt.Sprintf(prodINI, "dbaf-e2e-never:latest")
	tests := []struct{ name, extra, want string }{
		{"unknown strategy", "[masking]\nlegacy.customers.email = scramble\n",
			`:11: [masking] legacy.customers.email: unknown masking strategy "scramble": use keep, null, redact[:N]`},
		{"malformed column", "[masking]\ncustomers.email = null\n",
			`:11: [masking] customers.email: "customers.email" is not a column path; want schema.table.column`},
		{"missing hook", "[hooks]\npost_clone = sql/nope.sql\n",
			`:11: [hooks] post_clone: hook "sql/nope.sql" (`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ini := writeINI(t, base+tt.extra)
			r := runDbaf(t, nil, "--sandbox", "build", ini, "--yes")
			if r.code != 2 || !strings.Contains(r.stderr, "dbaf: "+ini+tt.want) {
				t.Errorf("exit %d, want 2 and %q in\n%s", r.code, ini+tt.want, r.stderr)
			}
		})
	}
}
