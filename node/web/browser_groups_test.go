package web

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"hearth/node"
	"hearth/protocol"
)

// Browser tests of what groups are for, each in English and Spanish, at
// 360×640: the safety plan (made, shown first after an unsafe check-in,
// printed, and with nothing fetched from anywhere but the hub), buddies
// (a code, a yes, a quiet buddy noticed, a link ended) and the routine (a
// meeting marked from the finder, the week's line, the calendar address).

// words is the page's catalogue in one language, as the tests expect it.
type words struct{ lang string }

func (w words) T(key string, args ...any) string {
	s := sharedCatalogs().T(w.lang, key)
	if len(args) > 0 {
		return fmt.Sprintf(s, args...)
	}
	return s
}

// inLanguage opens the hub's page once in lang, so the browser's cookie
// keeps it.
func inLanguage(t *testing.T, ctx context.Context, base, lang string) {
	t.Helper()
	do(t, ctx, "choose "+lang, chromedp.Navigate(base+"/?lang="+lang))
}

// signInAs signs a member in through the form.
func signInAs(t *testing.T, ctx context.Context, base, nick, pin string) {
	t.Helper()
	do(t, ctx, "open sign-in", chromedp.Navigate(base+"/signin"),
		chromedp.SendKeys(chromedp.ID("nick"), nick), chromedp.SendKeys(chromedp.ID("pin"), pin))
	submit(t, ctx, "sign in", "main form button[type=submit]")
}

// checkSmallScreen fails the test for what smallScreenProblems finds on the
// page the tab shows.
func checkSmallScreen(t *testing.T, ctx context.Context, what string) {
	t.Helper()
	problems, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](smallScreenProblems))
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	for _, p := range problems {
		t.Errorf("%s at 360 px: %s", what, p)
	}
}

// offHub records every request the tab makes to anywhere but the hub.
func offHub(t *testing.T, ctx context.Context, base string) func() []string {
	t.Helper()
	var mu sync.Mutex
	var seen []string
	err := chromedp.Listen(ctx, func(ev any) {
		if e, ok := ev.(*network.EventRequestWillBeSent); ok && !strings.HasPrefix(e.Request.URL, base) &&
			!strings.HasPrefix(e.Request.URL, "data:") {
			mu.Lock()
			seen = append(seen, e.Request.URL)
			mu.Unlock()
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	return func() []string {
		mu.Lock()
		defer mu.Unlock()
		return append([]string(nil), seen...)
	}
}

func TestBrowserSafetyPlan(t *testing.T) {
	for _, lang := range []string{"en", "es"} {
		t.Run(lang, func(t *testing.T) {
			w := words{lang}
			ctx := newTab(t)
			n, base := runningHub(t)
			if _, err := n.Members().Add(context.Background(), "river", "246813"); err != nil {
				t.Fatal(err)
			}
			elsewhere := offHub(t, ctx, base)
			inLanguage(t, ctx, base, lang)
			signInAs(t, ctx, base, "river", "246813")

			// One tap from any member page.
			submit(t, ctx, "tap My plan", `nav.main a[href="/me/plan"]`)
			wantText(t, ctx, w.T("plan.title"), w.T("plan.none"))
			checkSmallScreen(t, ctx, "/me/plan")
			shot(t, ctx, "plan-empty-"+lang)

			submit(t, ctx, "make my plan", `main a[href="/me/plan/edit"]`)
			do(t, ctx, "write the plan",
				chromedp.SendKeys(chromedp.ID("step-warning-signs"), "pacing at night\nskipping meals"),
				chromedp.SendKeys(chromedp.ID("step-alone"), "walk to the river"),
				chromedp.SendKeys(chromedp.ID("step-ask"), "Mum 0722 123 456"),
				chromedp.SendKeys(chromedp.ID("step-safer"), "give the pills to Joy"))
			checkSmallScreen(t, ctx, "/me/plan/edit")
			shot(t, ctx, "plan-edit-"+lang)
			submit(t, ctx, "save the plan", `form[action="/me/plan"] button[type=submit]`)
			wantText(t, ctx, w.T("plan.saved"), "pacing at night", "skipping meals", "Mum 0722 123 456", w.T("plan.hublines"), "Samaritans: 116 123")
			tel, err := chromedp.Run(ctx, chromedp.AttributeValue(chromedp.CSS("ol.plan a.call"), "href"))
			if err != nil || tel.Value != "tel:0722123456" {
				t.Errorf("the number in the plan: %+v %v", tel, err)
			}
			checkSmallScreen(t, ctx, "/me/plan")
			shot(t, ctx, "plan-"+lang)

			// Printed: the plan and the lines, none of the page's frame.
			if _, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: "print"}); err != nil {
				t.Fatal(err)
			}
			shown, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll("header, footer, main form, .noprint, ol.plan, .printonly")].map(e => e.tagName.toLowerCase() + "." + e.className + "=" + getComputedStyle(e).display)`))
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range shown {
				hidden := strings.HasSuffix(s, "=none")
				if want := strings.HasPrefix(s, "ol.plan") || strings.HasPrefix(s, "p.printonly"); want == hidden {
					t.Errorf("printed, %s", s)
				}
			}
			shot(t, ctx, "plan-print-"+lang)
			pdf, err := chromedp.Call(ctx, page.PrintToPDF, page.PrintToPDFParams{})
			if err != nil || len(pdf.Data) < 1000 {
				t.Errorf("print to PDF: %d bytes, %v", len(pdf.Data), err)
			} else {
				os.WriteFile(artifactPath(t, "plan-"+lang+".pdf"), pdf.Data, 0o644)
			}
			if _, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{}); err != nil {
				t.Fatal(err)
			}

			// After an unsafe check-in: the plan first, above the crisis lines.
			do(t, ctx, "open check-in", chromedp.Navigate(base+"/checkin"),
				chromedp.Click(chromedp.CSS(`label[for="mood1"]`)),
				chromedp.Click(chromedp.CSS(`label[for="unsafe"]`)))
			submit(t, ctx, "save an unsafe check-in", `form[action="/checkin"] button[type=submit]`)
			wantText(t, ctx, w.T("plan.now"), "pacing at night", "Mum 0722 123 456", "Samaritans: 116 123")
			order, err := chromedp.Run(ctx, chromedp.Evaluate[[]float64](`[document.querySelector(".plan-now").getBoundingClientRect().top, document.querySelector("ul.crisis").getBoundingClientRect().top]`))
			if err != nil || len(order) != 2 || order[0] >= order[1] {
				t.Errorf("the plan at %v, the crisis lines after it? (%v)", order, err)
			}
			checkSmallScreen(t, ctx, "the crisis page")
			shot(t, ctx, "unsafe-plan-"+lang)

			if off := elsewhere(); len(off) > 0 {
				t.Errorf("the pages fetched from outside the hub (they must work on a Wi-Fi with no internet): %v", off)
			}
		})
	}
}

func TestBrowserBuddies(t *testing.T) {
	for _, lang := range []string{"en", "es"} {
		t.Run(lang, func(t *testing.T) {
			w := words{lang}
			// Noon in the hub's zone today, so "two days later" is two
			// calendar days whatever the hour the test runs.
			london, _ := time.LoadLocation("Europe/London")
			y, m, d := time.Now().In(london).Date()
			clk := &clock{t: time.Date(y, m, d, 12, 0, 0, 0, london)}
			n, base := runningHubWith(t, nil, clk.Now)
			for nick, pin := range map[string]string{"amani": "428613", "wren": "573920"} {
				if _, err := n.Members().Add(context.Background(), nick, pin); err != nil {
					t.Fatal(err)
				}
			}
			amani, wren := newTab(t), newTab(t) // two phones
			inLanguage(t, amani, base, lang)
			inLanguage(t, wren, base, lang)
			signInAs(t, amani, base, "amani", "428613")
			signInAs(t, wren, base, "wren", "573920")

			// Amani makes a code from her page and gives it to Wren.
			do(t, amani, "open my page", chromedp.Navigate(base+"/me"))
			submit(t, amani, "tap My buddies", `ul.menu a[href="/me/buddies"]`)
			wantText(t, amani, w.T("buddy.none"))
			submit(t, amani, "make a code", `form[action="/me/buddies/offer"] button`)
			code, err := chromedp.Run(amani, chromedp.Text(chromedp.CSS("p.code")))
			if err != nil || len(code) != 9 {
				t.Fatalf("the code: %q %v", code, err)
			}
			checkSmallScreen(t, amani, "/me/buddies with a code")
			shot(t, amani, "buddy-code-"+lang)

			do(t, wren, "type the code", chromedp.Navigate(base+"/me/buddies"), chromedp.SendKeys(chromedp.ID("code-input"), strings.ToLower(code)))
			submit(t, wren, "next", `form[action="/me/buddies/take"] button`)
			wantText(t, wren, w.T("buddy.confirm", "amani"))
			shot(t, wren, "buddy-confirm-"+lang)
			submit(t, wren, "say yes", `form[action="/me/buddies/take"] button`)
			wantText(t, wren, w.T("buddy.added"), w.T("buddy.never", "amani"))

			// Amani checks in, not safe, and asks her buddy for a call from
			// the crisis page; she wants to be noticed after two quiet days.
			const note = "NOTE-e41 it was a terrible night"
			do(t, amani, "check in", chromedp.Navigate(base+"/checkin"),
				chromedp.Click(chromedp.CSS(`label[for="mood1"]`)),
				chromedp.Click(chromedp.CSS(`label[for="trigger1"]`)),
				chromedp.SendKeys(chromedp.ID("note"), note),
				chromedp.Click(chromedp.CSS(`label[for="unsafe"]`)))
			submit(t, amani, "save", `form[action="/checkin"] button[type=submit]`)
			submit(t, amani, "ask my buddies to call", `form[action="/me/buddies/ask"] button`)
			wantText(t, amani, w.T("buddy.askeddone"))
			do(t, amani, "choose two quiet days", chromedp.SetValue(chromedp.ID("quiet"), "2"))
			submit(t, amani, "save the quiet days", `form[action="/me/buddies/settings"] button`)

			do(t, wren, "open my page", chromedp.Navigate(base+"/me"))
			wantText(t, wren, w.T("buddy.asked", "amani", w.T("days.todayat", clk.Now().In(n.Zone()).Format("15:04"))))
			shot(t, wren, "buddy-asked-"+lang)

			// Two days later, quiet: Wren is told to reach out.
			clk.Add(2*24*time.Hour + time.Hour)
			signInAs(t, wren, base, "wren", "573920")
			do(t, wren, "open my page", chromedp.Navigate(base+"/me"))
			wantText(t, wren, w.T("buddy.reachout", "amani", 2))
			checkSmallScreen(t, wren, "/me with a quiet buddy")
			shot(t, wren, "buddy-reachout-"+lang)
			// Nothing of what Amani wrote, on any of Wren's pages. (Her mood's
			// word is no test: Wren's own charts name every mood on an axis.)
			for _, p := range []string{"/me", "/me/buddies", "/me/plan", "/me/meetings"} {
				do(t, wren, "open "+p, chromedp.Navigate(base+p))
				if text := mainText(t, wren); strings.Contains(text, "e41") || strings.Contains(text, "terrible") ||
					strings.Contains(text, w.T("trigger.lonely")) {
					t.Errorf("Wren's %s shows what Amani wrote:\n%s", p, text)
				}
			}

			// Wren ends it: at once, for both.
			do(t, wren, "open buddies", chromedp.Navigate(base+"/me/buddies"))
			submit(t, wren, "end the link", `form[action="/me/buddies/end"] button`)
			wantText(t, wren, w.T("buddy.endeddone"), w.T("buddy.none"))
			signInAs(t, amani, base, "amani", "428613")
			do(t, amani, "open buddies", chromedp.Navigate(base+"/me/buddies"))
			wantText(t, amani, w.T("buddy.ended"), w.T("buddy.none"))
			shot(t, amani, "buddy-ended-"+lang)
		})
	}
}

func TestBrowserMyMeetings(t *testing.T) {
	for _, lang := range []string{"en", "es"} {
		t.Run(lang, func(t *testing.T) {
			w := words{lang}
			ctx := newTab(t)
			n, base := runningHub(t)
			// A meeting on today's weekday (so the check-in offers it) and
			// two near now.
			london, _ := time.LoadLocation("Europe/London")
			weekday := int(time.Now().In(london).Weekday())
			today, err := n.AddMeeting(context.Background(), node.DraftOf(protocol.Listing{
				Name: "Sunrise Circle", Day: &weekday, Time: "06:00", Timezone: "Europe/London",
				Format: protocol.FormatPeerLed, Location: "Community Hall", Address: "1 Church Lane", City: "Brighton",
			}))
			if err != nil {
				t.Fatal(err)
			}
			addSoonMeetings(t, n, 2)
			if _, err := n.Members().Add(context.Background(), "river", "246813"); err != nil {
				t.Fatal(err)
			}
			inLanguage(t, ctx, base, lang)
			signInAs(t, ctx, base, "river", "246813")

			// From the finder: the meeting's page, one tap.
			do(t, ctx, "search", chromedp.Navigate(base+"/meetings?q=Sunrise"))
			submit(t, ctx, "open the meeting", "ul.meetings a.meeting")
			submit(t, ctx, "add to my meetings", `form[action="/me/meetings"] button`)
			wantText(t, ctx, "Sunrise Circle", w.T("routine.ismine"))
			checkSmallScreen(t, ctx, "a meeting of mine")
			shot(t, ctx, "meeting-mine-"+lang)

			// Gone to it: the check-in says so, and the week counts it.
			do(t, ctx, "check in", chromedp.Navigate(base+"/checkin"),
				chromedp.Click(chromedp.CSS(`label[for="mood4"]`)),
				chromedp.SetValue(chromedp.ID("meeting"), today.ID))
			submit(t, ctx, "save", `form[action="/checkin"] button[type=submit]`)
			wantText(t, ctx, w.T("routine.week"), w.T("routine.one"), "Sunrise Circle")
			shot(t, ctx, "me-week-"+lang)

			submit(t, ctx, "tap My meetings", `ul.menu a[href="/me/meetings"]`)
			submit(t, ctx, "make a calendar address", `form[action="/me/meetings/feed"] button`)
			wantText(t, ctx, w.T("routine.feedmade"), w.T("routine.one"))
			feed, err := chromedp.Run(ctx, chromedp.Value(chromedp.ID("feed-url")))
			if err != nil || !strings.HasPrefix(feed, base+"/feed/") {
				t.Fatalf("the calendar address: %q %v", feed, err)
			}
			checkSmallScreen(t, ctx, "/me/meetings")
			shot(t, ctx, "my-meetings-"+lang)

			// A calendar app follows it: no cookie, no PIN.
			res, err := http.Get(feed)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(res.Body)
			res.Body.Close()
			if res.StatusCode != http.StatusOK || !strings.Contains(string(body), "SUMMARY:Sunrise Circle") || !strings.Contains(string(body), "RRULE:FREQ=WEEKLY") {
				t.Errorf("the feed: %d\n%s", res.StatusCode, body)
			}
			// Stopped, it finds nothing.
			submit(t, ctx, "stop the address", `form[action="/me/meetings/feed"] input[name="stop"] ~ button`)
			wantText(t, ctx, w.T("routine.feedstopped"))
			if res, err := http.Get(feed); err != nil || res.StatusCode != http.StatusNotFound {
				t.Errorf("a stopped feed: %v %v", res.Status, err)
			}
		})
	}
}
