package testenv

import (
	"encoding/json"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// EventsSchemaPath is artifact/events.schema.json, the contract of every
// -o json event stream, found from this file's place in the source tree
// (testenv may not import artifact, whose own dependencies' tests use it).
func EventsSchemaPath() string {
	_, here, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(here), "..", "..", "artifact", "events.schema.json")
}

var eventsSchema = sync.OnceValues(func() (*jsonschema.Schema, error) {
	f, err := os.Open(EventsSchemaPath())
	if err != nil {
		return nil, err
	}
	defer f.Close()
	doc, err := jsonschema.UnmarshalJSON(f)
	if err != nil {
		return nil, err
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat() // "time" and the other date-times are checked, not only described
	if err := c.AddResource("events.schema.json", doc); err != nil {
		return nil, err
	}
	return c.Compile("events.schema.json")
})

// EventKinds are the event kinds the events schema names.
func EventKinds(tb testing.TB) []string {
	tb.Helper()
	raw, err := os.ReadFile(EventsSchemaPath())
	if err != nil {
		tb.Fatal(err)
	}
	var schema struct {
		Properties struct {
			Event struct{ Enum []string } `json:"event"`
		} `json:"properties"`
	}
	if err := json.Unmarshal(raw, &schema); err != nil || len(schema.Properties.Event.Enum) == 0 {
		tb.Fatalf("events schema: no event kinds (%v)", err)
	}
	return schema.Properties.Event.Enum
}

// JSONEvents checks every line of a -o json event stream against the
// events schema and returns the events decoded. A line that is not JSON,
// or not an event the schema describes, fails the test.
func JSONEvents(tb testing.TB, stdout string) []map[string]any {
	tb.Helper()
	sch, err := eventsSchema()
	if err != nil {
		tb.Fatalf("events schema: %v", err)
	}
	var evs []map[string]any
	for i, line := range strings.Split(strings.TrimSpace(stdout), "\n") {
		if line == "" {
			continue
		}
		inst, err := jsonschema.UnmarshalJSON(strings.NewReader(line))
		if err != nil {
			tb.Fatalf("-o json line %d is not JSON: %v\n%s", i+1, err, stdout)
		}
		if err := sch.Validate(inst); err != nil {
			tb.Errorf("-o json line %d breaks artifact/events.schema.json: %v\n%s", i+1, err, line)
		}
		var ev map[string]any
		if err := json.Unmarshal([]byte(line), &ev); err != nil {
			tb.Fatalf("-o json line %d is not an object: %v\n%s", i+1, err, line)
		}
		evs = append(evs, ev)
	}
	return evs
}

// streamCommands are the commands whose -o json output is an event stream
// (the others print one JSON document).
var streamCommands = []string{"build", "clone", "teardown", "reset"}

// CheckJSONRun checks stdout against the events schema when args ran one
// of the operations with -o json: the command runners of the tests call it
// on every run, so every stream any test produces is checked.
func CheckJSONRun(tb testing.TB, args []string, stdout string) {
	tb.Helper()
	json, stream := false, false
	for i, a := range args {
		switch {
		case a == "--output=json" || a == "-ojson" || (a == "-o" || a == "--output") && i+1 < len(args) && args[i+1] == "json":
			json = true
		case !stream && !strings.HasPrefix(a, "-") && slices.Contains(streamCommands, a):
			stream = true
		}
	}
	if json && stream {
		JSONEvents(tb, stdout)
	}
}

// LastJSONEvent checks a -o json run's stream against the events schema
// and decodes its last line.
func LastJSONEvent(tb testing.TB, stdout string) map[string]any {
	tb.Helper()
	evs := JSONEvents(tb, stdout)
	if len(evs) == 0 {
		tb.Fatalf("no -o json events:\n%s", stdout)
	}
	return evs[len(evs)-1]
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
