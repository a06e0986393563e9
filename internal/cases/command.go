package cases

import (
	"context"
	"fmt"
	"reflect"
	"runtime"

	"github.com/haven-nrm/haven/internal/access"
)

// Spec is how a case command is called: the fields it reads, written once
// (the route table, the API's check of unknown fields and the OpenAPI
// document all take them from here), and Run, which decodes a posted form
// or JSON object into the command's input and carries it out.
type Spec struct {
	Fields []string
	Run    Command
	// Method is the full name of the service method Run calls, so a test
	// can hold every command to a method of the service.
	Method string
}

// Typed makes the Spec of a command whose input is the struct T: each
// field of T is a string or a list of strings named by its `field` tag
// (or an embedded struct of such fields),
// decoded once from the form or the JSON object alike; the command
// checks the values with its rule. It panics at start-up on a struct it
// cannot decode.
func Typed[T any](run func(*Service, context.Context, access.Principal, *Dossier, T) error) Spec {
	fields := fieldsOf(reflect.TypeFor[T]())
	method := runtime.FuncForPC(reflect.ValueOf(run).Pointer()).Name()
	return Spec{Fields: fields, Method: method, Run: func(s *Service, ctx context.Context, p access.Principal, d *Dossier, in Input) error {
		var v T
		decode(in, reflect.ValueOf(&v).Elem())
		return run(s, ctx, p, d, v)
	}}
}

var (
	stringType  = reflect.TypeFor[string]()
	stringsType = reflect.TypeFor[[]string]()
)

// fieldsOf lists the `field` tags of a command input struct.
func fieldsOf(t reflect.Type) []string {
	if t.Kind() != reflect.Struct {
		panic(fmt.Sprintf("cases: command input %s is not a struct", t))
	}
	var out []string
	for i := range t.NumField() {
		f := t.Field(i)
		if f.Anonymous {
			out = append(out, fieldsOf(f.Type)...) // a group of fields several inputs share
			continue
		}
		name := f.Tag.Get("field")
		if name == "" || (f.Type != stringType && f.Type != stringsType) {
			panic(fmt.Sprintf("cases: command input %s.%s needs a field tag and a string or []string type", t, f.Name))
		}
		out = append(out, name)
	}
	return out
}

// decode fills a command input struct from in.
func decode(in Input, v reflect.Value) {
	t := v.Type()
	for i := range t.NumField() {
		f := t.Field(i)
		if f.Anonymous {
			decode(in, v.Field(i))
			continue
		}
		name := f.Tag.Get("field")
		if f.Type == stringsType {
			v.Field(i).Set(reflect.ValueOf(in.List(name)))
		} else {
			v.Field(i).SetString(in.Get(name))
		}
	}
}

// decodeInto fills the command input struct *v from in.
func decodeInto[T any](in Input, v *T) {
	decode(in, reflect.ValueOf(v).Elem())
}
