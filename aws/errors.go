package aws

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
	"syscall"

	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/credentials/ssocreds"
	"github.com/aws/smithy-go"
)

// Kind classifies an AWS failure by what the user can do about it; callers
// pick exit codes by it.
type Kind int

// Other is the zero value so that an Error built without a Kind is never
// mistaken for a more specific failure.
const (
	Other         Kind = iota
	NotFound           // the named resource does not exist (in this region and account)
	AccessDenied       // the identity lacks an IAM permission
	NoCredentials      // no usable credentials, or AWS rejected them
	ExpiredToken       // the session or SSO token has expired
	Throttled          // still throttled after the SDK's retries
	Unreachable        // the endpoint could not be reached
	InvalidInput       // AWS (or the local config) rejected a value
	AlreadyExists      // a resource of that name exists (e.g. a stack another caller created)
)

func (k Kind) String() string {
	switch k {
	case NotFound:
		return "NotFound"
	case AccessDenied:
		return "AccessDenied"
	case NoCredentials:
		return "NoCredentials"
	case ExpiredToken:
		return "ExpiredToken"
	case Throttled:
		return "Throttled"
	case Unreachable:
		return "Unreachable"
	case InvalidInput:
		return "InvalidInput"
	case AlreadyExists:
		return "AlreadyExists"
	case Other:
		return "Other"
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

// Error is an AWS failure explained for a user. Msg says what went wrong and
// what to do; Err keeps the SDK's error for logs and errors.Is.
type Error struct {
	Kind Kind
	Op   string // the IAM action, e.g. rds:DescribeDBClusters
	Msg  string
	Err  error
}

func (e *Error) Error() string { return e.Msg }
func (e *Error) Unwrap() error { return e.Err }

// Codes AWS uses across services for the same situation.
var (
	accessDeniedCodes = set("AccessDenied", "AccessDeniedException", "UnauthorizedOperation",
		"UnauthorizedAccess", "AuthorizationError", "Forbidden")
	expiredCodes = set("ExpiredToken", "ExpiredTokenException", "RequestExpired",
		"TokenRefreshRequired", "InvalidToken")
	badCredentialCodes = set("InvalidClientTokenId", "UnrecognizedClientException",
		"SignatureDoesNotMatch", "AuthFailure", "InvalidAccessKeyId", "IncompleteSignature",
		"MissingAuthenticationToken", "MissingAuthenticationTokenException", "InvalidSecurity")
	invalidCodes = set("InvalidParameterValue", "InvalidParameterCombination", "InvalidParameter",
		"InvalidParameterException", "MissingParameter", "ValidationError", "ValidationException",
		"InvalidInput", "InvalidAction")
)

func set(s ...string) map[string]bool {
	m := make(map[string]bool, len(s))
	for _, v := range s {
		m[v] = true
	}
	return m
}

// Explain turns an error from an SDK call into an *Error a user can act on.
// action is the IAM action that was attempted (e.g. "rds:DescribeDBClusters");
// when empty it is derived from the SDK's operation error. Explain returns
// nil for nil and an *Error unchanged.
func Explain(err error, action string) error {
	if err == nil {
		return nil
	}
	var done *Error
	if errors.As(err, &done) {
		return err
	}
	if action == "" {
		action = actionOf(err)
	}
	e := &Error{Kind: Other, Op: action, Err: err}

	var api smithy.APIError
	var creds *credentialsError
	switch {
	case errors.Is(err, context.Canceled):
		e.Msg = action + ": cancelled"
	case errors.Is(err, context.DeadlineExceeded):
		// A response timeout is a DeadlineExceeded too: name the endpoint.
		if !explainNetwork(e, err) {
			e.Msg = action + ": timed out before AWS answered"
		}
	case errors.As(err, &creds) || isCredentialFailure(err):
		explainCredentials(e, err)
	case errors.As(err, &api):
		explainAPI(e, api)
	default:
		if explainNetwork(e, err) {
			break
		}
		e.Msg = fmt.Sprintf("%s failed: %v", action, err)
	}
	return e
}

func explainAPI(e *Error, api smithy.APIError) {
	code, said := api.ErrorCode(), awsSaid(api.ErrorMessage())
	switch {
	case accessDeniedCodes[code]:
		e.Kind = AccessDenied
		e.Msg = deniedMsg(e.Op, api.ErrorMessage(), said)
	case expiredCodes[code]:
		e.Kind = ExpiredToken
		e.Msg = fmt.Sprintf("your AWS session has expired (%s): refresh your credentials, e.g. with \"aws sso login\", then try again%s", e.Op, said)
	case isThrottle(code):
		e.Kind = Throttled
		e.Msg = fmt.Sprintf("AWS is throttling %s even after retrying: wait a minute and try again%s", e.Op, said)
	case badCredentialCodes[code]:
		e.Kind = NoCredentials
		e.Msg = fmt.Sprintf("AWS rejected your credentials (%s) for %s: check AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, or refresh them with \"aws sso login\" or \"aws configure\"%s",
			code, e.Op, said)
	case strings.Contains(code, "NotFound"),
		code == "ValidationError" && strings.Contains(api.ErrorMessage(), "does not exist"):
		e.Kind = NotFound
		e.Msg = fmt.Sprintf("%s: %s", e.Op, messageOr(api))
	case invalidCodes[code] || strings.HasSuffix(code, ".Malformed"):
		e.Kind = InvalidInput
		e.Msg = fmt.Sprintf("AWS rejected %s: %s", e.Op, messageOr(api))
	default:
		e.Msg = fmt.Sprintf("%s failed: %s", e.Op, messageOr(api))
	}
}

// deniedMsg names the action, the resource AWS named (else the table's
// pattern) and the dbaf role whose policy grants the action.
func deniedMsg(action, awsMsg, said string) string {
	a, known := ActionNamed(action)
	if !known || a.NoPermission || len(a.Roles()) == 0 {
		return fmt.Sprintf("access denied: dbaf needs the IAM permission %s; ask your AWS administrator to grant %s to your role or user%s",
			action, action, said)
	}
	resource := a.Resource
	if m := deniedResource.FindStringSubmatch(awsMsg); m != nil {
		resource = m[1]
	}
	var cmds []string
	for _, r := range a.Roles() {
		cmds = append(cmds, "dbaf iam-policy --role "+string(r))
	}
	return fmt.Sprintf("access denied: dbaf needs the IAM permission %s on %s; it is in the policy %s prints (docs/iam.md): ask your AWS administrator for that role%s",
		action, resource, strings.Join(cmds, " or "), said)
}

func isThrottle(code string) bool {
	if _, ok := retry.DefaultThrottleErrorCodes[code]; ok {
		return true
	}
	return code == "Throttling" || code == "ThrottlingException" || code == "RequestLimitExceeded" ||
		code == "TooManyRequestsException" || code == "SlowDown"
}

func messageOr(api smithy.APIError) string {
	if m := api.ErrorMessage(); m != "" {
		return fmt.Sprintf("%s (%s)", m, api.ErrorCode())
	}
	return api.ErrorCode()
}

// awsSaid quotes AWS's own message (it usually names the identity), minus
// EC2's opaque encoded-authorization blob.
func awsSaid(m string) string {
	if i := strings.Index(m, "Encoded authorization failure message"); i >= 0 {
		m = strings.TrimRight(strings.TrimSpace(m[:i]), ".")
	}
	if m == "" {
		return ""
	}
	return " (AWS said: " + m + ")"
}

// isCredentialFailure recognizes credential failures that did not go through
// LoadConfig's marking (a config built elsewhere).
func isCredentialFailure(err error) bool {
	var empty *credentials.StaticCredentialsEmptyError
	var sso *ssocreds.InvalidTokenError
	if errors.As(err, &empty) || errors.As(err, &sso) {
		return true
	}
	s := err.Error()
	return strings.Contains(s, "failed to retrieve credentials") ||
		strings.Contains(s, "failed to refresh cached credentials") ||
		strings.Contains(s, "get identity: ")
}

func explainCredentials(e *Error, err error) {
	var sso *ssocreds.InvalidTokenError
	var api smithy.APIError
	if errors.As(err, &sso) || errors.As(err, &api) && expiredCodes[api.ErrorCode()] ||
		strings.Contains(strings.ToLower(err.Error()), "expired") {
		e.Kind = ExpiredToken
		e.Msg = fmt.Sprintf("your AWS credentials have expired (%s): refresh them, e.g. with \"aws sso login\" (add --profile if you use one), then try again", e.Op)
		return
	}
	e.Kind = NoCredentials
	detail := ""
	// Naming the SDK's last resort (instance metadata) only confuses people
	// who simply have no credentials; other failures are worth quoting.
	if s := err.Error(); !strings.Contains(s, "EC2 IMDS") && !strings.Contains(s, "static credentials are empty") {
		detail = " (" + lastCause(err) + ")"
	}
	e.Msg = fmt.Sprintf("no usable AWS credentials for %s%s: set AWS_PROFILE to a configured profile, run \"aws configure\" or \"aws sso login\", or export AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY; or pass --sandbox to try dbaf without AWS",
		e.Op, detail)
}

// lastCause is the innermost error's text: the SDK's wrapping adds nothing
// a user needs.
func lastCause(err error) string {
	for {
		next := errors.Unwrap(err)
		if next == nil {
			return err.Error()
		}
		err = next
	}
}

func explainNetwork(e *Error, err error) bool {
	var ue *url.Error
	var ne net.Error
	var oe *net.OpError
	var dns *net.DNSError
	if !errors.As(err, &ue) && !errors.As(err, &ne) && !errors.As(err, &oe) {
		return false
	}
	endpoint := "the AWS endpoint"
	if ue != nil {
		if u, perr := url.Parse(ue.URL); perr == nil && u.Host != "" {
			endpoint = u.Scheme + "://" + u.Host
		}
	}
	why := "the connection failed"
	switch {
	case errors.Is(err, syscall.ECONNREFUSED):
		why = "connection refused"
	case errors.As(err, &dns):
		why = "cannot resolve " + dns.Name
	case ne != nil && ne.Timeout(), errors.Is(err, context.DeadlineExceeded):
		why = "timed out"
	case errors.Is(err, syscall.ECONNRESET):
		why = "connection reset"
	}
	e.Kind = Unreachable
	e.Msg = fmt.Sprintf("cannot reach %s for %s (%s): check your network or proxy, and --endpoint-url or AWS_ENDPOINT_URL if you set one",
		endpoint, e.Op, why)
	return true
}

// actionOf derives "service:Operation" from the SDK's operation error.
func actionOf(err error) string {
	var op *smithy.OperationError
	if errors.As(err, &op) {
		svc := strings.ToLower(strings.ReplaceAll(op.ServiceID, " ", ""))
		return svc + ":" + op.OperationName
	}
	return "the AWS call"
}
