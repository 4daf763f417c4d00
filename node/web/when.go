package web

import (
	"strconv"
	"time"

	"hearth/protocol"
)

// Meeting times: a listing has a weekday, a wall-clock start (and maybe end)
// and an IANA zone. The finder orders search results; the meeting page and
// the calendar file need the next occurrence of one listing, worked out here
// the same way: a meeting that started up to graceStart ago, or has not yet
// reached its end, is in progress.
const (
	graceStart      = 10 * time.Minute
	defaultDuration = time.Hour // for listings with no end time
)

// occurrence is the start and end of a listing's next (or current)
// occurrence after now; ok is false for meetings by appointment.
func occurrence(l *protocol.Listing, loc *time.Location, now time.Time) (start, end time.Time, inProgress, ok bool) {
	if l.Day == nil || l.Time == "" {
		return start, end, false, false
	}
	startMin, err := protocol.ParseClock(l.Time)
	if err != nil {
		return start, end, false, false
	}
	duration := defaultDuration
	if l.EndTime != "" {
		if endMin, err := protocol.ParseClock(l.EndTime); err == nil {
			d := endMin - startMin
			if d <= 0 {
				d += 24 * 60 // ends after midnight
			}
			duration = time.Duration(d) * time.Minute
		}
	}
	local := now.In(loc)
	// Start a day early, so a meeting that began last night and runs past
	// midnight is still found in progress.
	day := time.Date(local.Year(), local.Month(), local.Day()-1, 0, 0, 0, 0, loc)
	for i := 0; i < 9; i++ {
		d := day.AddDate(0, 0, i)
		if int(d.Weekday()) != *l.Day {
			continue
		}
		// time.Date normalises a wall time that daylight saving skips.
		s := time.Date(d.Year(), d.Month(), d.Day(), startMin/60, startMin%60, 0, 0, loc)
		e := s.Add(duration)
		if now.Before(e) || now.Before(s.Add(graceStart)) {
			return s, e, !now.Before(s), true
		}
	}
	return start, end, false, false
}

// meetingZone is a listing's zone; UTC if it has none or an unknown one
// (validation keeps those out, so this is only a fallback).
func meetingZone(l *protocol.Listing, fallback *time.Location) *time.Location {
	if l.Timezone == "" {
		return fallback
	}
	loc, err := protocol.LoadTimezone(l.Timezone)
	if err != nil {
		return time.UTC
	}
	return loc
}

// dayShort is a weekday's short name in the page's language.
func dayShort(v *view, d int) string { return v.T("dayshort." + strconv.Itoa(d)) }

// dayLong is a weekday's full name in the page's language.
func dayLong(v *view, d int) string { return v.T("day." + strconv.Itoa(d)) }

// whenWords says when a meeting is next, as a member reads a list: "Today
// 19:30", "Tomorrow 07:00", "Sat 10:00", in the meeting's own zone.
func whenWords(v *view, next time.Time, now time.Time) string {
	local := now.In(next.Location())
	days := daysBetween(dateOnly(local), dateOnly(next))
	clock := next.Format("15:04")
	switch days {
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
