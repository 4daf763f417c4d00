package web

import (
	"context"
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
	"hearth/protocol/meetingguide/meetingguidetest"
)

// addSampleMeetings adds a small week of meetings: one on now (Tuesday
// 17:55-19:00 London, the clock being 18:00), one later today, one online
// tomorrow, one with its address on request.
func (th *testHub) addSampleMeetings() (onNow, later, online, closed node.Meeting) {
	onNow = th.addMeeting(protocol.Listing{
		Name: "Tuesday Night Hope", Day: intp(2), Time: "17:55", EndTime: "19:00",
		Types: []string{"O", "D"}, Format: protocol.FormatPeerLed, Language: "en",
		Location: "St Mary's Hall", Address: "1 Church Lane", City: "Brighton", Country: "UK", Region: "Brighton",
	})
	later = th.addMeeting(protocol.Listing{
		Name: "Evening Reflections", Day: intp(2), Time: "20:00", EndTime: "21:00",
		Types: []string{"C", "MED"}, Format: protocol.FormatFacilitated, Region: "Hove",
		Location: "Community Centre", Address: "5 High Street", City: "Hove",
	})
	online = th.addMeeting(protocol.Listing{
		Name: "Reunión en línea", Day: intp(3), Time: "07:00", Types: []string{"O"}, Language: "es",
		ConferenceURL: "https://meet.jit.si/hearth-test", ConferencePhone: "+44 20 1234 5678",
	})
	closed = th.addMeeting(protocol.Listing{
		Name: "Family Circle", Day: intp(4), Time: "19:00", Types: []string{"C"}, Region: "Lewes", Focus: "family",
		AddressVisibility: protocol.AddressOnRequest, Email: "family@example.org",
	})
	return onNow, later, online, closed
}

func TestHomeShowsWhatIsOnNowThenNext(t *testing.T) {
	th := newTestHub(t, nil)
	th.addSampleMeetings()
	res := th.client().get("/")
	wantStatus(t, res, http.StatusOK)
	wantBody(t, res, "On now", "Tuesday Night Hope", "Next meetings", "Evening Reflections", "Today 20:00")
	if strings.Index(res.body, "Tuesday Night Hope") > strings.Index(res.body, "Evening Reflections") {
		t.Error("the meeting in progress is not listed first")
	}
}

func TestMeetingPage(t *testing.T) {
	th := newTestHub(t, nil)
	onNow, later, online, closed := th.addSampleMeetings()
	c := th.client()

	res := c.get(meetingURL(onNow.ID))
	wantStatus(t, res, http.StatusOK)
	wantBody(t, res, "Tuesday Night Hope", "Every Tuesday, 17:55–19:00", "Europe/London", "On now",
		"Peer-led self-help group", "anyone may come", "St Mary&#39;s Hall", "1 Church Lane", "Add to my calendar", ".ics")

	res = c.get(meetingURL(later.ID))
	wantBody(t, res, "Facilitated support group", "only for people who have the problem")

	res = c.get(meetingURL(online.ID))
	wantBody(t, res, "Join online", "https://meet.jit.si/hearth-test", `href="tel:&#43;442012345678"`)

	res = c.get(meetingURL(closed.ID))
	wantBody(t, res, "Address on request", "family@example.org", "About: Family and friends")

	// This hub's own meetings also answer to their slug alone.
	res = c.get("/meetings/" + onNow.Slug)
	wantStatus(t, res, http.StatusOK)

	// In Spanish, types come from the Meeting Guide names.
	c.lang = "es"
	res = c.get(meetingURL(onNow.ID))
	wantBody(t, res, `lang="es"`, "Abierta", "Grupo de autoayuda entre pares")
}

func TestUnknownMeetingIsAPlainNotFound(t *testing.T) {
	th := newTestHub(t, nil)
	c := th.client()
	for _, path := range []string{
		"/meetings/" + th.n.ID().String() + "/no-such-meeting",
		"/meetings/" + th.n.ID().String() + "/no-such-meeting.ics",
		"/meetings/not-a-peer/slug",
		"/meetings/no-such-slug",
		"/meetings/a/b/c",
	} {
		res := c.get(path)
		wantStatus(t, res, http.StatusNotFound)
		wantBody(t, res, "Meeting not found", "We could not find that meeting")
	}
	res := c.get("/no/such/page")
	wantStatus(t, res, http.StatusNotFound)
	wantBody(t, res, "Page not found")
}

func TestCheckInBadInputStoresNothing(t *testing.T) {
	th := newTestHub(t, nil)
	th.addMember("river", "246813")
	c := th.client()
	c.signIn("river", "246813")
	cases := []struct {
		name string
		form url.Values
		want string
	}{
		{"no mood", url.Values{}, "Please choose one of the five faces"},
		{"mood 0", url.Values{"mood": {"0"}}, "one of the five faces"},
		{"mood 6", url.Values{"mood": {"6"}}, "must be one of the five faces"},
		{"mood word", url.Values{"mood": {"happy"}}, "could not read what was sent"},
		{"craving -1", url.Values{"mood": {"3"}, "craving": {"-1"}}, "from 0 to 10"},
		{"craving 11", url.Values{"mood": {"3"}, "craving": {"11"}}, "from 0 to 10"},
		{"craving word", url.Values{"mood": {"3"}, "craving": {"lots"}}, "could not read what was sent"},
		{"too many triggers", url.Values{"mood": {"3"}, "trigger_other": {"a,b,c,d,e,f,g,h,i,j,k"}}, "at most 10 things"},
		{"note over 2 KB", url.Values{"mood": {"3"}, "note": {strings.Repeat("é", 1025)}}, "longer than one check-in can keep (about 2,000 letters)"},
		{"unknown meeting", url.Values{"mood": {"3"}, "meeting": {"nope"}}, "could not find that meeting"},
		{"long trigger", url.Values{"mood": {"3"}, "trigger_other": {strings.Repeat("x", 33)}}, "at most 32 letters"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res := c.postAndFollow("/checkin", "/checkin", tc.form)
			wantStatus(t, res, http.StatusOK)
			wantBody(t, res, tc.want)
			// What the member typed comes back, so nothing is lost.
			if note := tc.form.Get("note"); note != "" {
				wantBody(t, res, note[:20])
			}
			if other := tc.form.Get("trigger_other"); other != "" {
				wantBody(t, res, other)
			}
		})
	}
	res := c.get("/api/v1/me/checkins")
	wantStatus(t, res, http.StatusOK)
	if strings.TrimSpace(res.body) != "[]" {
		t.Errorf("after bad check-ins, stored: %s", res.body)
	}
}

func TestCheckInSavesAndShowsHistory(t *testing.T) {
	th := newTestHub(t, nil)
	_, later, _, _ := th.addSampleMeetings()
	th.addMember("river", "246813")
	c := th.client()
	c.signIn("river", "246813")
	note := strings.Repeat("a", members.MaxNoteBytes) // exactly 2 KB is allowed
	res := c.post("/checkin", "/checkin", url.Values{
		"mood": {"4"}, "craving": {"6"}, "used": {"1"}, "trigger": {"lonely", "money", "not-a-key"},
		"trigger_other": {"payday, my ex"}, "meeting": {later.ID}, "note": {note},
	})
	wantStatus(t, res, http.StatusSeeOther)
	if loc := res.Header.Get("Location"); loc != "/me?saved=1" {
		t.Errorf("after saving, sent to %q", loc)
	}
	res = c.get("/me?saved=1")
	wantStatus(t, res, http.StatusOK)
	wantBody(t, res, "Saved. Thank you", "Good", "craving 6 of 10", "I used", "Lonely, Money worries, payday, my ex",
		"Evening Reflections", `<svg class="chart"`, "<circle") // one day is a dot

	var got []members.ExportedCheckIn
	res = c.get("/api/v1/me/checkins")
	if err := json.Unmarshal([]byte(res.body), &got); err != nil || len(got) != 1 {
		t.Fatalf("API check-ins: %v %s", err, res.body)
	}
	if g := got[0]; g.Mood != 4 || g.Craving == nil || *g.Craving != 6 || !g.Used || g.Note != note ||
		strings.Join(g.Triggers, "|") != "lonely|money|payday|my ex" || g.Meeting != later.ID {
		t.Errorf("stored %+v", g)
	}
}

func TestUnsafeCheckInShowsCrisisLinesAtOnce(t *testing.T) {
	th := newTestHub(t, nil)
	th.addMember("river", "246813")
	c := th.client()
	c.signIn("river", "246813")
	res := c.post("/checkin", "/checkin", url.Values{"mood": {"1"}, "unsafe": {"1"}})
	// A redirect to a page of its own, so Back and reload show the lines
	// again, never a browser's "Confirm Form Resubmission".
	if loc := res.Header.Get("Location"); res.StatusCode != http.StatusSeeOther || loc != "/crisis?saved=1" {
		t.Fatalf("after an unsafe check-in: %d to %q", res.StatusCode, loc)
	}
	res = c.follow(res)
	wantStatus(t, res, http.StatusOK)
	wantBody(t, res, "You are not alone", "Samaritans: 116 123", `href="tel:116123"`, "Emergency: 999", "not medical care", "Your check-in is saved")
}

func TestSessionCookieTamperedOrExpired(t *testing.T) {
	th := newTestHub(t, nil)
	th.addMember("river", "246813")

	for _, value := range []string{"garbage", randomToken(), strings.Repeat("A", 43)} {
		c := th.client()
		c.cookies[sessionCookie] = &http.Cookie{Name: sessionCookie, Value: value}
		res := c.get("/me")
		wantStatus(t, res, http.StatusUnauthorized)
		wantBody(t, res, "You are signed out", `name="pin"`)
		if strings.Contains(res.body, "Hello,") {
			t.Error("a tampered cookie reached the member page")
		}
		if _, ok := c.cookies[sessionCookie]; ok {
			t.Error("the tampered cookie was not cleared")
		}
	}

	c := th.client()
	c.signIn("river", "246813")
	wantStatus(t, c.get("/me"), http.StatusOK)
	th.clock.Add(th.cfg.Web.SessionIdle.D() + time.Second)
	res := c.get("/me")
	wantStatus(t, res, http.StatusUnauthorized)
	wantBody(t, res, "You are signed out")

	// A post from an expired session is kept for the next sign-in, which
	// saves it (see badday_test.go for the whole of it).
	c.signIn("river", "246813")
	form := url.Values{"mood": {"3"}, "csrf": {csrfOf(c.get("/checkin").body)}}
	th.clock.Add(th.cfg.Web.SessionIdle.D() + time.Second)
	res = c.do(http.MethodPost, "/checkin", form)
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/signin" {
		t.Fatalf("a post from an expired session: %d to %q", res.StatusCode, res.Header.Get("Location"))
	}
	if body := c.get("/signin").body; !strings.Contains(body, "You were signed out before your check-in was saved") {
		t.Errorf("the sign-in page does not say the check-in is kept:\n%s", clip(body))
	}
	c.signIn("river", "246813")
	if body := c.get("/api/v1/me/checkins").body; !strings.Contains(body, `"mood":3`) {
		t.Errorf("the check-in posted after the session expired was not saved at sign-in: %s", body)
	}
}

func TestForeignHostRefused(t *testing.T) {
	th := newTestHub(t, func(c *node.Config) { c.Web.AllowedHosts = []string{"hearth.lan"} })
	c := th.client()
	for host, want := range map[string]int{
		"127.0.0.1:7777":         http.StatusOK,
		"localhost:7777":         http.StatusOK,
		"[::1]:7777":             http.StatusOK,
		"hearth.lan":             http.StatusOK,
		"HEARTH.LAN.":            http.StatusOK,
		"evil.example":           http.StatusMisdirectedRequest,
		"evil.example:7777":      http.StatusMisdirectedRequest,
		"127.0.0.1.evil.example": http.StatusMisdirectedRequest,
		"":                       http.StatusMisdirectedRequest,
	} {
		c.host = host
		res := c.get("/help")
		if res.StatusCode != want {
			t.Errorf("Host %q: status %d, want %d", host, res.StatusCode, want)
		}
		if want != http.StatusOK {
			wantBody(t, res, "does not answer to the name")
			if res.Header.Get("X-Frame-Options") != "DENY" {
				t.Errorf("Host %q: refusal lacks security headers", host)
			}
		}
	}
}

func TestOversizedForm(t *testing.T) {
	th := newTestHub(t, nil)
	th.addMember("river", "246813")
	c := th.client()
	c.signIn("river", "246813")
	token := csrfOf(c.get("/checkin").body)
	big := url.Values{"csrf": {token}, "mood": {"3"}, "note": {strings.Repeat("x", 20<<10)}}
	res := c.do(http.MethodPost, "/checkin", big)
	wantStatus(t, res, http.StatusRequestEntityTooLarge)
	wantBody(t, res, "more than this page takes", "nothing was saved")

	// Without a Content-Length (chunked), the cap still holds while reading.
	req, _ := http.NewRequest(http.MethodPost, "http://127.0.0.1:7777/checkin", strings.NewReader(big.Encode()))
	req.ContentLength = -1
	req.Host, req.RemoteAddr = c.host, c.remote
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for _, ck := range c.cookies {
		req.AddCookie(ck)
	}
	res = c.send(req)
	wantStatus(t, res, http.StatusRequestEntityTooLarge)
	if body := c.get("/api/v1/me/checkins").body; strings.TrimSpace(body) != "[]" {
		t.Errorf("an oversized form stored a check-in: %s", body)
	}
}

func TestPostWithoutCSRFTokenRefused(t *testing.T) {
	th := newTestHub(t, nil)
	th.addMember("river", "246813")
	c := th.client()

	res := c.do(http.MethodPost, "/signin", url.Values{"nick": {"river"}, "pin": {"246813"}})
	wantStatus(t, res, http.StatusForbidden)
	wantBody(t, res, "Form not accepted", "nothing was saved")
	if _, ok := c.cookies[sessionCookie]; ok {
		t.Fatal("a sign-in without a token made a session")
	}

	c.signIn("river", "246813")
	for _, form := range []url.Values{
		{"mood": {"3"}},
		{"mood": {"3"}, "csrf": {""}},
		{"mood": {"3"}, "csrf": {randomToken()}},
		{"mood": {"3"}, "csrf": {"not-a-token"}},
	} {
		res := c.do(http.MethodPost, "/checkin", form)
		wantStatus(t, res, http.StatusForbidden)
	}
	res = c.do(http.MethodPost, "/me/erase", url.Values{"confirm": {"1"}, "pin": {"246813"}})
	wantStatus(t, res, http.StatusForbidden)
	if body := c.get("/api/v1/me/checkins").body; strings.TrimSpace(body) != "[]" {
		t.Errorf("a post without a token stored a check-in: %s", body)
	}
	wantStatus(t, c.get("/me"), http.StatusOK) // and erase did nothing
}

func TestWrongPINAndUnknownNicknameLookTheSame(t *testing.T) {
	th := newTestHub(t, nil)
	th.addMember("river", "246813")
	c, other := th.client(), th.client()
	wrongPIN := c.post("/signin", "/signin", url.Values{"nick": {"river"}, "pin": {"1111"}})
	unknown := other.post("/signin", "/signin", url.Values{"nick": {"nobody"}, "pin": {"1111"}})
	for _, res := range []*response{wrongPIN, unknown} {
		if loc := res.Header.Get("Location"); res.StatusCode != http.StatusSeeOther || loc != "/signin" {
			t.Errorf("a failed sign-in: %d to %q", res.StatusCode, loc)
		}
		if res.body != wrongPIN.body || len(res.Header) != len(wrongPIN.Header) || len(res.Cookies()) != 1 {
			t.Errorf("the answers differ:\n%v %s\n----\n%v %s", wrongPIN.Header, wrongPIN.body, res.Header, res.body)
		}
	}
	// The pages they lead to differ only in the nickname typed (kept, so
	// the member does not type it again) and each form's fresh token.
	wrongPage, unknownPage := c.follow(wrongPIN), other.follow(unknown)
	wantBody(t, wrongPage, "That nickname and PIN do not match", `value="river"`)
	wantBody(t, unknownPage, `value="nobody"`)
	same := func(body, nick string) string {
		return strings.ReplaceAll(csrfPattern.ReplaceAllString(body, ""), `value="`+nick+`"`, "")
	}
	if same(wrongPage.body, "river") != same(unknownPage.body, "nobody") {
		t.Errorf("the pages differ:\n%s\n----\n%s", wrongPage.body, unknownPage.body)
	}
	if _, ok := c.cookies[sessionCookie]; ok {
		t.Error("a failed sign-in made a session")
	}
}

func TestPINAttemptsLimitedPerClient(t *testing.T) {
	th := newTestHub(t, nil)
	th.addMember("river", "246813")
	c := th.client()
	// Different nicknames, so only the per-client limit can stop this.
	for i := range signinRule.allowed {
		res := c.postAndFollow("/signin", "/signin", url.Values{"nick": {fmt.Sprintf("guess%d", i)}, "pin": {"0000"}})
		wantBody(t, res, "That nickname and PIN do not match")
	}
	res := c.post("/signin", "/signin", url.Values{"nick": {"river"}, "pin": {"246813"}})
	wantStatus(t, res, http.StatusTooManyRequests)
	wantBody(t, res, "Too many tries. Wait a minute and try again.")
	if res.Header.Get("Retry-After") == "" {
		t.Error("no Retry-After")
	}
	// Another phone is not held up.
	other := th.client()
	other.remote = "192.0.2.99:5555"
	other.signIn("river", "246813")
	// After the wait, the right PIN works again.
	th.clock.Add(3 * time.Second)
	c.signIn("river", "246813")
}

func TestSecurityHeadersEverywhere(t *testing.T) {
	th := newTestHub(t, nil)
	onNow, _, _, _ := th.addSampleMeetings()
	th.addMember("river", "246813")
	c := th.client()
	c.signIn("river", "246813")
	paths := []string{"/", "/meetings", "/meetings?day=2", meetingURL(onNow.ID), meetingURL(onNow.ID) + ".ics",
		"/meetings.json", "/help", "/signin", "/checkin", "/me", "/me/export.json", "/me/export.csv", "/me/erase",
		"/static/hearth.css", "/api/v1/status", "/api/v1/meetings", "/api/v1/me/checkins", "/nope"}
	for _, p := range paths {
		res := c.get(p)
		h := res.Header
		for k, want := range map[string]string{
			"Content-Security-Policy": "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
			"X-Frame-Options":         "DENY",
			"X-Content-Type-Options":  "nosniff",
			"Referrer-Policy":         "no-referrer",
		} {
			if got := h.Get(k); got != want {
				t.Errorf("%s: %s = %q, want %q", p, k, got, want)
			}
		}
		if strings.Contains(res.body, "<script") || strings.Contains(res.body, " style=") {
			t.Errorf("%s: has a script or inline style", p)
		}
		if regexp.MustCompile(`(src|href)="(https?:)?//`).MatchString(res.body) && !strings.Contains(p, "/meetings/") {
			t.Errorf("%s: loads or links something from another host", p)
		}
	}
}

func TestMemberPagesAreNotStored(t *testing.T) {
	th := newTestHub(t, func(c *node.Config) { c.Members.SelfSignup = true })
	th.addMember("river", "246813")
	c := th.client()
	for _, p := range []string{"/signin", "/signup"} {
		if cc := c.get(p).Header.Get("Cache-Control"); cc != "no-store" {
			t.Errorf("%s: Cache-Control %q", p, cc)
		}
	}
	c.signIn("river", "246813")
	for _, p := range []string{"/checkin", "/me", "/me/export.json", "/me/export.csv", "/me/erase", "/api/v1/me/checkins"} {
		res := c.get(p)
		wantStatus(t, res, http.StatusOK)
		if cc := res.Header.Get("Cache-Control"); cc != "no-store" {
			t.Errorf("%s: Cache-Control %q", p, cc)
		}
		if res.Header.Get("Content-Encoding") != "" {
			t.Errorf("%s: a member page is compressed", p)
		}
	}
	for _, p := range []string{"/", "/help"} {
		if cc := c.get(p).Header.Get("Cache-Control"); cc == "no-store" {
			t.Errorf("%s: public page is no-store", p)
		}
	}
}

func TestHomePageWeight(t *testing.T) {
	th := newTestHub(t, nil)
	for i := range 12 {
		th.addMeeting(protocol.Listing{
			Name: fmt.Sprintf("A meeting with quite a long name, number %d", i), Day: intp(i % 7), Time: "19:30",
			Types: []string{"O", "D"}, Format: protocol.FormatPeerLed, Location: "The Community Centre on the Hill",
			Address: "12 Long Street Name", City: "Somewhere", Region: "North District",
		})
	}
	c := th.client()
	home := c.get("/")
	wantStatus(t, home, http.StatusOK)
	css := regexp.MustCompile(`href="(/static/[^"]+)"`).FindStringSubmatch(home.body)
	if css == nil {
		t.Fatal("no stylesheet link")
	}
	cssRes := c.get(strings.ReplaceAll(css[1], "&amp;", "&"))
	wantStatus(t, cssRes, http.StatusOK)
	total := len(home.body) + len(cssRes.body)
	t.Logf("home page: HTML %d B + CSS %d B = %d B (limit 30720)", len(home.body), len(cssRes.body), total)
	if total > 30<<10 {
		t.Errorf("home page is %d bytes with its CSS, more than 30 KB", total)
	}
	if cc := cssRes.Header.Get("Cache-Control"); !strings.Contains(cc, "immutable") {
		t.Errorf("versioned CSS: Cache-Control %q", cc)
	}
}

func TestEveryPageHasLang(t *testing.T) {
	th := newTestHub(t, func(c *node.Config) { c.Members.SelfSignup = true })
	onNow, _, _, _ := th.addSampleMeetings()
	th.addMember("river", "246813")
	langAttr := regexp.MustCompile(`<html lang="([a-z]+)">`)
	for _, lang := range []string{"en", "es", "fr"} {
		c := th.client()
		c.lang = lang + ";q=0.9, de;q=0.8"
		pages := []string{"/", "/meetings", "/meetings?day=today&time=evening", meetingURL(onNow.ID), "/help", "/signin", "/signup", "/nope", "/meetings/x/y"}
		check := func(p string) {
			res := c.get(p)
			m := langAttr.FindStringSubmatch(res.body)
			if m == nil || m[1] != lang {
				t.Errorf("%s in %s: lang attribute %v", p, lang, m)
			}
		}
		for _, p := range pages {
			check(p)
		}
		c.signIn("river", "246813")
		for _, p := range []string{"/checkin", "/me", "/me/erase"} {
			check(p)
		}
	}

	// The visible switch sets a cookie that beats Accept-Language.
	c := th.client()
	c.lang = "en"
	res := c.get("/help?lang=fr")
	wantBody(t, res, `<html lang="fr">`, "Aide immédiate")
	res = c.get("/")
	wantBody(t, res, `<html lang="fr">`)
	wantBody(t, res, `href="?lang=es"`)
}

func TestSignupOnlyWhenAllowed(t *testing.T) {
	off := newTestHub(t, nil).client()
	wantStatus(t, off.get("/signup"), http.StatusNotFound)
	wantBody(t, off.get("/signin"), "Ask the person who runs this hub")

	th := newTestHub(t, func(c *node.Config) { c.Members.SelfSignup = true })
	c := th.client()
	res := c.postAndFollow("/signup", "/signup", url.Values{"nick": {"sky"}, "pin": {"1357"}, "pin2": {"1358"}})
	wantBody(t, res, "not the same", `value="sky"`)
	res = c.postAndFollow("/signup", "/signup", url.Values{"nick": {"sky"}, "pin": {"1357"}, "pin2": {"1357"}})
	wantBody(t, res, "The PIN is too short. Use at least 6 digits or letters.")
	res = c.postAndFollow("/signup", "/signup", url.Values{"nick": {"sky"}, "pin": {"123456"}, "pin2": {"123456"}})
	wantBody(t, res, "That PIN is a run (like 123456 or 654321)")
	res = c.post("/signup", "/signup", url.Values{"nick": {"sky"}, "pin": {"135792"}, "pin2": {"135792"}})
	wantStatus(t, res, http.StatusSeeOther)
	wantStatus(t, c.get("/checkin"), http.StatusOK)

	other := th.client()
	other.remote = "192.0.2.50:1"
	res = other.postAndFollow("/signup", "/signup", url.Values{"nick": {"sky"}, "pin": {"975310"}, "pin2": {"975310"}})
	wantBody(t, res, "That nickname is taken")
}

func TestExportAndErase(t *testing.T) {
	th := newTestHub(t, nil)
	th.addMember("river", "246813")
	c := th.client()
	c.signIn("river", "246813")
	wantStatus(t, c.post("/checkin", "/checkin", url.Values{"mood": {"2"}, "craving": {"8"}, "note": {"hard day, kept going"}}), http.StatusSeeOther)
	wantStatus(t, c.post("/me", "/me", url.Values{"sober_since": {"2026-11-01"}}), http.StatusSeeOther)
	res := c.get("/me")
	wantBody(t, res, "<strong>30</strong>", "1 week", "30 days", "Next: 60 days, in 30 days")

	res = c.get("/me/export.json")
	wantStatus(t, res, http.StatusOK)
	if !strings.Contains(res.Header.Get("Content-Disposition"), "attachment") {
		t.Error("JSON export is not a download")
	}
	var doc members.Export
	if err := json.Unmarshal([]byte(res.body), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Nickname != "river" || doc.SoberSince != "2026-11-01" || len(doc.CheckIns) != 1 || doc.CheckIns[0].Note != "hard day, kept going" {
		t.Errorf("export: %+v", doc)
	}
	res = c.get("/me/export.csv")
	wantStatus(t, res, http.StatusOK)
	wantBody(t, res, "hard day, kept going")

	res = c.postAndFollow("/me/erase", "/me/erase", url.Values{"confirm": {"1"}, "pin": {"246813"}})
	wantStatus(t, res, http.StatusOK)
	wantBody(t, res, "gone from this hub")
	for _, p := range []string{"/me", "/me/export.json", "/me/export.csv"} {
		wantStatus(t, c.get(p), http.StatusUnauthorized)
	}
	wantStatus(t, c.get("/api/v1/me/checkins"), http.StatusUnauthorized)
	res = c.postAndFollow("/signin", "/signin", url.Values{"nick": {"river"}, "pin": {"246813"}})
	wantBody(t, res, "That nickname and PIN do not match")
	if _, err := th.n.Members().Unlock(context.Background(), "river", "246813"); err == nil {
		t.Error("the erased account still unlocks")
	}
}

func TestMeetingFilters(t *testing.T) {
	th := newTestHub(t, nil)
	th.addSampleMeetings()
	c := th.client()
	res := c.get("/meetings?attendance=online")
	wantStatus(t, res, http.StatusOK)
	wantBody(t, res, "Reunión en línea")
	if strings.Contains(res.body, "Tuesday Night Hope") {
		t.Error("online filter kept an in-person meeting")
	}
	res = c.get("/meetings?day=today")
	wantBody(t, res, "Tuesday Night Hope", "Evening Reflections")
	if strings.Contains(res.body, "Family Circle") {
		t.Error("today's filter kept Thursday's meeting")
	}
	res = c.get("/meetings?language=es")
	wantBody(t, res, "Reunión en línea")
	res = c.get("/meetings?type=C")
	wantBody(t, res, "Evening Reflections", "Family Circle")
	res = c.get("/meetings?q=reflect")
	wantBody(t, res, "Evening Reflections")

	for _, bad := range []string{"near=somewhere", "near=91,0", "day=funday", "attendance=teleport"} {
		res := c.get("/meetings?" + bad)
		wantStatus(t, res, http.StatusBadRequest)
		wantBody(t, res, `class="error"`)
	}
}

// "Today" is the hub's day on the page, in the JSON API and in the print:
// at 18:00 UTC on Tuesday, a hub in Kiritimati (UTC+14) is on Wednesday.
// Issue 11, item 3: at 23:20 on Tuesday in San Jose, on a machine whose
// clock says Wednesday (UTC), "today" is the hub's Tuesday on the page, the
// API and the print alike; a meeting at 07:00 on Wednesday is "Tomorrow",
// the print for tomorrow is Wednesday's, and a check-in made now is
// Tuesday's, at 23:20.
func TestTodayIsTheHubsDay(t *testing.T) {
	t.Parallel()
	th := newTestHub(t, func(c *node.Config) { c.Listings.DefaultTimezone = "America/Los_Angeles" })
	th.clock.Set(time.Date(2026, 12, 2, 7, 20, 0, 0, time.UTC)) // Tuesday 1 December, 23:20 in San Jose
	la := func(name string, day int, clock string) {
		th.addMeeting(protocol.Listing{Name: name, Day: intp(day), Time: clock, Timezone: "America/Los_Angeles", Address: "1 Main St", City: "San Jose"})
	}
	la("Tuesday Noon", 2, "12:00")
	la("Late Night Tuesday", 2, "23:00") // on now
	la("Wednesday Sunrise", 3, "07:00")
	la("Thursday Lunch", 4, "12:00")
	c := th.client()
	for _, path := range []string{"/meetings?day=today", "/api/v1/meetings?day=today"} {
		res := c.get(path)
		wantStatus(t, res, http.StatusOK)
		wantBody(t, res, "Late Night Tuesday")
		for _, other := range []string{"Tuesday Noon", "Wednesday Sunrise", "Thursday Lunch"} {
			if strings.Contains(res.body, other) {
				t.Errorf("%s lists %q, not on what is left of the hub's Tuesday", path, other)
			}
		}
	}
	res := c.get("/meetings?day=tomorrow")
	wantBody(t, res, "Wednesday Sunrise", "Tomorrow 07:00")
	if strings.Contains(res.body, "Thursday Lunch") || strings.Contains(res.body, "Today 07:00") {
		t.Errorf("tomorrow's search:\n%s", clip(res.body))
	}
	res = c.get("/api/v1/meetings?day=tomorrow")
	wantBody(t, res, "Wednesday Sunrise")
	res = c.get("/meetings/print?day=tomorrow")
	wantBody(t, res, "<h1>Wednesday", "Wednesday Sunrise")
	if strings.Contains(res.body, "<h1>Thursday") {
		t.Error("the print for tomorrow is headed Thursday")
	}
	wantBody(t, c.get("/"), "Tomorrow 07:00")

	// A check-in made now is Tuesday's, at 23:20, on the chart's last day.
	th.addMember("river", "246813")
	c.signIn("river", "246813")
	wantStatus(t, c.post("/checkin", "/checkin", url.Values{"mood": {"3"}}), http.StatusSeeOther)
	res = c.get("/me")
	wantBody(t, res, "1 December, 23:20")
	// A sober-since date may be the hub's today, not its tomorrow.
	wantStatus(t, c.post("/me", "/me", url.Values{"sober_since": {"2026-12-01"}}), http.StatusSeeOther)
	res = c.postAndFollow("/me", "/me", url.Values{"sober_since": {"2026-12-02"}})
	wantBody(t, res, "That date is in the future", `value="2026-12-02"`)
}

// A meeting whose clock is not the hub's (an online meeting far away) says
// its own time, with the hub's day and clock first.
func TestMeetingInAnotherZone(t *testing.T) {
	t.Parallel()
	th := newTestHub(t, nil) // London, Tuesday 18:00
	m := th.addMeeting(protocol.Listing{Name: "Tokyo Dawn", Day: intp(3), Time: "07:00", Timezone: "Asia/Tokyo", ConferenceURL: "https://meet.jit.si/tokyo"})
	res := th.client().get("/meetings")
	wantBody(t, res, "Today 22:00 (Wed 07:00 Tokyo time)")
	res = th.client().get(meetingURL(m.ID))
	wantBody(t, res, "Every Wednesday, 07:00", "Asia/Tokyo", "On this hub&#39;s clock: Today 22:00.")
}

func TestMeetingGuideFeed(t *testing.T) {
	th := newTestHub(t, nil)
	_, later, _, _ := th.addSampleMeetings()
	if _, err := th.n.CancelMeeting(context.Background(), later.ID); err != nil {
		t.Fatal(err)
	}
	res := th.client().get("/meetings.json")
	wantStatus(t, res, http.StatusOK)
	var feed []map[string]any
	if err := json.Unmarshal([]byte(res.body), &feed); err != nil {
		t.Fatalf("feed is not a JSON array: %v", err)
	}
	if len(feed) != 3 {
		t.Errorf("feed has %d meetings, want 3 (the cancelled one left out)", len(feed))
	}
	for _, m := range feed {
		if m["name"] == "Evening Reflections" {
			t.Error("the cancelled meeting is in the feed")
		}
	}
}

func TestAPIDelegatesToNode(t *testing.T) {
	th := newTestHub(t, nil)
	th.addSampleMeetings()
	c := th.client()
	res := c.get("/api/v1/meetings?limit=2")
	wantStatus(t, res, http.StatusOK)
	var ms []map[string]any
	if err := json.Unmarshal([]byte(res.body), &ms); err != nil || len(ms) != 2 {
		t.Errorf("meetings API: %v, %d meetings", err, len(ms))
	}
	wantStatus(t, c.get("/api/v1/status"), http.StatusOK)
	res = c.get("/api/v1/me/checkins")
	wantStatus(t, res, http.StatusUnauthorized)
	if !strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") {
		t.Error("API refusal is not JSON")
	}
}

// TestAPIMeetingsCapped: no limit asked, or a huge one, still gives at
// most MaxAPIMeetings, in the API's own shape.
func TestAPIMeetingsCapped(t *testing.T) {
	t.Parallel()
	th := newTestHub(t, nil)
	if _, err := th.n.ImportMeetings(t.Context(), meetingguidetest.Feed(MaxAPIMeetings+5), node.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	c := th.client()
	for _, target := range []string{"/api/v1/meetings", "/api/v1/meetings?limit=100000", "/api/v1/meetings?limit=0", "/api/v1/meetings?limit=3"} {
		res := c.get(target)
		var ms []node.APIMeeting
		if err := json.Unmarshal([]byte(res.body), &ms); err != nil {
			t.Fatalf("%s: %v", target, err)
		}
		want := MaxAPIMeetings
		if strings.HasSuffix(target, "=3") {
			want = 3
		}
		if len(ms) != want || ms[0].ID == "" || ms[0].Name == "" || ms[0].Hub != th.n.ID().String() {
			t.Errorf("%s: %d meetings (first %+v), want %d", target, len(ms), ms[0], want)
		}
	}
	res := c.get("/api/v1/nothing")
	wantStatus(t, res, http.StatusNotFound)
	if !strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") {
		t.Errorf("an unknown API path answers %s", res.Header.Get("Content-Type"))
	}
}
