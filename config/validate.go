package config

import (
	"fmt"
	"maps"
	"strings"
)

// Set sets one value by its INI key name (matched ignoring case), parsing
// it exactly as the file would be parsed; the CLI applies --flag overrides
// with it. An empty value clears the key. Errors are *Error without a file
// or line, since the value did not come from the file.
func (c *Config) Set(key, value string) error {
	sp := spec(strings.TrimSpace(key))
	if sp == nil {
		hint := "the keys are " + allKeyNames()
		if s := nearestKey("", key); s != nil {
			hint = "did you mean " + s.name + "? " + hint
		}
		return &Error{Key: key, Problem: "unknown key", Hint: hint}
	}
	value = strings.TrimSpace(value)
	// Copy-on-write: a Config copied by value keeps its own bookkeeping.
	src := c.src
	src.line, src.empty = maps.Clone(src.line), maps.Clone(src.empty)
	if src.line == nil {
		src.line = map[string]int{}
	}
	delete(src.empty, sp.name)
	if value == "" {
		sp.clear(c)
		delete(src.line, sp.name)
		c.src = src
		return nil
	}
	scratch := *c
	if err := sp.parse(&scratch, value); err != nil {
		err.Section, err.Key = sp.section, sp.name
		return err
	}
	*c = scratch
	src.line[sp.name] = 0
	c.src = src
	return nil
}

func allKeyNames() string {
	names := make([]string, len(keys))
	for i, k := range keys {
		names[i] = k.name
	}
	return strings.Join(names, ", ")
}

// IsSet reports whether key (an INI key name) has a value. It differs from
// testing the field only for serverless_min_capacity, where an explicit 0
// is a value.
func (c *Config) IsSet(key string) bool {
	sp := spec(key)
	return sp != nil && sp.format(c) != ""
}

// file is the name errors cite.
func (c *Config) file() string {
	if c.src.file != "" {
		return c.src.file
	}
	return c.Path
}

// at locates an error on key: on its line when the value came from the
// file, otherwise on no file at all (it came from Set or from code).
func (c *Config) at(sp *keySpec, problem, hint string) *Error {
	e := &Error{Section: sp.section, Key: sp.name, Problem: problem, Hint: hint}
	if n := c.src.line[sp.name]; n > 0 {
		e.File, e.Line = c.file(), n
	}
	return e
}

// lineNote is " (line N)" for a key from the file, for messages about a
// second key.
func (c *Config) lineNote(key string) string {
	if n := c.src.line[key]; n > 0 {
		return fmt.Sprintf(" (line %d)", n)
	}
	return ""
}

// Validate checks that the required keys are set, that every value is
// valid (fields may have been set by code rather than Parse) and the rules
// across keys. It returns every problem at once: an errors.Join of *Error.
func (c *Config) Validate() error {
	var errs []error
	for i := range keys {
		sp := &keys[i]
		v := sp.format(c)
		if v == "" {
			if sp.required {
				errs = append(errs, c.missing(sp))
			}
			continue
		}
		scratch := Config{src: c.src}
		if err := sp.parse(&scratch, v); err != nil {
			errs = append(errs, c.at(sp, err.Problem, err.Hint))
		}
	}
	_, maskErrs := c.checkMasking()
	errs = append(errs, maskErrs...)
	// Reading the hooks here refuses a missing one before the build asks
	// AWS anything; Resolve reads them again for the artifact.
	_, hookErrs := c.readHooks()
	errs = append(errs, hookErrs...)
	errs = append(errs, c.crossChecks()...)
	return join(errs)
}

// missing explains an absent required key and shows a line to add.
func (c *Config) missing(sp *keySpec) *Error {
	example := fmt.Sprintf("%q", sp.name+" = "+sp.example)
	e := &Error{File: c.file(), Section: sp.section, Key: sp.name}
	if n, ok := c.src.empty[sp.name]; ok {
		e.Line, e.Problem, e.Hint = n, "no value", "want e.g. "+example
		return e
	}
	e.Problem, e.Hint = "missing", "add a line like "+example+" under ["+sp.section+"]"
	if _, ok := c.src.sections[sp.section]; !ok && c.src.file != "" {
		e.Problem = "missing, and so is the [" + sp.section + "] section"
		e.Hint = "add a [" + sp.section + "] section with a line like " + example
	}
	if where := c.src.stray[sp.name]; where != "" {
		e.Hint += " (" + where + ")"
	}
	return e
}

func (c *Config) crossChecks() []error {
	var errs []error
	if c.Subnets.Source && len(c.Subnets.IDs) > 0 {
		errs = append(errs, c.at(spec("subnet_ids"), "both \"source\" and subnet ids are set",
			"use the source cluster's subnet group or a list of subnets, not both"))
	}

	if c.RestoreToTime != nil && c.SnapshotIdentifier != "" {
		// Report on whichever of the two the file sets later: that is the
		// line the user most likely just added.
		a, b := spec("restore_to_time"), spec("snapshot_identifier")
		if c.src.line[a.name] > c.src.line[b.name] {
			a, b = b, a
		}
		errs = append(errs, c.at(b, "cannot be combined with "+a.name+c.lineNote(a.name),
			"keep one: restore_to_time clones the source as it was at a time, snapshot_identifier restores a snapshot"))
	}

	if c.InstanceClass != "" && c.InstanceClass != ServerlessClass {
		for _, name := range []string{"serverless_min_capacity", "serverless_max_capacity"} {
			if sp := spec(name); sp.format(c) != "" {
				errs = append(errs, c.at(sp,
					fmt.Sprintf("only applies when instance_type is db.serverless, not %s%s", c.InstanceClass, c.lineNote("instance_type")),
					"remove "+name+" or set instance_type = db.serverless"))
			}
		}
	}
	if c.ServerlessMaxCapacity > 0 && c.ServerlessMinCapacity > c.ServerlessMaxCapacity {
		errs = append(errs, c.at(spec("serverless_max_capacity"),
			fmt.Sprintf("%s is less than serverless_min_capacity %s%s", formatACU(c.ServerlessMaxCapacity),
				formatACU(c.ServerlessMinCapacity), c.lineNote("serverless_min_capacity")),
			"the maximum must be at least the minimum"))
	}

	if c.BackupWindow != "" && c.MaintenanceWindow != "" {
		b, err1 := parseBackupWindow(c.BackupWindow)
		m, err2 := parseMaintenanceWindow(c.MaintenanceWindow)
		if err1 == nil && err2 == nil && b.overlaps(m) {
			errs = append(errs, c.at(spec("preferred_maintenance_window"),
				fmt.Sprintf("%s overlaps preferred_backup_window %s%s", m, b, c.lineNote("preferred_backup_window")),
				"AWS requires the two windows not to overlap; move one of them"))
		}
	}
	return errs
}
