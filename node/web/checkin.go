package web

import (
	"context"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"

	"hearth/node"
	"hearth/node/finder"
	"hearth/node/members"
	"hearth/node/problem"
)

// commonTriggers are the trigger tags offered as check boxes, stored by these
// keys (so a member's history reads the same in any language) and shown
// through the "trigger.KEY" strings. Anything else a member types is kept as
// typed.
var commonTriggers = []string{
	"stress", "lonely", "tired", "angry", "bored", "sad", "pain", "money",
	"conflict", "people", "places", "celebration",
}

// checkinData is the check-in form, with what the member entered if it is
// shown again after a mistake.
type checkinData struct {
	Mood         int
	Craving      string // "" = not answered, else "0".."10"
	Used         bool
	Triggers     []choice
	TriggerOther string
	Meetings     []choice
	Note         string
	Unsafe       bool
	NoteMax      int
}

// choice is one option of a check box list or select.
type choice struct {
	Value, Label string
	Checked      bool
}

func (s *server) checkinForm(w http.ResponseWriter, r *http.Request, sess *session) {
	v := s.newView(w, r, "checkin.title")
	v.CSRF = sess.csrf
	v.Data = s.checkinData(r.Context(), v, members.CheckIn{})
	s.render(w, r, http.StatusOK, "checkin", v)
}

// checkinData fills the form from a check-in (empty for a new one).
func (s *server) checkinData(ctx context.Context, v *view, c members.CheckIn) *checkinData {
	d := &checkinData{Mood: c.Mood, Used: c.Used, Note: c.Note, Unsafe: c.Unsafe, NoteMax: members.MaxNoteBytes}
	if c.Craving != nil {
		d.Craving = strconv.Itoa(*c.Craving)
	}
	var other []string
	for _, key := range commonTriggers {
		d.Triggers = append(d.Triggers, choice{Value: key, Label: v.T("trigger." + key), Checked: slices.Contains(c.Triggers, key)})
	}
	for _, t := range c.Triggers {
		if !slices.Contains(commonTriggers, t) {
			other = append(other, t)
		}
	}
	d.TriggerOther = strings.Join(other, ", ")
	d.Meetings = s.recentMeetings(ctx, v, c.Meeting)
	return d
}

// recentMeetings are the meetings a member may just have been to: those on
// yesterday's and today's weekday (in the hub's zone), this hub's first.
func (s *server) recentMeetings(ctx context.Context, v *view, selected string) []choice {
	today := finder.Day(s.now().In(s.zone).Weekday())
	var ms []node.Meeting
	for _, day := range []finder.Day{today, (today + 6) % 7} {
		found, err := s.n.Meetings(ctx, finder.Query{Day: &day, Limit: 30})
		if err != nil {
			s.log.Warn("web: meetings for check-in", "err", err)
			continue
		}
		ms = append(ms, found...)
	}
	seen := map[string]bool{}
	var out []choice
	for _, m := range ms {
		if seen[m.ID] {
			continue
		}
		seen[m.ID] = true
		label := m.Name
		if m.Day != nil {
			label = dayShort(v, *m.Day) + " " + m.Time + " · " + m.Name
		}
		out = append(out, choice{Value: m.ID, Label: label, Checked: m.ID == selected})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Label < out[j].Label })
	return out
}

// Problems of the check-in form itself; what a check-in may hold is the
// members package's to say (members.ErrInvalidCheckIn).
var (
	errUnreadableForm = problem.Define("badform.text", "a number in the form is not a number")
	errNoSuchMeeting  = problem.Define("checkin.badmeeting", "the meeting is not one this hub lists")
)

// checkin saves a check-in. A mistake gets one line in the member's
// language and the form back as they filled it; nothing is stored unless
// all of it is right.
func (s *server) checkin(w http.ResponseWriter, r *http.Request, sess *session) {
	v := s.newView(w, r, "checkin.title")
	v.CSRF = sess.csrf
	c, err := s.readCheckIn(r)
	if err == nil {
		var saved members.CheckIn
		if saved, err = sess.acct.AddCheckIn(c); err == nil {
			if saved.Unsafe {
				// Not a redirect: the crisis lines must be on the very next
				// screen, with no extra round trip on a slow link.
				v.Title = v.T("unsafe.title")
				v.Data = crisisLines(s.cfg.Help.CrisisLines)
				s.attachPlan(v, sess)
				s.render(w, r, http.StatusOK, "unsafe", v)
				return
			}
			http.Redirect(w, r, "/me?saved=1", http.StatusSeeOther)
			return
		}
	}
	p := problemOf(err, nil)
	if p == nil {
		s.accountFailed(w, r, sess, "save check-in", err)
		return
	}
	v.Error = v.Problem(p)
	v.Data = s.checkinData(r.Context(), v, c)
	s.render(w, r, http.StatusUnprocessableEntity, "checkin", v)
}

// readCheckIn reads the posted form into a check-in, which
// Account.AddCheckIn then checks. Its errors are the form's own: a number
// that is not one, a meeting this hub does not list.
func (s *server) readCheckIn(r *http.Request) (c members.CheckIn, err error) {
	f := r.PostForm
	c.At = s.now()
	c.Used = f.Get("used") == "1"
	c.Unsafe = f.Get("unsafe") == "1"
	c.Note = strings.TrimSpace(strings.ReplaceAll(f.Get("note"), "\r\n", "\n"))
	c.Meeting = strings.TrimSpace(f.Get("meeting"))
	for _, t := range f["trigger"] {
		if slices.Contains(commonTriggers, t) && !slices.Contains(c.Triggers, t) {
			c.Triggers = append(c.Triggers, t)
		}
	}
	for t := range strings.SplitSeq(f.Get("trigger_other"), ",") {
		if t = strings.TrimSpace(t); t != "" {
			c.Triggers = append(c.Triggers, t)
		}
	}
	if m := f.Get("mood"); m != "" { // none chosen: Mood 0, which AddCheckIn names
		if c.Mood, err = strconv.Atoi(m); err != nil {
			return c, errUnreadableForm
		}
	}
	if cr := f.Get("craving"); cr != "" {
		n, err := strconv.Atoi(cr)
		if err != nil {
			return c, errUnreadableForm
		}
		c.Craving = &n
	}
	if c.Meeting != "" {
		m, err := s.n.Meeting(r.Context(), c.Meeting)
		if err != nil {
			return c, errNoSuchMeeting
		}
		c.Meeting = m.ID
	}
	return c, nil
}
