package web

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"hearth/node/members"
)

// Someone who notices: /me/buddies. A member makes a code and gives it to
// another member, who types it, sees whose it is and says yes; each then
// sees when the other last checked in (in days), and a line that says to
// reach out once the other has been quiet for as many days as they chose.
// Nothing a check-in says is ever on these pages: members.Buddy does not
// carry it.

// codeRule: wrong buddy codes per client, beside the members package's
// limit per member, so many accounts on one phone cannot guess together.
var codeRule = limitRule{allowed: 10, window: 15 * time.Minute, backoff: true, maxDelay: 15 * time.Minute}

// quietChoices are the quiet days a member may choose from.
var quietChoices = []int{1, 2, 3, 4, 5, 7, 10, 14, 21, 30}

// buddiesData is the buddies page.
type buddiesData struct {
	Buddies    []buddyView
	Offer      *offerView
	Room       bool
	Code       string // a code typed that did not work, shown again
	Quiet      []choice
	Asked      string // when the member asked for a call, in words; "" if not
	HasBuddies bool
}

// buddyView is one buddy in the page's words: their name, and lines made
// only of days and settings.
type buddyView struct {
	Link     string
	Nick     string
	Status   string // "last checked in 2 days ago"
	ReachOut string // "haven't heard from amani in 4 days: reach out", or ""
	Asked    string // "amani asked for a call (today 18:05)", or ""
}

type offerView struct {
	Code  string
	Until string
}

// buddyLines says a buddy's state in the view's words.
func buddyLines(v *view, b members.Buddy) buddyView {
	bv := buddyView{Link: b.Link, Nick: b.Nick}
	if b.CheckedIn {
		bv.Status = v.T("buddy.last", b.Nick, dayWords(v, b.SilentDays))
	} else {
		bv.Status = v.T("buddy.never", b.Nick)
	}
	if b.ReachOut {
		bv.ReachOut = v.T("buddy.reachout", b.Nick, b.SilentDays)
	}
	if b.AskedForCall {
		bv.Asked = v.T("buddy.asked", b.Nick, clockWords(v, b.AskedAt))
	}
	return bv
}

func (s *server) buddiesPage(w http.ResponseWriter, r *http.Request, sess *session) {
	v := s.newView(w, r, "buddy.title")
	switch r.URL.Query().Get("done") {
	case "added":
		v.Flash = v.T("buddy.added")
	case "ended":
		v.Flash = v.T("buddy.endeddone")
	case "asked":
		v.Flash = v.T("buddy.askeddone")
	case "saved":
		v.Flash = v.T("buddy.saved")
	}
	s.renderBuddies(w, r, sess, v, http.StatusOK, "")
}

// renderBuddies draws the buddies page, with code (a code that did not
// work) back in its box.
func (s *server) renderBuddies(w http.ResponseWriter, r *http.Request, sess *session, v *view, status int, code string) {
	v.CSRF = sess.csrf
	bs, err := sess.acct.Buddies()
	if err != nil {
		s.accountFailed(w, r, sess, "read buddies", err)
		return
	}
	if bs.Ended > 0 {
		// Said once (the members package reports it once): never lost
		// behind another message.
		v.Flash = strings.TrimSpace(v.Flash + " " + v.T("buddy.ended"))
	}
	d := buddiesData{Room: bs.Room, Code: code, HasBuddies: len(bs.Buddies) > 0}
	for _, b := range bs.Buddies {
		d.Buddies = append(d.Buddies, buddyLines(v, b))
	}
	if bs.Offer != nil {
		d.Offer = &offerView{Code: bs.Offer.Code, Until: bs.Offer.Until.In(s.zone).Format("15:04")}
	}
	if bs.AskedForCall {
		d.Asked = clockWords(v, bs.AskedAt)
	}
	d.Quiet = append(d.Quiet, choice{Value: "0", Label: v.T("buddy.never.quiet"), Checked: bs.QuietDays == 0})
	for _, n := range quietChoices {
		label := v.T("buddy.days", n)
		if n == 1 {
			label = v.T("buddy.oneday")
		}
		d.Quiet = append(d.Quiet, choice{Value: strconv.Itoa(n), Label: label, Checked: bs.QuietDays == n})
	}
	v.Data = d
	s.render(w, r, status, "buddies", v)
}

// buddyProblem answers a problem with a buddy form on the buddies page, in
// the member's words; anything else is the hub's fault.
func (s *server) buddyProblem(w http.ResponseWriter, r *http.Request, sess *session, what string, err error, code string) {
	p := problemOf(err, nil)
	if p == nil {
		s.accountFailed(w, r, sess, what, err)
		return
	}
	v := s.newView(w, r, "buddy.title")
	v.Error = v.Problem(p)
	s.renderBuddies(w, r, sess, v, http.StatusUnprocessableEntity, code)
}

func (s *server) offerBuddy(w http.ResponseWriter, r *http.Request, sess *session) {
	if _, err := sess.acct.OfferBuddy(); err != nil {
		s.buddyProblem(w, r, sess, "offer a buddy code", err, "")
		return
	}
	http.Redirect(w, r, "/me/buddies#code", http.StatusSeeOther)
}

func (s *server) cancelOffer(w http.ResponseWriter, r *http.Request, sess *session) {
	if err := sess.acct.CancelOffer(); err != nil {
		s.accountFailed(w, r, sess, "cancel a buddy code", err)
		return
	}
	http.Redirect(w, r, "/me/buddies", http.StatusSeeOther)
}

// confirmData is the page that asks "become buddies with amani?".
type confirmData struct {
	Code string
	Nick string
}

// takeBuddyCode reads a code a member typed: first it shows whose it is and
// asks (confirm is not set), then, confirmed, makes the link. A wrong code
// counts against the client as well as the member.
func (s *server) takeBuddyCode(w http.ResponseWriter, r *http.Request, sess *session) {
	code := strings.TrimSpace(r.PostFormValue("code"))
	if code == "" {
		v := s.newView(w, r, "buddy.title")
		v.Error = v.T("buddy.nocode")
		s.renderBuddies(w, r, sess, v, http.StatusUnprocessableEntity, "")
		return
	}
	client := clientAddr(r)
	at, wait := s.codes.reserve(client, "")
	if wait > 0 {
		s.tooManyTries(w, r, wait)
		return
	}
	var nick string
	var err error
	confirmed := r.PostFormValue("confirm") == "1"
	if confirmed {
		var b members.Buddy
		b, err = sess.acct.AcceptBuddy(code)
		nick = b.Nick
	} else {
		nick, err = sess.acct.BuddyCode(code)
	}
	if !errors.Is(err, members.ErrBuddyCode) {
		s.codes.refund(client, at)
	}
	switch {
	case err != nil:
		s.buddyProblem(w, r, sess, "take a buddy code", err, code)
	case confirmed:
		http.Redirect(w, r, "/me/buddies?done=added", http.StatusSeeOther)
	default:
		v := s.newView(w, r, "buddy.confirmtitle")
		v.CSRF = sess.csrf
		v.Data = confirmData{Code: code, Nick: nick}
		s.render(w, r, http.StatusOK, "buddyconfirm", v)
	}
}

func (s *server) endBuddy(w http.ResponseWriter, r *http.Request, sess *session) {
	if err := sess.acct.EndBuddy(r.PostFormValue("link")); err != nil {
		s.buddyProblem(w, r, sess, "end a buddy link", err, "")
		return
	}
	http.Redirect(w, r, "/me/buddies?done=ended", http.StatusSeeOther)
}

func (s *server) buddySettings(w http.ResponseWriter, r *http.Request, sess *session) {
	days, err := strconv.Atoi(r.PostFormValue("quiet"))
	if err != nil {
		days = -1 // the members package names what is allowed
	}
	if err := sess.acct.SetQuietDays(days); err != nil {
		s.buddyProblem(w, r, sess, "save buddy settings", err, "")
		return
	}
	http.Redirect(w, r, "/me/buddies?done=saved", http.StatusSeeOther)
}

// askForCall sets or takes back a request for a call, then shows the
// buddies page, which says what the buddies now see.
func (s *server) askForCall(w http.ResponseWriter, r *http.Request, sess *session) {
	ask := r.PostFormValue("ask") == "1"
	if err := sess.acct.AskForCall(ask); err != nil {
		s.accountFailed(w, r, sess, "ask for a call", err)
		return
	}
	to := "/me/buddies"
	if ask {
		to += "?done=asked"
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
}
