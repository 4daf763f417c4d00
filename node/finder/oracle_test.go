package finder

import (
	"cmp"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"hearth/protocol"
)

// refOccurrence is the reference reckoning, deliberately naive and sharing
// no code with the finder's: try each day from yesterday on, with
// time.Date, until a sitting has not ended (or started less than ten
// minutes ago). ok is false for a meeting by appointment.
func refOccurrence(l *protocol.Listing, loc *time.Location, now time.Time) (start, end time.Time, inProgress, ok bool) {
	if l.Day == nil || l.Time == "" || refInactive(l) {
		return start, end, false, false
	}
	var h, m int
	fmt.Sscanf(l.Time, "%d:%d", &h, &m)
	length := time.Hour
	if l.EndTime != "" {
		var eh, em int
		fmt.Sscanf(l.EndTime, "%d:%d", &eh, &em)
		length = time.Duration((eh*60+em)-(h*60+m)) * time.Minute
		if length <= 0 {
			length += 24 * time.Hour
		}
	}
	local := now.In(loc)
	for i := -1; i < 8; i++ {
		d := time.Date(local.Year(), local.Month(), local.Day()+i, 0, 0, 0, 0, loc)
		if int(d.Weekday()) != *l.Day {
			continue
		}
		s := time.Date(d.Year(), d.Month(), d.Day(), h, m, 0, 0, loc)
		if now.Before(s.Add(length)) || now.Before(s.Add(10*time.Minute)) {
			return s, s.Add(length), !now.Before(s), true
		}
	}
	panic("no sitting in nine days")
}

// refInactive: neither a street address nor a way to join online, as the
// oracle's listings are made (meetingguide.Attendance's rule, which has its
// own tests, reduced to the fields used here).
func refInactive(l *protocol.Listing) bool { return l.Address == "" && l.ConferenceURL == "" }

// refSearch orders every listing the obvious way; with a day (0 today, 1
// tomorrow, -1 any), only those on now or starting that day in hub.
func refSearch(ls []*protocol.Listing, now time.Time, hub *time.Location, day int) []string {
	type row struct {
		id, name   string
		start      time.Time
		inProgress bool
		ok         bool
		inactive   bool
	}
	local := now.In(hub)
	dayStart := time.Date(local.Year(), local.Month(), local.Day()+day, 0, 0, 0, 0, hub)
	dayEnd := time.Date(local.Year(), local.Month(), local.Day()+day+1, 0, 0, 0, 0, hub)
	var rows []row
	for _, l := range ls {
		s, _, in, ok := refOccurrence(l, zoneFor(l, hub), now)
		if day >= 0 && !(ok && (in && day == 0 || !s.Before(dayStart) && s.Before(dayEnd))) {
			continue
		}
		rows = append(rows, row{l.ID(), protocol.Fold(l.Name), s, in, ok, refInactive(l)})
	}
	group := func(r row) int {
		switch {
		case r.inactive:
			return 3
		case r.inProgress:
			return 0
		case !r.ok:
			return 2
		}
		return 1
	}
	slices.SortFunc(rows, func(a, b row) int {
		if c := cmp.Compare(group(a), group(b)); c != 0 {
			return c
		}
		if c := a.start.Compare(b.start); c != 0 {
			if group(a) == 0 {
				return -c
			}
			return c
		}
		return cmp.Or(strings.Compare(a.name, b.name), strings.Compare(a.id, b.id))
	})
	out := make([]string, len(rows))
	for i, r := range rows {
		out[i] = r.id
	}
	return out
}

// The fast search orders exactly as the naive reference, in every zone,
// near daylight-saving changes too (wall times a change skips or repeats
// included), and a limited search is the first part of the unlimited one;
// NextSitting, which a meeting's page and calendar file read, gives every
// listing the reference's sitting. Meetings not meeting for now come last,
// with no sitting. Today and tomorrow, read in a hub zone of its own, keep
// exactly the reference's meetings of those days, and Count agrees with
// every search. Pacific/Chatham has a change at 02:45 and an offset of
// 12:45.
func TestSearchMatchesReference(t *testing.T) {
	t.Parallel()
	zones := []string{"", "Europe/London", "America/Los_Angeles", "Asia/Tokyo", "Australia/Sydney", "America/Sao_Paulo", "Asia/Kolkata", "Pacific/Chatham"}
	// Instants near the changes of 2026-27 and some ordinary ones.
	anchors := []time.Time{
		time.Date(2026, 3, 29, 1, 0, 0, 0, time.UTC),  // Europe springs forward
		time.Date(2026, 10, 25, 1, 0, 0, 0, time.UTC), // Europe falls back
		time.Date(2026, 3, 8, 10, 0, 0, 0, time.UTC),  // America springs forward
		time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC),  // America falls back
		time.Date(2026, 4, 4, 16, 0, 0, 0, time.UTC),  // Sydney falls back
		time.Date(2026, 10, 3, 16, 0, 0, 0, time.UTC), // Sydney springs forward
		time.Date(2026, 12, 1, 18, 0, 0, 0, time.UTC),
		time.Date(2027, 6, 15, 0, 0, 0, 0, time.UTC),
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for round := range 100 {
		var ls []*protocol.Listing
		hubZone := zoneFor(&protocol.Listing{Timezone: zones[1+rng.IntN(len(zones)-1)]}, nil)
		ix := NewWithDefault(hubZone)
		for i := range 120 {
			l := &protocol.Listing{Hub: "hub", Slug: fmt.Sprintf("m%03d", i), Name: fmt.Sprintf("Group %d", rng.IntN(40)), Timezone: zones[rng.IntN(len(zones))]}
			switch rng.IntN(10) {
			case 0: // not meeting for now
			case 1:
				l.ConferenceURL = "https://meet.example/" + l.Slug
			default:
				l.Address = "1 Church Lane"
			}
			if rng.IntN(20) > 0 {
				l.Day = intp(rng.IntN(7))
				start := rng.IntN(24*4) * 15
				l.Time = fmt.Sprintf("%02d:%02d", start/60, start%60)
				if rng.IntN(2) == 0 {
					end := (start + 15*rng.IntN(12)) % (24 * 60)
					l.EndTime = fmt.Sprintf("%02d:%02d", end/60, end%60)
				}
			}
			ls = append(ls, l)
			ix.Put(l)
		}
		now := anchors[round%len(anchors)].Add(time.Duration(rng.IntN(6*24*60)-3*24*60) * time.Minute).Add(time.Duration(rng.IntN(60)) * time.Second)
		want := refSearch(ls, now, hubZone, -1)
		if n := ix.Count(Query{}, now); n != len(want) {
			t.Errorf("round %d: Count %d, want %d", round, n, len(want))
		}
		for i, d := range []Day{Today, Tomorrow} {
			wantDay := refSearch(ls, now, hubZone, i)
			gotDay := ids(ix.Search(Query{Day: &d}, now))
			for j := range gotDay {
				gotDay[j] = "hub/" + gotDay[j]
			}
			if !slices.Equal(gotDay, wantDay) {
				t.Fatalf("round %d at %v, %v in %v:\n got %v\nwant %v", round, now, d, hubZone, gotDay, wantDay)
			}
			if n := ix.Count(Query{Day: &d}, now); n != len(wantDay) {
				t.Errorf("round %d: Count of %v %d, want %d", round, d, n, len(wantDay))
			}
		}
		var got []string
		for _, r := range ix.Search(Query{}, now) {
			got = append(got, r.Listing.ID())
			start, end, in, ok := refOccurrence(r.Listing, zoneFor(r.Listing, hubZone), now)
			if ok && (!r.Next.Equal(start) || r.InProgress != in) {
				t.Errorf("round %d at %v: %s next %v %v, want %v %v", round, now, r.Listing.ID(), r.Next, r.InProgress, start, in)
			}
			s, sok := NextSitting(r.Listing, hubZone, now)
			if sok != ok || ok && (!s.Start.Equal(start) || !s.End.Equal(end) || s.InProgress != in || s.Start.Location() != zoneFor(r.Listing, hubZone)) {
				t.Errorf("round %d at %v: %s NextSitting %+v %v, want %v-%v %v %v", round, now, r.Listing.ID(), s, sok, start, end, in, ok)
			}
		}
		if !slices.Equal(got, want) {
			t.Fatalf("round %d at %v:\n got %v\nwant %v", round, now, got, want)
		}
		for _, n := range []int{1, 5, 20} {
			got := ids(ix.Search(Query{Limit: n}, now))
			var wantSlugs []string
			for _, id := range want[:n] {
				wantSlugs = append(wantSlugs, strings.TrimPrefix(id, "hub/"))
			}
			if !slices.Equal(got, wantSlugs) {
				t.Fatalf("round %d at %v limit %d:\n got %v\nwant %v", round, now, n, got, wantSlugs)
			}
		}
	}
}

// zoneFor is the zone of l's times in the reference: its own, else the
// hub's.
func zoneFor(l *protocol.Listing, hub *time.Location) *time.Location {
	if l.Timezone == "" {
		return hub
	}
	loc, _ := protocol.LoadTimezone(l.Timezone)
	return loc
}
