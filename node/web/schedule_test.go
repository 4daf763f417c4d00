package web

import (
	"bytes"
	"context"
	"net/http"
	"strings"
	"testing"

	"hearth/node"
	"hearth/node/finder"
	"hearth/protocol"
)

func TestPrintedSchedule(t *testing.T) {
	th := newTestHub(t, func(c *node.Config) { c.Name = "Brighton hub" })
	_, later, _, _ := th.addSampleMeetings()
	if _, err := th.n.CancelMeeting(context.Background(), later.ID); err != nil {
		t.Fatal(err)
	}
	th.addMeeting(protocol.Listing{Name: "Monday Lunch", Day: intp(1), Time: "12:30", Region: "Brighton", Location: "Library", Address: "Church Road"})
	th.addMeeting(protocol.Listing{Name: "Nairobi Dawn", Day: intp(1), Time: "06:00", Timezone: "Africa/Nairobi", ConferenceURL: "https://meet.jit.si/dawn"})
	th.addMeeting(protocol.Listing{Name: "Sponsor Chat", Region: "Brighton", Address: "2 Church Road", Phone: "44 1273 000000"})
	th.addMeeting(protocol.Listing{Name: "Closed For Now", Day: intp(1), Time: "10:00", Address: "3 Church Road", Types: []string{"TC"}})

	res := th.client().get("/meetings/print")
	wantStatus(t, res, http.StatusOK)
	body := res.body
	wantBody(t, res, "Meetings every week", "Brighton hub", "times are local (Europe/London)",
		"St Mary&#39;s Hall", "44 20 1234 5678", "Address on request", "Africa/Nairobi", "By appointment", "44 1273 000000")
	if strings.Contains(body, "Evening Reflections") {
		t.Error("the cancelled meeting is printed")
	}
	if strings.Contains(body, "Closed For Now") {
		t.Error("a meeting not meeting for now is printed")
	}
	// One page a day, Monday first, appointments last; each page says where
	// to call in a crisis.
	order := []string{"<h1>Monday", "Nairobi Dawn", "Monday Lunch", "<h1>Tuesday", "Tuesday Night Hope",
		"<h1>Wednesday", "Reunión en línea", "<h1>Thursday", "Family Circle", "<h1>By appointment", "Sponsor Chat"}
	last := -1
	for _, s := range order {
		i := strings.Index(body, s)
		if i < last {
			t.Errorf("%q is out of order (at %d, before %d)", s, i, last)
		}
		last = i
	}
	pages := strings.Count(body, `<section class="day">`)
	if pages != 5 || strings.Count(body, "Samaritans: 116 123") != pages {
		t.Errorf("%d day pages with %d crisis lines; want 5 pages, each with the line", pages, strings.Count(body, "Samaritans: 116 123"))
	}
	wantBody(t, res, `class="time">17:55–19:00</span>`, `class="time">06:00 (Africa/Nairobi)</span>`)

	res = th.client().get("/meetings/print?region=lewes&lang=es")
	wantStatus(t, res, http.StatusOK)
	wantBody(t, res, "Reuniones cada semana", "<h1>jueves", "Family Circle")
	if strings.Contains(res.body, "Tuesday Night Hope") {
		t.Error("the region filter printed another region's meeting")
	}
	wantStatus(t, th.client().get("/meetings/print?near=nowhere"), http.StatusBadRequest)

	// A search links to the schedule of the same meetings, all week.
	res = th.client().get("/meetings?region=Lewes&day=4")
	wantBody(t, res, `href="/meetings/print?region=Lewes"`)
}

func TestWriteScheduleFallsBackToEnglish(t *testing.T) {
	th := newTestHub(t, nil)
	th.addSampleMeetings()
	ms, err := th.n.Meetings(context.Background(), finder.Query{})
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := WriteSchedule(&out, th.cfg, ms, "sw", th.clock.Now()); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`<html lang="en">`, "<h1>Tuesday", "printed 1 December 2026"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("schedule lacks %q", want)
		}
	}
	if err := WriteSchedule(&out, th.cfg, []node.Meeting{}, "en", th.clock.Now()); err != nil {
		t.Errorf("empty schedule: %v", err)
	}
}
