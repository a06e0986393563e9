package config_test

import (
	"flag"
	"io"
	"os"
	"strings"
	"testing"

	"github.com/haven-nrm/haven/internal/config"
)

// TestMetricsTokenNeverAFlagValue: the token comes from the environment or a
// file, is checked for length, and no flag takes it.
func TestMetricsTokenNeverAFlagValue(t *testing.T) {
	dir := t.TempDir()
	file := dir + "/token"
	if err := writeFile(file, "  "+strings.Repeat("k", 40)+"\n"); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		env  map[string]string
		args []string
		want string
		bad  bool
	}{
		{"file", map[string]string{"HAVEN_METRICS_TOKEN_FILE": file}, nil, strings.Repeat("k", 40), false},
		{"flag names the file", nil, []string{"--metrics-token-file", file}, strings.Repeat("k", 40), false},
		{"environment", map[string]string{"HAVEN_METRICS_TOKEN": strings.Repeat("e", 32)}, nil, strings.Repeat("e", 32), false},
		{"too short", map[string]string{"HAVEN_METRICS_TOKEN": "short"}, nil, "", true},
		{"missing file", map[string]string{"HAVEN_METRICS_TOKEN_FILE": dir + "/none"}, nil, "", true},
		{"no token", nil, nil, "", false},
	} {
		fs := newFlagSet()
		var cfg config.Config
		if err := config.Register(fs, &cfg, func(k string) string { return c.env[k] }); err != nil {
			t.Fatal(err)
		}
		if err := fs.Parse(c.args); err != nil {
			t.Fatal(err)
		}
		err := cfg.Validate()
		if (err != nil) != c.bad {
			t.Errorf("%s: Validate = %v", c.name, err)
		}
		if !c.bad && cfg.MetricsToken() != c.want {
			t.Errorf("%s: token %q, want %q", c.name, cfg.MetricsToken(), c.want)
		}
	}
	fs := newFlagSet()
	var cfg config.Config
	_ = config.Register(fs, &cfg, func(string) string { return "" })
	if fs.Lookup("metrics-token") != nil {
		t.Error("a flag takes the metrics token itself; other users of the machine could read it")
	}
}

func newFlagSet() *flag.FlagSet {
	fs := flag.NewFlagSet("test", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	return fs
}

func writeFile(name, text string) error { return os.WriteFile(name, []byte(text), 0o600) }
