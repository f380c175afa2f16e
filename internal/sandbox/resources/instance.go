package resources

import (
	"slices"
	"strconv"
	"strings"

	"github.com/dbaf/dbaf/internal/sandbox/cloudformation"
	"github.com/dbaf/dbaf/internal/sandbox/state"
	"github.com/dbaf/dbaf/internal/sandbox/wire"
)

func (pr *Provider) provisionInstance(r cloudformation.Resource, p *props) (*provisioned, error) {
	id := strings.ToLower(p.str("DBInstanceIdentifier"))
	clusterID := strings.ToLower(p.str("DBClusterIdentifier"))
	class, engine := p.str("DBInstanceClass"), p.str("Engine")
	public, _ := p.boolean("PubliclyAccessible")
	tier, hasTier := p.integer("PromotionTier")
	az, subnetGroupName := p.str("AvailabilityZone"), strings.ToLower(p.str("DBSubnetGroupName"))
	tags := p.tags("Tags")
	if err := p.check(r.LogicalID); err != nil {
		return nil, err
	}
	// Settings that belong to an Aurora cluster, not its instances.
	for _, k := range []string{"MasterUsername", "MasterUserPassword", "BackupRetentionPeriod", "VPCSecurityGroups", "AllocatedStorage", "StorageEncrypted"} {
		if p.has(k) {
			what := map[string]string{"MasterUsername": "master user name", "MasterUserPassword": "master user password",
				"BackupRetentionPeriod": "backup retention period", "VPCSecurityGroups": "VPC security groups",
				"AllocatedStorage": "allocated storage", "StorageEncrypted": "storage encryption"}[k]
			return nil, rdsErr(400, "InvalidParameterCombination", "The requested DB Instance will be a member of a DB Cluster. Set %s for the DB Cluster.", what)
		}
	}
	if clusterID == "" {
		return nil, rdsErr(400, "InvalidParameterValue", "The sandbox creates only Aurora DB instances in a DB cluster: set DBClusterIdentifier.")
	}
	cl, ok := pr.st.FindCluster(clusterID)
	if !ok {
		return nil, rdsErr(404, "DBClusterNotFoundFault", "DBCluster %s not found.", clusterID)
	}
	if cl.Status != "available" {
		return nil, rdsErr(400, "InvalidDBClusterStateFault", "DB cluster %s is not in the available state (it is %s).", cl.ID, cl.Status)
	}
	if cl.MultiAZ {
		return nil, rdsErr(400, "InvalidParameterCombination", "DB cluster %s is a Multi-AZ DB cluster: RDS creates its instances itself.", cl.ID)
	}
	if engine == "" {
		return nil, rdsErr(400, "InvalidParameterValue", "The parameter Engine must be provided and must not be blank.")
	}
	if engine != cl.Engine {
		return nil, rdsErr(400, "InvalidParameterCombination", "The engine name requested for your DB instance (%s) doesn't match the engine name of your DB cluster (%s).", engine, cl.Engine)
	}
	if class == "" {
		return nil, rdsErr(400, "InvalidParameterValue", "The parameter DBInstanceClass must be provided and must not be blank.")
	}
	if !state.IsOrderable(cl.Engine, cl.Version, class) {
		return nil, rdsErr(400, "InvalidParameterCombination",
			"RDS does not support creating a DB instance with the following combination: DBInstanceClass=%s, Engine=%s, EngineVersion=%s, LicenseModel=%s. For supported combinations of instance class and database engine version, see the documentation.",
			class, cl.Engine, cl.Version, state.LicenseModel(cl.Engine))
	}
	if class == "db.serverless" && cl.Serverless == nil {
		return nil, rdsErr(400, "InvalidParameterCombination", "Set the Serverless v2 scaling configuration on the parent DB cluster %s before creating a Serverless v2 DB instance.", cl.ID)
	}
	if subnetGroupName != "" && subnetGroupName != cl.SubnetGroup {
		return nil, rdsErr(400, "InvalidParameterCombination", "The DB instance's subnet group %s must be its DB cluster's, %s.", subnetGroupName, cl.SubnetGroup)
	}
	zones := state.AZs(pr.region)
	if g, ok := pr.st.SubnetGroups.Get(cl.SubnetGroup); ok {
		zones = pr.st.SubnetAZs(g.SubnetIDs)
		if public && !pr.st.HasInternetGateway(g.VPCID) {
			// RDS's words for a public instance where the internet cannot reach.
			return nil, rdsErr(400, "InvalidVPCNetworkStateFault", "Cannot create a publicly accessible DBInstance. The specified VPC has no internet gateway attached.Update the VPC and then try again")
		}
	}
	if az == "" {
		az = zones[len(cl.Members)%len(zones)]
	} else if !slices.Contains(zones, az) {
		return nil, rdsErr(400, "InvalidParameterCombination", "Availability zone %s is not in the DB cluster's subnet group (%s).", az, strings.Join(zones, ", "))
	}
	if id == "" {
		id = generatedName(r, 63, true)
	}
	if err := checkIdentifier("DBInstanceIdentifier", id); err != nil {
		return nil, err
	}
	if _, exists := pr.st.Instances.Get(id); exists {
		return nil, rdsErr(400, "DBInstanceAlreadyExists", "DB instance already exists")
	}
	if n, max := int64(pr.st.Instances.Len()), pr.acct.Quota("db-instances"); n >= max {
		return nil, rdsErr(400, "InstanceQuotaExceeded", "Cannot create DB instance %s: the account's quota of %d DB instances (DBInstances) is used up, %d exist. Delete instances or request a quota increase.", id, max, n)
	}
	if !hasTier {
		tier = 1
	}
	in := &state.Instance{ID: id, ResourceID: "db-" + wire.RandomSuffix(26, wire.UpperAlnum), Cluster: cl.ID, Class: class, Engine: cl.Engine,
		Version: cl.Version, Status: "creating", AZ: az, Created: pr.st.Clock.Now(), Public: public, Tier: tier, Tags: resourceTags(r, tags)}
	pr.st.Instances.Put(id, in)
	hasWriter := slices.ContainsFunc(cl.Members, func(m state.Member) bool { return m.Writer })
	cl.Members = append(cl.Members, state.Member{Instance: id, Writer: !hasWriter, Tier: tier})
	return &provisioned{physicalID: id, ref: id, attrs: map[string]string{
		"Endpoint.Address":      pr.acct.InstanceEndpoint(id),
		"Endpoint.Port":         strconv.Itoa(cl.Port),
		"Endpoint.HostedZoneId": state.HostedZone,
		"DBInstanceArn":         pr.acct.InstanceARN(id),
		"DbiResourceId":         in.ResourceID,
	}}, nil
}
