package sandbox

import (
	"fmt"
	"time"

	"github.com/dbaf/dbaf/aws/sandbox/cloudformation"
	"github.com/dbaf/dbaf/aws/sandbox/control"
	"github.com/dbaf/dbaf/aws/sandbox/wire"
)

// provider is the account as CloudFormation's resource provider: it
// creates and deletes subnet groups, security groups, DB clusters and DB
// instances in the account's state (cfn_resources.go).
type provider struct{ s *Server }

var _ cloudformation.Provider = provider{}

func (p provider) Schema(typ string) (cloudformation.Schema, bool) {
	props := allowedProps(typ)
	if props == nil {
		return cloudformation.Schema{}, false
	}
	sc := cloudformation.Schema{Properties: props, Attributes: attributes(typ)}
	if typ == "AWS::RDS::DBCluster" {
		sc.DeletionPolicy = "Snapshot" // CloudFormation's default for it
	}
	return sc, true
}

// ValidParameter checks the AWS-specific parameter types that name
// something in the account.
func (p provider) ValidParameter(typ, id string) bool {
	s := p.s
	s.mu.Lock()
	defer s.mu.Unlock()
	var ok bool
	switch typ {
	case "AWS::EC2::VPC::Id":
		_, ok = s.st.VPCs.Get(id)
	case "AWS::EC2::Subnet::Id":
		_, ok = s.st.Subnets.Get(id)
	case "AWS::EC2::SecurityGroup::Id":
		_, ok = s.st.SGs.Get(id)
	default:
		ok = true
	}
	return ok
}

func (p provider) Create(r cloudformation.Resource, m map[string]any) (*cloudformation.Created, error) {
	s := p.s
	s.mu.Lock()
	defer s.mu.Unlock()
	prov, err := s.provision(r, &props{m: m})
	if err != nil {
		return nil, err
	}
	r.PhysicalID = prov.physicalID
	return &cloudformation.Created{PhysicalID: prov.physicalID, Ref: prov.ref, Attrs: prov.attrs,
		Duration: createDuration(r.Type, prov.fullCopy), Ready: prov.ready,
		Done: func(err error) {
			s.mu.Lock()
			defer s.mu.Unlock()
			if err != nil {
				s.failProvisioned(r)
				return
			}
			s.finishCreate(r)
		}}, nil
}

func (p provider) Delete(r cloudformation.Resource, snapshot bool) (*cloudformation.Deletion, error) {
	s := p.s
	s.mu.Lock()
	defer s.mu.Unlock()
	note, snapshotID, err := s.startDelete(r, snapshot)
	if err != nil {
		return nil, err
	}
	return &cloudformation.Deletion{Note: note, Duration: deleteDuration(r.Type), Finish: func() {
		s.removeDatabase(r) // not under s.mu: stopping a server takes a moment
		s.mu.Lock()
		defer s.mu.Unlock()
		s.finishDelete(r, snapshotID)
	}}, nil
}

// resourceFault is the failure reason of an injected resource fault.
func (s *Server) resourceFault(logicalID string) (string, bool) {
	f, ok := s.ctl.TakeFault("cloudformation", control.ResourcePrefix+logicalID)
	if !ok {
		return "", false
	}
	if f.Message != "" {
		return f.Message, true
	}
	return fmt.Sprintf("Resource handler returned message: \"%s (failure injected by the sandbox)\" (RequestToken: %s, HandlerErrorCode: GeneralServiceException)", f.Code, wire.NewUUID()), true
}

// attributes lists the Fn::GetAtt attributes of each type.
func attributes(t string) []string {
	switch t {
	case "AWS::RDS::DBCluster":
		return []string{"Endpoint.Address", "Endpoint.Port", "ReadEndpoint.Address", "DBClusterArn", "DBClusterResourceId"}
	case "AWS::RDS::DBInstance":
		return []string{"Endpoint.Address", "Endpoint.Port", "Endpoint.HostedZoneId", "DBInstanceArn", "DbiResourceId"}
	case "AWS::EC2::SecurityGroup":
		return []string{"GroupId", "VpcId", "Id"}
	}
	return nil
}

// Durations at demo pace (Pace 1); a clone takes about 30 s.
func createDuration(typ string, fullCopy bool) time.Duration {
	switch typ {
	case "AWS::RDS::DBSubnetGroup":
		return time.Second
	case "AWS::EC2::SecurityGroup":
		return 2 * time.Second
	case "AWS::RDS::DBCluster":
		if fullCopy {
			return 20 * time.Second
		}
		return 12 * time.Second
	case "AWS::RDS::DBInstance":
		return 15 * time.Second
	}
	return time.Second
}

func deleteDuration(typ string) time.Duration {
	switch typ {
	case "AWS::RDS::DBCluster":
		return 6 * time.Second
	case "AWS::RDS::DBInstance":
		return 8 * time.Second
	}
	return time.Second
}
