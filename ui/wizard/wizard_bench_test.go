package wizard

import (
	"context"
	"fmt"
	"runtime"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/dbaf/dbaf/aws"
)

// Figures: a keystroke in the filter of a 5,000-cluster account or a
// 20,000-subnet VPC must cost less than a frame (16 ms) for Update and
// View together; the wizard holding 5,000 clusters must stay under 60 MB.

// manyClusters makes n clusters named like a large account's.
func manyClusters(n int) []aws.Cluster {
	teams := []string{"orders", "billing", "search", "prod", "analytics", "ledger", "catalog", "auth"}
	envs := []string{"prod", "staging", "dev", "qa"}
	out := make([]aws.Cluster, n)
	for i := range out {
		c := aws.Cluster{
			ID:             fmt.Sprintf("%s-%s-%04d", teams[i%len(teams)], envs[(i/len(teams))%len(envs)], i),
			ARN:            fmt.Sprintf("arn:aws:rds:eu-west-1:123456789012:cluster:c%d", i),
			Engine:         "aurora-postgresql",
			EngineVersion:  "16.4",
			Status:         "available",
			Port:           5432,
			MasterUsername: "postgres",
			SubnetGroup:    "prod-db-subnets",
			Members: []aws.Member{{InstanceID: fmt.Sprintf("c%d-1", i), Writer: true},
				{InstanceID: fmt.Sprintf("c%d-2", i)}},
		}
		switch i % 10 {
		case 1:
			c.Engine, c.EngineVersion, c.Port = "aurora-mysql", "8.0.mysql_aurora.3.05.2", 3306
		case 2:
			c.Serverless = &aws.ServerlessScaling{Min: 0.5, Max: 16}
		case 3:
			c.Status = "stopped"
		case 4:
			c.Engine = "postgres"
		}
		out[i] = c
	}
	return out
}

// withClusters is a wizard at 120x40 that has listed n clusters, fed
// page by page as the stream would.
func withClusters(tb testing.TB, n int) *Model {
	tb.Helper()
	opts := testOptions(tb, wizSandbox(), nil)
	w := New(context.Background(), opts)
	w.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
	clusters := manyClusters(n)
	id := listing(w)
	for i := 0; i < n; i += 100 {
		page := make([]aws.Cluster, min(n, i+100)-i)
		copy(page, clusters[i:])
		w.Update(clusterPagesMsg{Op: id, Events: [][]aws.Cluster{page}})
	}
	w.Update(clustersDoneMsg{Op: id})
	return w
}

// withSubnets is a wizard on the pick-subnets list of a VPC with n
// subnets.
func withSubnets(tb testing.TB, n int) *Model {
	tb.Helper()
	w := withClusters(tb, 1)
	c := wizSandbox().clusters[0]
	w.src.chosen = &c
	w.step = stepSubnets
	w.net.decided, w.net.custom = true, true
	w.net.sg, w.net.sgFor = wizSandbox().groups["prod-db-subnets"], c.ID
	subnets := make([]aws.Subnet, n)
	azs := []string{"eu-west-1a", "eu-west-1b", "eu-west-1c"}
	for i := range subnets {
		subnets[i] = aws.Subnet{
			ID:    fmt.Sprintf("subnet-%017x", 0xa1b2c3d4e5f600+i),
			VpcID: "vpc-0a1b2c3d",
			AZ:    azs[i%3],
			CIDR:  fmt.Sprintf("10.%d.%d.0/24", i/256%256, i%256),
			Name:  fmt.Sprintf("team-%d-%s", i%97, []string{"app", "db", "cache", "batch"}[i%4]),
		}
	}
	_, req := w.begin(&w.net.vpcLoad)
	w.Update(vPCSubnetsMsg{req: req, vpc: "vpc-0a1b2c3d", subnets: subnets})
	w.layout()
	return w
}

// keystrokes types then erases text, one key per call, so a benchmark
// loop covers narrowing and widening filters alike.
func keystrokes(text string) []tea.KeyPressMsg {
	var keys []tea.KeyPressMsg
	for _, r := range text {
		keys = append(keys, tea.KeyPressMsg{Code: r, Text: string(r)})
	}
	for range text {
		keys = append(keys, tea.KeyPressMsg{Code: tea.KeyBackspace})
	}
	return keys
}

func benchKeystrokes(b *testing.B, w *Model, text string) {
	keys := keystrokes(text)
	var worst time.Duration // a widening backspace rescans everything
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		start := time.Now()
		w.Update(keys[i%len(keys)])
		_ = w.View()
		worst = max(worst, time.Since(start))
	}
	b.StopTimer()
	b.ReportMetric(float64(worst.Microseconds())/1000, "ms-worst")
}

func BenchmarkWizardFilterClusters(b *testing.B) {
	w := withClusters(b, 5000)
	benchKeystrokes(b, w, "prod-staging 16")
}

func BenchmarkWizardFilterSubnets(b *testing.B) {
	w := withSubnets(b, 20000)
	if len(w.net.pick.items) != 20000 {
		b.Fatalf("%d subnets listed", len(w.net.pick.items))
	}
	benchKeystrokes(b, w, "1b team-4 10.3")
}

// BenchmarkWizardFirstView is the first frame, before any data: it must be
// instant so the screen appears at once.
func BenchmarkWizardFirstView(b *testing.B) {
	opts := testOptions(b, wizSandbox(), nil)
	b.ReportAllocs()
	for range b.N {
		w := New(context.Background(), opts)
		w.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
		_ = w.View()
	}
}

// BenchmarkWizardMemory5000Clusters reports the heap in use with a wizard
// holding 5,000 clusters (MB-heap, whole process) and the wizard's share.
func BenchmarkWizardMemory5000Clusters(b *testing.B) {
	var inuse, share float64
	for range b.N {
		before, after := wizHeap(), 0.0
		w := withClusters(b, 5000)
		_ = w.View()
		after = wizHeap()
		runtime.KeepAlive(w)
		inuse, share = after, after-before
	}
	b.ReportMetric(inuse, "MB-heap")
	b.ReportMetric(share, "MB-wizard")
}

// TestWizardMemory5000Clusters keeps the memory figure honest on every
// test run, not only when benchmarks are run.
func TestWizardMemory5000Clusters(t *testing.T) {
	before := wizHeap()
	w := withClusters(t, 5000)
	_ = w.View()
	after := wizHeap()
	runtime.KeepAlive(w)
	if len(w.src.pick.items) != 5000 {
		t.Fatalf("%d clusters listed", len(w.src.pick.items))
	}
	// The process heap also holds whatever earlier tests left behind, so
	// the budget applies to what the wizard added.
	if share := after - before; share > 60 {
		t.Errorf("the wizard with 5,000 clusters holds %.1f MB of heap; the budget is 60 MB", share)
	}
	t.Logf("heap in use %.1f MB, of which the wizard with 5,000 clusters %.1f MB", after, after-before)
}

// wizHeap is the heap in use after a collection, in MB.
func wizHeap() float64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return float64(m.HeapInuse) / 1e6
}
