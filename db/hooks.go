package db

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"
	"unicode"
)

// Hook is one SQL file run after masking: Name is how errors call it
// (usually its path).
type Hook struct {
	Name string
	SQL  string
}

// HookError is a hook statement the server refused.
type HookError struct {
	Hook string
	Line int // line of the failing statement's first character in the file
	Err  error
}

func (e *HookError) Error() string { return fmt.Sprintf("hook %s:%d: %v", e.Hook, e.Line, e.Err) }
func (e *HookError) Unwrap() error { return e.Err }

// HookTimeoutError is a hook that ran past its time limit: dbaf stopped it
// at the statement named.
type HookTimeoutError struct {
	Hook    string
	Line    int // the statement that was running
	Timeout time.Duration
}

func (e *HookTimeoutError) Error() string {
	return fmt.Sprintf("hook %s:%d did not finish within %s, its time limit: dbaf stopped it", e.Hook, e.Line, e.Timeout)
}

// HookOptions are how RunHooksWith runs and reports the hooks.
type HookOptions struct {
	// Timeout bounds each hook file (0 = no limit): a hook that runs
	// longer is stopped with a *HookTimeoutError.
	Timeout time.Duration
	Started func(h Hook)                        // when not nil: a hook begins
	Done    func(h Hook, elapsed time.Duration) // when not nil: a hook ran to its end
}

// RunHooksWith runs the hooks in order on one connection (so SET and
// temporary tables carry over from one file to the next), statement by
// statement, each outside any transaction dbaf would open (CREATE INDEX
// CONCURRENTLY, VACUUM work), with o's time limit per hook file and reports
// of each hook's start and end. It stops at the first failure, naming
// file:line.
//
// Statements end with ';' outside quotes, comments and (PostgreSQL)
// dollar-quoted bodies; on MySQL a "DELIMITER xx" line changes the
// terminator as in the mysql client.
func RunHooksWith(ctx context.Context, t Target, hooks []Hook, o HookOptions) error {
	db, err := open(t, conn{multiStatement: true})
	if err != nil {
		return err
	}
	defer db.Close()
	c, err := db.Conn(ctx)
	if err != nil {
		return classify(t, err)
	}
	defer c.Close()
	for _, h := range hooks {
		if o.Started != nil {
			o.Started(h)
		}
		start := time.Now()
		if err := runHook(ctx, c, t, h, o.Timeout); err != nil {
			return err
		}
		if o.Done != nil {
			o.Done(h, time.Since(start))
		}
	}
	return nil
}

// runHook runs one hook's statements within timeout (0 = none). The
// driver cancels the running statement on the server when the limit hits.
func runHook(ctx context.Context, c *sql.Conn, t Target, h Hook, timeout time.Duration) error {
	hctx, cancel := ctx, context.CancelFunc(func() {})
	if timeout > 0 {
		hctx, cancel = context.WithTimeout(ctx, timeout)
	}
	defer cancel()
	for _, st := range splitSQL(h.SQL, t.Engine == EngineMySQL) {
		// No arguments: pgx uses the simple protocol, MySQL the text one,
		// so any statement the engine accepts runs.
		if _, err := c.ExecContext(hctx, st.text); err != nil {
			switch {
			case ctx.Err() != nil:
				return ctx.Err()
			case hctx.Err() != nil:
				return &HookTimeoutError{Hook: h.Name, Line: st.line, Timeout: timeout}
			}
			return &HookError{Hook: h.Name, Line: st.line, Err: scrub(err, t.Password)}
		}
	}
	return nil
}

type statement struct {
	text string
	line int
}

// splitSQL cuts a script into statements with the line each starts on,
// dropping empty ones and comment-only ones.
func splitSQL(src string, mysql bool) []statement {
	var out []statement
	delim := ";"
	line, start, startLine := 1, 0, 0 // startLine 0: no statement text yet
	flush := func(end int) {
		if startLine != 0 {
			if text := strings.TrimSpace(src[start:end]); text != "" {
				out = append(out, statement{text: text, line: startLine})
			}
		}
		startLine = 0
	}
	// skip advances over a run of src[i:] that ends with end, counting lines.
	skipTo := func(i int, end string) int {
		j := strings.Index(src[i:], end)
		if j < 0 {
			j = len(src) - i
		} else {
			j += len(end)
		}
		line += strings.Count(src[i:i+j], "\n")
		return i + j
	}
	for i := 0; i < len(src); {
		ch := src[i]
		// A MySQL client DELIMITER command, alone on its line between statements.
		if mysql && startLine == 0 && isSpaceOnlyBefore(src, i) && hasPrefixFold(src[i:], "delimiter ") {
			eol := strings.IndexByte(src[i:], '\n')
			if eol < 0 {
				eol = len(src) - i
			}
			if d := strings.TrimSpace(src[i+len("delimiter ") : i+eol]); d != "" {
				delim = d
			}
			i += eol
			continue
		}
		switch {
		case ch == '\n':
			line++
			i++
			continue
		case unicode.IsSpace(rune(ch)):
			i++
			continue
		case strings.HasPrefix(src[i:], "--") || (mysql && ch == '#'):
			if j := strings.IndexByte(src[i:], '\n'); j >= 0 {
				i += j // the newline itself is counted above
			} else {
				i = len(src)
			}
			continue
		case strings.HasPrefix(src[i:], "/*"):
			i = skipTo(i+2, "*/")
			continue
		}
		if startLine == 0 {
			start, startLine = i, line
		}
		switch {
		case strings.HasPrefix(src[i:], delim):
			flush(i)
			i += len(delim)
			start = i
		case ch == '\'':
			i = skipQuoted(src, i, '\'', mysql, &line)
		case !mysql && (ch == 'E' || ch == 'e') && strings.HasPrefix(src[i+1:], "'") && (i == 0 || !isIdent(src[i-1])):
			i = skipQuoted(src, i+1, '\'', true, &line) // E'…' takes backslash escapes
		case ch == '"':
			i = skipQuoted(src, i, '"', mysql, &line)
		case mysql && ch == '`':
			i = skipQuoted(src, i, '`', false, &line)
		case !mysql && ch == '$':
			if tag, ok := dollarTag(src[i:]); ok {
				i = skipTo(i+len(tag), tag)
			} else {
				i++
			}
		default:
			i++
		}
	}
	flush(len(src))
	return out
}

func isIdent(c byte) bool {
	return c == '_' || c == '$' || unicode.IsLetter(rune(c)) || unicode.IsDigit(rune(c))
}

func isSpaceOnlyBefore(src string, i int) bool {
	j := strings.LastIndexByte(src[:i], '\n')
	return strings.TrimSpace(src[j+1:i]) == ""
}

func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}

// skipQuoted returns the index after the quote opened at src[i]; a doubled
// quote stays inside, and so does a backslash escape on MySQL.
func skipQuoted(src string, i int, q byte, backslash bool, line *int) int {
	for j := i + 1; j < len(src); j++ {
		switch src[j] {
		case '\n':
			*line++
		case '\\':
			if backslash {
				if j+1 < len(src) && src[j+1] == '\n' {
					*line++
				}
				j++
			}
		case q:
			if j+1 < len(src) && src[j+1] == q {
				j++
				continue
			}
			return j + 1
		}
	}
	return len(src)
}

// dollarTag is the $tag$ opening a PostgreSQL dollar-quoted string at s.
func dollarTag(s string) (string, bool) {
	for j := 1; j < len(s); j++ {
		c := s[j]
		if c == '$' {
			return s[:j+1], true
		}
		if !(c == '_' || unicode.IsLetter(rune(c)) || (j > 1 && unicode.IsDigit(rune(c)))) {
			return "", false
		}
	}
	return "", false
}
