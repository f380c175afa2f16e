package aws

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws/retry"

	"github.com/dbaf/dbaf/internal/blackhole"
)

// isolate gives the SDK an account-less machine: empty shared files, no
// AWS_* variables, no instance metadata.
func isolate(t *testing.T) (configFile string) {
	t.Helper()
	dir := t.TempDir()
	configFile = filepath.Join(dir, "config")
	creds := filepath.Join(dir, "credentials")
	for _, f := range []string{configFile, creds} {
		if err := os.WriteFile(f, nil, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	for _, kv := range os.Environ() {
		if k, _, _ := strings.Cut(kv, "="); strings.HasPrefix(k, "AWS_") {
			t.Setenv(k, "")
			os.Unsetenv(k) // t.Setenv restores it afterwards
		}
	}
	t.Setenv("AWS_CONFIG_FILE", configFile)
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", creds)
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	return configFile
}

// stsServer answers GetCallerIdentity, or status/body when given, and
// counts requests.
func stsServer(t *testing.T, status int, body string) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "text/xml")
		if status != 0 {
			w.WriteHeader(status)
			io.WriteString(w, body)
			return
		}
		io.WriteString(w, `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult>`+
			`<Arn>arn:aws:iam::123456789012:user/t</Arn><UserId>AIDATEST</UserId><Account>123456789012</Account>`+
			`</GetCallerIdentityResult><ResponseMetadata><RequestId>1</RequestId></ResponseMetadata></GetCallerIdentityResponse>`)
	}))
	t.Cleanup(srv.Close)
	return srv, &n
}

func staticOpts(endpoint string) Options {
	return Options{Region: "eu-west-1", EndpointURL: endpoint, AccessKeyID: "AKIDTEST", SecretAccessKey: "secret", MaxAttempts: 1}
}

func TestLoadConfigNoRegion(t *testing.T) {
	isolate(t)
	_, err := LoadConfig(context.Background(), Options{})
	e := wantKind(t, err, InvalidInput)
	if e.Msg != "no AWS region: pass --region, set AWS_REGION, or set region in your profile" {
		t.Errorf("message = %q", e.Msg)
	}
}

func TestLoadConfigUnknownProfile(t *testing.T) {
	cfgFile := isolate(t)
	for name, o := range map[string]Options{"flag": {Profile: "nope", Region: "eu-west-1"}, "env": {Region: "eu-west-1"}} {
		t.Run(name, func(t *testing.T) {
			if name == "env" {
				t.Setenv("AWS_PROFILE", "nope")
			}
			_, err := LoadConfig(context.Background(), o)
			e := wantKind(t, err, InvalidInput)
			if !strings.Contains(e.Msg, `AWS profile "nope" does not exist`) || !strings.Contains(e.Msg, cfgFile) {
				t.Errorf("message = %q", e.Msg)
			}
		})
	}
}

func TestLoadConfigProfileRegionAndAdaptiveRetries(t *testing.T) {
	cfgFile := isolate(t)
	os.WriteFile(cfgFile, []byte("[profile dev]\nregion = eu-central-1\n"), 0o600)
	cfg, err := LoadConfig(context.Background(), Options{Profile: "dev"})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Region != "eu-central-1" {
		t.Errorf("region = %q", cfg.Region)
	}
	if _, ok := cfg.Retryer().(*retry.AdaptiveMode); !ok {
		t.Errorf("retryer = %T, want adaptive", cfg.Retryer())
	}
	if got := cfg.Retryer().MaxAttempts(); got != 3 {
		t.Errorf("default max attempts = %d, want the SDK's 3", got)
	}
	cfg, _ = LoadConfig(context.Background(), Options{Profile: "dev", Region: "us-east-2", MaxAttempts: 1})
	if cfg.Region != "us-east-2" || cfg.Retryer().MaxAttempts() != 1 {
		t.Errorf("flags should win: region %q attempts %d", cfg.Region, cfg.Retryer().MaxAttempts())
	}
}

// The SDK honors AWS_ENDPOINT_URL by itself; EndpointURL overrides it.
func TestEndpoint(t *testing.T) {
	isolate(t)
	viaEnv, nEnv := stsServer(t, 0, "")
	viaFlag, nFlag := stsServer(t, 0, "")
	t.Setenv("AWS_ENDPOINT_URL", viaEnv.URL)
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIDTEST")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "secret")
	t.Setenv("AWS_REGION", "eu-west-1")

	cfg, err := LoadConfig(context.Background(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	id, err := New(cfg).CallerIdentity(context.Background())
	if err != nil || id.Account != "123456789012" || nEnv.Load() != 1 {
		t.Fatalf("via AWS_ENDPOINT_URL: %+v, %v, %d requests", id, err, nEnv.Load())
	}

	cfg, err = LoadConfig(context.Background(), Options{EndpointURL: viaFlag.URL})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := New(cfg).CallerIdentity(context.Background()); err != nil || nFlag.Load() != 1 || nEnv.Load() != 1 {
		t.Fatalf("via EndpointURL: %v; flag %d env %d requests", err, nFlag.Load(), nEnv.Load())
	}
}

func TestNoCredentials(t *testing.T) {
	isolate(t)
	srv, n := stsServer(t, 0, "")
	cfg, err := LoadConfig(context.Background(), Options{Region: "eu-west-1", EndpointURL: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	_, err = New(cfg).CallerIdentity(context.Background())
	e := wantKind(t, err, NoCredentials)
	for _, s := range []string{"sts:GetCallerIdentity", "AWS_PROFILE", "aws sso login", "--sandbox"} {
		if !strings.Contains(e.Msg, s) {
			t.Errorf("message %q lacks %q", e.Msg, s)
		}
	}
	if n.Load() != 0 {
		t.Error("nothing should be sent without credentials")
	}
}

func TestSDKErrorsThroughHTTP(t *testing.T) {
	isolate(t)
	errBody := func(code, msg string) string {
		return `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type><Code>` + code +
			`</Code><Message>` + msg + `</Message></Error><RequestId>1</RequestId></ErrorResponse>`
	}
	cases := []struct {
		status   int
		code     string
		attempts int
		kind     Kind
		requests int32
	}{
		{403, "AccessDenied", 3, AccessDenied, 1},
		{403, "ExpiredToken", 3, ExpiredToken, 1},
		{400, "Throttling", 1, Throttled, 1},
		{400, "Throttling", 2, Throttled, 2}, // the SDK retries before we explain
		{403, "InvalidClientTokenId", 3, NoCredentials, 1},
	}
	for _, c := range cases {
		t.Run(c.code, func(t *testing.T) {
			srv, n := stsServer(t, c.status, errBody(c.code, "from the test"))
			o := staticOpts(srv.URL)
			o.MaxAttempts = c.attempts
			cfg, err := LoadConfig(context.Background(), o)
			if err != nil {
				t.Fatal(err)
			}
			_, err = New(cfg).CallerIdentity(context.Background())
			wantKind(t, err, c.kind)
			if n.Load() != c.requests {
				t.Errorf("%d requests, want %d", n.Load(), c.requests)
			}
		})
	}
}

func TestUnreachable(t *testing.T) {
	isolate(t)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close() // nothing listens there now
	cfg, err := LoadConfig(context.Background(), staticOpts("http://"+addr))
	if err != nil {
		t.Fatal(err)
	}
	_, err = New(cfg).Clusters(context.Background())
	e := wantKind(t, err, Unreachable)
	if !strings.Contains(e.Msg, "cannot reach http://"+addr+" for rds:DescribeDBClusters (connection refused)") {
		t.Errorf("message = %q", e.Msg)
	}
}

// The NotFound path end to end through the SDK's Query protocol: RDS's
// fault code, then STS for the account.
func TestClusterNotFoundThroughHTTP(t *testing.T) {
	isolate(t)
	var actions []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.ParseForm()
		actions = append(actions, r.Form.Get("Action"))
		w.Header().Set("Content-Type", "text/xml")
		switch r.Form.Get("Action") {
		case "DescribeDBClusters":
			w.WriteHeader(404)
			io.WriteString(w, `<ErrorResponse xmlns="http://rds.amazonaws.com/doc/2014-10-31/"><Error><Type>Sender</Type>`+
				`<Code>DBClusterNotFoundFault</Code><Message>DBCluster prod-auror not found.</Message></Error><RequestId>1</RequestId></ErrorResponse>`)
		case "GetCallerIdentity":
			io.WriteString(w, `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult>`+
				`<Arn>arn:aws:iam::210987654321:user/t</Arn><UserId>AIDATEST</UserId><Account>210987654321</Account>`+
				`</GetCallerIdentityResult></GetCallerIdentityResponse>`)
		default:
			w.WriteHeader(400)
		}
	}))
	defer srv.Close()
	cfg, err := LoadConfig(context.Background(), staticOpts(srv.URL))
	if err != nil {
		t.Fatal(err)
	}
	_, err = New(cfg).Cluster(context.Background(), "prod-auror")
	e := wantKind(t, err, NotFound)
	if !strings.HasPrefix(e.Msg, `no DB cluster "prod-auror" in eu-west-1 (account 210987654321); `) {
		t.Errorf("message = %q", e.Msg)
	}
	if strings.Join(actions, ",") != "DescribeDBClusters,GetCallerIdentity" {
		t.Errorf("actions = %v", actions)
	}
}

func TestSilentEndpointTimesOut(t *testing.T) {
	isolate(t)
	endpoint := "http://" + blackhole.Listen(t)
	cfg, err := LoadConfig(context.Background(), Options{Region: "eu-west-1", EndpointURL: endpoint,
		AccessKeyID: "AKIDTEST", SecretAccessKey: "secret", MaxAttempts: 2,
		ConnectTimeout: 100 * time.Millisecond, ResponseTimeout: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	// The outer deadline only keeps the old code from hanging the test.
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	_, err = New(cfg).CallerIdentity(ctx)
	var e *Error
	if !errors.As(err, &e) || e.Kind != Unreachable {
		t.Fatalf("err = %v, want an Unreachable *Error", err)
	}
	for _, want := range []string{endpoint, "timed out", "AWS_ENDPOINT_URL"} {
		if !strings.Contains(e.Msg, want) {
			t.Errorf("message lacks %q: %s", want, e.Msg)
		}
	}
	if ctx.Err() != nil {
		t.Error("the call ran into the test's own deadline: the response timeout did not apply")
	}
}
