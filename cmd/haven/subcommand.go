package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/haven-nrm/haven/internal/admin"
	"github.com/haven-nrm/haven/internal/config"
	"github.com/haven-nrm/haven/internal/store"
)

// subcommand starts a command made of subcommands ("haven NAME SUB
// [flags]"): SUB must be one of subs; it returns SUB, the arguments after
// it and the flag set and configuration of "NAME SUB". A missing or unknown
// SUB prints the usage and gives errUsage.
func subcommand(e env, name string, subs []string, args []string) (string, []string, *flag.FlagSet, *config.Config, error) {
	if len(args) == 0 {
		fmt.Fprintf(e.stderr, "usage: haven %s %s [flags]\n", name, strings.Join(subs, "|"))
		return "", nil, nil, nil, errUsage
	}
	sub := args[0]
	if !slices.Contains(subs, sub) {
		fmt.Fprintf(e.stderr, "haven %s: unknown subcommand %q (%s)\n", name, sub, strings.Join(subs, ", "))
		return "", nil, nil, nil, errUsage
	}
	fs, c, err := configFlags(name+" "+sub, e)
	return sub, args[1:], fs, c, err
}

// parseAndOpen is parseCommand, then openInstance: the start of a
// command that works on the instance's data once its flags are read.
func parseAndOpen(ctx context.Context, fs *flag.FlagSet, c *config.Config, args []string) (*store.DB, *keys, error) {
	if err := parseCommand(fs, c, args); err != nil {
		return nil, nil, err
	}
	return openInstance(ctx, c)
}

// openAdmin opens the instance and its administration service for a
// set-up command; close the database when done.
func openAdmin(ctx context.Context, c *config.Config) (*store.DB, *keys, *admin.Service, error) {
	db, k, err := openInstance(ctx, c)
	if err != nil {
		return nil, nil, nil, err
	}
	svc, err := admin.New(db, time.Now, nil)
	if err != nil {
		db.Close()
		return nil, nil, nil, err
	}
	return db, k, svc, nil
}

// printList prints a list command's rows: as a JSON array of toJSON's
// values when asked, else as an aligned table under header (column names
// separated by tabs), one line of cells per row.
func printList[T, J any](w io.Writer, asJSON bool, rows []T, toJSON func(T) J, header string, cells func(T) []any) error {
	if asJSON {
		out := make([]J, len(rows))
		for i, r := range rows {
			out[i] = toJSON(r)
		}
		return json.NewEncoder(w).Encode(out)
	}
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, header)
	for _, r := range rows {
		cs := cells(r)
		for i, c := range cs {
			if i > 0 {
				fmt.Fprint(tw, "\t")
			}
			fmt.Fprint(tw, c)
		}
		fmt.Fprintln(tw)
	}
	return tw.Flush()
}
