package web

import (
	"sync"
	"time"
)

// formNonces are the CSRF tokens of the forms a visitor fills before there
// is a session: sign-in and sign-up. Each is random, kept here with the
// client address it was shown to, and good once, for nonceLifetime. A
// token a cross-site page makes up, or plants in a cookie, was never
// issued; one fetched by another machine was issued to another address.
// (A page on this very machine could fetch one for 127.0.0.1: the Origin
// check in guard is what stops that one.)
type formNonces struct {
	now func() time.Time

	mu        sync.Mutex
	byToken   map[string]formNonce
	order     []string // tokens in the order issued, oldest first; may hold spent ones
	perClient map[string]int
}

type formNonce struct {
	client  string
	expires time.Time
}

const (
	// nonceLifetime is how long a form may sit open: long enough to find
	// one's PIN, short enough that the table stays small.
	nonceLifetime = time.Hour
	// maxNonces bounds the table; the oldest go first.
	maxNonces = 20000
	// maxNoncesPerClient: a client that keeps loading forms drops its own
	// oldest tokens, not other people's.
	maxNoncesPerClient = 64
)

func newFormNonces(now func() time.Time) *formNonces {
	return &formNonces{now: now, byToken: map[string]formNonce{}, perClient: map[string]int{}}
}

// issue makes a token for a form shown to client.
func (fn *formNonces) issue(client string) string {
	token := randomToken()
	now := fn.now()
	fn.mu.Lock()
	defer fn.mu.Unlock()
	for len(fn.order) > 0 {
		oldest, ok := fn.byToken[fn.order[0]]
		if ok && now.Before(oldest.expires) && len(fn.byToken) < maxNonces {
			break
		}
		fn.dropLocked(0)
	}
	if fn.perClient[client] >= maxNoncesPerClient {
		for i, t := range fn.order {
			if n, ok := fn.byToken[t]; ok && n.client == client {
				fn.dropLocked(i)
				break
			}
		}
	}
	if len(fn.order) >= 2*maxNonces {
		// Spent tokens pile up behind a live oldest one: keep the live.
		live := fn.order[:0:0]
		for _, t := range fn.order {
			if _, ok := fn.byToken[t]; ok {
				live = append(live, t)
			}
		}
		fn.order = live
	}
	fn.byToken[token] = formNonce{client: client, expires: now.Add(nonceLifetime)}
	fn.order = append(fn.order, token)
	fn.perClient[client]++
	return token
}

// take spends a token: true if it was issued to client and is still good.
func (fn *formNonces) take(token, client string) bool {
	if !validToken(token) {
		return false
	}
	fn.mu.Lock()
	defer fn.mu.Unlock()
	n, ok := fn.byToken[token]
	if !ok || n.client != client || !fn.now().Before(n.expires) {
		return false
	}
	fn.forgetLocked(token, n)
	return true
}

// dropLocked removes the i-th token of the order, and the token itself if
// it is unspent.
func (fn *formNonces) dropLocked(i int) {
	t := fn.order[i]
	if i == 0 {
		fn.order = fn.order[1:]
	} else {
		fn.order = append(fn.order[:i], fn.order[i+1:]...)
	}
	if n, ok := fn.byToken[t]; ok {
		fn.forgetLocked(t, n)
	}
}

func (fn *formNonces) forgetLocked(token string, n formNonce) {
	delete(fn.byToken, token)
	if fn.perClient[n.client]--; fn.perClient[n.client] <= 0 {
		delete(fn.perClient, n.client)
	}
}
