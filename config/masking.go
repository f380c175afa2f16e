package config

import (
	"errors"
	"fmt"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/dbaf/dbaf/internal/masking"
)

// The free-form and file-reading sections.
const (
	secMasking = "masking" // schema.table.column = strategy, one line per column
	secHooks   = "hooks"   // post_clone = SQL files
)

// MaskRule is one [masking] line: a column every clone masks before the
// developer gets it.
type MaskRule struct {
	Column   string // schema.table.column, as written
	Strategy string // as masking.Parse reads it, canonical: null, redact:4, hash, literal:TEXT, …

	line int // where the file has it; 0 when set by code
}

// columnRE is a column path: three dot-separated bare identifiers (the
// MySQL "schema" is the database).
var columnRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_$]*\.[A-Za-z_][A-Za-z0-9_$]*\.[A-Za-z_][A-Za-z0-9_$]*$`)

// maxIdentifier is MySQL's limit (PostgreSQL's is 63 bytes); a longer part
// names nothing either server has.
const maxIdentifier = 64

const columnHint = "want schema.table.column, three identifiers of letters, digits, _ and $ (not starting with a digit), e.g. legacy.customers.email"

// strategyHint says what a strategy may be; db owns the syntax.
const strategyHint = "want " + masking.Syntax

// checkMasking checks every rule (its column path and strategy) and that
// no column is given twice; it returns the rules with their strategies
// written canonically, in the order given. Errors are located on the
// rule's line when it came from the file.
func (c *Config) checkMasking() ([]MaskRule, []error) {
	var errs []error
	out := make([]MaskRule, 0, len(c.Masking))
	first := map[string]MaskRule{}
	for _, r := range c.Masking {
		at := func(problem, hint string) *Error {
			e := &Error{Section: secMasking, Key: quoteKey(r.Column), Problem: problem, Hint: hint}
			if r.line > 0 {
				e.File, e.Line = c.file(), r.line
			}
			return e
		}
		if !columnRE.MatchString(r.Column) {
			errs = append(errs, at(quote(r.Column)+" is not a column path", columnHint))
			continue
		}
		if part := longestPart(r.Column); len(part) > maxIdentifier {
			errs = append(errs, at(fmt.Sprintf("%q is %d characters long; identifiers have at most %d", part, len(part), maxIdentifier), columnHint))
			continue
		}
		if strings.TrimSpace(r.Strategy) == "" {
			errs = append(errs, at("no strategy", strategyHint+", e.g. "+quote(r.Column+" = null")))
			continue
		}
		s, err := ParseStrategy(r.Strategy)
		if err != nil {
			errs = append(errs, at(err.Error(), ""))
			continue
		}
		// Identifiers are compared ignoring case: both servers fold (or
		// ignore) the case of bare names, so two spellings are one column.
		norm := strings.ToLower(r.Column)
		if prev, ok := first[norm]; ok {
			problem := "given twice"
			if prev.line > 0 && r.line > 0 {
				problem = fmt.Sprintf("given twice, on lines %d and %d", prev.line, r.line)
			}
			errs = append(errs, at(problem, "keep one rule per column"))
			continue
		}
		first[norm] = r
		r.Strategy = s.String()
		out = append(out, r)
	}
	return out, errs
}

// ParseStrategy reads a [masking] rule's strategy (masking.Parse), and
// names the strategy a misspelt one most likely means, as unknown keys do:
// "emial" gets "did you mean email?".
func ParseStrategy(v string) (masking.Strategy, error) {
	s, err := masking.Parse(v)
	var unknown *masking.UnknownError
	if !errors.As(err, &unknown) {
		return s, err
	}
	name, _, _ := strings.Cut(v, ":")
	norm := normalizeName(name)
	best, bestD := masking.Kind(""), 0
	for _, k := range masking.Kinds() {
		if d := editDistance(norm, string(k)); near(d, string(k)) && (best == "" || d < bestD) {
			best, bestD = k, d
		}
	}
	if best == "" {
		return s, err
	}
	return s, fmt.Errorf("unknown masking strategy %q: did you mean %s? use %s", v, best, masking.Syntax)
}

func longestPart(column string) string {
	var longest string
	for _, p := range strings.Split(column, ".") {
		if len(p) > len(longest) {
			longest = p
		}
	}
	return longest
}

// hookPathHint says where hook files may be: an artifact carries what the
// INI's directory holds, nothing else of the machine that builds it.
const hookPathHint = "hook files are inside the INI's directory, named relative to it, e.g. sql/grants.sql: copy the file there"

// parseHookList reads post_clone: a comma-separated list of SQL file paths,
// each relative to the INI's directory and inside it (no absolute path,
// no ".."; ReadHooks refuses a symbolic link leading outside).
func parseHookList(v string) ([]string, *Error) {
	const hint = "want SQL file paths separated by commas, relative to the INI's directory, e.g. sql/grants.sql, sql/cleanup.sql"
	var paths []string
	for _, p := range strings.Split(v, ",") {
		p = strings.TrimSpace(p)
		if p == "" {
			return nil, bad(quote(v)+" has an empty path", hint)
		}
		if err := checkHookPath(p); err != nil {
			return nil, err
		}
		paths = append(paths, p)
	}
	return paths, nil
}

// checkHookPath refuses a hook path that names a file outside the INI's
// directory by its spelling alone.
func checkHookPath(p string) *Error {
	switch {
	case filepath.IsAbs(p):
		return bad(quote(p)+" is an absolute path", hookPathHint)
	case slices.Contains(strings.Split(filepath.ToSlash(p), "/"), ".."):
		return bad(quote(p)+` climbs out of the INI's directory with ".."`, hookPathHint)
	}
	return nil
}

// HookFile is one post-clone SQL file, read.
type HookFile struct {
	Path string // as written in the INI
	SQL  string
}

// hookBase is the directory hook paths are relative to: the INI's, or
// the working directory for a config not read from a file.
func (c *Config) hookBase() string {
	if c.Path == "" {
		return "."
	}
	return filepath.Dir(c.Path)
}

// ReadHooks reads the post_clone SQL files, in order, relative to the INI's
// directory. Each must be inside that directory (a symbolic link leading
// out of it is refused), and a regular file of UTF-8 text of at most
// 1 MiB; a problem is an *Error on the post_clone line naming the hook's
// path.
func (c *Config) ReadHooks() ([]HookFile, error) {
	hooks, errs := c.readHooks()
	if len(errs) > 0 {
		return nil, join(errs)
	}
	return hooks, nil
}

func (c *Config) readHooks() (out []HookFile, errs []error) {
	if len(c.PostClone) == 0 {
		return nil, nil
	}
	sp := spec("post_clone")
	base := c.hookBase()
	for _, p := range c.PostClone {
		full := filepath.Join(base, p)
		fail := func(problem, hint string) {
			errs = append(errs, c.at(sp, "hook "+quote(p)+" ("+full+"): "+problem, hint))
		}
		if perr := checkHookPath(p); perr != nil { // PostClone set by code, not parsed
			fail(perr.Problem, perr.Hint)
			continue
		}
		target, outside := resolveHook(base, full)
		if outside {
			fail("a symbolic link to "+target+", outside the INI's directory", hookPathHint)
			continue
		}
		// The file read is the one checked, not whatever the link names by now.
		data, fault, problem := readRegular(target)
		switch fault {
		case faultMissing:
			fail(problem, "hook paths are relative to the INI's directory; fix the path or create the file")
			continue
		case faultNotRegular:
			fail(problem, "a hook is a SQL file")
			continue
		case faultTooBig:
			fail(problem, "a hook file is at most 1 MiB of SQL; load bulk data another way")
			continue
		case faultUnreadable:
			fail(problem, "")
			continue
		}
		switch {
		case !utf8.Valid(data):
			fail("the file is not UTF-8 text", "save it as UTF-8")
			continue
		case strings.IndexByte(string(data), 0) >= 0:
			fail("the file contains a NUL byte", "a hook is a SQL text file")
			continue
		}
		out = append(out, HookFile{Path: p, SQL: string(data)})
	}
	return out, errs
}

// resolveHook follows full's symbolic links and reports where it leads
// and whether that is outside dir. A path that does not resolve is not
// outside (target is full): reading it says what is wrong.
func resolveHook(dir, full string) (target string, outside bool) {
	target, err := filepath.EvalSymlinks(full)
	if err != nil {
		return full, false
	}
	realDir, err := filepath.EvalSymlinks(dir)
	if err != nil {
		return full, false
	}
	if target, err = filepath.Abs(target); err != nil {
		return full, false
	}
	if realDir, err = filepath.Abs(realDir); err != nil {
		return full, false
	}
	rel, err := filepath.Rel(realDir, target)
	return target, err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator))
}
