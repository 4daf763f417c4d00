package main

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// idJSON is `hearth id --json`.
type idJSON struct {
	ID    string   `json:"id"`
	Addrs []string `json:"addrs"`
}

// meetingJSON is the part of a `meetings list --json` item the tests read.
type meetingJSON struct {
	ID        string    `json:"id"`
	Hub       string    `json:"hub"`
	Slug      string    `json:"slug"`
	Name      string    `json:"name"`
	Day       *int      `json:"day"`
	Time      string    `json:"time"`
	EndTime   string    `json:"end_time"`
	Timezone  string    `json:"timezone"`
	Types     []string  `json:"types"`
	Cancelled bool      `json:"cancelled"`
	Seq       uint64    `json:"seq"`
	ExpiresAt time.Time `json:"expires_at"`
	Format    string    `json:"format"`
	Region    string    `json:"region"`
}

// loopbackAddr is the node's TCP address on 127.0.0.1, with /p2p/.
func loopbackAddr(t *testing.T, id idJSON) string {
	t.Helper()
	for _, a := range id.Addrs {
		if strings.HasPrefix(a, "/ip4/127.0.0.1/tcp/") && strings.Contains(a, "/p2p/"+id.ID) {
			return a
		}
	}
	t.Fatalf("no /ip4/127.0.0.1/tcp address with /p2p/ in %v", id.Addrs)
	return ""
}

func findMeeting(list []meetingJSON, id string) (meetingJSON, bool) {
	for _, m := range list {
		if m.ID == id {
			return m, true
		}
	}
	return meetingJSON{}, false
}

// TestThreeHubs drives three real `hearth run` processes through the CLI:
// connect them in a line A <- B <- C, add a meeting on A, see it reach B and
// C (through B), cancel it, and see the cancellation everywhere.
func TestThreeHubs(t *testing.T) {
	dirs := []string{t.TempDir(), t.TempDir(), t.TempDir()}
	nodes := make([]*runningNode, len(dirs))
	errs := make([]error, len(dirs))
	var wg sync.WaitGroup
	for i, dir := range dirs {
		wg.Go(func() { nodes[i], errs[i] = launchNode(t, dir) })
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	a, b, c := dirs[0], dirs[1], dirs[2]

	ids := make([]idJSON, len(dirs))
	for i, dir := range dirs {
		hearthJSON(t, dir, nil, &ids[i], "id")
		if ids[i].ID == "" {
			t.Fatalf("hearth id on %s: empty id", dir)
		}
	}
	mustHearth(t, b, nil, "peers", "add", loopbackAddr(t, ids[0]))
	mustHearth(t, c, nil, "peers", "add", loopbackAddr(t, ids[1]), "--trust") // flag after the argument

	var peers []struct {
		ID        string `json:"id"`
		Connected bool   `json:"connected"`
		Trusted   bool   `json:"trusted"`
		Blocked   bool   `json:"blocked"`
	}
	eventually(t, "C connected to B", func() (bool, string) {
		hearthJSON(t, c, nil, &peers, "peers", "list")
		for _, p := range peers {
			if p.ID == ids[1].ID && p.Connected && p.Trusted && !p.Blocked {
				return true, ""
			}
		}
		return false, fmt.Sprint(peers)
	})

	meetingID := strings.TrimSpace(mustHearth(t, a, nil, "meetings", "add",
		"--name", "Tuesday Hope", "--day", "tuesday", "--time", "19:00", "--end", "20:00",
		"--timezone", "Africa/Nairobi", "--type", "O", "--type", "D", "--region", "Kisumu"))
	if want := ids[0].ID + "/tuesday-hope"; meetingID != want {
		t.Fatalf("meetings add printed %q, want %q", meetingID, want)
	}

	for i, dir := range dirs[1:] {
		hub := string(rune('B' + i))
		eventually(t, "the meeting listed on "+hub, func() (bool, string) {
			var list []meetingJSON
			hearthJSON(t, dir, nil, &list, "meetings", "list")
			_, ok := findMeeting(list, meetingID)
			return ok, fmt.Sprintf("%+v", list)
		})
	}
	var list []meetingJSON
	hearthJSON(t, c, nil, &list, "meetings", "list", "--day", "2", "--type", "O")
	m, ok := findMeeting(list, meetingID)
	if !ok {
		t.Fatalf("meetings list --day 2 --type O on C: %s not in %+v", meetingID, list)
	}
	if m.Hub != ids[0].ID || m.Slug != "tuesday-hope" || m.Name != "Tuesday Hope" || m.Day == nil || *m.Day != 2 ||
		m.Time != "19:00" || m.EndTime != "20:00" || m.Timezone != "Africa/Nairobi" ||
		strings.Join(m.Types, ",") != "O,D" || m.Cancelled || m.Seq == 0 || m.ExpiresAt.IsZero() || m.Format != "peer-led" {
		t.Errorf("the meeting on C: %+v", m)
	}

	// Update with the flag after the ID, as the contract writes it.
	mustHearth(t, a, nil, "meetings", "update", "tuesday-hope", "--time", "18:30")
	eventually(t, "the update reaches C", func() (bool, string) {
		hearthJSON(t, c, nil, &list, "meetings", "list")
		m, _ := findMeeting(list, meetingID)
		return m.Time == "18:30" && m.Name == "Tuesday Hope" && m.Region == "Kisumu", fmt.Sprintf("%+v", m)
	})

	mustHearth(t, a, nil, "meetings", "cancel", "tuesday-hope")
	for i, dir := range dirs[1:] {
		hub := string(rune('B' + i))
		eventually(t, "the cancellation on "+hub, func() (bool, string) {
			hearthJSON(t, dir, nil, &list, "meetings", "list", "--all")
			m, ok := findMeeting(list, meetingID)
			return ok && m.Cancelled, fmt.Sprintf("%+v", list)
		})
		hearthJSON(t, dir, nil, &list, "meetings", "list")
		if _, ok := findMeeting(list, meetingID); ok {
			t.Errorf("meetings list without --all on %s shows the cancelled meeting", hub)
		}
	}

	for i, dir := range dirs {
		var status struct {
			Running  bool   `json:"running"`
			Web      string `json:"web"`
			Peers    int    `json:"peers"`
			Listings struct {
				Own, Others, Cancelled int
			} `json:"listings"`
		}
		hearthJSON(t, dir, nil, &status, "status")
		if !status.Running || status.Web == "" || status.Peers == 0 || status.Listings.Cancelled != 1 {
			t.Errorf("status --json on hub %d: %+v", i, status)
		}
		resp, err := http.Get("http://" + status.Web + "/api/v1/status")
		if err != nil {
			t.Fatalf("GET /api/v1/status on hub %d: %v", i, err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Errorf("GET /api/v1/status on hub %d: %s", i, resp.Status)
		}
	}

	for _, n := range nodes {
		wg.Go(n.stop)
	}
	wg.Wait()
}

// TestSecondRunRefused: a second `hearth run` on a directory in use says so
// in one line, never with the store's lock error.
func TestSecondRunRefused(t *testing.T) {
	dir := t.TempDir()
	n := startNode(t, dir)
	r := hearth(t, dir, nil, loopbackRun...)
	assertOneLineError(t, r, "already running")
	if low := strings.ToLower(r.stderr); strings.Contains(low, "lock") || strings.Contains(low, "badger") {
		t.Errorf("stderr mentions the store's lock: %s", r.stderr)
	}
	// The first node is unharmed.
	mustHearth(t, dir, nil, "status")
	n.stop()
}
