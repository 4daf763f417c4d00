package web

import (
	"context"
	"errors"
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

// form checks a form shown before there is a session (sign-in, sign-up):
// body size, and a token this server issued to this client for it.
func (s *server) form(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if !s.parseForm(w, r) {
			return
		}
		if !s.nonces.take(r.PostFormValue(csrfField), clientAddr(r)) {
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
	v.CSRF = s.nonces.issue(clientAddr(r))
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
	case "/me", "/checkin", "/me/erase", "/me/plan", "/me/plan/edit", "/me/buddies", "/me/meetings":
		return next
	}
	return ""
}

func (s *server) signin(w http.ResponseWriter, r *http.Request) {
	nick := strings.TrimSpace(r.PostFormValue("nick"))
	pin := r.PostFormValue("pin")
	next := safeNext(r.PostFormValue("next"))
	if nick == "" || pin == "" {
		s.renderSignin(w, r, http.StatusUnprocessableEntity, next, "signin.missing")
		return
	}
	acct, err := s.unlock(w, r, nick, pin)
	if err != nil {
		if errors.Is(err, members.ErrWrongPIN) {
			// The same page, byte for byte, for an unknown nickname and a
			// wrong PIN: the page must not tell who has an account here.
			s.renderSignin(w, r, http.StatusUnauthorized, next, "signin.wrong")
		}
		return
	}
	s.startSession(w, r, acct)
	if next == "" {
		next = "/checkin"
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
}

// kdfWait is how long a request waits for a free PIN-check slot before
// the member is told the hub is busy.
const kdfWait = 20 * time.Second

// unlock checks a PIN for the page: the attempt is counted against the
// client first (members counts it against the nickname), so a burst from
// one client gets no more PINs checked than the limits allow, and the
// rest are told to wait. On any error but members.ErrWrongPIN it has
// answered the request; on that one the caller says it in its own page.
func (s *server) unlock(w http.ResponseWriter, r *http.Request, nick, pin string) (*members.Account, error) {
	client := clientAddr(r)
	at, wait := s.signins.reserve(client)
	if wait > 0 {
		s.tooManyTries(w, r, wait)
		return nil, members.ErrTooManyAttempts
	}
	ctx, cancel := context.WithTimeout(r.Context(), kdfWait)
	defer cancel()
	acct, err := s.n.Members().Unlock(ctx, nick, pin)
	if err == nil || !countsAsFailure(err) {
		s.signins.refund(client, at)
	}
	s.answerPINError(w, r, err)
	return acct, err
}

// countsAsFailure reports whether a PIN attempt that ended in err counts
// against the client: a wrong PIN, or one tried while its name was locked.
func countsAsFailure(err error) bool {
	return errors.Is(err, members.ErrWrongPIN) || errors.Is(err, members.ErrTooManyAttempts)
}

// answerPINError answers the errors of a PIN check or a new account that
// mean the same on every page; nil, ErrWrongPIN and coded problems (a
// nickname taken, a PIN too easy) are the caller's.
func (s *server) answerPINError(w http.ResponseWriter, r *http.Request, err error) {
	switch {
	case err == nil:
	case errors.Is(err, members.ErrTooManyAttempts):
		wait := time.Minute
		if ae, ok := errors.AsType[*members.AttemptsError](err); ok {
			wait = ae.Wait
		}
		s.tooManyTries(w, r, wait)
	case errors.Is(err, members.ErrBusy), errors.Is(err, context.DeadlineExceeded):
		w.Header().Set("Retry-After", "5")
		s.plain(w, r, http.StatusServiceUnavailable, "busy.title", "busy.text")
	case errors.Is(err, context.Canceled):
		// The member left; nobody reads an answer.
	case errors.Is(err, members.ErrWrongPIN), problemOf(err, nil) != nil:
	default:
		s.log.Error("web: PIN check", "err", err)
		s.plain(w, r, http.StatusInternalServerError, "error.title", "error.text")
	}
}

func (s *server) startSession(w http.ResponseWriter, r *http.Request, acct *members.Account) {
	s.session.end(r, s.cookieName(sessionCookie)) // a sign-in replaces whatever session this browser had
	token, _ := s.session.start(acct.Nick(), acct)
	s.setSessionCookie(w, token)
}

func (s *server) tooManyTries(w http.ResponseWriter, r *http.Request, wait time.Duration) {
	w.Header().Set("Retry-After", strconv.Itoa(int(wait.Round(time.Second)/time.Second)+1))
	s.plain(w, r, http.StatusTooManyRequests, "toomany.title", "toomany.text")
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
	s.session.end(r, s.cookieName(sessionCookie))
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

// renderSignup draws the sign-up form, with the message errKey (and its
// arguments) if there is one.
func (s *server) renderSignup(w http.ResponseWriter, r *http.Request, status int, errKey string, args ...any) {
	v := s.newView(w, r, "signup.title")
	v.CSRF = s.nonces.issue(clientAddr(r))
	if errKey != "" {
		v.Error = v.T(errKey, args...)
	}
	v.Data = signupData{Passphrase: r.URL.Query().Get("pass") == "1"}
	s.render(w, r, status, "signup", v)
}

func (s *server) signup(w http.ResponseWriter, r *http.Request) {
	if !s.cfg.Members.SelfSignup {
		s.notFound(w, r)
		return
	}
	nick := strings.TrimSpace(r.PostFormValue("nick"))
	pin, pin2 := r.PostFormValue("pin"), r.PostFormValue("pin2")
	switch {
	case nick == "" || pin == "":
		s.renderSignup(w, r, http.StatusUnprocessableEntity, "signin.missing")
		return
	case pin != pin2:
		s.renderSignup(w, r, http.StatusUnprocessableEntity, "signup.mismatch")
		return
	}
	// Both counts start before any work: new accounts per client, and
	// failures (a taken nickname tells who exists, like a wrong PIN).
	client := clientAddr(r)
	made, wait := s.signups.reserve(client)
	if wait > 0 {
		s.tooManyTries(w, r, wait)
		return
	}
	failed, wait := s.signins.reserve(client)
	if wait > 0 {
		s.signups.refund(client, made)
		s.tooManyTries(w, r, wait)
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), kdfWait)
	defer cancel()
	acct, err := s.n.Members().Add(ctx, nick, pin)
	if err != nil {
		s.signups.refund(client, made)
	}
	if !errors.Is(err, members.ErrExists) {
		s.signins.refund(client, failed)
	}
	s.answerPINError(w, r, err)
	if err == nil {
		s.startSession(w, r, acct)
		http.Redirect(w, r, "/checkin", http.StatusSeeOther)
	} else if p := problemOf(err, nil); p != nil {
		// A nickname taken or against the rules, a PIN too easy to guess.
		s.renderSignup(w, r, http.StatusUnprocessableEntity, p.Key, p.Args...)
	}
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
