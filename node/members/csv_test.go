package members

import (
	"bytes"
	"encoding/csv"
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
