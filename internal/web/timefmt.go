package web

import "time"

// Layouts the board page writes its times in.
const (
	layoutDatetime = time.RFC3339            // a <time> element's datetime
	layoutShown    = "2 Jan 2006, 15:04 UTC" // what a reader sees
)

// appendUTC appends t, which must be in UTC, in layout, as
// t.AppendFormat(b, layout) does, for the board page's two layouts and
// years 0 to 9999; ok is false for anything else. A page shows two times
// per message, and AppendFormat, which reads its layout anew each time,
// would cost more than the rest of the page.
func appendUTC(b []byte, t time.Time, layout string) (_ []byte, ok bool) {
	year, month, day, hour, minute, sec := civil(t.Unix())
	if year < 0 || year > 9999 {
		return b, false
	}
	switch layout {
	case layoutDatetime:
		b = append4(b, year)
		b = append(b, '-')
		b = append2(b, int(month))
		b = append(b, '-')
		b = append2(b, day)
		b = append(b, 'T')
		b = append2(b, hour)
		b = append(b, ':')
		b = append2(b, minute)
		b = append(b, ':')
		b = append2(b, sec)
		return append(b, 'Z'), true
	case layoutShown:
		if day >= 10 {
			b = append(b, byte('0'+day/10))
		}
		b = append(b, byte('0'+day%10), ' ')
		b = append(b, month.String()[:3]...)
		b = append(b, ' ')
		b = append4(b, year)
		b = append(b, ", "...)
		b = append2(b, hour)
		b = append(b, ':')
		b = append2(b, minute)
		return append(b, " UTC"...), true
	}
	return b, false
}

// civil splits a count of seconds since 1970 (UTC) into the date and the
// time of day, as t.Date and t.Clock would, with integer arithmetic alone
// (Howard Hinnant's civil_from_days).
func civil(unix int64) (year int, month time.Month, day, hour, minute, sec int) {
	days := unix / 86400
	rem := unix % 86400
	if rem < 0 {
		days--
		rem += 86400
	}
	z := days + 719468 // days since 0000-03-01
	era := z / 146097
	if z < 0 && z%146097 != 0 {
		era--
	}
	doe := z - era*146097                                  // day of the era, 0 to 146096
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365 // year of the era, 0 to 399
	doy := doe - (365*yoe + yoe/4 - yoe/100)               // day of the year from March 1
	mp := (5*doy + 2) / 153                                // month from March, 0 to 11
	d := doy - (153*mp+2)/5 + 1
	m := mp + 3
	if m > 12 {
		m -= 12
	}
	y := yoe + era*400
	if m <= 2 {
		y++
	}
	return int(y), time.Month(m), int(d), int(rem / 3600), int(rem / 60 % 60), int(rem % 60)
}

func append2(b []byte, n int) []byte { return append(b, byte('0'+n/10), byte('0'+n%10)) }

func append4(b []byte, n int) []byte {
	return append(b, byte('0'+n/1000), byte('0'+n/100%10), byte('0'+n/10%10), byte('0'+n%10))
}
