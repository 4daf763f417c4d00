package node

import (
	"context"
	"crypto/sha256"
	"fmt"
	"net"
	"time"

	"github.com/libp2p/go-libp2p"
	pubsub "github.com/libp2p/go-libp2p-pubsub"
	pubsubpb "github.com/libp2p/go-libp2p-pubsub/pb"
	"github.com/libp2p/go-libp2p/core/host"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-libp2p/p2p/discovery/mdns"
	rcmgr "github.com/libp2p/go-libp2p/p2p/host/resource-manager"
	"github.com/libp2p/go-libp2p/p2p/net/connmgr"

	"hearth/protocol"
)

// p2p is what Run starts: the libp2p host, gossipsub and mDNS.
type p2p struct {
	host    host.Host
	ps      *pubsub.PubSub
	topic   *pubsub.Topic
	sub     *pubsub.Subscription
	mdns    mdns.Service
	webAddr string
}

// Resource limits for a small board: libp2p's defaults scaled to 64 MiB and
// 256 file descriptors, far more than tens of hubs need.
const (
	resourceMemory = 64 << 20
	resourceFDs    = 256
)

func (n *Node) startNetwork(ctx context.Context, webAddr string) (*p2p, error) {
	limits := rcmgr.DefaultLimits
	libp2p.SetDefaultServiceLimits(&limits)
	rm, err := rcmgr.NewResourceManager(rcmgr.NewFixedLimiter(limits.Scale(resourceMemory, resourceFDs)))
	if err != nil {
		return nil, fmt.Errorf("network: resource manager: %w", err)
	}
	cm, err := connmgr.NewConnManager(n.cfg.Network.ConnLow, n.cfg.Network.ConnHigh, connmgr.WithGracePeriod(time.Minute))
	if err != nil {
		return nil, fmt.Errorf("network: connection manager: %w", err)
	}
	h, err := libp2p.New(
		libp2p.Identity(n.key),
		libp2p.ListenAddrStrings(n.cfg.Network.Listen...),
		libp2p.ConnectionGater(n.peers),
		libp2p.ConnectionManager(cm),
		libp2p.ResourceManager(rm),
		libp2p.EnableHolePunching(),
		libp2p.UserAgent("hearth/"+fmt.Sprint(protocol.SchemaVersion)),
	)
	if err != nil {
		return nil, fmt.Errorf("network: cannot listen on %v (%v): use --listen with a free port", n.cfg.Network.Listen, err)
	}
	nw := &p2p{host: h, webAddr: webAddr}
	// From here on, a failure must close the host it started.
	if err := n.startGossip(ctx, nw); err != nil {
		h.Close()
		return nil, err
	}
	h.SetStreamHandler(protocol.SyncProtocol, n.serveSync)
	for _, p := range n.peers.kept() {
		n.protectPeer(nw, p)
	}
	if n.cfg.Network.MDNS {
		nw.mdns = mdns.NewMdnsService(h, protocol.MDNSService, mdnsNotifee{n, nw, ctx})
	}
	return nw, nil
}

func (nw *p2p) close() {
	nw.sub.Cancel()
	nw.topic.Close()
	nw.host.Close()
}

// startGossip joins the listings topic. Messages are identified by the hash
// of the envelope, so the same listing from two paths is one message; they
// carry no gossipsub signature, since the envelope inside is signed.
func (n *Node) startGossip(ctx context.Context, nw *p2p) error {
	var direct []peer.AddrInfo
	for _, p := range n.peers.kept() {
		direct = append(direct, p)
	}
	ps, err := pubsub.NewGossipSub(ctx, nw.host,
		pubsub.WithMessageIdFn(func(m *pubsubpb.Message) string {
			sum := sha256.Sum256(m.Data)
			return string(sum[:])
		}),
		pubsub.WithMessageSignaturePolicy(pubsub.StrictNoSign),
		pubsub.WithNoAuthor(),
		// Flood publishing sends a hub's own listing to every peer, not only
		// its mesh: on a small federation a listing arrives in one hop.
		pubsub.WithFloodPublish(true),
		pubsub.WithPeerScore(peerScoreParams(), peerScoreThresholds()),
		pubsub.WithMaxMessageSize(protocol.MaxGossipRPC),
		pubsub.WithDirectPeers(direct),
		pubsub.WithBlacklist(n.peers),
	)
	if err != nil {
		return fmt.Errorf("network: gossipsub: %w", err)
	}
	if err := ps.RegisterTopicValidator(protocol.ListingsTopic, n.validateGossip, pubsub.WithValidatorInline(true)); err != nil {
		return fmt.Errorf("network: gossipsub validator: %w", err)
	}
	nw.ps = ps
	if nw.topic, err = ps.Join(protocol.ListingsTopic); err != nil {
		return fmt.Errorf("network: join %s: %w", protocol.ListingsTopic, err)
	}
	if nw.sub, err = nw.topic.Subscribe(); err != nil {
		nw.topic.Close()
		return fmt.Errorf("network: subscribe: %w", err)
	}
	return nil
}

// validateGossip runs Ingest on every gossiped listing before it is relayed:
// a forged or malformed one is rejected (the sender's score drops), a stale,
// expired or unwanted one is ignored (not relayed, no penalty).
func (n *Node) validateGossip(_ context.Context, from peer.ID, m *pubsub.Message) pubsub.ValidationResult {
	if from == n.id {
		return pubsub.ValidationAccept // this hub's own listing, ingested before publishing
	}
	_, err := n.Ingest(m.Data)
	switch {
	case err == nil:
		return pubsub.ValidationAccept
	case protocol.Forged(err):
		return pubsub.ValidationReject
	default:
		return pubsub.ValidationIgnore
	}
}

// readGossip drains the subscription: the validator already stored every
// listing, but the node must subscribe to be in the topic's mesh.
func (n *Node) readGossip(ctx context.Context, nw *p2p) error {
	for {
		if _, err := nw.sub.Next(ctx); err != nil {
			return nil // ctx ended or the subscription was cancelled
		}
	}
}

// publish sends one of this hub's sealed listings to its peers. With no
// network running it does nothing: sync carries it when the node next runs.
func (n *Node) publish(ctx context.Context, envelope []byte) {
	nw := n.running()
	if nw == nil {
		return
	}
	if err := nw.topic.Publish(ctx, envelope); err != nil {
		n.log.Warn("publish listing", "err", err)
	}
}

func peerScoreParams() *pubsub.PeerScoreParams {
	return &pubsub.PeerScoreParams{
		SkipAtomicValidation: true,
		AppSpecificScore:     func(peer.ID) float64 { return 0 },
		// Hubs on one LAN or one machine share an IP: no colocation penalty.
		IPColocationFactorWeight: 0,
		BehaviourPenaltyWeight:   -10,
		BehaviourPenaltyDecay:    0.9,
		DecayInterval:            time.Minute,
		DecayToZero:              0.01,
		RetainScore:              time.Hour,
		Topics: map[string]*pubsub.TopicScoreParams{
			protocol.ListingsTopic: {
				SkipAtomicValidation: true,
				TopicWeight:          1,
				// Time in the mesh earns nothing, but the scorer divides by the quantum.
				TimeInMeshQuantum: time.Second,
				// Each forged or malformed listing costs a lot: ten put a peer
				// below the graylist threshold.
				InvalidMessageDeliveriesWeight: -100,
				InvalidMessageDeliveriesDecay:  0.9,
				// Delivering new listings first earns a little.
				FirstMessageDeliveriesWeight: 1,
				FirstMessageDeliveriesDecay:  0.9,
				FirstMessageDeliveriesCap:    50,
			},
		},
	}
}

func peerScoreThresholds() *pubsub.PeerScoreThresholds {
	return &pubsub.PeerScoreThresholds{
		GossipThreshold:             -500,
		PublishThreshold:            -1000,
		GraylistThreshold:           -2500,
		AcceptPXThreshold:           10,
		OpportunisticGraftThreshold: 5,
	}
}

// mdnsNotifee connects to hubs found on the LAN.
type mdnsNotifee struct {
	n   *Node
	nw  *p2p
	ctx context.Context
}

func (m mdnsNotifee) HandlePeerFound(pi peer.AddrInfo) {
	if pi.ID == m.n.id || m.n.peers.isBlocked(pi.ID) {
		return
	}
	go func() {
		ctx, cancel := context.WithTimeout(m.ctx, 20*time.Second)
		defer cancel()
		if err := m.nw.host.Connect(ctx, pi); err != nil {
			m.n.log.Debug("mdns: connect", "peer", pi.ID, "err", err)
		}
	}()
}

// runMDNS advertises and looks for hubs on the LAN until ctx ends. Where
// there is no multicast interface (a CI machine with only loopback) it says
// so once and the hub runs on without it.
func (nw *p2p) runMDNS(ctx context.Context, log func(msg string, args ...any)) error {
	if !hasMulticastInterface() {
		log("mDNS is off: this machine has no multicast network interface; connect hubs with 'hearth peers add'")
		return nil
	}
	if err := nw.mdns.Start(); err != nil {
		log("mDNS is off: no multicast network here; connect hubs with 'hearth peers add'", "reason", err)
		return nil
	}
	<-ctx.Done()
	return nw.mdns.Close()
}

// Addrs are the hub's listen addresses with its peer ID, for other
// operators to pass to 'hearth peers add'.
func (nw *p2p) addrs() []string {
	full, _ := peer.AddrInfoToP2pAddrs(&peer.AddrInfo{ID: nw.host.ID(), Addrs: nw.host.Addrs()})
	out := make([]string, len(full))
	for i, a := range full {
		out[i] = a.String()
	}
	return out
}

func hasMulticastInterface() bool {
	ifaces, err := net.Interfaces()
	if err != nil {
		return false
	}
	for _, i := range ifaces {
		if i.Flags&net.FlagUp != 0 && i.Flags&net.FlagMulticast != 0 && i.Flags&net.FlagLoopback == 0 {
			return true
		}
	}
	return false
}
