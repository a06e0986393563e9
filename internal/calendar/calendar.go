package calendar

import (
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/haven-nrm/haven/internal/casework"
)

//go:embed samples/*.json
var samples embed.FS

// Holidays is a list of public holidays for the years it covers, with
// what is known about it.
type Holidays struct {
	Years    []int              `json:"years"`
	Holidays []casework.Holiday `json:"holidays"`
	// Verified: a responsible person checked the list against the
	// official gazette. Samples never are.
	Verified bool   `json:"verified"`
	Source   string `json:"source"`
	Note     string `json:"note"`
}

// Sample returns the sample holidays Haven ships for a country (ISO 3166
// code): 2026 and 2027 for NP, KR, TH and MN, marked unverified. ok is
// false for a country without a sample.
func Sample(country string) (Holidays, bool) {
	data, err := samples.ReadFile("samples/" + strings.ToUpper(country) + ".json")
	if err != nil {
		return Holidays{}, false
	}
	var h Holidays
	if err := json.Unmarshal(data, &h); err != nil {
		return Holidays{}, false
	}
	return h, true
}

// Countries lists the countries with a sample.
func Countries() []string {
	es, _ := samples.ReadDir("samples")
	var out []string
	for _, e := range es {
		out = append(out, strings.TrimSuffix(e.Name(), ".json"))
	}
	return out
}

// YearsOf lists the years holidays fall in, in order.
func YearsOf(hs []casework.Holiday) []int {
	var ys []int
	for _, h := range hs {
		var y int
		if _, err := fmt.Sscanf(h.Date, "%4d", &y); err == nil && !slices.Contains(ys, y) {
			ys = append(ys, y)
		}
	}
	slices.Sort(ys)
	return ys
}

// Merge puts the holidays of imported years in place of those years in
// cur: a file that covers 2027 replaces what was known of 2027 and leaves
// 2026 as it was. The result covers the years of both.
func Merge(cur Holidays, imported []casework.Holiday, years []int) Holidays {
	out := Holidays{Verified: false, Source: cur.Source, Note: cur.Note}
	for _, h := range cur.Holidays {
		if !slices.Contains(years, yearOf(h.Date)) {
			out.Holidays = append(out.Holidays, h)
		}
	}
	out.Holidays = append(out.Holidays, imported...)
	slices.SortFunc(out.Holidays, func(a, b casework.Holiday) int { return strings.Compare(a.Date, b.Date) })
	out.Years = slices.Clone(cur.Years)
	for _, y := range years {
		if !slices.Contains(out.Years, y) {
			out.Years = append(out.Years, y)
		}
	}
	slices.Sort(out.Years)
	return out
}

func yearOf(date string) int {
	var y int
	fmt.Sscanf(date, "%4d", &y)
	return y
}

// Apply returns base (a country's working-day calendar: its zone and
// weekly rest days) with the holidays h in place of its own, checked as
// casework.NewCalendar checks any calendar. zone, when not empty, is the
// jurisdiction's time zone, in which its days begin and end.
func Apply(base casework.Calendar, zone string, h Holidays) (casework.Calendar, error) {
	if zone == "" {
		zone = base.Zone()
	}
	note := h.Note
	if h.Source != "" {
		note = h.Source + ". " + note
	}
	return casework.NewCalendar(zone, base.Weekend(), h.Years, h.Holidays, h.Verified, note)
}

// Refusals of an edit by hand (Add, Remove).
var (
	ErrDate      = errors.New("calendar: not a date YYYY-MM-DD between 1970 and 9999")
	ErrName      = errors.New("calendar: a holiday needs a name of at most 200 bytes, without control characters")
	ErrNoHoliday = errors.New("calendar: no holiday on that date")
)

// Add returns cur with the holiday h: one already on that date takes the
// new name, and h's year joins the years covered (as an import of that
// year would). An edit by hand is unverified until checked against the
// official gazette, like an import.
func Add(cur Holidays, h casework.Holiday) (Holidays, error) {
	t, err := time.Parse(time.DateOnly, strings.TrimSpace(h.Date))
	if err != nil || t.Year() < 1970 || t.Year() > 9999 {
		return Holidays{}, ErrDate
	}
	h.Date, h.Name = t.Format(time.DateOnly), strings.TrimSpace(h.Name)
	if h.Name == "" || len(h.Name) > 200 || strings.ContainsFunc(h.Name, isControl) {
		return Holidays{}, ErrName
	}
	out := clone(cur)
	out.Holidays = slices.DeleteFunc(out.Holidays, func(x casework.Holiday) bool { return x.Date == h.Date })
	out.Holidays = append(out.Holidays, h)
	slices.SortFunc(out.Holidays, func(a, b casework.Holiday) int { return strings.Compare(a.Date, b.Date) })
	if !slices.Contains(out.Years, t.Year()) {
		out.Years = append(out.Years, t.Year())
		slices.Sort(out.Years)
	}
	return out, nil
}

// Remove returns cur without the holiday on date; the years covered stay
// (a year may have no public holiday left and still be complete).
func Remove(cur Holidays, date string) (Holidays, error) {
	date = strings.TrimSpace(date)
	if !slices.ContainsFunc(cur.Holidays, func(x casework.Holiday) bool { return x.Date == date }) {
		return Holidays{}, ErrNoHoliday
	}
	out := clone(cur)
	out.Holidays = slices.DeleteFunc(out.Holidays, func(x casework.Holiday) bool { return x.Date == date })
	return out, nil
}

func clone(h Holidays) Holidays {
	return Holidays{Years: slices.Clone(h.Years), Holidays: slices.Clone(h.Holidays), Verified: false, Source: h.Source, Note: h.Note}
}
