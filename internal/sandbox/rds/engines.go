package rds

import (
	"fmt"
	"strings"

	"github.com/dbaf/dbaf/internal/sandbox/state"
	"github.com/dbaf/dbaf/internal/sandbox/wire"
)

// engineNames are the engines DescribeDBEngineVersions lists when no
// Engine is given, in RDS's order.
var engineNames = []string{"aurora-mysql", "aurora-postgresql", "postgres"}

// describeDBEngineVersions lists the sandbox's engine versions, with the
// Serverless v2 capacity bounds of each (ServerlessV2FeaturesSupport), as
// RDS does: Engine and EngineVersion narrow the list, an unknown pair is
// an empty list (not an error), and it pages by MaxRecords/Marker.
func (s *Service) describeDBEngineVersions(c *wire.Call) *wire.APIError {
	max, err := maxRecords(c.Params, 100)
	if err != nil {
		return err
	}
	engines := engineNames
	if e := c.Params.Get("Engine"); e != "" {
		engines = []string{e}
	}
	version := c.Params.Get("EngineVersion")
	defaultOnly, _ := c.Params.Bool("DefaultOnly")
	type entry struct{ key, engine, version string }
	var list []entry
	for i, e := range engines {
		versions := state.EngineVersions(e)
		if defaultOnly && len(versions) > 0 {
			versions = versions[len(versions)-1:]
		}
		for j, v := range versions {
			// A version given may be a prefix ("15" lists 15.x), as RDS allows.
			if version == "" || v == version || strings.HasPrefix(v, version+".") {
				list = append(list, entry{fmt.Sprintf("%02d%04d", i, j), e, v})
			}
		}
	}
	pg, next, err := wire.Page(list, func(e entry) string { return e.key }, c.Params.Get("Marker"), max, badMarker)
	if err != nil {
		return err
	}
	x := &c.Out
	x.Open("DBEngineVersions")
	for _, e := range pg {
		x.Open("DBEngineVersion")
		x.Text("Engine", e.engine)
		x.Text("EngineVersion", e.version)
		x.Text("DBParameterGroupFamily", parameterGroupFamily(e.engine, e.version))
		x.Text("DBEngineDescription", engineDescription(e.engine))
		x.Text("DBEngineVersionDescription", engineDescription(e.engine)+" "+e.version)
		x.Text("Status", "available")
		x.Bool("SupportsReadReplica", true)
		x.Bool("SupportsGlobalDatabases", e.engine != "postgres")
		x.Strings("SupportedEngineModes", "member", []string{"provisioned"})
		if lo, hi, ok := state.ServerlessV2Limits(e.engine, e.version); ok {
			x.Open("ServerlessV2FeaturesSupport")
			x.Float("MinCapacity", lo)
			x.Float("MaxCapacity", hi)
			x.Close("ServerlessV2FeaturesSupport")
		}
		x.Close("DBEngineVersion")
	}
	x.Close("DBEngineVersions")
	x.Opt("Marker", next)
	return nil
}

func engineDescription(engine string) string {
	switch engine {
	case "aurora-postgresql":
		return "Aurora (PostgreSQL)"
	case "aurora-mysql":
		return "Aurora MySQL"
	}
	return "PostgreSQL"
}
