package members

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"reflect"
	"testing"
	"time"
)

func TestExportCSV(t *testing.T) {
	at := time.Date(2026, 5, 1, 9, 30, 0, 0, time.UTC)
	cs := []CheckIn{
		{At: at, Mood: 4, Craving: intp(2), Triggers: []string{"work", "family"}, Meeting: "hub/tue", Note: "line one\nline \"two\", with comma"},
		{At: at, Mood: 1, Used: true, Unsafe: true, Note: "=HYPERLINK(\"http://evil\")", Triggers: []string{"+1", "@home"}},
		{At: at, Mood: 3, Note: "-5 kg", Meeting: "\tx"},
	}
	var buf bytes.Buffer
	if err := ExportCSV(&buf, cs); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{
		{"at", "mood", "craving", "used", "triggers", "meeting", "note", "unsafe"},
		{"2026-05-01T09:30:00Z", "4", "2", "false", "work; family", "hub/tue", "line one\nline \"two\", with comma", "false"},
		{"2026-05-01T09:30:00Z", "1", "", "true", "'+1; @home", "", "'=HYPERLINK(\"http://evil\")", "true"},
		{"2026-05-01T09:30:00Z", "3", "", "false", "", "'\tx", "'-5 kg", "false"},
	}
	if !reflect.DeepEqual(rows, want) {
		t.Errorf("rows:\n got %q\nwant %q", rows, want)
	}
}

// The JSON export: the profile's date, every check-in newest first, with
// triggers as a list even when there are none and a craving left out when
// not said.
func TestExportJSON(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	b := e.book()
	mustAdd(t, b, "ana", "428613")
	a := mustUnlock(t, b, "ana", "428613")
	since := time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC)
	if err := a.SetProfile(Profile{SoberSince: &since}); err != nil {
		t.Fatal(err)
	}
	for _, c := range []CheckIn{{Mood: 2, Craving: intp(7), Triggers: []string{"work"}}, {Mood: 4}} {
		if _, err := a.AddCheckIn(c); err != nil {
			t.Fatal(err)
		}
		e.clock.Add(time.Minute)
	}
	doc, err := a.Export("Riverside hub")
	if err != nil {
		t.Fatal(err)
	}
	data, _ := json.Marshal(doc)
	var got map[string]any
	json.Unmarshal(data, &got)
	if got["nickname"] != "ana" || got["hub"] != "Riverside hub" || got["sober_since"] != "2026-01-02" || got["exported_at"] == nil {
		t.Errorf("export: %s", data)
	}
	cs, _ := got["checkins"].([]any)
	if len(cs) != 2 {
		t.Fatalf("export has %d check-ins: %s", len(cs), data)
	}
	newest, oldest := cs[0].(map[string]any), cs[1].(map[string]any)
	if newest["mood"] != 4.0 || newest["triggers"] == nil || len(newest["triggers"].([]any)) != 0 || newest["craving"] != nil {
		t.Errorf("newest: %v", newest)
	}
	if oldest["mood"] != 2.0 || oldest["craving"] != 7.0 || oldest["triggers"].([]any)[0] != "work" {
		t.Errorf("oldest: %v", oldest)
	}
}
