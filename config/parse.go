package config

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"slices"
	"strings"
	"syscall"
	"unicode"
	"unicode/utf8"

	"gopkg.in/ini.v1"
)

// maxFileSize bounds what Load reads, and each hook file: an artifact INI
// is a few hundred bytes, a hook a page of SQL, so anything this big is the
// wrong file (or /dev/zero).
const maxFileSize = 1 << 20

// maxSyntaxErrors stops a binary file from producing one error per line.
const maxSyntaxErrors = 10

// maxWarnings caps warnings the same way: a file of a thousand unknown keys
// gets ten lines and a count, not a megabyte of stderr.
const maxWarnings = 10

// maxKeys and maxSections bound what Parse interprets: a real artifact INI
// has 5 sections, 18 keys and some masking rules, so a file of thousands
// is the wrong file.
const (
	maxKeys     = 1000
	maxSections = 100
)

// wantHint shows the smallest valid file; the empty-file error uses it.
const wantHint = `it must contain at least:
    [source_db]
    source_db_cluster_id = prod-aurora
    [target_db]
    subnet_ids = source
    instance_type = db.r6g.large
(see the INI reference in docs/ini.md)`

// Load reads and parses the artifact INI at path. It does not Validate, so
// callers can apply flag overrides with Set first.
func Load(path string) (*Config, []Warning, error) {
	data, fault, problem := readRegular(path)
	switch fault {
	case faultMissing:
		return nil, nil, &Error{File: path, Problem: problem,
			Hint: `run "dbaf build" without --yes to create one with the wizard, or write one by hand following the INI reference in docs/ini.md`}
	case faultNotRegular:
		return nil, nil, &Error{File: path, Problem: problem, Hint: "give the path of an artifact INI file"}
	case faultTooBig:
		return nil, nil, &Error{File: path, Problem: problem,
			Hint: "an artifact INI is a few lines long: is this the right file?"}
	case faultUnreadable:
		return nil, nil, &Error{File: path, Problem: problem}
	}
	c, warnings, err := Parse(path, data)
	if c != nil {
		c.Path = path
	}
	return c, warnings, err
}

// fileFault is why readRegular could not read a file.
type fileFault int

const (
	faultNone fileFault = iota
	faultMissing
	faultUnreadable
	faultNotRegular
	faultTooBig
)

// readRegular reads a regular file of at most maxFileSize bytes: the INI
// and the hook files it names. problem describes a fault for a message.
func readRegular(path string) (data []byte, fault fileFault, problem string) {
	// O_NONBLOCK: opening a FIFO for reading would otherwise wait, beyond
	// the reach of Ctrl-C, for a writer; the mode check below refuses it.
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, faultMissing, "no such file"
		}
		return nil, faultUnreadable, "cannot read the file: " + reason(err)
	}
	defer f.Close()
	if fi, err := f.Stat(); err != nil {
		return nil, faultUnreadable, "cannot read the file: " + reason(err)
	} else if !fi.Mode().IsRegular() {
		return nil, faultNotRegular, "not a regular file (" + fileKind(fi.Mode()) + ")"
	}
	data, err = io.ReadAll(io.LimitReader(f, maxFileSize+1))
	if err != nil {
		return nil, faultUnreadable, "cannot read the file: " + reason(err)
	}
	if len(data) > maxFileSize {
		return nil, faultTooBig, "the file is larger than 1 MiB"
	}
	return data, faultNone, ""
}

// fileKind names what a non-regular file is, for the error refusing it.
func fileKind(m fs.FileMode) string {
	switch {
	case m.IsDir():
		return "a directory"
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeDevice != 0:
		return "a device"
	}
	return "mode " + m.String()
}

// reason drops the "open path:" prefix the error message already has.
func reason(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

// Parse reads an artifact INI: its syntax and each value. name is only
// used in messages. Unknown keys and sections become warnings; bad values,
// duplicate keys and syntax errors become one *Error each, all returned
// together. Required keys and rules across keys are Validate's job.
//
// gopkg.in/ini.v1 reads the file (the one grammar for values: quotes,
// comments); a locator over the raw lines first numbers every section and
// key for messages and refuses what ini.v1 would read differently from
// what the line shows (see locate).
func Parse(name string, data []byte) (*Config, []Warning, error) {
	p := &parser{file: name}
	if bytes.HasPrefix(data, []byte{0xfe, 0xff}) || bytes.HasPrefix(data, []byte{0xff, 0xfe}) {
		return nil, nil, &Error{File: name, Problem: "the file is UTF-16 text", Hint: "save it as UTF-8"}
	}
	src := p.locate(bytes.TrimPrefix(data, []byte("\ufeff")))
	if len(p.errs) > 0 {
		return nil, nil, join(p.errs)
	}
	// Before ini.v1 sees the file: its lookups are linear in the keys.
	if len(p.entries) > maxKeys || len(p.headers) > maxSections {
		return nil, nil, &Error{File: name,
			Problem: fmt.Sprintf("the file has %d keys in %d sections", len(p.entries), len(p.headers)),
			Hint:    fmt.Sprintf("an artifact INI has %d keys in %d sections, plus one line per masked column (dbaf reads up to %d keys and %d sections): is this the right file?", len(keys), len(sectionNames), maxKeys, maxSections)}
	}
	if len(p.headers) == 0 && len(p.entries) == 0 {
		return nil, nil, &Error{File: name, Problem: "the file has no settings", Hint: wantHint}
	}
	if err := p.readValues(src); err != nil {
		return nil, nil, err
	}
	c := p.interpret()
	slices.SortStableFunc(p.warnings, func(a, b Warning) int { return cmp.Compare(a.Line, b.Line) })
	p.capWarnings()
	slices.SortStableFunc(p.errs, func(a, b error) int { return cmp.Compare(lineOf(a), lineOf(b)) })
	if len(p.errs) > 0 {
		return nil, p.warnings, join(p.errs)
	}
	return c, p.warnings, nil
}

func lineOf(err error) int {
	var e *Error
	if errors.As(err, &e) {
		return e.Line
	}
	return 0
}

// parser holds one Parse call's state.
type parser struct {
	file     string
	headers  []header
	entries  []entry
	errs     []error
	warnings []Warning
}

// header is a "[name]" line; name is the text between "[" and the last
// "]", untrimmed.
type header struct {
	line int
	name string
}

// entry is a "key = value" line. section is the raw name of the section it
// is in ("" before the first header); key and value are trimmed, the value
// as ini.v1 reads it (unquoted, without its comment). The scanner knows nothing of the key
// table: interpret checks keys against it, so a section of free-form keys
// (such as schema.table.column) needs only a case there.
type entry struct {
	line    int
	section string
	key     string
	value   string
}

func (p *parser) fail(line int, problem, hint string) {
	if len(p.errs) == maxSyntaxErrors {
		p.errs = append(p.errs, &Error{File: p.file, Problem: fmt.Sprintf("more problems after line %d", line),
			Hint: "fix the ones above first"})
	}
	if len(p.errs) > maxSyntaxErrors {
		return
	}
	p.errs = append(p.errs, &Error{File: p.file, Line: line, Problem: problem, Hint: hint})
}

func (p *parser) warn(line int, section, key, msg string) {
	p.warnings = append(p.warnings, Warning{File: p.file, Line: line, Section: section, Key: quoteKey(key), Message: msg})
}

// quoteKey shortens a key name for a message; a sane one is shown as is.
func quoteKey(key string) string {
	if len(key) <= maxQuoted {
		return key
	}
	return quote(key)
}

// capWarnings keeps the first maxWarnings warnings and says how many more
// there were.
func (p *parser) capWarnings() {
	if len(p.warnings) <= maxWarnings {
		return
	}
	more := len(p.warnings) - maxWarnings
	last := p.warnings[maxWarnings-1].Line
	p.warnings = append(p.warnings[:maxWarnings:maxWarnings], Warning{File: p.file,
		Message: fmt.Sprintf("%d more warnings after line %d not shown: fix the ones above first", more, last)})
}

// iniOptions make ini.v1 read the grammar the INI reference documents:
// "key = value" or "key: value"; ; or # starts a comment in an unquoted
// value; a value in "…" (with \" inside), `…` or """…""" is taken
// literally up to the last such quote on the line, and one wholly in '…'
// loses its quotes; a trailing backslash is text, not a continuation;
// names keep their case (interpret folds it, messages show it as
// written); %(name)s is text (Key.Value, never Key.String, is read).
var iniOptions = ini.LoadOptions{
	IgnoreContinuation:        true,
	UnescapeValueDoubleQuotes: true,
}

// readValues reads src with ini.v1 and gives each located entry its value.
func (p *parser) readValues(src []byte) error {
	f, err := ini.LoadSources(iniOptions, src)
	if err != nil {
		// locate refuses every line ini.v1 cannot read; FuzzParse checks it.
		return &Error{File: p.file, Problem: "cannot read the file: " + err.Error(), Hint: "see the INI reference in docs/ini.md"}
	}
	values := map[[2]string]string{}
	for _, sec := range f.Sections() {
		for _, k := range sec.Keys() {
			values[[2]string{sec.Name(), k.Name()}] = k.Value()
		}
	}
	for i := range p.entries {
		e := &p.entries[i]
		if e.key == "-" {
			continue // ini.v1 numbers these ("#1"); an unknown key, only warned about
		}
		sec := e.section
		if sec == "" {
			sec = ini.DefaultSection
		}
		v, ok := values[[2]string{sec, e.key}]
		if !ok {
			return &Error{File: p.file, Line: e.line, Problem: "cannot read the line", Hint: "see the INI reference in docs/ini.md"}
		}
		e.value = strings.TrimSpace(v)
	}
	return nil
}

// locate walks the raw lines as ini.v1 will (one line at a time; blank,
// comment, [section] header or key = value), recording each header and
// key with its line number for messages. It refuses what ini.v1 would
// misread or read silently otherwise than the line shows: invalid UTF-8,
// control characters and stray byte order marks, values spanning lines
// (an unclosed quote), quoted key names, text after a closing quote,
// malformed headers, junk lines. It returns the text for ini.v1: the
// input, except that a [masking] value written literal:`TEXT` is wrapped
// in backquotes, so that ini.v1 keeps it whole (a ; in TEXT is not a
// comment) and masking.Parse drops TEXT's own backquotes.
func (p *parser) locate(data []byte) []byte {
	section := ""
	src := make([]byte, 0, len(data)+16)
	for n := 1; len(data) > 0; n++ {
		line, nl := data, false
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			line, data, nl = data[:i], data[i+1:], true
		} else {
			data = nil
		}
		text := bytes.TrimSuffix(line, []byte("\r"))
		if lit := p.locateLine(n, &section, text); lit[1] > 0 {
			line = slices.Concat(text[:lit[0]], []byte("`"), text[lit[0]:lit[1]], []byte("`"), text[lit[1]:])
		}
		src = append(src, line...)
		if nl {
			src = append(src, '\n')
		}
	}
	return src
}

// backquotedLiteral finds literal:`TEXT` (any case) at the start of
// value, the text after a key's delimiter, and returns where it starts
// and ends (after the last backquote on the line); end is 0 if it is not
// there, and start == end when TEXT's backquote is never closed.
func backquotedLiteral(value string) (start, end int) {
	const prefix = "literal:`"
	t := strings.TrimLeftFunc(value, unicode.IsSpace)
	if len(t) < len(prefix) || !strings.EqualFold(t[:len(prefix)], prefix) {
		return 0, 0
	}
	start = len(value) - len(t)
	if last := strings.LastIndexByte(t, '`'); last > len(prefix)-1 {
		return start, start + last + 1
	}
	return start, start
}

// locateLine checks one line (without its line break) and records it.
// lit is where a [masking] value written literal:`TEXT` starts and ends
// in text, {0, 0} for any other line.
func (p *parser) locateLine(n int, section *string, text []byte) (lit [2]int) {
	if !utf8.Valid(text) {
		p.fail(n, "the line is not UTF-8 text", "save the file as UTF-8")
		return lit
	}
	if i := bytes.IndexFunc(text, func(r rune) bool { return (unicode.IsControl(r) && r != '\t') || r == '\ufeff' }); i >= 0 {
		r, _ := utf8.DecodeRune(text[i:])
		switch r {
		case 0:
			p.fail(n, "the line contains a NUL byte", "is this a text file?")
		case '\r':
			p.fail(n, "the line contains a carriage return that does not end it",
				"save the file with Unix (LF) or Windows (CRLF) line endings")
		case '\ufeff':
			p.fail(n, "the line contains a byte order mark (U+FEFF)", "remove it; only the file's very start may have one")
		default:
			p.fail(n, fmt.Sprintf("the line contains the control character %U", r), "remove it")
		}
		return lit
	}
	t := bytes.TrimLeftFunc(text, unicode.IsSpace)
	if len(t) == 0 || t[0] == '#' || t[0] == ';' {
		return lit
	}
	shown := quote(strings.TrimSpace(string(text)))
	switch t[0] {
	case '[':
		end := bytes.LastIndexByte(t, ']')
		if end < 0 {
			p.fail(n, "unclosed section header "+shown, "want [name], e.g. [target_db]")
			return lit
		}
		name := string(t[1:end])
		if strings.TrimSpace(name) == "" || strings.ContainsAny(name, "[]") {
			p.fail(n, "malformed section header "+shown, "want [name] alone on its line, e.g. [target_db]; a ; comment may follow")
			return lit
		}
		if after := bytes.TrimSpace(t[end+1:]); len(after) > 0 && after[0] != '#' && after[0] != ';' {
			p.fail(n, "unexpected text after the section header "+shown, "start a comment with ;")
			return lit
		}
		p.headers = append(p.headers, header{n, name})
		*section = name
		return lit
	case '"', '`':
		p.fail(n, "quoted key name in "+shown, "write the key bare, e.g. instance_type = db.r6g.large")
		return lit
	}
	i := bytes.IndexAny(t, "=:")
	if i < 0 {
		p.fail(n, shown+" is not a key = value line", "want key = value, a [section] header, or a comment starting with ;")
		return lit
	}
	if i == 0 {
		p.fail(n, shown+" has no key name before the "+string(t[0]), "want key = value")
		return lit
	}
	k := strings.TrimSpace(string(t[:i]))
	raw := string(t[i+1:])
	q, after, unclosed := checkQuotes(raw)
	start, end := backquotedLiteral(raw)
	if end > 0 && strings.EqualFold(strings.TrimSpace(*section), secMasking) {
		// literal:`TEXT`: quoted from its first backquote to the last.
		q, after, unclosed = "`", "", start == end
		if tail := strings.TrimSpace(raw[end:]); tail != "" && tail[0] != ';' && tail[0] != '#' {
			after = tail
		}
		off := len(text) - len(t) + i + 1
		lit = [2]int{off + start, off + end}
	}
	switch {
	case unclosed:
		p.fail(n, "the value opens a "+q+" quote that this line does not close",
			"values must fit on one line; close the quote")
		return lit
	case after != "":
		p.errs = append(p.errs, &Error{File: p.file, Line: n, Section: strings.TrimSpace(*section), Key: quoteKey(k),
			Problem: "text " + quote(after) + " after the closing " + q + " quote would be ignored",
			Hint:    "put it inside the quotes, or start a comment with ;"})
		return [2]int{}
	}
	p.entries = append(p.entries, entry{line: n, section: *section, key: k})
	return lit
}

// checkQuotes looks at the text after a key's delimiter as ini.v1 will: a
// value starting with """, ` or " is quoted up to the last such quote on
// the line. It reports the opening quote q, whether no closing one
// follows (ini.v1 would read on into the next lines), and any text after
// the closing quote other than a comment (ini.v1 would drop it silently).
func checkQuotes(rest string) (q, after string, unclosed bool) {
	line := strings.TrimLeftFunc(rest, unicode.IsSpace)
	switch {
	case strings.HasPrefix(line, `"""`):
		q = `"""`
	case strings.HasPrefix(line, "`"):
		q = "`"
	case strings.HasPrefix(line, `"`):
		q = `"`
	default:
		return "", "", false
	}
	inner := line[len(q):]
	end := strings.LastIndex(inner, q)
	if end < 0 {
		return q, "", true
	}
	if tail := strings.TrimSpace(inner[end+len(q):]); tail != "" && tail[0] != ';' && tail[0] != '#' {
		return q, tail, false
	}
	return q, "", false
}

func knownSection(norm string) bool { return slices.Contains(sectionNames, norm) }

// interpret turns the scanned lines into a Config, collecting warnings and
// value errors in p.
func (p *parser) interpret() *Config {
	c := &Config{src: source{
		file:     p.file,
		line:     map[string]int{},
		empty:    map[string]int{},
		sections: map[string]int{},
		stray:    map[string]string{},
	}}

	// Known keys found in unknown sections help guess what the section was
	// meant to be.
	belongs := map[string]string{}
	occurrences := map[string][]entry{}
	for _, e := range p.entries {
		sec := strings.TrimSpace(e.section)
		norm := strings.ToLower(sec)
		sp := spec(e.key)
		switch {
		case norm == secMasking:
			c.Masking = append(c.Masking, MaskRule{Column: e.key, Strategy: e.value, line: e.line})
			continue
		case e.section == "":
			msg := "outside any section, ignored"
			if sp != nil {
				msg += "; it belongs under [" + sp.section + "]"
				c.src.addStray(sp.name, fmt.Sprintf("line %d has it outside any section", e.line))
			} else {
				msg += keySuggestion("", e.key)
			}
			p.warn(e.line, "", e.key, msg)
		case !knownSection(norm):
			if sp != nil {
				c.src.addStray(sp.name, fmt.Sprintf("line %d has it under [%s]", e.line, sec))
				if _, ok := belongs[norm]; !ok {
					belongs[norm] = sp.section
				}
			}
		case sp != nil && sp.section == norm:
			occurrences[sp.name] = append(occurrences[sp.name], e)
		case sp != nil:
			p.warn(e.line, sec, e.key, fmt.Sprintf("belongs in [%s], not [%s]; ignored here", sp.section, sec))
			c.src.addStray(sp.name, fmt.Sprintf("line %d has it under [%s]", e.line, sec))
		default:
			p.warn(e.line, sec, e.key, "unknown key, ignored"+keySuggestion(norm, e.key))
		}
	}

	for _, h := range p.headers {
		sec := strings.TrimSpace(h.name)
		norm := strings.ToLower(sec)
		if knownSection(norm) {
			if first, ok := c.src.sections[norm]; ok {
				p.warn(h.line, sec, "", fmt.Sprintf("section appears again (first on line %d); its keys are merged", first))
			} else {
				c.src.sections[norm] = h.line
			}
			continue
		}
		msg := "unknown section, ignored with its keys"
		if s := nearestSection(sec); s != "" {
			msg += "; did you mean [" + s + "]?"
		} else if s := belongs[norm]; s != "" {
			msg += "; did you mean [" + s + "]? its keys belong there"
		} else {
			msg += "; the sections are " + sectionList()
		}
		p.warn(h.line, sec, "", msg)
	}

	for _, sp := range keys {
		occ := occurrences[sp.name]
		if len(occ) == 0 {
			continue
		}
		sec := strings.TrimSpace(occ[0].section)
		if len(occ) > 1 {
			// Keeping either value quietly would be a guess; which one the
			// user meant is theirs to say.
			for _, e := range occ[1:] {
				p.errs = append(p.errs, &Error{File: p.file, Line: e.line, Section: strings.TrimSpace(e.section), Key: e.key,
					Problem: fmt.Sprintf("set twice, on lines %d and %d", occ[0].line, e.line), Hint: "keep one of them"})
			}
			continue
		}
		e := occ[0]
		v := e.value
		if v == "" {
			c.src.empty[sp.name] = e.line
			continue
		}
		if err := sp.parse(c, v); err != nil {
			err.File, err.Line, err.Section, err.Key = p.file, e.line, sec, e.key
			p.errs = append(p.errs, err)
			continue
		}
		c.src.line[sp.name] = e.line
	}
	rules, errs := c.checkMasking()
	c.Masking = rules
	p.errs = append(p.errs, errs...)
	return c
}

// sectionList is "[source_db], [target_db], … and [hooks]".
func sectionList() string {
	names := make([]string, len(sectionNames))
	for i, s := range sectionNames {
		names[i] = "[" + s + "]"
	}
	return strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
}

// addStray remembers the first place a key was found outside its section,
// for the hint of a "missing" error.
func (s *source) addStray(key, where string) {
	if _, ok := s.stray[key]; !ok {
		s.stray[key] = where
	}
}
