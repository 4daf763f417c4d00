package main

import (
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"hearth/node"
	"hearth/protocol"
)

// feedPath is a Meeting Guide feed of the repository's testdata (see its
// README for where each comes from).
func feedPath(name string) string {
	return filepath.Join("..", "..", "protocol", "meetingguide", "testdata", name)
}

// TestMeetingGuideImport drives `meetings import` as an operator would, with
// no node running: bad files first (nothing stored), a dry run, the real
// import, then the same file again.
func TestMeetingGuideImport(t *testing.T) {
	dir := t.TempDir()
	mustHearth(t, dir, nil, "init")
	countMine := func() int {
		var list []meetingJSON
		hearthJSON(t, dir, nil, &list, "meetings", "list", "--mine", "--all")
		return len(list)
	}

	r := hearth(t, dir, nil, "meetings", "import", feedPath("invalid.json"))
	assertOneLineError(t, r, "nothing imported: the feed is not valid JSON: line 80, column 3")
	assertOneLineError(t, hearth(t, dir, nil, "meetings", "import", "no-such-feed.json"), "cannot read no-such-feed.json")
	r = hearth(t, dir, nil, "meetings", "import", feedPath("aasfmarin.json"), "--timezone", "Mars/Base")
	assertOneLineError(t, r, "--timezone")
	if r.code != exitUsage {
		t.Errorf("bad --timezone: exit %d, want %d", r.code, exitUsage)
	}
	out := mustHearth(t, dir, nil, "meetings", "import", feedPath("aasfmarin.json"), "--dry-run")
	if !strings.Contains(out, "nothing changed") || !strings.Contains(out, "658 added") {
		t.Errorf("dry run says:\n%s", out)
	}
	r, err := runHearthStdin(dir, nil, readFile(t, feedPath("appointment.json")), "meetings", "import", "-", "--dry-run")
	if err != nil || r.code != 0 || !strings.HasPrefix(r.stdout, "dry run of standard input, nothing changed; an import would make: 2 added,") {
		t.Errorf("dry run from standard input: %v %s", err, r)
	}
	if n := countMine(); n != 0 {
		t.Fatalf("%d meetings stored after failed imports and dry runs, want 0", n)
	}

	out = mustHearth(t, dir, nil, "meetings", "import", feedPath("aasfmarin.json"))
	if !strings.HasPrefix(out, "imported aasfmarin.json: 658 added, 0 updated, 0 unchanged, 0 cancelled, 0 skipped\n") {
		t.Errorf("import says:\n%s", out)
	}
	// Every conference link on a host outside the allow-list is named, with
	// the row to find it by: 8 millvalleycabin.com, 7 sites.google.com, 5
	// tinyurl.com (counted in the file by hand).
	flagged := regexp.MustCompile(`(?m)^  \[\d+\] "[^"]+"  (millvalleycabin\.com|sites\.google\.com|tinyurl\.com)$`)
	if n := len(flagged.FindAllString(out, -1)); n != 20 {
		t.Errorf("%d unknown providers listed, want 20:\n%s", n, out)
	}
	if !strings.Contains(out, `[33] "mill-valley-cabin-638"  millvalleycabin.com`) {
		t.Errorf("row 33's provider is not named:\n%s", out)
	}
	if n := countMine(); n != 658 {
		t.Errorf("%d meetings stored, want 658", n)
	}
	if show := mustHearth(t, dir, nil, "meetings", "show", "just-for-today-588"); !strings.Contains(show, "types:     Closed (C), Outdoor (OUT), Discussion (D), Women (W)") {
		t.Errorf("meetings show does not name the types:\n%s", show)
	}

	out = mustHearth(t, dir, nil, "meetings", "import", feedPath("aasfmarin.json"))
	if !strings.HasPrefix(out, "imported aasfmarin.json: 0 added, 0 updated, 658 unchanged, 0 cancelled, 0 skipped\n") {
		t.Errorf("second import says:\n%s", out)
	}

	// A feed of one meeting from the hub's list, changed, and a row that
	// cannot be a meeting: --prune cancels the other 657.
	small := filepath.Join(t.TempDir(), "small.json")
	writeFile(t, small, `[{"slug":"just-for-today-588","name":"Just for Today (moved)","day":6,"time":"11:00","timezone":"America/Los_Angeles"},
		{"slug":"no-name","day":1,"time":"10:00"}]`)
	out = mustHearth(t, dir, nil, "meetings", "import", small, "--prune")
	if !strings.HasPrefix(out, "imported small.json: 0 added, 1 updated, 0 unchanged, 657 cancelled, 1 skipped\n") ||
		!regexp.MustCompile(`(?m)^  \[1\] "no-name"  \S`).MatchString(out) {
		t.Errorf("pruning import says:\n%s", out)
	}
	var live []meetingJSON
	hearthJSON(t, dir, nil, &live, "meetings", "list", "--mine")
	if len(live) != 1 || live[0].Name != "Just for Today (moved)" {
		t.Errorf("after --prune, the hub lists %+v", live)
	}
}

// TestMeetingFinderFlags checks each finder flag of `meetings list` keeps
// what it names, on a real feed.
func TestMeetingFinderFlags(t *testing.T) {
	dir := t.TempDir()
	mustHearth(t, dir, nil, "init")
	mustHearth(t, dir, nil, "meetings", "import", feedPath("aasfmarin.json"))

	type found struct {
		meetingJSON
		Language   string   `json:"language"`
		SubRegion  string   `json:"sub_region"`
		DistanceKm *float64 `json:"distance_km"`
		InProgress bool     `json:"in_progress"`
	}
	list := func(args ...string) []found {
		t.Helper()
		var out []found
		hearthJSON(t, dir, nil, &out, append([]string{"meetings", "list"}, args...)...)
		if len(out) == 0 {
			t.Errorf("meetings list %s found nothing", strings.Join(args, " "))
		}
		return out
	}

	for _, m := range list("--near", "37.97,-122.53", "--radius", "3mi") {
		if m.DistanceKm == nil || *m.DistanceKm > 3*1.609344 {
			t.Errorf("--near --radius 3mi kept %s at %v km", m.Slug, m.DistanceKm)
		}
	}
	for _, m := range list("--lang", "es") {
		if !strings.HasPrefix(m.Language, "es") && !slices.Contains(m.Types, "S") {
			t.Errorf("--lang es kept %s (%s, %v)", m.Slug, m.Language, m.Types)
		}
	}
	for _, m := range list("--time", "evening") {
		if m.Time < "17:00" || m.Time >= "21:00" {
			t.Errorf("--time evening kept %s at %s", m.Slug, m.Time)
		}
	}
	for _, m := range list("--type", "W", "--type", "O") {
		if !slices.Contains(m.Types, "W") || !slices.Contains(m.Types, "O") {
			t.Errorf("--type W --type O kept %s %v", m.Slug, m.Types)
		}
	}
	for _, m := range list("--region", "san rafael") {
		if m.SubRegion != "San Rafael" {
			t.Errorf("--region san rafael kept %s in %q", m.Slug, m.SubRegion)
		}
	}
	online := list("--attendance", "online")
	inPerson := list("--attendance", "in_person")
	if len(online)+len(inPerson) >= 658 {
		t.Errorf("online %d + in person %d: hybrid meetings are in neither, so the sum must be under 658", len(online), len(inPerson))
	}
	if next := list("--next", "5"); len(next) != 5 {
		t.Errorf("--next 5 gave %d", len(next))
	}

	table := mustHearth(t, dir, nil, "meetings", "list", "--near", "37.97,-122.53", "--next", "3")
	if !strings.HasPrefix(table, "WHEN ") || !strings.Contains(strings.SplitN(table, "\n", 2)[0], " KM ") {
		t.Errorf("table with --near has no KM column:\n%s", table)
	}

	for _, bad := range [][]string{
		{"--radius", "5km"}, {"--near", "somewhere"}, {"--near", "1,2", "--radius", "far"},
		{"--time", "brunch"}, {"--attendance", "teleport"}, {"--day", "someday"}, {"--next", "-1"},
	} {
		r := hearth(t, dir, nil, append([]string{"meetings", "list"}, bad...)...)
		assertOneLineError(t, r, "")
		if r.code != exitUsage {
			t.Errorf("meetings list %s: exit %d, want %d", strings.Join(bad, " "), r.code, exitUsage)
		}
	}
}

// TestMeetingGuideOnARunningHub imports through the operator socket of a
// running node, then reads the feed back from the CLI and from the web, and
// prints a schedule.
func TestMeetingGuideOnARunningHub(t *testing.T) {
	dir := t.TempDir()
	n := startNode(t, dir)
	out := mustHearth(t, dir, nil, "meetings", "import", feedPath("sussexaa.json"))
	if !strings.HasPrefix(out, "imported sussexaa.json: 145 added,") {
		t.Errorf("import says:\n%s", out)
	}
	// The options and errors cross the socket too.
	assertOneLineError(t, hearth(t, dir, nil, "meetings", "import", feedPath("invalid.json")), "nothing imported: the feed is not valid JSON: line 80, column 3")
	out = mustHearth(t, dir, nil, "meetings", "import", feedPath("appointment.json"), "--dry-run", "--prune", "--timezone", "Europe/London")
	if !strings.HasPrefix(out, "dry run of appointment.json, nothing changed; an import would make: 2 added, 0 updated, 0 unchanged, 145 cancelled, 0 skipped\n") {
		t.Errorf("dry run with --prune says:\n%s", out)
	}
	exported := mustHearth(t, dir, nil, "meetings", "export")
	var feed []map[string]any
	if err := json.Unmarshal([]byte(exported), &feed); err != nil || len(feed) != 145 {
		t.Fatalf("export: %d meetings, %v", len(feed), err)
	}

	var status struct{ Web string }
	hearthJSON(t, dir, nil, &status, "status")
	web := func(path string) string {
		t.Helper()
		resp, err := http.Get("http://" + status.Web + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: %s", path, resp.Status)
		}
		return string(body)
	}
	if got := web("/meetings.json"); got != exported {
		t.Error("GET /meetings.json differs from `hearth meetings export`")
	}

	// Re-importing the export into another hub keeps every meeting.
	other := t.TempDir()
	mustHearth(t, other, nil, "init")
	saved := filepath.Join(t.TempDir(), "export.json")
	mustHearth(t, dir, nil, "meetings", "export", "--mine", "--out", saved)
	out = mustHearth(t, other, nil, "meetings", "import", saved)
	if !strings.HasPrefix(out, "imported export.json: 145 added, 0 updated, 0 unchanged, 0 cancelled, 0 skipped\n") {
		t.Errorf("import of the export says:\n%s", out)
	}

	page := filepath.Join(t.TempDir(), "week.html")
	mustHearth(t, dir, nil, "meetings", "print", "--out", page)
	html := readFile(t, page)
	days := strings.Count(html, `<section class="day">`)
	// 40 of sussexaa.json's 145 are not meeting for now (attendance_option
	// "inactive"): a sheet pinned up for weeks leaves them out.
	if days != 7 || strings.Count(html, `class="name"`) != 105 || !strings.Contains(html, "<h1>Monday</h1>") {
		t.Errorf("schedule has %d day pages and %d meetings; want 7 and 105", days, strings.Count(html, `class="name"`))
	}
	if es := mustHearth(t, dir, nil, "meetings", "print", "--page-lang", "es"); !strings.Contains(es, "<h1>lunes</h1>") {
		t.Error("--page-lang es did not print the days in Spanish")
	}
	assertOneLineError(t, hearth(t, dir, nil, "meetings", "print", "--region", "Atlantis"), "no meetings to print")
	n.stop()
}

func writeFile(t *testing.T, path, data string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// The table's "today" is the hub's (Los Angeles here), whatever zone a
// meeting keeps its clock in: at 23:30 on Saturday there, a London meeting
// at 07:45 on Sunday (23:45 in Los Angeles) is today, one at 08:30 tomorrow.
func TestWhenWord(t *testing.T) {
	la, _ := time.LoadLocation("America/Los_Angeles")
	london, _ := time.LoadLocation("Europe/London")
	// Saturday 28 November 2026, 23:30 in Los Angeles: already Sunday in UTC.
	now := time.Date(2026, 11, 29, 7, 30, 0, 0, time.UTC)
	in := func(loc *time.Location, day, hour, minute int) node.Meeting {
		next := time.Date(2026, 11, 28+day, hour, minute, 0, 0, loc)
		d := int(next.Weekday())
		return node.Meeting{Listing: &protocol.Listing{Day: &d, Address: "1 Main St"}, Next: &next}
	}
	inProgress := in(la, 0, 23, 0)
	inProgress.InProgress = true
	closed := in(la, 1, 9, 0)
	closed.Types = []string{"TC"}
	for _, tc := range []struct {
		m    node.Meeting
		want string
	}{
		{inProgress, "now"},
		{in(la, 0, 23, 45), "today"}, // the hub's date, not UTC's
		{in(la, 1, 9, 0), "tomorrow"},
		{in(la, 2, 9, 0), "Monday"},
		{in(london, 1, 7, 45), "today"},
		{in(london, 1, 8, 30), "tomorrow"},
		{closed, "not now"},
		{node.Meeting{Listing: &protocol.Listing{Address: "1 Main St"}}, "by appointment"},
	} {
		if got := whenWord(tc.m, now, la); got != tc.want {
			t.Errorf("%v: %q, want %q", tc.m.Next, got, tc.want)
		}
	}
}
