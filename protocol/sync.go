package protocol

import (
	"bufio"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"slices"
)

// Catch-up sync (SyncProtocol) lets a hub that was offline or partitioned
// fetch every listing it lacks from a peer. The client pulls; a hub that
// meets a peer runs the client against it, and the peer does the same back.
//
//	client -> Hello{Count, Digest}              digest of the client's whole set
//	server -> InSync                            same digest: done (one round trip, ~50 bytes)
//	       or Buckets{256 bucket digests}       else where the sets may differ (2 KiB)
//	client -> Request{Buckets, Have}            differing buckets, and the (key, seq) the client holds in them
//	server -> Listing ... Listing, End          envelopes the client lacks or holds at an older seq
//
// Listings are spread over NumBuckets by the first byte of their key hash.
// A bucket's digest is the XOR of its entries' hashes, so it is the same
// whatever order the entries were added in.
//
// Every message is a frame: a uvarint length, then a type byte and the body.
// No frame may exceed MaxSyncFrame bytes.

// NumBuckets is how many buckets sync splits the listing set into.
const NumBuckets = 256

// Sync message types. ONLY APPEND: these numbers are on the wire.
const (
	MsgHello   byte = 1
	MsgInSync  byte = 2
	MsgBuckets byte = 3
	MsgRequest byte = 4
	MsgListing byte = 5
	MsgEnd     byte = 6
)

// ErrSyncMessage wraps every sync decoding failure.
var ErrSyncMessage = errors.New("bad sync message")

// KeyHash is the short hash of a listing ID that sync exchanges instead of
// the ID itself. 64 bits: a collision between two of a federation's listings
// is vanishingly unlikely, and would only delay one listing until its seq changes.
type KeyHash uint64

// HashKey hashes a listing ID ("HUB/slug").
func HashKey(id string) KeyHash {
	sum := sha256.Sum256([]byte(id))
	return KeyHash(binary.BigEndian.Uint64(sum[:8]))
}

// Bucket is the bucket the listing falls in.
func (k KeyHash) Bucket() int { return int(k >> 56) }

// Entry is one listing as sync sees it.
type Entry struct {
	Key KeyHash
	Seq uint64
}

func (e Entry) hash() uint64 {
	var b [16]byte
	binary.BigEndian.PutUint64(b[:8], uint64(e.Key))
	binary.BigEndian.PutUint64(b[8:], e.Seq)
	sum := sha256.Sum256(b[:])
	return binary.BigEndian.Uint64(sum[:8])
}

// Digests summarises a listing set for sync: a digest per bucket, and one
// for the whole. Add and Remove keep it current as listings change.
type Digests struct {
	Count   int
	Buckets [NumBuckets]uint64
}

// Add counts an entry in.
func (d *Digests) Add(e Entry) {
	d.Count++
	d.Buckets[e.Key.Bucket()] ^= e.hash()
}

// Remove counts an entry out (XOR is its own inverse).
func (d *Digests) Remove(e Entry) {
	d.Count--
	d.Buckets[e.Key.Bucket()] ^= e.hash()
}

// Total is the digest of the whole set.
func (d *Digests) Total() [32]byte {
	var b [8 * NumBuckets]byte
	for i, v := range d.Buckets {
		binary.BigEndian.PutUint64(b[8*i:], v)
	}
	return sha256.Sum256(b[:])
}

// Differing lists the buckets whose digests differ from theirs.
func (d *Digests) Differing(theirs *[NumBuckets]uint64) []int {
	var out []int
	for i := range d.Buckets {
		if d.Buckets[i] != theirs[i] {
			out = append(out, i)
		}
	}
	return out
}

// Hello opens a sync round.
type Hello struct {
	Count  uint64
	Digest [32]byte
}

// Request asks for the listings of some buckets, saying what the client
// already holds there so the server sends only what is new to it.
type Request struct {
	Buckets []int
	Have    []Entry
}

// SyncWriter writes sync frames.
type SyncWriter struct{ w *bufio.Writer }

// NewSyncWriter returns a SyncWriter on w. Call Flush after each message
// group the peer waits for.
func NewSyncWriter(w io.Writer) *SyncWriter { return &SyncWriter{bufio.NewWriter(w)} }

// Flush sends what is buffered.
func (w *SyncWriter) Flush() error { return w.w.Flush() }

func (w *SyncWriter) frame(typ byte, body []byte) error {
	if 1+len(body) > MaxSyncFrame {
		return fmt.Errorf("%w: frame of %d bytes over the cap", ErrSyncMessage, 1+len(body))
	}
	var n [binary.MaxVarintLen64]byte
	if _, err := w.w.Write(n[:binary.PutUvarint(n[:], uint64(1+len(body)))]); err != nil {
		return err
	}
	if err := w.w.WriteByte(typ); err != nil {
		return err
	}
	_, err := w.w.Write(body)
	return err
}

// WriteHello writes a Hello.
func (w *SyncWriter) WriteHello(h Hello) error {
	body := binary.AppendUvarint(nil, h.Count)
	return w.frame(MsgHello, append(body, h.Digest[:]...))
}

// WriteInSync writes InSync.
func (w *SyncWriter) WriteInSync() error { return w.frame(MsgInSync, nil) }

// WriteBuckets writes the bucket digests.
func (w *SyncWriter) WriteBuckets(b *[NumBuckets]uint64) error {
	body := make([]byte, 8*NumBuckets)
	for i, v := range b {
		binary.BigEndian.PutUint64(body[8*i:], v)
	}
	return w.frame(MsgBuckets, body)
}

// WriteRequest writes a Request.
func (w *SyncWriter) WriteRequest(r Request) error {
	body := binary.AppendUvarint(nil, uint64(len(r.Buckets)))
	for _, b := range r.Buckets {
		body = append(body, byte(b))
	}
	body = binary.AppendUvarint(body, uint64(len(r.Have)))
	for _, e := range r.Have {
		body = binary.BigEndian.AppendUint64(body, uint64(e.Key))
		body = binary.AppendUvarint(body, e.Seq)
	}
	return w.frame(MsgRequest, body)
}

// WriteListing writes one sealed listing.
func (w *SyncWriter) WriteListing(envelope []byte) error { return w.frame(MsgListing, envelope) }

// WriteEnd ends the listings of a round.
func (w *SyncWriter) WriteEnd() error { return w.frame(MsgEnd, nil) }

// SyncReader reads sync frames.
type SyncReader struct {
	r   *bufio.Reader
	buf []byte
}

// NewSyncReader returns a SyncReader on r.
func NewSyncReader(r io.Reader) *SyncReader { return &SyncReader{r: bufio.NewReader(r)} }

// Next reads the next frame and returns its type and body. The body is only
// valid until the next call.
func (r *SyncReader) Next() (typ byte, body []byte, err error) {
	n, err := binary.ReadUvarint(r.r)
	if err != nil {
		if errors.Is(err, io.EOF) {
			return 0, nil, io.EOF
		}
		return 0, nil, fmt.Errorf("%w: length: %v", ErrSyncMessage, err)
	}
	if n == 0 || n > MaxSyncFrame {
		return 0, nil, fmt.Errorf("%w: frame of %d bytes (at most %d)", ErrSyncMessage, n, MaxSyncFrame)
	}
	r.buf = slices.Grow(r.buf[:0], int(n))[:n]
	if _, err := io.ReadFull(r.r, r.buf); err != nil {
		return 0, nil, fmt.Errorf("%w: frame: %v", ErrSyncMessage, io.ErrUnexpectedEOF)
	}
	return r.buf[0], r.buf[1:], nil
}

// Expect reads the next frame and fails unless its type is one of want.
func (r *SyncReader) Expect(want ...byte) (typ byte, body []byte, err error) {
	typ, body, err = r.Next()
	if err != nil {
		return 0, nil, err
	}
	if !slices.Contains(want, typ) {
		return 0, nil, fmt.Errorf("%w: message type %d, expected one of %v", ErrSyncMessage, typ, want)
	}
	return typ, body, nil
}

// DecodeHello decodes a Hello body.
func DecodeHello(body []byte) (Hello, error) {
	var h Hello
	count, n := binary.Uvarint(body)
	if n <= 0 || len(body)-n != 32 {
		return h, fmt.Errorf("%w: hello", ErrSyncMessage)
	}
	h.Count = count
	copy(h.Digest[:], body[n:])
	return h, nil
}

// DecodeBuckets decodes a Buckets body.
func DecodeBuckets(body []byte) (*[NumBuckets]uint64, error) {
	if len(body) != 8*NumBuckets {
		return nil, fmt.Errorf("%w: buckets: %d bytes", ErrSyncMessage, len(body))
	}
	var b [NumBuckets]uint64
	for i := range b {
		b[i] = binary.BigEndian.Uint64(body[8*i:])
	}
	return &b, nil
}

// DecodeRequest decodes a Request body.
func DecodeRequest(body []byte) (Request, error) {
	var r Request
	bad := func(what string) (Request, error) {
		return Request{}, fmt.Errorf("%w: request: %s", ErrSyncMessage, what)
	}
	nb, n := binary.Uvarint(body)
	if n <= 0 || nb > NumBuckets || uint64(len(body)-n) < nb {
		return bad("bucket count")
	}
	body = body[n:]
	r.Buckets = make([]int, nb)
	for i := range r.Buckets {
		r.Buckets[i] = int(body[i])
	}
	body = body[nb:]
	nh, n := binary.Uvarint(body)
	// Each entry takes at least 9 bytes: bound the allocation by what arrived.
	if n <= 0 || nh > uint64(len(body)-n)/9 {
		return bad("entry count")
	}
	body = body[n:]
	r.Have = make([]Entry, 0, nh)
	for range nh {
		if len(body) < 9 {
			return bad("entry")
		}
		key := KeyHash(binary.BigEndian.Uint64(body))
		seq, n := binary.Uvarint(body[8:])
		if n <= 0 {
			return bad("entry seq")
		}
		r.Have = append(r.Have, Entry{Key: key, Seq: seq})
		body = body[8+n:]
	}
	if len(body) != 0 {
		return bad("trailing bytes")
	}
	return r, nil
}
