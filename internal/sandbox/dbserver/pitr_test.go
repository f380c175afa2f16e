package dbserver

import (
	"context"
	"errors"
	"testing"
	"time"
)

// A restore to a time holds exactly what was committed by then: the base
// backup (the template) with the source's archived WAL replayed to it.
func TestRestoreToTimeReplaysTheArchiveToThatTime(t *testing.T) {
	m := newTestManager(t, Postgres)
	ctx := context.Background()
	ep, err := m.StartSource(ctx, "src", Postgres, "postgres")
	if err != nil {
		t.Fatal(err)
	}
	q, done, err := login(ctx, Postgres, ep, "postgres", m.SourcePassword(), "")
	if err != nil {
		t.Fatal(err)
	}
	defer done()
	for _, stmt := range []string{"CREATE TABLE public.marks (v int)", "INSERT INTO public.marks VALUES (1)"} {
		if err := exec1(ctx, Postgres, ep, "postgres", m.SourcePassword(), stmt); err != nil {
			t.Fatal(err)
		}
	}
	var at time.Time
	// After the first row's commit, before the second's: the time to restore to.
	if _, err := q("SELECT 0 FROM (SELECT set_config('dbaf.at', clock_timestamp()::text, false)) x"); err != nil {
		t.Fatal(err)
	}
	var micros int64
	if micros, err = q("SELECT (extract(epoch FROM current_setting('dbaf.at')::timestamptz) * 1000000)::bigint"); err != nil {
		t.Fatal(err)
	}
	at = time.UnixMicro(micros)
	if err := exec1(ctx, Postgres, ep, "postgres", m.SourcePassword(), "INSERT INTO public.marks VALUES (2)"); err != nil {
		t.Fatal(err)
	}

	count := func(id string) int64 {
		t.Helper()
		ep, _ := m.Endpoint(id)
		q, done, err := login(ctx, Postgres, ep, "postgres", m.SourcePassword(), "")
		if err != nil {
			t.Fatal(err)
		}
		defer done()
		n, err := q("SELECT coalesce(sum(v), 0) FROM public.marks")
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	if _, err := m.RestoreToTime(ctx, "src", "at-t", at); err != nil {
		t.Fatal(err)
	}
	if n := count("at-t"); n != 1 {
		t.Errorf("restored to T: the marks sum to %d, want 1 (the row committed after T must be absent)", n)
	}
	if _, err := m.RestoreToTime(ctx, "src", "latest", time.Now()); err != nil {
		t.Fatal(err)
	}
	if n := count("latest"); n != 3 {
		t.Errorf("restored to now: the marks sum to %d, want 3", n)
	}
	// A restored server is a primary: it takes writes.
	if err := exec1(ctx, Postgres, mustEndpoint(t, m, "at-t"), "postgres", m.SourcePassword(), "INSERT INTO public.marks VALUES (4)"); err != nil {
		t.Errorf("writing to the restored server: %v", err)
	}
	// A clone archives its own WAL on top of its source's history: back
	// to a time after the copy, it holds what the clone had then.
	cep, err := m.Clone(ctx, "src", "clone")
	if err != nil {
		t.Fatal(err)
	}
	if err := exec1(ctx, Postgres, cep, "postgres", m.SourcePassword(), "INSERT INTO public.marks VALUES (8)"); err != nil {
		t.Fatal(err)
	}
	cq, cdone, err := login(ctx, Postgres, cep, "postgres", m.SourcePassword(), "")
	if err != nil {
		t.Fatal(err)
	}
	defer cdone()
	if micros, err = cq("SELECT (extract(epoch FROM clock_timestamp()) * 1000000)::bigint"); err != nil {
		t.Fatal(err)
	}
	if err := exec1(ctx, Postgres, cep, "postgres", m.SourcePassword(), "INSERT INTO public.marks VALUES (16)"); err != nil {
		t.Fatal(err)
	}
	if _, err := m.RestoreToTime(ctx, "clone", "clone-at-t", time.UnixMicro(micros)); err != nil {
		t.Fatal(err)
	}
	if n := count("clone-at-t"); n != 11 {
		t.Errorf("the clone restored to its T: the marks sum to %d, want 11 (1, 2 from the source, 8 of the clone's, not 16)", n)
	}
}

func mustEndpoint(t *testing.T, m *Manager, id string) Endpoint {
	t.Helper()
	ep, ok := m.Endpoint(id)
	if !ok {
		t.Fatalf("no server %s", id)
	}
	return ep
}

// MariaDB: the source's binary log replayed onto its base; at a time
// marked (a move of the account's clock), exactly what was committed
// before the mark, though the binary log stamps only seconds.
func TestMariaDBRestoreToTimeReplaysTheBinaryLog(t *testing.T) {
	m := newTestManager(t, MySQL)
	ctx := context.Background()
	ep, err := m.StartSource(ctx, "src", MySQL, "admin")
	if err != nil {
		t.Fatal(err)
	}
	run := func(ep Endpoint, stmt string) {
		t.Helper()
		if err := exec1(ctx, MySQL, ep, "admin", m.SourcePassword(), stmt); err != nil {
			t.Fatalf("%s: %v", stmt, err)
		}
	}
	run(ep, "CREATE TABLE legacy.marks (v int)")
	run(ep, "INSERT INTO legacy.marks VALUES (1)")
	at := time.Now()
	m.MarkTime(ctx, at)
	run(ep, "INSERT INTO legacy.marks VALUES (2)")
	sum := func(id string) int64 {
		t.Helper()
		q, done, err := login(ctx, MySQL, mustEndpoint(t, m, id), "admin", m.SourcePassword(), "legacy")
		if err != nil {
			t.Fatal(err)
		}
		defer done()
		n, err := q("SELECT coalesce(sum(v), 0) FROM legacy.marks")
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	if _, err := m.RestoreToTime(ctx, "src", "at-t", at); err != nil {
		t.Fatal(err)
	}
	if n := sum("at-t"); n != 1 {
		t.Errorf("restored to the mark: the marks sum to %d, want 1", n)
	}
	if _, err := m.RestoreToTime(ctx, "src", "latest", time.Now()); err != nil {
		t.Fatal(err)
	}
	if n := sum("latest"); n != 3 {
		t.Errorf("restored to now: the marks sum to %d, want 3", n)
	}
	if _, err := m.Clone(ctx, "src", "clone"); err != nil {
		t.Fatal(err)
	}
	if _, err := m.RestoreToTime(ctx, "clone", "nope", time.Now()); !errors.Is(err, ErrNoArchive) {
		t.Errorf("restoring a MariaDB clone to a time: %v, want ErrNoArchive", err)
	}
}
