package db

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/dbaf/dbaf/internal/masking"
	"github.com/jackc/pgx/v5"
)

// Rule masks one column. An empty Schema is the target's current schema
// (PostgreSQL: usually public) or database (MySQL).
type Rule struct {
	Schema, Table, Column string
	Strategy              masking.Strategy
}

func (r Rule) String() string { return r.Schema + "." + r.Table + "." + r.Column }

// MaskOptions: Key keys hash, email, name and phone (the same key gives the
// same output for the same value); empty means a fresh random key, which is
// the point: one key per clone, never stored. Progress hears each table
// start and finish.
type MaskOptions struct {
	Key      []byte
	Progress func(TableProgress)
}

// TableProgress is one table starting (Done false) or finished.
type TableProgress struct {
	Schema, Table string
	Columns       int
	Done          bool
	Rows          int64 // rows masked, when Done
	Elapsed       time.Duration
}

// RulesError lists the rules naming something that is not there
// (or cannot take the strategy); nothing was changed.
type RulesError struct{ Problems []string }

func (e *RulesError) Error() string {
	return "masking rules do not match the database (nothing was changed): " + strings.Join(e.Problems, "; ")
}

// Mask applies rules on the server: it first checks every masked column
// exists and can take its strategy, and that the login may change every
// masked table (itself or through the owner's role: a *PrivilegeError
// names the GRANT otherwise); a problem fails before anything changes.
// Then it runs one set-based UPDATE per table, in a transaction per
// table, as the owner's role where the login may take it. NULLs stay
// NULL except under "null". No rows leave the server.
func Mask(ctx context.Context, t Target, rules []Rule, o MaskOptions) ([]TableProgress, error) {
	key := o.Key
	if len(key) == 0 {
		key = make([]byte, 32)
		if _, err := rand.Read(key); err != nil {
			return nil, err
		}
	}
	db, err := open(t, conn{})
	if err != nil {
		return nil, err
	}
	defer db.Close()
	c, err := db.Conn(ctx)
	if err != nil {
		return nil, classify(t, err)
	}
	defer c.Close()
	d := dialectFor(t.Engine)
	tables, roles, err := prepare(ctx, c, d, rules)
	if err != nil {
		return nil, scrub(err, t.Password)
	}
	ipad, opad := hmacPads(key)
	args, err := d.keyArgs(ctx, c, ipad, opad)
	if err != nil {
		return nil, fmt.Errorf("masking: %w", scrub(err, t.Password))
	}
	var done []TableProgress
	for i, tb := range tables {
		p := TableProgress{Schema: tb.schema, Table: tb.table, Columns: len(tb.cols)}
		if o.Progress != nil {
			o.Progress(p)
		}
		start := time.Now()
		query, qargs := d.update(tb, args)
		n, err := inTx(ctx, c, d, roles[i], query, qargs)
		if err != nil {
			return done, fmt.Errorf("masking %s.%s (rolled back): %w", tb.schema, tb.table, scrub(err, t.Password))
		}
		p.Done, p.Rows, p.Elapsed = true, n, time.Since(start)
		if o.Progress != nil {
			o.Progress(p)
		}
		done = append(done, p)
	}
	return done, nil
}

// CheckMask is Mask's checks without the masking: whether every rule
// matches the database (*RulesError) and the login may change every masked
// table (*PrivilegeError, naming the GRANT). Nothing is changed: for a
// preflight before the masking run. deadcode: only its tests call it until
// the base refresh (issue 20) runs it as its coverage preflight.
func CheckMask(ctx context.Context, t Target, rules []Rule) error {
	db, err := open(t, conn{})
	if err != nil {
		return err
	}
	defer db.Close()
	c, err := db.Conn(ctx)
	if err != nil {
		return classify(t, err)
	}
	defer c.Close()
	_, _, err = prepare(ctx, c, dialectFor(t.Engine), rules)
	return scrub(err, t.Password)
}

// prepare is every check before a change: the rules against the columns,
// then the privileges, giving the tables to mask and the role for each.
func prepare(ctx context.Context, c *sql.Conn, d dialect, rules []Rule) ([]table, []string, error) {
	rules, err := withSchemas(ctx, c, d, rules)
	if err != nil {
		return nil, nil, err
	}
	tables, err := plan(ctx, c, d, rules)
	if err != nil {
		return nil, nil, err
	}
	roles, err := maskRoles(ctx, c, d, tables)
	if err != nil {
		return nil, nil, err
	}
	return tables, roles, nil
}

// inTx runs query in a transaction of its own, as role ("" is the
// login's own; the role ends with the transaction).
func inTx(ctx context.Context, c *sql.Conn, d dialect, role, query string, args []any) (int64, error) {
	tx, err := c.BeginTx(ctx, nil)
	if err != nil {
		return 0, err
	}
	if role != "" {
		if _, err := tx.ExecContext(ctx, d.setRole(role)); err != nil {
			_ = tx.Rollback()
			return 0, err
		}
	}
	res, err := tx.ExecContext(ctx, query, args...)
	if err != nil {
		_ = tx.Rollback()
		return 0, err
	}
	n, err := res.RowsAffected()
	if err != nil {
		_ = tx.Rollback()
		return 0, err
	}
	return n, tx.Commit()
}

// hmacPads are HMAC-SHA256's inner and outer key blocks, so the server can
// compute HMAC(key, v) = sha256(opad || sha256(ipad || v)) with its
// built-in sha256: no extension needed, and the key itself is never sent.
func hmacPads(key []byte) (ipad, opad []byte) {
	if len(key) > sha256.BlockSize {
		s := sha256.Sum256(key)
		key = s[:]
	}
	ipad, opad = make([]byte, sha256.BlockSize), make([]byte, sha256.BlockSize)
	copy(ipad, key)
	copy(opad, key)
	for i := range ipad {
		ipad[i] ^= 0x36
		opad[i] ^= 0x5c
	}
	return ipad, opad
}

// withSchemas fills empty schemas with the session's current one.
func withSchemas(ctx context.Context, c *sql.Conn, d dialect, rules []Rule) ([]Rule, error) {
	var cur sql.NullString
	if err := c.QueryRowContext(ctx, d.currentSchema).Scan(&cur); err != nil {
		return nil, err
	}
	out := make([]Rule, 0, len(rules))
	for _, r := range rules {
		if r.Table == "" || r.Column == "" {
			return nil, fmt.Errorf("masking rule %q names no table or column: write schema.table.column", r.String())
		}
		if r.Schema == "" {
			if !cur.Valid || cur.String == "" {
				return nil, fmt.Errorf("masking rule %s.%s names no schema and the connection has no current database: name the schema", r.Table, r.Column)
			}
			r.Schema = cur.String
		}
		out = append(out, r)
	}
	return out, nil
}

type column struct {
	name     string
	strategy masking.Strategy
	maxLen   int // 0: unbounded
}

type table struct {
	schema, table string
	cols          []column
}

type colInfo struct {
	dataType string
	maxLen   sql.NullInt64
	nullable bool
}

// plan checks every rule against information_schema and groups the
// columns to change by table, in the order the rules first name them.
func plan(ctx context.Context, c *sql.Conn, d dialect, rules []Rule) ([]table, error) {
	var schemas []any
	for _, r := range rules {
		if !slices.Contains(schemas, any(r.Schema)) {
			schemas = append(schemas, r.Schema)
		}
	}
	if len(schemas) == 0 {
		return nil, nil
	}
	ph := make([]string, len(schemas))
	for i := range ph {
		ph[i] = d.placeholder(i + 1)
	}
	rows, err := c.QueryContext(ctx, d.columns(strings.Join(ph, ", ")), schemas...)
	if err != nil {
		return nil, fmt.Errorf("reading the columns to mask: %w", err)
	}
	defer rows.Close()
	cols := map[[3]string]colInfo{}
	tablesSeen := map[[2]string]bool{}
	for rows.Next() {
		var s, tb, col, nullable string
		var ci colInfo
		if err := rows.Scan(&s, &tb, &col, &ci.dataType, &ci.maxLen, &nullable); err != nil {
			return nil, err
		}
		ci.nullable = nullable == "YES"
		cols[[3]string{s, tb, col}] = ci
		tablesSeen[[2]string{s, tb}] = true
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}

	var problems []string
	var out []table
	index := map[[2]string]int{}
	seen := map[[3]string]masking.Strategy{}
	for _, r := range rules {
		k := [3]string{r.Schema, r.Table, r.Column}
		if prev, dup := seen[k]; dup {
			if prev != r.Strategy {
				problems = append(problems, fmt.Sprintf("%s has two strategies (%s, %s): keep one", r, prev, r.Strategy))
			}
			continue
		}
		seen[k] = r.Strategy
		ci, ok := cols[k]
		switch {
		case !tablesSeen[[2]string{r.Schema, r.Table}]:
			problems = append(problems, fmt.Sprintf("%s: table %s.%s does not exist", r, r.Schema, r.Table))
			continue
		case !ok:
			problems = append(problems, fmt.Sprintf("%s: column %s does not exist in %s.%s", r, r.Column, r.Schema, r.Table))
			continue
		case r.Strategy.Kind == "":
			problems = append(problems, fmt.Sprintf("%s has no strategy: use %s", r, masking.Syntax))
			continue
		case needsText(r.Strategy) && !d.isText(ci.dataType):
			problems = append(problems, fmt.Sprintf("%s is %s: %s needs a text column (use null or literal:… instead)", r, ci.dataType, r.Strategy))
			continue
		case r.Strategy.Kind == masking.Null && !ci.nullable:
			problems = append(problems, fmt.Sprintf("%s is NOT NULL: it cannot be masked with null (use literal:… instead)", r))
			continue
		case r.Strategy.Kind == masking.Email && ci.maxLen.Valid && ci.maxLen.Int64 < emailLen:
			problems = append(problems, fmt.Sprintf("%s holds at most %d characters: a masked email needs %d", r, ci.maxLen.Int64, emailLen))
			continue
		case r.Strategy.Kind == masking.Keep:
			continue
		}
		tk := [2]string{r.Schema, r.Table}
		i, ok := index[tk]
		if !ok {
			i = len(out)
			index[tk] = i
			out = append(out, table{schema: r.Schema, table: r.Table})
		}
		col := column{name: r.Column, strategy: r.Strategy}
		if ci.maxLen.Valid {
			col.maxLen = int(ci.maxLen.Int64)
		}
		out[i].cols = append(out[i].cols, col)
	}
	if len(problems) > 0 {
		return nil, &RulesError{Problems: problems}
	}
	return out, nil
}

// Fake names: the same hash picks the same pair.
var (
	firstNames = []string{"Ada", "Alan", "Barbara", "Claude", "Dennis", "Edsger", "Frances", "Grace",
		"Hedy", "Ivan", "Joan", "Ken", "Linus", "Margaret", "Niklaus", "Olga", "Peter", "Radia",
		"Sophie", "Tim", "Ursula", "Vint", "Whitfield", "Yukihiro"}
	lastNames = []string{"Allen", "Backus", "Cerf", "Dijkstra", "Engelbart", "Floyd", "Goldberg",
		"Hopper", "Iverson", "Johnson", "Kay", "Lamport", "Liskov", "McCarthy", "Naur", "Ousterhout",
		"Perlman", "Ritchie", "Stroustrup", "Thompson", "Torvalds", "Wirth", "Yao", "Zuse"}
)

// fullNames pairs every first name with every last name.
var fullNames = func() []string {
	var out []string
	for _, f := range firstNames {
		for _, l := range lastNames {
			out = append(out, f+" "+l)
		}
	}
	return out
}()

// dialect is what differs between the engines' SQL.
type dialect struct {
	currentSchema string
	// columns lists schema, table, column, data type (as
	// information_schema.columns says it), character maximum length and
	// nullable (YES/NO) of the base tables in the schemas in.
	columns     func(in string) string
	placeholder func(i int) string
	quoteIdent  func(string) string
	isText      func(dataType string) bool
	// keyArgs hands the HMAC pads to the session, returning the query
	// arguments an UPDATE that hashes starts with.
	keyArgs func(ctx context.Context, c *sql.Conn, ipad, opad []byte) ([]any, error)
	// hmacHex is the hex HMAC of the column's text (NULL for NULL).
	hmacHex func(col string) string
	// hexInt is the integer value of n hex digits of h starting at 1-based from.
	hexInt  func(h string, from, n int) string
	concat  func(parts ...string) string
	redact  func(col string, keep int) string
	pick    func(index string, names []string) string
	left    func(s string, n int) string
	lpad7   func(n string) string // n modulo 10^7 as 7 digits
	literal func(v string, args *[]any) string
	privileges
}

func dialectFor(engine string) dialect {
	if engine == EngineMySQL {
		return mysqlDialect
	}
	return pgDialect
}

func sqlString(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

func quoted(names []string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = sqlString(n)
	}
	return out
}

var pgDialect = dialect{
	currentSchema: "SELECT current_schema()",
	// From the catalogue, not information_schema.columns, which hides the
	// columns of tables the login has no privilege on: those must reach
	// the privilege check (and its GRANT), not read as missing. The
	// expressions are the view's own.
	columns: func(in string) string {
		return `SELECT n.nspname, c.relname, a.attname,
			CASE WHEN t.typtype = 'd' THEN CASE WHEN bt.typelem <> 0 AND bt.typlen = -1 THEN 'ARRAY'
					WHEN bn.nspname = 'pg_catalog' THEN format_type(t.typbasetype, NULL) ELSE 'USER-DEFINED' END
				ELSE CASE WHEN t.typelem <> 0 AND t.typlen = -1 THEN 'ARRAY'
					WHEN tn.nspname = 'pg_catalog' THEN format_type(a.atttypid, NULL) ELSE 'USER-DEFINED' END END,
			information_schema._pg_char_max_length(information_schema._pg_truetypid(a.*, t.*), information_schema._pg_truetypmod(a.*, t.*)),
			CASE WHEN a.attnotnull OR (t.typtype = 'd' AND t.typnotnull) THEN 'NO' ELSE 'YES' END
		FROM pg_attribute a
			JOIN pg_class c ON c.oid = a.attrelid
			JOIN pg_namespace n ON n.oid = c.relnamespace
			JOIN pg_type t ON t.oid = a.atttypid
			JOIN pg_namespace tn ON tn.oid = t.typnamespace
			LEFT JOIN pg_type bt ON t.typtype = 'd' AND bt.oid = t.typbasetype
			LEFT JOIN pg_namespace bn ON bn.oid = bt.typnamespace
		WHERE a.attnum > 0 AND NOT a.attisdropped AND c.relkind IN ('r', 'p') AND n.nspname IN (` + in + `)`
	},
	placeholder: func(i int) string { return fmt.Sprintf("$%d", i) },
	quoteIdent:  func(s string) string { return pgx.Identifier{s}.Sanitize() },
	isText: func(t string) bool {
		return t == "text" || t == "character varying" || t == "character" || t == "USER-DEFINED" // citext
	},
	keyArgs: func(_ context.Context, _ *sql.Conn, ipad, opad []byte) ([]any, error) {
		return []any{ipad, opad}, nil // $1 and $2 of each UPDATE that hashes
	},
	hmacHex: func(col string) string {
		return "encode(sha256($2::bytea || sha256($1::bytea || convert_to(" + col + "::text, 'UTF8'))), 'hex')"
	},
	hexInt: func(h string, from, n int) string {
		return fmt.Sprintf("('x' || substr(%s, %d, %d))::bit(%d)::bigint", h, from, n, 4*n)
	},
	concat: func(parts ...string) string { return "(" + strings.Join(parts, " || ") + ")" },
	redact: func(col string, keep int) string {
		return fmt.Sprintf("CASE WHEN char_length(%[1]s) > %[2]d THEN repeat('*', char_length(%[1]s) - %[2]d) || right(%[1]s, %[2]d) ELSE repeat('*', char_length(%[1]s)) END", col, keep)
	},
	pick: func(index string, names []string) string {
		return fmt.Sprintf("(ARRAY[%s])[1 + %s %% %d]", strings.Join(quoted(names), ", "), index, len(names))
	},
	left:  func(s string, n int) string { return fmt.Sprintf("left(%s, %d)", s, n) },
	lpad7: func(n string) string { return fmt.Sprintf("lpad((%s %% 10000000)::text, 7, '0')", n) },
	literal: func(v string, _ *[]any) string {
		// Dollar-quoted: no escaping rules to get wrong, and untyped like
		// '…', so the server casts it to the column's type.
		tag := "$m$"
		for i := 0; strings.Contains(v, tag); i++ {
			tag = fmt.Sprintf("$m%d$", i)
		}
		return tag + v + tag
	},
	privileges: pgPrivileges,
}

// mysqlIdent quotes a MySQL identifier: backquotes, a backquote inside
// doubled (pgx.Identifier does PostgreSQL's).
func mysqlIdent(s string) string { return "`" + strings.ReplaceAll(s, "`", "``") + "`" }

var mysqlDialect = dialect{
	currentSchema: "SELECT DATABASE()",
	columns: func(in string) string {
		return `SELECT c.table_schema, c.table_name, c.column_name, c.data_type, c.character_maximum_length, c.is_nullable
		FROM information_schema.columns c JOIN information_schema.tables t
			ON t.table_schema = c.table_schema AND t.table_name = c.table_name
		WHERE t.table_type = 'BASE TABLE' AND c.table_schema IN (` + in + `)`
	},
	placeholder: func(int) string { return "?" },
	quoteIdent:  mysqlIdent,
	isText: func(t string) bool {
		t = strings.ToLower(t)
		return strings.Contains(t, "char") || strings.HasSuffix(t, "text")
	},
	keyArgs: func(ctx context.Context, c *sql.Conn, ipad, opad []byte) ([]any, error) {
		// Session variables on the masking connection: positional ? would
		// need the pads once per use. Hex on the wire, so no character set
		// conversion can touch the bytes.
		_, err := c.ExecContext(ctx, "SET @dbaf_ipad = UNHEX(?), @dbaf_opad = UNHEX(?)", hex.EncodeToString(ipad), hex.EncodeToString(opad))
		return nil, err
	},
	hmacHex: func(col string) string {
		return "SHA2(CONCAT(@dbaf_opad, UNHEX(SHA2(CONCAT(@dbaf_ipad, CONVERT(" + col + " USING utf8mb4)), 256))), 256)"
	},
	hexInt: func(h string, from, n int) string {
		return fmt.Sprintf("CAST(CONV(SUBSTR(%s, %d, %d), 16, 10) AS UNSIGNED)", h, from, n)
	},
	concat: func(parts ...string) string { return "CONCAT(" + strings.Join(parts, ", ") + ")" },
	redact: func(col string, keep int) string {
		return fmt.Sprintf("CASE WHEN CHAR_LENGTH(%[1]s) > %[2]d THEN CONCAT(REPEAT('*', CHAR_LENGTH(%[1]s) - %[2]d), RIGHT(%[1]s, %[2]d)) ELSE REPEAT('*', CHAR_LENGTH(%[1]s)) END", col, keep)
	},
	pick: func(index string, names []string) string {
		return fmt.Sprintf("ELT(1 + %s %% %d, %s)", index, len(names), strings.Join(quoted(names), ", "))
	},
	left:  func(s string, n int) string { return fmt.Sprintf("LEFT(%s, %d)", s, n) },
	lpad7: func(n string) string { return fmt.Sprintf("LPAD(%s %% 10000000, 7, '0')", n) },
	literal: func(v string, args *[]any) string {
		*args = append(*args, v) // a parameter: escaping depends on sql_mode
		return "?"
	},
	privileges: mysqlPrivileges,
}

// update is the one set-based UPDATE for a table, with its arguments.
func (d dialect) update(t table, keyArgs []any) (string, []any) {
	var args []any
	usesKey := false
	sets := make([]string, len(t.cols))
	for i, c := range t.cols {
		col := d.quoteIdent(c.name)
		var e string
		switch c.strategy.Kind {
		case masking.Null:
			e = "NULL"
		case masking.Literal:
			e = d.literal(c.strategy.Value, &args)
		case masking.Redact:
			e = d.redact(col, c.strategy.Keep)
		case masking.Hash:
			e = d.hmacHex(col)
		case masking.Email:
			e = d.concat("'user_'", d.left(d.hmacHex(col), 16), "'@example.invalid'")
		case masking.Name:
			e = d.pick(d.hexInt(d.hmacHex(col), 1, 6), fullNames) // one HMAC per row, not one per part
		case masking.Phone:
			e = d.concat("'+1-555-'", d.lpad7(d.hexInt(d.hmacHex(col), 1, 7)))
		}
		if c.strategy.Kind == masking.Hash || c.strategy.Kind == masking.Email || c.strategy.Kind == masking.Name || c.strategy.Kind == masking.Phone {
			usesKey = true
			if c.maxLen > 0 {
				e = d.left(e, c.maxLen) // a short column keeps what fits
			}
			// Like NULL, an empty string is no data: nothing to invent.
			e = "CASE WHEN " + col + " = '' THEN " + col + " ELSE " + e + " END"
		}
		sets[i] = col + " = " + e
	}
	q := "UPDATE " + d.quoteIdent(t.schema) + "." + d.quoteIdent(t.table) + " SET " + strings.Join(sets, ", ")
	if !usesKey {
		return q, args // PostgreSQL refuses arguments a query does not use
	}
	return q, append(slices.Clone(keyArgs), args...)
}

// needsText: strategies that build a string from the column's text.
func needsText(s masking.Strategy) bool {
	switch s.Kind {
	case masking.Redact, masking.Hash, masking.Email, masking.Name, masking.Phone:
		return true
	}
	return false
}

// emailLen is the length of a masked email: "user_" + 16 hex + "@example.invalid".
const emailLen = 5 + 16 + 16
