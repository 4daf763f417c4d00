package web

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"hearth/node"
)

// Tests for the holes issue 8 found: each attack as a neighbour on the
// hub's LAN (or a page on another port of the same machine) would make it.

// postWith posts a form with extra headers, as a browser would send them.
func (c *client) postWith(target string, form url.Values, headers map[string]string) *response {
	c.th.t.Helper()
	req := httptest.NewRequest(http.MethodPost, "http://"+c.host+target, strings.NewReader(form.Encode()))
	req.Host, req.RemoteAddr = c.host, c.remote
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	for _, ck := range c.cookies {
		req.AddCookie(&http.Cookie{Name: ck.Name, Value: ck.Value})
	}
	return c.send(req)
}

// checkIns is what the member's own API says they have stored.
func (c *client) checkIns() string {
	return strings.TrimSpace(c.get("/api/v1/me/checkins").body)
}

// TestPlantedCookieCannotForgeAForm: cookies are not scoped by port, so a
// page on another port of the hub's host can set any cookie the page does
// not already hold, then post a form carrying the same value. No cookie
// value may stand in for a form token.
func TestPlantedCookieCannotForgeAForm(t *testing.T) {
	t.Parallel()
	th := newTestHub(t, nil)
	th.addMember("river", "246813")
	th.addMember("mallory", "861302")
	planted := randomToken()
	plant := func(c *client) {
		c.cookies["hearth_csrf"] = &http.Cookie{Name: "hearth_csrf", Value: planted}
	}

	victim := th.client()
	victim.signIn("river", "246813")
	plant(victim)
	wantStatus(t, victim.do(http.MethodPost, "/checkin", url.Values{"csrf": {planted}, "mood": {"1"}, "note": {"written by someone else"}}), http.StatusForbidden)
	wantStatus(t, victim.do(http.MethodPost, "/me", url.Values{"csrf": {planted}, "sober_since": {"2026-11-30"}}), http.StatusForbidden)
	wantStatus(t, victim.do(http.MethodPost, "/me/erase", url.Values{"csrf": {planted}, "confirm": {"1"}}), http.StatusForbidden)
	if got := victim.checkIns(); got != "[]" {
		t.Errorf("a planted cookie stored a check-in: %s", got)
	}
	wantBody(t, victim.get("/me"), "river")

	// Login CSRF: sign the victim's browser into the attacker's account,
	// so what they write next lands where the attacker can read it.
	wantStatus(t, victim.do(http.MethodPost, "/signin", url.Values{"csrf": {planted}, "nick": {"mallory"}, "pin": {"861302"}}), http.StatusForbidden)
	wantBody(t, victim.get("/me"), "river")
	fresh := th.client()
	fresh.remote = "192.0.2.77:1234"
	plant(fresh)
	wantStatus(t, fresh.do(http.MethodPost, "/signin", url.Values{"csrf": {planted}, "nick": {"mallory"}, "pin": {"861302"}}), http.StatusForbidden)
	if _, ok := fresh.cookies[sessionCookie]; ok {
		t.Error("a planted cookie signed a browser in")
	}
}

// TestSignInTokenIsServerSide: the sign-in form's token is one this
// server issued, to this client address, good once.
func TestSignInTokenIsServerSide(t *testing.T) {
	t.Parallel()
	th := newTestHub(t, nil)
	th.addMember("river", "246813")
	a, b := th.client(), th.client()
	b.remote = "192.0.2.2:5555"
	form := func(token string) url.Values {
		return url.Values{"csrf": {token}, "nick": {"river"}, "pin": {"246813"}}
	}

	// A token fetched by one machine is no good from another.
	token := csrfOf(a.get("/signin").body)
	wantStatus(t, b.do(http.MethodPost, "/signin", form(token)), http.StatusForbidden)
	// Nor a second time from the same one.
	token = csrfOf(a.get("/signin").body)
	wantStatus(t, a.do(http.MethodPost, "/signin", form(token)), http.StatusSeeOther)
	wantStatus(t, a.do(http.MethodPost, "/signin", form(token)), http.StatusForbidden)
	c := th.client()
	// Nor after it expired.
	token = csrfOf(c.get("/signin").body)
	th.clock.Add(nonceLifetime)
	wantStatus(t, c.do(http.MethodPost, "/signin", form(token)), http.StatusForbidden)
}

// TestCrossOriginPostRefused: whatever token it carries, a form that a
// browser says came from another origin changes nothing.
func TestCrossOriginPostRefused(t *testing.T) {
	t.Parallel()
	th := newTestHub(t, nil)
	th.addMember("river", "246813")
	c := th.client()
	c.signIn("river", "246813")
	token := func() string { return csrfOf(c.get("/checkin").body) }

	for name, headers := range map[string]map[string]string{
		"another port":           {"Origin": "http://127.0.0.1:9999"},
		"another host":           {"Origin": "http://evil.example"},
		"https on the same port": {"Origin": "https://127.0.0.1:7777"},
		"an opaque origin":       {"Origin": "null"},
		"same-site fetch":        {"Sec-Fetch-Site": "same-site", "Origin": "http://127.0.0.1:7777"},
		"cross-site fetch":       {"Sec-Fetch-Site": "cross-site"},
	} {
		res := c.postWith("/checkin", url.Values{"csrf": {token()}, "mood": {"2"}}, headers)
		if res.StatusCode != http.StatusForbidden {
			t.Errorf("%s: status %d, want 403", name, res.StatusCode)
		}
	}
	if got := c.checkIns(); got != "[]" {
		t.Fatalf("a cross-origin form stored a check-in: %s", got)
	}
	// Every POST, not only the forms: the JSON API and a sign-in too.
	for _, target := range []string{"/api/v1/meetings", "/signin", "/signout", "/nope"} {
		res := c.postWith(target, url.Values{}, map[string]string{"Origin": "http://evil.example"})
		if res.StatusCode != http.StatusForbidden {
			t.Errorf("POST %s from another origin: status %d, want 403", target, res.StatusCode)
		}
	}
	wantStatus(t, c.get("/me"), http.StatusOK) // still signed in

	// The hub's own pages post fine, with or without the headers.
	for _, headers := range []map[string]string{
		{"Origin": "http://127.0.0.1:7777"},
		{"Origin": "HTTP://127.0.0.1:7777", "Sec-Fetch-Site": "same-origin"},
		{},
	} {
		wantStatus(t, c.postWith("/checkin", url.Values{"csrf": {token()}, "mood": {"4"}}, headers), http.StatusSeeOther)
	}
	if got := c.checkIns(); strings.Count(got, `"mood":4`) != 3 {
		t.Errorf("same-origin check-ins: %s", got)
	}
}

// TestEraseAsksForThePIN: a session alone (a phone left signed in, or a
// form some page managed to post) does not erase a member's history.
func TestEraseAsksForThePIN(t *testing.T) {
	t.Parallel()
	th := newTestHub(t, nil)
	th.addMember("river", "246813")
	c := th.client()
	c.signIn("river", "246813")
	wantStatus(t, c.post("/checkin", "/checkin", url.Values{"mood": {"3"}}), http.StatusSeeOther)
	wantBody(t, c.get("/me/erase"), `name="pin"`)

	res := c.postAndFollow("/me/erase", "/me/erase", url.Values{"confirm": {"1"}})
	wantBody(t, res, "Please type your PIN: nothing is erased without it.")
	res = c.postAndFollow("/me/erase", "/me/erase", url.Values{"confirm": {"1"}, "pin": {"111111"}})
	wantBody(t, res, "That PIN is not right, so nothing was erased.")
	if got := c.checkIns(); !strings.Contains(got, `"mood":3`) {
		t.Fatalf("erased without the PIN: %s", got)
	}
	wantStatus(t, c.post("/me/erase", "/me/erase", url.Values{"confirm": {"1"}, "pin": {"246813"}}), http.StatusSeeOther)
	wantStatus(t, c.get("/me"), http.StatusUnauthorized)
}

// TestBurstOfWrongPINs: simultaneous wrong PINs from one client are counted
// before any is checked, so a burst checks no more PINs than the limits
// allow one at a time; the rest are told when to come back.
func TestBurstOfWrongPINs(t *testing.T) {
	t.Parallel()
	th := newTestHub(t, nil)
	th.addMember("river", "246813")
	burst := func(c *client, nick func(i int) string) (checked, refused int) {
		t.Helper()
		const n = 40
		forms := make([]url.Values, n)
		for i := range forms {
			forms[i] = url.Values{"csrf": {csrfOf(c.get("/signin").body)}, "nick": {nick(i)}, "pin": {"000000"}}
		}
		var wg sync.WaitGroup
		var mu sync.Mutex
		for _, form := range forms {
			wg.Go(func() {
				req := httptest.NewRequest(http.MethodPost, "http://"+c.host+"/signin", strings.NewReader(form.Encode()))
				req.Host, req.RemoteAddr = c.host, c.remote
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				for _, ck := range c.cookies {
					req.AddCookie(&http.Cookie{Name: ck.Name, Value: ck.Value})
				}
				rec := httptest.NewRecorder()
				th.h.ServeHTTP(rec, req)
				mu.Lock()
				defer mu.Unlock()
				switch rec.Code {
				case http.StatusSeeOther: // back to the form: "do not match"
					checked++
				case http.StatusTooManyRequests:
					if rec.Header().Get("Retry-After") == "" {
						t.Error("429 without Retry-After")
					}
					refused++
				default:
					t.Errorf("status %d", rec.Code)
				}
			})
		}
		wg.Wait()
		return checked, refused
	}

	// Forty at one nickname: the nickname's own lock holds them to three.
	one := th.client()
	if checked, refused := burst(one, func(int) string { return "river" }); checked > 3 || checked+refused != 40 {
		t.Errorf("one nickname: %d PINs checked, %d refused; want at most 3 checked", checked, refused)
	}
	// Forty at forty nicknames: the client's ceiling holds them.
	spray := th.client()
	spray.remote = "192.0.2.9:1000"
	if checked, refused := burst(spray, func(i int) string { return fmt.Sprintf("guess%d", i) }); checked > signinRule.allowed || checked+refused != 40 {
		t.Errorf("forty nicknames: %d PINs checked, %d refused; want at most %d checked", checked, refused, signinRule.allowed)
	}
	// Neither holds up a member on another phone.
	other := th.client()
	other.remote = "192.0.2.200:1"
	th.clock.Add(time.Second) // river's own lock (from the burst at it) runs out
	other.signIn("river", "246813")
}

// TestSignupFloodLimited: one client makes a few accounts (a family on one
// phone), not one after another without end.
func TestSignupFloodLimited(t *testing.T) {
	t.Parallel()
	th := newTestHub(t, func(c *node.Config) { c.Members.SelfSignup = true })
	c := th.client()
	for i := range signupRule.allowed {
		res := c.post("/signup", "/signup", url.Values{"nick": {fmt.Sprintf("member%d", i)}, "pin": {"246813"}, "pin2": {"246813"}})
		wantStatus(t, res, http.StatusSeeOther)
	}
	res := c.post("/signup", "/signup", url.Values{"nick": {"onemore"}, "pin": {"246813"}, "pin2": {"246813"}})
	wantStatus(t, res, http.StatusTooManyRequests)
	if res.Header.Get("Retry-After") == "" {
		t.Error("no Retry-After")
	}
	if list, _ := th.n.Members().List(); len(list) != signupRule.allowed {
		t.Errorf("%d accounts made, want %d", len(list), signupRule.allowed)
	}
	// A sign-up refused for its PIN does not use up the allowance.
	other := th.client()
	other.remote = "192.0.2.60:1"
	for range signupRule.allowed + 2 {
		res := other.postAndFollow("/signup", "/signup", url.Values{"nick": {"weak"}, "pin": {"111111"}, "pin2": {"111111"}})
		wantBody(t, res, "That PIN repeats itself")
	}
	wantStatus(t, other.post("/signup", "/signup", url.Values{"nick": {"strong"}, "pin": {"730518"}, "pin2": {"730518"}}), http.StatusSeeOther)
}

// TestLanguageLinksStayOnThisHub: a path that starts with two slashes
// must not become a link to another host.
func TestLanguageLinksStayOnThisHub(t *testing.T) {
	t.Parallel()
	th := newTestHub(t, nil)
	c := th.client()
	hrefs := regexp.MustCompile(`href="([^"]*)"`)
	for _, path := range []string{"/%2F%2Fevil.test", "//evil.test/x", "/%2Fevil.test", "/%5Cevil.test", "/meetings?day=2"} {
		res := c.get(path)
		for _, m := range hrefs.FindAllStringSubmatch(res.body, -1) {
			h := m[1]
			if u, err := url.Parse(strings.ReplaceAll(h, "&amp;", "&")); err != nil || u.Host != "" || strings.HasPrefix(h, "//") || strings.HasPrefix(h, `/\`) {
				t.Errorf("GET %s links to %s", path, h)
			}
		}
	}
	wantBody(t, c.get("/meetings?day=2"), `href="?day=2&amp;lang=es"`)
}

// TestTLSCookiesAndHSTS: under TLS the cookies carry the __Host- prefix
// (no sibling subdomain can set or shadow them) and the page asks for
// HTTPS from then on.
func TestTLSCookiesAndHSTS(t *testing.T) {
	t.Parallel()
	th := newTestHub(t, func(c *node.Config) { c.Web.TLSCert, c.Web.TLSKey = "cert.pem", "key.pem" })
	th.addMember("river", "246813")
	get := func(target string, cookies []*http.Cookie) *http.Response {
		req := httptest.NewRequest(http.MethodGet, "https://127.0.0.1:7777"+target, nil)
		req.RemoteAddr = "192.0.2.1:1"
		for _, ck := range cookies {
			req.AddCookie(ck)
		}
		rec := httptest.NewRecorder()
		th.h.ServeHTTP(rec, req)
		return rec.Result()
	}
	res := get("/signin?lang=es", nil)
	if hsts := res.Header.Get("Strict-Transport-Security"); !strings.HasPrefix(hsts, "max-age=") {
		t.Errorf("HSTS: %q", hsts)
	}
	page, _ := io.ReadAll(res.Body)
	form := url.Values{"csrf": {csrfOf(string(page))}, "nick": {"river"}, "pin": {"246813"}}
	req := httptest.NewRequest(http.MethodPost, "https://127.0.0.1:7777/signin", strings.NewReader(form.Encode()))
	req.RemoteAddr = "192.0.2.1:1"
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", "https://127.0.0.1:7777")
	rec := httptest.NewRecorder()
	th.h.ServeHTTP(rec, req)
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("sign in over TLS: %d", rec.Code)
	}
	cookies := append(res.Cookies(), rec.Result().Cookies()...)
	names := map[string]bool{}
	for _, ck := range cookies {
		names[ck.Name] = true
		if !strings.HasPrefix(ck.Name, "__Host-") || !ck.Secure || ck.Path != "/" || ck.Domain != "" {
			t.Errorf("cookie %s: secure %v, path %q, domain %q", ck.Name, ck.Secure, ck.Path, ck.Domain)
		}
	}
	if !names["__Host-"+sessionCookie] || !names["__Host-"+langCookie] {
		t.Errorf("cookies %v", names)
	}
	if res := get("/me", rec.Result().Cookies()); res.StatusCode != http.StatusOK {
		t.Errorf("with the __Host- session cookie: %d", res.StatusCode)
	}
	if res := get("/me", []*http.Cookie{{Name: sessionCookie, Value: rec.Result().Cookies()[0].Value}}); res.StatusCode != http.StatusUnauthorized {
		t.Errorf("the session under the plain name was taken: %d", res.StatusCode)
	}

	plain := newTestHub(t, nil).client().get("/")
	if plain.Header.Get("Strict-Transport-Security") != "" {
		t.Error("HSTS over plain HTTP")
	}
}

// TestPrintedScheduleStyles: the page's CSP allows no inline style, so the
// hub's printable schedule links its styles; the file the CLI writes has
// them inline. Both are the same stylesheet.
func TestPrintedScheduleStyles(t *testing.T) {
	t.Parallel()
	th := newTestHub(t, nil)
	th.addSampleMeetings()
	c := th.client()
	res := c.get("/meetings/print")
	wantStatus(t, res, http.StatusOK)
	if strings.Contains(res.body, "<style") || strings.Contains(res.body, " style=") {
		t.Error("the served schedule has inline styles, which its CSP blocks")
	}
	link := regexp.MustCompile(`<link rel="stylesheet" href="(/static/print\.css\?v=[0-9a-f]+)">`).FindStringSubmatch(res.body)
	if link == nil {
		t.Fatalf("no stylesheet link:\n%s", clip(res.body))
	}
	css := c.get(link[1])
	wantStatus(t, css, http.StatusOK)
	if !strings.HasPrefix(css.Header.Get("Content-Type"), "text/css") || !strings.Contains(css.body, "break-after: page") {
		t.Errorf("print.css: %s\n%s", css.Header.Get("Content-Type"), css.body)
	}
	var file strings.Builder
	if err := WriteSchedule(&file, th.cfg, nil, "en", th.clock.Now()); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(file.String(), "<style>"+string(printCSS())+"</style>") {
		t.Error("the written schedule does not carry print.css inline")
	}
}
