package main

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/dbaf/dbaf/artifact"
	"github.com/dbaf/dbaf/config"
	"github.com/dbaf/dbaf/dockerbuild"
)

// defaultConfigFile is read when `dbaf build` gets no CONFIG argument.
const defaultConfigFile = "artifact_config.ini"

// buildFlags fill or override INI values; each maps to one INI key and is
// parsed by config.Set, so flags and the file accept exactly the same values.
var buildFlags = []struct{ flag, key, usage string }{
	{"source-cluster", "source_db_cluster_id", "source Aurora cluster id"},
	{"subnets", "subnet_ids", `"source" (the source's subnet group) or two or more comma-separated subnet ids`},
	{"instance-class", "instance_type", "instance class of the clone, e.g. db.r6g.large or db.serverless"},
	{"allowed-cidr", "allowed_cidr", "IPv4 CIDR allowed to connect (default: the VPC's CIDR)"},
	{"publicly-accessible", "publicly_accessible", "give the clone a public address: true or false (default false)"},
	{"restore-to-time", "restore_to_time", "clone the source as of this RFC 3339 time (default: latest restorable)"},
	{"snapshot-identifier", "snapshot_identifier", "restore from this cluster snapshot instead of cloning"},
	{"backup-retention-days", "backup_retention_days", "clone backup retention, 1-35 days"},
	{"backup-window", "preferred_backup_window", "clone backup window, hh24:mi-hh24:mi UTC"},
	{"maintenance-window", "preferred_maintenance_window", "clone maintenance window, ddd:hh24:mi-ddd:hh24:mi UTC"},
	{"serverless-min-capacity", "serverless_min_capacity", "Serverless v2 minimum ACUs (db.serverless only)"},
	{"serverless-max-capacity", "serverless_max_capacity", "Serverless v2 maximum ACUs (db.serverless only)"},
	{"tag", "image_tag", "image tag (default " + config.DefaultImageTag + ")"},
	{"publisher-contact", "publisher_contact", "who developers contact when a clone fails"},
	{"clone-ttl", "clone_ttl", "how long a clone may live, e.g. 72h or 3d"},
}

type buildOptions struct {
	yes       bool
	push      string
	binary    string
	arch      string
	overrides map[string]*string
}

func (a *app) buildCmd() *cobra.Command {
	o := &buildOptions{overrides: map[string]*string{}}
	cmd := &cobra.Command{
		Use:   "build [CONFIG]",
		Short: "Build a database artifact image from an INI file",
		Long: `Build a database artifact image from an INI file (default ./` + defaultConfigFile + `).

The INI names the source Aurora cluster, the subnets and the instance class of
the clone (see README.md for every key). Flags fill in or override INI values.
dbaf asks AWS about the source (engine, version, port, user, network), checks
the class is orderable, and builds an image with no base image: the static dbaf
binary and the resolved artifact. The image is loaded into the local Docker
engine under its tag, and pushed with --push.

With --yes, or without a terminal, dbaf never prompts.`,
		Example: `  dbaf build artifact_config.ini --yes
  dbaf build --source-cluster prod-aurora --subnets source --instance-class db.r6g.large --yes
  dbaf --sandbox build artifact_config.ini --yes --tag db-artifact:test
  dbaf build artifact_config.ini --yes --push 127.0.0.1:5000/db-artifact:latest`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			path := ""
			if len(args) == 1 {
				path = args[0]
			}
			for _, f := range buildFlags {
				if !cmd.Flags().Changed(f.flag) {
					delete(o.overrides, f.key)
				}
			}
			return a.build(cmd.Context(), path, o)
		},
	}
	fl := cmd.Flags()
	fl.BoolVarP(&o.yes, "yes", "y", false, "build without asking")
	fl.StringVar(&o.push, "push", "", "also push the image to this registry reference, e.g. 127.0.0.1:5000/db-artifact:latest")
	fl.StringVar(&o.binary, "dbaf-binary", "", "static linux dbaf binary to put in the image (default: this dbaf)")
	fl.StringVar(&o.arch, "arch", "", "image architecture, amd64 or arm64 (default: this machine's)")
	for _, f := range buildFlags {
		o.overrides[f.key] = fl.String(f.flag, "", f.usage+" [INI: "+f.key+"]")
	}
	return cmd
}

func (a *app) build(ctx context.Context, path string, o *buildOptions) error {
	cfg, err := a.loadBuildConfig(path, o.overrides)
	if err != nil {
		return err
	}

	binary := o.binary
	if binary == "" {
		if binary, err = os.Executable(); err != nil {
			return fmt.Errorf("cannot find the running dbaf binary (%v): pass --dbaf-binary", err)
		}
	}
	if err := dockerbuild.CheckBinary(binary, o.arch); err != nil {
		if o.binary == "" {
			err = fmt.Errorf("%w\n(the running dbaf cannot go into the image; pass --dbaf-binary PATH)", err)
		}
		return usageErr{err}
	}

	if !o.yes {
		if !a.interactive() {
			fmt.Fprintln(a.errOut, "dbaf: no terminal: building without prompts, as with --yes")
		} else if ok, err := a.confirm(cfg); err != nil || !ok {
			if err == nil {
				err = fmt.Errorf("build cancelled: nothing was built")
			}
			return err
		}
	}

	engine, err := dockerbuild.Connect(ctx)
	if err != nil {
		return dockerErr{err}
	}
	defer engine.Close()

	client, err := a.awsClient(ctx, cfg.Region)
	if err != nil {
		return err
	}
	created, err := artifact.CreatedTime(cfg.Path, a.getenv)
	if err != nil {
		return usageErr{err}
	}
	req := artifact.BuildRequest{Config: cfg, Created: created, Binary: binary, Arch: o.arch, Version: a.version, Push: o.push}
	_, err = artifact.Build(ctx, req, client, engine, dockerbuild.Push, a.printer().Emit)
	return wrapDocker(err)
}

// loadBuildConfig reads the INI (if any), applies flag overrides and
// validates the result, printing warnings for unknown keys.
func (a *app) loadBuildConfig(path string, overrides map[string]*string) (*config.Config, error) {
	if path == "" {
		if _, err := os.Stat(defaultConfigFile); err == nil {
			path = defaultConfigFile
		}
	}
	cfg := &config.Config{}
	if path != "" {
		c, warnings, err := config.Load(path)
		if err != nil {
			return nil, err
		}
		for _, w := range warnings {
			fmt.Fprintf(a.errOut, "warning: %s\n", w)
		}
		cfg = c
	} else if len(overrides) == 0 {
		return nil, usageErr{fmt.Errorf("no %s here and no flags: pass an INI file (dbaf build FILE) or --source-cluster, --subnets and --instance-class", defaultConfigFile)}
	}
	for _, f := range buildFlags {
		if v, ok := overrides[f.key]; ok {
			if err := cfg.Set(f.key, *v); err != nil {
				return nil, usageErr{fmt.Errorf("--%s: %w", f.flag, err)}
			}
		}
	}
	if err := cfg.Validate(); err != nil {
		if path == "" {
			return nil, usageErr{fmt.Errorf("%w\n(no INI file: give the missing values as flags, see dbaf build --help)", err)}
		}
		return nil, err
	}
	return cfg, nil
}

// confirm asks before building in a terminal. The interactive wizard will
// replace this prompt.
func (a *app) confirm(cfg *config.Config) (bool, error) {
	subnets := "source (the source cluster's subnet group)"
	if !cfg.Subnets.Source {
		subnets = strings.Join(cfg.Subnets.IDs, ", ")
	}
	tag := cfg.ImageTag
	if tag == "" {
		tag = config.DefaultImageTag
	}
	fmt.Fprintf(a.errOut, "Build %s: clone of %s, %s, subnets %s. Continue? [Y/n] ", tag, cfg.SourceClusterID, cfg.InstanceClass, subnets)
	line, err := bufio.NewReader(a.in).ReadString('\n')
	if err != nil && line == "" {
		return false, fmt.Errorf("no answer on standard input: pass --yes to build without asking")
	}
	switch strings.ToLower(strings.TrimSpace(line)) {
	case "", "y", "yes":
		return true, nil
	}
	return false, nil
}
