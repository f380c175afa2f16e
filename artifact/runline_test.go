package artifact

import "testing"

// The run line works where the artifact is: AWS, the sandbox, a registry.
func TestRunLineFor(t *testing.T) {
	for _, tc := range []struct {
		image   string
		sandbox bool
		want    string
	}{
		{"db-artifact:latest", false, "docker run --rm -it -v ~/.aws:/root/.aws:ro -e AWS_PROFILE db-artifact:latest"},
		{"db-artifact:latest", true, "dbaf --sandbox clone --image db-artifact:latest"},
		{"registry.example.com/team/db:1", false, "docker run --rm -it -v ~/.aws:/root/.aws:ro -e AWS_PROFILE registry.example.com/team/db:1"},
	} {
		if got := RunLineFor(tc.image, tc.sandbox); got != tc.want {
			t.Errorf("RunLineFor(%q, %v) = %q, want %q", tc.image, tc.sandbox, got, tc.want)
		}
	}
	a := &Artifact{Image: "x:1"}
	if RunLine(a) != RunLineFor("x:1", false) {
		t.Errorf("RunLine(a) = %q", RunLine(a))
	}
	if a.Sandbox = true; RunLine(a) != "dbaf --sandbox clone --image x:1" {
		t.Errorf("RunLine of a sandbox artifact = %q", RunLine(a))
	}
}
