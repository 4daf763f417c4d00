package finder

import (
	"encoding/json"
	"errors"
	"net/url"
	"reflect"
	"slices"
	"testing"
	"time"

	"hearth/protocol"
)

func TestQueryFromURL(t *testing.T) {
	t.Parallel()
	v, _ := url.ParseQuery("day=tue&time=Evening&type=O&type=W&region=Marin&language=es&attendance=in-person" +
		"&q=big+book&near=37.97,-122.53&radius=3mi&hub=12D3&all=1&limit=20")
	got, err := QueryFromURL(v)
	if err != nil {
		t.Fatal(err)
	}
	want := Query{
		Day: dayp(2), Window: "evening", Types: []string{"O", "W"}, Region: "Marin", Language: "es",
		Attendance: "in_person", Text: "big book", Near: &Point{Lat: 37.97, Lon: -122.53},
		RadiusKm: 3 * 1.609344, Hub: "12D3", IncludeCancelled: true, Limit: 20,
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got  %+v\nwant %+v", got, want)
	}

	near, err := QueryFromURL(url.Values{"near": {"1,2"}})
	if err != nil || near.RadiusKm != DefaultRadiusKm {
		t.Errorf("near without radius: %+v, %v; want %v km", near, err, DefaultRadiusKm)
	}
	// A form's empty fields ask for nothing; words that are not filters
	// (the page's own lang) are not read.
	empty, _ := url.ParseQuery("day=&time=&type=&language=&near=&radius=5&q=&lang=fr")
	for _, v := range []url.Values{{}, empty} {
		if zero, err := QueryFromURL(v); err != nil || !reflect.DeepEqual(zero, Query{}) {
			t.Errorf("%v: %+v, %v; want the zero query", v, zero, err)
		}
	}
	for day, want := range map[string]Day{"today": Today, "Tomorrow": Tomorrow, "0": 0, "sat": 6, "MONDAY": 1} {
		if q, err := QueryFromURL(url.Values{"day": {day}}); err != nil || q.Day == nil || *q.Day != want {
			t.Errorf("day=%s: %+v, %v; want %v", day, q.Day, err, want)
		}
	}

	for param, wantErr := range map[string]error{
		"near=here":         ErrBadPoint,
		"near=1,2&radius=x": ErrBadRadius,
		"limit=-1":          ErrBadLimit,
		"day=someday":       ErrBadDay,
		"day=7":             ErrBadDay,
		"time=brunch":       ErrBadWindow,
		"attendance=zoom":   ErrBadAttendance,
	} {
		v, _ := url.ParseQuery(param)
		_, err := QueryFromURL(v)
		if !errors.Is(err, wantErr) {
			t.Errorf("%s: error %v, want %v", param, err, wantErr)
		}
	}
}

// A Query's JSON is the query language: what a flag or URL parameter says,
// under the same name, and it reads back the same.
func TestQueryJSONIsTheLanguage(t *testing.T) {
	t.Parallel()
	q := Query{Day: dayp(Today), Window: "evening", Types: []string{"O"}, Text: "hope", Near: &Point{-1.2921, 36.8219}, RadiusKm: 3, IncludeCancelled: true}
	data, err := json.Marshal(q)
	if err != nil {
		t.Fatal(err)
	}
	const want = `{"day":"today","time":"evening","type":["O"],"q":"hope","near":"-1.2921,36.8219","radius":3,"all":true}`
	if string(data) != want {
		t.Errorf("JSON %s\nwant %s", data, want)
	}
	var back Query
	if err := json.Unmarshal(data, &back); err != nil || !reflect.DeepEqual(back, q) {
		t.Errorf("read back %+v, %v; want %+v", back, err, q)
	}
	for _, bad := range []string{`{"day":"someday"}`, `{"near":"here"}`} {
		if err := json.Unmarshal([]byte(bad), &back); err == nil {
			t.Errorf("%s read without an error", bad)
		}
	}
}

// Today and tomorrow are the hub's, read in the index's zone when the
// search runs: late on Tuesday evening in Los Angeles it is already
// Wednesday in UTC, but the hub in Los Angeles still says Tuesday. Today
// is what is left of it (what is on now and what starts before the hub's
// midnight), whatever zone a meeting keeps its clock in: a London meeting
// at 07:00 on Wednesday starts at 23:00 on Tuesday in Los Angeles.
func TestTodayIsTheHubsDay(t *testing.T) {
	t.Parallel()
	la := zone(t, "America/Los_Angeles")
	now := time.Date(2026, 12, 2, 6, 30, 0, 0, time.UTC) // Tuesday 22:30 in Los Angeles
	for hub, want := range map[*time.Location][2][]string{
		la:       {{"tuesday-on-now", "london-wednesday-7am", "tuesday-late"}, {"wednesday-noon"}},
		time.UTC: {{"tuesday-on-now", "london-wednesday-7am", "tuesday-late", "wednesday-noon"}, {"thursday-noon"}},
	} {
		ix := NewWithDefault(hub)
		put := func(slug string, day int, clock, tz string) {
			ix.Put(&protocol.Listing{Hub: "hub", Slug: slug, Name: slug, Day: intp(day), Time: clock, Timezone: tz, Address: "1 Main St"})
		}
		put("tuesday-noon", 2, "12:00", "America/Los_Angeles") // over: not what is left of today
		put("tuesday-on-now", 2, "22:00", "America/Los_Angeles")
		put("tuesday-late", 2, "23:00", "America/Los_Angeles")
		put("wednesday-noon", 3, "12:00", "America/Los_Angeles")
		put("thursday-noon", 4, "12:00", "America/Los_Angeles")
		put("london-wednesday-7am", 3, "07:00", "Europe/London")
		ix.Put(&protocol.Listing{Hub: "hub", Slug: "closed", Name: "closed", Day: intp(2), Time: "23:30", Timezone: "America/Los_Angeles"})
		for i, d := range []Day{Today, Tomorrow} {
			if got := ids(ix.Search(Query{Day: &d}, now)); !slices.Equal(got, want[i]) {
				t.Errorf("hub in %v, %v: %v, want %v", hub, d, got, want[i])
			}
		}
	}
}

func TestParseWeekday(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]int{"0": 0, "6": 6, "tue": 2, "Tuesday": 2, " SAT ": 6} {
		if got, err := ParseWeekday(in); err != nil || got != want {
			t.Errorf("ParseWeekday(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", "7", "-1", "tu", "today", "someday"} {
		if _, err := ParseWeekday(in); err == nil {
			t.Errorf("ParseWeekday(%q) is no error", in)
		}
	}
	if WeekdayName(2) != "Tuesday" || WeekdayName(7) != "" {
		t.Errorf("WeekdayName: %q %q", WeekdayName(2), WeekdayName(7))
	}
}

func TestParseWindow(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{"morning": "morning", " Evening ": "evening", "afternoon": "midday", "NIGHT": "night", "": "", "any": ""} {
		if got, err := ParseWindow(in); err != nil || got != want {
			t.Errorf("ParseWindow(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	if _, err := ParseWindow("brunch"); err == nil {
		t.Error("brunch is a window")
	}
}

func TestParseRadius(t *testing.T) {
	t.Parallel()
	cases := map[string]float64{"5km": 5, "5 km": 5, "2.5": 2.5, "3mi": 4.828032, "1 mile": 1.609344, "800m": 0.8, "10 KM": 10, "1e9": maxRadiusKm}
	for in, want := range cases {
		got, err := ParseRadius(in)
		if err != nil || got < want-1e-9 || got > want+1e-9 {
			t.Errorf("ParseRadius(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"", "km", "-1km", "0", "far", "NaN", "Inf", "5 parsecs"} {
		if _, err := ParseRadius(in); err == nil {
			t.Errorf("ParseRadius(%q) is no error", in)
		}
	}
}

func TestParsePoint(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]Point{"-1.2921,36.8219": {-1.2921, 36.8219}, "51.5, -0.12": {51.5, -0.12}, " 90 , 180 ": {90, 180}} {
		if got, err := ParsePoint(in); err != nil || got != want {
			t.Errorf("ParsePoint(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"", "51.5", "91,0", "0,181", "NaN,0", "0,NaN", "a,b", "1,2,3"} {
		if _, err := ParsePoint(in); !errors.Is(err, ErrBadPoint) {
			t.Errorf("ParsePoint(%q) = %v, want ErrBadPoint", in, err)
		}
	}
}

func TestParseAttendance(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{"online": "online", "In-Person": "in_person", "in person": "in_person", " HYBRID": "hybrid", "inactive": "inactive"} {
		if got, err := ParseAttendance(in); err != nil || got != want {
			t.Errorf("ParseAttendance(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"", "zoom", "in_persons"} {
		if _, err := ParseAttendance(in); err == nil {
			t.Errorf("ParseAttendance(%q) is no error", in)
		}
	}
}
