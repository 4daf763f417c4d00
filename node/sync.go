package node

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/libp2p/go-libp2p/core/event"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"

	"hearth/protocol"
)

// syncTimeout bounds one sync round on a slow link: 10,000 listings of ~1 KiB
// at 2G speeds (~30 KB/s) take about five minutes.
const syncTimeout = 10 * time.Minute

// syncLimiter keeps one sync round per peer at a time: a connection event
// and the timer may fire together.
type syncLimiter struct {
	mu     sync.Mutex
	active map[peer.ID]bool
}

func newSyncLimiter() *syncLimiter { return &syncLimiter{active: make(map[peer.ID]bool)} }

func (s *syncLimiter) start(p peer.ID) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.active[p] {
		return false
	}
	s.active[p] = true
	return true
}

func (s *syncLimiter) done(p peer.ID) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.active, p)
}

// syncOnConnect starts a sync round with every peer that identifies as a
// Hearth hub, as soon as it connects.
func (n *Node) syncOnConnect(ctx context.Context, nw *p2p) error {
	sub, err := nw.host.EventBus().Subscribe(new(event.EvtPeerIdentificationCompleted))
	if err != nil {
		return fmt.Errorf("sync: %w", err)
	}
	defer sub.Close()
	var wg sync.WaitGroup
	defer wg.Wait()
	for {
		select {
		case <-ctx.Done():
			return nil
		case e, ok := <-sub.Out():
			if !ok {
				return nil
			}
			id := e.(event.EvtPeerIdentificationCompleted)
			if !slices.Contains(id.Protocols, protocol.SyncProtocol) {
				continue
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				n.syncWith(ctx, nw, id.Peer)
			}()
		}
	}
}

// syncLoop runs a sync round with every connected hub on a timer, and when
// a policy change asks for one.
func (n *Node) syncLoop(ctx context.Context, nw *p2p) error {
	t := time.NewTicker(n.cfg.Network.SyncInterval.D())
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		case <-n.resyncNow:
		}
		n.syncAll(ctx, nw)
	}
}

// syncAll runs a sync round with every connected hub.
func (n *Node) syncAll(ctx context.Context, nw *p2p) {
	var wg sync.WaitGroup
	for _, p := range nw.host.Network().Peers() {
		if protos, err := nw.host.Peerstore().SupportsProtocols(p, protocol.SyncProtocol); err != nil || len(protos) == 0 {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			n.syncWith(ctx, nw, p)
		}()
	}
	wg.Wait()
}

// syncWith pulls from p every listing this hub lacks, logging failures:
// the next connection or timer tries again.
func (n *Node) syncWith(ctx context.Context, nw *p2p, p peer.ID) {
	if !nw.syncs.start(p) {
		return
	}
	defer nw.syncs.done(p)
	got, err := n.pull(ctx, nw, p)
	if err != nil && ctx.Err() == nil {
		n.log.Info("sync", "peer", p, "err", err)
		return
	}
	if got > 0 {
		n.log.Info("sync", "peer", p, "new_listings", got)
	}
}

// pull is the client side of one sync round (see protocol/sync.go).
func (n *Node) pull(ctx context.Context, nw *p2p, p peer.ID) (got int, err error) {
	ctx, cancel := context.WithTimeout(ctx, syncTimeout)
	defer cancel()
	s, err := nw.host.NewStream(ctx, p, protocol.SyncProtocol)
	if err != nil {
		return 0, err
	}
	defer s.Close()
	s.SetDeadline(time.Now().Add(syncTimeout))
	counted := countingStream{s, &n.stats.syncBytes}
	w, r := protocol.NewSyncWriter(counted), protocol.NewSyncReader(counted)

	mine := n.listings.summary()
	if err := w.WriteHello(protocol.Hello{Count: uint64(mine.Count), Digest: mine.Total()}); err != nil {
		return 0, err
	}
	if err := w.Flush(); err != nil {
		return 0, err
	}
	typ, body, err := r.Expect(protocol.MsgInSync, protocol.MsgBuckets)
	if err != nil || typ == protocol.MsgInSync {
		return 0, err
	}
	theirs, err := protocol.DecodeBuckets(body)
	if err != nil {
		return 0, err
	}
	differing := mine.Differing(theirs)
	have, _ := n.listings.entriesIn(differing)
	if err := w.WriteRequest(protocol.Request{Buckets: differing, Have: have}); err != nil {
		return 0, err
	}
	if err := w.Flush(); err != nil {
		return 0, err
	}
	for {
		typ, body, err := r.Expect(protocol.MsgListing, protocol.MsgEnd)
		if err != nil {
			return got, err
		}
		if typ == protocol.MsgEnd {
			return got, nil
		}
		// Ingest keeps nothing of body: the store copies what it keeps.
		if _, err := n.Ingest(body); err == nil {
			got++
		} else if protocol.Forged(err) {
			return got, fmt.Errorf("peer sent a bad listing: %w", err)
		}
	}
}

// serveSync is the server side of a sync round.
func (n *Node) serveSync(s network.Stream) {
	defer s.Close()
	if err := n.push(s); err != nil && !errors.Is(err, context.Canceled) {
		n.log.Debug("sync: serve", "peer", s.Conn().RemotePeer(), "err", err)
		s.Reset()
	}
}

func (n *Node) push(s network.Stream) error {
	s.SetDeadline(time.Now().Add(syncTimeout))
	w, r := protocol.NewSyncWriter(s), protocol.NewSyncReader(s)
	_, body, err := r.Expect(protocol.MsgHello)
	if err != nil {
		return err
	}
	hello, err := protocol.DecodeHello(body)
	if err != nil {
		return err
	}
	mine := n.listings.summary()
	if hello.Digest == mine.Total() {
		if err := w.WriteInSync(); err != nil {
			return err
		}
		return w.Flush()
	}
	if err := w.WriteBuckets(&mine.Buckets); err != nil {
		return err
	}
	if err := w.Flush(); err != nil {
		return err
	}
	_, body, err = r.Expect(protocol.MsgRequest)
	if err != nil {
		return err
	}
	req, err := protocol.DecodeRequest(body)
	if err != nil {
		return err
	}
	theirs := make(map[protocol.KeyHash]uint64, len(req.Have))
	for _, e := range req.Have {
		theirs[e.Key] = e.Seq
	}
	entries, ids := n.listings.entriesIn(req.Buckets)
	now := n.now()
	for i, e := range entries {
		if seq, ok := theirs[e.Key]; ok && seq >= e.Seq {
			continue
		}
		seq, envelope, err := n.store.GetListing(ids[i])
		if err != nil || seq != e.Seq {
			continue // replaced or expired since entriesIn: the next round has it
		}
		if l, ok := n.listings.get(ids[i]); !ok || !l.ExpiresAt.After(now) {
			continue
		}
		if err := w.WriteListing(envelope); err != nil {
			return err
		}
	}
	if err := w.WriteEnd(); err != nil {
		return err
	}
	return w.Flush()
}

// countingStream counts the bytes a sync client sends and receives.
type countingStream struct {
	rw io.ReadWriter
	n  *atomic.Uint64
}

func (c countingStream) Read(p []byte) (int, error) {
	n, err := c.rw.Read(p)
	c.n.Add(uint64(n))
	return n, err
}

func (c countingStream) Write(p []byte) (int, error) {
	n, err := c.rw.Write(p)
	c.n.Add(uint64(n))
	return n, err
}
