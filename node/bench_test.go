package node

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"testing"
	"time"

	"hearth/protocol"
)

func quietNode(b *testing.B, name string, cfg Config) *testNode {
	b.Helper()
	tn := newTestNode(b, name, cfg)
	tn.log = slog.New(slog.NewTextHandler(io.Discard, nil))
	return tn
}

// sealMany makes count listings of n's, sealed, as a hub with many meetings
// would publish them.
func sealMany(b *testing.B, n *testNode, count int) [][]byte {
	b.Helper()
	now := time.Now().UTC().Truncate(time.Second)
	out := make([][]byte, count)
	for i := range out {
		l := meetingDraft(fmt.Sprintf("Meeting %d of the valley recovery fellowship", i), i%7)
		l.Version, l.Hub, l.Slug, l.Seq = protocol.SchemaVersion, n.ID().String(), fmt.Sprintf("m-%d", i), 1
		l.IssuedAt, l.ExpiresAt = now, now.Add(30*24*time.Hour)
		l.Notes = "Open to all. Wheelchair access by the side door. Tea after the meeting."
		l.FormattedAddress = fmt.Sprintf("%d Main Road, Kampala, Uganda", i)
		env, err := protocol.Seal(&l, n.key)
		if err != nil {
			b.Fatal(err)
		}
		out[i] = env
	}
	return out
}

// BenchmarkIngest measures the one ingest path for listings from another
// hub: size, signature verification, decode, rules, policy, store.
func BenchmarkIngest(b *testing.B) {
	author := quietNode(b, "author", testConfig())
	envs := sealMany(b, author, b.N)
	hub := quietNode(b, "hub", testConfig())
	b.ResetTimer()
	for i := range b.N {
		if _, err := hub.Ingest(envs[i]); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "listings/s")
}

// BenchmarkSync10k measures catch-up sync of 10,000 listings to an empty
// hub: time until it holds them all, and bytes it received.
func BenchmarkSync10k(b *testing.B) {
	const count = 10_000
	full := quietNode(b, "full", testConfig())
	for _, env := range sealMany(b, full, count) {
		if _, err := full.Ingest(env); err != nil {
			b.Fatal(err)
		}
	}
	full.start()
	b.ResetTimer()
	for range b.N {
		empty := quietNode(b, "empty", testConfig()).start()
		start := time.Now()
		empty.connect(full)
		eventually(b, "the empty hub holds every listing", func() bool { return empty.listings.count() == count })
		b.ReportMetric(time.Since(start).Seconds(), "s/sync")
		b.ReportMetric(float64(empty.stats.syncBytes.Load()), "bytes/sync")
		// A second round between synced hubs: one round trip, a few hundred bytes.
		before := empty.stats.syncBytes.Load()
		empty.syncAll(context.Background(), empty.running())
		b.ReportMetric(float64(empty.stats.syncBytes.Load()-before), "bytes/insync-round")
		empty.stop()
	}
}

// BenchmarkPropagation20 measures how long a new listing takes to reach
// every one of 20 hubs, each connected to a few others.
func BenchmarkPropagation20(b *testing.B) {
	const hubs = 20
	nodes := make([]*testNode, hubs)
	for i := range nodes {
		nodes[i] = quietNode(b, fmt.Sprint("hub", i), testConfig()).start()
	}
	// A ring with chords: every hub has 4 links, the diameter is small.
	for i, n := range nodes {
		n.connect(nodes[(i+1)%hubs])
		n.connect(nodes[(i+5)%hubs])
	}
	time.Sleep(2 * time.Second) // let the gossipsub mesh form (heartbeat is 1s)
	b.ResetTimer()
	var total time.Duration
	for i := range b.N {
		start := time.Now()
		m, err := nodes[i%hubs].AddMeeting(context.Background(), meetingDraft(fmt.Sprint("Propagating ", i), 1))
		if err != nil {
			b.Fatal(err)
		}
		for _, n := range nodes {
			eventually(b, "every hub has the listing", func() bool { return n.has(m.ID, false) })
		}
		total += time.Since(start)
	}
	b.ReportMetric(float64(total.Milliseconds())/float64(b.N), "ms/all-20")
}
