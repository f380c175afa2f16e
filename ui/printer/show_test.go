package printer

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/dbaf/dbaf/artifact"
	"github.com/dbaf/dbaf/ui/internal/uitest"
)

// show prints the TTL the way the INI says it, not as a Go duration.
func TestShowArtifactTTL(t *testing.T) {
	for d, want := range map[time.Duration]string{36 * time.Hour: "1d12h", 72 * time.Hour: "3d", 90 * time.Minute: "1h30m"} {
		a := uitest.Artifact()
		a.CloneTTL = artifact.Duration(d)
		var b strings.Builder
		ShowArtifact(&b, a)
		if !strings.Contains(b.String(), "ttl         "+want+"\n") {
			t.Errorf("%s: want ttl %s in\n%s", d, want, b.String())
		}
	}
}

// show lists the masking rules in order and each hook with its size.
func TestShowArtifactMaskingAndHooks(t *testing.T) {
	a := uitest.Artifact()
	var b strings.Builder
	ShowArtifact(&b, a)
	if strings.Contains(b.String(), "masking") || strings.Contains(b.String(), "hooks") {
		t.Errorf("an artifact without rules or hooks shows them:\n%s", b.String())
	}

	a.Masking = []artifact.MaskRule{{Column: "legacy.customers.email", Strategy: "email"}, {Column: "legacy.customers.national_id", Strategy: "redact:4"}}
	a.Hooks = []artifact.Hook{{Name: "sql/grants.sql", SQL: "CREATE ROLE analyst;\nGRANT SELECT ON legacy.customers TO analyst;\n"}, {Name: "sql/cleanup.sql", SQL: "DELETE FROM legacy.sessions;"}}
	b.Reset()
	ShowArtifact(&b, a)
	want := "" +
		"masking     2 columns, masked on every clone before handover\n" +
		"              legacy.customers.email = email\n" +
		"              legacy.customers.national_id = redact:4\n" +
		"hooks       2 SQL files run after masking, in order\n" +
		"              sql/grants.sql (2 lines of SQL)\n" +
		"              sql/cleanup.sql (1 line of SQL)\n"
	if !strings.Contains(b.String(), want) {
		t.Errorf("want\n%s\nin\n%s", want, b.String())
	}
}

// show of an artifact built against the sandbox gives the sandbox's run
// line, which works, not the real-AWS docker run line, which does not.
func TestShowArtifactBuiltInTheSandbox(t *testing.T) {
	a := uitest.Artifact()
	data, err := json.Marshal(a)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	ShowArtifact(&b, a)
	if !strings.Contains(b.String(), "clone with  docker run --rm -it -v ~/.aws") {
		t.Errorf("an AWS artifact's run line:\n%s", b.String())
	}
	// The artifact file as a sandbox build writes it into the image.
	data = []byte(strings.Replace(string(data), `"region"`, `"sandbox":true,"region"`, 1))
	sb, err := artifact.Parse(data)
	if err != nil || !sb.Sandbox {
		t.Fatalf("Parse = %+v, %v", sb, err)
	}
	b.Reset()
	ShowArtifact(&b, sb)
	if want := "clone with  dbaf --sandbox clone --image " + a.Image + "\n"; !strings.Contains(b.String(), want) || strings.Contains(b.String(), "docker run") {
		t.Errorf("a sandbox artifact's run line: want %q in\n%s", want, b.String())
	}
}
