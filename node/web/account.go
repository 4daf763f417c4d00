package web

import (
	"errors"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"hearth/node/members"
)

// memberHandler is a handler that needs a signed-in member.
type memberHandler func(w http.ResponseWriter, r *http.Request, sess *session)

// member runs h for a signed-in member; anyone else gets the sign-in form in
// place (with a plain line if their session ended), which returns them here.
// The member's requests run one at a time: a double tap on "Save" must not
// interleave two writes to one account.
func (s *server) member(h memberHandler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		rs := s.requestState(r)
		if rs.sess == nil {
			next := r.URL.Path
			if r.Method != http.MethodGet {
				next = ""
			}
			s.renderSignin(w, r, http.StatusUnauthorized, next, "")
			return
		}
		rs.sess.mu.Lock()
		defer rs.sess.mu.Unlock()
		h(w, r, rs.sess)
	}
}

// memberForm is member for a POST: the form's CSRF token is checked after
// the session, so a member whose session ended is told that, not "refused".
func (s *server) memberForm(h memberHandler) http.HandlerFunc {
	return s.member(func(w http.ResponseWriter, r *http.Request, sess *session) {
		if !s.parseForm(w, r) {
			return
		}
		if !s.csrfOK(r, sess) {
			s.forbidden(w, r)
			return
		}
		h(w, r, sess)
	})
}

// form checks a signed-out form: body size and CSRF token.
func (s *server) form(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if !s.parseForm(w, r) {
			return
		}
		if !s.csrfOK(r, s.requestState(r).sess) {
			s.forbidden(w, r)
			return
		}
		h(w, r)
	}
}

// parseForm reads a posted form within the body cap; false means it has
// answered.
func (s *server) parseForm(w http.ResponseWriter, r *http.Request) bool {
	err := r.ParseForm()
	if err == nil {
		return true
	}
	if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
		s.tooLarge(w, r)
		return false
	}
	s.plain(w, r, http.StatusBadRequest, "badform.title", "badform.text")
	return false
}

func (s *server) forbidden(w http.ResponseWriter, r *http.Request) {
	s.plain(w, r, http.StatusForbidden, "csrf.title", "csrf.text")
}

// signinData is the sign-in page's own data.
type signinData struct {
	Next       string
	Passphrase bool // show a text keyboard rather than digits
	SelfSignup bool
}

func (s *server) signinForm(w http.ResponseWriter, r *http.Request) {
	if s.requestState(r).sess != nil {
		http.Redirect(w, r, "/me", http.StatusSeeOther)
		return
	}
	s.renderSignin(w, r, http.StatusOK, r.URL.Query().Get("next"), "")
}

func (s *server) renderSignin(w http.ResponseWriter, r *http.Request, status int, next, errKey string) {
	v := s.newView(w, r, "signin.title")
	v.CSRF = s.csrfToken(w, r, nil)
	if errKey != "" {
		v.Error = v.T(errKey)
	}
	v.Data = signinData{Next: safeNext(next), Passphrase: r.URL.Query().Get("pass") == "1", SelfSignup: s.cfg.Members.SelfSignup}
	s.render(w, r, status, "signin", v)
}

// safeNext keeps a post-sign-in destination only if it is one of this
// page's own member pages: never another site, never an arbitrary path.
func safeNext(next string) string {
	switch next {
	case "/me", "/checkin", "/me/erase":
		return next
	}
	return ""
}

func (s *server) signin(w http.ResponseWriter, r *http.Request) {
	client := clientAddr(r)
	if d := s.ipLimit.wait(client); d > 0 {
		s.tooManyTries(w, r, d)
		return
	}
	nick := strings.TrimSpace(r.PostFormValue("nick"))
	pin := r.PostFormValue("pin")
	next := safeNext(r.PostFormValue("next"))
	if nick == "" || pin == "" {
		s.renderSignin(w, r, http.StatusUnprocessableEntity, next, "signin.missing")
		return
	}
	acct, err := s.unlock(r, nick, pin)
	switch {
	case errors.Is(err, members.ErrTooManyAttempts):
		wait := time.Minute
		if ae, ok := errors.AsType[*members.AttemptsError](err); ok {
			wait = ae.Wait
		}
		s.ipLimit.fail(client)
		s.tooManyTries(w, r, wait)
		return
	case errors.Is(err, members.ErrWrongPIN):
		// The same page, byte for byte, for an unknown nickname and a wrong
		// PIN: the page must not tell who has an account here.
		s.ipLimit.fail(client)
		s.renderSignin(w, r, http.StatusUnauthorized, next, "signin.wrong")
		return
	case err != nil:
		s.log.Error("web: sign in", "err", err)
		s.plain(w, r, http.StatusInternalServerError, "error.title", "error.text")
		return
	}
	s.startSession(w, r, acct)
	if next == "" {
		next = "/checkin"
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
}

// unlock checks a PIN, a few at a time: each check costs argon2id memory,
// and a small board must not run out of it under a burst of sign-ins.
func (s *server) unlock(r *http.Request, nick, pin string) (*members.Account, error) {
	select {
	case s.unlocks <- struct{}{}:
	case <-r.Context().Done():
		return nil, r.Context().Err()
	}
	defer func() { <-s.unlocks }()
	return s.n.Members().Unlock(nick, pin)
}

func (s *server) startSession(w http.ResponseWriter, r *http.Request, acct *members.Account) {
	s.session.end(r) // a sign-in replaces whatever session this browser had
	token, _ := s.session.start(acct.Nick(), acct)
	s.setSessionCookie(w, token)
}

func (s *server) tooManyTries(w http.ResponseWriter, r *http.Request, wait time.Duration) {
	w.Header().Set("Retry-After", strconv.Itoa(int(wait.Round(time.Second)/time.Second)+1))
	s.plain(w, r, http.StatusTooManyRequests, "toomany.title", "toomany.text")
}

// clientAddr is the address PIN attempts are counted against: the peer's
// IP. Forwarding headers are not believed: a hub serves its page directly,
// and a header is what an attacker would forge.
func clientAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// signout ends the session. Without a live session there is nothing to end
// (and no token to check): the cookie is cleared and that is all.
func (s *server) signout(w http.ResponseWriter, r *http.Request) {
	if !s.parseForm(w, r) {
		return
	}
	if sess := s.requestState(r).sess; sess != nil && !s.csrfOK(r, sess) {
		s.forbidden(w, r)
		return
	}
	s.session.end(r)
	s.clearSessionCookie(w)
	v := s.newView(w, r, "signout.title")
	rs := s.requestState(r)
	rs.sess, v.SignedIn, v.Flash = nil, false, ""
	v.Data = v.T("signout.text")
	s.render(w, r, http.StatusOK, "message", v)
}

// signupData is the sign-up page's own data.
type signupData struct {
	Passphrase bool
}

func (s *server) signupForm(w http.ResponseWriter, r *http.Request) {
	if !s.cfg.Members.SelfSignup {
		s.notFound(w, r)
		return
	}
	s.renderSignup(w, r, http.StatusOK, "")
}

func (s *server) renderSignup(w http.ResponseWriter, r *http.Request, status int, errText string) {
	v := s.newView(w, r, "signup.title")
	v.CSRF = s.csrfToken(w, r, nil)
	v.Error = errText
	v.Data = signupData{Passphrase: r.URL.Query().Get("pass") == "1"}
	s.render(w, r, status, "signup", v)
}

func (s *server) signup(w http.ResponseWriter, r *http.Request) {
	if !s.cfg.Members.SelfSignup {
		s.notFound(w, r)
		return
	}
	client := clientAddr(r)
	if d := s.ipLimit.wait(client); d > 0 {
		s.tooManyTries(w, r, d)
		return
	}
	lang := s.chooseLang(w, r)
	nick := strings.TrimSpace(r.PostFormValue("nick"))
	pin, pin2 := r.PostFormValue("pin"), r.PostFormValue("pin2")
	switch {
	case nick == "" || pin == "":
		s.renderSignup(w, r, http.StatusUnprocessableEntity, s.langs.T(lang, "signin.missing"))
		return
	case pin != pin2:
		s.renderSignup(w, r, http.StatusUnprocessableEntity, s.langs.T(lang, "signup.mismatch"))
		return
	}
	err := s.n.Members().Add(nick, pin)
	switch {
	case errors.Is(err, members.ErrExists):
		// A taken nickname tells a visitor that it exists: count it like a
		// wrong PIN, so names cannot be listed by trying them here.
		s.ipLimit.fail(client)
		s.renderSignup(w, r, http.StatusUnprocessableEntity, s.langs.T(lang, "signup.exists"))
		return
	case errors.Is(err, members.ErrBadPIN):
		s.renderSignup(w, r, http.StatusUnprocessableEntity, s.langs.T(lang, "signup.badpin"))
		return
	case errors.Is(err, members.ErrBadNick):
		s.renderSignup(w, r, http.StatusUnprocessableEntity, s.langs.T(lang, "signup.badnick"))
		return
	case err != nil:
		s.log.Error("web: make account", "err", err)
		s.plain(w, r, http.StatusInternalServerError, "error.title", "error.text")
		return
	}
	acct, err := s.unlock(r, nick, pin)
	if err != nil {
		s.log.Error("web: unlock new account", "err", err)
		s.plain(w, r, http.StatusInternalServerError, "error.title", "error.text")
		return
	}
	s.startSession(w, r, acct)
	http.Redirect(w, r, "/checkin", http.StatusSeeOther)
}

// accountFailed answers an error from a member's account. An account
// erased from another session ends this session too; anything else is the
// hub's fault, logged (never with what the member wrote) and said plainly.
func (s *server) accountFailed(w http.ResponseWriter, r *http.Request, sess *session, what string, err error) {
	if errors.Is(err, members.ErrErased) {
		s.session.endAll(sess.nick)
		rs := s.requestState(r)
		rs.sess, rs.state = nil, endedSession
		s.renderSignin(w, r, http.StatusUnauthorized, "", "")
		return
	}
	s.log.Error("web: "+what, "err", err)
	s.plain(w, r, http.StatusInternalServerError, "error.title", "error.text")
}

// oneLine is an error's message as one line of plain text for a page.
func oneLine(err error) string {
	msg := err.Error()
	if i := strings.IndexByte(msg, '\n'); i >= 0 {
		msg = msg[:i]
	}
	return msg
}
