package node

import (
	"go/parser"
	"go/token"
	"io/fs"
	"maps"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// The package rules (DESIGN.md, README "How it fits together"), each on
// what a package reaches through any chain of imports, as tailscale's
// tstest/deptest checks a binary's dependencies:
//
//	cmd -> client -> node -> {store, protocol}, store -> protocol
//
// nothing imports cmd; only cmd imports client; protocol reaches no other
// Hearth package and is pure (no I/O, host or storage); store reaches only
// protocol, and only store imports Badger; node's parts (finder, members,
// problem) never reach node itself, and nothing in node but node/web
// reaches node/web, which is the page built on the hub.
const module = "hearth"

// TestImportRules checks the rules on the repository's packages.
func TestImportRules(t *testing.T) {
	t.Parallel()
	imports := make(map[string][]string) // package -> its imports, from its non-test files
	err := filepath.WalkDir("..", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "testdata" || strings.HasPrefix(d.Name(), ".") && path != "..") {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		dir, _ := filepath.Rel("..", filepath.Dir(path))
		pkg := module + "/" + filepath.ToSlash(dir)
		for _, imp := range f.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			imports[pkg] = append(imports[pkg], p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, pkg := range []string{"hearth/cmd/hearth", "hearth/client/operator", "hearth/node", "hearth/node/web", "hearth/node/finder", "hearth/node/members", "hearth/store", "hearth/protocol"} {
		if _, ok := imports[pkg]; !ok {
			t.Fatalf("no package %s: is the test walking the repository?", pkg)
		}
	}
	for _, v := range importViolations(imports) {
		t.Error(v)
	}
}

// TestImportRulesCatchViolations: each rule fires, through a chain too.
func TestImportRulesCatchViolations(t *testing.T) {
	t.Parallel()
	bad := map[string][]string{
		"hearth/protocol":        {"hearth/node/problem", "os"},
		"hearth/node/problem":    {"hearth/node"},
		"hearth/node":            {"hearth/node/finder", "hearth/store", "hearth/client/operator"},
		"hearth/node/finder":     {"hearth/node/members"},
		"hearth/node/members":    {"hearth/node/web"},
		"hearth/node/web":        {"hearth/node", "github.com/dgraph-io/badger/v4"},
		"hearth/store":           {"hearth/cmd/hearth"},
		"hearth/cmd/hearth":      {"hearth/node/web"},
		"hearth/client/operator": {"hearth/node"},
	}
	got := strings.Join(importViolations(bad), "\n")
	for _, want := range []string{
		"hearth/node/finder reaches hearth/node (hearth/node/finder -> hearth/node/members -> hearth/node/web -> hearth/node)",
		"hearth/node reaches hearth/node/web (hearth/node -> hearth/node/finder -> hearth/node/members -> hearth/node/web)",
		"hearth/store reaches hearth/cmd/hearth",
		"hearth/node reaches hearth/client/operator",
		"hearth/protocol reaches hearth/node/problem",
		"hearth/store reaches hearth/node/web",
		"hearth/node/web imports github.com/dgraph-io/badger/v4",
		"hearth/protocol imports os",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("no violation %q among:\n%s", want, got)
		}
	}
}

// importViolations applies the rules to a graph of the module's packages
// (and their imports outside it), saying for each violation the chain of
// imports that makes it.
func importViolations(imports map[string][]string) []string {
	var out []string
	for _, pkg := range slices.Sorted(maps.Keys(imports)) {
		for _, imp := range imports[pkg] {
			switch {
			case strings.HasPrefix(imp, "github.com/dgraph-io/badger") && !within(pkg, "hearth/store"):
				out = append(out, pkg+" imports "+imp+": only store touches Badger")
			case within(pkg, "hearth/protocol") && impure(imp):
				out = append(out, pkg+" imports "+imp+": protocol is pure, with no I/O, host or storage")
			}
		}
		for _, dep := range slices.Sorted(maps.Keys(reach(imports, pkg))) {
			if why := forbidden(pkg, dep); why != "" {
				out = append(out, pkg+" reaches "+dep+" ("+strings.Join(chain(imports, pkg, dep), " -> ")+"): "+why)
			}
		}
	}
	return out
}

// forbidden says why pkg may not depend on dep, or "" if it may. Both are
// packages of the module.
func forbidden(pkg, dep string) string {
	hubPart := within(pkg, "hearth/node") && pkg != "hearth/node" && !within(pkg, "hearth/node/web")
	switch {
	case within(dep, "hearth/cmd"):
		return "nothing imports cmd"
	case within(dep, "hearth/client") && !within(pkg, "hearth/cmd") && !within(pkg, "hearth/client"):
		return "only cmd uses the operator socket's client"
	case within(pkg, "hearth/protocol") && !within(dep, "hearth/protocol"):
		return "protocol imports no other Hearth package"
	case within(pkg, "hearth/store") && !within(dep, "hearth/protocol"):
		return "store imports only protocol"
	case hubPart && dep == "hearth/node":
		return "node's parts never import the hub they are parts of"
	case within(dep, "hearth/node/web") && (within(pkg, "hearth/node") && !within(pkg, "hearth/node/web")):
		return "the page is built on the hub, not the hub on the page"
	}
	return ""
}

// reach is every package of the module pkg depends on, through any chain.
func reach(imports map[string][]string, pkg string) map[string]bool {
	seen := map[string]bool{}
	var walk func(string)
	walk = func(p string) {
		for _, imp := range imports[p] {
			if within(imp, module) && !seen[imp] {
				seen[imp] = true
				walk(imp)
			}
		}
	}
	walk(pkg)
	delete(seen, pkg)
	return seen
}

// chain is a shortest chain of imports from pkg to dep.
func chain(imports map[string][]string, pkg, dep string) []string {
	from := map[string]string{pkg: ""}
	queue := []string{pkg}
	for len(queue) > 0 {
		p := queue[0]
		queue = queue[1:]
		if p == dep {
			var path []string
			for ; p != ""; p = from[p] {
				path = append([]string{p}, path...)
			}
			return path
		}
		for _, imp := range imports[p] {
			if _, ok := from[imp]; !ok && within(imp, module) {
				from[imp] = p
				queue = append(queue, imp)
			}
		}
	}
	return nil
}

func within(pkg, area string) bool { return pkg == area || strings.HasPrefix(pkg, area+"/") }

func impure(imp string) bool {
	switch imp {
	case "net", "net/http", "os", "os/exec", "syscall":
		return true
	}
	return strings.HasPrefix(imp, "github.com/libp2p/go-libp2p-pubsub") || strings.HasPrefix(imp, "github.com/libp2p/go-libp2p/p2p/")
}
