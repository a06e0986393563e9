package stats

import (
	"context"
	"encoding/csv"
	"io"
	"strconv"

	"github.com/haven-nrm/haven/internal/access"
	"github.com/haven-nrm/haven/internal/audit"
	"github.com/haven-nrm/haven/internal/disclosure"
	"github.com/haven-nrm/haven/internal/errs"
	"github.com/haven-nrm/haven/internal/store"
)

// CTDCColumns are the columns of the export, named as in CTDC's
// global synthetic data set; the first six are its quasi-identifiers.
var CTDCColumns = []string{"yearOfRegistration", "gender", "ageBroad", "citizenship", "CountryOfExploitation", "typeOfExploitation",
	"traffickingStatus", "decisionState", "rgOutcome", "cgOutcome"}

// regions generalises a country code to a world region (UN M49 regions,
// for the countries Haven's jurisdictions and their caseloads name; any
// other code is "other").
var regions = map[string]string{
	"NP": "southern_asia", "IN": "southern_asia", "BD": "southern_asia", "PK": "southern_asia", "LK": "southern_asia", "AF": "southern_asia",
	"MN": "eastern_asia", "CN": "eastern_asia", "KR": "eastern_asia", "KP": "eastern_asia", "JP": "eastern_asia",
	"TH": "south_eastern_asia", "MM": "south_eastern_asia", "LA": "south_eastern_asia", "KH": "south_eastern_asia", "VN": "south_eastern_asia",
	"PH": "south_eastern_asia", "ID": "south_eastern_asia", "MY": "south_eastern_asia",
	"UZ": "central_asia", "KZ": "central_asia", "KG": "central_asia", "TJ": "central_asia", "TM": "central_asia",
	"RU": "eastern_europe", "UA": "eastern_europe",
}

func region(v string) string {
	if r, ok := regions[v]; ok {
		return r
	}
	return "other"
}

// broadExploitation groups forms of exploitation as CTDC's broad
// categories do.
func broadExploitation(v string) string {
	switch v {
	case "SexualExploitation":
		return "sexual"
	case "ForcedLabour", "ChildLabour", "Servitude", "ForcedBegging", "Slavery":
		return "labour"
	}
	return "other"
}

// broadAge is the CTDC's coarsest age split.
func broadAge(v string) string {
	switch v {
	case "0-8", "9-17":
		return "0-17"
	case "":
		return ""
	}
	return "18+"
}

// ctdcHierarchies are the generalisation steps of each quasi-identifier.
var ctdcHierarchies = []disclosure.Hierarchy{
	{Name: "yearOfRegistration", Levels: []func(string) string{disclosure.AsRecorded, disclosure.Withhold}, Weight: 3},
	{Name: "gender", Levels: []func(string) string{disclosure.AsRecorded, disclosure.Withhold}, Weight: 3},
	{Name: "ageBroad", Levels: []func(string) string{disclosure.AsRecorded, broadAge, disclosure.Withhold}, Weight: 2},
	{Name: "citizenship", Levels: []func(string) string{disclosure.AsRecorded, region, disclosure.Withhold}, Weight: 2},
	{Name: "CountryOfExploitation", Levels: []func(string) string{disclosure.AsRecorded, region, disclosure.Withhold}, Weight: 2},
	{Name: "typeOfExploitation", Levels: []func(string) string{disclosure.AsRecorded, broadExploitation, disclosure.Withhold}, Weight: 3},
}

// CTDCMaxWithheld is the share of records the export may withhold rather
// than generalise everyone further.
const CTDCMaxWithheld = 0.05

// CTDCReport says what the export did: the threshold, how far each
// quasi-identifier was generalised (0 = as recorded; the last level is
// "*", withheld), and how many records were written and withheld.
type CTDCReport struct {
	K        int            `json:"k"`
	Levels   map[string]int `json:"levels"`
	Records  int            `json:"records"`
	Withheld int            `json:"withheld"`
}

// ExportCTDC writes the CTDC-compatible record export as CSV: one row per
// identified person, the quasi-identifiers generalised until every
// combination occurs at least k times (the instance's k, at least CTDC's
// 11), and the few records still in smaller combinations withheld. It
// reads the coded records once, holding each as ten small integers (every
// distinct code is stored once), counts the combinations, plans the
// generalisation on them and then writes the rows, so it costs about one
// raw dump of the same columns. The export is audited.
func (s *Service) ExportCTDC(ctx context.Context, p access.Principal, w io.Writer) (CTDCReport, error) {
	if !access.Allowed(access.ExportCTDC, p, access.Resource{}) {
		return CTDCReport{}, errs.E(errs.Forbidden, "statistics: the CTDC export is not allowed")
	}
	pol, err := s.policy(ctx, "")
	if err != nil {
		return CTDCReport{}, err
	}
	k := max(pol.K, disclosure.DefaultK)
	const width = 10
	var codes []string
	ids := map[string]int32{}
	intern := func(v string) int32 {
		id, ok := ids[v]
		if !ok {
			id = int32(len(codes))
			ids[v] = id
			codes = append(codes, v)
		}
		return id
	}
	var recs []int32
	counts := map[[6]int32]int{}
	years := map[int]string{}
	err = s.db.EachCTDCRecord(ctx, func(r store.CTDCRecord) error {
		y := store.FromMillis(r.CreatedAt).Year()
		ys, ok := years[y]
		if !ok {
			ys = strconv.Itoa(y)
			years[y] = ys
		}
		rec := [width]int32{intern(ys), intern(r.Gender), intern(r.AgeBand), intern(r.Citizenship), intern(r.Country), intern(r.Exploitation),
			intern(r.TraffickingStatus), intern(r.DecisionState), intern(r.RGOutcome), intern(r.CGOutcome)}
		recs = append(recs, rec[:]...)
		counts[[6]int32(rec[:6])]++
		return nil
	})
	if err != nil {
		return CTDCReport{}, err
	}
	classes := make([]disclosure.Class, 0, len(counts))
	keys := make([][6]int32, 0, len(counts))
	for key, n := range counts {
		vs := make([]string, 6)
		for q := range vs {
			vs[q] = codes[key[q]]
		}
		classes = append(classes, disclosure.Class{Values: vs, Count: n})
		keys = append(keys, key)
	}
	levels, sizes := disclosure.Plan(classes, ctdcHierarchies, k, CTDCMaxWithheld)
	rep := CTDCReport{K: k, Levels: map[string]int{}}
	for q, h := range ctdcHierarchies {
		rep.Levels[h.Name] = levels[q]
	}
	// What each recorded combination becomes: its generalised values, or
	// nil when its generalised class stays below k.
	out := make(map[[6]int32][]string, len(classes))
	for i, c := range classes {
		if sizes[disclosure.Key(ctdcHierarchies, levels, c.Values)] < k {
			out[keys[i]] = nil
			continue
		}
		g := disclosure.Generalise(ctdcHierarchies, levels, c.Values)
		for q := range g {
			g[q] = csvSafe(g[q])
		}
		out[keys[i]] = g
	}
	cw := csv.NewWriter(w)
	if err := cw.Write(CTDCColumns); err != nil {
		return rep, err
	}
	row := make([]string, width)
	for off := 0; off < len(recs); off += width {
		g := out[[6]int32(recs[off:off+6])]
		if g == nil {
			rep.Withheld++
			continue
		}
		copy(row, g)
		for q := 6; q < width; q++ {
			row[q] = csvSafe(codes[recs[off+q]])
		}
		if err := cw.Write(row); err != nil {
			return rep, err
		}
		rep.Records++
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return rep, err
	}
	return rep, s.db.RecordViews(ctx, audit.Event{Actor: p.UserID, Action: "statistics.export_ctdc", Agency: p.AgencyID,
		Details: map[string]string{"records": strconv.Itoa(rep.Records), "withheld": strconv.Itoa(rep.Withheld), "k": strconv.Itoa(k)}})
}
