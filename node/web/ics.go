package web

import (
	"bytes"
	"fmt"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"hearth/node"
	"hearth/node/finder"
	"hearth/protocol"
)

// The calendar file (RFC 5545) of a weekly meeting: one VEVENT that starts
// at the next occurrence and repeats weekly, in the meeting's own zone, so
// a meeting at 19:00 stays at 19:00 across daylight-saving changes. RFC 5545
// wants a VTIMEZONE for every TZID; it is written from Go's zone database
// (the transitions from a year before the first meeting to
// vtimezoneYears after), since a hub cannot count on the phone's calendar
// knowing the IANA name.
const vtimezoneYears = 20

// calendar serves a meeting's .ics file.
func (s *server) calendar(w http.ResponseWriter, r *http.Request, m node.Meeting) {
	v := s.newView(w, r, "")
	sitting, ok := finder.NextSitting(m.Listing, v.zone, v.now)
	if !ok {
		s.plain(w, r, http.StatusNotFound, "nocalendar.title", "nocalendar.text")
		return
	}
	body := icsEvent(v, m, sitting.Start, sitting.End, v.now)
	h := w.Header()
	h.Set("Content-Type", "text/calendar; charset=utf-8")
	h.Set("Content-Disposition", `attachment; filename="`+icsFileName(m.Slug)+`"`)
	h.Set("Cache-Control", "no-cache")
	w.Write(body)
}

// icsFileName keeps a slug's safe characters for a download name.
func icsFileName(slug string) string {
	var b strings.Builder
	for _, r := range slug {
		if r < 128 && (r == '-' || r == '_' || r == '.' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
			b.WriteRune(r)
		}
	}
	if b.Len() == 0 {
		return "meeting.ics"
	}
	return b.String() + ".ics"
}

// calEvent is one weekly meeting in a calendar: its next sitting.
type calEvent struct {
	m          node.Meeting
	start, end time.Time
}

// icsEvent writes the calendar of one weekly meeting.
func icsEvent(v *view, m node.Meeting, start, end, now time.Time) []byte {
	return icsCalendar(v, []calEvent{{m: m, start: start, end: end}}, now)
}

// icsCalendar writes a calendar of weekly meetings: a member's own, or
// one. Each zone the meetings sit in gets one VTIMEZONE.
func icsCalendar(v *view, events []calEvent, now time.Time) []byte {
	var c icsWriter
	c.line("BEGIN:VCALENDAR")
	c.line("VERSION:2.0")
	c.line("PRODID:-//Hearth//Hearth hub//EN")
	c.line("CALSCALE:GREGORIAN")
	c.line("METHOD:PUBLISH")
	zones := map[string]bool{}
	for _, e := range events {
		loc := e.start.Location()
		if loc != time.UTC && !zones[loc.String()] {
			zones[loc.String()] = true
			writeVTimezone(&c, loc, e.start)
		}
	}
	for _, e := range events {
		writeVEvent(&c, v, e, now)
	}
	c.line("END:VCALENDAR")
	return c.buf.Bytes()
}

// writeVEvent writes one weekly meeting, from its next sitting on.
func writeVEvent(c *icsWriter, v *view, e calEvent, now time.Time) {
	m, start, end := e.m, e.start, e.end
	l := m.Listing
	loc := start.Location()
	utc := loc == time.UTC
	c.line("BEGIN:VEVENT")
	// A UID stable across downloads, so re-adding updates the same event.
	c.line("UID:" + icsText(strings.ReplaceAll(m.ID, "/", "-")) + "@hearth")
	c.line("DTSTAMP:" + now.UTC().Format("20060102T150405Z"))
	if utc {
		c.line("DTSTART:" + start.Format("20060102T150405Z"))
		c.line("DTEND:" + end.Format("20060102T150405Z"))
	} else {
		c.line("DTSTART;TZID=" + icsParam(loc.String()) + ":" + start.Format("20060102T150405"))
		c.line("DTEND;TZID=" + icsParam(loc.String()) + ":" + end.Format("20060102T150405"))
	}
	c.line("RRULE:FREQ=WEEKLY")
	c.line("SUMMARY:" + icsText(l.Name))
	if where := icsLocation(v, l); where != "" {
		c.line("LOCATION:" + icsText(where))
	}
	if desc := icsDescription(v, l); desc != "" {
		c.line("DESCRIPTION:" + icsText(desc))
	}
	if protocol.CheckURL("conference_url", l.ConferenceURL) == nil && l.ConferenceURL != "" {
		c.line("URL:" + l.ConferenceURL)
	}
	if l.Cancelled {
		c.line("STATUS:CANCELLED")
	} else {
		c.line("STATUS:CONFIRMED")
	}
	c.line("END:VEVENT")
}

func icsLocation(v *view, l *protocol.Listing) string {
	if l.AddressVisibility == protocol.AddressOnRequest {
		return strings.Join(nonEmpty(l.Region, v.T("meeting.onrequest.short")), ", ")
	}
	addr := l.FormattedAddress
	if addr == "" {
		addr = strings.Join(nonEmpty(l.Address, l.City, l.State, l.PostalCode, l.Country), ", ")
	}
	parts := nonEmpty(l.Location, addr)
	if len(parts) == 0 && l.ConferenceURL != "" {
		parts = []string{l.ConferenceURL}
	}
	return strings.Join(parts, ", ")
}

func icsDescription(v *view, l *protocol.Listing) string {
	var parts []string
	switch l.Format {
	case protocol.FormatPeerLed:
		parts = append(parts, v.T("format.peerled"))
	case protocol.FormatFacilitated:
		parts = append(parts, v.T("format.facilitated"))
	}
	if l.ConferenceURL != "" {
		parts = append(parts, v.T("meeting.join")+": "+l.ConferenceURL)
	}
	if l.ConferencePhone != "" {
		parts = append(parts, v.T("meeting.phone")+": "+l.ConferencePhone)
	}
	parts = append(parts, nonEmpty(l.LocationNotes, l.Notes)...)
	return strings.Join(parts, "\n\n")
}

// writeVTimezone writes a VTIMEZONE for loc covering the years around
// start: one observance per kind of offset change, its onsets listed with
// RDATE, plus the offset in effect at the start of the span.
func writeVTimezone(c *icsWriter, loc *time.Location, start time.Time) {
	from := start.AddDate(-1, 0, 0)
	to := start.AddDate(vtimezoneYears, 0, 0)
	type observance struct {
		dst            bool
		fromOff, toOff int
		name           string
		onsets         []string // local times, the first is DTSTART
	}
	var obs []*observance
	find := func(dst bool, fromOff, toOff int, name string) *observance {
		for _, o := range obs {
			if o.dst == dst && o.fromOff == fromOff && o.toOff == toOff && o.name == name {
				return o
			}
		}
		o := &observance{dst: dst, fromOff: fromOff, toOff: toOff, name: name}
		obs = append(obs, o)
		return o
	}
	t := from.In(loc)
	name, off := t.Zone()
	dst := t.IsDST()
	first := find(dst, off, off, name)
	first.onsets = append(first.onsets, t.Format("20060102T150405"))
	for {
		_, boundary := t.ZoneBounds()
		if boundary.IsZero() || boundary.After(to) {
			break
		}
		if !boundary.After(t) {
			// Where Go's zone table hands over to the zone's rule, it can
			// report a zone that ends where it starts: step past it.
			boundary = t.Add(time.Hour)
		}
		next := boundary.In(loc)
		nextName, nextOff := next.Zone()
		if nextOff != off || next.IsDST() != dst || nextName != name {
			// An onset is written in the local time of the offset it leaves.
			onset := boundary.In(time.FixedZone("", off)).Format("20060102T150405")
			o := find(next.IsDST(), off, nextOff, nextName)
			o.onsets = append(o.onsets, onset)
		}
		t, name, off, dst = next, nextName, nextOff, next.IsDST()
	}
	c.line("BEGIN:VTIMEZONE")
	c.line("TZID:" + icsParam(loc.String()))
	for _, o := range obs {
		kind := "STANDARD"
		if o.dst {
			kind = "DAYLIGHT"
		}
		c.line("BEGIN:" + kind)
		c.line("DTSTART:" + o.onsets[0])
		if len(o.onsets) > 1 {
			c.line("RDATE:" + strings.Join(o.onsets[1:], ","))
		}
		c.line("TZOFFSETFROM:" + icsOffset(o.fromOff))
		c.line("TZOFFSETTO:" + icsOffset(o.toOff))
		if o.name != "" {
			c.line("TZNAME:" + icsText(o.name))
		}
		c.line("END:" + kind)
	}
	c.line("END:VTIMEZONE")
}

// icsOffset is a UTC offset in seconds as RFC 5545 writes it: +hhmm[ss].
func icsOffset(sec int) string {
	sign := "+"
	if sec < 0 {
		sign, sec = "-", -sec
	}
	s := fmt.Sprintf("%s%02d%02d", sign, sec/3600, sec/60%60)
	if sec%60 != 0 {
		s += fmt.Sprintf("%02d", sec%60)
	}
	return s
}

// icsText escapes a TEXT value (RFC 5545 §3.3.11).
func icsText(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	r := strings.NewReplacer(`\`, `\\`, ";", `\;`, ",", `\,`, "\n", `\n`, "\r", `\n`)
	return strings.Map(func(r rune) rune {
		if r < 0x20 && r != '\n' && r != '\t' || r == 0x7f {
			return -1 // control characters are not allowed in TEXT
		}
		return r
	}, r.Replace(s))
}

// icsParam quotes a parameter value if it holds a character that would end
// it (RFC 5545 §3.2).
func icsParam(s string) string {
	s = strings.ReplaceAll(s, `"`, "")
	if strings.ContainsAny(s, ":;,") {
		return `"` + s + `"`
	}
	return s
}

// icsWriter writes content lines with CRLF endings, folded at 75 octets
// without splitting a UTF-8 character (RFC 5545 §3.1).
type icsWriter struct {
	buf bytes.Buffer
}

func (w *icsWriter) line(s string) {
	limit := 75
	for len(s) > limit {
		cut := limit
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		w.buf.WriteString(s[:cut])
		w.buf.WriteString("\r\n ")
		s = s[cut:]
		limit = 74 // the leading space of a continuation counts
	}
	w.buf.WriteString(s)
	w.buf.WriteString("\r\n")
}
