package dbserver

import (
	"context"
	"testing"
	"time"
)

// A snapshot holds its moment's data; a server restored from it has a
// history of its own from there, which a restore to a time replays.
func TestSnapshotRestoreAndItsHistory(t *testing.T) {
	for _, e := range []Engine{Postgres, MySQL} {
		t.Run(string(e), func(t *testing.T) {
			m := newTestManager(t, e)
			ctx := context.Background()
			ep, err := m.StartSource(ctx, "src", e, masterOf(e))
			if err != nil {
				t.Fatal(err)
			}
			table := "public.marks"
			if e == MySQL {
				table = "legacy.marks"
			}
			run := func(ep Endpoint, stmt string) {
				t.Helper()
				if err := exec1(ctx, e, ep, masterOf(e), m.SourcePassword(), stmt); err != nil {
					t.Fatalf("%s: %v", stmt, err)
				}
			}
			sum := func(id string) int64 {
				t.Helper()
				q, done, err := login(ctx, e, mustEndpoint(t, m, id), masterOf(e), m.SourcePassword(), "")
				if err != nil {
					t.Fatal(err)
				}
				defer done()
				n, err := q("SELECT coalesce(sum(v), 0) FROM " + table)
				if err != nil {
					t.Fatal(err)
				}
				return n
			}
			run(ep, "CREATE TABLE "+table+" (v int)")
			run(ep, "INSERT INTO "+table+" VALUES (1)")
			if err := m.Snapshot(ctx, "src", "snap"); err != nil {
				t.Fatal(err)
			}
			run(ep, "INSERT INTO "+table+" VALUES (2)")
			rep, err := m.RestoreSnapshot(ctx, "snap", "restored")
			if err != nil {
				t.Fatal(err)
			}
			if n := sum("restored"); n != 1 {
				t.Errorf("restored from the snapshot: the marks sum to %d, want 1", n)
			}
			// Deleting the snapshot does not take the restored server's history.
			if err := m.RemoveSnapshot("snap"); err != nil || m.HasSnapshot("snap") {
				t.Fatalf("removing the snapshot: %v", err)
			}
			run(rep, "INSERT INTO "+table+" VALUES (4)")
			at := time.Now()
			m.MarkTime(ctx, at)
			run(rep, "INSERT INTO "+table+" VALUES (8)")
			if _, err := m.RestoreToTime(ctx, "restored", "back", at); err != nil {
				t.Fatal(err)
			}
			if n := sum("back"); n != 5 {
				t.Errorf("the restored server back to T: the marks sum to %d, want 5 (1 from the snapshot, 4 before T, not 8)", n)
			}
		})
	}
}
