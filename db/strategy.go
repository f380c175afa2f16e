package db

import (
	"fmt"
	"strconv"
	"strings"
)

// StrategySyntax is the one description of how a masking strategy is
// written, for help texts and errors.
const StrategySyntax = "keep, null, redact[:N] (keep the last N characters), hash, email, name, phone, or literal:TEXT"

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

// Strategy is a parsed masking strategy.
type Strategy struct {
	Kind  Kind
	Keep  int    // Redact: characters kept at the end
	Value string // Literal: the value
}

// String is the strategy as ParseStrategy reads it.
func (s Strategy) String() string {
	switch s.Kind {
	case Redact:
		if s.Keep > 0 {
			return fmt.Sprintf("redact:%d", s.Keep)
		}
	case Literal:
		return "literal:" + s.Value
	}
	return string(s.Kind)
}

// ParseStrategy reads a strategy written as StrategySyntax says. Names are
// case-insensitive; the text after "literal:" is taken verbatim.
func ParseStrategy(s string) (Strategy, error) {
	name, arg, hasArg := strings.Cut(s, ":")
	kind := Kind(strings.ToLower(strings.TrimSpace(name)))
	switch kind {
	case Literal:
		if !hasArg {
			return Strategy{}, fmt.Errorf("masking strategy %q: write literal:TEXT, e.g. literal:REDACTED", s)
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
	return Strategy{}, fmt.Errorf("unknown masking strategy %q: use %s", s, StrategySyntax)
}

// needsText: strategies that build a string from the column's text.
func (s Strategy) needsText() bool {
	switch s.Kind {
	case Redact, Hash, Email, Name, Phone:
		return true
	}
	return false
}

// emailLen is the length of a masked email: "user_" + 16 hex + "@example.invalid".
const emailLen = 5 + 16 + 16
