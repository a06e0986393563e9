package stats

import (
	"context"
	"crypto/ed25519"
	crand "crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"github.com/haven-nrm/haven/internal/access"
	"github.com/haven-nrm/haven/internal/audit"
	"github.com/haven-nrm/haven/internal/disclosure"
	"github.com/haven-nrm/haven/internal/errs"
	"github.com/haven-nrm/haven/internal/store"
)

// Release refusal codes.
const (
	CodeTitle      Code = "title"       // a title that is empty, too long or has control characters
	CodeMethod     Code = "method"      // a method other than suppression or dp
	CodeTables     Code = "tables"      // no table, too many, or one that is not a valid table
	CodeSamePerson Code = "same_person" // the drafter may not approve their own release
	CodeNotDraft   Code = "not_draft"   // only a draft can be approved
	CodeNoPeriod   Code = "no_period"   // a differentially private release needs a bounded period
	CodeNoKey      Code = "no_key"      // the instance has no signing key
)

// MaxReleaseTables bounds the tables of one release.
const MaxReleaseTables = 12

// DefaultEpsilonBudget is the privacy budget per jurisdiction and year
// when the instance sets none (statistics.epsilon_budget).
const DefaultEpsilonBudget = 1.0

// ReleaseInput is a draft release: a title, its tables (each a list of
// dimensions separated by commas, tables separated by semicolons), the
// period, the jurisdiction ("" for the whole instance), the method
// ("suppression" or "dp") and, for dp, the release's ε.
type ReleaseInput struct {
	Title        string `field:"title"`
	Tables       string `field:"tables"`
	Period       string `field:"period"`
	Jurisdiction string `field:"jurisdiction"`
	Method       string `field:"method"`
	Epsilon      string `field:"epsilon"`
}

// ReleaseContent is what a release publishes; its JSON is what is hashed
// and signed.
type ReleaseContent struct {
	Format       string  `json:"format"`
	ID           string  `json:"id"`
	Title        string  `json:"title"`
	Jurisdiction string  `json:"jurisdiction,omitempty"`
	Period       string  `json:"period,omitempty"`
	Method       string  `json:"method"`
	Epsilon      float64 `json:"epsilon,omitempty"`
	K            int     `json:"k"`
	PublishedAt  string  `json:"published_at"`
	Tables       []Table `json:"tables"`
	// Notes are the methodology notes as codes; the public page shows
	// them in the reader's language (stats.note.<code>).
	Notes []string `json:"notes"`
}

// PublishedRelease is a published release with its proof.
type PublishedRelease struct {
	store.Release
	Content ReleaseContent
}

func releaseCode(code Code, field string) error { return &Error{Code: code, Field: field} }

// checkRelease reads a release request.
func checkRelease(in ReleaseInput) (store.Release, []Query, float64, error) {
	var r store.Release
	title := strings.TrimSpace(in.Title)
	if title == "" || len([]rune(title)) > 120 || strings.IndexFunc(title, unicode.IsControl) >= 0 {
		return r, nil, 0, releaseCode(CodeTitle, "title")
	}
	method := strings.TrimSpace(in.Method)
	if method == "" {
		method = "suppression"
	}
	if method != "suppression" && method != "dp" {
		return r, nil, 0, releaseCode(CodeMethod, "method")
	}
	var qs []Query
	var specs []string
	for _, spec := range strings.Split(in.Tables, ";") {
		if strings.TrimSpace(spec) == "" {
			continue
		}
		q, err := ParseTable(TableInput{By: spec, Period: in.Period})
		if err != nil {
			return r, nil, 0, err
		}
		qs = append(qs, q)
		specs = append(specs, strings.Join(q.Dims, ","))
	}
	if len(qs) == 0 || len(qs) > MaxReleaseTables {
		return r, nil, 0, releaseCode(CodeTables, "tables")
	}
	from, to, err := ParsePeriod(in.Period)
	if err != nil {
		return r, nil, 0, err
	}
	var eps float64
	if method == "dp" {
		if from == 0 {
			return r, nil, 0, releaseCode(CodeNoPeriod, "period")
		}
		eps, err = strconv.ParseFloat(strings.TrimSpace(in.Epsilon), 64)
		if err != nil {
			return r, nil, 0, &disclosure.Error{Code: disclosure.CodeEpsilon, Field: "epsilon"}
		}
		if err := disclosure.CheckEpsilon(eps); err != nil {
			return r, nil, 0, err
		}
	}
	jid := strings.TrimSpace(in.Jurisdiction)
	if jid != "" && (!isCode(jid) || len(jid) > 64) {
		return r, nil, 0, releaseCode(CodeWhere, "jurisdiction")
	}
	r = store.Release{Title: title, JurisdictionID: jid, Period: strings.TrimSpace(in.Period), Tables: strings.Join(specs, ";"),
		Method: method, EpsilonMicro: int64(math.Round(eps * 1e6))}
	if from != 0 {
		r.FirstYear, r.LastYear = store.FromMillis(from).Year(), store.FromMillis(to-1).Year()
	}
	return r, qs, eps, nil
}

// Draft records a draft release. Nothing is computed yet: the numbers are
// taken when a second person approves it.
func (s *Service) Draft(ctx context.Context, p access.Principal, in ReleaseInput) (string, error) {
	if !access.Allowed(access.DraftRelease, p, access.Resource{}) {
		return "", errs.E(errs.Forbidden, "statistics: drafting a release is not allowed")
	}
	r, _, _, err := checkRelease(in)
	if err != nil {
		return "", err
	}
	if r.JurisdictionID != "" {
		if ok, err := s.knownJurisdiction(ctx, r.JurisdictionID); err != nil {
			return "", err
		} else if !ok {
			return "", releaseCode(CodeWhere, "jurisdiction")
		}
	}
	r.ID, r.DraftedBy = store.NewID(), p.UserID
	err = s.db.Write(ctx, func(tx *store.Tx) error {
		r.DraftedAt = store.Millis(tx.Now)
		if err := tx.InsertRelease(ctx, r); err != nil {
			return err
		}
		return tx.Audit(ctx, audit.Event{Actor: p.UserID, Action: "statistics.release_draft", ObjectType: "statistics_release", ObjectID: r.ID,
			Agency: p.AgencyID, Details: map[string]string{"method": r.Method}})
	})
	return r.ID, err
}

func (s *Service) knownJurisdiction(ctx context.Context, id string) (bool, error) {
	js, err := s.db.Jurisdictions(ctx)
	if err != nil {
		return false, err
	}
	for _, j := range js {
		if j.ID == id {
			return true, nil
		}
	}
	return false, nil
}

// Approve is the second person's approval: in one transaction it checks
// the ε ledger, computes every table of the release from the current
// data through the disclosure policy (and, for dp, the geometric
// mechanism), freezes the result, hashes it, signs the hash with the
// instance's key and publishes it, with its audit event. The drafter may
// not approve their own release.
func (s *Service) Approve(ctx context.Context, p access.Principal, id string) (PublishedRelease, error) {
	if !access.Allowed(access.ApproveRelease, p, access.Resource{}) {
		return PublishedRelease{}, errs.E(errs.Forbidden, "statistics: approving a release is not allowed")
	}
	signer := s.db.AuditSignerOf()
	js, err := s.db.Jurisdictions(ctx)
	if err != nil {
		return PublishedRelease{}, err
	}
	var out PublishedRelease
	err = s.db.Write(ctx, func(tx *store.Tx) error {
		if err := tx.LockReleases(ctx); err != nil {
			return err
		}
		r, err := tx.Release(ctx, id)
		if errs.Is(err, errs.NotFound) {
			return errs.E(errs.NotFound, "statistics: no such release")
		}
		if err != nil {
			return err
		}
		if r.State != "draft" {
			return &Error{Code: CodeNotDraft}
		}
		if r.DraftedBy == p.UserID {
			return &Error{Code: CodeSamePerson}
		}
		// An instance without its signing key refuses to publish, saying
		// why, rather than failing: nothing is written.
		if signer == nil {
			return releaseCode(CodeNoKey, "")
		}
		_, qs, eps, err := checkRelease(ReleaseInput{Title: r.Title, Tables: r.Tables, Period: r.Period, Jurisdiction: r.JurisdictionID,
			Method: r.Method, Epsilon: strconv.FormatFloat(float64(r.EpsilonMicro)/1e6, 'f', -1, 64)})
		if err != nil {
			return err
		}
		if r.Method == "dp" {
			if err := s.admit(ctx, tx, r, js); err != nil {
				return err
			}
		}
		pol, err := s.policy(ctx, r.JurisdictionID)
		if err != nil {
			return err
		}
		content := ReleaseContent{Format: "haven-release/1", ID: r.ID, Title: r.Title, Jurisdiction: r.JurisdictionID, Period: r.Period,
			Method: r.Method, K: pol.K, PublishedAt: tx.Now.UTC().Format("2006-01-02T15:04:05Z"), Notes: []string{"suppression"}}
		protect := Protector(func(g disclosure.Grid, _ []uint64) (disclosure.Protected, error) {
			return disclosure.Suppress(g, pol.K)
		})
		if r.Method == "dp" {
			content.Epsilon = eps
			content.Notes = []string{"dp", "dp_consistent", "suppression"}
			per := eps / float64(len(qs))
			protect = func(g disclosure.Grid, _ []uint64) (disclosure.Protected, error) {
				noisy, err := disclosure.Noisy(g, per, cryptoSource{})
				if err != nil {
					return noisy, err
				}
				inner := disclosure.Grid{Rows: g.Rows, Cols: g.Cols, Counts: make([]int64, len(g.Counts))}
				for i := 0; i < g.Rows; i++ {
					for j := 0; j < g.Cols; j++ {
						inner.Counts[i*g.Cols+j], _ = noisy.At(i, j)
					}
				}
				// Suppressing the noisy counts is post-processing: it
				// spends no budget, and keeps every published cell at k
				// or more.
				return disclosure.Suppress(inner, pol.K)
			}
		}
		if r.JurisdictionID != "" {
			content.Notes = append(content.Notes, "jurisdiction")
		}
		cells, err := releaseCells(ctx, tx, qs, r.JurisdictionID)
		if err != nil {
			return err
		}
		for i, q := range qs {
			t, err := Build(q, cells[i], pol, protect)
			if err != nil {
				return err
			}
			t.Method = r.Method
			if slices.Contains(q.Dims, "jurisdiction") {
				t.Names = jurisdictionNames(js)
			}
			content.Tables = append(content.Tables, t)
		}
		raw, err := json.Marshal(content)
		if err != nil {
			return errs.Wrap(errs.Internal, err)
		}
		sum := sha256.Sum256(raw)
		r.Content, r.Digest = string(raw), hex.EncodeToString(sum[:])
		r.Signature = hex.EncodeToString(ed25519.Sign(signer.Key, signedMessage(r.ID, r.Digest)))
		r.PublicKey = hex.EncodeToString(signer.Key.Public().(ed25519.PublicKey))
		r.ApprovedBy, r.PublishedAt, r.State = p.UserID, store.Millis(tx.Now), "published"
		ok, err := tx.PublishRelease(ctx, r)
		if err != nil {
			return err
		}
		if !ok {
			return &Error{Code: CodeNotDraft}
		}
		out = PublishedRelease{Release: r, Content: content}
		return tx.Audit(ctx, audit.Event{Actor: p.UserID, Action: "statistics.release_publish", ObjectType: "statistics_release", ObjectID: r.ID,
			Agency: p.AgencyID, Details: map[string]string{"method": r.Method, "epsilon_micro": strconv.FormatInt(r.EpsilonMicro, 10)}})
	})
	return out, err
}

// signedMessage is what a release's signature covers: the format, the
// release's id and the SHA-256 of its content.
func signedMessage(id, digest string) []byte {
	return []byte("haven-release-v1\n" + id + "\n" + digest)
}

// admit applies the ε ledger rule: every published differentially
// private release spends its ε on each jurisdiction it covers (a release
// for the whole instance covers all) and each year of its period; the new
// release is refused if any jurisdiction and year would pass the budget.
func (s *Service) admit(ctx context.Context, tx *store.Tx, r store.Release, js []store.Jurisdiction) error {
	budget, err := s.epsilonBudget(ctx)
	if err != nil {
		return err
	}
	spent, err := tx.PublishedSpends(ctx)
	if err != nil {
		return err
	}
	ledger := ledgerOf(spent, js)
	for _, j := range covers(r.JurisdictionID, js) {
		for y := r.FirstYear; y <= r.LastYear; y++ {
			if err := disclosure.Admit(ledger, disclosure.Spend{Jurisdiction: j, Year: y, Epsilon: float64(r.EpsilonMicro) / 1e6}, budget); err != nil {
				return err
			}
		}
	}
	return nil
}

// epsilonBudget is the privacy budget per jurisdiction and year: the
// setting statistics.epsilon_budget, or DefaultEpsilonBudget.
func (s *Service) epsilonBudget(ctx context.Context) (float64, error) {
	v, ok, err := s.db.Setting(ctx, "statistics.epsilon_budget")
	if err != nil {
		return 0, err
	}
	if ok {
		if b, err := strconv.ParseFloat(v, 64); err == nil && b > 0 {
			return b, nil
		}
	}
	return DefaultEpsilonBudget, nil
}

// covers lists the jurisdictions a release spends on: its own, or every
// jurisdiction for a release of the whole instance.
func covers(jid string, js []store.Jurisdiction) []string {
	if jid != "" {
		return []string{jid}
	}
	all := make([]string, 0, len(js))
	for _, j := range js {
		all = append(all, j.ID)
	}
	return all
}

// ledgerOf spreads the published releases' ε over the jurisdictions and
// years each covers.
func ledgerOf(published []store.Release, js []store.Jurisdiction) []disclosure.Spend {
	var ledger []disclosure.Spend
	for _, old := range published {
		if old.EpsilonMicro <= 0 {
			continue
		}
		for _, j := range covers(old.JurisdictionID, js) {
			for y := old.FirstYear; y <= old.LastYear; y++ {
				ledger = append(ledger, disclosure.Spend{Jurisdiction: j, Year: y, Epsilon: float64(old.EpsilonMicro) / 1e6})
			}
		}
	}
	return ledger
}

// Desk is what the release desk shows: the drafts waiting for a second
// person, the ε ledger (what differentially private releases have spent
// per jurisdiction and year, against the budget) and the jurisdictions a
// release may cover.
type Desk struct {
	Drafts        []DraftView
	Ledger        []LedgerRow
	Budget        float64
	Jurisdictions []store.Jurisdiction
	// CanDraft and CanApprove say what the reader may do.
	CanDraft, CanApprove bool
}

// DraftView is a draft as the desk lists it. Mine says the reader drafted
// it (and so may not approve it); who drafted it is not shown.
type DraftView struct {
	ID, Title, Period, Method string
	Jurisdiction              string // the jurisdiction's name, "" for the whole instance
	Tables                    [][]string
	Epsilon                   float64
	DraftedAt                 int64
	Mine                      bool
}

// LedgerRow is what one jurisdiction has spent in one year.
type LedgerRow struct {
	Jurisdiction string // its name
	Year         int
	Spent        float64
	Remaining    float64
}

// Desk reads the release desk for p.
func (s *Service) Desk(ctx context.Context, p access.Principal) (Desk, error) {
	d := Desk{CanDraft: access.Allowed(access.DraftRelease, p, access.Resource{}), CanApprove: access.Allowed(access.ApproveRelease, p, access.Resource{})}
	if !d.CanDraft && !d.CanApprove {
		return d, errs.E(errs.Forbidden, "statistics: releases are not yours to see")
	}
	js, err := s.db.Jurisdictions(ctx)
	if err != nil {
		return d, err
	}
	names := jurisdictionNames(js)
	d.Jurisdictions = js
	if d.Budget, err = s.epsilonBudget(ctx); err != nil {
		return d, err
	}
	drafts, err := s.db.Releases(ctx, "draft")
	if err != nil {
		return d, err
	}
	for _, r := range drafts {
		v := DraftView{ID: r.ID, Title: r.Title, Period: r.Period, Method: r.Method, Jurisdiction: names[r.JurisdictionID],
			Epsilon: float64(r.EpsilonMicro) / 1e6, DraftedAt: r.DraftedAt, Mine: r.DraftedBy == p.UserID}
		for _, t := range strings.Split(r.Tables, ";") {
			v.Tables = append(v.Tables, strings.Split(t, ","))
		}
		d.Drafts = append(d.Drafts, v)
	}
	published, err := s.db.Releases(ctx, "published")
	if err != nil {
		return d, err
	}
	sums := map[[2]string]float64{}
	for _, sp := range ledgerOf(published, js) {
		sums[[2]string{sp.Jurisdiction, strconv.Itoa(sp.Year)}] += sp.Epsilon
	}
	for k, v := range sums {
		y, _ := strconv.Atoi(k[1])
		d.Ledger = append(d.Ledger, LedgerRow{Jurisdiction: names[k[0]], Year: y, Spent: v, Remaining: max(0, d.Budget-v)})
	}
	slices.SortFunc(d.Ledger, func(a, b LedgerRow) int {
		if a.Year != b.Year {
			return b.Year - a.Year
		}
		return strings.Compare(a.Jurisdiction, b.Jurisdiction)
	})
	return d, nil
}

// cryptoSource draws uniform numbers in [0,1) from crypto/rand: the noise
// of a release must not be predictable from a seed.
type cryptoSource struct{}

func (cryptoSource) Float64() float64 {
	var b [8]byte
	if _, err := crand.Read(b[:]); err != nil {
		panic("crypto/rand failed: " + err.Error())
	}
	return float64(binary.BigEndian.Uint64(b[:])>>11) / (1 << 53)
}

// Published lists the published releases, newest first, for the public
// page.
func (s *Service) Published(ctx context.Context) ([]PublishedRelease, error) {
	rs, err := s.db.Releases(ctx, "published")
	if err != nil {
		return nil, err
	}
	out := make([]PublishedRelease, 0, len(rs))
	for _, r := range rs {
		var c ReleaseContent
		if err := json.Unmarshal([]byte(r.Content), &c); err != nil {
			return nil, errs.Wrap(errs.Internal, err)
		}
		out = append(out, PublishedRelease{Release: r, Content: c})
	}
	return out, nil
}

// PublishedByID reads one published release; a draft or an unknown id is
// not found, so the public cannot see drafts.
func (s *Service) PublishedByID(ctx context.Context, id string) (PublishedRelease, error) {
	r, err := s.db.Release(ctx, id)
	if err != nil {
		return PublishedRelease{}, err
	}
	if r.State != "published" {
		return PublishedRelease{}, errs.E(errs.NotFound, "statistics: no such release")
	}
	var c ReleaseContent
	if err := json.Unmarshal([]byte(r.Content), &c); err != nil {
		return PublishedRelease{}, errs.Wrap(errs.Internal, err)
	}
	return PublishedRelease{Release: r, Content: c}, nil
}

// Verify checks a published release: its content hashes to its digest and
// the signature over the digest verifies with the instance's public key
// (the one recorded as audit.public_key when the instance has one).
func (s *Service) Verify(ctx context.Context, id string) error {
	r, err := s.PublishedByID(ctx, id)
	if err != nil {
		return err
	}
	return VerifyRelease(r.Release, "")
}

// VerifyRelease checks a release row offline; trusted, when set, is the
// hex public key the signature must be made with.
func VerifyRelease(r store.Release, trusted string) error {
	sum := sha256.Sum256([]byte(r.Content))
	if hex.EncodeToString(sum[:]) != r.Digest {
		return errs.E(errs.Invalid, "release %s: content does not match its digest", r.ID)
	}
	if trusted != "" && trusted != r.PublicKey {
		return errs.E(errs.Invalid, "release %s: signed with another key", r.ID)
	}
	pub, err := hex.DecodeString(r.PublicKey)
	sig, err2 := hex.DecodeString(r.Signature)
	if err != nil || err2 != nil || len(pub) != ed25519.PublicKeySize || !ed25519.Verify(pub, signedMessage(r.ID, r.Digest), sig) {
		return errs.E(errs.Invalid, "release %s: the signature does not verify", r.ID)
	}
	return nil
}

// ReleaseCSV writes a release's tables as one CSV: a row per published
// entry with the table's number, its dimensions and values, and the count
// or "x" for a withheld entry.
func ReleaseCSV(c ReleaseContent) ([]byte, error) {
	var b strings.Builder
	w := csv.NewWriter(&b)
	_ = w.Write([]string{"table", "dimensions", "row", "column", "count", "withheld"})
	for i, t := range c.Tables {
		dims := strings.Join(t.Dimensions, "×")
		put := func(row, col string, cell Cell) {
			count, withheld := "", cell.Suppressed
			if v, ok := cell.Value(); ok {
				count = strconv.FormatInt(v, 10)
			}
			_ = w.Write([]string{strconv.Itoa(i + 1), dims, csvSafe(row), csvSafe(col), count, withheld})
		}
		for _, r := range t.Rows {
			label := strings.Join(r.Labels, "|")
			for j, cell := range r.Cells {
				put(label, t.Columns[j], cell)
			}
			put(label, "total", r.Total)
		}
		for j, cell := range t.ColumnTotals {
			put("total", t.Columns[j], cell)
		}
		put("total", "total", t.Total)
	}
	w.Flush()
	return []byte(b.String()), w.Error()
}

// csvSafe keeps a code from being read as a formula by a spreadsheet.
func csvSafe(v string) string {
	if v != "" && strings.ContainsRune("=+-@\t\r", rune(v[0])) {
		return "'" + v
	}
	return v
}

// releaseCells counts every table of a release in one pass over the
// cases in scope: the tables share the release's period and jurisdiction,
// so streaming the coded facts once and counting each table's cells from
// them reads the cases once instead of once per table, from one snapshot.
// The rows are those StatCells gives for each table (TestReleaseCellsMatchStatCells).
func releaseCells(ctx context.Context, tx *store.Tx, qs []Query, jurisdictionID string) ([][]store.StatRow, error) {
	if len(qs) == 0 {
		return nil, nil
	}
	col := map[string]int{}
	for i, d := range store.StatFactDims {
		col[d] = i
	}
	withSector := false
	for _, q := range qs {
		withSector = withSector || slices.Contains(q.Dims, "sector")
	}
	type acc struct {
		values     []string
		count, key int64
	}
	cells := make([]map[string]*acc, len(qs))
	order := make([][]*acc, len(qs)) // first-seen order, so the output does not depend on map order
	for i := range cells {
		cells[i] = map[string]*acc{}
	}
	var buf []byte
	var year, quarter []byte
	err := tx.StatFacts(ctx, store.StatQuery{From: qs[0].From, To: qs[0].To, JurisdictionID: jurisdictionID}, withSector, func(f *store.StatFact) error {
		year, quarter = year[:0], quarter[:0]
		value := func(d string) []byte {
			switch d {
			case "year", "quarter":
				if len(year) == 0 {
					t := store.FromMillis(f.CreatedAt).UTC()
					year = strconv.AppendInt(year, int64(t.Year()), 10)
					quarter = append(append(append(quarter, year...), "-Q"...), byte('0'+(int(t.Month())+2)/3))
				}
				if d == "year" {
					return year
				}
				return quarter
			}
			return f.Values[col[d]]
		}
		for i, q := range qs {
			buf = buf[:0]
			for _, d := range q.Dims {
				buf = append(append(buf, value(d)...), 0)
			}
			a := cells[i][string(buf)]
			if a == nil {
				a = &acc{values: make([]string, len(q.Dims))}
				for j, d := range q.Dims {
					a.values[j] = string(value(d))
				}
				cells[i][string(buf)] = a
				order[i] = append(order[i], a)
			}
			a.count++
			a.key += f.Key
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	out := make([][]store.StatRow, len(qs))
	for i := range qs {
		for _, a := range order[i] {
			out[i] = append(out[i], store.StatRow{Values: a.values, Count: a.count, KeySum: a.key})
		}
	}
	return out, nil
}
