package members

import (
	"bytes"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/chacha20poly1305"

	"hearth/store"
)

// pair makes ana and ben buddies and returns their accounts.
func pair(t *testing.T, b *Book) (ana, ben *Account) {
	t.Helper()
	mustAdd(t, b, "ana", "428613")
	mustAdd(t, b, "ben", "573920")
	ana = mustUnlock(t, b, "ana", "428613")
	ben = mustUnlock(t, b, "ben", "573920")
	offer, err := ana.OfferBuddy()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ben.AcceptBuddy(offer.Code); err != nil {
		t.Fatal(err)
	}
	return ana, ben
}

// onlyBuddy is the one buddy a member has.
func onlyBuddy(t *testing.T, a *Account) Buddy {
	t.Helper()
	bs, err := a.Buddies()
	if err != nil {
		t.Fatal(err)
	}
	if len(bs.Buddies) != 1 {
		t.Fatalf("%s has %d buddies: %+v", a.Nick(), len(bs.Buddies), bs)
	}
	return bs.Buddies[0]
}

func TestBuddyPairing(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	b := e.book()
	mustAdd(t, b, "ana", "428613")
	mustAdd(t, b, "ben", "573920")
	mustAdd(t, b, "cai", "730518")
	ana := mustUnlock(t, b, "ana", "428613")
	ben := mustUnlock(t, b, "ben", "573920")
	cai := mustUnlock(t, b, "cai", "730518")

	offer, err := ana.OfferBuddy()
	if err != nil {
		t.Fatal(err)
	}
	if len(offer.Code) != 9 || offer.Code[4] != '-' || !offer.Until.Equal(e.clock.Now().Add(DefaultBuddyCodeLifetime)) {
		t.Errorf("offer: %+v", offer)
	}
	// Waiting: ana sees her code, nobody is a buddy yet.
	if bs, _ := ana.Buddies(); bs.Offer == nil || bs.Offer.Code != offer.Code || len(bs.Buddies) != 0 {
		t.Errorf("ana while waiting: %+v", bs)
	}
	if _, err := ana.AcceptBuddy(offer.Code); err != errBuddySelf {
		t.Errorf("taking one's own code: %v", err)
	}
	// Ben sees whose code it is (typed any way), then takes it.
	typed := strings.ToLower(strings.ReplaceAll(offer.Code, "-", " "))
	if who, err := ben.BuddyCode(typed); err != nil || who != "ana" {
		t.Errorf("whose code: %q %v", who, err)
	}
	got, err := ben.AcceptBuddy(typed)
	if err != nil || got.Nick != "ana" {
		t.Fatalf("accept: %+v %v", got, err)
	}
	// Single use.
	if _, err := cai.AcceptBuddy(offer.Code); !errors.Is(err, ErrBuddyCode) {
		t.Errorf("a used code: %v", err)
	}
	if bs, _ := ana.Buddies(); bs.Offer != nil || len(bs.Buddies) != 1 || bs.Buddies[0].Nick != "ben" {
		t.Errorf("ana after ben took the code: %+v", bs)
	}
	if onlyBuddy(t, ben).Nick != "ana" {
		t.Error("ben's buddy is not ana")
	}
	// Twice with the same person: refused.
	again, _ := ben.OfferBuddy()
	if _, err := ana.AcceptBuddy(again.Code); err != errBuddyTwice {
		t.Errorf("buddies twice: %v", err)
	}
	// A restart keeps the link, and drops ben's waiting code (it lived in
	// memory only), and his book forgets it.
	b = e.reopen()
	ana = mustUnlock(t, b, "ana", "428613")
	ben = mustUnlock(t, b, "ben", "573920")
	if onlyBuddy(t, ana).Nick != "ben" {
		t.Error("ana lost ben in a restart")
	}
	bs, err := ben.Buddies()
	if err != nil || bs.Offer != nil || len(bs.Buddies) != 1 {
		t.Errorf("ben after a restart: %+v %v", bs, err)
	}
	cai = mustUnlock(t, b, "cai", "730518")
	if _, err := cai.AcceptBuddy(again.Code); !errors.Is(err, ErrBuddyCode) {
		t.Errorf("a code from before the restart: %v", err)
	}
	if book, _ := ben.buddyBook(); len(book.Links) != 1 {
		t.Errorf("ben's book keeps %d links, want 1", len(book.Links))
	}
}

// What a buddy can see is the Buddy type, and what the store keeps for
// them is the signal: neither holds anything of a check-in or a plan.
func TestBuddySeesNoContent(t *testing.T) {
	t.Parallel()
	const note, trigger, planLine = "NOTE-3b9f relapsed at the party", "trigger-3b9f", "PLAN-3b9f call Joy"
	e := newEnv(t)
	b := e.book()
	ana, ben := pair(t, b)
	if _, err := ana.AddCheckIn(CheckIn{Mood: 1, Craving: intp(9), Used: true, Unsafe: true, Triggers: []string{trigger}, Note: note, Meeting: "hub/secret-meeting"}); err != nil {
		t.Fatal(err)
	}
	if _, err := ana.EditSafetyPlan(PlanEdit{StepWarningSigns: {planLine}}); err != nil {
		t.Fatal(err)
	}
	ana.MarkMeeting("hub/secret-meeting", true)

	// The type: these fields and no others. A field added here must be
	// something a buddy may see; this test makes that a decision.
	var fields []string
	for f := range reflect.TypeFor[Buddy]().Fields() {
		fields = append(fields, f.Name)
	}
	want := []string{"Link", "Nick", "CheckedIn", "SilentDays", "QuietDays", "ReachOut", "AskedForCall", "AskedAt"}
	if !slices.Equal(fields, want) {
		t.Errorf("Buddy has fields %v, want %v", fields, want)
	}
	got := onlyBuddy(t, ben)
	shown := fmt.Sprintf("%+v", got)
	for _, s := range []string{"3b9f", "party", "secret-meeting", "Joy"} {
		if strings.Contains(shown, s) {
			t.Errorf("ben sees %q: %s", s, shown)
		}
	}
	if !got.CheckedIn || got.SilentDays != 0 || got.AskedForCall {
		t.Errorf("ben's view of ana: %+v", got)
	}
	// The signal, opened with the link's key as ben's account can: only
	// the nickname, a day, and settings.
	book, _ := ben.buddyBook()
	l := book.Links[0]
	sealed, err := e.st.GetSignal(l.Theirs)
	if err != nil {
		t.Fatal(err)
	}
	aead, _ := chacha20poly1305.NewX(l.Key)
	plain, err := open(aead, sealed, adSignal(l.Theirs))
	if err != nil {
		t.Fatal(err)
	}
	var fieldsOnDisk map[string]any
	json.Unmarshal(plain, &fieldsOnDisk)
	for k := range fieldsOnDisk {
		if !slices.Contains([]string{"nick", "last_checkin", "quiet_days", "asked_at", "since"}, k) {
			t.Errorf("ana's signal holds %q: %s", k, plain)
		}
	}
	if day := fieldsOnDisk["last_checkin"]; day != e.clock.Now().Format(time.DateOnly) {
		t.Errorf("the signal's day: %v (a day, never the time)", day)
	}
	for _, s := range []string{"3b9f", "party", "secret", "Joy", "mood", "craving", "unsafe"} {
		if bytes.Contains(plain, []byte(s)) {
			t.Errorf("ana's signal holds %q: %s", s, plain)
		}
	}
	// The store holds only sealed bytes under random IDs: no nickname.
	for _, blob := range [][]byte{sealed, l.Theirs, l.Mine} {
		if bytes.Contains(blob, []byte("ana")) || bytes.Contains(blob, []byte("ben")) {
			t.Error("a stored signal or its ID names a member")
		}
	}
}

func TestBuddyQuietDays(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	b := e.book()
	ana, ben := pair(t, b)
	// Never checked in: counted from the day they became buddies.
	if got := onlyBuddy(t, ben); got.CheckedIn || got.SilentDays != 0 || got.QuietDays != DefaultQuietDays || got.ReachOut {
		t.Errorf("new link: %+v", got)
	}
	if _, err := ana.AddCheckIn(CheckIn{Mood: 3}); err != nil {
		t.Fatal(err)
	}
	if err := ana.SetQuietDays(4); err != nil {
		t.Fatal(err)
	}
	for day, reach := range []bool{false, false, false, false, true, true} {
		if got := onlyBuddy(t, ben); got.SilentDays != day || got.ReachOut != reach || got.QuietDays != 4 {
			t.Errorf("day %d: %+v", day, got)
		}
		e.clock.Add(24 * time.Hour)
	}
	// A check-in resets it at once.
	if _, err := ana.AddCheckIn(CheckIn{Mood: 4}); err != nil {
		t.Fatal(err)
	}
	if got := onlyBuddy(t, ben); got.SilentDays != 0 || got.ReachOut {
		t.Errorf("after a check-in: %+v", got)
	}
	// 0 is never.
	if err := ana.SetQuietDays(0); err != nil {
		t.Fatal(err)
	}
	e.clock.Add(40 * 24 * time.Hour)
	if got := onlyBuddy(t, ben); got.ReachOut || got.SilentDays != 40 {
		t.Errorf("quiet days 0: %+v", got)
	}
	for _, bad := range []int{-1, MaxQuietDays + 1} {
		if err := ana.SetQuietDays(bad); !errors.Is(err, errQuietDays) {
			t.Errorf("quiet days %d: %v", bad, err)
		}
	}
	if bs, _ := ana.Buddies(); bs.QuietDays != 0 {
		t.Errorf("ana's own setting: %+v", bs)
	}
}

func TestBuddyAsksForCall(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ana, ben := pair(t, e.book())
	if err := ana.AskForCall(true); err != nil {
		t.Fatal(err)
	}
	if got := onlyBuddy(t, ben); !got.AskedForCall || !got.AskedAt.Equal(e.clock.Now()) {
		t.Errorf("after asking: %+v", got)
	}
	if bs, _ := ana.Buddies(); !bs.AskedForCall {
		t.Error("ana does not see that she asked")
	}
	// It shows for three days, then no more.
	e.clock.Add(71 * time.Hour)
	if !onlyBuddy(t, ben).AskedForCall {
		t.Error("the ask faded before three days")
	}
	e.clock.Add(2 * time.Hour)
	if onlyBuddy(t, ben).AskedForCall {
		t.Error("the ask still shows after three days")
	}
	// Taken back at once.
	ana.AskForCall(true)
	if err := ana.AskForCall(false); err != nil {
		t.Fatal(err)
	}
	if onlyBuddy(t, ben).AskedForCall {
		t.Error("the ask still shows after ana took it back")
	}
}

// Either side ends a link at once: both signals go, and the other finds it
// ended the next time they look.
func TestEndBuddy(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ana, ben := pair(t, e.book())
	onlyBuddy(t, ana) // ana has seen that ben took her code
	link := onlyBuddy(t, ben).Link
	book, _ := ben.buddyBook()
	ids := [][]byte{book.Links[0].Mine, book.Links[0].Theirs}
	if err := ana.EndBuddy(link); !errors.Is(err, errUnknownLink) {
		t.Errorf("ana ends ben's handle: %v", err)
	}
	if err := ben.EndBuddy(link); err != nil {
		t.Fatal(err)
	}
	for _, id := range ids {
		if _, err := e.st.GetSignal(id); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("a signal is left after ending: %v", err)
		}
	}
	bs, err := ana.Buddies()
	if err != nil || len(bs.Buddies) != 0 || bs.Ended != 1 {
		t.Errorf("ana after ben ended it: %+v %v", bs, err)
	}
	// Said once.
	if bs, _ := ana.Buddies(); bs.Ended != 0 {
		t.Errorf("the end is said twice: %+v", bs)
	}
	if bs, _ := ben.Buddies(); len(bs.Buddies) != 0 || bs.Ended != 0 {
		t.Errorf("ben after ending: %+v", bs)
	}
	if err := ben.EndBuddy(link); !errors.Is(err, errUnknownLink) {
		t.Errorf("ending twice: %v", err)
	}
}

// Erasing a member ends every link of theirs, and leaves nothing of them
// that a buddy could read: not even an old version of their signal.
func TestEraseEndsBuddies(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	b := e.book()
	ana, ben := pair(t, b)
	mustAdd(t, b, "cai", "730518")
	cai := mustUnlock(t, b, "cai", "730518")
	offer, _ := ana.OfferBuddy()
	if _, err := cai.AcceptBuddy(offer.Code); err != nil {
		t.Fatal(err)
	}
	waiting, _ := ana.OfferBuddy() // and one code waiting
	anaBook, _ := ana.buddyBook()
	if err := ana.Erase(); err != nil {
		t.Fatal(err)
	}
	for _, l := range anaBook.Links {
		for _, id := range [][]byte{l.Mine, l.Theirs} {
			if _, err := e.st.GetSignal(id); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("a signal of ana's links is left: %v", err)
			}
		}
	}
	for _, acct := range []*Account{ben, cai} {
		if bs, err := acct.Buddies(); err != nil || len(bs.Buddies) != 0 || bs.Ended != 1 {
			t.Errorf("%s after ana's erasure: %+v %v", acct.Nick(), bs, err)
		}
	}
	if _, err := cai.AcceptBuddy(waiting.Code); !errors.Is(err, ErrBuddyCode) {
		t.Errorf("an erased member's code: %v", err)
	}
}

func TestBuddyCodeRules(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	b := e.book()
	mustAdd(t, b, "ana", "428613")
	mustAdd(t, b, "ben", "573920")
	ana := mustUnlock(t, b, "ana", "428613")
	ben := mustUnlock(t, b, "ben", "573920")
	offer, _ := ana.OfferBuddy()
	// Codes of the wrong shape are refused without counting as tries.
	for range 10 {
		if _, err := ben.BuddyCode("not a code"); !errors.Is(err, ErrBuddyCode) {
			t.Fatalf("a malformed code: %v", err)
		}
	}
	// Wrong codes: five tries, then a wait.
	wrong := "2222-2222"
	if offer.Code == wrong {
		wrong = "3333-3333"
	}
	for i := range codeTries {
		if _, err := ben.BuddyCode(wrong); !errors.Is(err, ErrBuddyCode) {
			t.Fatalf("wrong code %d: %v", i, err)
		}
	}
	if _, err := ben.AcceptBuddy(offer.Code); !errors.Is(err, errBuddyTries) || err.Error() != "too many wrong codes: wait 15 minutes and try again" {
		t.Errorf("after five wrong codes, the right one: %v", err)
	}
	// The wait is ben's, not the hub's.
	mustAdd(t, b, "cai", "730518")
	cai := mustUnlock(t, b, "cai", "730518")
	if who, err := cai.BuddyCode(offer.Code); err != nil || who != "ana" {
		t.Errorf("another member during ben's wait: %q %v", who, err)
	}
	// Codes expire.
	e.clock.Add(DefaultBuddyCodeLifetime)
	if _, err := cai.AcceptBuddy(offer.Code); !errors.Is(err, ErrBuddyCode) {
		t.Errorf("an expired code: %v", err)
	}
	if bs, _ := ana.Buddies(); bs.Offer != nil || len(bs.Buddies) != 0 {
		t.Errorf("ana after her code expired: %+v", bs)
	}
	if book, _ := ana.buddyBook(); len(book.Links) != 0 {
		t.Errorf("an expired code's link is kept: %+v", book)
	}
	// A new code replaces the one before; cancelled, it is gone.
	first, _ := ana.OfferBuddy()
	second, _ := ana.OfferBuddy()
	if _, err := cai.BuddyCode(first.Code); !errors.Is(err, ErrBuddyCode) {
		t.Errorf("a replaced code: %v", err)
	}
	if book, _ := ana.buddyBook(); len(book.Links) != 1 {
		t.Errorf("ana's book after two offers: %d links", len(book.Links))
	}
	if err := ana.CancelOffer(); err != nil {
		t.Fatal(err)
	}
	if _, err := cai.BuddyCode(second.Code); !errors.Is(err, ErrBuddyCode) {
		t.Errorf("a cancelled code: %v", err)
	}
	// At most MaxBuddies.
	for i := range MaxBuddies {
		nick := fmt.Sprint("m", i)
		mustAdd(t, b, nick, "428613")
		o, err := mustUnlock(t, b, nick, "428613").OfferBuddy()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := cai.AcceptBuddy(o.Code); err != nil {
			t.Fatalf("buddy %d: %v", i, err)
		}
	}
	if bs, _ := cai.Buddies(); bs.Room || len(bs.Buddies) != MaxBuddies {
		t.Errorf("cai with %d buddies: %+v", MaxBuddies, bs)
	}
	o, _ := ana.OfferBuddy()
	if _, err := cai.AcceptBuddy(o.Code); !errors.Is(err, errBuddyFull) {
		t.Errorf("one buddy too many: %v", err)
	}
	if _, err := cai.OfferBuddy(); !errors.Is(err, errBuddyFull) {
		t.Errorf("a code past the limit: %v", err)
	}
}

func TestCodes(t *testing.T) {
	t.Parallel()
	seen := map[string]bool{}
	counts := map[rune]int{}
	for range 3000 {
		c := newCode()
		if n, ok := normalizeCode(formatCode(c)); !ok || n != c || len(c) != codeLen {
			t.Fatalf("code %q reads back as %q %v", c, n, ok)
		}
		seen[c] = true
		for _, r := range c {
			counts[r]++
		}
	}
	if len(seen) < 2999 {
		t.Errorf("%d distinct codes in 3000", len(seen))
	}
	// 24,000 characters over 30: about 800 each; every one is used and
	// none is far likelier.
	for _, r := range codeAlphabet {
		if counts[r] < 600 || counts[r] > 1000 {
			t.Errorf("%q drawn %d times in 24000", r, counts[r])
		}
	}
	for _, bad := range []string{"", "K7P3", "K7P3-Q9XM-2", "K7P3-Q9X0", "K7P3-Q9XÉ", "K7P3_Q9XM"} {
		if _, ok := normalizeCode(bad); ok {
			t.Errorf("%q read as a code", bad)
		}
	}
	if n, ok := normalizeCode(" k7p3 q9xm "); !ok || n != "K7P3Q9XM" {
		t.Errorf("a code typed loosely: %q %v", n, ok)
	}
}

// BenchmarkCheckInWithBuddies is what saving a check-in costs a member with
// no buddy and with the most: each link adds one sealed signal, all of them
// written in one more synced transaction after the check-in's own.
//
//	go test -run '^$' -bench CheckInWithBuddies ./node/members
func BenchmarkCheckInWithBuddies(b *testing.B) {
	for _, buddies := range []int{0, MaxBuddies} {
		b.Run(fmt.Sprint(buddies), func(b *testing.B) {
			key := make([]byte, store.KeySize)
			rand.Read(key)
			st, err := store.Open(store.Options{Dir: b.TempDir(), EncryptionKey: key})
			if err != nil {
				b.Fatal(err)
			}
			defer st.Close()
			book := mustNew(b, st, Options{KDF: cheapKDF})
			acct, err := book.Add(b.Context(), "ana", "428613")
			if err != nil {
				b.Fatal(err)
			}
			for i := range buddies {
				other, err := book.Add(b.Context(), fmt.Sprint("b", i), "428613")
				if err != nil {
					b.Fatal(err)
				}
				offer, err := acct.OfferBuddy()
				if err != nil {
					b.Fatal(err)
				}
				if _, err := other.AcceptBuddy(offer.Code); err != nil {
					b.Fatal(err)
				}
			}
			for b.Loop() {
				if _, err := acct.AddCheckIn(CheckIn{Mood: 3, Note: "an ordinary day"}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// Whatever is typed in the code box, it is read as a code of the
// alphabet's 8 characters or refused.
func FuzzNormalizeCode(f *testing.F) {
	for _, s := range []string{"K7P3-Q9XM", " k7p3 q9xm ", "", "K7P3", "ÉÉÉÉÉÉÉÉ", "K7P3\x00Q9XM"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, typed string) {
		code, ok := normalizeCode(typed)
		if !ok {
			return
		}
		if len(code) != codeLen || strings.Trim(code, codeAlphabet) != "" {
			t.Fatalf("%q read as %q", typed, code)
		}
	})
}
