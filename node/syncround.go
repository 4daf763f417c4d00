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
	got          int    // listings taken in
	roundTrips   int    // times the client sent and waited for an answer
	symbols      int    // coded symbols received
	listingBytes uint64 // of the listings received: the rest of a round's bytes reconciled
}

// errSyncBusy: the server served this hub a full round less than
// protocol.SyncFullRoundInterval ago, or serves as many as it can.
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
// otherwise for every hub but those it blocks.
func (n *Node) syncFilter() protocol.Hello {
	var trusted, blocked []string
	for _, p := range n.peers.all() {
		if p.Blocked {
			blocked = append(blocked, p.ID)
		} else if p.Trusted {
			trusted = append(trusted, p.ID)
		}
	}
	if n.cfg.Network.Policy == PolicyTrusted && len(trusted) < protocol.MaxFilterHubs {
		return protocol.Hello{Mode: protocol.FilterOnly, Hubs: hubHashes(append(trusted, n.id.String()))}
	}
	// A trusted hub with more trusted hubs than a filter names asks for all
	// but the blocked, and Ingest refuses the rest.
	if len(blocked) > protocol.MaxFilterHubs {
		blocked = blocked[:protocol.MaxFilterHubs]
	}
	return protocol.Hello{Mode: protocol.FilterExcept, Hubs: hubHashes(blocked)}
}

func hubHashes(hubs []string) []uint64 {
	out := make([]uint64, 0, len(hubs))
	for _, h := range hubs {
		out = append(out, protocol.HubHash(h))
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// nextSymbols is how far a client asks for coded symbols, having have of
// them and no decode yet: twice as many (four times if the last ones
// decoded nothing: the difference is far larger), and at least twice the
// difference the counts prove (a rateless sketch needs about 1.6 symbols a
// difference), so a round takes few round trips. offer is true where the
// server's items would cost fewer bytes than the next symbols, or the
// sketch would grow past its cap: the client asks for those instead. The
// server uses it for its first batch.
func nextSymbols(have, serverCount, clientCount uint64, stalled bool) (to uint64, offer bool) {
	proven := max(serverCount, clientCount) - min(serverCount, clientCount)
	growth := uint64(2)
	if stalled {
		growth = 4
	}
	to = max(growth*have, 2*proven, 32)
	if to > protocol.MaxSymbols || protocol.CodedSymbolSize*(to-have) > 16*serverCount {
		return 0, true
	}
	return to, false
}

// syncClient runs one round as the client on rw: it learns what the server
// holds that this hub lacks or holds older, and takes those listings in.
func (n *Node) syncClient(ctx context.Context, rw io.ReadWriter) (rep syncReport, err error) {
	w, r := protocol.NewSyncWriter(rw), protocol.NewSyncReader(rw)
	exchange := func() error {
		rep.roundTrips++
		return w.Flush()
	}
	hello := n.syncFilter()
	sum, mine := n.listings.syncItems(&hello)
	hello.Sum = sum
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
		var theirs []protocol.SyncItem
		if theirs, err = n.reconcile(r, w, dec, summary.Count, uint64(len(mine)), exchange); err != nil {
			return rep, err
		}
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
// index, and decodes what it can.
func readSymbols(r *protocol.SyncReader, dec *protocol.SketchDecoder, count uint64) error {
	for count > 0 {
		_, body, err := r.Expect(protocol.MsgSymbols)
		if err != nil {
			return err
		}
		first, syms, err := protocol.DecodeSymbols(body)
		if err != nil {
			return err
		}
		if first != uint64(dec.Len()) || uint64(len(syms)) > count {
			return fmt.Errorf("%w: symbols %d to %d, expected %d from %d", protocol.ErrSyncMessage, first, first+uint64(len(syms)), count, dec.Len())
		}
		if err := dec.Add(syms); err != nil {
			return err
		}
		count -= uint64(len(syms))
	}
	return nil
}

// reconcile asks for coded symbols until the difference decodes, or for the
// server's items where those cost less, and returns the items the server
// holds that this hub may lack.
func (n *Node) reconcile(r *protocol.SyncReader, w *protocol.SyncWriter, dec *protocol.SketchDecoder,
	serverCount, clientCount uint64, exchange func() error) ([]protocol.SyncItem, error) {
	decoded := 0
	for {
		done, err := dec.Done()
		if err != nil {
			return nil, err
		}
		if done {
			return dec.Theirs(), nil
		}
		stalled := len(dec.Theirs())+len(dec.Mine()) == decoded
		decoded = len(dec.Theirs()) + len(dec.Mine())
		to, offer := nextSymbols(uint64(dec.Len()), serverCount, clientCount, stalled)
		if offer {
			if err := w.WriteEmpty(protocol.MsgGetOffer); err != nil {
				return nil, err
			}
			if err := exchange(); err != nil {
				return nil, err
			}
			return readOffer(r, serverCount)
		}
		if err := w.WriteGetSymbols(to); err != nil {
			return nil, err
		}
		if err := exchange(); err != nil {
			return nil, err
		}
		if err := readSymbols(r, dec, to-uint64(dec.Len())); err != nil {
			return nil, err
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
// takes). They are verified a batch at a time on all cores, then admitted
// in order. A forged listing ends the round.
func (n *Node) receiveListings(ctx context.Context, r *protocol.SyncReader, f *protocol.Hello, asked map[uint64]bool, limit uint64) (got int, size uint64, err error) {
	var batch [][]byte
	var received uint64
	admitBatch := func() error {
		ls, errs := openAll(batch)
		for i, env := range batch {
			l, err := ls[i], errs[i]
			if err == nil && !(asked == nil && f.Wants(protocol.HubHash(l.Hub)) || asked[protocol.SyncKey(l.ID())]) {
				return fmt.Errorf("%w: peer sent %s, not asked for", protocol.ErrSyncMessage, l.ID())
			}
			if _, err := n.admit(l, env, err); err == nil {
				got++
			} else if protocol.Forged(err) {
				return fmt.Errorf("peer sent a bad listing: %w", err)
			}
		}
		batch = batch[:0]
		return ctx.Err()
	}
	for {
		typ, body, err := r.Expect(protocol.MsgListing, protocol.MsgEnd)
		if err != nil {
			return got, size, err
		}
		if typ == protocol.MsgEnd {
			return got, size, admitBatch()
		}
		if received++; received > limit {
			return got, size, fmt.Errorf("%w: more than the %d listings asked for", protocol.ErrSyncMessage, limit)
		}
		size += uint64(len(body))
		batch = append(batch, bytes.Clone(body))
		if len(batch) == syncVerifyBatch {
			if err := admitBatch(); err != nil {
				return got, size, err
			}
		}
	}
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
	_, items := n.listings.syncItems(&hello)
	salt, err := randomSalt()
	if err != nil {
		return err
	}
	sent, offer := nextSymbols(0, uint64(len(items)), hello.Sum.Count, false)
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
