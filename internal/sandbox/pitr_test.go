package sandbox_test

import (
	"slices"
	"testing"
	"time"

	"github.com/dbaf/dbaf/internal/sandbox"
)

// A point-in-time restore holds exactly the rows committed by its time,
// on the account's clock: prod-aurora's server archives its WAL, and a
// clone stack with RestoreToTime T replays it to the wall-clock moment
// the account's clock showed T. A row inserted after T is absent from the
// T clone and present in a latest-time clone and in a clone to a later T.
func TestRestoreToTimeHoldsTheRowsCommittedByThen(t *testing.T) {
	t.Parallel()
	c, _ := startWithDatabases(t, sandbox.Options{})
	src := sourceConn(t, c)
	src.mustExec("CREATE TABLE public.marks (v text)")
	src.mustExec("INSERT INTO public.marks VALUES ('before')")

	// Move the clock on ten minutes, so that T (a minute into the jump)
	// is inside the restorable window, which trails the clock by five: T
	// maps to the wall-clock moment of the move, after 'before' and
	// before 'after'.
	pre := c.sb.Clock().Now()
	if _, err := c.sb.AdvanceClock(10 * time.Minute); err != nil {
		t.Fatal(err)
	}
	at := pre.Add(time.Minute).Truncate(time.Second)
	src.mustExec("INSERT INTO public.marks VALUES ('after')")
	pre2 := c.sb.Clock().Now()
	if _, err := c.sb.AdvanceClock(10 * time.Minute); err != nil {
		t.Fatal(err)
	}
	later := pre2.Add(time.Minute).Truncate(time.Second)

	restore := func(name string, when *time.Time) []string {
		t.Helper()
		a := prodArtifact()
		a.Source.RestoreToTime = when
		stackID, cluster, host, port := stackOf(t, c, name, cloneTemplate(t, a, name))
		waitAvailable(t, c, cluster)
		got := pgOpen(t, host, port, "postgres", c.sb.DBPassword()).marks()
		deleteStack(t, c, stackID)
		return got
	}
	if got := restore("at-t", &at); !slices.Equal(got, []string{"before"}) {
		t.Errorf("restore_to_time = T holds %v, want [before]: 'after' was committed after T", got)
	}
	if got := restore("at-later", &later); !slices.Equal(got, []string{"after", "before"}) {
		t.Errorf("restore_to_time after both inserts holds %v, want [after before]", got)
	}
	if got := restore("latest", nil); !slices.Equal(got, []string{"after", "before"}) {
		t.Errorf("the latest-time clone holds %v, want [after before]", got)
	}

	// A clone has a history of its own: restored to a time after a change
	// made in it, it holds that change and not a later one.
	stackID, cluster, host, port := cloneStack(t, c, "dev")
	waitAvailable(t, c, cluster)
	dev := pgOpen(t, host, port, "postgres", c.sb.DBPassword())
	dev.mustExec("INSERT INTO public.marks VALUES ('dev-1')")
	pre3 := c.sb.Clock().Now()
	if _, err := c.sb.AdvanceClock(10 * time.Minute); err != nil {
		t.Fatal(err)
	}
	dev.mustExec("INSERT INTO public.marks VALUES ('dev-2')")
	a := prodArtifact()
	a.Source.ClusterID = cluster
	devAt := pre3.Add(time.Minute).Truncate(time.Second)
	a.Source.RestoreToTime = &devAt
	backID, backCluster, backHost, backPort := stackOf(t, c, "dev-back", cloneTemplate(t, a, "dev-back"))
	waitAvailable(t, c, backCluster)
	if got := pgOpen(t, backHost, backPort, "postgres", c.sb.DBPassword()).marks(); !slices.Equal(got, []string{"after", "before", "dev-1"}) {
		t.Errorf("the clone restored to its T holds %v, want [after before dev-1]", got)
	}
	deleteStack(t, c, backID)
	deleteStack(t, c, stackID)
}
