package web

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"
)

//go:embed static
var staticFS embed.FS

// staticFile is one embedded asset with its version and gzipped body,
// computed once: a board serving 2G phones should not compress the same
// bytes on every request.
type staticFile struct {
	body, gz    []byte
	contentType string
	version     string // first 12 hex digits of the SHA-256 of body
}

// staticFiles serves the embedded assets. Pages link them as
// /static/NAME?v=VERSION; a request with the current version is cached for
// a year, since the URL changes whenever the file does.
type staticFiles struct {
	files map[string]*staticFile
}

func mustLoadStatic() *staticFiles {
	sf := &staticFiles{files: map[string]*staticFile{}}
	root := subFS(staticFS, "static")
	entries, err := fs.ReadDir(root, ".")
	if err != nil {
		panic("web: embedded static: " + err.Error())
	}
	for _, e := range entries {
		body, err := fs.ReadFile(root, e.Name())
		if err != nil {
			panic("web: embedded static: " + err.Error())
		}
		sum := sha256.Sum256(body)
		f := &staticFile{body: body, version: hex.EncodeToString(sum[:6])}
		f.contentType = mime.TypeByExtension(path.Ext(e.Name()))
		if strings.HasPrefix(f.contentType, "text/") && !strings.Contains(f.contentType, "charset") {
			f.contentType += "; charset=utf-8"
		}
		var gz bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&gz, gzip.BestCompression)
		zw.Write(body)
		zw.Close()
		if gz.Len() < len(body) {
			f.gz = gz.Bytes()
		}
		sf.files[e.Name()] = f
	}
	return sf
}

// url is the versioned address of an asset.
func (sf *staticFiles) url(name string) string {
	return "/static/" + name + "?v=" + sf.files[name].version
}

func (sf *staticFiles) serve(w http.ResponseWriter, r *http.Request) {
	f := sf.files[r.PathValue("file")]
	if f == nil {
		http.NotFound(w, r)
		return
	}
	h := w.Header()
	h.Set("Content-Type", f.contentType)
	h.Set("ETag", `"`+f.version+`"`)
	h.Set("Vary", "Accept-Encoding")
	if r.URL.Query().Get("v") == f.version {
		h.Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		h.Set("Cache-Control", "no-cache")
	}
	if match := r.Header.Get("If-None-Match"); match != "" && strings.Contains(match, `"`+f.version+`"`) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	body := f.body
	if f.gz != nil && acceptsGzip(r) {
		h.Set("Content-Encoding", "gzip")
		body = f.gz
	}
	w.Write(body)
}

// acceptsGzip reports whether the client takes gzip.
func acceptsGzip(r *http.Request) bool {
	for part := range strings.SplitSeq(r.Header.Get("Accept-Encoding"), ",") {
		coding, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if strings.EqualFold(strings.TrimSpace(coding), "gzip") {
			return strings.TrimSpace(params) != "q=0"
		}
	}
	return false
}
