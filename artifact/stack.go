package artifact

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// Stack tags. CloudFormation copies stack tags onto every resource it
// creates, so the clone cluster carries them too. list and teardown find
// dbaf clones by TagManagedBy alone: the other tags are informative.
const (
	TagArtifactImage = "dbaf:artifact-image"
	TagSourceCluster = "dbaf:source-cluster"
	TagOwner         = "dbaf:owner"
	TagCreatedAt     = "dbaf:created-at"
	TagExpiresAt     = "dbaf:expires-at"
	TagManagedBy     = "dbaf:managed-by"
	// TagExpirySchedule names the schedule in the stack that deletes it at
	// TagExpiresAt; absent when the TTL is a tag only (no dbaf setup).
	TagExpirySchedule = "dbaf:expiry-schedule"
	// TagRestore is how the clone is made (RestoreCopyOnWrite,
	// RestoreFullCopy, RestoreSnapshot), as the preflight predicted it
	// before the stack was created: AWS reports no such thing.
	TagRestore = "dbaf:restore"
	// TagPasswordResetAt is set on the clone cluster (not the stack) once
	// dbaf has reset its master password, so a later run following the
	// clone does not reset it again unless asked.
	TagPasswordResetAt = "dbaf:password-reset-at"
	// TagMaskingStartedAt and TagMaskedAt are set on the clone cluster when
	// dbaf starts masking it and once masking and hooks are done: a later
	// run never masks twice, nor hands over a clone whose masking stopped.
	TagMaskingStartedAt = "dbaf:masking-started-at"
	TagMaskedAt         = "dbaf:masked-at"
	// TagMaskingAliveAt is refreshed while a run masks the clone, so a run
	// waiting for it can tell one still at work from one that died.
	TagMaskingAliveAt = "dbaf:masking-alive-at"

	// ManagedByDbaf is TagManagedBy's value on every stack dbaf creates.
	ManagedByDbaf = "dbaf"
)

// maxStackName leaves room for InstanceSuffix in a 63-character RDS
// instance identifier.
const maxStackName = 63 - len(InstanceSuffix)

// StackName is the default name of a clone stack, in the original tool's
// format, e.g. dbartifact1764000000-prod-clone. It is also the clone's
// cluster identifier.
func StackName(now time.Time) string {
	return fmt.Sprintf("dbartifact%d-prod-clone", now.Unix())
}

// ValidateStackName checks a user-chosen stack name. The name doubles as the
// clone's DB cluster identifier and, with InstanceSuffix, its instance
// identifier, so it must satisfy CloudFormation and RDS at once.
func ValidateStackName(name string) error {
	if msg := stackNameProblem(name); msg != "" {
		return fmt.Errorf("invalid stack name %q: %s; a clone's stack name is also its DB cluster identifier: "+
			"1-%d lowercase letters, digits and single hyphens, starting with a letter, e.g. %q or %q",
			name, msg, maxStackName, "alice-orders-test", StackName(time.Unix(1764000000, 0)))
	}
	return nil
}

func stackNameProblem(name string) string {
	switch first, _ := utf8.DecodeRuneInString(name); {
	case name == "":
		return "it is empty"
	case len(name) > maxStackName:
		return fmt.Sprintf("it is %d characters long, the limit is %d (63 for the cluster, less %q for its instance)", len(name), maxStackName, InstanceSuffix)
	case !(first >= 'a' && first <= 'z' || first >= 'A' && first <= 'Z'):
		return fmt.Sprintf("it starts with %q, not a letter", first)
	}
	pos := 0
	for _, r := range name {
		pos++
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-') {
			return fmt.Sprintf("character %d is %q: only letters, digits and hyphens are allowed", pos, r)
		}
	}
	switch {
	case strings.Contains(name, "--"):
		return "it has two consecutive hyphens"
	case strings.HasSuffix(name, "-"):
		return "it ends with a hyphen"
	case strings.ToLower(name) != name:
		// Valid for both services, but RDS lowercases cluster ids, and the
		// clone's cluster id would then differ from its stack name.
		return fmt.Sprintf("it has uppercase letters, which RDS would lowercase in the cluster id: use %q", strings.ToLower(name))
	}
	return ""
}

// StackTags are the tags of a new clone stack made from a by owner (an IAM
// ARN) at now. Times are RFC 3339 in UTC; TagExpiresAt is set only when the
// artifact gives clones a time to live. Empty values are left out, since
// CloudFormation refuses an empty tag value.
func StackTags(a *Artifact, owner string, now time.Time) map[string]string {
	now = now.UTC()
	tags := map[string]string{
		TagManagedBy: ManagedByDbaf,
		TagCreatedAt: now.Format(time.RFC3339),
	}
	set := func(k, v string) {
		if v = tagValue(v); v != "" {
			tags[k] = v
		}
	}
	set(TagOwner, owner)
	if a != nil {
		set(TagArtifactImage, a.Image)
		set(TagSourceCluster, a.Source.ClusterID)
		if a.CloneTTL > 0 {
			tags[TagExpiresAt] = now.Add(time.Duration(a.CloneTTL)).Format(time.RFC3339)
		}
	}
	return tags
}

// IsDbafStack reports whether a stack's tags mark it as a dbaf clone.
func IsDbafStack(tags map[string]string) bool {
	return tags[TagManagedBy] == ManagedByDbaf
}

// ExpiresAt reads a clone's expiry from its stack tags; false when it has
// none or the value is not an RFC 3339 time.
func ExpiresAt(tags map[string]string) (time.Time, bool) {
	v, ok := tags[TagExpiresAt]
	if !ok {
		return time.Time{}, false
	}
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		return time.Time{}, false
	}
	return t.UTC(), true
}

// OwnedBy reports whether a clone stack's tags name caller (an IAM ARN) as
// its owner, as StackTags wrote it.
func OwnedBy(tags map[string]string, caller string) bool {
	return tags[TagOwner] == tagValue(caller)
}

// tagValue makes v acceptable as a tag value everywhere the stack's tags
// propagate: RDS is the strictest (letters, digits, spaces and _.:/=+-@, at
// most 256 characters), and a rejected tag fails the whole stack. An IAM
// session name may hold a comma, for instance.
func tagValue(v string) string {
	var b strings.Builder
	n := 0
	for _, r := range v {
		if n == 256 {
			break
		}
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', strings.ContainsRune(" _.:/=+-@", r):
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
		n++
	}
	return b.String()
}
