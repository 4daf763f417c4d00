package meetingguide

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"reflect"
	"testing"

	"hearth/protocol"
)

// FuzzDecode: Decode never panics; on error it returns nothing and the
// error is ErrNotFeed; every listing it returns validates, slugs are unique,
// and Encode then Decode gives the same listings back.
func FuzzDecode(f *testing.F) {
	for _, name := range []string{"appointment.json", "timezones.json", "times.json", "invalid.json"} {
		data, err := os.ReadFile("testdata/" + name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	for _, s := range []string{
		`[{"slug":"a","name":"A","day":[1,"2","sun",null],"time":"7:30 pm","end_time":"x"}]`,
		`[{"slug":"a b","name":"A","day":"Tues.","time":"19:30:00","latitude":"1","longitude":"2e0"}]`,
		`[{"slug":"a","name":"A"},{"slug":"a","name":"B"},{"slug":"a-2","name":"C"}]`,
		`[{"slug":1,"name":2,"types":"O, S,, ASL","feedback_url":"mailto:x@y.z","attendance_option":"In-Person"}]`,
		`[5,null,"x",[],{}]`,
		`[{"slug":"a","name":"A","day":null,"timezone":"Europe/Paris","updated":"1/2/2023"}]`,
		"\xef\xbb\xbf[]",
		`{"meetings":[]}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		res, err := Decode(bytes.NewReader(data), DecodeOptions{Timezone: "Europe/London", Providers: []string{"zoom.us"}})
		if err != nil {
			if res != nil || !errors.Is(err, ErrNotFeed) {
				t.Fatalf("error %v with result %v", err, res)
			}
			return
		}
		seen := map[string]bool{}
		for _, l := range res.Listings {
			mustValidate(t, l)
			if seen[l.Slug] {
				t.Fatalf("slug %q twice", l.Slug)
			}
			seen[l.Slug] = true
		}
		again, err := Decode(bytes.NewReader(encode(t, res.Listings)), DecodeOptions{})
		if err != nil {
			t.Fatalf("decoding our own feed: %v", err)
		}
		if len(again.Skipped) != 0 || !sameListings(again.Listings, res.Listings) {
			t.Fatalf("round trip differs:\n got %s\nwant %s\nskipped %v", mustJSON(t, again.Listings), mustJSON(t, res.Listings), again.Skipped)
		}
	})
}

// FuzzDecodeRow reaches the row rules faster than FuzzDecode: the fuzzer
// picks field values and the row around them is always valid JSON. Values
// that look like JSON (numbers, arrays) are written raw.
func FuzzDecodeRow(f *testing.F) {
	f.Add("m", "Meeting", "1", "19:00", "20:00", "O,S", "37.5", "-122", "https://zoom.us/j/1", "9/6/2021", "hybrid")
	f.Add("a b%2F", "", `[1,"sun"]`, "7:30 pm", "x", "ASL", "", "1", "mailto:a@b.c", "", "nope")
	f.Add("1234", "N", "null", "", "", "", "NaN", "NaN", "ftp://x", "2021-09-06T10:00:00Z", "")
	f.Fuzz(func(t *testing.T, slug, name, day, clock, end, types, lat, lon, conf, updated, attendance string) {
		value := func(s string) any {
			if json.Valid([]byte(s)) && s != "" && (s[0] == '[' || s[0] == '-' || s[0] >= '0' && s[0] <= '9' || s == "null") {
				return json.RawMessage(s)
			}
			return s
		}
		row := map[string]any{
			"slug": value(slug), "name": name, "day": value(day), "time": clock, "end_time": end,
			"types": types, "latitude": value(lat), "longitude": value(lon), "conference_url": conf,
			"feedback_url": conf, "updated": updated, "attendance_option": attendance,
		}
		feed, err := json.Marshal([]any{row, row})
		if err != nil {
			t.Skip()
		}
		res, err := Decode(bytes.NewReader(feed), DecodeOptions{Providers: []string{"zoom.us"}})
		if err != nil {
			t.Fatalf("a valid array was refused: %v", err)
		}
		if n := len(res.Listings); n%2 != 0 {
			t.Fatalf("%d listings from two equal rows", n)
		}
		seen := map[string]bool{}
		for _, l := range res.Listings {
			mustValidate(t, l)
			if seen[l.Slug] {
				t.Fatalf("slug %q twice", l.Slug)
			}
			seen[l.Slug] = true
		}
		again := decodeBytes(t, encode(t, res.Listings))
		if !sameListings(again.Listings, res.Listings) {
			t.Fatalf("round trip differs:\n got %s\nwant %s", mustJSON(t, again.Listings), mustJSON(t, res.Listings))
		}
	})
}

func decodeBytes(t testing.TB, data []byte) *Result {
	t.Helper()
	res, err := Decode(bytes.NewReader(data), DecodeOptions{})
	if err != nil {
		t.Fatalf("Decode: %v", err)
	}
	return res
}

// sameListings compares listings, with no listings the same however held.
func sameListings(a, b []protocol.Listing) bool {
	return len(a) == len(b) && (len(a) == 0 || reflect.DeepEqual(a, b))
}
