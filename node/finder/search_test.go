package finder

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"hearth/protocol"
	"hearth/protocol/meetingguide"
)

func zone(t testing.TB, name string) *time.Location {
	t.Helper()
	loc, err := protocol.LoadTimezone(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// at reads "2006-01-02 15:04" in loc.
func at(t testing.TB, loc *time.Location, s string) time.Time {
	t.Helper()
	v, err := time.ParseInLocation("2006-01-02 15:04", s, loc)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func intp(v int) *int { return &v }
func dayp(d Day) *Day { return &d }

// meeting is a weekly listing of hub "hub1", held at a street address.
func meeting(slug string, day int, start, tz string) *protocol.Listing {
	return &protocol.Listing{Hub: "hub1", Slug: slug, Name: slug, Day: intp(day), Time: start, Timezone: tz, Address: "1 High St"}
}

func ids(rs []Result) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = r.Listing.Slug
	}
	return out
}

func index(ls ...*protocol.Listing) *Index {
	ix := New()
	for _, l := range ls {
		ix.Put(l)
	}
	return ix
}

// 2026-12-01 is a Tuesday; 2026-12-05 a Saturday.
func TestNextOccurrence(t *testing.T) {
	london, la, tokyo := zone(t, "Europe/London"), zone(t, "America/Los_Angeles"), zone(t, "Asia/Tokyo")
	utc := time.UTC
	cases := []struct {
		name       string
		day        int
		start, end string
		tz         string
		now        time.Time
		want       string // in the meeting's zone
		inProgress bool
	}{
		// The same instant (Tuesday 02:00 UTC) is Monday 18:00 in Los
		// Angeles and Tuesday 11:00 in Tokyo.
		{"Monday 19:00 in Los Angeles", 1, "19:00", "", "America/Los_Angeles", at(t, utc, "2026-12-01 02:00"), "2026-11-30 19:00", false},
		{"Monday 19:00 in Tokyo", 1, "19:00", "", "Asia/Tokyo", at(t, utc, "2026-12-01 02:00"), "2026-12-07 19:00", false},
		{"Tuesday 07:00 in Tokyo, from London", 2, "07:00", "", "Asia/Tokyo", at(t, london, "2026-11-30 18:00"), "2026-12-01 07:00", false},
		{"later today", 2, "20:00", "", "Europe/London", at(t, london, "2026-12-01 18:00"), "2026-12-01 20:00", false},
		{"week wraps: Saturday night to Sunday morning", 0, "08:00", "", "Europe/London", at(t, london, "2026-12-05 23:00"), "2026-12-06 08:00", false},
		{"Saturday from Sunday", 6, "10:00", "", "Europe/London", at(t, london, "2026-12-06 09:00"), "2026-12-12 10:00", false},
		{"started 5 min ago, no end", 2, "17:55", "", "Europe/London", at(t, london, "2026-12-01 18:00"), "2026-12-01 17:55", true},
		{"running until its end_time", 2, "17:00", "19:00", "Europe/London", at(t, london, "2026-12-01 18:30"), "2026-12-01 17:00", true},
		// With no end_time a meeting runs an hour: 11 minutes in, it is on.
		{"started 11 min ago, no end", 2, "17:49", "", "Europe/London", at(t, london, "2026-12-01 18:00"), "2026-12-01 17:49", true},
		{"59 min in, no end", 2, "17:01", "", "Europe/London", at(t, london, "2026-12-01 18:00"), "2026-12-01 17:01", true},
		{"60 min in, no end: over", 2, "17:00", "", "Europe/London", at(t, london, "2026-12-01 18:00"), "2026-12-08 17:00", false},
		// The ten-minute grace outlasts a very short end_time.
		{"9 min in, ended after 5", 2, "17:51", "17:56", "Europe/London", at(t, london, "2026-12-01 18:00"), "2026-12-01 17:51", true},
		{"11 min in, ended after 5", 2, "17:49", "17:54", "Europe/London", at(t, london, "2026-12-01 18:00"), "2026-12-08 17:49", false},
		{"ended", 2, "16:00", "17:00", "Europe/London", at(t, london, "2026-12-01 18:00"), "2026-12-08 16:00", false},
		{"past midnight, still on", 1, "23:00", "01:00", "Europe/London", at(t, london, "2026-12-01 00:30"), "2026-11-30 23:00", true},
		{"Saturday night past midnight into Sunday", 6, "23:30", "00:30", "Europe/London", at(t, london, "2026-12-06 00:15"), "2026-12-05 23:30", true},
		{"no zone: the index default (UTC)", 2, "19:00", "", "", at(t, utc, "2026-12-01 18:00"), "2026-12-01 19:00", false},
		// London springs forward on 2027-03-28 at 01:00 UTC.
		{"across the spring change", 0, "10:00", "", "Europe/London", at(t, london, "2027-03-27 12:00"), "2027-03-28 10:00", false},
		{"across the autumn change", 0, "10:00", "", "America/Los_Angeles", at(t, la, "2026-10-31 12:00"), "2026-11-01 10:00", false},
		{"Tokyo has no daylight saving", 0, "10:00", "", "Asia/Tokyo", at(t, tokyo, "2027-03-27 12:00"), "2027-03-28 10:00", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			l := meeting("m", tc.day, tc.start, tc.tz)
			l.EndTime = tc.end
			rs := index(l).Search(Query{}, tc.now)
			if len(rs) != 1 {
				t.Fatalf("%d results, want 1", len(rs))
			}
			r := rs[0]
			loc := utc
			if tc.tz != "" {
				loc = zone(t, tc.tz)
			}
			if got := r.Next.Format("2006-01-02 15:04"); got != tc.want || r.InProgress != tc.inProgress {
				t.Errorf("next %s in progress %v, want %s in progress %v", got, r.InProgress, tc.want, tc.inProgress)
			}
			if r.Next.Location().String() != loc.String() {
				t.Errorf("next is in %v, want the meeting's zone %v", r.Next.Location(), loc)
			}
			if r.DistanceKm != -1 {
				t.Errorf("distance %v with no Near, want -1", r.DistanceKm)
			}
		})
	}
}

func TestDefaultZone(t *testing.T) {
	tokyo := zone(t, "Asia/Tokyo")
	ix := NewWithDefault(tokyo)
	ix.Put(meeting("m", 2, "19:00", ""))
	rs := ix.Search(Query{}, at(t, time.UTC, "2026-12-01 02:00"))
	if len(rs) != 1 || rs[0].Next.Format("2006-01-02 15:04 MST") != "2026-12-01 19:00 JST" {
		t.Fatalf("got %+v, want Tuesday 19:00 in Tokyo", rs)
	}
}

func TestOrder(t *testing.T) {
	london := zone(t, "Europe/London")
	now := at(t, london, "2026-12-01 18:00") // Tuesday
	appointmentB := &protocol.Listing{Hub: "hub1", Slug: "appt-b", Name: "Bravo by appointment"}
	appointmentA := &protocol.Listing{Hub: "hub1", Slug: "appt-a", Name: "alpha by appointment"}
	started30 := meeting("started-30", 2, "17:30", "Europe/London")
	started5 := meeting("started-5", 2, "17:55", "Europe/London")
	soon := meeting("soon", 2, "18:30", "Europe/London")
	tokyoSoon := meeting("tokyo-soon", 3, "03:15", "Asia/Tokyo") // 18:15 London
	tieB := meeting("tie-b", 2, "19:00", "Europe/London")
	tieB.Name = "Zebra"
	tieA := meeting("tie-a", 2, "19:00", "Europe/London")
	tieA.Name = "Ápple" // sorts as "apple"
	tieSameName := meeting("tie-c", 2, "19:00", "Europe/London")
	tieSameName.Name = "Zebra"
	lastWeek := meeting("ended", 2, "16:00", "Europe/London")
	sunday := meeting("sunday", 0, "10:00", "Europe/London")
	closedSoon := meeting("closed-soon", 2, "18:05", "Europe/London") // its building closed for now
	closedSoon.Types = []string{"TC"}
	ix := index(appointmentB, appointmentA, started30, started5, soon, tokyoSoon, tieB, tieA, tieSameName, lastWeek, sunday, closedSoon)
	want := []string{"started-5", "started-30", "tokyo-soon", "soon", "tie-a", "tie-b", "tie-c", "sunday", "ended", "appt-a", "appt-b", "closed-soon"}
	if got := ids(ix.Search(Query{}, now)); !slices.Equal(got, want) {
		t.Errorf("order\n got %v\nwant %v", got, want)
	}
	for n := 1; n <= len(want); n++ {
		if got := ids(ix.Search(Query{Limit: n}, now)); !slices.Equal(got, want[:n]) {
			t.Errorf("limit %d: got %v, want %v", n, got, want[:n])
		}
	}
}

// The sort key allows for a daylight-saving change, so a limited search
// picks the right meeting: on the night London springs forward, Sunday
// 10:00 London (09:00 UTC) comes before Sunday 09:30 UTC.
func TestOrderAcrossDaylightSaving(t *testing.T) {
	london := meeting("london", 0, "10:00", "Europe/London")
	utc := meeting("utc", 0, "09:30", "UTC")
	ix := index(utc, london)
	now := at(t, time.UTC, "2027-03-27 12:00")
	if got := ids(ix.Search(Query{Limit: 1}, now)); !slices.Equal(got, []string{"london"}) {
		t.Errorf("limit 1: %v, want london", got)
	}
	// And in autumn, when London falls back on 2026-10-25 at 01:00 UTC,
	// Sunday 09:30 London (09:30 UTC) comes after Sunday 09:15 UTC.
	london.Time = "09:30"
	utc.Time = "09:15"
	ix = index(utc, london)
	now = at(t, time.UTC, "2026-10-24 12:00")
	if got := ids(ix.Search(Query{Limit: 1}, now)); !slices.Equal(got, []string{"utc"}) {
		t.Errorf("limit 1: %v, want utc", got)
	}
}

func TestFilters(t *testing.T) {
	now := at(t, time.UTC, "2026-12-01 12:00")
	lat, lon := func(v float64) *float64 { return &v }, func(v float64) *float64 { return &v }
	all := map[string]*protocol.Listing{}
	add := func(slug string, f func(l *protocol.Listing)) {
		l := meeting(slug, 2, "19:00", "UTC")
		f(l)
		all[slug] = l
	}
	add("tokyo-monday", func(l *protocol.Listing) { l.Day, l.Timezone = intp(1), "Asia/Tokyo" })
	add("early", func(l *protocol.Listing) { l.Time = "04:59" })
	add("dawn", func(l *protocol.Listing) { l.Time = "05:00" })
	add("late-morning", func(l *protocol.Listing) { l.Time = "11:59" })
	add("noon", func(l *protocol.Listing) { l.Time = "12:00" })
	add("teatime", func(l *protocol.Listing) { l.Time = "16:59" })
	add("five", func(l *protocol.Listing) { l.Time = "17:00" })
	add("nine", func(l *protocol.Listing) { l.Time = "21:00" })
	add("midnight", func(l *protocol.Listing) { l.Time = "00:00" })
	add("by-appointment", func(l *protocol.Listing) { l.Day, l.Time = nil, "" })
	add("women-bigbook", func(l *protocol.Listing) { l.Types = []string{"W", "B", "O"} })
	add("women", func(l *protocol.Listing) { l.Types = []string{"W"} })
	add("reunion", func(l *protocol.Listing) { l.Region, l.Location = "Réunion", "Salle Paroissiale, Saint-Pierre" })
	add("saint-denis", func(l *protocol.Listing) { l.Region, l.SubRegion = "La Réunion", "Saint-Denis" })
	add("regions-list", func(l *protocol.Listing) { l.Regions = []string{"Kenya", "Nairobi"} })
	add("spanish-tag", func(l *protocol.Listing) { l.Language = "es-MX" })
	add("spanish-type", func(l *protocol.Listing) { l.Types = []string{"S", "D"} })
	add("online", func(l *protocol.Listing) { l.ConferenceURL, l.Address = "https://example.org/zoom", "" })
	add("hybrid", func(l *protocol.Listing) {
		l.ConferenceURL, l.Address = "https://example.org/zoom", "1 High Street"
	})
	add("in-person", func(l *protocol.Listing) {
		l.Address, l.FormattedAddress = "", "1 High St, Leeds, West Yorkshire LS1 1AA, UK"
	})
	add("closed-for-now", func(l *protocol.Listing) { l.Types = []string{"TC"} })
	add("steps", func(l *protocol.Listing) {
		l.Name, l.Notes = "Twelve Steps & Traditions", "AA literature; bring the Big Book"
	})
	add("kaala", func(l *protocol.Listing) { l.Name = "Kaala Hope Group" })
	add("japanese", func(l *protocol.Listing) { l.Location = "東京都中央区の公民館" })
	add("other-hub", func(l *protocol.Listing) { l.Hub = "hub2" })
	add("cancelled", func(l *protocol.Listing) { l.Cancelled = true })
	add("expired", func(l *protocol.Listing) { l.ExpiresAt = now.Add(-time.Minute) })
	add("fresh", func(l *protocol.Listing) { l.ExpiresAt = now.Add(time.Minute) })
	add("london", func(l *protocol.Listing) { l.Latitude, l.Longitude = lat(51.5074), lon(-0.1278) })
	add("london-3km", func(l *protocol.Listing) { l.Latitude, l.Longitude = lat(51.5074+3/111.2), lon(-0.1278) })
	add("london-7km", func(l *protocol.Listing) { l.Latitude, l.Longitude = lat(51.5074), lon(-0.1278+7/(111.2*0.6225)) })
	add("paris", func(l *protocol.Listing) { l.Latitude, l.Longitude = lat(48.8566), lon(2.3522) })
	add("fiji-east", func(l *protocol.Listing) { l.Latitude, l.Longitude = lat(-17), lon(179.99) })
	add("fiji-west", func(l *protocol.Listing) { l.Latitude, l.Longitude = lat(-17), lon(-179.99) })

	ix := New()
	for _, l := range all {
		ix.Put(l)
	}
	cases := []struct {
		name string
		q    Query
		want []string // sorted slugs; nil means "must not be empty" checks below
	}{
		{"day in the meeting's own zone", Query{Day: dayp(1)}, []string{"tokyo-monday"}},
		{"morning", Query{Window: "morning"}, []string{"dawn", "late-morning"}},
		{"midday", Query{Window: "midday"}, []string{"noon", "teatime"}},
		{"afternoon is midday", Query{Window: "Afternoon"}, []string{"noon", "teatime"}},
		{"night wraps midnight", Query{Window: "night"}, []string{"early", "midnight", "nine"}},
		{"unknown window", Query{Window: "brunch"}, nil},
		{"types, all of", Query{Types: []string{"W", "b"}}, []string{"women-bigbook"}},
		{"one type", Query{Types: []string{"w"}}, []string{"women", "women-bigbook"}},
		{"unknown type", Query{Types: []string{"W", "ZZZ"}}, nil},
		{"region folded", Query{Region: "reunion"}, []string{"reunion"}},
		{"sub_region, punctuation ignored", Query{Region: "saint denis"}, []string{"saint-denis"}},
		{"regions list", Query{Region: "NAIROBI"}, []string{"regions-list"}},
		{"language tag", Query{Language: "es"}, []string{"spanish-tag", "spanish-type"}},
		{"language type code", Query{Language: "S"}, []string{"spanish-tag", "spanish-type"}},
		{"language subtag", Query{Language: "es-ES"}, []string{"spanish-tag", "spanish-type"}},
		{"hybrid", Query{Attendance: "hybrid"}, []string{"hybrid"}},
		{"online", Query{Attendance: "online"}, []string{"online"}},
		{"not meeting for now", Query{Attendance: "inactive"}, []string{"closed-for-now"}},
		{"text folded, word prefix", Query{Text: "REUN"}, []string{"reunion", "saint-denis"}},
		{"text: every word", Query{Text: "saint pierre salle"}, []string{"reunion"}},
		{"text: not mid-word", Query{Text: "union"}, nil},
		{"text: region and sub_region too", Query{Text: "réunion denis"}, []string{"saint-denis"}},
		{"text: short words whole", Query{Text: "aa"}, []string{"steps"}},
		{"text: prefix of a longer word", Query{Text: "step big"}, []string{"steps"}},
		{"text: no spaces in Japanese", Query{Text: "中央区"}, []string{"japanese"}},
		{"hub", Query{Hub: "hub2"}, []string{"other-hub"}},
		{"unknown hub", Query{Hub: "hub9"}, nil},
		{"near London, 5 km", Query{Near: &Point{51.5074, -0.1278}, RadiusKm: 5}, []string{"london", "london-3km"}},
		{"near London, 10 km", Query{Near: &Point{51.5074, -0.1278}, RadiusKm: 10}, []string{"london", "london-3km", "london-7km"}},
		{"across the antimeridian", Query{Near: &Point{-17, 179.999}, RadiusKm: 5}, []string{"fiji-east", "fiji-west"}},
		{"cancelled included", Query{Text: "cancelled", IncludeCancelled: true}, []string{"cancelled"}},
		{"cancelled left out", Query{Text: "cancelled"}, nil},
		{"expired left out", Query{Text: "expired"}, nil},
		{"not yet expired", Query{Text: "fresh"}, []string{"fresh"}},
		{"together", Query{Region: "Réunion", Text: "salle", Window: "evening", Day: dayp(2)}, []string{"reunion"}},
		{"bad day", Query{Day: dayp(7)}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := ids(ix.Search(tc.q, now))
			slices.Sort(got)
			if !slices.Equal(got, tc.want) {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
	t.Run("no filter: cancelled and expired left out", func(t *testing.T) {
		got := ids(ix.Search(Query{}, now))
		if len(got) != len(all)-2 || slices.Contains(got, "cancelled") || slices.Contains(got, "expired") {
			t.Errorf("%d results: %v", len(got), got)
		}
	})
	t.Run("radius 0 gives distances without filtering", func(t *testing.T) {
		rs := ix.Search(Query{Near: &Point{51.5074, -0.1278}}, now)
		if len(rs) != len(all)-2 {
			t.Fatalf("%d results", len(rs))
		}
		for _, r := range rs {
			if (r.Listing.Latitude == nil) != (r.DistanceKm == -1) {
				t.Errorf("%s: distance %v", r.Listing.Slug, r.DistanceKm)
			}
			if r.Listing.Slug == "paris" && (r.DistanceKm < 340 || r.DistanceKm > 347) {
				t.Errorf("London to Paris: %.1f km, want 343.5 within 1%%", r.DistanceKm)
			}
		}
	})
}

func TestDistance(t *testing.T) {
	// Great-circle distances from published figures (to about 0.5%, the
	// error of a spherical Earth).
	cases := []struct {
		name   string
		a, b   Point
		wantKm float64
	}{
		{"London to Paris", Point{51.5074, -0.1278}, Point{48.8566, 2.3522}, 343.5},
		{"Los Angeles to New York", Point{34.0522, -118.2437}, Point{40.7128, -74.0060}, 3936},
		{"Tokyo to Sydney", Point{35.6762, 139.6503}, Point{-33.8688, 151.2093}, 7823},
		{"London to New York", Point{51.5074, -0.1278}, Point{40.7128, -74.0060}, 5570},
		{"same place", Point{10, 10}, Point{10, 10}, 0},
	}
	for _, tc := range cases {
		lat := func(p Point) *float64 { return &p.Lat }
		lon := func(p Point) *float64 { return &p.Lon }
		l := meeting("m", 1, "10:00", "UTC")
		l.Latitude, l.Longitude = lat(tc.b), lon(tc.b)
		rs := index(l).Search(Query{Near: &tc.a}, time.Now())
		if len(rs) != 1 {
			t.Fatalf("%s: %d results", tc.name, len(rs))
		}
		got := rs[0].DistanceKm
		if diff := got - tc.wantKm; diff > tc.wantKm/100 || diff < -tc.wantKm/100 {
			t.Errorf("%s: %.1f km, want %.1f within 1%%", tc.name, got, tc.wantKm)
		}
	}
}

func TestAttendanceRule(t *testing.T) {
	cases := []struct {
		name string
		l    protocol.Listing
		want string
	}{
		{"stated", protocol.Listing{Attendance: "online", Address: "1 High St"}, "online"},
		{"temporarily closed, online", protocol.Listing{Types: []string{"TC"}, Address: "1 High St", ConferencePhone: "+1 555"}, "online"},
		{"temporarily closed", protocol.Listing{Types: []string{"TC"}, Address: "1 High St"}, "inactive"},
		{"conference and address", protocol.Listing{ConferenceURL: "https://x.org", Address: "1 High St"}, "hybrid"},
		{"conference and approximate address", protocol.Listing{ConferenceURL: "https://x.org", Address: "1 High St", Approximate: true}, "online"},
		{"conference and a town", protocol.Listing{ConferenceURL: "https://x.org", FormattedAddress: "Anytown, OK 12345, USA"}, "online"},
		{"address only", protocol.Listing{FormattedAddress: "1 High St, Leeds, W Yorks LS1 1AA, UK"}, "in_person"},
		{"address on request", protocol.Listing{AddressVisibility: protocol.AddressOnRequest}, "in_person"},
		{"neither", protocol.Listing{}, "inactive"},
	}
	for _, tc := range cases {
		if got := meetingguide.Attendance(&tc.l); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
	}
}

func TestPutReplaceDelete(t *testing.T) {
	ix := New()
	a := meeting("a", 1, "10:00", "")
	ix.Put(a)
	ix.Put(meeting("b", 1, "11:00", ""))
	if ix.Len() != 2 {
		t.Fatalf("len %d", ix.Len())
	}
	a2 := meeting("a", 1, "12:00", "")
	a2.Name = "Renamed"
	ix.Put(a2)
	if got, ok := ix.Get("hub1/a"); !ok || got != a2 || ix.Len() != 2 {
		t.Fatalf("after replace: %v %v len %d", got, ok, ix.Len())
	}
	if rs := ix.Search(Query{Text: "renamed"}, time.Now()); len(rs) != 1 || rs[0].Listing != a2 {
		t.Errorf("the replaced listing is not searched: %v", ids(rs))
	}
	ix.Delete("hub1/a")
	ix.Delete("hub1/nothing")
	if _, ok := ix.Get("hub1/a"); ok || ix.Len() != 1 {
		t.Fatalf("after delete: len %d", ix.Len())
	}
	if got := ids(ix.Search(Query{}, time.Now())); !slices.Equal(got, []string{"b"}) {
		t.Errorf("after delete: %v", got)
	}
	ix.Put(meeting("c", 1, "10:00", "")) // reuses the freed slot
	if got := ids(ix.Search(Query{}, time.Now())); len(got) != 2 || ix.Len() != 2 {
		t.Errorf("after reuse: %v", got)
	}
	ix.Put(nil)
}

func TestContainsWord(t *testing.T) {
	cases := []struct {
		text, word string
		want       bool
	}{
		{"big book study", "book", true},
		{"big book study", "boo", true},
		{"big book study", "ook", false},
		{"aa meeting", "aa", true},
		{"kaala meeting", "aa", false},
		{"aaron's group", "aa", false}, // short words are whole words
		{"st mary's", "st", true},
		{"street", "st", false},
		{"mary's", "s", true},
		{"東京都中央区", "中央", true},
		{"東京aa", "aa", true},
		{"x", "xy", false},
	}
	for _, tc := range cases {
		q := parseText(tc.word)
		sig := signatureOf(tc.text)
		if got := q.matches(tc.text); got != tc.want {
			t.Errorf("%q in %q: %v, want %v", tc.word, tc.text, got, tc.want)
		}
		if tc.want && !sig.covers(&q.sig) {
			t.Errorf("%q in %q: the signature rules out a match", tc.word, tc.text)
		}
	}
}

func ExampleIndex_Search() {
	ix := New()
	day := 1 // Monday
	ix.Put(&protocol.Listing{Hub: "hub", Slug: "la", Name: "Sunset Group", Day: &day, Time: "19:00", Timezone: "America/Los_Angeles", Address: "1 Sunset Blvd"})
	ix.Put(&protocol.Listing{Hub: "hub", Slug: "tokyo", Name: "Tokyo Step Study", Day: &day, Time: "19:00", Timezone: "Asia/Tokyo", ConferenceURL: "https://meet.example.org/tokyo"})
	now := time.Date(2026, 12, 1, 2, 0, 0, 0, time.UTC) // Monday 18:00 in Los Angeles
	for _, r := range ix.Search(Query{Limit: 10}, now) {
		fmt.Println(r.Listing.Name, r.Next.Format("Mon 2 Jan 15:04 MST"))
	}
	// Output:
	// Sunset Group Mon 30 Nov 19:00 PST
	// Tokyo Step Study Mon 7 Dec 19:00 JST
}

// Past the first 63 type codes, languages and regions, the masks no longer
// decide alone; the codes must.
func TestManyCodes(t *testing.T) {
	ix := New()
	const n = 150
	for i := range n {
		l := meeting(fmt.Sprintf("m%03d", i), 1, "10:00", "")
		l.Types = []string{"COMMON", fmt.Sprintf("T%d", i)}
		l.Region = fmt.Sprintf("Region %d", i)
		l.Language = fmt.Sprintf("x%c%c", 'a'+i/26, 'a'+i%26)
		ix.Put(l)
	}
	now := time.Now()
	for i := range n {
		want := []string{fmt.Sprintf("m%03d", i)}
		for _, q := range []Query{
			{Types: []string{fmt.Sprintf("t%d", i)}},
			{Types: []string{"COMMON", fmt.Sprintf("T%d", i)}},
			{Region: fmt.Sprintf("region %d", i)},
			{Language: fmt.Sprintf("x%c%c", 'a'+i/26, 'a'+i%26)},
		} {
			if got := ids(ix.Search(q, now)); !slices.Equal(got, want) {
				t.Fatalf("%+v: got %v, want %v", q, got, want)
			}
		}
	}
	if got := ix.Search(Query{Types: []string{"T3", "T100"}}, now); len(got) != 0 {
		t.Errorf("two listings' types found %v", ids(got))
	}
}
