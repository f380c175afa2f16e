package template

import (
	"strings"
	"testing"
)

func schema(typ string) (Schema, bool) {
	if typ != "Test::Thing" {
		return Schema{}, false
	}
	return Schema{Properties: []string{"Name", "Peer"}, Attributes: []string{"Arn"}}, true
}

const body = `{
  "Parameters": {"Env": {"Type": "String", "AllowedValues": ["dev", "prod"]}},
  "Conditions": {"IsProd": {"Fn::Equals": [{"Ref": "Env"}, "prod"]}},
  "Resources": {
    "A": {"Type": "Test::Thing", "Properties": {"Name": {"Fn::Sub": "${AWS::StackName}-${Env}"}}},
    "B": {"Type": "Test::Thing", "Properties": {"Name": {"Ref": "A"}, "Peer": {"Fn::GetAtt": ["A", "Arn"]}}}
  },
  "Outputs": {"Where": {"Condition": "IsProd", "Value": {"Fn::Join": [",", {"Fn::GetAZs": ""}]}}}
}`

func TestParseAndEvaluate(t *testing.T) {
	tmpl, apiErr := Parse(body, schema)
	if apiErr != nil {
		t.Fatal(apiErr)
	}
	if len(tmpl.Resources) != 2 || tmpl.Resources[1].ID != "B" || strings.Join(tmpl.Resources[1].Deps, ",") != "A" {
		t.Fatalf("resources = %+v, want A then B, which needs A", tmpl.Resources)
	}
	created := map[string]string{}
	e := &Evaluator{Template: tmpl, Params: map[string]any{"Env": "prod"}, Conds: map[string]bool{},
		Pseudo: map[string]string{"AWS::StackName": "s"}, AZs: []string{"x-1a", "x-1b"},
		Resource: func(id string) (string, map[string]string, bool) {
			if id != "A" {
				return "", nil, false
			}
			return created[id], map[string]string{"Arn": "arn:" + created[id]}, true
		}}
	a, err := e.Eval(tmpl.Resources[0].Props)
	if err != nil || a.(map[string]any)["Name"] != "s-prod" {
		t.Fatalf("A's properties = %v, %v", a, err)
	}
	if _, err := e.Eval(tmpl.Resources[1].Props); err == nil || !strings.Contains(err.Error(), "no value for Ref yet") {
		t.Errorf("B before A is created: err = %v", err)
	}
	created["A"] = "thing-a"
	b, err := e.Eval(tmpl.Resources[1].Props)
	if m, _ := b.(map[string]any); err != nil || m["Name"] != "thing-a" || m["Peer"] != "arn:thing-a" {
		t.Errorf("B's properties = %v, %v", b, err)
	}
	if ok, err := e.Condition("IsProd", map[string]bool{}); !ok || err != nil {
		t.Errorf("IsProd = %v, %v", ok, err)
	}
	if v, err := e.EvalString(tmpl.Outputs[0].Value); v != "x-1a,x-1b" || err != nil {
		t.Errorf("output = %q, %v", v, err)
	}
}

func TestParseRefusesUnknownTypesAndAttributes(t *testing.T) {
	for in, want := range map[string]string{
		strings.Replace(body, `"B": {"Type": "Test::Thing"`, `"B": {"Type": "Test::Other"`, 1): "Test::Other",
		strings.Replace(body, `["A", "Arn"]`, `["A", "Nope"]`, 1):                              "Nope",
	} {
		if _, err := Parse(in, schema); err == nil || !strings.Contains(err.Message, want) {
			t.Errorf("err = %v, want one naming %s", err, want)
		}
	}
}
