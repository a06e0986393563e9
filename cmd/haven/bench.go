package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"runtime/pprof"
	"time"

	"github.com/haven-nrm/haven/internal/bench"
	"github.com/haven-nrm/haven/internal/config"
	"github.com/haven-nrm/haven/internal/errs"
	"github.com/haven-nrm/haven/internal/i18n"
	"github.com/haven-nrm/haven/internal/seal"
	"github.com/haven-nrm/haven/internal/services"
	"github.com/haven-nrm/haven/internal/store"
	"github.com/haven-nrm/haven/internal/web"
)

// runBench measures the raw engine's durable single-row commit rate and
// Haven's own write path in one run and prints both with their ratio.
func runBench(ctx context.Context, e env, args []string) error {
	fs, c, err := configFlags("bench", e)
	if err != nil {
		return err
	}
	engine := fs.String("engine", "sqlite", "sqlite (a fresh file in a temporary folder unless --data is given) or postgres (needs --db or HAVEN_DATABASE: an empty database)")
	duration := fs.Duration("duration", 5*time.Second, "how long to measure each path")
	conc := fs.Int("concurrency", 4, "concurrent clients")
	asJSON := fs.Bool("json", false, "print a machine-readable summary")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of the whole run to this file (read it with go tool pprof)")
	read := fs.Bool("read", false, "measure the read paths (the case page and the authority's queue) on a demo database, e.g. one made with haven demo --cases 1000000")
	statsBench := fs.Bool("stats", false, "measure the statistics paths (a three-dimension table, the statistics page, a release, the CTDC export) on a demo database")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	if *statsBench {
		if *conc < 1 || *conc > 1024 || *duration <= 0 {
			return errs.E(errs.Invalid, "--concurrency must be 1…1024 and --duration positive")
		}
		return runStatsBench(ctx, e, c, *engine, bench.Options{Duration: *duration, Concurrency: *conc}, *asJSON)
	}
	if *read {
		if *conc < 1 || *conc > 1024 || *duration <= 0 {
			return errs.E(errs.Invalid, "--concurrency must be 1…1024 and --duration positive")
		}
		return runReadBench(ctx, e, c, *engine, bench.Options{Duration: *duration, Concurrency: *conc}, *asJSON)
	}
	if *conc < 1 || *conc > 1024 || *duration <= 0 {
		return errs.E(errs.Invalid, "--concurrency must be 1…1024 and --duration positive")
	}
	switch *engine {
	case "sqlite":
		if c.IsPostgres() {
			return errs.E(errs.Invalid, "--engine sqlite with a postgres:// database: choose one")
		}
		if c.Database == "" {
			dir, err := os.MkdirTemp("", "haven-bench-")
			if err != nil {
				return err
			}
			defer os.RemoveAll(dir)
			c.DataDir = dir
		}
	case "postgres":
		if !c.IsPostgres() {
			return errs.E(errs.Invalid, "--engine postgres needs --db postgres://… (an empty database)")
		}
	default:
		return errs.E(errs.Invalid, "--engine must be sqlite or postgres")
	}
	if err := c.Validate(); err != nil {
		return errs.Wrap(errs.Invalid, err)
	}
	db, err := openDB(ctx, c, false)
	if err != nil {
		return err
	}
	defer db.Close()
	jid, aid, err := bench.Prepare(ctx, db)
	if err != nil {
		return errs.Wrap(errs.Invalid, err)
	}
	o := bench.Options{Duration: *duration, Concurrency: *conc}
	rep := bench.Report{Engine: *engine, Concurrency: *conc, Ratios: map[string]float64{}}
	if *engine == "sqlite" {
		rep.Durability = "WAL, synchronous=" + c.SQLiteSynchronous + ", one writer connection"
	} else {
		rep.Durability = "synchronous_commit as configured on the server"
	}
	if !*asJSON {
		fmt.Fprintf(e.stdout, "haven bench: %s (%s), %d clients, %s per path, database %s\n", *engine, rep.Durability, *conc, *duration, config.RedactDSN(db.String()))
	}
	raw := bench.Measure(ctx, "raw_insert", o, bench.RawInsert(db))
	raw.Underlying = "INSERT of one row per transaction"
	hv := bench.Measure(ctx, "haven_create_case", o, bench.HavenCreateCase(db, jid, aid))
	hv.Underlying = "raw_insert"
	intake, err := benchIntake(ctx, db, c, jid, o)
	if err != nil {
		return err
	}
	rep.Results = []bench.Result{raw, hv, intake}
	if raw.OpsPerSec > 0 {
		rep.Ratios["haven_create_case/raw_insert"] = hv.OpsPerSec / raw.OpsPerSec
		rep.Ratios["haven_intake_http/raw_insert"] = intake.OpsPerSec / raw.OpsPerSec
	}
	if *asJSON {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(rep)
	}
	printResults(e, rep)
	return nil
}

func printResults(e env, rep bench.Report) {
	fmt.Fprintf(e.stdout, "%-22s %10s %10s %9s %9s %9s %7s\n", "path", "ops", "ops/s", "p50 ms", "p99 ms", "max ms", "errors")
	for _, r := range rep.Results {
		fmt.Fprintf(e.stdout, "%-22s %10d %10.0f %9.2f %9.2f %9.2f %7d\n", r.Name, r.Ops, r.OpsPerSec, r.P50Millis, r.P99Millis, r.MaxMillis, r.Errors)
	}
	for _, r := range rep.Results {
		if r.Ops == 1 && r.Underlying != "" {
			fmt.Fprintf(e.stdout, "%s: %.3f s (%s)\n", r.Name, r.Seconds, r.Underlying)
		}
	}
	for _, r := range rep.Results {
		if r.FirstError != "" {
			fmt.Fprintf(e.stdout, "%s: first error: %s\n", r.Name, r.FirstError)
		}
	}
	for k, v := range rep.Ratios {
		fmt.Fprintf(e.stdout, "ratio %s = %.2f\n", k, v)
	}
}

// benchIntake measures a referral through Haven's HTTP API on loopback: JSON
// decoding, the intake rules and screening, sealing the identity, the audit
// events and the commit, with the same database and durability as the raw
// path.
func benchIntake(ctx context.Context, db *store.DB, c *config.Config, jurisdictionID string, o bench.Options) (bench.Result, error) {
	token, err := bench.IntakeSetup(ctx, db, jurisdictionID)
	if err != nil {
		return bench.Result{}, err
	}
	kr, err := seal.NewKeyring()
	if err != nil {
		return bench.Result{}, err
	}
	b, err := i18n.New()
	if err != nil {
		return bench.Result{}, err
	}
	cfg := *c
	cfg.MFAOptional = true
	svc, err := services.New(services.Options{Config: cfg, DB: db, Keys: kr})
	if err != nil {
		return bench.Result{}, err
	}
	srv, err := web.New(web.Deps{Config: cfg, Services: svc, I18n: b, Version: version,
		RateLimit: web.RateLimit{PerSecond: 1e9, Burst: 1 << 30}})
	if err != nil {
		return bench.Result{}, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return bench.Result{}, err
	}
	hs := &http.Server{Handler: srv.Handler(), ReadHeaderTimeout: 10 * time.Second}
	go hs.Serve(ln)
	defer hs.Close()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: o.Concurrency * 2}, Timeout: 30 * time.Second}
	r := bench.Measure(ctx, "haven_intake_http", o, bench.HavenIntakeHTTP(client, "http://"+ln.Addr().String(), token))
	r.Underlying = "raw_insert"
	return r, nil
}

// runReadBench measures the case page and the competent authority's queue
// over loopback HTTP on a demo database, beside the raw engine's queries
// under them, as the demo's competent authority (every view is audited, as
// in production).
func runReadBench(ctx context.Context, e env, c *config.Config, engine string, o bench.Options, asJSON bool) error {
	if err := c.Validate(); err != nil {
		return errs.Wrap(errs.Invalid, err)
	}
	db, k, err := openInstance(ctx, c)
	if err != nil {
		return err
	}
	defer db.Close()
	token, jid, ids, err := bench.ReadSetup(ctx, db, "demo.competent_authority", 20000)
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
	rep := bench.Report{Engine: engine, Concurrency: o.Concurrency, Ratios: map[string]float64{}, Durability: fmt.Sprintf("%d cases", n)}
	rawCase := bench.Measure(ctx, "raw_case_read", o, bench.RawCaseRead(db, ids))
	rawCase.Underlying = "SELECT of one case row by id"
	page := bench.Measure(ctx, "haven_case_page_http", o, bench.HTTPGet(client, base, token, "/cases/%s", ids))
	page.Underlying = "raw_case_read"
	rawQueue := bench.Measure(ctx, "raw_queue_read", o, bench.RawQueueRead(db, jid))
	rawQueue.Underlying = "SELECT of the first 50 queue rows of a jurisdiction"
	queue := bench.Measure(ctx, "haven_queue_http", o, bench.HTTPGet(client, base, token, "/queue", nil))
	queue.Underlying = "raw_queue_read"
	rep.Results = []bench.Result{rawCase, page, rawQueue, queue}
	if rawCase.OpsPerSec > 0 && rawQueue.OpsPerSec > 0 {
		rep.Ratios["haven_case_page_http/raw_case_read"] = page.OpsPerSec / rawCase.OpsPerSec
		rep.Ratios["haven_queue_http/raw_queue_read"] = queue.OpsPerSec / rawQueue.OpsPerSec
	}
	if asJSON {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(rep)
	}
	fmt.Fprintf(e.stdout, "haven bench --read: %s, %d cases, %d clients, %s per path\n", engine, n, o.Concurrency, o.Duration)
	printResults(e, rep)
	return nil
}
