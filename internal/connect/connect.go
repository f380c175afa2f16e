// Package connect finds a clone by its stack and starts the engine's own
// client (psql, mysql) on it: `dbaf connect`.
package connect

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"

	"github.com/dbaf/dbaf/artifact"
	"github.com/dbaf/dbaf/aws"
	"github.com/dbaf/dbaf/db"
)

// Stacks is what Find asks AWS.
type Stacks interface {
	ListStacks(ctx context.Context) ([]aws.Stack, error)
	DescribeStack(ctx context.Context, nameOrID string) (*aws.Stack, error)
	ClusterSummary(ctx context.Context, id string) (*aws.Cluster, error)
	CallerIdentity(ctx context.Context) (*aws.Identity, error)
}

// InputError is a request that cannot be served as given (no such clone,
// several to choose from, not ready): bad input, not an AWS failure.
type InputError struct{ msg string }

func (e *InputError) Error() string { return e.msg }

func inputErr(format string, args ...any) error { return &InputError{fmt.Sprintf(format, args...)} }

// Clone is where a clone is, and as whom to log in (no password).
type Clone struct {
	Stack     string
	ClusterID string
	Target    db.Target
	// SecretARN is the Secrets Manager secret holding the master password
	// when RDS manages it ("" otherwise).
	SecretARN string
}

// Find locates the clone of stack; with stack "" the caller's only clone.
// Another owner's clone is refused unless force: its data and password are
// that owner's.
func Find(ctx context.Context, s Stacks, stack string, force bool) (*Clone, error) {
	var st *aws.Stack
	if stack == "" {
		var err error
		if st, err = only(ctx, s); err != nil {
			return nil, err
		}
	} else {
		var err error
		if st, err = s.DescribeStack(ctx, stack); err != nil {
			return nil, err
		}
		if !artifact.IsDbafStack(st.Tags) {
			return nil, inputErr("stack %s is not a dbaf clone: dbaf list shows the clones", stack)
		}
		if !force {
			me, err := s.CallerIdentity(ctx)
			if err != nil {
				return nil, err
			}
			if !artifact.OwnedBy(st.Tags, me.ARN) {
				owner := st.Tags[artifact.TagOwner]
				if owner == "" {
					owner = "no one dbaf knows (the clone has no owner tag)"
				}
				return nil, inputErr("clone %s is owned by %s; you are %s: its data and password are its owner's; "+
					"pass --force to connect anyway", st.Name, owner, me.ARN)
			}
		}
	}
	switch st.Status {
	case "CREATE_COMPLETE", "UPDATE_COMPLETE":
	default:
		return nil, inputErr("clone %s is %s, not ready to connect to (dbaf list shows its status)", st.Name, st.Status)
	}
	id, endpoint := st.Outputs["ClusterId"], st.Outputs["Endpoint"]
	if id == "" || endpoint == "" {
		return nil, fmt.Errorf("stack %s has no ClusterId or Endpoint output: was it made by this dbaf version?", st.Name)
	}
	cl, err := s.ClusterSummary(ctx, id)
	if err != nil {
		return nil, err
	}
	port := int(cl.Port)
	if p, err := strconv.Atoi(st.Outputs["Port"]); err == nil {
		port = p
	}
	return &Clone{Stack: st.Name, ClusterID: id, SecretARN: cl.MasterUserSecretARN,
		Target: db.Target{Engine: cl.Engine, Host: endpoint, Port: port, User: cl.MasterUsername}}, nil
}

// only is the caller's one live clone, or an error listing the candidates.
func only(ctx context.Context, s Stacks) (*aws.Stack, error) {
	me, err := s.CallerIdentity(ctx)
	if err != nil {
		return nil, err
	}
	stacks, err := s.ListStacks(ctx)
	if err != nil {
		return nil, err
	}
	var mine []aws.Stack
	for _, st := range stacks {
		if artifact.IsDbafStack(st.Tags) && artifact.OwnedBy(st.Tags, me.ARN) && !strings.HasPrefix(st.Status, "DELETE_") {
			mine = append(mine, st)
		}
	}
	switch len(mine) {
	case 1:
		return &mine[0], nil
	case 0:
		return nil, inputErr("you (%s) have no clones: make one with dbaf clone, or name a stack (dbaf list shows them all)", me.ARN)
	}
	names := make([]string, len(mine))
	for i, st := range mine {
		names[i] = st.Name + " (" + st.Status + ")"
	}
	return nil, inputErr("you have %d clones: name one of them: %s", len(mine), strings.Join(names, ", "))
}

// Secrets reads the password RDS manages for a clone. *aws.Client
// satisfies it.
type Secrets interface {
	SecretPassword(ctx context.Context, secretARN string) (string, error)
}

// ClonePassword is the password to log in to c with: the one RDS keeps in
// Secrets Manager when it manages c's password (read here, so it passes
// through no terminal or shell history), otherwise Password's.
func ClonePassword(ctx context.Context, c *Clone, s Secrets, getenv func(string) string) (string, error) {
	if c.SecretARN == "" {
		return Password(getenv)
	}
	pw, err := s.SecretPassword(ctx, c.SecretARN)
	if err != nil {
		return "", fmt.Errorf("reading the master password of %s from its secret %s: %w", c.Stack, c.SecretARN, err)
	}
	return pw, nil
}

// Password is the clone's password from DB_PASSWORD or the file named by
// DB_PASSWORD_FILE (its first line); "" when neither is set, and the
// client prompts.
func Password(getenv func(string) string) (string, error) {
	if pw := getenv("DB_PASSWORD"); pw != "" {
		return pw, nil
	}
	path := getenv("DB_PASSWORD_FILE")
	if path == "" {
		return "", nil
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return "", inputErr("DB_PASSWORD_FILE: %v", err)
	}
	pw, _, _ := strings.Cut(string(b), "\n")
	pw = strings.TrimRight(pw, "\r")
	if pw == "" {
		return "", inputErr("DB_PASSWORD_FILE %s is empty: put the clone's password on its first line", path)
	}
	return pw, nil
}

// ErrNoClient means the engine's client is not installed.
var ErrNoClient = errors.New("client not installed")

// Streams are the client's terminal.
type Streams struct {
	In       io.Reader
	Out, Err io.Writer
	Env      []string // the environment to start from (os.Environ())
}

// Run starts the engine's client on t and waits for it. The password, if
// any, goes through the environment only.
func Run(t db.Target, s Streams) error {
	c := db.ClientFor(t)
	path, err := exec.LookPath(c.Program)
	if err != nil {
		return fmt.Errorf("%w: %s is not on PATH; install it (Debian: apt-get install %s)", ErrNoClient, c.Program, c.Package)
	}
	// Not tied to a context: Ctrl-C reaches the client from the terminal
	// and cancels its query; it must not kill the session.
	cmd := exec.Command(path, c.Args...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = s.In, s.Out, s.Err
	cmd.Env = append(withoutPasswords(s.Env), c.Env...)
	if err := cmd.Run(); err != nil {
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			return fmt.Errorf("%s exited with status %d", c.Program, exit.ExitCode())
		}
		return fmt.Errorf("running %s: %w", c.Program, err)
	}
	return nil
}

// withoutPasswords drops password variables the caller had, so the client
// gets exactly the clone's (or prompts), never a stale one.
func withoutPasswords(env []string) []string {
	out := make([]string, 0, len(env))
	for _, kv := range env {
		k, _, _ := strings.Cut(kv, "=")
		switch k {
		case "PGPASSWORD", "MYSQL_PWD", "DB_PASSWORD":
			continue
		}
		out = append(out, kv)
	}
	return out
}
