package protocol

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"slices"
)

// Catch-up sync (SyncProtocol) lets a hub fetch every listing it lacks from
// a peer: one round, on a libp2p stream the client opens.
//
//	client -> Hello{filter, count, sum}         what the client holds of the hubs it asks about
//	server -> InSync                            the same: done, one round trip (about 25 bytes)
//	       or Busy{retry after}                 a full round for this peer less than a minute ago
//	       or Summary{count, salt, n}, Symbols  the server's count and its first n coded symbols
//	client -> GetSymbols{to}                    more symbols, until the difference decodes
//	       or GetOffer                          the server's items instead (when they cost less)
//	       or GetAll                            every listing (a client holding none)
//	server -> Symbols... | Offer... | Listing... End
//	client -> Want{keys}... Done                the listings the client lacks or holds older
//	server -> Listing ... Listing, End
//
// Every message is a frame: a uvarint length, then a type byte and the body;
// the length counts the type byte and is at most MaxSyncFrame. PROTOCOL.md
// gives every body byte by byte.

// Sync message types. ONLY APPEND: these numbers are on the wire.
//
//	2026-12-01: types 1-13, sync v1.
const (
	MsgHello      byte = 1
	MsgInSync     byte = 2
	MsgBusy       byte = 3
	MsgSummary    byte = 4
	MsgSymbols    byte = 5
	MsgGetSymbols byte = 6
	MsgGetOffer   byte = 7
	MsgOffer      byte = 8
	MsgGetAll     byte = 9
	MsgWant       byte = 10
	MsgDone       byte = 11
	MsgListing    byte = 12
	MsgEnd        byte = 13
)

// Filter modes of a Hello.
const (
	// FilterExcept asks about every hub but the ones listed (those the
	// client blocks).
	FilterExcept byte = 0
	// FilterOnly asks about the listed hubs only (a client that takes
	// listings from trusted hubs only).
	FilterOnly byte = 1
)

// ErrSyncMessage wraps every sync decoding failure.
var ErrSyncMessage = errors.New("bad sync message")

func syncErrorf(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrSyncMessage, fmt.Sprintf(format, args...))
}

// Hello opens a round: which hubs' listings the client asks about, and the
// count and sum of those it holds.
type Hello struct {
	Mode byte     // FilterExcept or FilterOnly
	Hubs []uint64 // HubHash of each hub, strictly ascending
	Sum  SetSum
}

// Wants reports whether the filter takes listings of the hub with this hash.
func (h *Hello) Wants(hub uint64) bool {
	_, listed := slices.BinarySearch(h.Hubs, hub)
	return listed == (h.Mode == FilterOnly)
}

// Summary answers a Hello whose sum differs: the server's count of the items
// the filter takes, the salt of this round's sketch, and how many coded
// symbols follow at once.
type Summary struct {
	Count   uint64
	Salt    uint64
	Symbols uint64
}

// SyncWriter writes sync frames.
type SyncWriter struct {
	w    *bufio.Writer
	body []byte
}

// NewSyncWriter returns a SyncWriter on w. Call Flush after each message
// group the peer waits for.
func NewSyncWriter(w io.Writer) *SyncWriter { return &SyncWriter{w: bufio.NewWriter(w)} }

// Flush sends what is buffered.
func (w *SyncWriter) Flush() error { return w.w.Flush() }

func (w *SyncWriter) frame(typ byte, body []byte) error {
	if 1+len(body) > MaxSyncFrame {
		return syncErrorf("frame of %d bytes over the cap of %d", 1+len(body), MaxSyncFrame)
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
	if len(h.Hubs) > MaxFilterHubs {
		return syncErrorf("hello names %d hubs, at most %d", len(h.Hubs), MaxFilterHubs)
	}
	b := append(w.body[:0], h.Mode)
	b = binary.AppendUvarint(b, uint64(len(h.Hubs)))
	for _, hub := range h.Hubs {
		b = binary.BigEndian.AppendUint64(b, hub)
	}
	b = binary.AppendUvarint(b, h.Sum.Count)
	b = binary.BigEndian.AppendUint64(b, h.Sum.Hi)
	b = binary.BigEndian.AppendUint64(b, h.Sum.Lo)
	w.body = b
	return w.frame(MsgHello, b)
}

// WriteSummary writes a Summary.
func (w *SyncWriter) WriteSummary(s Summary) error {
	b := binary.AppendUvarint(w.body[:0], s.Count)
	b = binary.BigEndian.AppendUint64(b, s.Salt)
	b = binary.AppendUvarint(b, s.Symbols)
	w.body = b
	return w.frame(MsgSummary, b)
}

// WriteBusy writes Busy: the client may try a full round again after
// retryAfter seconds.
func (w *SyncWriter) WriteBusy(retryAfter uint64) error {
	return w.frame(MsgBusy, binary.AppendUvarint(w.body[:0], retryAfter))
}

// WriteSymbols writes coded symbols first, first+1, ... in as many frames as
// they need.
func (w *SyncWriter) WriteSymbols(first uint64, syms []CodedSymbol) error {
	for len(syms) > 0 {
		n := min(len(syms), MaxSymbolsPerFrame)
		b := binary.AppendUvarint(w.body[:0], first)
		for _, c := range syms[:n] {
			b = binary.BigEndian.AppendUint64(b, c.Key)
			b = binary.BigEndian.AppendUint64(b, c.Seq)
			b = binary.BigEndian.AppendUint32(b, c.Check)
			b = append(b, c.Count)
		}
		w.body = b
		if err := w.frame(MsgSymbols, b); err != nil {
			return err
		}
		first += uint64(n)
		syms = syms[n:]
	}
	return nil
}

// WriteGetSymbols asks for the coded symbols up to index to (exclusive).
func (w *SyncWriter) WriteGetSymbols(to uint64) error {
	return w.frame(MsgGetSymbols, binary.AppendUvarint(w.body[:0], to))
}

// WriteOffer writes items in as many Offer frames as they need.
func (w *SyncWriter) WriteOffer(items []SyncItem) error {
	for len(items) > 0 {
		n := min(len(items), MaxItemsPerFrame)
		b := w.body[:0]
		for _, it := range items[:n] {
			b = binary.BigEndian.AppendUint64(b, it.Key)
			b = binary.BigEndian.AppendUint64(b, it.Seq)
		}
		w.body = b
		if err := w.frame(MsgOffer, b); err != nil {
			return err
		}
		items = items[n:]
	}
	return nil
}

// WriteWant writes keys in as many Want frames as they need.
func (w *SyncWriter) WriteWant(keys []uint64) error {
	for len(keys) > 0 {
		n := min(len(keys), MaxKeysPerFrame)
		b := w.body[:0]
		for _, k := range keys[:n] {
			b = binary.BigEndian.AppendUint64(b, k)
		}
		w.body = b
		if err := w.frame(MsgWant, b); err != nil {
			return err
		}
		keys = keys[n:]
	}
	return nil
}

// WriteListing writes one sealed listing.
func (w *SyncWriter) WriteListing(envelope []byte) error { return w.frame(MsgListing, envelope) }

// WriteEmpty writes a message with no body: InSync, GetOffer, GetAll, Done, End.
func (w *SyncWriter) WriteEmpty(typ byte) error { return w.frame(typ, nil) }

// SyncReader reads sync frames.
type SyncReader struct {
	r   *bufio.Reader
	buf []byte
}

// NewSyncReader returns a SyncReader on r.
func NewSyncReader(r io.Reader) *SyncReader { return &SyncReader{r: bufio.NewReader(r)} }

// readChunk is how much of a frame is read, and allocated, at a time: a
// peer that announces a long frame and sends nothing costs this, not the
// length it announced.
const readChunk = 4 << 10

// Next reads the next frame and returns its type and body. The body is only
// valid until the next call.
func (r *SyncReader) Next() (typ byte, body []byte, err error) {
	n, err := readUvarint(r.r)
	if err != nil {
		if errors.Is(err, io.EOF) {
			return 0, nil, io.EOF
		}
		return 0, nil, fmt.Errorf("%w: length: %w", ErrSyncMessage, err)
	}
	if n == 0 || n > MaxSyncFrame {
		return 0, nil, syncErrorf("frame of %d bytes (at most %d)", n, MaxSyncFrame)
	}
	r.buf = r.buf[:0]
	for uint64(len(r.buf)) < n {
		chunk := min(int(n)-len(r.buf), readChunk)
		r.buf = slices.Grow(r.buf, chunk)
		got, err := io.ReadFull(r.r, r.buf[len(r.buf):len(r.buf)+chunk])
		r.buf = r.buf[:len(r.buf)+got]
		if err != nil {
			return 0, nil, fmt.Errorf("%w: frame cut short: %w", ErrSyncMessage, err)
		}
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
		return 0, nil, syncErrorf("message type %d, expected one of %v", typ, want)
	}
	return typ, body, nil
}

// DecodeHello decodes a Hello body.
func DecodeHello(body []byte) (Hello, error) {
	var h Hello
	if len(body) < 1 || body[0] > FilterOnly {
		return h, syncErrorf("hello: filter mode")
	}
	h.Mode = body[0]
	nh, n := uvarint(body[1:])
	if n <= 0 || nh > MaxFilterHubs || uint64(len(body)-1-n) < 8*nh {
		return h, syncErrorf("hello: hub count")
	}
	body = body[1+n:]
	h.Hubs = make([]uint64, nh)
	for i := range h.Hubs {
		h.Hubs[i] = binary.BigEndian.Uint64(body[8*i:])
		if i > 0 && h.Hubs[i] <= h.Hubs[i-1] {
			return h, syncErrorf("hello: hubs not in ascending order")
		}
	}
	body = body[8*nh:]
	count, n := uvarint(body)
	if n <= 0 || len(body)-n != 16 {
		return h, syncErrorf("hello: count and sum")
	}
	h.Sum = SetSum{Count: count, Hi: binary.BigEndian.Uint64(body[n:]), Lo: binary.BigEndian.Uint64(body[n+8:])}
	return h, nil
}

// DecodeSummary decodes a Summary body.
func DecodeSummary(body []byte) (Summary, error) {
	var s Summary
	count, n := uvarint(body)
	if n <= 0 || len(body)-n < 9 {
		return s, syncErrorf("summary")
	}
	s.Count = count
	s.Salt = binary.BigEndian.Uint64(body[n:])
	body = body[n+8:]
	syms, n := uvarint(body)
	if n <= 0 || n != len(body) || syms > MaxSymbols {
		return s, syncErrorf("summary: symbol count")
	}
	s.Symbols = syms
	return s, nil
}

// DecodeUvarintBody decodes a body that is one uvarint: Busy, GetSymbols.
func DecodeUvarintBody(body []byte) (uint64, error) {
	v, n := uvarint(body)
	if n <= 0 || n != len(body) {
		return 0, syncErrorf("a uvarint body of %d bytes", len(body))
	}
	return v, nil
}

// DecodeSymbols decodes a Symbols body: the index of its first symbol, and
// the symbols.
func DecodeSymbols(body []byte) (first uint64, syms []CodedSymbol, err error) {
	first, n := uvarint(body)
	body = body[max(n, 0):]
	if n <= 0 || len(body) == 0 || len(body)%CodedSymbolSize != 0 {
		return 0, nil, syncErrorf("symbols: %d bytes", len(body))
	}
	syms = make([]CodedSymbol, len(body)/CodedSymbolSize)
	for i := range syms {
		b := body[CodedSymbolSize*i:]
		syms[i] = CodedSymbol{
			Key: binary.BigEndian.Uint64(b), Seq: binary.BigEndian.Uint64(b[8:]),
			Check: binary.BigEndian.Uint32(b[16:]), Count: b[20],
		}
	}
	return first, syms, nil
}

// DecodeOffer decodes an Offer body.
func DecodeOffer(body []byte) ([]SyncItem, error) {
	if len(body) == 0 || len(body)%16 != 0 {
		return nil, syncErrorf("offer: %d bytes", len(body))
	}
	items := make([]SyncItem, len(body)/16)
	for i := range items {
		items[i] = SyncItem{Key: binary.BigEndian.Uint64(body[16*i:]), Seq: binary.BigEndian.Uint64(body[16*i+8:])}
	}
	return items, nil
}

// DecodeWant decodes a Want body.
func DecodeWant(body []byte) ([]uint64, error) {
	if len(body) == 0 || len(body)%8 != 0 {
		return nil, syncErrorf("want: %d bytes", len(body))
	}
	keys := make([]uint64, len(body)/8)
	for i := range keys {
		keys[i] = binary.BigEndian.Uint64(body[8*i:])
	}
	return keys, nil
}

// uvarint is binary.Uvarint that also refuses a long form (such as 0x80 0x00
// for 0): every number has one encoding on the wire.
func uvarint(b []byte) (uint64, int) {
	v, n := binary.Uvarint(b)
	if n > 0 && n != uvarintLen(v) {
		return 0, -n
	}
	return v, n
}

func uvarintLen(v uint64) int {
	var b [binary.MaxVarintLen64]byte
	return binary.PutUvarint(b[:], v)
}

var errLongUvarint = errors.New("a number in long form")

// readUvarint reads a uvarint from r, refusing a long form.
func readUvarint(r io.ByteReader) (uint64, error) {
	var b [binary.MaxVarintLen64]byte
	for i := range b {
		c, err := r.ReadByte()
		if err != nil {
			if i > 0 && errors.Is(err, io.EOF) {
				err = io.ErrUnexpectedEOF
			}
			return 0, err
		}
		b[i] = c
		if c < 0x80 {
			v, n := uvarint(b[:i+1])
			if n <= 0 {
				return 0, errLongUvarint
			}
			return v, nil
		}
	}
	return 0, errLongUvarint
}
