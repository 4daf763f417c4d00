package members

import (
	"context"
	"errors"
	"sync"
)

// ErrBusy: every key-derivation slot is taken and as many callers as the
// book lets wait are waiting already. Nothing was checked or changed; the
// caller may try again in a few seconds.
var ErrBusy = errors.New("the hub is busy checking other PINs: try again in a few seconds")

// DefaultKDFSlots is how many argon2id derivations run at once unless
// Options say otherwise: two keep a small board's memory for the rest of
// the hub (each takes DefaultKDF.MemoryKiB) and still use two cores.
const DefaultKDFSlots = 2

// waitersPerSlot bounds the queue for the slots: beyond it, callers get
// ErrBusy at once instead of piling up (each waiting caller is a request
// held open).
const waitersPerSlot = 16

// kdfSlots bounds the argon2id derivations running at once, for sign-ins,
// new accounts and the operator's commands alike: each holds its memory
// until it ends, so a burst must queue, not multiply.
type kdfSlots struct {
	run chan struct{}

	mu         sync.Mutex
	waiting    int
	maxWaiting int
}

func newKDFSlots(n int) *kdfSlots {
	return &kdfSlots{run: make(chan struct{}, n), maxWaiting: n * waitersPerSlot}
}

// acquire takes a slot, waiting while ctx allows; ErrBusy if the queue is
// full. The caller must call the returned release.
func (k *kdfSlots) acquire(ctx context.Context) (release func(), err error) {
	release = func() { <-k.run }
	select {
	case k.run <- struct{}{}:
		return release, nil
	default:
	}
	k.mu.Lock()
	if k.waiting >= k.maxWaiting {
		k.mu.Unlock()
		return nil, ErrBusy
	}
	k.waiting++
	k.mu.Unlock()
	defer func() {
		k.mu.Lock()
		k.waiting--
		k.mu.Unlock()
	}()
	select {
	case k.run <- struct{}{}:
		return release, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}
