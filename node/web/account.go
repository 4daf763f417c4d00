package web

import (
	"cmp"
	"context"
	"crypto/subtle"
	"errors"
	"maps"
	"net/http"
	"net/url"
	"slices"
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
			s.renderSignin(w, r, http.StatusUnauthorized, r.URL.Path)
			return
		}
		rs.sess.mu.Lock()
		defer rs.sess.mu.Unlock()
		h(w, r, rs.sess)
	}
}

// memberForm is member for a POST: the form's CSRF token is checked after
// the session, so a member whose session ended is told that, not
// "refused". A form posted after the session ended is not lost: see
// signedOutPost.
func (s *server) memberForm(h memberHandler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if !s.parseForm(w, r) {
			return
		}
		rs := s.requestState(r)
		if rs.sess == nil {
			s.signedOutPost(w, r)
			return
		}
		rs.sess.mu.Lock()
		defer rs.sess.mu.Unlock()
		if !s.csrfOK(r, rs.sess) {
			if done, ok := rs.sess.savedForm(r.PostForm.Get(formField)); ok {
				// A check-in form this session saved, sent again from an
				// older page (Back, after signing in again): it is saved,
				// so the answer is where saving it led, not "refused".
				http.Redirect(w, r, checkinDone(done.unsafe), http.StatusSeeOther)
				return
			}
			s.forbidden(w, r)
			return
		}
		h(w, r, rs.sess)
	}
}

// memberView is newView for a member's page, with the message the last
// redirect left in the session (sess.mu held).
func (s *server) memberView(w http.ResponseWriter, r *http.Request, sess *session, titleKey string) *view {
	v := s.newView(w, r, titleKey)
	v.CSRF = sess.csrf
	if sess.flash != "" {
		v.Flash, sess.flash = v.T(sess.flash), ""
	}
	if sess.flashError != "" {
		v.Error, sess.flashError = v.T(sess.flashError), ""
	}
	return v
}

// signedOutPost answers a member's form that arrives after their session
// ended (idled out while they wrote, or the hub restarted). A check-in or
// a sober-since date is held, sealed, for the next sign-in on this
// browser, which saves it; the answer is the sign-in page, with the crisis
// lines first if the check-in says the member is not safe. A form from a
// session that idled out must carry that session's token, and saves only
// to its account. Nothing else (an erasure: its PIN is never kept) is
// held; the member is told to sign in again.
func (s *server) signedOutPost(w http.ResponseWriter, r *http.Request) {
	rs := s.requestState(r)
	if r.URL.Path != "/checkin" && r.URL.Path != "/me" {
		s.notify(w, r, "session.ended")
		http.Redirect(w, r, "/signin", http.StatusSeeOther)
		return
	}
	owner := ""
	if ended := rs.ended; ended != nil {
		got := r.PostFormValue(csrfField)
		if !validToken(got) || subtle.ConstantTimeCompare([]byte(got), []byte(ended.csrf)) != 1 {
			s.forbidden(w, r)
			return
		}
		owner = ended.nick
	}
	form := maps.Clone(r.PostForm)
	form.Del(csrfField)
	held := heldForm{Path: r.URL.Path, Form: form, At: s.now()}
	err := s.changePending(w, r, func(token string, e *pendingEntry) error {
		id := form.Get(formField)
		if validToken(id) && slices.ContainsFunc(e.held, func(f sealedForm) bool { return f.formID == id }) {
			return nil // the same form again: held once
		}
		if len(e.held) >= maxHeldPerEntry {
			return errPendingFull
		}
		sealed, err := sealForm(token, owner, held)
		if err != nil {
			return err
		}
		e.held = append(e.held, sealed)
		return nil
	})
	if err != nil {
		if !errors.Is(err, errPendingFull) {
			s.log.Error("web: hold a form", "err", err)
		}
		s.cannotHold(w, r, held)
		return
	}
	http.Redirect(w, r, "/signin", http.StatusSeeOther)
}

// heldData is the page for a form the hub could not hold: what the member
// wrote, to copy, and the crisis lines first if they said they are not
// safe.
type heldData struct {
	Text   string
	Unsafe bool
}

// cannotHold answers a signed-out form the hub has no room to keep: not a
// redirect, since the member's words travel in this answer and nowhere
// else.
func (s *server) cannotHold(w http.ResponseWriter, r *http.Request, f heldForm) {
	v := s.newView(w, r, "held.full.title")
	d := heldData{Text: strings.TrimSpace(f.Form.Get("note"))}
	if other := strings.TrimSpace(f.Form.Get("trigger_other")); other != "" {
		d.Text = strings.TrimSpace(other + "\n\n" + d.Text)
	}
	if f.Form.Get("unsafe") == "1" {
		d.Unsafe = true
		v.Crisis = crisisLines(s.cfg.Help.CrisisLines)
	}
	v.Data = d
	s.render(w, r, http.StatusServiceUnavailable, "held", v)
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

// forbidden refuses a form whose token is wrong. A refused check-in that
// says the member is not safe still shows the crisis lines: they are
// public, and this may be the worst moment to be told only "refused".
func (s *server) forbidden(w http.ResponseWriter, r *http.Request) {
	v := s.newView(w, r, "csrf.title")
	v.Data = v.T("csrf.text")
	if r.URL.Path == "/checkin" && r.PostForm.Get("unsafe") == "1" {
		v.Crisis = crisisLines(s.cfg.Help.CrisisLines)
	}
	s.render(w, r, http.StatusForbidden, "message", v)
}

// signinData is the sign-in page's own data.
type signinData struct {
	Next       string
	Nick       string // the nickname typed last, after a failed try
	Passphrase bool   // show a text keyboard rather than digits
	SelfSignup bool
	// Forms posted after a sign-out and kept for this sign-in, and until
	// when; with a check-in that says the member is not safe, the crisis
	// lines come first (Unsafe).
	Held      int
	HeldUntil string
	Unsafe    bool
}

func (s *server) signinForm(w http.ResponseWriter, r *http.Request) {
	if s.requestState(r).sess != nil {
		http.Redirect(w, r, "/me", http.StatusSeeOther)
		return
	}
	s.renderSignin(w, r, http.StatusOK, r.URL.Query().Get("next"))
}

// renderSignin draws the sign-in page: with what the last try left (the
// nickname, what was wrong) and the forms kept for this sign-in.
func (s *server) renderSignin(w http.ResponseWriter, r *http.Request, status int, next string) {
	v := s.newView(w, r, "signin.title")
	v.CSRF = s.nonces.issue(clientAddr(r))
	d := signinData{Next: safeNext(next), Passphrase: r.URL.Query().Get("pass") == "1", SelfSignup: s.cfg.Members.SelfSignup}
	if token, e, ok := s.pendingOf(r); ok {
		d.Nick = e.nick
		if e.problem != "" {
			v.Error = v.T(e.problem, e.args...)
			s.changePending(w, r, func(_ string, e *pendingEntry) error { e.problem, e.args = "", nil; return nil })
		}
		for _, sealed := range e.held {
			f, err := sealed.open(token)
			if err != nil {
				continue
			}
			d.Held++
			if f.Path == "/checkin" && f.Form.Get("unsafe") == "1" {
				d.Unsafe = true
				v.Crisis = crisisLines(s.cfg.Help.CrisisLines)
			}
		}
		d.HeldUntil = e.expires.In(s.zone).Format("15:04")
	}
	if d.Held > 0 {
		// The page says why the member signs in again, and what is kept:
		// the crisis lines come first, with nothing above them.
		v.Flash = ""
	}
	if d.Unsafe {
		v.Title = v.T("unsafe.title")
	}
	v.Data = d
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

// signinAgain sends the browser back to the sign-in form (POST, redirect,
// GET), with the nickname typed and a message (an i18n key) kept for it.
func (s *server) signinAgain(w http.ResponseWriter, r *http.Request, nick, problemKey string, args ...any) {
	s.changePending(w, r, func(_ string, e *pendingEntry) error {
		e.nick, e.problem, e.args = nick, problemKey, args
		return nil
	})
	q := url.Values{}
	if next := safeNext(r.PostFormValue("next")); next != "" {
		q.Set("next", next)
	}
	if r.PostFormValue("pass") == "1" {
		q.Set("pass", "1")
	}
	target := r.URL.Path
	if len(q) > 0 {
		target += "?" + q.Encode()
	}
	http.Redirect(w, r, target, http.StatusSeeOther)
}

func (s *server) signin(w http.ResponseWriter, r *http.Request) {
	nick := strings.TrimSpace(r.PostFormValue("nick"))
	pin := r.PostFormValue("pin")
	if nick == "" || pin == "" {
		s.signinAgain(w, r, nick, "signin.missing")
		return
	}
	acct, err := s.unlock(w, r, nick, pin)
	if err != nil {
		if errors.Is(err, members.ErrWrongPIN) {
			// The same answer for an unknown nickname and a wrong PIN:
			// the page must not tell who has an account here.
			s.signinAgain(w, r, nick, "signin.wrong")
		}
		return
	}
	sess := s.startSession(w, r, acct)
	next := cmp.Or(safeNext(r.PostFormValue("next")), "/checkin")
	if saved := s.saveHeld(w, r, sess); saved != "" {
		next = saved
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
}

// saveHeld saves, for a member who just signed in, the forms this browser
// posted after a sign-out that are theirs, and says where to go next ("" if
// none was). A form another account's session left stays for that account,
// and the member is told.
func (s *server) saveHeld(w http.ResponseWriter, r *http.Request, sess *session) string {
	token, e, ok := s.pendingOf(r)
	if !ok {
		return ""
	}
	sess.mu.Lock()
	defer sess.mu.Unlock()
	client := clientAddr(r)
	var next string
	done := map[string]bool{} // by sealed box
	for _, sealed := range e.held {
		if sealed.owner != sess.nick && (sealed.owner != "" || e.client != client) {
			sess.flash = "held.notyours"
			continue
		}
		f, err := sealed.open(token)
		if err != nil {
			continue
		}
		target, err := s.replay(r.Context(), sess, f)
		if err != nil {
			s.log.Error("web: save a held form", "err", err)
			sess.flashError = "error.text"
			continue
		}
		done[string(sealed.box)] = true
		next = moreUrgent(next, target)
	}
	s.changePending(w, r, func(_ string, e *pendingEntry) error {
		e.nick, e.problem, e.args = "", "", nil
		e.held = slices.DeleteFunc(e.held, func(f sealedForm) bool { return done[string(f.box)] })
		return nil
	})
	return next
}

// replay sends a held form to its handler's work, as if just posted.
func (s *server) replay(ctx context.Context, sess *session, f heldForm) (string, error) {
	if f.Path == "/me" {
		return s.saveProfile(sess, f.Form)
	}
	return s.saveCheckIn(ctx, sess, f.Form, f.At)
}

// moreUrgent is whichever of two next pages matters more: the crisis lines,
// then a form to fix, then the member's page.
func moreUrgent(a, b string) string {
	rank := func(p string) int {
		switch {
		case strings.HasPrefix(p, "/crisis"):
			return 3
		case p == "/checkin":
			return 2
		case p != "":
			return 1
		}
		return 0
	}
	if rank(b) > rank(a) {
		return b
	}
	return a
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
	at, wait := s.signins.reserve(client, nameKey(nick))
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
// against the client: a wrong PIN. One tried while its name is locked
// checked no PIN, so it guessed nothing: the name's lock answers it, and
// the others at the same address (a family phone, a kiosk) are not held
// up by it.
func countsAsFailure(err error) bool {
	return errors.Is(err, members.ErrWrongPIN)
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

func (s *server) startSession(w http.ResponseWriter, r *http.Request, acct *members.Account) *session {
	s.session.end(r, s.cookieName(sessionCookie)) // a sign-in replaces whatever session this browser had
	token, sess := s.session.start(acct.Nick(), acct)
	s.setSessionCookie(w, token)
	return sess
}

func (s *server) tooManyTries(w http.ResponseWriter, r *http.Request, wait time.Duration) {
	w.Header().Set("Retry-After", strconv.Itoa(int(wait.Round(time.Second)/time.Second)+1))
	s.plain(w, r, http.StatusTooManyRequests, "toomany.title", "toomany.text")
}

// signout ends the session. Without a live session there is nothing to end
// (and no token to check): the cookie is cleared and that is all. The
// answer is a redirect home, which says the member is signed out.
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
	s.notify(w, r, "signout.text")
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

// signupData is the sign-up page's own data.
type signupData struct {
	Nick       string
	Passphrase bool
}

func (s *server) signupForm(w http.ResponseWriter, r *http.Request) {
	if !s.cfg.Members.SelfSignup {
		s.notFound(w, r)
		return
	}
	v := s.newView(w, r, "signup.title")
	v.CSRF = s.nonces.issue(clientAddr(r))
	d := signupData{Passphrase: r.URL.Query().Get("pass") == "1"}
	if _, e, ok := s.pendingOf(r); ok {
		d.Nick = e.nick
		if e.problem != "" {
			v.Error = v.T(e.problem, e.args...)
			s.changePending(w, r, func(_ string, e *pendingEntry) error { e.problem, e.args = "", nil; return nil })
		}
	}
	v.Data = d
	s.render(w, r, http.StatusOK, "signup", v)
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
		s.signinAgain(w, r, nick, "signin.missing")
		return
	case pin != pin2:
		s.signinAgain(w, r, nick, "signup.mismatch")
		return
	}
	// Both counts start before any work: new accounts per client, and
	// failures (a taken nickname tells who exists, like a wrong PIN).
	client := clientAddr(r)
	made, wait := s.signups.reserve(client, "")
	if wait > 0 {
		s.tooManyTries(w, r, wait)
		return
	}
	failed, wait := s.signins.reserve(client, nameKey(nick))
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
		s.signinAgain(w, r, nick, p.Key, p.Args...)
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
		s.renderSignin(w, r, http.StatusUnauthorized, "")
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
