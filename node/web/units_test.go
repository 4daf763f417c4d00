package web

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"
	"time"
	"unicode/utf8"

	"hearth/node/problem"
	"hearth/protocol"
)

// Every language file holds exactly the keys of en.json, each with the same
// fmt verbs, so a translation cannot drop a string or break a number.
func TestI18nKeyParity(t *testing.T) {
	cs := mustLoadCatalogs()
	if len(cs.tags) < 3 {
		t.Fatalf("languages: %v, want at least en, es, fr", cs.tags)
	}
	verbs := regexp.MustCompile(`%(\[\d+\])?[-+# 0]*\d*(\.\d+)?[a-zA-Z%]`)
	en := cs.byTag["en"].strings
	for _, tag := range cs.tags {
		c := cs.byTag[tag]
		if c.name == "" {
			t.Errorf("%s.json: no lang.name", tag)
		}
		for k, v := range en {
			got, ok := c.strings[k]
			if !ok {
				t.Errorf("%s.json lacks %q", tag, k)
				continue
			}
			a, b := verbs.FindAllString(v, -1), verbs.FindAllString(got, -1)
			slices.Sort(a)
			slices.Sort(b)
			if !slices.Equal(a, b) {
				t.Errorf("%s.json %q: verbs %v, en has %v", tag, k, b, a)
			}
		}
		for k := range c.strings {
			if _, ok := en[k]; !ok {
				t.Errorf("%s.json has %q, which en.json lacks", tag, k)
			}
		}
	}
}

// Every coded error of the packages the page uses (members, finder, the
// page's own) has its words in en.json, and so in every language, taking
// the same arguments as its English: the page says it instead of checking
// the rule again.
func TestProblemsHaveWords(t *testing.T) {
	t.Parallel()
	verbs := regexp.MustCompile(`%(\[\d+\])?[-+# 0]*\d*(\.\d+)?[a-zA-Z]`)
	en := mustLoadCatalogs().byTag["en"].strings
	defined := problem.Defined()
	if len(defined) < 20 {
		t.Fatalf("only %d coded errors defined: are members and finder linked in?", len(defined))
	}
	for _, p := range defined {
		s, ok := en[p.Key]
		if !ok {
			t.Errorf("en.json lacks %q, for %q", p.Key, p.Format())
			continue
		}
		if a, b := len(verbs.FindAllString(p.Format(), -1)), len(verbs.FindAllString(s, -1)); a != b {
			t.Errorf("%q takes %d arguments in English (%q) and %d in en.json (%q)", p.Key, a, p.Format(), b, s)
		}
	}
}

// Every key the code and templates ask for is in en.json.
func TestI18nKeysUsedExist(t *testing.T) {
	en := mustLoadCatalogs().byTag["en"].strings
	var used []string
	tmpl := regexp.MustCompile(`\.T "([a-z0-9._]+)"`)
	fs.WalkDir(templateFS, ".", func(p string, d fs.DirEntry, err error) error {
		if d.IsDir() {
			return nil
		}
		data, _ := fs.ReadFile(templateFS, p)
		for _, m := range tmpl.FindAllStringSubmatch(string(data), -1) {
			used = append(used, m[1])
		}
		return nil
	})
	for _, prefix := range []string{"mood.", "day.", "dayshort."} {
		for i := range 7 {
			if prefix == "mood." && (i < 1 || i > 5) {
				continue
			}
			used = append(used, prefix+strconv.Itoa(i))
		}
	}
	for _, k := range commonTriggers {
		used = append(used, "trigger."+k)
	}
	for _, w := range timeWindows {
		used = append(used, "time."+w)
	}
	for _, a := range protocol.Attendances {
		used = append(used, "attendance."+a)
	}
	for _, f := range protocol.Focuses {
		used = append(used, "focus."+f)
	}
	for _, k := range used {
		if _, ok := en[k]; !ok {
			t.Errorf("en.json lacks %q", k)
		}
	}
}

// Adding a language is adding a file.
func TestAddingALanguageIsAddingAFile(t *testing.T) {
	en, _ := fs.ReadFile(i18nFiles, "i18n/en.json")
	var strs map[string]string
	json.Unmarshal(en, &strs)
	strs["lang.name"] = "Kiswahili"
	strs["nav.help"] = "Msaada sasa"
	sw, _ := json.Marshal(strs)
	fsys := fstest.MapFS{"i18n/en.json": {Data: en}, "i18n/sw.json": {Data: sw}}
	cs, err := loadCatalogs(fsys)
	if err != nil {
		t.Fatal(err)
	}
	if got := cs.fromAcceptLanguage("sw-KE, en;q=0.5"); got != "sw" {
		t.Errorf("Accept-Language sw-KE chose %q", got)
	}
	if got := cs.T("sw", "nav.help"); got != "Msaada sasa" {
		t.Errorf("sw nav.help = %q", got)
	}
}

func TestAcceptLanguage(t *testing.T) {
	cs := mustLoadCatalogs()
	for header, want := range map[string]string{
		"":                         "en",
		"es":                       "es",
		"es-MX,es;q=0.9":           "es",
		"de-DE, fr;q=0.7, es;q=.5": "fr",
		"en;q=0.2, fr;q=0.8":       "fr",
		"*":                        "en",
		"zz, qq;q=0.5":             "en",
	} {
		if got := cs.fromAcceptLanguage(header); got != want {
			t.Errorf("Accept-Language %q: %q, want %q", header, got, want)
		}
	}
}

func TestTemplatesParse(t *testing.T) {
	p := mustParsePages()
	for _, name := range []string{"home", "meetings", "meeting", "signin", "signup", "checkin", "unsafe", "me", "erase", "help", "message"} {
		if p.byName[name] == nil {
			t.Errorf("no page %q", name)
		}
	}
}

func TestMilestones(t *testing.T) {
	for days, want := range map[int]string{0: "", 1: "1", 6: "1", 7: "1 7", 45: "1 7 30", 400: "1 7 30 60 90 180 365", 800: "1 7 30 60 90 180 365 730"} {
		var got []string
		for _, m := range milestones(days) {
			got = append(got, strconv.Itoa(m))
		}
		if strings.Join(got, " ") != want {
			t.Errorf("%d days: milestones %v, want %s", days, got, want)
		}
	}
	for days, want := range map[int]int{0: 1, 1: 7, 29: 30, 200: 365, 365: 730, 1000: 1095} {
		if got := nextMilestone(days); got != want {
			t.Errorf("%d days: next milestone %d, want %d", days, got, want)
		}
	}
}

func TestClientLimiterBacksOff(t *testing.T) {
	t.Parallel()
	c := &clock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	l := newClientLimiter(signinRule, c.Now)
	for i := range signinRule.allowed {
		if _, wait := l.reserve("a", ""); wait != 0 {
			t.Fatalf("attempt %d waits %v", i+1, wait)
		}
	}
	var waits []time.Duration
	for range 4 {
		_, wait := l.reserve("a", "")
		waits = append(waits, wait)
		c.Add(wait)
		if _, again := l.reserve("a", ""); again != 0 {
			t.Fatalf("after waiting %v, still %v", wait, again)
		}
	}
	want := []time.Duration{2 * time.Second, 4 * time.Second, 8 * time.Second, 16 * time.Second}
	if !slices.Equal(waits, want) {
		t.Errorf("waits %v, want %v", waits, want)
	}
	if _, wait := l.reserve("b", ""); wait != 0 {
		t.Error("another client waits")
	}
	// A refunded attempt (a right PIN) does not count.
	at, _ := l.reserve("b", "")
	l.refund("b", at)
	if n := len(l.clients["b"].at); n != 1 {
		t.Errorf("after a refund, %d attempts counted, want 1", n)
	}
	c.Add(signinRule.window + time.Minute)
	if _, wait := l.reserve("a", ""); wait != 0 {
		t.Errorf("old attempts still count: wait %v", wait)
	}
	l.clients["a"].at = slices.Repeat([]time.Time{c.Now()}, 100)
	l.clients["a"].names = make([]string, 100)
	if _, wait := l.reserve("a", ""); wait != signinRule.maxDelay {
		t.Errorf("wait %v, want the cap %v", wait, signinRule.maxDelay)
	}
}

// The sign-in limiter counts names: the same name again (a member
// mistyping their own PIN, whose nickname's own lock holds them) uses one
// of the client's names however often; ten different names reach the
// ceiling.
func TestClientLimiterCountsNames(t *testing.T) {
	t.Parallel()
	c := &clock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	l := newClientLimiter(signinRule, c.Now)
	for range 50 {
		if _, wait := l.reserve("kiosk", nameKey("amani")); wait != 0 {
			t.Fatalf("one name tried again waits %v", wait)
		}
	}
	if _, wait := l.reserve("kiosk", nameKey(" AMANI ")); wait != 0 {
		t.Fatal("the same name in other case counts again")
	}
	for i := range signinRule.allowed - 1 {
		if _, wait := l.reserve("kiosk", nameKey(fmt.Sprintf("guess%d", i))); wait != 0 {
			t.Fatalf("name %d waits %v", i+2, wait)
		}
	}
	if _, wait := l.reserve("kiosk", nameKey("one-more")); wait == 0 {
		t.Error("past the ceiling of names, no wait")
	}
}

func TestSignupLimiterIsAWindow(t *testing.T) {
	t.Parallel()
	c := &clock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	l := newClientLimiter(signupRule, c.Now)
	for range signupRule.allowed {
		l.reserve("a", "")
		c.Add(time.Minute)
	}
	_, wait := l.reserve("a", "")
	if want := signupRule.window - time.Duration(signupRule.allowed)*time.Minute; wait != want {
		t.Errorf("wait %v, want %v (until the first leaves the hour)", wait, want)
	}
	c.Add(wait)
	if _, wait := l.reserve("a", ""); wait != 0 {
		t.Errorf("after the first left the window: wait %v", wait)
	}
}

func TestClientAddr(t *testing.T) {
	t.Parallel()
	for remote, want := range map[string]string{
		"192.0.2.1:40000":            "192.0.2.1",
		"[2001:db8:1:2:3:4:5:6]:443": "2001:db8:1:2::/64",
		"[2001:db8:1:2:ffff::1]:443": "2001:db8:1:2::/64",
		"[::ffff:192.0.2.7]:80":      "::ffff:192.0.2.7",
		"[::1]:7777":                 "::/64",
		"not an address":             "not an address",
	} {
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.RemoteAddr = remote
		if got := clientAddr(r); got != want {
			t.Errorf("clientAddr(%q) = %q, want %q", remote, got, want)
		}
	}
}

func TestHostList(t *testing.T) {
	h := newHostList("192.168.1.10:7777", []string{"hub.local"})
	for host, want := range map[string]bool{
		"192.168.1.10:7777": true, "192.168.1.10": true, "localhost": true, "127.0.0.1:80": true, "[::1]:7777": true,
		"hub.local": true, "HUB.local:7777": true, "192.168.1.11": false, "example.com": false, "": false,
		"localhost.example.com": false,
	} {
		if got := h.allows(host); got != want {
			t.Errorf("listen 192.168.1.10: Host %q allowed %v, want %v", host, got, want)
		}
	}
	all := newHostList("0.0.0.0:7777", nil)
	if !all.allows("127.0.0.1") || all.allows("203.0.113.9") || all.allows("evil.example") {
		t.Error("listen 0.0.0.0: wrong answer for loopback, a foreign IP or a name")
	}
}

func TestTelURL(t *testing.T) {
	for in, want := range map[string]string{
		"116 123": "tel:116123", "+44 (20) 1234-5678": "tel:+442012345678", "javascript:alert(1)": "tel:1",
		"none": "", "555 0100 ext. 12": "tel:555010012",
	} {
		if got := string(telURL(in)); got != want {
			t.Errorf("telURL(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestCrisisLinesOnHelp(t *testing.T) {
	th := newTestHub(t, nil)
	res := th.client().get("/help")
	wantStatus(t, res, http.StatusOK)
	wantBody(t, res, "This is peer support, not medical care. If you are in danger", "Samaritans: 116 123", `href="tel:999"`)
}

// checkICS checks a calendar against the parts of RFC 5545 that a calendar
// app trips on: CRLF endings, lines of at most 75 octets folded with a
// space, no split UTF-8, balanced components, and the required properties.
func checkICS(t *testing.T, body string) map[string][]string {
	t.Helper()
	if !strings.HasSuffix(body, "\r\n") {
		t.Error("does not end with CRLF")
	}
	if strings.Contains(strings.ReplaceAll(body, "\r\n", ""), "\n") || strings.Contains(strings.ReplaceAll(body, "\r\n", ""), "\r") {
		t.Error("a bare LF or CR")
	}
	raw := strings.Split(strings.TrimSuffix(body, "\r\n"), "\r\n")
	var lines []string
	for i, l := range raw {
		if len(l) > 75 {
			t.Errorf("line %d is %d octets", i+1, len(l))
		}
		if !utf8.ValidString(l) {
			t.Errorf("line %d splits a UTF-8 character", i+1)
		}
		if strings.HasPrefix(l, " ") {
			if len(lines) == 0 {
				t.Fatal("starts with a continuation")
			}
			lines[len(lines)-1] += l[1:]
			continue
		}
		lines = append(lines, l)
	}
	props := map[string][]string{}
	var stack []string
	for _, l := range lines {
		name, value, ok := strings.Cut(l, ":")
		if !ok {
			t.Errorf("no colon: %q", l)
			continue
		}
		switch name {
		case "BEGIN":
			stack = append(stack, value)
		case "END":
			if len(stack) == 0 || stack[len(stack)-1] != value {
				t.Errorf("END:%s does not close %v", value, stack)
			} else {
				stack = stack[:len(stack)-1]
			}
		}
		key, _, _ := strings.Cut(name, ";")
		props[key] = append(props[key], l)
	}
	if len(stack) != 0 {
		t.Errorf("unclosed: %v", stack)
	}
	if lines[0] != "BEGIN:VCALENDAR" {
		t.Error("does not start with BEGIN:VCALENDAR")
	}
	for _, k := range []string{"VERSION", "PRODID", "UID", "DTSTAMP", "DTSTART", "RRULE", "SUMMARY"} {
		if len(props[k]) == 0 {
			t.Errorf("no %s", k)
		}
	}
	return props
}

func TestCalendarFile(t *testing.T) {
	th := newTestHub(t, nil)
	name := "Réunion du mardi soir, avec une très longue description; pour tester le pliage des lignes — ✓"
	m := th.addMeeting(protocol.Listing{
		Name: name, Day: intp(2), Time: "19:30", EndTime: "21:00", Timezone: "Europe/Paris",
		Location: "Salle des fêtes", Address: "2 rue de la Paix", City: "Lyon",
		Format: protocol.FormatPeerLed, Notes: "Line one\nLine two, with a comma",
	})
	res := th.client().get(meetingURL(m.ID) + ".ics")
	wantStatus(t, res, http.StatusOK)
	if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/calendar") {
		t.Errorf("Content-Type %q", ct)
	}
	props := checkICS(t, res.body)
	unfolded := strings.ReplaceAll(res.body, "\r\n ", "")
	for _, want := range []string{
		"DTSTART;TZID=Europe/Paris:20261201T193000", "DTEND;TZID=Europe/Paris:20261201T210000",
		"RRULE:FREQ=WEEKLY", "TZID:Europe/Paris", "BEGIN:VTIMEZONE", "BEGIN:DAYLIGHT", "BEGIN:STANDARD",
		"TZOFFSETFROM:+0100", "TZOFFSETTO:+0200", `SUMMARY:Réunion du mardi soir\, avec une très longue description\; pour`,
		`Line one\nLine two\, with a comma`,
	} {
		if !strings.Contains(unfolded, want) {
			t.Errorf("calendar lacks %q\n%s", want, res.body)
		}
	}
	if len(props["DTSTART"]) < 3 {
		t.Errorf("VTIMEZONE has too few observances: %v", props["DTSTART"])
	}
	// Paris went to summer time on 2027-03-28 at 02:00 local (01:00 UTC).
	if !strings.Contains(unfolded, "20270328T020000") {
		t.Errorf("VTIMEZONE lacks the 2027 spring onset\n%s", unfolded)
	}

	appt := th.addMeeting(protocol.Listing{Name: "By appointment", Region: "Anywhere"})
	res = th.client().get(meetingURL(appt.ID) + ".ics")
	wantStatus(t, res, http.StatusNotFound)
	wantBody(t, res, "cannot go in a calendar")
}

func TestICSFolding(t *testing.T) {
	var w icsWriter
	long := strings.Repeat("ü", 100) // 200 octets
	w.line("SUMMARY:" + long)
	body := w.buf.String()
	for _, l := range strings.Split(strings.TrimSuffix(body, "\r\n"), "\r\n") {
		if len(l) > 75 || !utf8.ValidString(l) {
			t.Errorf("bad fold: %d octets, valid %v", len(l), utf8.ValidString(l))
		}
	}
	if got := strings.ReplaceAll(strings.TrimSuffix(body, "\r\n"), "\r\n ", ""); got != "SUMMARY:"+long {
		t.Error("unfolding does not give the line back")
	}
}

// TestFormNoncesBounded: a client loading forms over and over drops its
// own oldest tokens, not other people's, and the table never outgrows its
// bound.
func TestFormNoncesBounded(t *testing.T) {
	t.Parallel()
	c := &clock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	fn := newFormNonces(c.Now)
	other := fn.issue("192.0.2.2")
	var mine []string
	for range maxNoncesPerClient + 10 {
		mine = append(mine, fn.issue("192.0.2.1"))
	}
	if fn.take(mine[0], "192.0.2.1") || !fn.take(mine[len(mine)-1], "192.0.2.1") {
		t.Error("a client's oldest token survived, or its newest did not")
	}
	if !fn.take(other, "192.0.2.2") {
		t.Error("one client's forms pushed out another's")
	}
	for i := range 3 * maxNonces {
		tok := fn.issue(fmt.Sprintf("10.%d.%d.%d", i>>16&255, i>>8&255, i&255))
		if i%2 == 0 {
			fn.take(tok, fmt.Sprintf("10.%d.%d.%d", i>>16&255, i>>8&255, i&255))
		}
	}
	if len(fn.byToken) > maxNonces || len(fn.order) > 2*maxNonces {
		t.Errorf("%d tokens, %d in order; bounds %d, %d", len(fn.byToken), len(fn.order), maxNonces, 2*maxNonces)
	}
	c.Add(nonceLifetime)
	fn.issue("192.0.2.3")
	if len(fn.byToken) != 1 {
		t.Errorf("after they expired, %d tokens kept", len(fn.byToken))
	}
}
