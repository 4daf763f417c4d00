package meetingguide

import (
	"bytes"
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"

	"hearth/protocol"
)

func encode(t testing.TB, ls []protocol.Listing) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := Encode(&buf, ls); err != nil {
		t.Fatalf("Encode: %v", err)
	}
	return buf.Bytes()
}

// everyField is a listing with every field the spec defines set, as Decode
// would produce it.
func everyField() protocol.Listing {
	return protocol.Listing{
		Slug: "sunday-serenity-14", Format: protocol.FormatPeerLed, Language: "es",
		Name: "Sunday Serenity & Friends <3", Day: ptr(0), Time: "18:00", EndTime: "19:30", Timezone: "America/Chicago",
		Types: []string{"O", "S", "LGBTQ", "XYZ"}, Notes: "Ring buzzer.\nMeeting is on the 2nd floor.",
		Updated: "2014-05-31 14:32:23", URL: "https://district123.org/meetings/sunday-serenity",
		Location: "Alano Club", LocationNotes: "Park at the back", FormattedAddress: "4953 W Addison St, Chicago, IL 60641, USA",
		Address: "4953 W Addison St", City: "Chicago", State: "IL", PostalCode: "60641", Country: "US",
		Latitude: ptr(41.94651), Longitude: ptr(-87.75226), Approximate: true,
		Region: "Chicago", SubRegion: "Portage Park", Regions: []string{"Illinois", "Chicago", "Portage Park"},
		Group: "The Serenity Group", GroupNotes: "Business meeting first Sunday",
		ConferenceURL: "https://zoom.us/j/123", ConferenceURLNotes: "Password: serenity",
		ConferencePhone: "+13125550100,,123#", ConferencePhoneNotes: "PIN 42",
		FeedbackURL: "https://district123.org/feedback?m=14", FeedbackEmails: []string{"a@example.org", "b@example.org"},
		Website: "https://serenitygroup.example.org", Email: "group@example.org", Phone: "+1-312-555-0101",
		Venmo: "@Serenity", Square: "$Serenity", PayPal: "SerenityGroup",
		Attendance: "hybrid",
		Contacts: []protocol.Contact{
			{Name: "Ann", Email: "ann@example.org", Phone: "555-0102"},
			{Name: "Bo", Email: "bo@example.org", Phone: "555-0103"},
			{Name: "Cy", Email: "cy@example.org", Phone: "555-0104"},
		},
	}
}

// TestRoundTripEveryField: every spec field survives Encode then Decode,
// and the feed uses every spec field name.
func TestRoundTripEveryField(t *testing.T) {
	in := everyField()
	data := encode(t, []protocol.Listing{in})
	res := decodeString(t, string(data), DecodeOptions{})
	if len(res.Listings) != 1 || len(res.Skipped)+len(res.Repairs) != 0 {
		t.Fatalf("%+v", res)
	}
	if got := res.Listings[0]; !reflect.DeepEqual(got, in) {
		t.Errorf("round trip:\n got %s\nwant %s", mustJSON(t, got), mustJSON(t, in))
	}

	var rows []map[string]any
	if err := json.Unmarshal(data, &rows); err != nil || len(rows) != 1 {
		t.Fatalf("not a JSON array of one object: %v", err)
	}
	rt := reflect.TypeFor[encodedRow]()
	for i := range rt.NumField() {
		name, _, _ := strings.Cut(rt.Field(i).Tag.Get("json"), ",")
		if _, ok := rows[0][name]; !ok {
			t.Errorf("field %s not written", name)
		}
	}
	if len(rows[0]) != rt.NumField() {
		t.Errorf("%d fields written, want %d", len(rows[0]), rt.NumField())
	}
	if rows[0]["day"] != 0.0 || rows[0]["time"] != "18:00" || rows[0]["approximate"] != "yes" || rows[0]["contact_3_phone"] != "555-0104" {
		t.Errorf("day %v, time %v, approximate %v, contact_3_phone %v", rows[0]["day"], rows[0]["time"], rows[0]["approximate"], rows[0]["contact_3_phone"])
	}
	if bytes.ContainsAny(data, "<>&") {
		t.Error("HTML characters not escaped")
	}
}

// TestRoundTripRealFeeds: Decode(Encode(Decode(feed))) equals Decode(feed)
// for every real feed.
func TestRoundTripRealFeeds(t *testing.T) {
	for _, file := range []string{"aasanjose.json", "aasfmarin.json", "sussexaa.json", "appointment.json", "timezones.json", "times.json"} {
		t.Run(file, func(t *testing.T) {
			first, err := decodeFile(t, file, DecodeOptions{Timezone: "America/Los_Angeles"})
			if err != nil {
				t.Fatal(err)
			}
			second := decodeString(t, string(encode(t, first.Listings)), DecodeOptions{})
			if len(second.Skipped)+len(second.Repairs) != 0 {
				t.Errorf("skipped %v, repairs %v", second.Skipped, second.Repairs)
			}
			if !reflect.DeepEqual(first.Listings, second.Listings) {
				for i := range min(len(first.Listings), len(second.Listings)) {
					if !reflect.DeepEqual(first.Listings[i], second.Listings[i]) {
						t.Fatalf("listing %d:\n got %s\nwant %s", i, mustJSON(t, second.Listings[i]), mustJSON(t, first.Listings[i]))
					}
				}
				t.Fatalf("%d listings, then %d", len(first.Listings), len(second.Listings))
			}
		})
	}
}

func TestEncode(t *testing.T) {
	t.Run("empty", func(t *testing.T) {
		if got := string(encode(t, nil)); got != "[]\n" {
			t.Errorf("%q", got)
		}
	})
	t.Run("by appointment has no day or time", func(t *testing.T) {
		data := encode(t, []protocol.Listing{{Slug: "appt", Name: "Appt"}})
		if bytes.Contains(data, []byte(`"day"`)) || bytes.Contains(data, []byte(`"time"`)) {
			t.Errorf("%s", data)
		}
	})
	t.Run("cancelled are left out", func(t *testing.T) {
		data := encode(t, []protocol.Listing{
			{Slug: "a", Name: "A", Cancelled: true}, {Slug: "b", Name: "B"}, {Slug: "a", Name: "A again", Cancelled: true},
		})
		var rows []map[string]any
		if err := json.Unmarshal(data, &rows); err != nil || len(rows) != 1 || rows[0]["slug"] != "b" {
			t.Errorf("%s (%v)", data, err)
		}
	})
	t.Run("repeated slug", func(t *testing.T) {
		var buf bytes.Buffer
		err := Encode(&buf, []protocol.Listing{{Slug: "a", Name: "A"}, {Slug: "a", Name: "B"}})
		if err == nil || buf.Len() != 0 || strings.Contains(err.Error(), "\n") {
			t.Errorf("err %v, wrote %q", err, buf.String())
		}
	})
	t.Run("address on request does not leak", func(t *testing.T) {
		l := everyField()
		l.AddressVisibility = protocol.AddressOnRequest
		l.Approximate = false
		data := encode(t, []protocol.Listing{l})
		var rows []map[string]any
		if err := json.Unmarshal(data, &rows); err != nil {
			t.Fatal(err)
		}
		for _, key := range []string{"location", "location_notes", "address", "formatted_address", "postal_code", "latitude", "longitude"} {
			if v, ok := rows[0][key]; ok {
				t.Errorf("%s = %v written for an address on request", key, v)
			}
		}
		for _, s := range []string{"Addison", "60641", "Alano", "41.9"} {
			if bytes.Contains(data, []byte(s)) {
				t.Errorf("%q leaked", s)
			}
		}
		if rows[0]["approximate"] != "yes" || rows[0]["city"] != "Chicago" || rows[0]["contact_1_name"] != "Ann" || rows[0]["region"] != "Chicago" {
			t.Errorf("%v", rows[0])
		}
	})
	t.Run("language becomes a type", func(t *testing.T) {
		tests := []struct {
			lang  string
			types []string
			want  []string
		}{
			{"es", []string{"O"}, []string{"O", "S"}},
			{"es-MX", nil, []string{"S"}},
			{"es", []string{"S", "O"}, []string{"S", "O"}},
			{"ase", []string{"O"}, []string{"O", "ASL"}},
			{"en", []string{"EN", "ASL"}, []string{"EN", "ASL"}},
			{"zz", []string{"O"}, []string{"O"}},
			{"", []string{"O"}, []string{"O"}},
		}
		for _, tt := range tests {
			types := slices.Clone(tt.types)
			data := encode(t, []protocol.Listing{{Slug: "a", Name: "A", Language: tt.lang, Types: types}})
			var rows []struct{ Types []string }
			if err := json.Unmarshal(data, &rows); err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(rows[0].Types, tt.want) {
				t.Errorf("%s %v: types %v, want %v", tt.lang, tt.types, rows[0].Types, tt.want)
			}
			if !slices.Equal(types, tt.types) {
				t.Errorf("Encode changed the caller's types: %v", types)
			}
		}
	})
	t.Run("contacts after the third are left out", func(t *testing.T) {
		l := protocol.Listing{Slug: "a", Name: "A", Contacts: []protocol.Contact{{Name: "1"}, {Name: "2"}, {Name: "3"}, {Name: "4"}}}
		if data := encode(t, []protocol.Listing{l}); bytes.Contains(data, []byte(`"4"`)) || !bytes.Contains(data, []byte(`"contact_3_name":"3"`)) {
			t.Errorf("%s", data)
		}
	})
}
