package node

import (
	"reflect"
	"testing"
	"time"

	"hearth/protocol"
)

// A Draft has every field of a listing but those the hub sets when it
// signs, with the same type and JSON name: a field added to
// protocol.Listing must be added to Draft, or said to be the hub's here.
func TestDraftIsTheListingsMeetingFields(t *testing.T) {
	t.Parallel()
	hubSets := map[string]bool{"Version": true, "Hub": true, "Seq": true, "IssuedAt": true, "ExpiresAt": true, "Cancelled": true}
	listing, draft := reflect.TypeFor[protocol.Listing](), reflect.TypeFor[Draft]()
	for i := range listing.NumField() {
		lf := listing.Field(i)
		df, ok := draft.FieldByName(lf.Name)
		switch {
		case hubSets[lf.Name] && ok:
			t.Errorf("Draft has %s, which the hub sets", lf.Name)
		case hubSets[lf.Name]:
		case !ok:
			t.Errorf("Draft lacks the listing's %s", lf.Name)
		case df.Type != lf.Type || df.Tag.Get("json") != lf.Tag.Get("json"):
			t.Errorf("Draft's %s is %v `json:%q`, the listing's %v `json:%q`", lf.Name, df.Type, df.Tag.Get("json"), lf.Type, lf.Tag.Get("json"))
		}
	}
	if want := listing.NumField() - len(hubSets); draft.NumField() != want {
		t.Errorf("Draft has %d fields, want %d", draft.NumField(), want)
	}

	day, lat := 2, -1.29
	l := protocol.Listing{
		Version: 1, Hub: "hub", Seq: 9, IssuedAt: time.Now(), ExpiresAt: time.Now(), Cancelled: true,
		Slug: "s", Name: "Tuesday Hope", Day: &day, Time: "19:00", Types: []string{"O"}, Latitude: &lat,
		Contacts: []protocol.Contact{{Name: "Ama"}}, Format: protocol.FormatPeerLed,
	}
	want := l
	want.Version, want.Hub, want.Seq, want.IssuedAt, want.ExpiresAt, want.Cancelled = 0, "", 0, time.Time{}, time.Time{}, false
	if got := DraftOf(l).listing(); !reflect.DeepEqual(got, want) {
		t.Errorf("through a draft:\n got %+v\nwant %+v", got, want)
	}
}
