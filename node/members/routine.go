package members

import (
	"bytes"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/crypto/chacha20poly1305"

	"hearth/node/problem"
	"hearth/store"
)

// A member's routine: the meetings they mark as theirs ("my meetings"),
// and a calendar feed of them, at an address with a secret in it that a
// phone's calendar can subscribe to. Which meetings a member goes to can
// say which fellowship they belong to, so the list is sealed under their
// data key like a check-in.
//
// The feed must be readable without the member's PIN (a calendar app
// fetches it), so a copy of the list is sealed under a key derived from
// the address's secret and stored under a hash of the secret. The secret
// itself is stored nowhere: it is derived from the member's data key and a
// random nonce kept in their sealed routine, so the member, signed in, can
// see their address again, while the disk alone can neither rebuild the
// address nor read the copy. A new address (a new nonce) or stopping the
// feed deletes the old copy: the old address then finds nothing.

// MaxMyMeetings bounds a member's list: a week of meetings, with room.
const MaxMyMeetings = 20

// ErrNoFeed: no calendar feed has that secret (never made, replaced, or
// stopped). Returned by Book.CalendarFeed.
var ErrNoFeed = errors.New("no calendar feed at that address")

var (
	errMyMeetingsFull = problem.Define("routine.full", "a member may mark at most %d meetings as theirs: remove one first")
	errMyMeetingID    = problem.Define("routine.badmeeting", "that is not a meeting ID")
)

// routine is what is sealed in a member's routine record.
type routine struct {
	Meetings []string   `json:"meetings,omitempty"` // listing IDs, in the order marked
	Feed     *feedState `json:"feed,omitempty"`
}

// feedState is a member's current calendar feed.
type feedState struct {
	Nonce []byte    `json:"nonce"` // with the member's key, gives the secret
	Lang  string    `json:"lang"`  // the language the feed speaks
	Made  time.Time `json:"made"`
}

// feedCopy is what a feed record holds, sealed under the secret's key.
type feedCopy struct {
	Meetings []string `json:"meetings"`
	Lang     string   `json:"lang"`
}

// CalendarFeed is a member's calendar feed as their page shows it.
type CalendarFeed struct {
	// Secret goes in the feed's address: 43 characters of base64url, 256
	// bits, never stored.
	Secret string
	Lang   string
	Made   time.Time
}

// Sizes of the feed's secret and nonce.
const (
	feedSecretLen = 32
	feedNonceLen  = 16
)

// MyMeetings is the member's list of listing IDs, in the order marked.
func (a *Account) MyMeetings() ([]string, error) {
	if _, err := a.member(); err != nil {
		return nil, err
	}
	r, err := a.routine()
	return r.Meetings, err
}

// MarkMeeting adds a listing ID to the member's meetings (mine) or takes
// it out, and updates their calendar feed if they have one. Adding one
// already there, or removing one that is not, changes nothing. A full
// list gives a *problem.Error.
func (a *Account) MarkMeeting(id string, mine bool) error {
	id = strings.TrimSpace(id)
	if id == "" || !utf8.ValidString(id) || utf8.RuneCountInString(id) > maxMeetingLen || strings.ContainsFunc(id, unicode.IsControl) {
		return errMyMeetingID
	}
	return a.editRoutine(func(r *routine) (bool, error) {
		has := slices.Contains(r.Meetings, id)
		switch {
		case mine == has:
			return false, nil
		case !mine:
			r.Meetings = slices.DeleteFunc(r.Meetings, func(m string) bool { return m == id })
		case len(r.Meetings) >= MaxMyMeetings:
			return false, errMyMeetingsFull.With(MaxMyMeetings)
		default:
			r.Meetings = append(r.Meetings, id)
		}
		return true, nil
	})
}

// CalendarFeed is the member's current calendar feed; ok is false if they
// have none.
func (a *Account) CalendarFeed() (feed CalendarFeed, ok bool, err error) {
	if _, err := a.member(); err != nil {
		return CalendarFeed{}, false, err
	}
	r, err := a.routine()
	if err != nil || r.Feed == nil {
		return CalendarFeed{}, false, err
	}
	return a.calendarFeed(r.Feed), true, nil
}

// NewCalendarFeed makes the member a calendar feed at a new address, in
// the language lang; the old address, if any, stops working at once.
func (a *Account) NewCalendarFeed(lang string) (CalendarFeed, error) {
	var made CalendarFeed
	err := a.editRoutine(func(r *routine) (bool, error) {
		nonce := make([]byte, feedNonceLen)
		rand.Read(nonce)
		r.Feed = &feedState{Nonce: nonce, Lang: lang, Made: a.b.now().UTC().Truncate(time.Second)}
		made = a.calendarFeed(r.Feed)
		return true, nil
	})
	return made, err
}

// StopCalendarFeed deletes the member's calendar feed: its address finds
// nothing from now on. With no feed it does nothing.
func (a *Account) StopCalendarFeed() error {
	return a.editRoutine(func(r *routine) (bool, error) {
		changed := r.Feed != nil
		r.Feed = nil
		return changed, nil
	})
}

// CalendarFeed opens the feed at secret, for a calendar app that has no
// PIN: the member's meetings and the language they chose. Any secret that
// is not a current feed's gives ErrNoFeed.
func (b *Book) CalendarFeed(secret string) (meetings []string, lang string, err error) {
	raw, err := base64.RawURLEncoding.DecodeString(secret)
	if err != nil || len(raw) != feedSecretLen {
		return nil, "", ErrNoFeed
	}
	id := feedID(raw)
	sealed, err := b.st.GetFeed(id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, "", ErrNoFeed
	}
	if err != nil {
		return nil, "", fmt.Errorf("members: calendar feed: %w", err)
	}
	aead, err := chacha20poly1305.NewX(feedKey(raw))
	if err != nil {
		return nil, "", err
	}
	plain, err := open(aead, sealed, adFeed(id))
	if err != nil {
		// Found under the secret's hash yet not opened by its key: the
		// record was damaged or planted. No different to the caller.
		return nil, "", ErrNoFeed
	}
	var c feedCopy
	if err := json.Unmarshal(plain, &c); err != nil {
		return nil, "", fmt.Errorf("members: calendar feed: %w", err)
	}
	return c.Meetings, c.Lang, nil
}

// routine opens the member's routine; an empty one if they have none.
func (a *Account) routine() (routine, error) {
	var r routine
	sealed, err := a.b.st.GetRoutine(a.nick)
	if errors.Is(err, store.ErrNotFound) {
		return r, nil
	}
	if err != nil {
		return r, fmt.Errorf("members: routine: %w", err)
	}
	err = a.openRecord("routine", sealed, adRoutine(a.nick), &r)
	return r, err
}

// editRoutine changes the member's routine with edit and stores it, with
// the feed's copy brought up to date in the same write (and the copy of a
// feed replaced or stopped deleted), if edit says it changed anything.
func (a *Account) editRoutine(edit func(*routine) (bool, error)) error {
	defer a.b.nicks.lock(a.nick)()
	if _, err := a.member(); err != nil {
		return err
	}
	r, err := a.routine()
	if err != nil {
		return err
	}
	var oldFeed []byte
	if r.Feed != nil {
		oldFeed = a.feedIDOf(r.Feed)
	}
	if changed, err := edit(&r); err != nil || !changed {
		return err
	}
	sealed, err := a.sealRecord(r, adRoutine(a.nick))
	if err != nil {
		return err
	}
	var feed store.Feed
	if r.Feed != nil {
		secret := a.feedSecret(r.Feed.Nonce)
		aead, err := chacha20poly1305.NewX(feedKey(secret))
		if err != nil {
			return err
		}
		plain, err := json.Marshal(feedCopy{Meetings: r.Meetings, Lang: r.Feed.Lang})
		if err != nil {
			return fmt.Errorf("members: calendar feed: %w", err)
		}
		feed.ID = feedID(secret)
		feed.Sealed = seal(aead, plain, adFeed(feed.ID))
		if bytes.Equal(oldFeed, feed.ID) {
			oldFeed = nil // rewritten in place
		}
	}
	if err := a.b.st.PutRoutine(a.nick, sealed, feed, oldFeed); errors.Is(err, store.ErrNotFound) {
		return ErrErased
	} else if err != nil {
		return fmt.Errorf("members: routine: %w", err)
	}
	return nil
}

func (a *Account) calendarFeed(f *feedState) CalendarFeed {
	return CalendarFeed{Secret: base64.RawURLEncoding.EncodeToString(a.feedSecret(f.Nonce)), Lang: f.Lang, Made: f.Made}
}

// feedSecret is the secret of the feed with this nonce: a MAC of the
// nonce under a key only the unlocked member has.
func (a *Account) feedSecret(nonce []byte) []byte {
	m := hmac.New(sha256.New, a.feedBase)
	m.Write(nonce)
	return m.Sum(nil)
}

func (a *Account) feedIDOf(f *feedState) []byte { return feedID(a.feedSecret(f.Nonce)) }

// feedID is the hash a feed is stored under; feedKey the key its copy is
// sealed with. Both come from the secret, each with its own domain, and
// neither gives the secret back.
func feedID(secret []byte) []byte  { return domainHash("hearth/feed-id/1\x00", secret) }
func feedKey(secret []byte) []byte { return domainHash("hearth/feed-key/1\x00", secret) }

func domainHash(domain string, secret []byte) []byte {
	h := sha256.New()
	h.Write([]byte(domain))
	h.Write(secret)
	return h.Sum(nil)
}

// WeeklyMeetings counts the meetings a member's check-ins say they went to
// this week and last week, in zone (weeks start on Monday, as ISO 8601
// has them): one per meeting per day, however many check-ins name it.
func WeeklyMeetings(cs []CheckIn, now time.Time, zone *time.Location) (thisWeek, lastWeek int) {
	today := calendarDate(now.In(zone))
	monday := today.AddDate(0, 0, -(int(today.Weekday())+6)%7)
	seen := map[string]bool{}
	for _, c := range cs {
		if c.Meeting == "" {
			continue
		}
		day := calendarDate(c.At.In(zone))
		key := day.Format(time.DateOnly) + " " + c.Meeting
		if seen[key] || day.After(today) {
			continue
		}
		seen[key] = true
		switch {
		case !day.Before(monday):
			thisWeek++
		case !day.Before(monday.AddDate(0, 0, -7)):
			lastWeek++
		}
	}
	return thisWeek, lastWeek
}
