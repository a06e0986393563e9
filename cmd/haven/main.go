// Command haven runs Haven, the software of a National Referral Mechanism for
// people affected by human trafficking. main only dispatches to subcommands;
// each lives in its own file and returns an error instead of exiting.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"sort"
	"strings"
	"syscall"

	"github.com/haven-nrm/haven/internal/config"
	"github.com/haven-nrm/haven/internal/errs"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

// env is what a subcommand gets from the process.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	getenv         func(string) string
}

type command struct {
	summary string
	run     func(ctx context.Context, e env, args []string) error
}

func commands() map[string]command {
	return map[string]command{
		"serve":   {"run the web server", runServe},
		"demo":    {"start Haven on a fresh database with synthetic demo data", runDemo},
		"migrate": {"apply database migrations and exit", runMigrate},
		"version": {"print the version", runVersion},
		"bench":   {"measure write throughput against the raw database", runBench},
		"user":    {"manage accounts: add, disable, enable, reset-mfa, list", runUser},
		"backup":  {"write a consistent copy of the database to a file while Haven runs", runBackup},
		"restore": {"restore a backup into a new, empty database (either engine)", runRestore},
		"screen": {"screen one case (JSON on standard input) against the law and the indicators", func(ctx context.Context, e env, args []string) error {
			return runScreen(args, e.stdin, e.stdout, e.stderr)
		}},
		"audit":        {"verify the audit chain (verify) or sign its head (checkpoint)", runAudit},
		"keys":         {"rotate master keys without downtime (rotate), retire old ones (retire), list them (list)", runKeys},
		"stats":        {"disclosure-controlled statistics: table, release (draft, approve, list, show, verify), export-ctdc", runStats},
		"peer":         {"peer instances of the Transnational Referral Mechanism: add, list, suspend, resume, remove", runPeer},
		"help":         {"list commands", nil},
		"init":         {"set up an empty instance: its country and first system administrator (prints a one-time setup link)", runInit},
		"jurisdiction": {"manage jurisdictions: add, list, update", runJurisdiction},
		"agency":       {"manage agencies: add, list, update", runAgency},
		"calendar":     {"calendars of public holidays: import an .ics file, load the sample, list versions", runCalendar},
		"doctor":       {"check a deployment (key files, modes, base URL, SMTP, database, clock, migrations) and say what to fix", runDoctor},
	}
}

func main() {
	tuneGC(os.Getenv)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], env{os.Stdin, os.Stdout, os.Stderr, os.Getenv})
	stop()
	os.Exit(code)
}

// tuneGC trades memory for CPU: a page allocates much short-lived memory
// and the live heap is small, so collecting at 400 % growth instead of 100 %
// gives the requests back most of the collector's CPU (measured with haven
// bench --read: a third more pages per second at 32 clients), while a soft
// limit of 1 GiB makes the collector work harder before memory grows past
// it. GOGC and GOMEMLIMIT, when set, win.
func tuneGC(getenv func(string) string) {
	if getenv("GOGC") == "" {
		debug.SetGCPercent(400)
	}
	if getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(1 << 30)
	}
}

// run returns the process exit code: 0 on success, 2 for usage errors, 1 for
// everything else.
func run(ctx context.Context, args []string, e env) int {
	cmds := commands()
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		usage(e.stdout, cmds)
		return 0
	}
	c, ok := cmds[args[0]]
	if !ok {
		fmt.Fprintf(e.stderr, "haven: unknown command %q; run 'haven help' for the list\n", args[0])
		return 2
	}
	err := c.run(ctx, e, args[1:])
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		return 0
	case errors.Is(err, errUsage):
		return 2
	}
	fmt.Fprintf(e.stderr, "haven %s: %s\n", args[0], userMessage(err))
	return 1
}

// errUsage marks errors already reported by a flag set.
var errUsage = errors.New("usage")

func usage(w io.Writer, cmds map[string]command) {
	fmt.Fprintln(w, "haven — National Referral Mechanism for people affected by trafficking")
	fmt.Fprintln(w, "\nUsage: haven <command> [flags]   (haven <command> -h for its flags)")
	fmt.Fprintln(w, "\nCommands:")
	names := make([]string, 0, len(cmds))
	for n := range cmds {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-9s %s\n", n, cmds[n].summary)
	}
}

// parseFlags parses args and turns flag errors into errUsage (the flag set
// has already printed them).
func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return errUsage
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(fs.Output(), "unexpected arguments: %s\n", strings.Join(fs.Args(), " "))
		return errUsage
	}
	return nil
}

// parseCommand parses a command's flags and validates the settings.
func parseCommand(fs *flag.FlagSet, c *config.Config, args []string) error {
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := c.Validate(); err != nil {
		return errs.Wrap(errs.Invalid, err)
	}
	return nil
}

// parseCommandWithFile is parseCommand for backup and restore, which
// cannot do without the file their flag named file gives: its absence is
// a usage error, found before the settings are checked.
func parseCommandWithFile(fs *flag.FlagSet, c *config.Config, args []string, file string) error {
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.Lookup(file).Value.String() == "" {
		fmt.Fprintf(fs.Output(), "haven %s: --%s FILE is required\n", fs.Name(), file)
		return errUsage
	}
	if err := c.Validate(); err != nil {
		return errs.Wrap(errs.Invalid, err)
	}
	return nil
}

// parseSetupCommand is parseCommand for the commands that set an instance
// up (init, jurisdiction): their --country is the instance's (HAVEN_COUNTRY,
// the state it serves). Serving it across borders needs --base-url;
// setting up jurisdictions and the first accounts does not, so the other
// settings are checked without that requirement.
func parseSetupCommand(fs *flag.FlagSet, c *config.Config, args []string) error {
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	check := *c
	if check.BaseURL == "" {
		check.BaseURL = "https://setup.invalid" // stands in for the address set up later
	}
	if err := check.Validate(); err != nil {
		return errs.Wrap(errs.Invalid, err)
	}
	return nil
}

func runVersion(ctx context.Context, e env, args []string) error {
	fs := flag.NewFlagSet("version", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "haven %s\n", version)
	return nil
}
