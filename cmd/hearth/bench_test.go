package main

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"hearth/protocol/meetingguide/meetingguidetest"
)

// The benchmarks here measure `hearth run` as a process, from outside, as
// an operator's `ps` would: resident memory, not the Go heap. Linux only
// (they read /proc).

// BenchmarkIdleRSS starts `hearth run` on a fresh directory and reports
// how long it took to be ready (its member page printed) and, once settled,
// its resident memory: what a hub costs a small machine when nobody is
// using it.
func BenchmarkIdleRSS(b *testing.B) {
	for b.Loop() {
		b.StopTimer()
		n, ready := startBenchNode(b, b.TempDir())
		b.ReportMetric(ready, "ready-ms")
		time.Sleep(settle)
		b.ReportMetric(mib(procStatus(b, n, "VmRSS")), "idle-RSS-MiB")
		n.kill()
		b.StartTimer()
	}
}

// settle is how long a benchmark lets a node idle before reading its
// memory: past start-up allocations and the first collections.
const settle = 5 * time.Second

// BenchmarkImport100kRunning imports a generated feed of 100,000 meetings
// into a running node with `hearth meetings import`, through the operator
// socket, and reports the time, the node's peak resident memory during the
// import and its resident memory just after. Then it restarts the node on
// the same directory and reports how long it takes to be ready with 100,000
// listings to load, and its resident memory once settled: the steady cost
// of holding them.
func BenchmarkImport100kRunning(b *testing.B) {
	const count = 100_000
	feed := filepath.Join(b.TempDir(), "feed.json")
	if err := os.WriteFile(feed, meetingguidetest.Feed(count), 0o644); err != nil {
		b.Fatal(err)
	}
	var took time.Duration
	for b.Loop() {
		b.StopTimer()
		dir := b.TempDir()
		n, _ := startBenchNode(b, dir)
		start := time.Now()
		r, err := runHearth(dir, nil, "meetings", "import", feed)
		took += time.Since(start)
		if err != nil || r.code != 0 || !strings.Contains(r.stdout, "100000 added") {
			b.Fatalf("import: %v %s", err, r)
		}
		b.ReportMetric(mib(procStatus(b, n, "VmHWM")), "peak-RSS-MiB")
		b.ReportMetric(mib(procStatus(b, n, "VmRSS")), "after-RSS-MiB")
		n.stop()
		n, ready := startBenchNode(b, dir)
		b.ReportMetric(ready, "holding-ready-ms")
		time.Sleep(settle)
		b.ReportMetric(mib(procStatus(b, n, "VmRSS")), "holding-RSS-MiB")
		n.kill()
		b.StartTimer()
	}
	b.ReportMetric(float64(count*b.N)/took.Seconds(), "meetings/s")
}

// startBenchNode starts `hearth run` on dir and returns it with how many
// milliseconds it took to be ready.
func startBenchNode(b *testing.B, dir string) (*runningNode, float64) {
	b.Helper()
	start := time.Now()
	n, err := launchNode(b, dir)
	if err != nil {
		b.Fatal(err)
	}
	return n, float64(time.Since(start).Microseconds()) / 1000
}

func mib(bytes int64) float64 { return float64(bytes) / (1 << 20) }

// procStatus reads one memory line ("VmRSS", "VmHWM") of a node's
// /proc/PID/status, in bytes; it skips the benchmark where there is none.
func procStatus(b *testing.B, n *runningNode, key string) int64 {
	b.Helper()
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", n.cmd.Process.Pid))
	if err != nil {
		b.Skip("no /proc here:", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), key+":"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			if err != nil {
				b.Fatalf("/proc status %s: %v", key, err)
			}
			return kb << 10
		}
	}
	b.Skipf("no %s in /proc/%d/status", key, n.cmd.Process.Pid)
	return 0
}
