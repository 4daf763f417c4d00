package web

import (
	"sync"
	"time"
)

// Per-client PIN attempt limits. The members package limits attempts per
// nickname; this limits them per client address, so one phone (or one
// script) cannot try PIN after PIN across many nicknames.
const (
	attemptWindow   = 15 * time.Minute // failures older than this are forgotten
	freeAttempts    = 4                // failures in the window before delays start
	maxAttemptDelay = 15 * time.Minute
	maxClients      = 10000 // bounds the table's memory under a flood of addresses
)

// attemptLimiter counts failed sign-ins per client address. After
// freeAttempts failures in attemptWindow, each further failure doubles the
// wait before the next try: 2 s, 4 s, 8 s … up to maxAttemptDelay.
type attemptLimiter struct {
	now func() time.Time

	mu      sync.Mutex
	clients map[string]*attempts
}

type attempts struct {
	failures []time.Time // within attemptWindow, oldest first
	until    time.Time   // no tries before this
}

func newAttemptLimiter(now func() time.Time) *attemptLimiter {
	return &attemptLimiter{now: now, clients: map[string]*attempts{}}
}

// wait is how long the client must wait before trying again; 0 means it may
// try now.
func (l *attemptLimiter) wait(client string) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	a := l.clients[client]
	if a == nil {
		return 0
	}
	if d := a.until.Sub(l.now()); d > 0 {
		return d
	}
	return 0
}

// fail records a failed attempt.
func (l *attemptLimiter) fail(client string) {
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
	a.prune(now)
	a.failures = append(a.failures, now)
	if over := len(a.failures) - freeAttempts; over > 0 {
		delay := maxAttemptDelay
		if over < 20 {
			delay = min(time.Duration(1<<over)*time.Second, maxAttemptDelay)
		}
		a.until = now.Add(delay)
	}
}

func (a *attempts) prune(now time.Time) {
	i := 0
	for i < len(a.failures) && now.Sub(a.failures[i]) > attemptWindow {
		i++
	}
	a.failures = a.failures[i:]
}

// sweep forgets clients with no recent failures and no wait; if a flood of
// addresses leaves the table full, the oldest half goes (their delays were
// the least recent).
func (l *attemptLimiter) sweep(now time.Time) {
	for k, a := range l.clients {
		a.prune(now)
		if len(a.failures) == 0 && !a.until.After(now) {
			delete(l.clients, k)
		}
	}
	if len(l.clients) < maxClients {
		return
	}
	cut := now.Add(-attemptWindow / 2)
	for k, a := range l.clients {
		if n := len(a.failures); n == 0 || a.failures[n-1].Before(cut) {
			delete(l.clients, k)
		}
	}
}
