package finder

import (
	"testing"
	"time"

	"hearth/protocol"
)

func TestNextSitting(t *testing.T) {
	t.Parallel()
	london, _ := time.LoadLocation("Europe/London")
	tokyo, _ := time.LoadLocation("Asia/Tokyo")
	at := func(loc *time.Location, s string) time.Time {
		tm, err := time.ParseInLocation("2006-01-02 15:04", s, loc)
		if err != nil {
			t.Fatal(err)
		}
		return tm
	}
	// 2026-12-01 is a Tuesday.
	cases := []struct {
		name       string
		day        int
		start, end string
		hub        *time.Location
		now        time.Time
		want       string // start - end
		inProgress bool
	}{
		{"later today", 2, "20:00", "", london, at(london, "2026-12-01 18:00"), "2026-12-01 20:00 - 2026-12-01 21:00", false},
		{"running now", 2, "17:30", "19:00", london, at(london, "2026-12-01 18:00"), "2026-12-01 17:30 - 2026-12-01 19:00", true},
		{"started 5 min ago, no end", 2, "17:55", "", london, at(london, "2026-12-01 18:00"), "2026-12-01 17:55 - 2026-12-01 18:55", true},
		{"ended 5 min ago, started 9 min ago", 2, "17:51", "17:55", london, at(london, "2026-12-01 18:00"), "2026-12-01 17:51 - 2026-12-01 17:55", true},
		{"ended", 2, "16:00", "17:00", london, at(london, "2026-12-01 18:00"), "2026-12-08 16:00 - 2026-12-08 17:00", false},
		{"week wraps to Sunday", 0, "10:00", "", london, at(london, "2026-12-05 22:00"), "2026-12-06 10:00 - 2026-12-06 11:00", false},
		{"Saturday from Sunday", 6, "10:00", "", london, at(london, "2026-12-06 09:00"), "2026-12-12 10:00 - 2026-12-12 11:00", false},
		{"past midnight, still on", 1, "23:00", "01:00", london, at(london, "2026-12-01 00:30"), "2026-11-30 23:00 - 2026-12-01 01:00", true},
		{"hub in another zone", 3, "07:00", "", tokyo, at(london, "2026-12-01 18:00"), "2026-12-02 07:00 - 2026-12-02 08:00", false},
	}
	for _, tc := range cases {
		l := &protocol.Listing{Day: intp(tc.day), Time: tc.start, EndTime: tc.end, Address: "1 High St"}
		s, ok := NextSitting(l, tc.hub, tc.now)
		got := s.Start.Format("2006-01-02 15:04") + " - " + s.End.Format("2006-01-02 15:04")
		if !ok || got != tc.want || s.InProgress != tc.inProgress || s.Start.Location() != tc.hub {
			t.Errorf("%s: %s %v %v, want %s in progress %v", tc.name, got, s.InProgress, ok, tc.want, tc.inProgress)
		}
	}
	// Its own zone wins over the hub's.
	l := &protocol.Listing{Day: intp(3), Time: "07:00", Timezone: "Asia/Tokyo", Address: "1 High St"}
	if s, _ := NextSitting(l, london, at(london, "2026-12-01 18:00")); s.Start.Location().String() != "Asia/Tokyo" {
		t.Errorf("a listing's own zone: %v", s.Start)
	}
	for _, l := range []*protocol.Listing{{}, {Day: intp(2)}, {Time: "19:00"}, {Day: intp(9), Time: "19:00"}, {Day: intp(2), Time: "7pm"}} {
		l.Address = "1 High St"
		if s, ok := NextSitting(l, london, time.Now()); ok {
			t.Errorf("%+v: a meeting by appointment has a sitting: %+v", l, s)
		}
	}
	// A meeting not meeting for now (its building closed, no way to join
	// online) has no sitting to offer.
	for _, l := range []*protocol.Listing{
		{Day: intp(2), Time: "19:00", Address: "1 High St", Types: []string{"TC"}},
		{Day: intp(2), Time: "19:00"},
	} {
		if s, ok := NextSitting(l, london, time.Now()); ok {
			t.Errorf("%+v: an inactive meeting has a sitting: %+v", l, s)
		}
	}
}

// DaysAway counts the viewer's dates: at 23:30 in London, a Tokyo meeting
// at 10:00 the next morning there starts at 01:00 in London, "tomorrow"
// for a London member, though it is already that day in Tokyo; so does
// one at 07:00 on the day after in Tokyo (22:00 tomorrow in London). A
// viewer in Tokyo counts Tokyo's dates.
func TestDaysAway(t *testing.T) {
	t.Parallel()
	tokyo, _ := time.LoadLocation("Asia/Tokyo")
	london, _ := time.LoadLocation("Europe/London")
	now := time.Date(2026, 12, 1, 23, 30, 0, 0, london) // 08:30 on the 2nd in Tokyo
	for start, want := range map[time.Time]int{
		time.Date(2026, 12, 2, 10, 0, 0, 0, tokyo):   1,
		time.Date(2026, 12, 3, 7, 0, 0, 0, tokyo):    1,
		time.Date(2026, 12, 1, 23, 45, 0, 0, london): 0,
		time.Date(2026, 12, 2, 0, 15, 0, 0, london):  1,
		time.Date(2026, 12, 8, 19, 0, 0, 0, london):  7,
	} {
		if got := DaysAway(start, now, london); got != want {
			t.Errorf("%v from %v in London: %d days, want %d", start, now, got, want)
		}
	}
	for start, want := range map[time.Time]int{
		time.Date(2026, 12, 2, 10, 0, 0, 0, tokyo):  0,
		time.Date(2026, 12, 3, 7, 0, 0, 0, tokyo):   1,
		time.Date(2026, 12, 2, 0, 15, 0, 0, london): 0, // 09:15 on the 2nd in Tokyo
		time.Date(2026, 12, 1, 12, 0, 0, 0, london): -1,
	} {
		if got := DaysAway(start, now, tokyo); got != want {
			t.Errorf("%v from %v in Tokyo: %d days, want %d", start, now, got, want)
		}
	}
	// Across a change to summer time the days stay whole.
	if got := DaysBetween(time.Date(2026, 3, 28, 12, 0, 0, 0, london), time.Date(2026, 3, 30, 1, 0, 0, 0, london)); got != 2 {
		t.Errorf("across daylight saving: %d days, want 2", got)
	}
}
