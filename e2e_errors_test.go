package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"os/exec"
	"strings"
	"testing"

	"github.com/dbaf/dbaf/internal/blackhole"
	"github.com/dbaf/dbaf/internal/cli"
	"github.com/dbaf/dbaf/internal/testenv"
)

// TestBuildBadInput: each bad input gets its message and exit code, and
// leaves no image behind.
func TestBuildBadInput(t *testing.T) {
	t.Parallel()
	testenv.NeedDocker(t)
	env := startSandbox(t)
	endpoint := envValue(env, "AWS_ENDPOINT_URL")
	oneAZ := subnetsInOneAZ(t, env)

	ini := func(body string) func(t *testing.T, tag string) string {
		return func(t *testing.T, tag string) string {
			return writeINI(t, strings.ReplaceAll(body, "TAG", tag))
		}
	}
	good := "[source_db]\nsource_db_cluster_id = %s\n[target_db]\nsubnet_ids = %s\ninstance_type = %s\n[artifact]\nimage_tag = TAG\n"
	tests := []struct {
		name   string
		file   func(t *testing.T, tag string) string
		args   []string
		env    []string // replaces the sandbox env when set
		fault  string
		code   int
		stderr []string
	}{
		{name: "missing file", file: func(*testing.T, string) string { return "/nonexistent/artifact_config.ini" },
			code: 2, stderr: []string{"/nonexistent/artifact_config.ini"}},
		{name: "empty file", file: ini(""), code: 2, stderr: []string{"empty"}},
		{name: "missing section", file: ini("[source_db]\nsource_db_cluster_id = prod-aurora\n[artifact]\nimage_tag = TAG\n"),
			code: 2, stderr: []string{"[target_db]"}},
		{name: "missing key", file: ini("[source_db]\nsource_db_cluster_id = prod-aurora\n[target_db]\nsubnet_ids = source\n[artifact]\nimage_tag = TAG\n"),
			code: 2, stderr: []string{"instance_type"}},
		{name: "bad subnet list", file: ini(fmt.Sprintf(good, "prod-aurora", "subnet-1", "db.r6g.large")),
			code: 2, stderr: []string{"subnet_ids", "subnet-1"}},
		{name: "malformed class", file: ini(fmt.Sprintf(good, "prod-aurora", "source", "r6g.large")),
			code: 2, stderr: []string{"instance_type", "r6g.large"}},
		{name: "unknown cluster", file: ini(fmt.Sprintf(good, "prod-auror", "source", "db.r6g.large")),
			code: 2, stderr: []string{`"prod-auror"`, "eu-west-1", "123456789012"}},
		{name: "one-AZ subnets", file: ini(fmt.Sprintf(good, "prod-aurora", strings.Join(oneAZ, ", "), "db.r6g.large")),
			code: 2, stderr: []string{"at least two availability zones"}},
		{name: "unorderable class", file: ini(fmt.Sprintf(good, "prod-aurora", "source", "db.t3.small")),
			code: 2, stderr: []string{"db.t3.small is not orderable", "db.r6g.large"}},
		{name: "auto-pause on a version without it", file: ini(fmt.Sprintf(good, "analytics-serverless", "source", "db.serverless\nserverless_min_capacity = 0")),
			code: 2, stderr: []string{"aurora-postgresql 15.5 allows 0.5–256 ACUs", "serverless_min_capacity"}},
		{name: "not aurora", file: ini(fmt.Sprintf(good, "legacy-multiaz", "source", "db.r6g.large")),
			code: 2, stderr: []string{"not Aurora"}},
		{name: "bad flag value", file: ini(fmt.Sprintf(good, "prod-aurora", "source", "db.r6g.large")), args: []string{"--allowed-cidr", "10.0.0.1/16"},
			code: 2, stderr: []string{"--allowed-cidr", "allowed_cidr"}},
		{name: "docker not running", file: ini(fmt.Sprintf(good, "prod-aurora", "source", "db.r6g.large")),
			env: with(env, "DOCKER_HOST=unix:///nonexistent/docker.sock"), code: 4, stderr: []string{"DOCKER_HOST"}},
		{name: "no credentials", file: ini(fmt.Sprintf(good, "prod-aurora", "source", "db.r6g.large")),
			env: []string{"AWS_REGION=eu-west-1", "AWS_ENDPOINT_URL=" + endpoint}, code: 3, stderr: []string{"credentials"}},
		{name: "access denied", file: ini(fmt.Sprintf(good, "prod-aurora", "source", "db.r6g.large")),
			fault: "rds:DescribeDBClusters=AccessDenied:1", code: 3, stderr: []string{"rds:DescribeDBClusters"}},
		{name: "non-static binary", file: ini(fmt.Sprintf(good, "prod-aurora", "source", "db.r6g.large")), args: []string{"--dbaf-binary", "/bin/ls"},
			code: 2, stderr: []string{"static"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tag := uniqueTag(t, "bad")
			e := env
			if tt.env != nil {
				e = tt.env
			}
			if tt.fault != "" {
				// A fault applies to the whole account: this case gets its own.
				e = startSandbox(t)
				injectFault(t, envValue(e, "AWS_ENDPOINT_URL"), tt.fault)
			}
			r := runDbaf(t, e, append([]string{"build", tt.file(t, tag), "--yes"}, tt.args...)...)
			if r.code != tt.code {
				t.Errorf("exit %d, want %d\nstderr:\n%s", r.code, tt.code, r.stderr)
			}
			for _, want := range tt.stderr {
				if !strings.Contains(r.stderr, want) {
					t.Errorf("stderr lacks %q:\n%s", want, r.stderr)
				}
			}
			if imageExists(tag) {
				t.Errorf("image %s was left behind", tag)
			}
		})
	}
}

// subnetsInOneAZ asks the sandbox, through the AWS CLI, for two subnets of
// one VPC in the same AZ.
func subnetsInOneAZ(t *testing.T, env []string) []string {
	t.Helper()
	need(t, "aws", "--version")
	cmd := exec.Command("aws", "ec2", "describe-subnets", "--output", "json")
	cmd.Env = append(cleanEnv(t), env...)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("aws ec2 describe-subnets: %v", err)
	}
	var resp struct {
		Subnets []struct{ SubnetId, VpcId, AvailabilityZone string }
	}
	if err := json.Unmarshal(out, &resp); err != nil {
		t.Fatal(err)
	}
	byKey := map[string][]string{}
	for _, s := range resp.Subnets {
		k := s.VpcId + "/" + s.AvailabilityZone
		byKey[k] = append(byKey[k], s.SubnetId)
		if len(byKey[k]) == 2 {
			return byKey[k]
		}
	}
	t.Fatalf("no two subnets share an AZ in the sandbox seed: %s", out)
	return nil
}

func injectFault(t *testing.T, endpoint, spec string) {
	t.Helper()
	body, _ := json.Marshal(map[string]string{"spec": spec})
	resp, err := http.Post(endpoint+"/_sandbox/faults", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		t.Fatalf("injecting %s: HTTP %d", spec, resp.StatusCode)
	}
	t.Cleanup(func() {
		req, _ := http.NewRequest("DELETE", endpoint+"/_sandbox/faults", nil)
		if resp, err := http.DefaultClient.Do(req); err == nil {
			resp.Body.Close()
		}
	})
}

// TestSilentEndpointsFail: AWS, the Docker engine and a registry that
// accept and never answer make dbaf fail with their exit code and name the
// endpoint, instead of hanging until killed. DBAF_HTTP_TIMEOUT shortens the
// wait for the test.
func TestSilentEndpointsFail(t *testing.T) {
	t.Parallel()
	aws := "http://" + blackhole.Listen(t)
	awsEnv := []string{"AWS_ENDPOINT_URL=" + aws, "AWS_REGION=eu-west-1", "AWS_ACCESS_KEY_ID=AKIDTEST",
		"AWS_SECRET_ACCESS_KEY=secret", "DBAF_HTTP_TIMEOUT=300ms"}
	// Each case waits out its timeouts (the SDK's three attempts for AWS):
	// side by side, the test takes as long as the slowest.
	for _, args := range [][]string{{"list"}, {"teardown", "some-stack", "--yes"}} {
		t.Run(args[0], func(t *testing.T) {
			t.Parallel()
			r := runDbaf(t, awsEnv, args...)
			if r.code != cli.ExitAWS || !strings.Contains(r.stderr, "cannot reach "+aws) || !strings.Contains(r.stderr, "timed out") ||
				!strings.Contains(r.stderr, "AWS_ENDPOINT_URL") {
				t.Errorf("dbaf %v: exit %d, stderr:\n%s\nwant exit 3 naming %s and AWS_ENDPOINT_URL", args, r.code, r.stderr, aws)
			}
		})
	}

	t.Run("docker", func(t *testing.T) {
		t.Parallel()
		docker := "tcp://" + blackhole.Listen(t)
		ini := writeINI(t, "[source_db]\nsource_db_cluster_id = prod-aurora\n[target_db]\nsubnet_ids = source\ninstance_type = db.r6g.large\n")
		r := runDbaf(t, with(awsEnv, "DOCKER_HOST="+docker), "build", ini, "--yes", "--dbaf-binary", dbafBin)
		if r.code != cli.ExitDocker || !strings.Contains(r.stderr, docker) || !strings.Contains(r.stderr, "DOCKER_HOST") {
			t.Errorf("build: exit %d, stderr:\n%s\nwant exit 4 naming %s and DOCKER_HOST", r.code, r.stderr, docker)
		}
	})

	t.Run("registry", func(t *testing.T) {
		t.Parallel()
		registry := blackhole.Listen(t)
		r := runDbaf(t, with(awsEnv, "DOCKER_HOST=unix:///nonexistent/docker.sock", "DOCKER_CONFIG="+t.TempDir()), "show", "--image", registry+"/team/db-artifact:v1")
		if r.code != cli.ExitDocker || !strings.Contains(r.stderr, "registry "+registry+" gave no answer") {
			t.Errorf("show --image: exit %d, stderr:\n%s\nwant exit 4 naming the registry %s", r.code, r.stderr, registry)
		}
	})
}
