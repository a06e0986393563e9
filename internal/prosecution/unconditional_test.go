package prosecution

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// sources parses the package's own (non-test) files.
func sources(t *testing.T) []*ast.File {
	t.Helper()
	entries, err := os.ReadDir(".")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	var files []*ast.File
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".go") || strings.HasSuffix(e.Name(), "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, e.Name(), nil, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, f)
	}
	if len(files) == 0 {
		t.Fatal("no source files")
	}
	return files
}

// TestSupportNotConditional documents, and checks, that nothing in this
// package makes support conditional on taking part in proceedings: the
// package does not import package support (or anything outside the
// standard library but the error taxonomy, the id rule and the code lists); no exported function or type
// is about services or support; and only CanRecordParticipation and
// RecordParticipation read the person's willingness or consent.
func TestSupportNotConditional(t *testing.T) {
	rule := "CoE Convention art. 12(6); Directive 2011/36/EU art. 11(3): support is not conditional on willingness to act as a witness"
	files := sources(t)
	for _, f := range files {
		for _, imp := range f.Imports {
			path, _ := strconv.Unquote(imp.Path.Value)
			first, _, _ := strings.Cut(path, "/")
			if strings.Contains(first, ".") && path != "github.com/haven-nrm/haven/internal/errs" && path != "github.com/haven-nrm/haven/internal/ident" &&
				path != "github.com/haven-nrm/haven/internal/vocab" {
				t.Errorf("%s: the package imports %s (standard library, errs, ident and vocab only; never support)", rule, path)
			}
		}
	}
	forbidden := []string{"support", "service", "assist", "shelter", "eligib", "condition", "benefit"}
	readsWill := []string{}
	for _, f := range files {
		for _, d := range f.Decls {
			switch d := d.(type) {
			case *ast.FuncDecl:
				if !d.Name.IsExported() {
					continue
				}
				for _, w := range forbidden {
					if strings.Contains(strings.ToLower(d.Name.Name), w) {
						t.Errorf("%s: exported function %s looks like a decision on support", rule, d.Name.Name)
					}
				}
				if d.Recv != nil {
					continue
				}
				for _, p := range d.Type.Params.List {
					typ := typeName(p.Type)
					names := ""
					for _, n := range p.Names {
						names += strings.ToLower(n.Name) + " "
					}
					if typ == "Willingness" || typ == "Participation" || strings.Contains(names, "consent") {
						readsWill = append(readsWill, d.Name.Name)
						break
					}
				}
			case *ast.GenDecl:
				for _, s := range d.Specs {
					if ts, ok := s.(*ast.TypeSpec); ok && ts.Name.IsExported() {
						for _, w := range forbidden {
							if strings.Contains(strings.ToLower(ts.Name.Name), w) {
								t.Errorf("%s: exported type %s looks like support", rule, ts.Name.Name)
							}
						}
					}
				}
			}
		}
	}
	slices.Sort(readsWill)
	if want := []string{"CanRecordParticipation", "RecordParticipation"}; !slices.Equal(readsWill, want) {
		t.Errorf("%s: functions that read willingness or consent: %v, want %v", rule, readsWill, want)
	}
	for _, fn := range []any{NonPunishmentGuidance, Misclassified} {
		ft := reflect.TypeOf(fn)
		for i := range ft.NumIn() {
			if in := ft.In(i); in == reflect.TypeFor[Participation]() || in == reflect.TypeFor[Willingness]() {
				t.Errorf("%s: %s takes a %s", rule, ft, in)
			}
		}
	}
}

func typeName(e ast.Expr) string {
	switch e := e.(type) {
	case *ast.Ident:
		return e.Name
	case *ast.ArrayType:
		return "[]" + typeName(e.Elt)
	case *ast.SelectorExpr:
		return typeName(e.X) + "." + e.Sel.Name
	}
	return ""
}

// TestProsecutionWhateverTheyAnswer runs the same prosecution after every
// history of the person's answers — none, yes, no, undecided, yes then no
// (consent withdrawn) — and checks that every step is accepted and the
// investigation ends the same, participation aside: a refusal to take part
// blocks nothing, and the person is protected either way.
func TestProsecutionWhateverTheyAnswer(t *testing.T) {
	rule := "CoE Convention art. 27(1); Directive 2011/36/EU art. 9(1): investigation and prosecution are not dependent on the victim's report or testimony"
	histories := map[string][]struct {
		w       Willingness
		consent bool
	}{
		"none":      nil,
		"yes":       {{WillingYes, true}},
		"no":        {{WillingNo, false}},
		"undecided": {{WillingUndecided, false}},
		"withdrawn": {{WillingYes, true}, {WillingNo, false}},
	}
	run := func(t *testing.T, name string) Investigation {
		inv := opened(t)
		for i, h := range histories[name] {
			inv = must(t)(RecordParticipation(inv, inv.Version, Participation{Willing: h.w, At: at(1 + i), Language: "th",
				ProtectionMeasures: []ProtectionMeasure{MeasureAnonymity}}, h.consent, officer, now))
		}
		inv = withSuspect(t, inv, "s1")
		inv = withCharge(t, inv, "c1", "s1", OffenceTrafficking)
		inv = withCharge(t, inv, "c2", "s1", OffenceMoneyLaundering)
		for i, st := range []Stage{StageCharged, StageTrial, StageVerdict} {
			o := Outcome("")
			if st == StageVerdict {
				o = OutcomeConvicted
			}
			inv = withStep(t, inv, "a"+strconv.Itoa(i), "c1", st, o, at(10+i))
			inv = withStep(t, inv, "b"+strconv.Itoa(i), "c2", st, o, at(10+i))
		}
		inv = must(t)(RecordSentence(inv, inv.Version, Sentence{ID: "x1", ChargeID: "c1", CustodialMonths: 120, At: at(13)}, prosecutor, now))
		inv = must(t)(RecordCompensation(inv, inv.Version, Compensation{ID: "k1", ChargeID: "c1", Ordered: Money{90000, "THB"},
			State: CompensationOrdered, At: at(13)}, prosecutor, now))
		inv = must(t)(RaiseNonPunishment(inv, inv.Version, NonPunishmentFlag{Raised: true, OffenceCategory: NPImmigration, Linked: true, At: at(13)}, officer, now))
		return must(t)(Close(inv, inv.Version, StatusClosedProsecuted, officer, now))
	}
	strip := func(inv Investigation) Investigation {
		inv.Participation, inv.Version = nil, 0
		return inv
	}
	want := strip(run(t, "none"))
	for name := range histories {
		t.Run(name, func(t *testing.T) {
			got := run(t, name)
			if !reflect.DeepEqual(strip(got), want) {
				t.Errorf("%s: after %q the prosecution differs", rule, name)
			}
			if got.Version != 1+int64(len(histories[name]))+13 {
				t.Errorf("%s: every step was accepted once (version %d)", rule, got.Version)
			}
			if Misclassified(got, true) != nil {
				t.Errorf("statistics: a trafficking charge is no misclassification")
			}
			if cur, ok := got.CurrentParticipation(); ok && !slices.Equal(cur.ProtectionMeasures, []ProtectionMeasure{MeasureAnonymity}) {
				t.Errorf("CoE Convention art. 28: protection measures stay recorded whatever the answer")
			}
		})
	}
}
