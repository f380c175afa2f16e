// Package rds is the account's RDS API over the Query protocol: describing
// clusters, instances, subnet groups, snapshots, orderable instance
// options and the account's quotas, ModifyDBCluster (master passwords,
// those RDS manages in Secrets Manager among them), AddTagsToResource and
// StartDBCluster (which starts a dead server again).
// Its records are package state's, which CloudFormation's provider
// (package resources) changes too; the servers behind clusters are the
// account's, reached through Config.
package rds

import (
	"context"
	"maps"
	"sync"
	"time"

	"github.com/dbaf/dbaf/internal/sandbox/state"
	"github.com/dbaf/dbaf/internal/sandbox/wire"
)

// Config is what RDS needs of the account beyond its records.
type Config struct {
	Region, Account string
	// Realistic lags status changes behind the call, as AWS does.
	Realistic bool
	// Quotas sets limits by ParseQuota's names; unset ones are AWS's defaults.
	Quotas map[string]int64
	// KeyARN and SecretARN name KMS keys and new Secrets Manager secrets.
	KeyARN, SecretARN func(string) string
	// DBHost is the address of the real server behind a cluster, "" if
	// none. Called holding the lock.
	DBHost func(clusterID string) string
	// ApplyPassword sets a new master password in the cluster's server
	// (fault is a behaviour fault taken for it, or ""). Called without the
	// lock.
	ApplyPassword func(ctx context.Context, clusterID, user, password, fault string)
	// StartServer starts again the stopped server behind a cluster, on its
	// data (nil when the cluster has none). Called without the lock.
	StartServer func(ctx context.Context, clusterID string) error
	// TakeBehaviour takes an injected behaviour fault for service:action.
	TakeBehaviour func(service, action string) (string, bool)
	// Sleep waits d at the account's pace (false: ctx ended); Go runs f in
	// the background the account waits for on Close (false: closing).
	Sleep func(ctx context.Context, d time.Duration) bool
	Go    func(f func()) bool
	// SnapshotData copies the data of the server behind a cluster, as it
	// is now, into a snapshot (nil error when the cluster has none); and
	// RemoveSnapshotData deletes it. Called without the lock.
	SnapshotData       func(ctx context.Context, clusterID, snapshotID string) error
	RemoveSnapshotData func(snapshotID string)
}

// Service serves RDS from the account's records.
type Service struct {
	ctx             context.Context
	mu              sync.Locker // guards st
	st              *state.State
	region, account string
	quotas          map[string]int64

	keyARN, secretARN func(string) string
	dbHost            func(string) string
	applyPassword     func(context.Context, string, string, string, string)
	startServer       func(context.Context, string) error
	takeBehaviour     func(string, string) (string, bool)
	sleep             func(context.Context, time.Duration) bool
	goBackground      func(func()) bool
	snapshotData      func(context.Context, string, string) error
	removeSnapshot    func(string)
	realistic         bool
	described         map[string]bool // resources missOnce has missed, by ResourceID
}

// New is RDS for the account whose records are st, guarded by mu; ctx ends
// its background work (a password being applied).
func New(ctx context.Context, mu sync.Locker, st *state.State, cfg Config) *Service {
	return &Service{ctx: ctx, mu: mu, st: st, region: cfg.Region, account: cfg.Account, quotas: maps.Clone(cfg.Quotas),
		keyARN: cfg.KeyARN, secretARN: cfg.SecretARN, dbHost: cfg.DBHost, applyPassword: cfg.ApplyPassword, startServer: cfg.StartServer,
		takeBehaviour: cfg.TakeBehaviour, sleep: cfg.Sleep, goBackground: cfg.Go,
		snapshotData: cfg.SnapshotData, removeSnapshot: cfg.RemoveSnapshotData, realistic: cfg.Realistic}
}

// Actions are the RDS actions served. A nil Service lists the same names.
func (s *Service) Actions() map[string]wire.Handler {
	return map[string]wire.Handler{
		"DescribeDBClusters":                 s.describeDBClusters,
		"DescribeDBInstances":                s.describeDBInstances,
		"DescribeDBSubnetGroups":             s.describeDBSubnetGroups,
		"DescribeOrderableDBInstanceOptions": s.describeOrderable,
		"DescribeDBEngineVersions":           s.describeDBEngineVersions,
		"DescribeDBClusterSnapshots":         s.describeDBClusterSnapshots,
		"CreateDBClusterSnapshot":            s.createDBClusterSnapshot,
		"DeleteDBClusterSnapshot":            s.deleteDBClusterSnapshot,
		"ModifyDBCluster":                    s.modifyDBCluster,
		"AddTagsToResource":                  s.addTagsToResource,
		"StartDBCluster":                     s.startDBCluster,
		"DescribeAccountAttributes":          s.describeAccountAttributes,
	}
}
