package wizard

import (
	"context"
	"errors"
	"io"
	"os"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	teatest "github.com/charmbracelet/x/exp/teatest/v2"

	"github.com/dbaf/dbaf/aws"
	"github.com/dbaf/dbaf/config"
	"github.com/dbaf/dbaf/ui/common"
	"github.com/dbaf/dbaf/ui/internal/uitest"
)

// The AWS client is what main passes as the wizard's discovery.
var _ Discovery = (*aws.Client)(nil)

// The golden tests drive the wizard through teatest at 100x30 with the
// ASCII profile against wizSandbox, and compare the final frame.

// prodVPC shows once the VPC has been described.
const prodVPC = "vpc-0a1b2c3d (prod, 10.0.0.0/16)"

// waitListed waits until all five clusters are listed.
func waitListed(t *testing.T, p *uitest.Probe) {
	t.Helper()
	uitest.Wait(t, p, func(v string) bool {
		return strings.Contains(v, "5 clusters") && !strings.Contains(v, "listing more")
	})
}

func wizNew(t *testing.T, d *fakeDisc, b *fakeBuild, cfg *config.Config) *Model {
	t.Helper()
	opts := testOptions(t, d, b)
	opts.Config = cfg
	return New(context.Background(), opts)
}

// toSubnets picks prod-aurora and waits for its subnet group.
func toSubnets(t *testing.T, tm interface{ Send(tea.Msg) }, p *uitest.Probe) {
	t.Helper()
	waitListed(t, p)
	tm.Send(uitest.Enter)
	uitest.WaitFor(t, p, "subnet-0a1b2c03", "3 subnets in 3 AZs", prodVPC)
}

func TestWizardClusterList(t *testing.T) {
	tm, p := uitest.Run(t, wizNew(t, wizSandbox(), nil, nil), 100, 30)
	waitListed(t, p)
	wizFinish(t, tm)
}

func TestWizardClusterFilter(t *testing.T) {
	tm, p := uitest.Run(t, wizNew(t, wizSandbox(), nil, nil), 100, 30)
	waitListed(t, p)
	tm.Type("post")
	uitest.WaitFor(t, p, "4 of 5 clusters")
	tm.Send(uitest.Down)
	tm.Send(uitest.Down)
	tm.Send(uitest.Enter) // reporting-stopped cannot be chosen: enter explains
	uitest.WaitFor(t, p, "! reporting-stopped can't be chosen (stopped)", "reporting-stopped cannot be cloned while it is stopped")
	w := wizFinish(t, tm).(*Model)
	if w.step != stepSource {
		t.Errorf("step = %d, want the source step", w.step)
	}
}

func TestWizardNotAurora(t *testing.T) {
	tm, p := uitest.Run(t, wizNew(t, wizSandbox(), nil, nil), 100, 30)
	waitListed(t, p)
	tm.Type("legacy")
	uitest.WaitFor(t, p, "1 of 5 clusters")
	tm.Send(uitest.Enter)
	uitest.WaitFor(t, p, "! legacy-multiaz can't be chosen (not Aurora)", "engine postgres is not Aurora")
	wizFinish(t, tm)
}

func TestWizardSubnetsSource(t *testing.T) {
	tm, p := uitest.Run(t, wizNew(t, wizSandbox(), nil, nil), 100, 30)
	toSubnets(t, tm, p)
	uitest.WaitFor(t, p, "vpc-0a1b2c3d (prod, 10.0.0.0/16)")
	wizFinish(t, tm)
}

func TestWizardSubnetsOneAZRefused(t *testing.T) {
	tm, p := uitest.Run(t, wizNew(t, wizSandbox(), nil, nil), 100, 30)
	toSubnets(t, tm, p)
	tm.Send(uitest.Tab)
	uitest.WaitFor(t, p, "6 subnets", "prod-app-c")
	tm.Send(uitest.Space) // subnet-0a1b2c01, eu-west-1a
	tm.Send(uitest.Down)
	tm.Send(uitest.Space) // subnet-0a1b2c11, eu-west-1a
	uitest.WaitFor(t, p, "2 subnets selected in 1 AZ (eu-west-1a)")
	tm.Send(uitest.Enter)
	uitest.WaitFor(t, p, "✗ Can't continue: all 2 selected subnets are in eu-west-1a", "also select one in eu-west-1b or")
	w := wizFinish(t, tm).(*Model)
	if w.step != stepSubnets {
		t.Errorf("step = %d, want to stay on the subnets step", w.step)
	}
}

func TestWizardSubnetsFilterPick(t *testing.T) {
	tm, p := uitest.Run(t, wizNew(t, wizSandbox(), nil, nil), 100, 30)
	toSubnets(t, tm, p)
	tm.Send(uitest.Tab)
	uitest.WaitFor(t, p, "6 subnets")
	tm.Type("app")
	uitest.WaitFor(t, p, "3 of 6 subnets")
	tm.Send(uitest.Ctrl('a')) // all three app subnets
	uitest.WaitFor(t, p, "✓ 3 subnets selected in 3 AZs")
	wizFinish(t, tm)
}

func TestWizardClassList(t *testing.T) {
	tm, p := uitest.Run(t, wizNew(t, wizSandbox(), nil, nil), 100, 30)
	toSubnets(t, tm, p)
	tm.Send(uitest.Enter)
	v := uitest.WaitFor(t, p, "9 orderable for aurora-postgresql 16.4", "the same class as the source's writer")
	if strings.Contains(v, "db.x2g") {
		t.Error("db.x2g is not orderable for aurora-postgresql 16.4 but is listed")
	}
	w := wizFinish(t, tm).(*Model)
	if got := w.cfg.Subnets; !got.Source {
		t.Errorf("subnet_ids = %+v, want source", got)
	}
}

func TestWizardClassUnorderable(t *testing.T) {
	cfg := &config.Config{}
	for k, v := range map[string]string{"source_db_cluster_id": "prod-aurora", "subnet_ids": "source", "instance_type": "db.x2g.large"} {
		if err := cfg.Set(k, v); err != nil {
			t.Fatal(err)
		}
	}
	tm, p := uitest.Run(t, wizNew(t, wizSandbox(), nil, cfg), 100, 30)
	v := uitest.WaitFor(t, p, "! db.x2g.large (from the configuration) is not orderable for aurora-postgresql 16.4 in eu-west-1")
	if strings.Contains(v, "› db.x2g") || strings.Contains(v, "  db.x2g") {
		t.Error("the unorderable class is in the list")
	}
	wizFinish(t, tm)
}

// toCapacity walks the serverless source to the capacity step.
func toCapacity(t *testing.T) (*teatest.TestModel, *uitest.Probe) {
	t.Helper()
	return toCapacityIn(t, wizSandbox())
}

func toCapacityIn(t *testing.T, d *fakeDisc) (*teatest.TestModel, *uitest.Probe) {
	t.Helper()
	tm, p := uitest.Run(t, wizNew(t, d, nil, nil), 100, 30)
	waitListed(t, p)
	tm.Type("analytics")
	uitest.WaitFor(t, p, "1 of 5 clusters")
	tm.Send(uitest.Enter)
	uitest.WaitFor(t, p, "3 subnets in 3 AZs")
	tm.Send(uitest.Enter)
	uitest.WaitFor(t, p, "9 orderable for aurora-postgresql 16.4")
	tm.Type("serverless")
	uitest.WaitFor(t, p, "1 of 9 orderable")
	tm.Send(uitest.Enter)
	return tm, p
}

func TestWizardServerlessCapacity(t *testing.T) {
	tm, p := toCapacity(t)
	uitest.WaitFor(t, p, "Serverless v2 capacity", "the source's range, 0.5–16 ACUs")
	tm.Send(uitest.Tab)
	tm.Send(uitest.Ctrl('u'))
	tm.Type("300") // above 256 ACUs
	uitest.WaitFor(t, p, `✗ "300" is out of range`)
	wizFinish(t, tm)
}

// The capacity step says the engine version's bounds
// (DescribeDBEngineVersions) and refuses a range outside them, as the
// build would.
func TestWizardCapacityVersionBounds(t *testing.T) {
	d := wizSandbox()
	d.limits["aurora-postgresql 16.4"] = &aws.ServerlessLimits{Min: 0.5, Max: 128}
	tm, p := toCapacityIn(t, d)
	uitest.WaitFor(t, p, "0.5–128 ACU for 16.4")
	tm.Send(uitest.Ctrl('u'))
	tm.Type("0")
	uitest.WaitFor(t, p, "✗ serverless minimum 0 ACUs is below what aurora-postgresql 16.4 allows 0.5–128 ACUs")
	tm.Send(uitest.Enter)
	w := wizFinish(t, tm).(*Model)
	if w.step != stepCapacity {
		t.Errorf("step = %d, want to stay on capacity", w.step)
	}
}

func TestWizardCapacityMinAboveMax(t *testing.T) {
	tm, p := toCapacity(t)
	uitest.WaitFor(t, p, "Serverless v2 capacity")
	tm.Send(uitest.Ctrl('u'))
	tm.Type("32")
	uitest.WaitFor(t, p, "less than serverless_min_capacity 32")
	tm.Send(uitest.Enter)
	w := wizFinish(t, tm).(*Model)
	if w.step != stepCapacity {
		t.Errorf("step = %d, want to stay on capacity", w.step)
	}
}

func TestWizardDetails(t *testing.T) {
	tm, p := uitest.Run(t, wizNew(t, wizSandbox(), nil, nil), 100, 30)
	toSubnets(t, tm, p)
	tm.Send(uitest.Enter)
	uitest.WaitFor(t, p, "9 orderable for aurora-postgresql 16.4")
	tm.Send(uitest.Enter)
	uitest.WaitFor(t, p, "Details of the artifact", "10.0.0.0/16 (the VPC's CIDR)")
	tm.Send(uitest.Tab)
	tm.Type("10.0.0.5")
	uitest.WaitFor(t, p, `✗ "10.0.0.5" is an address, not a CIDR block`)
	tm.Send(uitest.Tab)
	tm.Type("3d")
	tm.Send(uitest.Tab)
	tm.Type("#dataops?")
	uitest.WaitFor(t, p, "#dataops?")
	tm.Send(uitest.Enter) // refused: the CIDR is wrong; focus goes back to it
	uitest.WaitFor(t, p, "Allowed CIDR   > 10.0.0.5")
	w := wizFinish(t, tm).(*Model)
	if w.step != stepDetails || w.det.focus != fieldCIDR {
		t.Errorf("step %d focus %d, want details with the CIDR focused", w.step, w.det.focus)
	}
}

// wizComplete is a full, valid configuration.
func wizComplete(t *testing.T) *config.Config {
	t.Helper()
	cfg := &config.Config{}
	for _, kv := range [][2]string{
		{"source_db_cluster_id", "prod-aurora"}, {"subnet_ids", "source"}, {"instance_type", "db.r6g.large"},
		{"clone_ttl", "3d"}, {"publisher_contact", "dataops@example.com"},
	} {
		if err := cfg.Set(kv[0], kv[1]); err != nil {
			t.Fatal(err)
		}
	}
	return cfg
}

func TestWizardPrefilledReview(t *testing.T) {
	tm, p := uitest.Run(t, wizNew(t, wizSandbox(), nil, wizComplete(t)), 100, 30)
	uitest.WaitFor(t, p, "Review, then build", "(new file)", "vpc-0a1b2c3d (prod, 10.0.0.0/16)")
	wizFinish(t, tm)
}

func TestWizardPrefilledPartial(t *testing.T) {
	cfg := &config.Config{}
	if err := cfg.Set("source_db_cluster_id", "prod-aurora"); err != nil {
		t.Fatal(err)
	}
	tm, p := uitest.Run(t, wizNew(t, wizSandbox(), nil, cfg), 100, 30)
	// Subnets are not configured: the wizard stops there, source selected.
	uitest.WaitFor(t, p, "Where should clones run?", "3 subnets in 3 AZs", prodVPC)
	w := wizFinish(t, tm).(*Model)
	if w.step != stepSubnets || w.net.custom {
		t.Errorf("step %d custom %v, want subnets with source", w.step, w.net.custom)
	}
}

func TestWizardPrefilledUnknownCluster(t *testing.T) {
	cfg := wizComplete(t)
	if err := cfg.Set("source_db_cluster_id", "prod-auroar"); err != nil {
		t.Fatal(err)
	}
	tm, p := uitest.Run(t, wizNew(t, wizSandbox(), nil, cfg), 100, 30)
	uitest.Wait(t, p, func(v string) bool {
		return strings.Contains(v, `✗ prod-auroar (from the configuration): no DB cluster "prod-auroar" in eu-west-1`) && !strings.Contains(v, "listing more")
	})
	w := wizFinish(t, tm).(*Model)
	if w.step != stepSource {
		t.Errorf("step = %d, want the source step", w.step)
	}
}

// TestWizardPagesAppend: pages append as they arrive and a cursor the
// user moved stays on its cluster.
func TestWizardPagesAppend(t *testing.T) {
	w := wizNew(t, wizSandbox(), nil, nil)
	w.Update(tea.WindowSizeMsg{Width: 100, Height: 30})
	id := listing(w)
	clusters := manyClusters(250)
	w.Update(clusterPagesMsg{Op: id, Events: [][]aws.Cluster{clusters[:100]}})
	if !strings.Contains(ansi.Strip(w.View().Content), "listing more clusters… 100 so far") {
		t.Errorf("first page not shown as it arrived:\n%s", ansi.Strip(w.View().Content))
	}
	w.Update(uitest.Down)
	w.Update(uitest.Down)
	want := w.src.pick.current().id
	w.Update(clusterPagesMsg{Op: id, Events: [][]aws.Cluster{clusters[100:150], clusters[150:200]}})
	w.Update(clusterPagesMsg{Op: listing(New(context.Background(), testOptions(t, wizSandbox(), nil))), Events: [][]aws.Cluster{clusters[200:]}}) // stale: another listing
	w.Update(clustersDoneMsg{Op: id})
	if n := len(w.src.pick.items); n != 200 {
		t.Errorf("%d clusters listed, want 200", n)
	}
	if got := w.src.pick.current().id; got != want {
		t.Errorf("cursor moved to %s, want it on %s", got, want)
	}
}

func TestWizardPrefilledSubnetIDs(t *testing.T) {
	cfg := wizComplete(t)
	if err := cfg.Set("subnet_ids", "subnet-0a1b2c11, subnet-0a1b2c12"); err != nil {
		t.Fatal(err)
	}
	tm, p := uitest.Run(t, wizNew(t, wizSandbox(), nil, cfg), 100, 30)
	uitest.WaitFor(t, p, "Review, then build", "subnet-0a1b2c12", "(new file)", prodVPC)
	w := wizFinish(t, tm).(*Model)
	if got := strings.Join(w.cfg.Subnets.IDs, ","); got != "subnet-0a1b2c11,subnet-0a1b2c12" {
		t.Errorf("subnets = %s", got)
	}
}

func TestWizardBackKeepsChoices(t *testing.T) {
	tm, p := uitest.Run(t, wizNew(t, wizSandbox(), nil, nil), 100, 30)
	toSubnets(t, tm, p)
	tm.Send(uitest.Tab)
	uitest.WaitFor(t, p, "6 subnets")
	tm.Send(uitest.Down)
	tm.Send(uitest.Space) // subnet-0a1b2c11 (a)
	tm.Send(uitest.Down)
	tm.Send(uitest.Down)
	tm.Send(uitest.Space) // subnet-0a1b2c12 (b)
	uitest.WaitFor(t, p, "✓ 2 subnets selected in 2 AZs")
	tm.Send(uitest.Enter)
	uitest.WaitFor(t, p, "9 orderable for aurora-postgresql 16.4")
	tm.Send(uitest.Down) // db.r6g.xlarge
	tm.Send(uitest.Enter)
	uitest.WaitFor(t, p, "Details of the artifact")
	tm.Send(uitest.Esc)
	uitest.WaitFor(t, p, "› db.r6g.xlarge")
	tm.Send(uitest.Esc)
	uitest.WaitFor(t, p, "Where should clones run?", "✓ 2 subnets selected in 2 AZs")
	tm.Send(uitest.Esc)
	waitListed(t, p)
	tm.Send(uitest.Enter) // the same cluster: straight back, choices intact
	uitest.WaitFor(t, p, "Where should clones run?", "[x] subnet-0a1b2c12")
	w := wizFinish(t, tm).(*Model)
	if w.cfg.InstanceClass != "db.r6g.xlarge" {
		t.Errorf("instance_type = %q, want db.r6g.xlarge kept", w.cfg.InstanceClass)
	}
}

func TestWizardAccessDenied(t *testing.T) {
	d := wizSandbox()
	d.listErrs = []error{&aws.Error{Kind: aws.AccessDenied, Op: "rds:DescribeDBClusters",
		Msg: "access denied: dbaf needs the IAM permission rds:DescribeDBClusters; ask your AWS administrator to grant rds:DescribeDBClusters to your role or user"}}
	tm, p := uitest.Run(t, wizNew(t, d, nil, nil), 100, 30)
	uitest.WaitFor(t, p, "✗ listing clusters in eu-west-1: access denied", "r retry")
	wizFinish(t, tm)
}

func TestWizardAccessDeniedRetry(t *testing.T) {
	d := wizSandbox()
	d.listErrs = []error{&aws.Error{Kind: aws.Throttled, Op: "rds:DescribeDBClusters",
		Msg: "AWS is throttling rds:DescribeDBClusters even after retrying: wait a minute and try again"}}
	tm, p := uitest.Run(t, wizNew(t, d, nil, nil), 100, 30)
	uitest.WaitFor(t, p, "throttling", "r retry")
	tm.Type("r")
	waitListed(t, p)
	wizFinish(t, tm)
}

func TestWizardSwitchRegion(t *testing.T) {
	tm, p := uitest.Run(t, wizNew(t, wizSandbox(), nil, nil), 100, 30)
	waitListed(t, p)
	tm.Send(uitest.Ctrl('r'))
	uitest.WaitFor(t, p, "region: eu-west-1")
	tm.Send(uitest.Ctrl('u'))
	tm.Type("us-east-1")
	tm.Send(uitest.Enter)
	uitest.Wait(t, p, func(v string) bool {
		return strings.Contains(v, "region us-east-1") && strings.Contains(v, "1 cluster") && !strings.Contains(v, "listing more")
	})
	w := wizFinish(t, tm).(*Model)
	if w.cfg.Region != "us-east-1" {
		t.Errorf("region = %q", w.cfg.Region)
	}
}

func TestWizardResize(t *testing.T) {
	tm, p := uitest.Run(t, wizNew(t, wizSandbox(), nil, nil), 100, 30)
	waitListed(t, p)
	tm.Send(tea.WindowSizeMsg{Width: 80, Height: 24})
	uitest.Wait(t, p, func(v string) bool { return len(strings.Split(v, "\n")) == 24 })
	tm.Send(uitest.Enter)
	uitest.WaitFor(t, p, "3 subnets in 3 AZs")
	tm.Send(uitest.Tab)
	uitest.WaitFor(t, p, "6 subnets")
	w := wizFinish(t, tm).(*Model)
	checkFits(t, w.View().Content, 80, 24)
}

func TestWizardResizeWide(t *testing.T) {
	tm, p := uitest.Run(t, wizNew(t, wizSandbox(), nil, wizComplete(t)), 100, 30)
	uitest.WaitFor(t, p, "Review, then build", "(new file)", prodVPC)
	tm.Send(tea.WindowSizeMsg{Width: 120, Height: 40})
	uitest.Wait(t, p, func(v string) bool { return len(strings.Split(v, "\n")) == 40 })
	w := wizFinish(t, tm).(*Model)
	checkFits(t, w.View().Content, 120, 40)
}

func TestWizardTooSmall(t *testing.T) {
	tm, p := uitest.Run(t, wizNew(t, wizSandbox(), nil, nil), 100, 30)
	waitListed(t, p)
	tm.Send(tea.WindowSizeMsg{Width: 50, Height: 12})
	uitest.WaitFor(t, p, "The window is 50x12")
	wizFinish(t, tm)
}

func TestWizardHelp(t *testing.T) {
	tm, p := uitest.Run(t, wizNew(t, wizSandbox(), nil, nil), 100, 30)
	waitListed(t, p)
	tm.Type("?")
	uitest.WaitFor(t, p, "Keys", "switch region")
	wizFinish(t, tm)
}

func TestWizardOverwriteConfirm(t *testing.T) {
	w := wizNew(t, wizSandbox(), &fakeBuild{}, wizComplete(t))
	if err := os.WriteFile(w.path, []byte("[source_db]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tm, p := uitest.Run(t, w, 100, 30)
	uitest.WaitFor(t, p, "Review, then build", "exists: asks before overwriting")
	tm.Send(uitest.Enter)
	uitest.WaitFor(t, p, "already exists. Overwrite it?")
	wizFinish(t, tm)
	if data, _ := os.ReadFile(w.path); string(data) != "[source_db]\n" {
		t.Errorf("the file was overwritten without a yes")
	}
}

func TestWizardBuildProgress(t *testing.T) {
	b := &fakeBuild{hold: make(chan struct{})}
	defer close(b.hold)
	w := wizNew(t, wizSandbox(), b, wizComplete(t))
	tm, p := uitest.Run(t, w, 100, 30)
	uitest.WaitFor(t, p, "Review, then build", "(new file)")
	tm.Send(uitest.Enter)
	uitest.WaitFor(t, p, "loaded image db-artifact:latest")
	wizFinish(t, tm)
}

func TestWizardBuildSummary(t *testing.T) {
	b := &fakeBuild{}
	w := wizNew(t, wizSandbox(), b, wizComplete(t))
	tm, p := uitest.Run(t, w, 100, 30)
	uitest.WaitFor(t, p, "Review, then build", "(new file)")
	tm.Send(uitest.Enter)
	uitest.WaitFor(t, p, "✓ Built db-artifact:latest")
	tm.Type("p")
	uitest.WaitFor(t, p, "push to:")
	tm.Type("127.0.0.1:5000/db-artifact:latest")
	tm.Send(uitest.Enter)
	uitest.WaitFor(t, p, "pushed  127.0.0.1:5000/db-artifact:latest@sha256:9a8b7c6d5e4f")
	fm := wizFinish(t, tm).(*Model)
	built, err := fm.Result()
	if err != nil || built.Pushed == "" {
		t.Fatalf("Result() = %+v, %v; want the pushed image", built, err)
	}
	data, err := os.ReadFile(w.path)
	if err != nil {
		t.Fatal(err)
	}
	back, _, err := config.Parse("written", data)
	if err != nil || back.SourceClusterID != "prod-aurora" || !back.Subnets.Source || back.InstanceClass != "db.r6g.large" {
		t.Fatalf("written INI reads back as %+v, %v", back, err)
	}
	if len(b.pushes) != 2 || b.pushes[0] != "" || b.pushes[1] != "127.0.0.1:5000/db-artifact:latest" {
		t.Errorf("build calls pushed %q", b.pushes)
	}
}

func TestWizardBuildFailed(t *testing.T) {
	b := &fakeBuild{fail: &aws.Error{Kind: aws.AccessDenied, Op: "rds:DescribeDBClusters",
		Msg: "access denied: dbaf needs the IAM permission rds:DescribeDBClusters; ask your AWS administrator to grant it"}}
	w := wizNew(t, wizSandbox(), b, wizComplete(t))
	tm, p := uitest.Run(t, w, 100, 30)
	uitest.WaitFor(t, p, "Review, then build", "(new file)")
	tm.Send(uitest.Enter)
	uitest.WaitFor(t, p, "✗ The build failed: access denied")
	fm := wizFinish(t, tm).(*Model)
	if _, err := fm.Result(); !errors.Is(err, ErrAborted) {
		t.Errorf("Result() error = %v, want ErrAborted", err)
	} else if ae := (*aws.Error)(nil); !errors.As(err, &ae) {
		t.Errorf("Result() error %v does not carry the build's aws.Error", err)
	}
}

// TestWizardQuitAborts: leaving without a build is ErrAborted.
func TestWizardQuitAborts(t *testing.T) {
	tm, p := uitest.Run(t, wizNew(t, wizSandbox(), nil, nil), 100, 30)
	waitListed(t, p)
	tm.Send(uitest.Ctrl('c'))
	fm := tm.FinalModel(t).(*uitest.Probe)
	if _, err := fm.M.(*Model).Result(); !errors.Is(err, ErrAborted) {
		t.Errorf("Result() error = %v, want ErrAborted", err)
	}
}

func TestWizardRunCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	opts := testOptions(t, wizSandbox(), nil)
	_, err := Run(ctx, opts, tea.WithInput(nil), tea.WithOutput(io.Discard), tea.WithWindowSize(80, 24))
	if !errors.Is(err, ErrAborted) {
		t.Errorf("Run with a cancelled context: %v, want ErrAborted", err)
	}
}

func TestWizardNoColor(t *testing.T) {
	opts := testOptions(t, wizSandbox(), nil)
	opts.Theme = common.NewTheme(true, true)
	w := New(context.Background(), opts)
	w.Update(tea.WindowSizeMsg{Width: 100, Height: 30})
	w.Update(clusterPagesMsg{Op: listing(w), Events: [][]aws.Cluster{wizSandbox().clusters}})
	w.src.list.active = false
	if strings.Contains(w.View().Content, "38;") {
		t.Errorf("NO_COLOR view has colour sequences:\n%q", w.View().Content)
	}
	in := w.newInput("> ", "placeholder")
	in.SetValue("db-artifact:latest")
	in.Focus()
	if v := in.View(); strings.Contains(v, "38;") || strings.Contains(v, "48;") {
		t.Errorf("NO_COLOR text input has colour sequences: %q", v)
	}
}

// checkFits fails when a frame has more lines or wider lines than the
// window.
func checkFits(t *testing.T, content string, width, height int) {
	t.Helper()
	lines := strings.Split(content, "\n")
	if len(lines) > height {
		t.Errorf("frame has %d lines for a %d-line window", len(lines), height)
	}
	for i, l := range lines {
		if w := ansi.StringWidth(l); w > width {
			t.Errorf("line %d is %d cells wide for a %d-cell window: %q", i, w, width, l)
		}
	}
}

// An artifact whose clones anyone on the internet could reach is built only
// after a yes on the review.
func TestWizardOpenToInternetConfirm(t *testing.T) {
	b := &fakeBuild{}
	cfg := wizComplete(t)
	for _, kv := range [][2]string{{"allowed_cidr", "0.0.0.0/0"}, {"publicly_accessible", "true"}} {
		if err := cfg.Set(kv[0], kv[1]); err != nil {
			t.Fatal(err)
		}
	}
	w := wizNew(t, wizSandbox(), b, cfg)
	tm, p := uitest.Run(t, w, 100, 30)
	uitest.WaitFor(t, p, "Review, then build", "(new file)")
	tm.Send(uitest.Enter)
	uitest.WaitFor(t, p, "anyone on the internet", "Build it anyway?")
	tm.Type("n")
	uitest.WaitFor(t, p, "Press enter to write")
	b.mu.Lock()
	if len(b.cfgs) != 0 {
		t.Errorf("built after a no")
	}
	b.mu.Unlock()
	tm.Send(uitest.Enter)
	uitest.WaitFor(t, p, "Build it anyway?")
	tm.Type("y")
	uitest.WaitFor(t, p, "✓ Built db-artifact:latest")
	wizFinish(t, tm)
}

// TestWizardTTLFromINI: an INI's clone_ttl = 90m shows as 1h30m (the
// INI's own spelling, config.FormatTTL) and builds as 90 minutes; the
// wizard once wrote it "1h3" and then refused its own text.
func TestWizardTTLFromINI(t *testing.T) {
	ini := "[source_db]\nsource_db_cluster_id = prod-aurora\n[target_db]\nsubnet_ids = source\ninstance_type = db.r6g.large\n[artifact]\nclone_ttl = 90m\n"
	cfg, warns, err := config.Parse("artifact_config.ini", []byte(ini))
	if err != nil || len(warns) > 0 {
		t.Fatal(warns, err)
	}
	b := &fakeBuild{}
	w := wizNew(t, wizSandbox(), b, cfg)
	tm, p := uitest.Run(t, w, 100, 30)
	uitest.WaitFor(t, p, "Review, then build", "Clone TTL   1h30m", "(new file)")
	tm.Send(uitest.Enter)
	uitest.WaitFor(t, p, "✓ Built db-artifact:latest")
	fm := wizFinish2(t, tm)
	if got := fm.det.inputs[fieldTTL].Value(); got != "1h30m" {
		t.Errorf("TTL field = %q, want 1h30m", got)
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.cfgs) != 1 || b.cfgs[0].CloneTTL != 90*time.Minute {
		t.Fatalf("built with %d configurations, want one with a TTL of 90m", len(b.cfgs))
	}
}
