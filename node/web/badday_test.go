package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"hearth/node"
	"hearth/node/members"
	"hearth/protocol"
)

// Tests of the member page on a bad day (issue 11, "Failures found"): each
// failed on the code before its fix.

func floatp(f float64) *float64 { return &f }

// Item 4: a meeting not meeting for now is labelled plainly, comes last,
// and offers no time, calendar, map or address to walk to; an online
// meeting whose building is closed shows no building.
func TestClosedMeetingsDoNotLookAttendable(t *testing.T) {
	t.Parallel()
	th := newTestHub(t, nil) // Tuesday 18:00 in London
	open := th.addMeeting(protocol.Listing{Name: "Open Door", Day: intp(2), Time: "19:00", Address: "1 Open Street", City: "Brighton",
		Latitude: floatp(50.82), Longitude: floatp(-0.14)})
	shut := th.addMeeting(protocol.Listing{Name: "Shut Hall", Day: intp(2), Time: "18:30", Address: "9 Shut Street", City: "Brighton",
		Location: "Shut Hall", Latitude: floatp(50.83), Longitude: floatp(-0.13), Types: []string{"TC", "O"}})
	moved := th.addMeeting(protocol.Listing{Name: "Online While Closed", Day: intp(2), Time: "18:15", Address: "7 Closed Street",
		Location: "Old Chapel", City: "Hove", Region: "Hove", Latitude: floatp(50.83), Longitude: floatp(-0.17), Types: []string{"TC"},
		ConferenceURL: "https://meet.jit.si/closed", ConferencePhone: "+16699006833,,85512345678#,,,,*123456#"})
	th.addMeeting(protocol.Listing{Name: "No Way In", Day: intp(2), Time: "18:10", Region: "Brighton"})
	c := th.client()

	res := c.get("/meetings")
	wantStatus(t, res, http.StatusOK)
	order := []string{"Online While Closed", "Open Door", "No Way In", "Shut Hall"}
	last := -1
	for _, name := range order {
		i := strings.Index(res.body, name)
		if i < last {
			t.Errorf("%q is out of order: want %v", name, order)
		}
		last = i
	}
	if strings.Contains(res.body, "Today 18:30") || strings.Contains(res.body, "Today 18:10") {
		t.Error("a meeting not meeting for now is listed with a time to come")
	}
	if strings.Count(res.body, "Not meeting for now") != 2 {
		t.Errorf("the two meetings not meeting for now are not labelled so:\n%s", clip(res.body))
	}
	if strings.Contains(res.body, "Old Chapel") {
		t.Error("the list names the closed building of an online meeting")
	}

	res = c.get(meetingURL(shut.ID))
	wantStatus(t, res, http.StatusOK)
	wantBody(t, res, "This group is not meeting for now", "It used to meet every Tuesday, 18:30.")
	for _, gone := range []string{".ics", "Add to my calendar", "geo:", "Next:", "9 Shut Street", "Open in my map app"} {
		if strings.Contains(res.body, gone) {
			t.Errorf("the page of a meeting not meeting for now offers %q", gone)
		}
	}
	wantStatus(t, c.get(meetingURL(shut.ID)+".ics"), http.StatusNotFound)

	res = c.get(meetingURL(moved.ID))
	wantBody(t, res, "Join online", "Its building is closed for now", "Add to my calendar",
		`<a class="dial" href="tel:&#43;16699006833,,85512345678#,,,,*123456#">&#43;16699006833</a>`,
		"When it answers, enter 85512345678#, *123456#.")
	for _, gone := range []string{"7 Closed Street", "Old Chapel", "geo:"} {
		if strings.Contains(res.body, gone) {
			t.Errorf("an online meeting at a closed building shows %q", gone)
		}
	}
	if strings.Contains(res.body, ">&#43;16699006833,,") {
		t.Error("the raw dial string is shown as the number to call")
	}

	res = c.get(meetingURL(open.ID))
	wantBody(t, res, "Add to my calendar", "geo:", "1 Open Street")

	// The API says the same: the page's attendance, no next for the shut.
	res = c.get("/api/v1/meetings")
	var ms []node.APIMeeting
	if err := json.Unmarshal([]byte(res.body), &ms); err != nil {
		t.Fatal(err)
	}
	for _, m := range ms {
		want := map[string]string{"Open Door": "in_person", "Shut Hall": "inactive", "Online While Closed": "online", "No Way In": "inactive"}[m.Name]
		if m.Attendance != want || (want == "inactive") != (m.Next == nil) {
			t.Errorf("API: %s attendance %q next %v, want %q", m.Name, m.Attendance, m.Next, want)
		}
	}

	// Spanish says it plainly too.
	c.lang = "es"
	res = c.get(meetingURL(shut.ID))
	wantBody(t, res, "Este grupo no se reúne por ahora")
}

// Item 1: a check-in written slowly, with "I don't feel safe" ticked, and
// sent after the idle sign-out: the crisis lines come first, what was
// written is kept for the sign-in and saved by it, once, with the time it
// was sent.
func TestIdleSignOutKeepsTheCheckIn(t *testing.T) {
	t.Parallel()
	th := newTestHub(t, nil)
	th.addMember("river", "246813")
	c := th.client()
	c.signIn("river", "246813")
	page := c.get("/checkin").body
	form := url.Values{"csrf": {csrfOf(page)}, "form": {formOf(page)}, "mood": {"1"}, "craving": {"9"},
		"unsafe": {"1"}, "note": {"Writing this slowly. It is 2 a.m. and the house is quiet."}}
	th.clock.Add(th.cfg.Web.SessionIdle.D() + 5*time.Minute) // writing slowly
	sentAt := th.clock.Now()

	res := c.do(http.MethodPost, "/checkin", form)
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/signin" {
		t.Fatalf("a check-in sent after the idle sign-out: %d to %q", res.StatusCode, res.Header.Get("Location"))
	}
	res = c.follow(res)
	wantStatus(t, res, http.StatusOK)
	wantBody(t, res, "You are not alone", "Samaritans: 116 123", `href="tel:999"`,
		"You were signed out before your check-in was saved. It is kept on this hub until", `name="pin"`)
	if strings.Index(res.body, "Samaritans") > strings.Index(res.body, `name="pin"`) {
		t.Error("the sign-in form comes before the crisis lines")
	}
	// The same form sent again (a double tap, Back and Send) is kept once.
	c.do(http.MethodPost, "/checkin", form)

	res = c.follow(c.post("/signin", "/signin", url.Values{"nick": {"river"}, "pin": {"246813"}}))
	wantBody(t, res, "You are not alone", "Samaritans: 116 123", "Your check-in is saved")
	var got []members.ExportedCheckIn
	if err := json.Unmarshal([]byte(c.get("/api/v1/me/checkins").body), &got); err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].Note != form.Get("note") || !got[0].Unsafe || got[0].Mood != 1 || !got[0].At.Equal(sentAt.Truncate(time.Millisecond)) && !got[0].At.Equal(sentAt) {
		t.Fatalf("saved at sign-in: %+v (sent at %v)", got, sentAt)
	}
	// Back to the old form and Send again: saved already, not refused and
	// not saved twice.
	res = c.do(http.MethodPost, "/checkin", form)
	if loc := res.Header.Get("Location"); res.StatusCode != http.StatusSeeOther || loc != "/crisis?saved=1" {
		t.Errorf("the old form sent again: %d to %q", res.StatusCode, loc)
	}
	if n := strings.Count(c.get("/api/v1/me/checkins").body, `"id"`); n != 1 {
		t.Errorf("%d check-ins after sending one form three times", n)
	}
	// Nothing is left waiting.
	if body := c.get("/signin").body; strings.Contains(body, "kept on this hub") {
		t.Error("the saved check-in is still said to be waiting")
	}
}

// Item 1, in Spanish, and for a check-in that is not unsafe: the sign-in
// page says it is kept, with no crisis lines forced on the member.
func TestIdleSignOutKeepsTheCheckInEs(t *testing.T) {
	t.Parallel()
	th := newTestHub(t, nil)
	th.addMember("rio", "246813")
	c := th.client()
	c.lang = "es"
	c.signIn("rio", "246813")
	page := c.get("/checkin").body
	th.clock.Add(th.cfg.Web.SessionIdle.D() + time.Minute)
	res := c.follow(c.do(http.MethodPost, "/checkin", url.Values{"csrf": {csrfOf(page)}, "form": {formOf(page)}, "mood": {"4"}, "note": {"Fui a la reunión."}}))
	wantBody(t, res, "Se cerró tu sesión antes de guardar tu registro", "Entrar y guardar mi registro")
	if strings.Contains(res.body, "No estás solo") {
		t.Error("crisis lines for a check-in that did not ask for them")
	}
	res = c.follow(c.post("/signin", "/signin", url.Values{"nick": {"rio"}, "pin": {"246813"}}))
	wantBody(t, res, "Fui a la reunión.", "Guardado")
}

// A kept check-in is saved to the account whose session it came from,
// never to another member who signs in on the same phone; its member can
// still sign in there and save it.
func TestHeldCheckInGoesOnlyToItsMember(t *testing.T) {
	t.Parallel()
	th := newTestHub(t, nil)
	th.addMember("river", "246813")
	th.addMember("sky", "864213")
	c := th.client()
	c.signIn("river", "246813")
	page := c.get("/checkin").body
	th.clock.Add(th.cfg.Web.SessionIdle.D() + time.Minute)
	c.do(http.MethodPost, "/checkin", url.Values{"csrf": {csrfOf(page)}, "form": {formOf(page)}, "mood": {"2"}, "note": {"river's words"}})

	res := c.follow(c.post("/signin", "/signin", url.Values{"nick": {"sky"}, "pin": {"864213"}}))
	wantBody(t, res, "is kept for their account. It was not saved to yours.")
	if body := c.get("/api/v1/me/checkins").body; strings.Contains(body, "river") {
		t.Fatalf("another member's check-in was saved to sky: %s", body)
	}
	c.post("/me", "/signout", nil)
	c.signIn("river", "246813")
	if body := c.get("/api/v1/me/checkins").body; !strings.Contains(body, "river's words") {
		t.Errorf("river's kept check-in was not saved at river's sign-in: %s", body)
	}
}

// A form sent with a session the hub no longer knows (it restarted) is kept
// too, and saved at a sign-in from the same address only: a cookie planted
// on another machine's browser cannot put words in a member's history.
func TestHeldAfterRestart(t *testing.T) {
	t.Parallel()
	th := newTestHub(t, nil)
	th.addMember("river", "246813")
	c := th.client()
	c.signIn("river", "246813")
	page := c.get("/checkin").body
	th.h = Handler(th.n, Options{Logger: testLogger(t), Now: th.clock.Now}) // a restart: every session gone
	c.do(http.MethodPost, "/checkin", url.Values{"csrf": {csrfOf(page)}, "form": {formOf(page)}, "mood": {"3"}, "note": {"after the restart"}})

	planted := th.client()
	planted.remote = "198.51.100.7:4000"
	planted.cookies[pendingCookie] = c.cookies[pendingCookie]
	planted.signIn("river", "246813")
	if body := planted.get("/api/v1/me/checkins").body; strings.Contains(body, "after the restart") {
		t.Fatalf("a form kept for one address was saved from another: %s", body)
	}
	c.signIn("river", "246813")
	if body := c.get("/api/v1/me/checkins").body; !strings.Contains(body, "after the restart") {
		t.Errorf("the form kept across the restart was not saved: %s", body)
	}
}

// The hub keeps at most web.held_forms forms; past that, the member is
// given their words back, with the crisis lines if they asked for them.
func TestHeldFormsBounded(t *testing.T) {
	t.Parallel()
	th := newTestHub(t, func(c *node.Config) { c.Web.HeldForms = 2 })
	th.addMember("river", "246813")
	send := func(remote, note string) *response {
		c := th.client()
		c.remote = remote
		c.signIn("river", "246813")
		page := c.get("/checkin").body
		th.clock.Add(th.cfg.Web.SessionIdle.D() + time.Second)
		return c.do(http.MethodPost, "/checkin", url.Values{"csrf": {csrfOf(page)}, "form": {formOf(page)}, "mood": {"1"}, "unsafe": {"1"}, "note": {note}})
	}
	wantStatus(t, send("192.0.2.1:1", "first"), http.StatusSeeOther)
	wantStatus(t, send("192.0.2.2:1", "second"), http.StatusSeeOther)
	res := send("192.0.2.3:1", "third, with nowhere to go")
	wantStatus(t, res, http.StatusServiceUnavailable)
	wantBody(t, res, "Samaritans: 116 123", "Your check-in could not be kept", "third, with nowhere to go")
}

// The kept form is sealed with a key the hub does not keep: its memory
// holds no word of it, and another token cannot open it.
func TestHeldFormSealed(t *testing.T) {
	t.Parallel()
	token := randomToken()
	note := "a note nobody else may read"
	sealed, err := sealForm(token, "river", heldForm{Path: "/checkin", Form: url.Values{"note": {note}}, At: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(sealed.box), "nobody else") {
		t.Fatal("the sealed form holds the note in clear")
	}
	if _, err := sealed.open(randomToken()); err == nil {
		t.Fatal("another token opened the form")
	}
	f, err := sealed.open(token)
	if err != nil || f.Form.Get("note") != note {
		t.Fatalf("open: %+v %v", f, err)
	}
}

// Item 2: every form answers with a redirect to a page of its own (POST,
// redirect, GET), so Back and reload never resend a form or show a
// browser's "Confirm Form Resubmission"; a check-in form saves once
// however often it is sent.
func TestPostRedirectGetEverywhere(t *testing.T) {
	t.Parallel()
	th := newTestHub(t, func(c *node.Config) { c.Members.SelfSignup = true })
	th.addMember("river", "246813")
	c := th.client()
	for _, tc := range []struct {
		what       string
		from, post string
		form       url.Values
		to         string
	}{
		{"sign-in, wrong PIN", "/signin", "/signin", url.Values{"nick": {"river"}, "pin": {"000000"}}, "/signin"},
		{"sign-in, nothing typed", "/signin", "/signin", url.Values{}, "/signin"},
		{"sign-up, PINs differ", "/signup", "/signup", url.Values{"nick": {"sky"}, "pin": {"246813"}, "pin2": {"246812"}}, "/signup"},
		{"sign-in", "/signin", "/signin", url.Values{"nick": {"river"}, "pin": {"246813"}}, "/checkin"},
		{"check-in with a mistake", "/checkin", "/checkin", url.Values{"craving": {"4"}}, "/checkin"},
		{"check-in", "/checkin", "/checkin", url.Values{"mood": {"3"}}, "/me?saved=1"},
		{"unsafe check-in", "/checkin", "/checkin", url.Values{"mood": {"1"}, "unsafe": {"1"}}, "/crisis?saved=1"},
		{"sober-since date", "/me", "/me", url.Values{"sober_since": {"2026-11-01"}}, "/me"},
		{"sober-since date in the future", "/me", "/me", url.Values{"sober_since": {"2027-01-01"}}, "/me"},
		{"erase, wrong PIN", "/me/erase", "/me/erase", url.Values{"confirm": {"1"}, "pin": {"000000"}}, "/me/erase"},
		{"sign-out", "/me", "/signout", url.Values{}, "/"},
	} {
		res := c.post(tc.from, tc.post, tc.form)
		if loc := res.Header.Get("Location"); res.StatusCode != http.StatusSeeOther || loc != tc.to {
			t.Errorf("%s: %d to %q, want 303 to %q", tc.what, res.StatusCode, loc, tc.to)
		}
	}
	// The page after a mistake has the form as it was sent, and the error.
	c.signIn("river", "246813")
	page := c.get("/checkin").body
	form := url.Values{"csrf": {csrfOf(page)}, "form": {formOf(page)}, "craving": {"7"}, "note": {"almost lost this"}}
	res := c.follow(c.do(http.MethodPost, "/checkin", form))
	wantBody(t, res, "Please choose one of the five faces", "almost lost this", `id="craving7" name="craving" value="7" checked`)
	if formOf(res.body) != form.Get("form") {
		t.Error("the form after a mistake has a new token: sending it twice would save twice")
	}
	// Sent twice (a double tap, a reload of an old page): saved once.
	form.Set("mood", "2")
	before := strings.Count(c.get("/api/v1/me/checkins").body, `"id"`)
	for range 3 {
		wantStatus(t, c.do(http.MethodPost, "/checkin", form), http.StatusSeeOther)
	}
	if after := strings.Count(c.get("/api/v1/me/checkins").body, `"id"`); after != before+1 {
		t.Errorf("one form sent three times made %d check-ins", after-before)
	}
	// The crisis page is a page of its own, whoever asks.
	res = th.client().get("/crisis")
	wantStatus(t, res, http.StatusOK)
	wantBody(t, res, "You are not alone", "Samaritans: 116 123")
	if strings.Contains(res.body, "Your check-in is saved") {
		t.Error("the crisis page tells a visitor a check-in is saved")
	}
}

var formPattern = regexp.MustCompile(`name="form" value="([^"]+)"`)

// formOf is the check-in form's token on a page.
func formOf(body string) string {
	if m := formPattern.FindStringSubmatch(body); m != nil {
		return m[1]
	}
	return ""
}

// Item 5: a search says how many meetings truly match, spells itself out
// with each filter removable in one tap, pages through them all, and, with
// nothing found, says what each filter costs.
func TestSearchResultsTellTheTruth(t *testing.T) {
	t.Parallel()
	th := newTestHub(t, nil)
	for i := range 98 {
		th.addMeeting(protocol.Listing{Name: fmt.Sprintf("Reunión %02d", i), Day: intp(2), Time: fmt.Sprintf("%02d:%02d", 17+i%4, i%60),
			Language: "es", Address: "1 Calle Mayor", Region: "Brighton"})
	}
	th.addMeeting(protocol.Listing{Name: "English Morning", Day: intp(2), Time: "08:00", Language: "en", Address: "2 High St", Region: "Brighton"})
	th.addMeeting(protocol.Listing{Name: "Wednesday Evening", Day: intp(3), Time: "19:00", Language: "es", Address: "3 High St", Region: "Brighton"})
	c := th.client()

	res := c.get("/meetings?day=2&time=evening&language=es&attendance=")
	wantStatus(t, res, http.StatusOK)
	wantBody(t, res, "98 meetings found", "Showing 1 to 40 of 98", "Page 1 of 3",
		`aria-label="Remove: Tuesday"`, `aria-label="Remove: Evening"`, `aria-label="Remove: Español"`)
	if n := strings.Count(res.body, `class="meeting"`); n != 40 {
		t.Errorf("page 1 lists %d meetings, want 40", n)
	}
	removeDay := regexp.MustCompile(`<a href="([^"]*)" aria-label="Remove: Tuesday"`).FindStringSubmatch(res.body)
	if removeDay == nil || strings.Contains(removeDay[1], "day=") || !strings.Contains(removeDay[1], "language=es") {
		t.Fatalf("the link that removes the day: %v", removeDay)
	}
	next := regexp.MustCompile(`rel="next" href="([^"]*)"`).FindStringSubmatch(res.body)
	if next == nil {
		t.Fatal("no link to the next page")
	}
	nextURL, _, _ := strings.Cut(strings.ReplaceAll(next[1], "&amp;", "&"), "#") // a browser keeps the fragment
	res = c.get(nextURL)
	wantBody(t, res, "Showing 41 to 80 of 98", "Page 2 of 3", `rel="prev"`)
	res = c.get("/meetings?day=2&time=evening&language=es&page=3")
	wantBody(t, res, "Showing 81 to 98 of 98", "Page 3 of 3")
	if strings.Contains(res.body, `rel="next"`) {
		t.Error("the last page links to a next one")
	}
	seen := map[string]bool{}
	for p := 1; p <= 3; p++ {
		body := c.get(fmt.Sprintf("/meetings?day=2&time=evening&language=es&page=%d", p)).body
		for _, m := range regexp.MustCompile(`<strong>(Reunión \d+)</strong>`).FindAllStringSubmatch(body, -1) {
			seen[m[1]] = true
		}
	}
	if len(seen) != 98 {
		t.Errorf("the three pages list %d different meetings, want all 98", len(seen))
	}

	// Without the day, the one on Wednesday joins them.
	res = c.get(strings.ReplaceAll(removeDay[1], "&amp;", "&"))
	wantBody(t, res, "99 meetings found")

	// Nothing found: each filter says how many there are without it.
	res = c.get("/meetings?day=2&time=morning&language=es")
	wantBody(t, res, "No meetings found", "No meeting matches all of these. Remove one to see more:",
		"Tuesday<span aria-hidden=\"true\"> ✕</span> <span class=\"without\">(0 without it)</span>",
		"Morning<span aria-hidden=\"true\"> ✕</span> <span class=\"without\">(98 without it)</span>",
		"Español<span aria-hidden=\"true\"> ✕</span> <span class=\"without\">(1 without it)</span>")

	c.lang = "es"
	res = c.get("/meetings?day=2&time=evening&language=es")
	wantBody(t, res, "98 reuniones encontradas", "Página 1 de 3", `aria-label="Quitar: martes"`)
}

// Item 6: mood and craving in two charts on the same days, told apart by
// shape as well as colour, with a line and a date each week, and said in
// words for everyone.
func TestChartReadsInShapesAndWords(t *testing.T) {
	t.Parallel()
	th := newTestHub(t, nil) // Tuesday 1 December 2026, 18:00 in London
	th.addMember("river", "246813")
	acct, err := th.n.Members().Unlock(t.Context(), "river", "246813")
	if err != nil {
		t.Fatal(err)
	}
	now := th.clock.Now()
	add := func(daysAgo, mood, craving int, used bool) {
		t.Helper()
		if _, err := acct.AddCheckIn(members.CheckIn{At: now.AddDate(0, 0, -daysAgo), Mood: mood, Craving: &craving, Used: used}); err != nil {
			t.Fatal(err)
		}
	}
	add(10, 2, 7, true) // last week
	add(9, 2, 5, false)
	add(2, 3, 3, false) // this week
	add(1, 3, 2, false)
	add(0, 4, 1, false)
	c := th.client()
	c.signIn("river", "246813")
	res := c.get("/me")
	wantStatus(t, res, http.StatusOK)
	wantBody(t, res, `<p id="chart-summary">Check-ins this week: 3. Mood mostly okay. Craving about 2 of 10, lower than last week (6).</p>`,
		`aria-describedby="chart-summary"`, ">Very good<", ">Very low<", ">10<", ">0<",
		">3 Nov<", ">10 Nov<", ">17 Nov<", ">24 Nov<", ">Today<")
	if n := strings.Count(res.body, `<svg class="chart"`); n != 2 {
		t.Errorf("%d charts, want two (mood, craving)", n)
	}
	mood, craving, _ := strings.Cut(res.body[strings.Index(res.body, `id="chart-mood-t"`):], `id="chart-craving-t"`)
	if strings.Count(mood, "<circle") != 5 || strings.Contains(mood, "<rect") {
		t.Errorf("the mood chart does not mark each of 5 days with a circle:\n%s", mood)
	}
	if strings.Count(craving, "<rect") != 5 || strings.Contains(craving[:strings.Index(craving, "</svg>")], "<circle") {
		t.Errorf("the craving chart does not mark each of 5 days with a square")
	}
	if !strings.Contains(craving, `fill="#5b3f8c"`) {
		t.Error("the day the member used is not marked")
	}

	c.lang = "es"
	wantBody(t, c.get("/me"), "Registros esta semana: 3. Ánimo casi siempre: regular. Ganas de unos 2 sobre 10, menos que la semana pasada (6).", ">3 nov<")
}

// Item 7: on a family phone (one address), a member who keeps getting
// their own PIN wrong is held by their nickname's lock, not the phone's:
// the next member signs in at once.
func TestLockoutDoesNotBlockTheFamilyPhone(t *testing.T) {
	t.Parallel()
	th := newTestHub(t, nil)
	th.addMember("amani", "246813")
	th.addMember("baraka", "864213")
	phone := th.client()
	for range 3 * signinRule.allowed {
		res := phone.post("/signin", "/signin", url.Values{"nick": {"amani"}, "pin": {"000000"}})
		if res.StatusCode != http.StatusSeeOther && res.StatusCode != http.StatusTooManyRequests {
			t.Fatalf("a wrong PIN: status %d", res.StatusCode)
		}
	}
	phone.signIn("baraka", "864213")
}

// A check-in that says the member is not safe, refused for its token (a
// page from another sign-in), still shows the crisis lines.
func TestRefusedUnsafeCheckInShowsTheCrisisLines(t *testing.T) {
	t.Parallel()
	th := newTestHub(t, nil)
	th.addMember("river", "246813")
	c := th.client()
	c.signIn("river", "246813")
	res := c.do(http.MethodPost, "/checkin", url.Values{"csrf": {randomToken()}, "mood": {"1"}, "unsafe": {"1"}})
	wantStatus(t, res, http.StatusForbidden)
	wantBody(t, res, "Samaritans: 116 123", "Form not accepted")
}

// Item 7: a hub whose operator set no crisis lines shows no made-up number:
// every page that would show them says they are not set, and what to call.
func TestNoCrisisLinesSaysSo(t *testing.T) {
	t.Parallel()
	th := newTestHub(t, func(c *node.Config) { c.Help.CrisisLines = node.DefaultConfig().Help.CrisisLines })
	c := th.client()
	for _, path := range []string{"/help", "/crisis"} {
		res := c.get(path)
		wantStatus(t, res, http.StatusOK)
		wantBody(t, res, "The person who runs this hub has not set its crisis lines yet", "local emergency number")
		if strings.Contains(res.body, `href="tel:`) {
			t.Errorf("%s offers a number the operator never set", path)
		}
	}
}
