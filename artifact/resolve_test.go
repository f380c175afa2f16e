package artifact

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/dbaf/dbaf/aws"
	"github.com/dbaf/dbaf/config"
)

// fakeDiscovery is a small account: one PostgreSQL source in a VPC with
// subnets in two AZs, one subnet in another VPC.
type fakeDiscovery struct {
	clusters map[string]*aws.Cluster
	groups   map[string]*aws.SubnetGroup
	subnets  map[string]aws.Subnet
	vpcs     map[string]*aws.VPC
	classes  []string
	snaps    map[string]*aws.ClusterSnapshot
	noIGW    map[string]bool       // VPCs without an internet gateway
	limits   *aws.ServerlessLimits // nil: the account reports none
}

func newFake() *fakeDiscovery {
	subnets := map[string]aws.Subnet{
		"subnet-aaaaaaaa": {ID: "subnet-aaaaaaaa", VpcID: "vpc-1", AZ: "eu-west-1a", CIDR: "10.0.1.0/24"},
		"subnet-bbbbbbbb": {ID: "subnet-bbbbbbbb", VpcID: "vpc-1", AZ: "eu-west-1b", CIDR: "10.0.2.0/24"},
		"subnet-cccccccc": {ID: "subnet-cccccccc", VpcID: "vpc-1", AZ: "eu-west-1a", CIDR: "10.0.3.0/24"},
		"subnet-dddddddd": {ID: "subnet-dddddddd", VpcID: "vpc-2", AZ: "eu-west-1b", CIDR: "10.1.1.0/24"},
	}
	return &fakeDiscovery{
		clusters: map[string]*aws.Cluster{
			"prod": {ID: "prod", ARN: "arn:aws:rds:eu-west-1:111122223333:cluster:prod", Engine: "aurora-postgresql",
				EngineVersion: "16.4", Status: "available", Port: 5432, MasterUsername: "postgres", SubnetGroup: "prod-db", Members: []aws.Member{{InstanceID: "prod-1", Writer: true}},
				EarliestRestorable: time.Date(2026, 11, 18, 0, 0, 0, 0, time.UTC), LatestRestorable: time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)},
			"serverless": {ID: "serverless", ARN: "arn:aws:rds:eu-west-1:111122223333:cluster:serverless", Engine: "aurora-postgresql",
				EngineVersion: "16.4", Status: "available", Port: 5432, MasterUsername: "postgres", SubnetGroup: "prod-db", Members: []aws.Member{{InstanceID: "serverless-1", Writer: true}},
				Serverless: &aws.ServerlessScaling{Min: 1, Max: 8}},
			"stopped": {ID: "stopped", Engine: "aurora-mysql", EngineVersion: "8.0", Status: "stopped", Port: 3306, MasterUsername: "admin", SubnetGroup: "prod-db"},
			"legacy":  {ID: "legacy", Engine: "postgres", Status: "available"},
			"empty":   {ID: "empty", Engine: "aurora-postgresql", EngineVersion: "16.4", Status: "available", SubnetGroup: "prod-db"},
		},
		groups: map[string]*aws.SubnetGroup{
			"prod-db": {Name: "prod-db", VpcID: "vpc-1", Subnets: []aws.Subnet{subnets["subnet-bbbbbbbb"], subnets["subnet-aaaaaaaa"]}},
		},
		subnets: subnets,
		vpcs:    map[string]*aws.VPC{"vpc-1": {ID: "vpc-1", CIDR: "10.0.0.0/16"}, "vpc-2": {ID: "vpc-2", CIDR: "10.1.0.0/16"}},
		classes: []string{"db.r6g.large", "db.r6g.xlarge", "db.serverless"},
		snaps: map[string]*aws.ClusterSnapshot{
			"prod-snap":     {ID: "prod-snap", ClusterID: "prod", Engine: "aurora-postgresql", EngineVersion: "15.8", Status: "available", Port: 5433, MasterUsername: "snapuser"},
			"prod-creating": {ID: "prod-creating", ClusterID: "prod", Engine: "aurora-postgresql", EngineVersion: "16.4", Status: "creating"},
			"mysql-snap":    {ID: "mysql-snap", ClusterID: "shop", Engine: "aurora-mysql", EngineVersion: "8.0", Status: "available"},
		},
	}
}

func (f *fakeDiscovery) ClusterSnapshot(_ context.Context, id string) (*aws.ClusterSnapshot, error) {
	if s, ok := f.snaps[id]; ok {
		return s, nil
	}
	return nil, &aws.Error{Kind: aws.NotFound, Msg: "no DB cluster snapshot " + id}
}

var errNotFound = errors.New("not found")

func (f *fakeDiscovery) Region() string { return "eu-west-1" }
func (f *fakeDiscovery) Cluster(_ context.Context, id string) (*aws.Cluster, error) {
	if c, ok := f.clusters[id]; ok {
		return c, nil
	}
	return nil, errNotFound
}
func (f *fakeDiscovery) SubnetGroup(_ context.Context, name string) (*aws.SubnetGroup, error) {
	if g, ok := f.groups[name]; ok {
		return g, nil
	}
	return nil, errNotFound
}
func (f *fakeDiscovery) SubnetsByID(_ context.Context, ids []string) ([]aws.Subnet, error) {
	var out []aws.Subnet
	for _, id := range ids {
		s, ok := f.subnets[id]
		if !ok {
			return nil, errNotFound
		}
		out = append(out, s)
	}
	return out, nil
}
func (f *fakeDiscovery) InternetGateway(_ context.Context, vpcID string) (bool, error) {
	return !f.noIGW[vpcID], nil
}
func (f *fakeDiscovery) VPC(_ context.Context, id string) (*aws.VPC, error) {
	if v, ok := f.vpcs[id]; ok {
		return v, nil
	}
	return nil, errNotFound
}
func (f *fakeDiscovery) OrderableClasses(context.Context, string, string) ([]string, error) {
	return f.classes, nil
}
func (f *fakeDiscovery) ServerlessLimits(context.Context, string, string) (*aws.ServerlessLimits, error) {
	return f.limits, nil
}

func TestResolve(t *testing.T) {
	created := time.Date(2026, 11, 25, 1, 2, 3, 0, time.UTC)
	yes := true
	tests := []struct {
		name    string
		cfg     config.Config
		check   func(t *testing.T, a *Artifact)
		wantErr string // substring; "" = must succeed
		wantKey string // ResolveError key when wantErr is a ResolveError
		warn    string
	}{
		{
			name: "source subnets and defaults",
			cfg:  config.Config{SourceClusterID: "prod", Subnets: config.Subnets{Source: true}, InstanceClass: "db.r6g.large"},
			check: func(t *testing.T, a *Artifact) {
				want := Target{InstanceClass: "db.r6g.large", SubnetsFrom: "source", SourceSubnetGroup: "prod-db", VpcID: "vpc-1",
					VpcCIDR: "10.0.0.0/16", AllowedCIDR: "10.0.0.0/16",
					Subnets: []Subnet{{"subnet-aaaaaaaa", "eu-west-1a", "10.0.1.0/24"}, {"subnet-bbbbbbbb", "eu-west-1b", "10.0.2.0/24"}}}
				if !reflect.DeepEqual(a.Target, want) {
					t.Errorf("target = %+v\nwant %+v", a.Target, want)
				}
				if a.Source != (Source{ClusterID: "prod", Engine: "aurora-postgresql", EngineVersion: "16.4", Port: 5432, MasterUsername: "postgres"}) {
					t.Errorf("source = %+v", a.Source)
				}
				if _, ok := Labels(a, "test")[LabelPassword]; ok || a.Target.PasswordDescription() != "given by the developer at clone time" {
					t.Errorf("a developer-password artifact is described as %q, labelled %v", a.Target.PasswordDescription(), Labels(a, "test"))
				}
				if a.Image != config.DefaultImageTag || a.Account != "111122223333" || a.Region != "eu-west-1" || !a.Created.Equal(created) {
					t.Errorf("image %q account %q region %q created %v", a.Image, a.Account, a.Region, a.Created)
				}
			},
		},
		{
			name: "explicit subnets, CIDR, public, ttl",
			cfg: config.Config{SourceClusterID: "prod", Subnets: config.Subnets{IDs: []string{"subnet-cccccccc", "subnet-bbbbbbbb"}},
				InstanceClass: "db.r6g.xlarge", AllowedCIDR: "10.0.3.0/24", PubliclyAccessible: &yes, CloneTTL: 72 * time.Hour, ImageTag: "x:1"},
			check: func(t *testing.T, a *Artifact) {
				if a.Target.SubnetsFrom != "list" || len(a.Target.Subnets) != 2 || a.Target.Subnets[0].ID != "subnet-bbbbbbbb" {
					t.Errorf("subnets = %+v", a.Target)
				}
				if a.Target.AllowedCIDR != "10.0.3.0/24" || !a.Target.PubliclyAccessible || a.CloneTTL != Duration(72*time.Hour) || a.Image != "x:1" {
					t.Errorf("target = %+v ttl %v image %q", a.Target, a.CloneTTL, a.Image)
				}
			},
		},
		{
			name: "managed password",
			cfg:  config.Config{SourceClusterID: "prod", Subnets: config.Subnets{Source: true}, InstanceClass: "db.r6g.large", ManagedPassword: true},
			check: func(t *testing.T, a *Artifact) {
				if !a.Target.ManagedPassword || Labels(a, "test")[LabelPassword] != config.PasswordSecretsManager ||
					!strings.Contains(a.Target.PasswordDescription(), "Secrets Manager") {
					t.Errorf("target %+v, labels %v", a.Target, Labels(a, "test"))
				}
			},
		},
		{
			name: "open to the internet",
			cfg: config.Config{SourceClusterID: "prod", Subnets: config.Subnets{Source: true}, InstanceClass: "db.r6g.large",
				AllowedCIDR: "0.0.0.0/0", PubliclyAccessible: &yes},
			check: func(t *testing.T, a *Artifact) {
				if !a.Target.OpenToInternet() {
					t.Errorf("target %+v is not open to the internet", a.Target)
				}
			},
			warn: config.OpenToInternetWarning,
		},
		{
			name: "serverless takes the source's scaling",
			cfg:  config.Config{SourceClusterID: "serverless", Subnets: config.Subnets{Source: true}, InstanceClass: "db.serverless"},
			check: func(t *testing.T, a *Artifact) {
				if a.Target.Serverless == nil || *a.Target.Serverless != (Scaling{1, 8}) {
					t.Errorf("serverless = %+v", a.Target.Serverless)
				}
			},
		},
		{
			name: "serverless config overrides",
			cfg: config.Config{SourceClusterID: "prod", Subnets: config.Subnets{Source: true}, InstanceClass: "db.serverless",
				ServerlessMaxCapacity: 4},
			check: func(t *testing.T, a *Artifact) {
				if a.Target.Serverless == nil || *a.Target.Serverless != (Scaling{0.5, 4}) {
					t.Errorf("serverless = %+v", a.Target.Serverless)
				}
			},
		},
		{
			name:    "serverless min above max",
			cfg:     config.Config{SourceClusterID: "serverless", Subnets: config.Subnets{Source: true}, InstanceClass: "db.serverless", ServerlessMinCapacity: 10},
			wantErr: "serverless capacity 10.0-8.0 ACUs is empty", wantKey: "serverless_min_capacity",
		},
		{
			name:    "not aurora",
			cfg:     config.Config{SourceClusterID: "legacy", Subnets: config.Subnets{Source: true}, InstanceClass: "db.r6g.large"},
			wantErr: `cluster "legacy" runs engine "postgres", not Aurora`, wantKey: "source_db_cluster_id",
		},
		{
			name:    "one AZ",
			cfg:     config.Config{SourceClusterID: "prod", Subnets: config.Subnets{IDs: []string{"subnet-aaaaaaaa", "subnet-cccccccc"}}, InstanceClass: "db.r6g.large"},
			wantErr: "subnets subnet-aaaaaaaa, subnet-cccccccc are all in eu-west-1a: Aurora needs subnets in at least two availability zones", wantKey: "subnet_ids",
		},
		{
			name:    "two VPCs",
			cfg:     config.Config{SourceClusterID: "prod", Subnets: config.Subnets{IDs: []string{"subnet-aaaaaaaa", "subnet-dddddddd"}}, InstanceClass: "db.r6g.large"},
			wantErr: "subnet_ids span 2 VPCs (subnet-aaaaaaaa in vpc-1; subnet-dddddddd in vpc-2)", wantKey: "subnet_ids",
		},
		{
			name:    "class not orderable lists the orderable ones",
			cfg:     config.Config{SourceClusterID: "prod", Subnets: config.Subnets{Source: true}, InstanceClass: "db.t3.small"},
			wantErr: "instance_type db.t3.small is not orderable for aurora-postgresql 16.4 in eu-west-1; orderable classes: db.r6g.large, db.r6g.xlarge, db.serverless", wantKey: "instance_type",
		},
		{
			name:    "unknown cluster passes discovery's error through",
			cfg:     config.Config{SourceClusterID: "nope", Subnets: config.Subnets{Source: true}, InstanceClass: "db.r6g.large"},
			wantErr: "not found",
		},
		{
			name:    "stopped source is refused",
			cfg:     config.Config{SourceClusterID: "stopped", Subnets: config.Subnets{Source: true}, InstanceClass: "db.r6g.large"},
			wantErr: `source cluster "stopped" is stopped, not available`, wantKey: "source_db_cluster_id",
		},
		{
			name:    "a source without an instance is refused, as the preflight would refuse its clones",
			cfg:     config.Config{SourceClusterID: "empty", Subnets: config.Subnets{Source: true}, InstanceClass: "db.r6g.large"},
			wantErr: `source cluster "empty" has no DB instance: clones of it would fail`, wantKey: "source_db_cluster_id",
		},
		{
			name:    "unknown snapshot",
			cfg:     config.Config{SourceClusterID: "prod", Subnets: config.Subnets{Source: true}, InstanceClass: "db.r6g.large", SnapshotIdentifier: "nope"},
			wantErr: `snapshot_identifier "nope": no such DB cluster snapshot in eu-west-1`, wantKey: "snapshot_identifier",
		},
		{
			name:    "snapshot not available",
			cfg:     config.Config{SourceClusterID: "prod", Subnets: config.Subnets{Source: true}, InstanceClass: "db.r6g.large", SnapshotIdentifier: "prod-creating"},
			wantErr: `snapshot_identifier "prod-creating" is creating, not available`, wantKey: "snapshot_identifier",
		},
		{
			name:    "snapshot of another engine",
			cfg:     config.Config{SourceClusterID: "prod", Subnets: config.Subnets{Source: true}, InstanceClass: "db.r6g.large", SnapshotIdentifier: "mysql-snap"},
			wantErr: `snapshot_identifier "mysql-snap" is a aurora-mysql snapshot, but source cluster "prod" runs aurora-postgresql`, wantKey: "snapshot_identifier",
		},
		{
			name: "snapshot gives version, port and user",
			cfg:  config.Config{SourceClusterID: "prod", Subnets: config.Subnets{Source: true}, InstanceClass: "db.r6g.large", SnapshotIdentifier: "prod-snap"},
			check: func(t *testing.T, a *Artifact) {
				if a.Source.EngineVersion != "15.8" || a.Source.Port != 5433 || a.Source.MasterUsername != "snapuser" || a.Source.SnapshotIdentifier != "prod-snap" {
					t.Errorf("source = %+v", a.Source)
				}
			},
		},
		{
			name: "restore_to_time before the window",
			cfg: config.Config{SourceClusterID: "prod", Subnets: config.Subnets{Source: true}, InstanceClass: "db.r6g.large",
				RestoreToTime: ptr(time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC))},
			wantErr: "restore_to_time 2026-11-01T00:00:00Z is outside the restorable window of cluster \"prod\": 2026-11-18T00:00:00Z to 2026-11-25T00:00:00Z", wantKey: "restore_to_time",
		},
		{
			name: "restore_to_time after the window",
			cfg: config.Config{SourceClusterID: "prod", Subnets: config.Subnets{Source: true}, InstanceClass: "db.r6g.large",
				RestoreToTime: ptr(time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC))},
			wantErr: "is outside the restorable window", wantKey: "restore_to_time",
		},
		{
			name: "restore_to_time inside the window",
			cfg: config.Config{SourceClusterID: "prod", Subnets: config.Subnets{Source: true}, InstanceClass: "db.r6g.large",
				RestoreToTime: ptr(time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC))},
			check: func(t *testing.T, a *Artifact) {
				if a.Source.RestoreToTime == nil || a.RestoreMode().Kind != RestoreFullCopy {
					t.Errorf("source = %+v", a.Source)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var warnings []string
			cfg := tt.cfg
			a, err := Resolve(context.Background(), &cfg, newFake(), created, func(s string) { warnings = append(warnings, s) })
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want it to contain %q", err, tt.wantErr)
				}
				var re *ResolveError
				if tt.wantKey != "" && (!errors.As(err, &re) || re.Key != tt.wantKey) {
					t.Errorf("err = %#v, want a ResolveError for key %s", err, tt.wantKey)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if tt.warn != "" && (len(warnings) != 1 || warnings[0] != tt.warn) {
				t.Errorf("warnings = %q, want %q", warnings, tt.warn)
			}
			if tt.warn == "" && len(warnings) != 0 {
				t.Errorf("unexpected warnings %q", warnings)
			}
			tt.check(t, a)
		})
	}
}

func TestCreatedTime(t *testing.T) {
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	got, err := CreatedTime("", env(map[string]string{"SOURCE_DATE_EPOCH": "1764000000"}))
	if err != nil || !got.Equal(time.Unix(1764000000, 0)) {
		t.Errorf("SOURCE_DATE_EPOCH: %v %v", got, err)
	}
	if _, err := CreatedTime("", env(map[string]string{"SOURCE_DATE_EPOCH": "soon"})); err == nil || !strings.Contains(err.Error(), `SOURCE_DATE_EPOCH="soon"`) {
		t.Errorf("bad SOURCE_DATE_EPOCH: %v", err)
	}
	got, err = CreatedTime("/nonexistent/x.ini", env(nil))
	if err != nil || !got.Equal(time.Unix(0, 0)) {
		t.Errorf("no file: %v %v", got, err)
	}
}

func TestParseRefusesOtherSchemas(t *testing.T) {
	if _, err := Parse([]byte(`{"schema_version": 99}`)); err == nil || !strings.Contains(err.Error(), "schema version 99") {
		t.Errorf("err = %v", err)
	}
	if _, err := Parse([]byte(`{`)); err == nil || !strings.Contains(err.Error(), "not valid JSON") {
		t.Errorf("err = %v", err)
	}
}

func ptr[T any](v T) *T { return &v }

// A public clone in a VPC without an internet gateway is refused at build:
// RDS would refuse its instance after the cluster exists.
func TestResolveRefusesAPublicCloneWithoutAnInternetGateway(t *testing.T) {
	f := newFake()
	cfg := &config.Config{SourceClusterID: "prod", Subnets: config.Subnets{Source: true}, InstanceClass: "db.r6g.large"}
	public := true
	cfg.PubliclyAccessible = &public
	if _, err := Resolve(context.Background(), cfg, f, time.Now(), func(string) {}); err != nil {
		t.Fatalf("public clone in a VPC with an internet gateway: %v", err)
	}
	f.noIGW = map[string]bool{"vpc-1": true}
	_, err := Resolve(context.Background(), cfg, f, time.Now(), func(string) {})
	var re *ResolveError
	if !errors.As(err, &re) || re.Key != "publicly_accessible" || !strings.Contains(re.Msg, "VPC vpc-1 has no internet gateway") {
		t.Errorf("public clone without an internet gateway: %v", err)
	}
	public = false
	if _, err := Resolve(context.Background(), cfg, f, time.Now(), func(string) {}); err != nil {
		t.Errorf("private clone without an internet gateway: %v", err)
	}
}

// The engine version's Serverless v2 bounds (DescribeDBEngineVersions)
// refuse a range outside them at build, naming the version's limits.
func TestResolveServerlessLimits(t *testing.T) {
	created := time.Date(2026, 11, 25, 1, 2, 3, 0, time.UTC)
	old := &aws.ServerlessLimits{Min: 0.5, Max: 128}
	tests := []struct {
		name, target string
		limits       *aws.ServerlessLimits
		wantErr      string
		wantKey      string
		want         Scaling
	}{
		{"auto-pause on a version without it", "serverless_min_capacity = 0\nserverless_max_capacity = 8\n", old,
			"serverless minimum 0 ACUs is below what aurora-postgresql 16.4 allows 0.5–128 ACUs (rds:DescribeDBEngineVersions): set serverless_min_capacity to 0.5 or more; a minimum of 0 (auto-pause) needs an engine version that supports it",
			"serverless_min_capacity", Scaling{}},
		{"256 on a version capped at 128", "serverless_max_capacity = 256\n", old,
			"serverless maximum 256 ACUs is above what aurora-postgresql 16.4 allows 0.5–128 ACUs (rds:DescribeDBEngineVersions): set serverless_max_capacity to 128 or less",
			"serverless_max_capacity", Scaling{}},
		{"auto-pause where the version allows it", "serverless_min_capacity = 0\nserverless_max_capacity = 256\n", &aws.ServerlessLimits{Min: 0, Max: 256},
			"", "", Scaling{0, 256}},
		{"no bounds reported", "serverless_min_capacity = 0\n", nil, "", "", Scaling{0, 16}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ini := "[source_db]\nsource_db_cluster_id = prod\n[target_db]\nsubnet_ids = source\ninstance_type = db.serverless\n" + tt.target +
				"[artifact]\nclone_ttl = 4h\npublisher_contact = dataops@example.com\n"
			cfg, _, err := config.Parse("test.ini", []byte(ini))
			if err != nil {
				t.Fatal(err)
			}
			d := newFake()
			d.limits = tt.limits
			a, err := Resolve(context.Background(), cfg, d, created, func(string) {})
			if tt.wantErr != "" {
				var re *ResolveError
				if err == nil || err.Error() != tt.wantErr || !errors.As(err, &re) || re.Key != tt.wantKey {
					t.Fatalf("err = %v, want a ResolveError for %s:\n%s", err, tt.wantKey, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if a.Target.Serverless == nil || *a.Target.Serverless != tt.want {
				t.Errorf("serverless = %+v, want %+v", a.Target.Serverless, tt.want)
			}
		})
	}
}
