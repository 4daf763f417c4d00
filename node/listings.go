package node

import (
	"fmt"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"hearth/node/finder"
	"hearth/protocol"
	"hearth/store"
)

// Ingest is the one path every listing takes into the hub, however it
// arrives (gossip, sync, this hub's own meetings, imports): size, signature,
// payload, field rules and signer (protocol.Open), then policy (blocked or
// untrusted author), then freshness (not expired, not from the future, seq
// newer than the one held), then the store. The envelope is kept verbatim.
func (n *Node) Ingest(envelope []byte) (*protocol.Listing, error) {
	l, err := protocol.Open(envelope)
	if err == nil && l.Hub != n.id.String() {
		err = n.peers.allows(l.Hub)
	}
	if err == nil {
		err = l.CheckFreshness(n.now())
	}
	if err == nil {
		err = n.listings.put(n.store, l, envelope)
	}
	n.stats.count(err)
	if err != nil {
		return nil, err
	}
	return l, nil
}

// listingSet is every listing the hub holds, in memory: the finder index for
// queries and the digests for sync. The store is the truth; the set is
// rebuilt from it at start.
type listingSet struct {
	mu      sync.RWMutex
	byID    map[string]*heldListing
	digests protocol.Digests
	index   *finder.Index
}

type heldListing struct {
	listing *protocol.Listing
	key     protocol.KeyHash
}

func (h *heldListing) entry() protocol.Entry {
	return protocol.Entry{Key: h.key, Seq: h.listing.Seq}
}

func newListingSet(defaultZone *time.Location) *listingSet {
	return &listingSet{byID: make(map[string]*heldListing), index: finder.NewWithDefault(defaultZone)}
}

// load reads every stored listing, dropping those that expired while the
// node was off.
func (s *listingSet) load(st *store.Store, now time.Time) error {
	var expired []string
	err := st.ForEachListing(func(id string, seq uint64, envelope []byte) error {
		l, err := protocol.OpenStored(envelope)
		if err != nil {
			// Only a damaged store gets here; keep the rest of the hub working.
			expired = append(expired, id)
			return nil
		}
		if !l.ExpiresAt.After(now) {
			expired = append(expired, id)
			return nil
		}
		s.held(l)
		return nil
	})
	if err != nil {
		return fmt.Errorf("load listings: %w", err)
	}
	return st.DeleteListings(expired)
}

// held adds or replaces a listing in memory. Callers hold s.mu or own s.
func (s *listingSet) held(l *protocol.Listing) {
	id := l.ID()
	if old, ok := s.byID[id]; ok {
		s.digests.Remove(old.entry())
	}
	h := &heldListing{listing: l, key: protocol.HashKey(id)}
	s.byID[id] = h
	s.digests.Add(h.entry())
	s.index.Put(l)
}

// put stores a listing if its seq beats the one held.
func (s *listingSet) put(st *store.Store, l *protocol.Listing, envelope []byte) error {
	id := l.ID()
	s.mu.Lock()
	defer s.mu.Unlock()
	if old, ok := s.byID[id]; ok && old.listing.Seq >= l.Seq {
		return fmt.Errorf("%w: %s seq %d, holding %d", protocol.ErrStale, id, l.Seq, old.listing.Seq)
	}
	if err := st.PutListing(id, l.Seq, envelope); err != nil {
		return err
	}
	s.held(l)
	return nil
}

// remove deletes the listings matching drop from memory and the store.
func (s *listingSet) remove(st *store.Store, drop func(*protocol.Listing) bool) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var ids []string
	for id, h := range s.byID {
		if drop(h.listing) {
			ids = append(ids, id)
		}
	}
	if err := st.DeleteListings(ids); err != nil {
		return 0, err
	}
	for _, id := range ids {
		s.digests.Remove(s.byID[id].entry())
		delete(s.byID, id)
		s.index.Delete(id)
	}
	return len(ids), nil
}

func (s *listingSet) get(id string) (*protocol.Listing, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	h, ok := s.byID[id]
	if !ok {
		return nil, false
	}
	return h.listing, true
}

// all returns the listings matching keep, sorted by ID.
func (s *listingSet) all(keep func(*protocol.Listing) bool) []*protocol.Listing {
	s.mu.RLock()
	var out []*protocol.Listing
	for _, h := range s.byID {
		if keep(h.listing) {
			out = append(out, h.listing)
		}
	}
	s.mu.RUnlock()
	sort.Slice(out, func(i, j int) bool { return out[i].ID() < out[j].ID() })
	return out
}

// summary is a copy of the sync digests.
func (s *listingSet) summary() protocol.Digests {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.digests
}

// entriesIn lists what the hub holds in the given buckets, for sync.
func (s *listingSet) entriesIn(buckets []int) (entries []protocol.Entry, ids []string) {
	var want [protocol.NumBuckets]bool
	for _, b := range buckets {
		want[b] = true
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	for id, h := range s.byID {
		if want[h.key.Bucket()] {
			entries = append(entries, h.entry())
			ids = append(ids, id)
		}
	}
	return entries, ids
}

// stats counts what arrived, by outcome, for `hearth status`.
type stats struct {
	accepted  atomic.Uint64
	syncBytes atomic.Uint64 // sent and received by this hub's sync client
	mu        sync.Mutex
	rejected  map[string]uint64 // by protocol.Reason
}

func (s *stats) count(err error) {
	if err == nil {
		s.accepted.Add(1)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.rejected == nil {
		s.rejected = make(map[string]uint64)
	}
	s.rejected[protocol.Reason(err)]++
}

// rejections has a count for every reason, zero or not, so scripts can rely
// on the keys.
func (s *stats) rejections() map[string]uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]uint64, len(protocol.Reasons))
	for _, r := range protocol.Reasons {
		out[r] = s.rejected[r]
	}
	return out
}
