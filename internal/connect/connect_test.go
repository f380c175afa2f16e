package connect

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dbaf/dbaf/artifact"
	"github.com/dbaf/dbaf/aws"
	"github.com/dbaf/dbaf/db"
)

const me = "arn:aws:iam::123456789012:user/dev"

type fakeStacks struct{ stacks []aws.Stack }

func (f *fakeStacks) ListStacks(context.Context) ([]aws.Stack, error) { return f.stacks, nil }
func (f *fakeStacks) DescribeStack(_ context.Context, name string) (*aws.Stack, error) {
	for _, st := range f.stacks {
		if st.Name == name {
			return &st, nil
		}
	}
	return nil, &aws.Error{Kind: aws.NotFound, Op: "cloudformation:DescribeStacks", Msg: "Stack with id " + name + " does not exist"}
}
func (f *fakeStacks) ClusterSummary(_ context.Context, id string) (*aws.Cluster, error) {
	engine, user := "aurora-postgresql", "postgres"
	if strings.Contains(id, "mysql") {
		engine, user = "aurora-mysql", "admin"
	}
	return &aws.Cluster{ID: id, Engine: engine, MasterUsername: user, Port: 1}, nil
}
func (f *fakeStacks) CallerIdentity(context.Context) (*aws.Identity, error) {
	return &aws.Identity{ARN: me}, nil
}

func clone(name, owner, status, cluster, port string) aws.Stack {
	return aws.Stack{Name: name, Status: status,
		Tags:    map[string]string{artifact.TagManagedBy: artifact.ManagedByDbaf, artifact.TagOwner: owner},
		Outputs: map[string]string{"ClusterId": cluster, "Endpoint": cluster + ".example", "Port": port}}
}

func TestFind(t *testing.T) {
	ctx := context.Background()
	others := clone("theirs", "arn:aws:iam::123456789012:user/other", "CREATE_COMPLETE", "their-pg", "5432")
	gone := clone("gone", me, "DELETE_COMPLETE", "gone-pg", "5432")
	foreign := aws.Stack{Name: "vpc", Status: "CREATE_COMPLETE", Tags: map[string]string{}}
	f := &fakeStacks{stacks: []aws.Stack{others, gone, foreign, clone("mine", me, "CREATE_COMPLETE", "mine-mysql", "3307")}}

	c, err := Find(ctx, f, "", false)
	if err != nil {
		t.Fatalf("Find with one clone of mine: %v", err)
	}
	want := db.Target{Engine: db.EngineMySQL, Host: "mine-mysql.example", Port: 3307, User: "admin"}
	if c.Stack != "mine" || c.ClusterID != "mine-mysql" || c.Target != want {
		t.Errorf("Find = %+v, want stack mine, target %+v", c, want)
	}
	// Named: another owner's clone only when forced.
	var ie *InputError
	if _, err := Find(ctx, f, "theirs", false); !errors.As(err, &ie) || !strings.Contains(err.Error(), "owned by arn:aws:iam::123456789012:user/other") ||
		!strings.Contains(err.Error(), "--force") {
		t.Errorf("Find(theirs) = %v; want a refusal naming the owner and --force", err)
	}
	if c, err := Find(ctx, f, "theirs", true); err != nil || c.Target.Engine != db.EnginePostgres || c.Target.Port != 5432 {
		t.Errorf("Find(theirs, force) = %+v, %v", c, err)
	}

	f.stacks = append(f.stacks, clone("mine2", me, "CREATE_IN_PROGRESS", "mine2-pg", "5432"))
	if _, err := Find(ctx, f, "", false); !errors.As(err, &ie) || !strings.Contains(err.Error(), "mine (CREATE_COMPLETE)") || !strings.Contains(err.Error(), "mine2 (CREATE_IN_PROGRESS)") {
		t.Errorf("two clones of mine: %v; want both listed", err)
	}
	if _, err := Find(ctx, f, "mine2", false); !errors.As(err, &ie) || !strings.Contains(err.Error(), "CREATE_IN_PROGRESS") {
		t.Errorf("a clone still being made: %v", err)
	}
	if _, err := Find(ctx, f, "vpc", false); !errors.As(err, &ie) || !strings.Contains(err.Error(), "not a dbaf clone") {
		t.Errorf("a stack dbaf did not make: %v", err)
	}
	var ae *aws.Error
	if _, err := Find(ctx, f, "nope", false); !errors.As(err, &ae) || ae.Kind != aws.NotFound {
		t.Errorf("no such stack: %v", err)
	}
	f.stacks = []aws.Stack{others}
	if _, err := Find(ctx, f, "", false); !errors.As(err, &ie) || !strings.Contains(err.Error(), "no clones") || !strings.Contains(err.Error(), me) {
		t.Errorf("no clone of mine: %v", err)
	}
}

func TestPassword(t *testing.T) {
	file := filepath.Join(t.TempDir(), "pw")
	os.WriteFile(file, []byte("from-the-file\nignored\n"), 0o600)
	empty := filepath.Join(t.TempDir(), "empty")
	os.WriteFile(empty, nil, 0o600)
	for _, c := range []struct {
		env     map[string]string
		want    string
		wantErr string
	}{
		{map[string]string{"DB_PASSWORD": "from-env", "DB_PASSWORD_FILE": file}, "from-env", ""},
		{map[string]string{"DB_PASSWORD_FILE": file}, "from-the-file", ""},
		{map[string]string{}, "", ""},
		{map[string]string{"DB_PASSWORD_FILE": empty}, "", "is empty"},
		{map[string]string{"DB_PASSWORD_FILE": file + ".missing"}, "", "DB_PASSWORD_FILE"},
	} {
		got, err := Password(func(k string) string { return c.env[k] })
		if got != c.want || (err == nil) != (c.wantErr == "") || err != nil && !strings.Contains(err.Error(), c.wantErr) {
			t.Errorf("Password(%v) = %q, %v; want %q, error %q", c.env, got, err, c.want, c.wantErr)
		}
	}
}

type fakeSecrets map[string]string

func (f fakeSecrets) SecretPassword(_ context.Context, arn string) (string, error) {
	if pw, ok := f[arn]; ok {
		return pw, nil
	}
	return "", &aws.Error{Kind: aws.AccessDenied, Op: "secretsmanager:GetSecretValue", Msg: "not authorized to read " + arn}
}

// A clone whose password RDS manages is found with its secret, and logged
// in to with the secret's password, read by dbaf: DB_PASSWORD, which may be
// another clone's, is not used for it.
func TestClonePasswordOfAManagedClone(t *testing.T) {
	const arn = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:rds!cluster-mine-pg-AbCdEf"
	ctx := context.Background()
	f := &managedStacks{fakeStacks{stacks: []aws.Stack{clone("mine", me, "CREATE_COMPLETE", "mine-pg", "5432")}}, arn}
	c, err := Find(ctx, f, "mine", false)
	if err != nil || c.SecretARN != arn {
		t.Fatalf("Find = %+v, %v; want the secret %s", c, err, arn)
	}
	env := func(k string) string { return map[string]string{"DB_PASSWORD": "another-clones-pw"}[k] }
	if pw, err := ClonePassword(ctx, c, fakeSecrets{arn: "rds-Managed-pw"}, env); err != nil || pw != "rds-Managed-pw" {
		t.Errorf("ClonePassword = %q, %v; want the secret's", pw, err)
	}
	if _, err := ClonePassword(ctx, c, fakeSecrets{}, env); err == nil || !strings.Contains(err.Error(), arn) || !strings.Contains(err.Error(), "not authorized") {
		t.Errorf("a secret that cannot be read: %v", err)
	}
	c.SecretARN = ""
	if pw, err := ClonePassword(ctx, c, fakeSecrets{arn: "rds-Managed-pw"}, env); err != nil || pw != "another-clones-pw" {
		t.Errorf("ClonePassword of an unmanaged clone = %q, %v; want DB_PASSWORD's", pw, err)
	}
}

// managedStacks is fakeStacks whose clusters have RDS-managed passwords.
type managedStacks struct {
	fakeStacks
	arn string
}

func (f *managedStacks) ClusterSummary(ctx context.Context, id string) (*aws.Cluster, error) {
	c, err := f.fakeStacks.ClusterSummary(ctx, id)
	if c != nil {
		c.MasterUserSecretARN = f.arn
	}
	return c, err
}

// fakeClient puts a script named program on PATH that records its
// arguments and environment, one per line, in the returned files.
func fakeClient(t *testing.T, program string) (argsFile, envFile string) {
	dir := t.TempDir()
	argsFile, envFile = filepath.Join(dir, "args"), filepath.Join(dir, "env")
	script := "#!/bin/sh\nfor a in \"$@\"; do printf '%s\\n' \"$a\"; done > " + argsFile + "\nenv > " + envFile + "\necho connected\n"
	if err := os.WriteFile(filepath.Join(dir, program), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", dir)
	return argsFile, envFile
}

func TestRunPassesThePasswordInTheEnvironmentOnly(t *testing.T) {
	const pw = "Cl0ne-Passw0rd-xyz"
	for _, c := range []struct {
		engine, program, pwVar string
	}{{db.EnginePostgres, "psql", "PGPASSWORD"}, {db.EngineMySQL, "mysql", "MYSQL_PWD"}} {
		t.Run(c.program, func(t *testing.T) {
			argsFile, envFile := fakeClient(t, c.program)
			var out bytes.Buffer
			tg := db.Target{Engine: c.engine, Host: "127.77.0.42", Port: 5555, User: "owner", Password: pw}
			err := Run(tg, Streams{Out: &out, Err: &out, Env: []string{"KEEP=1", "PGPASSWORD=stale", "DB_PASSWORD=" + pw}})
			if err != nil || out.String() != "connected\n" {
				t.Fatalf("Run: %v, output %q", err, out.String())
			}
			args, env := readFile(t, argsFile), readFile(t, envFile)
			if strings.Contains(args, pw) {
				t.Errorf("%s argv holds the password:\n%s", c.program, args)
			}
			if !strings.Contains(args, "127.77.0.42") || !strings.Contains(args, "5555") || !strings.Contains(args, "owner") {
				t.Errorf("%s argv lacks host, port or user:\n%s", c.program, args)
			}
			if !strings.Contains(env, "\n"+c.pwVar+"="+pw+"\n") || !strings.Contains(env, "KEEP=1") || strings.Contains(env, "stale") || strings.Contains(env, "DB_PASSWORD=") {
				t.Errorf("%s env: want %s set from the clone, the caller's other variables kept, no stale or DB_PASSWORD:\n%s", c.program, c.pwVar, env)
			}
			if c.program == "psql" && !strings.Contains(env, "PGSSLMODE=verify-full") {
				t.Errorf("psql env lacks PGSSLMODE=verify-full:\n%s", env)
			}
		})
	}
}

func readFile(t *testing.T, p string) string {
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return "\n" + string(b)
}

func TestRunNamesThePackageOfAMissingClient(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	for engine, pkg := range map[string]string{db.EnginePostgres: "postgresql-client", db.EngineMySQL: "mariadb-client"} {
		err := Run(db.Target{Engine: engine, Host: "h", Port: 1, User: "u"}, Streams{})
		if !errors.Is(err, ErrNoClient) || !strings.Contains(err.Error(), "apt-get install "+pkg) {
			t.Errorf("%s without its client: %v; want the package %s named", engine, err, pkg)
		}
	}
}
