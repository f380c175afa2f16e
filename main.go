// Command dbaf, the Database Artifact Factory, builds database artifact
// images that clone a production Aurora cluster into a disposable
// copy-on-write copy, and runs those clones. The commands live in
// internal/cli; this file builds the root command, runs it and exits with
// the code its error maps to.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/charmbracelet/x/term"

	"github.com/dbaf/dbaf/internal/cli"

	// CA roots for the scratch image, which has no /etc/ssl.
	_ "golang.org/x/crypto/x509roots/fallback"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	streams := cli.IOStreams{In: os.Stdin, Out: os.Stdout, ErrOut: os.Stderr,
		IsTerminal: func() bool { return term.IsTerminal(os.Stdin.Fd()) && term.IsTerminal(os.Stdout.Fd()) }}
	f := cli.NewFactory(streams, os.Getenv, os.Environ, version)
	code := cli.Run(ctx, f, os.Args[1:])
	stop()
	os.Exit(code)
}
