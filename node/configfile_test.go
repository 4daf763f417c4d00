package node

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// SetConfigValue changes one key and leaves the rest of the file, comments
// and all, as the operator wrote it; a change that would not load is
// refused with the file untouched.
func TestSetConfigValue(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "config.toml")
	original := string(DefaultTOML("Kibera hub")) + "\n# my own note\n"
	if err := os.WriteFile(path, []byte(original), 0o640); err != nil {
		t.Fatal(err)
	}
	if err := SetConfigValue(path, "listings", "default_timezone", "Africa/Nairobi"); err != nil {
		t.Fatal(err)
	}
	if err := SetConfigValue(path, "help", "crisis_lines", []string{"Kenya Red Cross: 1199", "Emergency: 999"}); err != nil {
		t.Fatal(err)
	}
	cfg, err := LoadConfig(path)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Name != "Kibera hub" || cfg.Listings.DefaultTimezone != "Africa/Nairobi" || len(cfg.Help.CrisisLines) != 2 {
		t.Errorf("after the changes: %+v %+v", cfg.Listings, cfg.Help)
	}
	data, _ := os.ReadFile(path)
	text := string(data)
	if !strings.Contains(text, "# my own note") || strings.Count(text, "default_timezone") != 1 ||
		strings.Count(text, "\n# ") != strings.Count(original, "\n# ") {
		t.Errorf("the file lost lines or gained a second key:\n%s", text)
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o640 {
		t.Errorf("mode %v, want the file's own 0640", fi.Mode().Perm())
	}

	// A key the file lacks goes under its table; a table it lacks, at the end.
	bare := filepath.Join(t.TempDir(), "config.toml")
	os.WriteFile(bare, []byte("name = \"x\"\n\n[web]\nlisten = \"127.0.0.1:7777\"\n"), 0o600)
	if err := SetConfigValue(bare, "web", "session_idle", "30m"); err != nil {
		t.Fatal(err)
	}
	if err := SetConfigValue(bare, "listings", "default_timezone", "Europe/London"); err != nil {
		t.Fatal(err)
	}
	if cfg, err := LoadConfig(bare); err != nil || cfg.Web.SessionIdle.D().Minutes() != 30 || cfg.Listings.DefaultTimezone != "Europe/London" {
		t.Errorf("keys added: %+v %v", cfg, err)
	}

	before, _ := os.ReadFile(path)
	err = SetConfigValue(path, "listings", "default_timezone", "Mars/Olympus")
	if err == nil || !strings.Contains(err.Error(), "left as it was") {
		t.Errorf("a zone that does not load: %v", err)
	}
	if after, _ := os.ReadFile(path); string(after) != string(before) {
		t.Error("a refused change changed the file")
	}
	if leftovers, _ := filepath.Glob(filepath.Join(filepath.Dir(path), ".config-check-*")); len(leftovers) > 0 {
		t.Errorf("temporary files left: %v", leftovers)
	}
}

// InitWith writes the answers of init into a config that is otherwise the
// defaults, comments included.
func TestInitWith(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	ke, _ := CrisisLinesFor("ke")
	if err := InitWith(dir, Setup{Name: "Kibera", Timezone: "Africa/Nairobi", CrisisLines: ke.Lines}); err != nil {
		t.Fatal(err)
	}
	cfg, err := LoadConfig(ConfigPath(dir))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Name != "Kibera" || cfg.Listings.DefaultTimezone != "Africa/Nairobi" || strings.Join(cfg.Help.CrisisLines, "|") != strings.Join(ke.Lines, "|") {
		t.Errorf("config after InitWith: %+v", cfg)
	}
	if err := InitWith(t.TempDir(), Setup{Timezone: "Nowhere/Special"}); err == nil {
		t.Error("InitWith took a zone that does not load")
	}
}

// The hub's zone says where it comes from, and a machine set to UTC (a
// server's zone, not its members') is not offered as the hub's.
func TestHubZoneSource(t *testing.T) {
	t.Setenv("TZ", "Etc/UTC")
	cfg := DefaultConfig()
	if loc, from := hubZone(cfg); loc.String() != "Etc/UTC" || from != ZoneFromMachine {
		t.Errorf("unset on a UTC machine: %v from %s", loc, from)
	}
	if _, useful := MachineZone(); useful {
		t.Error("a UTC machine's zone is offered as the hub's")
	}
	t.Setenv("TZ", "Africa/Nairobi")
	if name, useful := MachineZone(); name != "Africa/Nairobi" || !useful {
		t.Errorf("MachineZone: %q %v", name, useful)
	}
	cfg.Listings.DefaultTimezone = "Asia/Tokyo"
	if loc, from := hubZone(cfg); loc.String() != "Asia/Tokyo" || from != ZoneFromConfig {
		t.Errorf("set: %v from %s", loc, from)
	}
	t.Setenv("TZ", "Not/AZone")
	if loc, from := hubZone(DefaultConfig()); loc != time.UTC || from != ZoneFromNone {
		t.Errorf("no zone at all: %v from %s", loc, from)
	}
}
