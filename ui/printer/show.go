package printer

import (
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/dbaf/dbaf/artifact"
	"github.com/dbaf/dbaf/config"
	"github.com/dbaf/dbaf/ui/common"
)

// ShowArtifact prints an artifact for people: what it clones, into what, and
// how to run it.
func ShowArtifact(w io.Writer, a *artifact.Artifact) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	row := func(k, format string, args ...any) { fmt.Fprintf(tw, "%s\t%s\n", k, fmt.Sprintf(format, args...)) }

	row("artifact", "%s (created %s, schema %d)", a.Image, a.Created.UTC().Format(time.RFC3339), a.SchemaVersion)
	if a.Publisher != "" {
		row("publisher", "%s", a.Publisher)
	}
	account := ""
	if a.Account != "" {
		account = ", account " + a.Account
	}
	row("source", "%s (%s %s) in %s%s", a.Source.ClusterID, a.Source.Engine, a.Source.EngineVersion, a.Region, account)
	row("restore", "%s", a.RestoreMode().Description)
	class := a.Target.InstanceClass
	if s := a.Target.Serverless; s != nil {
		class = fmt.Sprintf("%s (%g-%g ACUs)", class, s.Min, s.Max)
	}
	row("clone", "%s, port %d, user %s", class, a.Source.Port, a.Source.MasterUsername)
	from := "listed subnets"
	if a.Target.SubnetsFrom == "source" {
		from = "the source's subnet group " + a.Target.SourceSubnetGroup
	}
	row("network", "%s (%s), %s", a.Target.VpcID, a.Target.VpcCIDR, from)
	for _, s := range a.Target.Subnets {
		row("", "  %s  %s  %s", s.ID, s.AZ, s.CIDR)
	}
	access := "not publicly accessible"
	if a.Target.PubliclyAccessible {
		access = "publicly accessible"
	}
	row("access", "from %s, %s", a.Target.AllowedCIDR, access)
	row("password", "%s", a.Target.PasswordDescription())
	if a.Target.BackupRetention > 0 || a.Target.BackupWindow != "" || a.Target.MaintenanceWindow != "" {
		row("windows", "backups kept %d days, backup %s, maintenance %s",
			a.Target.BackupRetention, orDefault(a.Target.BackupWindow), orDefault(a.Target.MaintenanceWindow))
	}
	if a.CloneTTL > 0 {
		row("ttl", "%s", config.FormatTTL(time.Duration(a.CloneTTL)))
	}
	if len(a.Masking) > 0 {
		row("masking", "%s, masked on every clone before handover", common.Count(len(a.Masking), "column"))
		for _, r := range a.Masking {
			row("", "  %s", r)
		}
	}
	if len(a.Hooks) > 0 {
		row("hooks", "%s run after masking, in order", common.Count(len(a.Hooks), "SQL file"))
		for _, h := range a.Hooks {
			row("", "  %s", h.Summary())
		}
	}
	row("clone with", "%s", artifact.RunLine(a))
	tw.Flush()
}

func orDefault(s string) string {
	if s == "" {
		return "AWS default"
	}
	return s
}
