package sandbox_test

import (
	"database/sql"
	"net"
	"slices"
	"strconv"
	"testing"
	"time"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	"github.com/go-sql-driver/mysql"

	"github.com/dbaf/dbaf/artifact"
	"github.com/dbaf/dbaf/internal/sandbox"
	"github.com/dbaf/dbaf/internal/sandbox/dbserver"
	"github.com/dbaf/dbaf/internal/testenv"
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

// MariaDB: orders-mysql's server keeps a binary log; a clone stack with
// RestoreToTime T (a time a move of the clock jumped over) holds the rows
// committed before the move and not one after, though the binary log
// stamps only seconds.
func TestMariaDBRestoreToTimeHoldsTheRowsCommittedByThen(t *testing.T) {
	t.Parallel()
	testenv.NeedMariaDB(t)
	o := sandbox.Options{Pace: testPace, DBSources: []string{"orders-mysql"}}
	o.Databases = &dbserver.Config{StateDir: t.TempDir(), AddrBase: "127.79", Log: testLog{t}, TemplateDir: testenv.TemplateDir()}
	c := start(t, o)
	out, err := c.rds.DescribeDBClusters(ctx(t), &rds.DescribeDBClustersInput{DBClusterIdentifier: awssdk.String("orders-mysql")})
	if err != nil {
		t.Fatal(err)
	}
	src := out.DBClusters[0]
	run := func(host string, port int, q string) []string {
		t.Helper()
		cfg := mysql.NewConfig()
		cfg.User, cfg.Passwd, cfg.Net, cfg.Addr = "admin", c.sb.DBPassword(), "tcp", net.JoinHostPort(host, strconv.Itoa(port))
		cfg.TLSConfig = "skip-verify"
		db, err := sql.Open("mysql", cfg.FormatDSN())
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		rows, err := db.QueryContext(ctx(t), q)
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		defer rows.Close()
		var got []string
		for rows.Next() {
			var v string
			if err := rows.Scan(&v); err != nil {
				t.Fatal(err)
			}
			got = append(got, v)
		}
		return got
	}
	host, port := awssdk.ToString(src.Endpoint), int(awssdk.ToInt32(src.Port))
	run(host, port, "CREATE TABLE legacy.marks (v varchar(20))")
	run(host, port, "INSERT INTO legacy.marks VALUES ('before')")
	pre := c.sb.Clock().Now()
	if _, err := c.sb.AdvanceClock(10 * time.Minute); err != nil {
		t.Fatal(err)
	}
	at := pre.Add(time.Minute).Truncate(time.Second)
	run(host, port, "INSERT INTO legacy.marks VALUES ('after')")

	a := prodArtifact()
	a.Source = artifact.Source{ClusterID: "orders-mysql", Engine: "aurora-mysql", EngineVersion: awssdk.ToString(src.EngineVersion), Port: 3306, MasterUsername: "admin", RestoreToTime: &at}
	stackID, cluster, chost, cport := stackOf(t, c, "orders-at-t", cloneTemplate(t, a, "orders-at-t"))
	waitAvailable(t, c, cluster)
	if got := run(chost, cport, "SELECT v FROM legacy.marks ORDER BY v"); !slices.Equal(got, []string{"before"}) {
		t.Errorf("restore_to_time = T holds %v, want [before]", got)
	}
	deleteStack(t, c, stackID)
}
