package main

import (
	"go/parser"
	"go/token"
	"io/fs"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// The shape of the module (docs/README.md, "Where each behaviour lives"):
// dependencies go one way, and the operating system's raw interfaces are
// touched in one package. These tests read the imports of every product
// file (not tests, not test/) of the repository the test binary was built
// from.

const modulePath = "github.com/iphelper/iphelper"

// rawOS are the imports that reach the kernel beneath the standard
// library's sockets: only iface may use them.
var rawOS = map[string]bool{
	"unsafe":                true,
	"golang.org/x/sys/unix": true,
	"golang.org/x/net/bpf":  true,
}

// productImports returns, for every product Go file, its directory
// (slash-separated, from the root) and its import paths.
func productImports(t *testing.T) map[string][]string {
	t.Helper()
	root := repoRoot(t)
	out := make(map[string][]string)
	fset := token.NewFileSet()
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		rel = filepath.ToSlash(rel)
		if d.IsDir() {
			if rel == ".git" || rel == "test" || strings.HasSuffix(rel, "/testdata") || rel == "testdata" {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(rel, ".go") || strings.HasSuffix(rel, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, p, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		for _, im := range f.Imports {
			ip, _ := strconv.Unquote(im.Path.Value)
			out[rel] = append(out[rel], ip)
		}
		return nil
	})
	if err != nil {
		t.Fatalf("failed to read the module's imports: %v", err)
	}
	if len(out) < 50 {
		t.Fatalf("read the imports of %d product files, want the whole module", len(out))
	}
	return out
}

// TestOnlyIfaceTouchesRawOS: unsafe, x/sys/unix and x/net/bpf appear in
// product code under iface/ only; relay and the rest speak protocol.
func TestOnlyIfaceTouchesRawOS(t *testing.T) {
	for file, imports := range productImports(t) {
		if file == "iface" || strings.HasPrefix(file, "iface/") {
			continue
		}
		for _, ip := range imports {
			if rawOS[ip] {
				t.Errorf("%s imports %s: only iface may (docs/sockets-and-threads.md)", file, ip)
			}
		}
	}
}

// TestImportDirection: no package imports one above it in its own tree
// (relay/control must not import relay; a fakes package such as
// iface/ifacetest may), iface and config import neither
// relay nor cmd, and relay imports no cmd.
func TestImportDirection(t *testing.T) {
	for file, imports := range productImports(t) {
		dir := path.Dir(file)
		for _, ip := range imports {
			pkg, ok := strings.CutPrefix(ip, modulePath+"/")
			if !ok {
				continue
			}
			// A fakes package (iface/ifacetest, like net/http/httptest)
			// exists to implement its parent's interfaces.
			fakes := strings.HasSuffix(dir, "test")
			if dir != pkg && strings.HasPrefix(dir, pkg+"/") && !fakes {
				t.Errorf("%s imports its parent %s", file, pkg)
			}
			top := strings.SplitN(dir, "/", 2)[0]
			to := strings.SplitN(pkg, "/", 2)[0]
			bad := (top == "iface" || top == "config") && (to == "relay" || to == "cmd") ||
				top == "relay" && to == "cmd" || top == "iface" && to == "config"
			if bad {
				t.Errorf("%s imports %s: dependencies go cmd → relay → iface, and config is read by relay and cmd only", file, pkg)
			}
		}
	}
}
