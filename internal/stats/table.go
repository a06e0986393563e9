// Package stats is the statistics service: tables of cases cut by coded
// dimensions, passed through the instance's disclosure policy before anyone
// sees them; indicators; releases; the CTDC export. It reads the coded
// columns of the store only — no sealed field is ever opened for
// statistics — and every number it returns to a surface (page, API, CLI)
// has been through package disclosure.
package stats

import (
	"context"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/haven-nrm/haven/internal/access"
	"github.com/haven-nrm/haven/internal/disclosure"
	"github.com/haven-nrm/haven/internal/errs"
	"github.com/haven-nrm/haven/internal/seal"
	"github.com/haven-nrm/haven/internal/store"
)

// Code is a refusal of a statistics request.
type Code string

// Domain names the package in translation keys ("stats.error.<code>").
func (Code) Domain() string { return "stats" }

// Kind classifies the refusals as invalid input.
func (Code) Kind() errs.Kind { return errs.Invalid }

// Error is the package's refusal type.
type Error = errs.Refusal[Code]

// The refusal codes.
const (
	CodeDimension Code = "dimension" // an unknown dimension, or one asked twice
	CodeTooMany   Code = "too_many"  // more dimensions than a table may have
	CodeWhere     Code = "where"     // a restriction that is not DIM=VALUE over a known dimension
	CodePeriod    Code = "period"    // a period that is not YYYY, YYYY-Qn or YYYY..YYYY
)

// Dimensions are the dimensions a table may be cut by, in display order.
var Dimensions = []string{"gender", "age_band", "citizenship", "exploitation", "exploitation_country", "sector", "jurisdiction", "year", "quarter", "status", "decision"}

// MaxDims is the most dimensions one table may have.
const MaxDims = 3

// Service answers statistics requests.
type Service struct {
	db      *store.DB
	cellKey cellKeyer
	now     func() time.Time
	// Perturb selects cell-key perturbation on top of suppression (the
	// default); an instance may turn it off (statistics.perturb = "off").
	perturb bool
	cache   tableCache
	// sources count the measures of indicators that are not shares of
	// cases (AddSource).
	sources map[string]MeasureSource
	mcache  measuresCache // the process measures (measures.go)
}

// New builds the service. The cell-key secret is derived from the
// instance's blind-index secret (an HMAC under it with a kind of its own),
// so it is per instance, survives master-key rotation and is never stored
// beside the data.
func New(db *store.DB, keys *seal.Keyring, now func() time.Time) *Service {
	secret := keys.BlindIndex("statistics-cell-key", "v1")
	return &Service{db: db, cellKey: cellKeyer{Secret: secret, D: 2}, now: now, perturb: true}
}

// TableInput is a table request as the page, the API and the CLI receive
// it: dimensions separated by commas, restrictions DIM=VALUE separated by
// commas, and a period.
type TableInput struct {
	By     string `field:"by"`
	Where  string `field:"where"`
	Period string `field:"period"`
}

// Cell is one published number. A suppressed cell has no count and says
// why it is withheld ("primary": fewer than k people; "secondary": withheld
// so that a primary cell cannot be computed from totals); it is never
// shown as zero.
type Cell struct {
	Count      *int64 `json:"count"`
	Suppressed string `json:"suppressed,omitempty"`
}

// Value returns the count and whether it is published.
func (c Cell) Value() (int64, bool) {
	if c.Count == nil {
		return 0, false
	}
	return *c.Count, true
}

// Row is one row of a table: the values of all dimensions but the last,
// its cells (one per column) and its total.
type Row struct {
	Labels []string `json:"labels"`
	Cells  []Cell   `json:"cells"`
	Total  Cell     `json:"total"`
}

// Table is a disclosure-controlled table of cases.
type Table struct {
	Dimensions []string          `json:"dimensions"`
	Where      map[string]string `json:"where,omitempty"`
	Period     string            `json:"period,omitempty"`
	K          int               `json:"k"`
	Method     string            `json:"method"`
	// Columns are the values of the last dimension.
	Columns      []string `json:"columns"`
	Rows         []Row    `json:"rows"`
	ColumnTotals []Cell   `json:"column_totals,omitempty"`
	Total        Cell     `json:"total"`
	// Names are the names of the jurisdictions the table shows, by id.
	Names map[string]string `json:"names,omitempty"`
}

// Query is a checked table request.
type Query struct {
	Dims     []string
	Where    map[string]string
	Period   string
	From, To int64
	// Unit, Decided and CGTargetDays are those of store.StatQuery: the
	// process measures (measures.go) count through service referrals,
	// charges or investigations, or decided cases only.
	Unit         string
	Decided      string
	CGTargetDays int
}

// ParseTable checks a table request.
func ParseTable(in TableInput) (Query, error) {
	var q Query
	for _, d := range splitList(in.By) {
		if !slices.Contains(Dimensions, d) || slices.Contains(q.Dims, d) {
			return q, &Error{Code: CodeDimension, Field: "by", Value: codeValue(d)}
		}
		q.Dims = append(q.Dims, d)
	}
	if len(q.Dims) > MaxDims {
		return q, &Error{Code: CodeTooMany, Field: "by"}
	}
	for _, w := range splitList(in.Where) {
		k, v, ok := strings.Cut(w, "=")
		k, v = strings.TrimSpace(k), strings.TrimSpace(v)
		if !ok || v == "" || len(v) > 64 || k == "year" || k == "quarter" || !slices.Contains(Dimensions, k) || !isCode(v) {
			return q, &Error{Code: CodeWhere, Field: "where", Value: codeValue(k)}
		}
		if q.Where == nil {
			q.Where = map[string]string{}
		}
		q.Where[k] = v
	}
	from, to, err := ParsePeriod(in.Period)
	if err != nil {
		return q, err
	}
	q.Period, q.From, q.To = strings.TrimSpace(in.Period), from, to
	return q, nil
}

// ParsePeriod reads "" (all time), "2025", "2025-Q3" or "2023..2025" as
// an interval of Unix milliseconds [from, to) in UTC.
func ParsePeriod(p string) (from, to int64, err error) {
	p = strings.TrimSpace(p)
	if p == "" {
		return 0, 0, nil
	}
	bad := &Error{Code: CodePeriod, Field: "period"}
	year := func(s string) (int, bool) {
		y, err := strconv.Atoi(s)
		return y, err == nil && len(s) == 4 && y >= 1990 && y <= 2200
	}
	if a, b, ok := strings.Cut(p, ".."); ok {
		ya, ok1 := year(a)
		yb, ok2 := year(b)
		if !ok1 || !ok2 || yb < ya {
			return 0, 0, bad
		}
		return store.Millis(time.Date(ya, 1, 1, 0, 0, 0, 0, time.UTC)), store.Millis(time.Date(yb+1, 1, 1, 0, 0, 0, 0, time.UTC)), nil
	}
	if y, q, ok := strings.Cut(p, "-Q"); ok {
		yy, ok1 := year(y)
		qq, err := strconv.Atoi(q)
		if !ok1 || err != nil || qq < 1 || qq > 4 || len(q) != 1 {
			return 0, 0, bad
		}
		start := time.Date(yy, time.Month(3*qq-2), 1, 0, 0, 0, 0, time.UTC)
		return store.Millis(start), store.Millis(start.AddDate(0, 3, 0)), nil
	}
	y, ok := year(p)
	if !ok {
		return 0, 0, bad
	}
	return store.Millis(time.Date(y, 1, 1, 0, 0, 0, 0, time.UTC)), store.Millis(time.Date(y+1, 1, 1, 0, 0, 0, 0, time.UTC)), nil
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// isCode reports whether v looks like a code (letters, digits, - _ . +):
// restrictions name coded values, never free text.
func isCode(v string) bool {
	for _, r := range v {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_.+", r)) {
			return false
		}
	}
	return true
}

// codeValue returns v for a refusal when it is a short code, else "".
func codeValue(v string) string {
	if len(v) <= 32 && isCode(v) {
		return v
	}
	return ""
}

// scope is what a principal's tables cover: the competent authority and
// a local government officer their jurisdiction, an agency administrator their agency, analysts and the
// system administrator the whole instance.
func scope(p access.Principal) (jurisdictionID, agencyID string) {
	switch p.Role {
	case access.CompetentAuthority:
		return p.JurisdictionID, ""
	case access.AgencyAdmin:
		return "", p.AgencyID
	case access.LocalGovOfficer:
		// A local government reads its own jurisdiction's numbers.
		return p.JurisdictionID, ""
	}
	return "", ""
}

// Policy is the disclosure policy that applies to a table.
type Policy struct {
	K       int
	Perturb bool
}

// policy reads the instance's threshold: the setting statistics.k
// (default 11), raised by statistics.k.<jurisdiction id> for a table of
// that jurisdiction, and for a table across jurisdictions the highest of
// them all, so a jurisdiction's own threshold is never undercut.
func (s *Service) policy(ctx context.Context, jurisdictionID string) (Policy, error) {
	p := Policy{K: disclosure.DefaultK, Perturb: s.perturb}
	read := func(key string) error {
		v, ok, err := s.db.Setting(ctx, key)
		if err != nil || !ok {
			return err
		}
		if n, err := strconv.Atoi(v); err == nil && n >= disclosure.MinK && n > p.K {
			p.K = n
		}
		return nil
	}
	if err := read("statistics.k"); err != nil {
		return p, err
	}
	if v, ok, err := s.db.Setting(ctx, "statistics.perturb"); err != nil {
		return p, err
	} else if ok && v == "off" {
		p.Perturb = false
	}
	if jurisdictionID != "" {
		return p, read("statistics.k." + jurisdictionID)
	}
	js, err := s.db.Jurisdictions(ctx)
	if err != nil {
		return p, err
	}
	for _, j := range js {
		if err := read("statistics.k." + j.ID); err != nil {
			return p, err
		}
	}
	return p, nil
}

// Threshold is the disclosure threshold k of the instance's policy for
// a jurisdiction ("" for tables across jurisdictions): what other
// services that publish counts drawn from cases (a city's referral
// network) hold to.
func (s *Service) Threshold(ctx context.Context, jurisdictionID string) (int, error) {
	p, err := s.policy(ctx, jurisdictionID)
	return p.K, err
}

// Table answers a table request for p: the counts of cases in p's scope,
// suppressed and perturbed by the disclosure policy.
func (s *Service) Table(ctx context.Context, p access.Principal, in TableInput) (Table, error) {
	q, err := tableQuery(p, in)
	if err != nil {
		return Table{}, err
	}
	return s.table(ctx, p, q)
}

// tableQuery reads the table p asks for, if p may see statistics.
func tableQuery(p access.Principal, in TableInput) (Query, error) {
	if !access.Allowed(access.ViewStatistics, p, access.Resource{}) {
		return Query{}, errs.E(errs.Forbidden, "statistics: not allowed")
	}
	return ParseTable(in)
}

func (s *Service) table(ctx context.Context, p access.Principal, q Query) (Table, error) {
	jid, aid := scope(p)
	// The computation outlives a cancelled request: others may be waiting
	// for the same table.
	cctx := context.WithoutCancel(ctx)
	return s.cache.get(ctx, cacheKey(jid, aid, q)+"\x00"+strconv.FormatBool(s.perturb), s.now(), func() (Table, error) { return s.compute(cctx, p, q) })
}

// Compute is Table without the cache: every call counts again. Benchmarks
// use it to measure the computation itself.
func (s *Service) Compute(ctx context.Context, p access.Principal, in TableInput) (Table, error) {
	q, err := tableQuery(p, in)
	if err != nil {
		return Table{}, err
	}
	return s.compute(ctx, p, q)
}

// compute counts and protects one table.
func (s *Service) compute(ctx context.Context, p access.Principal, q Query) (Table, error) {
	jid, _ := scope(p)
	if jid == "" && q.Where["jurisdiction"] != "" {
		jid = q.Where["jurisdiction"]
	}
	pol, err := s.policy(ctx, jid)
	if err != nil {
		return Table{}, err
	}
	rows, err := s.db.StatCells(ctx, storeQuery(p, q))
	if err != nil {
		return Table{}, err
	}
	t, err := Build(q, rows, pol, s.cellKey.Protect(pol))
	if err != nil || !slices.Contains(q.Dims, "jurisdiction") {
		return t, err
	}
	js, err := s.db.Jurisdictions(ctx)
	if err != nil {
		return t, err
	}
	t.Names = jurisdictionNames(js)
	return t, nil
}

// jurisdictionNames maps the jurisdictions' ids to their names, for a
// table by jurisdiction and the release desk.
func jurisdictionNames(js []store.Jurisdiction) map[string]string {
	names := make(map[string]string, len(js))
	for _, j := range js {
		names[j.ID] = j.Name
	}
	return names
}

// Protector turns a table's true counts (and its cells' keys) into what
// may be published.
type Protector func(g disclosure.Grid, keys []uint64) (disclosure.Protected, error)

// Build lays the counted cells out as a table and applies the policy. A
// table of n dimensions is published as a two-way table whose rows are the
// combinations of the first n-1 and whose columns are the values of the
// last, with row, column and grand totals (see disclosure.Grid).
func Build(q Query, rows []store.StatRow, pol Policy, protect Protector) (Table, error) {
	t := Table{Dimensions: q.Dims, Where: q.Where, Period: q.Period, K: pol.K, Method: "suppression"}
	if t.Dimensions == nil {
		t.Dimensions = []string{}
	}
	if pol.Perturb {
		t.Method = "suppression+cell_key"
	}
	n := len(q.Dims)
	rowIdx, colIdx := map[string]int{}, map[string]int{}
	var rowKeys [][]string
	var cols []string
	for _, r := range rows {
		if n == 0 {
			continue
		}
		rk := strings.Join(r.Values[:n-1], "\x00")
		if _, ok := rowIdx[rk]; !ok {
			rowIdx[rk] = len(rowKeys)
			rowKeys = append(rowKeys, r.Values[:n-1])
		}
		if _, ok := colIdx[r.Values[n-1]]; !ok {
			colIdx[r.Values[n-1]] = len(cols)
			cols = append(cols, r.Values[n-1])
		}
	}
	if n == 0 {
		rowKeys, cols = [][]string{{}}, []string{""}
	}
	if len(rowKeys) == 0 { // nothing in scope
		rowKeys, cols = [][]string{make([]string, max(n-1, 0))}, []string{}
	}
	// Order rows and columns naturally ("9-17" before "18-20").
	sort.SliceStable(rowKeys, func(i, j int) bool { return lessLabels(rowKeys[i], rowKeys[j]) })
	sort.SliceStable(cols, func(i, j int) bool { return naturalLess(cols[i], cols[j]) })
	for i, rk := range rowKeys {
		rowIdx[strings.Join(rk, "\x00")] = i
	}
	for i, c := range cols {
		colIdx[c] = i
	}
	t.Columns = cols
	if n == 0 {
		t.Columns = []string{}
	}
	R, C := len(rowKeys), max(len(cols), 1)
	g := disclosure.Grid{Rows: R, Cols: C, Counts: make([]int64, R*C)}
	keys := make([]uint64, R*C)
	for _, r := range rows {
		var i, j int
		if n > 0 {
			i, j = rowIdx[strings.Join(r.Values[:n-1], "\x00")], colIdx[r.Values[n-1]]
		}
		g.Counts[i*C+j] += r.Count
		keys[i*C+j] += uint64(r.KeySum)
	}
	prot, err := protect(g, keys)
	if err != nil {
		return Table{}, err
	}
	cell := func(i, j int) Cell {
		v, st := prot.At(i, j)
		if st.Suppressed() {
			return Cell{Suppressed: st.String()}
		}
		return Cell{Count: &v}
	}
	t.Total = cell(R, C)
	if n == 0 {
		t.Rows = []Row{}
		return t, nil
	}
	for i, rk := range rowKeys {
		row := Row{Labels: rk, Total: cell(i, C)}
		if row.Labels == nil {
			row.Labels = []string{}
		}
		for j := range len(cols) {
			row.Cells = append(row.Cells, cell(i, j))
		}
		t.Rows = append(t.Rows, row)
	}
	if n > 1 {
		for j := range len(cols) {
			t.ColumnTotals = append(t.ColumnTotals, cell(R, j))
		}
	}
	return t, nil
}

func lessLabels(a, b []string) bool {
	for i := range a {
		if a[i] != b[i] {
			return naturalLess(a[i], b[i])
		}
	}
	return false
}

// naturalLess orders by leading number first ("9-17" < "18-20"), then as
// text; the empty value (unknown) last.
func naturalLess(a, b string) bool {
	if a == "" || b == "" {
		return b == "" && a != ""
	}
	na, ea := leadingInt(a)
	nb, eb := leadingInt(b)
	if ea && eb && na != nb {
		return na < nb
	}
	return a < b
}

func leadingInt(s string) (int, bool) {
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	if i == 0 || i > 9 {
		return 0, false
	}
	n, _ := strconv.Atoi(s[:i])
	return n, true
}

// Protect is the policy's protector for tables shown on demand: primary and
// complementary suppression at k, then, when the policy says so, cell-key
// perturbation of the published cells.
func (ck cellKeyer) Protect(pol Policy) Protector {
	return func(g disclosure.Grid, keys []uint64) (disclosure.Protected, error) {
		p, err := disclosure.Suppress(g, pol.K)
		if err != nil {
			return p, err
		}
		if pol.Perturb {
			disclosure.CellKey(ck).Apply(&p, keys, pol.K)
		}
		return p, nil
	}
}

// cellKeyer is the service's cell-key perturbation.
type cellKeyer disclosure.CellKey
