package aws

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/smithy-go/logging"
)

// Options choose the account, region and endpoint dbaf talks to. Empty
// fields fall back to the SDK's own defaults (AWS_PROFILE, AWS_REGION,
// AWS_ENDPOINT_URL, the shared config and credentials files).
type Options struct {
	Profile, Region, EndpointURL string
	// Static credentials, used by the in-process sandbox; empty means the
	// standard credential chain (env, profiles, SSO, instance roles).
	AccessKeyID, SecretAccessKey string
	HTTPClient                   *http.Client // optional
	// MaxAttempts caps the adaptive retryer's attempts per call; 0 keeps the
	// SDK default. Tests set 1 so that throttling fails fast.
	MaxAttempts int
	// ConnectTimeout and ResponseTimeout bound each attempt (the TCP and
	// TLS handshake; the wait for response headers), so an endpoint that
	// accepts and never answers fails instead of hanging. 0 = the defaults.
	// Ignored when HTTPClient is set.
	ConnectTimeout, ResponseTimeout time.Duration
}

// Default timeouts. Every call dbaf makes is a small describe/create that
// AWS answers in well under a second; with the SDK's 3 attempts a silent
// endpoint fails in about 40 s.
const (
	DefaultConnectTimeout  = 5 * time.Second
	DefaultResponseTimeout = 12 * time.Second
)

// httpClient is the SDK's own client with dbaf's timeouts.
func httpClient(o Options) *awshttp.BuildableClient {
	connect, response := o.ConnectTimeout, o.ResponseTimeout
	if connect <= 0 {
		connect = DefaultConnectTimeout
	}
	if response <= 0 {
		response = DefaultResponseTimeout
	}
	return awshttp.NewBuildableClient().
		WithDialerOptions(func(d *net.Dialer) { d.Timeout = connect }).
		WithTransportOptions(func(t *http.Transport) {
			t.TLSHandshakeTimeout = connect
			t.ResponseHeaderTimeout = response
		})
}

// LoadConfig builds the SDK config from o: adaptive retries, the endpoint
// override, static or chained credentials. It fails when no region can be
// found, because every dbaf call is regional and the SDK would otherwise
// fail later with a less helpful message.
func LoadConfig(ctx context.Context, o Options) (awssdk.Config, error) {
	opts := []func(*config.LoadOptions) error{
		// The SDK logs to stderr by itself ("SDK … WARN falling back to
		// IMDSv1" when no instance metadata answers): dbaf's output is its
		// own, and every failure reaches it as an error anyway.
		config.WithLogger(logging.Nop{}),
		config.WithRetryer(func() awssdk.Retryer {
			return retry.NewAdaptiveMode(func(ao *retry.AdaptiveModeOptions) {
				if o.MaxAttempts > 0 {
					ao.StandardOptions = append(ao.StandardOptions, func(so *retry.StandardOptions) {
						so.MaxAttempts = o.MaxAttempts
					})
				}
			})
		}),
	}
	if o.Profile != "" {
		opts = append(opts, config.WithSharedConfigProfile(o.Profile))
	}
	if o.Region != "" {
		opts = append(opts, config.WithRegion(o.Region))
	}
	// AWS_ENDPOINT_URL (and AWS_ENDPOINT_URL_<SERVICE>) are read by the SDK
	// itself; the flag only needs to win over them.
	if o.EndpointURL != "" {
		opts = append(opts, config.WithBaseEndpoint(o.EndpointURL))
	}
	if o.AccessKeyID != "" || o.SecretAccessKey != "" {
		opts = append(opts, config.WithCredentialsProvider(
			credentials.NewStaticCredentialsProvider(o.AccessKeyID, o.SecretAccessKey, "")))
	}
	if o.HTTPClient != nil {
		opts = append(opts, config.WithHTTPClient(o.HTTPClient))
	} else {
		opts = append(opts, config.WithHTTPClient(httpClient(o)))
	}

	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return awssdk.Config{}, explainConfigError(err)
	}
	if cfg.Region == "" {
		return awssdk.Config{}, &Error{Kind: InvalidInput, Op: "LoadConfig",
			Msg: "no AWS region: pass --region, set AWS_REGION, or set region in your profile"}
	}
	if cfg.Credentials != nil {
		// Mark retrieval failures so Explain can tell "no credentials" from
		// every other failure without matching SDK message text.
		cfg.Credentials = awssdk.NewCredentialsCache(markedCredentials{cfg.Credentials})
	}
	return cfg, nil
}

func explainConfigError(err error) error {
	var noProfile config.SharedConfigProfileNotExistError
	if errors.As(err, &noProfile) {
		// The SDK leaves Filename empty, so name the files it read.
		files := noProfile.Filename
		if len(files) == 0 {
			files = []string{
				envOr("AWS_CONFIG_FILE", config.DefaultSharedConfigFilename()),
				envOr("AWS_SHARED_CREDENTIALS_FILE", config.DefaultSharedCredentialsFilename()),
			}
		}
		return &Error{Kind: InvalidInput, Op: "LoadConfig", Err: err, Msg: fmt.Sprintf(
			"AWS profile %q does not exist in %s; check --profile or AWS_PROFILE (list profiles with \"aws configure list-profiles\"), or create it with \"aws configure --profile %s\"",
			noProfile.Profile, strings.Join(files, " or "), noProfile.Profile)}
	}
	return &Error{Kind: InvalidInput, Op: "LoadConfig", Err: err,
		Msg: "loading the AWS configuration (~/.aws/config, ~/.aws/credentials, AWS_* variables): " + err.Error()}
}

func envOr(key, def string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return def
}

// credentialsError marks a failure to obtain credentials, as opposed to a
// failure of the request they would have signed.
type credentialsError struct{ err error }

func (e *credentialsError) Error() string { return "retrieving AWS credentials: " + e.err.Error() }
func (e *credentialsError) Unwrap() error { return e.err }

type markedCredentials struct{ p awssdk.CredentialsProvider }

func (m markedCredentials) Retrieve(ctx context.Context) (awssdk.Credentials, error) {
	c, err := m.p.Retrieve(ctx)
	if err != nil {
		return c, &credentialsError{err}
	}
	return c, nil
}

// ProviderSources keeps the SDK's credential-source reporting intact.
func (m markedCredentials) ProviderSources() []awssdk.CredentialSource {
	if s, ok := m.p.(awssdk.CredentialProviderSource); ok {
		return s.ProviderSources()
	}
	return nil
}
