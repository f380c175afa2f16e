package db

import (
	"reflect"
	"testing"
)

func TestSplitSQL(t *testing.T) {
	cases := []struct {
		name  string
		mysql bool
		src   string
		want  []statement
	}{
		{"plain", false, "SELECT 1;\n\nSELECT 2;\n", []statement{{"SELECT 1", 1}, {"SELECT 2", 3}}},
		{"no trailing semicolon", false, "SELECT 1;\nSELECT 2", []statement{{"SELECT 1", 1}, {"SELECT 2", 2}}},
		{"comments are not statements", false, "-- header; with a semicolon\n/* block;\n comment */\nUPDATE t SET a = 1; -- trailing\n",
			[]statement{{"UPDATE t SET a = 1", 4}}},
		{"semicolons in strings", false, "INSERT INTO t VALUES ('a;b', 'it''s;');\nSELECT \"odd;name\" FROM t;",
			[]statement{{"INSERT INTO t VALUES ('a;b', 'it''s;')", 1}, {"SELECT \"odd;name\" FROM t", 2}}},
		{"multi-line string counts lines", false, "SELECT 'x\ny';\nSELECT 3;", []statement{{"SELECT 'x\ny'", 1}, {"SELECT 3", 3}}},
		{"dollar quoting", false, "CREATE FUNCTION f() RETURNS int AS $body$\nBEGIN\n  RETURN 1;\nEND;\n$body$ LANGUAGE plpgsql;\nSELECT f();",
			[]statement{{"CREATE FUNCTION f() RETURNS int AS $body$\nBEGIN\n  RETURN 1;\nEND;\n$body$ LANGUAGE plpgsql", 1}, {"SELECT f()", 6}}},
		{"E string", false, "SELECT E'a\\';b';\nSELECT 2;", []statement{{"SELECT E'a\\';b'", 1}, {"SELECT 2", 2}}},
		{"mysql backslash and backticks", true, "SELECT 'a\\';b', `c;d`;\n# hash comment;\nSELECT 2;", []statement{{"SELECT 'a\\';b', `c;d`", 1}, {"SELECT 2", 3}}},
		{"mysql delimiter", true, "DELIMITER //\nCREATE PROCEDURE p() BEGIN SELECT 1; SELECT 2; END//\nDELIMITER ;\nCALL p();",
			[]statement{{"CREATE PROCEDURE p() BEGIN SELECT 1; SELECT 2; END", 2}, {"CALL p()", 4}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := splitSQL(c.src, c.mysql); !reflect.DeepEqual(got, c.want) {
				t.Errorf("splitSQL(%q)\n got %+v\nwant %+v", c.src, got, c.want)
			}
		})
	}
}
