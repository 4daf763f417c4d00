package web

import (
	"context"
	"errors"
	"html/template"
	"net/http"
	"slices"
	"strings"
	"time"

	"hearth/node"
	"hearth/node/finder"
	"hearth/node/members"
)

// Routine: a member marks "my meetings" from a meeting's page; /me shows
// the next of them and the week's line ("3 meetings this week", counted
// from check-ins that name a meeting); /me/meetings lists them all, with a
// calendar file and a calendar address (a feed with a secret in it) that
// a phone's calendar can follow.

// meNextMeetings is how many of a member's meetings /me shows.
const meNextMeetings = 3

// weekView is the member's week on /me: their buddies first (someone who
// notices), then their meetings.
type weekView struct {
	Alerts  []string // a buddy asked for a call, or has been quiet too long
	Buddies []string // the other buddies' last check-in
	Line    string   // "3 meetings this week"
	Last    string   // "2 last week", or ""
	Next    []meetingItem
}

// markView is the "add to my meetings" form of a meeting's page.
type markView struct {
	ID   string
	Mine bool
	Full bool // the list is full: adding would fail
}

// mine is a member's meeting, resolved against the listings.
type mine struct {
	ID      string
	Meeting *node.Meeting // nil: no longer listed
	Item    meetingItem
	start   time.Time // the next sitting, zero for none
}

// myMeetings resolves the member's meetings, the next to sit first; ones
// no longer listed (or cancelled) last.
func (s *server) myMeetings(ctx context.Context, v *view, ids []string) []mine {
	out := make([]mine, 0, len(ids))
	for _, id := range ids {
		m := mine{ID: id}
		if found, err := s.n.Meeting(ctx, id); err == nil {
			if sitting, ok := finder.NextSitting(found.Listing, s.zone, v.now); ok && !found.Cancelled {
				found.Next, found.InProgress, m.start = &sitting.Start, sitting.InProgress, sitting.Start
			}
			m.Meeting = &found
			m.Item = item(v, found)
		} else {
			m.Item = meetingItem{Name: v.T("me.pastmeeting")}
		}
		out = append(out, m)
	}
	slices.SortStableFunc(out, func(a, b mine) int {
		switch {
		case a.start.IsZero() != b.start.IsZero():
			if a.start.IsZero() {
				return 1
			}
			return -1
		}
		return a.start.Compare(b.start)
	})
	return out
}

// weekLines says the routine line: this week's meetings, and last week's.
func weekLines(v *view, checkIns []members.CheckIn) (line, last string) {
	this, prev := members.WeeklyMeetings(checkIns, v.now, v.zone)
	switch this {
	case 0:
		line = v.T("routine.none")
	case 1:
		line = v.T("routine.one")
	default:
		line = v.T("routine.many", this)
	}
	if prev > 0 {
		last = v.T("routine.last", prev)
	}
	return line, last
}

// meWeek is the member's week for /me. What cannot be read now is left
// out (and logged): the rest of /me must still show.
func (s *server) meWeek(ctx context.Context, v *view, sess *session, checkIns []members.CheckIn) *groupsView {
	w := &weekView{}
	w.Line, w.Last = weekLines(v, checkIns)
	if bs, err := sess.acct.Buddies(); err != nil {
		s.log.Warn("web: buddies for /me", "err", err)
	} else {
		for _, b := range bs.Buddies {
			bv := buddyLines(v, b)
			for _, alert := range []string{bv.Asked, bv.ReachOut} {
				if alert != "" {
					w.Alerts = append(w.Alerts, alert)
				}
			}
			if bv.Asked == "" && bv.ReachOut == "" {
				w.Buddies = append(w.Buddies, bv.Status)
			}
		}
	}
	if ids, err := sess.acct.MyMeetings(); err != nil {
		s.log.Warn("web: my meetings for /me", "err", err)
	} else {
		for _, m := range s.myMeetings(ctx, v, ids) {
			if m.start.IsZero() || len(w.Next) == meNextMeetings {
				break
			}
			w.Next = append(w.Next, m.Item)
		}
	}
	return &groupsView{Week: w}
}

// markFor is the "add to my meetings" form of a meeting's page, for a
// signed-in member; nil for anyone else.
func (s *server) markFor(w http.ResponseWriter, r *http.Request, v *view, id string) *groupsView {
	sess := s.requestState(r).sess
	if sess == nil {
		return nil
	}
	ids, err := sess.acct.MyMeetings()
	if err != nil {
		return nil
	}
	// The page now says which meetings are this member's: no one else's
	// browser or cache may keep it.
	w.Header().Set("Cache-Control", "no-store")
	v.CSRF = sess.csrf
	return &groupsView{Mark: &markView{ID: id, Mine: slices.Contains(ids, id), Full: len(ids) >= members.MaxMyMeetings}}
}

// myMeetingsData is /me/meetings.
type myMeetingsData struct {
	Meetings []mine
	Line     string
	Last     string
	Feed     *feedView
}

// feedView is the member's calendar address.
type feedView struct {
	URL    string       // https://hub/feed/SECRET.ics
	Webcal template.URL // the same for a calendar app to follow
	Made   string
}

func (s *server) myMeetingsPage(w http.ResponseWriter, r *http.Request, sess *session) {
	v := s.newView(w, r, "routine.title")
	v.CSRF = sess.csrf
	switch r.URL.Query().Get("done") {
	case "removed":
		v.Flash = v.T("routine.removed")
	case "feed":
		v.Flash = v.T("routine.feedmade")
	case "stopped":
		v.Flash = v.T("routine.feedstopped")
	}
	ids, err := sess.acct.MyMeetings()
	if err != nil {
		s.accountFailed(w, r, sess, "read my meetings", err)
		return
	}
	checkIns, err := sess.acct.CheckIns()
	if err != nil {
		s.accountFailed(w, r, sess, "read check-ins", err)
		return
	}
	d := myMeetingsData{Meetings: s.myMeetings(r.Context(), v, ids)}
	d.Line, d.Last = weekLines(v, checkIns)
	feed, ok, err := sess.acct.CalendarFeed()
	if err != nil {
		s.accountFailed(w, r, sess, "read calendar feed", err)
		return
	}
	if ok {
		d.Feed = s.feedViewOf(r, v, feed)
	}
	v.Data = d
	s.render(w, r, http.StatusOK, "mymeetings", v)
}

// feedViewOf is a feed's address as this request reached the hub (the Host
// is one the hub answers to, or guard would have refused it).
func (s *server) feedViewOf(r *http.Request, v *view, f members.CalendarFeed) *feedView {
	scheme := "http"
	if s.tls() {
		scheme = "https"
	}
	path := "/feed/" + f.Secret + ".ics"
	return &feedView{
		URL:    scheme + "://" + r.Host + path,
		Webcal: template.URL("webcal://" + r.Host + path),
		Made:   dateFull(v, f.Made.In(s.zone)),
	}
}

// markMeeting adds a meeting to the member's list or takes it off, then
// goes back where the member was: the meeting's page or their list.
func (s *server) markMeeting(w http.ResponseWriter, r *http.Request, sess *session) {
	id := r.PostFormValue("id")
	add := r.PostFormValue("mine") == "1"
	if add {
		// Only a meeting this hub lists can be added; one that stopped
		// being listed can still be taken off.
		m, err := s.n.Meeting(r.Context(), id)
		if err != nil {
			s.plain(w, r, http.StatusNotFound, "nomeeting.title", "nomeeting.text")
			return
		}
		id = m.ID
	}
	if err := sess.acct.MarkMeeting(id, add); err != nil {
		if p := problemOf(err, nil); p != nil {
			s.plain(w, r, http.StatusUnprocessableEntity, "routine.title", p.Key, p.Args...)
			return
		}
		s.accountFailed(w, r, sess, "mark a meeting", err)
		return
	}
	switch {
	case r.PostFormValue("back") == "list":
		http.Redirect(w, r, "/me/meetings?done=removed", http.StatusSeeOther)
	default:
		http.Redirect(w, r, meetingURL(id), http.StatusSeeOther)
	}
}

// feedChange makes a new calendar address (the old one stops) or stops
// the one there is.
func (s *server) feedChange(w http.ResponseWriter, r *http.Request, sess *session) {
	var err error
	done := "feed"
	if r.PostFormValue("stop") == "1" {
		err, done = sess.acct.StopCalendarFeed(), "stopped"
	} else {
		_, err = sess.acct.NewCalendarFeed(s.chooseLang(w, r))
	}
	if err != nil {
		s.accountFailed(w, r, sess, "change calendar feed", err)
		return
	}
	http.Redirect(w, r, "/me/meetings?done="+done+"#calendar", http.StatusSeeOther)
}

// myMeetingsICS is the member's meetings as one calendar file, to open
// once on the phone.
func (s *server) myMeetingsICS(w http.ResponseWriter, r *http.Request, sess *session) {
	ids, err := sess.acct.MyMeetings()
	if err != nil {
		s.accountFailed(w, r, sess, "read my meetings", err)
		return
	}
	v := s.newView(w, r, "")
	body := s.meetingsCalendar(r.Context(), v, ids)
	download(w, "text/calendar; charset=utf-8", "my-meetings.ics", body)
}

// calendarFeed serves GET /feed/SECRET.ics to a calendar app: no session,
// no PIN; the secret is the key. Anything that is not a live feed's
// address is the same 404.
func (s *server) calendarFeed(w http.ResponseWriter, r *http.Request) {
	secret, ok := strings.CutSuffix(r.PathValue("file"), ".ics")
	var ids []string
	var lang string
	var err error
	if ok {
		ids, lang, err = s.n.Members().CalendarFeed(secret)
	}
	if !ok || err != nil {
		if ok && !errors.Is(err, members.ErrNoFeed) {
			s.log.Error("web: calendar feed", "err", err)
		}
		http.Error(w, "No calendar here: the address was stopped or replaced. Make a new one on your page.", http.StatusNotFound)
		return
	}
	if s.langs.byTag[lang] == nil {
		lang = defaultLang
	}
	v := &view{langs: s.langs, zone: s.zone, now: s.now(), Lang: lang}
	h := w.Header()
	h.Set("Content-Type", "text/calendar; charset=utf-8")
	w.Write(s.meetingsCalendar(r.Context(), v, ids))
}

// meetingsCalendar is a calendar of the meetings with these IDs that still
// sit; one no longer listed is left out, a cancelled one marked so.
func (s *server) meetingsCalendar(ctx context.Context, v *view, ids []string) []byte {
	var events []calEvent
	for _, m := range s.myMeetings(ctx, v, ids) {
		if m.Meeting == nil {
			continue
		}
		sitting, ok := finder.NextSitting(m.Meeting.Listing, s.zone, v.now)
		if !ok {
			continue
		}
		events = append(events, calEvent{m: *m.Meeting, start: sitting.Start, end: sitting.End})
	}
	return icsCalendar(v, events, v.now)
}
