package web

import (
	"strconv"
	"time"

	"hearth/node/finder"
)

// dayShort is a weekday's short name in the page's language.
func dayShort(v *view, d int) string { return v.T("dayshort." + strconv.Itoa(d)) }

// dayLong is a weekday's full name in the page's language.
func dayLong(v *view, d int) string { return v.T("day." + strconv.Itoa(d)) }

// whenWords says when a meeting is next, as a member reads a list: "Today
// 19:30", "Tomorrow 07:00", "Sat 10:00", in the meeting's own zone.
func whenWords(v *view, next time.Time) string {
	clock := next.Format("15:04")
	switch finder.DaysAway(next, v.now) {
	case 0:
		return v.T("when.today", clock)
	case 1:
		return v.T("when.tomorrow", clock)
	}
	return dayShort(v, int(next.Weekday())) + " " + clock
}

// dateLong says a date with its weekday, as the page's language does:
// "Saturday 28 November", "sábado 28 de noviembre".
func dateLong(v *view, t time.Time) string {
	return v.T("date.long", dayLong(v, int(t.Weekday())), t.Day(), v.T("month."+strconv.Itoa(int(t.Month()))))
}

// dateShort says a date without its weekday: "28 November".
func dateShort(v *view, t time.Time) string {
	return v.T("date.short", t.Day(), v.T("month."+strconv.Itoa(int(t.Month()))))
}

// dateFull says a date with its year: "28 November 2026".
func dateFull(v *view, t time.Time) string {
	return v.T("date.full", t.Day(), v.T("month."+strconv.Itoa(int(t.Month()))), t.Year())
}
