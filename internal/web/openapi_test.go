package web_test

import (
	"encoding/json"
	"io"
	"net/http"
	"os"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/haven-nrm/haven/internal/web"
)

const openAPIFile = "static/openapi.json"

// TestOpenAPIMatchesRoutes checks the OpenAPI 3 document the binary serves
// against the real route table: every API route is described with its
// method, every command route with exactly the fields the command takes,
// and the document describes no route that does not exist. Run with
// HAVEN_WRITE_OPENAPI=1 to write the document's skeleton for new routes;
// descriptions already written are kept.
func TestOpenAPIMatchesRoutes(t *testing.T) {
	f := sqliteFixture(t)
	var doc openAPIDoc
	raw, err := os.ReadFile(openAPIFile)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatalf("%s is not JSON: %v", openAPIFile, err)
	}
	want := map[string]map[string][]string{} // path → method → body fields (nil: no body)
	for _, rt := range f.web.Routes() {
		if !rt.API {
			continue
		}
		method, path, _ := strings.Cut(rt.Pattern, " ")
		path = strings.TrimSuffix(path, "{$}")
		if want[path] == nil {
			want[path] = map[string][]string{}
		}
		var fields []string
		if i := strings.LastIndex(path, "/"); strings.HasPrefix(path, "/api/v1/cases/{id}/") {
			fields, _ = web.CaseCommandFields(path[i+1:])
			fields = append([]string{}, fields...)
			if fields == nil {
				fields = []string{}
			}
		}
		want[path][strings.ToLower(method)] = fields
	}
	if os.Getenv("HAVEN_WRITE_OPENAPI") != "" {
		writeOpenAPI(t, &doc, want)
		raw, _ = os.ReadFile(openAPIFile)
		_ = json.Unmarshal(raw, &doc)
	}
	if !strings.HasPrefix(doc.OpenAPI, "3.") {
		t.Errorf("openapi version %q, want 3.x", doc.OpenAPI)
	}
	for path, methods := range want {
		for m, fields := range methods {
			op, ok := doc.Paths[path][m]
			if !ok {
				t.Errorf("%s %s is a route but not in %s", strings.ToUpper(m), path, openAPIFile)
				continue
			}
			if op.Summary == "" {
				t.Errorf("%s %s has no summary", strings.ToUpper(m), path)
			}
			if fields == nil {
				continue
			}
			var got []string
			if op.RequestBody != nil {
				for name := range op.RequestBody.Content["application/json"].Schema.Properties {
					got = append(got, name)
				}
			}
			sort.Strings(got)
			w := slices.Clone(fields)
			sort.Strings(w)
			if !slices.Equal(got, w) {
				t.Errorf("%s %s: document fields %v, command fields %v", strings.ToUpper(m), path, got, w)
			}
		}
	}
	for path, ops := range doc.Paths {
		for m := range ops {
			if _, ok := want[path][m]; !ok {
				t.Errorf("%s describes %s %s, which is not a route", openAPIFile, strings.ToUpper(m), path)
			}
		}
	}
	// The binary serves the same document.
	resp, err := http.Get(f.srv.URL + "/api/v1/openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	served, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || string(served) != string(raw) {
		t.Errorf("GET /api/v1/openapi.json: %d, %d bytes, want the document (%d bytes)", resp.StatusCode, len(served), len(raw))
	}
	t.Logf("OpenAPI: %d paths checked against the route table", len(want))
}

type openAPIDoc struct {
	OpenAPI    string                          `json:"openapi"`
	Info       map[string]any                  `json:"info"`
	Servers    []map[string]any                `json:"servers,omitempty"`
	Components map[string]any                  `json:"components,omitempty"`
	Security   []map[string][]string           `json:"security,omitempty"`
	Paths      map[string]map[string]openAPIOp `json:"paths"`
}

type openAPIOp struct {
	Summary     string         `json:"summary"`
	Description string         `json:"description,omitempty"`
	Parameters  []any          `json:"parameters,omitempty"`
	RequestBody *openAPIBody   `json:"requestBody,omitempty"`
	Responses   map[string]any `json:"responses"`
}

type openAPIBody struct {
	Required bool `json:"required"`
	Content  map[string]struct {
		Schema struct {
			Type       string                    `json:"type"`
			Properties map[string]map[string]any `json:"properties"`
		} `json:"schema"`
	} `json:"content"`
}

func writeOpenAPI(t *testing.T, doc *openAPIDoc, want map[string]map[string][]string) {
	if doc.Paths == nil {
		doc.Paths = map[string]map[string]openAPIOp{}
	}
	doc.OpenAPI = "3.1.0"
	for path, methods := range want {
		if doc.Paths[path] == nil {
			doc.Paths[path] = map[string]openAPIOp{}
		}
		for m, fields := range methods {
			op := doc.Paths[path][m]
			if op.Summary == "" {
				op.Summary = strings.ToUpper(m) + " " + path
			}
			if op.Responses == nil {
				op.Responses = map[string]any{"200": map[string]any{"description": "OK"}, "default": map[string]any{"$ref": "#/components/responses/Error"}}
			}
			if strings.Contains(path, "{id}") && op.Parameters == nil {
				op.Parameters = []any{map[string]any{"name": "id", "in": "path", "required": true, "schema": map[string]any{"type": "string", "pattern": "^[0-9a-f]{32}$"}}}
			}
			if fields != nil {
				body := &openAPIBody{Required: true, Content: map[string]struct {
					Schema struct {
						Type       string                    `json:"type"`
						Properties map[string]map[string]any `json:"properties"`
					} `json:"schema"`
				}{}}
				c := body.Content["application/json"]
				c.Schema.Type = "object"
				c.Schema.Properties = map[string]map[string]any{}
				old := map[string]map[string]any{}
				if op.RequestBody != nil {
					old = op.RequestBody.Content["application/json"].Schema.Properties
				}
				for _, f := range fields {
					if p, ok := old[f]; ok {
						c.Schema.Properties[f] = p
					} else {
						c.Schema.Properties[f] = map[string]any{"type": "string"}
					}
				}
				body.Content["application/json"] = c
				op.RequestBody = body
			}
			doc.Paths[path][m] = op
		}
	}
	for path, ops := range doc.Paths {
		for m := range ops {
			if _, ok := want[path][m]; !ok {
				delete(ops, m)
			}
		}
		if len(ops) == 0 {
			delete(doc.Paths, path)
		}
	}
	b, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(openAPIFile, append(b, '\n'), 0o644); err != nil {
		t.Fatal(err)
	}
}
