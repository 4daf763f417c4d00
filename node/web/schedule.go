package web

import (
	"bytes"
	"cmp"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"net/http"
	"slices"
	"sync"
	"time"

	"hearth/node"
	"hearth/node/finder"
	"hearth/protocol"
)

// A printable weekly schedule is for members with no phone: an operator
// prints it and pins it up, or hands it out. One page per day in large type,
// Monday first, then the meetings by appointment; every meeting with its
// time, place, ways to join and types, and the hub's crisis lines on every
// page. Its styles are static/print.css: the page served by the hub links
// it (the page's Content-Security-Policy allows no inline style), and the
// file the CLI writes has it inline, so it can be saved, mailed and
// printed anywhere.

// scheduleData is what templates/schedule.html draws.
type scheduleData struct {
	*view
	InlineCSS   template.CSS // the styles, for a file on its own; "" links view.CSS
	Printed     string       // the date, in the page's language
	Zone        string       // the zone of most meetings; others say theirs
	Days        []scheduleDay
	CrisisLines []crisisLine
}

type scheduleDay struct {
	Name     string
	Meetings []scheduleMeeting
}

type scheduleMeeting struct {
	detailData
	Zone string // set when not the schedule's zone
}

// maxPrinted is the most meetings the web prints at once: some fifty pages.
// The CLI prints any number.
const maxPrinted = 500

// scheduleWeek is the order of the printed days: Monday first, as most of
// the world's calendars; Meeting Guide's day numbers start on Sunday.
var scheduleWeek = []int{1, 2, 3, 4, 5, 6, 0}

// WriteSchedule writes the printable weekly schedule of meetings in the
// page language lang (a tag of i18n/; others fall back to English), dated
// now, with the hub's name, zone (node.HubZone) and crisis lines from cfg.
// Cancelled meetings are left out, and so are those not meeting for now: a
// sheet pinned up for weeks must not send anyone to a shut door.
//
// The file stands on its own: its styles are inline.
func WriteSchedule(w io.Writer, cfg node.Config, meetings []node.Meeting, lang string, now time.Time) error {
	v := scheduleView(sharedCatalogs(), lang, cfg.Name, node.HubZone(cfg), now, "")
	return writeSchedule(w, v, meetings, crisisLines(cfg.Help.CrisisLines))
}

// scheduleView is the view a schedule is drawn with: the page's words, the
// hub's name, zone and time, and its styles at cssURL, or inline if "".
func scheduleView(langs *catalogs, lang, hubName string, zone *time.Location, now time.Time, cssURL string) *view {
	v := &view{langs: langs, zone: zone, now: now, Lang: cmp.Or(langs.match(lang), defaultLang), HubName: cmp.Or(hubName, "Hearth"), CSS: cssURL}
	v.Title = v.T("print.title")
	return v
}

// writeSchedule draws the schedule of meetings with view v.
func writeSchedule(w io.Writer, v *view, meetings []node.Meeting, lines []crisisLine) error {
	d := schedule(v, meetings, lines)
	if v.CSS == "" {
		d.InlineCSS = printCSS()
	}
	var buf bytes.Buffer
	if err := sharedPages().byName["schedule"].ExecuteTemplate(&buf, "schedule.html", d); err != nil {
		return fmt.Errorf("web: schedule: %w", err)
	}
	_, err := w.Write(buf.Bytes())
	return err
}

func schedule(v *view, meetings []node.Meeting, lines []crisisLine) scheduleData {
	d := scheduleData{view: v, Printed: dateFull(v, v.now.In(v.zone)), CrisisLines: lines}
	byDay := map[int][]node.Meeting{} // -1: by appointment
	zones := map[string]int{}
	for _, m := range meetings {
		if m.Cancelled || finder.Inactive(m.Listing) {
			continue
		}
		day := -1
		if m.Day != nil && m.Time != "" {
			day = *m.Day
		}
		byDay[day] = append(byDay[day], m)
		zones[finder.MeetingZone(m.Listing, v.zone).String()]++
	}
	for zone, n := range zones {
		if n > zones[d.Zone] || n == zones[d.Zone] && zone < d.Zone {
			d.Zone = zone
		}
	}
	for _, day := range append(scheduleWeek, -1) {
		ms := byDay[day]
		if len(ms) == 0 {
			continue
		}
		slices.SortStableFunc(ms, func(a, b node.Meeting) int {
			return cmp.Or(cmp.Compare(clockOf(a.Listing), clockOf(b.Listing)), cmp.Compare(a.Name, b.Name))
		})
		sd := scheduleDay{Name: v.T("print.appointment")}
		if day >= 0 {
			sd.Name = dayLong(v, day)
		}
		for _, m := range ms {
			sm := scheduleMeeting{detailData: detail(v, m)}
			// The venue, then its address; an area only when there is no
			// address to say more.
			sm.Place = m.Location
			if sm.BuildingClosed {
				sm.Place = ""
			}
			if sm.Place == "" && len(sm.Address) == 0 {
				sm.Place = cmp.Or(m.SubRegion, m.Region, m.City)
			}
			if sm.detailData.Zone != d.Zone {
				sm.Zone = sm.detailData.Zone
			}
			sd.Meetings = append(sd.Meetings, sm)
		}
		d.Days = append(d.Days, sd)
	}
	return d
}

// printCSS is static/print.css, for a schedule that carries its styles.
var printCSS = sync.OnceValue(func() template.CSS {
	css, err := fs.ReadFile(staticFS, "static/print.css")
	if err != nil {
		panic("web: embedded static/print.css: " + err.Error())
	}
	return template.CSS(css)
})

// clockOf is a listing's start in minutes after midnight, for sorting; -1
// if it has none.
func clockOf(l *protocol.Listing) int {
	m, err := protocol.ParseClock(l.Time)
	if err != nil {
		return -1
	}
	return m
}

// printSchedule serves GET /meetings/print: the printable schedule of the
// meetings the search parameters find (all of them without any).
func (s *server) printSchedule(w http.ResponseWriter, r *http.Request) {
	q, bad := s.queryFromForm(r.URL.Query())
	if bad != nil {
		s.plain(w, r, http.StatusBadRequest, "meetings.title", bad.Key, bad.Args...)
		return
	}
	q.Limit = maxPrinted + 1
	meetings, err := s.n.Meetings(r.Context(), q)
	if err != nil {
		s.log.Error("web: print schedule", "err", err)
		http.Error(w, "The schedule is unavailable. Please try again.", http.StatusInternalServerError)
		return
	}
	if len(meetings) > maxPrinted {
		// Cutting the list would print a schedule that misses meetings
		// without saying so.
		s.plain(w, r, http.StatusBadRequest, "meetings.title", "print.toomany", maxPrinted)
		return
	}
	var buf bytes.Buffer
	v := scheduleView(s.langs, s.chooseLang(w, r), s.cfg.Name, s.zone, s.now(), s.static.url("print.css"))
	if err := writeSchedule(&buf, v, meetings, crisisLines(s.cfg.Help.CrisisLines)); err != nil {
		s.log.Error("web: print schedule", "err", err)
		http.Error(w, "The schedule is unavailable. Please try again.", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-cache")
	h.Set("Vary", "Accept-Encoding, Accept-Language, Cookie")
	writeCompressed(w, r, http.StatusOK, buf.Bytes())
}
