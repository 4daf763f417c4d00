package members

import (
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"hearth/node/problem"
)

func intp(n int) *int { return &n }

func TestCheckInsRoundTrip(t *testing.T) {
	e := newEnv(t)
	b := e.book()
	mustAdd(t, b, "ana", "428613")
	a := mustUnlock(t, b, "ana", "428613")
	if a.Nick() != "ana" {
		t.Errorf("nick %q", a.Nick())
	}
	in := []CheckIn{
		{At: e.clock.Now().Add(-48 * time.Hour), Mood: 2, Craving: intp(7), Used: true, Triggers: []string{"Work", " lonely  night ", "work"}, Note: "hard day\nbut I called my sponsor"},
		{Mood: 5, Craving: intp(0), Meeting: "12D3KooWHub/tuesday-night", Unsafe: false},
		{At: e.clock.Now().Add(-time.Hour), Mood: 1, Unsafe: true, Note: "ñ 日本 🙂"},
	}
	var saved []CheckIn
	for _, c := range in {
		s, err := a.AddCheckIn(c)
		if err != nil {
			t.Fatal(err)
		}
		if id, err := hex.DecodeString(s.ID); err != nil || len(id) != 16 {
			t.Errorf("ID %q", s.ID)
		}
		saved = append(saved, s)
	}
	if got := saved[0].Triggers; !reflect.DeepEqual(got, []string{"work", "lonely night"}) {
		t.Errorf("triggers %q", got)
	}
	if !saved[1].At.Equal(e.clock.Now()) {
		t.Errorf("zero At became %v, want now", saved[1].At)
	}

	// Unlocked again (a new session, after a restart), the same check-ins,
	// newest first.
	b = e.reopen()
	got, err := mustUnlock(t, b, "ana", "428613").CheckIns()
	if err != nil {
		t.Fatal(err)
	}
	want := []CheckIn{saved[1], saved[2], saved[0]}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("check-ins:\n got %+v\nwant %+v", got, want)
	}
	if list, _ := b.List(); list[0].CheckIns != 3 {
		t.Errorf("summary: %+v", list)
	}
}

func TestCheckInValidation(t *testing.T) {
	b := newEnv(t).book()
	mustAdd(t, b, "ana", "428613")
	a := mustUnlock(t, b, "ana", "428613")
	many := make([]string, 11)
	for i := range many {
		many[i] = fmt.Sprint("t", i)
	}
	for _, tc := range []struct {
		c    CheckIn
		want string
	}{
		{CheckIn{Mood: 0}, "the mood is missing: give 1 (very bad) to 5 (very good)"},
		{CheckIn{Mood: 6}, "mood must be 1 to 5"},
		{CheckIn{Mood: 3, Craving: intp(-1)}, "craving must be 0 to 10, or left out"},
		{CheckIn{Mood: 3, Craving: intp(11)}, "craving must be 0 to 10, or left out"},
		{CheckIn{Mood: 3, Note: strings.Repeat("x", 2049)}, "the note is too long: at most 2048 bytes (about 1024 letters)"},
		{CheckIn{Mood: 3, Note: "\xff"}, "the note must be text"},
		{CheckIn{Mood: 3, Triggers: many}, "at most 10 triggers"},
		{CheckIn{Mood: 3, Triggers: []string{strings.Repeat("x", 33)}}, "each trigger must be at most 32 characters"},
		{CheckIn{Mood: 3, Triggers: []string{"a\x07b"}}, "a trigger must be plain words"},
		{CheckIn{Mood: 3, Meeting: strings.Repeat("m", 201)}, "the meeting ID must be at most 200 characters"},
		{CheckIn{Mood: 3, At: time.Now().Add(72 * time.Hour)}, "the check-in time is in the future: check the clock"},
		{CheckIn{Mood: 3, At: time.Date(1850, 1, 1, 0, 0, 0, 0, time.UTC)}, "the check-in time is before 1900: check the clock"},
	} {
		_, err := a.AddCheckIn(tc.c)
		if !errors.Is(err, ErrInvalidCheckIn) || err.Error() != tc.want || !errors.As(err, new(*problem.Error)) {
			t.Errorf("%+v: %v, want %q", tc.c, err, tc.want)
		}
		if tc.c.Validate() == nil {
			t.Errorf("%+v: Validate finds nothing wrong", tc.c)
		}
	}
	// At the limits: fine.
	ok := CheckIn{Mood: 5, Craving: intp(10), Note: strings.Repeat("x", 2048), Meeting: strings.Repeat("m", 200)}
	// Nine, one of the longest, and a repeat (dropped, not counted).
	ok.Triggers = append(append(ok.Triggers, many[:9]...), strings.Repeat("y", 32), "T0")
	if _, err := a.AddCheckIn(ok); err != nil {
		t.Errorf("check-in at the limits: %v", err)
	}
	if cs, _ := a.CheckIns(); len(cs) != 1 {
		t.Errorf("%d check-ins stored, want only the valid one", len(cs))
	}
}

// TestOperatorCannotRead: the store holds only sealed bytes (the operator,
// who has the store key, still cannot read a note), and a record opens only
// with its own member's key, for its own member.
func TestOperatorCannotRead(t *testing.T) {
	const secret = "SECRET-NOTE-4f9e relapsed on friday"
	e := newEnv(t)
	b := e.book()
	mustAdd(t, b, "ana", "428613")
	mustAdd(t, b, "ben", "573920")
	ana := mustUnlock(t, b, "ana", "428613")
	ben := mustUnlock(t, b, "ben", "573920")
	if _, err := ana.AddCheckIn(CheckIn{Mood: 2, Note: secret, Triggers: []string{"secret-trigger-4f9e"}}); err != nil {
		t.Fatal(err)
	}
	since := time.Date(2025, 2, 3, 0, 0, 0, 0, time.UTC)
	if err := ana.SetProfile(Profile{SoberSince: &since}); err != nil {
		t.Fatal(err)
	}

	// What the store (and so the operator) sees.
	sealed, err := e.st.CheckIns("ana")
	if err != nil || len(sealed) != 1 {
		t.Fatal(sealed, err)
	}
	m, _ := e.st.GetMember("ana")
	for _, blob := range [][]byte{sealed[0].Sealed, m.Profile, m.WrappedKey} {
		for _, s := range []string{"SECRET", "4f9e", "relapsed", "2025-02-03", "sober"} {
			if bytes.Contains(blob, []byte(s)) {
				t.Errorf("stored bytes contain %q", s)
			}
		}
	}

	// Another member's key cannot open it, and ana's record cannot be
	// moved under another member or another ID.
	id, rec := sealed[0].ID, sealed[0].Sealed
	if _, err := open(ben.aead, rec, adCheckIn("ana", id)); err == nil {
		t.Error("ben's key opened ana's check-in")
	}
	if _, err := open(ana.aead, rec, adCheckIn("ben", id)); err == nil {
		t.Error("ana's check-in opened as ben's")
	}
	otherID := bytes.Clone(id)
	otherID[15] ^= 1
	if _, err := open(ana.aead, rec, adCheckIn("ana", otherID)); err == nil {
		t.Error("ana's check-in opened under another ID")
	}
	if _, err := open(ana.aead, m.Profile, adCheckIn("ana", id)); err == nil {
		t.Error("a profile opened as a check-in")
	}
	// Planted under ben, it is refused, not shown.
	if err := e.st.PutCheckIn("ben", id, rec); err != nil {
		t.Fatal(err)
	}
	if _, err := ben.CheckIns(); err == nil {
		t.Error("ben's history accepted a record sealed for ana")
	}

	// Nothing on disk in plain text after close (Badger's encryption, on
	// top of the sealing above).
	if err := e.st.Close(); err != nil {
		t.Fatal(err)
	}
	assertAbsent(t, e.dir, "SECRET-NOTE-4f9e")
	assertAbsent(t, e.dir, "secret-trigger-4f9e")
}

func TestProfile(t *testing.T) {
	e := newEnv(t)
	b := e.book()
	mustAdd(t, b, "ana", "428613")
	a := mustUnlock(t, b, "ana", "428613")
	if p, err := a.Profile(); err != nil || p.SoberSince != nil {
		t.Errorf("new profile: %+v %v", p, err)
	}
	// A date in some zone keeps its calendar date.
	local := time.Date(2024, 12, 31, 23, 30, 0, 0, time.FixedZone("X", -5*3600))
	if err := a.SetProfile(Profile{SoberSince: &local}); err != nil {
		t.Fatal(err)
	}
	b = e.reopen()
	a = mustUnlock(t, b, "ana", "428613")
	p, err := a.Profile()
	if err != nil || p.SoberSince == nil || !p.SoberSince.Equal(time.Date(2024, 12, 31, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("profile: %+v %v", p, err)
	}
	future := e.clock.Now().AddDate(0, 0, 3)
	if err := a.SetProfile(Profile{SoberSince: &future}); !errors.Is(err, ErrInvalidCheckIn) {
		t.Errorf("future date: %v", err)
	}
	// "Today" is the hub's: late in the evening in Los Angeles, the UTC
	// date is already tomorrow there.
	la, _ := time.LoadLocation("America/Los_Angeles")
	evening := func() time.Time { return time.Date(2026, 12, 2, 7, 30, 0, 0, time.UTC) } // 1 December, 23:30 in Los Angeles
	inLA := mustUnlock(t, mustNew(t, e.st, Options{Now: evening, KDF: cheapKDF, Zone: la}), "ana", "428613")
	for date, ok := range map[time.Time]bool{
		time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC): true,
		time.Date(2026, 12, 2, 0, 0, 0, 0, time.UTC): false,
	} {
		if err := inLA.SetProfile(Profile{SoberSince: &date}); (err == nil) != ok {
			t.Errorf("sober since %s, on 1 December in the hub's zone: %v", date.Format(time.DateOnly), err)
		}
	}
	if err := a.SetProfile(Profile{}); err != nil {
		t.Fatal(err)
	}
	if p, _ := a.Profile(); p.SoberSince != nil {
		t.Errorf("cleared profile: %+v", p)
	}
	// A failed unlock in between (which rewrites the record) keeps it.
	if err := a.SetProfile(Profile{SoberSince: &local}); err != nil {
		t.Fatal(err)
	}
	b.Unlock(t.Context(), "ana", "0000")
	if p, _ := a.Profile(); p.SoberSince == nil {
		t.Error("profile lost after a failed unlock")
	}
}

func TestErase(t *testing.T) {
	e := newEnv(t)
	b := e.book()
	mustAdd(t, b, "ana", "428613")
	a := mustUnlock(t, b, "ana", "428613")
	other := mustUnlock(t, b, "ana", "428613") // a second session
	for range 5 {
		if _, err := a.AddCheckIn(CheckIn{Mood: 3, Note: "private"}); err != nil {
			t.Fatal(err)
		}
	}
	if err := a.Erase(); err != nil {
		t.Fatal(err)
	}
	if _, err := e.st.GetMember("ana"); err == nil {
		t.Error("the wrapped key is still stored")
	}
	if n, err := e.st.CountCheckIns("ana"); n != 0 || err != nil {
		t.Errorf("%d check-ins left (%v)", n, err)
	}
	if _, err := b.Unlock(t.Context(), "ana", "428613"); err != ErrWrongPIN {
		t.Errorf("unlock after erase: %v", err)
	}
	for name, err := range map[string]error{
		"check-ins":   func() error { _, err := other.CheckIns(); return err }(),
		"add":         func() error { _, err := other.AddCheckIn(CheckIn{Mood: 1}); return err }(),
		"profile":     func() error { _, err := other.Profile(); return err }(),
		"set profile": other.SetProfile(Profile{}),
		"erase again": a.Erase(),
	} {
		if err != ErrErased {
			t.Errorf("%s after erase: %v", name, err)
		}
	}
	// The nickname is free again, and the new account is empty; the old
	// sessions cannot write into it.
	mustAdd(t, b, "ana", "730518")
	if _, err := other.AddCheckIn(CheckIn{Mood: 1}); err != ErrErased {
		t.Errorf("old session into the new account: %v", err)
	}
	if cs, err := mustUnlock(t, b, "ana", "730518").CheckIns(); err != nil || len(cs) != 0 {
		t.Errorf("new account: %d check-ins, %v", len(cs), err)
	}
}

func TestConcurrentCheckIns(t *testing.T) {
	b := newEnv(t).book()
	mustAdd(t, b, "ana", "428613")
	mustAdd(t, b, "ben", "428613")
	ana := mustUnlock(t, b, "ana", "428613")
	ben := mustUnlock(t, b, "ben", "428613")
	const workers, each = 8, 10
	var wg sync.WaitGroup
	for w := range workers {
		acct := ana
		if w%2 == 1 {
			acct = ben
		}
		wg.Go(func() {
			for i := range each {
				if _, err := acct.AddCheckIn(CheckIn{Mood: 1 + i%5, Note: fmt.Sprint(w, "/", i)}); err != nil {
					t.Error(err)
					return
				}
				if _, err := acct.CheckIns(); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	for _, acct := range []*Account{ana, ben} {
		cs, err := acct.CheckIns()
		if err != nil {
			t.Fatal(err)
		}
		seen := map[string]bool{}
		for _, c := range cs {
			seen[c.ID] = true
		}
		if len(cs) != workers/2*each || len(seen) != len(cs) {
			t.Errorf("%s: %d check-ins, %d distinct IDs, want %d", acct.Nick(), len(cs), len(seen), workers/2*each)
		}
	}
}

func TestCheckInIDsSortByTime(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	prev := newCheckInID(t0)
	for _, d := range []time.Duration{time.Millisecond, time.Second, 24 * time.Hour, 50 * 365 * 24 * time.Hour} {
		id := newCheckInID(t0.Add(d))
		if bytes.Compare(prev, id) >= 0 {
			t.Errorf("ID at +%v does not sort after the one before", d)
		}
		prev = id
	}
	if a, b := newCheckInID(t0), newCheckInID(t0); bytes.Equal(a, b) {
		t.Error("two IDs in the same millisecond are equal")
	}
}
