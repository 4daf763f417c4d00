package finder

import (
	"time"

	"hearth/protocol"
)

// Meeting times. A listing has a weekday, a wall-clock start (and maybe an
// end) and an IANA zone; this file is the one reckoning of "when is this
// meeting, is it on now" for the finder's order, a meeting's page, its
// calendar file, the printed schedule and the CLI. A meeting counts as in
// progress from its start until its end, and for graceMinutes after its
// start whatever its end says: one that began five minutes ago is still
// worth walking into.
const (
	// graceMinutes: a meeting that started this recently is still worth
	// walking into, whatever its end time says.
	graceMinutes = 10
	// defaultMinutes is the length of a meeting with no end_time: most
	// fellowship meetings run an hour.
	defaultMinutes = 60
	minutesPerDay  = 24 * 60
	minutesPerWeek = 7 * minutesPerDay
)

// Sitting is one occurrence of a weekly meeting, in the meeting's own zone.
type Sitting struct {
	Start, End time.Time
	// InProgress: Start is at or before now and the meeting still counts
	// as on (see graceMinutes).
	InProgress bool
}

// NextSitting is l's sitting in progress at now, else its next one, with
// its times read in MeetingZone(l, hub). ok is false for a meeting by
// appointment (no day or start time) and for one not meeting for now
// (Inactive): it has no sitting to offer.
func NextSitting(l *protocol.Listing, hub *time.Location, now time.Time) (s Sitting, ok bool) {
	w, ok := weeklyOf(l)
	if !ok || Inactive(l) {
		return s, false
	}
	now = now.Round(0) // wall times only, as Search reads them
	z := newZoneClock(MeetingZone(l, hub), now)
	s.Start, s.InProgress = z.occurrence(&w, now)
	s.End = s.Start.Add(time.Duration(durationMinutes(int(w.startMin), l.EndTime)) * time.Minute)
	return s, true
}

// MeetingZone is the zone l's times are read in: its own, else hub (a
// listing without one was most likely written for the hub's own town);
// UTC if it names one this machine cannot load (validation keeps those
// out, so that is only a fallback).
func MeetingZone(l *protocol.Listing, hub *time.Location) *time.Location {
	if l.Timezone == "" {
		return hub
	}
	loc, err := protocol.LoadTimezone(l.Timezone)
	if err != nil {
		return time.UTC
	}
	return loc
}

// DaysAway is how many calendar days after now's date start's date is,
// both read in the viewer's zone (the hub's, HubZone): 0 for a sitting
// today, 1 for tomorrow. So "today" beside a meeting is the viewer's today,
// whatever zone the meeting keeps its clock in: at 23:30 in London, a
// Tokyo meeting at 10:00 there starts at 01:00 London time, which is
// tomorrow for the member reading the page.
func DaysAway(start, now time.Time, viewer *time.Location) int {
	return DaysBetween(now.In(viewer), start.In(viewer))
}

// DaysBetween is how many calendar days to's date is after from's, each
// date as its own zone reads it; whole days whatever daylight saving did.
func DaysBetween(from, to time.Time) int {
	return int(Date(to).Sub(Date(from)).Hours() / 24)
}

// Date is t's calendar date in its own zone, as midnight UTC, so dates
// compare and subtract in whole days.
func Date(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// weeklyOf is where a listing sits in the week: its day, start and span,
// as the index keeps them. ok is false for a meeting by appointment.
func weeklyOf(l *protocol.Listing) (w hotEntry, ok bool) {
	w = hotEntry{day: -1, startMin: -1, startMow: -1}
	if l.Day == nil || *l.Day < 0 || *l.Day > 6 {
		return w, false
	}
	start, err := protocol.ParseClock(l.Time)
	if err != nil {
		return w, false
	}
	w.day = int8(*l.Day)
	w.startMin = int16(start)
	w.startMow = int16(*l.Day*minutesPerDay + start)
	w.span = int16(max(durationMinutes(start, l.EndTime), graceMinutes))
	return w, true
}

// durationMinutes is how long a meeting starting at start (minutes after
// midnight) runs, by its end_time: an end at or before the start means it
// ends after midnight.
func durationMinutes(start int, endTime string) int {
	if endTime == "" {
		return defaultMinutes
	}
	end, err := protocol.ParseClock(endTime)
	if err != nil {
		return defaultMinutes
	}
	d := end - start
	if d <= 0 {
		d += minutesPerDay
	}
	return d
}

// zoneClock is now as read in one time zone, computed once per query.
type zoneClock struct {
	ready        bool
	loc          *time.Location
	minuteOfWeek int32 // wall clock: weekday*1440 + hour*60 + minute
	year         int
	month        time.Month
	day          int
	weekday      int
	// The zone's offset changes (daylight saving) on either side of now,
	// in minutes from now, and the UTC offsets in minutes before, between
	// and after them. Changes more than eight days away cannot move a
	// meeting of the coming week and are left out (as are those of zones
	// without any, such as UTC).
	fromPrev, toNext         int32
	offPrev, offNow, offNext int32
}

func (s *search) zone(id uint16) *zoneClock {
	z := &s.zones[id]
	if !z.ready {
		*z = newZoneClock(s.ix.zones[id], s.now)
	}
	return z
}

// noChange stands for a change too far away to matter; small enough that
// adding a week to it cannot overflow.
const noChange = 1 << 29

func newZoneClock(loc *time.Location, now time.Time) zoneClock {
	minute := now.Truncate(time.Minute)
	local := minute.In(loc)
	y, mo, d := local.Date()
	_, offset := local.Zone()
	z := zoneClock{
		ready:        true,
		loc:          loc,
		minuteOfWeek: int32(int(local.Weekday())*minutesPerDay + local.Hour()*60 + local.Minute()),
		year:         y, month: mo, day: d, weekday: int(local.Weekday()),
		fromPrev: -noChange, toNext: noChange,
		offNow: int32(offset / 60),
	}
	z.offPrev, z.offNext = z.offNow, z.offNow
	start, end := local.ZoneBounds()
	const horizon = minutesPerWeek + minutesPerDay
	if !end.IsZero() {
		if m := end.Sub(minute) / time.Minute; m < horizon {
			_, next := end.In(loc).Zone()
			z.toNext, z.offNext = int32(m), int32(next/60)
		}
	}
	if !start.IsZero() {
		if m := minute.Sub(start) / time.Minute; m < horizon {
			_, prev := start.Add(-time.Second).In(loc).Zone()
			z.fromPrev, z.offPrev = -int32(m), int32(prev/60)
		}
	}
	return z
}

// offsetAt is the zone's offset at an instant given in minutes from now,
// and the span [from, to) over which that offset holds.
func (z *zoneClock) offsetAt(x int32) (off, from, to int32) {
	switch {
	case x < z.fromPrev:
		return z.offPrev, -noChange, z.fromPrev
	case x < z.toNext:
		return z.offNow, z.fromPrev, z.toNext
	}
	return z.offNext, z.toNext, noChange
}

// realMinutes turns a wall-clock difference from now (in this zone) into
// real minutes, allowing for a daylight-saving change in between. A wall
// time that a change skips or repeats is resolved as time.Date resolves it
// (the same steps, in minutes), so the keys agree with the exact times
// results report.
func (z *zoneClock) realMinutes(wall int32) int32 {
	w := wall + z.offNow // the wall time read as if it were UTC
	off, from, to := z.offsetAt(w)
	if off != 0 {
		if utc := w - off; utc < from || utc >= to {
			off, _, _ = z.offsetAt(utc)
		}
	}
	return w - off
}

// occurrence is the exact start of e's current sitting, if it is in
// progress at now, or else of its next one, in the meeting's zone: one or
// two time.Date calls.
func (z *zoneClock) occurrence(e *hotEntry, now time.Time) (time.Time, bool) {
	back := (z.weekday - int(e.day) + 7) % 7 // days since the meeting's weekday
	h, m := int(e.startMin)/60, int(e.startMin)%60
	start := time.Date(z.year, z.month, z.day-back, h, m, 0, 0, z.loc)
	if start.After(now) {
		// Later today; last week's sitting (at most a day long) is over.
		return start, false
	}
	if now.Before(start.Add(time.Duration(e.span) * time.Minute)) {
		return start, true
	}
	return time.Date(z.year, z.month, z.day-back+7, h, m, 0, 0, z.loc), false
}
