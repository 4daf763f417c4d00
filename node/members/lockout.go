package members

import (
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
	"strings"
	"time"

	"hearth/store"
)

// Lockouts. Every name typed at sign-in has one lockout record, whether a
// member has that nickname or not, kept in the store the same way for both:
// so a lock, before or after a restart, never tells who has an account.
//
// An attempt is counted before its PIN is checked (reserve), so a burst of
// simultaneous guesses at one name gets no more PINs checked than the
// schedule allows one at a time; a right PIN then clears the count.

// AttemptsError is returned by Unlock (and Remove) while a name is locked
// after wrong PINs. It wraps ErrTooManyAttempts.
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

// Lockout schedule.
const (
	freeAttempts = 3
	maxLockout   = 15 * time.Minute
	// forgetAfter: a name with no attempt for this long starts counting
	// afresh, so the store does not keep every name ever mistyped.
	forgetAfter = 24 * time.Hour
	// sweepEvery bounds how often old lockout records are swept.
	sweepEvery = time.Hour
)

// lockout is how long a name stays locked after failures wrong PINs in a
// row: nothing for the first two, then 2^(failures-3) seconds, at most
// maxLockout. A member who mistypes twice never waits; a guesser gets
// about 16 tries in the first hour and four an hour after that, so half of
// the million six-digit PINs takes some 14 years.
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

// lockoutSaltKey is the meta key of the salt lockout keys are hashed with.
const lockoutSaltKey = "members.lockout_salt"

// loadLockoutSalt reads the store's lockout salt, making it on first use.
func loadLockoutSalt(st *store.Store) ([]byte, error) {
	salt, err := st.GetMeta(lockoutSaltKey)
	if err == nil && len(salt) == saltLen {
		return salt, nil
	}
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return nil, fmt.Errorf("members: lockout salt: %w", err)
	}
	salt = make([]byte, saltLen)
	rand.Read(salt)
	if err := st.PutMeta(lockoutSaltKey, salt); err != nil {
		return nil, fmt.Errorf("members: lockout salt: %w", err)
	}
	return salt, nil
}

// attemptName is the name an attempt is counted under: the nickname as
// stored if it is a valid one, else a bounded, lower-case form of what was
// typed (which no account has, and which must behave like any unknown
// nickname).
func attemptName(nick string) string {
	if norm, err := normalizeNick(nick); err == nil {
		return norm
	}
	return strings.ToLower(truncate(strings.TrimSpace(nick), 2*maxNickLen))
}

// lockoutKey is the store key of a name's lockout: a salted hash, so the
// store does not keep what people typed in the nickname box (sometimes a
// PIN, by mistake) as it was typed.
func (b *Book) lockoutKey(name string) []byte {
	h := sha256.New()
	h.Write(b.lockoutSalt)
	h.Write([]byte(name))
	return h.Sum(nil)
}

// reserve counts an attempt at name before its PIN is checked: an
// *AttemptsError if the name is locked, else the key to settle with.
func (b *Book) reserve(name string) ([]byte, error) {
	key := b.lockoutKey(name)
	defer b.nicks.lock(lockPrefix + name)()
	now := b.now()
	b.sweepLockouts(now)
	l, err := b.st.GetLockout(key)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return nil, fmt.Errorf("members: unlock: %w", err)
	}
	if wait := l.LockedUntil.Sub(now); wait > 0 {
		return nil, &AttemptsError{Wait: wait}
	}
	if now.Sub(l.Last) > forgetAfter {
		l.Failures = 0
	}
	l.Failures++
	l.Last = now
	l.LockedUntil = time.Time{}
	if d := lockout(l.Failures); d > 0 {
		l.LockedUntil = now.Add(d)
	}
	if err := b.st.PutLockout(key, l); err != nil {
		return nil, fmt.Errorf("members: unlock: %w", err)
	}
	return key, nil
}

// refund takes back an attempt whose PIN was never checked (the caller
// gave up waiting, or the hub was too busy).
func (b *Book) refund(name string, key []byte) {
	defer b.nicks.lock(lockPrefix + name)()
	l, err := b.st.GetLockout(key)
	if err != nil {
		return
	}
	if l.Failures--; l.Failures <= 0 {
		b.st.DeleteLockout(key)
		return
	}
	if lockout(l.Failures) == 0 {
		l.LockedUntil = time.Time{}
	}
	b.st.PutLockout(key, l)
}

// lockPrefix keeps lockout locks apart from the nickname locks of
// records in b.nicks.
const lockPrefix = "\x00lock:"

// ResetLockout clears the wrong-PIN count and any lock of a nickname, so
// its member may sign in at once, and returns how many attempts it had
// counted (0: it was not locked). It works the same for a nickname no
// member has. For the operator: `hearth members unlock NICK`.
func (b *Book) ResetLockout(nick string) (int, error) {
	name := attemptName(nick)
	if name == "" {
		return 0, ErrBadNick
	}
	key := b.lockoutKey(name)
	defer b.nicks.lock(lockPrefix + name)()
	l, err := b.st.GetLockout(key)
	if errors.Is(err, store.ErrNotFound) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("members: unlock: %w", err)
	}
	if err := b.st.DeleteLockout(key); err != nil {
		return 0, fmt.Errorf("members: unlock: %w", err)
	}
	return l.Failures, nil
}

// clearLockout forgets a name's count after a right PIN.
func (b *Book) clearLockout(name string, key []byte) error {
	defer b.nicks.lock(lockPrefix + name)()
	if err := b.st.DeleteLockout(key); err != nil {
		return fmt.Errorf("members: unlock: %w", err)
	}
	return nil
}

// sweepLockouts drops old lockout records, at most once per sweepEvery.
// A failed sweep is tried again next time; nothing depends on it.
func (b *Book) sweepLockouts(now time.Time) {
	b.sweepMu.Lock()
	due := now.Sub(b.lastSweep) >= sweepEvery
	if due {
		b.lastSweep = now
	}
	b.sweepMu.Unlock()
	if due {
		b.st.SweepLockouts(now, forgetAfter)
	}
}
