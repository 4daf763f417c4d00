package node

import (
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"log/slog"
	"net"
	"sync/atomic"
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
		// Far from renewal: a running hub re-issues its listings with less
		// than listings.renew_before (30 days) left.
		l.IssuedAt, l.ExpiresAt = now, now.Add(80*24*time.Hour)
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

// BenchmarkSyncToEmpty measures catch-up sync of 10,000 and 100,000 real
// signed listings from one running hub to an empty one over loopback: the
// time until the empty hub holds them all, the bytes its sync client moved,
// and of those the bytes that were not the listings themselves. Then an
// in-sync round: its bytes.
//
//	go test -run '^$' -bench SyncToEmpty -benchtime 1x -timeout 30m ./node
//
// A million real listings are left out: two hubs holding a million each
// take some 10 GB here and most of an hour, bound by the store's writes;
// BenchmarkReconcile1M measures the reconciliation at that size.
func BenchmarkSyncToEmpty(b *testing.B) {
	for _, count := range []int{10_000, 100_000} {
		b.Run(fmt.Sprint(count), func(b *testing.B) {
			full := quietNode(b, "full", testConfig())
			envs := sealMany(b, full, count)
			var listingBytes uint64
			for _, env := range envs {
				// A Listing frame: its length, the type byte and the envelope.
				listingBytes += uint64(uvarintLen(1+len(env)) + 1 + len(env))
			}
			holdAll(b, full, envs)
			envs = nil
			full.start()
			b.ResetTimer()
			for range b.N {
				empty := quietNode(b, "empty", testConfig()).start()
				start := time.Now()
				empty.connect(full)
				for empty.listings.count() < count { // longer than eventually waits
					if time.Since(start) > 10*time.Minute {
						b.Fatalf("after 10 minutes the empty hub holds %d of %d listings", empty.listings.count(), count)
					}
					time.Sleep(50 * time.Millisecond)
				}
				b.ReportMetric(time.Since(start).Seconds(), "s/sync")
				moved := empty.stats.syncBytes.Load()
				b.ReportMetric(float64(moved), "bytes/sync")
				b.ReportMetric(float64(moved-listingBytes), "reconcile-bytes/sync")
				// A second round between synced hubs: one round trip, some 30 bytes.
				before := empty.stats.syncBytes.Load()
				empty.syncAll(context.Background(), empty.running())
				b.ReportMetric(float64(empty.stats.syncBytes.Load()-before), "bytes/insync-round")
				empty.stop()
			}
		})
	}
}

// holdAll ingests envelopes into a hub as catch-up sync does: verified on all
// cores a batch at a time, admitted in order.
func holdAll(b *testing.B, n *testNode, envs [][]byte) {
	b.Helper()
	for len(envs) > 0 {
		batch := envs[:min(len(envs), syncVerifyBatch)]
		envs = envs[len(batch):]
		ls, errs := openAll(batch)
		for i, env := range batch {
			if _, err := n.admit(ls[i], env, errs[i]); err != nil {
				b.Fatal(err)
			}
		}
	}
}

func uvarintLen(v int) int {
	var buf [binary.MaxVarintLen64]byte
	return binary.PutUvarint(buf[:], uint64(v))
}

// BenchmarkReconcile1M measures the reconciliation itself between two hubs
// holding a million listings each, over net.Pipe: the listing sets are real
// (key, seq) sets in each hub's sync index, the listings behind them are not
// signed or stored (a million real ones take the machine too long to make;
// BenchmarkSyncToEmpty does the real thing at 100,000). Reported: the bytes
// and round trips of a round that finds d differences (d/2 listings the
// client lacks, d/2 it holds at an older seq), and the time both sides take.
//
//	go test -run '^$' -bench Reconcile1M -benchtime 3x -timeout 30m ./node
func BenchmarkReconcile1M(b *testing.B) {
	const count = 1_000_000
	server, client := quietNode(b, "server", testConfig()), quietNode(b, "client", testConfig())
	hubs := make([]string, 100)
	for i := range hubs {
		hubs[i] = newAuthor(b).id
	}
	fakeHeld(server, hubs, 0, count, 1)
	fakeHeld(client, hubs, 0, count, 1)
	for _, d := range []int{0, 10, 1000, 100_000} {
		// The server gains d/2 listings and renews d/2: d items differ.
		fakeHeld(server, hubs, count, count+d/2, 1)
		fakeHeld(server, hubs, 0, d/2, 2)
		b.Run(fmt.Sprint("differences=", d), func(b *testing.B) {
			var moved, roundTrips, symbols float64
			for range b.N {
				server.syncs = newSyncLimiter(8, server.now)
				rep, n, cerr, serr := syncPipeB(client, server)
				if cerr != nil || serr != nil {
					b.Fatal(cerr, serr)
				}
				moved += float64(n)
				roundTrips += float64(rep.roundTrips)
				symbols += float64(rep.symbols)
			}
			// Averages: each round draws a new salt, so the symbols it needs vary.
			b.ReportMetric(moved/float64(b.N), "bytes/round")
			b.ReportMetric(roundTrips/float64(b.N), "round-trips")
			b.ReportMetric(symbols/float64(b.N), "symbols")
			if d > 0 {
				b.ReportMetric(moved/float64(b.N)/float64(d), "bytes/difference")
			}
		})
		// Back in step for the next case.
		fakeHeld(client, hubs, count, count+d/2, 1)
		fakeHeld(client, hubs, 0, d/2, 2)
	}
}

// fakeHeld puts listings from..to-1, spread over hubs, at seq in n's
// listing set, in memory only: no signature, no store.
func fakeHeld(n *testNode, hubs []string, from, to int, seq uint64) {
	n.listings.mu.Lock()
	defer n.listings.mu.Unlock()
	expires := time.Now().Add(24 * time.Hour)
	for i := from; i < to; i++ {
		n.listings.held(&protocol.Listing{Hub: hubs[i%len(hubs)], Slug: fmt.Sprint("m-", i), Seq: seq, ExpiresAt: expires, Name: "x"})
	}
}

// syncPipeB is syncPipe for benchmarks.
func syncPipeB(client, server *testNode) (syncReport, uint64, error, error) {
	c, s := net.Pipe()
	done := make(chan error, 1)
	go func() {
		err := server.syncServer(s, client.ID())
		s.Close()
		done <- err
	}()
	var moved atomic.Uint64
	rep, err := client.syncClient(context.Background(), countingStream{c, &moved}, nil)
	c.Close()
	return rep, moved.Load(), err, <-done
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
		m, err := nodes[i%hubs].AddMeeting(context.Background(), DraftOf(meetingDraft(fmt.Sprint("Propagating ", i), 1)))
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
