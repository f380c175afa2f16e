package resources

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/dbaf/dbaf/internal/sandbox/cloudformation"
	"github.com/dbaf/dbaf/internal/sandbox/state"
	"github.com/dbaf/dbaf/internal/sandbox/wire"
)

// provisioned is what creating a resource gave: its ids and attributes.
type provisioned struct {
	physicalID, ref string
	attrs           map[string]string
	fullCopy        bool         // a full-copy restore, slower than a clone
	ready           <-chan error // the copy of a real database server, if any
}

// provision validates a resource against the account and creates it there,
// in its initial state. Callers hold pr.mu.
func (pr *Provider) provision(r cloudformation.Resource, p *props) (*provisioned, error) {
	switch r.Type {
	case "AWS::RDS::DBSubnetGroup":
		return pr.provisionSubnetGroup(r, p)
	case "AWS::EC2::SecurityGroup":
		return pr.provisionSecurityGroup(r, p)
	case "AWS::RDS::DBCluster":
		return pr.provisionCluster(r, p)
	case "AWS::RDS::DBInstance":
		return pr.provisionInstance(r, p)
	case "AWS::IAM::Role":
		return pr.provisionRole(r, p)
	case "AWS::Scheduler::Schedule":
		return pr.provisionSchedule(r, p)
	}
	return nil, fmt.Errorf("the sandbox cannot create %s", r.Type)
}

// resourceTags are a resource's own tags, then the stack's, then the
// aws:cloudformation ones CloudFormation adds to everything it creates.
func resourceTags(r cloudformation.Resource, own []state.Tag) []state.Tag {
	out := slices.Clone(own)
	for _, t := range r.StackTags {
		if _, dup := state.TagValue(out, t.Key); !dup {
			out = append(out, state.Tag{Key: t.Key, Value: t.Value})
		}
	}
	return append(out,
		state.Tag{Key: "aws:cloudformation:stack-name", Value: r.StackName},
		state.Tag{Key: "aws:cloudformation:logical-id", Value: r.LogicalID},
		state.Tag{Key: "aws:cloudformation:stack-id", Value: r.StackID})
}

// generatedName is the name CloudFormation makes up for a resource whose
// template gives none: stack, logical id and a random suffix, trimmed to
// the service's limit.
func generatedName(r cloudformation.Resource, maxLen int, lower bool) string {
	suffix := wire.RandomSuffix(12, wire.LowerAlnum)
	base := r.StackName + "-" + r.LogicalID
	if lower {
		base = strings.ToLower(base)
	} else {
		suffix = wire.RandomSuffix(13, wire.UpperAlnum)
	}
	if room := maxLen - len(suffix) - 1; len(base) > room {
		base = strings.TrimRight(base[:room], "-")
	}
	return base + "-" + suffix
}

var rdsIdentifier = regexp.MustCompile(`^[a-z][a-z0-9]*(-[a-z0-9]+)*$`)

func checkIdentifier(param, id string) error {
	if len(id) > 63 || !rdsIdentifier.MatchString(id) {
		return rdsErr(400, "InvalidParameterValue", "The parameter %s is not a valid identifier. Identifiers must begin with a letter; must contain only ASCII letters, digits, and hyphens; and must not end with a hyphen or contain two consecutive hyphens.", param)
	}
	return nil
}
