package protocol

import (
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"math/bits"
)

// Catch-up sync reconciles two hubs' listing sets by the sets' difference,
// never their size (PROTOCOL.md, "Catch-up sync"). What it reconciles is each
// listing's SyncItem: a 64-bit key of its ID and its seq, so a listing held at
// two seqs is two different items. A SetSum summarises a set in 24 bytes, so
// equal sets agree in one round trip. Where sets differ, the server sends
// coded symbols of a rateless invertible Bloom lookup table (Yang, Gilad and
// Alizadeh, "Practical Rateless Set Reconciliation", SIGCOMM 2024): the
// client subtracts its own items and peels off the difference, asking for
// more symbols until it has all of it. About 1.6 symbols of 21 bytes decode
// each differing item, whatever the number of items the hubs hold.

// SyncItem is one listing as sync sees it.
type SyncItem struct {
	Key uint64 // SyncKey of the listing's ID
	Seq uint64
}

// SyncKey is the sync key of a listing ID ("HUB/slug"): the first 8 bytes of
// its SHA-256, big-endian.
func SyncKey(id string) uint64 {
	sum := sha256.Sum256([]byte(id))
	return binary.BigEndian.Uint64(sum[:8])
}

// HubHash names a hub in a sync filter: the first 8 bytes of the SHA-256 of
// its peer ID's text form, big-endian. Items are ordered by (hub hash, key),
// so a hub's listings form one range a client can leave out of a round.
func HubHash(hub string) uint64 {
	sum := sha256.Sum256([]byte(hub))
	return binary.BigEndian.Uint64(sum[:8])
}

// SetSum summarises a set of items: how many, and the sum modulo 2^128 of
// their item hashes. Sums of disjoint sets add, so a hub keeps one per
// hub and adds those a filter names.
type SetSum struct {
	Count  uint64
	Hi, Lo uint64 // the sum, big-endian halves
}

// itemHash is the first 16 bytes of SHA-256(key || seq), both 8-byte big-endian.
func itemHash(it SyncItem) (hi, lo uint64) {
	var b [16]byte
	binary.BigEndian.PutUint64(b[:8], it.Key)
	binary.BigEndian.PutUint64(b[8:], it.Seq)
	sum := sha256.Sum256(b[:])
	return binary.BigEndian.Uint64(sum[:8]), binary.BigEndian.Uint64(sum[8:16])
}

// Add counts an item in.
func (s *SetSum) Add(it SyncItem) {
	hi, lo := itemHash(it)
	s.Plus(SetSum{Count: 1, Hi: hi, Lo: lo})
}

// Remove counts an item out.
func (s *SetSum) Remove(it SyncItem) {
	hi, lo := itemHash(it)
	s.Minus(SetSum{Count: 1, Hi: hi, Lo: lo})
}

// Plus adds the sum of a disjoint set.
func (s *SetSum) Plus(o SetSum) {
	var carry uint64
	s.Count += o.Count
	s.Lo, carry = bits.Add64(s.Lo, o.Lo, 0)
	s.Hi, _ = bits.Add64(s.Hi, o.Hi, carry)
}

// Minus takes away the sum of a subset.
func (s *SetSum) Minus(o SetSum) {
	var borrow uint64
	s.Count -= o.Count
	s.Lo, borrow = bits.Sub64(s.Lo, o.Lo, 0)
	s.Hi, _ = bits.Sub64(s.Hi, o.Hi, borrow)
}

// CodedSymbol is one cell of the sketch: the XOR of the keys, seqs and
// checksums of the items mapped to it, and their count modulo 256.
type CodedSymbol struct {
	Key, Seq uint64
	Check    uint32
	Count    uint8
}

// CodedSymbolSize is a coded symbol's size on the wire.
const CodedSymbolSize = 21

// toggle adds (sign 1) or removes (sign 255, i.e. -1) an item with checksum check.
func (c *CodedSymbol) toggle(it SyncItem, check uint32, sign uint8) {
	c.Key ^= it.Key
	c.Seq ^= it.Seq
	c.Check ^= check
	c.Count += sign
}

func (c *CodedSymbol) zero() bool { return *c == CodedSymbol{} }

// Mixing: every per-item choice of a round comes from one splitmix64 stream
// seeded by the item and the round's salt, so both hubs make the same
// choices, and no hub can choose items that collide before the salt is
// drawn.
const golden = 0x9e3779b97f4a7c15

func mix64(z uint64) uint64 {
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// itemSeed is mix64(mix64(salt XOR key) XOR seq).
func itemSeed(salt uint64, it SyncItem) uint64 { return mix64(mix64(salt^it.Key) ^ it.Seq) }

// checksum is the high half of the first output of the item's stream,
// mix64(seed + golden): 32 bits, so a symbol of several items passes for a
// single one with odds of 1 in 2^32; a decode that goes wrong so never
// empties symbol 0, and the client asks for the server's items instead.
func checksum(seed uint64) uint32 { return uint32(mix64(seed+golden) >> 32) }

// forEachIndex calls f with every symbol index in [from, to) the item with
// this seed maps to: index 0, index 1, and for each j >= 1 one index in
// [2^j, 2^(j+1)): 2^j + the top j bits of mix64(seed + (j+1)*golden). An item
// is thus in about 2 log2(m) of the first m symbols, each symbol i holding an
// item with probability about 1/i: early symbols hold many, late ones few,
// and peeling proceeds from the late ones.
func forEachIndex(seed uint64, from, to int, f func(int)) {
	if from <= 0 && to > 0 {
		f(0)
	}
	if from <= 1 && to > 1 {
		f(1)
	}
	// From the block that holds from: [2^j, 2^(j+1)) with 2^j <= from.
	for j := max(1, bits.Len(uint(from))-1); 1<<j < to; j++ {
		i := 1<<j + int(mix64(seed+uint64(j+1)*golden)>>(64-j))
		if i >= from && i < to {
			f(i)
		}
	}
}

// EncodeSymbols returns coded symbols [from, to) of items under salt.
func EncodeSymbols(salt uint64, items []SyncItem, from, to int) []CodedSymbol {
	out := make([]CodedSymbol, to-from)
	for _, it := range items {
		seed := itemSeed(salt, it)
		check := checksum(seed)
		forEachIndex(seed, from, to, func(i int) { out[i-from].toggle(it, check, 1) })
	}
	return out
}

// ErrSketch: coded symbols that no pair of sets could produce.
var ErrSketch = errors.New("inconsistent sync sketch")

// SketchDecoder is the client's side of the sketch: it subtracts its own
// items from the server's coded symbols and peels off the difference.
type SketchDecoder struct {
	salt   uint64
	local  []SyncItem
	limits [2]uint64     // most items each side can hold: server, client
	diff   []CodedSymbol // the server's symbols minus the client's, less what is decoded
	theirs []SyncItem    // decoded: held by the server only
	mine   []SyncItem    // decoded: held by the client only
	queue  []int
}

// NewSketchDecoder decodes against the client's items. serverCount is the
// number of items the server says it holds: more decoded than either side
// holds means the symbols are inconsistent.
func NewSketchDecoder(salt uint64, local []SyncItem, serverCount uint64) *SketchDecoder {
	return &SketchDecoder{salt: salt, local: local, limits: [2]uint64{serverCount, uint64(len(local))}}
}

// Len is the number of symbols received so far.
func (d *SketchDecoder) Len() int { return len(d.diff) }

// Add takes the server's next symbols (indices Len() onwards) and peels what
// it can.
func (d *SketchDecoder) Add(syms []CodedSymbol) error {
	from, to := len(d.diff), len(d.diff)+len(syms)
	d.diff = append(d.diff, syms...)
	// Over the new indices, take the client's items out, and what is already
	// decoded: the server's items out, the client's back in.
	for _, it := range d.local {
		d.apply(it, from, to, 255, false)
	}
	for _, it := range d.theirs {
		d.apply(it, from, to, 255, false)
	}
	for _, it := range d.mine {
		d.apply(it, from, to, 1, false)
	}
	for i := from; i < to; i++ {
		d.queue = append(d.queue, i)
	}
	return d.peel()
}

// apply toggles it in the symbols it maps to within [from, to), queueing
// each for a purity check if queue is set.
func (d *SketchDecoder) apply(it SyncItem, from, to int, sign uint8, queue bool) {
	seed := itemSeed(d.salt, it)
	check := checksum(seed)
	forEachIndex(seed, from, to, func(i int) {
		d.diff[i].toggle(it, check, sign)
		if queue {
			d.queue = append(d.queue, i)
		}
	})
}

// peel decodes every symbol that holds exactly one item, which may free others.
func (d *SketchDecoder) peel() error {
	for len(d.queue) > 0 {
		i := d.queue[len(d.queue)-1]
		d.queue = d.queue[:len(d.queue)-1]
		c := d.diff[i]
		if c.Count != 1 && c.Count != 255 {
			continue
		}
		it := SyncItem{Key: c.Key, Seq: c.Seq}
		if checksum(itemSeed(d.salt, it)) != c.Check {
			continue // more than one item, whatever the count says
		}
		if c.Count == 1 {
			d.theirs = append(d.theirs, it)
			d.apply(it, 0, len(d.diff), 255, true)
		} else {
			d.mine = append(d.mine, it)
			d.apply(it, 0, len(d.diff), 1, true)
		}
		if uint64(len(d.theirs)) > d.limits[0] || uint64(len(d.mine)) > d.limits[1] {
			return fmt.Errorf("%w: more items decoded than the sets hold", ErrSketch)
		}
	}
	return nil
}

// Done reports whether the whole difference is decoded. Every item maps to
// symbol 0, so it is done when symbol 0 is empty; then every symbol must be.
func (d *SketchDecoder) Done() (bool, error) {
	if len(d.diff) == 0 || !d.diff[0].zero() {
		return false, nil
	}
	for i := range d.diff {
		if !d.diff[i].zero() {
			return false, fmt.Errorf("%w: symbol %d is not empty when symbol 0 is", ErrSketch, i)
		}
	}
	return true, nil
}

// Estimate guesses the size of the whole difference, decoded or not, from
// the empty symbols among the last complete block [2^j, 2^(j+1)) received:
// each undecoded item is in such a symbol with odds 2^-j, so about
// 2^j * e^(-r/2^j) of them are empty when r items are left. known is false
// where no block of 8 or more has an empty symbol: the difference is then
// larger than the symbols received can tell.
func (d *SketchDecoder) Estimate() (items int, known bool) {
	decoded := len(d.theirs) + len(d.mine)
	j := bits.Len(uint(len(d.diff))) - 2 // the last block [2^j, 2^(j+1)) received in full
	if j < 3 {
		return decoded, false
	}
	size := 1 << j
	empty := 0
	for _, c := range d.diff[size : 2*size] {
		if c.zero() {
			empty++
		}
	}
	if empty == 0 {
		return decoded, false
	}
	return decoded + int(math.Ceil(-float64(size)*math.Log(float64(empty)/float64(size)))), true
}

// Theirs is what the server holds and the client does not: decoded so far.
func (d *SketchDecoder) Theirs() []SyncItem { return d.theirs }

// Mine is what the client holds and the server does not: decoded so far.
func (d *SketchDecoder) Mine() []SyncItem { return d.mine }
