package web

import (
	"bytes"
	"context"
	"html/template"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"hearth/node"
	"hearth/protocol"
)

// attackPage is a page on another port of the hub's host, as a hostile
// program on the hub (or any site the member visits that is served from
// that host) could serve: it plants a hearth_csrf cookie for the host
// (cookies are not scoped by port, and a path more specific than / puts it
// first in the Cookie header), then posts a form to the hub with the same
// value, at once.
var attackPage = template.Must(template.New("attack").Parse(`<!doctype html>
<html><body>
<form id="f" method="post" action="{{.Action}}">
<input type="hidden" name="csrf" value="{{.Token}}">
{{range $k, $v := .Fields}}<input type="hidden" name="{{$k}}" value="{{$v}}">
{{end}}</form>
<script>
for (const path of ["/", "{{.Path}}"]) {
	document.cookie = "hearth_csrf={{.Token}}; path=" + path;
}
document.getElementById("f").submit();
</script>
</body></html>`))

// TestBrowserCookieInjectionCSRF: a signed-in member's browser opens pages
// from another port of 127.0.0.1 that plant the CSRF cookie and post
// forms to the hub. Nothing changes: no check-in, no erasure, and the
// browser is still signed in as the member, not as the attacker.
func TestBrowserCookieInjectionCSRF(t *testing.T) {
	ctx := newTab(t)
	n, base := runningHub(t)
	for nick, pin := range map[string]string{"river": "246813", "mallory": "861302"} {
		if _, err := n.Members().Add(ctx, nick, pin); err != nil {
			t.Fatal(err)
		}
	}
	token := randomToken()
	attacks := map[string]map[string]string{
		"/checkin":  {"mood": "1", "note": "planted by the attacker"},
		"/me":       {"sober_since": "2026-01-02"},
		"/me/erase": {"confirm": "1"},
		"/signin":   {"nick": "mallory", "pin": "861302"},
	}
	evil := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fields, ok := attacks[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		attackPage.Execute(w, map[string]any{"Action": base + r.URL.Path, "Path": r.URL.Path, "Token": token, "Fields": fields})
	}))
	defer evil.Close()
	if !strings.HasPrefix(evil.URL, "http://127.0.0.1:") || evil.URL == base {
		t.Fatalf("the attacker's page %s must be another port of the hub's host %s", evil.URL, base)
	}

	do(t, ctx, "sign in",
		chromedp.Navigate(base+"/signin"),
		chromedp.SendKeys(chromedp.ID("nick"), "river"),
		chromedp.SendKeys(chromedp.ID("pin"), "246813"))
	submit(t, ctx, "sign in", "main form button[type=submit]")
	for _, path := range []string{"/checkin", "/me", "/me/erase", "/signin"} {
		do(t, ctx, "open the attacker's page for "+path, chromedp.Navigate(evil.URL+path))
		// The page posts itself to the hub: wait for the hub's answer.
		waitForURL(t, ctx, base)
		if text := mainText(t, ctx); !strings.Contains(text, "Form not accepted") {
			t.Errorf("the forged post to %s was taken:\n%s", path, text)
		}
	}
	shot(t, ctx, "csrf-cookie-injection")

	do(t, ctx, "open my page", chromedp.Navigate(base+"/me"))
	text := mainText(t, ctx)
	for _, bad := range []string{"planted by the attacker", "mallory", "Sign in"} {
		if strings.Contains(text, bad) {
			t.Errorf("after the attacks, my page shows %q:\n%s", bad, text)
		}
	}
	wantText(t, ctx, "river", "No check-ins yet.")
	if _, err := n.Members().Unlock(ctx, "river", "246813"); err != nil {
		t.Errorf("river's account after the attacks: %v", err)
	}
}

// waitForURL waits until the tab shows a page at url, loaded.
func waitForURL(t testing.TB, ctx context.Context, url string) {
	t.Helper()
	for {
		loc, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.readyState === "complete" ? location.href : ""`))
		if err == nil && strings.HasPrefix(loc, url) {
			return
		}
		select {
		case <-ctx.Done():
			t.Fatalf("never reached %s (at %q, %v)", url, loc, err)
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// TestBrowserPrintedScheduleStyled: the printable schedule as Chromium
// renders it under the page's own Content-Security-Policy: large type, and
// printed, one sheet per day.
func TestBrowserPrintedScheduleStyled(t *testing.T) {
	ctx := newTab(t)
	n, base := runningHub(t)
	for day, name := range map[int]string{1: "Monday Hope", 3: "Wednesday Light", 5: "Friday Circle"} {
		l := protocol.Listing{Name: name, Day: intp(day), Time: "19:00", Timezone: "Europe/London", Types: []string{"O"},
			Format: protocol.FormatPeerLed, Location: "St Mary's Hall", Address: "1 Church Lane", City: "Brighton"}
		if _, err := n.AddMeeting(ctx, node.DraftOf(l)); err != nil {
			t.Fatal(err)
		}
	}
	do(t, ctx, "open the schedule", chromedp.Navigate(base+"/meetings/print"))
	styles, err := chromedp.Run(ctx, chromedp.Evaluate[map[string]string](`(() => {
		const px = (e, p) => getComputedStyle(document.querySelector(e))[p];
		return {
			body: px("body", "fontSize"), h1: px("h1", "fontSize"), name: px(".name", "fontSize"),
			breakAfter: px("section.day", "breakAfter"), sheets: String(document.styleSheets.length),
		};
	})()`))
	if err != nil {
		t.Fatal(err)
	}
	// 16pt, 32pt and 21pt at 96 CSS pixels to the inch.
	for k, want := range map[string]string{"body": "21.3333px", "h1": "42.6667px", "name": "28px", "breakAfter": "page"} {
		if styles[k] != want {
			t.Errorf("computed %s: %q, want %q (styles %v)", k, styles[k], want, styles)
		}
	}
	shot(t, ctx, "schedule")

	pdf, err := chromedp.Call(ctx, page.PrintToPDF, page.PrintToPDFParams{})
	if err != nil {
		t.Fatal(err)
	}
	if pages := pdfPages(pdf.Data); pages != 3 {
		t.Errorf("printed on %d pages, want 3: one per day with meetings", pages)
	}
}

// pdfPages counts the page objects of a PDF as Chromium writes it.
func pdfPages(pdf []byte) int {
	return bytes.Count(pdf, []byte("/Type /Page\n")) + bytes.Count(pdf, []byte("/Type /Page\r")) +
		bytes.Count(pdf, []byte("/Type /Page/")) + bytes.Count(pdf, []byte("/Type /Page ")) + bytes.Count(pdf, []byte("/Type /Page>"))
}
