package dockerbuild

import (
	"slices"
	"strings"
	"testing"
)

func TestReadMessages(t *testing.T) {
	stream := `{"stream":"Loaded image: db-artifact:latest\n"}
{"status":"Loading layer","progressDetail":{"current":512,"total":1024},"id":"5f70bf18a086"}
{"status":"Loading layer","id":"5f70bf18a086"}
{"stream":"\n"}
{"stream":"two\nlines\n"}
`
	var got []string
	if err := readMessages(strings.NewReader(stream), func(l string) { got = append(got, l) }); err != nil {
		t.Fatal(err)
	}
	// Progress-bar updates are dropped: they would flood a plain log.
	want := []string{"Loaded image: db-artifact:latest", "5f70bf18a086: Loading layer", "two", "lines"}
	if !slices.Equal(got, want) {
		t.Errorf("lines = %q, want %q", got, want)
	}

	err := readMessages(strings.NewReader(stream+`{"errorDetail":{"message":"invalid tar header"},"error":"invalid tar header"}
{"stream":"after the error\n"}
`), nil)
	if err == nil || err.Error() != "invalid tar header" {
		t.Errorf("error = %v, want the engine's message", err)
	}
	if err := readMessages(strings.NewReader(`{"stream":`), nil); err == nil {
		t.Error("a cut-off stream read as complete")
	}
}

func TestHumanSize(t *testing.T) {
	for n, want := range map[int64]string{
		0:          "0 B",
		999:        "999 B",
		1000:       "1.0 kB",
		24_872_561: "24.9 MB",
		3 << 30:    "3.2 GB",
	} {
		if got := HumanSize(n); got != want {
			t.Errorf("HumanSize(%d) = %q, want %q", n, got, want)
		}
	}
}
