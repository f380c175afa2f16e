package artifact

import (
	"slices"

	"github.com/dbaf/dbaf/aws"
	"github.com/dbaf/dbaf/internal/engine"
)

// Unclonable is why a cluster cannot be a clone's source now; Clonable
// when it can. The wizard's source picker, Resolve and the preflight all
// ask CloneBlocker, so they never disagree; each words the fix for its own
// reader (pick another cluster, build again, try again later).
type Unclonable uint8

const (
	Clonable     Unclonable = iota
	NotAurora               // copy-on-write clones are Aurora's
	NotAvailable            // a stopped, starting or modifying cluster cannot be restored from
	NoInstance              // a cluster without a DB instance cannot be restored from
)

// CloneBlocker is the one rule for "can this cluster be cloned now": an
// Aurora engine and, unless the clone restores a snapshot (which does not
// read the cluster), an available cluster with at least one instance.
func CloneBlocker(c *aws.Cluster, fromSnapshot bool) Unclonable {
	switch {
	case !slices.Contains(engine.Aurora(), c.Engine):
		return NotAurora
	case fromSnapshot:
		return Clonable
	case c.Status != "available":
		return NotAvailable
	case len(c.Members) == 0:
		return NoInstance
	}
	return Clonable
}

// Short is the reason in a word or two, as a picker's column shows it:
// "not Aurora", the cluster's status, "no instance"; "" when c is clonable.
func (u Unclonable) Short(c *aws.Cluster) string {
	switch u {
	case NotAurora:
		return "not Aurora"
	case NotAvailable:
		return c.Status
	case NoInstance:
		return "no instance"
	}
	return ""
}
