package web

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"hearth/node"
	"hearth/protocol"
)

// Browser tests of the member page on a bad day (issue 11, items 1 to 4 and
// 7), in English and Spanish, on a 360×640 phone, with a screenshot of each
// step that matters in $HEARTH_ARTIFACTS.

// badDayLangs are the languages each flow is walked in, with the words the
// test looks for in each.
var badDayLangs = []struct {
	tag   string
	words map[string]string
}{
	{"en", map[string]string{
		"alone": "You are not alone", "kept": "It is kept on this hub until", "saved": "Your check-in is saved",
		"signin": "Sign in and save my check-in", "tomorrow": "Tomorrow 07:00", "tokyo": "Today 23:50 (Wed 16:50 Tokyo time)",
		"inactive": "Not meeting for now", "notmeeting": "This group is not meeting for now", "closed": "Its building is closed for now",
		"enter": "When it answers, enter 85512345678#",
	}},
	{"es", map[string]string{
		"alone": "No estás solo ni sola", "kept": "Queda guardado en este centro hasta las", "saved": "Tu registro está guardado",
		"signin": "Entrar y guardar mi registro", "tomorrow": "Mañana 07:00", "tokyo": "Hoy 23:50 (mié 16:50, hora de Tokyo)",
		"inactive": "Sin reuniones por ahora", "notmeeting": "Este grupo no se reúne por ahora", "closed": "Su edificio está cerrado por ahora",
		"enter": "Cuando contesten, marca 85512345678#",
	}},
}

// switchLang sets the page language the way a member does, by its link.
func switchLang(t *testing.T, ctx context.Context, base, tag string) {
	t.Helper()
	do(t, ctx, "choose "+tag, chromedp.Navigate(base+"/?lang="+tag))
}

// noResubmitPage goes back through the tab's whole history, page by page,
// and fails if any entry shows a browser error page: what Chrome shows for
// a POST result ("Confirm Form Resubmission", ERR_CACHE_MISS), with no
// crisis number on it.
func noResubmitPage(t *testing.T, ctx context.Context) {
	t.Helper()
	history, err := chromedp.Call(ctx, page.GetNavigationHistory, cdp.Empty{})
	if err != nil {
		t.Fatalf("history: %v", err)
	}
	for i := history.CurrentIndex - 1; i >= 0; i-- {
		entry := history.Entries[i]
		if entry.URL == "about:blank" {
			continue
		}
		// A page restored from the back-forward cache fires no load
		// event: wait a moment, not for ever.
		step, cancel := context.WithTimeout(ctx, 5*time.Second)
		chromedp.Do(step, chromedp.NavigateToHistoryEntry(entry.ID))
		cancel()
		loc, _ := chromedp.Run(ctx, chromedp.Location())
		text, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.body ? document.body.innerText : ""`))
		if strings.HasPrefix(loc, "chrome-error:") || strings.Contains(text, "ERR_CACHE_MISS") || strings.Contains(text, "Confirm Form Resubmission") {
			t.Fatalf("Back to %s (%s) shows a browser error page instead of a page:\n%s", entry.URL, loc, text)
		}
	}
}

// Items 1 and 2: a member writes slowly, says they do not feel safe, and
// presses Save after the idle sign-out. The crisis lines come first; the
// sign-in saves what they wrote, once; Back through every page shows a
// page, never a browser's resubmission prompt.
func TestBrowserIdleSignOutKeepsTheCheckIn(t *testing.T) {
	for _, lang := range badDayLangs {
		t.Run(lang.tag, func(t *testing.T) {
			ctx := newTab(t)
			clk := &clock{t: time.Now()}
			n, base := runningHubWith(t, nil, clk.Now)
			if _, err := n.Members().Add(context.Background(), "river", "246813"); err != nil {
				t.Fatal(err)
			}
			switchLang(t, ctx, base, lang.tag)
			do(t, ctx, "sign in", chromedp.Navigate(base+"/signin"),
				chromedp.SendKeys(chromedp.ID("nick"), "river"), chromedp.SendKeys(chromedp.ID("pin"), "246813"))
			submit(t, ctx, "sign in", "main form button[type=submit]")
			const note = "Writing this slowly. The house is quiet and I keep thinking about using."
			do(t, ctx, "write the check-in",
				chromedp.Click(chromedp.CSS(`label[for="mood1"]`)),
				chromedp.Click(chromedp.CSS(`label[for="craving9"]`)),
				chromedp.SendKeys(chromedp.ID("note"), note),
				chromedp.Click(chromedp.CSS(`label[for="unsafe"]`)))
			clk.Add(16 * time.Minute) // past web.session_idle while writing

			res := submit(t, ctx, "save after the idle sign-out", `form[action="/checkin"] button[type=submit]`)
			if res.Status != http.StatusOK || !strings.Contains(res.URL, "/signin") {
				t.Fatalf("save after the idle sign-out: %d at %s", res.Status, res.URL)
			}
			wantText(t, ctx, lang.words["alone"], "Samaritans: 116 123", lang.words["kept"], lang.words["signin"])
			shot(t, ctx, "badday-1-idle-signin-crisis-"+lang.tag)
			top, err := chromedp.Run(ctx, chromedp.Evaluate[float64](`document.querySelector("ul.crisis a").getBoundingClientRect().top`))
			if err != nil || top > 640 {
				t.Errorf("the first crisis line is at %.0f px, below the phone's screen (%v)", top, err)
			}

			do(t, ctx, "sign in again", chromedp.SendKeys(chromedp.ID("nick"), "river"), chromedp.SendKeys(chromedp.ID("pin"), "246813"))
			submit(t, ctx, "sign in and save", "main form button[type=submit]")
			wantText(t, ctx, lang.words["alone"], "Samaritans: 116 123", lang.words["saved"])
			shot(t, ctx, "badday-1-saved-crisis-"+lang.tag)
			do(t, ctx, "reload the crisis page", chromedp.Reload())
			wantText(t, ctx, "Samaritans: 116 123")

			acct, err := n.Members().Unlock(context.Background(), "river", "246813")
			if err != nil {
				t.Fatal(err)
			}
			list, err := acct.CheckIns()
			if err != nil || len(list) != 1 || list[0].Note != note || !list[0].Unsafe || list[0].Mood != 1 {
				t.Fatalf("after sign-in, saved %+v (%v), want the one check-in written", list, err)
			}
			noResubmitPage(t, ctx)
			if list, _ := acct.CheckIns(); len(list) != 1 {
				t.Errorf("going Back through the pages saved the check-in %d times", len(list))
			}
		})
	}
}

// Item 3: at 23:20 on Tuesday in San Jose, on a server whose clock says
// Wednesday (UTC), the page's today is the hub's Tuesday; tomorrow's
// meetings say so; a meeting far away says its own time and the hub's.
func TestBrowserTodayIsTheHubsDay(t *testing.T) {
	for _, lang := range badDayLangs {
		t.Run(lang.tag, func(t *testing.T) {
			ctx := newTab(t)
			clk := &clock{t: time.Date(2026, 12, 2, 7, 20, 0, 0, time.UTC)} // Tuesday 23:20 in San Jose
			n, base := runningHubWith(t, func(c *node.Config) { c.Listings.DefaultTimezone = "America/Los_Angeles" }, clk.Now)
			add := func(l protocol.Listing) {
				if _, err := n.AddMeeting(context.Background(), node.DraftOf(l)); err != nil {
					t.Fatal(err)
				}
			}
			for _, m := range []struct {
				name  string
				day   int
				clock string
			}{{"Tuesday Noon", 2, "12:00"}, {"Late Night Tuesday", 2, "23:00"}, {"Wednesday Sunrise", 3, "07:00"}} {
				add(protocol.Listing{Name: m.name, Day: intp(m.day), Time: m.clock, Timezone: "America/Los_Angeles", Address: "1 Main St", City: "San Jose"})
			}
			add(protocol.Listing{Name: "Tokyo Dawn", Day: intp(3), Time: "16:50", Timezone: "Asia/Tokyo", ConferenceURL: "https://meet.jit.si/tokyo-dawn"})
			switchLang(t, ctx, base, lang.tag)

			do(t, ctx, "today", chromedp.Navigate(base+"/meetings?day=today"))
			text := mainText(t, ctx)
			if !strings.Contains(text, "Late Night Tuesday") || strings.Contains(text, "Tuesday Noon") || strings.Contains(text, "Wednesday Sunrise") {
				t.Errorf("today's meetings at 23:20 on Tuesday:\n%s", text)
			}
			do(t, ctx, "scroll to the results", chromedp.Evaluate[chromedp.Void](`document.getElementById("results").scrollIntoView()`))
			shot(t, ctx, "badday-3-today-"+lang.tag)
			do(t, ctx, "tomorrow", chromedp.Navigate(base+"/meetings?day=tomorrow"))
			wantText(t, ctx, "Wednesday Sunrise", lang.words["tomorrow"])
			do(t, ctx, "scroll to the results", chromedp.Evaluate[chromedp.Void](`document.getElementById("results").scrollIntoView()`))
			shot(t, ctx, "badday-3-tomorrow-"+lang.tag)
			do(t, ctx, "all", chromedp.Navigate(base+"/meetings"))
			wantText(t, ctx, lang.words["tokyo"])
		})
	}
}

// Item 4: a meeting not meeting for now is said so plainly and comes last,
// with no calendar or map; an online meeting at a closed building shows no
// building; its dial-in number is the number to call, and nothing is wider
// than the phone.
func TestBrowserClosedMeetingsDoNotLookAttendable(t *testing.T) {
	for _, lang := range badDayLangs {
		t.Run(lang.tag, func(t *testing.T) {
			ctx := newTab(t)
			n, base := runningHub(t)
			ms := addSoonMeetings(t, n, 2)
			shut := protocol.Listing{Name: "Shut Hall", Day: ms[0].Day, Time: ms[0].Time, Timezone: "Europe/London", Types: []string{"TC"},
				Address: "9 Shut Street", City: "Brighton", Latitude: floatp(50.8), Longitude: floatp(-0.1)}
			moved := protocol.Listing{Name: "Online While Closed", Day: ms[0].Day, Time: ms[0].Time, Timezone: "Europe/London", Types: []string{"TC"},
				Location: "Old Chapel", Address: "7 Closed Street", City: "Hove", ConferenceURL: "https://meet.jit.si/closed",
				ConferencePhone: "+16699006833,,85512345678#,,,,*123456#,,,,+442034815240"}
			var ids []string
			for _, l := range []protocol.Listing{shut, moved} {
				m, err := n.AddMeeting(context.Background(), node.DraftOf(l))
				if err != nil {
					t.Fatal(err)
				}
				ids = append(ids, m.ID)
			}
			switchLang(t, ctx, base, lang.tag)

			do(t, ctx, "list", chromedp.Navigate(base+"/meetings"))
			last, err := chromedp.Run(ctx, chromedp.Evaluate[string](`[...document.querySelectorAll("ul.meetings li")].pop().innerText`))
			if err != nil || !strings.Contains(last, "Shut Hall") || !strings.Contains(last, lang.words["inactive"]) {
				t.Errorf("the last meeting listed: %q (%v), want Shut Hall, %s", last, err, lang.words["inactive"])
			}
			do(t, ctx, "scroll to the last meetings", chromedp.Evaluate[chromedp.Void](`[...document.querySelectorAll("ul.meetings li")].at(-2).scrollIntoView()`))
			shot(t, ctx, "badday-4-list-"+lang.tag)

			do(t, ctx, "the closed meeting", chromedp.Navigate(base+meetingURL(ids[0])))
			wantText(t, ctx, lang.words["notmeeting"])
			links, _ := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('a[href$=".ics"], a[href^="geo:"]').length`))
			if links != 0 || strings.Contains(mainText(t, ctx), "9 Shut Street") {
				t.Error("the page of a meeting not meeting for now offers a calendar, a map or its address")
			}
			shot(t, ctx, "badday-4-closed-"+lang.tag)

			do(t, ctx, "the online meeting", chromedp.Navigate(base+meetingURL(ids[1])))
			wantText(t, ctx, lang.words["closed"], lang.words["enter"], "+16699006833")
			text := mainText(t, ctx)
			if strings.Contains(text, "7 Closed Street") || strings.Contains(text, "Old Chapel") || strings.Contains(text, "+16699006833,,") {
				t.Errorf("the online meeting at a closed building shows its building or the raw dial string:\n%s", text)
			}
			width, _ := chromedp.Run(ctx, chromedp.Evaluate[int](`document.documentElement.scrollWidth`))
			if width > 360 {
				t.Errorf("the page is %d px wide on a 360 px screen", width)
			}
			do(t, ctx, "scroll to the phone number", chromedp.Evaluate[chromedp.Void](`document.querySelector("a.dial").scrollIntoView()`))
			shot(t, ctx, "badday-4-dial-"+lang.tag)
		})
	}
}

// Item 7: "Help now" stays one line in every language, beside a long hub
// name; /me has its menu (check in, download, erase, sign out) on the
// first screen; the crisis page does not thank the member for telling
// "us".
func TestBrowserSmallThingsOfABadDay(t *testing.T) {
	ctx := newTab(t)
	n, base := runningHubWith(t, func(c *node.Config) { c.Name = "Centro comunitario de Kibera Norte" }, nil)
	if _, err := n.Members().Add(context.Background(), "river", "246813"); err != nil {
		t.Fatal(err)
	}
	for _, tag := range []string{"en", "es", "fr"} {
		switchLang(t, ctx, base, tag)
		lines, err := chromedp.Run(ctx, chromedp.Evaluate[float64](`(() => {
			const a = document.querySelector("a.help");
			return a.getBoundingClientRect().height / parseFloat(getComputedStyle(a).lineHeight);
		})()`))
		height, _ := chromedp.Run(ctx, chromedp.Evaluate[float64](`document.querySelector("a.help").getBoundingClientRect().height`))
		if err != nil || height > 48.5 || lines >= 2 {
			t.Errorf("%s: the help link is %.0f px high (%.1f lines of text), want one line in a 48 px button (%v)", tag, height, lines, err)
		}
		if tag != "en" {
			shot(t, ctx, "badday-7-header-"+tag)
		}
	}
	switchLang(t, ctx, base, "en")
	do(t, ctx, "sign in", chromedp.Navigate(base+"/signin"),
		chromedp.SendKeys(chromedp.ID("nick"), "river"), chromedp.SendKeys(chromedp.ID("pin"), "246813"))
	submit(t, ctx, "sign in", "main form button[type=submit]")
	do(t, ctx, "my page", chromedp.Navigate(base+"/me"))
	bottom, err := chromedp.Run(ctx, chromedp.Evaluate[float64](`Math.max(...[...document.querySelectorAll("nav.memenu a, nav.memenu button")].map(e => e.getBoundingClientRect().bottom))`))
	if err != nil || bottom > 640 {
		t.Errorf("the /me menu ends at %.0f px, below the first screen (%v)", bottom, err)
	}
	shot(t, ctx, "badday-7-me-menu")
	do(t, ctx, "the crisis page", chromedp.Navigate(base+"/crisis"))
	if text := mainText(t, ctx); strings.Contains(strings.ToLower(text), "telling us") {
		t.Errorf("the crisis page thanks the member for telling us:\n%s", text)
	}
}
