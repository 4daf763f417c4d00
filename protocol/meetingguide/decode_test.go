package meetingguide

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/peer"

	"hearth/protocol"
)

func decodeFile(t testing.TB, name string, opts DecodeOptions) (*Result, error) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return Decode(bytes.NewReader(data), opts)
}

func decodeString(t *testing.T, feed string, opts DecodeOptions) *Result {
	t.Helper()
	res, err := Decode(strings.NewReader(feed), opts)
	if err != nil {
		t.Fatalf("Decode: %v", err)
	}
	return res
}

// testHub is a real hub identity, so tests check decoded listings the way
// a caller will use them, independently of the package's own check.
var testHub = func() string {
	_, pub, err := crypto.GenerateEd25519Key(nil)
	if err != nil {
		panic(err)
	}
	id, err := peer.IDFromPublicKey(pub)
	if err != nil {
		panic(err)
	}
	return id.String()
}()

// mustValidate fills the caller's fields and checks the listing against
// protocol's rules.
func mustValidate(t testing.TB, l protocol.Listing) {
	t.Helper()
	l.Version, l.Hub, l.Seq = protocol.SchemaVersion, testHub, 1
	l.IssuedAt = time.Now()
	l.ExpiresAt = l.IssuedAt.Add(protocol.MaxLifetime)
	if err := l.Validate(); err != nil {
		t.Fatalf("listing %q does not validate: %v", l.Slug, err)
	}
}

func bySlug(t *testing.T, res *Result, slug string) protocol.Listing {
	t.Helper()
	for _, l := range res.Listings {
		if l.Slug == slug {
			return l
		}
	}
	t.Fatalf("no listing %q", slug)
	return protocol.Listing{}
}

func ptr[T any](v T) *T { return &v }

// TestDecodeRealFeeds imports every feed in testdata. The figures were
// counted from the files, not from this package:
//
//   - rows: grep -c '"slug":' FILE (every row has one slug key; the small
//     files were also read row by row);
//   - per day: grep -cE '"day": N,?$' FILE for N = 0..6, and by reading the
//     small files, where days are strings ("day": "1");
//   - no file has an array day (grep '"day": \[') or a null day
//     (grep '"day": null'): times.json's README says "one null day", but
//     its by-appointment row ("appointment") leaves day and time out;
//   - by appointment: rows with neither day nor time, found by reading
//     appointment.json (josh-meeting) and times.json (appointment);
//   - flagged: conference_url hosts other than zoom.us and *.zoom.us, in
//     aasfmarin.json: millvalleycabin.com 8, sites.google.com 7,
//     tinyurl.com 5;
//   - repairs: aasanjose.json uses slug pass-it-on-group twice (rows 331
//     and 511, two different meetings); aasfmarin.json has one slug with
//     %E2%80%99 in it (row 655), one row with a longitude and no latitude
//     (row 102) and one feedback_url of 2,514 characters (row 459), over
//     protocol's 2,048.
func TestDecodeRealFeeds(t *testing.T) {
	tests := []struct {
		file                        string
		rows, listings, appointment int
		perDay                      [7]int // Sunday first
		skipped, flagged, repairs   int
	}{
		{file: "aasanjose.json", rows: 693, listings: 693, perDay: [7]int{88, 112, 100, 98, 109, 93, 93}, repairs: 1},
		{file: "aasfmarin.json", rows: 658, listings: 658, perDay: [7]int{94, 95, 98, 100, 90, 89, 92}, flagged: 20, repairs: 3},
		{file: "sussexaa.json", rows: 145, listings: 145, perDay: [7]int{15, 23, 22, 23, 20, 20, 22}},
		// josh-meeting is by appointment; time-meeting is day 4.
		{file: "appointment.json", rows: 2, listings: 2, appointment: 1, perDay: [7]int{4: 1}},
		{file: "timezones.json", rows: 2, listings: 2, perDay: [7]int{6: 2}},
		// "0": sunday-8pm, sunday-8am, approximate; "1": monday-7pm,
		// monday-7am; "6": saturday-8pm, saturday-10am, saturday-7pm;
		// appointment has no day.
		{file: "times.json", rows: 9, listings: 9, appointment: 1, perDay: [7]int{0: 3, 1: 2, 6: 3}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			res, err := decodeFile(t, tt.file, DecodeOptions{Providers: []string{"zoom.us"}})
			if err != nil {
				t.Fatal(err)
			}
			if got := len(res.Listings) + len(res.Skipped); got != tt.rows {
				t.Errorf("listings + skipped = %d, the file has %d rows", got, tt.rows)
			}
			if len(res.Listings) != tt.listings || len(res.Skipped) != tt.skipped {
				t.Errorf("%d listings, %d skipped %v; want %d, %d", len(res.Listings), len(res.Skipped), res.Skipped, tt.listings, tt.skipped)
			}
			if len(res.UnknownProviders) != tt.flagged {
				t.Errorf("%d flagged, want %d: %v", len(res.UnknownProviders), tt.flagged, res.UnknownProviders)
			}
			if len(res.Repairs) != tt.repairs {
				t.Errorf("%d repairs, want %d: %v", len(res.Repairs), tt.repairs, res.Repairs)
			}
			var perDay [7]int
			appointment := 0
			slugs := map[string]bool{}
			for _, l := range res.Listings {
				mustValidate(t, l)
				if slugs[l.Slug] {
					t.Errorf("slug %q twice", l.Slug)
				}
				slugs[l.Slug] = true
				if l.Format != protocol.FormatPeerLed {
					t.Errorf("%s: format %q", l.Slug, l.Format)
				}
				if l.Day == nil {
					appointment++
					if l.Time != "" {
						t.Errorf("%s: no day but time %q", l.Slug, l.Time)
					}
					continue
				}
				perDay[*l.Day]++
			}
			if perDay != tt.perDay || appointment != tt.appointment {
				t.Errorf("per day %v, by appointment %d; want %v, %d", perDay, appointment, tt.perDay, tt.appointment)
			}
		})
	}
}

// TestDecodeRealFeedDetails spot-checks rows read by hand, field by field.
func TestDecodeRealFeedDetails(t *testing.T) {
	t.Run("aasanjose", func(t *testing.T) {
		res, err := decodeFile(t, "aasanjose.json", DecodeOptions{Timezone: "America/Los_Angeles"})
		if err != nil {
			t.Fatal(err)
		}
		// Row 331, as written in the file.
		l := bySlug(t, res, "pass-it-on-group")
		want := protocol.Listing{
			Slug: "pass-it-on-group", Format: protocol.FormatPeerLed,
			Name: "Pass It On Group", Day: ptr(0), Time: "09:30", EndTime: "22:30",
			Timezone: "America/Los_Angeles", // not in the feed: the option
			Location: "Garden House", FormattedAddress: "400 University Ave, Los Altos, CA 94022, USA",
			Latitude: ptr(37.3751024), Longitude: ptr(-122.1195361), Region: "Los Altos",
			Types: []string{"D", "O", "SP"}, Updated: "2021-09-06 00:00:00", // "9/6/2021"
			ConferenceURL:      "https://zoom.us/j/242921682",
			ConferenceURLNotes: "Meeting ID: 807 648 733 Password: redacted",
		}
		assertListing(t, l, want)
		// Row 511, the other Pass It On Group, keeps its meeting.
		l2 := bySlug(t, res, "pass-it-on-group-2")
		if l2.Location != "Los Altos Youth Center" || Attendance(&l2) != "online" { // TC + zoom
			t.Errorf("pass-it-on-group-2: %q, %s", l2.Location, Attendance(&l2))
		}
		// Language: 44 rows have type S, one has ASL and no spoken language.
		langs := map[string]int{}
		updated := 0
		for _, l := range res.Listings {
			langs[l.Language]++
			if l.Updated != "" {
				updated++
				if _, err := time.Parse("2006-01-02 15:04:05", l.Updated); err != nil {
					t.Errorf("%s: updated %q not normalised", l.Slug, l.Updated)
				}
			}
		}
		if langs["es"] != 44 || langs["ase"] != 1 || langs[""] != 648 {
			t.Errorf("languages %v", langs)
		}
		if updated != 417 { // 693 rows, 276 with "updated": null
			t.Errorf("%d rows with updated, want 417", updated)
		}
	})
	t.Run("aasfmarin", func(t *testing.T) {
		res, err := decodeFile(t, "aasfmarin.json", DecodeOptions{})
		if err != nil {
			t.Fatal(err)
		}
		l := bySlug(t, res, "dark-holes-women-s-meeting-1103-688c4387") // row 655
		if l.Address != "100 Martin Luther King Jr. Drive" || l.City != "San Francisco" || l.State != "CA" ||
			l.PostalCode != "94122" || l.Country != "USA" || l.SubRegion != "Inner Sunset" ||
			l.Timezone != "America/Los_Angeles" || l.Venmo != "@example" || l.Language != "en" ||
			l.Latitude == nil || *l.Latitude != 37.76758058284771 || *l.Longitude != -122.46573993233517 ||
			l.Name != "Dark Holes Women\u2019s Meeting" || !strings.HasPrefix(l.FeedbackURL, "https://aa813042.typeform.com/") ||
			l.URL != "https://aasfmarin.org/meetings?meeting=dark-holes-women%E2%80%99s-meeting-1103" {
			t.Errorf("row 655: %+v", l)
		}
		horsemen := bySlug(t, res, "the-headless-horsemen-862") // row 102: half a position
		if horsemen.Latitude != nil || horsemen.Longitude != nil || horsemen.Address != "100 Tarry Rd # 94960" {
			t.Errorf("row 102: %+v", horsemen)
		}
		safe := bySlug(t, res, "safe-sobriety-23") // row 459: feedback_url too long
		if safe.FeedbackURL != "" {
			t.Errorf("row 459 kept a feedback_url of %d characters", len(safe.FeedbackURL))
		}
		// 646 rows say EN, 1 says EN + ASL (English, interpreted), 11 say S.
		langs := map[string]int{}
		for _, l := range res.Listings {
			langs[l.Language]++
		}
		if langs["en"] != 647 || langs["es"] != 11 || len(langs) != 2 {
			t.Errorf("languages %v", langs)
		}
	})
	t.Run("sussexaa", func(t *testing.T) {
		res, err := decodeFile(t, "sussexaa.json", DecodeOptions{})
		if err != nil {
			t.Fatal(err)
		}
		l := bySlug(t, res, "wake-up-call-living-sober") // row 0
		if l.Attendance != "online" || l.Updated != "2020-07-14 18:49:14" || l.Group != "Wake Up Call Group" ||
			!slices.Equal(l.Contacts, []protocol.Contact{{Name: "Contact 1", Email: "contact@example.org"}}) ||
			!slices.Equal(l.Types, []string{"LIT", "LS", "TC", "O", "X", "ONL"}) {
			t.Errorf("row 0: %+v", l)
		}
		sisters := bySlug(t, res, "sisters-of-sobriety") // row 4: three contacts
		if len(sisters.Contacts) != 3 || sisters.Contacts[2].Name != "Contact 3" {
			t.Errorf("row 4 contacts: %+v", sisters.Contacts)
		}
		// attendance_option: in_person 67, inactive 40, online 35, hybrid 3
		// (counted with grep -c '"attendance_option": "in_person"' etc.);
		// contacts: 154 contact_N groups over 104 rows.
		att := map[string]int{}
		contacts := 0
		for _, l := range res.Listings {
			att[l.Attendance]++
			contacts += len(l.Contacts)
		}
		if att["in_person"] != 67 || att["inactive"] != 40 || att["online"] != 35 || att["hybrid"] != 3 {
			t.Errorf("attendance %v", att)
		}
		if contacts != 154 {
			t.Errorf("%d contacts, want 154", contacts)
		}
	})
	t.Run("times", func(t *testing.T) {
		res, err := decodeFile(t, "times.json", DecodeOptions{})
		if err != nil {
			t.Fatal(err)
		}
		l := bySlug(t, res, "monday-7pm")
		want := protocol.Listing{
			Slug: "monday-7pm", Format: protocol.FormatPeerLed, Name: "Monday 7pm",
			Day: ptr(1), Time: "19:00", EndTime: "21:00", Group: "Online Group", Types: []string{"O", "M"},
			FormattedAddress: "123 Main St, Anytown, OK 12345, USA", ConferenceURL: "https://zoom.us/d/5346085",
			Contacts: []protocol.Contact{{Name: "Contact 1", Phone: "475-058-7204", Email: "contact@example.org"}},
		}
		assertListing(t, l, want)
		approx := bySlug(t, res, "approximate") // "Approximate Inactive Test"
		if !slices.Equal(approx.Types, []string{"O", "NA"}) || Attendance(&approx) != "inactive" {
			t.Errorf("approximate: types %v (NA is not a spec code but is kept), attendance %s", approx.Types, Attendance(&approx))
		}
	})
	t.Run("timezones", func(t *testing.T) {
		res, err := decodeFile(t, "timezones.json", DecodeOptions{Timezone: "Europe/London"})
		if err != nil {
			t.Fatal(err)
		}
		if tz := bySlug(t, res, "sf-meeting").Timezone; tz != "America/Los_Angeles" {
			t.Errorf("sf-meeting: %s", tz)
		}
		if tz := bySlug(t, res, "pa-meeting").Timezone; tz != "America/New_York" {
			t.Errorf("pa-meeting: %s", tz)
		}
	})
}

func assertListing(t *testing.T, got, want protocol.Listing) {
	t.Helper()
	g, w := mustJSON(t, got), mustJSON(t, want)
	if g != w {
		t.Errorf("listing %q:\n got %s\nwant %s", want.Slug, g, w)
	}
}

// TestDecodeInvalidJSON: a broken feed says where, and imports nothing.
func TestDecodeInvalidJSON(t *testing.T) {
	res, err := decodeFile(t, "invalid.json", DecodeOptions{})
	var se *SyntaxError
	if !errors.As(err, &se) || !errors.Is(err, ErrNotFeed) || res != nil {
		t.Fatalf("got %v, %v; want a *SyntaxError and no result", res, err)
	}
	// invalid.json is a valid array followed by "  invalid text" on line 80.
	if se.Line != 80 || se.Column != 3 {
		t.Errorf("at line %d, column %d; want 80, 3", se.Line, se.Column)
	}
	if msg := err.Error(); strings.Contains(msg, "\n") || !strings.Contains(msg, "line 80, column 3") {
		t.Errorf("message %q", msg)
	}

	tests := []struct {
		name, feed string
		line, col  int
	}{
		{"missing comma", "[\n {\"slug\": \"a\", \"name\": \"A\"}\n {\"slug\": \"b\"}\n]", 3, 2},
		{"truncated", "[\n {\"slug\": \"a\",", 2, 15},
		{"bad value", "[{\"slug\": x}]", 1, 11},
		{"column in characters", "[{\"name\": \"Réunion\", \"slug\": x}]", 1, 30},
		{"trailing comma", "[{\"slug\": \"a\", \"name\": \"A\"},]", 1, 29},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := Decode(strings.NewReader(tt.feed), DecodeOptions{})
			var se *SyntaxError
			if !errors.As(err, &se) || res != nil {
				t.Fatalf("got %v, %v", res, err)
			}
			if se.Line != tt.line || se.Column != tt.col {
				t.Errorf("line %d, column %d; want %d, %d (%v)", se.Line, se.Column, tt.line, tt.col, err)
			}
		})
	}
}

func TestDecodeNotAFeed(t *testing.T) {
	for _, feed := range []string{"", "  \n", `{"meetings": []}`, `"hello"`, `42`, `null`} {
		res, err := Decode(strings.NewReader(feed), DecodeOptions{})
		if !errors.Is(err, ErrNotFeed) || res != nil {
			t.Errorf("%q: got %v, %v; want ErrNotFeed", feed, res, err)
		}
	}
	if _, err := Decode(strings.NewReader("[]"), DecodeOptions{Timezone: "Mars/Olympus"}); err == nil {
		t.Error("a bad Timezone option was accepted")
	}
	res := decodeString(t, "\xef\xbb\xbf[]", DecodeOptions{}) // a BOM, as Windows tools write
	if len(res.Listings) != 0 {
		t.Error("listings from an empty feed")
	}
}
