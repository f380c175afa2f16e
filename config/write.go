package config

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"unicode"

	"github.com/dbaf/dbaf/internal/masking"
)

// Write writes c as canonical INI: the sections and keys in a fixed order,
// a short comment above each key, only the keys that are set plus the
// three required ones. Parse reads the output back to an equal Config.
func (c *Config) Write(w io.Writer) error {
	var b bytes.Buffer
	b.WriteString("; dbaf database artifact. Every key is described in the INI reference in docs/ini.md.\n")
	for _, section := range sectionNames {
		if section == secMasking {
			if err := c.writeMasking(&b); err != nil {
				return err
			}
			continue
		}
		started := false
		for i := range keys {
			sp := &keys[i]
			if sp.section != section {
				continue
			}
			v := sp.format(c)
			if v == "" && !sp.required {
				continue
			}
			line, err := iniValue(v)
			if err != nil {
				return &Error{Section: sp.section, Key: sp.name, Problem: "cannot write " + quote(v) + ": " + err.Error()}
			}
			if !started {
				fmt.Fprintf(&b, "\n[%s]\n", section)
				started = true
			}
			fmt.Fprintf(&b, "; %s\n%s =", sp.comment, sp.name)
			if line != "" {
				b.WriteString(" " + line)
			}
			b.WriteString("\n")
		}
	}
	_, err := w.Write(b.Bytes())
	return err
}

// writeMasking writes the [masking] section, one rule a line in order.
func (c *Config) writeMasking(b *bytes.Buffer) error {
	if len(c.Masking) == 0 {
		return nil
	}
	fmt.Fprintf(b, "\n[%s]\n; schema.table.column = strategy: %s.\n", secMasking, masking.Syntax)
	for _, r := range c.Masking {
		v, err := iniValue(r.Strategy)
		if err == nil && !columnRE.MatchString(r.Column) {
			err = fmt.Errorf("it is not a column path")
		}
		if err != nil {
			return &Error{Section: secMasking, Key: quoteKey(r.Column), Problem: "cannot write " + quote(r.Column+" = "+r.Strategy) + ": " + err.Error()}
		}
		fmt.Fprintf(b, "%s = %s\n", r.Column, v)
	}
	return nil
}

// iniValue renders v so that Parse reads back exactly v: plain when it can
// be, otherwise in backquotes or triple quotes, which Parse takes literally
// up to the last closing quote.
func iniValue(v string) (string, error) {
	if strings.IndexFunc(v, unicode.IsControl) >= 0 {
		return "", fmt.Errorf("it contains a line break or control character")
	}
	if v != strings.TrimSpace(v) {
		return "", fmt.Errorf("it has leading or trailing space, which Parse trims")
	}
	if v == "" || (!strings.ContainsAny(v, "#;") && !strings.ContainsAny(v[:1], "\"'`")) {
		return v, nil
	}
	if !strings.Contains(v, "`") {
		return "`" + v + "`", nil
	}
	return `"""` + v + `"""`, nil
}

// Save writes c to path atomically: a temporary file in the same
// directory, renamed over path, so a crash never leaves half a config.
func (c *Config) Save(path string) error {
	var b bytes.Buffer
	if err := c.Write(&b); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return fmt.Errorf("saving %s: %w", path, err)
	}
	done := false
	defer func() {
		if !done {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if _, err := tmp.Write(b.Bytes()); err != nil {
		return fmt.Errorf("saving %s: %w", path, err)
	}
	// CreateTemp makes the file 0600; a config is not secret.
	if err := tmp.Chmod(0o644); err != nil {
		return fmt.Errorf("saving %s: %w", path, err)
	}
	if err := tmp.Sync(); err != nil {
		return fmt.Errorf("saving %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("saving %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		os.Remove(tmp.Name())
		done = true
		return fmt.Errorf("saving %s: %w", path, err)
	}
	done = true
	return nil
}
