package sandbox_test

// Twenty clones of prod-aurora at once, through the real SDK, each a real
// PostgreSQL server of its own; then all torn down, nothing left.

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/rds"

	"github.com/dbaf/dbaf/internal/sandbox"
)

const parallelClones = 20

// parallelClone is one clone stack as its owner sees it.
type parallelClone struct {
	stack, stackID, cluster, host string
	port                          int
	password                      string
}

func (p *parallelClone) addr() string { return net.JoinHostPort(p.host, strconv.Itoa(p.port)) }

// longCtx bounds a step that waits on twenty clones at once.
func longCtx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	t.Cleanup(cancel)
	return c
}

// stackDone polls the stack until it leaves *_IN_PROGRESS (a deleted stack
// answers DELETE_COMPLETE by its id).
func stackDone(ctx context.Context, c *clients, stackID string) (string, error) {
	for {
		out, err := c.cfn.DescribeStacks(ctx, &cloudformation.DescribeStacksInput{StackName: awssdk.String(stackID)})
		if err != nil {
			return "", err
		}
		if status := string(out.Stacks[0].StackStatus); !strings.HasSuffix(status, "_IN_PROGRESS") {
			return status, nil
		}
		select {
		case <-ctx.Done():
			return "", fmt.Errorf("stack %s still in progress: %w", stackID, ctx.Err())
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// createParallelClone does what dbaf clone does in AWS: the stack, its
// outputs, a new master password, and the login with it.
func createParallelClone(ctx context.Context, c *clients, tmpl string, p *parallelClone) error {
	out, err := c.cfn.CreateStack(ctx, &cloudformation.CreateStackInput{StackName: awssdk.String(p.stack), TemplateBody: awssdk.String(tmpl)})
	if err != nil {
		return fmt.Errorf("CreateStack: %w", err)
	}
	p.stackID = awssdk.ToString(out.StackId)
	if status, err := stackDone(ctx, c, p.stackID); err != nil || status != "CREATE_COMPLETE" {
		return fmt.Errorf("stack status %s, %v", status, err)
	}
	desc, err := c.cfn.DescribeStacks(ctx, &cloudformation.DescribeStacksInput{StackName: awssdk.String(p.stackID)})
	if err != nil {
		return err
	}
	for _, o := range desc.Stacks[0].Outputs {
		switch awssdk.ToString(o.OutputKey) {
		case "ClusterId":
			p.cluster = awssdk.ToString(o.OutputValue)
		case "Endpoint":
			p.host = awssdk.ToString(o.OutputValue)
		case "Port":
			p.port, _ = strconv.Atoi(awssdk.ToString(o.OutputValue))
		}
	}
	if p.cluster == "" || p.host == "" || p.port == 0 {
		return fmt.Errorf("outputs %+v lack ClusterId, Endpoint or Port", desc.Stacks[0].Outputs)
	}
	if _, err := c.rds.ModifyDBCluster(ctx, &rds.ModifyDBClusterInput{DBClusterIdentifier: awssdk.String(p.cluster),
		MasterUserPassword: awssdk.String(p.password), ApplyImmediately: awssdk.Bool(true)}); err != nil {
		return fmt.Errorf("ModifyDBCluster: %w", err)
	}
	for {
		cl, err := c.rds.DescribeDBClusters(ctx, &rds.DescribeDBClustersInput{DBClusterIdentifier: awssdk.String(p.cluster)})
		if err != nil {
			return err
		}
		if awssdk.ToString(cl.DBClusters[0].Status) == "available" {
			break
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%s not available again: %w", p.cluster, ctx.Err())
		case <-time.After(50 * time.Millisecond):
		}
	}
	// Its own write, made over TLS with its own password.
	conn, err := pgLogin(ctx, p.host, p.port, "postgres", p.password)
	if err != nil {
		return fmt.Errorf("login to %s: %w", p.addr(), err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "CREATE TABLE public.whose (stack text)"); err != nil {
		return err
	}
	_, err = conn.Exec(ctx, "INSERT INTO public.whose VALUES ($1)", p.stack)
	return err
}

// each runs f on every clone concurrently and reports each failure.
func each(t *testing.T, clones []*parallelClone, what string, f func(p *parallelClone) error) {
	t.Helper()
	var wg sync.WaitGroup
	errs := make([]error, len(clones))
	for i, p := range clones {
		wg.Go(func() { errs[i] = f(p) })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("%s %s: %v", what, clones[i].stack, err)
		}
	}
	if t.Failed() {
		t.FailNow()
	}
}

// serverProcs are the pids of the PostgreSQL server running on dataDir:
// the postmaster (its command line names the directory) and its children
// (which rename themselves).
func serverProcs(dataDir string) []int {
	parents := map[int]int{}
	var roots []int
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if cmd, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid)); err == nil && strings.Contains(string(cmd), dataDir) {
			roots = append(roots, pid)
		}
		if stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid)); err == nil {
			if f := strings.Fields(string(stat[strings.LastIndexByte(string(stat), ')')+1:])); len(f) > 1 {
				parents[pid], _ = strconv.Atoi(f[1])
			}
		}
	}
	var pids []int
	for pid, ppid := range parents {
		for _, r := range roots {
			if pid == r || ppid == r {
				pids = append(pids, pid)
				break
			}
		}
	}
	return pids
}

// memory is the resident (RSS) and proportional (PSS: shared pages split
// among their users) memory of the processes, in bytes.
func memory(pids []int) (rss, pss int64) {
	for _, pid := range pids {
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/smaps_rollup", pid))
		if err != nil {
			continue
		}
		for _, line := range strings.Split(string(b), "\n") {
			f := strings.Fields(line)
			if len(f) < 2 {
				continue
			}
			kb, _ := strconv.ParseInt(f[1], 10, 64)
			switch f[0] {
			case "Rss:":
				rss += kb << 10
			case "Pss:":
				pss += kb << 10
			}
		}
	}
	return rss, pss
}

// diskUse is the size of dir's files and the disk blocks they take (less
// where the copy shares extents with its source).
func diskUse(dir string) (size, allocated int64) {
	_ = filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			if info, err := d.Info(); err == nil {
				size += info.Size()
				if st, ok := info.Sys().(*syscall.Stat_t); ok {
					allocated += st.Blocks * 512
				}
			}
		}
		return nil
	})
	return size, allocated
}

func TestTwentyParallelClonesEachOwnServer(t *testing.T) {
	t.Parallel()
	// The seed uses 25 of AWS's default 40 DB clusters and 33 of its 40
	// instances: this account has had its quotas raised.
	c, dir := startWithDatabases(t, sandbox.Options{Quotas: map[string]int64{"db-clusters": 100, "db-instances": 100}})
	src, err := c.rds.DescribeDBClusters(ctx(t), &rds.DescribeDBClustersInput{DBClusterIdentifier: awssdk.String("prod-aurora")})
	if err != nil {
		t.Fatal(err)
	}
	srcAddr := net.JoinHostPort(awssdk.ToString(src.DBClusters[0].Endpoint), strconv.Itoa(int(awssdk.ToInt32(src.DBClusters[0].Port))))

	clones := make([]*parallelClone, parallelClones)
	templates := map[string]string{}
	for i := range clones {
		name := fmt.Sprintf("dev%02d-prod-clone", i+1)
		clones[i] = &parallelClone{stack: name, password: fmt.Sprintf("Clone-%02d-pw", i+1)}
		templates[name] = cloneTemplate(t, prodArtifact(), name)
	}
	long := longCtx(t)
	began := time.Now()
	each(t, clones, "clone", func(p *parallelClone) error {
		return createParallelClone(long, c, templates[p.stack], p)
	})
	ready := time.Since(began)

	// Each its own server: a distinct endpoint, its own password, and only
	// its own write; not the source's address either.
	seen := map[string]string{srcAddr: "prod-aurora"}
	for _, p := range clones {
		if other, dup := seen[p.addr()]; dup {
			t.Errorf("%s and %s share the endpoint %s", p.stack, other, p.addr())
		}
		seen[p.addr()] = p.stack
	}
	each(t, clones, "read back", func(p *parallelClone) error {
		conn, err := pgLogin(long, p.host, p.port, "postgres", p.password)
		if err != nil {
			return err
		}
		defer conn.Close(long)
		var got string
		var customers int
		if err := conn.QueryRow(long, "SELECT string_agg(stack, ',') FROM public.whose").Scan(&got); err != nil || got != p.stack {
			return fmt.Errorf("its table holds %q (%v), want only its own row %q", got, err, p.stack)
		}
		if err := conn.QueryRow(long, "SELECT count(*) FROM legacy.customers").Scan(&customers); err != nil || customers == 0 {
			return fmt.Errorf("legacy.customers: %d rows, %v; want the source's data", customers, err)
		}
		return nil
	})
	conn, err := pgLogin(long, awssdk.ToString(src.DBClusters[0].Endpoint), int(awssdk.ToInt32(src.DBClusters[0].Port)), "postgres", c.sb.DBPassword())
	if err != nil {
		t.Fatal(err)
	}
	var leaked bool
	if err := conn.QueryRow(long, "SELECT to_regclass('public.whose') IS NOT NULL").Scan(&leaked); err != nil || leaked {
		t.Errorf("the source has the clones' table: %v, %v", leaked, err)
	}
	conn.Close(long)

	// The figures: what twenty running clones cost.
	var pids []int
	var disk, blocks int64
	for _, p := range clones {
		procs := serverProcs(filepath.Join(dir, "servers", p.cluster))
		if len(procs) == 0 {
			t.Errorf("no server process runs on %s's data", p.cluster)
		}
		pids = append(pids, procs...)
		size, alloc := diskUse(filepath.Join(dir, "servers", p.cluster))
		disk, blocks = disk+size, blocks+alloc
	}
	rss, pss := memory(pids)
	const mib = 1 << 20
	t.Logf("%d clones ready (stack, new password, first login) in %s at pace %g: %d processes, RSS %.0f MiB (%.1f MiB/clone), PSS %.0f MiB (%.1f MiB/clone), disk %.0f MiB of files (%.1f MiB/clone), %.0f MiB allocated",
		len(clones), ready.Round(100*time.Millisecond), testPace, len(pids), float64(rss)/mib, float64(rss)/mib/float64(len(clones)),
		float64(pss)/mib, float64(pss)/mib/float64(len(clones)), float64(disk)/mib, float64(disk)/mib/float64(len(clones)), float64(blocks)/mib)

	began = time.Now()
	each(t, clones, "delete", func(p *parallelClone) error {
		if _, err := c.cfn.DeleteStack(long, &cloudformation.DeleteStackInput{StackName: awssdk.String(p.stackID)}); err != nil {
			return err
		}
		if status, err := stackDone(long, c, p.stackID); err != nil || status != "DELETE_COMPLETE" {
			return fmt.Errorf("delete: status %s, %v", status, err)
		}
		return nil
	})
	t.Logf("%d clones deleted in %s", len(clones), time.Since(began).Round(100*time.Millisecond))

	for _, p := range clones {
		if dialable(p.addr()) {
			t.Errorf("%s (%s) still accepts connections after its stack is deleted", p.addr(), p.stack)
		}
		if _, err := os.Stat(filepath.Join(dir, "servers", p.cluster)); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("%s's data: %v, want gone", p.cluster, err)
		}
		if _, err := c.rds.DescribeDBClusters(ctx(t), &rds.DescribeDBClustersInput{DBClusterIdentifier: awssdk.String(p.cluster)}); err == nil {
			t.Errorf("RDS still lists %s", p.cluster)
		}
	}
	for _, pid := range pids {
		if _, err := os.Stat(fmt.Sprintf("/proc/%d", pid)); err == nil {
			cmd, _ := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
			if stat, _ := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid)); !strings.Contains(string(stat), ") Z ") {
				t.Errorf("a clone's server process %d is still running: %s", pid, strings.ReplaceAll(string(cmd), "\x00", " "))
			}
		}
	}
	// Only the source's server is left on the state dir.
	left, _ := os.ReadDir(filepath.Join(dir, "servers"))
	for _, e := range left {
		if e.Name() != "prod-aurora" {
			t.Errorf("left in %s/servers: %s", dir, e.Name())
		}
	}
}
