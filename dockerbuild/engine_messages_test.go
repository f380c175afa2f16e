package dockerbuild

import (
	"strings"
	"testing"
)

// The engine's load stream repeats "Loading layer" for every progress tick
// of every layer; the build's progress shows it once.
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
	if got, want := strings.Join(lines, "|"), "Loading layer|Loaded image: db-artifact:latest"; got != want {
		t.Errorf("progress lines %q, want %q", got, want)
	}
}
