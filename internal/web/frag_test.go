package web

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestFragEscapesValues(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"plain", "<b>plain</b>"},
		{`<script>alert(1)</script>`, "<b>&lt;script&gt;alert(1)&lt;/script&gt;</b>"},
		{`" onmouseover="x`, "<b>&#34; onmouseover=&#34;x</b>"},
		{"a&b 'c'", "<b>a&amp;b &#39;c&#39;</b>"},
		{"nul\x00", "<b>nul\uFFFD</b>"},
		{"한국어", "<b>한국어</b>"},
	} {
		var f frag
		f.m("<b>").text(tc.in).m("</b>")
		if got := string(f.html()); got != tc.want {
			t.Errorf("%q: got %q, want %q", tc.in, got, tc.want)
		}
	}
}

// TestNoMarkupConversions keeps markup constant: no code converts a value
// to markup (or to template.HTML outside frag.html), so nothing a user
// typed can reach a page unescaped through a fragment.
func TestNoMarkupConversions(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		src, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		f, err := parser.ParseFile(fset, name, src, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok || len(call.Args) != 1 {
				return true
			}
			switch fn := call.Fun.(type) {
			case *ast.Ident:
				if fn.Name == "markup" {
					if _, lit := call.Args[0].(*ast.BasicLit); !lit {
						t.Errorf("%s: a value converted to markup", fset.Position(call.Pos()))
					}
				}
			case *ast.SelectorExpr:
				if x, ok := fn.X.(*ast.Ident); ok && x.Name == "template" && fn.Sel.Name == "HTML" && name != "frag.go" {
					t.Errorf("%s: template.HTML made outside frag.go", fset.Position(call.Pos()))
				}
			}
			return true
		})
	}
}
