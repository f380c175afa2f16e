// Package masking is the grammar of a masking strategy ("email",
// "redact:4", "literal:TEXT"): how one is written, read and shown. It is a
// leaf, so that config can check an INI's rules and db can apply them
// without config pulling in the SQL drivers.
package masking

import (
	"fmt"
	"strconv"
	"strings"
)

// Syntax is the one description of how a masking strategy is written, for
// help texts and errors.
const Syntax = "keep, null, redact[:N] (keep the last N characters), hash, email, name, phone, or literal:TEXT"

// Kind is what a masking strategy does to a column.
type Kind string

const (
	Keep    Kind = "keep"    // leave the column as it is
	Null    Kind = "null"    // set NULL
	Redact  Kind = "redact"  // replace every character but the last N with '*'
	Hash    Kind = "hash"    // HMAC-SHA256 of the value (hex), keyed per clone: equal values stay equal
	Email   Kind = "email"   // user_<hash>@example.invalid: distinct originals stay distinct
	Name    Kind = "name"    // a fake "First Last", the same for the same original
	Phone   Kind = "phone"   // a fake +1-555-NNNNNNN, the same for the same original
	Literal Kind = "literal" // a fixed value, cast by the server to the column's type
)

// Kinds are the strategies' names, in Syntax's order.
func Kinds() []Kind { return []Kind{Keep, Null, Redact, Hash, Email, Name, Phone, Literal} }

// Strategy is a parsed masking strategy.
type Strategy struct {
	Kind  Kind
	Keep  int    // Redact: characters kept at the end
	Value string // Literal: the value
}

// String is the strategy as Parse reads it back.
func (s Strategy) String() string {
	switch s.Kind {
	case Redact:
		if s.Keep > 0 {
			return fmt.Sprintf("redact:%d", s.Keep)
		}
	case Literal:
		if backquoted(s.Value) {
			// Parse would take these backquotes for the quoting form.
			return "literal:`" + s.Value + "`"
		}
		return "literal:" + s.Value
	}
	return string(s.Kind)
}

// UnknownError is a strategy whose name is none of Kinds.
type UnknownError struct{ Text string }

func (e *UnknownError) Error() string {
	return fmt.Sprintf("unknown masking strategy %q: use %s", e.Text, Syntax)
}

// Parse reads a strategy written as Syntax says. Names are
// case-insensitive; the text after "literal:" is taken verbatim, except
// that TEXT wholly in backquotes (literal:`a; b`, the form an INI needs
// when TEXT holds ; or #) loses them.
func Parse(s string) (Strategy, error) {
	name, arg, hasArg := strings.Cut(s, ":")
	kind := Kind(strings.ToLower(strings.TrimSpace(name)))
	switch kind {
	case Literal:
		if !hasArg {
			return Strategy{}, fmt.Errorf("masking strategy %q: write literal:TEXT, e.g. literal:REDACTED", s)
		}
		if backquoted(arg) {
			arg = arg[1 : len(arg)-1]
		}
		return Strategy{Kind: Literal, Value: arg}, nil
	case Redact:
		if !hasArg {
			return Strategy{Kind: Redact}, nil
		}
		n, err := strconv.Atoi(strings.TrimSpace(arg))
		if err != nil || n < 0 {
			return Strategy{}, fmt.Errorf("masking strategy %q: N in redact:N must be a whole number of characters to keep, e.g. redact:4", s)
		}
		return Strategy{Kind: Redact, Keep: n}, nil
	case Keep, Null, Hash, Email, Name, Phone:
		if hasArg {
			return Strategy{}, fmt.Errorf("masking strategy %q: %s takes no argument", s, kind)
		}
		return Strategy{Kind: kind}, nil
	}
	return Strategy{}, &UnknownError{Text: s}
}

// backquoted: v is wholly in backquotes (`…`, at least the two of them).
func backquoted(v string) bool {
	return len(v) >= 2 && v[0] == '`' && v[len(v)-1] == '`'
}
