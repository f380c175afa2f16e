package db_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/dbaf/dbaf/db"
	"github.com/dbaf/dbaf/internal/masking"
	"github.com/dbaf/dbaf/internal/testenv"
)

// legacy creates schema (a MySQL database) with a customers and a payments
// table holding the dirt real ones have: duplicates, NULLs, empty strings,
// quotes, non-ASCII, short values.
func legacy(t *testing.T, s *testenv.DBServer, schema string, rows int) {
	t.Helper()
	if s.Engine == db.EngineMySQL {
		s.Exec(t, "CREATE DATABASE IF NOT EXISTS "+schema)
	} else {
		s.Exec(t, "CREATE SCHEMA IF NOT EXISTS "+schema)
	}
	s.Exec(t, `CREATE TABLE `+schema+`.customers (id int PRIMARY KEY, email varchar(120), phone varchar(40) NOT NULL,
		national_id varchar(32), full_name text, date_of_birth date, country char(2), notes text)`)
	s.Exec(t, `CREATE TABLE `+schema+`.payments (id int PRIMARY KEY, customer_id int, iban varchar(34), amount numeric(10,2))`)
	names := []string{"José Ñúñez", "Mary O'Brien", "王小明", "Zoë Ångström", "Bob"}
	var cust, pay []string
	for i := 1; i <= rows; i++ {
		email := fmt.Sprintf("'customer%d@corp.example'", i)
		switch {
		case i%10 == 0:
			email = "NULL"
		case i%7 == 0:
			email = fmt.Sprintf("'customer%d@corp.example'", i-1) // a duplicate
		case i%13 == 0:
			email = "''"
		}
		natID := fmt.Sprintf("'NI-%06d'", i%50) // many duplicates
		if i%11 == 0 {
			natID = "NULL"
		}
		name := sqlQuote(fmt.Sprintf("%s %d", names[i%len(names)], i%40))
		if i%9 == 0 {
			name = "NULL"
		}
		cust = append(cust, fmt.Sprintf("(%d, %s, '+44 20 7946 %04d', %s, %s, '19%02d-0%d-1%d', 'GB', 'note %d')",
			i, email, i, natID, name, i%100, 1+i%9, i%10, i))
		iban := fmt.Sprintf("'GB82WEST1234569876%04d'", i)
		if i%8 == 0 {
			iban = "NULL"
		} else if i%17 == 0 {
			iban = "'DE12'" // short: masked whole
		}
		pay = append(pay, fmt.Sprintf("(%d, %d, %s, %d.%02d)", i, i, iban, i, i%100))
	}
	s.Exec(t, "INSERT INTO "+schema+".customers VALUES "+strings.Join(cust, ", "))
	s.Exec(t, "INSERT INTO "+schema+".payments VALUES "+strings.Join(pay, ", "))
}

func sqlQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

func legacyRules(schema string) []db.Rule {
	r := func(table, col, strategy string) db.Rule {
		st, err := masking.Parse(strategy)
		if err != nil {
			panic(err)
		}
		return db.Rule{Schema: schema, Table: table, Column: col, Strategy: st}
	}
	return []db.Rule{
		r("customers", "email", "email"),
		r("customers", "phone", "phone"),
		r("customers", "national_id", "hash"),
		r("customers", "full_name", "name"),
		r("customers", "date_of_birth", "null"),
		r("customers", "notes", "keep"),
		r("payments", "iban", "redact:4"),
	}
}

// snapshot is every row of a table, by id, as text (NULL as nil).
type snapshot map[int64]map[string]*string

func snap(t *testing.T, s *testenv.DBServer, table string) snapshot {
	t.Helper()
	rows, err := s.DB(t).QueryContext(context.Background(), "SELECT * FROM "+table)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	out := snapshot{}
	for rows.Next() {
		vals := make([]sql.NullString, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		row := map[string]*string{}
		for i, c := range cols {
			if vals[i].Valid {
				v := vals[i].String
				row[c] = &v
			}
		}
		var id int64
		fmt.Sscan(*row["id"], &id)
		out[id] = row
	}
	return out
}

var key1, key2 = []byte("clone-key-one-0123456789abcdef"), []byte("clone-key-two-0123456789abcdef")

func TestMaskLegacy(t *testing.T) {
	engines(t, func(t *testing.T, s *testenv.DBServer) {
		legacy(t, s, "app", 300)
		legacy(t, s, "app2", 300)
		beforeC, beforeP := snap(t, s, "app.customers"), snap(t, s, "app.payments")

		var progress []string
		done, err := db.Mask(context.Background(), target(s), legacyRules("app"), db.MaskOptions{Key: key1,
			Progress: func(p db.TableProgress) {
				progress = append(progress, fmt.Sprintf("%s.%s %v %d", p.Schema, p.Table, p.Done, p.Rows))
			}})
		if err != nil {
			t.Fatal(err)
		}
		wantProgress := []string{"app.customers false 0", "app.customers true 300", "app.payments false 0", "app.payments true 300"}
		if !slicesEqual(progress, wantProgress) || len(done) != 2 {
			t.Errorf("progress %q, done %+v; want %q", progress, done, wantProgress)
		}
		if _, err := db.Mask(context.Background(), target(s), legacyRules("app2"), db.MaskOptions{Key: key2}); err != nil {
			t.Fatal(err)
		}
		afterC, afterP, otherKey := snap(t, s, "app.customers"), snap(t, s, "app.payments"), snap(t, s, "app2.customers")

		if len(afterC) != len(beforeC) || len(afterP) != len(beforeP) {
			t.Fatalf("row counts changed: customers %d→%d, payments %d→%d", len(beforeC), len(afterC), len(beforeP), len(afterP))
		}
		masked := map[string][]string{"customers": {"email", "phone", "national_id", "full_name", "date_of_birth"}, "payments": {"iban"}}
		// No original value of any masked column survives in any masked column.
		originals := map[string]bool{}
		for table, snaps := range map[string][2]snapshot{"customers": {beforeC, afterC}, "payments": {beforeP, afterP}} {
			for _, row := range snaps[0] {
				for _, c := range masked[table] {
					if v := row[c]; v != nil && *v != "" {
						originals[*v] = true
					}
				}
			}
		}
		for table, snaps := range map[string][2]snapshot{"customers": {beforeC, afterC}, "payments": {beforeP, afterP}} {
			for id, row := range snaps[1] {
				old := snaps[0][id]
				for c, v := range row {
					isMasked := false
					for _, m := range masked[table] {
						isMasked = isMasked || m == c
					}
					switch {
					case !isMasked && !eq(v, old[c]):
						t.Errorf("%s %d: unmasked %s changed %s → %s", table, id, c, str(old[c]), str(v))
					case isMasked && v != nil && originals[*v]:
						t.Errorf("%s %d: %s still holds an original value %q", table, id, c, *v)
					case isMasked && (v == nil) != (old[c] == nil) && c != "date_of_birth":
						t.Errorf("%s %d: %s NULL-ness changed %s → %s", table, id, c, str(old[c]), str(v))
					}
				}
				if table == "customers" && row["date_of_birth"] != nil {
					t.Errorf("customers %d: date_of_birth %s not nulled", id, *row["date_of_birth"])
				}
			}
		}

		emailRE := regexp.MustCompile(`^user_[0-9a-f]{16}@example\.invalid$`)
		nameRE := regexp.MustCompile(`^[A-Z][a-zA-Z]+ [A-Z][a-zA-Z]+$`)
		phoneRE := regexp.MustCompile(`^\+1-555-[0-9]{7}$`)
		emailOf, nameOf := map[string]string{}, map[string]string{}
		emailsSeen := map[string]string{}
		for id, row := range afterC {
			old := beforeC[id]
			if e := row["email"]; e != nil {
				if *old["email"] == "" {
					if *e != "" {
						t.Errorf("customer %d: empty email became %q: nothing to mask, nothing to invent", id, *e)
					}
					continue
				}
				if !emailRE.MatchString(*e) {
					t.Errorf("customer %d: masked email %q", id, *e)
				}
				if prev, ok := emailOf[*old["email"]]; ok && prev != *e {
					t.Errorf("email %q masked two ways: %q, %q", *old["email"], prev, *e)
				}
				emailOf[*old["email"]] = *e
				if o, ok := emailsSeen[*e]; ok && o != *old["email"] {
					t.Errorf("distinct emails %q and %q both masked to %q", o, *old["email"], *e)
				}
				emailsSeen[*e] = *old["email"]
			}
			if n := row["full_name"]; n != nil {
				if !nameRE.MatchString(*n) {
					t.Errorf("customer %d: masked name %q", id, *n)
				}
				if prev, ok := nameOf[*old["full_name"]]; ok && prev != *n {
					t.Errorf("name %q masked two ways", *old["full_name"])
				}
				nameOf[*old["full_name"]] = *n
			}
			if !phoneRE.MatchString(*row["phone"]) {
				t.Errorf("customer %d: masked phone %q", id, *row["phone"])
			}
			if v := old["national_id"]; v != nil {
				// The server's HMAC is the real one, cut to the column's 32 characters.
				if want := db.HashOf(key1, *v)[:32]; *row["national_id"] != want {
					t.Errorf("customer %d: hash of %q = %q, want %q", id, *v, *row["national_id"], want)
				}
				if *otherKey[id]["national_id"] == *row["national_id"] {
					t.Errorf("customer %d: another key gave the same hash %q", id, *row["national_id"])
				}
			}
		}
		if len(emailsSeen) < 200 {
			t.Errorf("only %d distinct masked emails", len(emailsSeen))
		}
		for id, row := range afterP {
			old, v := beforeP[id]["iban"], row["iban"]
			if old == nil {
				continue
			}
			n := utf8.RuneCountInString(*old)
			want := strings.Repeat("*", n-4) + (*old)[len(*old)-4:]
			if n <= 4 {
				want = strings.Repeat("*", n)
			}
			if *v != want {
				t.Errorf("payment %d: iban %q redacted to %q, want %q", id, *old, *v, want)
			}
		}
	})
}

func eq(a, b *string) bool { return (a == nil && b == nil) || (a != nil && b != nil && *a == *b) }
func str(p *string) string {
	if p == nil {
		return "NULL"
	}
	return fmt.Sprintf("%q", *p)
}

// Rules naming a missing table or column, or a strategy the column cannot
// take, fail before anything changes, each named schema.table.column.
func TestMaskRulesMismatchChangeNothing(t *testing.T) {
	engines(t, func(t *testing.T, s *testenv.DBServer) {
		legacy(t, s, "app", 20)
		before := snap(t, s, "app.customers")
		rules := append(legacyRules("app"),
			db.Rule{Schema: "app", Table: "customers", Column: "e_mail", Strategy: masking.Strategy{Kind: masking.Email}},
			db.Rule{Schema: "app", Table: "clients", Column: "email", Strategy: masking.Strategy{Kind: masking.Email}},
			db.Rule{Schema: "app", Table: "customers", Column: "id", Strategy: masking.Strategy{Kind: masking.Null}},
			db.Rule{Schema: "app", Table: "payments", Column: "amount", Strategy: masking.Strategy{Kind: masking.Hash}},
		)
		_, err := db.Mask(context.Background(), target(s), rules, db.MaskOptions{})
		var rm *db.RulesError
		if !errors.As(err, &rm) {
			t.Fatalf("err = %v; want a RulesError", err)
		}
		for _, want := range []string{"app.customers.e_mail", "app.clients.email: table app.clients does not exist",
			"app.customers.id is NOT NULL", "app.payments.amount is "} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("error %q does not say %q", err, want)
			}
		}
		// A refused login names the user and never the password, for masking and hooks alike.
		bad := target(s)
		bad.Password = "Temp-Secret-Pw-42"
		_, maskErr := db.Mask(context.Background(), bad, legacyRules("app"), db.MaskOptions{Key: key1})
		hookErr := db.RunHooks(context.Background(), bad, []db.Hook{{Name: "h.sql", SQL: "SELECT 1"}})
		for _, err := range []error{maskErr, hookErr} {
			var lr *db.LoginRefusedError
			if !errors.As(err, &lr) || strings.Contains(err.Error(), bad.Password) || strings.Contains(err.Error(), string(key1)) {
				t.Errorf("err = %v; want a LoginRefusedError without the password or key", err)
			}
		}
		after := snap(t, s, "app.customers")
		for id, row := range before {
			for c, v := range row {
				if !eq(v, after[id][c]) {
					t.Fatalf("customer %d %s changed %s → %s although the rules were refused", id, c, str(v), str(after[id][c]))
				}
			}
		}
	})
}

// A literal goes through as a value, whatever quotes it holds.
func TestMaskLiteral(t *testing.T) {
	engines(t, func(t *testing.T, s *testenv.DBServer) {
		legacy(t, s, "app", 5)
		lit := `it's "$m$" REDACTED \ ok`
		rules := []db.Rule{
			{Schema: "app", Table: "customers", Column: "notes", Strategy: masking.Strategy{Kind: masking.Literal, Value: lit}},
			{Schema: "app", Table: "customers", Column: "date_of_birth", Strategy: masking.Strategy{Kind: masking.Literal, Value: "2000-01-01"}},
		}
		if _, err := db.Mask(context.Background(), target(s), rules, db.MaskOptions{}); err != nil {
			t.Fatal(err)
		}
		for id, row := range snap(t, s, "app.customers") {
			if *row["notes"] != lit || !strings.HasPrefix(*row["date_of_birth"], "2000-01-01") {
				t.Errorf("customer %d: notes %q, date_of_birth %q", id, *row["notes"], *row["date_of_birth"])
			}
		}
	})
}
