package node

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"sync"
	"time"

	"github.com/libp2p/go-libp2p/core/control"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
	ma "github.com/multiformats/go-multiaddr"

	"hearth/protocol"
	"hearth/store"
)

// peerBook is the hub's peer policy: which hubs the operator keeps
// connected, trusts and blocks. It is persisted in the store; the libp2p
// host consults it as its connection gater and gossipsub as its blacklist,
// so a change applies at once.
type peerBook struct {
	mu     sync.RWMutex
	peers  map[peer.ID]store.Peer
	policy string
	st     *store.Store
}

func loadPeerBook(st *store.Store, policy string) (*peerBook, error) {
	list, err := st.Peers()
	if err != nil {
		return nil, fmt.Errorf("load peers: %w", err)
	}
	b := &peerBook{peers: make(map[peer.ID]store.Peer, len(list)), policy: policy, st: st}
	for _, p := range list {
		id, err := peer.Decode(p.ID)
		if err != nil {
			continue
		}
		b.peers[id] = p
	}
	return b, nil
}

// ParsePeerAddr parses a full multiaddr of a hub, with its /p2p/ part.
func ParsePeerAddr(s string) (peer.AddrInfo, error) {
	addr, err := ma.NewMultiaddr(s)
	if err != nil {
		return peer.AddrInfo{}, fmt.Errorf("%q is not a multiaddr: use the form /ip4/192.0.2.7/tcp/4141/p2p/12D3KooW... that 'hearth id' prints", s)
	}
	info, err := peer.AddrInfoFromP2pAddr(addr)
	if err != nil {
		return peer.AddrInfo{}, fmt.Errorf("%q has no /p2p/PEERID part: use the full address that 'hearth id' prints", s)
	}
	return *info, nil
}

func (b *peerBook) get(id peer.ID) (store.Peer, bool) {
	b.mu.RLock()
	defer b.mu.RUnlock()
	p, ok := b.peers[id]
	return p, ok
}

// update changes one peer's entry and persists it.
func (b *peerBook) update(id peer.ID, change func(*store.Peer)) (store.Peer, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	p, ok := b.peers[id]
	if !ok {
		p = store.Peer{ID: id.String(), Added: time.Now().UTC()}
	}
	change(&p)
	if err := b.st.PutPeer(p); err != nil {
		return p, err
	}
	b.peers[id] = p
	return p, nil
}

func (b *peerBook) remove(id peer.ID) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if err := b.st.DeletePeer(id.String()); err != nil && !errors.Is(err, store.ErrNotFound) {
		return err
	}
	delete(b.peers, id)
	return nil
}

func (b *peerBook) all() []store.Peer {
	b.mu.RLock()
	defer b.mu.RUnlock()
	out := make([]store.Peer, 0, len(b.peers))
	for _, p := range b.peers {
		out = append(out, p)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// kept lists the peers the operator asked to keep connected.
func (b *peerBook) kept() []peer.AddrInfo {
	var out []peer.AddrInfo
	for _, p := range b.all() {
		if !p.Keep || p.Blocked {
			continue
		}
		id, _ := peer.Decode(p.ID)
		info := peer.AddrInfo{ID: id}
		for _, a := range p.Addrs {
			if m, err := ma.NewMultiaddr(a); err == nil {
				info.Addrs = append(info.Addrs, m)
			}
		}
		out = append(out, info)
	}
	return out
}

func (b *peerBook) isBlocked(id peer.ID) bool {
	p, ok := b.get(id)
	return ok && p.Blocked
}

// allows is the policy step of Ingest: may a listing by hub be held?
func (b *peerBook) allows(hub string) error {
	id, err := peer.Decode(hub)
	if err != nil {
		return fmt.Errorf("%w: hub %q", protocol.ErrInvalid, hub)
	}
	p, ok := b.get(id)
	if ok && p.Blocked {
		return fmt.Errorf("%w: %s", protocol.ErrBlocked, hub)
	}
	if b.policy == PolicyTrusted && !(ok && p.Trusted) {
		return fmt.Errorf("%w: %s", protocol.ErrUntrusted, hub)
	}
	return nil
}

// The connection gater: blocked peers get no connection either way.

func (b *peerBook) InterceptPeerDial(p peer.ID) bool                 { return !b.isBlocked(p) }
func (b *peerBook) InterceptAddrDial(p peer.ID, _ ma.Multiaddr) bool { return !b.isBlocked(p) }
func (b *peerBook) InterceptAccept(network.ConnMultiaddrs) bool      { return true }
func (b *peerBook) InterceptSecured(_ network.Direction, p peer.ID, _ network.ConnMultiaddrs) bool {
	return !b.isBlocked(p)
}
func (b *peerBook) InterceptUpgraded(network.Conn) (bool, control.DisconnectReason) { return true, 0 }

// Add and Contains make the book gossipsub's blacklist, so unblocking works
// (gossipsub's own blacklist cannot forget a peer).
func (b *peerBook) Add(peer.ID) bool        { return true }
func (b *peerBook) Contains(p peer.ID) bool { return b.isBlocked(p) }

// keepPeersConnected redials kept peers that dropped, backing off per peer
// from 2 seconds to 5 minutes so a flaky link is retried soon and a dead one
// costs little.
func (n *Node) keepPeersConnected(ctx context.Context, nw *p2p) error {
	type retry struct {
		wait time.Duration
		next time.Time
	}
	backoff := make(map[peer.ID]*retry)
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	var wg sync.WaitGroup
	defer wg.Wait()
	for {
		now := time.Now()
		for _, info := range n.keepList() {
			if nw.host.Network().Connectedness(info.ID) == network.Connected {
				delete(backoff, info.ID)
				continue
			}
			r := backoff[info.ID]
			if r == nil {
				r = &retry{wait: time.Second}
				backoff[info.ID] = r
			}
			if now.Before(r.next) {
				continue
			}
			r.wait = min(2*r.wait, 5*time.Minute)
			r.next = now.Add(r.wait)
			wg.Add(1)
			go func() {
				defer wg.Done()
				n.connect(ctx, nw, info)
			}()
		}
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
		}
	}
}

// keepList is every peer to keep connected: the operator's and config.toml's.
func (n *Node) keepList() []peer.AddrInfo {
	list := n.peers.kept()
	for _, a := range n.cfg.Network.Peers {
		if info, err := ParsePeerAddr(a); err == nil && !n.peers.isBlocked(info.ID) {
			list = append(list, info)
		}
	}
	return list
}

func (n *Node) connect(ctx context.Context, nw *p2p, info peer.AddrInfo) error {
	ctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	err := nw.host.Connect(ctx, info)
	if err != nil {
		n.log.Debug("connect", "peer", info.ID, "err", err)
	}
	return err
}

// protectPeer keeps a kept peer's connection from the connection manager's
// trimming and makes it a gossipsub direct peer.
func (n *Node) protectPeer(nw *p2p, info peer.AddrInfo) {
	nw.host.Peerstore().AddAddrs(info.ID, info.Addrs, time.Hour*24*365)
	nw.host.ConnManager().Protect(info.ID, "hearth-kept")
}

// PeerInfo is one peer as `hearth peers list` shows it.
type PeerInfo struct {
	ID        string   `json:"id"`
	Addrs     []string `json:"addrs"`
	Connected bool     `json:"connected"`
	Trusted   bool     `json:"trusted"`
	Blocked   bool     `json:"blocked"`
	Kept      bool     `json:"kept"` // added by the operator: kept connected
}

// Peers lists the peers in the book and every connected peer.
func (n *Node) Peers(context.Context) ([]PeerInfo, error) {
	nw := n.running()
	seen := make(map[string]bool)
	var out []PeerInfo
	for _, p := range n.peers.all() {
		info := PeerInfo{ID: p.ID, Addrs: p.Addrs, Trusted: p.Trusted, Blocked: p.Blocked, Kept: p.Keep}
		if nw != nil {
			id, _ := peer.Decode(p.ID)
			info.Connected = nw.host.Network().Connectedness(id) == network.Connected
		}
		seen[p.ID] = true
		out = append(out, info)
	}
	if nw != nil {
		for _, id := range nw.host.Network().Peers() {
			if seen[id.String()] {
				continue
			}
			info := PeerInfo{ID: id.String(), Connected: true}
			for _, c := range nw.host.Network().ConnsToPeer(id) {
				info.Addrs = append(info.Addrs, c.RemoteMultiaddr().String())
			}
			out = append(out, info)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	if out == nil {
		out = []PeerInfo{}
	}
	return out, nil
}

// AddPeer keeps a hub connected from now on (and after restarts), and
// connects to it at once if the node runs. The address is a full multiaddr
// with /p2p/PEERID.
func (n *Node) AddPeer(ctx context.Context, addr string, trust bool) (PeerInfo, error) {
	info, err := ParsePeerAddr(addr)
	if err != nil {
		return PeerInfo{}, err
	}
	if info.ID == n.id {
		return PeerInfo{}, fmt.Errorf("%s is this hub itself", info.ID)
	}
	p, err := n.peers.update(info.ID, func(p *store.Peer) {
		p.Keep = true
		p.Trusted = p.Trusted || trust
		for _, a := range info.Addrs {
			if s := a.String(); !slices.Contains(p.Addrs, s) {
				p.Addrs = append(p.Addrs, s)
			}
		}
	})
	if err != nil {
		return PeerInfo{}, err
	}
	out := PeerInfo{ID: p.ID, Addrs: p.Addrs, Trusted: p.Trusted, Blocked: p.Blocked, Kept: true}
	if nw := n.running(); nw != nil && !p.Blocked {
		n.protectPeer(nw, info)
		nw.ps.AddDirectPeer(info)
		out.Connected = n.connect(ctx, nw, info) == nil
	}
	return out, nil
}

// RemovePeer forgets a peer: no longer kept connected, trusted or blocked.
func (n *Node) RemovePeer(_ context.Context, id string) error {
	pid, err := decodePeerID(id)
	if err != nil {
		return err
	}
	if _, ok := n.peers.get(pid); !ok {
		return fmt.Errorf("peer %s is not in this hub's peer list: see 'hearth peers list'", id)
	}
	if err := n.peers.remove(pid); err != nil {
		return err
	}
	if nw := n.running(); nw != nil {
		nw.host.ConnManager().Unprotect(pid, "hearth-kept")
		nw.ps.RemoveDirectPeer(pid)
	}
	return nil
}

// SetTrusted marks a hub trusted or not. Under the trusted policy, the
// listings of a hub no longer trusted are dropped.
func (n *Node) SetTrusted(_ context.Context, id string, trusted bool) error {
	pid, err := decodePeerID(id)
	if err != nil {
		return err
	}
	if _, err := n.peers.update(pid, func(p *store.Peer) { p.Trusted = trusted }); err != nil {
		return err
	}
	if !trusted && n.cfg.Network.Policy == PolicyTrusted {
		return n.purgeHub(pid)
	}
	if trusted {
		n.resync()
	}
	return nil
}

// SetBlocked blocks or unblocks a hub. A blocked hub is disconnected and
// refused, and its listings are dropped and never relayed.
func (n *Node) SetBlocked(_ context.Context, id string, blocked bool) error {
	pid, err := decodePeerID(id)
	if err != nil {
		return err
	}
	if pid == n.id {
		return fmt.Errorf("%s is this hub itself", id)
	}
	if _, err := n.peers.update(pid, func(p *store.Peer) { p.Blocked = blocked }); err != nil {
		return err
	}
	if !blocked {
		n.resync()
		return nil
	}
	if nw := n.running(); nw != nil {
		nw.host.Network().ClosePeer(pid)
		nw.ps.RemoveDirectPeer(pid)
	}
	return n.purgeHub(pid)
}

func (n *Node) purgeHub(hub peer.ID) error {
	dropped, err := n.listings.remove(n.store, func(l *protocol.Listing) bool { return l.Hub == hub.String() })
	if err != nil {
		return err
	}
	n.log.Info("dropped a hub's listings", "hub", hub, "listings", dropped)
	return nil
}

// resync asks the sync loop for a round with every connected hub now,
// after a policy change lets in listings that were refused.
func (n *Node) resync() {
	select {
	case n.resyncNow <- struct{}{}:
	default: // a round is already asked for
	}
}

func decodePeerID(s string) (peer.ID, error) {
	id, err := peer.Decode(s)
	if err != nil {
		return "", fmt.Errorf("%q is not a peer ID: use one from 'hearth peers list'", s)
	}
	return id, nil
}
