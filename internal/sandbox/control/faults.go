package control

import (
	"encoding/base64"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/dbaf/dbaf/internal/sandbox/wire"
)

// Fault makes calls fail the way AWS fails them, so error paths can be
// shown and tested. With Service "cloudformation" and Action
// "Resource:LOGICALID" it instead fails that resource of any stack being
// created, with Message as the failure reason.
type Fault struct {
	Service string // "rds", "ec2", "sts", "cloudformation", "kms", "secretsmanager"
	Action  string // e.g. "DescribeDBClusters", or "Resource:Instance"
	Code    string // AWS error code: AccessDenied, Throttling, ExpiredToken, UnauthorizedOperation, ...
	Message string // optional; a realistic default per code otherwise
	Status  int    // optional HTTP status; default by code (400 for most, 403 for access and token errors)
	Times   int    // 0 = every call until cleared; N = the next N calls only
}

// ResourcePrefix marks a Fault that fails a stack resource rather than a call.
const ResourcePrefix = "Resource:"

// Behaviour faults: they change what a call does instead of failing it.
const (
	// PasswordNotApplied: ModifyDBCluster reports the new master password
	// applied, but the server keeps the old one.
	PasswordNotApplied = "PasswordNotApplied"
	// EndpointUnreachable: when ModifyDBCluster's password reset is
	// applied, the cluster's server stops, so its endpoint refuses
	// connections.
	EndpointUnreachable = "EndpointUnreachable"
)

// IsBehaviour reports whether a fault code is a behaviour fault.
func IsBehaviour(code string) bool {
	return code == PasswordNotApplied || code == EndpointUnreachable
}

var (
	codePattern    = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9]*(\.[A-Za-z0-9]+)*$`)
	logicalPattern = regexp.MustCompile(`^[A-Za-z0-9]+$`)
)

// Parse reads a fault spec: SERVICE:ACTION=CODE[:TIMES], e.g.
// "rds:DescribeDBClusters=AccessDenied" or
// "cloudformation:DescribeStackEvents=Throttling:3"; or
// cloudformation:Resource:LOGICALID=REASON, e.g.
// "cloudformation:Resource:Instance=Insufficient capacity", which fails
// that stack resource with REASON. knownActions lists the actions a
// service serves, nil for a service the sandbox does not emulate.
func Parse(spec string, knownActions func(service string) []string) (Fault, error) {
	const want = "want SERVICE:ACTION=CODE[:TIMES] (e.g. rds:DescribeDBClusters=AccessDenied or cloudformation:DescribeStackEvents=Throttling:3) or cloudformation:Resource:LOGICALID=REASON"
	spec = strings.TrimSpace(spec)
	left, right, ok := strings.Cut(spec, "=")
	if !ok {
		return Fault{}, fmt.Errorf("fault %q has no '=': %s", spec, want)
	}
	svc, act, ok := strings.Cut(strings.TrimSpace(left), ":")
	if !ok || svc == "" || act == "" {
		return Fault{}, fmt.Errorf("fault %q: %q is not SERVICE:ACTION; %s", spec, left, want)
	}
	svc = strings.ToLower(svc)
	actions := knownActions(svc)
	if actions == nil {
		return Fault{}, fmt.Errorf("fault %q: unknown service %q: the sandbox serves rds, ec2, sts, cloudformation, kms, secretsmanager and scheduler", spec, svc)
	}
	f := Fault{Service: svc, Action: act}

	if logical, isRes := strings.CutPrefix(act, ResourcePrefix); isRes {
		if svc != "cloudformation" {
			return Fault{}, fmt.Errorf("fault %q: resource faults belong to cloudformation, as cloudformation:Resource:LOGICALID=REASON", spec)
		}
		if !logicalPattern.MatchString(logical) {
			return Fault{}, fmt.Errorf("fault %q: %q is not a template logical id (letters and digits, e.g. Instance)", spec, logical)
		}
		f.Message = strings.TrimSpace(right)
		if f.Message == "" {
			return Fault{}, fmt.Errorf("fault %q: give the failure reason after '=', e.g. cloudformation:Resource:%s=Insufficient capacity", spec, logical)
		}
		return f, nil
	}

	if !slices.Contains(actions, act) {
		return Fault{}, fmt.Errorf("fault %q: the sandbox's %s has no action %q; it serves %s", spec, svc, act, strings.Join(actions, ", "))
	}
	code, times, hasTimes := strings.Cut(strings.TrimSpace(right), ":")
	if !codePattern.MatchString(code) {
		return Fault{}, fmt.Errorf("fault %q: %q is not an AWS error code (like AccessDenied, Throttling or InvalidSubnetID.NotFound)", spec, code)
	}
	f.Code = code
	if hasTimes {
		n, err := strconv.Atoi(times)
		if err != nil || n <= 0 {
			return Fault{}, fmt.Errorf("fault %q: TIMES %q is not a positive whole number (leave it out to fail every call)", spec, times)
		}
		f.Times = n
	}
	return f, nil
}

// APIError is the AWS error the fault produces for a call of svc:act, with
// AWS's own status and wording when the fault leaves them out. user is the
// caller's ARN, resource the ARN pattern an access-denied message names.
func (f Fault) APIError(svc, act, user, resource string) *wire.APIError {
	code := f.Code
	if code == "" {
		code = "InternalFailure"
	}
	status := f.Status
	if status == 0 {
		status = defaultStatus(code)
	}
	msg := f.Message
	if msg == "" {
		msg = defaultMessage(code, svc, act, user, resource)
	}
	return &wire.APIError{Status: status, Code: code, Message: msg}
}

func defaultStatus(code string) int {
	switch code {
	case "AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "ExpiredToken", "ExpiredTokenException",
		"InvalidClientTokenId", "SignatureDoesNotMatch", "MissingAuthenticationToken", "RequestExpired":
		return 403
	case "AuthFailure":
		return 401
	case "RequestLimitExceeded", "ServiceUnavailable", "Unavailable":
		return 503
	case "InternalFailure", "InternalError", "InternalServerError":
		return 500
	}
	if strings.HasSuffix(code, "NotFound") || strings.HasSuffix(code, "NotFoundFault") {
		return 404
	}
	return 400
}

func defaultMessage(code, svc, act, user, resource string) string {
	op := svc + ":" + act
	switch code {
	case "AccessDenied", "AccessDeniedException":
		return fmt.Sprintf("User: %s is not authorized to perform: %s on resource: %s because no identity-based policy allows the %s action",
			user, op, resource, op)
	case "UnauthorizedOperation":
		blob := base64.RawStdEncoding.EncodeToString([]byte("sandbox:" + op + ":" + user))
		return fmt.Sprintf("You are not authorized to perform this operation. User: %s is not authorized to perform: %s because no identity-based policy allows the %s action. Encoded authorization failure message: %s",
			user, op, op, blob)
	case "ExpiredToken", "ExpiredTokenException":
		return "The security token included in the request is expired"
	case "InvalidClientTokenId":
		return "The security token included in the request is invalid."
	case "SignatureDoesNotMatch":
		return "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method."
	case "AuthFailure":
		return "AWS was not able to validate the provided access credentials"
	case "Throttling", "ThrottlingException":
		return "Rate exceeded"
	case "RequestLimitExceeded":
		return "Request limit exceeded."
	case "ServiceUnavailable", "Unavailable":
		return "Service is unavailable. Please try again later."
	case "InternalFailure", "InternalError", "InternalServerError":
		return "An internal error has occurred. Please try again."
	}
	return fmt.Sprintf("%s (failure injected into %s by the sandbox)", code, op)
}
