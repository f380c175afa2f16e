package db_test

import (
	"context"
	"crypto/rand"
	"fmt"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/dbaf/dbaf/db"
	"github.com/dbaf/dbaf/internal/masking"
	"github.com/dbaf/dbaf/internal/testenv"
)

// BenchmarkMask masks a customers table (DBAF_BENCH_ROWS rows, default
// 100000) with dbaf's masking and with two hand-written single UPDATEs of
// the same columns, each on a fresh copy of the same table, and reports
// the rates and ratios. The figure is dbaf against the keyed hand-written
// UPDATE (the same HMAC-SHA256 work written by hand); the unkeyed one
// (md5/hashtext digests, a constant name) shows what the keyed HMAC costs:
//
//	DBAF_BENCH_ROWS=100000 go test ./db -run '^$' -bench Mask -benchtime 1x
func BenchmarkMask(b *testing.B) {
	rows := 100000
	if v := os.Getenv("DBAF_BENCH_ROWS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n <= 0 {
			b.Fatalf("DBAF_BENCH_ROWS=%q: want a positive number of rows", v)
		}
		rows = n
	}
	for name, start := range map[string]func(testing.TB) *testenv.DBServer{
		"postgres": testenv.StartPostgres, "mariadb": testenv.StartMariaDB,
	} {
		b.Run(name, func(b *testing.B) {
			s := start(b)
			seed(b, s, rows)
			rules := []db.Rule{}
			for col, st := range map[string]masking.Kind{"email": masking.Email, "phone": masking.Phone, "national_id": masking.Hash, "full_name": masking.Name, "date_of_birth": masking.Null} {
				rules = append(rules, db.Rule{Schema: "app", Table: "dbaf_copy", Column: col, Strategy: masking.Strategy{Kind: st}})
			}
			var dbafTime, handTime, unkeyedTime time.Duration
			ctx := context.Background()
			b.ResetTimer()
			for range b.N {
				b.StopTimer()
				copyTable(b, s, "dbaf_copy")
				copyTable(b, s, "hand_copy")
				copyTable(b, s, "unkeyed_copy")
				b.StartTimer()
				t0 := time.Now()
				if _, err := db.Mask(ctx, target(s), rules, db.MaskOptions{}); err != nil {
					b.Fatal(err)
				}
				dbafTime += time.Since(t0)
				t0 = time.Now()
				s.Exec(b, handWritten(s.Engine))
				handTime += time.Since(t0)
				t0 = time.Now()
				s.Exec(b, unkeyed(s.Engine))
				unkeyedTime += time.Since(t0)
			}
			n := float64(rows * b.N)
			b.ReportMetric(n/dbafTime.Seconds(), "dbaf-rows/s")
			b.ReportMetric(n/handTime.Seconds(), "hand-rows/s")
			b.ReportMetric(dbafTime.Seconds()/handTime.Seconds(), "dbaf/hand-time")
			b.ReportMetric(n/unkeyedTime.Seconds(), "unkeyed-rows/s")
			b.ReportMetric(dbafTime.Seconds()/unkeyedTime.Seconds(), "dbaf/unkeyed-time")
		})
	}
}

// seed fills app.customers server-side with rows customers.
func seed(b *testing.B, s *testenv.DBServer, rows int) {
	b.Helper()
	cols := `(id int PRIMARY KEY, email varchar(120), phone varchar(40), national_id varchar(32),
		full_name varchar(200), date_of_birth date, country char(2), notes text)`
	if s.Engine == db.EngineMySQL {
		s.Exec(b, "CREATE TABLE app.customers "+cols)
		s.Exec(b, fmt.Sprintf(`INSERT INTO app.customers SELECT seq, CONCAT('customer', seq, '@corp.example'),
			CONCAT('+44 20 7946 ', LPAD(seq %% 10000, 4, '0')), CONCAT('NI-', seq %% 50000), CONCAT('Customer Name ', seq),
			DATE_ADD('1950-01-01', INTERVAL seq %% 20000 DAY), 'GB', CONCAT('note ', seq) FROM seq_1_to_%d`, rows))
		return
	}
	s.Exec(b, "CREATE SCHEMA app")
	s.Exec(b, "CREATE TABLE app.customers "+cols)
	s.Exec(b, fmt.Sprintf(`INSERT INTO app.customers SELECT g, 'customer' || g || '@corp.example',
		'+44 20 7946 ' || lpad((g %% 10000)::text, 4, '0'), 'NI-' || (g %% 50000), 'Customer Name ' || g,
		date '1950-01-01' + (g %% 20000), 'GB', 'note ' || g FROM generate_series(1, %d) g`, rows))
	s.Exec(b, "VACUUM ANALYZE app.customers")
}

func copyTable(b *testing.B, s *testenv.DBServer, name string) {
	s.Exec(b, "DROP TABLE IF EXISTS app."+name)
	s.Exec(b, "CREATE TABLE app."+name+" AS SELECT * FROM app.customers")
}

// handWritten is the single UPDATE a DBA would write by hand for the same
// columns and the same kind of work: a keyed HMAC-SHA256 per value from the
// server's built-in SHA-256 (a random key's pads inlined), email, phone and
// national_id derived from it as dbaf does, a name picked from a list by it.
// It leaves out what dbaf adds: empty strings kept, outputs cut to the
// column's length, 576 names rather than 4.
func handWritten(engine string) string {
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		panic(err)
	}
	ipad, opad := make([]byte, 64), make([]byte, 64)
	for i := range ipad {
		ipad[i], opad[i] = 0x36, 0x5c
		if i < len(key) {
			ipad[i] ^= key[i]
			opad[i] ^= key[i]
		}
	}
	if engine == db.EngineMySQL {
		h := func(col string) string {
			return fmt.Sprintf("SHA2(CONCAT(UNHEX('%x'), UNHEX(SHA2(CONCAT(UNHEX('%x'), %s), 256))), 256)", opad, ipad, col)
		}
		return `UPDATE app.hand_copy SET email = CONCAT('user_', LEFT(` + h("email") + `, 16), '@example.invalid'),
			phone = CONCAT('+1-555-', LPAD(CONV(LEFT(` + h("phone") + `, 7), 16, 10) % 10000000, 7, '0')),
			national_id = LEFT(` + h("national_id") + `, 32),
			full_name = ELT(1 + CONV(LEFT(` + h("full_name") + `, 6), 16, 10) % 4, 'Jane Doe', 'John Roe', 'Ada Smith', 'Alan Jones'),
			date_of_birth = NULL`
	}
	h := func(col string) string {
		return fmt.Sprintf(`encode(sha256('\x%x'::bytea || sha256('\x%x'::bytea || convert_to(%s, 'UTF8'))), 'hex')`, opad, ipad, col)
	}
	return `UPDATE app.hand_copy SET email = 'user_' || left(` + h("email") + `, 16) || '@example.invalid',
		phone = '+1-555-' || lpad((('x' || left(` + h("phone") + `, 7))::bit(28)::bigint % 10000000)::text, 7, '0'),
		national_id = left(` + h("national_id") + `, 32),
		full_name = (ARRAY['Jane Doe', 'John Roe', 'Ada Smith', 'Alan Jones'])[1 + ('x' || left(` + h("full_name") + `, 6))::bit(24)::bigint % 4],
		date_of_birth = NULL`
}

// unkeyed is the quickest UPDATE a DBA might write for the same columns:
// unkeyed digests, a constant name. Anyone can recompute its outputs from
// guessed inputs, so it is a floor, not an equivalent.
func unkeyed(engine string) string {
	if engine == db.EngineMySQL {
		return `UPDATE app.unkeyed_copy SET email = CONCAT('user_', LEFT(MD5(email), 16), '@example.invalid'),
			phone = CONCAT('+1-555-', LPAD(CRC32(phone) % 10000000, 7, '0')), national_id = LEFT(SHA2(national_id, 256), 32),
			full_name = 'Jane Doe', date_of_birth = NULL`
	}
	return `UPDATE app.unkeyed_copy SET email = 'user_' || left(md5(email), 16) || '@example.invalid',
		phone = '+1-555-' || lpad((abs(hashtext(phone)) % 10000000)::text, 7, '0'),
		national_id = left(encode(sha256(convert_to(national_id, 'UTF8')), 'hex'), 32),
		full_name = 'Jane Doe', date_of_birth = NULL`
}

// BenchmarkCheck is the handover login check (TLS login + summary) against
// a warm server on loopback, per engine, with the login latency it saw:
//
//	go test ./db -run '^$' -bench Check -benchtime 20x
func BenchmarkCheck(b *testing.B) {
	for _, engine := range []struct {
		name  string
		start func(testing.TB) *testenv.DBServer
	}{{"postgres", testenv.StartPostgres}, {"mariadb", testenv.StartMariaDB}} {
		b.Run(engine.name, func(b *testing.B) {
			s := engine.start(b)
			var login time.Duration
			for b.Loop() {
				sum, err := db.Check(context.Background(), target(s), db.CheckOptions{})
				if err != nil {
					b.Fatal(err)
				}
				login += sum.LoginLatency
			}
			b.ReportMetric(float64(login.Microseconds())/1000/float64(b.N), "ms-login")
		})
	}
}
