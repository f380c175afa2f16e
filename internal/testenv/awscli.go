package testenv

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// AWSCLI runs the AWS CLI, an independent client with its own protocol code
// (botocore), against the sandbox at url in its default region, eu-west-1.
// The machine's AWS settings are kept out.
func AWSCLI(tb testing.TB, url string, args ...string) (stdout, stderr string, err error) {
	tb.Helper()
	Need(tb, "aws", "--version")
	cmd := exec.Command("aws", append([]string{"--endpoint-url", url, "--region", "eu-west-1", "--output", "json"}, args...)...)
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "AWS_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, "AWS_ACCESS_KEY_ID=sandbox", "AWS_SECRET_ACCESS_KEY=sandbox",
		"AWS_CONFIG_FILE=/dev/null", "AWS_SHARED_CREDENTIALS_FILE=/dev/null", "AWS_PAGER=", "AWS_EC2_METADATA_DISABLED=true")
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err = cmd.Run()
	return out.String(), errb.String(), err
}

// AWSCLIJSON runs the AWS CLI as AWSCLI does and decodes its JSON output
// into v, failing the test when either fails.
func AWSCLIJSON(tb testing.TB, url string, v any, args ...string) {
	tb.Helper()
	stdout, stderr, err := AWSCLI(tb, url, args...)
	if err != nil {
		tb.Fatalf("aws %s: %v\n%s", strings.Join(args, " "), err, stderr)
	}
	if err := json.Unmarshal([]byte(stdout), v); err != nil {
		tb.Fatalf("aws %s printed %q: %v", strings.Join(args, " "), stdout, err)
	}
}
