package node

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/record"

	"hearth/node/finder"
	"hearth/protocol"
)

// testNode is a real hub in this process, on loopback with ephemeral ports.
type testNode struct {
	*Node
	t    testing.TB
	dir  string
	stop func()
}

func testConfig() Config {
	cfg := DefaultConfig()
	cfg.Network.Listen = []string{"/ip4/127.0.0.1/tcp/0"}
	cfg.Network.MDNS = false
	cfg.Web.Listen = "127.0.0.1:0"
	return cfg
}

// newTestNode makes a node directory and opens it (not running yet).
func newTestNode(t testing.TB, name string, cfg Config) *testNode {
	t.Helper()
	dir := t.TempDir()
	if err := Init(dir, name); err != nil {
		t.Fatal(err)
	}
	tn := &testNode{t: t, dir: dir}
	tn.open(cfg)
	return tn
}

func (tn *testNode) open(cfg Config) {
	tn.t.Helper()
	n, err := Open(tn.dir, Options{Config: &cfg, Logger: testLogger(tn.t)})
	if err != nil {
		tn.t.Fatal(err)
	}
	tn.Node = n
	tn.t.Cleanup(func() { n.Close() })
}

// start runs the node until the test ends or stop is called.
func (tn *testNode) start() *testNode {
	tn.t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	n := tn.Node
	go func() { done <- n.Run(ctx) }()
	select {
	case <-n.Ready():
	case err := <-done:
		cancel()
		tn.t.Fatalf("run: %v", err)
	}
	var once sync.Once
	tn.stop = func() {
		once.Do(func() {
			cancel()
			if err := <-done; err != nil {
				tn.t.Errorf("run returned %v", err)
			}
			n.Close()
		})
	}
	tn.t.Cleanup(tn.stop)
	return tn
}

// restart stops the node and runs it again from its directory.
func (tn *testNode) restart(cfg Config) *testNode {
	tn.stop()
	tn.open(cfg)
	return tn.start()
}

func (tn *testNode) addr() string {
	tn.t.Helper()
	id, err := tn.Identity(context.Background())
	if err != nil || len(id.Addrs) == 0 {
		tn.t.Fatalf("identity: %v %v", id, err)
	}
	return id.Addrs[0]
}

func (tn *testNode) connect(other *testNode) {
	tn.t.Helper()
	if _, err := tn.AddPeer(context.Background(), other.addr(), false); err != nil {
		tn.t.Fatal(err)
	}
}

func (tn *testNode) has(id string, cancelled bool) bool {
	m, err := tn.Meeting(context.Background(), id)
	return err == nil && m.Cancelled == cancelled
}

func testLogger(t testing.TB) *slog.Logger {
	return slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelInfo}))
}

type testWriter struct{ t testing.TB }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(string(p))
	return len(p), nil
}

// eventually polls cond until it holds or 20 seconds pass.
func eventually(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting until %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func meetingDraft(name string, day int) protocol.Listing {
	return protocol.Listing{
		Name: name, Day: &day, Time: "18:00", EndTime: "19:00", Timezone: "Africa/Kampala",
		Types: []string{"O"}, Format: protocol.FormatPeerLed, Region: "Kawempe",
	}
}

// TestFederation runs five real hubs in one process: publish and
// propagate, a late joiner's catch-up sync, cancel, block, restart.
func TestFederation(t *testing.T) {
	ctx := context.Background()
	cfg := testConfig()
	a := newTestNode(t, "A", cfg).start()
	b := newTestNode(t, "B", cfg).start()
	c := newTestNode(t, "C", cfg).start()
	b.connect(a)
	c.connect(b)
	c.connect(a)

	// A hub adds a meeting; the others list it within seconds.
	m1, err := a.AddMeeting(ctx, DraftOf(meetingDraft("Tuesday Hope", 2)))
	if err != nil {
		t.Fatal(err)
	}
	eventually(t, "B and C list A's meeting", func() bool { return b.has(m1.ID, false) && c.has(m1.ID, false) })
	m2, err := b.AddMeeting(ctx, DraftOf(meetingDraft("Family Circle", 4)))
	if err != nil {
		t.Fatal(err)
	}
	eventually(t, "A and C list B's meeting", func() bool { return a.has(m2.ID, false) && c.has(m2.ID, false) })

	// A hub that was offline starts later, connects to one hub only, and
	// gets every current listing at once.
	d := newTestNode(t, "D", cfg).start()
	d.connect(c)
	eventually(t, "D catches up", func() bool { return d.has(m1.ID, false) && d.has(m2.ID, false) })

	// A cancelled meeting shows as cancelled everywhere.
	if _, err := a.CancelMeeting(ctx, m1.Slug); err != nil {
		t.Fatal(err)
	}
	for _, n := range []*testNode{b, c, d} {
		eventually(t, "the cancellation reaches "+n.cfg.Name, func() bool { return n.has(m1.ID, true) })
	}
	all, _ := d.Meetings(ctx, finder.Query{})
	for _, m := range all {
		if m.ID == m1.ID {
			t.Fatal("a cancelled meeting is listed without --all")
		}
	}

	// B blocks A: A's listings are purged from B, A is disconnected, and a
	// new listing of A's never reaches B, though C relays to B.
	if err := b.SetBlocked(ctx, a.ID().String(), true); err != nil {
		t.Fatal(err)
	}
	if b.has(m1.ID, true) {
		t.Fatal("a blocked hub's listing is still held")
	}
	m3, err := a.AddMeeting(ctx, DraftOf(meetingDraft("Sunday Serenity", 0)))
	if err != nil {
		t.Fatal(err)
	}
	eventually(t, "C and D get A's new meeting", func() bool { return c.has(m3.ID, false) && d.has(m3.ID, false) })
	b.syncAll(ctx, b.running()) // a full round with C and D: still nothing of A's
	if b.has(m3.ID, false) {
		t.Fatal("a blocked hub's listing reached B")
	}
	if got := b.stats.rejections()["blocked"]; got == 0 {
		t.Fatal("B counted no listing refused as blocked")
	}

	// Blocking survives a restart; other listings do too.
	b.restart(cfg)
	if !b.has(m2.ID, false) || !b.peers.isBlocked(a.ID()) {
		t.Fatal("B lost its listing or its block over a restart")
	}
	b.connect(c)
	// Unblocking lets A's listings back in through sync.
	if err := b.SetBlocked(ctx, a.ID().String(), false); err != nil {
		t.Fatal(err)
	}
	eventually(t, "B gets A's listing after unblocking", func() bool { return b.has(m3.ID, false) })
}

// TestIngestRefuses feeds Ingest every kind of bad listing the network can
// send: each is refused with its reason counted, and nothing held changes.
func TestIngestRefuses(t *testing.T) {
	now := time.Now()
	cfg := testConfig()
	hub := newTestNode(t, "hub", cfg)
	author := newTestNode(t, "author", cfg)
	blockedHub := newTestNode(t, "blocked", cfg)
	if err := hub.SetBlocked(context.Background(), blockedHub.ID().String(), true); err != nil {
		t.Fatal(err)
	}

	seal := func(n *testNode, mutate func(*protocol.Listing)) []byte {
		t.Helper()
		l := meetingDraft("Evening Group", 3)
		l.Version, l.Hub, l.Slug, l.Seq = protocol.SchemaVersion, n.ID().String(), "evening", 10
		l.IssuedAt, l.ExpiresAt = now.UTC().Truncate(time.Second), now.Add(24*time.Hour).UTC().Truncate(time.Second)
		mutate(&l)
		env, err := protocol.Seal(&l, n.key)
		if err != nil {
			t.Fatal(err)
		}
		return env
	}
	current := seal(author, func(*protocol.Listing) {})
	if _, err := hub.Ingest(current); err != nil {
		t.Fatal(err)
	}
	forged := seal(author, func(*protocol.Listing) {})
	forged[len(forged)-1] ^= 1 // the signature's last byte

	cases := []struct {
		name string
		env  []byte
		want error
	}{
		{"bad signature", forged, protocol.ErrBadSignature},
		{"over the size cap", make([]byte, protocol.MaxEnvelopeSize+1), protocol.ErrTooLarge},
		{"not an envelope", []byte("{\"name\":\"x\"}"), protocol.ErrMalformed},
		{"expired", seal(author, func(l *protocol.Listing) {
			l.Seq = 11
			l.IssuedAt, l.ExpiresAt = now.Add(-48*time.Hour).UTC(), now.Add(-time.Hour).UTC()
		}), protocol.ErrExpired},
		{"issued in the future", seal(author, func(l *protocol.Listing) {
			l.Seq = 12
			l.IssuedAt, l.ExpiresAt = now.Add(time.Hour).UTC(), now.Add(48*time.Hour).UTC()
		}), protocol.ErrFuture},
		{"replayed older seq", seal(author, func(l *protocol.Listing) { l.Seq = 9; l.Name = "Replayed" }), protocol.ErrStale},
		{"same seq again", current, protocol.ErrStale},
		{"blocked hub", seal(blockedHub, func(*protocol.Listing) {}), protocol.ErrBlocked},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before := hub.stats.rejections()[protocol.Reason(c.want)]
			if _, err := hub.Ingest(c.env); !errors.Is(err, c.want) {
				t.Fatalf("want %v, got %v", c.want, err)
			}
			if after := hub.stats.rejections()[protocol.Reason(c.want)]; after != before+1 {
				t.Fatalf("rejected[%s] went %d -> %d", protocol.Reason(c.want), before, after)
			}
			m, err := hub.Meeting(context.Background(), author.ID().String()+"/evening")
			if err != nil || m.Seq != 10 || m.Name != "Evening Group" {
				t.Fatalf("the held listing changed: %+v %v", m.Listing, err)
			}
		})
	}
	// The trusted-only policy refuses an untrusted author, and takes it once trusted.
	tcfg := testConfig()
	tcfg.Network.Policy = PolicyTrusted
	strict := newTestNode(t, "strict", tcfg)
	if _, err := strict.Ingest(current); !errors.Is(err, protocol.ErrUntrusted) {
		t.Fatalf("trusted-only took an untrusted listing: %v", err)
	}
	if err := strict.SetTrusted(context.Background(), author.ID().String(), true); err != nil {
		t.Fatal(err)
	}
	if _, err := strict.Ingest(current); err != nil {
		t.Fatalf("trusted-only refused a trusted listing: %v", err)
	}
}

// TestGossipRejectsForgery has a rogue hub publish a listing it signed in
// another hub's name: the receiver rejects it and it goes no further.
func TestGossipRejectsForgery(t *testing.T) {
	ctx := context.Background()
	cfg := testConfig()
	a := newTestNode(t, "A", cfg).start()
	rogue := newTestNode(t, "rogue", cfg).start()
	c := newTestNode(t, "C", cfg).start()
	a.connect(rogue)
	c.connect(a)

	// A real listing makes sure the mesh carries messages before the forgery.
	m, err := rogue.AddMeeting(ctx, DraftOf(meetingDraft("Honest Meeting", 1)))
	if err != nil {
		t.Fatal(err)
	}
	eventually(t, "A and C get the honest listing", func() bool { return a.has(m.ID, false) && c.has(m.ID, false) })

	l := meetingDraft("Forged", 1)
	l.Version, l.Hub, l.Slug, l.Seq = protocol.SchemaVersion, a.ID().String(), "forged", 1
	l.IssuedAt, l.ExpiresAt = time.Now().UTC().Truncate(time.Second), time.Now().Add(time.Hour).UTC()
	env := forgeWithKey(t, &l, rogue.key)
	if err := rogue.running().topic.Publish(ctx, env); err != nil {
		t.Fatal(err)
	}
	eventually(t, "A rejects the forgery", func() bool { return a.stats.rejections()["not_signer"] > 0 })
	if a.has(l.Hub+"/forged", false) || c.has(l.Hub+"/forged", false) {
		t.Fatal("a forged listing was stored")
	}
}

// forgeWithKey signs l with key whatever hub l names, as protocol.Seal never would.
func forgeWithKey(t *testing.T, l *protocol.Listing, key crypto.PrivKey) []byte {
	t.Helper()
	payload, err := json.Marshal(l)
	if err != nil {
		t.Fatal(err)
	}
	env, err := record.Seal(&rawListing{payload}, key)
	if err != nil {
		t.Fatal(err)
	}
	data, err := env.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	return data
}

type rawListing struct{ payload []byte }

func (*rawListing) Domain() string                   { return protocol.EnvelopeDomain }
func (*rawListing) Codec() []byte                    { return protocol.EnvelopeCodec }
func (r *rawListing) MarshalRecord() ([]byte, error) { return r.payload, nil }
func (r *rawListing) UnmarshalRecord(b []byte) error { r.payload = b; return nil }
