package aws

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// iamPrefix maps an SDK service package to its IAM service prefix.
var iamPrefix = map[string]string{
	"github.com/aws/aws-sdk-go-v2/service/rds":            "rds",
	"github.com/aws/aws-sdk-go-v2/service/ec2":            "ec2",
	"github.com/aws/aws-sdk-go-v2/service/sts":            "sts",
	"github.com/aws/aws-sdk-go-v2/service/cloudformation": "cloudformation",
	"github.com/aws/aws-sdk-go-v2/service/kms":            "kms",
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager": "secretsmanager",
	"github.com/aws/aws-sdk-go-v2/service/scheduler":      "scheduler",
}

// sdkActions scans the package's source for every SDK operation it can
// call. Every SDK client sits behind an interface of the methods dbaf calls
// (client.go), so the interfaces' methods taking a *service.XInput are the
// operations; a new call needs a new method there, and so shows up here.
func sdkActions(t *testing.T) map[string]string {
	t.Helper()
	fset := token.NewFileSet()
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	found := map[string]string{} // action -> where
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		imports := map[string]string{} // local name -> IAM prefix
		for _, im := range f.Imports {
			path, _ := strconv.Unquote(im.Path.Value)
			prefix, ok := iamPrefix[path]
			if !ok {
				if strings.HasPrefix(path, "github.com/aws/aws-sdk-go-v2/service/") && !strings.Contains(path[len("github.com/aws/aws-sdk-go-v2/service/"):], "/") {
					t.Errorf("%s imports %s: add its IAM prefix to iamPrefix and its actions to Actions", name, path)
				}
				continue
			}
			local := path[strings.LastIndex(path, "/")+1:]
			if im.Name != nil {
				local = im.Name.Name
			}
			imports[local] = prefix
		}
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.InterfaceType:
				for _, m := range n.Methods.List {
					ft, ok := m.Type.(*ast.FuncType)
					if !ok || len(m.Names) == 0 || ft.Params == nil || len(ft.Params.List) < 2 {
						continue
					}
					star, ok := ft.Params.List[1].Type.(*ast.StarExpr)
					if !ok {
						continue
					}
					sel, ok := star.X.(*ast.SelectorExpr)
					if !ok {
						continue
					}
					pkg, ok := sel.X.(*ast.Ident)
					if !ok || imports[pkg.Name] == "" || !strings.HasSuffix(sel.Sel.Name, "Input") {
						continue
					}
					found[imports[pkg.Name]+":"+m.Names[0].Name] = fset.Position(m.Pos()).String()
				}
			case *ast.CallExpr:
				// A direct call on a concrete SDK client (e.g. rds.New(...).X)
				// would bypass the interfaces: refuse it.
				if sel, ok := n.Fun.(*ast.SelectorExpr); ok {
					if pkg, ok := sel.X.(*ast.Ident); ok && imports[pkg.Name] != "" && sel.Sel.Name == "New" {
						t.Errorf("%s: %s.New builds an SDK client outside New's interfaces", fset.Position(n.Pos()), pkg.Name)
					}
				}
			}
			return true
		})
	}
	return found
}

func TestActionsCoverTheSDKCalls(t *testing.T) {
	found := sdkActions(t)
	if len(found) < 15 {
		t.Fatalf("found only %d SDK operations (%v): the scan is broken", len(found), found)
	}
	for action, where := range found {
		if _, ok := ActionNamed(action); !ok {
			t.Errorf("%s: dbaf calls %s, which aws.Actions (actions.go) lacks: add its row (resource, roles, why)", where, action)
		}
	}
	// And the other way: a row the code does not call must be one that
	// CloudFormation or RDS performs with the caller's credentials.
	for _, a := range Actions {
		if _, ok := found[a.Name]; !ok && a.By == ByDbaf {
			t.Errorf("%s is marked By dbaf, but the aws package calls no such SDK operation", a.Name)
		}
	}
}

// The scan must be able to fail: a made-up interface method is found.
func TestSDKScanFindsInterfaceMethods(t *testing.T) {
	found := sdkActions(t)
	for _, want := range []string{"rds:DescribeDBClusters", "rds:ModifyDBCluster", "cloudformation:CreateStack", "secretsmanager:GetSecretValue", "kms:DescribeKey", "sts:GetCallerIdentity"} {
		if _, ok := found[want]; !ok {
			t.Errorf("scan missed %s", want)
		}
	}
}

func TestActionsTableIsWellFormed(t *testing.T) {
	seen := map[string]bool{}
	for _, a := range Actions {
		if seen[a.Name] {
			t.Errorf("%s listed twice", a.Name)
		}
		seen[a.Name] = true
		svc, op, ok := strings.Cut(a.Name, ":")
		if !ok || svc == "" || op == "" || strings.ToUpper(op[:1]) != op[:1] {
			t.Errorf("%q is not service:Operation", a.Name)
		}
		if a.Resource == "" || a.Why == "" || a.By == "" {
			t.Errorf("%s: resource, why and by are all needed (docs/iam.md shows them)", a.Name)
		}
		if !a.NoPermission && len(a.Roles()) == 0 {
			t.Errorf("%s: no role is granted it", a.Name)
		}
		if len(a.Grants[RoleBuild]) > 0 && !isReadOnly(a.Name) {
			t.Errorf("%s is granted to the build role, which may change nothing", a.Name)
		}
	}
}

func isReadOnly(action string) bool {
	_, op, _ := strings.Cut(action, ":")
	return strings.HasPrefix(op, "Describe") || strings.HasPrefix(op, "Get") || strings.HasPrefix(op, "List")
}

// TestDocsIAMIsCurrent fails when the permissions table in docs/iam.md no
// longer matches Actions.
func TestDocsIAMIsCurrent(t *testing.T) {
	page, err := os.ReadFile(filepath.Join("..", "docs", "iam.md"))
	if err != nil {
		t.Fatal(err)
	}
	table := PermissionsTable()
	begin, end := "<!-- BEGIN permissions: generated from aws.Actions by `go test ./aws -run TestDocsIAMIsCurrent -update` -->\n", "<!-- END permissions -->\n"
	i, j := strings.Index(string(page), begin), strings.Index(string(page), end)
	if i < 0 || j < i {
		t.Fatalf("docs/iam.md lacks the %q … %q markers", strings.TrimSpace(begin), strings.TrimSpace(end))
	}
	got := string(page[i+len(begin) : j])
	if got == table {
		return
	}
	if *updateGolden {
		out := string(page[:i+len(begin)]) + table + string(page[j:])
		if err := os.WriteFile(filepath.Join("..", "docs", "iam.md"), []byte(out), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	t.Errorf("docs/iam.md's permissions table is stale: run go test ./aws -run TestDocsIAMIsCurrent -update")
}

func TestPermissionsTableNamesEveryAction(t *testing.T) {
	table := PermissionsTable()
	var names []string
	for _, a := range Actions {
		names = append(names, a.Name)
		if !strings.Contains(table, "`"+a.Name+"`") {
			t.Errorf("%s missing from the permissions table", a.Name)
		}
	}
	sort.Strings(names)
}
