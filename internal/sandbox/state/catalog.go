package state

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/dbaf/dbaf/internal/engine"
	"github.com/dbaf/dbaf/internal/sandbox/wire"
)

// The catalog: what the region offers and the rules RDS applies to what
// is asked of it, shared by the RDS API and CloudFormation.

// AZs are the region's three availability zones.
func AZs(region string) []string {
	return []string{region + "a", region + "b", region + "c"}
}

// AZID maps an AZ name to its zone id (eu-west-1a -> euw1-az1), as EC2
// reports it beside the name.
func AZID(az string) string {
	if az == "" {
		return ""
	}
	region, letter := az[:len(az)-1], az[len(az)-1]
	short := map[string]string{"north": "n", "south": "s", "east": "e", "west": "w", "central": "c",
		"northeast": "ne", "northwest": "nw", "southeast": "se", "southwest": "sw"}
	parts := strings.Split(region, "-")
	var b strings.Builder
	for i, p := range parts {
		if i > 0 && i < len(parts)-1 {
			if s, ok := short[p]; ok {
				p = s
			}
		}
		b.WriteString(p)
	}
	return fmt.Sprintf("%s-az%d", b.String(), int(letter-'a')+1)
}

// EngineVersions are the versions the sandbox's RDS offers, per engine.
func EngineVersions(engine string) []string {
	switch engine {
	case "aurora-postgresql":
		return []string{"13.12", "14.9", "15.5", "15.8", "16.4", "16.6"}
	case "aurora-mysql":
		return []string{"8.0.mysql_aurora.3.04.3", "8.0.mysql_aurora.3.05.2", "8.0.mysql_aurora.3.08.0"}
	case "postgres":
		return []string{"16.3"}
	}
	return nil
}

// Orderable is one DescribeOrderableDBInstanceOptions entry.
type Orderable struct {
	Engine, Version, Class, Storage string
	AZs                             []string
}

// OrderableOptions lists what may be ordered for an engine version. Like
// RDS, it repeats a class per storage type (Aurora standard and
// I/O-Optimized), and the largest classes are only in two of the AZs.
func OrderableOptions(engine, version string, zones []string) []Orderable {
	sizes := func(family string, list ...string) []string {
		out := make([]string, len(list))
		for i, s := range list {
			out[i] = "db." + family + "." + s
		}
		return out
	}
	std := []string{"large", "xlarge", "2xlarge", "4xlarge", "8xlarge", "12xlarge", "16xlarge"}
	var classes []string
	storages := []string{"aurora", "aurora-iopt1"}
	switch engine {
	case "aurora-postgresql", "aurora-mysql":
		classes = append(classes, sizes("r5", append(std, "24xlarge")...)...)
		classes = append(classes, sizes("r6g", std...)...)
		classes = append(classes, sizes("r6i", append(std, "24xlarge", "32xlarge")...)...)
		classes = append(classes, sizes("r7g", std...)...)
		classes = append(classes, sizes("x2g", std...)...)
		if engine == "aurora-postgresql" && version >= "14" {
			// Optimized Reads classes (local NVMe), PostgreSQL 14.9 and later.
			classes = append(classes, sizes("r6gd", "xlarge", "2xlarge", "4xlarge", "8xlarge", "12xlarge", "16xlarge")...)
			classes = append(classes, sizes("r6id", "xlarge", "2xlarge", "4xlarge", "8xlarge", "12xlarge", "16xlarge", "24xlarge", "32xlarge")...)
		}
		if version == "16.4" || version == "16.6" || version == "8.0.mysql_aurora.3.08.0" {
			classes = append(classes, sizes("r8g", append(std, "24xlarge", "48xlarge")...)...)
		}
		classes = append(classes, sizes("t3", "medium", "large")...)
		classes = append(classes, sizes("t4g", "medium", "large")...)
		classes = append(classes, "db.serverless")
	case "postgres":
		storages = []string{"io1", "gp3"}
		classes = append(classes, sizes("m6gd", "large", "xlarge", "2xlarge", "4xlarge", "8xlarge", "12xlarge", "16xlarge")...)
		classes = append(classes, sizes("r6gd", "large", "xlarge", "2xlarge", "4xlarge", "8xlarge", "12xlarge", "16xlarge")...)
	default:
		return nil
	}
	var out []Orderable
	for _, class := range classes {
		where := zones
		if strings.HasPrefix(class, "db.x2g.") || strings.HasSuffix(class, ".24xlarge") || strings.HasSuffix(class, ".32xlarge") || strings.HasSuffix(class, ".48xlarge") {
			where = zones[:2]
		}
		for _, sto := range storages {
			out = append(out, Orderable{Engine: engine, Version: version, Class: class, Storage: sto, AZs: where})
		}
	}
	return out
}

// IsOrderable reports whether class can be ordered for the engine version.
func IsOrderable(engine, version, class string) bool {
	for _, o := range OrderableOptions(engine, version, []string{"a", "b", "c"}) {
		if o.Class == class {
			return true
		}
	}
	return false
}

func KnownVersion(engine, version string) bool {
	for _, v := range EngineVersions(engine) {
		if v == version {
			return true
		}
	}
	return false
}

// HostedZone is the Route 53 zone RDS endpoints of the region live in.
const HostedZone = "Z29XKXDKYMONMX"

// LicenseModel is the license of an engine's instances.
func LicenseModel(engine string) string {
	if strings.Contains(engine, "postgres") {
		return "postgresql-license"
	}
	return "general-public-license"
}

// HashPassword is all the sandbox keeps of a password: a salted SHA-256,
// enough to tell that it changed and never enough to show it.
func HashPassword(pw string) string {
	salt := wire.NewUUID()
	sum := sha256.Sum256([]byte(salt + pw))
	return salt + ":" + hex.EncodeToString(sum[:])
}

// PasswordProblem checks a master password as RDS does; "" means valid.
// The message never contains the password.
// Aurora's rule is engine.MasterPasswordMin to Max characters for both
// engines.
func PasswordProblem(pw string) string {
	switch {
	case len(pw) < engine.MasterPasswordMin:
		return fmt.Sprintf(" because it is shorter than %d characters.", engine.MasterPasswordMin)
	case len(pw) > engine.MasterPasswordMax:
		return fmt.Sprintf(" because it is longer than %d characters.", engine.MasterPasswordMax)
	}
	for _, r := range pw {
		if !engine.MasterPasswordChar(r) {
			return ". Only printable ASCII characters besides '/', '@', '\"', ' ' may be used."
		}
	}
	return ""
}

// ServerlessV2Limits are the Aurora Serverless v2 capacity bounds of an
// engine version, as DescribeDBEngineVersions reports them
// (ServerlessV2FeaturesSupport); ok is false for engines without Serverless
// v2. Aurora's rules: a minimum of 0 ACUs (auto-pause) from Aurora
// PostgreSQL 13.15, 14.12, 15.7 and 16.3 and Aurora MySQL 3.08.0, else 0.5;
// a maximum of 256 ACUs from Aurora PostgreSQL 13.13, 14.10, 15.5 and 16.1
// and Aurora MySQL 3.06.0, else 128.
func ServerlessV2Limits(engine, version string) (minACU, maxACU float64, ok bool) {
	var pause, big bool
	switch engine {
	case "aurora-postgresql":
		pause = atLeast(version, map[int]int{13: 15, 14: 12, 15: 7, 16: 3})
		big = atLeast(version, map[int]int{13: 13, 14: 10, 15: 5, 16: 1})
	case "aurora-mysql":
		minor := 0
		if _, rest, found := strings.Cut(version, "mysql_aurora.3."); found {
			fmt.Sscanf(rest, "%d", &minor)
		}
		pause, big = minor >= 8, minor >= 6
	default:
		return 0, 0, false
	}
	minACU, maxACU = 0.5, 128
	if pause {
		minACU = 0
	}
	if big {
		maxACU = 256
	}
	return minACU, maxACU, true
}

// atLeast reports whether a "major.minor" version is at or past the
// minor given for its major; majors newer than all of them are.
func atLeast(version string, from map[int]int) bool {
	var major, minor int
	if n, _ := fmt.Sscanf(version, "%d.%d", &major, &minor); n < 1 {
		return false
	}
	newest := 0
	for m := range from {
		newest = max(newest, m)
	}
	if major > newest {
		return true
	}
	least, listed := from[major]
	return listed && minor >= least
}
