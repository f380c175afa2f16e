package config

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"
)

// originalToolINI is the example file of the tool dbaf replaces: only the
// three keys, with an inline ";" comment.
const originalToolINI = `[source_db]
source_db_cluster_id = prod-aurora

[target_db]
subnet_ids = source            ; or: subnet-0a1b2c3d, subnet-4e5f6a7b
instance_type = db.r5.large
`

// fullINI sets every key.
const fullINI = `; every key
[source_db]
source_db_cluster_id = prod-aurora
region = eu-west-1
restore_to_time = 2026-11-20T12:00:00+02:00

[target_db]
subnet_ids = subnet-0a1b2c3d,subnet-4e5f6a7b8c9d0e1f2 ,  subnet-11112222
instance_type = db.serverless
allowed_cidr = 10.0.0.0/16
publicly_accessible = Yes
backup_retention_days = 7
preferred_backup_window = 23:45-00:15
preferred_maintenance_window = Sun:05:00-sun:05:30
serverless_min_capacity = 0
serverless_max_capacity = 16.5
password = Secrets-Manager

[artifact]
image_tag = registry.example.com:5000/team/db-artifact:v1
publisher_contact = "#dataops on Slack; or page @dba"
clone_ttl = 1d12h
`

func mustParse(t *testing.T, data string) (*Config, []Warning) {
	t.Helper()
	c, w, err := Parse("t.ini", []byte(data))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	return c, w
}

func TestParseOriginalToolFile(t *testing.T) {
	for name, data := range map[string]string{
		"LF":   originalToolINI,
		"CRLF": strings.ReplaceAll(originalToolINI, "\n", "\r\n"),
		"BOM":  "\ufeff" + originalToolINI,
		// This repository's examples/artifact_config.ini.
		"example": `; A dbaf artifact: clone the sandbox's prod-aurora cluster into its own subnets.
[source_db]
source_db_cluster_id = prod-aurora

[target_db]
subnet_ids = source            ; or: subnet-0a1b2c3d, subnet-4e5f6a7b
instance_type = db.r6g.large

[artifact]
image_tag = db-artifact:latest
publisher_contact = dataops@example.com
clone_ttl = 3d
`,
	} {
		t.Run(name, func(t *testing.T) {
			c, w := mustParse(t, data)
			if len(w) > 0 {
				t.Errorf("warnings: %v", w)
			}
			if err := c.Validate(); err != nil {
				t.Fatalf("Validate: %v", err)
			}
			if c.SourceClusterID != "prod-aurora" || !c.Subnets.Source || c.Subnets.IDs != nil ||
				!strings.HasPrefix(c.InstanceClass, "db.r") {
				t.Errorf("got %+v", c)
			}
			if name == "example" && (c.ImageTag != DefaultImageTag || c.PublisherContact != "dataops@example.com" || c.CloneTTL != 72*time.Hour) {
				t.Errorf("got %+v", c)
			}
		})
	}
}

func TestParseEveryKey(t *testing.T) {
	c, w := mustParse(t, fullINI)
	if len(w) > 0 {
		t.Errorf("warnings: %v", w)
	}
	if err := c.Validate(); err != nil {
		t.Fatalf("Validate: %v", err)
	}
	restore := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
	yes := true
	want := &Config{
		SourceClusterID:       "prod-aurora",
		Region:                "eu-west-1",
		RestoreToTime:         &restore,
		Subnets:               Subnets{IDs: []string{"subnet-0a1b2c3d", "subnet-4e5f6a7b8c9d0e1f2", "subnet-11112222"}},
		InstanceClass:         "db.serverless",
		AllowedCIDR:           "10.0.0.0/16",
		PubliclyAccessible:    &yes,
		BackupRetentionDays:   7,
		BackupWindow:          "23:45-00:15",
		MaintenanceWindow:     "sun:05:00-sun:05:30",
		ServerlessMaxCapacity: 16.5,
		ManagedPassword:       true,
		ImageTag:              "registry.example.com:5000/team/db-artifact:v1",
		PublisherContact:      "#dataops on Slack; or page @dba",
		CloneTTL:              36 * time.Hour,
	}
	want.src.line = map[string]int{"serverless_min_capacity": 1}
	if d := configDiff(c, want); d != "" {
		t.Error(d)
	}
	if c.RestoreToTime.Location() != time.UTC {
		t.Errorf("restore_to_time not kept in UTC: %v", c.RestoreToTime)
	}
	if !c.IsSet("serverless_min_capacity") || c.IsSet("snapshot_identifier") {
		t.Errorf("IsSet: an explicit 0 minimum is set, an absent key is not")
	}
	for key, line := range map[string]int{"source_db_cluster_id": 3, "subnet_ids": 8, "clone_ttl": 22} {
		if got := c.src.line[key]; got != line {
			t.Errorf("line of %s = %d, want %d", key, got, line)
		}
	}
}

func TestParseSyntax(t *testing.T) {
	tests := []struct {
		name, in string
		want     *Config // checked with configDiff when the input parses
	}{
		{"case-insensitive keys and sections", "[Source_DB]\nSOURCE_DB_CLUSTER_ID = a\n[ target_db ]\nInstance_Type = db.r6g.large\n",
			&Config{SourceClusterID: "a", InstanceClass: "db.r6g.large"}},
		{"comment after section header", "[target_db] ; the clone\n[artifact]# image\nimage_tag = x\n", &Config{ImageTag: "x"}},
		{"colon delimiter", "[target_db]\ninstance_type: db.r6g.large\n", &Config{InstanceClass: "db.r6g.large"}},
		{"spaces trimmed", "  [target_db]  \n\t instance_type   =   db.r6g.large   \n", &Config{InstanceClass: "db.r6g.large"}},
		{"quotes stripped and trimmed", "[target_db]\ninstance_type = \" db.r6g.large \"\nsubnet_ids = 'SOURCE'\n",
			&Config{InstanceClass: "db.r6g.large", Subnets: Subnets{Source: true}}},
		{"inline # comment", "[target_db]\ninstance_type = db.r6g.large# comment\n", &Config{InstanceClass: "db.r6g.large"}},
		{"backquoted value keeps ;", "[artifact]\npublisher_contact = `a;b` ; comment\n", &Config{PublisherContact: "a;b"}},
		{"triple quotes", "[artifact]\npublisher_contact = \"\"\"say \"hi\" #1\"\"\"\n", &Config{PublisherContact: `say "hi" #1`}},
		{"escaped double quote", "[artifact]\npublisher_contact = \"a \\\"b\\\" #c\"\n", &Config{PublisherContact: `a "b" #c`}},
		{"no final newline", "[target_db]\ninstance_type = db.r6g.large", &Config{InstanceClass: "db.r6g.large"}},
		{"empty optional value is unset", "[source_db]\nregion =\n[target_db]\ninstance_type = db.r6g.large ;\n", &Config{InstanceClass: "db.r6g.large"}},
		{"percent is literal", "[artifact]\npublisher_contact = %(image_tag)s\nimage_tag = x\n", &Config{PublisherContact: "%(image_tag)s", ImageTag: "x"}},
		{"trailing backslash does not continue", "[artifact]\npublisher_contact = a \\\n[target_db]\ninstance_type = db.r6g.large\n",
			&Config{PublisherContact: `a \`, InstanceClass: "db.r6g.large"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, _ := mustParse(t, tt.in)
			if d := configDiff(c, tt.want); d != "" {
				t.Error(d)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	long := strings.Repeat("x", 200)
	tests := []struct{ name, in, want string }{
		{"unclosed section header", "[source_db\nsource_db_cluster_id = a\n",
			`t.ini:1: unclosed section header "[source_db"; want [name], e.g. [target_db]`},
		{"comment with ] after header", "[target_db] ; see [docs]\n",
			`t.ini:1: malformed section header "[target_db] ; see [docs]"; want [name] alone on its line, e.g. [target_db]; a ; comment may follow`},
		{"empty section name", "[ ]\n",
			`t.ini:1: malformed section header "[ ]"; want [name] alone on its line, e.g. [target_db]; a ; comment may follow`},
		{"text after header", "[target_db] x\n",
			`t.ini:1: unexpected text after the section header "[target_db] x"; start a comment with ;`},
		{"no delimiter", "[target_db]\ninstance_type db.r6g.large\n",
			`t.ini:2: "instance_type db.r6g.large" is not a key = value line; want key = value, a [section] header, or a comment starting with ;`},
		{"no key", "[target_db]\n= db.r6g.large\n",
			`t.ini:2: "= db.r6g.large" has no key name before the =; want key = value`},
		{"quoted key", "[target_db]\n\"instance_type\" = db.r6g.large\n",
			`t.ini:2: quoted key name in "\"instance_type\" = db.r6g.large"; write the key bare, e.g. instance_type = db.r6g.large`},
		{"multi-line value", "[artifact]\npublisher_contact = \"\"\"a\nb\"\"\"\n",
			`t.ini:2: the value opens a """ quote that this line does not close; values must fit on one line; close the quote` + "\n" +
				`t.ini:3: "b\"\"\"" is not a key = value line; want key = value, a [section] header, or a comment starting with ;`},
		{"unclosed triple quote, no final newline", "[artifact]\npublisher_contact = \"\"\"",
			`t.ini:2: the value opens a """ quote that this line does not close; values must fit on one line; close the quote`},
		{"unclosed double quote", "[artifact]\npublisher_contact = \"a\n",
			`t.ini:2: the value opens a " quote that this line does not close; values must fit on one line; close the quote`},
		{"NUL", "[target_db]\ninstance_type = db\x00\n", `t.ini:2: the line contains a NUL byte; is this a text file?`},
		{"lone CR", "[target_db]\rinstance_type = x\n",
			`t.ini:1: the line contains a carriage return that does not end it; save the file with Unix (LF) or Windows (CRLF) line endings`},
		{"control character", "[target_db]\ninstance_type = \x1b[31m\n", `t.ini:2: the line contains the control character U+001B; remove it`},
		{"invalid UTF-8", "[target_db]\ninstance_type = \xff\n", `t.ini:2: the line is not UTF-8 text; save the file as UTF-8`},
		{"UTF-16", "\xff\xfe[\x00", `t.ini: the file is UTF-16 text; save it as UTF-8`},
		{"empty", "", "t.ini: the file has no settings; " + wantHint},
		{"blank", " \n\t\r\n\n", "t.ini: the file has no settings; " + wantHint},
		{"comments only", "; a\n# b\n   ; c\n", "t.ini: the file has no settings; " + wantHint},
		{"duplicate key", "[target_db]\ninstance_type = db.r6g.large\nsubnet_ids = source\ninstance_type = db.r6g.large\n",
			`t.ini:4: [target_db] instance_type: set twice, on lines 2 and 4; keep one of them`},
		{"duplicate key, other case, repeated section", "[target_db]\ninstance_type = db.r6g.large\n[Target_DB]\nINSTANCE_TYPE = x\n",
			`t.ini:4: [Target_DB] INSTANCE_TYPE: set twice, on lines 2 and 4; keep one of them`},
		{"three times", "[artifact]\nclone_ttl = 1d\nclone_ttl = 2d\nclone_ttl = 3d\n",
			"t.ini:3: [artifact] clone_ttl: set twice, on lines 2 and 3; keep one of them\n" +
				"t.ini:4: [artifact] clone_ttl: set twice, on lines 2 and 4; keep one of them"},
		{"every bad value at once, in line order", "[target_db]\nsubnet_ids = subnet-1\ninstance_type = large\n[source_db]\nsource_db_cluster_id = 1a\n",
			`t.ini:2: [target_db] subnet_ids: "subnet-1" is not a subnet id; want "source" or two or more ids like subnet-0a1b2c3d, separated by commas` + "\n" +
				`t.ini:3: [target_db] instance_type: "large" is not an instance class; want db.serverless or db.<family>.<size>, e.g. db.r6g.large, db.t4g.medium, db.r7g.2xlarge` + "\n" +
				`t.ini:5: [source_db] source_db_cluster_id: "1a" is not a DB cluster identifier: it must start with a letter; want 1-63 letters, digits and hyphens, starting with a letter, with no "--" and no hyphen at the end, e.g. prod-aurora`},
		{"long value shortened", "[target_db]\ninstance_type = " + long + "\n",
			`t.ini:2: [target_db] instance_type: "` + long[:maxQuoted] + `"… is not an instance class; want db.serverless or db.<family>.<size>, e.g. db.r6g.large, db.t4g.medium, db.r7g.2xlarge`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, _, err := Parse("t.ini", []byte(tt.in))
			if err == nil {
				t.Fatalf("no error; config %+v", c)
			}
			if c != nil {
				t.Errorf("a config came back with the error")
			}
			if got := err.Error(); got != tt.want {
				t.Errorf("got\n%s\nwant\n%s", got, tt.want)
			}
			checkConfigErrors(t, err)
		})
	}
}

func TestParseStopsAfterTenSyntaxErrors(t *testing.T) {
	_, _, err := Parse("t.ini", []byte(strings.Repeat("junk\n", 50)))
	lines := strings.Split(err.Error(), "\n")
	if len(lines) != maxSyntaxErrors+1 || lines[maxSyntaxErrors] != "t.ini: more problems after line 11; fix the ones above first" {
		t.Errorf("got %d lines, last %q", len(lines), lines[len(lines)-1])
	}
}

func TestParseRefusesHugeFiles(t *testing.T) {
	tests := []struct{ in, want string }{
		{"[target_db]\n" + strings.Repeat("k = v\n", maxKeys+1),
			"t.ini: the file has 1001 keys in 1 sections; an artifact INI has 18 keys in 5 sections, plus one line per masked column (dbaf reads up to 1000 keys and 100 sections): is this the right file?"},
		{strings.Repeat("[s]\n", maxSections+1),
			"t.ini: the file has 0 keys in 101 sections; an artifact INI has 18 keys in 5 sections, plus one line per masked column (dbaf reads up to 1000 keys and 100 sections): is this the right file?"},
	}
	for _, tt := range tests {
		if _, _, err := Parse("t.ini", []byte(tt.in)); err == nil || err.Error() != tt.want {
			t.Errorf("got\n%v\nwant\n%s", err, tt.want)
		}
	}
}

func TestParseWarnings(t *testing.T) {
	tests := []struct {
		name, in string
		want     []string
	}{
		{"unknown key, close", "[target_db]\ninstanse_type = db.r6g.large\n",
			[]string{"t.ini:2: [target_db] instanse_type: unknown key, ignored; did you mean instance_type?"}},
		{"flag spelling", "[target_db]\ninstance-class = db.r6g.large\n",
			[]string{"t.ini:2: [target_db] instance-class: unknown key, ignored; did you mean instance_type?"}},
		{"unknown key, close to another section's", "[target_db]\nregoin = eu-west-1\n",
			[]string{"t.ini:2: [target_db] regoin: unknown key, ignored; did you mean region (in [source_db])?"}},
		{"unknown key, nothing close", "[artifact]\nfoo = bar\n",
			[]string{"t.ini:2: [artifact] foo: unknown key, ignored; [artifact] keys are image_tag, publisher_contact, clone_ttl"}},
		{"key in the wrong section", "[target_db]\nregion = eu-west-1\n",
			[]string{"t.ini:2: [target_db] region: belongs in [source_db], not [target_db]; ignored here"}},
		{"key outside any section", "instance_type = db.r6g.large\nfoo = 1\n[target_db]\n",
			[]string{"t.ini:1: instance_type: outside any section, ignored; it belongs under [target_db]",
				"t.ini:2: foo: outside any section, ignored"}},
		{"unknown section, close", "[traget_db]\ninstance_type = db.r6g.large\n",
			[]string{"t.ini:1: [traget_db]: unknown section, ignored with its keys; did you mean [target_db]?"}},
		{"unknown section named by its keys", "[clone_settings]\ninstance_type = db.r6g.large\n",
			[]string{"t.ini:1: [clone_settings]: unknown section, ignored with its keys; did you mean [target_db]? its keys belong there"}},
		{"unknown section, nothing close", "[misc]\nx = 1\n",
			[]string{"t.ini:1: [misc]: unknown section, ignored with its keys; the sections are [source_db], [target_db], [artifact], [masking] and [hooks]"}},
		{"repeated section", "[target_db]\ninstance_type = db.r6g.large\n[artifact]\n[target_db]\nsubnet_ids = source\n",
			[]string{"t.ini:4: [target_db]: section appears again (first on line 1); its keys are merged"}},
		{"auto-increment key", "[artifact]\n- = x\n",
			[]string{"t.ini:2: [artifact] -: unknown key, ignored; [artifact] keys are image_tag, publisher_contact, clone_ttl"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, w := mustParse(t, tt.in)
			var got []string
			for _, x := range w {
				got = append(got, x.String())
			}
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
			if c == nil {
				t.Fatal("no config with the warnings")
			}
		})
	}
	// Warnings come back with the errors too, so both can be shown.
	_, w, err := Parse("t.ini", []byte("[target_db]\ninstanse_type = x\ninstance_type = x\n"))
	if err == nil || len(w) != 1 {
		t.Errorf("want an error and a warning, got %v, %v", err, w)
	}
}

func TestLoad(t *testing.T) {
	dir := t.TempDir()
	write := func(name, data string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}

	p := write("artifact_config.ini", originalToolINI+"[artifact]\ntag = x\n")
	c, w, err := Load(p)
	if err != nil {
		t.Fatal(err)
	}
	if c.Path != p || c.SourceClusterID != "prod-aurora" {
		t.Errorf("Load: %+v", c)
	}
	if len(w) != 1 || w[0].String() != p+":8: [artifact] tag: unknown key, ignored; did you mean image_tag?" {
		t.Errorf("warnings: %v", w)
	}

	tests := []struct{ name, path, want string }{
		{"missing", filepath.Join(dir, "nope.ini"),
			filepath.Join(dir, "nope.ini") + `: no such file; run "dbaf build" without --yes to create one with the wizard, or write one by hand following the INI reference in docs/ini.md`},
		{"empty", write("empty.ini", ""), filepath.Join(dir, "empty.ini") + ": the file has no settings; " + wantHint},
		{"comments only", write("comments.ini", "; nothing yet\n\n"), filepath.Join(dir, "comments.ini") + ": the file has no settings; " + wantHint},
		{"directory", dir, dir + ": not a regular file (a directory); give the path of an artifact INI file"},
		{"too large", write("big.ini", strings.Repeat(";\n", maxFileSize)),
			filepath.Join(dir, "big.ini") + ": the file is larger than 1 MiB; an artifact INI is a few lines long: is this the right file?"},
		{"bad value", write("bad.ini", "[target_db]\n\ninstance_type = db.R6G.large\n"),
			filepath.Join(dir, "bad.ini") + `:3: [target_db] instance_type: "db.R6G.large" is not an instance class; did you mean db.r6g.large? want db.serverless or db.<family>.<size>, e.g. db.r6g.large, db.t4g.medium, db.r7g.2xlarge`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := Load(tt.path)
			if err == nil {
				t.Fatal("no error")
			}
			if err.Error() != tt.want {
				t.Errorf("got\n%s\nwant\n%s", err, tt.want)
			}
			if !errors.As(err, new(*Error)) {
				t.Errorf("not a *Error: %T", err)
			}
		})
	}
}

// A FIFO given as the INI would block open until some writer came, deaf to
// Ctrl-C; it is refused at once instead.
func TestLoadRefusesFIFO(t *testing.T) {
	p := filepath.Join(t.TempDir(), "pipe.ini")
	if err := syscall.Mkfifo(p, 0o644); err != nil {
		t.Skipf("cannot make a FIFO here: %v", err)
	}
	done := make(chan error, 1)
	go func() { _, _, err := Load(p); done <- err }()
	select {
	case err := <-done:
		want := p + ": not a regular file (a named pipe); give the path of an artifact INI file"
		if err == nil || err.Error() != want || !errors.As(err, new(*Error)) {
			t.Errorf("got %v, want %s", err, want)
		}
	case <-time.After(10 * time.Second):
		// Unblock the stuck open so the test binary can finish.
		if w, err := os.OpenFile(p, os.O_WRONLY, 0); err == nil {
			w.Close()
		}
		t.Fatal("Load blocked on a FIFO")
	}
}

func TestTextAfterClosingQuoteIsAnError(t *testing.T) {
	for _, tt := range []struct{ name, line, want string }{
		{"double", `publisher_contact = "abc" junk`, `t.ini:2: [artifact] publisher_contact: text "junk" after the closing " quote would be ignored; put it inside the quotes, or start a comment with ;`},
		{"backtick", "image_tag = `db:1` x", "t.ini:2: [artifact] image_tag: text \"x\" after the closing ` quote would be ignored; put it inside the quotes, or start a comment with ;"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := Parse("t.ini", []byte("[artifact]\n"+tt.line+"\n"))
			if err == nil || err.Error() != tt.want {
				t.Errorf("got\n%v\nwant\n%s", err, tt.want)
			}
		})
	}
	// A comment after the quotes is fine.
	c, _, err := Parse("t.ini", []byte("[artifact]\npublisher_contact = \"a b\" ; who to ask\n"))
	if err != nil || c.PublisherContact != "a b" {
		t.Errorf("comment after quotes: %v, %+v", err, c)
	}
}

func TestUnknownKeyWarningsAreCapped(t *testing.T) {
	var b strings.Builder
	b.WriteString("[source_db]\nsource_db_cluster_id = prod\n")
	long := strings.Repeat("k", 900)
	for i := range 900 {
		fmt.Fprintf(&b, "%s%d = x\n", long, i)
	}
	_, w, err := Parse("t.ini", []byte(b.String()))
	if err != nil {
		t.Fatal(err)
	}
	if len(w) != maxWarnings+1 {
		t.Fatalf("%d warnings, want %d and a count", len(w), maxWarnings+1)
	}
	if got, want := w[maxWarnings].String(), "t.ini: 890 more warnings after line 12 not shown: fix the ones above first"; got != want {
		t.Errorf("last warning %q, want %q", got, want)
	}
	total := 0
	for _, x := range w {
		total += len(x.String())
	}
	if total > 4000 {
		t.Errorf("warnings are %d bytes long", total)
	}
}

// The grammar carries sections whose keys are not in the key table (such
// as a [masking] section keyed by schema.table.column): each line comes out
// with its section, key, value and line number.
func TestScanKeepsFreeFormSections(t *testing.T) {
	p := &parser{file: "t.ini"}
	src := p.locate([]byte("[masking]\npublic.users.email = hash ; keep the domain\r\nPublic.Orders.Card: 'redact'\n[hooks]\npost_clone = `psql -c 'select 1; select 2'`\n"))
	if len(p.errs) > 0 {
		t.Fatal(p.errs)
	}
	if err := p.readValues(src); err != nil {
		t.Fatal(err)
	}
	want := []entry{
		{2, "masking", "public.users.email", "hash"},
		{3, "masking", "Public.Orders.Card", "redact"},
		{5, "hooks", "post_clone", "psql -c 'select 1; select 2'"},
	}
	if !slices.Equal(p.entries, want) {
		t.Errorf("entries = %+v\nwant      %+v", p.entries, want)
	}
}
