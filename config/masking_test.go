package config

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"syscall"
	"testing"
)

// maskedINI is the example: baseINI plus [masking] and [hooks].
const maskedINI = baseINI + `[masking]
; schema.table.column = strategy
legacy.customers.email       = email        ; a fake, unique address per distinct original
legacy.customers.phone       = NULL
legacy.customers.national_id = redact:04    ; keep the last 4 characters
legacy.customers.full_name   = name
legacy.payments.iban         = hash
legacy.customers.date_of_birth = keep
legacy.customers.notes = "literal:n/a; masked"
[hooks]
post_clone = sql/grants.sql, sql/cleanup.sql   ; files beside the INI, carried in the image
`

func TestParseMaskingAndHooks(t *testing.T) {
	c, w := mustParse(t, maskedINI)
	if len(w) > 0 {
		t.Errorf("warnings: %v", w)
	}
	want := []MaskRule{
		{"legacy.customers.email", "email", 0},
		{"legacy.customers.phone", "null", 0},
		{"legacy.customers.national_id", "redact:4", 0},
		{"legacy.customers.full_name", "name", 0},
		{"legacy.payments.iban", "hash", 0},
		{"legacy.customers.date_of_birth", "keep", 0},
		{"legacy.customers.notes", "literal:n/a; masked", 0},
	}
	if got := stripLines(c.Masking); !reflect.DeepEqual(got, want) {
		t.Errorf("masking = %+v\nwant      %+v", got, want)
	}
	if c.Masking[0].line != 8 || c.Masking[6].line != 14 {
		t.Errorf("rule lines %d, %d; want 8, 14", c.Masking[0].line, c.Masking[6].line)
	}
	if want := []string{"sql/grants.sql", "sql/cleanup.sql"}; !reflect.DeepEqual(c.PostClone, want) {
		t.Errorf("post_clone = %q, want %q", c.PostClone, want)
	}
}

func TestParseMaskingErrors(t *testing.T) {
	tests := []struct{ name, rules, want string }{
		{"unknown strategy", "legacy.customers.email = scramble\n",
			`t.ini:7: [masking] legacy.customers.email: unknown masking strategy "scramble": use keep, null, redact[:N] (keep the last N characters), hash, email, name, phone, or literal:TEXT`},
		{"misspelt strategy", "legacy.customers.email = emial\n",
			`t.ini:7: [masking] legacy.customers.email: unknown masking strategy "emial": did you mean email? use keep, null, redact[:N] (keep the last N characters), hash, email, name, phone, or literal:TEXT`},
		{"misspelt strategy with an argument", "legacy.customers.email = REDCAT:4\n",
			`t.ini:7: [masking] legacy.customers.email: unknown masking strategy "REDCAT:4": did you mean redact? use keep, null, redact[:N] (keep the last N characters), hash, email, name, phone, or literal:TEXT`},
		{"bad redact count", "legacy.customers.email = redact:x\n",
			`t.ini:7: [masking] legacy.customers.email: masking strategy "redact:x": N in redact:N must be a whole number of characters to keep, e.g. redact:4`},
		{"argument to hash", "legacy.customers.email = hash:1\n",
			`t.ini:7: [masking] legacy.customers.email: masking strategy "hash:1": hash takes no argument`},
		{"no strategy", "legacy.customers.email =\n",
			`t.ini:7: [masking] legacy.customers.email: no strategy; want keep, null, redact[:N] (keep the last N characters), hash, email, name, phone, or literal:TEXT, e.g. "legacy.customers.email = null"`},
		{"two parts", "customers.email = null\n",
			`t.ini:7: [masking] customers.email: "customers.email" is not a column path; ` + columnHint},
		{"four parts", "a.b.c.d = null\n",
			`t.ini:7: [masking] a.b.c.d: "a.b.c.d" is not a column path; ` + columnHint},
		{"digit first", "legacy.1customers.email = null\n",
			`t.ini:7: [masking] legacy.1customers.email: "legacy.1customers.email" is not a column path; ` + columnHint},
		{"space inside", "legacy.customers.e mail = null\n",
			`t.ini:7: [masking] legacy.customers.e mail: "legacy.customers.e mail" is not a column path; ` + columnHint},
		{"too long", "a.b." + strings.Repeat("x", 65) + " = null\n",
			`t.ini:7: [masking] a.b.` + strings.Repeat("x", 65) + `: "` + strings.Repeat("x", 65) + `" is 65 characters long; identifiers have at most 64; ` + columnHint},
		{"duplicate", "legacy.customers.email = null\nlegacy.customers.phone = null\nLegacy.Customers.EMAIL = hash\n",
			`t.ini:9: [masking] Legacy.Customers.EMAIL: given twice, on lines 7 and 9; keep one rule per column`},
		{"every problem at once", "legacy.customers = null\nlegacy.customers.email = wipe\n",
			`t.ini:7: [masking] legacy.customers: "legacy.customers" is not a column path; ` + columnHint + "\n" +
				`t.ini:8: [masking] legacy.customers.email: unknown masking strategy "wipe": use keep, null, redact[:N] (keep the last N characters), hash, email, name, phone, or literal:TEXT`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, _, err := Parse("t.ini", []byte(baseINI+"[masking]\n"+tt.rules))
			if err == nil {
				t.Fatalf("no error; masking %+v", c.Masking)
			}
			checkConfigErrors(t, err)
			if err.Error() != tt.want {
				t.Errorf("got\n%s\nwant\n%s", err, tt.want)
			}
		})
	}
}

func TestParseHookListErrors(t *testing.T) {
	_, _, err := Parse("t.ini", []byte(baseINI+"[hooks]\npost_clone = a.sql,, b.sql\n"))
	want := `t.ini:7: [hooks] post_clone: "a.sql,, b.sql" has an empty path; want SQL file paths separated by commas, relative to the INI's directory, e.g. sql/grants.sql, sql/cleanup.sql`
	if err == nil || err.Error() != want {
		t.Errorf("got %v\nwant %s", err, want)
	}
}

// TestValidateMaskingSetByCode: rules a caller builds are checked too, and
// their errors have no file line.
func TestValidateMaskingSetByCode(t *testing.T) {
	c, _ := mustParse(t, baseINI)
	c.Masking = []MaskRule{{Column: "a.b.c", Strategy: "null"}, {Column: "a.b", Strategy: "zap"}}
	err := c.Validate()
	want := `[masking] a.b: "a.b" is not a column path; ` + columnHint
	if err == nil || err.Error() != want {
		t.Errorf("got %v\nwant %s", err, want)
	}
}

// writeINI writes an INI naming hooks in dir and loads it.
func loadWithHooks(t *testing.T, dir, hooks string) *Config {
	t.Helper()
	path := filepath.Join(dir, "artifact_config.ini")
	if err := os.WriteFile(path, []byte(baseINI+"[hooks]\npost_clone = "+hooks+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	c, _, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestReadHooks(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "sql"), 0o755); err != nil {
		t.Fatal(err)
	}
	grants := "GRANT SELECT ON legacy.customers TO analyst;\n"
	if err := os.WriteFile(filepath.Join(dir, "sql", "grants.sql"), []byte(grants), 0o644); err != nil {
		t.Fatal(err)
	}
	// A symbolic link that stays inside the INI's directory is fine.
	if err := os.Symlink(filepath.Join(dir, "sql", "grants.sql"), filepath.Join(dir, "same.sql")); err != nil {
		t.Fatal(err)
	}
	// Hooks resolve against the INI's directory, not the working directory.
	c := loadWithHooks(t, dir, "sql/grants.sql, same.sql")
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	got, err := c.ReadHooks()
	want := []HookFile{{"sql/grants.sql", grants}, {"same.sql", grants}}
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("ReadHooks = %+v, %v\nwant %+v", got, err, want)
	}
}

// TestHookPathsStayInTheINIsDirectory: an artifact carries hook files
// from the INI's directory only. An absolute path or a ".." is refused as
// the INI is read; a symbolic link leading out of the directory (to a
// file, or through a linked directory) when the files are read. Nothing
// outside ends up in the image.
func TestHookPathsStayInTheINIsDirectory(t *testing.T) {
	for _, tt := range []struct{ hooks, want string }{
		{"/etc/shadow", `t.ini:7: [hooks] post_clone: "/etc/shadow" is an absolute path; ` + hookPathHint},
		{"ok.sql, ../secret.sql", `t.ini:7: [hooks] post_clone: "../secret.sql" climbs out of the INI's directory with ".."; ` + hookPathHint},
		{"sql/../../x.sql", `t.ini:7: [hooks] post_clone: "sql/../../x.sql" climbs out of the INI's directory with ".."; ` + hookPathHint},
	} {
		_, _, err := Parse("t.ini", []byte(baseINI+"[hooks]\npost_clone = "+tt.hooks+"\n"))
		if err == nil || err.Error() != tt.want {
			t.Errorf("post_clone = %s: got\n%v\nwant\n%s", tt.hooks, err, tt.want)
		}
	}

	outside := t.TempDir()
	secret := filepath.Join(outside, "secret.sql")
	if err := os.WriteFile(secret, []byte("-- not for the image"), 0o644); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for link, target := range map[string]string{"link.sql": secret, "linked": outside} {
		if err := os.Symlink(target, filepath.Join(dir, link)); err != nil {
			t.Fatal(err)
		}
	}
	ini := filepath.Join(dir, "artifact_config.ini")
	for hook, target := range map[string]string{"link.sql": secret, "linked/secret.sql": secret} {
		c := loadWithHooks(t, dir, hook)
		hooks, err := c.ReadHooks()
		want := ini + `:7: [hooks] post_clone: hook "` + hook + `" (` + filepath.Join(dir, hook) + `): a symbolic link to ` + target + `, outside the INI's directory; ` + hookPathHint
		if err == nil || err.Error() != want || hooks != nil {
			t.Errorf("ReadHooks(%s) = %d hooks, %v\nwant %s", hook, len(hooks), err, want)
		}
		checkConfigErrors(t, err)
		if err := c.Validate(); err == nil || err.Error() != want {
			t.Errorf("Validate: got %v\nwant %s", err, want)
		}
	}

	// Set by code rather than parsed, the rules hold all the same.
	c := &Config{Path: ini, PostClone: []string{secret}}
	if _, err := c.ReadHooks(); err == nil || !strings.Contains(err.Error(), "is an absolute path") {
		t.Errorf("ReadHooks of an absolute path set by code: %v", err)
	}
}

func TestReadHooksErrors(t *testing.T) {
	dir := t.TempDir()
	ini := filepath.Join(dir, "artifact_config.ini")
	mk := func(name string, data []byte) {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Mkdir(filepath.Join(dir, "sqldir"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(filepath.Join(dir, "fifo.sql"), 0o644); err != nil {
		t.Fatal(err)
	}
	mk("big.sql", bytes.Repeat([]byte("-- x\n"), maxFileSize/5+1))
	mk("latin1.sql", []byte("SELECT 'caf\xe9';"))
	mk("nul.sql", []byte("SELECT 1;\x00"))
	mk("ok.sql", []byte("SELECT 1;"))
	unreadable := filepath.Join(dir, "secret.sql")
	mk("secret.sql", []byte("SELECT 1;"))
	if err := os.Chmod(unreadable, 0); err != nil {
		t.Fatal(err)
	}
	at := ini + ":7: [hooks] post_clone: hook "
	tests := []struct{ name, hooks, want string }{
		{"missing", "ok.sql, sql/missing.sql", at + `"sql/missing.sql" (` + filepath.Join(dir, "sql/missing.sql") + `): no such file; hook paths are relative to the INI's directory; fix the path or create the file`},
		{"directory", "sqldir", at + `"sqldir" (` + filepath.Join(dir, "sqldir") + `): not a regular file (a directory); a hook is a SQL file`},
		{"fifo", "fifo.sql", at + `"fifo.sql" (` + filepath.Join(dir, "fifo.sql") + `): not a regular file (a named pipe); a hook is a SQL file`},
		{"too big", "big.sql", at + `"big.sql" (` + filepath.Join(dir, "big.sql") + `): the file is larger than 1 MiB; a hook file is at most 1 MiB of SQL; load bulk data another way`},
		{"not UTF-8", "latin1.sql", at + `"latin1.sql" (` + filepath.Join(dir, "latin1.sql") + `): the file is not UTF-8 text; save it as UTF-8`},
		{"NUL", "nul.sql", at + `"nul.sql" (` + filepath.Join(dir, "nul.sql") + `): the file contains a NUL byte; a hook is a SQL text file`},
		{"two bad", "sqldir, nope.sql", at + `"sqldir" (` + filepath.Join(dir, "sqldir") + `): not a regular file (a directory); a hook is a SQL file` + "\n" +
			at + `"nope.sql" (` + filepath.Join(dir, "nope.sql") + `): no such file; hook paths are relative to the INI's directory; fix the path or create the file`},
	}
	if os.Geteuid() != 0 { // root reads a mode-0 file
		tests = append(tests, struct{ name, hooks, want string }{"unreadable", "secret.sql",
			at + `"secret.sql" (` + unreadable + `): cannot read the file: permission denied`})
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := loadWithHooks(t, dir, tt.hooks)
			_, err := c.ReadHooks()
			if err == nil || err.Error() != tt.want {
				t.Fatalf("ReadHooks: got %v\nwant %s", err, tt.want)
			}
			checkConfigErrors(t, err)
			// Validate refuses the same file, before anything asks AWS.
			if err := c.Validate(); err == nil || err.Error() != tt.want {
				t.Errorf("Validate: got %v\nwant %s", err, tt.want)
			}
		})
	}
}

func TestWriteMaskingAndHooks(t *testing.T) {
	c, _ := mustParse(t, maskedINI)
	var b bytes.Buffer
	if err := c.Write(&b); err != nil {
		t.Fatal(err)
	}
	wantTail := `
[masking]
; schema.table.column = strategy: keep, null, redact[:N] (keep the last N characters), hash, email, name, phone, or literal:TEXT.
legacy.customers.email = email
legacy.customers.phone = null
legacy.customers.national_id = redact:4
legacy.customers.full_name = name
legacy.payments.iban = hash
legacy.customers.date_of_birth = keep
legacy.customers.notes = ` + "`literal:n/a; masked`" + `

[hooks]
; SQL files run on every clone after masking, in order; paths relative to this file's directory.
post_clone = sql/grants.sql, sql/cleanup.sql
`
	if !strings.HasSuffix(b.String(), wantTail) {
		t.Errorf("got\n%s\nwant it to end with\n%s", b.String(), wantTail)
	}
	back, w, err := Parse("w.ini", b.Bytes())
	if err != nil || len(w) > 0 {
		t.Fatalf("%v %v", err, w)
	}
	if d := configDiff(c, back); d != "" {
		t.Error(d)
	}

	bad := &Config{Masking: []MaskRule{{Column: "a.b\n[x]", Strategy: "null"}}}
	if err := bad.Write(&bytes.Buffer{}); err == nil || !strings.Contains(err.Error(), "is not a column path") {
		t.Errorf("Write of a bad column path: %v", err)
	}
}

func TestSetPostClone(t *testing.T) {
	c := &Config{}
	if err := c.Set("post_clone", "a.sql , b.sql"); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(c.PostClone, []string{"a.sql", "b.sql"}) || !c.IsSet("post_clone") {
		t.Errorf("PostClone = %q", c.PostClone)
	}
	if err := c.Set("post_clone", ""); err != nil || c.PostClone != nil {
		t.Errorf("clearing: %v %q", err, c.PostClone)
	}
}

// The repository's example loads and validates, its hooks found beside it.
func TestMaskedExample(t *testing.T) {
	c, w, err := Load(filepath.Join("..", "examples", "masked_artifact_config.ini"))
	if err != nil || len(w) > 0 {
		t.Fatal(err, w)
	}
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	hooks, err := c.ReadHooks()
	if err != nil || len(hooks) != 2 || !strings.Contains(hooks[1].SQL, "legacy.masking_audit") || len(c.Masking) != 6 {
		t.Errorf("hooks %+v, %v; %d rules", hooks, err, len(c.Masking))
	}
}

// TestParseLiteralForms: literal:TEXT holding ; or # is written either as
// the README shows it, literal:`TEXT`, or wholly in backquotes or quotes;
// each keeps TEXT whole, without the backquotes. Unquoted, ; starts a
// comment as everywhere else.
func TestParseLiteralForms(t *testing.T) {
	for _, tt := range []struct{ name, line, want string }{
		{"backquoted TEXT", "legacy.customers.notes = literal:`n/a; masked #1`", "literal:n/a; masked #1"},
		{"backquoted TEXT, then a comment", "legacy.customers.notes = literal:`n/a; masked` ; why", "literal:n/a; masked"},
		{"backquoted TEXT, upper case", "legacy.customers.notes = LITERAL:`a;b`", "literal:a;b"},
		{"backquoted TEXT, empty", "legacy.customers.notes = literal:``", "literal:"},
		{"backquoted TEXT with backquotes", "legacy.customers.notes = literal:`say `hi`; bye`", "literal:say `hi`; bye"},
		{"whole value backquoted", "legacy.customers.notes = `literal:n/a; masked`", "literal:n/a; masked"},
		{"whole value double-quoted", `legacy.customers.notes = "literal:n/a; masked"`, "literal:n/a; masked"},
		{"unquoted", "legacy.customers.notes = literal:n/a ; a comment", "literal:n/a"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c, w := mustParse(t, baseINI+"[masking]\n"+tt.line+"\n")
			if len(w) > 0 || len(c.Masking) != 1 || c.Masking[0].Strategy != tt.want {
				t.Fatalf("rules %+v, warnings %v; want one with %q", c.Masking, w, tt.want)
			}
			// What Write makes of it reads back the same.
			var b bytes.Buffer
			if err := c.Write(&b); err != nil {
				t.Fatal(err)
			}
			if back, _ := mustParse(t, b.String()); back.Masking[0].Strategy != tt.want {
				t.Errorf("written as\n%s\nreads back as %q", b.String(), back.Masking[0].Strategy)
			}
		})
	}
	for line, want := range map[string]string{
		"literal:`a;b` c": "t.ini:7: [masking] legacy.customers.notes: text \"c\" after the closing ` quote would be ignored; put it inside the quotes, or start a comment with ;",
		"literal:`a;b":    "t.ini:7: the value opens a ` quote that this line does not close; values must fit on one line; close the quote",
	} {
		_, _, err := Parse("t.ini", []byte(baseINI+"[masking]\nlegacy.customers.notes = "+line+"\n"))
		if err == nil || err.Error() != want {
			t.Errorf("%s: got\n%v\nwant\n%s", line, err, want)
		}
	}
}
