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
// arrives (gossip, sync, this hub's own meetings, imports): size, envelope,
// signature, payload, field rules and signer (protocol.Open), then admit.
// The envelope is kept verbatim.
func (n *Node) Ingest(envelope []byte) (*protocol.Listing, error) {
	l, err := protocol.Open(envelope)
	return n.admit(l, envelope, err)
}

// admit is Ingest after protocol.Open, which sync runs on all cores for a
// batch of listings before admitting them in order: policy (blocked or
// untrusted author), freshness (not expired, not from the future), then the
// store if the seq is newer than the one held. openErr is Open's verdict;
// every outcome is counted.
func (n *Node) admit(l *protocol.Listing, envelope []byte, openErr error) (*protocol.Listing, error) {
	err := openErr
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
// queries, and for catch-up sync each listing's SyncItem by key and the
// SetSum of each hub's listings. The store is the truth; the set is rebuilt
// from it at start.
type listingSet struct {
	mu    sync.RWMutex
	byID  map[string]*heldListing
	byKey map[uint64]*heldListing     // by protocol.SyncKey
	hubs  map[uint64]*protocol.SetSum // by protocol.HubHash: the sum of each hub's listings
	total protocol.SetSum             // of every listing held
	index *finder.Index
}

type heldListing struct {
	listing *protocol.Listing
	key     uint64 // protocol.SyncKey of its ID
	hub     uint64 // protocol.HubHash of its hub
}

func (h *heldListing) item() protocol.SyncItem {
	return protocol.SyncItem{Key: h.key, Seq: h.listing.Seq}
}

func newListingSet(defaultZone *time.Location) *listingSet {
	return &listingSet{
		byID: make(map[string]*heldListing), byKey: make(map[uint64]*heldListing),
		hubs: make(map[uint64]*protocol.SetSum), index: finder.NewWithDefault(defaultZone),
	}
}

// load reads every stored listing. It drops those that expired while the
// node was off, and those that break a rule the listing was stored under an
// older, laxer version of (counted by reason in dropped).
func (s *listingSet) load(st *store.Store, now time.Time) (dropped map[string]uint64, err error) {
	dropped = make(map[string]uint64)
	var drop []string
	err = st.ForEachListing(func(id string, seq uint64, envelope []byte) error {
		l, err := protocol.OpenStored(envelope)
		if err == nil && l.ID() != id {
			err = fmt.Errorf("%w: stored as %s", protocol.ErrMalformed, id)
		}
		if err == nil && s.byKey[protocol.SyncKey(id)] != nil {
			err = protocol.ErrKeyCollision
		}
		switch {
		case err != nil:
			dropped[protocol.Reason(err)]++
			drop = append(drop, id)
		case !l.ExpiresAt.After(now):
			drop = append(drop, id)
		default:
			s.held(l)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("load listings: %w", err)
	}
	return dropped, st.DeleteListings(drop)
}

// held adds or replaces a listing in memory. Callers hold s.mu or own s.
func (s *listingSet) held(l *protocol.Listing) {
	id := l.ID()
	if old, ok := s.byID[id]; ok {
		s.forget(old)
	}
	h := &heldListing{listing: l, key: protocol.SyncKey(id), hub: protocol.HubHash(l.Hub)}
	s.byID[id] = h
	s.byKey[h.key] = h
	sum := s.hubs[h.hub]
	if sum == nil {
		sum = new(protocol.SetSum)
		s.hubs[h.hub] = sum
	}
	sum.Add(h.item())
	s.total.Add(h.item())
	s.index.Put(l)
}

// forget takes a listing out of the sync index. Callers hold s.mu.
func (s *listingSet) forget(h *heldListing) {
	delete(s.byKey, h.key)
	s.total.Remove(h.item())
	if sum := s.hubs[h.hub]; sum != nil {
		if sum.Remove(h.item()); sum.Count == 0 {
			delete(s.hubs, h.hub)
		}
	}
}

// put stores a listing if its seq beats the one held.
func (s *listingSet) put(st *store.Store, l *protocol.Listing, envelope []byte) error {
	id := l.ID()
	s.mu.Lock()
	defer s.mu.Unlock()
	if old, ok := s.byID[id]; ok && old.listing.Seq >= l.Seq {
		return fmt.Errorf("%w: %s seq %d, holding %d", protocol.ErrStale, id, l.Seq, old.listing.Seq)
	}
	if other, ok := s.byKey[protocol.SyncKey(id)]; ok && other.listing.ID() != id {
		return fmt.Errorf("%w: %s and %s", protocol.ErrKeyCollision, id, other.listing.ID())
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
		s.forget(s.byID[id])
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

// count is the number of listings held.
func (s *listingSet) count() int {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return len(s.byID)
}

// syncSum is the SetSum of the listings a sync filter takes: the hubs it
// lists, or every hub but those.
func (s *listingSet) syncSum(f *protocol.Hello) protocol.SetSum {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.syncSumLocked(f)
}

func (s *listingSet) syncSumLocked(f *protocol.Hello) protocol.SetSum {
	var sum protocol.SetSum
	if f.Mode == protocol.FilterExcept {
		sum = s.total
	}
	for _, hub := range f.Hubs {
		if hs := s.hubs[hub]; hs != nil {
			if f.Mode == protocol.FilterExcept {
				sum.Minus(*hs)
			} else {
				sum.Plus(*hs)
			}
		}
	}
	return sum
}

// syncItems is a snapshot of the items of the listings a sync filter
// takes: a round reconciles a set that does not change under it.
func (s *listingSet) syncItems(f *protocol.Hello) []protocol.SyncItem {
	s.mu.RLock()
	defer s.mu.RUnlock()
	items := make([]protocol.SyncItem, 0, s.syncSumLocked(f).Count)
	for _, h := range s.byKey {
		if f.Wants(h.hub) {
			items = append(items, h.item())
		}
	}
	return items
}

// hubCount is the number of listings held of the hub with this hash.
func (s *listingSet) hubCount(hub uint64) uint64 {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if sum := s.hubs[hub]; sum != nil {
		return sum.Count
	}
	return 0
}

// byKeys looks up the listings held under sync keys, in order; nil where none is.
func (s *listingSet) byKeys(keys []uint64) []*protocol.Listing {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]*protocol.Listing, len(keys))
	for i, k := range keys {
		if h := s.byKey[k]; h != nil {
			out[i] = h.listing
		}
	}
	return out
}

// droppedOnLoad is a copy of the counts of stored listings dropped at start.
func (s *stats) droppedOnLoad() map[string]uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]uint64, len(s.dropped))
	for r, c := range s.dropped {
		out[r] = c
	}
	return out
}

// stats counts what arrived, by outcome, for `hearth status`.
type stats struct {
	accepted  atomic.Uint64
	syncBytes atomic.Uint64 // sent and received by this hub's sync client
	mu        sync.Mutex
	rejected  map[string]uint64 // by protocol.Reason
	dropped   map[string]uint64 // stored listings dropped at start, by protocol.Reason
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
