package web

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"net/http"
	"sync"
	"time"

	"hearth/node/members"
)

// Cookie names (under TLS with the __Host- prefix, see cookieName). The
// session cookie carries only a random token; the unlocked account stays
// in this process's memory. No cookie carries a form token: a cookie is
// what a page on another port of the same host, or a sibling subdomain,
// can plant.
const (
	sessionCookie = "hearth_session"
	langCookie    = "hearth_lang"
	csrfField     = "csrf"
)

// session is one signed-in member.
type session struct {
	nick string
	acct *members.Account
	csrf string // the token every form of this session carries

	mu       sync.Mutex // serialises this member's reads and writes
	lastSeen time.Time  // guarded by sessions.mu

	// Guarded by mu: what a redirect carries to the next page (POST,
	// redirect, GET), and the check-in forms already saved.
	draft      *draft      // the check-in form as sent, with what was wrong
	since      *dateDraft  // the sober-since date as sent, with what was wrong
	flash      string      // a message key for the next page
	flashError string      // an error message key for the next page
	saved      []savedForm // the latest check-in forms saved, newest last
}

// sessions is the in-memory table of signed-in members, keyed by the
// SHA-256 of the cookie token, so the table holds nothing a cookie could be
// rebuilt from. A restart signs everyone out, by design: the unlocked keys
// must never touch the disk.
//
// A session that ends by idling leaves a note of whose it was (no key, no
// data) for keepEnded, so a form its member posts late is kept for that
// member alone, and only with that session's form token (see pending).
type sessions struct {
	idle      time.Duration
	keepEnded time.Duration
	now       func() time.Time

	mu        sync.Mutex
	byKey     map[[32]byte]*session
	ended     map[[32]byte]idledSession
	lastSweep time.Time
}

// idledSession is what is left of a session that idled out.
type idledSession struct {
	nick string
	csrf string
	at   time.Time
}

func newSessions(idle, keepEnded time.Duration, now func() time.Time) *sessions {
	return &sessions{idle: idle, keepEnded: keepEnded, now: now, byKey: map[[32]byte]*session{}, ended: map[[32]byte]idledSession{}}
}

// sessionState is what a request's cookie says.
type sessionState int

const (
	noSession     sessionState = iota // no cookie
	activeSession                     // a live session
	endedSession                      // a cookie, but expired, signed out or tampered with
)

// lookup finds the session of a request's cookie (named name) and marks it
// used; for a cookie whose session idled out, what is left of it.
func (ss *sessions) lookup(r *http.Request, name string) (*session, sessionState, *idledSession) {
	c, err := r.Cookie(name)
	if err != nil || c.Value == "" {
		return nil, noSession, nil
	}
	raw, err := base64.RawURLEncoding.DecodeString(c.Value)
	if err != nil || len(raw) != 32 {
		return nil, endedSession, nil
	}
	key := sha256.Sum256(raw)
	now := ss.now()
	ss.mu.Lock()
	defer ss.mu.Unlock()
	ss.sweepLocked(now)
	s := ss.byKey[key]
	if s != nil && now.Sub(s.lastSeen) > ss.idle {
		ss.idledOutLocked(key, s)
		s = nil
	}
	if s == nil {
		if e, ok := ss.ended[key]; ok {
			return nil, endedSession, &e
		}
		return nil, endedSession, nil
	}
	s.lastSeen = now
	return s, activeSession, nil
}

// idledOutLocked ends a session that idled out, keeping whose it was.
func (ss *sessions) idledOutLocked(key [32]byte, s *session) {
	delete(ss.byKey, key)
	ss.ended[key] = idledSession{nick: s.nick, csrf: s.csrf, at: s.lastSeen.Add(ss.idle)}
}

// start makes a session for an unlocked account and returns its cookie
// token. A new token on every sign-in means a token planted before it is
// worth nothing.
func (ss *sessions) start(nick string, acct *members.Account) (string, *session) {
	token := randomToken()
	raw, _ := base64.RawURLEncoding.DecodeString(token)
	s := &session{nick: nick, acct: acct, csrf: randomToken(), lastSeen: ss.now()}
	ss.mu.Lock()
	ss.byKey[sha256.Sum256(raw)] = s
	ss.mu.Unlock()
	return token, s
}

// end removes the session of a request's cookie (named name), if any.
func (ss *sessions) end(r *http.Request, name string) {
	c, err := r.Cookie(name)
	if err != nil {
		return
	}
	raw, err := base64.RawURLEncoding.DecodeString(c.Value)
	if err != nil {
		return
	}
	ss.mu.Lock()
	delete(ss.byKey, sha256.Sum256(raw))
	ss.mu.Unlock()
}

// endAll removes every session of a nickname, and what is left of those
// that idled out: after erasure no other phone may go on reading, nor
// save a form for the account.
func (ss *sessions) endAll(nick string) {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	for k, s := range ss.byKey {
		if s.nick == nick {
			delete(ss.byKey, k)
		}
	}
	for k, e := range ss.ended {
		if e.nick == nick {
			delete(ss.ended, k)
		}
	}
}

// sweepLocked drops idle sessions, at most once a minute, so unlocked keys
// do not linger in memory after their member walked away; and forgets
// ended ones after keepEnded.
func (ss *sessions) sweepLocked(now time.Time) {
	if now.Sub(ss.lastSweep) < time.Minute {
		return
	}
	ss.lastSweep = now
	for k, s := range ss.byKey {
		if now.Sub(s.lastSeen) > ss.idle {
			ss.idledOutLocked(k, s)
		}
	}
	for k, e := range ss.ended {
		if now.Sub(e.at) > ss.keepEnded {
			delete(ss.ended, k)
		}
	}
}

// randomToken is 32 random bytes, base64url without padding.
func randomToken() string {
	var b [32]byte
	// crypto/rand.Read never fails on the systems Go supports (it panics
	// rather than return short), so there is no error to handle.
	rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// setSessionCookie sends the session token.
func (s *server) setSessionCookie(w http.ResponseWriter, token string) {
	http.SetCookie(w, &http.Cookie{
		Name: s.cookieName(sessionCookie), Value: token, Path: "/", HttpOnly: true,
		SameSite: http.SameSiteStrictMode, Secure: s.tls(),
	})
}

// clearSessionCookie tells the browser to forget its session token.
func (s *server) clearSessionCookie(w http.ResponseWriter) {
	http.SetCookie(w, &http.Cookie{
		Name: s.cookieName(sessionCookie), Value: "", Path: "/", MaxAge: -1, HttpOnly: true,
		SameSite: http.SameSiteStrictMode, Secure: s.tls(),
	})
}

func (s *server) tls() bool { return s.cfg.Web.TLSCert != "" }

// cookieName is a cookie's name as this hub sends it: under TLS with the
// __Host- prefix, which browsers keep only from a secure page of this very
// host, for path /, so no sibling subdomain can plant or shadow it.
func (s *server) cookieName(base string) string {
	if s.tls() {
		return "__Host-" + base
	}
	return base
}

// csrfOK checks a signed-in member's form: its token must be the one bound
// to their session on the server. Nothing the browser holds besides the
// session cookie counts, so a planted cookie is worth nothing.
func (s *server) csrfOK(r *http.Request, sess *session) bool {
	got := r.PostFormValue(csrfField)
	return validToken(got) && subtle.ConstantTimeCompare([]byte(got), []byte(sess.csrf)) == 1
}

func validToken(t string) bool {
	raw, err := base64.RawURLEncoding.DecodeString(t)
	return err == nil && len(raw) == 32
}
