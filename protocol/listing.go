package protocol

import (
	"fmt"
	"math"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/libp2p/go-libp2p/core/peer"
)

// Listing is one meeting as hubs share it: a Meeting Guide meeting (the
// code4recovery JSON feed spec) plus Hearth's own fields. Its JSON is the
// payload of a signed envelope, read by DecodeListing's strict rules;
// PROTOCOL.md gives every field's type, rule and limit.
type Listing struct {
	// Hearth fields.
	Version   int       `json:"v"`
	Hub       string    `json:"hub"`  // author: the peer ID whose key signs the envelope
	Slug      string    `json:"slug"` // unique among the hub's listings; the feed's slug on import
	Seq       uint64    `json:"seq"`  // newer wins; 1 to MaxSeq
	IssuedAt  time.Time `json:"issued_at"`
	ExpiresAt time.Time `json:"expires_at"`
	Cancelled bool      `json:"cancelled,omitzero"` // a tombstone, kept until it expires
	Format    string    `json:"format,omitempty"`   // FormatPeerLed or FormatFacilitated; "" if unknown
	Focus     string    `json:"focus,omitempty"`    // one of Focuses; "" if unknown
	Language  string    `json:"language,omitempty"` // BCP 47 tag of the meeting's language, e.g. "es"
	// AddressVisibility "on-request" means the street address is withheld:
	// only region and contact travel.
	AddressVisibility string `json:"address_visibility,omitempty"`

	// Meeting Guide fields. Day and Time are both nil/empty for meetings by
	// appointment.
	Name                 string    `json:"name"`
	Day                  *int      `json:"day,omitempty"`  // 0 = Sunday … 6 = Saturday
	Time                 string    `json:"time,omitempty"` // HH:MM, 24-hour, in Timezone
	EndTime              string    `json:"end_time,omitempty"`
	Timezone             string    `json:"timezone,omitempty"` // IANA name
	Types                []string  `json:"types,omitempty"`    // Meeting Guide type codes
	Notes                string    `json:"notes,omitempty"`
	Updated              string    `json:"updated,omitempty"` // "YYYY-MM-DD HH:MM:SS" as the spec writes it
	URL                  string    `json:"url,omitempty"`
	Location             string    `json:"location,omitempty"`
	LocationNotes        string    `json:"location_notes,omitempty"`
	FormattedAddress     string    `json:"formatted_address,omitempty"`
	Address              string    `json:"address,omitempty"`
	City                 string    `json:"city,omitempty"`
	State                string    `json:"state,omitempty"`
	PostalCode           string    `json:"postal_code,omitempty"`
	Country              string    `json:"country,omitempty"`
	Latitude             *float64  `json:"latitude,omitempty"`
	Longitude            *float64  `json:"longitude,omitempty"`
	Approximate          bool      `json:"approximate,omitzero"`
	Region               string    `json:"region,omitempty"`
	SubRegion            string    `json:"sub_region,omitempty"`
	Regions              []string  `json:"regions,omitempty"`
	Group                string    `json:"group,omitempty"`
	GroupNotes           string    `json:"group_notes,omitempty"`
	Attendance           string    `json:"attendance,omitempty"` // one of Attendances; "" to derive from the rest
	ConferenceURL        string    `json:"conference_url,omitempty"`
	ConferenceURLNotes   string    `json:"conference_url_notes,omitempty"`
	ConferencePhone      string    `json:"conference_phone,omitempty"`
	ConferencePhoneNotes string    `json:"conference_phone_notes,omitempty"`
	Website              string    `json:"website,omitempty"`
	Email                string    `json:"email,omitempty"`
	Phone                string    `json:"phone,omitempty"`
	FeedbackURL          string    `json:"feedback_url,omitempty"`
	FeedbackEmails       []string  `json:"feedback_emails,omitempty"`
	Venmo                string    `json:"venmo,omitempty"`
	Square               string    `json:"square,omitempty"`
	PayPal               string    `json:"paypal,omitempty"`
	Contacts             []Contact `json:"contacts,omitempty"`
}

// Contact is one of a meeting's contact people (contact_N_* in a feed).
type Contact struct {
	Name  string `json:"name,omitempty"`
	Email string `json:"email,omitempty"`
	Phone string `json:"phone,omitempty"`
}

// Values of Listing.Format: members must be able to tell a peer-run room from
// a professionally facilitated one.
const (
	FormatPeerLed     = "peer-led"    // a self-help group: run by members with lived experience
	FormatFacilitated = "facilitated" // a support group led by a professional
)

// Focuses are the values Listing.Focus may take.
var Focuses = []string{"alcohol", "drugs", "gambling", "mental-health", "self-harm", "family", "grief", "other"}

// Attendances are the values Listing.Attendance may take (the TSML
// attendance_option values).
var Attendances = []string{"in_person", "online", "hybrid", "inactive"}

// AddressOnRequest is the Listing.AddressVisibility of a meeting whose street
// address is given only on request.
const AddressOnRequest = "on-request"

// MaxSeq is the largest seq: 2^53 - 1, the largest integer every JSON
// implementation reads exactly (JavaScript's Number.MAX_SAFE_INTEGER). A hub
// issues the time in Unix milliseconds, far below it.
const MaxSeq = 1<<53 - 1

// Field limits, generous for real feeds; the payload cap bounds the whole.
const (
	maxName    = 200
	maxText    = 4000
	maxURL     = 2048
	maxShort   = 200
	maxTypes   = 40
	maxContact = 5
)

var (
	slugPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._~-]{0,127}$`)
	typePattern = regexp.MustCompile(`^[A-Za-z0-9-]{1,16}$`)
	langPattern = regexp.MustCompile(`^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$`)
)

// ID is the listing's federation-wide identity, "HUB/slug".
func (l *Listing) ID() string { return l.Hub + "/" + l.Slug }

// Validate checks the listing's fields against schema v1. It does not look at
// the clock (see CheckFreshness) or at who signed it (see Open).
func (l *Listing) Validate() error {
	if l.Version != SchemaVersion {
		return invalidf("schema version %d, this hub speaks %d", l.Version, SchemaVersion)
	}
	hub, err := peer.Decode(l.Hub)
	if err != nil {
		return invalidf("hub %q is not a peer ID", l.Hub)
	}
	if hub.String() != l.Hub {
		return fmt.Errorf("%w: hub %q: write it as %s", ErrHubForm, l.Hub, hub)
	}
	if !slugPattern.MatchString(l.Slug) {
		return invalidf("slug %q: use 1-128 letters, digits, '.', '_', '~' or '-'", l.Slug)
	}
	if l.Seq == 0 || l.Seq > MaxSeq {
		return invalidf("seq %d: use 1 to %d", l.Seq, uint64(MaxSeq))
	}
	if l.IssuedAt.IsZero() || l.ExpiresAt.IsZero() {
		return invalidf("issued_at and expires_at are required")
	}
	if !l.ExpiresAt.After(l.IssuedAt) {
		return invalidf("expires_at must be after issued_at")
	}
	if l.ExpiresAt.Sub(l.IssuedAt) > MaxLifetime {
		return invalidf("expires_at is more than %d days after issued_at", int(MaxLifetime.Hours()/24))
	}
	if strings.TrimSpace(l.Name) == "" {
		return invalidf("name is empty")
	}
	if err := checkSchedule(l.Day, l.Time, l.EndTime, l.Timezone); err != nil {
		return err
	}
	if err := oneOf("format", l.Format, FormatPeerLed, FormatFacilitated); err != nil {
		return err
	}
	if err := oneOf("focus", l.Focus, Focuses...); err != nil {
		return err
	}
	if err := oneOf("attendance", l.Attendance, Attendances...); err != nil {
		return err
	}
	if err := oneOf("address_visibility", l.AddressVisibility, AddressOnRequest); err != nil {
		return err
	}
	if l.AddressVisibility == AddressOnRequest && l.hasStreetAddress() {
		return invalidf("address_visibility is on-request but a street address or position is given")
	}
	if l.Language != "" && !langPattern.MatchString(l.Language) {
		return invalidf("language %q is not a language tag such as \"en\" or \"es\"", l.Language)
	}
	if len(l.Types) > maxTypes {
		return invalidf("%d types, at most %d", len(l.Types), maxTypes)
	}
	for _, t := range l.Types {
		if !typePattern.MatchString(t) {
			return invalidf("type %q: use 1-16 letters, digits or '-'", t)
		}
	}
	if err := checkPosition(l.Latitude, l.Longitude); err != nil {
		return err
	}
	for _, u := range []struct{ field, value string }{
		{"url", l.URL}, {"conference_url", l.ConferenceURL}, {"website", l.Website}, {"feedback_url", l.FeedbackURL},
	} {
		if err := CheckURL(u.field, u.value); err != nil {
			return err
		}
	}
	if len(l.Contacts) > maxContact {
		return invalidf("%d contacts, at most %d", len(l.Contacts), maxContact)
	}
	return l.checkTextLengths()
}

// CheckFreshness checks the listing's times against the clock: not expired,
// not issued in the future (beyond MaxClockSkew).
func (l *Listing) CheckFreshness(now time.Time) error {
	if !l.ExpiresAt.After(now) {
		return fmt.Errorf("%w: expired at %s", ErrExpired, l.ExpiresAt.UTC().Format(time.RFC3339))
	}
	if l.IssuedAt.After(now.Add(MaxClockSkew)) {
		return fmt.Errorf("%w: issued at %s", ErrFuture, l.IssuedAt.UTC().Format(time.RFC3339))
	}
	return nil
}

func (l *Listing) hasStreetAddress() bool {
	return l.Address != "" || l.FormattedAddress != "" || l.PostalCode != "" || l.Latitude != nil || l.Longitude != nil
}

func (l *Listing) checkTextLengths() error {
	short := map[string]string{
		"timezone": l.Timezone, "location": l.Location, "address": l.Address, "city": l.City, "state": l.State,
		"postal_code": l.PostalCode, "country": l.Country, "region": l.Region, "sub_region": l.SubRegion,
		"group": l.Group, "conference_phone": l.ConferencePhone, "email": l.Email, "phone": l.Phone,
		"venmo": l.Venmo, "square": l.Square, "paypal": l.PayPal, "updated": l.Updated,
		"formatted_address": l.FormattedAddress,
	}
	for _, r := range l.Regions {
		if err := checkText("regions", r, maxShort); err != nil {
			return err
		}
	}
	for _, e := range l.FeedbackEmails {
		if err := checkText("feedback_emails", e, maxShort); err != nil {
			return err
		}
	}
	for _, c := range l.Contacts {
		for _, v := range []string{c.Name, c.Email, c.Phone} {
			if err := checkText("contacts", v, maxShort); err != nil {
				return err
			}
		}
	}
	for field, v := range short {
		if err := checkText(field, v, maxShort); err != nil {
			return err
		}
	}
	long := map[string]string{
		"name": l.Name, "notes": l.Notes, "location_notes": l.LocationNotes, "group_notes": l.GroupNotes,
		"conference_url_notes": l.ConferenceURLNotes, "conference_phone_notes": l.ConferencePhoneNotes,
	}
	for field, v := range long {
		limit := maxText
		if field == "name" {
			limit = maxName
		}
		if err := checkText(field, v, limit); err != nil {
			return err
		}
	}
	return nil
}

func checkText(field, v string, limit int) error {
	if !utf8.ValidString(v) {
		return invalidf("%s is not valid UTF-8", field)
	}
	if n := utf8.RuneCountInString(v); n > limit {
		return invalidf("%s is %d characters, at most %d", field, n, limit)
	}
	return nil
}

// checkSchedule checks day, time, end time and time zone together: a meeting
// by appointment has neither day nor time; otherwise both are needed.
func checkSchedule(day *int, start, end, tz string) error {
	if day == nil {
		if start != "" || end != "" {
			return invalidf("a time is given but no day")
		}
	} else {
		if *day < 0 || *day > 6 {
			return invalidf("day %d: use 0 (Sunday) to 6 (Saturday)", *day)
		}
		if start == "" {
			return invalidf("a day is given but no time")
		}
	}
	if start != "" {
		if _, err := ParseClock(start); err != nil {
			return invalidf("time: %v", err)
		}
	}
	if end != "" {
		if _, err := ParseClock(end); err != nil {
			return invalidf("end_time: %v", err)
		}
	}
	if tz != "" {
		if _, err := LoadTimezone(tz); err != nil {
			return invalidf("%v", err)
		}
	}
	return nil
}

// ParseClock parses "HH:MM" (24-hour) into minutes after midnight.
func ParseClock(s string) (int, error) {
	digit := func(i int) int { return int(s[i]) - '0' }
	if len(s) != 5 || s[2] != ':' || !isDigits(s[:2]) || !isDigits(s[3:]) {
		return 0, fmt.Errorf("%q is not a time: use HH:MM, 24-hour, such as 19:30", s)
	}
	h, m := digit(0)*10+digit(1), digit(3)*10+digit(4)
	if h > 23 || m > 59 {
		return 0, fmt.Errorf("%q is not a time: use HH:MM, 24-hour, such as 19:30", s)
	}
	return h*60 + m, nil
}

func isDigits(s string) bool {
	for i := range len(s) {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// zones caches LoadTimezone: time.LoadLocation parses the zone data on
// every call, and every listing that arrives names a zone.
var zones sync.Map // name -> *time.Location

// LoadTimezone loads an IANA time zone by name ("Europe/London").
func LoadTimezone(name string) (*time.Location, error) {
	if loc, ok := zones.Load(name); ok {
		return loc.(*time.Location), nil
	}
	// time.LoadLocation accepts "" and "Local", which mean this machine's
	// zone: never what a listing that travels to other hubs means.
	if name == "" || name == "Local" || strings.ContainsAny(name, `\ `) {
		return nil, fmt.Errorf("timezone %q is not an IANA zone name such as Europe/London", name)
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, fmt.Errorf("timezone %q is not an IANA zone name such as Europe/London", name)
	}
	zones.Store(name, loc)
	return loc, nil
}

// CheckURL checks that v, if set, is an absolute http or https URL.
func CheckURL(field, v string) error {
	if v == "" {
		return nil
	}
	u, err := url.Parse(v)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || len(v) > maxURL {
		return invalidf("%s %q is not a web address: use a full http:// or https:// URL", field, v)
	}
	return nil
}

func checkPosition(lat, lon *float64) error {
	if (lat == nil) != (lon == nil) {
		return invalidf("latitude and longitude come together")
	}
	if lat == nil {
		return nil
	}
	if math.IsNaN(*lat) || math.IsNaN(*lon) || *lat < -90 || *lat > 90 || *lon < -180 || *lon > 180 {
		return invalidf("position %v,%v is not on Earth", *lat, *lon)
	}
	return nil
}

func oneOf(field, v string, allowed ...string) error {
	if v == "" {
		return nil
	}
	for _, a := range allowed {
		if v == a {
			return nil
		}
	}
	return invalidf("%s %q: use one of %s", field, v, strings.Join(allowed, ", "))
}

func invalidf(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalid, fmt.Sprintf(format, args...))
}

// SplitID splits a listing ID "HUB/slug" into its parts.
func SplitID(id string) (hub peer.ID, slug string, err error) {
	h, s, ok := strings.Cut(id, "/")
	if !ok || !slugPattern.MatchString(s) {
		return "", "", fmt.Errorf("listing ID %q: use PEERID/slug", id)
	}
	hub, err = peer.Decode(h)
	if err != nil {
		return "", "", fmt.Errorf("listing ID %q: %q is not a peer ID", id, h)
	}
	return hub, s, nil
}

// Slugify makes a slug from free text: lower-case ASCII letters and digits
// joined by '-', at most 60 characters.
func Slugify(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range Fold(s) {
		switch {
		case r >= 'a' && r <= 'z' || r >= '0' && r <= '9':
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			b.WriteRune(r)
			dash = false
		default:
			dash = true
		}
		if b.Len() >= 60 {
			break
		}
	}
	if b.Len() == 0 {
		return "meeting"
	}
	return b.String()
}
