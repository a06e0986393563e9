package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"

	"github.com/haven-nrm/haven/internal/access"
	"github.com/haven-nrm/haven/internal/bench"
	"github.com/haven-nrm/haven/internal/config"
	"github.com/haven-nrm/haven/internal/errs"
	"github.com/haven-nrm/haven/internal/i18n"
	"github.com/haven-nrm/haven/internal/services"
	"github.com/haven-nrm/haven/internal/stats"
	"github.com/haven-nrm/haven/internal/web"
)

// runStatsBench measures the statistics paths on a demo database beside the
// raw engine in the same run: a three-dimension table through the service
// against the raw GROUP BY, the statistics page over loopback HTTP as the
// demo analyst, a release over every case, and the CTDC export against a
// raw dump of the same columns. It publishes one release into the demo
// database (releases are never deleted).
func runStatsBench(ctx context.Context, e env, c *config.Config, engine string, o bench.Options, asJSON bool) error {
	if err := c.Validate(); err != nil {
		return errs.Wrap(errs.Invalid, err)
	}
	db, k, err := openInstance(ctx, c)
	if err != nil {
		return err
	}
	defer db.Close()
	token, _, _, err := bench.ReadSetup(ctx, db, "demo.analyst", 1)
	if err != nil {
		return errs.Wrap(errs.Invalid, err)
	}
	var n int64
	if err := db.R().QueryRowContext(ctx, `SELECT COUNT(*) FROM cases`).Scan(&n); err != nil {
		return err
	}
	b, err := i18n.New()
	if err != nil {
		return err
	}
	cfg := *c
	cfg.MFAOptional = true
	svc, err := services.New(services.Options{Config: cfg, DB: db, Keys: k.ring})
	if err != nil {
		return err
	}
	srv, err := web.New(web.Deps{Config: cfg, Services: svc, I18n: b, Version: version, RateLimit: web.RateLimit{PerSecond: 1e9, Burst: 1 << 30}})
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	hs := &http.Server{Handler: srv.Handler(), ReadHeaderTimeout: 10 * time.Second}
	go hs.Serve(ln)
	defer hs.Close()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: o.Concurrency * 2}, Timeout: 30 * time.Second}
	base := "http://" + ln.Addr().String()
	principal := func(username string) (access.Principal, error) {
		u, err := db.UserByUsername(ctx, username)
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
	rep := bench.Report{Engine: engine, Concurrency: o.Concurrency, Ratios: map[string]float64{}, Durability: fmt.Sprintf("%d cases", n)}
	one := bench.Options{Duration: o.Duration, Concurrency: 1}
	raw := bench.Measure(ctx, "raw_group_by_3", one, bench.RawGroupBy(db))
	raw.Underlying = "SELECT gender, age_band, exploitation, count(*) FROM cases GROUP BY 1, 2, 3"
	table := bench.Measure(ctx, "haven_stats_table_3", one, func(ctx context.Context, w int, i int64) error {
		_, err := svc.Stats.Compute(ctx, analyst, stats.TableInput{By: "gender,age_band,exploitation"})
		return err
	})
	table.Underlying = "raw_group_by_3 (computed every time, not cached)"
	// The page serves tables from a cache refreshed every minute
	// (stats.CacheFor); one request fills it before the clients start, as
	// on a running server.
	if err := bench.HTTPGet(client, base, token, "/statistics?by=gender&by=age_band", nil)(ctx, 0, 0); err != nil {
		return err
	}
	page := bench.Measure(ctx, "haven_stats_page_http", o, bench.HTTPGet(client, base, token, "/statistics?by=gender&by=age_band", nil))
	page.Underlying = "GET /statistics as the demo analyst"
	rep.Results = []bench.Result{raw, table, page}
	if raw.OpsPerSec > 0 {
		rep.Ratios["haven_stats_table_3/raw_group_by_3"] = table.OpsPerSec / raw.OpsPerSec
	}
	// A release of five tables over every case, approved by a second
	// person: computed, frozen, signed and published in one transaction.
	id, err := svc.Stats.Draft(ctx, analyst, stats.ReleaseInput{Title: "Benchmark release",
		Tables: "year;gender,age_band;exploitation,citizenship;jurisdiction,decision;sector,status"})
	if err != nil {
		return err
	}
	relSecs, err := bench.Time(1, func() error { _, err := svc.Stats.Approve(ctx, authority, id); return err })
	if err != nil {
		return err
	}
	rep.Results = append(rep.Results, bench.Result{Name: "haven_release_5_tables", Ops: 1, Seconds: relSecs, MaxMillis: relSecs * 1000,
		Underlying: "draft approved: five tables over all cases, frozen, signed"})
	dumpSecs, err := bench.Time(3, func() error { _, err := bench.RawCTDCDump(ctx, db, io.Discard); return err })
	if err != nil {
		return err
	}
	var ctdc stats.CTDCReport
	ctdcSecs, err := bench.Time(3, func() error { var err error; ctdc, err = svc.Stats.ExportCTDC(ctx, analyst, io.Discard); return err })
	if err != nil {
		return err
	}
	rep.Results = append(rep.Results,
		bench.Result{Name: "raw_ctdc_dump", Ops: 1, Seconds: dumpSecs, MaxMillis: dumpSecs * 1000, Underlying: "SELECT of the export's columns, written as CSV"},
		bench.Result{Name: "haven_ctdc_export", Ops: 1, Seconds: ctdcSecs, MaxMillis: ctdcSecs * 1000,
			Underlying: fmt.Sprintf("raw_ctdc_dump; %d records written, %d withheld, levels %v", ctdc.Records, ctdc.Withheld, ctdc.Levels)})
	if ctdcSecs > 0 {
		rep.Ratios["haven_ctdc_export_time/raw_ctdc_dump_time"] = ctdcSecs / dumpSecs
	}
	if asJSON {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(rep)
	}
	fmt.Fprintf(e.stdout, "haven bench --stats: %s, %d cases, %d clients on the page, %s per path\n", engine, n, o.Concurrency, o.Duration)
	printResults(e, rep)
	return nil
}
