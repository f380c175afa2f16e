package artifact

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/dbaf/dbaf/aws"
	"github.com/dbaf/dbaf/config"
)

// Discovery is what resolving an artifact needs to know about the account.
// *aws.Client satisfies it.
type Discovery interface {
	Region() string
	Cluster(ctx context.Context, id string) (*aws.Cluster, error)
	SubnetGroup(ctx context.Context, name string) (*aws.SubnetGroup, error)
	SubnetsByID(ctx context.Context, ids []string) ([]aws.Subnet, error)
	VPC(ctx context.Context, id string) (*aws.VPC, error)
	OrderableClasses(ctx context.Context, engine, version string) ([]string, error)
	ServerlessLimits(ctx context.Context, engine, version string) (*aws.ServerlessLimits, error)
	ClusterSnapshot(ctx context.Context, id string) (*aws.ClusterSnapshot, error)
	InternetGateway(ctx context.Context, vpcID string) (bool, error)
}

// ResolveError is an artifact that cannot be made from its config: the
// config is well-formed but the account disagrees with it.
type ResolveError struct {
	Key string // the INI key at fault, e.g. "subnet_ids"
	Msg string
}

func (e *ResolveError) Error() string { return e.Msg }

// Default Serverless v2 range when neither the config nor the source has one.
const (
	defaultMinACU = 0.5
	defaultMaxACU = 16
)

// Resolve turns a validated config into a complete artifact by asking the
// account about the source cluster, its network and the orderable classes.
// created is the artifact's creation time (never the build clock, so that
// images are reproducible).
func Resolve(ctx context.Context, cfg *config.Config, d Discovery, created time.Time, warn func(string)) (*Artifact, error) {
	if warn == nil {
		warn = func(string) {}
	}
	// The hook files first: a missing one is the user's to fix, no need to
	// ask AWS anything before saying so.
	hooks, err := cfg.ReadHooks()
	if err != nil {
		return nil, err
	}
	src, err := d.Cluster(ctx, cfg.SourceClusterID)
	if err != nil {
		return nil, err
	}
	if CloneBlocker(src, true) == NotAurora {
		return nil, &ResolveError{Key: "source_db_cluster_id", Msg: fmt.Sprintf(
			"cluster %q runs engine %q, not Aurora: dbaf clones aurora-postgresql and aurora-mysql clusters only",
			src.ID, src.Engine)}
	}
	if err := checkRestore(ctx, cfg, d, &src); err != nil {
		return nil, err
	}

	a := &Artifact{
		SchemaVersion: SchemaVersion,
		Created:       created.UTC().Truncate(time.Second),
		Image:         cfg.ImageTag,
		Publisher:     cfg.PublisherContact,
		Region:        d.Region(),
		Account:       accountFromARN(src.ARN),
		CloneTTL:      Duration(cfg.CloneTTL),
		Source: Source{
			ClusterID:          src.ID,
			Engine:             src.Engine,
			EngineVersion:      src.EngineVersion,
			Port:               src.Port,
			MasterUsername:     src.MasterUsername,
			RestoreToTime:      cfg.RestoreToTime,
			SnapshotIdentifier: cfg.SnapshotIdentifier,
		},
		Target: Target{
			InstanceClass:     cfg.InstanceClass,
			BackupRetention:   cfg.BackupRetentionDays,
			BackupWindow:      cfg.BackupWindow,
			MaintenanceWindow: cfg.MaintenanceWindow,
			ManagedPassword:   cfg.ManagedPassword,
		},
	}
	if a.Image == "" {
		a.Image = config.DefaultImageTag
	}
	for _, r := range cfg.Masking {
		a.Masking = append(a.Masking, MaskRule{Column: r.Column, Strategy: r.Strategy})
	}
	for _, h := range hooks {
		a.Hooks = append(a.Hooks, Hook{Name: h.Path, SQL: h.SQL})
	}
	if cfg.PubliclyAccessible != nil {
		a.Target.PubliclyAccessible = *cfg.PubliclyAccessible
	}

	if err := resolveNetwork(ctx, cfg, d, src, &a.Target); err != nil {
		return nil, err
	}
	if err := checkPublic(ctx, d, &a.Target); err != nil {
		return nil, err
	}
	if err := resolveClass(ctx, d, src, cfg, &a.Target); err != nil {
		return nil, err
	}
	a.Target.AllowedCIDR = cfg.AllowedCIDR
	if a.Target.AllowedCIDR == "" {
		a.Target.AllowedCIDR = a.Target.VpcCIDR
	}
	if a.Target.OpenToInternet() {
		warn(config.OpenToInternetWarning)
	}
	return a, nil
}

// checkRestore refuses what the account cannot restore: a source that is
// not available (unless restoring a snapshot, which does not need it), a
// snapshot that is missing, not available or of another engine, and a
// restore_to_time outside the source's restorable window. A snapshot also
// decides the clone's engine version, port and user, so src takes them.
func checkRestore(ctx context.Context, cfg *config.Config, d Discovery, src **aws.Cluster) error {
	c := *src
	id := cfg.SnapshotIdentifier
	switch CloneBlocker(c, id != "") {
	case NotAvailable:
		return &ResolveError{Key: "source_db_cluster_id", Msg: fmt.Sprintf(
			"source cluster %q is %s, not available: clones of it would fail; start it (aws rds start-db-cluster --db-cluster-identifier %s) and build again",
			c.ID, c.Status, c.ID)}
	case NoInstance:
		return &ResolveError{Key: "source_db_cluster_id", Msg: fmt.Sprintf(
			"source cluster %q has no DB instance: clones of it would fail; add one (aws rds create-db-instance --db-cluster-identifier %s --db-instance-identifier %s-1 --engine %s --db-instance-class CLASS) and build again",
			c.ID, c.ID, c.ID, c.Engine)}
	}
	if id != "" {
		snap, err := d.ClusterSnapshot(ctx, id)
		var awsErr *aws.Error
		switch {
		case errors.As(err, &awsErr) && awsErr.Kind == aws.NotFound:
			return &ResolveError{Key: "snapshot_identifier", Msg: fmt.Sprintf(
				"snapshot_identifier %q: no such DB cluster snapshot in %s; list the source's with: aws rds describe-db-cluster-snapshots --db-cluster-identifier %s",
				id, d.Region(), c.ID)}
		case err != nil:
			return err
		case snap.Status != "available":
			return &ResolveError{Key: "snapshot_identifier", Msg: fmt.Sprintf(
				"snapshot_identifier %q is %s, not available: wait until it is, or name another snapshot", id, snap.Status)}
		case snap.Engine != c.Engine:
			return &ResolveError{Key: "snapshot_identifier", Msg: fmt.Sprintf(
				"snapshot_identifier %q is a %s snapshot, but source cluster %q runs %s: name a snapshot of the source's engine", id, snap.Engine, c.ID, c.Engine)}
		}
		cp := *c
		cp.EngineVersion = snap.EngineVersion
		if snap.Port != 0 {
			cp.Port = snap.Port
		}
		if snap.MasterUsername != "" {
			cp.MasterUsername = snap.MasterUsername
		}
		*src = &cp
	}
	if msg := restoreWindowProblem(cfg.RestoreToTime, c); msg != "" {
		return &ResolveError{Key: "restore_to_time", Msg: msg + "; pick a time inside it, or leave restore_to_time out to clone the latest"}
	}
	return nil
}

// restoreWindowProblem says why a restore of c to t would be refused: t
// outside c's restorable window ("" when it is inside, when t is nil or
// the window unknown). The window moves: its start follows the backup
// retention, so a time a build accepted can fall out of it by the time
// someone clones, which is why the preflight asks again.
func restoreWindowProblem(t *time.Time, c *aws.Cluster) string {
	if t == nil || c.EarliestRestorable.IsZero() || c.LatestRestorable.IsZero() ||
		!t.Before(c.EarliestRestorable) && !t.After(c.LatestRestorable) {
		return ""
	}
	return fmt.Sprintf("restore_to_time %s is outside the restorable window of cluster %q: %s to %s",
		t.UTC().Format(time.RFC3339), c.ID, c.EarliestRestorable.UTC().Format(time.RFC3339), c.LatestRestorable.UTC().Format(time.RFC3339))
}

func resolveNetwork(ctx context.Context, cfg *config.Config, d Discovery, src *aws.Cluster, t *Target) error {
	var subnets []aws.Subnet
	if cfg.Subnets.Source {
		if src.SubnetGroup == "" {
			return &ResolveError{Key: "subnet_ids", Msg: fmt.Sprintf(
				"cluster %q has no DB subnet group, so subnet_ids = source cannot work; list two or more subnet ids instead", src.ID)}
		}
		g, err := d.SubnetGroup(ctx, src.SubnetGroup)
		if err != nil {
			return err
		}
		t.SubnetsFrom, t.SourceSubnetGroup, t.VpcID = "source", g.Name, g.VpcID
		subnets = g.Subnets
	} else {
		got, err := d.SubnetsByID(ctx, cfg.Subnets.IDs)
		if err != nil {
			return err
		}
		vpcs := map[string][]string{}
		for _, s := range got {
			vpcs[s.VpcID] = append(vpcs[s.VpcID], s.ID)
		}
		if len(vpcs) > 1 {
			var parts []string
			for _, v := range sortedKeys(vpcs) {
				parts = append(parts, fmt.Sprintf("%s in %s", strings.Join(vpcs[v], ", "), v))
			}
			return &ResolveError{Key: "subnet_ids", Msg: fmt.Sprintf(
				"subnet_ids span %d VPCs (%s): a clone's subnets must all be in one VPC", len(vpcs), strings.Join(parts, "; "))}
		}
		t.SubnetsFrom = "list"
		t.VpcID = got[0].VpcID
		subnets = got
	}

	var ids []string
	for _, s := range subnets {
		ids = append(ids, s.ID)
		t.Subnets = append(t.Subnets, Subnet{ID: s.ID, AZ: s.AZ, CIDR: s.CIDR})
	}
	sort.Slice(t.Subnets, func(i, j int) bool { return t.Subnets[i].ID < t.Subnets[j].ID })
	if azs, ok := aws.EnoughAZs(subnets); !ok {
		return &ResolveError{Key: "subnet_ids", Msg: fmt.Sprintf(
			"subnets %s are all in %s: Aurora needs subnets in at least two availability zones; add a subnet from another AZ of %s",
			strings.Join(ids, ", "), strings.Join(azs, ""), t.VpcID)}
	}
	vpc, err := d.VPC(ctx, t.VpcID)
	if err != nil {
		return err
	}
	t.VpcCIDR = vpc.CIDR
	return nil
}

func resolveClass(ctx context.Context, d Discovery, src *aws.Cluster, cfg *config.Config, t *Target) error {
	classes, err := d.OrderableClasses(ctx, src.Engine, src.EngineVersion)
	if err != nil {
		return err
	}
	if !slices.Contains(classes, cfg.InstanceClass) {
		return &ResolveError{Key: "instance_type", Msg: fmt.Sprintf(
			"instance_type %s is not orderable for %s %s in %s; orderable classes: %s",
			cfg.InstanceClass, src.Engine, src.EngineVersion, d.Region(), strings.Join(classes, ", "))}
	}
	if cfg.InstanceClass != config.ServerlessClass {
		return nil
	}
	sc := Scaling{Min: defaultMinACU, Max: defaultMaxACU}
	if src.Serverless != nil {
		sc = Scaling{Min: src.Serverless.Min, Max: src.Serverless.Max}
	}
	// An explicit 0 ACU minimum is valid (the clone may pause), so ask
	// whether the key was set rather than testing the value.
	if cfg.IsSet("serverless_min_capacity") {
		sc.Min = cfg.ServerlessMinCapacity
	}
	if cfg.IsSet("serverless_max_capacity") {
		sc.Max = cfg.ServerlessMaxCapacity
	}
	if sc.Min > sc.Max {
		return &ResolveError{Key: "serverless_min_capacity", Msg: fmt.Sprintf(
			"serverless capacity %.1f-%.1f ACUs is empty: serverless_min_capacity must not exceed serverless_max_capacity", sc.Min, sc.Max)}
	}
	lim, err := d.ServerlessLimits(ctx, src.Engine, src.EngineVersion)
	if err != nil {
		return err
	}
	if err := CheckScaling(sc, lim, src.Engine, src.EngineVersion); err != nil {
		return err
	}
	t.Serverless = &sc
	return nil
}

// CheckScaling refuses a capacity range outside what the engine version
// allows (lim; nil when the account reports no bounds), which AWS would
// refuse only once the stack is being created. The build and the wizard's
// capacity step both ask it.
func CheckScaling(sc Scaling, lim *aws.ServerlessLimits, engine, version string) *ResolveError {
	if lim == nil {
		return nil
	}
	bounds := fmt.Sprintf("%s %s allows %s ACUs (rds:DescribeDBEngineVersions)", engine, version, ACURange(lim.Min, lim.Max))
	if sc.Min < lim.Min {
		fix := fmt.Sprintf("set serverless_min_capacity to %s or more", acu(lim.Min))
		if sc.Min == 0 {
			fix += "; a minimum of 0 (auto-pause) needs an engine version that supports it"
		}
		return &ResolveError{Key: "serverless_min_capacity", Msg: fmt.Sprintf("serverless minimum %s ACUs is below what %s: %s", acu(sc.Min), bounds, fix)}
	}
	if sc.Max > lim.Max {
		return &ResolveError{Key: "serverless_max_capacity", Msg: fmt.Sprintf("serverless maximum %s ACUs is above what %s: set serverless_max_capacity to %s or less",
			acu(sc.Max), bounds, acu(lim.Max))}
	}
	return nil
}

// ACURange says a capacity range the way the wizard and the build do:
// "0.5–128".
func ACURange(lo, hi float64) string { return acu(lo) + "–" + acu(hi) }

func acu(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

// accountFromARN reads the account id out of an ARN
// (arn:partition:service:region:account:resource), saving a call.
func accountFromARN(arn string) string {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) < 6 {
		return ""
	}
	return parts[4]
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// checkPublic refuses a publicly accessible clone in a VPC without an
// internet gateway: RDS would refuse its instance
// (InvalidVPCNetworkStateFault) only after the clone's cluster exists.
// One DescribeRouteTables call, and only for a public clone.
func checkPublic(ctx context.Context, d Discovery, t *Target) error {
	if !t.PubliclyAccessible {
		return nil
	}
	ok, err := d.InternetGateway(ctx, t.VpcID)
	if err != nil || ok {
		return err
	}
	return &ResolveError{Key: "publicly_accessible", Msg: fmt.Sprintf(
		"publicly_accessible = true, but VPC %s has no internet gateway (none of its route tables routes to an igw-): RDS refuses a publicly accessible instance there; "+
			"set publicly_accessible = false and connect from inside the VPC, or choose subnets in a VPC with an internet gateway", t.VpcID)}
}
