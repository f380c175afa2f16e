package db

import (
	"strconv"
)

// Client is the engine's own interactive client for a clone: psql or
// mysql. The password travels in Env (PGPASSWORD, MYSQL_PWD), never in
// Args, so no process listing shows it; without one the client prompts.
type Client struct {
	Program string   // looked up on PATH
	Package string   // the Debian package that installs Program
	Args    []string // never holds the password
	Env     []string // KEY=VALUE to add to the caller's environment
}

// ClientFor is the client command for t, verifying the server against
// t's CA file and host name like every connection this package makes (the
// client's own defaults when the CA has no file).
func ClientFor(t Target) Client {
	path := t.ca().Path
	if t.Engine == EngineMySQL {
		c := Client{Program: "mysql", Package: "mariadb-client", Args: []string{"--ssl"}}
		if path != "" {
			c.Args = append(c.Args, "--ssl-ca="+path)
		}
		c.Args = append(c.Args, "--ssl-verify-server-cert", "-h", t.Host, "-P", strconv.Itoa(t.Port), "-u", t.User)
		if t.Password != "" {
			c.Env = []string{"MYSQL_PWD=" + t.Password}
		} else {
			c.Args = append(c.Args, "-p") // prompt
		}
		if t.Database != "" {
			c.Args = append(c.Args, t.Database)
		}
		return c
	}
	conninfo := "host=" + conninfoValue(t.Host) + " port=" + strconv.Itoa(t.Port) + " user=" + conninfoValue(t.User) +
		" dbname=" + conninfoValue(t.database()) + " sslmode=verify-full"
	if path != "" {
		conninfo += " sslrootcert=" + conninfoValue(path)
	}
	c := Client{Program: "psql", Package: "postgresql-client", Args: []string{conninfo}, Env: []string{"PGSSLMODE=verify-full"}}
	if t.Password != "" {
		c.Env = append(c.Env, "PGPASSWORD="+t.Password)
	}
	return c
}

// conninfoValue quotes a libpq keyword value when it needs it.
func conninfoValue(s string) string {
	plain := s != ""
	for _, r := range s {
		if r == ' ' || r == '\'' || r == '\\' {
			plain = false
		}
	}
	if plain {
		return s
	}
	out := []rune{'\''}
	for _, r := range s {
		if r == '\'' || r == '\\' {
			out = append(out, '\\')
		}
		out = append(out, r)
	}
	return string(append(out, '\''))
}
