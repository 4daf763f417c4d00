package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestBadMeetingsAndPeers: each bad input gets one clear line and stores
// nothing, both when the CLI opens the store itself and when it talks to a
// running node.
func TestBadMeetingsAndPeers(t *testing.T) {
	cases := []struct {
		name string
		args []string
		want string // in the error line
	}{
		{"invalid day", []string{"meetings", "add", "--name", "Hope", "--day", "funday", "--time", "19:00"}, "funday"},
		{"day out of range", []string{"meetings", "add", "--name", "Hope", "--day", "7", "--time", "19:00"}, "0-6"},
		{"time 25:00", []string{"meetings", "add", "--name", "Hope", "--day", "1", "--time", "25:00"}, "25:00"},
		{"bad timezone", []string{"meetings", "add", "--name", "Hope", "--day", "1", "--time", "19:00", "--timezone", "Mars/Base"}, "Mars/Base"},
		{"bad online URL", []string{"meetings", "add", "--name", "Hope", "--day", "1", "--time", "19:00", "--online", "zoom meeting 123"}, "zoom meeting 123"},
		{"empty name", []string{"meetings", "add", "--name", "  ", "--day", "1", "--time", "19:00"}, "name"},
		{"missing flags", []string{"meetings", "add", "--name", "Hope"}, "--day and --time"},
		{"bad format", []string{"meetings", "add", "--name", "Hope", "--day", "1", "--time", "19:00", "--format", "lecture"}, "lecture"},
		{"malformed multiaddr", []string{"peers", "add", "not-a-multiaddr"}, "not-a-multiaddr"},
		{"multiaddr without peer ID", []string{"peers", "add", "/ip4/127.0.0.1/tcp/4141"}, "/p2p/"},
		{"bad peer ID", []string{"peers", "block", "nobody"}, "nobody"},
		{"unknown meeting", []string{"meetings", "cancel", "no-such-meeting"}, "no-such-meeting"},
		{"unknown flag", []string{"meetings", "list", "--colour"}, "colour"},
		{"unknown command", []string{"meetings", "delete", "x"}, "delete"},
	}
	check := func(t *testing.T, dir string) {
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				r := hearth(t, dir, nil, tc.args...)
				assertOneLineError(t, r, tc.want)
				if r.stdout != "" {
					t.Errorf("stdout: %q", r.stdout)
				}
			})
		}
		if out := mustHearth(t, dir, nil, "meetings", "list", "--all", "--json"); strings.TrimSpace(out) != "[]" {
			t.Errorf("meetings stored after bad input: %s", out)
		}
		if out := mustHearth(t, dir, nil, "peers", "list", "--json"); strings.TrimSpace(out) != "[]" {
			t.Errorf("peers stored after bad input: %s", out)
		}
	}

	dir := t.TempDir()
	mustHearth(t, dir, nil, "init", "--name", "Bad Input Hub")
	t.Run("in-process", func(t *testing.T) { check(t, dir) })
	n := startNode(t, dir)
	t.Run("running", func(t *testing.T) { check(t, dir) })
	n.stop()
}

func TestNoNode(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "none")
	for _, args := range [][]string{{"status"}, {"meetings", "list"}, {"peers", "list"}, {"id"}} {
		r := hearth(t, dir, nil, args...)
		assertOneLineError(t, r, "no Hearth node in this directory ("+dir+"): run 'hearth init' or 'hearth run' first")
		if r.code != exitFailure {
			t.Errorf("%v: exit %d, want %d", args, r.code, exitFailure)
		}
	}
	if _, err := os.Stat(dir); err == nil {
		t.Errorf("a command made %s", dir)
	}
}

func TestInitRefusesExistingNode(t *testing.T) {
	dir := t.TempDir()
	out := mustHearth(t, dir, nil, "init", "--name", "First")
	if !strings.Contains(out, "peer ID: 12D3KooW") {
		t.Errorf("init printed %q, want the peer ID", out)
	}
	before, err := os.ReadFile(filepath.Join(dir, "config.toml"))
	if err != nil {
		t.Fatal(err)
	}
	r := hearth(t, dir, nil, "init", "--name", "Second")
	assertOneLineError(t, r, "already holds a Hearth node")
	after, _ := os.ReadFile(filepath.Join(dir, "config.toml"))
	if string(before) != string(after) {
		t.Error("init on an existing node changed its config.toml")
	}
}

func TestMalformedConfig(t *testing.T) {
	dir := t.TempDir()
	mustHearth(t, dir, nil, "init")
	path := filepath.Join(dir, "config.toml")
	if err := os.WriteFile(path, []byte("# a hub\nname = \"ok\"\nthis is = not [toml\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"status"}, loopbackRun} {
		r := hearth(t, dir, nil, args...)
		assertOneLineError(t, r, path+":3")
	}
}
