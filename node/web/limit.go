package web

import (
	"crypto/sha256"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"
)

// Per-client limits. The members package limits PIN attempts per name
// (nickname or not); these limit what one client address may try across
// names, so one phone or one script cannot spray a PIN over many nicknames,
// or make account after account. An attempt is counted when it starts,
// before any PIN is derived, so a burst of simultaneous requests gets no
// further than the same requests one after another; an attempt that turns
// out right (a sign-in) or never ran (the hub was busy) is taken back.
//
// The ceiling for sign-ins counts names, not tries: a client may get the
// PIN wrong for signinRule.allowed different names in the window. A member
// who keeps mistyping their own PIN, or trying their nickname while it is
// locked, is held by that nickname's own lock (members), which runs out
// by itself, and uses one of the address's names however often they try;
// so members sharing a phone or a kiosk (one address) do not lock each
// other out, while a script spraying a PIN over many nicknames is stopped
// at the same ceiling as before.

// limitRule is one limit: allowed attempts in window, then either waits
// that double from 2 s (backoff) up to maxDelay, or a wait until the
// oldest attempt leaves the window.
type limitRule struct {
	allowed  int
	window   time.Duration
	backoff  bool
	maxDelay time.Duration
}

var (
	// signinRule: failed sign-ins (and taken nicknames at sign-up, which
	// tell who exists just as well) per client.
	signinRule = limitRule{allowed: 10, window: 15 * time.Minute, backoff: true, maxDelay: 15 * time.Minute}
	// signupRule: new accounts per client. A family may make a few on one
	// phone; a script may not fill the hub's disk and memory.
	signupRule = limitRule{allowed: 5, window: time.Hour}
)

// maxClients bounds a limiter's table under a flood of addresses.
const maxClients = 10000

// clientLimiter counts attempts per client address under one rule.
type clientLimiter struct {
	rule limitRule
	now  func() time.Time

	mu      sync.Mutex
	clients map[string]*attempts
}

// attempts are one client's attempts within the window, oldest first,
// with the name each was for (nameKey; "" for none).
type attempts struct {
	at    []time.Time
	names []string
}

func newClientLimiter(rule limitRule, now func() time.Time) *clientLimiter {
	return &clientLimiter{rule: rule, now: now, clients: map[string]*attempts{}}
}

// reserve counts an attempt by client now for name (a nameKey, or "" for an
// attempt that names none), if the rule allows one: it returns the
// attempt's time (to refund it by) and 0, or how long the client must
// wait, counting nothing. An attempt for a name this client already has an
// attempt for in the window is not counted again (the zero time).
func (l *clientLimiter) reserve(client, name string) (at time.Time, wait time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	a := l.clients[client]
	if a == nil {
		if len(l.clients) >= maxClients {
			l.sweep(now)
		}
		a = &attempts{}
		l.clients[client] = a
	}
	a.prune(now, l.rule.window)
	if name != "" && slices.Contains(a.names, name) {
		return time.Time{}, 0
	}
	if wait := l.waitLocked(a, now); wait > 0 {
		return time.Time{}, wait
	}
	a.at = append(a.at, now)
	a.names = append(a.names, name)
	return now, 0
}

// nameKey is how a limiter remembers a name tried: a hash of it as members
// reads nicknames (case and spaces aside), not the name itself.
func nameKey(nick string) string {
	sum := sha256.Sum256([]byte(strings.ToLower(strings.TrimSpace(nick))))
	return string(sum[:16])
}

// refund takes back an attempt reserve counted at at.
func (l *clientLimiter) refund(client string, at time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	a := l.clients[client]
	if a == nil {
		return
	}
	for i := len(a.at) - 1; i >= 0; i-- {
		if !at.IsZero() && a.at[i].Equal(at) {
			a.at = slices.Delete(a.at, i, i+1)
			a.names = slices.Delete(a.names, i, i+1)
			return
		}
	}
}

// waitLocked is how long a client with attempts a must wait at now.
func (l *clientLimiter) waitLocked(a *attempts, now time.Time) time.Duration {
	n := len(a.at)
	if n < l.rule.allowed {
		return 0
	}
	var until time.Time
	if l.rule.backoff {
		delay := l.rule.maxDelay
		if over := n - l.rule.allowed + 1; over < 20 {
			delay = min(time.Duration(1<<over)*time.Second, l.rule.maxDelay)
		}
		until = a.at[n-1].Add(delay)
	} else {
		until = a.at[n-l.rule.allowed].Add(l.rule.window)
	}
	return max(until.Sub(now), 0)
}

func (a *attempts) prune(now time.Time, window time.Duration) {
	i := 0
	for i < len(a.at) && now.Sub(a.at[i]) > window {
		i++
	}
	a.at, a.names = a.at[i:], a.names[i:]
}

// sweep forgets clients with nothing in the window; if a flood of
// addresses leaves the table full, those least recently seen go.
func (l *clientLimiter) sweep(now time.Time) {
	for k, a := range l.clients {
		if a.prune(now, l.rule.window); len(a.at) == 0 {
			delete(l.clients, k)
		}
	}
	if len(l.clients) < maxClients {
		return
	}
	cut := now.Add(-l.rule.window / 2)
	for k, a := range l.clients {
		if a.at[len(a.at)-1].Before(cut) {
			delete(l.clients, k)
		}
	}
}

// clientAddr is the address attempts are counted against: the peer's IP,
// or for IPv6 its /64, which is one household's (or one attacker's) whole
// network. Forwarding headers are not believed: a hub serves its page
// directly, and a header is what an attacker would forge.
func clientAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	ip := net.ParseIP(host)
	if ip == nil || ip.To4() != nil {
		return host
	}
	return (&net.IPNet{IP: ip.Mask(net.CIDRMask(64, 128)), Mask: net.CIDRMask(64, 128)}).String()
}
