package meetingguide

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"hearth/protocol"
)

// DecodeOptions are the caller's answers to what a feed may leave out.
type DecodeOptions struct {
	// Timezone is the IANA zone ("America/Los_Angeles") of rows that name
	// none, usually the area's. With "" such rows keep no zone and the
	// caller decides.
	Timezone string
	// Providers is the allow-list of conference hosts: "zoom.us" allows
	// zoom.us and every *.zoom.us. A conference URL on any other host is
	// kept and flagged in Result.UnknownProviders. Empty flags nothing.
	Providers []string
}

// DefaultProviders are the video-conference and group-call services real
// feeds link to, a starting allow-list for DecodeOptions.Providers; a hub's
// meetings.conference_providers starts as this list.
var DefaultProviders = []string{
	"bluejeans.com", "chat.whatsapp.com", "discord.com", "discord.gg", "freeconference.com",
	"freeconferencecall.com", "goto.com", "gotomeet.me", "gotomeeting.com", "meet.google.com",
	"meet.jit.si", "meetings.dialpad.com", "signal.group", "skype.com", "t.me", "teams.live.com",
	"teams.microsoft.com", "webex.com", "whereby.com", "zoho.com", "zoom.us",
}

// Result is what Decode made of a feed. In every report, Index is the row's
// position in the feed's array, counting from 0, and Slug the row's slug as
// the feed writes it, so an operator can find the row.
type Result struct {
	// Listings have only their meeting fields filled, in feed order (a
	// multi-day row gives one listing per day, Sunday first). Every one
	// passes protocol's field rules once the caller fills Version, Hub, Seq,
	// IssuedAt and ExpiresAt.
	Listings []protocol.Listing
	// Skipped are the rows that could not become a listing.
	Skipped []Skipped
	// UnknownProviders are rows whose conference URL is on a host not in
	// DecodeOptions.Providers. Their listings are kept.
	UnknownProviders []Flag
	// Repairs are the rows that became listings only after a detail was
	// changed or dropped, one entry per change.
	Repairs []Repair
}

// Skipped is a feed row that did not become a listing.
type Skipped struct {
	Index  int
	Slug   string
	Reason string // one line
}

// Flag is a conference URL on a host outside the allow-list.
type Flag struct {
	Index int
	Slug  string
	Host  string
}

// Repair is one change Decode made to a row to keep its meeting.
type Repair struct {
	Index int
	Slug  string
	What  string // one line
}

// ErrNotFeed is wrapped by every error Decode returns for input that is not
// a Meeting Guide feed (not JSON, or not an array). These errors are written
// for the operator who gave the file, so they carry no package prefix.
var ErrNotFeed = errors.New("not a Meeting Guide feed")

// SyntaxError is Decode's error for input that is not valid JSON: where it
// broke, counted as an editor does (lines and columns from 1, columns in
// characters). It wraps ErrNotFeed.
type SyntaxError struct {
	Line, Column int
	Msg          string // encoding/json's description
}

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("the feed is not valid JSON: line %d, column %d: %s", e.Line, e.Column, e.Msg)
}

func (e *SyntaxError) Unwrap() error { return ErrNotFeed }

// utf8BOM starts feeds saved by some Windows tools; JSON does not allow it.
var utf8BOM = []byte("\xef\xbb\xbf")

// Decode reads a Meeting Guide feed: a JSON array of meeting objects. It
// reads r to the end; callers reading from a network should bound r. It
// fails, returning nothing, only when the input is not a JSON array (a
// *SyntaxError for invalid JSON); a row that cannot become a listing is
// skipped and reported in the Result. See the package documentation for
// what it tolerates.
//
// Every listing gets Format protocol.FormatPeerLed (a feed lists fellowship
// meetings) and a Language derived from its language type codes ("S" ->
// "es"); Focus is left to the caller. A slug is kept as written when
// protocol accepts it and is unique in the feed; otherwise it is renamed
// deterministically (see Result.Repairs). The listings of a multi-day row
// take the suffixes "-d0" ... "-d6". When several rows share a slug, the
// first keeps it and the later ones get "-2", "-3", ..., so the names are
// stable as long as the feed keeps its order.
func Decode(r io.Reader, opts DecodeOptions) (*Result, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("meetingguide: read feed: %w", err)
	}
	return DecodeBytes(data, opts)
}

// DecodeBytes is Decode of a feed already in memory, without a copy: a
// country's feed is tens of megabytes. It does not change data.
func DecodeBytes(data []byte, opts DecodeOptions) (*Result, error) {
	if opts.Timezone != "" {
		if _, err := protocol.LoadTimezone(opts.Timezone); err != nil {
			return nil, fmt.Errorf("meetingguide: decode options: %w", err)
		}
	}
	data = bytes.TrimPrefix(data, utf8BOM)

	dec := json.NewDecoder(bytes.NewReader(data))
	tok, err := dec.Token()
	if err == io.EOF {
		return nil, fmt.Errorf("%w: the file is empty", ErrNotFeed)
	}
	if err != nil {
		return nil, syntaxError(data, err)
	}
	if delim, ok := tok.(json.Delim); !ok || delim != '[' {
		if !json.Valid(data) {
			return nil, syntaxError(data, nil)
		}
		return nil, fmt.Errorf("%w: it is a JSON %s, not an array of meetings", ErrNotFeed, kindOf(tok))
	}

	d := decoder{timezone: opts.Timezone, providers: normalizeProviders(opts.Providers), zones: map[string]error{}, res: &Result{}}
	for i := 0; dec.More(); i++ {
		var row feedRow
		if err := dec.Decode(&row); err != nil {
			var typeErr *json.UnmarshalTypeError
			if !errors.As(err, &typeErr) {
				return nil, syntaxError(data, err)
			}
			d.skip(i, "", fmt.Sprintf("row is a JSON %s, not a meeting object", typeErr.Value))
			continue
		}
		d.row(i, &row)
	}
	// The closing ']', then nothing but space.
	if _, err := dec.Token(); err != nil {
		return nil, syntaxError(data, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, syntaxError(data, err)
	}
	d.dedupe()
	return d.res, nil
}

// syntaxError locates what is wrong with data. The streaming decoder's
// offsets are not reliably from the start of the input, so the input is
// checked again whole, which gives the exact byte; this runs only on the
// error path.
func syntaxError(data []byte, fallback error) error {
	var raw json.RawMessage
	err := json.Unmarshal(data, &raw)
	var se *json.SyntaxError
	if !errors.As(err, &se) {
		if fallback == nil {
			fallback = errors.New("unreadable")
		}
		return fmt.Errorf("%w: %v", ErrNotFeed, fallback)
	}
	// Offset counts the bytes read, the bad one included; at the end of
	// the input there is no bad byte and the position is just past the end.
	pos := int(se.Offset) - 1
	if se.Error() == "unexpected end of JSON input" {
		pos = len(data)
	}
	pos = max(0, min(pos, len(data)))
	lineStart := bytes.LastIndexByte(data[:pos], '\n') + 1
	return &SyntaxError{
		Line:   bytes.Count(data[:pos], []byte{'\n'}) + 1,
		Column: utf8.RuneCount(data[lineStart:pos]) + 1,
		Msg:    se.Error(),
	}
}

func kindOf(tok json.Token) string {
	switch tok.(type) {
	case json.Delim:
		return "object"
	case string:
		return "string"
	case float64, json.Number:
		return "number"
	case bool:
		return "boolean"
	}
	return "null"
}

// normalizeProviders lower-cases hosts and accepts "*.zoom.us",
// ".zoom.us" and "https://zoom.us/" for "zoom.us".
func normalizeProviders(in []string) []string {
	var out []string
	for _, p := range in {
		p = strings.ToLower(strings.TrimSpace(p))
		if strings.Contains(p, "://") {
			if u, err := url.Parse(p); err == nil {
				p = u.Hostname()
			}
		}
		p = strings.TrimPrefix(strings.TrimPrefix(p, "*"), ".")
		p = strings.TrimSuffix(p, "/")
		if p != "" {
			out = append(out, p)
		}
	}
	return out
}

// decoder holds one Decode's state.
type decoder struct {
	timezone  string
	providers []string
	zones     map[string]error // time zones checked so far
	res       *Result
	// The feed row, and its slug as written, of each listing in
	// res.Listings, for reports made after the row is done.
	rows []int
	raws []string
}

func (d *decoder) skip(i int, slug, reason string) {
	d.res.Skipped = append(d.res.Skipped, Skipped{Index: i, Slug: slug, Reason: reason})
}

func (d *decoder) repair(i int, slug, format string, args ...any) {
	d.res.Repairs = append(d.res.Repairs, Repair{Index: i, Slug: slug, What: fmt.Sprintf(format, args...)})
}

// row turns one feed row into its listings, or skips it. A skipped row
// reports only why it was skipped, not what was repaired on the way.
func (d *decoder) row(i int, w *feedRow) {
	raw := string(w.Slug)
	repairs := len(d.res.Repairs)
	if raw == "" {
		d.skip(i, "", "no slug: every meeting needs one, unique in the feed")
		return
	}
	if w.Name == "" {
		d.skip(i, raw, "no name")
		return
	}
	days, array, err := parseDays(w.Day)
	if err != nil {
		d.skip(i, raw, err.Error())
		return
	}
	l, reason := d.meeting(i, raw, w)
	if reason != "" {
		d.res.Repairs = d.res.Repairs[:repairs]
		d.skip(i, raw, reason)
		return
	}
	if len(days) == 0 {
		days, array = []int{-1}, false // by appointment (or a time with no day, refused below)
	}
	first := len(d.res.Listings)
	renamed := ""
	for _, day := range days {
		// Built in place: a listing is large, and copies add up over a feed.
		d.res.Listings = append(d.res.Listings, l)
		c := &d.res.Listings[len(d.res.Listings)-1]
		suffix := ""
		if day >= 0 {
			c.Day = &day
			if array {
				suffix = "-d" + strconv.Itoa(day)
			}
		}
		var wasRenamed bool
		c.Slug, wasRenamed = slugFor(raw, suffix)
		if wasRenamed && renamed == "" {
			renamed = c.Slug
		}
		if err := check(c, d.zones); err != nil {
			d.res.Listings = d.res.Listings[:first]
			d.res.Repairs = d.res.Repairs[:repairs]
			d.skip(i, raw, err.Error())
			return
		}
	}
	if renamed != "" {
		d.repair(i, raw, "slug %q breaks the slug rule (1-128 letters, digits, '.', '_', '~' or '-'): renamed %q", clip(raw), renamed)
	}
	if host := d.unknownHost(l.ConferenceURL); host != "" {
		d.res.UnknownProviders = append(d.res.UnknownProviders, Flag{Index: i, Slug: raw, Host: host})
	}
	for range d.res.Listings[first:] {
		d.rows = append(d.rows, i)
		d.raws = append(d.raws, raw)
	}
}

// meeting maps a row's fields, except day and slug, onto a listing,
// repairing what can be repaired, or says why the row must be skipped.
func (d *decoder) meeting(i int, raw string, w *feedRow) (l protocol.Listing, skip string) {
	l = protocol.Listing{
		Format:               protocol.FormatPeerLed,
		Name:                 string(w.Name),
		Timezone:             string(w.Timezone),
		Notes:                string(w.Notes),
		Location:             string(w.Location),
		LocationNotes:        string(w.LocationNotes),
		FormattedAddress:     string(w.FormattedAddress),
		Address:              string(w.Address),
		City:                 string(w.City),
		State:                string(w.State),
		PostalCode:           string(w.PostalCode),
		Country:              string(w.Country),
		Approximate:          parseApproximate(w.Approximate),
		Region:               string(w.Region),
		SubRegion:            string(w.SubRegion),
		Regions:              []string(w.Regions),
		Group:                string(w.Group),
		GroupNotes:           string(w.GroupNotes),
		ConferenceURLNotes:   string(w.ConferenceURLNotes),
		ConferencePhone:      string(w.ConferencePhone),
		ConferencePhoneNotes: string(w.ConferencePhoneNotes),
		Email:                string(w.Email),
		Phone:                string(w.Phone),
		Venmo:                string(w.Venmo),
		Square:               string(w.Square),
		PayPal:               string(w.PayPal),
		FeedbackEmails:       splitCommas(w.FeedbackEmails),
	}
	if l.Timezone == "" {
		l.Timezone = d.timezone
	}
	if w.Updated != "" {
		if u, ok := normalizeUpdated(string(w.Updated)); ok {
			l.Updated = u
		} else {
			d.repair(i, raw, "updated %q dropped: not a date", clip(string(w.Updated)))
		}
	}
	if w.Time != "" {
		t, err := parseClock(string(w.Time))
		if err != nil {
			return l, "time " + err.Error()
		}
		l.Time = t
	}
	if w.EndTime != "" {
		switch t, err := parseClock(string(w.EndTime)); {
		case err != nil:
			d.repair(i, raw, "end_time %q dropped: not a time", clip(string(w.EndTime)))
		case l.Time == "":
			d.repair(i, raw, "end_time dropped: the meeting has no start time")
		default:
			l.EndTime = t
		}
	}
	for _, code := range splitCommas(w.Types) {
		if protocol.ValidTypeCode(code) {
			l.Types = append(l.Types, code)
		} else {
			d.repair(i, raw, "type %q dropped: a code is 1-16 letters, digits or '-'", clip(code))
		}
	}
	l.Language = languageOf(l.Types)

	lat, latOK := parseCoordinate(string(w.Latitude))
	lon, lonOK := parseCoordinate(string(w.Longitude))
	switch {
	case w.Latitude == "" && w.Longitude == "":
	case latOK && lonOK && lat >= -90 && lat <= 90 && lon >= -180 && lon <= 180:
		l.Latitude, l.Longitude = &lat, &lon
	default:
		d.repair(i, raw, "position %q,%q dropped: not a latitude and longitude", clip(string(w.Latitude)), clip(string(w.Longitude)))
	}

	for _, f := range []struct {
		name string
		in   text
		out  *string
	}{
		{"url", w.URL, &l.URL},
		{"website", w.Website, &l.Website},
		{"conference_url", w.ConferenceURL, &l.ConferenceURL},
		{"feedback_url", w.FeedbackURL, &l.FeedbackURL},
	} {
		v := string(f.in)
		if v == "" {
			continue
		}
		if protocol.CheckURL(f.name, v) == nil {
			*f.out = v
			continue
		}
		// The spec allows a mailto: feedback_url; Hearth carries web
		// addresses only, and the address fits in feedback_emails.
		if addr, ok := strings.CutPrefix(v, "mailto:"); ok && f.name == "feedback_url" {
			addr, _, _ = strings.Cut(addr, "?")
			if addr, err := url.PathUnescape(addr); err == nil && strings.TrimSpace(addr) != "" {
				l.FeedbackEmails = append(l.FeedbackEmails, splitCommas([]string{addr})...)
				d.repair(i, raw, "feedback_url %q moved to feedback_emails", clip(v))
				continue
			}
		}
		d.repair(i, raw, "%s %q dropped: not a full http:// or https:// address of at most 2048 characters", f.name, clip(v))
	}

	if w.AttendanceOption != "" {
		if a, ok := ParseAttendance(string(w.AttendanceOption)); ok {
			l.Attendance = a
		} else {
			d.repair(i, raw, "attendance_option %q ignored: use %s", clip(string(w.AttendanceOption)), strings.Join(protocol.Attendances, ", "))
		}
	}
	for _, c := range []protocol.Contact{
		{Name: string(w.Contact1Name), Email: string(w.Contact1Email), Phone: string(w.Contact1Phone)},
		{Name: string(w.Contact2Name), Email: string(w.Contact2Email), Phone: string(w.Contact2Phone)},
		{Name: string(w.Contact3Name), Email: string(w.Contact3Email), Phone: string(w.Contact3Phone)},
	} {
		if c != (protocol.Contact{}) {
			l.Contacts = append(l.Contacts, c)
		}
	}
	return l, ""
}

// splitCommas splits each element on commas: feeds written from
// spreadsheets put "O, D" or "a@x.org, b@x.org" in one string.
func splitCommas(in []string) []string {
	var out []string
	for _, e := range in {
		for part := range strings.SplitSeq(e, ",") {
			if part = strings.TrimSpace(part); part != "" {
				out = append(out, part)
			}
		}
	}
	return out
}

// unknownHost is the host of a conference URL that is not on the
// allow-list, or "".
func (d *decoder) unknownHost(conferenceURL string) string {
	if conferenceURL == "" || len(d.providers) == 0 {
		return ""
	}
	u, err := url.Parse(conferenceURL)
	if err != nil {
		return ""
	}
	host := strings.ToLower(u.Hostname())
	for _, p := range d.providers {
		if host == p || strings.HasSuffix(host, "."+p) {
			return ""
		}
	}
	return host
}

// dedupe gives every listing after the first with the same slug the first
// free "-2", "-3", ... A slug another row already uses is never taken, so
// a feed with "a", "a", "a-2" gives "a", "a-3", "a-2".
func (d *decoder) dedupe() {
	taken := make(map[string]bool, len(d.res.Listings))
	for _, l := range d.res.Listings {
		taken[l.Slug] = true
	}
	seen := make(map[string]bool, len(d.res.Listings))
	kept := d.res.Listings[:0]
	for k, l := range d.res.Listings {
		i, raw := d.rows[k], d.raws[k]
		if !seen[l.Slug] {
			seen[l.Slug] = true
			kept = append(kept, l)
			continue
		}
		was := l.Slug
		n := 2
		for taken[numbered(was, n)] {
			n++
		}
		l.Slug = numbered(was, n)
		taken[l.Slug], seen[l.Slug] = true, true
		if err := check(&l, d.zones); err != nil { // a longer slug, a few more bytes
			d.skip(i, raw, err.Error())
			continue
		}
		d.repair(i, raw, "slug %q is used by an earlier row: renamed %q", clip(was), l.Slug)
		kept = append(kept, l)
	}
	d.res.Listings = kept
	sort.SliceStable(d.res.Skipped, func(a, b int) bool { return d.res.Skipped[a].Index < d.res.Skipped[b].Index })
	sort.SliceStable(d.res.Repairs, func(a, b int) bool { return d.res.Repairs[a].Index < d.res.Repairs[b].Index })
}
