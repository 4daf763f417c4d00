package main

import (
	"context"
	"crypto/tls"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"hearth/node"
)

// TestMembersUnlock: the operator lets a locked-out member in again, with
// the node stopped (the store) and running (the socket).
func TestMembersUnlock(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	mustHearth(t, dir, nil, "init")
	pin := []string{"HEARTH_PIN=808642"}
	wrong := []string{"HEARTH_PIN=000000"}
	mustHearth(t, dir, pin, "members", "add", "kofi")
	lockOut := func() {
		t.Helper()
		for range 3 {
			assertOneLineError(t, hearth(t, dir, wrong, "checkin", "list", "--member", "kofi"), "wrong PIN")
		}
		assertOneLineError(t, hearth(t, dir, pin, "checkin", "list", "--member", "kofi"), "too many wrong PINs: try again in")
	}

	lockOut()
	if out := mustHearth(t, dir, nil, "members", "unlock", "kofi"); !strings.Contains(out, "unlocked kofi: 3 attempts") {
		t.Errorf("members unlock: %s", out)
	}
	mustHearth(t, dir, pin, "checkin", "list", "--member", "kofi")
	if out := mustHearth(t, dir, nil, "members", "unlock", "kofi"); !strings.Contains(out, "kofi was not locked") {
		t.Errorf("members unlock, not locked: %s", out)
	}
	if out := mustHearth(t, dir, nil, "members", "unlock", "kfoi"); !strings.Contains(out, "no member is called kfoi") {
		t.Errorf("members unlock of a typo: %s", out)
	}

	n := startNode(t, dir)
	lockOut()
	if out := mustHearth(t, dir, nil, "members", "unlock", "KOFI"); !strings.Contains(out, "unlocked KOFI") {
		t.Errorf("members unlock through the socket: %s", out)
	}
	mustHearth(t, dir, pin, "checkin", "list", "--member", "kofi")
	n.stop()
}

// TestWeakPINRefused: the CLI says why in one line, and makes nothing.
func TestWeakPINRefused(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	mustHearth(t, dir, nil, "init")
	for pin, want := range map[string]string{
		"1234":   "the PIN is too short: use at least 6 digits or letters",
		"123456": "the PIN is a run (like 123456 or 654321), so it is easy to guess: choose another",
		"121212": "the PIN repeats itself",
	} {
		assertOneLineError(t, hearth(t, dir, []string{"HEARTH_PIN=" + pin}, "members", "add", "kofi"), want)
	}
	if out := mustHearth(t, dir, nil, "members", "list"); !strings.Contains(out, "no members yet") {
		t.Errorf("a weak PIN made an account: %s", out)
	}
}

// TestRunWaitsForACommand: a node started while a command has the store
// open waits for it, instead of failing with "already running". The
// command here is this test, through the CLI's own openOperator.
func TestRunWaitsForACommand(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	mustHearth(t, dir, nil, "init")
	_, closeOp, err := openOperator(context.Background(), dir, startupWait)
	if err != nil {
		t.Fatal(err)
	}
	type launched struct {
		n   *runningNode
		err error
	}
	done := make(chan launched, 1)
	go func() {
		n, err := launchNode(t, dir)
		done <- launched{n, err}
	}()
	time.Sleep(time.Second) // the node is starting meanwhile
	closeOp()
	l := <-done
	if l.err != nil {
		t.Fatalf("hearth run while a command had the store: %v", l.err)
	}
	if !strings.Contains(l.n.stderr.String(), "waiting for another hearth command to finish") {
		t.Errorf("the node did not say why it waited: %s", l.n.stderr)
	}
	mustHearth(t, dir, nil, "status")
	l.n.stop()
}

// TestCommandWaitsForAStartingNode: while a node holds the directory but
// has no socket yet, a command does not open the store under it: it waits,
// then says the hub is starting.
func TestCommandWaitsForAStartingNode(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	mustHearth(t, dir, nil, "init")
	release, err := node.LockDir(dir, true) // as 'hearth run' holds it while starting
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = openOperator(context.Background(), dir, 300*time.Millisecond)
	if err == nil || !strings.Contains(err.Error(), "is starting or stopping") {
		t.Errorf("with a node starting: %v", err)
	}
	release()
	_, closeOp, err := openOperator(context.Background(), dir, startupWait)
	if err != nil {
		t.Fatalf("after the node let go: %v", err)
	}
	closeOp()
}

// TestStatusDuringStartup: hearth status run again and again while nodes
// start never makes one of them fail.
func TestStatusDuringStartup(t *testing.T) {
	t.Parallel()
	for round := range 3 {
		dir := t.TempDir()
		mustHearth(t, dir, nil, "init")
		stop := make(chan struct{})
		statuses := make(chan result, 100)
		go func() {
			defer close(statuses)
			for {
				select {
				case <-stop:
					return
				default:
				}
				r, _ := runHearth(dir, nil, "status")
				statuses <- r
			}
		}()
		n, err := launchNode(t, dir)
		close(stop)
		for r := range statuses {
			if r.code != 0 && !strings.Contains(r.stderr, "starting or stopping") {
				t.Errorf("round %d: hearth status during startup: %s", round, r)
			}
		}
		if err != nil {
			t.Fatalf("round %d: hearth run with hearth status beside it: %v", round, err)
		}
		n.stop()
	}
}

// TestServingTheLAN: plain HTTP beyond this machine needs the operator's
// word; 'hearth tls selfsigned' makes it HTTPS; the printed address is one
// a phone can open.
func TestServingTheLAN(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	mustHearth(t, dir, nil, "init")
	lan := []string{"run", "--listen", "/ip4/127.0.0.1/tcp/0", "--web", "0.0.0.0:0", "--mdns=false"}
	assertOneLineError(t, hearth(t, dir, nil, lan...), "make a certificate with 'hearth tls selfsigned'")

	out := mustHearth(t, dir, nil, "tls", "selfsigned", "--host", "hub.lan")
	for _, want := range []string{"certificate: ", "hub.lan", "SHA-256:", "set web.tls_cert and web.tls_key in"} {
		if !strings.Contains(out, want) {
			t.Errorf("tls selfsigned lacks %q:\n%s", want, out)
		}
	}
	assertOneLineError(t, hearth(t, dir, nil, "tls", "selfsigned"), "--replace")
	if info, err := os.Stat(filepath.Join(dir, "tls", "key.pem")); err != nil || info.Mode().Perm() != 0o600 {
		t.Errorf("key: %v %v", info, err)
	}

	n, err := launchNodeWith(t, dir, lan...)
	if err != nil {
		t.Fatal(err)
	}
	page := ""
	for _, line := range strings.Split(n.stdout.String(), "\n") {
		if u, ok := strings.CutPrefix(line, "member page: "); ok {
			page = u
		}
	}
	if !strings.HasPrefix(page, "https://") || strings.Contains(page, "[::]") || strings.Contains(page, "0.0.0.0") {
		t.Fatalf("member page %q\n%s", page, n.stdout)
	}
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}}
	res, err := client.Get(page + "help")
	if err != nil {
		t.Fatalf("GET %shelp: %v", page, err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK || res.Header.Get("Strict-Transport-Security") == "" {
		t.Errorf("GET %shelp: %d, HSTS %q", page, res.StatusCode, res.Header.Get("Strict-Transport-Security"))
	}
	n.stop()
}
