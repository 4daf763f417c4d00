package web

import (
	"strconv"
	"strings"
	"time"

	"hearth/node/finder"
)

// dayShort is a weekday's short name in the page's language.
func dayShort(v *view, d int) string { return v.T("dayshort." + strconv.Itoa(d)) }

// dayLong is a weekday's full name in the page's language.
func dayLong(v *view, d int) string { return v.T("day." + strconv.Itoa(d)) }

// whenWords says when a meeting is next, as a member reads a list: "Today
// 19:30", "Tomorrow 07:00", "Sat 10:00". The day is the member's, as the
// hub reckons it (finder.DaysAway in the hub's zone); the time is the
// meeting's own. A meeting whose clock differs from the hub's at that
// moment (an online meeting far away) says both, the hub's first: "Today
// 22:00 (Wed 07:00 Tokyo time)".
func whenWords(v *view, next time.Time) string {
	here := next.In(v.zone)
	words := dayWord(v, here)
	if !sameClock(next, here) {
		return v.T("when.elsewhere", words, dayShort(v, int(next.Weekday()))+" "+next.Format("15:04"), zoneCity(next.Location()))
	}
	return words
}

// dayWord is "Today 19:30", "Tomorrow 07:00" or "Sat 10:00" for t, read in
// the hub's zone.
func dayWord(v *view, t time.Time) string {
	clock := t.Format("15:04")
	switch finder.DaysAway(t, v.now, v.zone) {
	case 0:
		return v.T("when.today", clock)
	case 1:
		return v.T("when.tomorrow", clock)
	}
	return dayShort(v, int(t.Weekday())) + " " + clock
}

// sameClock reports whether a and b (the same instant) read the same on a
// wall clock: their zones have the same offset then.
func sameClock(a, b time.Time) bool {
	_, oa := a.Zone()
	_, ob := b.Zone()
	return oa == ob
}

// zoneCity names a zone as people do: its city ("Los Angeles" for
// America/Los_Angeles), else its name.
func zoneCity(loc *time.Location) string {
	name := loc.String()
	if i := strings.LastIndexByte(name, '/'); i >= 0 {
		name = name[i+1:]
	}
	return strings.ReplaceAll(name, "_", " ")
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
