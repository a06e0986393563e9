package i18n

import (
	"math"
	"strconv"
	"strings"
	"time"
)

// numbers describes a CLDR default numbering system and decimal pattern.
type numbers struct {
	zero    rune   // the digit zero of the numbering system; digits are contiguous
	group   string // grouping separator
	decimal string // decimal separator
	indian  bool   // #,##,##0 (groups of two above the first three digits)
}

// dates describes the CLDR long date pattern and the 24-hour date-time
// combination of a language.
type dates struct {
	date func(year int, month time.Month, day int) string
	glue string // between the date and the time in DateTime
}

// formats bundles the number and date conventions of one language.
type formats struct {
	num  numbers
	date dates
}

var latnThousands = numbers{zero: '0', group: ",", decimal: "."}

var (
	monthsEN = [12]string{"January", "February", "March", "April", "May", "June",
		"July", "August", "September", "October", "November", "December"}
	monthsTH = [12]string{"มกราคม", "กุมภาพันธ์", "มีนาคม", "เมษายน", "พฤษภาคม", "มิถุนายน",
		"กรกฎาคม", "สิงหาคม", "กันยายน", "ตุลาคม", "พฤศจิกายน", "ธันวาคม"}
	monthsNE = [12]string{"जनवरी", "फेब्रुअरी", "मार्च", "अप्रिल", "मे", "जुन",
		"जुलाई", "अगस्ट", "सेप्टेम्बर", "अक्टोबर", "नोभेम्बर", "डिसेम्बर"}
)

// localeFormats holds the formatting conventions per language, taken from
// CLDR (numbers: default numbering system and standard decimal pattern;
// dates: the long date pattern, the HH:mm time pattern and the long
// date-time combination).
var localeFormats = map[string]*formats{
	// en-001: d MMMM y; "{1}, {0}".
	"en": {num: latnThousands, date: dates{glue: ", ", date: func(y int, m time.Month, d int) string {
		return itoa(d) + " " + monthsEN[m-1] + " " + itoa(y)
	}}},
	// ko: y년 MMMM d일 (MMMM is "11월"); "{1} {0}".
	"ko": {num: latnThousands, date: dates{glue: " ", date: func(y int, m time.Month, d int) string {
		return itoa(y) + "년 " + itoa(int(m)) + "월 " + itoa(d) + "일"
	}}},
	// th, Buddhist calendar: d MMMM y; "{1} เวลา {0}".
	"th": {num: latnThousands, date: dates{glue: " เวลา ", date: func(y int, m time.Month, d int) string {
		return itoa(d) + " " + monthsTH[m-1] + " " + itoa(y+543)
	}}},
	// mn: y 'оны' M 'сарын' d; "{1} {0}".
	"mn": {num: latnThousands, date: dates{glue: " ", date: func(y int, m time.Month, d int) string {
		return itoa(y) + " оны " + itoa(int(m)) + " сарын " + itoa(d)
	}}},
	// ne: deva digits, #,##,##0.###; y MMMM d; "{1} {0}".
	"ne": {num: numbers{zero: '०', group: ",", decimal: ".", indian: true}, date: dates{glue: " ", date: func(y int, m time.Month, d int) string {
		return itoa(y) + " " + monthsNE[m-1] + " " + itoa(d)
	}}},
}

func itoa(n int) string { return strconv.Itoa(n) }

// digits replaces the ASCII digits in s with those of the numbering system.
func (n numbers) digits(s string) string {
	if n.zero == '0' {
		return s
	}
	return strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return n.zero + (r - '0')
		}
		return r
	}, s)
}

// groupDigits inserts grouping separators into a string of ASCII digits.
func (n numbers) groupDigits(s string) string {
	if len(s) <= 3 {
		return s
	}
	head, tail := s[:len(s)-3], s[len(s)-3:]
	size := 3
	if n.indian {
		size = 2
	}
	var parts []string
	for len(head) > size {
		parts = append(parts, head[len(head)-size:])
		head = head[:len(head)-size]
	}
	parts = append(parts, head)
	var b strings.Builder
	for i := len(parts) - 1; i >= 0; i-- {
		b.WriteString(parts[i])
		b.WriteString(n.group)
	}
	b.WriteString(tail)
	return b.String()
}

func (n numbers) formatInt(v int64) string {
	neg := v < 0
	u := uint64(v)
	if neg {
		u = -u
	}
	s := n.digits(n.groupDigits(strconv.FormatUint(u, 10)))
	if neg {
		return "-" + s
	}
	return s
}

func (n numbers) formatFloat(f float64, frac int) string {
	switch {
	case math.IsNaN(f):
		return "NaN"
	case math.IsInf(f, 1):
		return "∞"
	case math.IsInf(f, -1):
		return "-∞"
	}
	if frac < 0 {
		frac = 0
	}
	s := strconv.FormatFloat(f, 'f', frac, 64)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	intPart, fracPart, _ := strings.Cut(s, ".")
	out := n.groupDigits(intPart)
	if fracPart != "" {
		out += n.decimal + fracPart
	}
	// Do not show "-0.00" for a value that rounds to zero.
	if neg && strings.Trim(s, "0.") != "" {
		out = "-" + out
	}
	return n.digits(out)
}
