package wizard

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"charm.land/bubbles/v2/spinner"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/exp/teatest/v2"

	"github.com/dbaf/dbaf/artifact"
	"github.com/dbaf/dbaf/aws"
	"github.com/dbaf/dbaf/config"
	"github.com/dbaf/dbaf/ui/common"
	"github.com/dbaf/dbaf/ui/internal/uitest"
)

// fakeDisc is a deterministic account resembling the sandbox's.
type fakeDisc struct {
	region   string
	clusters []aws.Cluster
	groups   map[string]*aws.SubnetGroup
	subnets  map[string][]aws.Subnet
	vpcs     map[string]*aws.VPC
	classes  map[string][]string              // "engine version" -> classes
	limits   map[string]*aws.ServerlessLimits // "engine version" -> Serverless v2 bounds
	pageSize int

	mu       sync.Mutex
	listErrs []error // returned by successive ClusterPages calls, then nil
	calls    []string
}

func (f *fakeDisc) record(call string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, call)
}

func (f *fakeDisc) Region() string { return f.region }

func (f *fakeDisc) ClusterPages(ctx context.Context, page func([]aws.Cluster)) error {
	f.record("ClusterPages")
	f.mu.Lock()
	var err error
	if len(f.listErrs) > 0 {
		err, f.listErrs = f.listErrs[0], f.listErrs[1:]
	}
	f.mu.Unlock()
	if err != nil {
		return err
	}
	size := f.pageSize
	if size == 0 {
		size = 100
	}
	for i := 0; i < len(f.clusters); i += size {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		end := min(len(f.clusters), i+size)
		out := make([]aws.Cluster, 0, end-i)
		for _, c := range f.clusters[i:end] {
			// Pages do not carry member classes, as DescribeDBClusters.
			c.Members = slices.Clone(c.Members)
			for j := range c.Members {
				c.Members[j].Class = ""
			}
			out = append(out, c)
		}
		page(out)
	}
	return nil
}

func (f *fakeDisc) Cluster(_ context.Context, id string) (*aws.Cluster, error) {
	f.record("Cluster " + id)
	for _, c := range f.clusters {
		if c.ID == id {
			return &c, nil
		}
	}
	return nil, &aws.Error{Kind: aws.NotFound, Op: "rds:DescribeDBClusters",
		Msg: fmt.Sprintf("no DB cluster %q in %s; check the id or the region", id, f.region)}
}

func (f *fakeDisc) SubnetGroup(_ context.Context, name string) (*aws.SubnetGroup, error) {
	f.record("SubnetGroup " + name)
	if g, ok := f.groups[name]; ok {
		return g, nil
	}
	return nil, &aws.Error{Kind: aws.NotFound, Msg: "no DB subnet group " + name}
}

func (f *fakeDisc) Subnets(_ context.Context, vpc string) ([]aws.Subnet, error) {
	f.record("Subnets " + vpc)
	return f.subnets[vpc], nil
}

func (f *fakeDisc) VPC(_ context.Context, id string) (*aws.VPC, error) {
	f.record("VPC " + id)
	if v, ok := f.vpcs[id]; ok {
		return v, nil
	}
	return nil, &aws.Error{Kind: aws.NotFound, Msg: "no VPC " + id}
}

func (f *fakeDisc) OrderableClasses(_ context.Context, engine, version string) ([]string, error) {
	f.record("OrderableClasses " + engine + " " + version)
	return f.classes[engine+" "+version], nil
}

func (f *fakeDisc) ServerlessLimits(_ context.Context, engine, version string) (*aws.ServerlessLimits, error) {
	f.record("ServerlessLimits " + engine + " " + version)
	return f.limits[engine+" "+version], nil
}

func wizSubnet(id, az, cidr, name string) aws.Subnet {
	return aws.Subnet{ID: id, VpcID: "vpc-0a1b2c3d", AZ: az, CIDR: cidr, Name: name}
}

// wizSandbox is the fake account of the golden tests.
func wizSandbox() *fakeDisc {
	dbA := wizSubnet("subnet-0a1b2c01", "eu-west-1a", "10.0.1.0/24", "prod-db-a")
	dbB := wizSubnet("subnet-0a1b2c02", "eu-west-1b", "10.0.2.0/24", "prod-db-b")
	dbC := wizSubnet("subnet-0a1b2c03", "eu-west-1c", "10.0.3.0/24", "prod-db-c")
	appA := wizSubnet("subnet-0a1b2c11", "eu-west-1a", "10.0.11.0/24", "prod-app-a")
	appB := wizSubnet("subnet-0a1b2c12", "eu-west-1b", "10.0.12.0/24", "prod-app-b")
	appC := wizSubnet("subnet-0a1b2c13", "eu-west-1c", "10.0.13.0/24", "prod-app-c")
	pg := []string{"db.r6g.large", "db.r6g.xlarge", "db.r6g.2xlarge", "db.r6i.large", "db.r7g.large",
		"db.r7g.xlarge", "db.t4g.medium", "db.t4g.large", "db.serverless"}
	arn := func(id string) string { return "arn:aws:rds:eu-west-1:123456789012:cluster:" + id }
	members := func(id, class string, n int) []aws.Member {
		var m []aws.Member
		for i := 1; i <= n; i++ {
			m = append(m, aws.Member{InstanceID: fmt.Sprintf("%s-%d", id, i), Writer: i == 1, Class: class})
		}
		return m
	}
	return &fakeDisc{
		region: "eu-west-1",
		clusters: []aws.Cluster{
			{ID: "prod-aurora", ARN: arn("prod-aurora"), Engine: "aurora-postgresql", EngineVersion: "16.4", Status: "available",
				Port: 5432, MasterUsername: "postgres", SubnetGroup: "prod-db-subnets", Members: members("prod-aurora", "db.r6g.large", 2)},
			{ID: "orders-mysql", ARN: arn("orders-mysql"), Engine: "aurora-mysql", EngineVersion: "8.0.mysql_aurora.3.05.2", Status: "available",
				Port: 3306, MasterUsername: "admin", SubnetGroup: "prod-db-subnets", Members: members("orders-mysql", "db.r6g.xlarge", 2)},
			{ID: "analytics-serverless", ARN: arn("analytics-serverless"), Engine: "aurora-postgresql", EngineVersion: "16.4", Status: "available",
				Port: 5432, MasterUsername: "analyst", SubnetGroup: "prod-db-subnets", Members: members("analytics-serverless", "db.serverless", 1),
				Serverless: &aws.ServerlessScaling{Min: 0.5, Max: 16}},
			{ID: "reporting-stopped", ARN: arn("reporting-stopped"), Engine: "aurora-postgresql", EngineVersion: "15.8", Status: "stopped",
				Port: 5432, MasterUsername: "postgres", SubnetGroup: "prod-db-subnets", Members: members("reporting-stopped", "db.r6g.large", 2)},
			{ID: "legacy-multiaz", ARN: arn("legacy-multiaz"), Engine: "postgres", EngineVersion: "15.7", Status: "available",
				Port: 5432, MasterUsername: "postgres", SubnetGroup: "prod-db-subnets", Members: members("legacy-multiaz", "db.m6gd.large", 3)},
		},
		groups: map[string]*aws.SubnetGroup{
			"prod-db-subnets": {Name: "prod-db-subnets", VpcID: "vpc-0a1b2c3d", Subnets: []aws.Subnet{dbA, dbB, dbC}},
		},
		subnets: map[string][]aws.Subnet{"vpc-0a1b2c3d": {dbA, appA, dbB, appB, dbC, appC}},
		vpcs:    map[string]*aws.VPC{"vpc-0a1b2c3d": {ID: "vpc-0a1b2c3d", CIDR: "10.0.0.0/16", Name: "prod"}},
		classes: map[string][]string{
			"aurora-postgresql 16.4":               pg,
			"aurora-mysql 8.0.mysql_aurora.3.05.2": {"db.r6g.large", "db.r6g.xlarge", "db.t3.medium", "db.t4g.medium", "db.serverless"},
		},
		limits: map[string]*aws.ServerlessLimits{
			"aurora-postgresql 16.4":               {Min: 0, Max: 256},
			"aurora-mysql 8.0.mysql_aurora.3.05.2": {Min: 0.5, Max: 128},
		},
	}
}

// fakeBuild is a build function emitting a believable event stream.
// When hold is not nil it stops after the load step's progress until hold
// is closed, so a test can look at a build in progress.
type fakeBuild struct {
	hold   chan struct{}
	fail   error
	mu     sync.Mutex
	pushes []string
	cfgs   []config.Config
}

func (b *fakeBuild) build(ctx context.Context, cfg *config.Config, push string, emit artifact.Emit) (*artifact.Built, error) {
	b.mu.Lock()
	b.pushes = append(b.pushes, push)
	b.cfgs = append(b.cfgs, *cfg)
	b.mu.Unlock()
	tag := cfg.ImageTag
	if tag == "" {
		tag = config.DefaultImageTag
	}
	emit(artifact.StepStarted{Step: artifact.StepResolve, Detail: "source cluster " + cfg.SourceClusterID + " in eu-west-1"})
	if b.fail != nil {
		return nil, b.fail
	}
	emit(artifact.StepDone{Step: artifact.StepResolve, Detail: "aurora-postgresql 16.4, 3 subnets in vpc-0a1b2c3d, " + cfg.InstanceClass, Elapsed: 420 * time.Millisecond})
	emit(artifact.StepStarted{Step: artifact.StepAssemble, Detail: "image with /usr/local/bin/dbaf"})
	emit(artifact.StepDone{Step: artifact.StepAssemble, Elapsed: 35 * time.Millisecond})
	emit(artifact.StepStarted{Step: artifact.StepLoad, Detail: tag})
	emit(artifact.Progress{Step: artifact.StepLoad, Line: "loading layer sha256:5f70bf18a086 (9.8 MB)"})
	emit(artifact.Progress{Step: artifact.StepLoad, Line: "loaded image " + tag})
	if b.hold != nil {
		select {
		case <-b.hold:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	id := "sha256:3f1e9c2d7a6b5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e0f"
	emit(artifact.StepDone{Step: artifact.StepLoad, Detail: id, Elapsed: 1200 * time.Millisecond})
	res := &artifact.Built{Image: tag, ID: id, Size: 9_812_345,
		RunLine: "docker run --rm -it -v ~/.aws:/root/.aws:ro -e AWS_PROFILE " + tag}
	if push != "" {
		emit(artifact.StepStarted{Step: artifact.StepPush, Detail: push})
		res.Pushed = push + "@sha256:9a8b7c6d5e4f"
		emit(artifact.StepDone{Step: artifact.StepPush, Detail: res.Pushed, Elapsed: 800 * time.Millisecond})
	}
	emit(*res)
	return res, nil
}

// staticSpinner never moves, so snapshots of loading screens are stable.
func staticSpinner() spinner.Spinner {
	return spinner.Spinner{Frames: []string{"*"}, FPS: time.Hour}
}

func testOptions(t testing.TB, d *fakeDisc, b *fakeBuild) Options {
	t.Helper()
	// A short directory keeps the path on one line of the review, whatever
	// TMPDIR the suite runs with (scripts/test.sh may point it at a long
	// /dev/shm path): the goldens are cut at the terminal's width.
	base := ""
	if st, err := os.Stat("/tmp"); err == nil && st.IsDir() {
		base = "/tmp"
	}
	dir, err := os.MkdirTemp(base, "wiz")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	opts := Options{
		Discovery:  d,
		Profile:    "dataops",
		ConfigPath: filepath.Join(dir, "artifact_config.ini"),
		Theme:      common.NewTheme(true, false),
		Now:        func() time.Time { return time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC) },
		Spinner:    staticSpinner(),
		SwitchRegion: func(ctx context.Context, region string) (Discovery, error) {
			nd := wizSandbox()
			nd.region = region
			nd.clusters = nd.clusters[:1]
			return nd, nil
		},
	}
	if b != nil {
		opts.Build = b.build
	}
	return opts
}

// wizFinish quits the program and compares its final frame with the
// golden file named after the test.
func wizFinish(t *testing.T, tm *teatest.TestModel) tea.Model {
	t.Helper()
	return uitest.Finish(t, tm, func(m tea.Model) string {
		if w, ok := m.(*Model); ok {
			// The INI lives in a per-test temporary directory.
			return filepath.Dir(w.path) + string(filepath.Separator)
		}
		return ""
	})
}

// listing starts a cluster listing that the test feeds by hand (its Cmd
// never runs) and returns the id its pages must carry.
func listing(w *Model) common.OpID {
	startStream(w, &w.src.list, func(context.Context, func([]aws.Cluster)) (struct{}, error) { return struct{}{}, nil })
	return w.src.list.op
}
