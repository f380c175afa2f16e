package artifact

import (
	"testing"

	"github.com/dbaf/dbaf/aws"
)

func TestCloneBlocker(t *testing.T) {
	one := []aws.Member{{InstanceID: "c-1", Writer: true}}
	for _, c := range []struct {
		name     string
		cluster  aws.Cluster
		snapshot bool
		want     Unclonable
		short    string
	}{
		{"available Aurora with an instance", aws.Cluster{Engine: "aurora-postgresql", Status: "available", Members: one}, false, Clonable, ""},
		{"plain PostgreSQL", aws.Cluster{Engine: "postgres", Status: "available", Members: one}, false, NotAurora, "not Aurora"},
		{"plain PostgreSQL, even from a snapshot", aws.Cluster{Engine: "postgres", Status: "stopped"}, true, NotAurora, "not Aurora"},
		{"stopped", aws.Cluster{Engine: "aurora-mysql", Status: "stopped", Members: one}, false, NotAvailable, "stopped"},
		{"no instance", aws.Cluster{Engine: "aurora-mysql", Status: "available"}, false, NoInstance, "no instance"},
		{"a snapshot restore does not read the cluster", aws.Cluster{Engine: "aurora-mysql", Status: "stopped"}, true, Clonable, ""},
	} {
		got := CloneBlocker(&c.cluster, c.snapshot)
		if got != c.want || got.Short(&c.cluster) != c.short {
			t.Errorf("%s: CloneBlocker = %d %q, want %d %q", c.name, got, got.Short(&c.cluster), c.want, c.short)
		}
	}
}
