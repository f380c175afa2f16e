// Command gendocs writes docs/commands.md, the reference of every dbaf
// command and flag, from the cobra command tree itself, so the page cannot
// drift from `dbaf CMD --help`. Run it from the repository's root:
//
//	go run ./internal/cli/gendocs
//
// gendocs_test.go fails when the committed page is stale; links_test.go
// checks that the relative links of README.md and docs/*.md resolve. It lives in its
// own main package so that github.com/spf13/cobra/doc (and the man-page
// renderer it pulls in) never links into the dbaf binary.
package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/cobra/doc"

	"github.com/dbaf/dbaf/internal/cli"
)

// Path is where the page goes, relative to the repository's root.
const Path = "docs/commands.md"

func main() {
	page, err := Render()
	if err == nil {
		err = os.WriteFile(Path, page, 0o644)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "gendocs:", err)
		os.Exit(1)
	}
}

// Render returns the page for the command tree NewCmdRoot builds. The
// factory is inert: no command runs, and the environment it sees is empty,
// so defaults read from it cannot leak this machine into the page.
func Render() ([]byte, error) {
	f := cli.NewFactory(cli.IOStreams{In: strings.NewReader(""), Out: io.Discard, ErrOut: io.Discard,
		IsTerminal: func() bool { return false }}, func(string) string { return "" }, func() []string { return nil }, "dev")
	root := cli.NewCmdRoot(f)
	var b bytes.Buffer
	b.WriteString("<!-- Generated from the command tree by `go run ./internal/cli/gendocs`: edit the commands' help, not this file. -->\n\n")
	b.WriteString("# Commands reference\n\nEvery dbaf command with its flags, as `dbaf CMD --help` prints them. ")
	b.WriteString("What the commands do in depth: [cloning.md](cloning.md), [ini.md](ini.md), [sandbox.md](sandbox.md); ")
	b.WriteString("exit codes: [the README](../README.md#exit-codes).\n\n")
	var cmds []*cobra.Command
	collect(root, &cmds)
	for _, c := range cmds {
		fmt.Fprintf(&b, "- [%s](#%s)\n", c.CommandPath(), anchor(c.CommandPath()))
	}
	b.WriteString("\n")
	for _, c := range cmds {
		c.DisableAutoGenTag = true // the tag carries today's date: the page would never be current
		if err := doc.GenMarkdownCustom(c, &b, link); err != nil {
			return nil, fmt.Errorf("%s: %w", c.CommandPath(), err)
		}
	}
	return append(bytes.TrimRight(b.Bytes(), "\n"), '\n'), nil
}

// collect lists c and its visible subcommands, depth first, in cobra's
// (alphabetical) order: the commands `dbaf help` shows.
func collect(c *cobra.Command, out *[]*cobra.Command) {
	if !c.IsAvailableCommand() && c.HasParent() {
		return
	}
	*out = append(*out, c)
	for _, sub := range c.Commands() {
		collect(sub, out)
	}
}

// link turns cobra's per-command file names ("dbaf_sandbox_start.md") into
// anchors of this one page.
func link(name string) string {
	return "#" + anchor(strings.ReplaceAll(strings.TrimSuffix(name, ".md"), "_", " "))
}

// anchor is the id GitHub gives the heading "dbaf sandbox start".
func anchor(path string) string {
	return strings.ReplaceAll(path, " ", "-")
}
