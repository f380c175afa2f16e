package resources

import (
	"errors"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dbaf/dbaf/internal/sandbox/cloudformation"
	"github.com/dbaf/dbaf/internal/sandbox/state"
)

// fakeAccount records what the provider asks of the account, and checks
// the Account contract: calls under the lock, except RemoveDatabase.
type fakeAccount struct {
	t       *testing.T
	mu      *sync.Mutex
	copies  []string // "source->id:port", then " user:password" when one is set
	removed []string
	ready   chan error
	copyErr error
	quotas  map[string]int64 // unset: 40
}

func (f *fakeAccount) locked(what string) {
	if f.mu.TryLock() {
		f.mu.Unlock()
		f.t.Errorf("%s called without the lock held", what)
	}
}

func (f *fakeAccount) ClusterARN(id string) string {
	f.locked("ClusterARN")
	return "arn:cluster:" + id
}
func (f *fakeAccount) InstanceARN(id string) string { f.locked("InstanceARN"); return "arn:db:" + id }
func (f *fakeAccount) ClusterEndpoint(id string) string {
	f.locked("ClusterEndpoint")
	return id + ".writer"
}
func (f *fakeAccount) ReaderEndpoint(id string) string {
	f.locked("ReaderEndpoint")
	return id + ".reader"
}
func (f *fakeAccount) InstanceEndpoint(id string) string {
	f.locked("InstanceEndpoint")
	return id + ".instance"
}

func (f *fakeAccount) SecretARN(name string) string {
	f.locked("SecretARN")
	return "arn:secret:" + name + "-AbCdEf"
}

func (f *fakeAccount) KeyARN(id string) string { return "arn:key/" + id }

func (f *fakeAccount) Quota(name string) int64 {
	if q, ok := f.quotas[name]; ok {
		return q
	}
	return 40
}

func (f *fakeAccount) CopyDatabase(source, id string, at time.Time, port int, user, password string) (<-chan error, error) {
	f.locked("CopyDatabase")
	if f.copyErr != nil {
		return nil, f.copyErr
	}
	c := source + "->" + id + ":" + strconv.Itoa(port)
	if !at.IsZero() {
		c += " at " + at.UTC().Format(time.RFC3339)
	}
	if password != "" {
		c += " " + user + ":" + password
	}
	f.copies = append(f.copies, c)
	return f.ready, nil
}

func (f *fakeAccount) RestoreDatabase(snapshotID, id string, port int, user, password string) (<-chan error, error) {
	f.locked("RestoreDatabase")
	f.copies = append(f.copies, "snapshot "+snapshotID+"->"+id+":"+strconv.Itoa(port))
	return f.ready, nil
}

func (f *fakeAccount) SnapshotDatabase(clusterID, snapshotID string) {
	if !f.mu.TryLock() {
		f.t.Errorf("SnapshotDatabase(%s) called with the lock held", clusterID)
	} else {
		f.mu.Unlock()
	}
}

func (f *fakeAccount) RemoveDatabase(id string) {
	if !f.mu.TryLock() {
		f.t.Errorf("RemoveDatabase(%s) called with the lock held", id)
	} else {
		f.mu.Unlock()
	}
	f.removed = append(f.removed, id)
}

func newTestProvider(t *testing.T) (*Provider, *fakeAccount, *state.State) {
	mu := &sync.Mutex{}
	st := state.Seed("eu-west-1", 0, 0)
	acct := &fakeAccount{t: t, mu: mu, ready: make(chan error, 1)}
	return New(mu, st, "eu-west-1", acct), acct, st
}

func cluster(logicalID string) cloudformation.Resource {
	return cloudformation.Resource{StackName: "s", StackID: "arn:stack/s", LogicalID: logicalID, Type: "AWS::RDS::DBCluster"}
}

func TestSnapshotRestoreRestoresTheSnapshotsData(t *testing.T) {
	pr, acct, st := newTestProvider(t)
	r := cluster("Restored")
	got, err := pr.Create(r, map[string]any{"DBClusterIdentifier": "restored", "Engine": "aurora-postgresql",
		"SnapshotIdentifier": "prod-aurora-before-migration", "DBSubnetGroupName": "prod-db-subnets"})
	if err != nil {
		t.Fatal(err)
	}
	if len(acct.copies) != 1 || acct.copies[0] != "snapshot prod-aurora-before-migration->restored:5432" {
		t.Errorf("copies = %v, want the data of the snapshot, not its cluster's of now", acct.copies)
	}
	if got.Ready != (<-chan error)(acct.ready) {
		t.Error("Ready is not the account's copy channel")
	}
	if got.Attrs["Endpoint.Address"] != "restored.writer" || got.Attrs["DBClusterArn"] != "arn:cluster:restored" {
		t.Errorf("attrs = %v", got.Attrs)
	}
	if got.Duration != createDuration("AWS::RDS::DBCluster", true) {
		t.Errorf("a restore takes %v, want the full copy's %v", got.Duration, createDuration("AWS::RDS::DBCluster", true))
	}
	cl, _ := st.Clusters.Get("restored")
	if cl.Status != "creating" || cl.SubnetGroup != "prod-db-subnets" || len(cl.SGIDs) != 1 {
		t.Fatalf("restored cluster = %+v", cl)
	}
	if v, _ := st.VPCs.Get("vpc-0a1b2c3d4e5f60001"); cl.SGIDs[0] != v.DefaultSG {
		t.Errorf("security groups %v, want the VPC's default %s", cl.SGIDs, v.DefaultSG)
	}
	got.Done(nil)
	if cl.Status != "available" {
		t.Errorf("after Done: %s", cl.Status)
	}
}

func TestCloneSharesCloneGroupAndIsFaster(t *testing.T) {
	pr, _, st := newTestProvider(t)
	got, err := pr.Create(cluster("Clone"), map[string]any{"DBClusterIdentifier": "clone", "SourceDBClusterIdentifier": "prod-aurora",
		"RestoreType": "copy-on-write", "UseLatestRestorableTime": true, "DBSubnetGroupName": "prod-db-subnets"})
	if err != nil {
		t.Fatal(err)
	}
	src, _ := st.Clusters.Get("prod-aurora")
	cl, _ := st.Clusters.Get("clone")
	if src.CloneGroup == "" || cl.CloneGroup != src.CloneGroup {
		t.Errorf("clone group %q, source's %q", cl.CloneGroup, src.CloneGroup)
	}
	if got.Duration != createDuration("AWS::RDS::DBCluster", false) {
		t.Errorf("a clone takes %v", got.Duration)
	}
	if cl.Engine != src.Engine || cl.MasterUser != src.MasterUser || cl.Port != src.Port {
		t.Errorf("clone %+v does not take its source's engine, user and port", cl)
	}
}

func TestClusterChecksInRDSOrder(t *testing.T) {
	for _, tc := range []struct {
		name  string
		props map[string]any
		want  string
	}{
		{"type errors all listed", map[string]any{"Port": "x", "DeletionProtection": []any{}},
			"[#/Port: expected type: Integer, found: String, #/DeletionProtection: expected type: Boolean, found: JSONArray]"},
		{"origin before settings", map[string]any{"SourceDBClusterIdentifier": "nope", "Port": 80}, "DBCluster nope not found"},
		{"settings before network", map[string]any{"Engine": "aurora-postgresql", "MasterUsername": "u", "MasterUserPassword": "long-enough",
			"Port": 80, "DBSubnetGroupName": "nope"}, "Invalid port 80"},
		{"network", map[string]any{"Engine": "aurora-postgresql", "MasterUsername": "u", "MasterUserPassword": "long-enough",
			"DBSubnetGroupName": "nope"}, "DBSubnetGroup 'nope' not found"},
		{"both origins", map[string]any{"SourceDBClusterIdentifier": "prod-aurora", "SnapshotIdentifier": "x"}, "not both"},
		{"restore time", map[string]any{"SourceDBClusterIdentifier": "prod-aurora", "RestoreToTime": "yesterday"}, "Invalid RestoreToTime yesterday"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pr, acct, st := newTestProvider(t)
			n := st.Clusters.Len()
			_, err := pr.Create(cluster("DB"), tc.props)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
			if st.Clusters.Len() != n || len(acct.copies) != 0 {
				t.Errorf("a refused cluster changed the account: %d clusters (was %d), copies %v", st.Clusters.Len(), n, acct.copies)
			}
		})
	}
}

func TestCopyFailureIsTheResourcesFailure(t *testing.T) {
	pr, acct, st := newTestProvider(t)
	acct.copyErr = errors.New("no port free")
	_, err := pr.Create(cluster("Clone"), map[string]any{"DBClusterIdentifier": "clone", "SourceDBClusterIdentifier": "prod-aurora",
		"UseLatestRestorableTime": true, "DBSubnetGroupName": "prod-db-subnets"})
	if err == nil || !strings.Contains(err.Error(), "cannot start a database server for clone: no port free") || !strings.Contains(err.Error(), "ServiceInternalError") {
		t.Fatalf("err = %v", err)
	}
	if _, ok := st.Clusters.Get("clone"); ok {
		t.Error("the cluster exists though its copy could not start")
	}
}

func TestDeleteClusterRemovesItsDatabaseOutsideTheLock(t *testing.T) {
	pr, acct, st := newTestProvider(t)
	r := cluster("Clone")
	got, err := pr.Create(r, map[string]any{"DBClusterIdentifier": "clone", "SourceDBClusterIdentifier": "prod-aurora",
		"UseLatestRestorableTime": true, "DBSubnetGroupName": "prod-db-subnets"})
	if err != nil {
		t.Fatal(err)
	}
	got.Done(nil)
	r.PhysicalID = got.PhysicalID
	del, err := pr.Delete(r, true)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(del.Note, "final snapshot") {
		t.Errorf("note = %q", del.Note)
	}
	del.Finish()
	if len(acct.removed) != 1 || acct.removed[0] != "clone" {
		t.Errorf("removed = %v", acct.removed)
	}
	if _, ok := st.Clusters.Get("clone"); ok {
		t.Error("cluster still there after Finish")
	}
	var snap *state.Snapshot
	for _, sn := range st.Snapshots.All() {
		if sn.Cluster == "clone" {
			snap = sn
		}
	}
	if snap == nil || snap.Status != "available" {
		t.Errorf("final snapshot = %+v, want available", snap)
	}
}

// Aurora's clone-group limit: past it a copy-on-write clone silently
// becomes a full copy. As RDS's model says, every point-in-time restore
// (copy-on-write or full copy, the one past the limit too) inherits its
// source's clone group, and a snapshot restore does not.
func TestCloneGroupLimit(t *testing.T) {
	pr, acct, st := newTestProvider(t)
	acct.quotas = map[string]int64{"clones-per-group": 1}
	create := func(id string, props map[string]any) *cloudformation.Created {
		t.Helper()
		m := map[string]any{"DBClusterIdentifier": id, "DBSubnetGroupName": "prod-db-subnets"}
		for k, v := range props {
			m[k] = v
		}
		got, err := pr.Create(cluster("C"+strings.ReplaceAll(id, "-", "")), m)
		if err != nil {
			t.Fatal(err)
		}
		got.Done(nil)
		return got
	}
	clone := map[string]any{"SourceDBClusterIdentifier": "prod-aurora", "RestoreType": "copy-on-write", "UseLatestRestorableTime": true}
	// A full copy first: it does not count against the limit.
	create("full", map[string]any{"SourceDBClusterIdentifier": "prod-aurora", "RestoreType": "full-copy", "UseLatestRestorableTime": true})
	if full, _ := st.Clusters.Get("full"); full.CloneGroup != "" || full.CopyOnWrite {
		t.Errorf("full copy of a never-cloned source: group %q, copy-on-write %v; want the source's (none)", full.CloneGroup, full.CopyOnWrite)
	}
	first, second := create("first", clone), create("second", clone)
	src, _ := st.Clusters.Get("prod-aurora")
	c1, _ := st.Clusters.Get("first")
	c2, _ := st.Clusters.Get("second")
	if src.CloneGroup == "" || c1.CloneGroup != src.CloneGroup || !c1.CopyOnWrite || first.Duration != createDuration("AWS::RDS::DBCluster", false) {
		t.Errorf("first clone: group %q (source's %q), copy-on-write %v, %v", c1.CloneGroup, src.CloneGroup, c1.CopyOnWrite, first.Duration)
	}
	if c2.CloneGroup != src.CloneGroup || c2.CopyOnWrite || second.Duration != createDuration("AWS::RDS::DBCluster", true) {
		t.Errorf("second clone past the limit: group %q (source's %q), copy-on-write %v, %v; want a full copy in the source's group",
			c2.CloneGroup, src.CloneGroup, c2.CopyOnWrite, second.Duration)
	}
	create("pitr", map[string]any{"SourceDBClusterIdentifier": "prod-aurora", "RestoreType": "full-copy", "UseLatestRestorableTime": true})
	if pitr, _ := st.Clusters.Get("pitr"); pitr.CloneGroup != src.CloneGroup || pitr.CopyOnWrite {
		t.Errorf("full copy of a cloned source: group %q, copy-on-write %v; want the source's %q", pitr.CloneGroup, pitr.CopyOnWrite, src.CloneGroup)
	}
	create("snap", map[string]any{"SnapshotIdentifier": "prod-aurora-before-migration", "Engine": "aurora-postgresql"})
	if snap, _ := st.Clusters.Get("snap"); snap.CloneGroup != "" {
		t.Errorf("snapshot restore: group %q, want none", snap.CloneGroup)
	}
}

// The account's quotas stop a cluster or instance before anything of it
// exists, with CloudFormation's service-limit wording.
func TestQuotasRefuseCreation(t *testing.T) {
	pr, acct, st := newTestProvider(t)
	clusters, instances := st.Clusters.Len(), st.Instances.Len()
	acct.quotas = map[string]int64{"db-clusters": int64(clusters), "db-instances": int64(instances)}
	_, err := pr.Create(cluster("Clone"), map[string]any{"DBClusterIdentifier": "clone", "SourceDBClusterIdentifier": "prod-aurora",
		"RestoreType": "copy-on-write", "UseLatestRestorableTime": true, "DBSubnetGroupName": "prod-db-subnets"})
	want := "quota of " + strconv.Itoa(clusters) + " DB clusters (DBClusters) is used up"
	if err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "Status Code: 403") || !strings.Contains(err.Error(), "HandlerErrorCode: ServiceLimitExceeded") {
		t.Errorf("cluster at quota: %v", err)
	}
	_, err = pr.Create(cloudformation.Resource{StackName: "s", LogicalID: "Instance", Type: "AWS::RDS::DBInstance"},
		map[string]any{"DBInstanceIdentifier": "extra-1", "DBClusterIdentifier": "prod-aurora", "DBInstanceClass": "db.r6g.large", "Engine": "aurora-postgresql"})
	if err == nil || !strings.Contains(err.Error(), "quota of "+strconv.Itoa(instances)+" DB instances") || !strings.Contains(err.Error(), "ServiceLimitExceeded") {
		t.Errorf("instance at quota: %v", err)
	}
	if st.Clusters.Len() != clusters || st.Instances.Len() != instances || len(acct.copies) != 0 {
		t.Errorf("refused creations changed the account: %d clusters, %d instances, copies %v", st.Clusters.Len(), st.Instances.Len(), acct.copies)
	}
}

// A template's managed password: a secret holding the password the copy
// sets, deleted with the cluster.
func TestManagedPasswordTemplate(t *testing.T) {
	pr, acct, st := newTestProvider(t)
	r := cluster("Clone")
	got, err := pr.Create(r, map[string]any{"DBClusterIdentifier": "clone", "SourceDBClusterIdentifier": "prod-aurora",
		"RestoreType": "copy-on-write", "UseLatestRestorableTime": true, "DBSubnetGroupName": "prod-db-subnets",
		"ManageMasterUserPassword": true, "MasterUserSecret": map[string]any{"KmsKeyId": "alias/prod-data"}})
	if err != nil {
		t.Fatal(err)
	}
	cl, _ := st.Clusters.Get("clone")
	sec, ok := st.Secrets.Get(cl.SecretARN)
	if !ok || !strings.HasPrefix(sec.ARN, "arn:secret:rds!cluster-") || sec.Cluster != "clone" || sec.KeyID != st.KeyAlias(state.AliasProd) {
		t.Fatalf("secret %+v (cluster's %q)", sec, cl.SecretARN)
	}
	if len(acct.copies) != 1 || !strings.HasPrefix(acct.copies[0], "prod-aurora->clone:5432 postgres:") ||
		!strings.Contains(sec.Value, `"password":"`+strings.ReplaceAll(strings.TrimPrefix(acct.copies[0], "prod-aurora->clone:5432 postgres:"), `\`, `\\`)+`"`) {
		t.Errorf("copy %v does not set the secret's password", acct.copies)
	}
	got.Done(nil)
	r.PhysicalID = got.PhysicalID
	del, err := pr.Delete(r, false)
	if err != nil {
		t.Fatal(err)
	}
	del.Finish()
	if st.Secrets.Len() != 0 {
		t.Errorf("%d secrets left after the cluster's deletion", st.Secrets.Len())
	}
	if _, err := pr.Create(cluster("Both"), map[string]any{"DBClusterIdentifier": "both", "Engine": "aurora-postgresql", "MasterUsername": "u",
		"MasterUserPassword": "long-enough", "ManageMasterUserPassword": true, "DBSubnetGroupName": "prod-db-subnets"}); err == nil ||
		!strings.Contains(err.Error(), "RDS generates the password it manages") {
		t.Errorf("both passwords: %v", err)
	}
}

// RDS refuses a publicly accessible instance in a VPC without an internet
// gateway (staging's), and makes one where there is one (prod's).
func TestPublicInstanceNeedsAnInternetGateway(t *testing.T) {
	pr, _, _ := newTestProvider(t)
	instance := func(id, cluster string) error {
		_, err := pr.Create(cloudformation.Resource{StackName: "s", LogicalID: "Instance", Type: "AWS::RDS::DBInstance"},
			map[string]any{"DBInstanceIdentifier": id, "DBClusterIdentifier": cluster, "DBInstanceClass": "db.r6g.large",
				"Engine": "aurora-postgresql", "PubliclyAccessible": true})
		return err
	}
	if err := instance("public-staging", "catalog-pg"); err == nil || !strings.Contains(err.Error(), "Cannot create a publicly accessible DBInstance. The specified VPC has no internet gateway attached.") {
		t.Errorf("public instance in staging: %v", err)
	}
	if err := instance("public-prod", "prod-aurora"); err != nil {
		t.Errorf("public instance in prod: %v", err)
	}
}

// TestRealisticInstanceTakesTheLongest: under --realistic a DB instance is
// the longest step of a clone, longer than a full copy of its cluster, as
// on AWS; otherwise the sandbox's demo pace keeps it shorter.
func TestRealisticInstanceTakesTheLongest(t *testing.T) {
	for _, realistic := range []bool{false, true} {
		pr, _, _ := newTestProvider(t)
		pr.Realistic = realistic
		got, err := pr.Create(cloudformation.Resource{StackName: "s", LogicalID: "Instance", Type: "AWS::RDS::DBInstance"},
			map[string]any{"DBInstanceIdentifier": "extra-1", "DBClusterIdentifier": "prod-aurora", "DBInstanceClass": "db.r6g.large", "Engine": "aurora-postgresql"})
		if err != nil {
			t.Fatal(err)
		}
		if longest := got.Duration > createDuration("AWS::RDS::DBCluster", true); longest != realistic {
			t.Errorf("realistic %v: an instance takes %v, a full copy %v", realistic, got.Duration, createDuration("AWS::RDS::DBCluster", true))
		}
	}
}
