package protocol

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"reflect"
	"testing"
)

func TestSyncMessagesRoundTrip(t *testing.T) {
	var buf bytes.Buffer
	w := NewSyncWriter(&buf)
	var d Digests
	for i := range 1000 {
		d.Add(Entry{Key: HashKey(fmt.Sprintf("hub/%d", i)), Seq: uint64(i)})
	}
	hello := Hello{Count: uint64(d.Count), Digest: d.Total()}
	req := Request{Buckets: []int{0, 7, 255}, Have: []Entry{{Key: 1 << 60, Seq: 1}, {Key: 42, Seq: 1 << 40}}}
	must(t, w.WriteHello(hello))
	must(t, w.WriteBuckets(&d.Buckets))
	must(t, w.WriteRequest(req))
	must(t, w.WriteListing([]byte("envelope")))
	must(t, w.WriteInSync())
	must(t, w.WriteEnd())
	must(t, w.Flush())

	r := NewSyncReader(&buf)
	_, body, err := r.Expect(MsgHello)
	must(t, err)
	if got, err := DecodeHello(body); err != nil || got != hello {
		t.Fatalf("hello: %+v %v", got, err)
	}
	_, body, err = r.Expect(MsgBuckets)
	must(t, err)
	if got, err := DecodeBuckets(body); err != nil || *got != d.Buckets {
		t.Fatalf("buckets: %v", err)
	}
	_, body, err = r.Expect(MsgRequest)
	must(t, err)
	if got, err := DecodeRequest(body); err != nil || !reflect.DeepEqual(got, req) {
		t.Fatalf("request: %+v %v", got, err)
	}
	_, body, err = r.Expect(MsgListing)
	must(t, err)
	if string(body) != "envelope" {
		t.Fatalf("listing: %q", body)
	}
	if _, _, err := r.Expect(MsgEnd); !errors.Is(err, ErrSyncMessage) {
		t.Fatalf("InSync where End was expected: %v", err)
	}
	if _, _, err := r.Expect(MsgEnd); err != nil {
		t.Fatal(err)
	}
	if _, _, err := r.Next(); err != io.EOF {
		t.Fatalf("after the last frame: %v", err)
	}
}

func TestDigestsIndependentOfOrder(t *testing.T) {
	var a, b Digests
	entries := []Entry{{HashKey("x/1"), 1}, {HashKey("x/2"), 5}, {HashKey("y/1"), 2}}
	for _, e := range entries {
		a.Add(e)
	}
	for i := len(entries) - 1; i >= 0; i-- {
		b.Add(entries[i])
	}
	if a.Total() != b.Total() {
		t.Fatal("digest depends on order")
	}
	b.Remove(entries[1])
	b.Add(Entry{entries[1].Key, 6})
	if a.Total() == b.Total() {
		t.Fatal("a newer seq left the digest unchanged")
	}
	if diff := a.Differing(&b.Buckets); len(diff) != 1 || diff[0] != entries[1].Key.Bucket() {
		t.Fatalf("differing buckets %v", diff)
	}
}

func TestSyncReaderRefusesOversizedFrame(t *testing.T) {
	var buf bytes.Buffer
	buf.Write([]byte{0x80, 0x80, 0x80, 0x10}) // uvarint 32 MiB
	if _, _, err := NewSyncReader(&buf).Next(); !errors.Is(err, ErrSyncMessage) {
		t.Fatalf("want ErrSyncMessage, got %v", err)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func FuzzSyncDecode(f *testing.F) {
	var buf bytes.Buffer
	w := NewSyncWriter(&buf)
	var d Digests
	d.Add(Entry{Key: 7, Seq: 3})
	_ = w.WriteHello(Hello{Count: 1, Digest: d.Total()})
	_ = w.WriteRequest(Request{Buckets: []int{1, 2}, Have: []Entry{{Key: 9, Seq: 300}}})
	_ = w.WriteBuckets(&d.Buckets)
	_ = w.Flush()
	f.Add(buf.Bytes())
	f.Add([]byte{0x05, MsgRequest, 0x01, 0x00, 0x01})
	f.Fuzz(func(t *testing.T, data []byte) {
		r := NewSyncReader(bytes.NewReader(data))
		for range 16 {
			typ, body, err := r.Next()
			if err != nil {
				return
			}
			switch typ {
			case MsgHello:
				_, _ = DecodeHello(body)
			case MsgBuckets:
				_, _ = DecodeBuckets(body)
			case MsgRequest:
				if req, err := DecodeRequest(body); err == nil {
					// What decodes re-encodes to the same bytes.
					var out bytes.Buffer
					sw := NewSyncWriter(&out)
					_ = sw.WriteRequest(req)
					_ = sw.Flush()
					_, again, _ := NewSyncReader(&out).Next()
					if !bytes.Equal(again, body) && len(req.Have) > 0 {
						// uvarints have non-canonical encodings; only check the decoded value.
						req2, err := DecodeRequest(again)
						if err != nil || !reflect.DeepEqual(req, req2) {
							t.Fatalf("request does not round-trip")
						}
					}
				}
			}
		}
	})
}
