package members

import (
	"bytes"
	"crypto/rand"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"hearth/store"
)

// cheapKDF keeps tests fast; TestDefaultKDF uses the real defaults.
var cheapKDF = store.KDFParams{Time: 1, MemoryKiB: 1024, Threads: 1}

// clock is a settable clock for lockouts, so tests never sleep.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// env is a store directory and key that a test can open and reopen.
type env struct {
	t     *testing.T
	dir   string
	key   []byte
	clock *clock
	st    *store.Store
}

func newEnv(t *testing.T) *env {
	e := &env{t: t, dir: t.TempDir(), key: make([]byte, store.KeySize), clock: newClock()}
	rand.Read(e.key)
	e.open()
	t.Cleanup(func() { e.st.Close() })
	return e
}

func (e *env) open() {
	e.t.Helper()
	st, err := store.Open(store.Options{Dir: e.dir, EncryptionKey: e.key})
	if err != nil {
		e.t.Fatal(err)
	}
	e.st = st
}

// reopen closes and opens the store, as a restart does, and returns a
// fresh Book on it.
func (e *env) reopen() *Book {
	e.t.Helper()
	if err := e.st.Close(); err != nil {
		e.t.Fatal(err)
	}
	e.open()
	return e.book()
}

func (e *env) book() *Book {
	e.t.Helper()
	return mustNew(e.t, e.st, Options{Now: e.clock.Now, KDF: cheapKDF})
}

func mustNew(t testing.TB, st *store.Store, opts Options) *Book {
	t.Helper()
	b, err := New(st, opts)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func mustAdd(t *testing.T, b *Book, nick, pin string) {
	t.Helper()
	if _, err := b.Add(t.Context(), nick, pin); err != nil {
		t.Fatalf("add %s: %v", nick, err)
	}
}

func mustUnlock(t *testing.T, b *Book, nick, pin string) *Account {
	t.Helper()
	a, err := b.Unlock(t.Context(), nick, pin)
	if err != nil {
		t.Fatalf("unlock %s: %v", nick, err)
	}
	return a
}

func TestAddRules(t *testing.T) {
	b := newEnv(t).book()
	for _, tc := range []struct {
		nick, pin string
		want      error
	}{
		{"", "428613", ErrBadNick},
		{"has space", "428613", ErrBadNick},
		{"émile", "428613", ErrBadNick},
		{strings.Repeat("a", 33), "428613", ErrBadNick},
		{"a\x00b", "428613", ErrBadNick},
		{"ana", "12345", ErrBadPIN},
		{"ana", strings.Repeat("97", 32) + "1", ErrBadPIN},
		{"ana", "\xff\xfe\xfd\xfc\xfb\xfa", ErrBadPIN},
		{"Ana.B-2_x", "428613", nil},
		{strings.Repeat("z", 32), strings.Repeat("9", 63) + "1", nil},
		{"  kofi ", "ñandú guaraní", nil},  // a passphrase in any script
		{"ANA.b-2_X", "573920", ErrExists}, // nicknames are case-insensitive
	} {
		_, err := b.Add(t.Context(), tc.nick, tc.pin)
		if !errors.Is(err, tc.want) {
			t.Errorf("Add(%q, %q) = %v, want %v", tc.nick, tc.pin, err, tc.want)
		}
	}
	mustUnlock(t, b, "KOFI", "ñandú guaraní")
	list, err := b.List()
	if err != nil {
		t.Fatal(err)
	}
	var nicks []string
	for _, s := range list {
		nicks = append(nicks, s.Nick)
	}
	if strings.Join(nicks, " ") != "ana.b-2_x kofi "+strings.Repeat("z", 32) {
		t.Errorf("list: %v", nicks)
	}
}

func TestUnknownNickAndWrongPINLookAlike(t *testing.T) {
	b := newEnv(t).book()
	mustAdd(t, b, "ana", "428613")
	_, wrongPIN := b.Unlock(t.Context(), "ana", "9999")
	_, unknown := b.Unlock(t.Context(), "nobody", "9999")
	_, invalid := b.Unlock(t.Context(), "not a nick!", "9999")
	for name, err := range map[string]error{"wrong PIN": wrongPIN, "unknown nick": unknown, "invalid nick": invalid} {
		if err != ErrWrongPIN {
			t.Errorf("%s: %v, want exactly ErrWrongPIN", name, err)
		}
	}
	if err := b.Remove(t.Context(), "nobody", "9999"); err != ErrWrongPIN {
		t.Errorf("remove unknown: %v", err)
	}
}

// TestLockout: three wrong PINs, then waits of 1 s, 2 s, 4 s ... up to 15
// minutes; the count survives a restart; a right PIN resets it.
func TestLockout(t *testing.T) {
	e := newEnv(t)
	b := e.book()
	mustAdd(t, b, "ana", "428613")
	wrong := func() {
		t.Helper()
		if _, err := b.Unlock(t.Context(), "ana", "0000"); err != ErrWrongPIN {
			t.Fatalf("wrong PIN: %v", err)
		}
	}
	wantLocked := func(wait time.Duration) {
		t.Helper()
		_, err := b.Unlock(t.Context(), "ana", "428613") // even the right PIN
		var ae *AttemptsError
		if !errors.As(err, &ae) || !errors.Is(err, ErrTooManyAttempts) || ae.Wait != wait {
			t.Fatalf("while locked: %v, want a wait of %v", err, wait)
		}
	}
	wrong()
	wrong()
	wrong()
	wantLocked(time.Second)
	e.clock.Add(time.Second)
	wrong()
	wantLocked(2 * time.Second)
	e.clock.Add(500 * time.Millisecond)
	wantLocked(1500 * time.Millisecond)

	// A restart keeps the lock and the count.
	b = e.reopen()
	wantLocked(1500 * time.Millisecond)
	e.clock.Add(1500 * time.Millisecond)
	wrong()
	wantLocked(4 * time.Second)

	// The wait grows to the cap and stays there.
	for range 12 {
		e.clock.Add(maxLockout)
		wrong()
	}
	wantLocked(maxLockout)
	_, err := b.Unlock(t.Context(), "ana", "428613")
	if err.Error() != "too many wrong PINs: try again in 15m" {
		t.Errorf("message: %q", err)
	}

	// A right PIN after the wait resets the count: two more wrong PINs
	// are free again.
	e.clock.Add(maxLockout)
	mustUnlock(t, b, "ana", "428613")
	wrong()
	wrong()
	mustUnlock(t, b, "ana", "428613")
}

// TestUnknownNickLocksOut: a nickname with no account locks out like a real
// one, or "locked" would reveal who exists.
func TestUnknownNickLocksOut(t *testing.T) {
	e := newEnv(t)
	b := e.book()
	mustAdd(t, b, "ana", "428613")
	var errs [2][]error
	for i, nick := range []string{"ana", "nobody"} {
		for range 4 {
			_, err := b.Unlock(t.Context(), nick, "0000")
			errs[i] = append(errs[i], err)
		}
		e.clock.Add(time.Second)
		_, err := b.Unlock(t.Context(), nick, "0000")
		errs[i] = append(errs[i], err)
	}
	for i := range errs[0] {
		if errs[0][i].Error() != errs[1][i].Error() {
			t.Errorf("attempt %d: member %q, unknown %q", i+1, errs[0][i], errs[1][i])
		}
	}
}

func TestLockoutSchedule(t *testing.T) {
	for failures, want := range map[int]time.Duration{
		0: 0, 2: 0, 3: time.Second, 4: 2 * time.Second, 5: 4 * time.Second,
		12: 512 * time.Second, 13: maxLockout, 100: maxLockout, 1 << 40: maxLockout,
	} {
		if got := lockout(failures); got != want {
			t.Errorf("lockout(%d) = %v, want %v", failures, got, want)
		}
	}
	for d, want := range map[time.Duration]string{
		40 * time.Second: "40s", 39*time.Second + time.Millisecond: "40s", time.Millisecond: "1s",
		125 * time.Second: "2m5s", maxLockout: "15m",
	} {
		if got := (&AttemptsError{Wait: d}).Error(); got != "too many wrong PINs: try again in "+want {
			t.Errorf("wait %v: %q", d, got)
		}
	}
}

// TestParallelGuessesSerialised: guesses at one nickname from many
// goroutines cannot slip past the lockout together.
func TestParallelGuessesSerialised(t *testing.T) {
	e := newEnv(t)
	b := e.book()
	mustAdd(t, b, "ana", "428613")
	var wg sync.WaitGroup
	var mu sync.Mutex
	checked := 0
	for range 20 {
		wg.Go(func() {
			_, err := b.Unlock(t.Context(), "ana", "0000")
			if err == ErrWrongPIN {
				mu.Lock()
				checked++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if checked != freeAttempts {
		t.Errorf("%d PINs checked before the lock, want %d", checked, freeAttempts)
	}
}

func TestRemove(t *testing.T) {
	b := newEnv(t).book()
	mustAdd(t, b, "ana", "428613")
	a := mustUnlock(t, b, "ana", "428613")
	if _, err := a.AddCheckIn(CheckIn{Mood: 3}); err != nil {
		t.Fatal(err)
	}
	if err := b.Remove(t.Context(), "ana", "0000"); err != ErrWrongPIN {
		t.Errorf("remove with a wrong PIN: %v", err)
	}
	if list, _ := b.List(); len(list) != 1 || list[0].CheckIns != 1 {
		t.Fatalf("after a failed remove: %+v", list)
	}
	if err := b.Remove(t.Context(), "ANA", "428613"); err != nil {
		t.Fatal(err)
	}
	if list, _ := b.List(); len(list) != 0 {
		t.Errorf("after remove: %+v", list)
	}
	if _, err := b.Unlock(t.Context(), "ana", "428613"); err != ErrWrongPIN {
		t.Errorf("unlock after remove: %v", err)
	}
}

// TestDefaultKDF runs the real argon2id parameters once.
func TestDefaultKDF(t *testing.T) {
	e := newEnv(t)
	b := mustNew(t, e.st, Options{})
	start := time.Now()
	mustAdd(t, b, "ana", "428613")
	t.Logf("add with default argon2id: %v", time.Since(start))
	m, err := e.st.GetMember("ana")
	if err != nil {
		t.Fatal(err)
	}
	if m.KDF != DefaultKDF || DefaultKDF != (store.KDFParams{Time: 2, MemoryKiB: 19456, Threads: 1}) {
		t.Errorf("stored parameters %+v", m.KDF)
	}
	start = time.Now()
	if _, err := b.Unlock(t.Context(), "ana", "4321"); err != ErrWrongPIN {
		t.Errorf("wrong PIN: %v", err)
	}
	t.Logf("wrong PIN: %v", time.Since(start))
	start = time.Now()
	if _, err := b.Unlock(t.Context(), "nobody", "4321"); err != ErrWrongPIN {
		t.Errorf("unknown nick: %v", err)
	}
	t.Logf("unknown nickname: %v", time.Since(start))
	a := mustUnlock(t, b, "ana", "428613")
	if _, err := a.AddCheckIn(CheckIn{Mood: 4}); err != nil {
		t.Fatal(err)
	}
	// An account keeps its parameters when the book's change.
	cheap := mustNew(t, e.st, Options{KDF: cheapKDF})
	mustUnlock(t, cheap, "ana", "428613")
}

// assertAbsent fails if any file under dir contains s.
func assertAbsent(t *testing.T, dir, s string) {
	t.Helper()
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if bytes.Contains(data, []byte(s)) {
			t.Errorf("%s holds %q in plain text", filepath.Base(path), s)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// BenchmarkWrongPIN compares a wrong PIN for a real member with any PIN
// for an unknown nickname, with the default argon2id parameters: the two
// should cost the same, so timing does not tell who has an account.
func BenchmarkWrongPIN(b *testing.B) {
	for _, nick := range []string{"ana", "nobody"} {
		b.Run(nick, func(b *testing.B) {
			dir := b.TempDir()
			key := make([]byte, store.KeySize)
			rand.Read(key)
			st, err := store.Open(store.Options{Dir: dir, EncryptionKey: key})
			if err != nil {
				b.Fatal(err)
			}
			defer st.Close()
			c := newClock()
			book := mustNew(b, st, Options{Now: c.Now})
			if _, err := book.Add(b.Context(), "ana", "428613"); err != nil {
				b.Fatal(err)
			}
			for b.Loop() {
				c.Add(maxLockout) // stay clear of the lockout
				if _, err := book.Unlock(b.Context(), nick, "0000"); err != ErrWrongPIN {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkOfflineGuess is what one PIN guess costs someone who has copied
// the disk (the store and store.key beside it): one argon2id derivation
// with DefaultKDF and one try at opening the wrapped key, on one core. It
// reports the core-hours to try every four-digit and every six-digit PIN;
// the README quotes it.
func BenchmarkOfflineGuess(b *testing.B) {
	m := store.Member{Nick: "ana", KDF: DefaultKDF, Salt: make([]byte, saltLen)}
	rand.Read(m.Salt)
	kek := argon2IDKey("428613", m)
	var err error
	if m.WrappedKey, err = wrapKey(kek, make([]byte, keyLen), m.Nick); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := unwrapKey(argon2IDKey("000000", m), m); !errors.Is(err, errAuth) {
			b.Fatal(err)
		}
	}
	perGuess := b.Elapsed() / time.Duration(b.N)
	b.ReportMetric(float64(perGuess)/float64(time.Millisecond), "ms/guess")
	b.ReportMetric(1e4*perGuess.Hours(), "core-hours/4-digit-PINs")
	b.ReportMetric(1e6*perGuess.Hours(), "core-hours/6-digit-PINs")
}
