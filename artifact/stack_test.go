package artifact

import (
	"maps"
	"regexp"
	"strings"
	"testing"
	"time"
)

func TestStackName(t *testing.T) {
	for _, tc := range []struct {
		now  time.Time
		want string
	}{
		{time.Unix(1764000000, 0), "dbartifact1764000000-prod-clone"},
		// The epoch does not depend on the clock's zone.
		{time.Unix(1764000000, 0).In(time.FixedZone("X", -7*3600)), "dbartifact1764000000-prod-clone"},
		{time.Date(2026, 11, 25, 1, 0, 0, 999, time.UTC), "dbartifact1795568400-prod-clone"},
	} {
		got := StackName(tc.now)
		if got != tc.want {
			t.Errorf("StackName(%v) = %q, want %q", tc.now, got, tc.want)
		}
		if err := ValidateStackName(got); err != nil {
			t.Errorf("the default name is invalid: %v", err)
		}
	}
}

func TestValidateStackName(t *testing.T) {
	for _, tc := range []struct {
		name string
		want string // "" = valid; otherwise a part of the error
	}{
		{"dbartifact1764000000-prod-clone", ""},
		{"a", ""},
		{"alice-orders-test", ""},
		{"clone2", ""},
		{"a" + strings.Repeat("b", 60), ""}, // 61: room for "-1"
		{"", "it is empty"},
		{"a" + strings.Repeat("b", 61), "62 characters long, the limit is 61"},
		{"1clone", `starts with '1', not a letter`},
		{"-clone", "not a letter"},
		{"élan", "not a letter"},
		{"my_clone", `character 3 is '_'`},
		{"my.clone", `character 3 is '.'`},
		{"my clone", `character 3 is ' '`},
		{"my--clone", "two consecutive hyphens"},
		{"my-clone-", "ends with a hyphen"},
		{"MyClone", `use "myclone"`},
	} {
		err := ValidateStackName(tc.name)
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("ValidateStackName(%q) = %v, want nil", tc.name, err)
		case tc.want != "" && err == nil:
			t.Errorf("ValidateStackName(%q) = nil, want an error about %q", tc.name, tc.want)
		case tc.want != "":
			msg := err.Error()
			if !strings.Contains(msg, tc.want) {
				t.Errorf("ValidateStackName(%q) = %q, want it to say %q", tc.name, msg, tc.want)
			}
			// Every error shows what a valid name looks like.
			if !strings.Contains(msg, `e.g. "alice-orders-test"`) {
				t.Errorf("ValidateStackName(%q) = %q: no valid example", tc.name, msg)
			}
		}
	}
}

// Every name ValidateStackName accepts must be valid for CloudFormation
// and for RDS as both cluster and instance id (with the "-1" suffix).
func TestValidStackNamesSatisfyAWS(t *testing.T) {
	cfn := regexp.MustCompile(`^[a-zA-Z][-a-zA-Z0-9]{0,127}$`)
	rdsID := regexp.MustCompile(`^[a-zA-Z](?:-?[a-zA-Z0-9]){0,62}$`) // the schemas' DBClusterIdentifier pattern
	for _, name := range []string{"a", "dbartifact1764000000-prod-clone", "x1-2-3", "a" + strings.Repeat("0", 60)} {
		if err := ValidateStackName(name); err != nil {
			t.Fatalf("%q: %v", name, err)
		}
		if !cfn.MatchString(name) || !rdsID.MatchString(name) || !rdsID.MatchString(name+InstanceSuffix) || len(name+InstanceSuffix) > 63 {
			t.Errorf("%q passes ValidateStackName but not AWS's rules", name)
		}
	}
}

func TestStackTags(t *testing.T) {
	now := time.Date(2026, 11, 25, 2, 30, 0, 0, time.FixedZone("CET", 3600))
	owner := "arn:aws:iam::111122223333:user/alice"

	a := tmplPostgres() // clone TTL 72h
	got := StackTags(a, owner, now)
	want := map[string]string{
		TagManagedBy:     "dbaf",
		TagArtifactImage: "registry.example.com/dataops/orders-db:2026-11",
		TagSourceCluster: "orders-prod",
		TagOwner:         owner,
		TagCreatedAt:     "2026-11-25T01:30:00Z",
		TagExpiresAt:     "2026-11-28T01:30:00Z",
	}
	if !maps.Equal(got, want) {
		t.Errorf("StackTags = %v\nwant %v", got, want)
	}

	a.CloneTTL = 0
	got = StackTags(a, owner, now)
	if _, ok := got[TagExpiresAt]; ok {
		t.Errorf("no TTL, yet %s = %q", TagExpiresAt, got[TagExpiresAt])
	}

	// CloudFormation refuses empty values, RDS refuses some characters:
	// either would fail the whole stack.
	a.Image = ""
	got = StackTags(a, "arn:aws:sts::111122223333:assumed-role/Dev/alice,bob", now)
	if _, ok := got[TagArtifactImage]; ok {
		t.Errorf("empty image tagged: %v", got)
	}
	if got[TagOwner] != "arn:aws:sts::111122223333:assumed-role/Dev/alice_bob" {
		t.Errorf("owner = %q", got[TagOwner])
	}
	if v := StackTags(a, strings.Repeat("x", 300), now)[TagOwner]; len(v) != 256 {
		t.Errorf("owner tag is %d long, want 256", len(v))
	}
	if _, ok := StackTags(a, "", now)[TagOwner]; ok {
		t.Error("empty owner tagged")
	}
	for k := range StackTags(tmplPostgres(), owner, now) {
		if !strings.HasPrefix(k, "dbaf:") {
			t.Errorf("tag %q is not in the dbaf: namespace", k)
		}
	}
}

func TestIsDbafStack(t *testing.T) {
	for _, tc := range []struct {
		tags map[string]string
		want bool
	}{
		{StackTags(tmplPostgres(), "o", time.Unix(0, 0)), true},
		{map[string]string{TagManagedBy: "dbaf"}, true},
		{map[string]string{TagManagedBy: "someone-else"}, false},
		{map[string]string{TagSourceCluster: "prod", TagOwner: "x"}, false}, // other tags alone do not make a clone
		{map[string]string{}, false},
		{nil, false},
	} {
		if got := IsDbafStack(tc.tags); got != tc.want {
			t.Errorf("IsDbafStack(%v) = %v, want %v", tc.tags, got, tc.want)
		}
	}
}

func TestExpiresAt(t *testing.T) {
	now := time.Date(2026, 11, 25, 1, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name string
		tags map[string]string
		want time.Time
		ok   bool
	}{
		{"from StackTags", StackTags(tmplPostgres(), "o", now), now.Add(72 * time.Hour), true},
		{"other zone", map[string]string{TagExpiresAt: "2026-11-25T03:00:00+02:00"}, now, true},
		{"no TTL", map[string]string{TagManagedBy: "dbaf"}, time.Time{}, false},
		{"nil", nil, time.Time{}, false},
		{"garbage", map[string]string{TagExpiresAt: "tomorrow"}, time.Time{}, false},
		{"empty", map[string]string{TagExpiresAt: ""}, time.Time{}, false},
	} {
		got, ok := ExpiresAt(tc.tags)
		if ok != tc.ok || !got.Equal(tc.want) {
			t.Errorf("%s: ExpiresAt = %v, %v; want %v, %v", tc.name, got, ok, tc.want, tc.ok)
		}
		if ok && got.Location() != time.UTC {
			t.Errorf("%s: ExpiresAt in %v, want UTC", tc.name, got.Location())
		}
	}
}
