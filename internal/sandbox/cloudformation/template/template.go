package template

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/dbaf/dbaf/internal/sandbox/wire"
)

// Schema is what the engine, and Parse, need to know about a resource type.
type Schema struct {
	Properties     []string // the writable properties; others are refused
	Attributes     []string // the Fn::GetAtt attributes
	DeletionPolicy string   // the default, "" for Delete
}

// Template is a parsed CloudFormation template (JSON only). Values keep
// their intrinsic functions until a resource is created, because Ref and
// Fn::GetAtt of other resources only have values then.
type Template struct {
	schema      func(typ string) (Schema, bool) // the types the provider creates
	Description string
	Params      []*Param
	mappings    map[string]any
	Conditions  map[string]any
	Resources   []*Resource // in template order
	byID        map[string]*Resource
	Outputs     []*Output
}

// Resource is the resource of logical id id, nil if the template has none.
func (t *Template) Resource(id string) *Resource { return t.byID[id] }

// Param is a template parameter and its constraints.
type Param struct {
	Key, Type, ConstraintDesc string
	Default                   *string
	NoEcho                    bool
	Allowed                   []string
	Pattern                   string
	MinLen, MaxLen            *int
	MinVal, MaxVal            *float64
}

// Resource is a template resource; Props keep their intrinsic functions.
type Resource struct {
	ID, Type       string
	Props          map[string]any
	DependsOn      []string
	DeletionPolicy string
	Condition      string
	Deps           []string // resources it needs first: DependsOn plus every Ref and Fn::GetAtt
}

// Output is a template output, evaluated once the stack is created.
type Output struct {
	Key, Desc, Condition string
	Value, Export        any
}

// Errorf is a template format error, as CloudFormation words it.
func Errorf(format string, args ...any) *wire.APIError {
	return wire.Errorf(400, "ValidationError", "Template format error: "+format, args...)
}

var logicalIDPattern = regexp.MustCompile(`^[A-Za-z0-9]+$`)

// orderedKeys returns the keys of a JSON object in the order written; Go
// maps lose it, and CloudFormation starts independent resources in it.
func orderedKeys(raw json.RawMessage) []string {
	dec := json.NewDecoder(bytes.NewReader(raw))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return nil
	}
	var keys []string
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return keys
		}
		k, _ := t.(string)
		keys = append(keys, k)
		var skip json.RawMessage
		if dec.Decode(&skip) != nil {
			return keys
		}
	}
	return keys
}

func decodeJSON(raw []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	return dec.Decode(v)
}

// Parse reads and checks a template the way CreateStack does
// before anything is created: syntax, sections, resource types, and every
// reference.
func Parse(body string, schema func(typ string) (Schema, bool)) (*Template, *wire.APIError) {
	trimmed := strings.TrimSpace(body)
	if trimmed == "" {
		return nil, wire.Errorf(400, "ValidationError", "Template body must not be empty.")
	}
	if trimmed[0] != '{' {
		return nil, Errorf("the sandbox reads JSON templates only; this one is not a JSON object (YAML is not supported).")
	}
	var top map[string]json.RawMessage
	if err := decodeJSON([]byte(body), &top); err != nil {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			line := 1 + bytes.Count([]byte(body[:min(int(se.Offset), len(body))]), []byte("\n"))
			return nil, Errorf("JSON not well-formed. (line %d)", line)
		}
		return nil, Errorf("JSON not well-formed. (%v)", err)
	}
	var bad []string
	for k := range top {
		switch k {
		case "AWSTemplateFormatVersion", "Description", "Metadata", "Parameters", "Rules", "Mappings", "Conditions", "Resources", "Outputs":
		case "Transform":
			return nil, Errorf("the sandbox does not run template transforms (Transform).")
		default:
			bad = append(bad, k)
		}
	}
	if len(bad) > 0 {
		slices.Sort(bad)
		return nil, Errorf("Invalid template property or properties [%s]", strings.Join(bad, ", "))
	}
	t := &Template{schema: schema, byID: map[string]*Resource{}, mappings: map[string]any{}, Conditions: map[string]any{}}
	if raw, ok := top["AWSTemplateFormatVersion"]; ok {
		var v string
		if json.Unmarshal(raw, &v) != nil || v != "2010-09-09" {
			return nil, Errorf("Unsupported template format version %s.", string(raw))
		}
	}
	if raw, ok := top["Description"]; ok {
		if json.Unmarshal(raw, &t.Description) != nil {
			return nil, Errorf("Description must be a string.")
		}
		if len(t.Description) > 1024 {
			return nil, wire.Errorf(400, "ValidationError", "Template format error: Description is %d bytes; the maximum is 1024.", len(t.Description))
		}
	}
	for _, sec := range []struct {
		name string
		dst  *map[string]any
	}{{"Mappings", &t.mappings}, {"Conditions", &t.Conditions}} {
		if raw, ok := top[sec.name]; ok {
			if decodeJSON(raw, sec.dst) != nil {
				return nil, Errorf("%s must be a JSON object.", sec.name)
			}
		}
	}
	if err := t.parseParams(top["Parameters"]); err != nil {
		return nil, err
	}
	if err := t.parseResources(top["Resources"]); err != nil {
		return nil, err
	}
	if err := t.parseOutputs(top["Outputs"]); err != nil {
		return nil, err
	}
	if err := t.checkReferences(); err != nil {
		return nil, err
	}
	return t, nil
}

func (t *Template) parseParams(raw json.RawMessage) *wire.APIError {
	if raw == nil {
		return nil
	}
	var m map[string]map[string]any
	if decodeJSON(raw, &m) != nil {
		return Errorf("Parameters must be a JSON object of objects.")
	}
	for _, k := range orderedKeys(raw) {
		spec := m[k]
		typ, _ := spec["Type"].(string)
		if typ == "" {
			return Errorf("Every Parameters object must contain a Type member. (%s)", k)
		}
		if !knownParamType(typ) {
			return Errorf("Unrecognized parameter type: %s", typ)
		}
		p := &Param{Key: k, Type: typ}
		if v, ok := spec["Default"]; ok {
			s := ScalarString(v)
			p.Default = &s
		}
		p.NoEcho = strings.EqualFold(ScalarString(spec["NoEcho"]), "true")
		if av, ok := spec["AllowedValues"].([]any); ok {
			for _, v := range av {
				p.Allowed = append(p.Allowed, ScalarString(v))
			}
		}
		p.Pattern = ScalarString(spec["AllowedPattern"])
		p.ConstraintDesc = ScalarString(spec["ConstraintDescription"])
		intOf := func(k string) *int {
			if n, err := strconv.Atoi(ScalarString(spec[k])); err == nil {
				return &n
			}
			return nil
		}
		floatOf := func(k string) *float64 {
			if f, err := strconv.ParseFloat(ScalarString(spec[k]), 64); err == nil {
				return &f
			}
			return nil
		}
		p.MinLen, p.MaxLen, p.MinVal, p.MaxVal = intOf("MinLength"), intOf("MaxLength"), floatOf("MinValue"), floatOf("MaxValue")
		t.Params = append(t.Params, p)
	}
	return nil
}

func knownParamType(t string) bool {
	switch t {
	case "String", "Number", "List<Number>", "CommaDelimitedList":
		return true
	}
	inner, isList := strings.CutPrefix(t, "List<")
	if isList {
		inner = strings.TrimSuffix(inner, ">")
	}
	return strings.HasPrefix(inner, "AWS::EC2::") && strings.HasSuffix(inner, "::Id") ||
		inner == "AWS::EC2::AvailabilityZone::Name" || inner == "AWS::EC2::KeyPair::KeyName"
}

func (t *Template) parseResources(raw json.RawMessage) *wire.APIError {
	var m map[string]map[string]any
	if raw == nil || decodeJSON(raw, &m) != nil || len(m) == 0 {
		return Errorf("At least one Resources member must be defined.")
	}
	var unknown []string
	for _, id := range orderedKeys(raw) {
		spec := m[id]
		if !logicalIDPattern.MatchString(id) {
			return Errorf("Resource name %s is non alphanumeric.", id)
		}
		if spec == nil {
			return Errorf("[/Resources/%s] resource definition is malformed", id)
		}
		typ, _ := spec["Type"].(string)
		if typ == "" {
			return Errorf("[/Resources/%s] Every Resources object must contain a Type member.", id)
		}
		for k := range spec {
			switch k {
			case "Type", "Properties", "DependsOn", "DeletionPolicy", "UpdateReplacePolicy", "Condition", "Metadata", "CreationPolicy", "UpdatePolicy":
			default:
				return Errorf("Invalid template resource property '%s'", k)
			}
		}
		if _, ok := t.schema(typ); !ok {
			if !slices.Contains(unknown, typ) {
				unknown = append(unknown, typ)
			}
			continue
		}
		r := &Resource{ID: id, Type: typ, Props: map[string]any{}}
		if p, ok := spec["Properties"]; ok {
			pm, isObj := p.(map[string]any)
			if !isObj {
				return Errorf("[/Resources/%s/Properties] Properties must be a JSON object.", id)
			}
			r.Props = pm
		}
		switch d := spec["DependsOn"].(type) {
		case nil:
		case string:
			r.DependsOn = []string{d}
		case []any:
			for _, v := range d {
				s, ok := v.(string)
				if !ok {
					return Errorf("[/Resources/%s/DependsOn] DependsOn must be a string or a list of strings.", id)
				}
				r.DependsOn = append(r.DependsOn, s)
			}
		default:
			return Errorf("[/Resources/%s/DependsOn] DependsOn must be a string or a list of strings.", id)
		}
		if dp, ok := spec["DeletionPolicy"]; ok {
			r.DeletionPolicy, _ = dp.(string)
			switch r.DeletionPolicy {
			case "Delete", "Retain", "RetainExceptOnCreate":
			case "Snapshot":
				if typ != "AWS::RDS::DBCluster" && typ != "AWS::RDS::DBInstance" {
					return Errorf("[/Resources/%s/DeletionPolicy] Snapshot is not supported for resource type %s.", id, typ)
				}
			default:
				return Errorf("[/Resources/%s/DeletionPolicy] Unrecognized DeletionPolicy %v: use Delete, Retain, RetainExceptOnCreate or Snapshot.", id, dp)
			}
		}
		if c, ok := spec["Condition"]; ok {
			r.Condition, _ = c.(string)
			if _, exists := t.Conditions[r.Condition]; !exists {
				return Errorf("Unresolved condition dependency %v in Resource %s", c, id)
			}
		}
		t.Resources = append(t.Resources, r)
		t.byID[id] = r
	}
	if len(unknown) > 0 {
		slices.Sort(unknown)
		return Errorf("Unrecognized resource types: [%s]", strings.Join(unknown, ", "))
	}
	return nil
}

func (t *Template) parseOutputs(raw json.RawMessage) *wire.APIError {
	if raw == nil {
		return nil
	}
	var m map[string]map[string]any
	if decodeJSON(raw, &m) != nil {
		return Errorf("Outputs must be a JSON object of objects.")
	}
	for _, k := range orderedKeys(raw) {
		spec := m[k]
		v, ok := spec["Value"]
		if !ok {
			return Errorf("Every Outputs member must contain a Value object (%s).", k)
		}
		o := &Output{Key: k, Value: v, Desc: ScalarString(spec["Description"])}
		if c, ok := spec["Condition"].(string); ok {
			if _, exists := t.Conditions[c]; !exists {
				return Errorf("Unresolved condition dependency %s in Outputs %s", c, k)
			}
			o.Condition = c
		}
		if e, ok := spec["Export"].(map[string]any); ok {
			o.Export = e["Name"]
		}
		t.Outputs = append(t.Outputs, o)
	}
	return nil
}

// isParam reports whether name is a template parameter or a pseudo
// parameter.
func (t *Template) isParam(name string) bool {
	if strings.HasPrefix(name, "AWS::") {
		switch name {
		case "AWS::StackName", "AWS::StackId", "AWS::Region", "AWS::AccountId", "AWS::Partition", "AWS::URLSuffix", "AWS::NoValue", "AWS::NotificationARNs":
			return true
		}
		return false
	}
	return slices.ContainsFunc(t.Params, func(p *Param) bool { return p.Key == name })
}

// checkReferences walks every value for Ref, Fn::GetAtt, Fn::Sub and
// Fn::If, checks what they name, records each resource's dependencies and
// refuses cycles, as CloudFormation's template validation does.
func (t *Template) checkReferences() *wire.APIError {
	var unresolved []string
	addUnresolved := func(n string) {
		if !slices.Contains(unresolved, n) {
			unresolved = append(unresolved, n)
		}
	}
	var walkErr *wire.APIError
	var walk func(v any, deps *[]string)
	addDep := func(deps *[]string, id string) {
		if deps != nil && !slices.Contains(*deps, id) {
			*deps = append(*deps, id)
		}
	}
	checkRef := func(name string, deps *[]string) {
		if _, ok := t.byID[name]; ok {
			addDep(deps, name)
		} else if !t.isParam(name) {
			addUnresolved(name)
		}
	}
	checkAtt := func(res, att string, deps *[]string) {
		r, ok := t.byID[res]
		if !ok {
			if walkErr == nil {
				walkErr = wire.Errorf(400, "ValidationError", "Template error: instance of Fn::GetAtt references undefined resource %s", res)
			}
			return
		}
		if sc, _ := t.schema(r.Type); !slices.Contains(sc.Attributes, att) && walkErr == nil {
			walkErr = wire.Errorf(400, "ValidationError", "Template error: resource %s does not support attribute type %s in Fn::GetAtt", res, att)
		}
		addDep(deps, res)
	}
	walk = func(v any, deps *[]string) {
		switch x := v.(type) {
		case []any:
			for _, e := range x {
				walk(e, deps)
			}
		case map[string]any:
			if len(x) == 1 {
				for fn, arg := range x {
					switch fn {
					case "Ref":
						if name, ok := arg.(string); ok {
							checkRef(name, deps)
						} else if walkErr == nil {
							walkErr = Errorf("Ref takes the name of a parameter or resource, a string.")
						}
						return
					case "Fn::GetAtt":
						res, att, ok := getAttArgs(arg)
						if !ok {
							if walkErr == nil {
								walkErr = wire.Errorf(400, "ValidationError", "Template error: every Fn::GetAtt object requires two non-empty parameters")
							}
							return
						}
						checkAtt(res, att, deps)
						return
					case "Fn::Sub":
						str, vars := subArgs(arg)
						for _, ref := range subRefs(str) {
							if _, local := vars[ref]; local {
								continue
							}
							if res, att, dotted := strings.Cut(ref, "."); dotted && !t.isParam(ref) {
								checkAtt(res, att, deps)
							} else {
								checkRef(ref, deps)
							}
						}
						for _, vv := range vars {
							walk(vv, deps)
						}
						return
					case "Fn::If":
						if args, ok := arg.([]any); ok && len(args) == 3 {
							if c, _ := args[0].(string); c == "" || t.Conditions[c] == nil {
								if walkErr == nil {
									walkErr = Errorf("Unresolved condition dependency %v in Fn::If", args[0])
								}
							}
							walk(args[1], deps)
							walk(args[2], deps)
						} else if walkErr == nil {
							walkErr = wire.Errorf(400, "ValidationError", "Template error: Fn::If requires a list argument with three elements")
						}
						return
					}
				}
			}
			for _, e := range x {
				walk(e, deps)
			}
		}
	}
	for _, r := range t.Resources {
		walk(r.Props, &r.Deps)
		for _, d := range r.DependsOn {
			if _, ok := t.byID[d]; !ok {
				addUnresolved(d)
				continue
			}
			addDep(&r.Deps, d)
		}
	}
	for _, o := range t.Outputs {
		walk(o.Value, nil)
	}
	for _, c := range t.Conditions {
		walk(c, nil)
	}
	if walkErr != nil {
		return walkErr
	}
	if len(unresolved) > 0 {
		slices.Sort(unresolved)
		return Errorf("Unresolved resource dependencies [%s] in the Resources block of the template", strings.Join(unresolved, ", "))
	}
	if cycle := t.findCycle(); cycle != nil {
		return wire.Errorf(400, "ValidationError", "Circular dependency between resources: [%s]", strings.Join(cycle, ", "))
	}
	return nil
}

// findCycle returns the resources on a dependency cycle, sorted, or nil.
func (t *Template) findCycle() []string {
	const (
		white = iota
		grey
		black
	)
	color := map[string]int{}
	var stack []string
	var found []string
	var visit func(id string) bool
	visit = func(id string) bool {
		color[id] = grey
		stack = append(stack, id)
		for _, d := range t.byID[id].Deps {
			switch color[d] {
			case grey:
				i := slices.Index(stack, d)
				found = slices.Clone(stack[i:])
				return true
			case white:
				if visit(d) {
					return true
				}
			}
		}
		stack = stack[:len(stack)-1]
		color[id] = black
		return false
	}
	for _, r := range t.Resources {
		if color[r.ID] == white && visit(r.ID) {
			slices.Sort(found)
			return found
		}
	}
	return nil
}

func getAttArgs(arg any) (res, att string, ok bool) {
	switch a := arg.(type) {
	case string:
		res, att, ok = strings.Cut(a, ".")
	case []any:
		if len(a) == 2 {
			res, _ = a[0].(string)
			att, _ = a[1].(string)
			ok = true
		}
	}
	return res, att, ok && res != "" && att != ""
}

func subArgs(arg any) (string, map[string]any) {
	switch a := arg.(type) {
	case string:
		return a, nil
	case []any:
		if len(a) == 2 {
			s, _ := a[0].(string)
			vars, _ := a[1].(map[string]any)
			return s, vars
		}
	}
	return "", nil
}

var (
	subVar = regexp.MustCompile(`\$\{([^}!][^}]*)\}`) // ${name}, not ${!literal}
	subAny = regexp.MustCompile(`\$\{([^}]*)\}`)
)

// subRefs lists the ${...} names of a Fn::Sub string; ${!x} is a literal.
func subRefs(s string) []string {
	var out []string
	for _, m := range subVar.FindAllStringSubmatch(s, -1) {
		out = append(out, strings.TrimSpace(m[1]))
	}
	return out
}

// ScalarString renders a JSON scalar as CloudFormation does when it needs a
// string: numbers as written, booleans as true/false.
func ScalarString(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case json.Number:
		return x.String()
	case bool:
		return strconv.FormatBool(x)
	case nil:
		return ""
	}
	return fmt.Sprint(v)
}

// noValue is what AWS::NoValue evaluates to: the property is dropped.
type noValue struct{}

// Evaluator resolves intrinsic functions for one stack.
type Evaluator struct {
	Template *Template
	Params   map[string]any // string or []any
	Conds    map[string]bool
	Pseudo   map[string]string
	Resource func(id string) (ref string, attrs map[string]string, ok bool) // a resource the stack created, ok false if none
	AZs      []string
}

func (e *Evaluator) ref(name string) (any, error) {
	if name == "AWS::NoValue" {
		return noValue{}, nil
	}
	if name == "AWS::NotificationARNs" {
		return []any{}, nil
	}
	if v, ok := e.Pseudo[name]; ok {
		return v, nil
	}
	if v, ok := e.Params[name]; ok {
		return v, nil
	}
	if ref, _, ok := e.Resource(name); ok {
		if ref == "" {
			return nil, fmt.Errorf("resource %s has no value for Ref yet", name)
		}
		return ref, nil
	}
	return nil, fmt.Errorf("unresolved reference %s", name)
}

func (e *Evaluator) getAtt(res, att string) (any, error) {
	_, attrs, ok := e.Resource(res)
	if !ok {
		return nil, fmt.Errorf("Fn::GetAtt references resource %s, which this stack does not create", res)
	}
	v, ok := attrs[att]
	if !ok {
		return nil, fmt.Errorf("attribute %s of %s is not available", att, res)
	}
	return v, nil
}

// Eval returns v with every intrinsic function resolved.
func (e *Evaluator) Eval(v any) (any, error) {
	switch x := v.(type) {
	case []any:
		out := make([]any, 0, len(x))
		for _, el := range x {
			r, err := e.Eval(el)
			if err != nil {
				return nil, err
			}
			if _, drop := r.(noValue); !drop {
				out = append(out, r)
			}
		}
		return out, nil
	case map[string]any:
		if len(x) == 1 {
			for fn, arg := range x {
				if fn == "Ref" || strings.HasPrefix(fn, "Fn::") {
					return e.call(fn, arg)
				}
			}
		}
		out := make(map[string]any, len(x))
		for k, el := range x {
			r, err := e.Eval(el)
			if err != nil {
				return nil, err
			}
			if _, drop := r.(noValue); !drop {
				out[k] = r
			}
		}
		return out, nil
	}
	return v, nil
}

// EvalString evaluates v to a string.
func (e *Evaluator) EvalString(v any) (string, error) {
	r, err := e.Eval(v)
	if err != nil {
		return "", err
	}
	switch r.(type) {
	case []any, map[string]any:
		return "", fmt.Errorf("expected a string, got %s", jsonString(r))
	}
	return ScalarString(r), nil
}

func (e *Evaluator) evalList(v any) ([]any, error) {
	r, err := e.Eval(v)
	if err != nil {
		return nil, err
	}
	l, ok := r.([]any)
	if !ok {
		return nil, fmt.Errorf("expected a list, got %s", jsonString(r))
	}
	return l, nil
}

func (e *Evaluator) call(fn string, arg any) (any, error) {
	switch fn {
	case "Ref":
		name, _ := arg.(string)
		return e.ref(name)
	case "Fn::GetAtt":
		res, att, _ := getAttArgs(arg)
		return e.getAtt(res, att)
	case "Fn::Join":
		a, ok := arg.([]any)
		if !ok || len(a) != 2 {
			return nil, errors.New("Fn::Join takes [delimiter, [values]]")
		}
		delim, _ := a[0].(string)
		list, err := e.evalList(a[1])
		if err != nil {
			return nil, fmt.Errorf("Fn::Join: %w", err)
		}
		parts := make([]string, len(list))
		for i, p := range list {
			parts[i] = ScalarString(p)
		}
		return strings.Join(parts, delim), nil
	case "Fn::Sub":
		str, vars := subArgs(arg)
		local := map[string]string{}
		for k, v := range vars {
			s, err := e.EvalString(v)
			if err != nil {
				return nil, fmt.Errorf("Fn::Sub variable %s: %w", k, err)
			}
			local[k] = s
		}
		var subErr error
		out := subAny.ReplaceAllStringFunc(str, func(m string) string {
			name := strings.TrimSpace(m[2 : len(m)-1])
			if strings.HasPrefix(name, "!") {
				return "${" + name[1:] + "}"
			}
			if v, ok := local[name]; ok {
				return v
			}
			var v any
			var err error
			if res, att, dotted := strings.Cut(name, "."); dotted && !e.Template.isParam(name) {
				v, err = e.getAtt(res, att)
			} else {
				v, err = e.ref(name)
			}
			if err != nil {
				subErr = err
				return ""
			}
			if l, ok := v.([]any); ok {
				parts := make([]string, len(l))
				for i, p := range l {
					parts[i] = ScalarString(p)
				}
				return strings.Join(parts, ",")
			}
			return ScalarString(v)
		})
		return out, subErr
	case "Fn::If":
		a, ok := arg.([]any)
		if !ok || len(a) != 3 {
			return nil, errors.New("Fn::If takes [condition, value if true, value if false]")
		}
		name, _ := a[0].(string)
		if e.Conds[name] {
			return e.Eval(a[1])
		}
		return e.Eval(a[2])
	case "Fn::Select":
		a, ok := arg.([]any)
		if !ok || len(a) != 2 {
			return nil, errors.New("Fn::Select takes [index, [values]]")
		}
		is, err := e.EvalString(a[0])
		if err != nil {
			return nil, err
		}
		i, err := strconv.Atoi(is)
		list, lerr := e.evalList(a[1])
		if err != nil || lerr != nil || i < 0 || i >= len(list) {
			return nil, fmt.Errorf("Fn::Select: index %s out of bounds", is)
		}
		return list[i], nil
	case "Fn::Split":
		a, ok := arg.([]any)
		if !ok || len(a) != 2 {
			return nil, errors.New("Fn::Split takes [delimiter, string]")
		}
		delim, _ := a[0].(string)
		s, err := e.EvalString(a[1])
		if err != nil {
			return nil, err
		}
		var out []any
		for _, p := range strings.Split(s, delim) {
			out = append(out, p)
		}
		return out, nil
	case "Fn::GetAZs":
		out := make([]any, len(e.AZs))
		for i, z := range e.AZs {
			out[i] = z
		}
		return out, nil
	case "Fn::Base64":
		s, err := e.EvalString(arg)
		if err != nil {
			return nil, err
		}
		return base64.StdEncoding.EncodeToString([]byte(s)), nil
	case "Fn::FindInMap":
		a, ok := arg.([]any)
		if !ok || len(a) < 3 {
			return nil, errors.New("Fn::FindInMap takes [map, top-level key, second-level key]")
		}
		var keys [3]string
		for i := range 3 {
			s, err := e.EvalString(a[i])
			if err != nil {
				return nil, err
			}
			keys[i] = s
		}
		m, _ := e.Template.mappings[keys[0]].(map[string]any)
		second, _ := m[keys[1]].(map[string]any)
		v, ok := second[keys[2]]
		if !ok {
			return nil, fmt.Errorf("Fn::FindInMap: no %s/%s/%s in Mappings", keys[0], keys[1], keys[2])
		}
		return v, nil
	}
	return nil, fmt.Errorf("the sandbox does not support the intrinsic function %s", fn)
}

// evalCondition evaluates a condition definition (Fn::Equals, Fn::Not,
// Fn::And, Fn::Or, {"Condition": name}).
func (e *Evaluator) evalCondition(v any, seen map[string]bool) (bool, error) {
	m, ok := v.(map[string]any)
	if !ok || len(m) != 1 {
		return false, errors.New("a condition must be a single Fn::Equals, Fn::Not, Fn::And, Fn::Or or Condition")
	}
	for fn, arg := range m {
		switch fn {
		case "Condition":
			name, _ := arg.(string)
			return e.Condition(name, seen)
		case "Fn::Equals":
			a, ok := arg.([]any)
			if !ok || len(a) != 2 {
				return false, errors.New("Fn::Equals takes two values")
			}
			x, err := e.Eval(a[0])
			if err != nil {
				return false, err
			}
			y, err := e.Eval(a[1])
			if err != nil {
				return false, err
			}
			return jsonString(x) == jsonString(y) || ScalarString(x) == ScalarString(y), nil
		case "Fn::Not", "Fn::And", "Fn::Or":
			a, ok := arg.([]any)
			if !ok || len(a) == 0 {
				return false, fmt.Errorf("%s takes a list of conditions", fn)
			}
			var vals []bool
			for _, c := range a {
				b, err := e.evalCondition(c, seen)
				if err != nil {
					return false, err
				}
				vals = append(vals, b)
			}
			switch fn {
			case "Fn::Not":
				return !vals[0], nil
			case "Fn::And":
				return !slices.Contains(vals, false), nil
			default:
				return slices.Contains(vals, true), nil
			}
		}
		return false, fmt.Errorf("%s cannot be used in a condition", fn)
	}
	return false, nil
}

// Condition evaluates the named condition once and keeps its value in
// Conds; seen guards against conditions that refer to themselves.
func (e *Evaluator) Condition(name string, seen map[string]bool) (bool, error) {
	if v, ok := e.Conds[name]; ok {
		return v, nil
	}
	def, ok := e.Template.Conditions[name]
	if !ok {
		return false, fmt.Errorf("unknown condition %s", name)
	}
	if seen[name] {
		return false, fmt.Errorf("condition %s refers to itself", name)
	}
	seen[name] = true
	v, err := e.evalCondition(def, seen)
	if err != nil {
		return false, fmt.Errorf("condition %s: %w", name, err)
	}
	e.Conds[name] = v
	return v, nil
}

func jsonString(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
