package node

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/libp2p/go-libp2p/core/peer"

	"hearth/protocol"
)

// One round of catch-up sync (protocol/sync.go, PROTOCOL.md), as the client
// and as the server, over any io.ReadWriter: a libp2p stream in a running
// hub, a net.Pipe in tests. Neither side trusts the other's numbers: every
// count, index and listing is checked against what was asked.

// syncReport is what a client round did.
type syncReport struct {
	got          int      // listings taken in
	roundTrips   int      // times the client sent and waited for an answer
	symbols      int      // coded symbols received
	listingBytes uint64   // of the listings received: the rest of a round's bytes reconciled
	lacking      []uint64 // hub hashes of big hubs the server holds none of (see syncSkips)
}

// errSyncBusy: the server served this hub a full round less than
// protocol.SyncFullRoundInterval ago, still serves its last one, or serves
// as many as it may.
type errSyncBusy struct{ retryAfter time.Duration }

func (e errSyncBusy) Error() string {
	return fmt.Sprintf("peer busy: try again in %s", e.retryAfter)
}

// syncVerifyBatch is how many listings a client verifies at once, on all
// cores, before admitting them in order.
const syncVerifyBatch = 256

// syncFilter is the Hello this hub opens a round with, sum left out: the
// hubs whose listings it does not want are never offered to it. Under the
// trusted policy it asks for its own and its trusted hubs' listings only;
// otherwise for every hub but those it blocks. It leaves out the hubs in
// skip too: those the server was lately found to hold none of.
func (n *Node) syncFilter(skip []uint64) protocol.Hello {
	var trusted, blocked []string
	for _, p := range n.peers.all() {
		if p.Blocked {
			blocked = append(blocked, p.ID)
		} else if p.Trusted {
			trusted = append(trusted, p.ID)
		}
	}
	if n.cfg.Network.Policy == PolicyTrusted && len(trusted) < protocol.MaxFilterHubs {
		only := slices.DeleteFunc(hubHashes(append(trusted, n.id.String())), func(h uint64) bool {
			return slices.Contains(skip, h)
		})
		return protocol.Hello{Mode: protocol.FilterOnly, Hubs: only}
	}
	// A trusted hub with more trusted hubs than a filter names asks for all
	// but the blocked, and Ingest refuses the rest.
	except := hubHashes(blocked)
	except = slices.Compact(slices.Sorted(slices.Values(append(except, skip...))))
	return protocol.Hello{Mode: protocol.FilterExcept, Hubs: except[:min(len(except), protocol.MaxFilterHubs)]}
}

func hubHashes(hubs []string) []uint64 {
	out := make([]uint64, 0, len(hubs))
	for _, h := range hubs {
		out = append(out, protocol.HubHash(h))
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// lackingHubs are the hubs, of syncSkipMin listings or more, whose every
// listing this hub holds is in mine: the client-only items of a round.
func (n *Node) lackingHubs(mine []protocol.SyncItem) []uint64 {
	keys := make([]uint64, len(mine))
	for i, it := range mine {
		keys[i] = it.Key
	}
	perHub := make(map[uint64]uint64)
	for _, l := range n.listings.byKeys(keys) {
		if l != nil {
			perHub[protocol.HubHash(l.Hub)]++
		}
	}
	var out []uint64
	for hub, count := range perHub {
		if count >= syncSkipMin && n.listings.hubCount(hub) == count {
			out = append(out, hub)
		}
	}
	slices.Sort(out)
	return out
}

// nextSymbols is how far a client asks for coded symbols, having have of
// them and no decode yet. A rateless sketch decodes d differing items from
// about 1.6d symbols (2d for a few): it asks for twice the difference the
// decoder estimates and half as many again as it has, or where it cannot
// tell yet, four times what it has; and never fewer than twice the
// difference the two counts prove, or 32.
// offer is true where the server's items would cost fewer bytes than the
// next symbols, or the sketch is at its cap: the client asks for those
// instead. The server uses it for its first batch (have 0).
func nextSymbols(have, serverCount, clientCount uint64, estimate int, known bool) (to uint64, offer bool) {
	proven := max(serverCount, clientCount) - min(serverCount, clientCount)
	to = max(4*have, 2*proven, 32)
	if known {
		to = max(have+have/2, 2*uint64(estimate)+8, 2*proven, 32)
	}
	to = min(to, protocol.MaxSymbols)
	if to <= have || protocol.CodedSymbolSize*(to-have) > 16*serverCount {
		return 0, true
	}
	return to, false
}

// syncClient runs one round as the client on rw: it learns what the server
// holds that this hub lacks or holds older, and takes those listings in.
// skip names hubs to leave out, besides those policy does (syncFilter).
func (n *Node) syncClient(ctx context.Context, rw io.ReadWriter, skip []uint64) (rep syncReport, err error) {
	w, r := protocol.NewSyncWriter(rw), protocol.NewSyncReader(rw)
	exchange := func() error {
		rep.roundTrips++
		return w.Flush()
	}
	hello := n.syncFilter(skip)
	hello.Sum = n.listings.syncSum(&hello)
	if err := w.WriteHello(hello); err != nil {
		return rep, err
	}
	if err := exchange(); err != nil {
		return rep, err
	}
	typ, body, err := r.Expect(protocol.MsgInSync, protocol.MsgBusy, protocol.MsgSummary)
	switch {
	case err != nil:
		return rep, err
	case typ == protocol.MsgInSync:
		return rep, nil
	case typ == protocol.MsgBusy:
		secs, err := protocol.DecodeUvarintBody(body)
		if err != nil {
			return rep, err
		}
		return rep, errSyncBusy{time.Duration(min(secs, 3600)) * time.Second}
	}
	summary, err := protocol.DecodeSummary(body)
	if err != nil {
		return rep, err
	}
	// The items to reconcile, from now on: those that arrive during the
	// round are only more of the difference.
	mine := n.listings.syncItems(&hello)
	dec := protocol.NewSketchDecoder(summary.Salt, mine, summary.Count)
	if err := readSymbols(r, dec, summary.Symbols); err != nil {
		return rep, err
	}

	var asked map[uint64]bool // the listings asked for; nil: every one the filter takes
	limit := summary.Count    // most listings the server may send
	switch {
	case summary.Count == 0:
		asked = map[uint64]bool{}
		err = w.WriteEmpty(protocol.MsgDone)
	case len(mine) == 0:
		err = w.WriteEmpty(protocol.MsgGetAll)
	default:
		var theirs, onlyMine []protocol.SyncItem
		if theirs, onlyMine, err = n.reconcile(r, w, dec, mine, summary.Count, exchange); err != nil {
			return rep, err
		}
		rep.lacking = n.lackingHubs(onlyMine)
		wants := n.wanted(theirs)
		asked, limit = make(map[uint64]bool, len(wants)), uint64(len(wants))
		for _, k := range wants {
			asked[k] = true
		}
		if err = w.WriteWant(wants); err == nil {
			err = w.WriteEmpty(protocol.MsgDone)
		}
	}
	if err != nil {
		return rep, err
	}
	if err := exchange(); err != nil {
		return rep, err
	}
	rep.symbols = dec.Len()
	rep.got, rep.listingBytes, err = n.receiveListings(ctx, r, &hello, asked, limit)
	return rep, err
}

// readSymbols reads count coded symbols, in order from the decoder's next
// index, and decodes what it can. The decoder takes them at once: it goes
// over all of this hub's items for each call.
func readSymbols(r *protocol.SyncReader, dec *protocol.SketchDecoder, count uint64) error {
	next := uint64(dec.Len())
	syms := make([]protocol.CodedSymbol, 0, min(count, protocol.MaxSymbolsPerFrame)) // grows as they arrive
	for uint64(len(syms)) < count {
		_, body, err := r.Expect(protocol.MsgSymbols)
		if err != nil {
			return err
		}
		first, got, err := protocol.DecodeSymbols(body)
		if err != nil {
			return err
		}
		if first != next+uint64(len(syms)) || uint64(len(syms)+len(got)) > count {
			return fmt.Errorf("%w: symbols %d to %d, expected %d from %d", protocol.ErrSyncMessage,
				first, first+uint64(len(got)), count, next)
		}
		syms = append(syms, got...)
	}
	return dec.Add(syms)
}

// reconcile asks for coded symbols until the difference decodes, or for the
// server's items where those cost less, and returns the items the server
// holds that this hub may lack, and those of mine the server does not hold.
func (n *Node) reconcile(r *protocol.SyncReader, w *protocol.SyncWriter, dec *protocol.SketchDecoder,
	mine []protocol.SyncItem, serverCount uint64, exchange func() error) (theirs, onlyMine []protocol.SyncItem, err error) {
	for {
		done, err := dec.Done()
		if err != nil {
			return nil, nil, err
		}
		if done {
			return dec.Theirs(), dec.Mine(), nil
		}
		estimate, known := dec.Estimate()
		to, offer := nextSymbols(uint64(dec.Len()), serverCount, uint64(len(mine)), estimate, known)
		if offer {
			if err := w.WriteEmpty(protocol.MsgGetOffer); err != nil {
				return nil, nil, err
			}
			if err := exchange(); err != nil {
				return nil, nil, err
			}
			offered, err := readOffer(r, serverCount)
			if err != nil {
				return nil, nil, err
			}
			held := make(map[protocol.SyncItem]bool, len(offered))
			for _, it := range offered {
				held[it] = true
			}
			for _, it := range mine {
				if !held[it] {
					onlyMine = append(onlyMine, it)
				}
			}
			return offered, onlyMine, nil
		}
		if err := w.WriteGetSymbols(to); err != nil {
			return nil, nil, err
		}
		if err := exchange(); err != nil {
			return nil, nil, err
		}
		if err := readSymbols(r, dec, to-uint64(dec.Len())); err != nil {
			return nil, nil, err
		}
	}
}

// readOffer reads the server's count items.
func readOffer(r *protocol.SyncReader, count uint64) ([]protocol.SyncItem, error) {
	items := make([]protocol.SyncItem, 0, min(count, 1<<16))
	for uint64(len(items)) < count {
		_, body, err := r.Expect(protocol.MsgOffer)
		if err != nil {
			return nil, err
		}
		got, err := protocol.DecodeOffer(body)
		if err != nil {
			return nil, err
		}
		if uint64(len(items)+len(got)) > count {
			return nil, fmt.Errorf("%w: offer of more than the %d items summarised", protocol.ErrSyncMessage, count)
		}
		items = append(items, got...)
	}
	return items, nil
}

// wanted is the keys of the items this hub does not hold at their seq or newer.
func (n *Node) wanted(theirs []protocol.SyncItem) []uint64 {
	keys := make([]uint64, len(theirs))
	for i, it := range theirs {
		keys[i] = it.Key
	}
	held := n.listings.byKeys(keys)
	out := keys[:0]
	for i, it := range theirs {
		if held[i] == nil || held[i].Seq < it.Seq {
			out = append(out, it.Key)
		}
	}
	return out
}

// receiveListings takes in the listings the server sends until End: at most
// limit, each one asked for (or, when asked is nil, of a hub the filter
// takes). They are verified a batch at a time on all cores and admitted in
// order, by a worker, while the next batch arrives. A forged listing ends
// the round.
func (n *Node) receiveListings(ctx context.Context, r *protocol.SyncReader, f *protocol.Hello, asked map[uint64]bool, limit uint64) (got int, size uint64, err error) {
	work := make(chan [][]byte, 1)
	failed := make(chan struct{}) // closed when the worker stops on an error
	done := make(chan error, 1)
	go func() {
		var err error
		for batch := range work {
			if err != nil {
				continue // drain what was sent before the reader saw failed
			}
			if err = n.admitBatch(ctx, batch, f, asked, &got); err != nil {
				close(failed)
			}
		}
		done <- err
	}()
	finish := func(readErr error) (int, uint64, error) {
		close(work)
		if err := <-done; err != nil {
			return got, size, err // what the worker found comes first
		}
		return got, size, readErr
	}
	var batch [][]byte
	var received uint64
	for {
		typ, body, err := r.Expect(protocol.MsgListing, protocol.MsgEnd)
		if err != nil {
			// The listings that did arrive whole are kept: a round cut
			// short by its time limit still moves the catch-up on.
			select {
			case work <- batch:
			case <-failed:
			}
			return finish(err)
		}
		if typ == protocol.MsgEnd {
			if len(batch) > 0 {
				work <- batch
			}
			return finish(nil)
		}
		if received++; received > limit {
			return finish(fmt.Errorf("%w: more than the %d listings asked for", protocol.ErrSyncMessage, limit))
		}
		size += uint64(len(body))
		batch = append(batch, bytes.Clone(body))
		if len(batch) == syncVerifyBatch {
			select {
			case work <- batch:
			case <-failed:
				return finish(nil)
			}
			batch = nil
		}
	}
}

// admitBatch verifies a batch of listings on all cores, then admits them in
// order, counting those taken in.
func (n *Node) admitBatch(ctx context.Context, batch [][]byte, f *protocol.Hello, asked map[uint64]bool, got *int) error {
	ls, errs := openAll(batch)
	for i, env := range batch {
		l, err := ls[i], errs[i]
		if err == nil && !(asked == nil && f.Wants(protocol.HubHash(l.Hub)) || asked[protocol.SyncKey(l.ID())]) {
			return fmt.Errorf("%w: peer sent %s, not asked for", protocol.ErrSyncMessage, l.ID())
		}
		if _, err := n.admit(l, env, err); err == nil {
			*got++
		} else if protocol.Forged(err) {
			return fmt.Errorf("peer sent a bad listing: %w", err)
		}
	}
	return ctx.Err()
}

// openAll runs protocol.Open on every envelope, on all cores.
func openAll(envelopes [][]byte) ([]*protocol.Listing, []error) {
	ls, errs := make([]*protocol.Listing, len(envelopes)), make([]error, len(envelopes))
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(envelopes)) {
		wg.Go(func() {
			for i := int(next.Add(1) - 1); i < len(envelopes); i = int(next.Add(1) - 1) {
				ls[i], errs[i] = protocol.Open(envelopes[i])
			}
		})
	}
	wg.Wait()
	return ls, errs
}

// syncServer serves one round to peer from on rw.
func (n *Node) syncServer(rw io.ReadWriter, from peer.ID) error {
	w, r := protocol.NewSyncWriter(rw), protocol.NewSyncReader(rw)
	_, body, err := r.Expect(protocol.MsgHello)
	if err != nil {
		return err
	}
	hello, err := protocol.DecodeHello(body)
	if err != nil {
		return err
	}
	if n.listings.syncSum(&hello) == hello.Sum {
		if err := w.WriteEmpty(protocol.MsgInSync); err != nil {
			return err
		}
		return w.Flush()
	}
	if wait := n.syncs.fullRound(from); wait > 0 {
		if err := w.WriteBusy(uint64((wait + time.Second - 1) / time.Second)); err != nil {
			return err
		}
		return w.Flush()
	}

	items := n.listings.syncItems(&hello)
	salt, err := randomSalt()
	if err != nil {
		return err
	}
	sent, offer := nextSymbols(0, uint64(len(items)), hello.Sum.Count, 0, false)
	if offer || hello.Sum.Count == 0 {
		sent = 0
	}
	if err := w.WriteSummary(protocol.Summary{Count: uint64(len(items)), Salt: salt, Symbols: sent}); err != nil {
		return err
	}
	if err := w.WriteSymbols(0, protocol.EncodeSymbols(salt, items, 0, int(sent))); err != nil {
		return err
	}
	if err := w.Flush(); err != nil {
		return err
	}

	var wants []uint64
	offered := false
	for {
		typ, body, err := r.Expect(protocol.MsgGetSymbols, protocol.MsgGetOffer, protocol.MsgGetAll, protocol.MsgWant, protocol.MsgDone)
		if err != nil {
			return err
		}
		switch typ {
		case protocol.MsgGetSymbols:
			to, err := protocol.DecodeUvarintBody(body)
			if err != nil {
				return err
			}
			if to <= sent || to > protocol.MaxSymbols {
				return fmt.Errorf("%w: symbols up to %d, having sent %d (at most %d)", protocol.ErrSyncMessage, to, sent, protocol.MaxSymbols)
			}
			if err := w.WriteSymbols(sent, protocol.EncodeSymbols(salt, items, int(sent), int(to))); err != nil {
				return err
			}
			sent = to
		case protocol.MsgGetOffer:
			if offered {
				return fmt.Errorf("%w: a second GetOffer", protocol.ErrSyncMessage)
			}
			offered = true
			if err := w.WriteOffer(items); err != nil {
				return err
			}
		case protocol.MsgWant:
			keys, err := protocol.DecodeWant(body)
			if err != nil {
				return err
			}
			if len(wants)+len(keys) > len(items) {
				return fmt.Errorf("%w: wants more listings than the %d held", protocol.ErrSyncMessage, len(items))
			}
			wants = append(wants, keys...)
			continue // the client sends Done next; nothing to flush
		case protocol.MsgGetAll:
			wants = wants[:0]
			for _, it := range items {
				wants = append(wants, it.Key)
			}
			return n.sendListings(w, &hello, wants)
		case protocol.MsgDone:
			return n.sendListings(w, &hello, wants)
		}
		if err := w.Flush(); err != nil {
			return err
		}
	}
}

// answerBusy reads a client's Hello and answers Busy: come back after retry.
func (n *Node) answerBusy(rw io.ReadWriter, retry time.Duration) error {
	w, r := protocol.NewSyncWriter(rw), protocol.NewSyncReader(rw)
	if _, _, err := r.Expect(protocol.MsgHello); err != nil {
		return err
	}
	if err := w.WriteBusy(uint64((retry + time.Second - 1) / time.Second)); err != nil {
		return err
	}
	return w.Flush()
}

// sendListings sends the listings held under keys, as they are now (a
// newer seq than the round's snapshot is better still), then End.
func (n *Node) sendListings(w *protocol.SyncWriter, f *protocol.Hello, keys []uint64) error {
	now := n.now()
	for len(keys) > 0 {
		chunk := keys[:min(len(keys), syncVerifyBatch)]
		keys = keys[len(chunk):]
		for _, l := range n.listings.byKeys(chunk) {
			if l == nil || !l.ExpiresAt.After(now) || !f.Wants(protocol.HubHash(l.Hub)) {
				continue // gone or expired since the snapshot; never another hub's
			}
			_, envelope, err := n.store.GetListing(l.ID())
			if err != nil {
				continue // removed since byKeys
			}
			if err := w.WriteListing(envelope); err != nil {
				return err
			}
		}
	}
	if err := w.WriteEmpty(protocol.MsgEnd); err != nil {
		return err
	}
	return w.Flush()
}

func randomSalt() (uint64, error) {
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		return 0, fmt.Errorf("sync: salt: %w", err)
	}
	return binary.BigEndian.Uint64(b[:]), nil
}

// isSyncBusy reports whether err is a server's Busy, and how long to wait.
func isSyncBusy(err error) (time.Duration, bool) {
	var busy errSyncBusy
	if errors.As(err, &busy) {
		return busy.retryAfter, true
	}
	return 0, false
}
