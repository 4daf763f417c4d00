// Package members keeps members' accounts and their private check-ins: each
// member's data key is random and stored only wrapped by a key derived from
// their PIN (argon2id); check-ins are sealed with it (XChaCha20-Poly1305).
// Erasure drops the wrapped key (crypto-shredding) and deletes the records.
//
// So the operator's disk, even with the store's own key, shows only sealed
// bytes: reading a member's check-ins takes their PIN. A forgotten PIN
// loses them for good; there is deliberately no recovery.
//
// A Book and the Accounts it unlocks are safe for concurrent use. Nothing
// here logs, and no error carries a PIN, a key or what a member wrote.
package members

import (
	"bytes"
	"crypto/rand"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"hearth/store"
)

// Errors. Their messages are written for the member or operator who sees
// them; callers test them with errors.Is.
var (
	// ErrExists: Add was given a nickname that is taken.
	ErrExists = errors.New("a member with that nickname already exists: choose another nickname")
	// ErrWrongPIN is the one answer for an unknown nickname and for a wrong
	// PIN, from Unlock and Remove, so nobody can learn who has an account.
	ErrWrongPIN = errors.New("unknown nickname or wrong PIN")
	// ErrTooManyAttempts: too many wrong PINs in a row; Unlock returns an
	// *AttemptsError wrapping it, which says how long to wait.
	ErrTooManyAttempts = errors.New("too many wrong PINs")
	// ErrBadPIN: Add was given a PIN that breaks the rules.
	ErrBadPIN = fmt.Errorf("the PIN must be %d to %d characters", minPINLen, maxPINLen)
	// ErrBadNick: Add was given a nickname that breaks the rules.
	ErrBadNick = fmt.Errorf("a nickname must be 1 to %d letters, digits, '-', '_' or '.'", maxNickLen)
	// ErrInvalidCheckIn: AddCheckIn or SetProfile was given a value out of
	// range. The error wrapping it says which, in one line.
	ErrInvalidCheckIn = errors.New("invalid check-in")
	// ErrErased: the account was erased (perhaps from another session)
	// after it was unlocked.
	ErrErased = errors.New("this account was erased: make a new one to keep checking in")
)

// Rules for nicknames and PINs.
const (
	maxNickLen = 32
	minPINLen  = 4
	maxPINLen  = 64
)

// DefaultKDF is argon2id with OWASP's minimum: 19 MiB, two passes, one
// thread. About 50 ms on a laptop and a few hundred on a small board:
// slow enough that guessing a PIN from a copied disk costs real time, and
// little enough memory that a board can check a few sign-ins at once.
var DefaultKDF = store.KDFParams{Time: 2, MemoryKiB: 19 * 1024, Threads: 1}

// Options configure a Book.
type Options struct {
	// Now is the clock; nil is time.Now. Tests move it instead of sleeping.
	Now func() time.Time
	// KDF are the argon2id parameters for new accounts; zero fields take
	// DefaultKDF's. Existing accounts keep the parameters they were made
	// with. Tests use cheap ones.
	KDF store.KDFParams
}

// Book is the hub's member accounts.
type Book struct {
	st  *store.Store
	now func() time.Time
	kdf store.KDFParams

	// dummySalt is what an unknown nickname's PIN is derived against, so
	// it costs the same time as a real member's.
	dummySalt []byte

	// nicks serialises everything that reads and then writes one member's
	// record: PIN checks (so parallel guesses cannot slip past a lockout),
	// profile updates, erasure, and check-ins (which must not land after
	// an erasure).
	nicks keyedMutex

	// unknown counts wrong attempts against nicknames that have no account,
	// so they lock out like real ones: otherwise "locked" would tell who
	// exists. Kept in memory only, bounded by maxUnknown.
	unknownMu sync.Mutex
	unknown   map[string]*attempts
}

// New returns the member book kept in st.
func New(st *store.Store, opts Options) *Book {
	b := &Book{st: st, now: opts.Now, kdf: opts.KDF, unknown: make(map[string]*attempts)}
	if b.now == nil {
		b.now = time.Now
	}
	if b.kdf.Time == 0 {
		b.kdf.Time = DefaultKDF.Time
	}
	if b.kdf.MemoryKiB == 0 {
		b.kdf.MemoryKiB = DefaultKDF.MemoryKiB
	}
	if b.kdf.Threads == 0 {
		b.kdf.Threads = DefaultKDF.Threads
	}
	b.dummySalt = make([]byte, saltLen)
	rand.Read(b.dummySalt)
	return b
}

// Summary is what the operator may see of an account: no contents.
type Summary struct {
	Nick     string    `json:"nick"`
	Created  time.Time `json:"created"`
	CheckIns int       `json:"checkins"`
}

// Add makes an account. The nickname is case-insensitive (kept
// lower-case); see ErrBadNick and ErrBadPIN for the rules.
func (b *Book) Add(nick, pin string) error {
	nick, err := normalizeNick(nick)
	if err != nil {
		return err
	}
	if err := checkPIN(pin); err != nil {
		return err
	}
	defer b.nicks.lock(nick)()
	if _, err := b.st.GetMember(nick); err == nil {
		return ErrExists
	} else if !errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("members: add: %w", err)
	}
	// Check-ins left by an erasure cut short would belong to nobody, and
	// the new account could not open them: clear them first.
	if n, err := b.st.CountCheckIns(nick); err != nil {
		return fmt.Errorf("members: add: %w", err)
	} else if n > 0 {
		if err := b.st.DeleteMember(nick); err != nil {
			return fmt.Errorf("members: add: clearing old records: %w", err)
		}
	}
	dataKey := make([]byte, keyLen)
	rand.Read(dataKey)
	m := store.Member{Nick: nick, Created: b.now().UTC(), KDF: b.kdf, Salt: make([]byte, saltLen)}
	rand.Read(m.Salt)
	m.WrappedKey, err = wrapKey(pin, dataKey, m)
	if err != nil {
		return fmt.Errorf("members: add: %w", err)
	}
	if err := b.st.PutMember(m); err != nil {
		return fmt.Errorf("members: add: %w", err)
	}
	return nil
}

// Remove erases an account and everything its member wrote, after checking
// the PIN as Unlock does.
func (b *Book) Remove(nick, pin string) error {
	a, err := b.Unlock(nick, pin)
	if err != nil {
		return err
	}
	return a.Erase()
}

// List summarises every account, sorted by nickname.
func (b *Book) List() ([]Summary, error) {
	list, err := b.st.Members()
	if err != nil {
		return nil, fmt.Errorf("members: list: %w", err)
	}
	out := make([]Summary, 0, len(list))
	for _, m := range list {
		n, err := b.st.CountCheckIns(m.Nick)
		if err != nil {
			return nil, fmt.Errorf("members: list: %w", err)
		}
		out = append(out, Summary{Nick: m.Nick, Created: m.Created, CheckIns: n})
	}
	return out, nil
}

// Unlock checks a member's PIN and returns their unlocked account.
//
// An unknown nickname and a wrong PIN both give ErrWrongPIN, after the same
// work (the argon2id derivation and a synced write), so neither the answer
// nor its timing tells whether the nickname exists. After three wrong PINs
// in a row the nickname is locked for 1 s, then 2 s, 4 s and so on up to
// 15 minutes; meanwhile Unlock returns an *AttemptsError without checking
// the PIN. The count survives restarts; a right PIN resets it.
func (b *Book) Unlock(nick, pin string) (*Account, error) {
	norm, nickErr := normalizeNick(nick)
	if nickErr != nil {
		// Count it under a bounded form of what was typed: it has no account
		// either, and must behave like any unknown nickname.
		norm = strings.ToLower(truncate(strings.TrimSpace(nick), 2*maxNickLen))
	}
	defer b.nicks.lock(norm)()
	now := b.now()
	if nickErr != nil {
		return nil, b.failUnknown(norm, pin, now)
	}
	m, err := b.st.GetMember(norm)
	if errors.Is(err, store.ErrNotFound) {
		return nil, b.failUnknown(norm, pin, now)
	}
	if err != nil {
		return nil, fmt.Errorf("members: unlock: %w", err)
	}
	if wait := m.LockedUntil.Sub(now); wait > 0 {
		return nil, &AttemptsError{Wait: wait}
	}
	dataKey, err := unwrapKey(pin, m)
	if errors.Is(err, errAuth) {
		m.Failures++
		m.LockedUntil = time.Time{}
		if d := lockout(m.Failures); d > 0 {
			m.LockedUntil = now.Add(d)
		}
		if err := b.st.PutMember(m); err != nil {
			return nil, fmt.Errorf("members: unlock: %w", err)
		}
		return nil, ErrWrongPIN
	}
	if err != nil {
		return nil, fmt.Errorf("members: unlock: %w", err)
	}
	if m.Failures != 0 || !m.LockedUntil.IsZero() {
		m.Failures, m.LockedUntil = 0, time.Time{}
		if err := b.st.PutMember(m); err != nil {
			return nil, fmt.Errorf("members: unlock: %w", err)
		}
	}
	return newAccount(b, m, dataKey)
}

// normalizeNick trims and lower-cases a nickname and checks the rules:
// ASCII letters and digits, '-', '_' and '.', so nicknames read the same
// on every phone and no two look alike.
func normalizeNick(nick string) (string, error) {
	nick = strings.ToLower(strings.TrimSpace(nick))
	if nick == "" || len(nick) > maxNickLen {
		return "", ErrBadNick
	}
	for _, r := range nick {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.') {
			return "", ErrBadNick
		}
	}
	return nick, nil
}

// checkPIN checks the PIN rules. Any characters count, so a member may use
// a passphrase in their own script; length is in characters, not bytes.
func checkPIN(pin string) error {
	if !utf8.ValidString(pin) {
		return ErrBadPIN
	}
	if n := utf8.RuneCountInString(pin); n < minPINLen || n > maxPINLen {
		return ErrBadPIN
	}
	return nil
}

// truncate cuts s to at most n bytes, on a character boundary.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// sameAccount reports whether m is still the account a was unlocked from:
// the salt is random per account, so a nickname erased and made again
// does not match.
func sameAccount(m store.Member, salt []byte) bool {
	return bytes.Equal(m.Salt, salt)
}
