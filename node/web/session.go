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

// Cookie names. The session cookie carries only a random token; the
// unlocked account stays in this process's memory.
const (
	sessionCookie = "hearth_session"
	csrfCookie    = "hearth_csrf"
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
}

// sessions is the in-memory table of signed-in members, keyed by the
// SHA-256 of the cookie token, so the table holds nothing a cookie could be
// rebuilt from. A restart signs everyone out, by design: the unlocked keys
// must never touch the disk.
type sessions struct {
	idle time.Duration
	now  func() time.Time

	mu        sync.Mutex
	byKey     map[[32]byte]*session
	lastSweep time.Time
}

func newSessions(idle time.Duration, now func() time.Time) *sessions {
	return &sessions{idle: idle, now: now, byKey: map[[32]byte]*session{}}
}

// sessionState is what a request's cookie says.
type sessionState int

const (
	noSession     sessionState = iota // no cookie
	activeSession                     // a live session
	endedSession                      // a cookie, but expired, signed out or tampered with
)

// lookup finds the session of a request's cookie and marks it used.
func (ss *sessions) lookup(r *http.Request) (*session, sessionState) {
	c, err := r.Cookie(sessionCookie)
	if err != nil || c.Value == "" {
		return nil, noSession
	}
	raw, err := base64.RawURLEncoding.DecodeString(c.Value)
	if err != nil || len(raw) != 32 {
		return nil, endedSession
	}
	key := sha256.Sum256(raw)
	now := ss.now()
	ss.mu.Lock()
	defer ss.mu.Unlock()
	ss.sweepLocked(now)
	s := ss.byKey[key]
	if s == nil {
		return nil, endedSession
	}
	if now.Sub(s.lastSeen) > ss.idle {
		delete(ss.byKey, key)
		return nil, endedSession
	}
	s.lastSeen = now
	return s, activeSession
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

// end removes the session of a request's cookie, if any.
func (ss *sessions) end(r *http.Request) {
	c, err := r.Cookie(sessionCookie)
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

// endAll removes every session of a nickname: after erasure no other phone
// may go on reading.
func (ss *sessions) endAll(nick string) {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	for k, s := range ss.byKey {
		if s.nick == nick {
			delete(ss.byKey, k)
		}
	}
}

// sweepLocked drops idle sessions, at most once a minute, so unlocked keys
// do not linger in memory after their member walked away.
func (ss *sessions) sweepLocked(now time.Time) {
	if now.Sub(ss.lastSweep) < time.Minute {
		return
	}
	ss.lastSweep = now
	for k, s := range ss.byKey {
		if now.Sub(s.lastSeen) > ss.idle {
			delete(ss.byKey, k)
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
		Name: sessionCookie, Value: token, Path: "/", HttpOnly: true,
		SameSite: http.SameSiteStrictMode, Secure: s.tls(),
	})
}

// clearSessionCookie tells the browser to forget its session token.
func (s *server) clearSessionCookie(w http.ResponseWriter) {
	http.SetCookie(w, &http.Cookie{
		Name: sessionCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true,
		SameSite: http.SameSiteStrictMode, Secure: s.tls(),
	})
}

func (s *server) tls() bool { return s.cfg.Web.TLSCert != "" }

// csrfToken is the token a form on this response must carry: the session's
// when signed in, else a per-browser double-submit cookie, set here if the
// browser has none yet.
func (s *server) csrfToken(w http.ResponseWriter, r *http.Request, sess *session) string {
	if sess != nil {
		return sess.csrf
	}
	if c, err := r.Cookie(csrfCookie); err == nil && validToken(c.Value) {
		return c.Value
	}
	token := randomToken()
	http.SetCookie(w, &http.Cookie{
		Name: csrfCookie, Value: token, Path: "/", HttpOnly: true,
		SameSite: http.SameSiteStrictMode, Secure: s.tls(),
	})
	// Later code on this request reads the cookie from the request: make it
	// see the token just sent.
	r.AddCookie(&http.Cookie{Name: csrfCookie, Value: token})
	return token
}

// csrfOK checks a posted form's token against the session's and against the
// browser's double-submit cookie; either may match. A cross-site page can
// neither read the cookie nor the session's token, so it cannot forge either.
func (s *server) csrfOK(r *http.Request, sess *session) bool {
	got := r.PostFormValue(csrfField)
	if !validToken(got) {
		return false
	}
	if sess != nil && subtle.ConstantTimeCompare([]byte(got), []byte(sess.csrf)) == 1 {
		return true
	}
	c, err := r.Cookie(csrfCookie)
	return err == nil && validToken(c.Value) && subtle.ConstantTimeCompare([]byte(got), []byte(c.Value)) == 1
}

func validToken(t string) bool {
	raw, err := base64.RawURLEncoding.DecodeString(t)
	return err == nil && len(raw) == 32
}
