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
(see the INI reference in README.md)`

// Load reads and parses the artifact INI at path. It does not Validate, so
// callers can apply flag overrides with Set first.
func Load(path string) (*Config, []Warning, error) {
	data, fault, problem := readRegular(path)
	switch fault {
	case faultMissing:
		return nil, nil, &Error{File: path, Problem: problem,
			Hint: `run "dbaf build" without --yes to create one with the wizard, or write one by hand following the INI reference in README.md`}
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
func Parse(name string, data []byte) (*Config, []Warning, error) {
	p := &parser{file: name}
	if bytes.HasPrefix(data, []byte{0xfe, 0xff}) || bytes.HasPrefix(data, []byte{0xff, 0xfe}) {
		return nil, nil, &Error{File: name, Problem: "the file is UTF-16 text", Hint: "save it as UTF-8"}
	}
	p.scan(bytes.TrimPrefix(data, []byte("\ufeff")))
	if len(p.errs) > 0 {
		return nil, nil, join(p.errs)
	}
	if len(p.entries) > maxKeys || len(p.headers) > maxSections {
		return nil, nil, &Error{File: name,
			Problem: fmt.Sprintf("the file has %d keys in %d sections", len(p.entries), len(p.headers)),
			Hint:    fmt.Sprintf("an artifact INI has %d keys in %d sections, plus one line per masked column (dbaf reads up to %d keys and %d sections): is this the right file?", len(keys), len(sectionNames), maxKeys, maxSections)}
	}
	if len(p.headers) == 0 && len(p.entries) == 0 {
		return nil, nil, &Error{File: name, Problem: "the file has no settings", Hint: wantHint}
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
// unquoted and without its comment. The scanner knows nothing of the key
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

// scan reads the INI grammar line by line, keeping line numbers for
// messages. A line is blank, a comment (starting with ; or #), a
// "[section]" header (a ; or # comment may follow), or "key = value" (or
// "key: value"). It rejects what could be misread: control characters,
// values spanning lines, quoted key names, text after a closing quote,
// junk lines.
func (p *parser) scan(data []byte) {
	section := ""
	for n := 1; len(data) > 0; n++ {
		line := data
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			line, data = data[:i], data[i+1:]
		} else {
			data = nil
		}
		text := bytes.TrimSuffix(line, []byte("\r"))
		if !utf8.Valid(text) {
			p.fail(n, "the line is not UTF-8 text", "save the file as UTF-8")
			continue
		}
		if i := bytes.IndexFunc(text, func(r rune) bool { return unicode.IsControl(r) && r != '\t' }); i >= 0 {
			r, _ := utf8.DecodeRune(text[i:])
			switch r {
			case 0:
				p.fail(n, "the line contains a NUL byte", "is this a text file?")
			case '\r':
				p.fail(n, "the line contains a carriage return that does not end it",
					"save the file with Unix (LF) or Windows (CRLF) line endings")
			default:
				p.fail(n, fmt.Sprintf("the line contains the control character %U", r), "remove it")
			}
			continue
		}
		t := bytes.TrimLeftFunc(text, unicode.IsSpace)
		if len(t) == 0 || t[0] == '#' || t[0] == ';' {
			continue
		}
		shown := quote(strings.TrimSpace(string(text)))
		switch t[0] {
		case '[':
			end := bytes.LastIndexByte(t, ']')
			if end < 0 {
				p.fail(n, "unclosed section header "+shown, "want [name], e.g. [target_db]")
				continue
			}
			name := string(t[1:end])
			if strings.TrimSpace(name) == "" || strings.ContainsAny(name, "[]") {
				p.fail(n, "malformed section header "+shown, "want [name] alone on its line, e.g. [target_db]; a ; comment may follow")
				continue
			}
			if after := bytes.TrimSpace(t[end+1:]); len(after) > 0 && after[0] != '#' && after[0] != ';' {
				p.fail(n, "unexpected text after the section header "+shown, "start a comment with ;")
				continue
			}
			p.headers = append(p.headers, header{n, name})
			section = name
		case '"', '`':
			p.fail(n, "quoted key name in "+shown, "write the key bare, e.g. instance_type = db.r6g.large")
		default:
			i := bytes.IndexAny(t, "=:")
			if i < 0 {
				p.fail(n, shown+" is not a key = value line", "want key = value, a [section] header, or a comment starting with ;")
				continue
			}
			if i == 0 {
				p.fail(n, shown+" has no key name before the "+string(t[0]), "want key = value")
				continue
			}
			key := strings.TrimSpace(string(t[:i]))
			v, q, after := readValue(string(t[i+1:]))
			switch {
			case q != "" && after == "" && v == "":
				p.fail(n, "the value opens a "+q+" quote that this line does not close",
					"values must fit on one line; close the quote")
				continue
			case after != "":
				p.errs = append(p.errs, &Error{File: p.file, Line: n, Section: strings.TrimSpace(section), Key: quoteKey(key),
					Problem: "text " + quote(after) + " after the closing " + q + " quote would be ignored",
					Hint:    "put it inside the quotes, or start a comment with ;"})
				continue
			}
			p.entries = append(p.entries, entry{n, section, key, strings.TrimSpace(v)})
		}
	}
}

// readValue reads the value after a key's "=". A value starting with """,
// ` or " is quoted: it runs to the last such quote on the line and is taken
// literally (with \" for " inside "…"); only a comment may follow. Otherwise
// ; or # starts a comment, and a value wholly in '…' loses its quotes. q is
// the opening quote of a quoted value; an unclosed one gives v and after
// both "", and text after the closing quote comes back in after.
func readValue(rest string) (v, q, after string) {
	line := strings.TrimLeftFunc(rest, unicode.IsSpace)
	switch {
	case strings.HasPrefix(line, `"""`):
		q = `"""`
	case strings.HasPrefix(line, "`"):
		q = "`"
	case strings.HasPrefix(line, `"`):
		q = `"`
	}
	if q != "" {
		inner := line[len(q):]
		end := strings.LastIndex(inner, q)
		if end < 0 {
			return "", q, ""
		}
		if tail := strings.TrimSpace(inner[end+len(q):]); tail != "" && tail[0] != ';' && tail[0] != '#' {
			return "", q, tail
		}
		v = inner[:end]
		if q == `"` {
			v = strings.ReplaceAll(v, `\"`, `"`)
		}
		if v == "" {
			// An empty quoted value: not to be taken for an unclosed quote.
			return "", "", ""
		}
		return v, q, ""
	}
	line = strings.TrimSpace(line)
	if i := strings.IndexAny(line, "#;"); i >= 0 {
		line = strings.TrimSpace(line[:i])
	}
	if len(line) >= 2 && line[0] == '\'' && strings.IndexByte(line[1:], '\'') == len(line)-2 {
		line = line[1 : len(line)-1]
	}
	return line, "", ""
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
