package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCommandsReferenceIsCurrent fails when a command's help changed and
// docs/commands.md was not generated again.
func TestCommandsReferenceIsCurrent(t *testing.T) {
	want, err := Render()
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join("..", "..", "..", Path)
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v: generate it with: go run ./internal/cli/gendocs", err)
	}
	if !bytes.Equal(got, want) {
		gl, wl := strings.Split(string(got), "\n"), strings.Split(string(want), "\n")
		line := 0
		for line < len(gl) && line < len(wl) && gl[line] == wl[line] {
			line++
		}
		t.Fatalf("%s is stale (first difference at line %d): run `go run ./internal/cli/gendocs` from the repository's root and commit the result", Path, line+1)
	}
}

// TestCommandsReferenceCoversEveryCommand keeps the page whole: every
// command has its section and a link to it.
func TestCommandsReferenceCoversEveryCommand(t *testing.T) {
	page, err := Render()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []string{"dbaf build", "dbaf clone", "dbaf reset", "dbaf sandbox start", "dbaf teardown", "dbaf version"} {
		if !bytes.Contains(page, []byte("\n## "+c+"\n")) || !bytes.Contains(page, []byte("](#"+anchor(c)+")")) {
			t.Errorf("no section or link for %q", c)
		}
	}
	if bytes.Contains(page, []byte("Auto generated")) {
		t.Error("the page carries cobra's dated tag: it would be stale every day")
	}
}
