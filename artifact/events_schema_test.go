package artifact

import (
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/dbaf/dbaf/internal/testenv"
)

// The schema and the Go events say the same: every event kind, phase and
// stack state declared here is in events.schema.json and the other way
// round, each identifier is lower_snake_case and has its English.
func TestEventsSchemaMatchesTheEvents(t *testing.T) {
	raw, err := os.ReadFile("events.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	var schema struct {
		AllOf []json.RawMessage `json:"allOf"`
		Defs  map[string]struct {
			Enum       []string `json:"enum"`
			Properties struct {
				Phase struct{ Enum []string } `json:"phase"`
			} `json:"properties"`
		} `json:"$defs"`
	}
	if err := json.Unmarshal(raw, &schema); err != nil {
		t.Fatal(err)
	}
	kinds, phases, states := declared(t)
	same := func(what string, code, doc []string) {
		t.Helper()
		slices.Sort(code)
		doc = slices.Sorted(slices.Values(doc))
		if !slices.Equal(code, doc) {
			t.Errorf("%s: the Go code declares %v, events.schema.json %v", what, code, doc)
		}
	}
	same("event kinds", kinds, testenv.EventKinds(t))
	same("phases", phases, schema.Defs["phase"].Properties.Phase.Enum)
	same("stack states", states, schema.Defs["stack_state"].Enum)
	if len(schema.AllOf) != len(kinds) {
		t.Errorf("%d event branches for %d kinds", len(schema.AllOf), len(kinds))
	}
	for _, k := range kinds {
		if _, ok := schema.Defs[k]; !ok {
			t.Errorf("no $defs/%s", k)
		}
	}

	id := regexp.MustCompile(`^[a-z_]+$`)
	for _, ids := range [][]string{kinds, phases, states} {
		for _, v := range ids {
			if !id.MatchString(v) {
				t.Errorf("%q is not an identifier", v)
			}
		}
	}
	for _, p := range phases {
		if phaseText[PhaseID(p)] == "" {
			t.Errorf("phase %s has no text", p)
		}
	}
	for _, s := range states {
		if stateText[StackState(s)] == "" || strings.Contains(StackState(s).String(), "_") {
			t.Errorf("state %s has no text", s)
		}
	}
	if len(phaseText) != len(phases) || len(stateText) != len(states) {
		t.Errorf("texts for %d phases and %d states; %d and %d are declared", len(phaseText), len(stateText), len(phases), len(states))
	}
}

// declared reads this package's source for what the JSON contract names:
// the kinds eventKind returns, and the PhaseID and StackState constants.
func declared(t *testing.T) (kinds, phases, states []string) {
	t.Helper()
	fset := token.NewFileSet()
	entries, err := os.ReadDir(".")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".go") || strings.HasSuffix(e.Name(), "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, e.Name(), nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.FuncDecl:
				if n.Name.Name == "eventKind" && n.Recv != nil {
					ret := n.Body.List[0].(*ast.ReturnStmt).Results[0].(*ast.BasicLit)
					k, _ := strconv.Unquote(ret.Value)
					kinds = append(kinds, k)
				}
			case *ast.ValueSpec:
				typ, ok := n.Type.(*ast.Ident)
				if !ok || (typ.Name != "PhaseID" && typ.Name != "StackState") {
					return true
				}
				for _, v := range n.Values {
					s, _ := strconv.Unquote(v.(*ast.BasicLit).Value)
					if typ.Name == "PhaseID" {
						phases = append(phases, s)
					} else {
						states = append(states, s)
					}
				}
			}
			return true
		})
	}
	if len(kinds) < 20 || len(phases) == 0 || len(states) == 0 {
		t.Fatalf("read %d kinds, %d phases, %d states from the source", len(kinds), len(phases), len(states))
	}
	return kinds, phases, states
}

// Phase and the two final events with a state carry the identifier and,
// beside it, the English.
func TestEventsCarryIdentifiersAndTheirText(t *testing.T) {
	for _, tc := range []struct {
		e    Event
		want string
	}{
		{Phase{Phase: PhaseWaiting}, `{"phase":"waiting_for_cluster","text":"waiting for the cluster"}`},
		{CloneInterrupted{Stack: "c", State: StateNoPassword, Message: "m"},
			`{"stack":"c","state":"no_password","message":"m","state_text":"created, but its master password was not reset"}`},
		{CloneInterrupted{Message: "m"}, `{"message":"m"}`},
		{CloneFailed{Stack: "c", Reason: "r", State: StateMaskFailed, Cleanup: "x"},
			`{"stack":"c","reason":"r","kept":false,"cleanup":"x","state":"mask_failed","state_text":"` + StateMaskFailed.String() + `"}`},
	} {
		b, err := json.Marshal(tc.e)
		if err != nil || string(b) != tc.want {
			t.Errorf("%T: %s, %v\nwant %s", tc.e, b, err, tc.want)
		}
	}
	if got := leftRunning(Commands{}, "c", StateLoggingIn); !strings.HasPrefix(got, "stack c is created and available, its new master password not yet proven") {
		t.Errorf("leftRunning says %q", got)
	}
}
