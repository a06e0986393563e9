package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/haven-nrm/haven/internal/access"
	"github.com/haven-nrm/haven/internal/disclosure"
	"github.com/haven-nrm/haven/internal/errs"
	"github.com/haven-nrm/haven/internal/stats"
	"github.com/haven-nrm/haven/internal/store"
)

// cliAnalyst is who the statistics commands act as: an analyst of the
// whole instance, who sees what an analyst signed in to the web sees —
// disclosure-controlled aggregates and nothing else.
var cliAnalyst = access.Principal{UserID: "cli", Role: access.Analyst}

// runStats answers statistics requests from the command line.
func runStats(ctx context.Context, e env, args []string) error {
	if len(args) == 0 {
		fmt.Fprintln(e.stderr, "usage: haven stats table|measures|release|export-ctdc [flags]")
		return errUsage
	}
	sub, args := args[0], args[1:]
	action := ""
	if sub == "release" {
		if len(args) == 0 {
			fmt.Fprintln(e.stderr, "usage: haven stats release draft|approve|list|show|verify [flags]")
			return errUsage
		}
		action, args = args[0], args[1:]
	}
	fs, c, err := configFlags(strings.TrimSpace("stats "+sub+" "+action), e)
	if err != nil {
		return err
	}
	var in stats.TableInput
	var measuresIn stats.MeasuresInput
	var rel stats.ReleaseInput
	var asJSON bool
	var as, id, out, format string
	switch sub {
	case "table":
		fs.StringVar(&in.By, "by", "", "dimensions, comma-separated (at most 3): "+strings.Join(stats.Dimensions, ", "))
		fs.StringVar(&in.Where, "where", "", "restrictions DIM=VALUE, comma-separated")
		fs.StringVar(&in.Period, "period", "", "YYYY, YYYY-Qn or YYYY..YYYY (referral date, UTC)")
		fs.BoolVar(&asJSON, "json", false, "print the table as JSON")
	case "measures":
		fs.StringVar(&measuresIn.Period, "period", "", "YYYY, YYYY-Qn or YYYY..YYYY (referral date, UTC)")
		fs.StringVar(&measuresIn.By, "by", "", "group the time to decision by year, quarter or jurisdiction")
		fs.BoolVar(&asJSON, "json", false, "print the measures as JSON")
	case "release":
		switch action {
		case "draft":
			fs.StringVar(&as, "as", "", "username of the analyst drafting the release")
			fs.StringVar(&rel.Title, "title", "", "title of the release")
			fs.StringVar(&rel.Tables, "tables", "", "tables: dimensions separated by commas, tables by semicolons (e.g. \"gender;age_band,exploitation\")")
			fs.StringVar(&rel.Period, "period", "", "YYYY, YYYY-Qn or YYYY..YYYY")
			fs.StringVar(&rel.Jurisdiction, "jurisdiction", "", "jurisdiction id (empty: the whole instance)")
			fs.StringVar(&rel.Method, "method", "suppression", "suppression, or dp (geometric mechanism, then suppression)")
			fs.StringVar(&rel.Epsilon, "epsilon", "", "ε of a dp release, spent from the budget of each jurisdiction and year it covers")
		case "approve":
			fs.StringVar(&as, "as", "", "username of the second person approving the release")
			fs.StringVar(&id, "id", "", "release id")
		case "show":
			fs.StringVar(&id, "id", "", "release id")
			fs.StringVar(&format, "format", "json", "json or csv")
		case "verify":
			fs.StringVar(&id, "id", "", "release id")
		case "list":
		default:
			fmt.Fprintf(e.stderr, "haven stats release: unknown action %q (draft, approve, list, show, verify)\n", action)
			return errUsage
		}
	case "export-ctdc":
		fs.StringVar(&out, "out", "", "file to write the CSV to (default: standard output)")
	default:
		fmt.Fprintf(e.stderr, "haven stats: unknown subcommand %q (table, measures, release, export-ctdc)\n", sub)
		return errUsage
	}
	db, k, err := parseAndOpen(ctx, fs, c, args)
	if err != nil {
		return err
	}
	defer db.Close()
	svc := stats.New(db, k.ring, time.Now)
	err = statsCommand(ctx, e, svc, db, sub, action, statsArgs{in: in, measures: measuresIn, rel: rel, asJSON: asJSON, as: as, id: id, out: out, format: format})
	if r := (*stats.Error)(nil); errors.As(err, &r) {
		return errs.E(errs.Invalid, "%s", r.Error())
	}
	if r := (*disclosure.Error)(nil); errors.As(err, &r) {
		return errs.E(errs.Invalid, "%s", r.Error())
	}
	return err
}

type statsArgs struct {
	in                  stats.TableInput
	measures            stats.MeasuresInput
	rel                 stats.ReleaseInput
	asJSON              bool
	as, id, out, format string
}

func statsCommand(ctx context.Context, e env, svc *stats.Service, db *store.DB, sub, action string, a statsArgs) error {
	enc := json.NewEncoder(e.stdout)
	enc.SetIndent("", "  ")
	switch sub {
	case "table":
		t, err := svc.Table(ctx, cliAnalyst, a.in)
		if err != nil {
			return err
		}
		if a.asJSON {
			return enc.Encode(t)
		}
		return printTable(e.stdout, t)
	case "measures":
		m, err := svc.Measures(ctx, cliAnalyst, a.measures)
		if err != nil {
			return err
		}
		if a.asJSON {
			return enc.Encode(m)
		}
		return printMeasures(e.stdout, m)
	case "export-ctdc":
		w := e.stdout
		var f *os.File
		if a.out != "" {
			var err error
			if f, err = os.OpenFile(a.out, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600); err != nil {
				return errs.Wrap(errs.Invalid, err)
			}
			w = f
		}
		rep, err := svc.ExportCTDC(ctx, cliAnalyst, w)
		if f != nil {
			if cerr := f.Close(); err == nil {
				err = cerr
			}
		}
		if err != nil {
			return err
		}
		// The report goes to standard error, so the CSV can be piped.
		fmt.Fprintf(e.stderr, "CTDC export: %d records, %d withheld, k = %d; generalised (0 = as recorded):", rep.Records, rep.Withheld, rep.K)
		for _, col := range stats.CTDCColumns[:6] {
			fmt.Fprintf(e.stderr, " %s=%d", col, rep.Levels[col])
		}
		fmt.Fprintln(e.stderr)
		return nil
	}
	// release
	who := func() (access.Principal, error) {
		if a.as == "" {
			return access.Principal{}, errs.E(errs.Invalid, "--as USERNAME is required: releases are drafted and approved by named people")
		}
		u, err := db.UserByUsername(ctx, a.as)
		if err != nil {
			return access.Principal{}, err
		}
		if u.Disabled {
			return access.Principal{}, errs.E(errs.Forbidden, "user %s is disabled", a.as)
		}
		return access.Principal{UserID: u.ID, Role: access.Role(u.Role), AgencyID: u.AgencyID, JurisdictionID: u.JurisdictionID}, nil
	}
	switch action {
	case "draft":
		p, err := who()
		if err != nil {
			return err
		}
		id, err := svc.Draft(ctx, p, a.rel)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "release %s drafted; a second person approves it with: haven stats release approve --id %s --as USERNAME\n", id, id)
		return nil
	case "approve":
		p, err := who()
		if err != nil {
			return err
		}
		r, err := svc.Approve(ctx, p, a.id)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "release %s published\nsha256 %s\nsignature %s\nkey %s\n", r.ID, r.Digest, r.Signature, r.PublicKey)
		return nil
	case "list":
		rs, err := svc.Published(ctx)
		if err != nil {
			return err
		}
		drafts, err := db.Releases(ctx, "draft")
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(e.stdout, 2, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tSTATE\tMETHOD\tPERIOD\tTITLE")
		for _, r := range drafts {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", r.ID, r.State, r.Method, r.Period, r.Title)
		}
		for _, r := range rs {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", r.ID, r.State, r.Method, r.Period, r.Title)
		}
		return tw.Flush()
	case "show":
		r, err := svc.PublishedByID(ctx, a.id)
		if err != nil {
			return err
		}
		if a.format == "csv" {
			b, err := stats.ReleaseCSV(r.Content)
			if err != nil {
				return err
			}
			_, err = e.stdout.Write(b)
			return err
		}
		return enc.Encode(r.Content)
	case "verify":
		if err := svc.Verify(ctx, a.id); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "release %s: content matches its digest and the signature verifies\n", a.id)
		return nil
	}
	return errUsage
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

// printMeasures writes the process measures as text: each table as
// printTable does, then the rates, the timing and the service stages.
func printMeasures(w io.Writer, m stats.Measures) error {
	for _, s := range []struct {
		title string
		t     stats.Table
	}{{"Flows: citizenship → country of exploitation", m.Flows}, {"Reasonable-grounds decisions × reconsideration", m.Decisions},
		{"Conclusive decisions", m.Conclusive}, {"Services by type and current state", m.Services},
		{"Investigations by status", m.Investigations}, {"Charges by offence and outcome", m.Charges},
		{"Compensation orders on convictions, by offence class", m.Compensation}} {
		fmt.Fprintf(w, "%s\n", s.title)
		if err := printTable(w, s.t); err != nil {
			return err
		}
		fmt.Fprintln(w)
	}
	pct := func(f *float64) string {
		if f == nil {
			return "x"
		}
		return strconv.FormatFloat(*f*100, 'f', 1, 64) + "%"
	}
	fmt.Fprintf(w, "Rates: reasonable grounds positive %s, conclusive positive %s, reconsidered %s\n\n",
		pct(m.Rates.RGPositive), pct(m.Rates.CGPositive), pct(m.Rates.Reconsidered))
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', tabwriter.AlignRight)
	days := func(f *float64) string {
		if f == nil {
			return "x"
		}
		return strconv.FormatFloat(*f, 'f', 0, 64)
	}
	cell := func(c stats.Cell) string {
		if v, ok := c.Value(); ok {
			return strconv.FormatInt(v, 10)
		}
		return "x"
	}
	fmt.Fprintln(tw, "decision\tgroup\tdecided\twithin\tshare\tmedian days\tp90 days\t")
	for _, tm := range m.Timing {
		for _, g := range tm.Groups {
			group := "all"
			if len(g.Labels) > 0 {
				group = g.Labels[0]
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t\n", tm.Stage, group, cell(g.Decided), cell(g.Within), pct(g.WithinShare), days(g.Median), days(g.P90))
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(w)
	tw = tabwriter.NewWriter(w, 2, 4, 2, ' ', tabwriter.AlignRight)
	n := func(v *int64) string {
		if v == nil {
			return "x"
		}
		return strconv.FormatInt(*v, 10)
	}
	fmt.Fprintln(tw, "service\toffered\taccepted\tdeclined\tdelivered\t")
	for _, st := range m.ServiceStages {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t\n", st.Service, n(st.Offered), n(st.Accepted), n(st.Declined), n(st.Delivered))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(w, "\nk = %d; method %s; x: withheld. Medians and 90th percentiles only for groups of at least k decisions (docs/STATISTICS.md).\n", m.K, m.Method)
	return nil
}
