package artifact

import (
	"strings"
	"testing"
)

func TestCheckPasswordByEngine(t *testing.T) {
	pg, my := "aurora-postgresql", "aurora-mysql"
	for _, tt := range []struct {
		engine, pw, want string // want: "" = accepted, else a substring of the error
	}{
		{pg, strings.Repeat("a", 8), ""},
		{pg, strings.Repeat("a", 41), ""},
		// RDS's model: 8 to 41 for every Aurora cluster, PostgreSQL too.
		{pg, strings.Repeat("a", 42), "DB_PASSWORD is 42 characters: Aurora PostgreSQL master passwords have 8 to 41"},
		{pg, "short", "DB_PASSWORD is 5 characters: Aurora PostgreSQL master passwords have 8 to 41"},
		{my, strings.Repeat("a", 41), ""},
		{my, strings.Repeat("a", 42), "DB_PASSWORD is 42 characters: Aurora MySQL master passwords have 8 to 41"},
		{pg, "with space1", "holds a character Aurora PostgreSQL refuses"},
		{my, "with/slash1", "holds a character Aurora MySQL refuses"},
		{pg, `quote"quote`, "refuses"},
		{pg, "at@at@at@", "refuses"},
		{pg, "naïve-pass", "refuses"},
	} {
		err := CheckPassword(tt.engine, tt.pw, "DB_PASSWORD")
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("%s %d chars: %v", tt.engine, len(tt.pw), err)
		case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
			t.Errorf("%s %q: err = %v, want %q", tt.engine, tt.pw, err, tt.want)
		case err != nil && strings.Contains(err.Error(), tt.pw):
			t.Errorf("the error shows the password: %v", err)
		}
	}
}

func TestRunLineLeavesNoPasswordInContainerConfig(t *testing.T) {
	line := RunLine(testArtifact())
	if strings.Contains(line, "DB_PASSWORD ") || strings.Contains(line, "DB_PASSWORD=") {
		t.Errorf("run line passes the password through the container's environment: %s", line)
	}
	if !strings.Contains(line, " -it ") || !strings.HasSuffix(line, " "+testArtifact().Image) {
		t.Errorf("run line %q: want an interactive run of the image, which prompts for the password", line)
	}
}

// A generated password passes every engine's rules, and no two are alike.
func TestGeneratePasswordFollowsAuroraRules(t *testing.T) {
	seen := map[string]bool{}
	for range 1000 {
		pw := GeneratePassword()
		for _, e := range []string{"aurora-postgresql", "aurora-mysql"} {
			if err := CheckPassword(e, pw, "generated"); err != nil {
				t.Fatalf("%s: %v", e, err)
			}
		}
		if len(pw) != 26 || seen[pw] {
			t.Fatalf("password %q: %d characters, seen before %v", pw, len(pw), seen[pw])
		}
		seen[pw] = true
	}
}
