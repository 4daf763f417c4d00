package node

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"hearth/node/finder"
	"hearth/protocol"
	"hearth/protocol/meetingguide/meetingguidetest"
)

// The real feeds live with the Meeting Guide package; see its testdata README.
func feedFile(t testing.TB, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "protocol", "meetingguide", "testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func ownSeqs(n *testNode) map[string]uint64 {
	out := make(map[string]uint64)
	for _, l := range n.listings.all(func(l *protocol.Listing) bool { return l.Hub == n.ID().String() }) {
		out[l.Slug] = l.Seq
	}
	return out
}

func TestImportIsIdempotentAndPrunes(t *testing.T) {
	ctx := context.Background()
	hub := newTestNode(t, "marin", testConfig())
	feed := feedFile(t, "aasfmarin.json")

	dry, err := hub.ImportMeetings(ctx, feed, ImportOptions{DryRun: true})
	if err != nil {
		t.Fatal(err)
	}
	if dry.Added != 658 || len(ownSeqs(hub)) != 0 {
		t.Fatalf("dry run: added %d, holding %d: want 658 and nothing stored", dry.Added, len(ownSeqs(hub)))
	}
	first, err := hub.ImportMeetings(ctx, feed, ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if first.Added != 658 || first.Updated+first.Unchanged+first.Cancelled+len(first.Skipped) != 0 {
		t.Fatalf("first import: %+v", first)
	}
	// 20 conference links on hosts outside the default allow-list are flagged, not dropped.
	if len(first.UnknownProviders) != 20 {
		t.Fatalf("flagged %d unknown conference hosts, want 20", len(first.UnknownProviders))
	}
	before := ownSeqs(hub)

	// The same file again changes nothing: no new seq.
	again, err := hub.ImportMeetings(ctx, feed, ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if again.Unchanged != 658 || again.Added+again.Updated != 0 {
		t.Fatalf("re-import: %+v", again)
	}
	for slug, seq := range ownSeqs(hub) {
		if before[slug] != seq {
			t.Fatalf("re-import gave %s a new seq", slug)
		}
	}

	// One row changed and one row gone: one update; the gone one is
	// cancelled only with --prune.
	var rows []map[string]any
	if err := json.Unmarshal(feed, &rows); err != nil {
		t.Fatal(err)
	}
	changedSlug, goneSlug := rows[0]["slug"].(string), rows[1]["slug"].(string)
	rows[0]["name"] = "Renamed Meeting"
	edited, _ := json.Marshal(append(rows[:1], rows[2:]...))
	third, err := hub.ImportMeetings(ctx, edited, ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if third.Updated != 1 || third.Unchanged != 656 || third.Cancelled != 0 {
		t.Fatalf("edited import: %+v", third)
	}
	if m, _ := hub.Meeting(ctx, changedSlug); m.Name != "Renamed Meeting" || m.Seq <= before[changedSlug] {
		t.Fatalf("changed row: %+v", m.Listing)
	}
	pruned, err := hub.ImportMeetings(ctx, edited, ImportOptions{Prune: true})
	if err != nil {
		t.Fatal(err)
	}
	if pruned.Cancelled != 1 || pruned.Unchanged != 657 {
		t.Fatalf("pruned import: %+v", pruned)
	}
	if m, _ := hub.Meeting(ctx, goneSlug); !m.Cancelled {
		t.Fatal("the row missing from the feed is not cancelled")
	}
}

func TestImportEveryRealFeed(t *testing.T) {
	ctx := context.Background()
	// Rows counted by hand in protocol/meetingguide's tests: every row imports.
	for file, want := range map[string]int{
		"aasanjose.json": 693, "aasfmarin.json": 658, "sussexaa.json": 145,
		"appointment.json": 2, "timezones.json": 2, "times.json": 9,
	} {
		t.Run(file, func(t *testing.T) {
			hub := newTestNode(t, "hub", testConfig())
			sum, err := hub.ImportMeetings(ctx, feedFile(t, file), ImportOptions{Timezone: "America/Los_Angeles"})
			if err != nil {
				t.Fatal(err)
			}
			if sum.Added != want || len(sum.Skipped) != 0 {
				t.Fatalf("added %d (skipped %v), want %d", sum.Added, sum.Skipped, want)
			}
		})
	}
}

func TestImportInvalidJSONImportsNothing(t *testing.T) {
	hub := newTestNode(t, "hub", testConfig())
	_, err := hub.ImportMeetings(context.Background(), feedFile(t, "invalid.json"), ImportOptions{})
	if err == nil || !strings.Contains(err.Error(), "line 80") || strings.Contains(err.Error(), "\n") {
		t.Fatalf("want a one-line error naming line 80, got %v", err)
	}
	if got := len(ownSeqs(hub)); got != 0 {
		t.Fatalf("an invalid feed stored %d listings", got)
	}
}

// Import(export(x)) keeps every spec field: a second hub importing the
// first's feed holds the same meetings.
func TestExportImportRoundTrip(t *testing.T) {
	ctx := context.Background()
	a := newTestNode(t, "a", testConfig())
	if _, err := a.ImportMeetings(ctx, feedFile(t, "sussexaa.json"), ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	feed, err := a.ExportMeetings(ctx, true)
	if err != nil {
		t.Fatal(err)
	}
	b := newTestNode(t, "b", testConfig())
	sum, err := b.ImportMeetings(ctx, feed, ImportOptions{})
	if err != nil || sum.Added != 145 {
		t.Fatalf("re-import of the export: %+v %v", sum, err)
	}
	for _, la := range a.listings.all(func(*protocol.Listing) bool { return true }) {
		lb, ok := b.listings.get(b.ID().String() + "/" + la.Slug)
		if !ok || !sameMeeting(la, lb) {
			ja, _ := json.Marshal(la)
			jb, _ := json.Marshal(lb)
			t.Fatalf("round trip changed %s:\n%s\n%s", la.Slug, ja, jb)
		}
	}
}

// BenchmarkImportMarin measures `hearth meetings import` of a real feed:
// decode, seal, ingest and store every meeting.
func BenchmarkImportMarin(b *testing.B) {
	feed := feedFile(b, "aasfmarin.json")
	for range b.N {
		b.StopTimer()
		hub := quietNode(b, "hub", testConfig())
		b.StartTimer()
		if _, err := hub.ImportMeetings(context.Background(), feed, ImportOptions{}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(658*b.N)/b.Elapsed().Seconds(), "meetings/s")
}

// BenchmarkImport100k imports a generated feed of 100,000 weekly meetings
// (a country's worth) and reports throughput and the hub's heap with them
// all held.
func BenchmarkImport100k(b *testing.B) {
	const count = 100_000
	feed := meetingguidetest.Feed(count)
	for range b.N {
		b.StopTimer()
		hub := quietNode(b, "hub", testConfig())
		runtime.GC()
		var before runtime.MemStats
		runtime.ReadMemStats(&before)
		b.StartTimer()
		if _, err := hub.ImportMeetings(context.Background(), feed, ImportOptions{}); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		runtime.GC()
		var after runtime.MemStats
		runtime.ReadMemStats(&after)
		b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/(1<<20), "heap-MiB")
		if got := hub.Finder().Len(); got != count {
			b.Fatalf("holding %d", got)
		}
		q := finder.Query{Limit: 20}
		if res, _ := hub.Meetings(context.Background(), q); len(res) != 20 {
			b.Fatal("no results")
		}
		b.StartTimer()
	}
	b.ReportMetric(float64(count*b.N)/b.Elapsed().Seconds(), "meetings/s")
}
