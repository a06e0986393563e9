package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/haven-nrm/haven/internal/access"
	"github.com/haven-nrm/haven/internal/errs"
	"github.com/haven-nrm/haven/internal/stats"
)

// cliAnalyst is who the statistics commands act as: an analyst of the
// whole instance, who sees what an analyst signed in to the web sees —
// disclosure-controlled aggregates and nothing else.
var cliAnalyst = access.Principal{UserID: "cli", Role: access.Analyst}

// runStats answers statistics requests from the command line.
func runStats(ctx context.Context, e env, args []string) error {
	if len(args) == 0 {
		fmt.Fprintln(e.stderr, "usage: haven stats table [flags]")
		return errUsage
	}
	sub, args := args[0], args[1:]
	fs, c, err := configFlags("stats "+sub, e)
	if err != nil {
		return err
	}
	var in stats.TableInput
	var asJSON bool
	switch sub {
	case "table":
		fs.StringVar(&in.By, "by", "", "dimensions, comma-separated (at most 3): "+strings.Join(stats.Dimensions, ", "))
		fs.StringVar(&in.Where, "where", "", "restrictions DIM=VALUE, comma-separated")
		fs.StringVar(&in.Period, "period", "", "YYYY, YYYY-Qn or YYYY..YYYY (referral date, UTC)")
		fs.BoolVar(&asJSON, "json", false, "print the table as JSON")
	default:
		fmt.Fprintf(e.stderr, "haven stats: unknown subcommand %q (table)\n", sub)
		return errUsage
	}
	if err := parseCommand(fs, c, args); err != nil {
		return err
	}
	db, k, err := openInstance(ctx, c)
	if err != nil {
		return err
	}
	defer db.Close()
	svc := stats.New(db, k.ring, time.Now)
	t, err := svc.Table(ctx, cliAnalyst, in)
	if r := (*stats.Error)(nil); errors.As(err, &r) {
		return errs.E(errs.Invalid, "%s", r.Error())
	}
	if err != nil {
		return err
	}
	if asJSON {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(t)
	}
	return printTable(e.stdout, t)
}

// printTable writes a table as aligned text; a withheld cell is "x", never
// a number.
func printTable(w io.Writer, t stats.Table) error {
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', tabwriter.AlignRight)
	cell := func(c stats.Cell) string {
		if v, ok := c.Value(); ok {
			return strconv.FormatInt(v, 10)
		}
		return "x"
	}
	label := func(v string) string {
		if v == "" {
			return "(unknown)"
		}
		return v
	}
	n := len(t.Dimensions)
	if n == 0 {
		fmt.Fprintf(tw, "total\t%s\t\n", cell(t.Total))
	} else {
		head := append([]string{}, t.Dimensions[:n-1]...)
		for _, c := range t.Columns {
			head = append(head, label(c))
		}
		fmt.Fprintln(tw, strings.Join(append(head, "total"), "\t")+"\t")
		for _, r := range t.Rows {
			var fs []string
			for _, l := range r.Labels {
				fs = append(fs, label(l))
			}
			for _, c := range r.Cells {
				fs = append(fs, cell(c))
			}
			fmt.Fprintln(tw, strings.Join(append(fs, cell(r.Total)), "\t")+"\t")
		}
		if n > 1 {
			fs := make([]string, n-1)
			fs[0] = "total"
			for _, c := range t.ColumnTotals {
				fs = append(fs, cell(c))
			}
			fmt.Fprintln(tw, strings.Join(append(fs, cell(t.Total)), "\t")+"\t")
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err := fmt.Fprintf(w, "k = %d; method %s; x = withheld (fewer than k people, or would reveal such a cell)\n", t.K, t.Method)
	return err
}
