package protocol

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"reflect"
	"testing"
)

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// syncMessages is one of every sync message, written to a buffer.
func syncMessages(t testing.TB) []byte {
	var buf bytes.Buffer
	w := NewSyncWriter(&buf)
	var sum SetSum
	sum.Add(SyncItem{Key: 7, Seq: 3})
	steps := []error{
		w.WriteHello(Hello{Mode: FilterExcept, Hubs: []uint64{1, 1 << 63}, Sum: sum}),
		w.WriteEmpty(MsgInSync),
		w.WriteBusy(42),
		w.WriteSummary(Summary{Count: 1_000_000, Salt: 0xfeedface, Symbols: 32}),
		w.WriteSymbols(300, []CodedSymbol{{Key: 1, Seq: 2, Check: 3, Count: 255}, {Key: 4}}),
		w.WriteGetSymbols(64),
		w.WriteEmpty(MsgGetOffer),
		w.WriteOffer([]SyncItem{{Key: 9, Seq: 300}, {Key: 1 << 60, Seq: MaxSeq}}),
		w.WriteEmpty(MsgGetAll),
		w.WriteWant([]uint64{5, 6, 7}),
		w.WriteEmpty(MsgDone),
		w.WriteListing([]byte("envelope")),
		w.WriteEmpty(MsgEnd),
		w.Flush(),
	}
	for _, err := range steps {
		if err != nil {
			t.Fatal(err)
		}
	}
	return buf.Bytes()
}

func TestSyncMessagesRoundTrip(t *testing.T) {
	t.Parallel()
	r := NewSyncReader(bytes.NewReader(syncMessages(t)))
	next := func(want byte) []byte {
		t.Helper()
		_, body, err := r.Expect(want)
		must(t, err)
		return bytes.Clone(body)
	}
	h, err := DecodeHello(next(MsgHello))
	must(t, err)
	if h.Mode != FilterExcept || !reflect.DeepEqual(h.Hubs, []uint64{1, 1 << 63}) || h.Sum.Count != 1 {
		t.Fatalf("hello: %+v", h)
	}
	if !h.Wants(2) || h.Wants(1) {
		t.Fatal("an except filter takes the hubs it does not list")
	}
	next(MsgInSync)
	if v, err := DecodeUvarintBody(next(MsgBusy)); err != nil || v != 42 {
		t.Fatalf("busy: %d %v", v, err)
	}
	if s, err := DecodeSummary(next(MsgSummary)); err != nil || s != (Summary{Count: 1_000_000, Salt: 0xfeedface, Symbols: 32}) {
		t.Fatalf("summary: %+v %v", s, err)
	}
	first, syms, err := DecodeSymbols(next(MsgSymbols))
	if err != nil || first != 300 || len(syms) != 2 || syms[0] != (CodedSymbol{Key: 1, Seq: 2, Check: 3, Count: 255}) {
		t.Fatalf("symbols: %d %+v %v", first, syms, err)
	}
	if v, err := DecodeUvarintBody(next(MsgGetSymbols)); err != nil || v != 64 {
		t.Fatalf("get symbols: %d %v", v, err)
	}
	next(MsgGetOffer)
	if items, err := DecodeOffer(next(MsgOffer)); err != nil || len(items) != 2 || items[1] != (SyncItem{Key: 1 << 60, Seq: MaxSeq}) {
		t.Fatalf("offer: %+v %v", items, err)
	}
	next(MsgGetAll)
	if keys, err := DecodeWant(next(MsgWant)); err != nil || !reflect.DeepEqual(keys, []uint64{5, 6, 7}) {
		t.Fatalf("want: %v %v", keys, err)
	}
	next(MsgDone)
	if body := next(MsgListing); string(body) != "envelope" {
		t.Fatalf("listing: %q", body)
	}
	if _, _, err := r.Expect(MsgInSync); !errors.Is(err, ErrSyncMessage) {
		t.Fatalf("End where InSync was expected: %v", err)
	}
	if _, _, err := r.Next(); err != io.EOF {
		t.Fatalf("after the last frame: %v", err)
	}
}

// TestSyncWriterSplitsFrames: many symbols, items or keys go out in several
// frames, each under the cap, and read back whole.
func TestSyncWriterSplitsFrames(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	w := NewSyncWriter(&buf)
	syms := make([]CodedSymbol, 3*MaxSymbolsPerFrame+1)
	for i := range syms {
		syms[i].Key = uint64(i)
	}
	must(t, w.WriteSymbols(0, syms))
	keys := make([]uint64, 2*MaxKeysPerFrame+5)
	must(t, w.WriteWant(keys))
	must(t, w.Flush())
	r := NewSyncReader(&buf)
	var got []CodedSymbol
	for len(got) < len(syms) {
		_, body, err := r.Expect(MsgSymbols)
		must(t, err)
		first, s, err := DecodeSymbols(body)
		must(t, err)
		if first != uint64(len(got)) {
			t.Fatalf("frame starts at %d, want %d", first, len(got))
		}
		got = append(got, s...)
	}
	if !reflect.DeepEqual(got, syms) {
		t.Fatal("symbols changed on the way")
	}
	var n int
	for n < len(keys) {
		_, body, err := r.Expect(MsgWant)
		must(t, err)
		k, err := DecodeWant(body)
		must(t, err)
		n += len(k)
	}
}

func TestSyncReaderRefuses(t *testing.T) {
	t.Parallel()
	for name, data := range map[string][]byte{
		"a frame over the cap":     {0x81, 0x80, 0x01}, // 16,385 bytes
		"a length in long form":    {0x82, 0x00, MsgEnd},
		"a frame of zero bytes":    {0x00},
		"a frame cut short":        {0x05, MsgListing, 'a'},
		"a length of eleven bytes": bytes.Repeat([]byte{0xff}, 11),
	} {
		if _, _, err := NewSyncReader(bytes.NewReader(data)).Next(); !errors.Is(err, ErrSyncMessage) {
			t.Errorf("%s: want ErrSyncMessage, got %v", name, err)
		}
	}
}

// TestSyncReaderAllocatesAsBytesArrive: a peer that announces a long frame
// and sends four bytes pins a chunk, not the length it announced.
func TestSyncReaderAllocatesAsBytesArrive(t *testing.T) {
	t.Parallel()
	data := []byte{0xff, 0x7f, MsgListing, 1, 2, 3} // announces 16,383 bytes
	r := NewSyncReader(bytes.NewReader(data))
	if _, _, err := r.Next(); !errors.Is(err, ErrSyncMessage) {
		t.Fatal(err)
	}
	if cap(r.buf) > readChunk {
		t.Fatalf("buffer of %d bytes for a frame of 4", cap(r.buf))
	}
}

func TestSyncDecodersRefuse(t *testing.T) {
	t.Parallel()
	cases := map[string]error{}
	_, err := DecodeHello([]byte{FilterOnly, 2, 0, 0, 0, 0, 0, 0, 0, 9, 0, 0, 0, 0, 0, 0, 0, 3})
	cases["hello with hubs out of order"] = err
	_, err = DecodeHello([]byte{7})
	cases["hello with an unknown filter mode"] = err
	_, err = DecodeHello(append([]byte{FilterOnly, 0x80, 0x00}, make([]byte, 17)...))
	cases["hello with a hub count in long form"] = err
	_, _, err = DecodeSymbols([]byte{0, 1, 2, 3})
	cases["symbols of a partial size"] = err
	_, err = DecodeOffer(make([]byte, 17))
	cases["offer of a partial item"] = err
	_, err = DecodeWant(nil)
	cases["empty want"] = err
	_, err = DecodeSummary(append([]byte{1}, make([]byte, 8)...))
	cases["summary without a symbol count"] = err
	_, err = DecodeSummary(binary.AppendUvarint(append([]byte{1}, make([]byte, 8)...), MaxSymbols+1))
	cases["summary with more symbols than a round allows"] = err
	_, err = DecodeUvarintBody([]byte{1, 2})
	cases["trailing bytes after a uvarint"] = err
	for name, err := range cases {
		if !errors.Is(err, ErrSyncMessage) {
			t.Errorf("%s: want ErrSyncMessage, got %v", name, err)
		}
	}
}

// FuzzSyncDecode reads arbitrary bytes as sync frames: no decoder panics,
// and what decodes re-encodes to the very bytes received (every message
// has one encoding).
func FuzzSyncDecode(f *testing.F) {
	f.Add(syncMessages(f))
	f.Add([]byte{0x05, MsgWant, 0, 0, 0, 1})
	f.Add([]byte{0x82, 0x00, MsgEnd})
	f.Fuzz(func(t *testing.T, data []byte) {
		r := NewSyncReader(bytes.NewReader(data))
		for range 32 {
			typ, body, err := r.Next()
			if err != nil {
				return
			}
			var out bytes.Buffer
			w := NewSyncWriter(&out)
			switch typ {
			case MsgHello:
				h, err := DecodeHello(body)
				if err != nil {
					continue
				}
				must(t, w.WriteHello(h))
			case MsgSummary:
				s, err := DecodeSummary(body)
				if err != nil {
					continue
				}
				must(t, w.WriteSummary(s))
			case MsgBusy, MsgGetSymbols:
				v, err := DecodeUvarintBody(body)
				if err != nil {
					continue
				}
				if typ == MsgBusy {
					must(t, w.WriteBusy(v))
				} else {
					must(t, w.WriteGetSymbols(v))
				}
			case MsgSymbols:
				first, syms, err := DecodeSymbols(body)
				if err != nil || len(syms) > MaxSymbolsPerFrame {
					continue
				}
				must(t, w.WriteSymbols(first, syms))
			case MsgOffer:
				items, err := DecodeOffer(body)
				if err != nil {
					continue
				}
				must(t, w.WriteOffer(items))
			case MsgWant:
				keys, err := DecodeWant(body)
				if err != nil {
					continue
				}
				must(t, w.WriteWant(keys))
			default:
				continue
			}
			must(t, w.Flush())
			_, again, err := NewSyncReader(&out).Next()
			if err != nil || !bytes.Equal(again, body) {
				t.Fatalf("message type %d does not re-encode to its bytes:\n%x\n%x", typ, body, again)
			}
		}
	})
}
