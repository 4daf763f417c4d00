package members

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"golang.org/x/crypto/chacha20poly1305"

	"hearth/node/problem"
	"hearth/store"
)

// Buddies: two members of a hub who notice when the other goes quiet. Each
// agrees (one makes a short code and gives it to the other, who types it
// and says yes), either ends it at once, and erasing either ends it. A
// buddy sees only when the other last checked in (a day, never the hour or
// anything the check-in says), how many quiet days the other wants noticed,
// and, if the other asks, that they want a call.
//
// What the store holds, and why it cannot tell who is whose buddy:
//
//   - Each link has a random key. Each of the two members keeps it in their
//     buddy book, sealed under their own data key, with the IDs of the
//     link's two signals.
//   - Each member's side of a link is a signal: their nickname, the day of
//     their last check-in, their quiet days, whether they asked for a call,
//     sealed under the link's key and stored under a random ID. Whoever
//     writes it knows both keys; the store sees an ID and sealed bytes.
//   - A code being offered lives only in this process's memory, with the
//     link's key: a restart drops it, and the disk never holds it.
//
// A member's signal is written when they make a code (their side is ready
// before anyone takes it), when they take a code, when they check in, and
// when they change their settings. Either member ends the link by deleting
// both signals; the other finds theirs gone the next time they look, and
// drops the link from their book.

// Limits and defaults.
const (
	// MaxBuddies is how many links a member may have, an offered code
	// counted: enough for a sponsor, a friend and a few more; few enough
	// that a check-in's few extra writes stay cheap.
	MaxBuddies = 5
	// MaxQuietDays is the most quiet days a member may ask their buddies
	// to wait before they reach out; 0 is "never say".
	MaxQuietDays = 30
	// DefaultQuietDays is the quiet days of a member who did not choose.
	DefaultQuietDays = 3
	// DefaultBuddyCodeLifetime is how long a code works unless Options say
	// otherwise: long enough to pass it across a room or read it over the
	// phone, short enough that a code seen by someone else soon expires.
	DefaultBuddyCodeLifetime = 15 * time.Minute
	// askLifetime is how long a request for a call shows, unless taken
	// back: a call asked for three days ago is not news any more.
	askLifetime = 72 * time.Hour
	// Wrong codes a member may type in codeTryWindow. A code has 30^8
	// (about 6.6e11) values, so these few tries, on a few codes alive at
	// once, have no real chance of finding one.
	codeTries     = 5
	codeTryWindow = 15 * time.Minute
	// maxOffers bounds the codes alive at once across the hub (one per
	// member at most).
	maxOffers = 4096
)

// Problems with buddies, which the page says in the member's words.
var (
	// ErrBuddyCode: a code that is not one alive now (wrong, used, expired,
	// or dropped by a restart).
	ErrBuddyCode   = problem.Define("buddy.badcode", "that code does not work: a code works once, for a short time; ask whoever gave it for a new one")
	errBuddySelf   = problem.Define("buddy.self", "that is your own code: give it to the person you want as your buddy")
	errBuddyTwice  = problem.Define("buddy.already", "you are buddies already")
	errBuddyFull   = problem.Define("buddy.full", "a member may have at most %d buddies: end a link first")
	errBuddyTries  = problem.Define("buddy.toomany", "too many wrong codes: wait %d minutes and try again")
	errBuddyBusy   = problem.Define("buddy.busy", "the hub has too many codes waiting: try again in a few minutes")
	errQuietDays   = problem.Define("buddy.quietdays", "the quiet days must be 0 (never) to %d")
	errUnknownLink = problem.Define("buddy.nolink", "that buddy link has ended already")
)

// buddyBook is what is sealed in a member's buddy record.
type buddyBook struct {
	QuietDays int         `json:"quiet_days"`
	AskedAt   time.Time   `json:"asked_at,omitzero"` // the member asked for a call
	Links     []buddyLink `json:"links,omitempty"`
}

// buddyLink is one link as one of its members holds it.
type buddyLink struct {
	Key    []byte    `json:"key"`    // seals both signals
	Mine   []byte    `json:"mine"`   // the signal this member writes
	Theirs []byte    `json:"theirs"` // the signal the buddy writes
	Since  time.Time `json:"since"`
	// OfferUntil is set while the link waits for someone to take this
	// member's code: when the code expires.
	OfferUntil time.Time `json:"offer_until,omitzero"`
}

// signal is one member's side of a link, sealed under the link's key.
type signal struct {
	Nick        string    `json:"nick"`
	LastCheckIn string    `json:"last_checkin,omitempty"` // YYYY-MM-DD in the hub's zone
	QuietDays   int       `json:"quiet_days"`
	AskedAt     time.Time `json:"asked_at,omitzero"`
	Since       string    `json:"since"` // YYYY-MM-DD the link began
}

// Buddy is what a member sees of a buddy: all of it. Nothing a check-in
// or a plan says is here, nor is it in what this package stores for the
// buddy to read.
type Buddy struct {
	// Link names the link, to end it; it means nothing anywhere else.
	Link string
	Nick string
	// CheckedIn: the buddy has checked in at least once. SilentDays counts
	// days (in the hub's zone) since their last check-in, or since the
	// link began if they have none.
	CheckedIn  bool
	SilentDays int
	// QuietDays is the buddy's own choice (0: never say); ReachOut is set
	// once SilentDays reaches it.
	QuietDays int
	ReachOut  bool
	// AskedForCall: the buddy asked for a call, at AskedAt, within the
	// last three days.
	AskedForCall bool
	AskedAt      time.Time
}

// Offer is a member's code, waiting for someone to take it.
type Offer struct {
	Code  string // as shown: K7P3-Q9XM
	Until time.Time
}

// Buddies is a member's buddies page.
type Buddies struct {
	Buddies []Buddy
	Offer   *Offer // nil: none waiting
	// QuietDays and AskedForCall are the member's own settings, as their
	// buddies see them.
	QuietDays    int
	AskedForCall bool
	AskedAt      time.Time
	// Ended counts links found ended by the other member (or an erasure)
	// since the member last looked: the page says so once.
	Ended int
	// Room: the member may make or take another code.
	Room bool
}

// Buddies opens the member's buddies. Links that ended and codes that
// expired are dropped from their book as it looks.
func (a *Account) Buddies() (Buddies, error) {
	defer a.b.nicks.lock(a.nick)()
	if _, err := a.member(); err != nil {
		return Buddies{}, err
	}
	book, views, ended, err := a.reconcile()
	if err != nil {
		return Buddies{}, err
	}
	now := a.b.now()
	out := Buddies{Buddies: views, QuietDays: book.QuietDays, Ended: ended, Room: len(book.Links) < MaxBuddies}
	if asked(book.AskedAt, now) {
		out.AskedForCall, out.AskedAt = true, book.AskedAt
	}
	if o := a.b.offers.of(a.nick, now); o != nil {
		out.Offer = &Offer{Code: formatCode(o.code), Until: o.until}
	}
	return out, nil
}

// OfferBuddy makes a code for the member to give to the person they want as
// a buddy. A code they made before and nobody took is replaced.
func (a *Account) OfferBuddy() (Offer, error) {
	defer a.b.nicks.lock(a.nick)()
	if _, err := a.member(); err != nil {
		return Offer{}, err
	}
	book, _, _, err := a.reconcile()
	if err != nil {
		return Offer{}, err
	}
	var drop [][]byte
	book.Links = slices.DeleteFunc(book.Links, func(l buddyLink) bool {
		if !l.OfferUntil.IsZero() {
			drop = append(drop, l.Mine)
			return true
		}
		return false
	})
	if len(book.Links) >= MaxBuddies {
		return Offer{}, errBuddyFull.With(MaxBuddies)
	}
	now := a.b.now()
	o := &offer{nick: a.nick, key: randomBytes(keyLen), mine: randomBytes(store.SignalIDLen), theirs: randomBytes(store.SignalIDLen), until: now.Add(a.b.codeLifetime)}
	link := buddyLink{Key: o.key, Mine: o.mine, Theirs: o.theirs, Since: now.UTC(), OfferUntil: o.until.UTC()}
	book.Links = append(book.Links, link)
	sig, err := a.signalFor(book, link)
	if err != nil {
		return Offer{}, err
	}
	if err := a.b.offers.add(o, now); err != nil {
		return Offer{}, err
	}
	if err := a.putBuddies(book, []store.Signal{sig}, drop); err != nil {
		a.b.offers.drop(a.nick)
		return Offer{}, err
	}
	return Offer{Code: formatCode(o.code), Until: o.until}, nil
}

// CancelOffer takes back the member's code, if nobody took it yet.
func (a *Account) CancelOffer() error {
	defer a.b.nicks.lock(a.nick)()
	if _, err := a.member(); err != nil {
		return err
	}
	a.b.offers.drop(a.nick)
	_, _, _, err := a.reconcile() // drops the waiting link, its code gone
	return err
}

// BuddyCode says whose a code is, without taking it, so the member who
// typed it can see who they are about to become buddies with. A wrong code
// counts against the member's tries.
func (a *Account) BuddyCode(code string) (string, error) {
	o, err := a.b.offers.find(a.nick, code, a.b.now())
	if err != nil {
		return "", err
	}
	if o.nick == a.nick {
		return "", errBuddySelf
	}
	return o.nick, nil
}

// AcceptBuddy takes a code: the member and the code's maker become
// buddies. The code then no longer works.
func (a *Account) AcceptBuddy(code string) (Buddy, error) {
	now := a.b.now()
	o, err := a.b.offers.find(a.nick, code, now)
	if err != nil {
		return Buddy{}, err
	}
	if o.nick == a.nick {
		return Buddy{}, errBuddySelf
	}
	defer a.b.nicks.lock(a.nick)()
	if _, err := a.member(); err != nil {
		return Buddy{}, err
	}
	book, views, _, err := a.reconcile()
	if err != nil {
		return Buddy{}, err
	}
	for _, v := range views {
		if v.Nick == o.nick {
			return Buddy{}, errBuddyTwice
		}
	}
	if len(book.Links) >= MaxBuddies {
		return Buddy{}, errBuddyFull.With(MaxBuddies)
	}
	if !a.b.offers.take(o) {
		return Buddy{}, ErrBuddyCode // taken or replaced meanwhile
	}
	link := buddyLink{Key: o.key, Mine: o.theirs, Theirs: o.mine, Since: now.UTC()}
	book.Links = append(book.Links, link)
	sig, err := a.signalFor(book, link)
	if err != nil {
		return Buddy{}, err
	}
	if err := a.putBuddies(book, []store.Signal{sig}, nil); err != nil {
		return Buddy{}, err
	}
	b, ok, err := a.buddyOf(link)
	if err == nil && !ok {
		// The maker ended it, or was erased, in the moment between.
		err = errUnknownLink
	}
	return b, err
}

// EndBuddy ends a link (Buddy.Link) at once, for both members: both
// signals are deleted, so neither sees anything of the other from now on.
func (a *Account) EndBuddy(link string) error {
	defer a.b.nicks.lock(a.nick)()
	if _, err := a.member(); err != nil {
		return err
	}
	book, err := a.buddyBook()
	if err != nil {
		return err
	}
	i := slices.IndexFunc(book.Links, func(l buddyLink) bool { return hex.EncodeToString(l.Mine) == link })
	if i < 0 {
		return errUnknownLink
	}
	l := book.Links[i]
	book.Links = slices.Delete(book.Links, i, i+1)
	if !l.OfferUntil.IsZero() {
		a.b.offers.drop(a.nick)
	}
	return a.putBuddies(book, nil, [][]byte{l.Mine, l.Theirs})
}

// SetQuietDays sets how many days without a check-in make the member's
// buddies see "reach out"; 0 is never.
func (a *Account) SetQuietDays(days int) error {
	if days < 0 || days > MaxQuietDays {
		return errQuietDays.With(MaxQuietDays)
	}
	return a.editBuddies(func(b *buddyBook) { b.QuietDays = days })
}

// AskForCall tells the member's buddies that they would like a call (or,
// with ask false, that they no longer need one). The request shows for
// three days.
func (a *Account) AskForCall(ask bool) error {
	return a.editBuddies(func(b *buddyBook) {
		b.AskedAt = time.Time{}
		if ask {
			b.AskedAt = a.b.now().UTC()
		}
	})
}

// editBuddies changes the member's settings and rewrites their signals.
func (a *Account) editBuddies(edit func(*buddyBook)) error {
	defer a.b.nicks.lock(a.nick)()
	if _, err := a.member(); err != nil {
		return err
	}
	book, err := a.buddyBook()
	if err != nil {
		return err
	}
	edit(&book)
	sigs, err := a.signals(book)
	if err != nil {
		return err
	}
	return a.putBuddies(book, sigs, nil)
}

// refreshSignals rewrites the member's side of each link after a check-in.
// The caller holds the member's lock.
func (a *Account) refreshSignals() error {
	sealed, err := a.b.st.GetBuddies(a.nick)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("members: buddies: %w", err)
	}
	var book buddyBook
	if err := a.openRecord("buddy book", sealed, adBuddies(a.nick), &book); err != nil {
		return err
	}
	sigs, err := a.signals(book)
	if err != nil || len(sigs) == 0 {
		return err
	}
	if err := a.b.st.PutSignals(a.nick, sigs); errors.Is(err, store.ErrNotFound) {
		return ErrErased
	} else if err != nil {
		return fmt.Errorf("members: buddies: %w", err)
	}
	return nil
}

// reconcile opens the member's book and each buddy's signal: links the
// buddy ended (their signal is gone) and codes expired or forgotten are
// dropped, and the book stored again if that changed it. The caller holds
// the member's lock.
func (a *Account) reconcile() (book buddyBook, views []Buddy, ended int, err error) {
	if book, err = a.buddyBook(); err != nil {
		return book, nil, 0, err
	}
	now := a.b.now()
	offered := a.b.offers.of(a.nick, now)
	var drop [][]byte
	changed := false
	kept := book.Links[:0:0]
	for _, l := range book.Links {
		view, ok, err := a.buddyOf(l)
		if err != nil {
			return book, nil, 0, err
		}
		waiting := !l.OfferUntil.IsZero()
		switch {
		case ok:
			if waiting {
				l.OfferUntil, changed = time.Time{}, true // taken: the buddy's side is there
			}
			views = append(views, view)
		case waiting && offered != nil && bytes.Equal(offered.mine, l.Mine) && now.Before(l.OfferUntil):
			// Still waiting for someone to take the code.
		case waiting:
			drop, changed = append(drop, l.Mine), true // expired, cancelled, or lost in a restart
			continue
		default:
			drop, changed = append(drop, l.Mine), true // ended by the buddy
			ended++
			continue
		}
		kept = append(kept, l)
	}
	book.Links = kept
	if changed {
		if err := a.putBuddies(book, nil, drop); err != nil {
			return book, nil, 0, err
		}
	}
	return book, views, ended, nil
}

// buddyOf opens the buddy's side of a link; ok is false if there is none.
func (a *Account) buddyOf(l buddyLink) (Buddy, bool, error) {
	sealed, err := a.b.st.GetSignal(l.Theirs)
	if errors.Is(err, store.ErrNotFound) {
		return Buddy{}, false, nil
	}
	if err != nil {
		return Buddy{}, false, fmt.Errorf("members: buddy: %w", err)
	}
	aead, err := chacha20poly1305.NewX(l.Key)
	if err != nil {
		return Buddy{}, false, err
	}
	plain, err := open(aead, sealed, adSignal(l.Theirs))
	if err != nil {
		return Buddy{}, false, errors.New("members: a buddy's signal does not open: the store is damaged or was tampered with")
	}
	var s signal
	if err := json.Unmarshal(plain, &s); err != nil {
		return Buddy{}, false, fmt.Errorf("members: buddy: %w", err)
	}
	now := a.b.now()
	today := calendarDate(now.In(a.b.zone))
	b := Buddy{Link: hex.EncodeToString(l.Mine), Nick: s.Nick, QuietDays: s.QuietDays}
	from := s.Since
	if s.LastCheckIn != "" {
		b.CheckedIn, from = true, s.LastCheckIn
	}
	if day, err := time.Parse(time.DateOnly, from); err == nil && !day.After(today) {
		b.SilentDays = int(today.Sub(day).Hours() / 24)
	}
	b.ReachOut = b.QuietDays > 0 && b.SilentDays >= b.QuietDays
	if asked(s.AskedAt, now) {
		b.AskedForCall, b.AskedAt = true, s.AskedAt
	}
	return b, true, nil
}

// signals are the member's side of each of their links, as of now.
func (a *Account) signals(book buddyBook) ([]store.Signal, error) {
	out := make([]store.Signal, 0, len(book.Links))
	for _, l := range book.Links {
		sig, err := a.signalFor(book, l)
		if err != nil {
			return nil, err
		}
		out = append(out, sig)
	}
	return out, nil
}

// signalFor seals the member's side of one link.
func (a *Account) signalFor(book buddyBook, l buddyLink) (store.Signal, error) {
	s := signal{Nick: a.nick, QuietDays: book.QuietDays, Since: calendarDate(l.Since.In(a.b.zone)).Format(time.DateOnly)}
	if asked(book.AskedAt, a.b.now()) {
		s.AskedAt = book.AskedAt
	}
	id, err := a.b.st.LatestCheckInID(a.nick)
	switch {
	case err == nil:
		s.LastCheckIn = calendarDate(idTime(id).In(a.b.zone)).Format(time.DateOnly)
	case !errors.Is(err, store.ErrNotFound):
		return store.Signal{}, fmt.Errorf("members: buddies: %w", err)
	}
	plain, err := json.Marshal(s)
	if err != nil {
		return store.Signal{}, fmt.Errorf("members: buddies: %w", err)
	}
	aead, err := chacha20poly1305.NewX(l.Key)
	if err != nil {
		return store.Signal{}, err
	}
	return store.Signal{ID: l.Mine, Sealed: seal(aead, plain, adSignal(l.Mine))}, nil
}

// buddyBook opens the member's book; a new one if they have none.
func (a *Account) buddyBook() (buddyBook, error) {
	book := buddyBook{QuietDays: DefaultQuietDays}
	sealed, err := a.b.st.GetBuddies(a.nick)
	if errors.Is(err, store.ErrNotFound) {
		return book, nil
	}
	if err != nil {
		return book, fmt.Errorf("members: buddies: %w", err)
	}
	err = a.openRecord("buddy book", sealed, adBuddies(a.nick), &book)
	return book, err
}

// putBuddies seals and stores the book, with the signal changes given.
func (a *Account) putBuddies(book buddyBook, put []store.Signal, drop [][]byte) error {
	sealed, err := a.sealRecord(book, adBuddies(a.nick))
	if err != nil {
		return err
	}
	if err := a.b.st.PutBuddies(a.nick, sealed, put, drop); errors.Is(err, store.ErrNotFound) {
		return ErrErased
	} else if err != nil {
		return fmt.Errorf("members: buddies: %w", err)
	}
	return nil
}

// buddyShared names every signal of the member's links, both sides, for
// erasure. A book that does not open names none: erasure goes on.
func (a *Account) buddyShared() [][]byte {
	book, err := a.buddyBook()
	if err != nil {
		return nil
	}
	var ids [][]byte
	for _, l := range book.Links {
		ids = append(ids, l.Mine, l.Theirs)
	}
	return ids
}

func asked(at, now time.Time) bool {
	return !at.IsZero() && !at.After(now.Add(futureSlack)) && now.Sub(at) < askLifetime
}

func randomBytes(n int) []byte {
	b := make([]byte, n)
	rand.Read(b)
	return b
}
