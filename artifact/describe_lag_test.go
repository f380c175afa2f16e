package artifact

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// TestCloneToleratesDescribeLag: AWS's describe calls may miss a cluster
// just after its stack completes; the clone retries within NewClusterWait,
// says so in the stream, and succeeds.
func TestCloneToleratesDescribeLag(t *testing.T) {
	f, req := lagging("lagging", 2)
	evs, emit := collect()
	if _, err := cloneWithOutputs(t, f, req, emit); err != nil {
		t.Fatal(err)
	}
	retries := 0
	for _, e := range *evs {
		if p, ok := e.(Progress); ok && strings.Contains(p.Line, "the new cluster lagging is not visible to DescribeDBClusters yet") {
			retries++
		}
	}
	if retries != 2 {
		t.Errorf("%d retry lines, want 2: %v", retries, *evs)
	}
	if f.unseen != 0 {
		t.Errorf("%d misses left unasked", f.unseen)
	}
}

// TestCloneGivesUpOnAnInvisibleCluster: a cluster that stays invisible past
// NewClusterWait strands the clone with a message naming the stack, the
// cluster and the time waited, after a bounded number of calls.
func TestCloneGivesUpOnAnInvisibleCluster(t *testing.T) {
	f, req := lagging("invisible", 1000)
	_, err := cloneWithOutputs(t, f, req, nil)
	var se *StrandedError
	if !errors.As(err, &se) {
		t.Fatalf("err = %v, want a stranded clone", err)
	}
	msg := err.Error()
	for _, want := range []string{"stack invisible is complete", "does not find its cluster invisible after 1m0s", "teardown invisible"} {
		if !strings.Contains(msg, want) {
			t.Errorf("message lacks %q:\n%s", want, msg)
		}
	}
	// 1 s doubling, capped at the bound: 1+2+4+8+16+29 s, 7 calls.
	if calls := 1000 - f.unseen; calls != 7 {
		t.Errorf("%d describe calls, want 7", calls)
	}
	if len(f.passwords) != 0 {
		t.Errorf("the password was reset on a cluster it could not see: %q", f.passwords)
	}
}

// lagging is a clone named name whose first misses describes of it answer
// NotFound, on a fake clock, polling every second.
func lagging(name string, misses int) (*fakeStacks, CloneRequest) {
	f := newFakeStacks()
	f.batches = successBatches()
	f.unseen = misses
	f.completeClone(name)
	return f, CloneRequest{Artifact: testArtifact(), Login: loggedIn, Name: name, Password: "s3cret-pass", PollInterval: time.Second, Clock: &fakeClock{}}
}
