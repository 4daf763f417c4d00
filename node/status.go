package node

import (
	"context"
	"strings"

	"github.com/libp2p/go-libp2p/core/peer"
	ma "github.com/multiformats/go-multiaddr"

	"hearth/protocol"
)

// IDInfo is the hub's identity as `hearth id` prints it.
type IDInfo struct {
	ID    string   `json:"id"`
	Addrs []string `json:"addrs"` // full multiaddrs with /p2p/PEERID
}

// Identity is the hub's peer ID and addresses: the live ones while the node
// runs, else the configured listen addresses.
func (n *Node) Identity(context.Context) (IDInfo, error) {
	info := IDInfo{ID: n.id.String(), Addrs: []string{}}
	if nw := n.running(); nw != nil {
		info.Addrs = nw.addrs()
		return info, nil
	}
	var addrs []ma.Multiaddr
	for _, a := range n.cfg.Network.Listen {
		if m, err := ma.NewMultiaddr(a); err == nil {
			addrs = append(addrs, m)
		}
	}
	full, _ := peer.AddrInfoToP2pAddrs(&peer.AddrInfo{ID: n.id, Addrs: addrs})
	for _, a := range full {
		info.Addrs = append(info.Addrs, a.String())
	}
	return info, nil
}

// Status is the hub at a glance, as `hearth status` prints it.
type Status struct {
	Running  bool              `json:"running"`
	ID       string            `json:"id"`
	Name     string            `json:"name"`
	Web      string            `json:"web"` // address of the member page and JSON API
	TLS      bool              `json:"tls"` // the page is served over HTTPS
	Policy   string            `json:"policy"`
	Peers    int               `json:"peers"` // connected now
	Listings ListingCounts     `json:"listings"`
	Members  int               `json:"members"`
	Accepted uint64            `json:"accepted"` // listings taken in since start
	Rejected map[string]uint64 `json:"rejected"` // listings refused since start, by reason
	// Dropped counts the stored listings dropped at start because they break
	// a rule of the protocol they were stored before, by reason.
	Dropped map[string]uint64 `json:"dropped_on_load"`
}

// ListingCounts counts the listings a hub holds.
type ListingCounts struct {
	Own       int `json:"own"`
	Others    int `json:"others"`
	Cancelled int `json:"cancelled"` // of both
}

// Status reports the hub's state.
func (n *Node) Status(context.Context) (Status, error) {
	s := Status{
		ID: n.id.String(), Name: n.cfg.Name, Web: n.cfg.Web.Listen, TLS: n.cfg.Web.TLSCert != "", Policy: n.cfg.Network.Policy,
		Accepted: n.stats.accepted.Load(), Rejected: n.stats.rejections(), Dropped: n.stats.droppedOnLoad(),
	}
	if nw := n.running(); nw != nil {
		s.Running = true
		s.Web = nw.webAddr
		s.Peers = len(nw.host.Network().Peers())
	}
	me := n.id.String()
	n.listings.all(func(l *protocol.Listing) bool {
		if l.Hub == me {
			s.Listings.Own++
		} else {
			s.Listings.Others++
		}
		if l.Cancelled {
			s.Listings.Cancelled++
		}
		return false
	})
	list, err := n.members.List()
	if err != nil {
		return s, err
	}
	s.Members = len(list)
	return s, nil
}

// WebURL is the address of the member page, as a URL.
func (s Status) WebURL() string {
	scheme := "http://"
	if s.TLS {
		scheme = "https://"
	}
	host := s.Web
	if strings.HasPrefix(host, "0.0.0.0:") {
		host = "127.0.0.1:" + strings.TrimPrefix(host, "0.0.0.0:")
	}
	return scheme + host + "/"
}
