package aws

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
	"syscall"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/credentials/ssocreds"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// asSDK wraps an error the way the SDK hands it back from an operation.
func asSDK(service, op string, err error) error {
	return &smithy.OperationError{ServiceID: service, OperationName: op, Err: err}
}

// An AccessDenied on an action of the table names the resource AWS named
// and the role whose policy grants it; an unknown action keeps the generic advice.
func TestAccessDeniedNamesTheRole(t *testing.T) {
	awsMsg := "User: arn:aws:iam::1:user/dev is not authorized to perform: rds:ModifyDBCluster on resource: arn:aws:rds:eu-west-1:1:cluster:dev2-clone because no identity-based policy allows the rds:ModifyDBCluster action"
	e := wantKind(t, Explain(apiErr("AccessDenied", awsMsg), "rds:ModifyDBCluster"), AccessDenied)
	for _, want := range []string{"rds:ModifyDBCluster on arn:aws:rds:eu-west-1:1:cluster:dev2-clone", "dbaf iam-policy --role base or dbaf iam-policy --role clone", "AWS said: User:"} {
		if !strings.Contains(e.Msg, want) {
			t.Errorf("message lacks %q: %s", want, e.Msg)
		}
	}
	e = wantKind(t, Explain(apiErr("AccessDenied", "no"), "rds:CreateDBInstance"), AccessDenied)
	if !strings.Contains(e.Msg, "rds:CreateDBInstance on arn:aws:rds:REGION:ACCOUNT:db:NAME") {
		t.Errorf("without AWS's resource, the table's pattern: %s", e.Msg)
	}
	e = wantKind(t, Explain(apiErr("AccessDenied", "no"), "iam:CreateRole"), AccessDenied)
	if strings.Contains(e.Msg, "iam-policy") || !strings.Contains(e.Msg, "ask your AWS administrator to grant iam:CreateRole") {
		t.Errorf("an action outside the table: %s", e.Msg)
	}
}

func TestExplainAPICodes(t *testing.T) {
	const act = "rds:DescribeDBClusters"
	cases := []struct {
		code string
		kind Kind
		says []string
	}{
		{"AccessDenied", AccessDenied, []string{"access denied", act, "ask your AWS administrator", "AWS said: boom"}},
		{"AccessDeniedException", AccessDenied, []string{act, "administrator"}},
		{"UnauthorizedOperation", AccessDenied, []string{act, "administrator"}},
		{"ExpiredToken", ExpiredToken, []string{"expired", "aws sso login"}},
		{"ExpiredTokenException", ExpiredToken, []string{"aws sso login"}},
		{"RequestExpired", ExpiredToken, []string{"aws sso login"}},
		{"Throttling", Throttled, []string{"throttling", act, "wait a minute"}},
		{"ThrottlingException", Throttled, []string{"wait a minute"}},
		{"RequestLimitExceeded", Throttled, []string{"wait a minute"}},
		{"TooManyRequestsException", Throttled, []string{"wait a minute"}},
		{"DBClusterNotFoundFault", NotFound, []string{act, "boom"}},
		{"DBSubnetGroupNotFoundFault", NotFound, []string{"boom"}},
		{"InvalidSubnetID.NotFound", NotFound, []string{"boom"}},
		{"InvalidVpcID.NotFound", NotFound, []string{"boom"}},
		{"InvalidParameterValue", InvalidInput, []string{"AWS rejected", act, "boom (InvalidParameterValue)"}},
		{"InvalidParameterCombination", InvalidInput, []string{"boom"}},
		{"ValidationError", InvalidInput, []string{"boom"}},
		{"InvalidSubnetID.Malformed", InvalidInput, []string{"boom"}},
		{"InvalidClientTokenId", NoCredentials, []string{"rejected your credentials", "InvalidClientTokenId"}},
		{"SignatureDoesNotMatch", NoCredentials, []string{"rejected your credentials"}},
		{"AuthFailure", NoCredentials, []string{"rejected your credentials"}},
		{"InternalFailure", Other, []string{act, "failed", "boom"}},
	}
	for _, c := range cases {
		t.Run(c.code, func(t *testing.T) {
			err := Explain(asSDK("RDS", "DescribeDBClusters", apiErr(c.code, "boom")), act)
			e := wantKind(t, err, c.kind)
			for _, s := range c.says {
				if !strings.Contains(e.Msg, s) {
					t.Errorf("message %q lacks %q", e.Msg, s)
				}
			}
			if e.Op != act || e.Err == nil {
				t.Errorf("op %q err %v", e.Op, e.Err)
			}
			var api smithy.APIError
			if !errors.As(err, &api) || api.ErrorCode() != c.code {
				t.Error("the SDK error should stay reachable through Unwrap")
			}
		})
	}
}

func TestExplainDetails(t *testing.T) {
	t.Run("nil and already explained", func(t *testing.T) {
		if Explain(nil, "x") != nil {
			t.Error("nil should stay nil")
		}
		e := &Error{Kind: NotFound, Msg: "m"}
		if got := Explain(e, "x"); got != error(e) {
			t.Errorf("got %v", got)
		}
		wrapped := fmt.Errorf("resolving: %w", e)
		if got := Explain(wrapped, "x"); got != wrapped {
			t.Errorf("got %v, want the wrapped error unchanged", got)
		}
	})
	t.Run("action from the operation error", func(t *testing.T) {
		e := wantKind(t, Explain(asSDK("EC2", "DescribeSubnets", apiErr("UnauthorizedOperation", "")), ""), AccessDenied)
		if e.Op != "ec2:DescribeSubnets" || !strings.Contains(e.Msg, "ec2:DescribeSubnets") || strings.Contains(e.Msg, "AWS said") {
			t.Errorf("op %q msg %q", e.Op, e.Msg)
		}
	})
	t.Run("EC2 encoded message dropped", func(t *testing.T) {
		e := wantKind(t, Explain(apiErr("UnauthorizedOperation", "You are not authorized to perform this operation. Encoded authorization failure message: AbCdEf"), "ec2:DescribeVpcs"), AccessDenied)
		if strings.Contains(e.Msg, "AbCdEf") || !strings.Contains(e.Msg, "You are not authorized to perform this operation)") {
			t.Errorf("msg %q", e.Msg)
		}
	})
	t.Run("throttled after retries", func(t *testing.T) {
		err := asSDK("RDS", "DescribeDBClusters", &retry.MaxAttemptsError{Attempt: 3, Err: apiErr("Throttling", "Rate exceeded")})
		wantKind(t, Explain(err, "rds:DescribeDBClusters"), Throttled)
	})
	t.Run("cancelled", func(t *testing.T) {
		err := Explain(asSDK("RDS", "DescribeDBClusters", context.Canceled), "rds:DescribeDBClusters")
		wantKind(t, err, Other)
		if !errors.Is(err, context.Canceled) {
			t.Error("context.Canceled should stay reachable")
		}
	})
}

func TestExplainCredentials(t *testing.T) {
	cases := []struct {
		name string
		err  error
		kind Kind
		says []string
	}{
		{"marked", &credentialsError{errors.New("failed to refresh cached credentials, no EC2 IMDS role found")}, NoCredentials,
			[]string{"no usable AWS credentials", "AWS_PROFILE", "aws configure", "aws sso login", "AWS_ACCESS_KEY_ID", "--sandbox"}},
		{"marked with a reason", &credentialsError{errors.New("profile sso: token file not readable")}, NoCredentials,
			[]string{"(profile sso: token file not readable)", "--sandbox"}},
		{"unmarked SDK text", fmt.Errorf("get identity: %w", errors.New("failed to refresh cached credentials, no EC2 IMDS role found")), NoCredentials,
			[]string{"--sandbox"}},
		{"static empty", &credentials.StaticCredentialsEmptyError{}, NoCredentials, []string{"--sandbox"}},
		{"sso expired", &credentialsError{&ssocreds.InvalidTokenError{Err: errors.New("the SSO session has expired or is invalid")}}, ExpiredToken,
			[]string{"expired", "aws sso login"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := wantKind(t, Explain(asSDK("STS", "GetCallerIdentity", c.err), "sts:GetCallerIdentity"), c.kind)
			for _, s := range c.says {
				if !strings.Contains(e.Msg, s) {
					t.Errorf("message %q lacks %q", e.Msg, s)
				}
			}
			if strings.Contains(e.Msg, "IMDS") {
				t.Errorf("message %q mentions IMDS", e.Msg)
			}
		})
	}
}

func TestExplainNetwork(t *testing.T) {
	refused := &smithyhttp.RequestSendError{Err: &url.Error{Op: "Post", URL: "http://127.0.0.1:9/",
		Err: &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}}}
	e := wantKind(t, Explain(asSDK("RDS", "DescribeDBClusters", refused), "rds:DescribeDBClusters"), Unreachable)
	for _, s := range []string{"cannot reach http://127.0.0.1:9", "connection refused", "rds:DescribeDBClusters", "AWS_ENDPOINT_URL"} {
		if !strings.Contains(e.Msg, s) {
			t.Errorf("message %q lacks %q", e.Msg, s)
		}
	}
	dns := &url.Error{Op: "Post", URL: "https://rds.nowhere-1.amazonaws.com/", Err: &net.DNSError{Name: "rds.nowhere-1.amazonaws.com", Err: "no such host"}}
	e = wantKind(t, Explain(dns, "rds:DescribeDBClusters"), Unreachable)
	if !strings.Contains(e.Msg, "cannot resolve rds.nowhere-1.amazonaws.com") {
		t.Errorf("message %q", e.Msg)
	}
}

func TestKindString(t *testing.T) {
	for k, s := range map[Kind]string{NotFound: "NotFound", AccessDenied: "AccessDenied", NoCredentials: "NoCredentials",
		ExpiredToken: "ExpiredToken", Throttled: "Throttled", Unreachable: "Unreachable", InvalidInput: "InvalidInput", Other: "Other", 42: "Kind(42)"} {
		if k.String() != s {
			t.Errorf("%d.String() = %q, want %q", int(k), k.String(), s)
		}
	}
	var zero Error
	if zero.Kind != Other {
		t.Error("the zero Kind must be Other")
	}
}
