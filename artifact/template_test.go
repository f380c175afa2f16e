package artifact

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"maps"
	"net/netip"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/dbaf/dbaf/config"
)

var updateGolden = flag.Bool("update", false, "rewrite the golden templates in testdata/template")

// The official CloudFormation resource schemas, copied byte for byte from
// cfn-lint (testdata/cfn-schemas/README.md says from where), so the check
// runs on any fresh clone.
var cfnSchemaDir = filepath.Join("testdata", "cfn-schemas")

var cfnSchemaFiles = map[string]string{
	"AWS::RDS::DBCluster":      "aws-rds-dbcluster.json",
	"AWS::RDS::DBInstance":     "aws-rds-dbinstance.json",
	"AWS::RDS::DBSubnetGroup":  "aws-rds-dbsubnetgroup.json",
	"AWS::EC2::SecurityGroup":  "aws-ec2-securitygroup.json",
	"AWS::IAM::ManagedPolicy":  "aws-iam-managedpolicy.json", // dbaf iam-policy -o cloudformation
	"AWS::Scheduler::Schedule": "aws-scheduler-schedule.json",
	"AWS::IAM::Role":           "aws-iam-role.json",
}

const tmplStack = "dbartifact1764000000-prod-clone"

func tmplPostgres() *Artifact {
	return &Artifact{
		SchemaVersion: SchemaVersion,
		Created:       time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC),
		Image:         "registry.example.com/dataops/orders-db:2026-11",
		Publisher:     "dataops@example.com",
		Region:        "eu-west-1",
		Account:       "111122223333",
		CloneTTL:      Duration(72 * time.Hour),
		Source:        Source{ClusterID: "orders-prod", Engine: "aurora-postgresql", EngineVersion: "16.4", Port: 5432, MasterUsername: "orders_admin"},
		Target: Target{
			InstanceClass: "db.r6g.large", SubnetsFrom: "source", SourceSubnetGroup: "orders-prod-subnets",
			VpcID: "vpc-0a1b2c3d4e5f60718", VpcCIDR: "10.20.0.0/16", AllowedCIDR: "10.20.0.0/16",
			Subnets: []Subnet{
				{ID: "subnet-0aaa1111bbbb2222c", AZ: "eu-west-1a", CIDR: "10.20.1.0/24"},
				{ID: "subnet-0ddd3333eeee4444f", AZ: "eu-west-1b", CIDR: "10.20.2.0/24"},
				{ID: "subnet-0123456789abcdef0", AZ: "eu-west-1c", CIDR: "10.20.3.0/24"},
			},
		},
	}
}

type tmplCase struct {
	name   string
	stack  string
	a      *Artifact
	expiry *Expiry // the schedule that deletes the clone; nil = none
}

// tmplCases covers every shape a template takes.
func tmplCases() []tmplCase {
	mysql := tmplPostgres()
	at := time.Date(2026, 11, 24, 23, 30, 0, 0, time.FixedZone("CEST", 2*3600))
	mysql.Source = Source{ClusterID: "shop-mysql", Engine: "aurora-mysql", EngineVersion: "8.0.mysql_aurora.3.08.0", Port: 3306, MasterUsername: "admin", RestoreToTime: &at}
	mysql.Target.SubnetsFrom, mysql.Target.SourceSubnetGroup, mysql.Target.AllowedCIDR = "list", "", "10.20.4.0/24"
	mysql.Image = "db-artifact:latest"
	mysql.CloneTTL = 0

	snap := tmplPostgres()
	snap.Source.SnapshotIdentifier = "orders-prod-2026-11-24"

	serverless := tmplPostgres()
	serverless.Target.InstanceClass = config.ServerlessClass
	serverless.Target.Serverless = &Scaling{Min: 0.5, Max: 16}

	public := tmplPostgres()
	public.Target.PubliclyAccessible = true
	public.Target.AllowedCIDR = "203.0.113.0/24"

	windows := tmplPostgres()
	windows.Target.BackupRetention = 7
	windows.Target.BackupWindow = "03:00-04:00"
	windows.Target.MaintenanceWindow = "sun:05:00-sun:06:00"

	return []tmplCase{
		{"postgres-latest", tmplStack, tmplPostgres(), nil},
		{"mysql-restore-time", "alice-shop-test", mysql, nil},
		{"snapshot", "orders-from-snapshot", snap, nil},
		{"serverless", tmplStack, serverless, nil},
		{"public", "public-clone-1", public, nil},
		{"windows", tmplStack, windows, nil},
		{"expiring", "pr-42", tmplPostgres(), &Expiry{At: time.Date(2026, 11, 27, 18, 0, 0, 0, time.UTC),
			RoleARN: "arn:aws:iam::111122223333:role/dbaf-account-ExpiryRole-ABCDEFGHIJKL"}},
	}
}

// renderTemplate generates a case's template and decodes it the way the
// validator wants it (numbers as json.Number).
func renderTemplate(t *testing.T, c tmplCase) ([]byte, map[string]any) {
	t.Helper()
	b, err := ExpiringTemplate(c.a, c.stack, c.expiry)
	if err != nil {
		t.Fatalf("Template(%s): %v", c.name, err)
	}
	return b, decodeTemplate(t, b)
}

func decodeTemplate(t *testing.T, b []byte) map[string]any {
	t.Helper()
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("template is not JSON: %v\n%s", err, b)
	}
	m, ok := doc.(map[string]any)
	if !ok {
		t.Fatalf("template is not a JSON object")
	}
	return m
}

func resourcesOfTemplate(t *testing.T, tmpl map[string]any) map[string]map[string]any {
	t.Helper()
	rs, ok := tmpl["Resources"].(map[string]any)
	if !ok {
		t.Fatalf("template has no Resources object")
	}
	out := map[string]map[string]any{}
	for id, r := range rs {
		m, ok := r.(map[string]any)
		if !ok {
			t.Fatalf("resource %s is not an object", id)
		}
		out[id] = m
	}
	return out
}

func props(t *testing.T, tmpl map[string]any, id string) map[string]any {
	t.Helper()
	r, ok := resourcesOfTemplate(t, tmpl)[id]
	if !ok {
		t.Fatalf("no resource %s", id)
	}
	p, ok := r["Properties"].(map[string]any)
	if !ok {
		t.Fatalf("resource %s has no Properties", id)
	}
	return p
}

// --- schema validation -------------------------------------------------

// cfnSchema is one resource type's registry schema: compiled for the JSON
// Schema keywords, and raw for the keywords a generic validator ignores
// (readOnlyProperties, requiredXor, dependentExcluded, primaryIdentifier).
type cfnSchema struct {
	raw      map[string]any
	compiled *jsonschema.Schema
}

var loadCfnSchemas = sync.OnceValues(func() (map[string]*cfnSchema, error) {
	c := jsonschema.NewCompiler()
	// Draft 2020-12 enforces dependentRequired (e.g. MasterUserPassword
	// needs MasterUsername); AssertFormat turns formats into checks, and the
	// AWS formats we can judge are registered below. Unknown ones are ignored.
	c.DefaultDraft(jsonschema.Draft2020)
	c.AssertFormat()
	c.UseRegexpEngine(ecmaRegexp)
	for _, f := range cfnFormats {
		c.RegisterFormat(f)
	}
	out := map[string]*cfnSchema{}
	for typ, file := range cfnSchemaFiles {
		path := filepath.Join(cfnSchemaDir, file)
		f, err := os.Open(path)
		if err != nil {
			return nil, fmt.Errorf("CloudFormation schemas not found (want them in %s): %w", cfnSchemaDir, err)
		}
		doc, err := jsonschema.UnmarshalJSON(f)
		f.Close()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		raw := doc.(map[string]any)
		// The SecurityGroup schema's $schema points at an https metaschema
		// the default loader cannot fetch; the draft is set above instead.
		delete(raw, "$schema")
		url := "file:///cfn-schemas/" + file
		if err := c.AddResource(url, raw); err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		sch, err := c.Compile(url)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		out[typ] = &cfnSchema{raw: raw, compiled: sch}
	}
	return out, nil
})

func cfnSchemas(t *testing.T) map[string]*cfnSchema {
	t.Helper()
	s, err := loadCfnSchemas()
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// ecmaRegexp compiles a schema pattern (ECMA-262 syntax) with Go's RE2,
// which spells the \uXXXX escapes of the IAM schemas as \x{XXXX}. A
// pattern RE2 cannot read at all (the Scheduler schema's lookaheads, on
// EventBridge targets dbaf never uses) matches anything instead of
// failing the load.
func ecmaRegexp(pattern string) (jsonschema.Regexp, error) {
	re, err := regexp.Compile(uEscape.ReplaceAllString(pattern, `\x{$1}`))
	if err != nil && strings.Contains(pattern, "(?=") {
		return anything(pattern), nil
	}
	return re, err
}

type anything string

func (a anything) String() string        { return string(a) }
func (anything) MatchString(string) bool { return true }

var uEscape = regexp.MustCompile(`\\u([0-9A-Fa-f]{4})`)

// cfnFormats checks the AWS-specific formats whose shape is known.
var cfnFormats = []*jsonschema.Format{
	{Name: "ipv4-network", Validate: func(v any) error {
		s, ok := v.(string)
		if !ok {
			return nil
		}
		p, err := netip.ParsePrefix(s)
		if err != nil || !p.Addr().Is4() {
			return fmt.Errorf("%q is not an IPv4 CIDR", s)
		}
		return nil
	}},
	idFormat("AWS::EC2::VPC.Id", `^vpc-[0-9a-f]{8,17}$`),
	idFormat("AWS::EC2::SecurityGroup.Id", `^sg-[0-9a-f]{8,17}$`),
}

func idFormat(name, pattern string) *jsonschema.Format {
	re := regexp.MustCompile(pattern)
	return &jsonschema.Format{Name: name, Validate: func(v any) error {
		if s, ok := v.(string); ok && !re.MatchString(s) {
			return fmt.Errorf("%q does not match %s", s, pattern)
		}
		return nil
	}}
}

// formatExamples are plausible resolved values for attributes of a format.
var formatExamples = map[string]any{
	"AWS::EC2::SecurityGroup.Id": "sg-0123456789abcdef0",
	"AWS::EC2::VPC.Id":           "vpc-0123456789abcdef0",
}

// checkTemplate validates every resource's Properties against its type's
// schema and returns every problem found. Intrinsic functions are replaced
// by a plausible value of the type the referenced attribute has in the
// target's schema, which is what CloudFormation will pass at deploy time;
// so a Ref or GetAtt of the wrong type, or to a missing resource or a
// non-readable attribute, is a problem too.
func checkTemplate(schemas map[string]*cfnSchema, tmpl map[string]any) []string {
	var problems []string
	rs, _ := tmpl["Resources"].(map[string]any)
	types := map[string]string{}
	for id, r := range rs {
		m, _ := r.(map[string]any)
		typ, _ := m["Type"].(string)
		types[id] = typ
	}
	res := &resolver{schemas: schemas, types: types}

	for _, id := range slices.Sorted(maps.Keys(rs)) {
		m, _ := rs[id].(map[string]any)
		typ := types[id]
		sch, ok := schemas[typ]
		if !ok {
			problems = append(problems, fmt.Sprintf("%s: no schema for type %q", id, typ))
			continue
		}
		p, _ := m["Properties"].(map[string]any)
		if p == nil {
			p = map[string]any{}
		}
		for _, ro := range stringsOf(sch.raw["readOnlyProperties"]) {
			name := strings.TrimPrefix(ro, "/properties/")
			if _, set := p[name]; set && !strings.Contains(name, "/") {
				problems = append(problems, fmt.Sprintf("%s: sets read-only property %s", id, name))
			}
		}
		resolved := res.resolve(p, id+".Properties")
		if err := sch.compiled.Validate(resolved); err != nil {
			problems = append(problems, fmt.Sprintf("%s (%s): %v", id, typ, err))
		}
		problems = append(problems, requiredXor(sch.raw, sch.raw, resolved, id)...)
		for key, excluded := range objectOf(sch.raw["dependentExcluded"]) {
			if _, set := p[key]; !set {
				continue
			}
			for _, x := range stringsOf(excluded) {
				if _, set := p[x]; set {
					problems = append(problems, fmt.Sprintf("%s: %s excludes %s (dependentExcluded)", id, key, x))
				}
			}
		}
	}
	res.resolve(tmpl["Outputs"], "Outputs")
	return append(problems, res.problems...)
}

type resolver struct {
	schemas  map[string]*cfnSchema
	types    map[string]string // logical id → resource type
	problems []string
}

// resolve returns v with every intrinsic function replaced by a value.
func (r *resolver) resolve(v any, at string) any {
	switch v := v.(type) {
	case map[string]any:
		if len(v) == 1 {
			for k, arg := range v {
				if k == "Ref" || strings.HasPrefix(k, "Fn::") {
					return r.intrinsic(k, arg, at)
				}
			}
		}
		out := make(map[string]any, len(v))
		for k, x := range v {
			out[k] = r.resolve(x, at+"."+k)
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, x := range v {
			out[i] = r.resolve(x, fmt.Sprintf("%s[%d]", at, i))
		}
		return out
	}
	return v
}

func (r *resolver) intrinsic(fn string, arg any, at string) any {
	bad := func(format string, args ...any) any {
		r.problems = append(r.problems, at+": "+fmt.Sprintf(format, args...))
		return nil
	}
	switch fn {
	case "Ref":
		id, _ := arg.(string)
		if id == "AWS::AccountId" {
			return "111122223333" // a pseudo parameter: the account's id, a string
		}
		typ, ok := r.types[id]
		if !ok {
			return bad("Ref %q: no such resource in the template", id)
		}
		sch := r.schemas[typ]
		if sch == nil {
			return bad("Ref %q: no schema for %s", id, typ)
		}
		// Ref returns the primary identifier.
		ids := stringsOf(sch.raw["primaryIdentifier"])
		if len(ids) != 1 {
			return bad("Ref %q: %s has a compound identifier", id, typ)
		}
		return plausible(sch.raw, schemaAt(sch.raw, ids[0]))
	case "Fn::GetAtt":
		var id, attr string
		switch a := arg.(type) {
		case []any:
			if len(a) == 2 {
				id, _ = a[0].(string)
				attr, _ = a[1].(string)
			}
		case string:
			id, attr, _ = strings.Cut(a, ".")
		}
		typ, ok := r.types[id]
		if !ok {
			return bad("Fn::GetAtt %v: no such resource in the template", arg)
		}
		sch := r.schemas[typ]
		if sch == nil {
			return bad("Fn::GetAtt %v: no schema for %s", arg, typ)
		}
		ptr := "/properties/" + strings.ReplaceAll(attr, ".", "/")
		if !slices.Contains(stringsOf(sch.raw["readOnlyProperties"]), ptr) {
			return bad("Fn::GetAtt %s.%s: %s lists no such read-only attribute", id, attr, typ)
		}
		return plausible(sch.raw, schemaAt(sch.raw, ptr))
	}
	if s, ok := arg.(string); ok && fn == "Fn::Sub" {
		// Only pseudo parameters are substituted (the setup role's ARNs).
		for _, p := range []string{"${AWS::Partition}", "${AWS::Region}", "${AWS::AccountId}"} {
			s = strings.ReplaceAll(s, p, "x")
		}
		if strings.Contains(s, "${") {
			return bad("Fn::Sub %q: only pseudo parameters are substituted", arg)
		}
		return s
	}
	// The templates use Ref, GetAtt and Fn::Sub of pseudo parameters only; teach this resolver any other
	// function before the template uses it.
	return bad("%s: intrinsic function not understood by this test", fn)
}

// schemaAt follows a /properties/A/B pointer through properties and $refs.
func schemaAt(root map[string]any, ptr string) map[string]any {
	node := root
	for _, name := range strings.Split(strings.TrimPrefix(ptr, "/properties/"), "/") {
		node = deref(root, node)
		node = objectOf(objectOf(node["properties"])[name])
		if node == nil {
			return nil
		}
	}
	return deref(root, node)
}

func deref(root, node map[string]any) map[string]any {
	for node != nil {
		ref, ok := node["$ref"].(string)
		if !ok {
			return node
		}
		node = objectOf(objectOf(root["definitions"])[strings.TrimPrefix(ref, "#/definitions/")])
	}
	return nil
}

// plausible is a concrete value of the schema's type, as CloudFormation
// would substitute it.
func plausible(root, node map[string]any) any {
	if node == nil {
		return "unknown-attribute"
	}
	if f, ok := node["format"].(string); ok {
		if v, ok := formatExamples[f]; ok {
			return v
		}
	}
	switch node["type"] {
	case "integer":
		return 1
	case "number":
		return 1.5
	case "boolean":
		return true
	case "array":
		return []any{plausible(root, deref(root, objectOf(node["items"])))}
	case "object":
		return map[string]any{}
	}
	return "resolved-value"
}

// requiredXor is cfn-lint's "exactly one of" keyword, which JSON Schema
// validators ignore; it guards the security group rules.
func requiredXor(root, node map[string]any, v any, at string) []string {
	node = deref(root, node)
	if node == nil {
		return nil
	}
	var problems []string
	switch v := v.(type) {
	case map[string]any:
		if xor := stringsOf(node["requiredXor"]); len(xor) > 0 {
			n := 0
			for _, k := range xor {
				if _, ok := v[k]; ok {
					n++
				}
			}
			if n != 1 {
				problems = append(problems, fmt.Sprintf("%s: has %d of %v, want exactly one (requiredXor)", at, n, xor))
			}
		}
		ps := objectOf(node["properties"])
		for _, k := range slices.Sorted(maps.Keys(v)) {
			if sub := objectOf(ps[k]); sub != nil {
				problems = append(problems, requiredXor(root, sub, v[k], at+"."+k)...)
			}
		}
	case []any:
		for i, x := range v {
			problems = append(problems, requiredXor(root, objectOf(node["items"]), x, fmt.Sprintf("%s[%d]", at, i))...)
		}
	}
	return problems
}

func objectOf(v any) map[string]any { m, _ := v.(map[string]any); return m }

func stringsOf(v any) []string {
	a, _ := v.([]any)
	var out []string
	for _, x := range a {
		if s, ok := x.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

func TestTemplateMatchesResourceSchemas(t *testing.T) {
	schemas := cfnSchemas(t)
	for _, c := range tmplCases() {
		t.Run(c.name, func(t *testing.T) {
			_, tmpl := renderTemplate(t, c)
			for _, p := range checkTemplate(schemas, tmpl) {
				t.Error(p)
			}
		})
	}
}

// The schema check must be able to fail: each broken template here is one
// CloudFormation (or cfn-lint) would reject.
func TestSchemaCheckRejectsBrokenTemplates(t *testing.T) {
	schemas := cfnSchemas(t)
	ingress := func(tmpl map[string]any) map[string]any {
		return props(t, tmpl, "SecurityGroup")["SecurityGroupIngress"].([]any)[0].(map[string]any)
	}
	for _, tc := range []struct {
		name   string
		mutate func(tmpl map[string]any)
		want   string
	}{
		{"unknown property", func(m map[string]any) { props(t, m, "Cluster")["EngineVersionX"] = "16.4" }, "EngineVersionX"},
		{"bad enum", func(m map[string]any) { props(t, m, "Cluster")["DatabaseInsightsMode"] = "premium" }, "DatabaseInsightsMode"},
		{"wrong type", func(m map[string]any) { props(t, m, "Cluster")["Port"] = "5432" }, "Port"},
		{"above maximum", func(m map[string]any) { props(t, m, "Cluster")["BackupRetentionPeriod"] = 36 }, "BackupRetentionPeriod"},
		{"pattern", func(m map[string]any) { props(t, m, "Cluster")["DBClusterIdentifier"] = "1-bad--id" }, "DBClusterIdentifier"},
		{"missing required", func(m map[string]any) { delete(props(t, m, "SubnetGroup"), "SubnetIds") }, "SubnetIds"},
		{"forbidden username", func(m map[string]any) { props(t, m, "Cluster")["MasterUsername"] = "rdsadmin" }, "MasterUsername"},
		{"password without username", func(m map[string]any) { props(t, m, "Cluster")["MasterUserPassword"] = "x" }, "MasterUsername"},
		{"read-only property", func(m map[string]any) {
			props(t, m, "Cluster")["Endpoint"] = map[string]any{"Address": "x"}
		}, "read-only property Endpoint"},
		{"bad CIDR", func(m map[string]any) { ingress(m)["CidrIp"] = "10.0.0.0/33" }, "CidrIp"},
		{"bad VPC id", func(m map[string]any) { props(t, m, "SecurityGroup")["VpcId"] = "vpc_nope" }, "VpcId"},
		{"two sources in one rule", func(m map[string]any) { ingress(m)["CidrIpv6"] = "::/0" }, "requiredXor"},
		{"excluded pair", func(m map[string]any) {
			p := props(t, m, "Instance")
			p["SourceDBInstanceIdentifier"], p["MasterUsername"] = "other", "u"
		}, "dependentExcluded"},
		{"ref to missing resource", func(m map[string]any) {
			props(t, m, "Instance")["DBClusterIdentifier"] = map[string]any{"Ref": "Klaster"}
		}, `Ref "Klaster"`},
		{"getatt of writable property", func(m map[string]any) {
			props(t, m, "Instance")["DBClusterIdentifier"] = map[string]any{"Fn::GetAtt": []any{"Cluster", "MasterUsername"}}
		}, "no such read-only attribute"},
		{"getatt of the wrong type", func(m map[string]any) {
			props(t, m, "Cluster")["Port"] = map[string]any{"Fn::GetAtt": []any{"Instance", "Endpoint.Port"}}
		}, "Port"},
		{"getatt in an output", func(m map[string]any) {
			objectOf(objectOf(m["Outputs"])["Endpoint"])["Value"] = map[string]any{"Fn::GetAtt": []any{"Cluster", "Endpoint.Hostname"}}
		}, "Endpoint.Hostname"},
		{"unknown type", func(m map[string]any) {
			objectOf(m["Resources"])["Fn"] = map[string]any{"Type": "AWS::Lambda::Function", "Properties": map[string]any{}}
		}, "AWS::Lambda::Function"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b, _ := Template(tmplPostgres(), tmplStack)
			tmpl := decodeTemplate(t, b)
			if p := checkTemplate(schemas, tmpl); len(p) > 0 {
				t.Fatalf("the unbroken template already fails: %v", p)
			}
			tc.mutate(tmpl)
			problems := checkTemplate(schemas, tmpl)
			if len(problems) == 0 {
				t.Fatal("the broken template passed the schema check")
			}
			if all := strings.Join(problems, "\n"); !strings.Contains(all, tc.want) {
				t.Errorf("problems do not mention %q:\n%s", tc.want, all)
			}
		})
	}
}

// --- properties ----------------------------------------------------------

func TestTemplateDeletesClusterAndInstance(t *testing.T) {
	for _, c := range tmplCases() {
		_, tmpl := renderTemplate(t, c)
		rs := resourcesOfTemplate(t, tmpl)
		for _, id := range []string{"Cluster", "Instance"} {
			if rs[id]["DeletionPolicy"] != "Delete" || rs[id]["UpdateReplacePolicy"] != "Delete" {
				t.Errorf("%s: %s policies = %v/%v, want Delete/Delete (the default leaves a paid snapshot)",
					c.name, id, rs[id]["DeletionPolicy"], rs[id]["UpdateReplacePolicy"])
			}
		}
		cp := props(t, tmpl, "Cluster")
		if cp["DeletionProtection"] != false || cp["CopyTagsToSnapshot"] != false {
			t.Errorf("%s: DeletionProtection/CopyTagsToSnapshot = %v/%v, want false/false", c.name, cp["DeletionProtection"], cp["CopyTagsToSnapshot"])
		}
	}
}

func TestTemplateIngressIsOnlyThePortFromTheAllowedCIDR(t *testing.T) {
	for _, c := range tmplCases() {
		_, tmpl := renderTemplate(t, c)
		sg := props(t, tmpl, "SecurityGroup")
		rules, _ := sg["SecurityGroupIngress"].([]any)
		if len(rules) != 1 {
			t.Fatalf("%s: %d ingress rules, want exactly 1", c.name, len(rules))
		}
		rule := rules[0].(map[string]any)
		port := json.Number(fmt.Sprint(c.a.Source.Port))
		want := map[string]any{"IpProtocol": "tcp", "FromPort": port, "ToPort": port, "CidrIp": c.a.Target.AllowedCIDR}
		for k, v := range want {
			if rule[k] != v {
				t.Errorf("%s: ingress %s = %v, want %v", c.name, k, rule[k], v)
			}
		}
		if d, _ := rule["Description"].(string); d == "" {
			t.Errorf("%s: ingress rule has no Description", c.name)
		}
		if len(rule) != len(want)+1 {
			t.Errorf("%s: ingress rule has extra keys: %v", c.name, rule)
		}
		if sg["VpcId"] != c.a.Target.VpcID {
			t.Errorf("%s: VpcId = %v", c.name, sg["VpcId"])
		}
		// No other way in: no standalone ingress resources either.
		for id, r := range resourcesOfTemplate(t, tmpl) {
			if r["Type"] == "AWS::EC2::SecurityGroupIngress" {
				t.Errorf("%s: extra ingress resource %s", c.name, id)
			}
		}
	}
}

func TestTemplateClusterRestore(t *testing.T) {
	restoreKeys := []string{"RestoreType", "SourceDBClusterIdentifier", "UseLatestRestorableTime", "RestoreToTime", "SnapshotIdentifier"}
	for _, tc := range []struct {
		name string
		want map[string]any // of restoreKeys; absent ones must be absent
	}{
		{"postgres-latest", map[string]any{"RestoreType": "copy-on-write", "SourceDBClusterIdentifier": "orders-prod", "UseLatestRestorableTime": true}},
		// 23:30 at UTC+2 is 21:30 UTC.
		// RDS refuses RestoreToTime with copy-on-write: a point in time is a full copy.
		{"mysql-restore-time", map[string]any{"RestoreType": "full-copy", "SourceDBClusterIdentifier": "shop-mysql", "RestoreToTime": "2026-11-24T21:30:00Z"}},
		{"snapshot", map[string]any{"SnapshotIdentifier": "orders-prod-2026-11-24"}},
	} {
		c := findCase(t, tc.name)
		_, tmpl := renderTemplate(t, c)
		cp := props(t, tmpl, "Cluster")
		for _, k := range restoreKeys {
			if got, want := cp[k], tc.want[k]; got != want {
				t.Errorf("%s: Cluster.%s = %v, want %v", tc.name, k, got, want)
			}
		}
		wantPort := json.Number(fmt.Sprint(c.a.Source.Port))
		if cp["DBClusterIdentifier"] != c.stack || cp["Engine"] != c.a.Source.Engine || cp["Port"] != wantPort {
			t.Errorf("%s: cluster id/engine/port = %v/%v/%v", tc.name, cp["DBClusterIdentifier"], cp["Engine"], cp["Port"])
		}
		if _, ok := cp["EngineVersion"]; ok {
			t.Errorf("%s: EngineVersion set: a clone always has its source's version", tc.name)
		}
		ip := props(t, tmpl, "Instance")
		if ip["DBInstanceIdentifier"] != c.stack+"-1" || ip["DBInstanceClass"] != c.a.Target.InstanceClass || ip["Engine"] != c.a.Source.Engine {
			t.Errorf("%s: instance = %v", tc.name, ip)
		}
	}
}

func TestTemplateOptionalClusterSettings(t *testing.T) {
	for _, c := range tmplCases() {
		_, tmpl := renderTemplate(t, c)
		cp := props(t, tmpl, "Cluster")
		sc, hasScaling := cp["ServerlessV2ScalingConfiguration"].(map[string]any)
		if serverless := c.a.Target.InstanceClass == config.ServerlessClass; hasScaling != serverless {
			t.Errorf("%s: ServerlessV2ScalingConfiguration present = %v, want %v", c.name, hasScaling, serverless)
		} else if serverless && (sc["MinCapacity"] != json.Number("0.5") || sc["MaxCapacity"] != json.Number("16")) {
			t.Errorf("%s: scaling = %v, want 0.5-16", c.name, sc)
		}
		want := map[string]any{}
		if c.a.Target.BackupRetention > 0 {
			want["BackupRetentionPeriod"] = json.Number(fmt.Sprint(c.a.Target.BackupRetention))
		}
		if c.a.Target.BackupWindow != "" {
			want["PreferredBackupWindow"] = c.a.Target.BackupWindow
		}
		if c.a.Target.MaintenanceWindow != "" {
			want["PreferredMaintenanceWindow"] = c.a.Target.MaintenanceWindow
		}
		for _, k := range []string{"BackupRetentionPeriod", "PreferredBackupWindow", "PreferredMaintenanceWindow"} {
			if cp[k] != want[k] {
				t.Errorf("%s: %s = %v, want %v", c.name, k, cp[k], want[k])
			}
		}
		if got := props(t, tmpl, "Instance")["PubliclyAccessible"]; got != c.a.Target.PubliclyAccessible {
			t.Errorf("%s: PubliclyAccessible = %v", c.name, got)
		}
		var ids []string
		for _, s := range c.a.Target.Subnets {
			ids = append(ids, s.ID)
		}
		if got := fmt.Sprint(props(t, tmpl, "SubnetGroup")["SubnetIds"]); got != fmt.Sprint(ids) {
			t.Errorf("%s: SubnetIds = %s, want %v", c.name, got, ids)
		}
	}
}

func TestTemplateHasNoSecret(t *testing.T) {
	// The password travels in the environment; the template must not pick it up.
	const secret = "s3cret-Pa55word!"
	t.Setenv("DB_PASSWORD", secret)
	for _, c := range tmplCases() {
		b, tmpl := renderTemplate(t, c)
		for _, bad := range []string{"password", secret, "NoEcho"} {
			if bytes.Contains(bytes.ToLower(b), bytes.ToLower([]byte(bad))) {
				t.Errorf("%s: template contains %q", c.name, bad)
			}
		}
		if _, ok := tmpl["Parameters"]; ok {
			t.Errorf("%s: template has Parameters", c.name)
		}
	}
}

func TestTemplateOnlyNativeResources(t *testing.T) {
	for _, c := range tmplCases() {
		_, tmpl := renderTemplate(t, c)
		for id, r := range resourcesOfTemplate(t, tmpl) {
			typ, _ := r["Type"].(string)
			for _, bad := range []string{"AWS::Lambda::", "AWS::IAM::", "Custom::", "AWS::CloudFormation::CustomResource"} {
				if strings.HasPrefix(typ, bad) {
					t.Errorf("%s: resource %s has type %s: clones need no code and no IAM", c.name, id, typ)
				}
			}
		}
	}
}

func TestTemplateOutputs(t *testing.T) {
	want := map[string]string{
		"Endpoint":       `{"Fn::GetAtt":["Cluster","Endpoint.Address"]}`,
		"ReaderEndpoint": `{"Fn::GetAtt":["Cluster","ReadEndpoint.Address"]}`,
		"Port":           `{"Fn::GetAtt":["Cluster","Endpoint.Port"]}`,
		"ClusterId":      `{"Ref":"Cluster"}`,
	}
	for _, c := range tmplCases() {
		_, tmpl := renderTemplate(t, c)
		outs := objectOf(tmpl["Outputs"])
		if len(outs) != len(want) {
			t.Errorf("%s: outputs %v, want %d", c.name, slices.Sorted(maps.Keys(outs)), len(want))
		}
		for name, value := range want {
			got, _ := json.Marshal(objectOf(outs[name])["Value"])
			if string(got) != value {
				t.Errorf("%s: output %s = %s, want %s", c.name, name, got, value)
			}
		}
	}
}

func TestTemplateDescription(t *testing.T) {
	for _, c := range tmplCases() {
		_, tmpl := renderTemplate(t, c)
		d, _ := tmpl["Description"].(string)
		for _, want := range []string{"dbaf", c.a.Source.ClusterID, c.a.Image} {
			if !strings.Contains(d, want) {
				t.Errorf("%s: Description %q does not name %q", c.name, d, want)
			}
		}
		if c.a.Source.SnapshotIdentifier != "" && !strings.Contains(d, c.a.Source.SnapshotIdentifier) {
			t.Errorf("%s: Description %q does not name the snapshot", c.name, d)
		}
	}
}

func TestTemplateResourcesMatchTemplate(t *testing.T) {
	for _, c := range tmplCases() {
		_, tmpl := renderTemplate(t, c)
		rs := resourcesOfTemplate(t, tmpl)
		infos := TemplateResources(c.a)
		want := []string{"SubnetGroup", "SecurityGroup", "Cluster", "Instance"}
		if c.expiry != nil {
			infos = append(infos, ExpiryResource)
			want = append(want, LogicalExpiry)
		}
		var ids []string
		for _, ri := range infos {
			ids = append(ids, ri.LogicalID)
			if r, ok := rs[ri.LogicalID]; !ok || r["Type"] != ri.Type {
				t.Errorf("%s: TemplateResources lists %s %s, template has %v", c.name, ri.LogicalID, ri.Type, r["Type"])
			}
			if ri.Label == "" {
				t.Errorf("%s: %s has no label", c.name, ri.LogicalID)
			}
		}
		if len(infos) != len(rs) {
			t.Errorf("%s: TemplateResources lists %d resources, template has %d", c.name, len(infos), len(rs))
		}
		if !slices.Equal(ids, want) {
			t.Errorf("%s: order %v, want %v (dependency order)", c.name, ids, want)
		}
	}
	// A caller may edit the slice it gets without changing the next one.
	TemplateResources(nil)[0].Label = "changed"
	if TemplateResources(nil)[0].Label != "DB subnet group" {
		t.Error("TemplateResources returns shared state")
	}
}

func TestTemplateDeterministic(t *testing.T) {
	for _, c := range tmplCases() {
		first, _ := renderTemplate(t, c)
		for range 20 {
			if again, _ := renderTemplate(t, c); !bytes.Equal(first, again) {
				t.Fatalf("%s: two renderings differ", c.name)
			}
		}
	}
}

// Every shape of the template has its golden (the four beyond the first
// two were written by the ordered-map template the typed one replaced, so
// they prove its bytes unchanged).
func TestTemplateGolden(t *testing.T) {
	for _, c := range tmplCases() {
		name := c.name
		t.Run(name, func(t *testing.T) {
			got, _ := renderTemplate(t, findCase(t, name))
			path := filepath.Join("testdata", "template", name+".json")
			if *updateGolden {
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test ./artifact/ -run TestTemplateGolden -update to create it)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("template differs from %s (rerun with -update if the change is intended):\n%s", path, got)
			}
		})
	}
}

func TestTemplateRefusesBadInput(t *testing.T) {
	for _, tc := range []struct {
		name   string
		stack  string
		change func(a *Artifact)
		want   string
	}{
		{"bad stack name", "Prod_Clone", nil, "invalid stack name"},
		{"no engine", tmplStack, func(a *Artifact) { a.Source.Engine = "" }, "source.engine"},
		{"no source", tmplStack, func(a *Artifact) { a.Source.ClusterID = "" }, "source.cluster_id"},
		{"snapshot and time", tmplStack, func(a *Artifact) {
			at := time.Now()
			a.Source.SnapshotIdentifier, a.Source.RestoreToTime = "snap", &at
		}, "one or the other"},
		{"no port", tmplStack, func(a *Artifact) { a.Source.Port = 0 }, "source.port"},
		{"bad class", tmplStack, func(a *Artifact) { a.Target.InstanceClass = "r6g.large" }, "instance_class"},
		{"serverless without range", tmplStack, func(a *Artifact) { a.Target.InstanceClass = config.ServerlessClass }, "target.serverless"},
		{"serverless empty range", tmplStack, func(a *Artifact) {
			a.Target.InstanceClass, a.Target.Serverless = config.ServerlessClass, &Scaling{Min: 8, Max: 4}
		}, "8-4 ACU"},
		{"no vpc", tmplStack, func(a *Artifact) { a.Target.VpcID = "" }, "vpc_id"},
		{"one subnet", tmplStack, func(a *Artifact) { a.Target.Subnets = a.Target.Subnets[:1] }, "at least two"},
		{"one AZ", tmplStack, func(a *Artifact) {
			for i := range a.Target.Subnets {
				a.Target.Subnets[i].AZ = "eu-west-1a"
			}
		}, "one availability zone"},
		{"duplicate subnet", tmplStack, func(a *Artifact) { a.Target.Subnets[1].ID = a.Target.Subnets[0].ID }, "twice"},
		{"bad CIDR", tmplStack, func(a *Artifact) { a.Target.AllowedCIDR = "10.0.0.0" }, "allowed_cidr"},
		{"IPv6 CIDR", tmplStack, func(a *Artifact) { a.Target.AllowedCIDR = "2001:db8::/32" }, "IPv4"},
		{"host bits", tmplStack, func(a *Artifact) { a.Target.AllowedCIDR = "10.20.1.7/16" }, "did you mean 10.20.0.0/16"},
		{"retention", tmplStack, func(a *Artifact) { a.Target.BackupRetention = 40 }, "1 to 35 days"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := tmplPostgres()
			if tc.change != nil {
				tc.change(a)
			}
			_, err := Template(a, tc.stack)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want it to mention %q", err, tc.want)
			}
		})
	}
	if _, err := Template(nil, tmplStack); err == nil {
		t.Error("Template(nil) succeeded")
	}
}

func TestSGTextKeepsEC2Characters(t *testing.T) {
	got := sgText("clone → prod's \"db\" <x> ok-1.2:/()#,@[]+=&;{}!$*")
	if want := "clone _ prod_s _db_ _x_ ok-1.2:/()#,@[]+=&;{}!$*"; got != want {
		t.Errorf("sgText = %q, want %q", got, want)
	}
	if n := len(sgText(strings.Repeat("a", 300))); n != 255 {
		t.Errorf("len = %d, want 255", n)
	}
}

func findCase(t *testing.T, name string) tmplCase {
	t.Helper()
	for _, c := range tmplCases() {
		if c.name == name {
			return c
		}
	}
	t.Fatalf("no case %s", name)
	return tmplCase{}
}
