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
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"hearth/node/problem"
	"hearth/store"
)

// Errors. Their messages are written for the member or operator who sees
// them; callers test them with errors.Is. Those about what a member typed
// are coded (problem.Error), so a page says them in the member's language.
// ErrBadPIN and ErrBusy are with the rules they name (pin.go, slots.go).
var (
	// ErrExists: Add was given a nickname that is taken.
	ErrExists = problem.Define("signup.exists", "a member with that nickname already exists: choose another nickname")
	// ErrWrongPIN is the one answer for an unknown nickname and for a wrong
	// PIN, from Unlock and Remove, so nobody can learn who has an account.
	ErrWrongPIN = errors.New("unknown nickname or wrong PIN")
	// ErrTooManyAttempts: too many wrong PINs in a row; Unlock returns an
	// *AttemptsError wrapping it, which says how long to wait.
	ErrTooManyAttempts = errors.New("too many wrong PINs")
	// ErrBadNick: Add was given a nickname that breaks the rules.
	ErrBadNick = problem.Define("signup.badnick", fmt.Sprintf("a nickname must be 1 to %d letters, digits, '-', '_' or '.'", maxNickLen))
	// ErrInvalidCheckIn: AddCheckIn or SetProfile was given a value out of
	// range. The error is a *problem.Error that says which, in one line.
	ErrInvalidCheckIn = errors.New("invalid check-in")
	// ErrErased: the account was erased (perhaps from another session)
	// after it was unlocked.
	ErrErased = errors.New("this account was erased: make a new one to keep checking in")
)

// maxNickLen is the longest nickname.
const maxNickLen = 32

// DefaultKDF is argon2id with OWASP's minimum: 19 MiB, two passes, one
// thread. About 50 ms on a laptop and a few hundred on a small board:
// slow enough that guessing a PIN from a copied disk costs real time, and
// little enough memory that a board can check a few sign-ins at once.
// BenchmarkOfflineGuess prints what one guess costs on this machine.
var DefaultKDF = store.KDFParams{Time: 2, MemoryKiB: 19 * 1024, Threads: 1}

// Options configure a Book.
type Options struct {
	// Now is the clock; nil is time.Now. Tests move it instead of sleeping.
	Now func() time.Time
	// KDF are the argon2id parameters for new accounts; zero fields take
	// DefaultKDF's. Existing accounts keep the parameters they were made
	// with. Tests use cheap ones.
	KDF store.KDFParams
	// KDFSlots is how many argon2id derivations may run at once; 0 is
	// DefaultKDFSlots. More wait their turn (up to a bound, then ErrBusy).
	KDFSlots int
	// Zone is the hub's time zone (node.HubZone), whose today a
	// sober-since date may not be after, and whose days a buddy's quiet
	// days and a week of meetings count; nil is UTC.
	Zone *time.Location
	// BuddyCodeLifetime is how long a buddy code works; 0 is
	// DefaultBuddyCodeLifetime.
	BuddyCodeLifetime time.Duration
}

// Book is the hub's member accounts.
type Book struct {
	st    *store.Store
	now   func() time.Time
	zone  *time.Location
	kdf   store.KDFParams
	slots *kdfSlots

	// dummySalt is what an unknown nickname's PIN is derived against, so
	// it costs the same time as a real member's.
	dummySalt []byte
	// lockoutSalt salts the keys of lockout records (see lockoutKey).
	lockoutSalt []byte

	// nicks serialises everything that reads and then writes one member's
	// record (profile updates, erasure, and check-ins, which must not land
	// after an erasure) and, under lockPrefix, one name's lockout record.
	nicks keyedMutex

	// offers are the buddy codes alive, in memory only (see buddy.go).
	offers       *offers
	codeLifetime time.Duration

	sweepMu   sync.Mutex
	lastSweep time.Time
}

// New returns the member book kept in st.
func New(st *store.Store, opts Options) (*Book, error) {
	b := &Book{st: st, now: opts.Now, kdf: opts.KDF, zone: opts.Zone, offers: newOffers(), codeLifetime: opts.BuddyCodeLifetime}
	if b.codeLifetime <= 0 {
		b.codeLifetime = DefaultBuddyCodeLifetime
	}
	if b.now == nil {
		b.now = time.Now
	}
	if b.zone == nil {
		b.zone = time.UTC
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
	slots := opts.KDFSlots
	if slots <= 0 {
		slots = DefaultKDFSlots
	}
	b.slots = newKDFSlots(slots)
	b.dummySalt = make([]byte, saltLen)
	rand.Read(b.dummySalt)
	var err error
	if b.lockoutSalt, err = loadLockoutSalt(st); err != nil {
		return nil, err
	}
	return b, nil
}

// Summary is what the operator may see of an account: no contents.
type Summary struct {
	Nick     string    `json:"nick"`
	Created  time.Time `json:"created"`
	CheckIns int       `json:"checkins"`
}

// Add makes an account and returns it unlocked, so a member signing up is
// signed in without a second derivation. The nickname is case-insensitive
// (kept lower-case); see ErrBadNick and ErrBadPIN for the rules. The
// derivation waits for a slot while ctx allows (see ErrBusy).
func (b *Book) Add(ctx context.Context, nick, pin string) (*Account, error) {
	nick, err := normalizeNick(nick)
	if err != nil {
		return nil, err
	}
	if err := checkPIN(pin, nick); err != nil {
		return nil, err
	}
	defer b.nicks.lock(nick)()
	if _, err := b.st.GetMember(nick); err == nil {
		return nil, ErrExists
	} else if !errors.Is(err, store.ErrNotFound) {
		return nil, fmt.Errorf("members: add: %w", err)
	}
	// Records left by an erasure cut short would belong to nobody, and
	// the new account could not open them: clear them first.
	if left, err := b.st.HasRecords(nick); err != nil {
		return nil, fmt.Errorf("members: add: %w", err)
	} else if left {
		if err := b.st.DeleteMember(nick, store.Shared{}); err != nil {
			return nil, fmt.Errorf("members: add: clearing old records: %w", err)
		}
	}
	dataKey := make([]byte, keyLen)
	rand.Read(dataKey)
	m := store.Member{Nick: nick, Created: b.now().UTC(), KDF: b.kdf, Salt: make([]byte, saltLen)}
	rand.Read(m.Salt)
	kek, err := b.deriveKEK(ctx, pin, m)
	if err != nil {
		return nil, err
	}
	if m.WrappedKey, err = wrapKey(kek, dataKey, nick); err != nil {
		return nil, fmt.Errorf("members: add: %w", err)
	}
	if err := b.st.PutMember(m); err != nil {
		return nil, fmt.Errorf("members: add: %w", err)
	}
	return newAccount(b, m, dataKey)
}

// Remove erases an account and everything its member wrote, after checking
// the PIN as Unlock does.
func (b *Book) Remove(ctx context.Context, nick, pin string) error {
	a, err := b.Unlock(ctx, nick, pin)
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
// work (a synced write of the name's lockout record, then the argon2id
// derivation), so neither the answer nor its timing tells whether the
// nickname exists. The attempt is counted before the PIN is checked: after
// three in a row that were not right, the name is locked for 1 s, then
// 2 s, 4 s and so on up to 15 minutes; meanwhile Unlock returns an
// *AttemptsError without checking the PIN. The count survives restarts,
// for unknown names as for members; a right PIN resets it, and so does
// ResetLockout. The derivation waits for a slot while ctx allows; if it
// never runs, the attempt is not counted.
func (b *Book) Unlock(ctx context.Context, nick, pin string) (*Account, error) {
	name := attemptName(nick)
	key, err := b.reserve(name)
	if err != nil {
		return nil, err
	}
	acct, err := b.check(ctx, name, pin)
	switch {
	case err == nil:
		if err := b.clearLockout(name, key); err != nil {
			return nil, err
		}
		return acct, nil
	case errors.Is(err, ErrWrongPIN):
		return nil, err
	case errors.Is(err, ErrBusy), errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		b.refund(name, key)
		return nil, err
	}
	return nil, fmt.Errorf("members: unlock: %w", err)
}

// check derives the key from pin and opens name's account with it; for a
// name with no account it does the same derivation against a dummy salt
// and says ErrWrongPIN.
func (b *Book) check(ctx context.Context, name, pin string) (*Account, error) {
	m, err := b.st.GetMember(name)
	if _, nickErr := normalizeNick(name); nickErr != nil || errors.Is(err, store.ErrNotFound) {
		if _, err := b.deriveKEK(ctx, pin, store.Member{Nick: name, KDF: b.kdf, Salt: b.dummySalt}); err != nil {
			return nil, err
		}
		return nil, ErrWrongPIN
	}
	if err != nil {
		return nil, err
	}
	kek, err := b.deriveKEK(ctx, pin, m)
	if err != nil {
		return nil, err
	}
	dataKey, err := unwrapKey(kek, m)
	if errors.Is(err, errAuth) {
		return nil, ErrWrongPIN
	}
	if err != nil {
		return nil, err
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
