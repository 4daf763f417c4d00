package node

import (
	"errors"
	"net/url"
	"reflect"
	"testing"

	"hearth/node/finder"
)

func TestQueryFromURL(t *testing.T) {
	two := 2
	v, _ := url.ParseQuery("day=tue&time=Evening&type=O&type=W&region=Marin&language=es&attendance=in-person" +
		"&q=big+book&near=37.97,-122.53&radius=3mi&hub=12D3&all=1&limit=20")
	got, err := QueryFromURL(v)
	if err != nil {
		t.Fatal(err)
	}
	want := finder.Query{
		Day: &two, Window: "evening", Types: []string{"O", "W"}, Region: "Marin", Language: "es",
		Attendance: "in_person", Text: "big book", Near: &finder.Point{Lat: 37.97, Lon: -122.53},
		RadiusKm: 3 * 1.609344, Hub: "12D3", IncludeCancelled: true, Limit: 20,
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got  %+v\nwant %+v", got, want)
	}

	near, err := QueryFromURL(url.Values{"near": {"1,2"}})
	if err != nil || near.RadiusKm != DefaultRadiusKm {
		t.Errorf("near without radius: %+v, %v; want %v km", near, err, DefaultRadiusKm)
	}
	if zero, err := QueryFromURL(url.Values{}); err != nil || !reflect.DeepEqual(zero, finder.Query{}) {
		t.Errorf("no parameters: %+v, %v; want the zero query", zero, err)
	}

	for param, wantErr := range map[string]error{
		"near=here":         finder.ErrBadPoint,
		"near=1,2&radius=x": finder.ErrBadRadius,
		"limit=-1":          errBadLimit,
		"day=someday":       nil,
		"time=brunch":       nil,
		"attendance=zoom":   nil,
	} {
		v, _ := url.ParseQuery(param)
		_, err := QueryFromURL(v)
		if err == nil || (wantErr != nil && !errors.Is(err, wantErr)) {
			t.Errorf("%s: error %v, want %v", param, err, wantErr)
		}
	}
}

func TestWebURL(t *testing.T) {
	for _, tc := range []struct {
		s    Status
		want string
	}{
		{Status{Web: "127.0.0.1:7777"}, "http://127.0.0.1:7777/"},
		{Status{Web: "0.0.0.0:7777"}, "http://127.0.0.1:7777/"},
		{Status{Web: "hub.example.org:443", TLS: true}, "https://hub.example.org:443/"},
	} {
		if got := tc.s.WebURL(); got != tc.want {
			t.Errorf("%+v: %s, want %s", tc.s, got, tc.want)
		}
	}
}
