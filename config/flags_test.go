package config

import (
	"strings"
	"testing"

	"github.com/spf13/pflag"
)

func TestBindFlags(t *testing.T) {
	fs := pflag.NewFlagSet("build", pflag.ContinueOnError)
	vals := BindFlags(fs)
	flags := map[string]bool{}
	for _, k := range Keys() {
		if k.Flag == "" {
			if _, ok := vals[k.Name]; ok {
				t.Errorf("key %s has no flag but a bound value", k.Name)
			}
			continue
		}
		if flags[k.Flag] {
			t.Errorf("flag --%s is bound twice", k.Flag)
		}
		flags[k.Flag] = true
		f := fs.Lookup(k.Flag)
		if f == nil || vals[k.Name] == nil {
			t.Fatalf("key %s: flag --%s not bound", k.Name, k.Flag)
		}
		if k.Help == "" || !strings.HasSuffix(f.Usage, k.Help+" [INI: "+k.Name+"]") {
			t.Errorf("--%s help %q does not end with its key's help and name", k.Flag, f.Usage)
		}
	}
	// region comes from the global --region, and post_clone names files
	// beside the INI; every other key has a flag.
	if want := len(keys) - 2; len(vals) != want {
		t.Errorf("%d flags bound, want %d", len(vals), want)
	}

	err := fs.Parse([]string{"--instance-class", "db.serverless", "--tag=db-artifact:test"})
	if err != nil {
		t.Fatal(err)
	}
	c := &Config{}
	for key, v := range vals {
		if fs.Changed(keyFlag(key)) {
			if err := c.Set(key, *v); err != nil {
				t.Fatal(err)
			}
		}
	}
	if c.InstanceClass != ServerlessClass || c.ImageTag != "db-artifact:test" {
		t.Errorf("flags gave class %q, tag %q", c.InstanceClass, c.ImageTag)
	}
}

func keyFlag(name string) string {
	for _, k := range Keys() {
		if k.Name == name {
			return k.Flag
		}
	}
	return ""
}
