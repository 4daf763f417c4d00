package main

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"hearth/node"
)

// Issue 11, item 3: a hub on a machine set to UTC (a server, a container)
// has no zone of its own until the operator gives one: `hearth status`
// says so, and an import that names the feed's zone makes it the hub's.
func TestHubZoneUnsetThenSetByImport(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	utc := []string{"TZ=Etc/UTC"}
	out := mustHearth(t, dir, utc, "init")
	if !strings.Contains(out, "time zone: not set") || !strings.Contains(out, "crisis lines: none set") {
		t.Errorf("init on a UTC machine says:\n%s", out)
	}
	out = mustHearth(t, dir, utc, "status")
	if !strings.Contains(out, "zone:      Etc/UTC, NOT SET") || !strings.Contains(out, "NO CRISIS LINES SET") {
		t.Errorf("status of a hub with no zone or crisis lines:\n%s", out)
	}
	var st node.Status
	hearthJSON(t, dir, utc, &st, "status")
	if st.ZoneFrom != node.ZoneFromMachine || st.CrisisLines != 0 {
		t.Errorf("status --json: zone %q from %q, %d crisis lines", st.Zone, st.ZoneFrom, st.CrisisLines)
	}

	out = mustHearth(t, dir, utc, "meetings", "import", feedPath("aasanjose.json"), "--timezone", "America/Los_Angeles")
	if !strings.Contains(out, "the hub's time zone is now America/Los_Angeles") {
		t.Errorf("import with --timezone says:\n%s", out)
	}
	if cfg := readFile(t, node.ConfigPath(dir)); !strings.Contains(cfg, `default_timezone = "America/Los_Angeles"`) {
		t.Errorf("config.toml after the import:\n%s", cfg)
	}
	hearthJSON(t, dir, utc, &st, "status")
	if st.Zone != "America/Los_Angeles" || st.ZoneFrom != node.ZoneFromConfig {
		t.Errorf("after the import the hub's zone is %q from %q", st.Zone, st.ZoneFrom)
	}
	// A zone once set is the operator's: a later import does not move it.
	out = mustHearth(t, dir, utc, "meetings", "import", feedPath("appointment.json"), "--timezone", "Europe/London")
	if strings.Contains(out, "time zone is now") {
		t.Errorf("a second import changed the hub's zone:\n%s", out)
	}
	hearthJSON(t, dir, utc, &st, "status")
	if st.Zone != "America/Los_Angeles" {
		t.Errorf("a second import moved the zone to %q", st.Zone)
	}

	// While the hub runs, the zone is written down and the operator told
	// to restart.
	running := t.TempDir()
	mustHearth(t, running, utc, "init")
	startNode(t, running)
	out = mustHearth(t, running, utc, "meetings", "import", feedPath("appointment.json"), "--timezone", "Africa/Nairobi")
	if !strings.Contains(out, "is now Africa/Nairobi") || !strings.Contains(out, "restart the hub") {
		t.Errorf("import into a running hub says:\n%s", out)
	}
}

// `hearth init` takes the hub's zone from a machine that names a real one,
// and fills the crisis lines for a country from Hearth's table; a country
// it has none for is a one-line error that makes nothing.
func TestInitZoneAndCountry(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	out := mustHearth(t, dir, []string{"TZ=Africa/Nairobi"}, "init", "--country", "ke")
	if !strings.Contains(out, "time zone: Africa/Nairobi") || !strings.Contains(out, "crisis lines for Kenya") || !strings.Contains(out, node.CrisisLinesChecked) {
		t.Errorf("init --country ke says:\n%s", out)
	}
	cfg, err := node.LoadConfig(node.ConfigPath(dir))
	if err != nil {
		t.Fatal(err)
	}
	ke, _ := node.CrisisLinesFor("KE")
	if cfg.Listings.DefaultTimezone != "Africa/Nairobi" || strings.Join(cfg.Help.CrisisLines, "|") != strings.Join(ke.Lines, "|") {
		t.Errorf("config after init: zone %q, lines %q", cfg.Listings.DefaultTimezone, cfg.Help.CrisisLines)
	}
	// The rest of the file is still every key with its comment.
	if text := readFile(t, node.ConfigPath(dir)); strings.Count(text, "\n# ") < 20 {
		t.Errorf("init's config.toml lost its comments:\n%s", text)
	}

	dir = t.TempDir()
	mustHearth(t, dir, []string{"TZ=Etc/UTC"}, "init", "--timezone", "America/Mexico_City", "--country", "MX")
	cfg, _ = node.LoadConfig(node.ConfigPath(dir))
	if cfg.Listings.DefaultTimezone != "America/Mexico_City" || len(cfg.Help.CrisisLines) == 0 {
		t.Errorf("init --timezone --country: %+v", cfg.Listings)
	}

	dir = filepath.Join(t.TempDir(), "hub")
	assertOneLineError(t, hearth(t, dir, nil, "init", "--country", "ZZ"), "--country ZZ: Hearth has no crisis lines for it")
	assertOneLineError(t, hearth(t, dir, nil, "init", "--timezone", "Mars/Olympus"), "--timezone: timezone \"Mars/Olympus\" is not an IANA zone name")
	if node.IsNode(dir) {
		t.Error("a refused init left a node behind")
	}
}

// Issue 11, item 4: the README's own example meeting, added with an
// address of two parts, is in person; the operator sees, on adding,
// showing and listing, the attendance the page will show.
func TestMeetingsShowTheirAttendance(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	mustHearth(t, dir, nil, "init", "--timezone", "Africa/Nairobi")
	r := hearth(t, dir, nil, "meetings", "add", "--name", "Tuesday Hope", "--day", "tuesday", "--time", "19:30",
		"--end", "20:30", "--type", "O", "--address", "Community Hall, Kibera", "--region", "Kibera", "--format", "peer-led", "--focus", "alcohol")
	if r.code != 0 || strings.TrimSpace(r.stdout) == "" || strings.Contains(r.stdout, "\n"+"members") || !strings.Contains(r.stderr, "members see it as: In person") {
		t.Fatalf("meetings add:\n%s", r)
	}
	id := strings.TrimSpace(r.stdout)
	if out := mustHearth(t, dir, nil, "meetings", "show", id); !strings.Contains(out, "attending: In person") || !strings.Contains(out, "Community Hall, Kibera") {
		t.Errorf("meetings show:\n%s", out)
	}
	if out := mustHearth(t, dir, nil, "meetings", "list"); !strings.Contains(out, "In person") {
		t.Errorf("meetings list:\n%s", out)
	}
	var ms []node.APIMeeting
	if err := json.Unmarshal([]byte(mustHearth(t, dir, nil, "meetings", "list", "--json")), &ms); err != nil || len(ms) != 1 || ms[0].Attendance != "in_person" {
		t.Errorf("meetings list --json: %+v %v", ms, err)
	}

	// Only the operator's word makes an address approximate: then, with no
	// way to join online, the meeting is not meeting for now, and the CLI
	// says what that means.
	r = hearth(t, dir, nil, "meetings", "update", id, "--approximate")
	if r.code != 0 || !strings.Contains(r.stderr, "members see it as: Not meeting for now") || !strings.Contains(r.stderr, "give it --address or --online") {
		t.Errorf("meetings update --approximate:\n%s", r)
	}
	if out := mustHearth(t, dir, nil, "meetings", "list"); !strings.Contains(out, "not now") || !strings.Contains(out, "Not meeting for now") {
		t.Errorf("meetings list of a meeting not meeting for now:\n%s", out)
	}
	r = hearth(t, dir, nil, "meetings", "update", id, "--online", "https://meet.jit.si/tuesday-hope")
	if r.code != 0 || !strings.Contains(r.stderr, "members see it as: Online") {
		t.Errorf("meetings update --online:\n%s", r)
	}
}
