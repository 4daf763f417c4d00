package main

import (
	"bufio"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"
)

// BenchmarkIdleRSS starts `hearth run` on a fresh directory, lets it settle,
// and reports its resident memory: what a hub costs a small machine when
// nobody is using it. Linux only (it reads /proc).
func BenchmarkIdleRSS(b *testing.B) {
	for b.Loop() {
		rss := idleRSS(b)
		b.ReportMetric(float64(rss)/(1<<20), "idle-RSS-MiB")
	}
}

func idleRSS(b *testing.B) int64 {
	b.Helper()
	b.StopTimer()
	defer b.StartTimer()
	dir := b.TempDir()
	n, err := launchNode(b, dir)
	if err != nil {
		b.Fatal(err)
	}
	defer n.kill()
	time.Sleep(5 * time.Second) // past start-up allocations and the first GC
	rss, err := vmRSS(n.cmd.Process.Pid)
	if err != nil {
		b.Skip(err)
	}
	return rss
}

// vmRSS reads a process's resident set size from /proc, in bytes.
func vmRSS(pid int) (int64, error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kb << 10, err
		}
	}
	return 0, fmt.Errorf("no VmRSS in /proc/%d/status", pid)
}
