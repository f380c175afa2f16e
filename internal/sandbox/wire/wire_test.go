package wire

import (
	"math"
	"net/url"
	"slices"
	"testing"
)

func TestParamsLists(t *testing.T) {
	q, _ := url.ParseQuery("SubnetId.2=b&SubnetId.1=a&SubnetId.10=j" +
		"&Filters.Filter.1.Name=engine&Filters.Filter.1.Values.Value.2=y&Filters.Filter.1.Values.Value.1=x" +
		"&Filters.member.2.Name=db-cluster-id&Filters.member.2.Values.member.1=z" +
		"&Filter.1.Name=vpc-id&Filter.1.Value.1=vpc-1&Tags.member.1.Key=k&Tags.member.1.Value=v")
	p := Params(q)
	if got := p.List("SubnetId"); !slices.Equal(got, []string{"a", "b", "j"}) {
		t.Errorf("SubnetId list %v", got)
	}
	rds := p.Filters("Filters", "Values")
	if len(rds) != 2 || rds[0].Name != "engine" || !slices.Equal(rds[0].Values, []string{"x", "y"}) || rds[1].Values[0] != "z" {
		t.Errorf("RDS filters %+v", rds)
	}
	ec2 := p.Filters("Filter", "Value")
	if len(ec2) != 1 || ec2[0].Name != "vpc-id" || ec2[0].Values[0] != "vpc-1" {
		t.Errorf("EC2 filters %+v", ec2)
	}
	if tags := p.Structs("Tags"); len(tags) != 1 || tags[0].Get("Key") != "k" || tags[0].Get("Value") != "v" {
		t.Errorf("tags %+v", tags)
	}
}

func TestPageByKey(t *testing.T) {
	items := []string{"a", "b", "c", "d", "e"}
	id := func(s string) string { return s }
	var all []string
	tok := ""
	for {
		page, next, ok := PageByKey(items, id, tok, 2)
		if !ok {
			t.Fatal("token refused")
		}
		all = append(all, page...)
		if next == "" {
			break
		}
		tok = next
	}
	if !slices.Equal(all, items) {
		t.Errorf("paged %v", all)
	}
	// A token with no page size (EC2 without MaxResults) returns the rest.
	page, next, ok := PageByKey(items, id, EncodeToken("b"), math.MaxInt)
	if !ok || next != "" || !slices.Equal(page, []string{"c", "d", "e"}) {
		t.Errorf("rest after b: %v %q %v", page, next, ok)
	}
	// The item named by the token may be gone: paging resumes after it.
	page, _, _ = PageByKey([]string{"a", "c"}, id, EncodeToken("b"), 10)
	if !slices.Equal(page, []string{"c"}) {
		t.Errorf("after a removed item: %v", page)
	}
	if _, _, ok := PageByKey(items, id, "%%%", 2); ok {
		t.Error("a foreign token was accepted")
	}
}

func TestGlob(t *testing.T) {
	for _, tc := range []struct {
		pattern, s string
		want       bool
	}{
		{"staging-*", "staging-private-a", true},
		{"10.0.*", "10.0.1.0/24", true},
		{"*-a", "prod-private-a", true},
		{"*-a", "prod-private-b", false},
		{"eu-west-1?", "eu-west-1c", true},
		{"eu-west-1?", "eu-west-1", false},
		{`a\*`, "a*", true},
		{`a\*`, "ab", false},
		{"exact", "exact", true},
		{"*", "", true},
	} {
		if got := Glob(tc.pattern, tc.s); got != tc.want {
			t.Errorf("Glob(%q, %q) = %v", tc.pattern, tc.s, got)
		}
	}
}
