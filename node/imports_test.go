package node

import (
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestImportDirection enforces DESIGN.md's package rules: imports run
// cmd -> node -> {store, protocol} and store -> protocol, never back; only
// store touches Badger; protocol is pure (no I/O, no host, no storage).
func TestImportDirection(t *testing.T) {
	const module = "hearth/"
	imports := make(map[string][]string) // package dir -> imports
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
		pkg, _ := filepath.Rel("..", filepath.Dir(path))
		for _, imp := range f.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			imports[filepath.ToSlash(pkg)] = append(imports[filepath.ToSlash(pkg)], p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(imports) < 4 {
		t.Fatalf("found only %d packages: is the test walking the repository?", len(imports))
	}
	within := func(pkg, area string) bool { return pkg == area || strings.HasPrefix(pkg, area+"/") }
	for pkg, list := range imports {
		for _, imp := range list {
			own := strings.TrimPrefix(imp, module)
			isOwn := strings.HasPrefix(imp, module)
			switch {
			case isOwn && within(own, "cmd"):
				t.Errorf("%s imports %s: nothing imports cmd", pkg, imp)
			case isOwn && within(pkg, "protocol") && !within(own, "protocol"):
				t.Errorf("%s imports %s: protocol imports no other Hearth package", pkg, imp)
			case isOwn && within(pkg, "store") && !within(own, "protocol"):
				t.Errorf("%s imports %s: store imports only protocol", pkg, imp)
			case strings.HasPrefix(imp, "github.com/dgraph-io/badger") && !within(pkg, "store"):
				t.Errorf("%s imports %s: only store touches Badger", pkg, imp)
			case within(pkg, "protocol") && impure(imp):
				t.Errorf("%s imports %s: protocol is pure, with no I/O, host or storage", pkg, imp)
			}
		}
	}
}

func impure(imp string) bool {
	switch imp {
	case "net", "net/http", "os", "os/exec", "syscall":
		return true
	}
	return strings.HasPrefix(imp, "github.com/libp2p/go-libp2p-pubsub") || strings.HasPrefix(imp, "github.com/libp2p/go-libp2p/p2p/")
}
