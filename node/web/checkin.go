package web

import (
	"context"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

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

// formField names the check-in form's own token: a random value each
// form carries, so the same form sent twice (a double tap, Back and Send
// again, a form kept while signed out and saved at sign-in) is saved once.
const formField = "form"

// savedForms is how many check-in forms a session remembers as saved.
const savedForms = 16

// draft is a check-in form sent with something wrong in it, kept in the
// session so the form comes back as the member filled it, after a
// redirect, and on every reload until it is saved.
type draft struct {
	form    url.Values
	problem *problem.Error
}

// savedForm is a check-in form a session saved: its token, and whether it
// said the member was not safe (what its page was).
type savedForm struct {
	id     string
	unsafe bool
}

// checkinData is the check-in form, with what the member entered if it is
// shown again after a mistake.
type checkinData struct {
	FormID       string
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
	v := s.memberView(w, r, sess, "checkin.title")
	form := url.Values{}
	if sess.draft != nil {
		form = sess.draft.form
		v.Error = v.Problem(sess.draft.problem)
	}
	v.Data = s.checkinData(r.Context(), v, form)
	s.render(w, r, http.StatusOK, "checkin", v)
}

// checkinData fills the form from a form as sent (empty for a new one),
// with a new token unless it has one.
func (s *server) checkinData(ctx context.Context, v *view, f url.Values) *checkinData {
	d := &checkinData{
		FormID: f.Get(formField), Used: f.Get("used") == "1", Unsafe: f.Get("unsafe") == "1",
		Note: f.Get("note"), TriggerOther: f.Get("trigger_other"), NoteMax: members.MaxNoteBytes,
	}
	if !validToken(d.FormID) {
		d.FormID = randomToken()
	}
	if m, err := strconv.Atoi(f.Get("mood")); err == nil && m >= 1 && m <= 5 {
		d.Mood = m
	}
	if c, err := strconv.Atoi(f.Get("craving")); err == nil && c >= 0 && c <= 10 {
		d.Craving = strconv.Itoa(c)
	}
	for _, key := range commonTriggers {
		d.Triggers = append(d.Triggers, choice{Value: key, Label: v.T("trigger." + key), Checked: slices.Contains(f["trigger"], key)})
	}
	d.Meetings = s.recentMeetings(ctx, v, f.Get("meeting"))
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

// checkin saves a check-in and answers with a redirect whatever happens
// (POST, redirect, GET): Back or reload never sends it again, and never
// shows a browser's "Confirm Form Resubmission" instead of a page.
func (s *server) checkin(w http.ResponseWriter, r *http.Request, sess *session) {
	target, err := s.saveCheckIn(r.Context(), sess, r.PostForm, s.now())
	if err != nil {
		s.accountFailed(w, r, sess, "save check-in", err)
		return
	}
	http.Redirect(w, r, target, http.StatusSeeOther)
}

// saveCheckIn saves the check-in a form sent at at, once per form token,
// and says where to go next: the crisis lines for a check-in that says
// the member is not safe, their page for any other, the form again (kept
// as a draft, with what is wrong) for a mistake; nothing is stored unless
// all of it is right. An error is the account's (erased, or the hub's
// fault), not the form's.
func (s *server) saveCheckIn(ctx context.Context, sess *session, form url.Values, at time.Time) (string, error) {
	form = maps.Clone(form)
	form.Del(csrfField)
	id := form.Get(formField)
	if done, ok := sess.savedForm(id); ok {
		sess.draft = nil
		return checkinDone(done.unsafe), nil
	}
	c, err := s.readCheckIn(ctx, form, at)
	if err == nil {
		if c, err = sess.acct.AddCheckIn(c); err == nil {
			sess.draft = nil
			if validToken(id) {
				sess.saved = append(sess.saved, savedForm{id: id, unsafe: c.Unsafe})
				if len(sess.saved) > savedForms {
					sess.saved = sess.saved[1:]
				}
			}
			return checkinDone(c.Unsafe), nil
		}
	}
	if p := problemOf(err, nil); p != nil {
		sess.draft = &draft{form: form, problem: p}
		return "/checkin", nil
	}
	return "", err
}

// savedForm is the check-in form with token id, if this session saved it
// (sess.mu held).
func (sess *session) savedForm(id string) (savedForm, bool) {
	if !validToken(id) {
		return savedForm{}, false
	}
	i := slices.IndexFunc(sess.saved, func(f savedForm) bool { return f.id == id })
	if i < 0 {
		return savedForm{}, false
	}
	return sess.saved[i], true
}

// checkinDone is the page after a check-in is saved: the crisis lines
// first if the member said they are not safe.
func checkinDone(unsafe bool) string {
	if unsafe {
		return "/crisis?saved=1"
	}
	return "/me?saved=1"
}

// readCheckIn reads a posted form into a check-in made at at, which
// Account.AddCheckIn then checks. Its errors are the form's own: a number
// that is not one, a meeting this hub does not list.
func (s *server) readCheckIn(ctx context.Context, f url.Values, at time.Time) (c members.CheckIn, err error) {
	c.At = at
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
		m, err := s.n.Meeting(ctx, c.Meeting)
		if err != nil {
			return c, errNoSuchMeeting
		}
		c.Meeting = m.ID
	}
	return c, nil
}

// crisisData is the crisis page's own data: whether the check-in that led
// here is saved.
type crisisData struct {
	Saved bool
}

// crisis serves GET /crisis, the page after a check-in that says the
// member is not safe: public, as the crisis lines are, so it shows them
// whatever the session; a signed-in member who just saved is told so.
func (s *server) crisis(w http.ResponseWriter, r *http.Request) {
	v := s.newView(w, r, "unsafe.title")
	v.Crisis = crisisLines(s.cfg.Help.CrisisLines)
	v.Data = crisisData{Saved: v.SignedIn && r.URL.Query().Get("saved") == "1"}
	if sess := s.requestState(r).sess; sess != nil {
		// The member's own plan comes first, above the hub's lines.
		sess.mu.Lock()
		v.CSRF = sess.csrf // for "ask my buddies to call me"
		s.attachPlan(v, sess)
		sess.mu.Unlock()
	}
	s.render(w, r, http.StatusOK, "unsafe", v)
}
