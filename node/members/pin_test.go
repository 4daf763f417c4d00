package members

import (
	"context"
	"errors"
	"testing"
	"time"

	"hearth/node/problem"
	"hearth/store"
)

func TestPINRules(t *testing.T) {
	t.Parallel()
	for pin, want := range map[string]*problem.Error{
		"0042":          errPINShort,
		"12345":         errPINShort,
		"ñandú":         errPINShort,
		"000000":        errPINRepeats,
		"777777777":     errPINRepeats,
		"121212":        errPINRepeats,
		"1231231":       errPINRepeats,
		"abcABC":        errPINRepeats, // letters without case
		"123456":        errPINSequence,
		"654321":        errPINSequence,
		"890123":        errPINSequence, // round the dial
		"135791":        errPINSequence,
		"abcdef":        errPINSequence,
		"147258":        errPINCommon, // a keypad column walk
		"159753":        errPINCommon,
		"112233":        errPINCommon,
		"Password":      errPINCommon,
		"qwerty":        errPINCommon,
		"riverside":     errPINIsNick,
		"\xff\xfe12345": errPINText,
		"428613":        nil,
		"250389":        nil, // a date, DDMMYY: allowed
		"010203":        nil,
		"mi casa verde": nil,
		"ñandú guaraní": nil,
		"日本語のパス":        nil,
	} {
		err := checkPIN(pin, "Riverside")
		switch {
		case want == nil && err != nil:
			t.Errorf("%q refused: %v", pin, err)
		case want == nil:
		case !errors.Is(err, want) || !errors.Is(err, ErrBadPIN):
			t.Errorf("%q: %v, want %v", pin, err, want)
		}
	}
}

// TestPINRulesSayWhy: the CLI shows the error as it is, so each says what
// is wrong and what to do, in one line.
func TestPINRulesSayWhy(t *testing.T) {
	t.Parallel()
	b := newEnv(t).book()
	for pin, want := range map[string]string{
		"0042":   "the PIN is too short: use at least 6 digits or letters",
		"111111": "the PIN repeats itself (like 111111 or 121212), so it is easy to guess: choose another",
		"123456": "the PIN is a run (like 123456 or 654321), so it is easy to guess: choose another",
		"147258": "the PIN is one of the most common ones, so it is easy to guess: choose another",
	} {
		if _, err := b.Add(t.Context(), "ana", pin); err == nil || err.Error() != want {
			t.Errorf("Add with %q: %v, want %q", pin, err, want)
		}
	}
	if list, _ := b.List(); len(list) != 0 {
		t.Errorf("a refused PIN made an account: %+v", list)
	}
}

// TestShortPINsOfOlderAccountsStillWork: an account made when four digits
// were allowed keeps its PIN and everything it wrote.
func TestShortPINsOfOlderAccountsStillWork(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	b := e.book()
	// As an older Hearth wrote it: the same layout, a PIN the rules now refuse.
	m := store.Member{Nick: "ana", Created: e.clock.Now(), KDF: cheapKDF, Salt: []byte("0123456789abcdef")}
	dataKey := []byte("0123456789abcdef0123456789abcdef")
	kek, err := b.deriveKEK(t.Context(), "0042", m)
	if err != nil {
		t.Fatal(err)
	}
	if m.WrappedKey, err = wrapKey(kek, dataKey, "ana"); err != nil {
		t.Fatal(err)
	}
	if err := e.st.PutMember(m); err != nil {
		t.Fatal(err)
	}
	a := mustUnlock(t, b, "ana", "0042")
	if _, err := a.AddCheckIn(CheckIn{Mood: 4, Note: "still here"}); err != nil {
		t.Fatal(err)
	}
	b = e.reopen()
	cs, err := mustUnlock(t, b, "ana", "0042").CheckIns()
	if err != nil || len(cs) != 1 || cs[0].Note != "still here" {
		t.Errorf("after a restart: %+v %v", cs, err)
	}
}

// TestLockoutAlikeAfterRestart: a member's nickname and a name nobody has
// lock the same way, and still do after a restart (an unknown name that
// forgot its lock on restart would tell who has an account).
func TestLockoutAlikeAfterRestart(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	b := e.book()
	mustAdd(t, b, "ana", "428613")
	attempt := func(nick string) string {
		_, err := b.Unlock(t.Context(), nick, "000000")
		return err.Error()
	}
	for range 4 {
		if a, n := attempt("ana"), attempt("nobody"); a != n {
			t.Fatalf("before the restart: member %q, unknown %q", a, n)
		}
	}
	b = e.reopen()
	for range 2 {
		a, n := attempt("ana"), attempt("nobody")
		if a != n || a != "too many wrong PINs: try again in 1s" {
			t.Errorf("after the restart: member %q, unknown %q", a, n)
		}
	}
	e.clock.Add(2 * time.Second)
	if a, n := attempt("ana"), attempt("nobody"); a != n {
		t.Errorf("after the wait: member %q, unknown %q", a, n)
	}
}

// TestResetLockout: the operator clears a lock; the member signs in at
// once. An unknown name answers the same.
func TestResetLockout(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	b := e.book()
	mustAdd(t, b, "ana", "428613")
	for range 5 {
		b.Unlock(t.Context(), "ana", "000000")
		b.Unlock(t.Context(), "nobody", "000000")
	}
	if _, err := b.Unlock(t.Context(), "ana", "428613"); !errors.Is(err, ErrTooManyAttempts) {
		t.Fatalf("not locked: %v", err)
	}
	b = e.reopen()
	for _, nick := range []string{"ANA", "nobody"} {
		if n, err := b.ResetLockout(nick); n != 3 || err != nil {
			t.Errorf("reset %s: %d %v, want 3 attempts counted", nick, n, err)
		}
		if n, err := b.ResetLockout(nick); n != 0 || err != nil {
			t.Errorf("reset %s again: %d %v", nick, n, err)
		}
	}
	mustUnlock(t, b, "ana", "428613")
	if _, err := b.Unlock(t.Context(), "nobody", "000000"); err != ErrWrongPIN {
		t.Errorf("unknown name after reset: %v", err)
	}
}

// TestAttemptNotCountedWhenNeverChecked: a caller that gives up waiting
// for a derivation slot is not charged an attempt.
func TestAttemptNotCountedWhenNeverChecked(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	b := mustNew(t, e.st, Options{Now: e.clock.Now, KDF: cheapKDF, KDFSlots: 1})
	mustAdd(t, b, "ana", "428613")
	release, err := b.slots.acquire(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	for range 5 {
		ctx, cancel := context.WithTimeout(t.Context(), 10*time.Millisecond)
		_, err := b.Unlock(ctx, "ana", "000000")
		cancel()
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("with every slot taken: %v", err)
		}
	}
	release()
	mustUnlock(t, b, "ana", "428613")
	if _, err := e.st.GetLockout(b.lockoutKey("ana")); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("lockout after a right PIN: %v", err)
	}
}

func TestKDFSlotsBounded(t *testing.T) {
	t.Parallel()
	k := newKDFSlots(2)
	var releases []func()
	for range 2 {
		r, err := k.acquire(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		releases = append(releases, r)
	}
	ctx, cancel := context.WithCancel(t.Context())
	waiters := make(chan error, 2*waitersPerSlot)
	for range 2 * waitersPerSlot {
		go func() {
			r, err := k.acquire(ctx)
			if err == nil {
				r()
			}
			waiters <- err
		}()
	}
	// Once the queue is full, the next caller is told at once.
	deadline := time.Now().Add(10 * time.Second)
	for {
		k.mu.Lock()
		full := k.waiting == k.maxWaiting
		k.mu.Unlock()
		if full {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the waiters never queued")
		}
		time.Sleep(time.Millisecond)
	}
	if _, err := k.acquire(t.Context()); !errors.Is(err, ErrBusy) {
		t.Errorf("past the queue: %v, want ErrBusy", err)
	}
	cancel()
	for range 2 * waitersPerSlot {
		if err := <-waiters; !errors.Is(err, context.Canceled) {
			t.Errorf("waiter: %v", err)
		}
	}
	for _, r := range releases {
		r()
	}
	if r, err := k.acquire(t.Context()); err != nil {
		t.Errorf("after release: %v", err)
	} else {
		r()
	}
}
