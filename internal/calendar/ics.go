// Package calendar holds calendars of public holidays as data: reading
// them from iCalendar files (RFC 5545), the format in which governments
// and calendar services publish holidays, and the sample holidays Haven
// ships. It is pure: no I/O beyond the reader it is given. Counting
// working days stays in casework (casework.Calendar, AddWorkingDays): this
// package only builds the calendars it counts with.
package calendar

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/haven-nrm/haven/internal/casework"
)

// Limits of an imported file.
const (
	MaxICSBytes   = 1 << 20
	maxEventDays  = 31
	maxHolidays   = 2000
	maxNameLength = 200
)

// ParseICS reads the all-day events of an iCalendar file as holidays: each
// VEVENT's DTSTART (a DATE), DTEND (exclusive, RFC 5545 §3.6.1; one day when
// absent) and SUMMARY (the name). Lines are unfolded (§3.1) and text values
// unescaped (§3.3.11). Events with a time of day (DATE-TIME) are not
// holidays and are refused, as are recurring events (RRULE), which a
// published holiday list does not use: a file Haven cannot read exactly is
// refused whole rather than read in part. A date listed twice keeps its
// first name. The result is sorted by date.
func ParseICS(r io.Reader) ([]casework.Holiday, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxICSBytes+1))
	if err != nil {
		return nil, err
	}
	if len(data) > MaxICSBytes {
		return nil, fmt.Errorf("ics: larger than %d bytes", MaxICSBytes)
	}
	if !utf8.Valid(data) {
		return nil, errors.New("ics: not UTF-8")
	}
	lines := unfold(string(data))
	if len(lines) == 0 || !strings.EqualFold(lines[0], "BEGIN:VCALENDAR") {
		return nil, errors.New("ics: not an iCalendar file (no BEGIN:VCALENDAR)")
	}
	var out []casework.Holiday
	seen := map[string]bool{}
	var ev *event
	depth := 0 // nesting inside the VEVENT (VALARM and the like)
	for n, line := range lines {
		name, params, value, ok := contentLine(line)
		if !ok {
			return nil, fmt.Errorf("ics: line %d is not a content line", n+1)
		}
		switch {
		case name == "BEGIN" && strings.EqualFold(value, "VEVENT") && ev == nil:
			ev = &event{}
			continue
		case name == "BEGIN" && ev != nil:
			depth++
			continue
		case name == "END" && ev != nil && depth > 0:
			depth--
			continue
		case name == "END" && strings.EqualFold(value, "VEVENT") && ev != nil:
			days, err := ev.days()
			if err != nil {
				return nil, fmt.Errorf("ics: event ending on line %d: %w", n+1, err)
			}
			for _, d := range days {
				if !seen[d] {
					seen[d] = true
					out = append(out, casework.Holiday{Date: d, Name: ev.summary})
				}
			}
			if len(out) > maxHolidays {
				return nil, fmt.Errorf("ics: more than %d holidays", maxHolidays)
			}
			ev = nil
			continue
		}
		if ev == nil || depth > 0 {
			continue
		}
		switch name {
		case "DTSTART":
			ev.start, ev.startDate = value, isDate(params, value)
		case "DTEND":
			ev.end, ev.endDate = value, isDate(params, value)
		case "DURATION":
			ev.duration = value
		case "SUMMARY":
			ev.summary = unescape(value)
		case "RRULE", "RDATE":
			ev.recurs = true
		}
	}
	if ev != nil {
		return nil, errors.New("ics: an event is not closed (no END:VEVENT)")
	}
	slices.SortFunc(out, func(a, b casework.Holiday) int { return strings.Compare(a.Date, b.Date) })
	return out, nil
}

type event struct {
	start, end, duration, summary string
	startDate, endDate, recurs    bool
}

// days lists the dates an all-day event covers.
func (e *event) days() ([]string, error) {
	if e.recurs {
		return nil, errors.New("recurring events (RRULE, RDATE) are not read: list each holiday")
	}
	if e.start == "" {
		return nil, errors.New("no DTSTART")
	}
	if !e.startDate {
		return nil, errors.New("DTSTART has a time of day: a holiday is an all-day event (VALUE=DATE)")
	}
	name := strings.TrimSpace(e.summary)
	if name == "" || utf8.RuneCountInString(name) > maxNameLength || strings.ContainsFunc(name, isControl) {
		return nil, fmt.Errorf("SUMMARY must be a name of 1 to %d characters", maxNameLength)
	}
	e.summary = name
	from, err := time.Parse("20060102", e.start)
	if err != nil {
		return nil, fmt.Errorf("DTSTART %q is not a date", e.start)
	}
	to := from.AddDate(0, 0, 1)
	switch {
	case e.end != "":
		if !e.endDate {
			return nil, errors.New("DTEND has a time of day: a holiday is an all-day event (VALUE=DATE)")
		}
		if to, err = time.Parse("20060102", e.end); err != nil {
			return nil, fmt.Errorf("DTEND %q is not a date", e.end)
		}
	case e.duration != "":
		var n int
		if _, err := fmt.Sscanf(e.duration, "P%dD", &n); err != nil || fmt.Sprintf("P%dD", n) != e.duration {
			return nil, fmt.Errorf("DURATION %q: only whole days (PnD) are read", e.duration)
		}
		to = from.AddDate(0, 0, n)
	}
	if !to.After(from) || to.Sub(from) > maxEventDays*24*time.Hour {
		return nil, fmt.Errorf("the event must last 1 to %d days", maxEventDays)
	}
	var out []string
	for d := from; d.Before(to); d = d.AddDate(0, 0, 1) {
		out = append(out, d.Format(time.DateOnly))
	}
	return out, nil
}

func isControl(r rune) bool { return r < 0x20 || r == 0x7f }

// isDate reports whether a DTSTART or DTEND value is a DATE: VALUE=DATE,
// or eight digits with no time part.
func isDate(params map[string]string, value string) bool {
	if v, ok := params["VALUE"]; ok {
		return strings.EqualFold(v, "DATE") && len(value) == 8
	}
	return len(value) == 8 && !strings.Contains(value, "T")
}

// unfold joins folded lines (a CRLF or LF followed by a space or a tab
// continues the line) and drops empty lines.
func unfold(s string) []string {
	var out []string
	sc := bufio.NewScanner(strings.NewReader(s))
	sc.Buffer(make([]byte, 64<<10), MaxICSBytes)
	for sc.Scan() {
		l := strings.TrimSuffix(sc.Text(), "\r")
		if (strings.HasPrefix(l, " ") || strings.HasPrefix(l, "\t")) && len(out) > 0 {
			out[len(out)-1] += l[1:]
			continue
		}
		if l != "" {
			out = append(out, l)
		}
	}
	return out
}

// contentLine splits "NAME;PARAM=V;…:VALUE" (§3.1). Parameter values may
// be quoted and then hold ':' and ';'.
func contentLine(l string) (name string, params map[string]string, value string, ok bool) {
	i, quoted := 0, false
	for ; i < len(l); i++ {
		c := l[i]
		if c == '"' {
			quoted = !quoted
		}
		if c == ':' && !quoted {
			break
		}
	}
	if i == len(l) || i == 0 {
		return "", nil, "", false
	}
	head, value := l[:i], l[i+1:]
	parts := strings.Split(head, ";")
	name = strings.ToUpper(parts[0])
	params = map[string]string{}
	for _, p := range parts[1:] {
		k, v, _ := strings.Cut(p, "=")
		params[strings.ToUpper(k)] = strings.Trim(v, `"`)
	}
	return name, params, value, true
}

// unescape undoes TEXT escaping: \\ \; \, \n \N.
func unescape(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) {
			i++
			switch s[i] {
			case 'n', 'N':
				b.WriteByte(' ')
			default:
				b.WriteByte(s[i])
			}
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}
