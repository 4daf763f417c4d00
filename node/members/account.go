package members

import (
	"cmp"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"golang.org/x/crypto/chacha20poly1305"

	"hearth/store"
)

// Account is an unlocked member: it holds their data key in memory, for as
// long as a session keeps it. It is safe for concurrent use (a member may
// have the page open on two phones).
type Account struct {
	b    *Book
	nick string
	// salt identifies the account this was unlocked from: if the nickname
	// is erased and made again, this Account must not write into the new
	// one (see sameAccount).
	salt []byte
	aead cipher.AEAD
	// feedBase is the key the member's calendar-feed secrets are made
	// with (see routine.go): derived from the data key, so only an
	// unlocked account can make or show a feed's address.
	feedBase []byte
}

func newAccount(b *Book, m store.Member, dataKey []byte) (*Account, error) {
	aead, err := chacha20poly1305.NewX(dataKey)
	if err != nil {
		return nil, fmt.Errorf("members: unlock: %w", err)
	}
	mac := hmac.New(sha256.New, dataKey)
	mac.Write([]byte("hearth/feed-base/1"))
	return &Account{b: b, nick: m.Nick, salt: m.Salt, aead: aead, feedBase: mac.Sum(nil)}, nil
}

// Nick is the member's nickname, lower-case.
func (a *Account) Nick() string { return a.nick }

// member loads the account's record, or ErrErased if it is gone or is a
// new account under the same nickname.
func (a *Account) member() (store.Member, error) {
	m, err := a.b.st.GetMember(a.nick)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return store.Member{}, ErrErased
	case err != nil:
		return store.Member{}, fmt.Errorf("members: %w", err)
	case !sameAccount(m, a.salt):
		return store.Member{}, ErrErased
	}
	return m, nil
}

// AddCheckIn checks c, seals it and stores it, flushed to disk before it
// returns. It returns the check-in as stored: with its ID (any ID given is
// replaced), At set to now if it was zero, triggers tidied. A value out of
// range gives a *problem.Error matching ErrInvalidCheckIn, which names it.
func (a *Account) AddCheckIn(c CheckIn) (CheckIn, error) {
	c, err := c.normalize(a.b.now())
	if err != nil {
		return CheckIn{}, err
	}
	id := newCheckInID(c.At)
	c.ID = formatID(id)
	plain, err := json.Marshal(c)
	if err != nil {
		return CheckIn{}, fmt.Errorf("members: add check-in: %w", err)
	}
	sealed := seal(a.aead, plain, adCheckIn(a.nick, id))

	defer a.b.nicks.lock(a.nick)()
	if _, err := a.member(); err != nil {
		return CheckIn{}, err
	}
	if err := a.b.st.PutCheckIn(a.nick, id, sealed); errors.Is(err, store.ErrNotFound) {
		return CheckIn{}, ErrErased
	} else if err != nil {
		return CheckIn{}, fmt.Errorf("members: add check-in: %w", err)
	}
	// The check-in is saved, and that is what the member is told: if the
	// buddies' view of it fails to follow, the next check-in brings it up
	// to date, and their day count is a day late at worst.
	_ = a.refreshSignals()
	return c, nil
}

// CheckIns opens every check-in of the member, newest first.
func (a *Account) CheckIns() ([]CheckIn, error) {
	if _, err := a.member(); err != nil {
		return nil, err
	}
	sealed, err := a.b.st.CheckIns(a.nick)
	if err != nil {
		return nil, fmt.Errorf("members: check-ins: %w", err)
	}
	out := make([]CheckIn, 0, len(sealed))
	for _, s := range sealed {
		plain, err := open(a.aead, s.Sealed, adCheckIn(a.nick, s.ID))
		if err != nil {
			// The key opened the account, so a record that does not open
			// was damaged or planted: refuse rather than show half a history.
			return nil, fmt.Errorf("members: check-in %s does not open: the store is damaged or was tampered with", formatID(s.ID))
		}
		var c CheckIn
		if err := json.Unmarshal(plain, &c); err != nil {
			return nil, fmt.Errorf("members: check-in %s: %w", formatID(s.ID), err)
		}
		c.ID = formatID(s.ID) // the key's ID is the authenticated one
		out = append(out, c)
	}
	// IDs sort by time already; sorting by At says what "newest" means.
	slices.SortStableFunc(out, func(x, y CheckIn) int {
		return cmp.Or(y.At.Compare(x.At), cmp.Compare(y.ID, x.ID))
	})
	return out, nil
}

// Profile is what a member tells about themselves beyond check-ins. It is
// sealed like a check-in.
type Profile struct {
	// SoberSince is the date the member counts their days from, or nil. It
	// is a date: midnight UTC of the day given.
	SoberSince *time.Time `json:"sober_since,omitempty"`
}

// Profile opens the member's profile; the zero Profile if none was set.
func (a *Account) Profile() (Profile, error) {
	m, err := a.member()
	if err != nil {
		return Profile{}, err
	}
	var p Profile
	if m.Profile == nil {
		return p, nil
	}
	plain, err := open(a.aead, m.Profile, adProfile(a.nick))
	if err != nil {
		return Profile{}, errors.New("members: the profile does not open: the store is damaged or was tampered with")
	}
	if err := json.Unmarshal(plain, &p); err != nil {
		return Profile{}, fmt.Errorf("members: profile: %w", err)
	}
	return p, nil
}

// SetProfile seals and stores p, replacing the profile. SoberSince is kept
// as its calendar date (the year, month and day in its own location), and
// may not be after today in the hub's zone (Options.Zone).
func (a *Account) SetProfile(p Profile) error {
	if p.SoberSince != nil {
		day := calendarDate(*p.SoberSince)
		if day.After(calendarDate(a.b.now().In(a.b.zone))) {
			return errFutureDate
		}
		if day.Before(earliest) {
			return errEarlyDate
		}
		p.SoberSince = &day
	}
	var sealed []byte
	if p.SoberSince != nil {
		plain, err := json.Marshal(p)
		if err != nil {
			return fmt.Errorf("members: set profile: %w", err)
		}
		sealed = seal(a.aead, plain, adProfile(a.nick))
	}
	defer a.b.nicks.lock(a.nick)()
	m, err := a.member()
	if err != nil {
		return err
	}
	m.Profile = sealed
	if err := a.b.st.PutMember(m); err != nil {
		return fmt.Errorf("members: set profile: %w", err)
	}
	return nil
}

// Erase deletes the account for good: the wrapped data key first (so what
// may linger on disk can never be opened), then every check-in, the
// profile, the safety plan and routine, and everything shared: both sides
// of each buddy link (so every buddy sees the link ended, and nothing of
// this member is left for them to read), any code on offer, and the
// calendar feed. Every Account of this member then returns ErrErased.
func (a *Account) Erase() error {
	defer a.b.nicks.lock(a.nick)()
	if _, err := a.member(); err != nil {
		return err
	}
	a.b.offers.drop(a.nick)
	shared := store.Shared{Signals: a.buddyShared()}
	if r, err := a.routine(); err == nil && r.Feed != nil {
		shared.Feeds = [][]byte{a.feedIDOf(r.Feed)}
	}
	if err := a.b.st.DeleteMember(a.nick, shared); err != nil {
		return fmt.Errorf("members: erase: %w", err)
	}
	return nil
}

// sealRecord seals v, as JSON, under the member's data key.
func (a *Account) sealRecord(v any, ad []byte) ([]byte, error) {
	plain, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("members: seal: %w", err)
	}
	return seal(a.aead, plain, ad), nil
}

// openRecord opens one of the member's sealed records into v. The key
// opened the account, so a record that does not open was damaged or
// planted: it is refused rather than half read.
func (a *Account) openRecord(what string, sealed, ad []byte, v any) error {
	plain, err := open(a.aead, sealed, ad)
	if err != nil {
		return fmt.Errorf("members: the %s does not open: the store is damaged or was tampered with", what)
	}
	if err := json.Unmarshal(plain, v); err != nil {
		return fmt.Errorf("members: %s: %w", what, err)
	}
	return nil
}

// calendarDate is t's date in its own location, as midnight UTC.
func calendarDate(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}
