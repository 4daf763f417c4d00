package meetingguide

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"hearth/protocol"
)

func mustJSON(t testing.TB, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// row is a feed of one meeting: a valid base row with the given fields
// changed ("-" deletes one).
func row(t testing.TB, fields map[string]any) string {
	t.Helper()
	base := map[string]any{"slug": "m", "name": "Meeting", "day": 1, "time": "19:00"}
	for k, v := range fields {
		if v == "-" {
			delete(base, k)
		} else {
			base[k] = v
		}
	}
	return "[" + mustJSON(t, base) + "]"
}

// TestDecodeRow covers what real feeds do to one row, and what becomes of
// it: kept as the spec means it, repaired, or skipped.
func TestDecodeRow(t *testing.T) {
	type want struct {
		slugs   []string // listings, in order; nil means the row is skipped
		skip    string   // part of the skip reason
		repair  string   // part of the (single) repair
		listing func(t *testing.T, l protocol.Listing)
	}
	day := func(d int) func(*testing.T, protocol.Listing) {
		return func(t *testing.T, l protocol.Listing) {
			if l.Day == nil || *l.Day != d {
				t.Errorf("day %v, want %d", l.Day, d)
			}
		}
	}
	clock := func(hhmm string) func(*testing.T, protocol.Listing) {
		return func(t *testing.T, l protocol.Listing) {
			if l.Time != hhmm {
				t.Errorf("time %q, want %q", l.Time, hhmm)
			}
		}
	}
	updated := func(s string) func(*testing.T, protocol.Listing) {
		return func(t *testing.T, l protocol.Listing) {
			if l.Updated != s {
				t.Errorf("updated %q, want %q", l.Updated, s)
			}
		}
	}
	m := []string{"m"}
	tests := []struct {
		name   string
		fields map[string]any
		opts   DecodeOptions
		want   want
	}{
		// Days.
		{"day integer", map[string]any{"day": 3}, DecodeOptions{}, want{slugs: m, listing: day(3)}},
		{"day numeric string", map[string]any{"day": "3"}, DecodeOptions{}, want{slugs: m, listing: day(3)}},
		{"day name", map[string]any{"day": "Sunday"}, DecodeOptions{}, want{slugs: m, listing: day(0)}},
		{"day short name", map[string]any{"day": "sun"}, DecodeOptions{}, want{slugs: m, listing: day(0)}},
		{"day name any case", map[string]any{"day": "THURSDAY"}, DecodeOptions{}, want{slugs: m, listing: day(4)}},
		{"day abbreviation with dot", map[string]any{"day": "Tues."}, DecodeOptions{}, want{slugs: m, listing: day(2)}},
		{"day 2.0", map[string]any{"day": 2.0}, DecodeOptions{}, want{slugs: m, listing: day(2)}},
		{"day 7", map[string]any{"day": 7}, DecodeOptions{}, want{skip: "day"}},
		{"day -1", map[string]any{"day": "-1"}, DecodeOptions{}, want{skip: "day"}},
		{"day not a day", map[string]any{"day": "funday"}, DecodeOptions{}, want{skip: "funday"}},
		{"day boolean", map[string]any{"day": true}, DecodeOptions{}, want{skip: "day"}},
		{"day array", map[string]any{"day": []any{5, "1", "Wednesday"}}, DecodeOptions{},
			want{slugs: []string{"m-d1", "m-d3", "m-d5"}}},
		{"day array repeats", map[string]any{"day": []any{2, "2"}}, DecodeOptions{}, want{slugs: []string{"m-d2"}, listing: day(2)}},
		{"day array with a bad day", map[string]any{"day": []any{2, 9}}, DecodeOptions{}, want{skip: "day"}},
		{"day array empty, time given", map[string]any{"day": []any{}}, DecodeOptions{}, want{skip: "no day"}},
		{"by appointment: null day, no time", map[string]any{"day": nil, "time": "-"}, DecodeOptions{},
			want{slugs: m, listing: func(t *testing.T, l protocol.Listing) {
				if l.Day != nil || l.Time != "" {
					t.Errorf("day %v, time %q", l.Day, l.Time)
				}
			}}},
		{"by appointment: no day, no time", map[string]any{"day": "-", "time": "-"}, DecodeOptions{}, want{slugs: m}},
		{"by appointment with an end time", map[string]any{"day": "-", "time": "-", "end_time": "20:00"}, DecodeOptions{},
			want{slugs: m, repair: "no start time"}},
		{"time but no day", map[string]any{"day": "-"}, DecodeOptions{}, want{skip: "no day"}},
		{"time but null day", map[string]any{"day": nil}, DecodeOptions{}, want{skip: "no day"}},
		{"day but no time", map[string]any{"time": "-"}, DecodeOptions{}, want{skip: "no time"}},

		// Times.
		{"time HH:MM", map[string]any{"time": "19:30"}, DecodeOptions{}, want{slugs: m, listing: clock("19:30")}},
		{"time with seconds", map[string]any{"time": "19:30:00"}, DecodeOptions{}, want{slugs: m, listing: clock("19:30")}},
		{"time one-digit hour", map[string]any{"time": "7:30"}, DecodeOptions{}, want{slugs: m, listing: clock("07:30")}},
		{"time pm", map[string]any{"time": "7:30 pm"}, DecodeOptions{}, want{slugs: m, listing: clock("19:30")}},
		{"time PM", map[string]any{"time": "7:30PM"}, DecodeOptions{}, want{slugs: m, listing: clock("19:30")}},
		{"time midnight am", map[string]any{"time": "12:00 am"}, DecodeOptions{}, want{slugs: m, listing: clock("00:00")}},
		{"time noon pm", map[string]any{"time": "12:15 p.m."}, DecodeOptions{}, want{slugs: m, listing: clock("12:15")}},
		{"time 25:00", map[string]any{"time": "25:00"}, DecodeOptions{}, want{skip: "25:00"}},
		{"time 13 pm", map[string]any{"time": "13:00 pm"}, DecodeOptions{}, want{skip: "1 to 12"}},
		{"time no minutes", map[string]any{"time": "7"}, DecodeOptions{}, want{skip: "not a time"}},
		{"end time", map[string]any{"end_time": "8:30 pm"}, DecodeOptions{},
			want{slugs: m, listing: func(t *testing.T, l protocol.Listing) {
				if l.EndTime != "20:30" {
					t.Errorf("end_time %q", l.EndTime)
				}
			}}},
		{"end time unreadable", map[string]any{"end_time": "late"}, DecodeOptions{}, want{slugs: m, repair: "end_time"}},

		// Updated.
		{"updated spec", map[string]any{"updated": "2014-05-31 14:32:23"}, DecodeOptions{}, want{slugs: m, listing: updated("2014-05-31 14:32:23")}},
		{"updated M/D/YYYY", map[string]any{"updated": "9/6/2021"}, DecodeOptions{}, want{slugs: m, listing: updated("2021-09-06 00:00:00")}},
		{"updated D/M/YYYY when M/D cannot be", map[string]any{"updated": "29/8/2021"}, DecodeOptions{}, want{slugs: m, listing: updated("2021-08-29 00:00:00")}},
		{"updated RFC 3339, to UTC", map[string]any{"updated": "2021-09-06T10:00:00-07:00"}, DecodeOptions{}, want{slugs: m, listing: updated("2021-09-06 17:00:00")}},
		{"updated date only", map[string]any{"updated": "2021-09-06"}, DecodeOptions{}, want{slugs: m, listing: updated("2021-09-06 00:00:00")}},
		{"updated unreadable", map[string]any{"updated": "last week"}, DecodeOptions{}, want{slugs: m, repair: "updated", listing: updated("")}},
		{"feedback_url mailto, two addresses", map[string]any{"feedback_url": "mailto:a@example.org,%20b@example.org"}, DecodeOptions{},
			want{slugs: m, repair: "feedback_emails", listing: func(t *testing.T, l protocol.Listing) {
				if !slices.Equal(l.FeedbackEmails, []string{"a@example.org", "b@example.org"}) {
					t.Errorf("feedback_emails %q", l.FeedbackEmails)
				}
			}}},

		// Position.
		{"position as strings", map[string]any{"latitude": "37.5", "longitude": "-122.25"}, DecodeOptions{},
			want{slugs: m, listing: func(t *testing.T, l protocol.Listing) {
				if l.Latitude == nil || *l.Latitude != 37.5 || *l.Longitude != -122.25 {
					t.Errorf("position %v,%v", l.Latitude, l.Longitude)
				}
			}}},
		{"position unreadable", map[string]any{"latitude": "north", "longitude": 1}, DecodeOptions{}, want{slugs: m, repair: "position"}},
		{"position off Earth", map[string]any{"latitude": 95, "longitude": 1}, DecodeOptions{}, want{slugs: m, repair: "position"}},
		{"position NaN", map[string]any{"latitude": "NaN", "longitude": "1"}, DecodeOptions{}, want{slugs: m, repair: "position"}},
		{"position empty strings", map[string]any{"latitude": "", "longitude": ""}, DecodeOptions{},
			want{slugs: m, listing: func(t *testing.T, l protocol.Listing) {
				if l.Latitude != nil {
					t.Error("a position from empty strings")
				}
			}}},

		// Types and language.
		{"unknown type kept", map[string]any{"types": []any{"O", "XYZ"}}, DecodeOptions{},
			want{slugs: m, listing: func(t *testing.T, l protocol.Listing) {
				if !slices.Equal(l.Types, []string{"O", "XYZ"}) {
					t.Errorf("types %v", l.Types)
				}
			}}},
		{"types as one string", map[string]any{"types": "O, D"}, DecodeOptions{},
			want{slugs: m, listing: func(t *testing.T, l protocol.Listing) {
				if !slices.Equal(l.Types, []string{"O", "D"}) {
					t.Errorf("types %v", l.Types)
				}
			}}},
		{"type as number", map[string]any{"types": []any{11}}, DecodeOptions{},
			want{slugs: m, listing: func(t *testing.T, l protocol.Listing) {
				if !slices.Equal(l.Types, []string{"11"}) {
					t.Errorf("types %v", l.Types)
				}
			}}},
		{"type not a code", map[string]any{"types": []any{"O", "Big Book!"}}, DecodeOptions{}, want{slugs: m, repair: "Big Book!"}},
		{"language first spoken", map[string]any{"types": []any{"O", "S", "EN"}}, DecodeOptions{}, want{slugs: m, listing: language("es")}},
		{"language sign only", map[string]any{"types": []any{"ASL"}}, DecodeOptions{}, want{slugs: m, listing: language("ase")}},
		{"language interpreted", map[string]any{"types": []any{"ASL", "FR"}}, DecodeOptions{}, want{slugs: m, listing: language("fr")}},
		{"no language", map[string]any{"types": []any{"O", "SP"}}, DecodeOptions{}, want{slugs: m, listing: language("")}},

		// Slugs and names.
		{"slug as integer", map[string]any{"slug": 1234}, DecodeOptions{}, want{slugs: []string{"1234"}}},
		{"slug missing", map[string]any{"slug": "-"}, DecodeOptions{}, want{skip: "no slug"}},
		{"slug empty", map[string]any{"slug": "  "}, DecodeOptions{}, want{skip: "no slug"}},
		{"slug not URL-safe", map[string]any{"slug": "Monday Night/Group"}, DecodeOptions{},
			want{slugs: []string{"monday-night-group-" + hash8("Monday Night/Group")}, repair: "breaks the slug rule"}},
		{"slug too long for a day suffix", map[string]any{"slug": strings.Repeat("a", 127), "day": []any{1}}, DecodeOptions{},
			want{slugs: []string{strings.Repeat("a", 60) + "-" + hash8(strings.Repeat("a", 127)) + "-d1"}, repair: "breaks the slug rule"}},
		{"name missing", map[string]any{"name": "-"}, DecodeOptions{}, want{skip: "no name"}},
		{"name too long", map[string]any{"name": strings.Repeat("n", 201)}, DecodeOptions{}, want{skip: "name is 201 characters"}},
		{"payload too large", map[string]any{"notes": strings.Repeat("x", 3000), "group_notes": strings.Repeat("y", 3000),
			"location_notes": strings.Repeat("z", 3000)}, DecodeOptions{}, want{skip: "bytes"}},

		// Time zones.
		{"timezone from the row", map[string]any{"timezone": "America/New_York"}, DecodeOptions{Timezone: "Europe/London"},
			want{slugs: m, listing: zone("America/New_York")}},
		{"timezone from the options", nil, DecodeOptions{Timezone: "Europe/London"}, want{slugs: m, listing: zone("Europe/London")}},
		{"no timezone anywhere", nil, DecodeOptions{}, want{slugs: m, listing: zone("")}},
		{"timezone not IANA", map[string]any{"timezone": "PST"}, DecodeOptions{}, want{skip: "PST"}},
		{"repaired, then skipped", map[string]any{"timezone": "PST", "end_time": "late", "url": "x"}, DecodeOptions{}, want{skip: "PST"}},

		// Attendance, addresses, links, contacts.
		{"attendance_option", map[string]any{"attendance_option": "In Person"}, DecodeOptions{},
			want{slugs: m, listing: func(t *testing.T, l protocol.Listing) {
				if l.Attendance != "in_person" {
					t.Errorf("attendance %q", l.Attendance)
				}
			}}},
		{"attendance_option unknown", map[string]any{"attendance_option": "sometimes"}, DecodeOptions{}, want{slugs: m, repair: "sometimes"}},
		{"approximate yes", map[string]any{"approximate": "yes"}, DecodeOptions{}, want{slugs: m, listing: approximate(true)}},
		{"approximate true", map[string]any{"approximate": true}, DecodeOptions{}, want{slugs: m, listing: approximate(true)}},
		{"approximate no", map[string]any{"approximate": "no"}, DecodeOptions{}, want{slugs: m, listing: approximate(false)}},
		{"feedback_url mailto", map[string]any{"feedback_url": "mailto:web@example.org?subject=m"}, DecodeOptions{},
			want{slugs: m, repair: "feedback_emails", listing: func(t *testing.T, l protocol.Listing) {
				if l.FeedbackURL != "" || !slices.Equal(l.FeedbackEmails, []string{"web@example.org"}) {
					t.Errorf("feedback %q %v", l.FeedbackURL, l.FeedbackEmails)
				}
			}}},
		{"url relative", map[string]any{"url": "/meetings/m"}, DecodeOptions{}, want{slugs: m, repair: "url"}},
		{"regions", map[string]any{"regions": []any{"Illinois", " Chicago ", "", 7}}, DecodeOptions{},
			want{slugs: m, listing: func(t *testing.T, l protocol.Listing) {
				if !slices.Equal(l.Regions, []string{"Illinois", "Chicago", "7"}) {
					t.Errorf("regions %q", l.Regions)
				}
			}}},
		{"feedback_emails as one string", map[string]any{"feedback_emails": "a@example.org, b@example.org"}, DecodeOptions{},
			want{slugs: m, listing: func(t *testing.T, l protocol.Listing) {
				if len(l.FeedbackEmails) != 2 {
					t.Errorf("feedback_emails %q", l.FeedbackEmails)
				}
			}}},
		{"contacts", map[string]any{"contact_2_name": "Sam", "contact_2_phone": "555-0100", "contact_3_email": "x@example.org"}, DecodeOptions{},
			want{slugs: m, listing: func(t *testing.T, l protocol.Listing) {
				want := []protocol.Contact{{Name: "Sam", Phone: "555-0100"}, {Email: "x@example.org"}}
				if !slices.Equal(l.Contacts, want) {
					t.Errorf("contacts %+v", l.Contacts)
				}
			}}},
		{"nulls and odd types read as nothing", map[string]any{"notes": nil, "location": false, "group": map[string]any{"a": 1},
			"venmo": []any{"@x"}, "postal_code": 94110}, DecodeOptions{},
			want{slugs: m, listing: func(t *testing.T, l protocol.Listing) {
				if l.Notes != "" || l.Location != "" || l.Group != "" || l.Venmo != "" || l.PostalCode != "94110" {
					t.Errorf("%+v", l)
				}
			}}},
		{"unknown fields ignored", map[string]any{"id": 5, "district": "D2", "entity": map[string]any{"x": []any{1, 2}}}, DecodeOptions{}, want{slugs: m}},
		{"text trimmed", map[string]any{"name": "  Serenity \n"}, DecodeOptions{},
			want{slugs: m, listing: func(t *testing.T, l protocol.Listing) {
				if l.Name != "Serenity" {
					t.Errorf("name %q", l.Name)
				}
			}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := decodeString(t, row(t, tt.fields), tt.opts)
			var slugs []string
			for _, l := range res.Listings {
				slugs = append(slugs, l.Slug)
				mustValidate(t, l)
			}
			if !slices.Equal(slugs, tt.want.slugs) {
				t.Fatalf("slugs %q, want %q; skipped %v", slugs, tt.want.slugs, res.Skipped)
			}
			if tt.want.slugs == nil {
				if len(res.Skipped) != 1 || !strings.Contains(res.Skipped[0].Reason, tt.want.skip) {
					t.Fatalf("skipped %v, want one with %q", res.Skipped, tt.want.skip)
				}
				if r := res.Skipped[0].Reason; strings.Contains(r, "\n") {
					t.Errorf("reason %q is not one line", r)
				}
				if len(res.Repairs) != 0 {
					t.Errorf("a skipped row reports repairs %v", res.Repairs)
				}
				return
			}
			if len(res.Skipped) != 0 {
				t.Errorf("skipped %v", res.Skipped)
			}
			switch {
			case tt.want.repair == "" && len(res.Repairs) != 0:
				t.Errorf("repairs %v", res.Repairs)
			case tt.want.repair != "" && (len(res.Repairs) != 1 || !strings.Contains(res.Repairs[0].What, tt.want.repair)):
				t.Errorf("repairs %v, want one with %q", res.Repairs, tt.want.repair)
			}
			if tt.want.listing != nil {
				for _, l := range res.Listings {
					tt.want.listing(t, l)
				}
			}
		})
	}
}

func language(tag string) func(*testing.T, protocol.Listing) {
	return func(t *testing.T, l protocol.Listing) {
		if l.Language != tag {
			t.Errorf("language %q, want %q", l.Language, tag)
		}
	}
}

func zone(tz string) func(*testing.T, protocol.Listing) {
	return func(t *testing.T, l protocol.Listing) {
		if l.Timezone != tz {
			t.Errorf("timezone %q, want %q", l.Timezone, tz)
		}
	}
}

func approximate(want bool) func(*testing.T, protocol.Listing) {
	return func(t *testing.T, l protocol.Listing) {
		if l.Approximate != want {
			t.Errorf("approximate %v, want %v", l.Approximate, want)
		}
	}
}

// hash8 is the short hash a made-safe slug ends with: the first four bytes
// of the SHA-256 of the slug as written, in hex.
func hash8(raw string) string {
	sum := sha256.Sum256([]byte(raw))
	return hex.EncodeToString(sum[:4])
}

// TestDecodeRows covers what concerns several rows: stable slugs, bad rows
// amid good ones, and conference providers.
func TestDecodeRows(t *testing.T) {
	t.Run("bad rows do not stop the feed", func(t *testing.T) {
		res := decodeString(t, `[5, "x", null, [], {"slug": "ok", "name": "OK"}]`, DecodeOptions{})
		if len(res.Listings) != 1 || res.Listings[0].Slug != "ok" {
			t.Fatalf("listings %v", res.Listings)
		}
		var idx []int
		for _, s := range res.Skipped {
			idx = append(idx, s.Index)
		}
		if !slices.Equal(idx, []int{0, 1, 2, 3}) {
			t.Errorf("skipped %v", res.Skipped)
		}
	})
	t.Run("repeated slugs", func(t *testing.T) {
		feed := `[{"slug": "a", "name": "A1"}, {"slug": "a", "name": "A2"}, {"slug": "a-2", "name": "A3"}, {"slug": "a", "name": "A4"}]`
		res := decodeString(t, feed, DecodeOptions{})
		got := map[string]string{}
		for _, l := range res.Listings {
			got[l.Name] = l.Slug
		}
		want := map[string]string{"A1": "a", "A2": "a-3", "A3": "a-2", "A4": "a-4"}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("slugs %v, want %v", got, want)
		}
		if len(res.Repairs) != 2 || res.Repairs[0].Index != 1 || res.Repairs[1].Index != 3 {
			t.Errorf("repairs %v", res.Repairs)
		}
	})
	t.Run("re-import gives the same slugs", func(t *testing.T) {
		feed := row(t, map[string]any{"slug": "Tuesday’s Step Study", "day": []any{"tue", 4}})
		a := decodeString(t, feed, DecodeOptions{})
		b := decodeString(t, feed, DecodeOptions{})
		if len(a.Listings) != 2 || mustJSON(t, a.Listings) != mustJSON(t, b.Listings) {
			t.Errorf("%v\n%v", a.Listings, b.Listings)
		}
		if !strings.HasSuffix(a.Listings[0].Slug, "-d2") || !strings.HasSuffix(a.Listings[1].Slug, "-d4") {
			t.Errorf("slugs %s, %s", a.Listings[0].Slug, a.Listings[1].Slug)
		}
	})
	t.Run("conference providers", func(t *testing.T) {
		var rows []string
		for i, u := range []string{
			"https://zoom.us/j/1", "https://us02web.zoom.us/j/2", "https://meet.google.com/abc",
			"https://notzoom.us/j/3", "https://Meet.Example.net/x", "https://zoom.us.example.com/j/4",
		} {
			rows = append(rows, fmt.Sprintf(`{"slug": "s%d", "name": "N", "conference_url": %q}`, i, u))
		}
		feed := "[" + strings.Join(rows, ",") + "]"
		res := decodeString(t, feed, DecodeOptions{Providers: []string{"Zoom.us", "*.google.com"}})
		var hosts []string
		for _, f := range res.UnknownProviders {
			hosts = append(hosts, fmt.Sprintf("%d:%s", f.Index, f.Host))
		}
		if want := []string{"3:notzoom.us", "4:meet.example.net", "5:zoom.us.example.com"}; !slices.Equal(hosts, want) {
			t.Errorf("flagged %v, want %v", hosts, want)
		}
		if len(res.Listings) != 6 {
			t.Errorf("%d listings: a flagged meeting must be kept", len(res.Listings))
		}
		if res := decodeString(t, feed, DecodeOptions{}); len(res.UnknownProviders) != 0 {
			t.Errorf("no allow-list, yet flagged %v", res.UnknownProviders)
		}
	})
}
