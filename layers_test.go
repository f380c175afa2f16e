package main

import (
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// layers are dbaf's packages from the top down (docs/architecture.md): a
// package imports packages of lower layers only, never one of its own
// layer or above; within ui/ and within internal/sandbox/ the sub-packages form
// graphs of their own (Go keeps those free of circles). A name ending in
// "/..." is that directory and everything under it.
var layers = [][]string{
	{".", "internal/cli/gendocs"},          // main, and the generator of docs/commands.md: wiring only
	{"internal/cli"},                       // one file per command
	{"ui/...", "internal/connect"},         // screens and printers; dbaf connect
	{"artifact"},                           // the operations and their events
	{"aws", "dockerbuild", "config", "db"}, // AWS, Docker, the INI, SQL to a clone
	{"internal/engine", "internal/masking", "internal/clock", "internal/secret"}, // the engines' names; the masking strategies' grammar; waiting; secrets out of errors
}

// sandboxTree is the emulated account: only the CLI (and tests) use it, and
// it uses nothing of dbaf above it but the engine names.
const sandboxTree = "internal/sandbox/..."

// testSupport are imported by tests only.
var testSupport = []string{"internal/testenv", "internal/blackhole", "ui/internal/uitest"}

const module = "github.com/dbaf/dbaf"

func matches(pattern, pkg string) bool {
	if dir, ok := strings.CutSuffix(pattern, "/..."); ok {
		return pkg == dir || strings.HasPrefix(pkg, dir+"/")
	}
	return pkg == pattern
}

func inAny(patterns []string, pkg string) bool {
	for _, p := range patterns {
		if matches(p, pkg) {
			return true
		}
	}
	return false
}

// layerOf is pkg's layer index, or -1.
func layerOf(pkg string) int {
	for i, l := range layers {
		if inAny(l, pkg) {
			return i
		}
	}
	return -1
}

// TestImportGraphIsOneWay checks every non-test import between dbaf's
// packages against layers, so the graph stays one-way as code is added.
func TestImportGraphIsOneWay(t *testing.T) {
	t.Parallel()
	out, err := exec.Command("go", "list", "-f", `{{.ImportPath}}{{range .Imports}} {{.}}{{end}}`, "./...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	rel := func(p string) string {
		if p == module {
			return "."
		}
		return strings.TrimPrefix(p, module+"/")
	}
	seen := 0
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.Fields(line)
		pkg := rel(f[0])
		seen++
		sandbox, support := matches(sandboxTree, pkg), inAny(testSupport, pkg)
		from := layerOf(pkg)
		if from < 0 && !sandbox && !support {
			t.Errorf("package %s has no place in the layers of layers_test.go: add it where it belongs", pkg)
			continue
		}
		for _, imp := range f[1:] {
			if imp != module && !strings.HasPrefix(imp, module+"/") {
				continue
			}
			dep := rel(imp)
			to := layerOf(dep)
			switch {
			case inAny(testSupport, dep) && !support:
				t.Errorf("%s imports %s, which is for tests only", pkg, dep)
			case matches(sandboxTree, dep):
				if !sandbox && pkg != "internal/cli" && !support {
					t.Errorf("%s imports %s: only internal/cli (and tests) use the sandbox", pkg, dep)
				}
			case sandbox:
				if dep != "internal/engine" && dep != "internal/clock" {
					t.Errorf("%s imports %s: the sandbox uses nothing of dbaf but internal/engine and internal/clock", pkg, dep)
				}
			case support:
				// Test support may use any layer.
			case to < 0:
				t.Errorf("%s imports %s, which has no place in the layers", pkg, dep)
			case to < from:
				t.Errorf("%s imports %s, a layer above it: the graph must stay one-way (%v → %v)", pkg, dep, layers[from], layers[to])
			case to == from && !(matches("ui/...", pkg) && matches("ui/...", dep)):
				t.Errorf("%s imports %s of its own layer %v: move what they share a layer down", pkg, dep, layers[to])
			}
		}
	}
	if seen < 10 {
		t.Fatalf("go list listed %d packages:\n%s", seen, out)
	}
}

// TestConfigNeedsNoSQLDrivers: reading an INI needs no database driver;
// the masking grammar config checks rules with lives in internal/masking,
// not in db.
func TestConfigNeedsNoSQLDrivers(t *testing.T) {
	t.Parallel()
	out, err := exec.Command("go", "list", "-deps", "./config").Output()
	if err != nil {
		t.Fatalf("go list -deps ./config: %v", err)
	}
	deps := strings.Fields(string(out))
	if !slices.Contains(deps, module+"/config") {
		t.Fatalf("go list -deps ./config did not list config itself:\n%s", out)
	}
	for _, d := range deps {
		for _, driver := range []string{"github.com/jackc/pgx", "github.com/go-sql-driver/mysql", module + "/db"} {
			if d == driver || strings.HasPrefix(d, driver+"/") {
				t.Errorf("config depends on %s", d)
			}
		}
	}
}
