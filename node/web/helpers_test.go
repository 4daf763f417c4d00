package web

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"hearth/node"
	"hearth/protocol"
)

// clock is a movable test clock shared by the node and the handler.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Set(t time.Time) {
	c.mu.Lock()
	c.t = t
	c.mu.Unlock()
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// testHub is a real node (opened, not running) with the web handler on it.
type testHub struct {
	t     testing.TB
	n     *node.Node
	h     http.Handler
	cfg   node.Config
	clock *clock
}

// testConfig is a node config for tests: loopback, ephemeral ports, no mDNS,
// a fixed zone so days and times do not depend on the machine.
func testConfig() node.Config {
	cfg := node.DefaultConfig()
	cfg.Network.Listen = []string{"/ip4/127.0.0.1/tcp/0"}
	cfg.Network.MDNS = false
	cfg.Web.Listen = "127.0.0.1:0"
	cfg.Listings.DefaultTimezone = "Europe/London"
	cfg.Help.CrisisLines = []string{"Samaritans: 116 123", "Emergency: 999"}
	return cfg
}

// newTestHub makes a hub at a fixed time (a Tuesday evening in London).
func newTestHub(t testing.TB, mutate func(*node.Config)) *testHub {
	t.Helper()
	dir := t.TempDir()
	if err := node.Init(dir, "Test hub"); err != nil {
		t.Fatal(err)
	}
	cfg := testConfig()
	if mutate != nil {
		mutate(&cfg)
	}
	th := &testHub{t: t, cfg: cfg, clock: &clock{t: time.Date(2026, 12, 1, 18, 0, 0, 0, time.UTC)}}
	logger := testLogger(t)
	n, err := node.Open(dir, node.Options{
		Config: &cfg, Logger: logger, Now: th.clock.Now,
		Web: func(n *node.Node) http.Handler {
			return Handler(n, Options{Logger: logger, Now: th.clock.Now})
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { n.Close() })
	th.n = n
	th.h = Handler(n, Options{Logger: logger, Now: th.clock.Now})
	return th
}

// testLogger sends logs to t.Log, so a failing test shows them.
func testLogger(t testing.TB) *slog.Logger {
	return slog.New(slog.NewTextHandler(tWriter{t}, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

type tWriter struct{ t testing.TB }

func (w tWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

func intp(i int) *int { return &i }

// addMeeting publishes a meeting of this hub.
func (th *testHub) addMeeting(l protocol.Listing) node.Meeting {
	th.t.Helper()
	if l.Timezone == "" {
		l.Timezone = "Europe/London"
	}
	m, err := th.n.AddMeeting(context.Background(), node.DraftOf(l))
	if err != nil {
		th.t.Fatalf("add meeting %q: %v", l.Name, err)
	}
	return m
}

// addMember makes an account.
func (th *testHub) addMember(nick, pin string) {
	th.t.Helper()
	if _, err := th.n.Members().Add(context.Background(), nick, pin); err != nil {
		th.t.Fatalf("add member: %v", err)
	}
}

// client is a browser without a browser: it keeps cookies and sends
// requests straight to the handler.
type client struct {
	th      *testHub
	host    string
	remote  string
	lang    string
	cookies map[string]*http.Cookie
}

func (th *testHub) client() *client {
	return &client{th: th, host: "127.0.0.1:7777", remote: "192.0.2.1:40000", cookies: map[string]*http.Cookie{}}
}

// response is what the handler answered, body decoded.
type response struct {
	*http.Response
	body   string
	method string
	target string
}

func (c *client) do(method, target string, form url.Values) *response {
	c.th.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req := httptest.NewRequest(method, "http://"+c.host+target, body)
	req.Host = c.host
	req.RemoteAddr = c.remote
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if c.lang != "" {
		req.Header.Set("Accept-Language", c.lang)
	}
	for _, ck := range c.cookies {
		req.AddCookie(&http.Cookie{Name: ck.Name, Value: ck.Value})
	}
	return c.send(req)
}

func (c *client) send(req *http.Request) *response {
	rec := httptest.NewRecorder()
	c.th.h.ServeHTTP(rec, req)
	res := rec.Result()
	for _, ck := range res.Cookies() {
		if ck.MaxAge < 0 || ck.Value == "" {
			delete(c.cookies, ck.Name)
		} else {
			c.cookies[ck.Name] = ck
		}
	}
	b, _ := io.ReadAll(res.Body)
	return &response{Response: res, body: string(b), method: req.Method, target: req.URL.RequestURI()}
}

func (c *client) get(target string) *response { return c.do(http.MethodGet, target, nil) }

// post sends a form with the CSRF token of the page at from.
func (c *client) post(from, target string, form url.Values) *response {
	c.th.t.Helper()
	page := c.get(from)
	token := csrfOf(page.body)
	if token == "" {
		c.th.t.Fatalf("no CSRF token on %s (status %d)", from, page.StatusCode)
	}
	if form == nil {
		form = url.Values{}
	}
	form.Set("csrf", token)
	// A check-in form's own token (a resubmit never saves twice) goes back
	// as a browser sends it, unless the test sets one.
	if f := formOf(page.body); f != "" && !form.Has("form") {
		form.Set("form", f)
	}
	return c.do(http.MethodPost, target, form)
}

var csrfPattern = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

func csrfOf(body string) string {
	if m := csrfPattern.FindStringSubmatch(body); m != nil {
		return m[1]
	}
	return ""
}

// signIn signs a member in and checks that it worked.
func (c *client) signIn(nick, pin string) {
	c.th.t.Helper()
	res := c.post("/signin", "/signin", url.Values{"nick": {nick}, "pin": {pin}})
	if res.StatusCode != http.StatusSeeOther {
		c.th.t.Fatalf("sign in: status %d, want 303\n%s", res.StatusCode, res.body)
	}
}

// follow answers a redirect (POST, redirect, GET) as a browser does: it
// must be one, and its page is fetched.
func (c *client) follow(res *response) *response {
	c.th.t.Helper()
	if res.StatusCode != http.StatusSeeOther {
		c.th.t.Fatalf("%s %s: status %d, want a redirect (303)\n%s", res.method, res.target, res.StatusCode, clip(res.body))
	}
	return c.get(res.Header.Get("Location"))
}

// postAndFollow posts a form (with the token of the page at from) and
// fetches the page it is sent to.
func (c *client) postAndFollow(from, target string, form url.Values) *response {
	c.th.t.Helper()
	return c.follow(c.post(from, target, form))
}

func wantStatus(t testing.TB, res *response, want int) {
	t.Helper()
	if res.StatusCode != want {
		t.Fatalf("%s %s: status %d, want %d\n%s", res.method, res.target, res.StatusCode, want, clip(res.body))
	}
}

func wantBody(t testing.TB, res *response, subs ...string) {
	t.Helper()
	for _, s := range subs {
		if !strings.Contains(res.body, s) {
			t.Errorf("%s %s: body lacks %q\n%s", res.method, res.target, s, clip(res.body))
		}
	}
}

func clip(s string) string {
	if len(s) > 3000 {
		return s[:3000] + "…"
	}
	return s
}
