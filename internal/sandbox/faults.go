package sandbox

import (
	"github.com/dbaf/dbaf/internal/sandbox/control"
	"github.com/dbaf/dbaf/internal/sandbox/wire"
)

// Fault makes calls fail the way AWS fails them (see control.Fault).
type Fault = control.Fault

// ParseFault reads a fault spec: SERVICE:ACTION=CODE[:TIMES], e.g.
// "rds:DescribeDBClusters=AccessDenied", or
// cloudformation:Resource:LOGICALID=REASON, checked against the actions
// this account serves.
func ParseFault(spec string) (Fault, error) { return control.Parse(spec, knownActions) }

// Inject adds a fault; it applies from the next call on. Faults are checked
// in the order injected.
func (s *Server) Inject(f Fault) { s.ctl.Inject(f) }

// ClearFaults removes every injected fault.
func (s *Server) ClearFaults() { s.ctl.ClearFaults() }

// faultError is the AWS error a fault produces for a call to this account.
func (s *Server) faultError(f Fault, c *wire.Call) *wire.APIError {
	return f.APIError(c.Service.Name, c.Action, s.sts.UserARN(), s.resourceFor(c))
}

// resourceFor is the resource ARN (or pattern) an access-denied message
// names: for KMS and Secrets Manager the key or secret asked for.
func (s *Server) resourceFor(c *wire.Call) string {
	if c.Service.JSON {
		return s.keys.Resource(c)
	}
	switch c.Service.Name {
	case "rds":
		return "arn:aws:rds:" + s.region + ":" + s.account + ":cluster:*"
	case "cloudformation":
		return "arn:aws:cloudformation:" + s.region + ":" + s.account + ":stack/*"
	}
	return "*"
}
