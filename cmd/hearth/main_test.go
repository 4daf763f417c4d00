package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// hearthBin is the hearth binary the tests drive, built once by TestMain.
var hearthBin string

func TestMain(m *testing.M) {
	os.Exit(buildAndRun(m))
}

func buildAndRun(m *testing.M) int {
	tmp, err := os.MkdirTemp("", "hearth-cli-test")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(tmp)
	hearthBin = filepath.Join(tmp, "hearth")
	// Built without -race even when the tests run with it: the node's own
	// tests check it for races in process, and a race-instrumented argon2id
	// (every check-in unlocks a member) would make these tests crawl.
	build := exec.Command("go", "build", "-buildvcs=false", "-o", hearthBin, ".")
	build.Stderr = os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "build hearth:", err)
		return 1
	}
	return m.Run()
}

// result is what one hearth invocation did.
type result struct {
	stdout, stderr string
	code           int
}

func (r result) String() string {
	return fmt.Sprintf("exit %d\nstdout: %s\nstderr: %s", r.code, r.stdout, r.stderr)
}

// hearth runs one CLI command on dir and waits for it. env adds variables
// ("HEARTH_PIN=428613").
func hearth(t *testing.T, dir string, env []string, args ...string) result {
	t.Helper()
	r, err := runHearth(dir, env, args...)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// runHearth is hearth for any goroutine: it returns an error only when the
// command could not be run at all.
func runHearth(dir string, env []string, args ...string) (result, error) {
	return runHearthStdin(dir, env, "", args...)
}

// runHearthStdin is runHearth with stdin (not a terminal) reading input.
func runHearthStdin(dir string, env []string, input string, args ...string) (result, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, hearthBin, append([]string{"--dir", dir}, args...)...)
	cmd.Env = append(cleanEnv(), env...)
	cmd.Stdin = strings.NewReader(input)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	r := result{stdout: stdout.String(), stderr: stderr.String()}
	var exit *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &exit):
		r.code = exit.ExitCode()
	default:
		return r, fmt.Errorf("hearth %v: %v", args, err)
	}
	return r, nil
}

// mustHearth runs a command that must succeed and returns its stdout.
func mustHearth(t *testing.T, dir string, env []string, args ...string) string {
	t.Helper()
	r := hearth(t, dir, env, args...)
	if r.code != 0 {
		t.Fatalf("hearth %s: %s", strings.Join(args, " "), r)
	}
	return r.stdout
}

// hearthJSON runs a command with --json and decodes its output into v.
func hearthJSON(t *testing.T, dir string, env []string, v any, args ...string) {
	t.Helper()
	out := mustHearth(t, dir, env, append(args, "--json")...)
	if err := json.Unmarshal([]byte(out), v); err != nil {
		t.Fatalf("hearth %s --json: %v\n%s", strings.Join(args, " "), err, out)
	}
}

// cleanEnv is the test's environment without Hearth's variables, so a
// developer's HEARTH_DIR or HEARTH_PIN cannot leak into a test.
func cleanEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "HEARTH_") {
			env = append(env, kv)
		}
	}
	return env
}

// loopbackRun is `hearth run` on loopback with free ports and no mDNS, so
// tests neither collide nor reach the network.
var loopbackRun = []string{"run", "--listen", "/ip4/127.0.0.1/tcp/0", "--web", "127.0.0.1:0", "--mdns=false"}

// runningNode is a `hearth run` process.
type runningNode struct {
	t      testing.TB
	dir    string
	cmd    *exec.Cmd
	stdout *syncBuffer
	stderr *syncBuffer
	exited chan struct{} // closed when the process has exited
	err    error         // Wait's result, once exited is closed
}

// startNode starts `hearth run` on dir and waits until it prints its member
// page, the last line it prints when ready.
func startNode(t *testing.T, dir string) *runningNode {
	t.Helper()
	n, err := launchNode(t, dir)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// launchNode is startNode returning its error, for use off the test's
// goroutine (where t.Fatal must not be called).
func launchNode(t testing.TB, dir string) (*runningNode, error) {
	return launchNodeWith(t, dir, loopbackRun...)
}

// launchNodeWith is launchNode with the command line args (after --dir).
func launchNodeWith(t testing.TB, dir string, args ...string) (*runningNode, error) {
	n := &runningNode{t: t, dir: dir, stdout: &syncBuffer{}, stderr: &syncBuffer{}, exited: make(chan struct{})}
	n.cmd = exec.Command(hearthBin, append([]string{"--dir", dir}, args...)...)
	n.cmd.Env = cleanEnv()
	n.cmd.Stderr = n.stderr
	pipe, err := n.cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := n.cmd.Start(); err != nil {
		return nil, err
	}
	ready := make(chan struct{})
	go func() {
		sc := bufio.NewScanner(pipe)
		readyOnce := sync.OnceFunc(func() { close(ready) })
		for sc.Scan() {
			n.stdout.WriteString(sc.Text() + "\n")
			if strings.HasPrefix(sc.Text(), "member page: ") {
				readyOnce()
			}
		}
		io.Copy(io.Discard, pipe)
		n.err = n.cmd.Wait()
		close(n.exited)
	}()
	t.Cleanup(func() {
		select {
		case <-n.exited:
		default:
			n.cmd.Process.Kill()
			<-n.exited
		}
	})
	select {
	case <-ready:
		return n, nil
	case <-n.exited:
		return nil, fmt.Errorf("hearth run on %s exited before ready: %v\nstdout: %s\nstderr: %s", dir, n.err, n.stdout, n.stderr)
	case <-time.After(30 * time.Second):
		return nil, fmt.Errorf("hearth run on %s not ready after 30s\nstdout: %s\nstderr: %s", dir, n.stdout, n.stderr)
	}
}

// stop sends SIGTERM and checks the node shuts down cleanly and quickly.
func (n *runningNode) stop() {
	n.t.Helper()
	start := time.Now()
	if err := n.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		n.t.Fatalf("SIGTERM: %v", err)
	}
	select {
	case <-n.exited:
	case <-time.After(10 * time.Second):
		n.t.Fatalf("hearth run on %s still running 10s after SIGTERM\nstderr: %s", n.dir, n.stderr)
	}
	// How long it took is logged, not asserted: the machines are shared,
	// and the 10 s above already catches a node that hangs.
	n.t.Logf("hearth run on %s stopped %v after SIGTERM", n.dir, time.Since(start).Round(time.Millisecond))
	if n.err != nil {
		n.t.Errorf("hearth run on %s after SIGTERM: %v\nstderr: %s", n.dir, n.err, n.stderr)
	}
}

// kill ends the node with SIGKILL, as a power cut would.
func (n *runningNode) kill() {
	n.t.Helper()
	n.cmd.Process.Kill()
	<-n.exited
}

// syncBuffer is a bytes.Buffer safe for a writer goroutine and a reader.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) WriteString(s string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.buf.WriteString(s)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// eventually polls check until it reports done or the deadline passes;
// check returns what it saw, for the failure message.
func eventually(t *testing.T, what string, check func() (done bool, saw string)) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	wait := 50 * time.Millisecond
	for {
		done, saw := check()
		if done {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within 20s; last saw: %s", what, saw)
		}
		time.Sleep(wait)
		wait = min(2*wait, 500*time.Millisecond)
	}
}

// assertOneLineError checks a failed command printed exactly one line on
// stderr, prefixed "hearth: ", with no Go internals in it.
func assertOneLineError(t *testing.T, r result, want string) {
	t.Helper()
	if r.code == 0 {
		t.Errorf("exit 0, want failure\n%s", r)
		return
	}
	lines := strings.Split(strings.TrimRight(r.stderr, "\n"), "\n")
	if len(lines) != 1 || !strings.HasPrefix(lines[0], "hearth: ") {
		t.Errorf("stderr is not one \"hearth: \" line:\n%s", r.stderr)
	}
	if !strings.Contains(r.stderr, want) {
		t.Errorf("stderr does not say %q:\n%s", want, r.stderr)
	}
	for _, internal := range []string{"goroutine", "panic", "badger", "LOCK", ".go:"} {
		if strings.Contains(r.stderr, internal) {
			t.Errorf("stderr shows %q:\n%s", internal, r.stderr)
		}
	}
}
