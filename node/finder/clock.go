package finder

import "time"

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
// progress at now, or else of its next one, in the meeting's zone. It is the
// reckoning of node/web's occurrence, done with one or two time.Date calls.
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
