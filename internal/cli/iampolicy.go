package cli

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/dbaf/dbaf/artifact"
	dbafaws "github.com/dbaf/dbaf/aws"
	"github.com/dbaf/dbaf/config"
)

// IAMPolicyOptions are those of `dbaf iam-policy`.
type IAMPolicyOptions struct {
	f   *Factory
	ctx context.Context

	Role        string // build, base or clone; "" only with -o cloudformation (all three)
	ConfigPath  string // scope from this INI
	Image       string // or from this artifact image ("" and no --config: the image dbaf runs in)
	ClonePrefix string // how the clone role's clones are named
}

// outputCloudFormation is the -o value only iam-policy takes.
const outputCloudFormation = "cloudformation"

// NewCmdIAMPolicy prints a role's IAM policy for an artifact.
func NewCmdIAMPolicy(f *Factory, runF func(*IAMPolicyOptions) error) *cobra.Command {
	opts := &IAMPolicyOptions{f: f}
	roles := make([]string, len(dbafaws.Roles))
	for i, r := range dbafaws.Roles {
		roles[i] = string(r)
	}
	cmd := &cobra.Command{
		Use:   "iam-policy",
		Short: "Print the IAM policy a role needs for an artifact",
		Long: `Print the IAM policy of one of dbaf's three roles, scoped to an artifact's
account, region and source cluster, as JSON for "aws iam create-policy":

  build   DataOps: the describe calls; nothing that changes the account
  base    the base maker: clone the source itself, make staging clusters and bases
  clone   developers: clone only bases of this source (never the source or a
          dbaf:stage cluster), manage only their own clones

With -o cloudformation it prints a template of the policies as
AWS::IAM::ManagedPolicy resources (all three, or --role's). The account comes
from the artifact, else from sts get-caller-identity. Every action, its
resource and why: docs/iam.md.`,
		Example: `  dbaf iam-policy --role clone --config artifact_config.ini
  aws iam create-policy --policy-name dbaf-clone \
    --policy-document "$(dbaf iam-policy --role clone --config artifact_config.ini)"
  dbaf iam-policy --image db-artifact:latest -o cloudformation > dbaf-iam.json`,
		Args:        cobra.NoArgs,
		Annotations: map[string]string{annotationOutputs: outputCloudFormation},
		RunE: func(cmd *cobra.Command, _ []string) error {
			opts.ctx = cmd.Context()
			if opts.ConfigPath != "" && opts.Image != "" {
				return usageErr{errors.New("--image and --config both name the artifact: pass one")}
			}
			if opts.Role == "" && f.global.output != outputCloudFormation {
				return usageErr{fmt.Errorf("--role is required: want one of %s (or -o cloudformation for all three)", strings.Join(roles, ", "))}
			}
			if _, ok := dbafaws.ParseRole(opts.Role); opts.Role != "" && !ok {
				return usageErr{fmt.Errorf("--role %q: want one of %s", opts.Role, strings.Join(roles, ", "))}
			}
			if runF != nil {
				return runF(opts)
			}
			return iamPolicyRun(opts)
		},
	}
	cmd.Flags().StringVar(&opts.Role, "role", "", "the role: "+strings.Join(roles, ", "))
	cmd.Flags().StringVar(&opts.ConfigPath, "config", "", "scope the policy to this artifact INI")
	cmd.Flags().StringVar(&opts.Image, "image", "", "scope the policy to the artifact this image carries")
	cmd.Flags().StringVar(&opts.ClonePrefix, "clone-prefix", "dbartifact", "clone names the clone role may create start with this (dbaf's default clone names do)")
	return cmd
}

func iamPolicyRun(opts *IAMPolicyOptions) error {
	f := opts.f
	scope, err := f.policyScope(opts)
	if err != nil {
		return err
	}
	if err := scope.Check(); err != nil {
		return usageErr{fmt.Errorf("cannot scope the policy: %w", err)}
	}
	var out []byte
	if f.global.output == outputCloudFormation {
		roles := dbafaws.Roles
		if opts.Role != "" {
			roles = []dbafaws.Role{dbafaws.Role(opts.Role)}
		}
		out, err = dbafaws.PoliciesTemplate(scope, roles...)
	} else {
		var doc *dbafaws.PolicyDocument
		if doc, err = dbafaws.Policy(dbafaws.Role(opts.Role), scope); err == nil {
			out, err = doc.JSON()
		}
	}
	if err != nil {
		return err
	}
	_, err = f.IOStreams.Out.Write(out)
	return err
}

// policyScope reads the account, region and source the policy is scoped
// to: from the INI (nothing resolved against AWS but the account), or
// from the artifact.
func (f *Factory) policyScope(opts *IAMPolicyOptions) (dbafaws.PolicyScope, error) {
	s := dbafaws.PolicyScope{ClonePrefix: opts.ClonePrefix}
	if opts.ConfigPath != "" {
		cfg, warnings, err := config.Load(opts.ConfigPath)
		if err != nil {
			return s, err
		}
		for _, w := range warnings {
			fmt.Fprintf(f.IOStreams.ErrOut, "warning: %s\n", w)
		}
		s.Source, s.Region = cfg.SourceClusterID, cfg.Region
	} else {
		data, err := f.readArtifact(opts.ctx, opts.Image)
		if err != nil {
			if opts.Image == "" {
				return s, usageErr{errors.New("no artifact here: pass --config FILE or --image IMAGE to scope the policy")}
			}
			return s, err
		}
		a, err := artifact.Parse(data)
		if err != nil {
			return s, err
		}
		s.Source, s.Region, s.Account, s.VpcID = a.Source.ClusterID, a.Region, a.Account, a.Target.VpcID
	}
	if f.global.region != "" {
		s.Region = f.global.region
	}
	if s.Account == "" {
		client, err := f.awsClient(opts.ctx, s.Region)
		if err != nil {
			return s, err
		}
		id, err := client.CallerIdentity(opts.ctx)
		if err != nil {
			return s, err
		}
		s.Account = id.Account
		if s.Region == "" {
			s.Region = client.Region()
		}
	}
	return s, nil
}
