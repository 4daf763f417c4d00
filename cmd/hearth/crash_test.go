package main

import (
	"cmp"
	"fmt"
	"strings"
	"sync"
	"testing"
)

// TestKillDuringWrites: kill -9 a node while the CLI adds meetings and
// check-ins through it; after a restart, every write the CLI acknowledged
// (exit 0) is there.
func TestKillDuringWrites(t *testing.T) {
	const acknowledgedBeforeKill = 5
	dir := t.TempDir()
	n := startNode(t, dir)
	pin := []string{"HEARTH_PIN=482197"}
	mustHearth(t, dir, pin, "members", "add", "ama")

	var (
		mu        sync.Mutex
		meetings  []string // listing IDs acknowledged
		notes     []string // check-in notes acknowledged
		loopErr   error
		stop      = make(chan struct{})
		loopEnded = make(chan struct{})
	)
	// However the test ends, the writer stops before the directory goes.
	stopWriting := sync.OnceFunc(func() {
		close(stop)
		<-loopEnded
	})
	t.Cleanup(stopWriting)
	acknowledged := func() (int, int) {
		mu.Lock()
		defer mu.Unlock()
		return len(meetings), len(notes)
	}
	go func() {
		defer close(loopEnded)
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			r, err := runHearth(dir, nil, "meetings", "add", "--name", fmt.Sprintf("Crash Test %03d", i), "--day", "3", "--time", "18:00")
			if err == nil && r.code == 0 {
				mu.Lock()
				meetings = append(meetings, strings.TrimSpace(r.stdout))
				mu.Unlock()
			}
			note := fmt.Sprintf("checkin-%03d", i)
			r2, err2 := runHearth(dir, pin, "checkin", "add", "--member", "ama", "--mood", "3", "--craving", "2", "--note", note)
			if err2 == nil && r2.code == 0 {
				mu.Lock()
				notes = append(notes, note)
				mu.Unlock()
			}
			if err := cmp.Or(err, err2); err != nil {
				mu.Lock()
				loopErr = err
				mu.Unlock()
				return
			}
		}
	}()

	eventually(t, fmt.Sprintf("%d meetings and check-ins acknowledged", acknowledgedBeforeKill), func() (bool, string) {
		m, c := acknowledged()
		return m >= acknowledgedBeforeKill && c >= acknowledgedBeforeKill, fmt.Sprintf("%d meetings, %d check-ins", m, c)
	})
	n.kill()
	// Writes that raced the kill either failed or (once the socket is gone)
	// went to the store directly; both kinds of acknowledged write count.
	stopWriting()
	if loopErr != nil {
		t.Fatal(loopErr)
	}

	n = startNode(t, dir)
	var list []meetingJSON
	hearthJSON(t, dir, nil, &list, "meetings", "list", "--mine")
	for _, id := range meetings {
		if _, ok := findMeeting(list, id); !ok {
			t.Errorf("acknowledged meeting %s lost after kill -9", id)
		}
	}
	out := mustHearth(t, dir, pin, "checkin", "list", "--member", "ama", "--json")
	for _, note := range notes {
		if !strings.Contains(out, `"`+note+`"`) {
			t.Errorf("acknowledged check-in %q lost after kill -9", note)
		}
	}
	t.Logf("%d meetings and %d check-ins acknowledged, all kept", len(meetings), len(notes))
	n.stop()
}
