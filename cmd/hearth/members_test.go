package main

import (
	"encoding/json"
	"strings"
	"testing"

	"hearth/node/members"
)

// TestMemberCheckIns walks a member's data through the CLI with the store
// opened in process: PIN handling, a note from stdin, list, CSV export,
// wrong PIN, and erase.
func TestMemberCheckIns(t *testing.T) {
	dir := t.TempDir()
	mustHearth(t, dir, nil, "init")
	pin := []string{"HEARTH_PIN=808642"}

	assertOneLineError(t, hearth(t, dir, nil, "members", "add", "kofi"), "set HEARTH_PIN or run in a terminal to type the PIN")
	mustHearth(t, dir, pin, "members", "add", "kofi")
	assertOneLineError(t, hearth(t, dir, pin, "members", "add", "kofi"), "already exists")

	r, err := runHearthStdin(dir, pin, "a long day\n", "checkin", "add", "--member", "kofi", "--mood", "2", "--craving", "7",
		"--used", "--trigger", "work", "--note", "-")
	if err != nil || r.code != 0 {
		t.Fatalf("checkin add --note -: %v %s", err, r)
	}
	mustHearth(t, dir, pin, "checkin", "add", "--member", "kofi", "--mood", "4")
	assertOneLineError(t, hearth(t, dir, pin, "checkin", "add", "--member", "kofi", "--mood", "6"), "mood must be 1 to 5")
	assertOneLineError(t, hearth(t, dir, pin, "checkin", "add", "--mood", "3"), "--member")

	var list []struct {
		Mood     int      `json:"mood"`
		Craving  *int     `json:"craving"`
		Used     bool     `json:"used"`
		Triggers []string `json:"triggers"`
		Note     string   `json:"note"`
	}
	hearthJSON(t, dir, pin, &list, "checkin", "list", "--member", "kofi")
	if len(list) != 2 {
		t.Fatalf("checkin list: %+v, want 2 check-ins", list)
	}
	// Newest first; the craving left out stays "not said".
	if list[0].Mood != 4 || list[0].Craving != nil || list[1].Mood != 2 || list[1].Craving == nil || *list[1].Craving != 7 ||
		!list[1].Used || strings.Join(list[1].Triggers, ",") != "work" || list[1].Note != "a long day" {
		t.Errorf("checkin list: %+v", list)
	}

	csv := mustHearth(t, dir, pin, "checkin", "export", "--member", "kofi", "--format", "csv")
	if lines := strings.Split(strings.TrimSpace(csv), "\n"); len(lines) != 3 || !strings.HasPrefix(lines[0], "at,mood") {
		t.Errorf("checkin export --format csv:\n%s", csv)
	}
	// The export is the page's download: the same document.
	var doc members.Export
	exported := mustHearth(t, dir, pin, "checkin", "export", "--member", "kofi")
	if err := json.Unmarshal([]byte(exported), &doc); err != nil || doc.Nickname != "kofi" || len(doc.CheckIns) != 2 || doc.CheckIns[1].Note != "a long day" || doc.CheckIns[0].Triggers == nil {
		t.Errorf("checkin export (JSON by default): %v\n%s", err, exported)
	}

	wrong := []string{"HEARTH_PIN=9999"}
	r = hearth(t, dir, wrong, "checkin", "list", "--member", "kofi")
	assertOneLineError(t, r, "wrong PIN")
	if strings.Contains(r.stderr+r.stdout, "a long day") {
		t.Error("a wrong PIN showed the note")
	}

	var members []struct {
		Nick     string `json:"nick"`
		CheckIns int    `json:"checkins"`
	}
	hearthJSON(t, dir, nil, &members, "members", "list")
	if len(members) != 1 || members[0].Nick != "kofi" || members[0].CheckIns != 2 {
		t.Errorf("members list: %+v", members)
	}

	mustHearth(t, dir, pin, "checkin", "erase", "--member", "kofi")
	if r := hearth(t, dir, pin, "checkin", "list", "--member", "kofi", "--json"); strings.Contains(r.stdout, "a long day") {
		t.Errorf("checkin list after erase: %s", r)
	}
}

// TestSafetyPlanCLI writes and reads a member's safety plan from the
// terminal: a line with a comma stays whole, steps not named are kept, the
// rules are checked before the PIN, and a wrong PIN shows nothing.
func TestSafetyPlanCLI(t *testing.T) {
	dir := t.TempDir()
	mustHearth(t, dir, nil, "init")
	pin := []string{"HEARTH_PIN=808642"}
	mustHearth(t, dir, pin, "members", "add", "kofi")

	out := mustHearth(t, dir, pin, "plan", "show", "--member", "kofi")
	if !strings.Contains(out, "kofi has no safety plan yet") {
		t.Errorf("plan show before any plan:\n%s", out)
	}
	out = mustHearth(t, dir, pin, "plan", "set", "--member", "kofi",
		"--warning-signs", "can't sleep", "--warning-signs", "skipping meals", "--ask", "Mum, 0722 123 456")
	if !strings.Contains(out, "1. Warning signs") || !strings.Contains(out, "   Mum, 0722 123 456\n") {
		t.Errorf("plan set:\n%s", out)
	}
	mustHearth(t, dir, pin, "plan", "set", "--member", "kofi", "--safer", "pills to Joy", "--warning-signs", "")
	var steps []members.ExportedPlanStep
	hearthJSON(t, dir, pin, &steps, "plan", "show", "--member", "kofi")
	if len(steps) != 2 || steps[0].Step != members.StepAsk || steps[0].Lines[0] != "Mum, 0722 123 456" || steps[1].Step != members.StepSafer {
		t.Errorf("plan show --json after a second set: %+v", steps)
	}
	// The export carries the plan.
	var doc members.Export
	if err := json.Unmarshal([]byte(mustHearth(t, dir, pin, "checkin", "export", "--member", "kofi")), &doc); err != nil || len(doc.SafetyPlan) != 2 {
		t.Errorf("export: %+v %v", doc.SafetyPlan, err)
	}

	// A mistake is found before the PIN is asked for.
	r := hearth(t, dir, nil, "plan", "set", "--member", "kofi", "--ask", strings.Repeat("x", 1001))
	assertOneLineError(t, r, `"People I can ask for help" is too long: at most 1000 characters`)
	if r.code != exitUsage {
		t.Errorf("a plan too long: exit %d, want %d", r.code, exitUsage)
	}
	assertOneLineError(t, hearth(t, dir, pin, "plan", "set", "--member", "kofi"), "plan set needs at least one step")
	r = hearth(t, dir, []string{"HEARTH_PIN=999999"}, "plan", "show", "--member", "kofi")
	assertOneLineError(t, r, "wrong PIN")
	if strings.Contains(r.stdout+r.stderr, "Mum") {
		t.Error("a wrong PIN showed the plan")
	}
	if out := mustHearth(t, dir, pin, "plan", "clear", "--member", "kofi"); !strings.Contains(out, "cleared") {
		t.Errorf("plan clear: %s", out)
	}
	hearthJSON(t, dir, pin, &steps, "plan", "show", "--member", "kofi")
	if len(steps) != 0 {
		t.Errorf("plan after clear: %+v", steps)
	}

	// The same through a running node's operator socket.
	startNode(t, dir)
	mustHearth(t, dir, pin, "plan", "set", "--member", "kofi", "--alone", "walk to the river")
	hearthJSON(t, dir, pin, &steps, "plan", "show", "--member", "kofi")
	if len(steps) != 1 || steps[0].Step != members.StepAlone || steps[0].Lines[0] != "walk to the river" {
		t.Errorf("plan through the running node: %+v", steps)
	}
	assertOneLineError(t, hearth(t, dir, []string{"HEARTH_PIN=999999"}, "plan", "show", "--member", "kofi"), "wrong PIN")
}
