package web

import (
	"net"
	"strings"
	"sync"
	"time"
)

// hostList is the set of names the page answers to: the listen address's
// host, the loopback names, and web.allowed_hosts. A hub listening on every
// interface (0.0.0.0 or ::) also answers to the IP addresses of this
// machine's interfaces, so a phone on the hub's Wi-Fi can type the address
// it was given; an IP literal cannot be rebound by DNS, and only this
// machine's own addresses are taken.
type hostList struct {
	fixed    map[string]bool
	anyIface bool

	mu        sync.Mutex
	ifaces    map[string]bool
	refreshed time.Time
}

func newHostList(listen string, allowed []string) *hostList {
	h := &hostList{fixed: map[string]bool{"localhost": true, "127.0.0.1": true, "::1": true}}
	if host, _, err := net.SplitHostPort(listen); err == nil {
		if ip := net.ParseIP(host); ip != nil && ip.IsUnspecified() {
			h.anyIface = true
		} else if host != "" {
			h.fixed[strings.ToLower(host)] = true
		} else {
			h.anyIface = true // ":7777" listens everywhere too
		}
	}
	for _, a := range allowed {
		h.fixed[strings.ToLower(strings.TrimSuffix(strings.TrimSpace(a), "."))] = true
	}
	return h
}

// allows reports whether a request's Host header names this hub.
func (h *hostList) allows(hostHeader string) bool {
	host := strings.ToLower(strings.TrimSuffix(hostOnly(hostHeader), "."))
	if host == "" {
		return false
	}
	if h.fixed[host] {
		return true
	}
	if !h.anyIface || net.ParseIP(host) == nil {
		return false
	}
	return h.isInterfaceAddr(host)
}

// isInterfaceAddr checks the machine's addresses, re-reading them at most
// every 30 seconds on a miss: a board's DHCP lease can change while it runs.
func (h *hostList) isInterfaceAddr(ip string) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.ifaces[ip] {
		return true
	}
	if time.Since(h.refreshed) < 30*time.Second && h.ifaces != nil {
		return false
	}
	h.refreshed = time.Now()
	h.ifaces = map[string]bool{}
	addrs, err := net.InterfaceAddrs()
	if err != nil {
		return false
	}
	for _, a := range addrs {
		if n, ok := a.(*net.IPNet); ok {
			h.ifaces[n.IP.String()] = true
		}
	}
	return h.ifaces[ip]
}

// hostOnly strips the port (and IPv6 brackets) from a Host header.
func hostOnly(hostHeader string) string {
	if host, _, err := net.SplitHostPort(hostHeader); err == nil {
		return host
	}
	return strings.TrimSuffix(strings.TrimPrefix(hostHeader, "["), "]")
}
