package artifact

import (
	"context"
	"errors"
	"fmt"

	"github.com/dbaf/dbaf/aws"
)

// What goes wrong with a clone in a real account is mostly known before
// anything is created: a source that cannot be cloned, an account at its
// RDS quotas, a KMS key the caller may not use. The preflight asks AWS each
// of these once, before CreateStack, and reports what it saw as one
// Preflight event; `dbaf build` and the wizard's review show the same facts.

// PreflightAWS is what the preflight asks AWS, one call per check.
// *aws.Client satisfies it.
type PreflightAWS interface {
	Region() string
	ClusterSummary(ctx context.Context, id string) (*aws.Cluster, error)
	AccountQuotas(ctx context.Context) (map[string]aws.Quota, error)
	Clusters(ctx context.Context) ([]aws.Cluster, error)
	KMSKey(ctx context.Context, id string) (*aws.KMSKey, error)
}

// QuotaUse is one RDS account quota a clone counts against.
type QuotaUse struct {
	Name string `json:"name"` // AWS's name: DBClusters, DBInstances, DBSubnetGroups
	Used int64  `json:"used"`
	Max  int64  `json:"max"`
}

// Preflight is what dbaf saw before creating a clone: the source, its
// existing clones (and so whether the clone can be copy-on-write), the
// account's room and the source's encryption key.
type Preflight struct {
	Source       string `json:"source"`
	SourceStatus string `json:"source_status"`
	Instances    int    `json:"instances"`
	// CloneGroupID is the source's clone group; "" until it is first cloned.
	CloneGroupID string `json:"clone_group_id,omitempty"`
	// Clones counts the other clusters in the source's clone group: its
	// clones and point-in-time restores, by anyone.
	Clones int `json:"clones"`
	// Restore is how the clone will be made (RestoreCopyOnWrite,
	// RestoreFullCopy, RestoreSnapshot): what the artifact asks for, or a
	// full copy when the source's clone group is at Aurora's limit of
	// copy-on-write clones. RestoreNote says it in words.
	Restore     string     `json:"restore,omitempty"`
	RestoreNote string     `json:"restore_note,omitempty"`
	Quotas      []QuotaUse `json:"quotas,omitempty"` // nil when the caller may not read them
	// Encrypted sources only: the key (its ARN once described) and its state.
	Encrypted   bool   `json:"encrypted"`
	KMSKey      string `json:"kms_key,omitempty"`
	KMSKeyState string `json:"kms_key_state,omitempty"`
	Calls       int    `json:"calls"` // AWS calls the checks made
}

func (Preflight) eventKind() string { return "preflight" }

// A clone's stack makes one DB subnet group (the template always creates
// its own), one DB cluster and one DB instance; these are the RDS quotas
// it counts against, with what to free when one is full. It makes no
// snapshot or cluster parameter group, whose quotas it leaves alone.
var cloneQuotas = []struct{ name, free string }{
	{"DBClusters", "delete a cluster"},
	{"DBInstances", "delete an instance"},
	{"DBSubnetGroups", "delete a DB subnet group no cluster uses"},
}

// RunPreflight checks that src can be cloned into the account now, at most
// one call per check (the clone group and the key are only asked about when
// the source has them). It returns what it saw and, when something would
// make the clone fail, every such problem joined (each a *SourceError,
// unless AWS itself failed). Without the source there is nothing to report:
// nil and the error. warn gets what does not stop a clone.
func RunPreflight(ctx context.Context, s PreflightAWS, src Source, warn func(string)) (*Preflight, error) {
	if warn == nil {
		warn = func(string) {}
	}
	c, err := s.ClusterSummary(ctx, src.ClusterID)
	if err != nil {
		return nil, err
	}
	p := &Preflight{Source: c.ID, SourceStatus: c.Status, Instances: len(c.Members), CloneGroupID: c.CloneGroupID, Encrypted: c.Encrypted, Calls: 1}
	var problems []error
	add := func(err error) {
		if err != nil {
			problems = append(problems, err)
		}
	}
	add(restoreProblem(src, c))
	add(p.quotas(ctx, s, warn))
	add(p.countClones(ctx, s))
	p.Restore, p.RestoreNote = predictRestore(src, c.ID, p.Clones)
	add(p.describeKey(ctx, s, c))
	return p, errors.Join(problems...)
}

// StackPreflightAWS is what PreflightForStack asks AWS. *aws.Client
// satisfies it.
type StackPreflightAWS interface {
	PreflightAWS
	DescribeStack(ctx context.Context, nameOrID string) (*aws.Stack, error)
}

// PreflightForStack is the preflight a clone into stack name would run, for
// a screen to show before the clone starts (and then to hand to it as
// CloneRequest.Preflight). A live stack of that name is followed, and
// following checks nothing: nil and no error then, without a check. name
// "" is a stack yet to be named, which cannot exist.
func PreflightForStack(ctx context.Context, s StackPreflightAWS, name string, src Source, warn func(string)) (*Preflight, error) {
	if name != "" {
		st, err := s.DescribeStack(ctx, name)
		switch {
		case err == nil && st.Status != "DELETE_COMPLETE":
			return nil, nil
		case err != nil && !isNotFound(err):
			return nil, err
		}
	}
	return RunPreflight(ctx, s, src, warn)
}

// checkReplaceable is the part of the preflight a reset runs before it
// deletes the old clone: the source and its key. The quotas are left to the
// new clone's own preflight, which runs once the old clone's slot is free.
func checkReplaceable(ctx context.Context, s PreflightAWS, src Source) error {
	c, err := s.ClusterSummary(ctx, src.ClusterID)
	if err != nil {
		return err
	}
	p := &Preflight{Source: c.ID}
	return errors.Join(restoreProblem(src, c), p.describeKey(ctx, s, c))
}

// restoreProblem refuses a restore of src that c, its source cluster as
// it is now, cannot give: c not cloneable, or src's restore_to_time out of
// c's restorable window. A snapshot restore does not read the source
// cluster at all.
func restoreProblem(src Source, c *aws.Cluster) error {
	if src.SnapshotIdentifier != "" {
		return nil
	}
	if msg := restoreWindowProblem(src.RestoreToTime, c); msg != "" {
		return errors.Join(sourceProblem(c), &SourceError{Msg: msg + " now (its start moves with the backup retention): " +
			"rebuild the artifact with a time inside it, or without restore_to_time to clone the latest"})
	}
	return sourceProblem(c)
}

// sourceProblem refuses a source that is not available or has no instance.
func sourceProblem(c *aws.Cluster) error {
	switch CloneBlocker(c, false) {
	case NotAurora:
		return &SourceError{Msg: fmt.Sprintf("source cluster %s runs engine %s, not Aurora: dbaf clones aurora-postgresql and aurora-mysql clusters only; rebuild the artifact from an Aurora cluster",
			c.ID, c.Engine)}
	case NotAvailable:
		return &SourceError{Msg: fmt.Sprintf("source cluster %s is %s, not available: a clone can only be made from an available cluster; try again once it is (aws rds describe-db-clusters --db-cluster-identifier %s)",
			c.ID, c.Status, c.ID)}
	case NoInstance:
		return &SourceError{Msg: fmt.Sprintf("source cluster %s has no DB instance: dbaf clones a cluster that has at least one; add one (aws rds create-db-instance --db-cluster-identifier %s --db-instance-identifier %s-1 --engine %s --db-instance-class CLASS) or choose another source",
			c.ID, c.ID, c.ID, c.Engine)}
	}
	return nil
}

// quotas refuses a clone the account has no room for: at quota
// CloudFormation would get as far as the cluster and then roll everything
// back. Credentials that may not read the quotas only lose the early
// warning: CreateStack still fails at quota.
func (p *Preflight) quotas(ctx context.Context, s PreflightAWS, warn func(string)) error {
	p.Calls++
	qs, err := s.AccountQuotas(ctx)
	var awsErr *aws.Error
	if errors.As(err, &awsErr) && awsErr.Kind == aws.AccessDenied {
		warn("could not read the account's RDS quotas (rds:DescribeAccountAttributes denied): cloning without checking for room")
		return nil
	}
	if err != nil {
		return err
	}
	var problems []error
	for _, want := range cloneQuotas {
		q, ok := qs[want.name]
		if !ok {
			continue
		}
		p.Quotas = append(p.Quotas, QuotaUse{Name: want.name, Used: q.Used, Max: q.Max})
		if q.Used+1 > q.Max {
			problems = append(problems, &SourceError{Msg: fmt.Sprintf("RDS quota %s: %d of %d used in %s: a clone needs one more; %s or ask AWS for a higher quota (Service Quotas)",
				want.name, q.Used, q.Max, s.Region(), want.free)})
		}
	}
	return errors.Join(problems...)
}

// countClones counts the clusters sharing the source's clone group, in one
// list call; a source never cloned has no group, and no call is needed.
func (p *Preflight) countClones(ctx context.Context, s PreflightAWS) error {
	if p.CloneGroupID == "" {
		return nil
	}
	p.Calls++
	all, err := s.Clusters(ctx)
	if err != nil {
		return err
	}
	for _, c := range all {
		if c.CloneGroupID == p.CloneGroupID && c.ID != p.Source {
			p.Clones++
		}
	}
	return nil
}

// describeKey checks the key an encrypted source uses: a clone is
// encrypted with it, so a key the caller may not describe, or one that is
// not enabled, fails the clone after minutes. One call.
func (p *Preflight) describeKey(ctx context.Context, s PreflightAWS, c *aws.Cluster) error {
	if !c.Encrypted || c.KMSKeyID == "" {
		return nil
	}
	p.KMSKey = c.KMSKeyID
	p.Calls++
	key, err := s.KMSKey(ctx, c.KMSKeyID)
	var awsErr *aws.Error
	switch {
	case errors.As(err, &awsErr) && awsErr.Kind == aws.AccessDenied:
		return &SourceError{Msg: fmt.Sprintf("KMS key %s, which encrypts source cluster %s: kms:DescribeKey was denied to you, and a clone is encrypted with this key: "+
			"ask the key's administrators to allow you kms:DescribeKey and kms:CreateGrant on it (key policy or IAM), or clone with credentials that have them",
			p.KMSKey, c.ID)}
	case errors.As(err, &awsErr) && awsErr.Kind == aws.NotFound:
		return &SourceError{Msg: fmt.Sprintf("KMS key %s, which encrypts source cluster %s, was not found: a clone needs it; check the key with: aws kms describe-key --key-id %s",
			p.KMSKey, c.ID, p.KMSKey)}
	case err != nil:
		return err
	}
	if key.ARN != "" {
		p.KMSKey = key.ARN
	}
	p.KMSKeyState = key.State
	if key.Usable() {
		return nil
	}
	fix := "ask the key's administrators to enable it"
	switch key.State {
	case "Disabled":
		fix = "enable it (aws kms enable-key --key-id " + p.KMSKey + ")"
	case "PendingDeletion":
		fix = "cancel its deletion (aws kms cancel-key-deletion --key-id " + p.KMSKey + "), then enable it (aws kms enable-key)"
	}
	return &SourceError{Msg: fmt.Sprintf("KMS key %s, which encrypts source cluster %s, is %s, not Enabled: a clone cannot be encrypted with it; %s",
		p.KMSKey, c.ID, key.State, fix)}
}

// Problems splits what RunPreflight returned into its problems, for
// callers that show each one (a build's warnings, the wizard's review).
func Problems(err error) []error {
	if err == nil {
		return nil
	}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		var out []error
		for _, e := range j.Unwrap() {
			out = append(out, Problems(e)...)
		}
		return out
	}
	return []error{err}
}
