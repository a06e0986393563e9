package casework

import (
	"fmt"
	"slices"
	"strings"
	"time"
	_ "time/tzdata" // zone names resolve on systems without a time-zone database
)

// Holiday is a public holiday: a date in the calendar's own zone.
type Holiday struct {
	Date string `json:"date"` // YYYY-MM-DD
	Name string `json:"name"`
}

// Calendar is a country's working-day calendar: its time zone, its weekly
// rest days and its public holidays for the years it covers. Build one with
// NewCalendar or ParseCountry. The zero Calendar counts every day as a
// working day in UTC.
type Calendar struct {
	zone    string
	loc     *time.Location
	weekend [7]bool
	// holidays is every holiday, sorted; workHolidays is the sorted day
	// numbers of the holidays that fall on a weekday that is otherwise
	// worked, the only ones that change a count.
	holidays     []Holiday
	holidayDays  map[int64]bool
	workHolidays []int64
	years        []int
	verified     bool
	note         string
}

// NewCalendar builds a calendar. zone is an IANA time-zone name; weekend
// must leave at least one working day in the week; every holiday must fall
// in one of years, the years the holiday list is complete for; verified
// says whether a responsible person has checked the list against the
// official one.
func NewCalendar(zone string, weekend []time.Weekday, years []int, holidays []Holiday, verified bool, note string) (Calendar, error) {
	if zone == "" {
		return Calendar{}, fmt.Errorf("time_zone is empty")
	}
	loc, err := time.LoadLocation(zone)
	if err != nil {
		return Calendar{}, fmt.Errorf("time_zone %q is not a known IANA time zone", zone)
	}
	c := Calendar{zone: zone, loc: loc, verified: verified, note: note, holidayDays: map[int64]bool{}}
	for _, d := range weekend {
		if d < time.Sunday || d > time.Saturday {
			return Calendar{}, fmt.Errorf("weekend: %d is not a day of the week", d)
		}
		if c.weekend[d] {
			return Calendar{}, fmt.Errorf("weekend: %s listed twice", strings.ToLower(d.String()))
		}
		c.weekend[d] = true
	}
	if len(weekend) >= 7 {
		return Calendar{}, fmt.Errorf("weekend: at least one day of the week must be a working day")
	}
	for i, y := range years {
		if y < 1970 || y > 9999 {
			return Calendar{}, fmt.Errorf("years: %d is out of range", y)
		}
		if i > 0 && y <= years[i-1] {
			return Calendar{}, fmt.Errorf("years: must be in increasing order without repeats")
		}
	}
	c.years = slices.Clone(years)
	for _, h := range holidays {
		t, err := time.Parse(time.DateOnly, h.Date)
		if err != nil || t.Format(time.DateOnly) != h.Date {
			return Calendar{}, fmt.Errorf("holidays: %q is not a date YYYY-MM-DD", h.Date)
		}
		if !slices.Contains(years, t.Year()) {
			return Calendar{}, fmt.Errorf("holidays: %s is outside the years covered %v", h.Date, years)
		}
		if strings.TrimSpace(h.Name) == "" || len(h.Name) > 200 {
			return Calendar{}, fmt.Errorf("holidays: %s needs a name of at most 200 bytes", h.Date)
		}
		day := civilDay(t.Date())
		if c.holidayDays[day] {
			return Calendar{}, fmt.Errorf("holidays: %s listed twice", h.Date)
		}
		c.holidayDays[day] = true
		c.holidays = append(c.holidays, h)
		if !c.weekend[weekdayOf(day)] {
			c.workHolidays = append(c.workHolidays, day)
		}
	}
	slices.SortFunc(c.holidays, func(a, b Holiday) int { return strings.Compare(a.Date, b.Date) })
	slices.Sort(c.workHolidays)
	return c, nil
}

// Zone is the IANA name of the calendar's time zone ("UTC" for the zero
// Calendar).
func (c Calendar) Zone() string {
	if c.loc == nil {
		return "UTC"
	}
	return c.zone
}

// Location is the calendar's time zone.
func (c Calendar) Location() *time.Location {
	if c.loc == nil {
		return time.UTC
	}
	return c.loc
}

// Weekend lists the weekly rest days, Sunday first.
func (c Calendar) Weekend() []time.Weekday {
	var out []time.Weekday
	for d := time.Sunday; d <= time.Saturday; d++ {
		if c.weekend[d] {
			out = append(out, d)
		}
	}
	return out
}

// Holidays lists the public holidays in date order.
func (c Calendar) Holidays() []Holiday { return slices.Clone(c.holidays) }

// Years lists the years whose holidays the calendar holds.
func (c Calendar) Years() []int { return slices.Clone(c.years) }

// Verified reports whether the holiday list has been checked against the
// official calendar; Note says what is known about it.
func (c Calendar) Verified() bool { return c.verified }

// Note is what the configuration says about the holiday list.
func (c Calendar) Note() string { return c.note }

// Covers reports whether the calendar holds the holidays of the year that t
// falls in, in the calendar's zone. A count that runs through a year not
// covered ignores that year's holidays; show a warning then.
func (c Calendar) Covers(t time.Time) bool {
	return slices.Contains(c.years, t.In(c.Location()).Year())
}

// EndOfDay is the last millisecond of the day that t falls on in the
// calendar's zone: deadlines and period ends fall there, and survive a
// round trip through storage at millisecond precision.
func (c Calendar) EndOfDay(t time.Time) time.Time {
	return c.endOf(c.dayOf(t))
}

func (c Calendar) dayOf(t time.Time) int64 {
	return civilDay(t.In(c.Location()).Date())
}

func (c Calendar) endOf(day int64) time.Time {
	y, m, d := time.Unix(day*86400, 0).UTC().Date()
	return time.Date(y, m, d+1, 0, 0, 0, 0, c.Location()).Add(-time.Millisecond)
}

func (c Calendar) working(day int64) bool {
	return !c.weekend[weekdayOf(day)] && !c.holidayDays[day]
}

// civilDay numbers a calendar date: days since 1970-01-01.
func civilDay(y int, m time.Month, d int) int64 {
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix() / 86400
}

// weekdayOf is the day of the week of a day number (day 0 was a Thursday).
func weekdayOf(day int64) time.Weekday {
	return time.Weekday(((day+4)%7 + 7) % 7)
}

// IsWorkingDay reports whether t falls on a working day in the calendar's
// zone: not a weekly rest day and not a public holiday.
func IsWorkingDay(t time.Time, cal Calendar) bool {
	return cal.working(cal.dayOf(t))
}

// AddWorkingDays returns the deadline n working days after start: the end
// (last millisecond) of the nth working day after the day start falls on,
// in the calendar's zone. The day of start never counts, whatever the hour
// and whether or not it is a working day, so a referral on a Friday evening
// has Monday as its first working day. n = 0 gives the end of start's own
// day; a negative n counts back to the end of the |n|th working day before
// it.
func AddWorkingDays(start time.Time, n int, cal Calendar) time.Time {
	day := cal.dayOf(start)
	step := int64(1)
	if n < 0 {
		step, n = -1, -n
	}
	for n > 0 {
		day += step
		if cal.working(day) {
			n--
		}
	}
	return cal.endOf(day)
}

// WorkingDaysBetween counts the working days after the day from falls on,
// up to and including the day to falls on, in the calendar's zone; it is
// negative when to falls on an earlier day. It is the inverse of
// AddWorkingDays: WorkingDaysBetween(s, AddWorkingDays(s, n, cal), cal) == n.
func WorkingDaysBetween(from, to time.Time, cal Calendar) int {
	a, b := cal.dayOf(from), cal.dayOf(to)
	if b >= a {
		return cal.countWorking(a+1, b+1)
	}
	return -cal.countWorking(b, a)
}

// countWorking counts the working days in [lo, hi).
func (c Calendar) countWorking(lo, hi int64) int {
	if hi <= lo {
		return 0
	}
	perWeek := 0
	for _, rest := range c.weekend {
		if !rest {
			perWeek++
		}
	}
	span := hi - lo
	n := int(span/7) * perWeek
	for d := lo + span/7*7; d < hi; d++ {
		if !c.weekend[weekdayOf(d)] {
			n++
		}
	}
	i, _ := slices.BinarySearch(c.workHolidays, lo)
	j, _ := slices.BinarySearch(c.workHolidays, hi)
	return n - (j - i)
}
