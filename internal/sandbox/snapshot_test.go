package sandbox_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"

	"github.com/dbaf/dbaf/internal/sandbox"
)

// sourceConn logs in to prod-aurora's server as its master user.
func sourceConn(t *testing.T, c *clients) *pgConn {
	t.Helper()
	out, err := c.rds.DescribeDBClusters(ctx(t), &rds.DescribeDBClustersInput{DBClusterIdentifier: awssdk.String("prod-aurora")})
	if err != nil {
		t.Fatal(err)
	}
	cl := out.DBClusters[0]
	return pgOpen(t, awssdk.ToString(cl.Endpoint), int(awssdk.ToInt32(cl.Port)), awssdk.ToString(cl.MasterUsername), c.sb.DBPassword())
}

// pgConn is a test's session with a server: exec and the marks it holds.
type pgConn struct {
	t    *testing.T
	exec func(q string) error
	rows func(q string) ([]string, error)
}

func pgOpen(t *testing.T, host string, port int, user, password string) *pgConn {
	t.Helper()
	conn, err := pgLogin(ctx(t), host, port, user, password)
	if err != nil {
		t.Fatalf("login to %s:%d as %s: %v", host, port, user, err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return &pgConn{t: t,
		exec: func(q string) error { _, err := conn.Exec(ctx(t), q); return err },
		rows: func(q string) ([]string, error) {
			rs, err := conn.Query(ctx(t), q)
			if err != nil {
				return nil, err
			}
			var out []string
			for rs.Next() {
				var v string
				if err := rs.Scan(&v); err != nil {
					return nil, err
				}
				out = append(out, v)
			}
			return out, rs.Err()
		}}
}

func (p *pgConn) mustExec(q string) {
	p.t.Helper()
	if err := p.exec(q); err != nil {
		p.t.Fatalf("%s: %v", q, err)
	}
}

// marks are the rows of the test's table, in order.
func (p *pgConn) marks() []string {
	p.t.Helper()
	v, err := p.rows("SELECT v FROM public.marks ORDER BY v")
	if err != nil {
		p.t.Fatalf("reading the marks: %v", err)
	}
	return v
}

// A cluster snapshot holds the data of the moment it was taken: a row
// inserted into the source after CreateDBClusterSnapshot (made with the
// AWS CLI) is not in a clone restored from it through CloudFormation's
// SnapshotIdentifier; deleting the snapshot removes it.
func TestSnapshotHoldsTheDataOfItsMoment(t *testing.T) {
	t.Parallel()
	c, _ := startWithDatabases(t, sandbox.Options{})
	src := sourceConn(t, c)
	src.mustExec("CREATE TABLE public.marks (v text)")
	src.mustExec("INSERT INTO public.marks VALUES ('before')")

	var created struct {
		DBClusterSnapshot struct{ DBClusterSnapshotIdentifier, Status, DBClusterIdentifier string }
	}
	awsCLI(t, c.url, &created, "rds", "create-db-cluster-snapshot", "--db-cluster-identifier", "prod-aurora", "--db-cluster-snapshot-identifier", "Before-Change")
	if s := created.DBClusterSnapshot; s.DBClusterSnapshotIdentifier != "before-change" || s.Status != "creating" || s.DBClusterIdentifier != "prod-aurora" {
		t.Errorf("create-db-cluster-snapshot answered %+v", s)
	}
	src.mustExec("INSERT INTO public.marks VALUES ('after')")
	eventually(t, "the snapshot to be available", func() bool {
		out, err := c.rds.DescribeDBClusterSnapshots(ctx(t), &rds.DescribeDBClusterSnapshotsInput{DBClusterSnapshotIdentifier: awssdk.String("before-change")})
		return err == nil && awssdk.ToString(out.DBClusterSnapshots[0].Status) == "available"
	})
	_, err := c.rds.CreateDBClusterSnapshot(ctx(t), &rds.CreateDBClusterSnapshotInput{DBClusterIdentifier: awssdk.String("prod-aurora"), DBClusterSnapshotIdentifier: awssdk.String("before-change")})
	wantAPIError(t, err, "DBClusterSnapshotAlreadyExistsFault")
	_, err = c.rds.CreateDBClusterSnapshot(ctx(t), &rds.CreateDBClusterSnapshotInput{DBClusterIdentifier: awssdk.String("no-such"), DBClusterSnapshotIdentifier: awssdk.String("x")})
	wantAPIError(t, err, "DBClusterNotFoundFault")
	_, err = c.rds.CreateDBClusterSnapshot(ctx(t), &rds.CreateDBClusterSnapshotInput{DBClusterIdentifier: awssdk.String("prod-aurora"), DBClusterSnapshotIdentifier: awssdk.String("two--hyphens")})
	wantAPIError(t, err, "InvalidParameterValue")

	a := prodArtifact()
	a.Source.SnapshotIdentifier = "before-change"
	stackID, cluster, host, port := stackOf(t, c, "from-snap", cloneTemplate(t, a, "from-snap"))
	waitAvailable(t, c, cluster)
	restored := pgOpen(t, host, port, "postgres", c.sb.DBPassword())
	if got := restored.marks(); !slices.Equal(got, []string{"before"}) {
		t.Errorf("the restore from the snapshot holds %v, want [before]: the row inserted after the snapshot must not be in it", got)
	}
	if got := src.marks(); !slices.Equal(got, []string{"after", "before"}) {
		t.Errorf("the source holds %v", got)
	}
	deleteStack(t, c, stackID)

	// A seeded snapshot holds the seed's dataset: no marks table yet.
	a.Source.SnapshotIdentifier = "prod-aurora-before-migration"
	seedID, seedCluster, seedHost, seedPort := stackOf(t, c, "from-seed", cloneTemplate(t, a, "from-seed"))
	waitAvailable(t, c, seedCluster)
	seeded := pgOpen(t, seedHost, seedPort, "postgres", c.sb.DBPassword())
	if n, err := seeded.rows("SELECT count(*)::text FROM legacy.customers"); err != nil || len(n) != 1 || n[0] == "0" {
		t.Errorf("the restore of the seeded snapshot: legacy.customers %v, %v", n, err)
	}
	if _, err := seeded.rows("SELECT v FROM public.marks"); err == nil {
		t.Error("the restore of the seeded snapshot has the marks table made after it")
	}
	deleteStack(t, c, seedID)

	var deleted struct{ DBClusterSnapshot struct{ Status string } }
	awsCLI(t, c.url, &deleted, "rds", "delete-db-cluster-snapshot", "--db-cluster-snapshot-identifier", "before-change")
	if deleted.DBClusterSnapshot.Status != "deleted" {
		t.Errorf("delete-db-cluster-snapshot answered %+v", deleted)
	}
	_, err = c.rds.DeleteDBClusterSnapshot(ctx(t), &rds.DeleteDBClusterSnapshotInput{DBClusterSnapshotIdentifier: awssdk.String("before-change")})
	if msg, _ := wantAPIError(t, err, "DBClusterSnapshotNotFoundFault"); !strings.Contains(msg, "before-change") {
		t.Errorf("deleting it again: %q", msg)
	}
}
