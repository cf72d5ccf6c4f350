package main

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

const module = "github.com/chipmint/chipmint/"

// deps lists the packages pkg imports, directly or not (tests excluded).
func deps(t *testing.T, pkg string) []string {
	t.Helper()
	out, err := exec.Command("go", "list", "-deps", module+pkg).Output()
	if err != nil {
		t.Fatalf("go list %s: %v", pkg, err)
	}
	return strings.Fields(string(out))
}

// The services, the explorer and the wallet's client see the chain as any outside
// program would: through the wire format and the RPC, never through the state machine or
// its store.
func TestServicesDoNotReachIntoTheStateMachine(t *testing.T) {
	for _, pkg := range []string{"internal/client", "internal/issuer", "internal/gateway", "internal/reserves", "internal/bank", "internal/camt", "internal/pain", "internal/isoxml", "internal/explorer"} {
		for _, dep := range deps(t, pkg) {
			for _, forbidden := range []string{"internal/ledger", "internal/store", "internal/abciapp", "internal/node"} {
				if dep == module+forbidden {
					t.Errorf("%s depends on %s", pkg, forbidden)
				}
			}
		}
	}
}

// The state machine and the wire format are pure: no consensus engine, network, files,
// clock source or randomness in what they import. (The ledger reaches pebble only
// through the store's interfaces, which its caller implements.)
func TestStateMachineIsPure(t *testing.T) {
	for _, pkg := range []string{"internal/ledger", "internal/txn", "internal/crypto", "internal/fiat"} {
		out, err := exec.Command("go", "list", "-f", "{{join .Imports \" \"}}", module+pkg).Output()
		if err != nil {
			t.Fatalf("go list %s: %v", pkg, err)
		}
		for _, dep := range strings.Fields(string(out)) {
			switch {
			case strings.HasPrefix(dep, "github.com/cometbft/"), strings.HasPrefix(dep, "github.com/cockroachdb/"),
				dep == "net", dep == "net/http", dep == "os", dep == "math/rand", dep == "math/rand/v2", dep == "log", dep == "log/slog":
				t.Errorf("%s imports %s", pkg, dep)
			}
		}
	}
}

// starters are the functions that start a part of the running system, by package.
var starters = map[string][]string{
	module + "internal/node":    {"Start", "StartLocal", "StartApp"},
	module + "internal/bank":    {"Open", "Serve", "ServeListener"},
	module + "internal/gateway": {"New"},
	module + "internal/issuer":  {"New"},
}

// startCalls lists the calls in a Go source file that start a part of the system.
func startCalls(t *testing.T, fset *token.FileSet, name string, src any) []string {
	t.Helper()
	f, err := parser.ParseFile(fset, name, src, parser.SkipObjectResolution)
	if err != nil {
		t.Fatal(err)
	}
	local := map[string]string{} // the name a file gives an import, to its path
	for _, imp := range f.Imports {
		p := strings.Trim(imp.Path.Value, `"`)
		n := p[strings.LastIndex(p, "/")+1:]
		if imp.Name != nil {
			n = imp.Name.Name
		}
		local[n] = p
	}
	var found []string
	ast.Inspect(f, func(n ast.Node) bool {
		sel, ok := n.(*ast.SelectorExpr)
		if !ok {
			return true
		}
		id, ok := sel.X.(*ast.Ident)
		if ok && slices.Contains(starters[local[id.Name]], sel.Sel.Name) {
			found = append(found, fmt.Sprintf("%s: %s.%s", fset.Position(sel.Pos()), id.Name, sel.Sel.Name))
		}
		return true
	})
	return found
}

// The running system is assembled in one place: no non-test package but
// internal/system starts a node, the sandbox bank, a gateway or the issuer service.
// (Test-support packages, named …test like net/http/httptest, may.)
func TestOnlyTheAssemblyStartsTheSystem(t *testing.T) {
	fset := token.NewFileSet()
	files, err := filepath.Glob("../../internal/*/*.go")
	if err != nil {
		t.Fatal(err)
	}
	more, _ := filepath.Glob("../../internal/*/*/*.go")
	files = append(append(files, more...), "main.go")
	for _, file := range files {
		dir := filepath.Base(filepath.Dir(file))
		if strings.HasSuffix(file, "_test.go") || dir == "system" || strings.HasSuffix(dir, "test") {
			continue
		}
		for _, call := range startCalls(t, fset, file, nil) {
			t.Errorf("%s: only internal/system starts the system's parts", call)
		}
	}
	if len(files) < 50 {
		t.Fatalf("read %d files: the walk missed the source", len(files))
	}
	// The check itself finds a start, under any import name.
	src := "package p\nimport (\n\tnd \"" + module + "internal/node\"\n\t\"" + module + "internal/gateway\"\n)\n" +
		"func f() { nd.Start(\"\", nd.Options{}); gateway.New(gateway.Config{}) }\n"
	if got := startCalls(t, fset, "example.go", src); len(got) != 2 {
		t.Fatalf("the check found %v in a file that starts a node and a gateway", got)
	}
}

// The gateway reads any bank's files: it knows the camt formats, never the sandbox
// bank's package.
func TestGatewayDoesNotImportTheSandboxBank(t *testing.T) {
	for _, dep := range deps(t, "internal/gateway") {
		if dep == module+"internal/bank" {
			t.Error("internal/gateway depends on internal/bank")
		}
	}
}

// The repository carries its own design: docs/architecture.md exists, and no file
// points at a design or style document kept outside the repository.
func TestDesignLivesInTheRepository(t *testing.T) {
	if _, err := os.Stat("../../docs/architecture.md"); err != nil {
		t.Fatalf("docs/architecture.md: %v", err)
	}
	out, err := exec.Command("git", "-C", "../..", "ls-files").Output()
	if err != nil {
		t.Skipf("not a git checkout: %v", err)
	}
	outside := []string{"DESIGN" + ".md", "STYLE" + ".md", "shared" + "/seed", "../" + "shared"}
	files := strings.Fields(string(out))
	for _, f := range files {
		b, err := os.ReadFile(filepath.Join("../..", f))
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range outside {
			if strings.Contains(string(b), s) {
				t.Errorf("%s refers to %s, outside the repository", f, s)
			}
		}
	}
	if len(files) < 100 {
		t.Fatalf("read %d files: the walk missed the repository", len(files))
	}
}
