package dockerbuild

import (
	"strings"
	"testing"
)

// The engine's load stream repeats "Loading layer" for every progress tick
// of every layer; the build's progress never repeats a line (the ticks are
// progress-bar updates, dropped from a plain log).
func TestReadMessagesOncePerLine(t *testing.T) {
	stream := `{"status":"Loading layer","progressDetail":{"current":32768,"total":5242880},"id":"5f70bf18a086"}
{"status":"Loading layer","progressDetail":{"current":2621440,"total":5242880},"id":"5f70bf18a086"}
{"status":"Loading layer","progressDetail":{"current":5242880,"total":5242880},"id":"5f70bf18a086"}
{"status":"Loading layer","progressDetail":{"current":512,"total":1024},"id":"a1b2c3d4e5f6"}
{"status":"Loading layer","progressDetail":{"current":1024,"total":1024},"id":"a1b2c3d4e5f6"}
{"stream":"Loaded image: db-artifact:latest\n"}
`
	var lines []string
	if err := readMessages(strings.NewReader(stream), func(l string) { lines = append(lines, l) }); err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, l := range lines {
		if seen[l] {
			t.Errorf("progress line %q repeated in %q", l, lines)
		}
		seen[l] = true
	}
	if !seen["Loaded image: db-artifact:latest"] {
		t.Errorf("progress lines %q lack the loaded image", lines)
	}
}
