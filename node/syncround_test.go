package node

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/peer"

	"hearth/protocol"
)

// author is a hub that only signs listings, for tests that need many.
type author struct {
	key crypto.PrivKey
	id  string
}

func newAuthor(t testing.TB) author {
	t.Helper()
	k, _, err := crypto.GenerateEd25519Key(nil)
	if err != nil {
		t.Fatal(err)
	}
	id, err := peer.IDFromPrivateKey(k)
	if err != nil {
		t.Fatal(err)
	}
	return author{k, id.String()}
}

// seal signs the author's listing slug at seq, changed by any of mutate.
func (a author) seal(t testing.TB, slug string, seq uint64, mutate ...func(*protocol.Listing)) []byte {
	t.Helper()
	now := time.Now().UTC().Truncate(time.Second)
	l := meetingDraft("Meeting "+slug, 3)
	l.Version, l.Hub, l.Slug, l.Seq = protocol.SchemaVersion, a.id, slug, seq
	l.IssuedAt, l.ExpiresAt = now, now.Add(30*24*time.Hour)
	for _, m := range mutate {
		m(&l)
	}
	env, err := protocol.Seal(&l, a.key)
	if err != nil {
		t.Fatal(err)
	}
	return env
}

// holds ingests envelopes into n.
func (tn *testNode) holds(envs ...[]byte) {
	tn.t.Helper()
	for _, env := range envs {
		if _, err := tn.Ingest(env); err != nil {
			tn.t.Fatal(err)
		}
	}
}

// syncPipe runs one round over net.Pipe: client pulls from server.
func syncPipe(t *testing.T, client, server *testNode) (rep syncReport, bytesMoved uint64, clientErr, serverErr error) {
	t.Helper()
	c, s := net.Pipe()
	done := make(chan error, 1)
	go func() {
		err := server.syncServer(idleStream{s, server.syncIdle}, client.ID())
		s.Close()
		done <- err
	}()
	var n atomic.Uint64
	rep, clientErr = client.syncClient(context.Background(), countingStream{idleStream{c, client.syncIdle}, &n}, nil)
	c.Close()
	return rep, n.Load(), clientErr, <-done
}

func slugs(prefix string, from, to int) []string {
	var out []string
	for i := from; i < to; i++ {
		out = append(out, fmt.Sprintf("%s-%d", prefix, i))
	}
	return out
}

func (a author) sealAll(t testing.TB, slugs []string, seq uint64) [][]byte {
	var out [][]byte
	for _, s := range slugs {
		out = append(out, a.seal(t, s, seq))
	}
	return out
}

// TestSyncRounds runs one round between two real hubs over net.Pipe for each
// way their sets can differ, and checks what the client then holds, what it
// was sent, and what it cost.
func TestSyncRounds(t *testing.T) {
	t.Parallel()
	a, b := newAuthor(t), newAuthor(t)
	common := a.sealAll(t, slugs("common", 0, 300), 1)
	many := append(cloneEnvs(common), a.sealAll(t, slugs("many", 0, 2700), 1)...)
	cases := []struct {
		name           string
		server, client [][]byte
		wantGot        int
		maxRoundTrips  int
		maxBytes       uint64 // of reconciliation: all but the listings sent; 0: not checked
	}{
		{"in sync", common, common, 0, 1, 127},
		{"both empty", nil, nil, 0, 1, 127},
		{"empty client", common, nil, 300, 2, 0},
		{"empty server", nil, common, 0, 2, 200},
		// Ten items differ among 3,000 or so: an Offer would be 48 KB; the
		// sketch takes some 20 to 100 symbols of 21 bytes, however the
		// round's salt falls.
		{"partial overlap", append(cloneEnvs(many), b.sealAll(t, slugs("b", 0, 7), 1)...),
			append(cloneEnvs(many), a.sealAll(t, slugs("only-client", 0, 3), 1)...), 7, 6, 3000},
		{"stale seqs on the client", a.sealAll(t, slugs("common", 0, 300), 2), common, 300, 4, 0},
		{"newer seqs on the client", common, a.sealAll(t, slugs("common", 0, 5), 3), 295, 4, 0},
		{"a small hub meets a big one", append(cloneEnvs(common), b.sealAll(t, slugs("b", 0, 500), 1)...), common[:2], 798, 3, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			server, client := newTestNode(t, "server", testConfig()), newTestNode(t, "client", testConfig())
			server.holds(c.server...)
			client.holds(c.client...)
			before := client.listings.count()
			rep, n, cerr, serr := syncPipe(t, client, server)
			if cerr != nil || serr != nil {
				t.Fatalf("client: %v; server: %v", cerr, serr)
			}
			if rep.got != c.wantGot {
				t.Errorf("took in %d listings, want %d", rep.got, c.wantGot)
			}
			if rep.roundTrips > c.maxRoundTrips {
				t.Errorf("%d round trips, at most %d", rep.roundTrips, c.maxRoundTrips)
			}
			if c.maxBytes > 0 && n-rep.listingBytes > c.maxBytes {
				t.Errorf("%d bytes besides the listings, at most %d", n-rep.listingBytes, c.maxBytes)
			}
			if got := client.stats.rejections()["stale"]; got != 0 {
				t.Errorf("the server sent %d listings the client held as new or newer", got)
			}
			if client.listings.count() != before+rep.got && c.name != "stale seqs on the client" {
				t.Errorf("holds %d listings after taking in %d to %d", client.listings.count(), rep.got, before)
			}
			// Now the client holds all the server does: a second round finds them equal.
			server.syncs = newSyncLimiter(8, server.now)
			if c.name != "newer seqs on the client" && c.name != "partial overlap" && c.name != "empty server" {
				rep, n, cerr, serr = syncPipe(t, client, server)
				if cerr != nil || serr != nil || rep.roundTrips != 1 || rep.got != 0 || n > 127 {
					t.Errorf("second round: %+v, %d bytes, %v %v", rep, n, cerr, serr)
				}
			}
		})
	}
}

func cloneEnvs(envs [][]byte) [][]byte { return append([][]byte(nil), envs...) }

// TestSyncSkipsBlockedAndUntrustedHubs: a client never asks for, and a
// server never sends, a hub the client blocks, or under the trusted policy
// does not trust: nothing of theirs crosses, so nothing is refused.
func TestSyncSkipsBlockedAndUntrustedHubs(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	good, spammer := newAuthor(t), newAuthor(t)
	server := newTestNode(t, "server", testConfig())
	server.holds(good.sealAll(t, slugs("good", 0, 20), 1)...)
	server.holds(spammer.sealAll(t, slugs("spam", 0, 400), 1)...)

	client := newTestNode(t, "client", testConfig())
	if err := client.SetBlocked(ctx, spammer.id, true); err != nil {
		t.Fatal(err)
	}
	rep, n, cerr, serr := syncPipe(t, client, server)
	if cerr != nil || serr != nil || rep.got != 20 {
		t.Fatalf("got %d listings (%v, %v), want the good hub's 20", rep.got, cerr, serr)
	}
	if blocked := client.stats.rejections()["blocked"]; blocked != 0 {
		t.Fatalf("%d listings of the blocked hub were sent", blocked)
	}
	if n > 30_000 {
		t.Fatalf("%d bytes for 20 listings: the spammer's were offered", n)
	}

	tcfg := testConfig()
	tcfg.Network.Policy = PolicyTrusted
	trusting := newTestNode(t, "trusting", tcfg)
	if err := trusting.SetTrusted(ctx, good.id, true); err != nil {
		t.Fatal(err)
	}
	server.syncs = newSyncLimiter(8, server.now)
	rep, _, cerr, serr = syncPipe(t, trusting, server)
	if cerr != nil || serr != nil || rep.got != 20 || trusting.stats.rejections()["untrusted"] != 0 {
		t.Fatalf("trusted-only: got %d (%v, %v), refused %d untrusted", rep.got, cerr, serr, trusting.stats.rejections()["untrusted"])
	}
}

// TestSyncNearCapFrames: listings whose envelopes are near the cap travel in
// frames under protocol.MaxSyncFrame, and a sketch far larger than a frame
// goes in many.
func TestSyncNearCapFrames(t *testing.T) {
	t.Parallel()
	a := newAuthor(t)
	server, client := newTestNode(t, "server", testConfig()), newTestNode(t, "client", testConfig())
	nearCap := func(l *protocol.Listing) {
		l.Notes = strings.Repeat("n", 4000)
		l.GroupNotes = strings.Repeat("g", 4000)
		size, _ := protocol.EncodeListing(l)
		l.GroupNotes = l.GroupNotes[:4000-(len(size)-protocol.MaxPayloadSize)-1] // one byte under the cap
	}
	var envs [][]byte
	for _, s := range slugs("big", 0, 40) {
		env := a.seal(t, s, 1, nearCap)
		if len(env) < protocol.MaxPayloadSize {
			t.Fatalf("envelope of %d bytes: not near the cap of %d", len(env), protocol.MaxEnvelopeSize)
		}
		envs = append(envs, env)
	}
	server.holds(envs...)
	client.holds(envs[:1]...)
	// Enough differences in a larger set that the symbols fill many frames.
	common := a.sealAll(t, slugs("common", 0, 3000), 1)
	server.holds(common...)
	client.holds(common...)
	server.holds(a.sealAll(t, slugs("server", 0, 400), 1)...)
	client.holds(a.sealAll(t, slugs("client", 0, 400), 1)...)
	rep, _, cerr, serr := syncPipe(t, client, server)
	if cerr != nil || serr != nil || rep.got != 39+400 {
		t.Fatalf("got %d listings, want %d: %v %v", rep.got, 39+400, cerr, serr)
	}
	if rep.symbols <= protocol.MaxSymbolsPerFrame {
		t.Fatalf("%d symbols: fewer than a frame holds", rep.symbols)
	}
}

// TestSyncFullRoundsPerMinute: a peer gets one round beyond InSync a minute;
// the next is answered Busy, and an in-sync round is always served.
func TestSyncFullRoundsPerMinute(t *testing.T) {
	t.Parallel()
	a := newAuthor(t)
	server, client := newTestNode(t, "server", testConfig()), newTestNode(t, "client", testConfig())
	server.holds(a.sealAll(t, slugs("m", 0, 10), 1)...)
	if rep, _, cerr, serr := syncPipe(t, client, server); cerr != nil || serr != nil || rep.got != 10 {
		t.Fatalf("first round: %+v %v %v", rep, cerr, serr)
	}
	if rep, _, cerr, serr := syncPipe(t, client, server); cerr != nil || serr != nil || rep.roundTrips != 1 {
		t.Fatalf("in-sync round: %+v %v %v", rep, cerr, serr)
	}
	server.holds(a.seal(t, "m-new", 1))
	_, _, cerr, serr := syncPipe(t, client, server)
	wait, busy := isSyncBusy(cerr)
	if !busy || serr != nil || wait <= 0 || wait > protocol.SyncFullRoundInterval {
		t.Fatalf("a second full round within a minute: %v (wait %s), server %v", cerr, wait, serr)
	}
}

// TestSyncBusyWhileTheLastRoundEnds: a peer whose last round the server
// still serves, or a server serving all it may, is told to come back soon.
func TestSyncBusyWhileTheLastRoundEnds(t *testing.T) {
	t.Parallel()
	server, client := newTestNode(t, "server", testConfig()), newTestNode(t, "client", testConfig())
	server.syncs = newSyncLimiter(1, server.now)
	release, ok := server.syncs.serve(client.ID())
	if !ok {
		t.Fatal("no slot for a first round")
	}
	defer release()
	if _, ok := server.syncs.serve(client.ID()); ok {
		t.Fatal("a second round with the same peer at once")
	}
	if _, ok := server.syncs.serve(peer.ID("another hub")); ok {
		t.Fatal("more rounds served than network.sync_streams")
	}
	c, s := net.Pipe()
	go func() { server.answerBusy(s, syncBusyRetry); s.Close() }()
	_, err := client.syncClient(context.Background(), c, nil)
	c.Close()
	if wait, busy := isSyncBusy(err); !busy || wait != syncBusyRetry {
		t.Fatalf("want Busy for %s, got %v", syncBusyRetry, err)
	}
}

// liar serves a round by a script: after reading the client's Hello and
// any frames, it writes what lie writes.
func liar(t *testing.T, client *testNode, lie func(w *protocol.SyncWriter, r *protocol.SyncReader, raw io.Writer)) (syncReport, error) {
	t.Helper()
	c, s := net.Pipe()
	go func() {
		defer s.Close()
		r, w := protocol.NewSyncReader(s), protocol.NewSyncWriter(s)
		if _, _, err := r.Expect(protocol.MsgHello); err != nil {
			return
		}
		lie(w, r, s)
		w.Flush()
		for { // read whatever the client sends until it hangs up
			if _, _, err := r.Next(); err != nil {
				return
			}
		}
	}()
	defer c.Close()
	return client.syncClient(context.Background(), idleStream{c, client.syncIdle}, nil)
}

// TestSyncClientRefusesALyingServer: a server that sends what was not asked
// for, more than it said, forged listings or impossible symbols ends the
// round with an error, and what the client held is intact.
func TestSyncClientRefusesALyingServer(t *testing.T) {
	t.Parallel()
	a, other := newAuthor(t), newAuthor(t)
	honest := a.seal(t, "honest", 1)
	forged := other.seal(t, "forged", 1)
	forged[len(forged)-1] ^= 1
	blockedHub := newAuthor(t)
	summary := func(w *protocol.SyncWriter, count, symbols uint64) {
		w.WriteSummary(protocol.Summary{Count: count, Salt: 1, Symbols: symbols})
	}
	cases := []struct {
		name  string
		empty bool // the client holds nothing, so it asks for all
		lie   func(w *protocol.SyncWriter, r *protocol.SyncReader, raw io.Writer)
	}{
		{"a listing not asked for", false, func(w *protocol.SyncWriter, r *protocol.SyncReader, raw io.Writer) {
			summary(w, 1, 0)
			w.Flush()
			r.Next() // GetOffer
			w.WriteOffer([]protocol.SyncItem{{Key: 1, Seq: 1}})
			w.Flush()
			r.Next() // Want
			w.WriteListing(honest)
			w.WriteEmpty(protocol.MsgEnd)
		}},
		{"more listings than summarised", true, func(w *protocol.SyncWriter, r *protocol.SyncReader, raw io.Writer) {
			summary(w, 1, 0)
			w.Flush()
			r.Next() // GetAll: this client holds nothing
			w.WriteListing(honest)
			w.WriteListing(a.seal(t, "second", 1))
			w.WriteEmpty(protocol.MsgEnd)
		}},
		{"a forged listing", true, func(w *protocol.SyncWriter, r *protocol.SyncReader, raw io.Writer) {
			summary(w, 1, 0)
			w.Flush()
			r.Next()
			w.WriteListing(forged)
			w.WriteEmpty(protocol.MsgEnd)
		}},
		{"a listing of a blocked hub", true, func(w *protocol.SyncWriter, r *protocol.SyncReader, raw io.Writer) {
			summary(w, 1, 0)
			w.Flush()
			r.Next()
			w.WriteListing(blockedHub.seal(t, "spam", 1))
			w.WriteEmpty(protocol.MsgEnd)
		}},
		{"symbols out of order", false, func(w *protocol.SyncWriter, r *protocol.SyncReader, raw io.Writer) {
			summary(w, 5, 2)
			w.WriteSymbols(1, make([]protocol.CodedSymbol, 2))
		}},
		{"more symbols than summarised", false, func(w *protocol.SyncWriter, r *protocol.SyncReader, raw io.Writer) {
			summary(w, 5, 1)
			w.WriteSymbols(0, make([]protocol.CodedSymbol, 2))
		}},
		{"an offer longer than its count", false, func(w *protocol.SyncWriter, r *protocol.SyncReader, raw io.Writer) {
			summary(w, 1, 0)
			w.Flush()
			r.Next()
			w.WriteOffer([]protocol.SyncItem{{Key: 1, Seq: 1}, {Key: 2, Seq: 1}})
		}},
		{"a frame over the cap", false, func(w *protocol.SyncWriter, r *protocol.SyncReader, raw io.Writer) {
			w.Flush()
			frame := binary.AppendUvarint(nil, protocol.MaxSyncFrame+1)
			raw.Write(append(frame, make([]byte, protocol.MaxSyncFrame+1)...))
		}},
		{"garbage", false, func(w *protocol.SyncWriter, r *protocol.SyncReader, raw io.Writer) {
			w.WriteEmpty(99)
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			client := newTestNode(t, "client", testConfig())
			if err := client.SetBlocked(context.Background(), blockedHub.id, true); err != nil {
				t.Fatal(err)
			}
			if !c.empty {
				client.holds(a.seal(t, "held", 1))
			}
			_, err := liar(t, client, c.lie)
			if err == nil {
				t.Fatal("the round succeeded")
			}
			if _, ok := client.listings.get(other.id + "/forged"); ok {
				t.Fatal("a forged listing was stored")
			}
			if _, ok := client.listings.get(blockedHub.id + "/spam"); ok {
				t.Fatal("a blocked hub's listing was stored")
			}
		})
	}
}

// TestSyncServerRefusesALyingClient: a client that asks for what no round
// allows ends the round; the server answers nothing more.
func TestSyncServerRefusesALyingClient(t *testing.T) {
	t.Parallel()
	a := newAuthor(t)
	server := newTestNode(t, "server", testConfig())
	server.holds(a.sealAll(t, slugs("s", 0, 5), 1)...)
	hello := func(w *protocol.SyncWriter) {
		w.WriteHello(protocol.Hello{Mode: protocol.FilterExcept, Sum: protocol.SetSum{Count: 3, Hi: 1}})
	}
	cases := map[string]func(w *protocol.SyncWriter){
		"symbols past the cap": func(w *protocol.SyncWriter) { hello(w); w.WriteGetSymbols(protocol.MaxSymbols + 1) },
		"symbols already sent": func(w *protocol.SyncWriter) { hello(w); w.WriteGetSymbols(0) },
		"two offers": func(w *protocol.SyncWriter) {
			hello(w)
			w.WriteEmpty(protocol.MsgGetOffer)
			w.WriteEmpty(protocol.MsgGetOffer)
		},
		"more wants than listings": func(w *protocol.SyncWriter) {
			hello(w)
			w.WriteWant(make([]uint64, 6))
		},
		"a listing from the client": func(w *protocol.SyncWriter) { hello(w); w.WriteListing([]byte("x")) },
	}
	for name, send := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			c, s := net.Pipe()
			done := make(chan error, 1)
			go func() { done <- server.syncServer(idleStream{s, server.syncIdle}, peer.ID(name)); s.Close() }()
			go func() { // read all the server says
				r := protocol.NewSyncReader(c)
				for {
					if _, _, err := r.Next(); err != nil {
						return
					}
				}
			}()
			w := protocol.NewSyncWriter(c)
			send(w)
			w.Flush()
			err := <-done
			c.Close()
			if !errors.Is(err, protocol.ErrSyncMessage) {
				t.Fatalf("want ErrSyncMessage, got %v", err)
			}
		})
	}
}

// TestSyncIdleStreamIsReset: a peer that stops sending fails the round after
// the idle timeout, on both sides.
func TestSyncIdleStreamIsReset(t *testing.T) {
	t.Parallel()
	server, client := newTestNode(t, "server", testConfig()), newTestNode(t, "client", testConfig())
	server.syncIdle, client.syncIdle = 200*time.Millisecond, 200*time.Millisecond

	c, s := net.Pipe()
	defer c.Close()
	start := time.Now()
	if err := server.syncServer(idleStream{s, server.syncIdle}, client.ID()); err == nil {
		t.Fatal("a server waiting for a Hello that never comes returned no error")
	}
	if time.Since(start) > 10*time.Second {
		t.Fatal("the server waited far past its idle timeout")
	}

	c2, s2 := net.Pipe()
	defer s2.Close()
	go protocol.NewSyncReader(s2).Next() // takes the Hello, then says nothing
	if _, err := client.syncClient(context.Background(), idleStream{c2, client.syncIdle}, nil); err == nil {
		t.Fatal("a client waiting on a silent server returned no error")
	}
}

// TestSyncSkipsHubsTheServerLacks: a client that holds a big hub's listings
// the server blocks finds, in one full round, that the server holds none;
// rounds with that server leave the hub out from then on, and are in sync.
func TestSyncSkipsHubsTheServerLacks(t *testing.T) {
	t.Parallel()
	good, spammer := newAuthor(t), newAuthor(t)
	server, client := newTestNode(t, "server", testConfig()), newTestNode(t, "client", testConfig())
	common := good.sealAll(t, slugs("good", 0, 1000), 1)
	server.holds(common...)
	client.holds(common...)
	client.holds(spammer.sealAll(t, slugs("spam", 0, syncSkipMin+50), 1)...)
	if err := server.SetBlocked(context.Background(), spammer.id, true); err != nil {
		t.Fatal(err)
	}
	rep, _, cerr, serr := syncPipe(t, client, server)
	if cerr != nil || serr != nil || rep.got != 0 {
		t.Fatalf("first round: %+v %v %v", rep, cerr, serr)
	}
	if len(rep.lacking) != 1 || rep.lacking[0] != protocol.HubHash(spammer.id) {
		t.Fatalf("hubs the server lacks: %x, want the spammer's %x", rep.lacking, protocol.HubHash(spammer.id))
	}
	server.syncs = newSyncLimiter(8, server.now)
	c, s := net.Pipe()
	go func() { server.syncServer(s, client.ID()); s.Close() }()
	var moved atomic.Uint64
	rep, err := client.syncClient(context.Background(), countingStream{c, &moved}, rep.lacking)
	c.Close()
	if err != nil || rep.roundTrips != 1 || moved.Load() > 127 {
		t.Fatalf("a round leaving the spammer out: %+v, %d bytes, %v", rep, moved.Load(), err)
	}
}

// TestSyncCarriesOnAfterARoundRunsOutOfTime: a catch-up too big for one
// round's time limit goes on in the next round at once, not at the timer
// (10 minutes away here).
func TestSyncCarriesOnAfterARoundRunsOutOfTime(t *testing.T) {
	if testing.Short() {
		t.Skip("two hubs moving 8,000 listings: some seconds")
	}
	t.Parallel()
	const count = 8000 // more than two hubs on this machine move in a second
	a := newAuthor(t)
	full := newTestNode(t, "full", testConfig())
	full.holds(a.sealAll(t, slugs("m", 0, count), 1)...)
	full.syncs.interval = 50 * time.Millisecond // serve the next round at once
	full.start()
	late := newTestNode(t, "late", testConfig())
	late.syncRound = time.Second
	late.start()
	late.connect(full)
	eventually(t, "the late hub holds every listing", func() bool { return late.listings.count() == count })
}
