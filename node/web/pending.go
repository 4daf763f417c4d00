package web

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"sync"
	"time"

	"golang.org/x/crypto/chacha20poly1305"
)

// Pending forms: what a browser carries to its next sign-in, kept on the
// hub for it, keyed by a random token in a cookie (pendingCookie).
//
// The member writing slowly at 2 a.m. may be signed out for idling before
// they press "Save". What they wrote is then held here until they sign in
// again, and saved then: never dropped, never asked for twice. It is
// sealed (XChaCha20-Poly1305) with a key derived from the cookie's token,
// which the hub does not keep, so the hub's memory alone cannot read it,
// and it never touches the disk. It goes only to the account whose session
// idled out, or, when the hub no longer knows whose it was (it restarted),
// only from the address that posted it. An entry also carries the nickname
// last typed at a sign-in that failed, and a message for the next page:
// what a redirect (POST, then GET) cannot carry in its URL.
//
// Entries last heldFor; at most max of them (web.held_forms), and
// maxPendingPerClient per client address, so no one can fill the table.
// An entry without a held form gives way to a new one; one with a held
// form never does: the page then gives the member their words back.
type pendingForms struct {
	max     int
	heldFor time.Duration
	now     func() time.Time

	mu   sync.Mutex
	byID map[[32]byte]*pendingEntry
}

const (
	pendingCookie = "hearth_pending"
	// maxPendingPerClient: a family or a kiosk on one address has room;
	// one script cannot take the table.
	maxPendingPerClient = 8
	// maxHeldPerEntry: forms one browser may post while signed out.
	maxHeldPerEntry = 4
)

// pendingEntry is one browser's pending state.
type pendingEntry struct {
	client  string // the address that made it
	expires time.Time
	held    []sealedForm
	nick    string // the nickname last typed at a failed sign-in
	problem string // a message key for the sign-in page, shown once
	args    []any
	notice  string // a message key for whatever page comes next, shown once
}

// sealedForm is a heldForm sealed with the entry's key.
type sealedForm struct {
	owner  string // the nickname whose session idled out; "" if unknown
	formID string // the form's idempotency token: one hold per form
	box    []byte // nonce, then ciphertext
}

// heldForm is a form posted while signed out, as it will be replayed.
type heldForm struct {
	Path string     `json:"path"` // "/checkin" or "/me"
	Form url.Values `json:"form"` // as posted, without the CSRF token
	At   time.Time  `json:"at"`   // when it was posted: a check-in's time
}

// errPendingFull: the hub holds all it may; nothing more is held.
var errPendingFull = errors.New("web: no room to hold the form")

func newPendingForms(max int, heldFor time.Duration, now func() time.Time) *pendingForms {
	return &pendingForms{max: max, heldFor: heldFor, now: now, byID: map[[32]byte]*pendingEntry{}}
}

// pendingKeys are the table's key for a cookie token and the key that
// seals its forms: two hashes of the token, each for one purpose.
func pendingKeys(token string) (id, key [32]byte, ok bool) {
	raw, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil || len(raw) != 32 {
		return id, key, false
	}
	id = sha256.Sum256(append([]byte("hearth pending id\x00"), raw...))
	key = sha256.Sum256(append([]byte("hearth pending key\x00"), raw...))
	return id, key, true
}

// get is a copy of the entry of token, if it is live.
func (p *pendingForms) get(token string) (pendingEntry, bool) {
	id, _, ok := pendingKeys(token)
	if !ok {
		return pendingEntry{}, false
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	e := p.byID[id]
	if e == nil || !p.now().Before(e.expires) {
		delete(p.byID, id)
		return pendingEntry{}, false
	}
	c := *e
	c.held = slices.Clone(e.held)
	return c, true
}

// update changes the entry of token (a new one, under a new token, if it
// has none or it expired) with change, which is given the entry's token,
// and returns the token to set. A new entry needs room: errPendingFull if
// there is none even after dropping entries that hold no form. If change
// fails, nothing changes and token is returned as it was. An entry with
// nothing left in it is dropped ("" returned).
func (p *pendingForms) update(token, client string, change func(token string, e *pendingEntry) error) (string, error) {
	now := p.now()
	p.mu.Lock()
	defer p.mu.Unlock()
	given := token
	id, _, ok := pendingKeys(token)
	e := p.byID[id]
	if !ok || e == nil || !now.Before(e.expires) {
		if err := p.makeRoomLocked(client, now); err != nil {
			return given, err
		}
		token = randomToken()
		id, _, _ = pendingKeys(token)
		e = &pendingEntry{client: client}
	}
	c := *e
	c.held = slices.Clone(e.held)
	if err := change(token, &c); err != nil {
		return given, err
	}
	if len(c.held) == 0 && c.nick == "" && c.problem == "" && c.notice == "" {
		delete(p.byID, id)
		return "", nil
	}
	c.expires = now.Add(p.heldFor)
	p.byID[id] = &c
	return token, nil
}

// makeRoomLocked frees a place for one more entry from client: expired
// entries go, then the oldest of client's (or anyone's, if the table is
// full) that hold no form.
func (p *pendingForms) makeRoomLocked(client string, now time.Time) error {
	mine := 0
	for id, e := range p.byID {
		switch {
		case !now.Before(e.expires):
			delete(p.byID, id)
		case e.client == client:
			mine++
		}
	}
	if mine >= maxPendingPerClient && !p.dropOldestLocked(func(e *pendingEntry) bool { return e.client == client }) {
		return errPendingFull
	}
	if len(p.byID) >= p.max && !p.dropOldestLocked(func(*pendingEntry) bool { return true }) {
		return errPendingFull
	}
	return nil
}

// dropOldestLocked drops the entry soonest to expire among those of which
// holds true that hold no form; false if there is none.
func (p *pendingForms) dropOldestLocked(of func(*pendingEntry) bool) bool {
	var oldest [32]byte
	var at time.Time
	found := false
	for id, e := range p.byID {
		if len(e.held) == 0 && of(e) && (!found || e.expires.Before(at)) {
			oldest, at, found = id, e.expires, true
		}
	}
	delete(p.byID, oldest)
	return found
}

// seal seals a form for the entry of token.
func sealForm(token, owner string, f heldForm) (sealedForm, error) {
	id, key, ok := pendingKeys(token)
	if !ok {
		return sealedForm{}, errors.New("web: bad pending token")
	}
	plain, err := json.Marshal(f)
	if err != nil {
		return sealedForm{}, err
	}
	aead, err := chacha20poly1305.NewX(key[:])
	if err != nil {
		return sealedForm{}, err
	}
	box := make([]byte, aead.NonceSize(), aead.NonceSize()+len(plain)+aead.Overhead())
	rand.Read(box)
	box = aead.Seal(box, box, plain, id[:])
	return sealedForm{owner: owner, formID: f.Form.Get(formField), box: box}, nil
}

// open unseals a held form with the entry's token.
func (sf sealedForm) open(token string) (heldForm, error) {
	var f heldForm
	id, key, ok := pendingKeys(token)
	if !ok {
		return f, errors.New("web: bad pending token")
	}
	aead, err := chacha20poly1305.NewX(key[:])
	if err != nil {
		return f, err
	}
	n := aead.NonceSize()
	if len(sf.box) < n {
		return f, errors.New("web: held form damaged")
	}
	plain, err := aead.Open(nil, sf.box[:n], sf.box[n:], id[:])
	if err != nil {
		return f, err
	}
	return f, json.Unmarshal(plain, &f)
}

// pendingToken is the request's pending token: its cookie's, or the one
// this response already set; "" if none.
func (s *server) pendingToken(r *http.Request) string {
	if rs := s.requestState(r); rs.pendingSet {
		return rs.pendingToken
	}
	if c, err := r.Cookie(s.cookieName(pendingCookie)); err == nil {
		return c.Value
	}
	return ""
}

// pendingOf is the request's pending entry and its token.
func (s *server) pendingOf(r *http.Request) (string, pendingEntry, bool) {
	token := s.pendingToken(r)
	if token == "" {
		return "", pendingEntry{}, false
	}
	e, ok := s.pending.get(token)
	return token, e, ok
}

// changePending changes the request's pending entry (making one if need
// be) and sets or clears its cookie.
func (s *server) changePending(w http.ResponseWriter, r *http.Request, change func(token string, e *pendingEntry) error) error {
	old := s.pendingToken(r)
	token, err := s.pending.update(old, clientAddr(r), change)
	rs := s.requestState(r)
	rs.pendingSet, rs.pendingToken = true, token
	switch {
	case token == "" && old != "":
		http.SetCookie(w, &http.Cookie{Name: s.cookieName(pendingCookie), Value: "", Path: "/", MaxAge: -1, HttpOnly: true,
			SameSite: http.SameSiteStrictMode, Secure: s.tls()})
	case token != "" && token != old:
		http.SetCookie(w, &http.Cookie{Name: s.cookieName(pendingCookie), Value: token, Path: "/", MaxAge: int(s.pending.heldFor / time.Second),
			HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: s.tls()})
	}
	return err
}

// notify leaves a message (an i18n key) for the next page this browser
// opens, whoever is signed in: what a redirect cannot carry.
func (s *server) notify(w http.ResponseWriter, r *http.Request, key string) {
	if err := s.changePending(w, r, func(_ string, e *pendingEntry) error { e.notice = key; return nil }); err != nil {
		s.log.Warn("web: no room for a message to the next page")
	}
}
