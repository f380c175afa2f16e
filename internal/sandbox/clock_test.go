package sandbox_test

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"

	"github.com/dbaf/dbaf/internal/sandbox"
)

// controlClock calls /_sandbox/clock (body "" is a GET) and returns the
// status and the decoded answer.
func controlClock(t *testing.T, url, body string) (int, map[string]string) {
	t.Helper()
	var resp *http.Response
	var err error
	if body == "" {
		resp, err = http.Get(url + "/_sandbox/clock")
	} else {
		resp, err = http.Post(url+"/_sandbox/clock", "application/json", strings.NewReader(body))
	}
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var v map[string]string
	if err := json.NewDecoder(resp.Body).Decode(&v); err != nil {
		t.Fatalf("/_sandbox/clock answered %d, not JSON: %v", resp.StatusCode, err)
	}
	return resp.StatusCode, v
}

// clockNow is the account's time as GET /_sandbox/clock says it.
func clockNow(t *testing.T, url string) time.Time {
	t.Helper()
	status, v := controlClock(t, url, "")
	now, err := time.Parse(time.RFC3339, v["now"])
	if status != http.StatusOK || err != nil {
		t.Fatalf("GET /_sandbox/clock: %d %v (%v)", status, v, err)
	}
	return now
}

// The AWS CLI, an independent client, sees the account's time move: two
// hours on, prod-aurora's LatestRestorableTime is two hours later.
func TestClockAdvanceMovesWhatTheAWSCLISees(t *testing.T) {
	t.Parallel()
	c := start(t, sandbox.Options{})
	latest := func() time.Time {
		var out struct {
			DBClusters []struct{ LatestRestorableTime, EarliestRestorableTime string }
		}
		awsCLI(t, c.url, &out, "rds", "describe-db-clusters", "--db-cluster-identifier", "prod-aurora")
		at, err := time.Parse(time.RFC3339, out.DBClusters[0].LatestRestorableTime)
		if err != nil {
			t.Fatalf("LatestRestorableTime %q: %v", out.DBClusters[0].LatestRestorableTime, err)
		}
		return at
	}
	before, clockBefore := latest(), clockNow(t, c.url)
	if d := time.Until(clockBefore); d < -time.Minute || d > time.Minute {
		t.Errorf("an unmoved clock says %v, %v from the wall clock", clockBefore, d)
	}
	status, v := controlClock(t, c.url, `{"advance": "2h"}`)
	if status != http.StatusOK {
		t.Fatalf("POST advance 2h: %d %v", status, v)
	}
	after := latest()
	if d := after.Sub(before); d < 2*time.Hour || d > 2*time.Hour+time.Minute {
		t.Errorf("LatestRestorableTime moved by %v (%v → %v), want 2h", d, before, after)
	}
	if d := clockNow(t, c.url).Sub(clockBefore); d < 2*time.Hour || d > 2*time.Hour+time.Minute {
		t.Errorf("GET /_sandbox/clock moved by %v, want 2h", d)
	}
	for _, body := range []string{`{"advance": "-1h"}`, `{"advance": "0s"}`, `{"advance": "soon"}`, `{}`, `not json`} {
		if status, v := controlClock(t, c.url, body); status != http.StatusBadRequest || !strings.Contains(v["error"], "advance") && !strings.Contains(v["error"], "forward") {
			t.Errorf("POST %s: %d %v, want 400 saying how to move the clock", body, status, v)
		}
	}
}

// What the account creates after a move is stamped with the moved time,
// and the move survives a crash with the account.
func TestClockStampsWhatIsCreatedAndIsSaved(t *testing.T) {
	t.Parallel()
	file := filepath.Join(t.TempDir(), "account-state.json")
	a := start(t, sandbox.Options{Pace: testPace, StateFile: file})
	if _, err := a.sb.AdvanceClock(72 * time.Hour); err != nil {
		t.Fatal(err)
	}
	wall := time.Now()
	stackID, cluster, _, _ := cloneStack(t, a, "later")
	for _, e := range allEvents(t, a, stackID) {
		if d := awssdk.ToTime(e.Timestamp).Sub(wall); d < 72*time.Hour-time.Minute || d > 72*time.Hour+time.Minute {
			t.Errorf("stack event %s at %v: %v from the wall clock, want 72h", awssdk.ToString(e.LogicalResourceId), e.Timestamp, d)
		}
	}
	cl := waitAvailable(t, a, cluster)
	if d := awssdk.ToTime(cl.ClusterCreateTime).Sub(wall); d < 72*time.Hour-time.Minute || d > 72*time.Hour+time.Minute {
		t.Errorf("ClusterCreateTime %v: %v from the wall clock, want 72h", cl.ClusterCreateTime, d)
	}
	if e, l := awssdk.ToTime(cl.EarliestRestorableTime), awssdk.ToTime(cl.LatestRestorableTime); l.Before(e) {
		t.Errorf("a new clone's restorable window is inverted: %v to %v", e, l)
	}
	eventually(t, "the move saved", func() bool {
		b, _ := os.ReadFile(file)
		return strings.Contains(string(b), `"offset":259200000000000`)
	})
	saved, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	a.sb.Close()
	if err := os.WriteFile(file, saved, 0o600); err != nil {
		t.Fatal(err)
	}
	b := start(t, sandbox.Options{Pace: testPace, StateFile: file})
	if d := time.Until(clockNow(t, b.url)); d < 72*time.Hour-time.Minute || d > 72*time.Hour+time.Minute {
		t.Errorf("after the restart the clock is %v from the wall clock, want 72h", d)
	}
	out, err := b.rds.DescribeDBClusters(ctx(t), &rds.DescribeDBClustersInput{DBClusterIdentifier: awssdk.String(cluster)})
	if err != nil || !awssdk.ToTime(out.DBClusters[0].ClusterCreateTime).Equal(awssdk.ToTime(cl.ClusterCreateTime)) {
		t.Errorf("the clone after the restart: %v", err)
	}
	deleteStack(t, b, stackID)
}
