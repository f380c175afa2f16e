package sandbox_test

import (
	"context"
	"errors"
	"testing"
	"time"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	"github.com/aws/aws-sdk-go-v2/service/scheduler"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"

	"github.com/dbaf/dbaf/internal/sandbox"
)

// clients are the real SDK v2 clients, pointed at one sandbox.
type clients struct {
	sb  *sandbox.Server
	url string
	rds *rds.Client
	ec2 *ec2.Client
	sts *sts.Client
	cfn *cloudformation.Client
	kms *kms.Client
	sm  *secretsmanager.Client
	sch *scheduler.Client
}

// start serves a sandbox on loopback for the test and builds SDK clients
// for it.
func start(t testing.TB, o sandbox.Options) *clients {
	t.Helper()
	sb := sandbox.New(o)
	url, err := sb.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(sb.Close)
	c := clientsFor(t, url)
	c.sb = sb
	return c
}

// clientsFor builds SDK clients for the sandbox at url: static keys, its
// region, and no retries, so that every injected fault reaches the test
// exactly once.
func clientsFor(t testing.TB, url string) *clients { return clientsIn(t, url, "eu-west-1") }

// connectionRetryer retries only what the transport gets wrong, never an
// AWS error: an injected fault still reaches the test exactly once, but a
// keep-alive connection net/http closes under a response ("use of closed
// network connection", aws-sdk-go-v2#2737) does not fail a test, as it
// does not fail dbaf, whose client retries it too.
func connectionRetryer() awssdk.Retryer {
	return retry.NewStandard(func(o *retry.StandardOptions) {
		o.Retryables = []retry.IsErrorRetryable{retry.RetryableConnectionError{}}
		o.MaxAttempts = 3
		o.MaxBackoff = 100 * time.Millisecond
	})
}

// clientsIn is clientsFor with requests signed for region.
func clientsIn(t testing.TB, url, region string) *clients {
	cfg := awssdk.Config{
		Region:       region,
		BaseEndpoint: awssdk.String(url),
		Credentials: awssdk.CredentialsProviderFunc(func(context.Context) (awssdk.Credentials, error) {
			return awssdk.Credentials{AccessKeyID: "sandbox", SecretAccessKey: "sandbox", Source: "test"}, nil
		}),
		Retryer: connectionRetryer,
	}
	return &clients{url: url, rds: rds.NewFromConfig(cfg), ec2: ec2.NewFromConfig(cfg),
		sts: sts.NewFromConfig(cfg), cfn: cloudformation.NewFromConfig(cfg), kms: kms.NewFromConfig(cfg), sm: secretsmanager.NewFromConfig(cfg),
		sch: scheduler.NewFromConfig(cfg)}
}

// wantAPIError checks that err is an AWS error with the code, and returns
// its message and HTTP status.
func wantAPIError(t testing.TB, err error, code string) (msg string, status int) {
	t.Helper()
	var api smithy.APIError
	if !errors.As(err, &api) {
		t.Fatalf("err = %v, want AWS error %s", err, code)
	}
	if api.ErrorCode() != code {
		t.Fatalf("code = %s (%s), want %s", api.ErrorCode(), api.ErrorMessage(), code)
	}
	var re *awshttp.ResponseError
	if errors.As(err, &re) {
		status = re.HTTPStatusCode()
	}
	return api.ErrorMessage(), status
}

func ctx(t testing.TB) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return c
}

// eventually polls cond until it holds or the deadline passes; tests never
// assert on elapsed time.
func eventually(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
