package web

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"net/http"
	"net/url"
	"path"
	"sort"
	"strconv"
	"strings"
	"sync"
)

// Every language of the page is one file in i18n/, named by its language
// tag: adding a language is adding a file. Each holds every key of en.json
// (a test checks); "lang.name" is the language's name in itself, for the
// switch.
//
//go:embed i18n/*.json
var i18nFiles embed.FS

const defaultLang = "en"

// catalog is one language's strings.
type catalog struct {
	tag     string
	name    string
	strings map[string]string
}

// catalogs is every language, by tag.
type catalogs struct {
	byTag map[string]*catalog
	tags  []string // sorted, the default first
}

// sharedCatalogs is every language, loaded once for the process.
var sharedCatalogs = sync.OnceValue(mustLoadCatalogs)

func mustLoadCatalogs() *catalogs {
	c, err := loadCatalogs(i18nFiles)
	if err != nil {
		panic(err)
	}
	return c
}

func loadCatalogs(fsys fs.FS) (*catalogs, error) {
	files, err := fs.Glob(fsys, "i18n/*.json")
	if err != nil {
		return nil, err
	}
	cs := &catalogs{byTag: map[string]*catalog{}}
	for _, f := range files {
		data, err := fs.ReadFile(fsys, f)
		if err != nil {
			return nil, err
		}
		c := &catalog{tag: strings.TrimSuffix(path.Base(f), ".json")}
		if err := json.Unmarshal(data, &c.strings); err != nil {
			return nil, fmt.Errorf("web: %s: %w", f, err)
		}
		c.name = c.strings["lang.name"]
		cs.byTag[c.tag] = c
		cs.tags = append(cs.tags, c.tag)
	}
	if cs.byTag[defaultLang] == nil {
		return nil, fmt.Errorf("web: i18n/%s.json is missing", defaultLang)
	}
	sort.Slice(cs.tags, func(i, j int) bool {
		if (cs.tags[i] == defaultLang) != (cs.tags[j] == defaultLang) {
			return cs.tags[i] == defaultLang
		}
		return cs.tags[i] < cs.tags[j]
	})
	return cs, nil
}

// T is the string of key in this language, falling back to English, then to
// the key itself (so a missing string shows, rather than a blank).
func (c *catalogs) T(lang, key string) string {
	if s, ok := c.byTag[lang].lookup(key); ok {
		return s
	}
	if s, ok := c.byTag[defaultLang].lookup(key); ok {
		return s
	}
	return key
}

func (c *catalog) lookup(key string) (string, bool) {
	if c == nil {
		return "", false
	}
	s, ok := c.strings[key]
	return s, ok
}

// choose picks the language of a response: ?lang= (which the switch links
// use, and which is then remembered in a cookie), else the cookie, else the
// browser's Accept-Language, else English.
func (s *server) chooseLang(w http.ResponseWriter, r *http.Request) string {
	if q := r.URL.Query().Get("lang"); q != "" {
		if tag := s.langs.match(q); tag != "" {
			http.SetCookie(w, &http.Cookie{
				Name: s.cookieName(langCookie), Value: tag, Path: "/", MaxAge: 365 * 24 * 3600,
				HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: s.tls(),
			})
			return tag
		}
	}
	if c, err := r.Cookie(s.cookieName(langCookie)); err == nil {
		if tag := s.langs.match(c.Value); tag != "" {
			return tag
		}
	}
	return s.langs.fromAcceptLanguage(r.Header.Get("Accept-Language"))
}

// match finds the language for a tag: exact ("pt-br"), else its primary
// subtag ("es" for "es-MX"); "" if there is none.
func (c *catalogs) match(tag string) string {
	tag = strings.ToLower(strings.TrimSpace(tag))
	if _, ok := c.byTag[tag]; ok {
		return tag
	}
	primary, _, _ := strings.Cut(tag, "-")
	if _, ok := c.byTag[primary]; ok {
		return primary
	}
	return ""
}

// fromAcceptLanguage picks the best language the page has from an
// Accept-Language header ("fr-CA,fr;q=0.9,en;q=0.5"), by quality, then order.
func (c *catalogs) fromAcceptLanguage(header string) string {
	best, bestQ := defaultLang, 0.0
	for part := range strings.SplitSeq(header, ",") {
		tag, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		q := 1.0
		if v, ok := strings.CutPrefix(strings.TrimSpace(params), "q="); ok {
			if f, err := strconv.ParseFloat(v, 64); err == nil {
				q = f
			}
		}
		if m := c.match(tag); m != "" && q > bestQ {
			best, bestQ = m, q
		}
	}
	return best
}

// langLink is one entry of the language switch.
type langLink struct {
	Tag, Name, URL string
	Current        bool
}

// switchLinks are the language switch's links: the page the member is on,
// with its query kept and lang set. They are query-only ("?lang=es"), so
// the browser keeps the page's own path: a path written into the link
// could be "//evil.example", which a browser reads as another host.
func (c *catalogs) switchLinks(r *http.Request, current string) []langLink {
	out := make([]langLink, 0, len(c.tags))
	for _, tag := range c.tags {
		q := url.Values{}
		for k, v := range r.URL.Query() {
			q[k] = v
		}
		q.Set("lang", tag)
		out = append(out, langLink{Tag: tag, Name: c.byTag[tag].name, URL: "?" + q.Encode(), Current: tag == current})
	}
	return out
}
