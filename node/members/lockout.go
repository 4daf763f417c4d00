package members

import (
	"fmt"
	"strings"
	"time"

	"hearth/store"
)

// AttemptsError is returned by Unlock (and Remove) while a nickname is
// locked after wrong PINs. It wraps ErrTooManyAttempts.
type AttemptsError struct {
	// Wait is how long until the next attempt is allowed.
	Wait time.Duration
}

func (e *AttemptsError) Error() string {
	return "too many wrong PINs: try again in " + roundWait(e.Wait)
}

func (e *AttemptsError) Unwrap() error { return ErrTooManyAttempts }

// roundWait rounds up to a whole second and drops a trailing "0s":
// "40s", "2m5s", "15m".
func roundWait(d time.Duration) string {
	d = (d + time.Second - 1).Truncate(time.Second)
	if d < time.Second {
		d = time.Second
	}
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	return s
}

// failUnknown answers an attempt on a nickname with no account exactly as
// a wrong PIN on a real one: same lockout, same derivation, same synced
// write, same error.
func (b *Book) failUnknown(nick, pin string, now time.Time) error {
	b.unknownMu.Lock()
	a := b.unknown[nick]
	b.unknownMu.Unlock()
	if a != nil {
		if wait := a.lockedUntil.Sub(now); wait > 0 {
			return &AttemptsError{Wait: wait}
		}
	}
	fake := store.Member{Nick: nick, KDF: b.kdf, Salt: b.dummySalt}
	deriveKEK(pin, fake)
	// A real failure writes the member's record and syncs; a synced write
	// of a fixed meta key costs the same (a sync with nothing to write
	// would be measurably quicker).
	if err := b.st.PutMeta(unlockPadKey, fake.Salt); err != nil {
		return fmt.Errorf("members: unlock: %w", err)
	}
	b.unknownMu.Lock()
	defer b.unknownMu.Unlock()
	if a == nil {
		b.makeRoomLocked(now)
		a = &attempts{}
		b.unknown[nick] = a
	}
	a.failures++
	a.last = now
	if d := lockout(a.failures); d > 0 {
		a.lockedUntil = now.Add(d)
	}
	return ErrWrongPIN
}

// unlockPadKey is the meta key failUnknown writes to. Its value means
// nothing.
const unlockPadKey = "members.unlock_pad"

// attempts is the lockout state of a nickname with no account.
type attempts struct {
	failures    int
	lockedUntil time.Time
	last        time.Time
}

// maxUnknown bounds the memory spent on unknown nicknames.
const maxUnknown = 4096

// makeRoomLocked makes room for one more unknown nickname: first by
// forgetting those whose lock ran out a while ago, then any one.
func (b *Book) makeRoomLocked(now time.Time) {
	if len(b.unknown) < maxUnknown {
		return
	}
	for nick, a := range b.unknown {
		if now.Sub(a.last) > maxLockout && !a.lockedUntil.After(now) {
			delete(b.unknown, nick)
		}
	}
	for nick := range b.unknown {
		if len(b.unknown) < maxUnknown {
			break
		}
		delete(b.unknown, nick)
	}
}

// Lockout schedule.
const (
	freeAttempts = 3
	maxLockout   = 15 * time.Minute
)

// lockout is how long a nickname stays locked after failures wrong PINs in
// a row: nothing for the first two, then 2^(failures-3) seconds, at most
// maxLockout. A member who mistypes twice never waits; a guesser gets
// about 16 tries in the first hour and four an hour after that, so half of
// the 10,000 four-digit PINs takes seven weeks.
func lockout(failures int) time.Duration {
	if failures < freeAttempts {
		return 0
	}
	exp := failures - freeAttempts
	if exp >= 10 { // 2^10 s is past the cap already
		return maxLockout
	}
	return min(time.Duration(1<<exp)*time.Second, maxLockout)
}
