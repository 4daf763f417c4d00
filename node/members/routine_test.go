package members

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"hearth/store"
)

func TestMyMeetings(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	b := e.book()
	mustAdd(t, b, "ana", "428613")
	a := mustUnlock(t, b, "ana", "428613")
	for _, id := range []string{"hub/tuesday", "hub/friday", "hub/tuesday"} {
		if err := a.MarkMeeting(id, true); err != nil {
			t.Fatal(err)
		}
	}
	if err := a.MarkMeeting("hub/never-marked", false); err != nil {
		t.Fatal(err)
	}
	b = e.reopen()
	a = mustUnlock(t, b, "ana", "428613")
	if got, err := a.MyMeetings(); err != nil || !reflect.DeepEqual(got, []string{"hub/tuesday", "hub/friday"}) {
		t.Errorf("my meetings: %v %v", got, err)
	}
	if err := a.MarkMeeting("hub/tuesday", false); err != nil {
		t.Fatal(err)
	}
	if got, _ := a.MyMeetings(); !reflect.DeepEqual(got, []string{"hub/friday"}) {
		t.Errorf("after removing one: %v", got)
	}
	for _, bad := range []string{"", "  ", "a\x00b", strings.Repeat("m", 201), "\xff"} {
		if err := a.MarkMeeting(bad, true); err != errMyMeetingID {
			t.Errorf("meeting ID %q: %v", bad, err)
		}
	}
	for i := 1; i < MaxMyMeetings; i++ {
		if err := a.MarkMeeting(fmt.Sprint("hub/m", i), true); err != nil {
			t.Fatal(err)
		}
	}
	if err := a.MarkMeeting("hub/one-too-many", true); !errors.Is(err, errMyMeetingsFull) || err.Error() != "a member may mark at most 20 meetings as theirs: remove one first" {
		t.Errorf("past the limit: %v", err)
	}
	// The routine is sealed: the store does not say which meetings.
	sealed, _ := e.st.GetRoutine("ana")
	if bytes.Contains(sealed, []byte("friday")) {
		t.Error("the stored routine names a meeting")
	}
	if doc, err := a.Export("hub"); err != nil || len(doc.MyMeetings) != MaxMyMeetings || doc.MyMeetings[0] != "hub/friday" {
		t.Errorf("export: %v %v", doc.MyMeetings, err)
	}
}

// The feed's address opens the member's meetings without their PIN; the
// store holds neither the address's secret nor anything readable without
// it; a new address or stopping the feed shuts the old one at once.
func TestCalendarFeed(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	b := e.book()
	mustAdd(t, b, "ana", "428613")
	a := mustUnlock(t, b, "ana", "428613")
	if _, ok, err := a.CalendarFeed(); ok || err != nil {
		t.Fatalf("a feed before making one: %v %v", ok, err)
	}
	a.MarkMeeting("hub/tuesday", true)
	feed, err := a.NewCalendarFeed("es")
	if err != nil {
		t.Fatal(err)
	}
	if raw, err := base64.RawURLEncoding.DecodeString(feed.Secret); err != nil || len(raw) != 32 {
		t.Fatalf("secret %q: %d bytes, %v", feed.Secret, len(raw), err)
	}
	open := func(secret string) ([]string, error) {
		t.Helper()
		ms, lang, err := b.CalendarFeed(secret)
		if err == nil && lang != "es" {
			t.Errorf("feed language %q", lang)
		}
		return ms, err
	}
	if ms, err := open(feed.Secret); err != nil || !reflect.DeepEqual(ms, []string{"hub/tuesday"}) {
		t.Errorf("feed: %v %v", ms, err)
	}
	// Marking a meeting updates the feed; another session, after a
	// restart, shows the same address.
	a.MarkMeeting("hub/friday", true)
	b = e.reopen()
	a = mustUnlock(t, b, "ana", "428613")
	again, ok, err := a.CalendarFeed()
	if err != nil || !ok || again.Secret != feed.Secret || !again.Made.Equal(feed.Made) {
		t.Errorf("the feed after a restart: %+v %v %v", again, ok, err)
	}
	if ms, err := open(feed.Secret); err != nil || len(ms) != 2 {
		t.Errorf("feed after marking another: %v %v", ms, err)
	}
	// What the disk holds: the routine (sealed), and the copy under a hash
	// of the secret, sealed under a key from it. Neither holds the secret.
	raw, _ := base64.RawURLEncoding.DecodeString(feed.Secret)
	routine, _ := e.st.GetRoutine("ana")
	stored, err := e.st.GetFeed(feedID(raw))
	if err != nil {
		t.Fatal(err)
	}
	for _, blob := range [][]byte{routine, stored} {
		if bytes.Contains(blob, raw) || bytes.Contains(blob, []byte(feed.Secret)) || bytes.Contains(blob, []byte("tuesday")) {
			t.Error("a stored record holds the secret or a meeting")
		}
	}
	if _, err := e.st.GetFeed(domainHash("hearth/feed-key/1\x00", raw)); !errors.Is(err, store.ErrNotFound) {
		t.Error("the feed's key is also its ID")
	}
	// Another member's secret is another secret.
	mustAdd(t, b, "ben", "573920")
	ben := mustUnlock(t, b, "ben", "573920")
	benFeed, _ := ben.NewCalendarFeed("en")
	if benFeed.Secret == feed.Secret {
		t.Error("two members share a feed secret")
	}
	// A new address: the old one finds nothing.
	fresh, err := a.NewCalendarFeed("es")
	if err != nil || fresh.Secret == feed.Secret {
		t.Fatalf("new address: %+v %v", fresh, err)
	}
	if _, err := open(feed.Secret); !errors.Is(err, ErrNoFeed) {
		t.Errorf("the replaced address: %v", err)
	}
	if _, err := e.st.GetFeed(feedID(raw)); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("the replaced copy is still stored: %v", err)
	}
	if ms, err := open(fresh.Secret); err != nil || len(ms) != 2 {
		t.Errorf("the new address: %v %v", ms, err)
	}
	// Addresses that are not one.
	flipped := []byte(fresh.Secret)
	flipped[0] ^= 1
	for _, bad := range []string{"", "x", string(flipped), strings.Repeat("A", 43), fresh.Secret + "A", benFeed.Secret[:42]} {
		if _, _, err := b.CalendarFeed(bad); !errors.Is(err, ErrNoFeed) {
			t.Errorf("secret %q: %v", bad, err)
		}
	}
	// Stopped: nothing, and nothing shown.
	if err := a.StopCalendarFeed(); err != nil {
		t.Fatal(err)
	}
	if _, err := open(fresh.Secret); !errors.Is(err, ErrNoFeed) {
		t.Errorf("a stopped feed: %v", err)
	}
	if _, ok, _ := a.CalendarFeed(); ok {
		t.Error("a stopped feed is still shown")
	}
	// Erasure takes the feed with it.
	feed, _ = a.NewCalendarFeed("es")
	if err := a.Erase(); err != nil {
		t.Fatal(err)
	}
	if _, err := open(feed.Secret); !errors.Is(err, ErrNoFeed) {
		t.Errorf("an erased member's feed: %v", err)
	}
	if _, _, err := b.CalendarFeed(benFeed.Secret); err != nil {
		t.Errorf("ben's feed after ana's erasure: %v", err)
	}
}

func TestWeeklyMeetings(t *testing.T) {
	t.Parallel()
	la, _ := time.LoadLocation("America/Los_Angeles")
	// Wednesday 2 December 2026, 20:00 in Los Angeles (Thursday in UTC).
	now := time.Date(2026, 12, 3, 4, 0, 0, 0, time.UTC)
	at := func(day, hour int) time.Time { return time.Date(2026, 12, day, hour, 0, 0, 0, la) }
	cs := []CheckIn{
		{At: at(2, 19), Meeting: "hub/wed"},
		{At: at(2, 19).Add(time.Hour), Meeting: "hub/wed"}, // the same meeting, the same day: once
		{At: at(1, 8), Meeting: "hub/tue"},
		{At: at(30, 19).AddDate(0, -1, 0), Meeting: "hub/mon"}, // Monday 30 November: this week
		{At: at(29, 19).AddDate(0, -1, 0), Meeting: "hub/sun"}, // Sunday 29 November: last week
		{At: at(23, 19).AddDate(0, -1, 0), Meeting: "hub/mon"}, // Monday 23 November: last week
		{At: at(22, 19).AddDate(0, -1, 0), Meeting: "hub/sun"}, // two weeks ago
		{At: at(2, 10)}, // no meeting
	}
	if this, last := WeeklyMeetings(cs, now, la); this != 3 || last != 2 {
		t.Errorf("this week %d, last week %d; want 3 and 2", this, last)
	}
	// Days are the zone's: in UTC, Sunday 19:00 in Los Angeles is Monday
	// already, so that meeting counts in this week.
	if this, _ := WeeklyMeetings(cs, now, time.UTC); this != 4 {
		t.Errorf("in UTC: this week %d, want 4", this)
	}
	if this, last := WeeklyMeetings(nil, now, la); this != 0 || last != 0 {
		t.Error("meetings from no check-ins")
	}
}
