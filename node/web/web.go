// Package web implements the member page of a Hearth hub: finding meetings,
// private check-ins, progress and history, help, and the JSON API under
// /api/v1/, served as plain server-rendered HTML that works with JavaScript
// off and loads on a 2G phone.
//
// Everything a member writes stays on the node: check-ins are read and
// written only through the member's unlocked account, which lives in this
// package's memory for as long as the session does, and nothing of it is
// logged.
package web

import (
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"hearth/node"
)

// Options are what the embedding program gives the handler besides the node.
type Options struct {
	// Logger receives errors worth an operator's look; nil discards them.
	// Nothing a member writes, no PIN and no session token is ever logged.
	Logger *slog.Logger
	// Now is the clock for sessions, attempt limits and day counts; nil is
	// time.Now. Tests move it.
	Now func() time.Time
}

// maxFormBytes caps what a request may carry. A check-in form is well under
// 4 KiB; the cap leaves room for a full note (members.MaxNoteBytes) in any
// script, percent-encoded.
const maxFormBytes = 16 << 10

// server is one Handler's state: its node, templates, sessions and limits.
type server struct {
	n       *node.Node
	cfg     node.Config
	zone    *time.Location // the hub's (node.HubZone): its "today"
	log     *slog.Logger
	now     func() time.Time
	pages   *pages
	langs   *catalogs
	static  *staticFiles
	hosts   *hostList
	session *sessions
	nonces  *formNonces    // CSRF tokens of the sign-in and sign-up forms
	pending *pendingForms  // what a browser carries to sign-in: a form posted after a sign-out, a nickname
	signins *clientLimiter // failed sign-ins per client (signinRule)
	signups *clientLimiter // new accounts per client (signupRule)
	codes   *clientLimiter // wrong buddy codes per client (codeRule)
}

// Handler serves the member page and JSON API of n. It starts no goroutine:
// expired sessions and old attempt records are swept as requests come in.
func Handler(n *node.Node, opts Options) http.Handler {
	s := &server{
		n:    n,
		cfg:  n.Config(),
		zone: n.Zone(),
		log:  opts.Logger,
		now:  opts.Now,
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.now == nil {
		s.now = time.Now
	}
	// The embedded files are part of the binary: failing to read them is a
	// build mistake, caught by every test, never a runtime condition.
	s.langs = sharedCatalogs()
	s.static = mustLoadStatic()
	s.pages = sharedPages()
	s.hosts = newHostList(s.cfg.Web.Listen, s.cfg.Web.AllowedHosts)
	s.session = newSessions(s.cfg.Web.SessionIdle.D(), s.cfg.Web.HeldFor.D(), s.now)
	s.pending = newPendingForms(s.cfg.Web.HeldForms, s.cfg.Web.HeldFor.D(), s.now)
	s.nonces = newFormNonces(s.now)
	s.signins = newClientLimiter(signinRule, s.now)
	s.signups = newClientLimiter(signupRule, s.now)
	s.codes = newClientLimiter(codeRule, s.now)

	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", s.home)
	mux.HandleFunc("GET /meetings", s.meetingList)
	mux.HandleFunc("GET /meetings.json", s.meetingFeed)
	mux.HandleFunc("GET /meetings/print", s.printSchedule)
	mux.HandleFunc("GET /meetings/{id...}", s.meetingPage)
	mux.HandleFunc("GET /help", s.help)
	mux.HandleFunc("GET /crisis", s.crisis)
	mux.HandleFunc("GET /signin", s.signinForm)
	mux.HandleFunc("POST /signin", s.form(s.signin))
	mux.HandleFunc("POST /signout", s.signout)
	mux.HandleFunc("GET /signup", s.signupForm)
	mux.HandleFunc("POST /signup", s.form(s.signup))
	mux.HandleFunc("GET /checkin", s.member(s.checkinForm))
	mux.HandleFunc("POST /checkin", s.memberForm(s.checkin))
	mux.HandleFunc("GET /me", s.member(s.me))
	mux.HandleFunc("POST /me", s.memberForm(s.setProfile))
	mux.HandleFunc("GET /me/export.json", s.member(s.exportJSON))
	mux.HandleFunc("GET /me/export.csv", s.member(s.exportCSV))
	mux.HandleFunc("GET /me/erase", s.member(s.eraseForm))
	mux.HandleFunc("POST /me/erase", s.memberForm(s.erase))
	s.groupRoutes(mux)
	mux.HandleFunc("GET /static/{file}", s.static.serve)
	mux.HandleFunc("GET /api/v1/status", s.apiStatus)
	mux.HandleFunc("GET /api/v1/meetings", s.apiMeetings)
	mux.HandleFunc("GET /api/v1/me/checkins", s.apiCheckIns)
	mux.HandleFunc("/api/v1/", s.apiNotFound)
	mux.HandleFunc("/", s.notFound)
	return s.guard(mux)
}

// guard wraps every route: security headers first (so even a refusal
// carries them), then the Host allow-list, then, for anything but a read,
// the origin check and the body cap.
func (s *server) guard(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		// No script anywhere: the page needs none, and a policy without
		// 'unsafe-inline' makes injected markup inert.
		h.Set("Content-Security-Policy", "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
		h.Set("X-Frame-Options", "DENY")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		if s.tls() {
			// Browsers ignore this over a certificate they had to be told
			// to accept, so it binds only hubs with a trusted certificate.
			h.Set("Strict-Transport-Security", "max-age=31536000")
		}
		if isMemberPath(r.URL.Path) {
			h.Set("Cache-Control", "no-store")
		}
		if !s.hosts.allows(r.Host) {
			// A name the operator did not give is how DNS rebinding reaches
			// a hub on 127.0.0.1 from a web page: answer nothing else.
			http.Error(w, "This hub does not answer to the name "+hostOnly(r.Host)+". Use the address your hub gave you.", http.StatusMisdirectedRequest)
			return
		}
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			if crossOrigin(r) {
				// A form posted from another site, another port of this
				// host or a sibling subdomain: whatever token it carries,
				// the member did not send it from this hub's page.
				s.forbidden(w, withState(r))
				return
			}
			limit := formLimit(r.URL.Path)
			if r.ContentLength > limit {
				s.tooLarge(w, r)
				return
			}
			r.Body = http.MaxBytesReader(w, r.Body, limit)
		}
		next.ServeHTTP(w, withState(r))
	})
}

// crossOrigin reports whether a browser says a request comes from a page
// that is not this hub's own: Sec-Fetch-Site when the browser sends it,
// else Origin. A request with neither (a script, an old browser) is left
// to the CSRF tokens.
func crossOrigin(r *http.Request) bool {
	switch r.Header.Get("Sec-Fetch-Site") {
	case "same-origin", "none": // "none": the member typed or chose it
		return false
	case "":
	default: // same-site (another port, a sibling subdomain), cross-site
		return true
	}
	origin := r.Header.Get("Origin")
	if origin == "" {
		return false
	}
	u, err := url.Parse(origin)
	if err != nil || u.Host == "" || u.Path != "" {
		return true // "null" (a sandboxed frame, a file), or garbage
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return !strings.EqualFold(u.Scheme, scheme) || hostPort(u.Host, scheme) != hostPort(r.Host, scheme)
}

// hostPort is a host and port as an origin compares them: lower-case,
// with the scheme's default port written out.
func hostPort(hostport, scheme string) string {
	host, port, err := net.SplitHostPort(hostport)
	if err != nil {
		host, port = strings.Trim(hostport, "[]"), map[string]string{"http": "80", "https": "443"}[scheme]
	}
	return strings.ToLower(strings.TrimSuffix(host, ".")) + " " + port
}

// isMemberPath reports whether a path shows or takes a member's own data (or
// their PIN), so no browser or proxy may keep a copy of it.
func isMemberPath(p string) bool {
	switch {
	case p == "/signin", p == "/signup", p == "/signout", p == "/checkin", p == "/me":
		return true
	case strings.HasPrefix(p, "/me/"), strings.HasPrefix(p, "/api/v1/me/"):
		return true
	case strings.HasPrefix(p, "/feed/"): // a member's meetings, by a secret address
		return true
	}
	return false
}

// subFS is fs.Sub for embedded directories that exist by construction.
func subFS(f fs.FS, dir string) fs.FS {
	sub, err := fs.Sub(f, dir)
	if err != nil {
		panic("web: embedded " + dir + ": " + err.Error())
	}
	return sub
}
