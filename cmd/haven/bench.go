package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"maps"
	"net"
	"net/http"
	"os"
	"runtime/pprof"
	"slices"
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
		set := false
		fs.Visit(func(f *flag.Flag) { set = set || f.Name == "concurrency" })
		if !set {
			*conc = statsPageClients
		}
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
	return printReport(e, rep, *asJSON, "")
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
	for _, k := range slices.Sorted(maps.Keys(rep.Ratios)) {
		fmt.Fprintf(e.stdout, "ratio %s = %.2f\n", k, rep.Ratios[k])
	}
	for _, c := range rep.Checks {
		verdict := "met"
		if !c.Met {
			verdict = "NOT MET"
		}
		fmt.Fprintf(e.stdout, "target %s: %.2f %s (limit %.2f) %s\n", c.Name, c.Value, c.Unit, c.Limit, verdict)
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
	hs, err := startBenchServer(c, db, kr, o)
	if err != nil {
		return bench.Result{}, err
	}
	defer hs.Close()
	r := bench.Measure(ctx, "haven_intake_http", o, bench.HavenIntakeHTTP(hs.client, hs.base, token))
	r.Underlying = "raw_insert"
	return r, nil
}

// benchServer is Haven's own server on a loopback port, over the bench's
// database and keys, with the rate limit lifted: the target of every HTTP
// path the bench loads.
type benchServer struct {
	svc    *services.Set
	client *http.Client
	base   string
	hs     *http.Server
}

func startBenchServer(c *config.Config, db *store.DB, kr *seal.Keyring, o bench.Options) (*benchServer, error) {
	b, err := i18n.New()
	if err != nil {
		return nil, err
	}
	cfg := *c
	cfg.MFAOptional = true
	svc, err := services.New(services.Options{Config: cfg, DB: db, Keys: kr})
	if err != nil {
		return nil, err
	}
	srv, err := web.New(web.Deps{Config: cfg, Services: svc, I18n: b, Version: version, RateLimit: web.RateLimit{PerSecond: 1e9, Burst: 1 << 30}})
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	hs := &http.Server{Handler: srv.Handler(), ReadHeaderTimeout: 10 * time.Second}
	go hs.Serve(ln)
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: o.Concurrency * 2}, Timeout: 60 * time.Second}
	return &benchServer{svc: svc, client: client, base: "http://" + ln.Addr().String(), hs: hs}, nil
}

func (b *benchServer) Close() { b.hs.Close() }

// demoBench is a bench run on a demo database (the read and statistics
// paths): the instance, its server, a signed-in demo user and a sample of
// that user's cases.
type demoBench struct {
	db    *store.DB
	srv   *benchServer
	token string
	jid   string
	ids   []string
	cases int64
}

func openDemoBench(ctx context.Context, c *config.Config, username string, sample int, o bench.Options) (*demoBench, error) {
	if err := c.Validate(); err != nil {
		return nil, errs.Wrap(errs.Invalid, err)
	}
	db, k, err := openInstance(ctx, c)
	if err != nil {
		return nil, err
	}
	d := &demoBench{db: db}
	if d.token, d.jid, d.ids, err = bench.ReadSetup(ctx, db, username, sample); err != nil {
		db.Close()
		return nil, errs.Wrap(errs.Invalid, err)
	}
	if err := db.R().QueryRowContext(ctx, `SELECT COUNT(*) FROM cases`).Scan(&d.cases); err != nil {
		db.Close()
		return nil, err
	}
	if d.srv, err = startBenchServer(c, db, k.ring, o); err != nil {
		db.Close()
		return nil, err
	}
	return d, nil
}

func (d *demoBench) Close() {
	d.srv.Close()
	d.db.Close()
}

// printReport writes the report as JSON or as a table under its heading.
func printReport(e env, rep bench.Report, asJSON bool, heading string) error {
	if asJSON {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(rep)
	}
	if heading != "" {
		fmt.Fprintln(e.stdout, heading)
	}
	printResults(e, rep)
	return nil
}

// runReadBench measures the case page and the competent authority's queue
// over loopback HTTP on a demo database, beside the raw engine's queries
// under them, as the demo's competent authority (every view is audited, as
// in production).
func runReadBench(ctx context.Context, e env, c *config.Config, engine string, o bench.Options, asJSON bool) error {
	d, err := openDemoBench(ctx, c, "demo.competent_authority", 20000, o)
	if err != nil {
		return err
	}
	defer d.Close()
	rep := bench.Report{Engine: engine, Concurrency: o.Concurrency, Ratios: map[string]float64{}, Durability: fmt.Sprintf("%d cases", d.cases)}
	rawCase := bench.Measure(ctx, "raw_case_read", o, bench.RawCaseRead(d.db, d.ids))
	rawCase.Underlying = "SELECT of one case row by id"
	page := bench.Measure(ctx, "haven_case_page_http", o, bench.HTTPGet(d.srv.client, d.srv.base, d.token, "/cases/%s", d.ids))
	page.Underlying = "raw_case_read"
	rawQueue := bench.Measure(ctx, "raw_queue_read", o, bench.RawQueueRead(d.db, d.jid))
	rawQueue.Underlying = "SELECT of the first 50 queue rows of a jurisdiction"
	queue := bench.Measure(ctx, "haven_queue_http", o, bench.HTTPGet(d.srv.client, d.srv.base, d.token, "/queue", nil))
	queue.Underlying = "raw_queue_read"
	rep.Results = []bench.Result{rawCase, page, rawQueue, queue}
	if rawCase.OpsPerSec > 0 && rawQueue.OpsPerSec > 0 {
		rep.Ratios["haven_case_page_http/raw_case_read"] = page.OpsPerSec / rawCase.OpsPerSec
		rep.Ratios["haven_queue_http/raw_queue_read"] = queue.OpsPerSec / rawQueue.OpsPerSec
	}
	return printReport(e, rep, asJSON, fmt.Sprintf("haven bench --read: %s, %d cases, %d clients, %s per path", engine, d.cases, o.Concurrency, o.Duration))
}
