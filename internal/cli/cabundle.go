package cli

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/dbaf/dbaf/db"
)

// CABundleOptions are those of `dbaf ca-bundle`.
type CABundleOptions struct {
	f   *Factory
	ctx context.Context
	Out io.Writer
}

// NewCmdCABundle prints the CA bundle dbaf verifies clones with.
func NewCmdCABundle(f *Factory, runF func(*CABundleOptions) error) *cobra.Command {
	return &cobra.Command{
		Use:   "ca-bundle",
		Short: "Print the CA bundle dbaf verifies a clone's server with",
		Long: `Print, as PEM, the CA certificates a clone's server certificate must chain
to: --ca-bundle's file, else $DBAF_CA_BUNDLE's, else with --sandbox the
sandbox's CA, else AWS's RDS bundle built into dbaf. The psql and mysql lines
dbaf prints from inside its artifact image use it to save the bundle on the
host (see docs/cloning.md).`,
		Example: `  dbaf ca-bundle > rds-ca.pem
  docker run --rm db-artifact:latest ca-bundle > ~/.cache/dbaf/rds-ca.pem`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			opts := &CABundleOptions{f: f, ctx: cmd.Context(), Out: f.IOStreams.Out}
			if runF != nil {
				return runF(opts)
			}
			return caBundleRun(opts)
		},
	}
}

func caBundleRun(opts *CABundleOptions) error {
	ca, err := opts.f.caBundle(opts.ctx)
	if err != nil {
		return err
	}
	_, err = opts.Out.Write(ca.PEM())
	return err
}

// caBundle is what a clone's server certificate must chain to: --ca-bundle,
// else $DBAF_CA_BUNDLE, else with --sandbox the sandbox's own CA, else AWS's
// RDS bundle built into dbaf, written once under the user's cache
// directory so that the psql and mysql lines dbaf prints can name it.
func (f *Factory) caBundle(ctx context.Context) (*db.CA, error) {
	path, from := f.global.caBundle, "--ca-bundle"
	if path == "" {
		path, from = f.Getenv("DBAF_CA_BUNDLE"), "DBAF_CA_BUNDLE"
	}
	if path == "" && f.global.sandbox {
		env, err := f.SandboxEnv(ctx)
		if err != nil {
			return nil, err
		}
		path, from = envMap(env)["DBAF_CA_BUNDLE"], "the sandbox account's DBAF_CA_BUNDLE"
	}
	if path == "" {
		return f.builtinCA(), nil
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, usageErr{fmt.Errorf("%s %s: %v", from, path, err)}
	}
	b, err := os.ReadFile(abs)
	if err != nil {
		return nil, usageErr{fmt.Errorf("%s %s: cannot read it (%v): give a PEM file of CA certificates, such as AWS's global-bundle.pem", from, path, unwrapPathError(err))}
	}
	ca, err := db.NewCA(b, abs, abs)
	if err != nil {
		return nil, usageErr{fmt.Errorf("%s: %w", from, err)}
	}
	return ca, nil
}

// builtinCA is the embedded RDS bundle with a file holding it, written
// under the user's cache directory when it is not there yet. Without a
// file (no cache directory, not writable) the handover still verifies the
// server; the printed lines then leave the CA to the client's defaults.
func (f *Factory) builtinCA() *db.CA {
	pemCerts := db.RDSBundle()
	path, err := f.cacheFile(db.BundleName(pemCerts), pemCerts)
	if err != nil {
		fmt.Fprintf(f.IOStreams.ErrOut, "warning: cannot keep AWS's RDS CA bundle for psql and mysql (%v): the connect line names no CA file; dbaf itself still verifies the server\n", err)
		return db.BuiltinCA()
	}
	ca, err := db.NewCA(pemCerts, path, db.BuiltinSource)
	if err != nil {
		return db.BuiltinCA()
	}
	return ca
}

// cacheFile is name under dbaf's cache directory ($XDG_CACHE_HOME/dbaf or
// ~/.cache/dbaf), holding data: written when missing or different.
func (f *Factory) cacheFile(name string, data []byte) (string, error) {
	dir := f.Getenv("XDG_CACHE_HOME")
	if dir == "" {
		home := f.Getenv("HOME")
		if home == "" {
			return "", fmt.Errorf("neither $XDG_CACHE_HOME nor $HOME is set")
		}
		dir = filepath.Join(home, ".cache")
	}
	dir = filepath.Join(dir, "dbaf")
	path := filepath.Join(dir, name)
	if old, err := os.ReadFile(path); err == nil && bytes.Equal(old, data) {
		return path, nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	// Written aside and renamed: a concurrent run never reads half a file.
	tmp, err := os.CreateTemp(dir, name+".*")
	if err != nil {
		return "", err
	}
	_, err = tmp.Write(data)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(tmp.Name(), 0o644)
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		os.Remove(tmp.Name())
		return "", err
	}
	return path, nil
}
