package config

import (
	"errors"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Error is one problem with a config: a file that cannot be read or parsed,
// a bad value, a missing key, or two keys that contradict each other.
// Callers detect config errors with errors.As(err, new(*config.Error)); an
// error holding several problems is an errors.Join of *Error.
type Error struct {
	File    string // file name as given to Load or Parse; "" for values from Set
	Line    int    // 1-based; 0 when the problem has no single line
	Section string // INI section without brackets, e.g. "target_db"
	Key     string // INI key, e.g. "subnet_ids"
	Problem string // what is wrong
	Hint    string // what to write instead; may be ""
}

// Error formats as
//
//	artifact_config.ini:4: [target_db] subnet_ids: "subnet-1" is not a subnet id; want ...
//
// leaving out the parts that do not apply.
func (e *Error) Error() string {
	s := location(e.File, e.Line, e.Section, e.Key) + e.Problem
	if e.Hint != "" {
		s += "; " + e.Hint
	}
	return s
}

// Warning is something in the file that dbaf ignores (an unknown key or
// section) but that the user probably wants to hear about.
type Warning struct {
	File    string
	Line    int
	Section string
	Key     string
	Message string
}

// String formats a warning like an Error.
func (w Warning) String() string {
	return location(w.File, w.Line, w.Section, w.Key) + w.Message
}

// location renders the "file:line: [section] key: " prefix shared by
// errors and warnings.
func location(file string, line int, section, key string) string {
	var b strings.Builder
	switch {
	case file != "" && line > 0:
		b.WriteString(file + ":" + strconv.Itoa(line) + ": ")
	case file != "":
		b.WriteString(file + ": ")
	case line > 0:
		b.WriteString("line " + strconv.Itoa(line) + ": ")
	}
	switch {
	case section != "" && key != "":
		b.WriteString("[" + section + "] " + key + ": ")
	case section != "":
		b.WriteString("[" + section + "]: ")
	case key != "":
		b.WriteString(key + ": ")
	}
	return b.String()
}

// join returns nil, the single error, or an errors.Join of several, so a
// lone problem stays a plain *Error.
func join(errs []error) error {
	switch len(errs) {
	case 0:
		return nil
	case 1:
		return errs[0]
	}
	return errors.Join(errs...)
}

// maxQuoted bounds how much of a user's value a message repeats, so a
// megabyte-long line does not become a megabyte-long error.
const maxQuoted = 80

// quote renders a user-supplied value for a message: Go-quoted (so control
// characters and invalid UTF-8 stay visible) and shortened when long.
func quote(s string) string {
	if len(s) > maxQuoted {
		cut := maxQuoted
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		return strconv.Quote(s[:cut]) + "…"
	}
	return strconv.Quote(s)
}
