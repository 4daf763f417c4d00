package node

import (
	"bytes"
	"context"
	"io"
	"net"
	"testing"

	"github.com/libp2p/go-libp2p/core/peer"

	"hearth/protocol"
)

// recordRound runs one real round between client and server over net.Pipe
// and returns what each side sent.
func recordRound(t testing.TB, client, server *testNode) (fromClient, fromServer []byte) {
	c, s := net.Pipe()
	var toClient, toServer bytes.Buffer
	done := make(chan struct{})
	go func() {
		defer close(done)
		server.syncServer(struct {
			io.Reader
			io.Writer
		}{s, io.MultiWriter(s, &toClient)}, client.ID())
		s.Close()
	}()
	client.syncClient(context.Background(), struct {
		io.Reader
		io.Writer
	}{c, io.MultiWriter(c, &toServer)}, nil)
	c.Close()
	<-done
	return toServer.Bytes(), toClient.Bytes()
}

// fuzzHubs are a server holding listings and a client holding some of them,
// with the frames of a real round between them as seeds.
func fuzzHubs(f *testing.F) (client, server *testNode, fromClient, fromServer []byte) {
	a := newAuthor(f)
	server, client = newTestNode(f, "server", testConfig()), newTestNode(f, "client", testConfig())
	envs := a.sealAll(f, slugs("m", 0, 40), 1)
	server.holds(envs...)
	client.holds(envs[:30]...)
	fromClient, fromServer = recordRound(f, client, server)
	return client, server, fromClient, fromServer
}

// FuzzSyncClient answers a client's round with arbitrary bytes: it never
// panics or hangs, and stores nothing that is not a valid listing.
func FuzzSyncClient(f *testing.F) {
	client, server, _, fromServer := fuzzHubs(f)
	f.Add(fromServer)
	var insync bytes.Buffer
	w := protocol.NewSyncWriter(&insync)
	w.WriteEmpty(protocol.MsgInSync)
	w.WriteBusy(30)
	w.Flush()
	f.Add(insync.Bytes())
	_ = server
	f.Fuzz(func(t *testing.T, data []byte) {
		rw := struct {
			io.Reader
			io.Writer
		}{bytes.NewReader(data), io.Discard}
		before := client.stats.accepted.Load()
		rep, _ := client.syncClient(context.Background(), rw, nil)
		if uint64(rep.got) != client.stats.accepted.Load()-before {
			t.Fatalf("reported %d listings taken in, counted %d", rep.got, client.stats.accepted.Load()-before)
		}
		if rep.got == 0 {
			return
		}
		for _, l := range client.listings.all(func(*protocol.Listing) bool { return true }) {
			_, env, err := client.store.GetListing(l.ID())
			if err != nil {
				t.Fatal(err)
			}
			if _, err := protocol.Open(env); err != nil {
				t.Fatalf("stored an invalid listing: %v", err)
			}
		}
	})
}

// FuzzSyncServer serves a round to arbitrary client bytes: it never panics
// or hangs, and sends no more than the frames a round allows.
func FuzzSyncServer(f *testing.F) {
	_, server, fromClient, _ := fuzzHubs(f)
	f.Add(fromClient)
	var getAll bytes.Buffer
	w := protocol.NewSyncWriter(&getAll)
	w.WriteHello(protocol.Hello{Mode: protocol.FilterOnly, Hubs: []uint64{1}, Sum: protocol.SetSum{Count: 1}})
	w.WriteEmpty(protocol.MsgGetAll)
	w.Flush()
	f.Add(getAll.Bytes())
	f.Fuzz(func(t *testing.T, data []byte) {
		server.syncs = newSyncLimiter(8, server.now)
		var out bytes.Buffer
		rw := struct {
			io.Reader
			io.Writer
		}{bytes.NewReader(data), &out}
		server.syncServer(rw, peer.ID("fuzz"))
		r := protocol.NewSyncReader(&out)
		for {
			_, _, err := r.Next()
			if err == io.EOF {
				return
			}
			if err != nil {
				t.Fatalf("the server wrote a bad frame: %v", err)
			}
		}
	})
}
