package web

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"hearth/node"
	"hearth/node/members"
	"hearth/protocol"
)

// Browser tests drive Debian's chromium, headless, against a running node:
// the page as a member's phone sees it, at 360×640. They are skipped only
// where there is no chromium and no CI; in CI a missing browser fails them.

const chromiumPath = "/usr/bin/chromium"

// artifactsEnv names the directory the screenshots go to, for a person (or
// CI) to look at; without it they go to a temporary directory the tests
// name in their log. Never into the repository.
const artifactsEnv = "HEARTH_ARTIFACTS"

// artifacts is the screenshot directory, made once.
var artifacts = sync.OnceValues(func() (string, error) {
	if dir := os.Getenv(artifactsEnv); dir != "" {
		return dir, os.MkdirAll(dir, 0o755)
	}
	return os.MkdirTemp("", "hearth-screenshots-")
})

// artifactPath is where an artifact file called name (with its extension)
// goes.
func artifactPath(t testing.TB, name string) string {
	t.Helper()
	dir, err := artifacts()
	if err != nil {
		t.Fatalf("screenshot directory: %v", err)
	}
	return filepath.Join(dir, name)
}

var shared struct {
	once sync.Once
	ctx  context.Context
	err  error
	stop func()
}

// shotsTaken: some test saved a screenshot, so TestMain says where.
var shotsTaken atomic.Bool

func TestMain(m *testing.M) {
	code := m.Run()
	if shared.stop != nil {
		shared.stop()
	}
	if dir, err := artifacts(); shotsTaken.Load() && err == nil {
		fmt.Fprintf(os.Stderr, "browser test screenshots (360x640): %s\n", dir)
	}
	os.Exit(code)
}

// newTab is a fresh tab in a fresh browser context (no cookies shared with
// other tests) of the one headless chromium the tests share, at 360×640.
// Browser tests take seconds each: -short skips them.
func newTab(t testing.TB) context.Context {
	t.Helper()
	if testing.Short() {
		t.Skip("a browser test: run without -short")
	}
	if _, err := os.Stat(chromiumPath); err != nil {
		if os.Getenv("CI") == "" {
			t.Skipf("no %s: install Debian's chromium package to run the browser tests", chromiumPath)
		}
		t.Fatalf("CI is set but %s is missing: .ci/run must install Debian's chromium package", chromiumPath)
	}
	shared.once.Do(func() {
		dir, err := os.MkdirTemp("", "hearth-chromium-")
		if err != nil {
			shared.err = err
			return
		}
		opts := append(chromedp.DefaultExecAllocatorOptions[:],
			chromedp.ExecPath(chromiumPath),
			chromedp.Headless,
			chromedp.NoSandbox,
			chromedp.DisableGPU,
			chromedp.NoFirstRun,
			chromedp.Flag("disable-quic", true),
			chromedp.Flag("disable-background-networking", true),
			chromedp.Flag("disable-component-update", true),
			chromedp.Flag("disable-sync", true),
			chromedp.UserDataDir(dir),
			chromedp.WindowSize(360, 640),
		)
		actx, acancel := chromedp.NewExecAllocator(context.Background(), opts...)
		bctx, bcancel := chromedp.NewContext(actx)
		shared.ctx = bctx
		shared.stop = func() { bcancel(); acancel(); os.RemoveAll(dir) }
		shared.err = chromedp.Do(bctx) // starts the browser, with no deadline on it
	})
	if shared.err != nil {
		t.Fatalf("start chromium: %v", shared.err)
	}
	tab, cancel := chromedp.NewContext(shared.ctx, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	if err := chromedp.Do(tab, chromedp.EmulateViewport(360, 640, chromedp.EmulateMobile)); err != nil {
		t.Fatalf("open tab: %v", err)
	}
	ctx, cancelTimeout := context.WithTimeout(tab, 60*time.Second)
	t.Cleanup(cancelTimeout)
	return ctx
}

// runningHub is a hub running for real (libp2p, listeners) with this
// package's handler on its web address; the browser talks to it over TCP.
func runningHub(t testing.TB) (*node.Node, string) {
	t.Helper()
	return runningHubWith(t, nil, nil)
}

// runningHubWith is runningHub with its config changed by mutate and, if
// now is not nil, its clock (the node's and the page's).
func runningHubWith(t testing.TB, mutate func(*node.Config), now func() time.Time) (*node.Node, string) {
	t.Helper()
	dir := t.TempDir()
	if err := node.Init(dir, "Test hub"); err != nil {
		t.Fatal(err)
	}
	cfg := testConfig()
	if mutate != nil {
		mutate(&cfg)
	}
	logger := testLogger(t)
	n, err := node.Open(dir, node.Options{Config: &cfg, Logger: logger, Now: now, Web: func(n *node.Node) http.Handler {
		return Handler(n, Options{Logger: logger, Now: now})
	}})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- n.Run(ctx) }()
	select {
	case <-n.Ready():
	case err := <-done:
		cancel()
		t.Fatalf("run: %v", err)
	}
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("run: %v", err)
		}
		n.Close()
	})
	st, err := n.Status(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return n, "http://" + st.Web
}

// addSoonMeetings adds meetings near the real clock: one starting in two
// hours, one online tomorrow, in the hub's zone.
func addSoonMeetings(t testing.TB, n *node.Node, count int) []node.Meeting {
	t.Helper()
	london, _ := time.LoadLocation("Europe/London")
	var out []node.Meeting
	for i := range count {
		at := time.Now().In(london).Add(2*time.Hour + time.Duration(i)*97*time.Minute)
		l := protocol.Listing{
			Name: []string{"Hope at the Hall", "Morning Light", "Family Circle", "New Roots"}[i%4] + suffix(i),
			Day:  intp(int(at.Weekday())), Time: at.Format("15:04"), Timezone: "Europe/London",
			Types: []string{"O", "D"}, Format: protocol.FormatPeerLed, Region: "Brighton",
			Location: "St Mary's Hall", Address: "1 Church Lane", City: "Brighton",
		}
		if i%4 == 1 {
			l.Location, l.Address, l.City = "", "", ""
			l.ConferenceURL, l.Format = "https://meet.jit.si/hearth-morning", protocol.FormatFacilitated
		}
		m, err := n.AddMeeting(context.Background(), node.DraftOf(l))
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, m)
	}
	return out
}

func suffix(i int) string {
	if i < 4 {
		return ""
	}
	return " " + string(rune('A'+i/4-1))
}

// shot saves a screenshot of the viewport.
func shot(t testing.TB, ctx context.Context, name string) {
	t.Helper()
	png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Errorf("screenshot %s: %v", name, err)
		return
	}
	path := artifactPath(t, name+".png")
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Fatal(err)
	}
	shotsTaken.Store(true)
	t.Logf("screenshot: %s", path)
}

// do runs steps and fails the test on error.
func do(t testing.TB, ctx context.Context, what string, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(ctx, steps...); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// submit clicks a button that posts a form and waits for the next page.
func submit(t testing.TB, ctx context.Context, what, selector string) *network.Response {
	t.Helper()
	res, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(selector)))
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	return res
}

// mainText is the visible text of the page's main part.
func mainText(t testing.TB, ctx context.Context) string {
	t.Helper()
	text, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("main")))
	if err != nil {
		t.Fatalf("read page: %v", err)
	}
	return text
}

func wantText(t testing.TB, ctx context.Context, subs ...string) {
	t.Helper()
	text := mainText(t, ctx)
	for _, s := range subs {
		if !strings.Contains(text, s) {
			t.Errorf("page lacks %q:\n%s", s, text)
		}
	}
}

func TestBrowserVisitorFindsAMeeting(t *testing.T) {
	ctx := newTab(t)
	n, base := runningHub(t)
	ms := addSoonMeetings(t, n, 4)

	do(t, ctx, "open home", chromedp.Navigate(base+"/"))
	wantText(t, ctx, "Next meetings", ms[0].Name)
	shot(t, ctx, "home")

	do(t, ctx, "open search", chromedp.Navigate(base+"/meetings"))
	do(t, ctx, "choose in person", chromedp.SetValue(chromedp.ID("attendance"), "in_person"))
	res := submit(t, ctx, "search", "form.filters button[type=submit]")
	if res.Status != http.StatusOK {
		t.Fatalf("search: status %d", res.Status)
	}
	text := mainText(t, ctx)
	if !strings.Contains(text, ms[0].Name) || strings.Contains(text, ms[1].Name) {
		t.Errorf("in-person search shows the wrong meetings:\n%s", text)
	}
	shot(t, ctx, "meetings-in-person")

	submit(t, ctx, "open the meeting", "ul.meetings a.meeting")
	wantText(t, ctx, ms[0].Name, "Peer-led self-help group", "Add to my calendar", "St Mary's Hall")
	shot(t, ctx, "meeting")

	// The language switch is a plain link, remembered by a cookie.
	submit(t, ctx, "switch to Spanish", `nav.langs a[hreflang="es"]`)
	wantText(t, ctx, "Grupo de autoayuda entre pares", "Añadir a mi calendario")
	do(t, ctx, "open home", chromedp.Navigate(base+"/"))
	lang, err := chromedp.Run(ctx, chromedp.AttributeValue(chromedp.CSS("html"), "lang"))
	if err != nil || lang.Value != "es" {
		t.Errorf("after switching, home page lang %+v (%v)", lang, err)
	}
	shot(t, ctx, "home-es")
}

func TestBrowserMemberChecksInExportsAndErases(t *testing.T) {
	ctx := newTab(t)
	n, base := runningHub(t)
	addSoonMeetings(t, n, 2)
	if _, err := n.Members().Add(context.Background(), "river", "246813"); err != nil {
		t.Fatal(err)
	}

	do(t, ctx, "open sign-in", chromedp.Navigate(base+"/signin"))
	shot(t, ctx, "signin")
	do(t, ctx, "type nickname and PIN",
		chromedp.SendKeys(chromedp.ID("nick"), "river"),
		chromedp.SendKeys(chromedp.ID("pin"), "246813"))
	submit(t, ctx, "sign in", "main form button[type=submit]")
	wantText(t, ctx, "How do you feel right now?", "I don't feel safe right now")
	shot(t, ctx, "checkin")

	const note = "Called my sponsor before the party."
	do(t, ctx, "fill the check-in",
		chromedp.Click(chromedp.CSS(`label[for="mood4"]`)),
		chromedp.Click(chromedp.CSS(`label[for="craving3"]`)),
		chromedp.Click(chromedp.CSS(`label[for="used"]`)),
		chromedp.Click(chromedp.CSS(`label[for="trigger0"]`)),
		chromedp.SendKeys(chromedp.ID("note"), note))
	submit(t, ctx, "save the check-in", `form[action="/checkin"] button[type=submit]`)
	wantText(t, ctx, "Saved. Thank you for checking in.", note, "craving 3 of 10", "I used", "Stress")
	points, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll("svg.chart circle, svg.chart polyline").length`))
	if err != nil || points == 0 {
		t.Errorf("the chart shows no check-in (%d marks, %v)", points, err)
	}
	shot(t, ctx, "me")
	if png, err := chromedp.Run(ctx, chromedp.Screenshot(chromedp.CSS("svg.chart"))); err == nil {
		os.WriteFile(artifactPath(t, "me-chart.png"), png, 0o644)
	}

	// The exports, fetched with the browser's own session cookie.
	cookies, err := chromedp.Call(ctx, network.GetCookies, network.GetCookiesParams{URLs: []string{base}})
	if err != nil {
		t.Fatal(err)
	}
	var session *network.Cookie
	for _, c := range cookies.Cookies {
		if c.Name == sessionCookie {
			session = c
		}
	}
	if session == nil || !session.HTTPOnly || session.SameSite != network.CookieSameSiteStrict || session.Path != "/" {
		t.Fatalf("session cookie: %+v", session)
	}
	fetch := func(path string) (int, string) {
		req, _ := http.NewRequest(http.MethodGet, base+path, nil)
		req.AddCookie(&http.Cookie{Name: session.Name, Value: session.Value})
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(b)
	}
	status, body := fetch("/me/export.json")
	var doc members.Export
	if status != http.StatusOK || json.Unmarshal([]byte(body), &doc) != nil || len(doc.CheckIns) != 1 || doc.CheckIns[0].Note != note {
		t.Errorf("JSON export: %d %s", status, body)
	}
	if status, body := fetch("/me/export.csv"); status != http.StatusOK || !strings.Contains(body, note) {
		t.Errorf("CSV export: %d %s", status, body)
	}

	do(t, ctx, "open erase", chromedp.Navigate(base+"/me/erase"))
	shot(t, ctx, "erase")
	do(t, ctx, "type a wrong PIN", chromedp.SendKeys(chromedp.ID("pin"), "111111"))
	// Every form answers with a redirect to a page of its own.
	if res := submit(t, ctx, "erase with a wrong PIN", "button.danger"); res.Status != http.StatusOK || !strings.HasSuffix(res.URL, "/me/erase") {
		t.Errorf("erase with a wrong PIN: status %d at %s", res.Status, res.URL)
	}
	wantText(t, ctx, "That PIN is not right, so nothing was erased.")
	do(t, ctx, "type the PIN", chromedp.SendKeys(chromedp.ID("pin"), "246813"))
	submit(t, ctx, "erase", "button.danger")
	wantText(t, ctx, "Your account and everything you wrote are gone from this hub.")
	shot(t, ctx, "erased")

	if status, _ := fetch("/me/export.json"); status != http.StatusUnauthorized {
		t.Errorf("after erasure, the export answers %d", status)
	}
	do(t, ctx, "open my page", chromedp.Navigate(base+"/me"))
	wantText(t, ctx, "Sign in")
	if strings.Contains(mainText(t, ctx), note) {
		t.Error("the note is still shown after erasure")
	}
	do(t, ctx, "sign in again",
		chromedp.SendKeys(chromedp.ID("nick"), "river"),
		chromedp.SendKeys(chromedp.ID("pin"), "246813"))
	submit(t, ctx, "sign in again", "main form button[type=submit]")
	wantText(t, ctx, "That nickname and PIN do not match")
}

func TestBrowserWrongPIN(t *testing.T) {
	ctx := newTab(t)
	n, base := runningHub(t)
	if _, err := n.Members().Add(context.Background(), "river", "246813"); err != nil {
		t.Fatal(err)
	}
	do(t, ctx, "open sign-in", chromedp.Navigate(base+"/signin"))
	mode, err := chromedp.Run(ctx, chromedp.AttributeValue(chromedp.ID("pin"), "inputmode"))
	if err != nil || mode.Value != "numeric" {
		t.Errorf("PIN field inputmode %+v (%v)", mode, err)
	}
	do(t, ctx, "type a wrong PIN",
		chromedp.SendKeys(chromedp.ID("nick"), "river"),
		chromedp.SendKeys(chromedp.ID("pin"), "9999"))
	res := submit(t, ctx, "sign in", "main form button[type=submit]")
	if res.Status != http.StatusOK || !strings.HasSuffix(res.URL, "/signin") {
		t.Errorf("wrong PIN: status %d at %s", res.Status, res.URL)
	}
	wantText(t, ctx, "That nickname and PIN do not match", "A forgotten PIN cannot be recovered")
	// The nickname is kept: only the PIN is typed again.
	nick, err := chromedp.Run(ctx, chromedp.Value(chromedp.ID("nick")))
	if err != nil || nick != "river" {
		t.Errorf("after a wrong PIN the nickname field holds %q (%v)", nick, err)
	}
	shot(t, ctx, "wrong-pin")
}

func TestBrowserPostWithoutCSRFTokenRefused(t *testing.T) {
	ctx := newTab(t)
	n, base := runningHub(t)
	if _, err := n.Members().Add(context.Background(), "river", "246813"); err != nil {
		t.Fatal(err)
	}
	do(t, ctx, "sign in",
		chromedp.Navigate(base+"/signin"),
		chromedp.SendKeys(chromedp.ID("nick"), "river"),
		chromedp.SendKeys(chromedp.ID("pin"), "246813"))
	submit(t, ctx, "sign in", "main form button[type=submit]")
	do(t, ctx, "fill a check-in without its token",
		chromedp.Click(chromedp.CSS(`label[for="mood2"]`)),
		chromedp.Evaluate[chromedp.Void](`document.querySelector('input[name="csrf"]').remove()`))
	res := submit(t, ctx, "post it", `form[action="/checkin"] button[type=submit]`)
	if res.Status != http.StatusForbidden {
		t.Errorf("post without token: status %d", res.Status)
	}
	wantText(t, ctx, "Form not accepted", "nothing was saved")
	shot(t, ctx, "csrf-refused")
	do(t, ctx, "open my page", chromedp.Navigate(base+"/me"))
	wantText(t, ctx, "No check-ins yet.")
}

// smallScreenProblems lists what is wrong with the page at the current
// width: a page wider than the screen, or a control shorter than a 48 px
// touch target (links inside sentences are exempt, as WCAG allows).
const smallScreenProblems = `(() => {
	const out = [];
	if (document.documentElement.scrollWidth > window.innerWidth) {
		out.push("page is " + document.documentElement.scrollWidth + " px wide");
	}
	const controls = document.querySelectorAll('a.button, button, select, summary, header a, nav a, ' +
		'input:not([type=hidden]):not([type=radio]):not([type=checkbox]), .faces label, .chips label, .check label, a.meeting, .hint a');
	for (const e of controls) {
		const r = e.getBoundingClientRect();
		if (r.width > 0 && r.height < 47.5) out.push(Math.round(r.height) + " px: " + e.outerHTML.slice(0, 80));
	}
	if (!document.documentElement.lang) out.push("no lang");
	for (const i of document.querySelectorAll('input:not([type=hidden]), select, textarea')) {
		if (!i.labels || i.labels.length === 0) out.push("no label: " + i.outerHTML.slice(0, 80));
	}
	return out;
})()`

func TestBrowserSmallScreen(t *testing.T) {
	ctx := newTab(t)
	n, base := runningHub(t)
	ms := addSoonMeetings(t, n, 3)
	if _, err := n.Members().Add(context.Background(), "river", "246813"); err != nil {
		t.Fatal(err)
	}
	do(t, ctx, "narrow the screen", chromedp.EmulateViewport(320, 640, chromedp.EmulateMobile))
	check := func(path string) {
		t.Helper()
		do(t, ctx, "open "+path, chromedp.Navigate(base+path))
		problems, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](smallScreenProblems))
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		for _, p := range problems {
			t.Errorf("%s at 320 px: %s", path, p)
		}
	}
	for _, p := range []string{"/", "/meetings", "/meetings?attendance=online", meetingURL(ms[0].ID), "/help", "/signin", "/signin?pass=1"} {
		check(p)
	}
	do(t, ctx, "sign in",
		chromedp.Navigate(base+"/signin"),
		chromedp.SendKeys(chromedp.ID("nick"), "river"),
		chromedp.SendKeys(chromedp.ID("pin"), "246813"))
	submit(t, ctx, "sign in", "main form button[type=submit]")
	for _, p := range []string{"/checkin", "/me", "/me/erase"} {
		check(p)
	}
	do(t, ctx, "open check-in", chromedp.Navigate(base+"/checkin"))
	shot(t, ctx, "checkin-320")
}
