package testenv

import (
	"encoding/json"
	"strings"
	"testing"
)

// LastJSONEvent decodes the last line of a -o json run.
func LastJSONEvent(t testing.TB, stdout string) map[string]any {
	t.Helper()
	lines := strings.Split(strings.TrimSpace(stdout), "\n")
	var ev map[string]any
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &ev); err != nil {
		t.Fatalf("last line is not JSON: %v\n%s", err, stdout)
	}
	return ev
}

// CountEvents counts the events of these kinds in a -o json run's output
// (the callers pass artifact.FinalKinds(): testenv may not import artifact,
// whose own dependencies' tests use testenv).
func CountEvents(stdout string, kinds []string) int {
	n := 0
	for _, kind := range kinds {
		n += strings.Count(stdout, `"event":"`+kind+`"`)
	}
	return n
}
