package config

import "github.com/spf13/pflag"

// Key is one INI key as the command line sees it.
type Key struct {
	Name    string // INI key, e.g. instance_type
	Section string // its section, e.g. target_db
	Flag    string // the `dbaf build` flag that sets it; "" for none
	Help    string // the flag's help, without the [INI: key] note
}

// Keys lists the INI keys in the order Write emits them.
func Keys() []Key {
	out := make([]Key, len(keys))
	for i, sp := range keys {
		out[i] = Key{Name: sp.name, Section: sp.section, Flag: sp.flag, Help: sp.help}
	}
	return out
}

// BindFlags defines on fs one string flag per key that has one, its help
// naming the key, and returns the flags' values by INI key. Set parses them,
// so a flag and the file accept exactly the same values.
func BindFlags(fs *pflag.FlagSet) map[string]*string {
	vals := map[string]*string{}
	for _, sp := range keys {
		if sp.flag != "" {
			vals[sp.name] = fs.String(sp.flag, "", sp.help+" [INI: "+sp.name+"]")
		}
	}
	return vals
}
