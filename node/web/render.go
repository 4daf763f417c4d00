package web

import (
	"bytes"
	"compress/gzip"
	"context"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"strings"
	"sync"
	"time"

	"hearth/node/problem"
	"hearth/protocol/meetingguide"
)

// Pages are html/template files: layout.html holds the frame every page
// shares (header with the help link, language switch, footer); each other
// file defines "title" and "content" for one page, and may define "head"
// for what its page adds to the frame's head (a print stylesheet). Files
// in parts/ define blocks several pages use, and are no page themselves.
//
//go:embed templates/*.html templates/parts/*.html
var templateFS embed.FS

// pages is every page template, each a clone of the layout with its own
// "content".
type pages struct {
	byName map[string]*template.Template
}

// sharedPages is every page template, parsed once for the process.
var sharedPages = sync.OnceValue(mustParsePages)

func mustParsePages() *pages {
	p, err := parsePages(templateFS)
	if err != nil {
		panic(err)
	}
	return p
}

func parsePages(fsys fs.FS) (*pages, error) {
	base, err := template.New("layout.html").Funcs(templateFuncs).ParseFS(fsys, "templates/layout.html", "templates/parts/*.html")
	if err != nil {
		return nil, fmt.Errorf("web: %w", err)
	}
	files, err := fs.Glob(fsys, "templates/*.html")
	if err != nil {
		return nil, err
	}
	p := &pages{byName: map[string]*template.Template{}}
	for _, f := range files {
		name := strings.TrimSuffix(strings.TrimPrefix(f, "templates/"), ".html")
		if name == "layout" {
			continue
		}
		t, err := template.Must(base.Clone()).ParseFS(fsys, f)
		if err != nil {
			return nil, fmt.Errorf("web: %w", err)
		}
		p.byName[name] = t
	}
	return p, nil
}

// templateFuncs are the functions every template may call; anything that
// depends on the request's language is a method of view instead.
var templateFuncs = template.FuncMap{
	"face":  moodFace,
	"faces": faceSymbols,
	"sel": func(id, name string, options []choice) selectData {
		return selectData{ID: id, Name: name, Options: options}
	},
	"join": func(parts []string) string { return strings.Join(parts, ", ") },
	"seq": func(from, to int) []int {
		out := make([]int, 0, to-from+1)
		for i := from; i <= to; i++ {
			out = append(out, i)
		}
		return out
	},
}

// selectData is what the "select" template draws.
type selectData struct {
	ID, Name string
	Options  []choice
}

// view is what every page template gets: the frame's data and the page's
// own, in Data.
type view struct {
	Lang     string
	Title    string // already translated
	HubName  string
	CSS      string
	CSRF     string // set on pages with a POST form
	SignedIn bool
	Langs    []langLink
	Flash    string       // a plain message shown at the top
	Error    string       // what went wrong, shown at the top
	Crisis   []crisisLine // the hub's crisis lines, on pages that show them
	Data     any
	// Groups is what the blocks of parts/groups.html draw on a page that
	// is not theirs: the safety plan on the crisis page, a member's week
	// on /me, "my meetings" on a meeting's page. Nil draws nothing.
	Groups *groupsView

	langs *catalogs
	zone  *time.Location // the hub's: its "today"
	now   time.Time      // when the page is drawn
}

// T translates a key into the page's language; with args, the string is a
// fmt format (translators keep the verbs, in any order with %[n]).
func (v *view) T(key string, args ...any) string {
	s := v.langs.T(v.Lang, key)
	if len(args) > 0 {
		return fmt.Sprintf(s, args...)
	}
	return s
}

// Problem says a coded error (what the domain packages return about what a
// member gave) in the page's language. An argument that has words of its
// own in the catalogues (a step of a safety plan) is said in them.
func (v *view) Problem(p *problem.Error) string {
	args := make([]any, len(p.Args))
	for i, a := range p.Args {
		if k, ok := a.(messageKeyer); ok {
			a = v.T(k.MessageKey())
		}
		args[i] = a
	}
	return v.T(p.Key, args...)
}

// messageKeyer is an argument of a problem that the catalogues name.
type messageKeyer interface{ MessageKey() string }

// problemOf is the coded error in err's chain, or fallback if it has none:
// a rule the page meets only through the package that keeps it, never
// checked here a second time.
func problemOf(err error, fallback *problem.Error) *problem.Error {
	if p, ok := errors.AsType[*problem.Error](err); ok {
		return p
	}
	return fallback
}

// TypeName is a Meeting Guide type code in the page's language.
func (v *view) TypeName(code string) string { return meetingguide.TypeName(code, v.Lang) }

// newView starts the view of a page: language, session state and the frame.
func (s *server) newView(w http.ResponseWriter, r *http.Request, titleKey string) *view {
	v := &view{langs: s.langs, zone: s.zone, now: s.now(), HubName: s.cfg.Name, CSS: s.static.url("hearth.css")}
	v.Lang = s.chooseLang(w, r)
	v.Langs = s.langs.switchLinks(r, v.Lang)
	rs := s.requestState(r)
	v.SignedIn = rs.sess != nil
	if rs.state == endedSession {
		s.clearSessionCookie(w)
		v.Flash = v.T("session.ended")
	}
	if _, e, ok := s.pendingOf(r); ok && e.notice != "" {
		// What the page before a redirect had to say (signed out, erased).
		v.Flash = v.T(e.notice)
		s.changePending(w, r, func(_ string, e *pendingEntry) error { e.notice = ""; return nil })
	}
	if titleKey != "" {
		v.Title = v.T(titleKey)
	}
	if v.HubName == "" {
		v.HubName = "Hearth"
	}
	return v
}

// render writes a page. The page is rendered into memory first, so a
// template error becomes a plain 500 rather than half a page. Public pages
// are gzipped for 2G phones; member pages never are, because they hold
// secrets (CSRF token, check-ins) next to text a member typed, and
// compressing those together would leak the secret (BREACH).
func (s *server) render(w http.ResponseWriter, r *http.Request, status int, name string, v *view) {
	t := s.pages.byName[name]
	var buf bytes.Buffer
	if t == nil {
		s.log.Error("web: no such page template", "page", name)
		http.Error(w, "This page is broken. Please tell your hub operator.", http.StatusInternalServerError)
		return
	}
	if err := t.ExecuteTemplate(&buf, "layout.html", v); err != nil {
		// The error names the template and field, never member data.
		s.log.Error("web: render page", "page", name, "err", err)
		http.Error(w, "This page is broken. Please tell your hub operator.", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	if h.Get("Cache-Control") == "" {
		// Meeting times and "in progress" change by the minute.
		h.Set("Cache-Control", "no-cache")
	}
	if isMemberPath(r.URL.Path) || v.CSRF != "" {
		writeBody(w, r, status, buf.Bytes())
		return
	}
	// The words depend on the language cookie and header.
	h.Set("Vary", "Accept-Encoding, Accept-Language, Cookie")
	writeCompressed(w, r, status, buf.Bytes())
}

// writeCompressed writes a public body, gzipped when it is worth it and the
// client takes it: on 2G every kilobyte is a second. Never for a body with
// a secret in it (see render).
func writeCompressed(w http.ResponseWriter, r *http.Request, status int, body []byte) {
	if len(body) > 1024 && acceptsGzip(r) {
		w.Header().Set("Content-Encoding", "gzip")
		body = gzipBytes(body)
	}
	writeBody(w, r, status, body)
}

// writeBody writes status and, unless the request is HEAD, body.
func writeBody(w http.ResponseWriter, r *http.Request, status int, body []byte) {
	w.WriteHeader(status)
	if r.Method != http.MethodHead {
		w.Write(body)
	}
}

// plain answers with a short page that is only a message (and a way back):
// errors and refusals.
func (s *server) plain(w http.ResponseWriter, r *http.Request, status int, titleKey, messageKey string, args ...any) {
	v := s.newView(w, r, titleKey)
	v.Data = v.T(messageKey, args...)
	s.render(w, r, status, "message", v)
}

func (s *server) notFound(w http.ResponseWriter, r *http.Request) {
	s.plain(w, r, http.StatusNotFound, "notfound.title", "notfound.text")
}

func (s *server) tooLarge(w http.ResponseWriter, r *http.Request) {
	s.plain(w, r, http.StatusRequestEntityTooLarge, "toolarge.title", "toolarge.text", formLimit(r.URL.Path)>>10)
}

// requestState is what this request knows about its session, looked up
// once whichever wrappers ask.
type requestState struct {
	looked bool
	sess   *session
	state  sessionState
	ended  *idledSession // for a session that idled out: whose it was

	pendingSet   bool   // this response has set (or cleared) the pending cookie…
	pendingToken string // …to this
}

type stateKey struct{}

func (s *server) requestState(r *http.Request) *requestState {
	rs, _ := r.Context().Value(stateKey{}).(*requestState)
	if rs == nil {
		// Only reached if a handler runs without guard (not in Handler).
		rs = &requestState{}
	}
	if !rs.looked {
		rs.sess, rs.state, rs.ended = s.session.lookup(r, s.cookieName(sessionCookie))
		rs.looked = true
	}
	return rs
}

// withState gives a request the holder of its session state.
func withState(r *http.Request) *http.Request {
	return r.WithContext(context.WithValue(r.Context(), stateKey{}, &requestState{}))
}

// gzipBytes compresses a response body.
func gzipBytes(body []byte) []byte {
	var gz bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&gz, gzip.DefaultCompression)
	zw.Write(body)
	zw.Close()
	return gz.Bytes()
}
