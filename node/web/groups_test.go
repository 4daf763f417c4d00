package web

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"hearth/node/members"
	"hearth/protocol"
)

// planForm is the plan's whole form: every step, as a member fills it.
func planForm(steps map[members.PlanStep]string) url.Values {
	f := url.Values{}
	for _, s := range members.PlanSteps {
		f.Set(string(s), steps[s])
	}
	return f
}

func TestSafetyPlanPage(t *testing.T) {
	t.Parallel()
	th := newTestHub(t, nil)
	th.addMember("river", "246813")
	c := th.client()
	// Signed out, the plan's address asks for a sign-in and comes back.
	res := c.get("/me/plan")
	wantStatus(t, res, http.StatusUnauthorized)
	wantBody(t, res, `name="next" value="/me/plan"`)
	c.signIn("river", "246813")

	res = c.get("/me/plan")
	wantStatus(t, res, http.StatusOK)
	wantBody(t, res, "You have no plan yet", `href="/me/plan/edit"`, `href="/me/plan">My plan</a>`)
	res = c.get("/me/plan/edit")
	wantBody(t, res, "Warning signs that a hard time is coming", `name="ask"`, `maxlength="1000"`)

	res = c.post("/me/plan/edit", "/me/plan", planForm(map[members.PlanStep]string{
		members.StepWarningSigns: "can't sleep\r\nskipping meals",
		members.StepAsk:          "Mum 0722 123 456\r\nJoy, my sponsor: +254 20 272 6300",
		members.StepSafer:        "give the pills to Joy; since 2019",
	}))
	wantStatus(t, res, http.StatusSeeOther)
	if loc := res.Header.Get("Location"); loc != "/me/plan?saved=1" {
		t.Errorf("after saving: to %q", loc)
	}
	res = c.get("/me/plan?saved=1")
	wantBody(t, res, "Your plan is saved.", "can&#39;t sleep", "skipping meals",
		`href="tel:0722123456">Mum 0722 123 456</a>`, `href="tel:&#43;254202726300"`,
		"This hub&#39;s crisis lines:", `href="tel:116123"`, // the hub's lines, under the plan's crisis step
		`media="print" href="/static/plan-print.css?v=`)
	// A line of a step of things, not people, is not a call, digits or no.
	if strings.Contains(res.body, "tel:2019") {
		t.Error("a year became a phone number")
	}

	// A copy to keep: plain text, every step, the hub's lines too.
	res = c.get("/me/plan.txt")
	wantStatus(t, res, http.StatusOK)
	if ct := res.Header.Get("Content-Type"); ct != "text/plain; charset=utf-8" || !strings.Contains(res.Header.Get("Content-Disposition"), "safety-plan.txt") {
		t.Errorf("download: %s, %s", ct, res.Header.Get("Content-Disposition"))
	}
	wantBody(t, res, "My safety plan · river · Hearth\r\n", "1. Warning signs that a hard time is coming\r\n   - can't sleep\r\n",
		"   - Mum 0722 123 456\r\n", "6. Crisis lines\r\n   - Samaritans: 116 123\r\n")

	// Too long: the member's words come back with one line that says so,
	// in their language, and nothing is changed.
	c.lang = "es"
	long := strings.Repeat("palabra ", 130)
	res = c.post("/me/plan/edit", "/me/plan", planForm(map[members.PlanStep]string{members.StepAlone: long, members.StepAsk: "someone new"}))
	wantStatus(t, res, http.StatusUnprocessableEntity)
	wantBody(t, res, "«Cosas que puedo hacer yo solo o sola para calmarme» tiene más de 1000 letras", "palabra palabra", "someone new")
	c.lang = ""
	res = c.get("/me/plan")
	if strings.Contains(res.body, "someone new") || !strings.Contains(res.body, "Mum 0722") {
		t.Error("a refused plan changed what was stored")
	}
	// Without its token, nothing.
	res = c.do(http.MethodPost, "/me/plan", planForm(nil))
	wantStatus(t, res, http.StatusForbidden)
	if !strings.Contains(c.get("/me/plan").body, "Mum 0722") {
		t.Error("a form without its token cleared the plan")
	}
	// The plan's form may be longer than other forms, not without bound.
	res = c.do(http.MethodPost, "/me/plan", url.Values{"alone": {strings.Repeat("x", planFormBytes)}})
	wantStatus(t, res, http.StatusRequestEntityTooLarge)
}

// After an unsafe check-in, the member's plan comes first, above the
// crisis lines; with a buddy, a button asks them for a call.
func TestUnsafeCheckInShowsPlanFirst(t *testing.T) {
	t.Parallel()
	th := newTestHub(t, nil)
	th.addMember("river", "246813")
	c := th.client()
	c.signIn("river", "246813")
	// No plan: the page as before, with nothing above the lines.
	res := c.follow(c.post("/checkin", "/checkin", url.Values{"mood": {"1"}, "unsafe": {"1"}}))
	wantStatus(t, res, http.StatusOK)
	if strings.Contains(res.body, "plan-now") {
		t.Error("an empty plan is shown")
	}
	c.post("/me/plan/edit", "/me/plan", planForm(map[members.PlanStep]string{
		members.StepWarningSigns: "pacing at night",
		members.StepAsk:          "Mum 0722 123 456",
	}))
	res = c.follow(c.post("/checkin", "/checkin", url.Values{"mood": {"1"}, "unsafe": {"1"}}))
	wantStatus(t, res, http.StatusOK)
	plan, sign, mum, lines := strings.Index(res.body, "Your safety plan"), strings.Index(res.body, "pacing at night"),
		strings.Index(res.body, `href="tel:0722123456"`), strings.Index(res.body, "Samaritans: 116 123")
	if plan < 0 || sign < plan || mum < sign || lines < mum {
		t.Errorf("plan at %d, its lines at %d and %d, the crisis lines at %d: want the plan first\n%s", plan, sign, mum, lines, clip(res.body))
	}
	if strings.Count(res.body, "Samaritans: 116 123") != 1 {
		t.Error("the hub's lines are shown twice")
	}
	if strings.Contains(res.body, "Nothing here yet") || strings.Contains(res.body, "Making my place safer") {
		t.Error("the crisis page shows the plan's empty steps")
	}
	if strings.Contains(res.body, "/me/buddies/ask") {
		t.Error("a member with no buddy is offered to ask one")
	}
}

// pairOnPage makes ana and ben buddies through the page, from two phones.
func pairOnPage(t *testing.T, th *testHub) (ana, ben *client) {
	t.Helper()
	th.addMember("ana", "428613")
	th.addMember("ben", "573920")
	ana, ben = th.client(), th.client()
	ben.remote = "192.0.2.2:40000"
	ana.signIn("ana", "428613")
	ben.signIn("ben", "573920")
	res := ana.post("/me/buddies", "/me/buddies/offer", nil)
	wantStatus(t, res, http.StatusSeeOther)
	code := regexp.MustCompile(`<p class="code">([A-Z0-9-]+)</p>`).FindStringSubmatch(ana.get("/me/buddies").body)
	if code == nil {
		t.Fatal("no code on ana's page")
	}
	res = ben.post("/me/buddies", "/me/buddies/take", url.Values{"code": {strings.ToLower(code[1])}})
	wantStatus(t, res, http.StatusOK)
	wantBody(t, res, "This code is from ana.", `name="confirm" value="1"`)
	res = ben.post("/me/buddies", "/me/buddies/take", url.Values{"code": {code[1]}, "confirm": {"1"}})
	wantStatus(t, res, http.StatusSeeOther)
	return ana, ben
}

func TestBuddiesOnThePage(t *testing.T) {
	t.Parallel()
	th := newTestHub(t, nil)
	ana, ben := pairOnPage(t, th)
	res := ben.get("/me/buddies?done=added")
	wantBody(t, res, "You are buddies now.", "ana has not checked in yet.", "End the link with ana")
	wantBody(t, ana.get("/me/buddies"), "ben has not checked in yet.")

	ana.post("/checkin", "/checkin", url.Values{"mood": {"3"}})
	wantBody(t, ben.get("/me"), "ana last checked in today.", "My week")

	// Ana chooses two quiet days; three days on, ben's page says to reach
	// out, in his language.
	res = ana.post("/me/buddies", "/me/buddies/settings", url.Values{"quiet": {"2"}})
	wantStatus(t, res, http.StatusSeeOther)
	th.clock.Add(3 * 24 * time.Hour)
	ben.signIn("ben", "573920")
	wantBody(t, ben.get("/me"), `<p class="alert" role="status">Haven&#39;t heard from ana in 3 days: reach out.</p>`)
	ben.lang = "es"
	wantBody(t, ben.get("/me/buddies"), "No sabes nada de ana desde hace 3 días: búscale.")
	ben.lang = ""

	// Ana asks for a call.
	ana.signIn("ana", "428613")
	res = ana.post("/me/buddies", "/me/buddies/ask", url.Values{"ask": {"1"}})
	wantStatus(t, res, http.StatusSeeOther)
	wantBody(t, ana.get(res.Header.Get("Location")), "Your buddies will see that you would like a call.")
	wantBody(t, ben.get("/me"), "ana asked for a call (today at ")

	// A wrong code: said plainly, what was typed kept.
	res = ben.post("/me/buddies", "/me/buddies/take", url.Values{"code": {"2345-6789"}})
	wantStatus(t, res, http.StatusUnprocessableEntity)
	wantBody(t, res, "That code does not work.", `value="2345-6789"`)

	// Ben ends it: at once, for both.
	link := regexp.MustCompile(`name="link" value="([0-9a-f]+)"`).FindStringSubmatch(ben.get("/me/buddies").body)
	res = ben.post("/me/buddies", "/me/buddies/end", url.Values{"link": {link[1]}})
	wantStatus(t, res, http.StatusSeeOther)
	wantBody(t, ben.get("/me/buddies?done=ended"), "The link has ended.", "No buddy yet.")
	res = ana.get("/me/buddies")
	wantBody(t, res, "A buddy link has ended.", "No buddy yet.")
	if strings.Contains(res.body, "ben") {
		t.Error("ana still sees ben after he ended the link")
	}
}

// A buddy sees nothing a check-in says, nor the plan, nor the meetings:
// on every page they can open.
func TestBuddySeesNoContent(t *testing.T) {
	t.Parallel()
	th := newTestHub(t, nil)
	m := th.addMeeting(protocol.Listing{Name: "Secret Tuesday Circle", Day: intp(2), Time: "19:00", Location: "Hall"})
	ana, ben := pairOnPage(t, th)
	ana.post("/me/plan/edit", "/me/plan", planForm(map[members.PlanStep]string{members.StepWarningSigns: "PLANLINE-51c"}))
	ana.post(meetingURL(m.ID), "/me/meetings", url.Values{"id": {m.ID}, "mine": {"1"}})
	ana.post("/checkin", "/checkin", url.Values{
		"mood": {"1"}, "craving": {"9"}, "used": {"1"}, "unsafe": {"1"}, "trigger": {"lonely"},
		"trigger_other": {"TRIGGER-51c"}, "note": {"NOTE-51c relapsed"}, "meeting": {m.ID},
	})
	for _, page := range []string{"/me", "/me/buddies", "/me/meetings", "/me/plan", "/api/v1/me/checkins", "/me/export.json"} {
		res := ben.get(page)
		wantStatus(t, res, http.StatusOK)
		// Ben has never checked in: a point on his charts (r="4", a mood)
		// could only be hers. The charts' axes name the mood words, so the
		// words themselves are no test.
		for _, s := range []string{"51c", "relapsed", "Secret Tuesday", `r="4"`, "craving 9", "Lonely", "I did not feel safe"} {
			if strings.Contains(res.body, s) {
				t.Errorf("ben's %s shows %q", page, s)
			}
		}
	}
	// What he does see: her name and a day.
	wantBody(t, ben.get("/me/buddies"), "ana last checked in today.")
}

func TestMyMeetingsAndCalendarFeed(t *testing.T) {
	t.Parallel()
	th := newTestHub(t, nil)
	// The clock is Tuesday 1 December 2026, 18:00 in London.
	tue := th.addMeeting(protocol.Listing{Name: "Tuesday Hope", Day: intp(2), Time: "19:30", EndTime: "20:30", Location: "Hall", Address: "1 High Street"})
	fri := th.addMeeting(protocol.Listing{Name: "Friday Steps", Day: intp(5), Time: "18:00", Location: "Hall", Address: "1 High Street"})
	th.addMember("river", "246813")
	c := th.client()
	// Signed out, a meeting's page offers nothing of "my meetings".
	if res := c.get(meetingURL(tue.ID)); strings.Contains(res.body, "/me/meetings") {
		t.Error("a signed-out page offers my meetings")
	}
	c.signIn("river", "246813")
	res := c.get(meetingURL(fri.ID))
	wantBody(t, res, "Add to my meetings")
	if cc := res.Header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("a meeting's page with the member's list: Cache-Control %q", cc)
	}
	for _, m := range []string{fri.ID, tue.ID} {
		res = c.post(meetingURL(m), "/me/meetings", url.Values{"id": {m}, "mine": {"1"}})
		wantStatus(t, res, http.StatusSeeOther)
		if loc := res.Header.Get("Location"); loc != meetingURL(m) {
			t.Errorf("after marking: to %q", loc)
		}
	}
	wantBody(t, c.get(meetingURL(tue.ID)), "This is one of your meetings.", "Take off my meetings")
	// Not a meeting this hub lists: nothing marked.
	res = c.post(meetingURL(tue.ID), "/me/meetings", url.Values{"id": {"nohub/nothing"}, "mine": {"1"}})
	wantStatus(t, res, http.StatusNotFound)

	// /me: the next first (tonight's), and the week's line from check-ins.
	res = c.get("/me")
	wantBody(t, res, "No meetings yet this week.", "Tuesday Hope", "Friday Steps")
	if strings.Index(res.body, "Tuesday Hope") > strings.Index(res.body, "Friday Steps") {
		t.Error("/me does not show the next meeting first")
	}
	c.post("/checkin", "/checkin", url.Values{"mood": {"4"}, "meeting": {tue.ID}})
	wantBody(t, c.get("/me"), "1 meeting this week.")
	c.lang = "fr"
	wantBody(t, c.get("/me/meetings"), "1 réunion cette semaine.")
	c.lang = ""

	// The calendar file, and the address a calendar app follows.
	res = c.get("/me/meetings.ics")
	wantStatus(t, res, http.StatusOK)
	wantBody(t, res, "SUMMARY:Tuesday Hope", "SUMMARY:Friday Steps", "RRULE:FREQ=WEEKLY")
	if strings.Count(res.body, "BEGIN:VTIMEZONE") != 1 {
		t.Error("one zone, not one VTIMEZONE")
	}
	res = c.post("/me/meetings", "/me/meetings/feed", nil)
	wantStatus(t, res, http.StatusSeeOther)
	res = c.get("/me/meetings")
	feed := regexp.MustCompile(`value="http://127\.0\.0\.1:7777(/feed/[A-Za-z0-9_-]{43}\.ics)"`).FindStringSubmatch(res.body)
	if feed == nil {
		t.Fatalf("no feed address on the page\n%s", clip(res.body))
	}
	wantBody(t, res, `href="webcal://127.0.0.1:7777`+feed[1]+`"`)
	app := th.client() // a calendar app: no cookie, another address
	app.remote = "198.51.100.7:5000"
	res = app.get(feed[1])
	wantStatus(t, res, http.StatusOK)
	wantBody(t, res, "SUMMARY:Tuesday Hope", "SUMMARY:Friday Steps")
	if ct, cc := res.Header.Get("Content-Type"), res.Header.Get("Cache-Control"); ct != "text/calendar; charset=utf-8" || cc != "no-store" {
		t.Errorf("feed: %s, %s", ct, cc)
	}
	// Marking changes what the feed says.
	c.post("/me/meetings", "/me/meetings", url.Values{"id": {fri.ID}, "mine": {"0"}, "back": {"list"}})
	if res = app.get(feed[1]); strings.Contains(res.body, "Friday Steps") {
		t.Error("the feed still has a meeting taken off")
	}
	// Guesses, and a stopped address, find nothing.
	for _, bad := range []string{"/feed/x.ics", "/feed/" + strings.Repeat("A", 43) + ".ics", strings.TrimSuffix(feed[1], ".ics")} {
		wantStatus(t, app.get(bad), http.StatusNotFound)
	}
	c.post("/me/meetings", "/me/meetings/feed", url.Values{"stop": {"1"}})
	wantStatus(t, app.get(feed[1]), http.StatusNotFound)
	if strings.Contains(c.get("/me/meetings").body, "/feed/") {
		t.Error("a stopped address is still shown")
	}
	// Erasing the member takes a new address with it.
	c.post("/me/meetings", "/me/meetings/feed", nil)
	feed = regexp.MustCompile(`(/feed/[A-Za-z0-9_-]{43}\.ics)`).FindStringSubmatch(c.get("/me/meetings").body)
	wantStatus(t, app.get(feed[1]), http.StatusOK)
	res = c.follow(c.post("/me/erase", "/me/erase", url.Values{"confirm": {"1"}, "pin": {"246813"}}))
	wantStatus(t, res, http.StatusOK)
	wantStatus(t, app.get(feed[1]), http.StatusNotFound)
}

// Phone numbers in a plan become buttons to call; other digits do not.
func TestPhoneIn(t *testing.T) {
	t.Parallel()
	for line, want := range map[string]string{
		"Mum 0722 123 456":               "tel:0722123456",
		"Dr Osei +254 20 272 6300 (day)": "tel:+254202726300",
		"call 116 123":                   "tel:116123",
		"Joy (0722) 000-111":             "tel:0722000111",
		"the clinic on 5th street":       "",
		"since 2019":                     "",
		"12 34":                          "",
		"a line with no number":          "",
	} {
		if got := string(phoneIn(line)); got != want {
			t.Errorf("%q: %q, want %q", line, got, want)
		}
	}
}

// Every form of these pages needs the session's own token, like every
// other member form: without it nothing changes.
func TestGroupFormsNeedTheirToken(t *testing.T) {
	t.Parallel()
	th := newTestHub(t, nil)
	m := th.addMeeting(protocol.Listing{Name: "Tuesday Hope", Day: intp(2), Time: "19:30", Location: "Hall"})
	ana, _ := pairOnPage(t, th)
	for path, form := range map[string]url.Values{
		"/me/plan":             planForm(map[members.PlanStep]string{members.StepAlone: "walk"}),
		"/me/buddies/offer":    {},
		"/me/buddies/cancel":   {},
		"/me/buddies/take":     {"code": {"2345-6789"}},
		"/me/buddies/end":      {"link": {"00"}},
		"/me/buddies/settings": {"quiet": {"0"}},
		"/me/buddies/ask":      {"ask": {"1"}},
		"/me/meetings":         {"id": {m.ID}, "mine": {"1"}},
		"/me/meetings/feed":    {},
	} {
		form.Set("csrf", randomToken())
		wantStatus(t, ana.do(http.MethodPost, path, form), http.StatusForbidden)
	}
	res := ana.get("/me/buddies")
	if strings.Contains(res.body, `class="code"`) || strings.Contains(res.body, "You asked") || !strings.Contains(res.body, "ben has not checked in") {
		t.Errorf("forms without their token changed the buddies page:\n%s", clip(res.body))
	}
	if res := ana.get("/me/meetings"); strings.Contains(res.body, "Tuesday Hope") || strings.Contains(res.body, "/feed/") {
		t.Error("forms without their token changed my meetings")
	}
	if res := ana.get("/me/plan"); !strings.Contains(res.body, "You have no plan yet") {
		t.Error("a form without its token wrote a plan")
	}
}

// Erasing everything on the page ends every buddy link at once: the buddy
// sees it ended, and nothing of the erased member is left to show.
func TestEraseEndsBuddyLinks(t *testing.T) {
	t.Parallel()
	th := newTestHub(t, nil)
	ana, ben := pairOnPage(t, th)
	ana.post("/checkin", "/checkin", url.Values{"mood": {"3"}})
	wantBody(t, ben.get("/me/buddies"), "ana last checked in today.")
	res := ana.follow(ana.post("/me/erase", "/me/erase", url.Values{"confirm": {"1"}, "pin": {"428613"}}))
	wantStatus(t, res, http.StatusOK)
	res = ben.get("/me/buddies")
	wantBody(t, res, "A buddy link has ended.", "No buddy yet.")
	if strings.Contains(res.body, "ana") {
		t.Error("ben still sees ana after her erasure")
	}
	// The nickname made again is someone new: no link, nothing inherited.
	th.addMember("ana", "730518")
	again := th.client()
	again.signIn("ana", "730518")
	wantBody(t, again.get("/me/buddies"), "No buddy yet.")
}

// A line of a plan becomes a link to dial only as a tel: of a dialler's
// characters, with six to fifteen digits.
func FuzzPhoneIn(f *testing.F) {
	for _, s := range []string{"Mum 0722 123 456", "+254 (20) 272-6300", "javascript:alert(1) 123456", "1.2.3.4.5.6"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		tel := string(phoneIn(line))
		if tel == "" {
			return
		}
		number, ok := strings.CutPrefix(tel, "tel:")
		digits := 0
		for _, r := range number {
			if r >= '0' && r <= '9' {
				digits++
			}
		}
		if !ok || strings.Trim(number, "0123456789+") != "" || digits < 6 || digits > 15 {
			t.Fatalf("%q gave %q", line, tel)
		}
	})
}
