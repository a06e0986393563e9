package web_test

import (
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

const module = "github.com/haven-nrm/haven/internal/"

// importsOf lists what the non-test Go files of the package in dir import.
func importsOf(t *testing.T, dir string) map[string][]string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]string{}
	fset := token.NewFileSet()
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		af, err := parser.ParseFile(fset, f, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, im := range af.Imports {
			p, _ := strconv.Unquote(im.Path.Value)
			out[p] = append(out[p], filepath.Base(f))
		}
	}
	if len(files) == 0 {
		t.Fatalf("no Go files in %s", dir)
	}
	return out
}

// TestWebReachesStorageOnlyThroughServices holds the layers to their one
// direction: handlers decode, call one service method and render, so the
// web package never imports the database or the keyring itself (services
// do, package services builds them), and the pure rule packages import
// neither storage nor any service nor the web.
func TestWebReachesStorageOnlyThroughServices(t *testing.T) {
	forbidden := map[string][]string{
		".": {"store", "seal"},
	}
	for _, rules := range []string{"access", "casework", "support", "handover", "prosecution", "screening", "intake", "directory", "vocab", "ident", "errs", "trm", "federation"} {
		forbidden["../"+rules] = []string{"store", "seal", "web", "services", "cases", "accounts", "servicedir", "referral", "trmsvc"}
	}
	for dir, bad := range forbidden {
		if _, err := os.Stat(dir); err != nil {
			t.Fatalf("%s: %v", dir, err)
		}
		imports := importsOf(t, dir)
		for _, b := range bad {
			if files, ok := imports[module+b]; ok {
				t.Errorf("package %s imports internal/%s (in %s)", pkgName(dir), b, strings.Join(files, ", "))
			}
		}
	}
}

func pkgName(dir string) string {
	if dir == "." {
		return "web"
	}
	return filepath.Base(dir)
}
