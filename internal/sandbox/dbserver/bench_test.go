package dbserver

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// BenchmarkClone measures one clone (physical copy and start) of a seeded
// source per engine and scale, and reports the clone's disk use and the
// resident memory of its server process. DBAF_BENCH_CLONES=20 keeps that
// many clones running at once (the 20-clone check).
//
//	go test ./internal/sandbox/dbserver -run '^$' -bench Clone -benchtime 3x
func BenchmarkClone(b *testing.B) {
	keep, _ := strconv.Atoi(os.Getenv("DBAF_BENCH_CLONES"))
	for _, e := range []Engine{Postgres, MySQL} {
		for _, scale := range []int{1, 10} {
			b.Run(fmt.Sprintf("%s/scale%d", e, scale), func(b *testing.B) {
				m, err := New(Config{StateDir: b.TempDir(), Scale: scale, AddrBase: "127.80"})
				if err != nil {
					b.Fatal(err)
				}
				defer m.Close()
				if err := m.Available(e); err != nil {
					b.Skip(err)
				}
				ctx := context.Background()
				if _, err := m.StartSource(ctx, "src", e, masterOf(e)); err != nil {
					b.Fatal(err)
				}
				b.ResetTimer()
				var disk, rss int64
				for i := range b.N {
					id := fmt.Sprintf("clone-%d", i)
					start := time.Now()
					if _, err := m.Clone(ctx, "src", id); err != nil {
						b.Fatal(err)
					}
					b.ReportMetric(float64(time.Since(start).Milliseconds()), "ms/clone")
					s, _ := m.reserved(id)
					disk = dirSize(s.dir)
					rss = treeRSS(s.cmd.Process.Pid)
					if keep == 0 {
						_ = m.Remove(id)
					}
				}
				for i := b.N; i < keep; i++ {
					if _, err := m.Clone(ctx, "src", fmt.Sprintf("clone-%d", i)); err != nil {
						b.Fatalf("clone %d of %d: %v", i+1, keep, err)
					}
				}
				b.ReportMetric(float64(disk)/(1<<20), "MiB-disk/clone")
				b.ReportMetric(float64(rss)/(1<<20), "MiB-rss/clone")
			})
		}
	}
}

func dirSize(dir string) int64 {
	var n int64
	_ = filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			if info, err := d.Info(); err == nil {
				n += info.Size()
			}
		}
		return nil
	})
	return n
}

// treeRSS sums the resident memory of pid and its children (PostgreSQL's
// backends), counting shared buffers once per process as the kernel does.
func treeRSS(pid int) int64 {
	var total int64
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		p, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", p))
		if err != nil {
			continue
		}
		f := strings.Fields(string(stat[strings.LastIndexByte(string(stat), ')')+1:]))
		if len(f) < 22 || (p != pid && f[1] != strconv.Itoa(pid)) {
			continue
		}
		pages, _ := strconv.ParseInt(f[21], 10, 64)
		total += pages * int64(os.Getpagesize())
	}
	return total
}
