package node

import (
	"context"
	"net"
	"slices"
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
	Running  bool          `json:"running"`
	ID       string        `json:"id"`
	Name     string        `json:"name"`
	Web      string        `json:"web"` // address of the member page and JSON API
	TLS      bool          `json:"tls"` // the page is served over HTTPS
	Policy   string        `json:"policy"`
	Peers    int           `json:"peers"` // connected now
	Listings ListingCounts `json:"listings"`
	Members  int           `json:"members"`
	// Zone is the hub's time zone (HubZone): its "today" on the page, the
	// CLI, the API and the print; ZoneFrom says where it came from
	// (ZoneFromConfig, ZoneFromMachine or ZoneFromNone): anything but
	// config means listings.default_timezone is not set.
	Zone     string `json:"zone"`
	ZoneFrom string `json:"zone_from"`
	// CrisisLines is how many crisis lines help.crisis_lines lists: with
	// none, every help page says the operator has not set them.
	CrisisLines int               `json:"crisis_lines"`
	Accepted    uint64            `json:"accepted"` // listings taken in since start
	Rejected    map[string]uint64 `json:"rejected"` // listings refused since start, by reason
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
		Accepted: n.stats.accepted.Load(), Rejected: n.stats.rejections(), CrisisLines: len(n.cfg.Help.CrisisLines),
		Dropped: n.stats.droppedOnLoad(),
	}
	zone, from := hubZone(n.cfg)
	s.Zone, s.ZoneFrom = zone.String(), from
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

// WebURL is the address of the member page, as a URL a phone can open:
// for a hub listening on every interface (0.0.0.0, ::), the first of
// WebURLs.
func (s Status) WebURL() string { return s.WebURLs()[0] }

// WebURLs are the member page's URLs: the listen address itself, or for a
// hub listening on every interface, one per address of this machine that
// other devices can reach (private IPv4 first), else the loopback one.
func (s Status) WebURLs() []string { return webURLs(s.Web, s.TLS, lanIPs()) }

func webURLs(listen string, tls bool, lan []net.IP) []string {
	scheme := "http://"
	if tls {
		scheme = "https://"
	}
	host, port, err := net.SplitHostPort(listen)
	if err != nil {
		return []string{scheme + listen + "/"}
	}
	if ip := net.ParseIP(host); host != "" && (ip == nil || !ip.IsUnspecified()) {
		return []string{scheme + net.JoinHostPort(host, port) + "/"}
	}
	var out []string
	for _, ip := range lan {
		out = append(out, scheme+net.JoinHostPort(ip.String(), port)+"/")
	}
	if len(out) == 0 {
		out = append(out, scheme+net.JoinHostPort("127.0.0.1", port)+"/")
	}
	return out
}

// virtualInterfaces are name prefixes of interfaces no phone is on:
// container and VM bridges.
var virtualInterfaces = []string{"docker", "br-", "veth", "virbr", "vboxnet", "vmnet", "cni", "flannel", "podman", "lxc"}

// lanIPs are this machine's addresses on interfaces that are up, not
// loopback and not container bridges: IPv4 in private ranges first, then
// other IPv4, then global IPv6.
func lanIPs() []net.IP {
	ifaces, err := net.Interfaces()
	if err != nil {
		return nil
	}
	var private, public4, public6 []net.IP
	for _, ifc := range ifaces {
		if ifc.Flags&net.FlagUp == 0 || ifc.Flags&net.FlagLoopback != 0 || slices.ContainsFunc(virtualInterfaces, func(p string) bool {
			return strings.HasPrefix(ifc.Name, p)
		}) {
			continue
		}
		addrs, err := ifc.Addrs()
		if err != nil {
			continue
		}
		for _, a := range addrs {
			ipn, ok := a.(*net.IPNet)
			if !ok || !ipn.IP.IsGlobalUnicast() {
				continue
			}
			switch ip := ipn.IP; {
			case ip.To4() != nil && ip.IsPrivate():
				private = append(private, ip)
			case ip.To4() != nil:
				public4 = append(public4, ip)
			default:
				public6 = append(public6, ip)
			}
		}
	}
	return slices.Concat(private, public4, public6)
}
