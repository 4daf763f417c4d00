package web

import (
	"bytes"
	"fmt"
	"html/template"
	"net/http"
	"regexp"
	"strings"
	"time"

	"hearth/node/finder"
	"hearth/node/members"
)

// The member's safety plan: /me/plan shows it (and prints it), /me/plan/edit
// changes it, /me/plan.txt is a copy to keep on the phone for when the hub
// is out of reach. The crisis page shows it first, above the crisis lines.

// planFormBytes caps the plan's form: seven steps of up to
// members.MaxPlanStepChars characters each, in any script, percent-encoded
// (up to 12 bytes a character), with room to spare. Every other form keeps
// maxFormBytes.
const planFormBytes = 96 << 10

// planView is a plan as the page shows it.
type planView struct {
	Steps    []planStepView // every step, in order
	Empty    bool
	Updated  string // the date it was last changed, in words
	HubLines []crisisLine
	PrintCSS string
	// Brief: only the steps with lines, and not the hub's crisis lines
	// (the crisis page shows those itself, right below).
	Brief bool

	v *view
}

// T translates in the page's language, for parts/groups.html.
func (p *planView) T(key string, args ...any) string { return p.v.T(key, args...) }

// planStepView is one step of the plan, shown or edited.
type planStepView struct {
	Key    string
	Number int
	Title  string
	Hint   string
	Lines  []planLine
	Text   string // the step as the edit form's text box holds it
	Crisis bool   // the crisis-lines step: the hub's lines are shown with it
}

// planLine is one line of a step; Tel dials the phone number in it, if
// the step is one of people or services to call and the line has one.
type planLine struct {
	Text string
	Tel  template.URL
}

// callSteps are the steps whose lines are people or services to call.
var callSteps = map[members.PlanStep]bool{
	members.StepPeoplePlaces: true, members.StepAsk: true, members.StepProfessionals: true, members.StepCrisisLines: true,
}

// phonePattern finds a phone number in a line as members write them:
// "Mum 0722 123 456", "Dr Osei +254 20 272 6300", "call 116 123".
var phonePattern = regexp.MustCompile(`\+?\d[\d ().-]{4,}\d`)

// phoneIn is the tel: link of the first phone number in a line: at least
// six digits, so a year or a house number is not taken for one.
func phoneIn(line string) template.URL {
	for _, m := range phonePattern.FindAllString(line, -1) {
		digits := 0
		for _, r := range m {
			if r >= '0' && r <= '9' {
				digits++
			}
		}
		if digits >= 6 && digits <= 15 {
			return telURL(m)
		}
	}
	return ""
}

// planViewOf is the plan in the view's words.
func (s *server) planViewOf(v *view, p members.SafetyPlan) *planView {
	pv := &planView{Empty: p.Empty(), HubLines: crisisLines(s.cfg.Help.CrisisLines), PrintCSS: s.static.url("plan-print.css"), v: v}
	if !p.Updated.IsZero() {
		pv.Updated = dateFull(v, p.Updated.In(s.zone))
	}
	for i, step := range members.PlanSteps {
		sv := planStepView{
			Key: string(step), Number: i + 1, Title: v.T(step.MessageKey()), Hint: v.T("plan.hint." + string(step)),
			Crisis: step == members.StepCrisisLines,
		}
		for _, line := range p.Steps[step] {
			pl := planLine{Text: line}
			if callSteps[step] {
				pl.Tel = phoneIn(line)
			}
			sv.Lines = append(sv.Lines, pl)
		}
		sv.Text = strings.Join(p.Steps[step], "\n")
		pv.Steps = append(pv.Steps, sv)
	}
	return pv
}

// planPageData is the plan page and its edit form.
type planPageData struct {
	Plan     *planView
	MaxChars int
}

func (s *server) planPage(w http.ResponseWriter, r *http.Request, sess *session) {
	v := s.newView(w, r, "plan.title")
	v.CSRF = sess.csrf
	if r.URL.Query().Get("saved") == "1" {
		v.Flash = v.T("plan.saved")
	}
	p, err := sess.acct.SafetyPlan()
	if err != nil {
		s.accountFailed(w, r, sess, "read safety plan", err)
		return
	}
	v.Data = planPageData{Plan: s.planViewOf(v, p)}
	s.render(w, r, http.StatusOK, "plan", v)
}

func (s *server) planEditForm(w http.ResponseWriter, r *http.Request, sess *session) {
	v := s.newView(w, r, "plan.edittitle")
	v.CSRF = sess.csrf
	p, err := sess.acct.SafetyPlan()
	if err != nil {
		s.accountFailed(w, r, sess, "read safety plan", err)
		return
	}
	v.Data = planPageData{Plan: s.planViewOf(v, p), MaxChars: members.MaxPlanStepChars}
	s.render(w, r, http.StatusOK, "planedit", v)
}

// savePlan stores the whole plan from its form. A step against the rules
// gets one line in the member's words and the form back as they typed it;
// nothing is stored unless all of it is right.
func (s *server) savePlan(w http.ResponseWriter, r *http.Request, sess *session) {
	edit := members.PlanEdit{}
	typed := members.SafetyPlan{Steps: map[members.PlanStep][]string{}}
	for _, step := range members.PlanSteps {
		text := r.PostFormValue(string(step))
		edit[step] = []string{text}
		typed.Steps[step] = []string{strings.ReplaceAll(text, "\r\n", "\n")}
	}
	_, err := sess.acct.EditSafetyPlan(edit)
	if err == nil {
		http.Redirect(w, r, "/me/plan?saved=1", http.StatusSeeOther)
		return
	}
	p := problemOf(err, nil)
	if p == nil {
		s.accountFailed(w, r, sess, "save safety plan", err)
		return
	}
	v := s.newView(w, r, "plan.edittitle")
	v.CSRF = sess.csrf
	v.Error = v.Problem(p)
	v.Data = planPageData{Plan: s.planViewOf(v, typed), MaxChars: members.MaxPlanStepChars}
	s.render(w, r, http.StatusUnprocessableEntity, "planedit", v)
}

// planText is the plan as a text file to keep on the phone: readable with
// no hub, no network and no browser.
func (s *server) planText(w http.ResponseWriter, r *http.Request, sess *session) {
	p, err := sess.acct.SafetyPlan()
	if err != nil {
		s.accountFailed(w, r, sess, "read safety plan", err)
		return
	}
	v := s.newView(w, r, "plan.title")
	pv := s.planViewOf(v, p)
	var b bytes.Buffer
	fmt.Fprintf(&b, "%s · %s · %s\n", v.T("plan.title"), sess.nick, v.HubName)
	if pv.Updated != "" {
		fmt.Fprintf(&b, "%s\n", v.T("plan.updated", pv.Updated))
	}
	for _, step := range pv.Steps {
		fmt.Fprintf(&b, "\n%d. %s\n", step.Number, step.Title)
		for _, l := range step.Lines {
			fmt.Fprintf(&b, "   - %s\n", l.Text)
		}
		if step.Crisis {
			for _, l := range pv.HubLines {
				fmt.Fprintf(&b, "   - %s\n", strings.TrimPrefix(l.Name+": "+l.Number, ": "))
			}
		}
		if len(step.Lines) == 0 && !step.Crisis {
			b.WriteString("   -\n")
		}
	}
	fmt.Fprintf(&b, "\n%s\n", v.T("footer.peer"))
	// Windows' Notepad and old phones read CRLF; everything reads it.
	body := bytes.ReplaceAll(b.Bytes(), []byte("\n"), []byte("\r\n"))
	download(w, "text/plain; charset=utf-8", "safety-plan.txt", body)
}

// attachPlan gives the crisis page the member's plan, to show first, and
// whether they have a buddy to ask for a call. A session that ended, or a
// plan that cannot be read now, leaves the page as it is: the crisis lines
// must show whatever else fails.
func (s *server) attachPlan(v *view, sess *session) {
	if sess == nil {
		return
	}
	g := &groupsView{}
	if p, err := sess.acct.SafetyPlan(); err != nil {
		s.log.Warn("web: safety plan for the crisis page", "err", err)
	} else if !p.Empty() {
		g.Plan = s.planViewOf(v, p)
		g.Plan.Brief = true
	}
	if bs, err := sess.acct.Buddies(); err == nil {
		g.CanAsk, g.Asked = len(bs.Buddies) > 0, bs.AskedForCall
	}
	v.Groups = g
}

// formLimit is how many bytes a POST to path may carry.
func formLimit(path string) int64 {
	if path == "/me/plan" {
		return planFormBytes
	}
	return maxFormBytes
}

// dayWords says how long ago a day was: "today", "yesterday", "4 days ago".
func dayWords(v *view, days int) string {
	switch days {
	case 0:
		return v.T("days.today")
	case 1:
		return v.T("days.yesterday")
	}
	return v.T("days.ago", days)
}

// clockWords says when something happened lately: "today at 18:05",
// "yesterday at 09:10", "3 days ago".
func clockWords(v *view, t time.Time) string {
	local := t.In(v.zone)
	switch days := finder.DaysBetween(local, v.now.In(v.zone)); days {
	case 0:
		return v.T("days.todayat", local.Format("15:04"))
	case 1:
		return v.T("days.yesterdayat", local.Format("15:04"))
	default:
		return dayWords(v, days)
	}
}
