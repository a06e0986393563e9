package main

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/haven-nrm/haven/internal/access"
	"github.com/haven-nrm/haven/internal/bench"
	"github.com/haven-nrm/haven/internal/config"
	"github.com/haven-nrm/haven/internal/stats"
)

// The targets for the statistics paths.
const (
	statsPageP99Millis  = 200  // the statistics page's p99 at 32 clients
	statsTableRatio     = 1.5  // a table of up to three dimensions against the raw GROUP BY
	statsReleaseSeconds = 10.0 // a release over every case
	statsExportRatio    = 2.0  // the CTDC export against a raw dump of its columns
	// statsPageClients is the page's load when --concurrency is not given.
	statsPageClients = 32
)

// benchReleaseTables are the tables of the benchmark's release: five
// tables cutting every case by nine dimensions between them.
const benchReleaseTables = "year;gender,age_band;exploitation,citizenship;jurisdiction,decision;sector,status"

// runStatsBench measures the statistics paths on a demo database beside the
// raw engine in the same run: a three-dimension table through the service
// against the raw GROUP BY; the statistics page over loopback HTTP as the
// demo analyst at 32 clients; a release over every case against the raw
// GROUP BYs of its tables; the CTDC export against a raw dump of the same
// columns. Each is checked against the target. It publishes one
// release into the demo database (releases are never deleted).
func runStatsBench(ctx context.Context, e env, c *config.Config, engine string, o bench.Options, asJSON bool) error {
	d, err := openDemoBench(ctx, c, "demo.analyst", 1, o)
	if err != nil {
		return err
	}
	defer d.Close()
	svc := d.srv.svc
	principal := func(username string) (access.Principal, error) {
		u, err := d.db.UserByUsername(ctx, username)
		return access.Principal{UserID: u.ID, Role: access.Role(u.Role), AgencyID: u.AgencyID, JurisdictionID: u.JurisdictionID}, err
	}
	analyst, err := principal("demo.analyst")
	if err != nil {
		return err
	}
	authority, err := principal("demo.competent_authority")
	if err != nil {
		return err
	}
	rep := bench.Report{Engine: engine, Concurrency: o.Concurrency, Ratios: map[string]float64{}, Durability: fmt.Sprintf("%d cases", d.cases)}
	// One-off jobs are timed as a whole, the best of two runs: at a
	// million cases each takes seconds.
	once := func(name, underlying string, op func() error) (bench.Result, error) {
		secs, err := bench.Time(2, op)
		return bench.Result{Name: name, Ops: 1, Seconds: secs, MaxMillis: secs * 1000, Underlying: underlying}, err
	}
	raw, err := once("raw_group_by_3", "SELECT gender, age_band, exploitation, count(*) FROM cases GROUP BY 1, 2, 3",
		func() error { return bench.RawGroupBy(d.db)(ctx, 0, 0) })
	if err != nil {
		return err
	}
	table, err := once("haven_stats_table_3", "raw_group_by_3, computed every time (not cached), suppressed and perturbed", func() error {
		_, err := svc.Stats.Compute(ctx, analyst, stats.TableInput{By: "gender,age_band,exploitation"})
		return err
	})
	if err != nil {
		return err
	}
	rep.Results = append(rep.Results, raw, table)
	rep.Ratios["haven_stats_table_3_time/raw_group_by_3_time"] = table.Seconds / raw.Seconds
	rep.Checks = append(rep.Checks, bench.AtMost("table of three dimensions ÷ raw GROUP BY", table.Seconds/raw.Seconds, statsTableRatio, "×"))

	// The page at 32 clients. A running server has the page's table at
	// hand (stats.CacheFor); one request fills it before the clients
	// start.
	const pagePath = "/statistics?by=gender&by=age_band"
	if err := bench.HTTPGet(d.srv.client, d.srv.base, d.token, pagePath, nil)(ctx, 0, 0); err != nil {
		return err
	}
	page := bench.Measure(ctx, "haven_stats_page_http", o, bench.HTTPGet(d.srv.client, d.srv.base, d.token, pagePath, nil))
	page.Underlying = fmt.Sprintf("GET %s as the demo analyst, %d clients", pagePath, o.Concurrency)
	rep.Results = append(rep.Results, page)
	rep.Checks = append(rep.Checks, bench.AtMost(fmt.Sprintf("statistics page p99 at %d clients", o.Concurrency), page.P99Millis, statsPageP99Millis, "ms"))

	// A release over every case, approved by a second person: computed,
	// frozen, signed and published. Beside it, the raw GROUP BYs of its
	// tables.
	rawRelease, err := once("raw_group_by_release", "the raw GROUP BY of each of the release's five tables", func() error {
		for _, spec := range strings.Split(benchReleaseTables, ";") {
			if err := bench.RawGroupByColumns(d.db, strings.Split(spec, ","))(ctx, 0, 0); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	var relSecs float64
	for range 2 {
		id, err := svc.Stats.Draft(ctx, analyst, stats.ReleaseInput{Title: "Benchmark release", Tables: benchReleaseTables})
		if err != nil {
			return err
		}
		secs, err := bench.Time(1, func() error { _, err := svc.Stats.Approve(ctx, authority, id); return err })
		if err != nil {
			return err
		}
		if relSecs == 0 || secs < relSecs {
			relSecs = secs
		}
	}
	rep.Results = append(rep.Results, rawRelease, bench.Result{Name: "haven_release_5_tables", Ops: 1, Seconds: relSecs, MaxMillis: relSecs * 1000,
		Underlying: "raw_group_by_release; draft approved: five tables over all cases, frozen, signed"})
	rep.Ratios["haven_release_5_tables_time/raw_group_by_release_time"] = relSecs / rawRelease.Seconds
	rep.Checks = append(rep.Checks, bench.AtMost(fmt.Sprintf("release over %d cases", d.cases), relSecs, statsReleaseSeconds, "s"))

	dump, err := once("raw_ctdc_dump", "SELECT of the export's columns, written as CSV", func() error {
		_, err := bench.RawCTDCDump(ctx, d.db, io.Discard)
		return err
	})
	if err != nil {
		return err
	}
	var ctdc stats.CTDCReport
	export, err := once("haven_ctdc_export", "", func() error { var err error; ctdc, err = svc.Stats.ExportCTDC(ctx, analyst, io.Discard); return err })
	if err != nil {
		return err
	}
	export.Underlying = fmt.Sprintf("raw_ctdc_dump; %d records written, %d withheld, levels %v", ctdc.Records, ctdc.Withheld, ctdc.Levels)
	rep.Results = append(rep.Results, dump, export)
	rep.Ratios["haven_ctdc_export_time/raw_ctdc_dump_time"] = export.Seconds / dump.Seconds
	rep.Checks = append(rep.Checks, bench.AtMost("CTDC export ÷ raw dump", export.Seconds/dump.Seconds, statsExportRatio, "×"))
	return printReport(e, rep, asJSON, fmt.Sprintf("haven bench --stats: %s, %d cases, %d clients on the page", engine, d.cases, o.Concurrency))
}
