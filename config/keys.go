package config

import (
	"fmt"
	"math"
	"net/netip"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/google/go-containerregistry/pkg/name"
)

// The INI sections, in the order Write emits them.
const (
	secSource   = "source_db"
	secTarget   = "target_db"
	secArtifact = "artifact"
)

var sectionNames = []string{secSource, secTarget, secArtifact, secMasking, secHooks}

// keySpec describes one INI key: where it lives, how its text becomes a
// Config field and back. One table drives Parse, Set, Validate and Write,
// so the file, the flags and the written output cannot drift apart.
type keySpec struct {
	name     string
	section  string
	required bool
	example  string // a valid value, shown in hints
	comment  string // written above the key by Write
	flag     string // the `dbaf build` flag that sets it; "" for none
	help     string // the flag's help
	// parse checks v (trimmed, non-empty) and stores it in c. The returned
	// *Error carries only Problem and Hint; callers add the location.
	parse func(c *Config, v string) *Error
	// format renders the field as parse accepts it; "" means not set.
	format func(c *Config) string
	clear  func(c *Config)
}

// keys is read-only: the order is the order Write emits.
var keys = []keySpec{
	{
		name: "source_db_cluster_id", section: secSource, required: true, example: "prod-aurora",
		flag: "source-cluster", help: "source Aurora cluster id",
		comment: "Aurora cluster to clone (required).",
		parse: func(c *Config, v string) *Error {
			if why := checkIdentifier(v, 63); why != "" {
				return bad(quote(v)+" is not a DB cluster identifier: "+why,
					`want 1-63 letters, digits and hyphens, starting with a letter, with no "--" and no hyphen at the end, e.g. prod-aurora`)
			}
			c.SourceClusterID = v
			return nil
		},
		format: func(c *Config) string { return c.SourceClusterID },
		clear:  func(c *Config) { c.SourceClusterID = "" },
	},
	{
		name: "region", section: secSource, example: "eu-west-1",
		comment: "AWS region of the source cluster; default: the AWS profile's region.",
		parse: func(c *Config, v string) *Error {
			if !IsRegion(v) {
				return bad(quote(v)+" is not an AWS region", didYouMean(lowerIf(v, IsRegion),
					"want a region code like us-east-1, eu-west-1 or ap-southeast-2"))
			}
			c.Region = v
			return nil
		},
		format: func(c *Config) string { return c.Region },
		clear:  func(c *Config) { c.Region = "" },
	},
	{
		name: "restore_to_time", section: secSource, example: "2026-11-20T10:00:00Z",
		flag: "restore-to-time", help: "clone the source as of this RFC 3339 time (default: latest restorable)",
		comment: "Clone the source as it was at this time (RFC 3339); default: the latest restorable time.",
		parse: func(c *Config, v string) *Error {
			t, err := parseTime(v)
			if err != nil {
				return bad(quote(v)+" is not an RFC 3339 time", didYouMean(timeSuggestion(v),
					"want e.g. 2026-11-20T10:00:00Z (UTC) or 2026-11-20T12:00:00+02:00"))
			}
			c.RestoreToTime = &t
			return nil
		},
		format: func(c *Config) string {
			if c.RestoreToTime == nil {
				return ""
			}
			return c.RestoreToTime.UTC().Format(time.RFC3339Nano)
		},
		clear: func(c *Config) { c.RestoreToTime = nil },
	},
	{
		name: "snapshot_identifier", section: secSource, example: "prod-aurora-snap",
		flag: "snapshot-identifier", help: "restore from this cluster snapshot instead of cloning",
		comment: "Restore this cluster snapshot instead of cloning the live cluster.",
		parse: func(c *Config, v string) *Error {
			if why := checkSnapshot(v); why != "" {
				return bad(quote(v)+" is not a cluster snapshot identifier: "+why,
					"want a snapshot name like prod-aurora-snap, rds:prod-aurora-2026-11-20-03-00, or a cluster-snapshot ARN")
			}
			c.SnapshotIdentifier = v
			return nil
		},
		format: func(c *Config) string { return c.SnapshotIdentifier },
		clear:  func(c *Config) { c.SnapshotIdentifier = "" },
	},
	{
		name: "subnet_ids", section: secTarget, required: true, example: "source",
		flag: "subnets", help: `"source" (the source's subnet group) or two or more comma-separated subnet ids`,
		comment: `Subnets of the clone (required): "source" (the source cluster's subnet group) or two or more subnet ids.`,
		parse: func(c *Config, v string) *Error {
			s, err := parseSubnets(v)
			if err != nil {
				return err
			}
			c.Subnets = s
			return nil
		},
		format: func(c *Config) string {
			if c.Subnets.Source {
				return "source"
			}
			return strings.Join(c.Subnets.IDs, ", ")
		},
		clear: func(c *Config) { c.Subnets = Subnets{} },
	},
	{
		name: "instance_type", section: secTarget, required: true, example: "db.r6g.large",
		flag: "instance-class", help: "instance class of the clone, e.g. db.r6g.large or db.serverless",
		comment: "Instance class of the clone (required), e.g. db.r6g.large or db.serverless.",
		parse: func(c *Config, v string) *Error {
			if !validClass(v) {
				return bad(quote(v)+" is not an instance class", didYouMean(classSuggestion(v),
					"want db.serverless or db.<family>.<size>, e.g. db.r6g.large, db.t4g.medium, db.r7g.2xlarge"))
			}
			c.InstanceClass = v
			return nil
		},
		format: func(c *Config) string { return c.InstanceClass },
		clear:  func(c *Config) { c.InstanceClass = "" },
	},
	{
		name: "allowed_cidr", section: secTarget, example: "10.0.0.0/16",
		flag: "allowed-cidr", help: "IPv4 CIDR allowed to connect (default: the VPC's CIDR)",
		comment: "IPv4 CIDR allowed to connect to the clone; default: the VPC's CIDR.",
		parse: func(c *Config, v string) *Error {
			p, err := parseCIDR(v)
			if err != nil {
				return err
			}
			c.AllowedCIDR = p
			return nil
		},
		format: func(c *Config) string { return c.AllowedCIDR },
		clear:  func(c *Config) { c.AllowedCIDR = "" },
	},
	{
		name: "publicly_accessible", section: secTarget, example: "false",
		flag: "publicly-accessible", help: "give the clone a public address: true or false (default false)",
		comment: "Give the clone a public address (true or false); default: false.",
		parse: func(c *Config, v string) *Error {
			var b bool
			switch strings.ToLower(v) {
			case "true", "yes", "1":
				b = true
			case "false", "no", "0":
			default:
				return bad(quote(v)+" is not true or false", "want true or false (yes/no and 1/0 work too)")
			}
			c.PubliclyAccessible = &b
			return nil
		},
		format: func(c *Config) string {
			if c.PubliclyAccessible == nil {
				return ""
			}
			return strconv.FormatBool(*c.PubliclyAccessible)
		},
		clear: func(c *Config) { c.PubliclyAccessible = nil },
	},
	{
		name: "backup_retention_days", section: secTarget, example: "1",
		flag: "backup-retention-days", help: "clone backup retention, 1-35 days",
		comment: "Days the clone keeps automated backups, 1-35.",
		parse: func(c *Config, v string) *Error {
			const hint = "want a whole number of days from 1 to 35"
			if !digitsRE.MatchString(v) {
				return bad(quote(v)+" is not a whole number", hint)
			}
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 || n > 35 {
				return bad(quote(v)+" is out of range", hint)
			}
			c.BackupRetentionDays = n
			return nil
		},
		format: func(c *Config) string {
			if c.BackupRetentionDays == 0 {
				return ""
			}
			return strconv.Itoa(c.BackupRetentionDays)
		},
		clear: func(c *Config) { c.BackupRetentionDays = 0 },
	},
	{
		name: "preferred_backup_window", section: secTarget, example: "03:00-03:30",
		flag: "backup-window", help: "clone backup window, hh24:mi-hh24:mi UTC",
		comment: "Daily backup window, hh24:mi-hh24:mi in UTC, at least 30 minutes.",
		parse: func(c *Config, v string) *Error {
			w, err := parseBackupWindow(v)
			if err != nil {
				return err
			}
			c.BackupWindow = w.String()
			return nil
		},
		format: func(c *Config) string { return c.BackupWindow },
		clear:  func(c *Config) { c.BackupWindow = "" },
	},
	{
		name: "preferred_maintenance_window", section: secTarget, example: "sun:05:00-sun:05:30",
		flag: "maintenance-window", help: "clone maintenance window, ddd:hh24:mi-ddd:hh24:mi UTC",
		comment: "Weekly maintenance window, ddd:hh24:mi-ddd:hh24:mi in UTC, at least 30 minutes.",
		parse: func(c *Config, v string) *Error {
			w, err := parseMaintenanceWindow(v)
			if err != nil {
				return err
			}
			c.MaintenanceWindow = w.String()
			return nil
		},
		format: func(c *Config) string { return c.MaintenanceWindow },
		clear:  func(c *Config) { c.MaintenanceWindow = "" },
	},
	{
		name: "serverless_min_capacity", section: secTarget, example: "0.5",
		flag: "serverless-min-capacity", help: "Serverless v2 minimum ACUs (db.serverless only)",
		comment: "Serverless v2 minimum capacity in ACUs, 0-256 in steps of 0.5 (db.serverless only).",
		parse: func(c *Config, v string) *Error {
			f, err := parseACU(v, 0, "want ACUs from 0 to 256 in steps of 0.5, e.g. 0.5")
			if err != nil {
				return err
			}
			c.ServerlessMinCapacity = f
			return nil
		},
		format: func(c *Config) string {
			// 0 is a valid minimum, so an explicit 0 from the file or a
			// flag is kept; an untouched zero field is "not set".
			if c.ServerlessMinCapacity == 0 && !c.src.has("serverless_min_capacity") {
				return ""
			}
			return formatACU(c.ServerlessMinCapacity)
		},
		clear: func(c *Config) { c.ServerlessMinCapacity = 0 },
	},
	{
		name: "serverless_max_capacity", section: secTarget, example: "16",
		flag: "serverless-max-capacity", help: "Serverless v2 maximum ACUs (db.serverless only)",
		comment: "Serverless v2 maximum capacity in ACUs, 1-256 in steps of 0.5 (db.serverless only).",
		parse: func(c *Config, v string) *Error {
			f, err := parseACU(v, 1, "want ACUs from 1 to 256 in steps of 0.5, e.g. 16")
			if err != nil {
				return err
			}
			c.ServerlessMaxCapacity = f
			return nil
		},
		format: func(c *Config) string {
			if c.ServerlessMaxCapacity == 0 {
				return ""
			}
			return formatACU(c.ServerlessMaxCapacity)
		},
		clear: func(c *Config) { c.ServerlessMaxCapacity = 0 },
	},
	{
		name: "password", section: secTarget, example: PasswordSecretsManager,
		flag: "clone-password", help: `how a clone gets its master password: "` + PasswordSecretsManager + `" (RDS keeps it in Secrets Manager) or "` + PasswordDeveloper + `" (the default: the developer gives one)`,
		comment: `Master password of each clone: "` + PasswordSecretsManager + `" has RDS generate it and keep it in Secrets Manager, and dbaf hands over the secret's ARN; default: "` + PasswordDeveloper + `", given by the developer at clone time.`,
		parse: func(c *Config, v string) *Error {
			// The value is never quoted back: someone may have written a
			// real password here.
			const hint = `want ` + PasswordSecretsManager + ` or ` + PasswordDeveloper + `; the password itself is never written in the artifact`
			switch strings.ReplaceAll(strings.ToLower(v), "_", "-") {
			case PasswordSecretsManager, "secretsmanager":
				c.ManagedPassword = true
			case PasswordDeveloper:
				c.ManagedPassword = false
			default:
				return bad("is not a way to set the password", hint)
			}
			return nil
		},
		format: func(c *Config) string {
			if c.ManagedPassword {
				return PasswordSecretsManager
			}
			return ""
		},
		clear: func(c *Config) { c.ManagedPassword = false },
	},
	{
		name: "image_tag", section: secArtifact, example: DefaultImageTag,
		flag: "tag", help: "image tag (default " + DefaultImageTag + ")",
		comment: "Docker tag of the artifact image; default: " + DefaultImageTag + ".",
		parse: func(c *Config, v string) *Error {
			if strings.Contains(v, "@") {
				return bad(quote(v)+" is a digest reference, not a tag", "an image is built under a tag; want e.g. db-artifact:latest")
			}
			if _, err := name.NewTag(v); err != nil {
				// The library ends its messages with ": <the bad part>",
				// which the quoted value already shows.
				why := err.Error()
				if i := strings.LastIndex(why, ": "); i > 0 && strings.Contains(v, why[i+2:]) {
					why = why[:i]
				}
				return bad(quote(v)+" is not a Docker image tag: "+why,
					"want e.g. db-artifact:latest or registry.example.com/team/db-artifact:v1")
			}
			c.ImageTag = v
			return nil
		},
		format: func(c *Config) string { return c.ImageTag },
		clear:  func(c *Config) { c.ImageTag = "" },
	},
	{
		name: "publisher_contact", section: secArtifact, example: "dataops@example.com",
		flag: "publisher-contact", help: "who developers contact when a clone fails",
		comment: "Who developers contact when a clone fails.",
		parse: func(c *Config, v string) *Error {
			const hint = "want one line of text, e.g. dataops@example.com or #dataops on Slack"
			switch {
			case !utf8.ValidString(v):
				return bad(quote(v)+" is not UTF-8 text", hint)
			case strings.IndexFunc(v, unicode.IsControl) >= 0:
				return bad(quote(v)+" contains a control character", hint)
			case utf8.RuneCountInString(v) > maxContact:
				return bad(fmt.Sprintf("is %d characters long; at most %d", utf8.RuneCountInString(v), maxContact), hint)
			}
			c.PublisherContact = v
			return nil
		},
		format: func(c *Config) string { return c.PublisherContact },
		clear:  func(c *Config) { c.PublisherContact = "" },
	},
	{
		name: "clone_ttl", section: secArtifact, example: "3d",
		flag: "clone-ttl", help: "how long a clone may live, e.g. 72h or 3d",
		comment: "How long a clone may live, e.g. 72h, 3d or 1d12h; at least 1h, at most 365d.",
		parse: func(c *Config, v string) *Error {
			d, err := parseTTL(v)
			if err != nil {
				return err
			}
			c.CloneTTL = d
			return nil
		},
		format: func(c *Config) string {
			if c.CloneTTL == 0 {
				return ""
			}
			return formatTTL(c.CloneTTL)
		},
		clear: func(c *Config) { c.CloneTTL = 0 },
	},
	{
		// No flag: hook files belong beside the INI that names them.
		name: "post_clone", section: secHooks, example: "sql/grants.sql",
		comment: "SQL files run on every clone after masking, in order; paths relative to this file's directory.",
		parse: func(c *Config, v string) *Error {
			paths, err := parseHookList(v)
			if err != nil {
				return err
			}
			c.PostClone = paths
			return nil
		},
		format: func(c *Config) string { return strings.Join(c.PostClone, ", ") },
		clear:  func(c *Config) { c.PostClone = nil },
	},
}

// maxContact keeps publisher_contact to something a label and a one-line
// failure message can carry.
const maxContact = 256

// spec finds a key by name, ignoring case (keys are matched
// case-insensitively, as users write them).
func spec(key string) *keySpec {
	for i := range keys {
		if strings.EqualFold(keys[i].name, key) {
			return &keys[i]
		}
	}
	return nil
}

// bad builds the location-less *Error a parse function returns.
func bad(problem, hint string) *Error { return &Error{Problem: problem, Hint: hint} }

// regionRE is the shape of every AWS region name: eu-west-1,
// ap-southeast-4, us-gov-west-1 (the partitions' own patterns allow one
// or two words between the country and the number).
var regionRE = regexp.MustCompile(`^[a-z]{2}(-[a-z]+){1,2}-[0-9]{1,2}$`)

// IsRegion reports whether s is shaped like an AWS region name: the one
// check for the INI's region key and the --region flag.
func IsRegion(s string) bool { return regionRE.MatchString(s) }

// didYouMean prefixes hint with a suggested value when there is one.
func didYouMean(suggestion, hint string) string {
	if suggestion == "" {
		return hint
	}
	return "did you mean " + suggestion + "? " + hint
}

// lowerIf suggests the lower-case spelling when that is what was meant.
func lowerIf(v string, ok func(string) bool) string {
	if l := strings.ToLower(v); l != v && ok(l) {
		return l
	}
	return ""
}

var (
	classRE  = regexp.MustCompile(`^db\.[a-z0-9]+\.[a-z0-9]+$`)
	subnetRE = regexp.MustCompile(`^subnet-([0-9a-f]{8}|[0-9a-f]{17})$`)
	digitsRE = regexp.MustCompile(`^[0-9]+$`)
	acuRE    = regexp.MustCompile(`^[0-9]{1,3}(\.[0-9]{1,6})?$`)
	arnRE    = regexp.MustCompile(`^arn:aws[a-z-]*:rds:[a-z0-9-]+:[0-9]{12}:cluster-snapshot:[A-Za-z0-9:-]{1,255}$`)
)

// checkIdentifier applies the RDS naming rules and says which one v
// breaks, or "" when it is a valid identifier.
func checkIdentifier(v string, max int) string {
	if v == "" {
		return "it is empty"
	}
	for i, r := range v {
		if !(r < utf8.RuneSelf && (unicode.IsLetter(r) || unicode.IsDigit(r) || r == '-')) {
			return quote(string(r)) + " is not allowed"
		}
		if i == 0 && !unicode.IsLetter(r) {
			return "it must start with a letter"
		}
	}
	switch {
	case len(v) > max:
		return fmt.Sprintf("it is %d characters long; at most %d", len(v), max)
	case strings.Contains(v, "--"):
		return `it contains "--"`
	case strings.HasSuffix(v, "-"):
		return "it ends with a hyphen"
	}
	return ""
}

// checkSnapshot accepts a manual snapshot name, an automated one
// ("rds:..."), an AWS Backup one ("awsbackup:...") or a snapshot ARN, the
// forms RestoreDBClusterFromSnapshot takes.
func checkSnapshot(v string) string {
	if strings.HasPrefix(v, "arn:") {
		if !arnRE.MatchString(v) {
			return "it is not a cluster-snapshot ARN"
		}
		return ""
	}
	for _, prefix := range []string{"rds:", "awsbackup:"} {
		if rest, ok := strings.CutPrefix(v, prefix); ok {
			return checkIdentifier(rest, 255)
		}
	}
	return checkIdentifier(v, 255)
}

// parseTime reads RFC 3339 and keeps the instant in UTC, the zone AWS
// reports restore times in; the written form is then stable.
func parseTime(v string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339Nano, v)
	if err != nil {
		return time.Time{}, err
	}
	return t.UTC(), nil
}

// timeSuggestion repairs the two usual slips: a space instead of "T" and
// no zone.
func timeSuggestion(v string) string {
	s := strings.Replace(v, " ", "T", 1)
	if _, err := time.Parse(time.RFC3339Nano, s); err == nil && s != v {
		return s
	}
	if _, err := time.Parse(time.RFC3339Nano, s+"Z"); err == nil {
		return s + "Z"
	}
	return ""
}

func validClass(v string) bool { return v == ServerlessClass || classRE.MatchString(v) }

// classSuggestion fixes case and a forgotten "db." prefix.
func classSuggestion(v string) string {
	l := strings.ToLower(v)
	if validClass(l) && l != v {
		return l
	}
	if !strings.HasPrefix(l, "db.") && validClass("db."+l) {
		return "db." + l
	}
	return ""
}

// subnetHint is the one hint every subnet_ids problem shares.
const subnetHint = `want "source" or two or more ids like subnet-0a1b2c3d, separated by commas`

func parseSubnets(v string) (Subnets, *Error) {
	if strings.EqualFold(v, "source") {
		return Subnets{Source: true}, nil
	}
	parts := strings.Split(v, ",")
	ids := make([]string, 0, len(parts))
	for _, p := range parts {
		id := strings.TrimSpace(p)
		switch {
		case id == "":
			return Subnets{}, bad(quote(v)+" has an empty entry between commas", subnetHint)
		case !subnetRE.MatchString(id):
			hint := subnetHint
			if l := strings.ToLower(id); l != id && subnetRE.MatchString(l) {
				hint = "subnet ids are lower case; " + hint
			}
			return Subnets{}, bad(quote(id)+" is not a subnet id", hint)
		}
		for _, seen := range ids {
			if seen == id {
				return Subnets{}, bad(quote(id)+" is listed twice", subnetHint)
			}
		}
		ids = append(ids, id)
	}
	if len(ids) < 2 {
		return Subnets{}, bad(quote(v)+" is a single subnet; Aurora needs subnets in at least two availability zones", subnetHint)
	}
	return Subnets{IDs: ids}, nil
}

func parseCIDR(v string) (string, *Error) {
	const hint = "want an IPv4 CIDR block like 10.0.0.0/16 (one address is 10.0.0.5/32)"
	if !strings.Contains(v, "/") {
		if a, err := netip.ParseAddr(v); err == nil && a.Is4() {
			return "", bad(quote(v)+" is an address, not a CIDR block", "did you mean "+v+"/32? "+hint)
		}
		return "", bad(quote(v)+" is not a CIDR block", hint)
	}
	p, err := netip.ParsePrefix(v)
	switch {
	case err != nil:
		return "", bad(quote(v)+" is not a CIDR block", hint)
	case !p.Addr().Is4():
		return "", bad(quote(v)+" is not IPv4", hint)
	case p.Masked() != p:
		return "", bad(quote(v)+" has host bits set", "did you mean "+p.Masked().String()+"?")
	}
	return p.String(), nil
}

// window is a backup (daily) or maintenance (weekly) window in minutes
// from the start of the day or of the week (Monday 00:00).
type window struct {
	start, end int
	weekly     bool
}

const (
	minutesPerDay  = 24 * 60
	minutesPerWeek = 7 * minutesPerDay
	minWindow      = 30
)

var weekdays = []string{"mon", "tue", "wed", "thu", "fri", "sat", "sun"}

// length is the window's duration in minutes; windows may wrap past
// midnight or the end of the week.
func (w window) length() int {
	period := minutesPerDay
	if w.weekly {
		period = minutesPerWeek
	}
	return ((w.end-w.start)%period + period) % period
}

func (w window) String() string {
	f := func(m int) string {
		s := fmt.Sprintf("%02d:%02d", m%minutesPerDay/60, m%60)
		if w.weekly {
			s = weekdays[m/minutesPerDay] + ":" + s
		}
		return s
	}
	return f(w.start) + "-" + f(w.end)
}

// intervals returns the window's occurrences as half-open minute ranges
// over a little more than one week, so overlap checks see wrap-arounds.
func (w window) intervals() [][2]int {
	var out [][2]int
	if w.weekly {
		for shift := -minutesPerWeek; shift <= minutesPerWeek; shift += minutesPerWeek {
			out = append(out, [2]int{w.start + shift, w.start + shift + w.length()})
		}
		return out
	}
	for day := -1; day <= 7; day++ {
		s := day*minutesPerDay + w.start
		out = append(out, [2]int{s, s + w.length()})
	}
	return out
}

func (w window) overlaps(o window) bool {
	for _, a := range w.intervals() {
		for _, b := range o.intervals() {
			if a[0] < b[1] && b[0] < a[1] {
				return true
			}
		}
	}
	return false
}

var (
	backupWindowRE      = regexp.MustCompile(`^([0-9]{2}):([0-9]{2})-([0-9]{2}):([0-9]{2})$`)
	maintenanceWindowRE = regexp.MustCompile(`^([A-Za-z]{3}):([0-9]{2}):([0-9]{2})-([A-Za-z]{3}):([0-9]{2}):([0-9]{2})$`)
)

// clock turns "hh", "mi" into minutes of the day, or -1.
func clock(hh, mi string) int {
	h, _ := strconv.Atoi(hh)
	m, _ := strconv.Atoi(mi)
	if h > 23 || m > 59 {
		return -1
	}
	return h*60 + m
}

func parseBackupWindow(v string) (window, *Error) {
	const hint = "want hh24:mi-hh24:mi in UTC, at least 30 minutes long, e.g. 03:00-03:30"
	m := backupWindowRE.FindStringSubmatch(v)
	if m == nil {
		return window{}, bad(quote(v)+" is not a time window", hint)
	}
	w := window{start: clock(m[1], m[2]), end: clock(m[3], m[4])}
	if w.start < 0 || w.end < 0 {
		return window{}, bad(quote(v)+" has a time that does not exist", hint)
	}
	if n := w.length(); n < minWindow {
		return window{}, bad(fmt.Sprintf("%s is only %d minutes long", quote(v), n), hint)
	}
	return w, nil
}

func parseMaintenanceWindow(v string) (window, *Error) {
	const hint = "want ddd:hh24:mi-ddd:hh24:mi in UTC, at least 30 minutes long, e.g. sun:05:00-sun:05:30"
	m := maintenanceWindowRE.FindStringSubmatch(v)
	if m == nil {
		return window{}, bad(quote(v)+" is not a weekly time window", hint)
	}
	day := func(s string) int {
		for i, d := range weekdays {
			if strings.EqualFold(d, s) {
				return i * minutesPerDay
			}
		}
		return -1
	}
	d1, d2 := day(m[1]), day(m[4])
	if d1 < 0 || d2 < 0 {
		return window{}, bad(quote(v)+" has a day that is not mon, tue, wed, thu, fri, sat or sun", hint)
	}
	t1, t2 := clock(m[2], m[3]), clock(m[5], m[6])
	if t1 < 0 || t2 < 0 {
		return window{}, bad(quote(v)+" has a time that does not exist", hint)
	}
	w := window{start: d1 + t1, end: d2 + t2, weekly: true}
	if n := w.length(); n < minWindow {
		return window{}, bad(fmt.Sprintf("%s is only %d minutes long", quote(v), n), hint)
	}
	return w, nil
}

// parseACU reads a Serverless v2 capacity. The syntax is checked with a
// regexp first because ParseFloat also takes "NaN", "Inf", hex and
// exponents, none of which belong in this file.
func parseACU(v string, min float64, hint string) (float64, *Error) {
	if !acuRE.MatchString(v) {
		return 0, bad(quote(v)+" is not a number of ACUs", hint)
	}
	f, err := strconv.ParseFloat(v, 64)
	switch {
	case err != nil:
		return 0, bad(quote(v)+" is not a number of ACUs", hint)
	case f < min || f > 256:
		return 0, bad(quote(v)+" is out of range", hint)
	case f*2 != math.Trunc(f*2):
		return 0, bad(quote(v)+" is not a multiple of 0.5", hint)
	}
	return f, nil
}

func formatACU(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

const (
	day    = 24 * time.Hour
	maxTTL = 365 * day
	// MinCloneTTL is the shortest clone_ttl: anything shorter makes clones
	// that are expired at birth, which "teardown --expired" then destroys
	// while the developer is still using them.
	MinCloneTTL = time.Hour
)

var daysRE = regexp.MustCompile(`^([0-9]{1,4})d(.*)$`)

// parseTTL takes a Go duration ("72h", "90m") or whole days with an
// optional Go-duration remainder ("3d", "1d12h"), since people think of
// clone lifetimes in days and Go durations have no day unit.
func parseTTL(v string) (time.Duration, *Error) {
	const hint = "want a duration like 72h, 3d or 1d12h, at least 1h and at most 365d"
	var d time.Duration
	rest := v
	if m := daysRE.FindStringSubmatch(v); m != nil {
		n, _ := strconv.Atoi(m[1])
		d, rest = time.Duration(n)*day, m[2]
		if strings.HasPrefix(rest, "-") || strings.HasPrefix(rest, "+") {
			return 0, bad(quote(v)+" is not a duration", hint)
		}
	}
	if rest != "" {
		r, err := time.ParseDuration(rest)
		if err != nil {
			return 0, bad(quote(v)+" is not a duration", hint)
		}
		if r > maxTTL { // before adding: d+r could overflow
			return 0, bad(quote(v)+" is longer than 365d", hint)
		}
		d += r
	}
	switch {
	case d < MinCloneTTL:
		return 0, bad(quote(v)+" is shorter than the minimum, 1h: clones would expire almost at once", hint)
	case d > maxTTL:
		return 0, bad(quote(v)+" is longer than 365d", hint)
	}
	return d, nil
}

// formatTTL writes whole days as "Nd" and the rest as a trimmed Go
// duration, so 72h becomes "3d" and 36h "1d12h"; parseTTL reads it back.
func formatTTL(d time.Duration) string {
	if d <= 0 {
		return d.String()
	}
	days, rest := d/day, d%day
	s := ""
	if days > 0 {
		s = strconv.FormatInt(int64(days), 10) + "d"
	}
	if rest > 0 {
		r := rest.String()
		if strings.HasSuffix(r, "m0s") { // "12h0m0s", "1h30m0s"
			r = r[:len(r)-2]
		}
		if strings.HasSuffix(r, "h0m") { // "12h0m"
			r = r[:len(r)-2]
		}
		s += r
	}
	return s
}

// FormatTTL writes a clone lifetime the way people write it in the INI
// ("3d", "1d12h", "90m"), for everything that shows one.
func FormatTTL(d time.Duration) string { return formatTTL(d) }
