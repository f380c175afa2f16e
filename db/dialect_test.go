package db

import "testing"

// Identifiers are quoted the engine's way: PostgreSQL's by pgx (double
// quotes doubled, NUL dropped), MySQL's with backquotes.
func TestQuoteIdentPerEngine(t *testing.T) {
	for _, tc := range []struct {
		name    string
		d       dialect
		in, out string
	}{
		{"pg", pgDialect, "Customers", `"Customers"`},
		{"pg", pgDialect, `we"ird`, `"we""ird"`},
		{"pg", pgDialect, "nul\x00led", `"nulled"`},
		{"mysql", mysqlDialect, "Customers", "`Customers`"},
		{"mysql", mysqlDialect, "we`ird", "`we``ird`"},
	} {
		if got := tc.d.quoteIdent(tc.in); got != tc.out {
			t.Errorf("%s: quoteIdent(%q) = %s, want %s", tc.name, tc.in, got, tc.out)
		}
	}
}
