package web

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"hearth/node"
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
