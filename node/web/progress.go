package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"time"

	"hearth/node/finder"
	"hearth/node/members"
	"hearth/node/problem"
)

// historyShown is how many check-ins /me lists; the exports hold them all.
const historyShown = 60

// meData is the /me page: days, milestones, chart and history.
type meData struct {
	Nick       string
	SoberSince string // YYYY-MM-DD for the date input, "" if not set
	SinceWords string // the same date in words
	Today      string // YYYY-MM-DD, the date input's max
	HasCount   bool
	Days       int
	Reached    []string // milestones reached, in words
	Next       string   // the next milestone, in words; "" past the table
	ToGo       int
	Chart      template.HTML
	Summary    string // the chart in words
	History    []historyItem
	Total      int
}

type historyItem struct {
	When     string
	Mood     int
	MoodWord string
	Craving  string
	Used     bool
	Unsafe   bool
	Triggers []string
	Meeting  string
	Note     string
}

func (s *server) me(w http.ResponseWriter, r *http.Request, sess *session) {
	v := s.memberView(w, r, sess, "me.title")
	if r.URL.Query().Get("saved") == "1" && v.Flash == "" {
		v.Flash = v.T("checkin.saved")
	}
	s.renderMe(w, r, http.StatusOK, v, sess)
}

func (s *server) renderMe(w http.ResponseWriter, r *http.Request, status int, v *view, sess *session) {
	checkIns, err := sess.acct.CheckIns()
	if err != nil {
		s.accountFailed(w, r, sess, "read check-ins", err)
		return
	}
	profile, err := sess.acct.Profile()
	if err != nil {
		s.accountFailed(w, r, sess, "read profile", err)
		return
	}
	zone := s.zone
	today := finder.Date(s.now().In(zone))
	d := &meData{Nick: sess.nick, Today: today.Format(time.DateOnly), Total: len(checkIns)}
	defer func() { sess.since = nil }() // shown once
	if sess.since != nil {
		d.SoberSince = sess.since.value
		v.Error = v.Problem(sess.since.problem)
	}
	if profile.SoberSince != nil {
		since := finder.Date(*profile.SoberSince)
		if sess.since == nil {
			d.SoberSince = since.Format(time.DateOnly)
		}
		d.SinceWords = dateFull(v, since)
		d.HasCount = true
		d.Days = finder.DaysBetween(since, today)
		for _, m := range milestones(d.Days) {
			d.Reached = append(d.Reached, milestoneWords(v, m))
		}
		if next := nextMilestone(d.Days); next > 0 {
			d.Next, d.ToGo = milestoneWords(v, next), next-d.Days
		}
	}
	d.Chart = moodCharts(v, checkIns, today, zone, "chart-summary")
	d.Summary = chartSummary(v, checkIns, today, zone)
	v.Groups = s.meWeek(r.Context(), v, sess, checkIns)
	meetingNames := map[string]string{}
	for i, c := range checkIns {
		if i == historyShown {
			break
		}
		h := historyItem{
			When: dateShort(v, c.At.In(zone)) + ", " + c.At.In(zone).Format("15:04"), Mood: c.Mood, MoodWord: v.T("mood." + strconv.Itoa(c.Mood)),
			Used: c.Used, Unsafe: c.Unsafe, Note: c.Note,
		}
		if c.Craving != nil {
			h.Craving = strconv.Itoa(*c.Craving)
		}
		for _, t := range c.Triggers {
			if slices.Contains(commonTriggers, t) {
				t = v.T("trigger." + t)
			}
			h.Triggers = append(h.Triggers, t)
		}
		if c.Meeting != "" {
			name, ok := meetingNames[c.Meeting]
			if !ok {
				name = v.T("me.pastmeeting")
				if m, err := s.n.Meeting(r.Context(), c.Meeting); err == nil {
					name = m.Name
				}
				meetingNames[c.Meeting] = name
			}
			h.Meeting = name
		}
		d.History = append(d.History, h)
	}
	v.Data = d
	s.render(w, r, status, "me", v)
}

// dateDraft is a sober-since date sent with something wrong in it, shown
// once on the next /me.
type dateDraft struct {
	value   string
	problem *problem.Error
}

// errNoDate: the date field was empty or not a date.
var errNoDate = problem.Define("me.baddate", "the sober-since date is not a date")

// setProfile sets, restarts or clears the sober-since date, and answers
// with a redirect to /me whatever happens.
func (s *server) setProfile(w http.ResponseWriter, r *http.Request, sess *session) {
	target, err := s.saveProfile(sess, r.PostForm)
	if err != nil {
		s.accountFailed(w, r, sess, "save profile", err)
		return
	}
	http.Redirect(w, r, target, http.StatusSeeOther)
}

// saveProfile sets the sober-since date a form sent and says where to go
// next; a mistake is kept for that page. An error is the account's.
func (s *server) saveProfile(sess *session, form url.Values) (string, error) {
	var since *time.Time
	switch {
	case form.Get("clear") == "1":
	case form.Get("today") == "1":
		today := finder.Date(s.now().In(s.zone))
		since = &today
	default:
		t, err := time.Parse(time.DateOnly, form.Get("sober_since"))
		if err != nil {
			sess.since = &dateDraft{value: form.Get("sober_since"), problem: errNoDate}
			return "/me", nil
		}
		since = &t
	}
	err := sess.acct.SetProfile(members.Profile{SoberSince: since})
	if p := problemOf(err, nil); p != nil {
		// A date after today, or too long ago.
		sess.since = &dateDraft{value: form.Get("sober_since"), problem: p}
		return "/me", nil
	}
	if err != nil {
		return "", err
	}
	sess.since = nil
	return "/me", nil
}

// milestoneDays are the counts worth marking; after a year, every year.
var milestoneDays = []int{1, 7, 30, 60, 90, 180, 365}

func milestones(days int) []int {
	var out []int
	for _, m := range milestoneDays {
		if days >= m {
			out = append(out, m)
		}
	}
	for y := 2; y*365 <= days; y++ {
		out = append(out, y*365)
	}
	return out
}

func nextMilestone(days int) int {
	for _, m := range milestoneDays {
		if days < m {
			return m
		}
	}
	return (days/365 + 1) * 365
}

// milestoneWords says a milestone as people do: "1 week", "1 year".
func milestoneWords(v *view, days int) string {
	switch {
	case days == 7:
		return v.T("milestone.week")
	case days == 1:
		return v.T("milestone.day")
	case days%365 == 0 && days == 365:
		return v.T("milestone.year")
	case days%365 == 0:
		return v.T("milestone.years", days/365)
	}
	return v.T("milestone.days", days)
}

func (s *server) exportJSON(w http.ResponseWriter, r *http.Request, sess *session) {
	doc, err := sess.acct.Export(s.cfg.Name)
	if err == nil {
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetIndent("", "  ")
		if err = enc.Encode(doc); err == nil {
			download(w, "application/json; charset=utf-8", "hearth-checkins.json", buf.Bytes())
			return
		}
	}
	s.accountFailed(w, r, sess, "export check-ins", err)
}

func (s *server) exportCSV(w http.ResponseWriter, r *http.Request, sess *session) {
	checkIns, err := sess.acct.CheckIns()
	if err == nil {
		var buf bytes.Buffer
		if err = members.ExportCSV(&buf, checkIns); err == nil {
			download(w, "text/csv; charset=utf-8", "hearth-checkins.csv", buf.Bytes())
			return
		}
	}
	s.accountFailed(w, r, sess, "export check-ins", err)
}

// download sends a file to be saved, not shown.
func download(w http.ResponseWriter, contentType, name string, body []byte) {
	h := w.Header()
	h.Set("Content-Type", contentType)
	h.Set("Content-Disposition", `attachment; filename="`+name+`"`)
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.Write(body)
}

func (s *server) eraseForm(w http.ResponseWriter, r *http.Request, sess *session) {
	v := s.memberView(w, r, sess, "erase.title")
	v.Data = eraseData{Passphrase: r.URL.Query().Get("pass") == "1"}
	s.render(w, r, http.StatusOK, "erase", v)
}

// eraseData is the erase page's own data.
type eraseData struct {
	Passphrase bool // show a text keyboard rather than digits
}

// eraseAgain sends the member back to the erase form with what was wrong.
func (s *server) eraseAgain(w http.ResponseWriter, r *http.Request, sess *session, errKey string) {
	sess.flashError = errKey
	target := "/me/erase"
	if r.PostFormValue("pass") == "1" {
		target += "?pass=1"
	}
	http.Redirect(w, r, target, http.StatusSeeOther)
}

// erase deletes the member's account and everything they wrote, then signs
// out every session of it. It asks for the PIN again: a session left open
// on a shared phone, or a form some other page managed to post, must not
// be enough to destroy a member's history. The PIN check is an attempt
// like a sign-in, counted and limited the same way.
func (s *server) erase(w http.ResponseWriter, r *http.Request, sess *session) {
	if r.PostFormValue("confirm") != "1" {
		http.Redirect(w, r, "/me/erase", http.StatusSeeOther)
		return
	}
	pin := r.PostFormValue("pin")
	if pin == "" {
		s.eraseAgain(w, r, sess, "erase.needpin")
		return
	}
	if _, err := s.unlock(w, r, sess.nick, pin); err != nil {
		if errors.Is(err, members.ErrWrongPIN) {
			s.eraseAgain(w, r, sess, "erase.wrongpin")
		}
		return
	}
	if err := sess.acct.Erase(); err != nil && !errors.Is(err, members.ErrErased) {
		s.accountFailed(w, r, sess, "erase account", err)
		return
	}
	s.session.endAll(sess.nick)
	s.clearSessionCookie(w)
	s.notify(w, r, "erased.text")
	http.Redirect(w, r, "/", http.StatusSeeOther)
}
