package aws

import (
	"io"
	"os"
	"testing"

	"github.com/aws/smithy-go/logging"
)

// The SDK must not write its own log lines (IMDS fallback warnings…) to
// stderr: whatever it logs is discarded.
func TestLoadConfigSDKLogsNothing(t *testing.T) {
	t.Setenv("AWS_CONFIG_FILE", os.DevNull)
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", os.DevNull)
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	// The SDK's default logger binds os.Stderr when the config is loaded.
	stderr := os.Stderr
	os.Stderr = w
	cfg, err := LoadConfig(t.Context(), Options{Region: "eu-west-1", AccessKeyID: "AKID", SecretAccessKey: "secret"})
	if err == nil {
		cfg.Logger.Logf(logging.Warn, "falling back to IMDSv1: %s", "test")
	}
	os.Stderr = stderr
	w.Close()
	if err != nil {
		t.Fatal(err)
	}
	out, _ := io.ReadAll(r)
	if len(out) > 0 {
		t.Errorf("the SDK logger wrote to stderr: %q", out)
	}
}
