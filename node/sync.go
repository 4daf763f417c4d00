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

// Catch-up sync in a running hub: when rounds run (on every new connection
// to a Hearth hub, on a timer, after a policy change), on which streams,
// and how many at once. The round itself is syncround.go.

// syncTimeout bounds one round, as client or server, so a peer that
// trickles bytes cannot hold a stream for ever. A round that runs out has
// taken in what it received, and the client starts the next one at once.
const syncTimeout = 10 * time.Minute

// syncBusyRetry is how soon a server asks a peer to come back when it
// still serves the peer's last round, or serves as many as it may.
const syncBusyRetry = 5 * time.Second

// syncLimiter bounds sync work: one round at a time with each peer as
// client and as server, at most Network.SyncStreams rounds served at once
// (and half that many run as client), and at most one full round served
// to each peer per protocol.SyncFullRoundInterval.
type syncLimiter struct {
	now      func() time.Time
	maxServe int
	interval time.Duration // protocol.SyncFullRoundInterval; shorter in tests
	clients  chan struct{} // a slot per client round running

	mu       sync.Mutex
	pulling  map[peer.ID]bool
	serving  map[peer.ID]bool
	lastFull map[peer.ID]time.Time
}

func newSyncLimiter(maxServe int, now func() time.Time) *syncLimiter {
	return &syncLimiter{
		now: now, maxServe: maxServe, interval: protocol.SyncFullRoundInterval, clients: make(chan struct{}, max(1, maxServe/2)),
		pulling: make(map[peer.ID]bool), serving: make(map[peer.ID]bool), lastFull: make(map[peer.ID]time.Time),
	}
}

// pull takes the client slot for p, waiting for a node-wide one; false if a
// round with p already runs or ctx ends.
func (s *syncLimiter) pull(ctx context.Context, p peer.ID) (release func(), ok bool) {
	s.mu.Lock()
	if s.pulling[p] {
		s.mu.Unlock()
		return nil, false
	}
	s.pulling[p] = true
	s.mu.Unlock()
	done := func() {
		s.mu.Lock()
		delete(s.pulling, p)
		s.mu.Unlock()
	}
	select {
	case s.clients <- struct{}{}:
		return func() { <-s.clients; done() }, true
	case <-ctx.Done():
		done()
		return nil, false
	}
}

// serve takes the server slot for p; false if p has a round served already
// or the hub serves as many as it may.
func (s *syncLimiter) serve(p peer.ID) (release func(), ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.serving[p] || len(s.serving) >= s.maxServe {
		return nil, false
	}
	s.serving[p] = true
	return func() {
		s.mu.Lock()
		delete(s.serving, p)
		s.mu.Unlock()
	}, true
}

// fullRound records a full round served to p, or says how long until p may
// have one.
func (s *syncLimiter) fullRound(p peer.ID) (wait time.Duration) {
	now := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	if last, ok := s.lastFull[p]; ok {
		if wait := last.Add(s.interval).Sub(now); wait > 0 {
			return wait
		}
	}
	if len(s.lastFull) >= 4*s.maxServe {
		for q, last := range s.lastFull { // forget peers whose wait is over
			if now.Sub(last) >= s.interval {
				delete(s.lastFull, q)
			}
		}
	}
	s.lastFull[p] = now
	return 0
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
			wg.Go(func() { n.syncWith(ctx, nw, id.Peer) })
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
		wg.Go(func() { n.syncWith(ctx, nw, p) })
	}
	wg.Wait()
}

// syncWith pulls from p every listing this hub lacks, logging failures:
// the next connection or timer tries again. A peer that answers Busy is
// asked again when it said to (three times in a row at most), and a round that ran out of
// time having taken listings in is followed by another at once: a hub
// catching up on a million listings needs several.
func (n *Node) syncWith(ctx context.Context, nw *p2p, p peer.ID) {
	release, ok := n.syncs.pull(ctx, p)
	if !ok {
		return
	}
	defer release()
	got, busy := 0, 0 // busy: answers Busy in a row
	for {
		rep, err := n.pull(ctx, nw, p)
		got += rep.got
		if wait, ok := isSyncBusy(err); ok && busy < 3 {
			busy++
			select {
			case <-ctx.Done():
				return
			case <-time.After(wait):
			}
			continue
		}
		busy = 0
		if errors.Is(err, errRoundTimedOut) && rep.got > 0 {
			continue
		}
		if err != nil && ctx.Err() == nil {
			n.log.Info("sync", "peer", p, "new_listings", got, "err", err)
			return
		}
		break
	}
	if got > 0 {
		n.log.Info("sync", "peer", p, "new_listings", got)
	}
}

// errRoundTimedOut: a client round ran for its time limit and was cut short.
var errRoundTimedOut = errors.New("sync round ran out of time")

// pull runs one client round with p on a new stream.
func (n *Node) pull(ctx context.Context, nw *p2p, p peer.ID) (syncReport, error) {
	roundCtx, cancel := context.WithTimeout(ctx, n.syncRound)
	defer cancel()
	s, err := nw.host.NewStream(roundCtx, p, protocol.SyncProtocol)
	if err != nil {
		return syncReport{}, err
	}
	defer context.AfterFunc(roundCtx, func() { s.Reset() })()
	rep, err := n.syncClient(roundCtx, countingStream{idleStream{s, n.syncIdle}, &n.stats.syncBytes}, n.syncSkips.get(p))
	if err != nil {
		s.Reset()
		if roundCtx.Err() != nil && ctx.Err() == nil {
			err = fmt.Errorf("%w (%v)", errRoundTimedOut, err)
		}
		return rep, err
	}
	n.syncSkips.set(p, rep.lacking)
	return rep, s.Close()
}

// syncSkipMin and syncSkipFor: a client leaves out of its rounds with a peer,
// for syncSkipFor, each hub of syncSkipMin listings or more that the peer
// was found to hold none of. A peer that blocks a spammer whose listings
// this hub holds would otherwise cost a sketch of all of them every round;
// the peer still pulls what it wants from this hub in its own rounds, and a
// peer that gains the hub's listings is asked about them again within the hour.
const (
	syncSkipMin = 100
	syncSkipFor = time.Hour
)

// syncSkips remembers, per peer, the hubs to leave out of rounds with it.
type syncSkips struct {
	mu     sync.Mutex
	now    func() time.Time
	byPeer map[peer.ID]skipped
}

type skipped struct {
	hubs  []uint64
	until time.Time
}

func newSyncSkips(now func() time.Time) *syncSkips {
	return &syncSkips{now: now, byPeer: make(map[peer.ID]skipped)}
}

// get is the hubs to leave out of a round with p.
func (s *syncSkips) get(p peer.ID) []uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	sk, ok := s.byPeer[p]
	if !ok || s.now().After(sk.until) {
		delete(s.byPeer, p)
		return nil
	}
	return sk.hubs
}

// set adds hubs p lacks; those already remembered stay until they expire.
func (s *syncSkips) set(p peer.ID, hubs []uint64) {
	if len(hubs) == 0 {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	sk := s.byPeer[p]
	if s.now().After(sk.until) {
		sk = skipped{until: s.now().Add(syncSkipFor)}
	}
	sk.hubs = slices.Compact(slices.Sorted(slices.Values(append(sk.hubs, hubs...))))
	s.byPeer[p] = sk
}

// serveSync is the stream handler of protocol.SyncProtocol: one round per
// stream, within the limits of syncLimiter.
func (n *Node) serveSync(s network.Stream) {
	from := s.Conn().RemotePeer()
	release, ok := n.syncs.serve(from)
	if !ok {
		// Its last round is still ending here, or the hub serves all it
		// may: come back in a moment. The Hello must come at once.
		s.SetDeadline(time.Now().Add(syncBusyRetry))
		if err := n.answerBusy(s, syncBusyRetry); err != nil {
			s.Reset()
			return
		}
		s.Close()
		return
	}
	defer release()
	ctx, cancel := context.WithTimeout(context.Background(), n.syncRound)
	defer cancel()
	defer context.AfterFunc(ctx, func() { s.Reset() })()
	if err := n.syncServer(idleStream{s, n.syncIdle}, from); err != nil {
		n.log.Debug("sync: serve", "peer", from, "err", err)
		s.Reset()
		return
	}
	s.Close()
}

// deadliner is a stream or connection whose reads and writes can time out.
type deadliner interface {
	io.ReadWriter
	SetReadDeadline(time.Time) error
	SetWriteDeadline(time.Time) error
}

// idleStream resets the idle timer before every read and write: a sync
// stream on which nothing moves for protocol.SyncIdleTimeout fails, and
// its round with it.
type idleStream struct {
	s    deadliner
	idle time.Duration
}

func (i idleStream) Read(p []byte) (int, error) {
	i.s.SetReadDeadline(time.Now().Add(i.idle))
	return i.s.Read(p)
}

func (i idleStream) Write(p []byte) (int, error) {
	i.s.SetWriteDeadline(time.Now().Add(i.idle))
	return i.s.Write(p)
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
