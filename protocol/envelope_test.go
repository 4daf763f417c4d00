package protocol

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/go-json-experiment/json/jsontext"
	"github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/record"
)

func TestSealOpen(t *testing.T) {
	key, hub := testKey(t)
	l := validListing(hub)
	env, err := Seal(l, key)
	if err != nil {
		t.Fatal(err)
	}
	got, err := Open(env)
	if err != nil {
		t.Fatal(err)
	}
	if got.ID() != l.ID() || got.Name != l.Name || *got.Day != 2 || !got.IssuedAt.Equal(l.IssuedAt) {
		t.Fatalf("round trip changed the listing: %+v", got)
	}
}

// sealRaw signs an arbitrary payload as a listing envelope, as a forger would.
func sealRaw(t *testing.T, key crypto.PrivKey, payload []byte) []byte {
	t.Helper()
	env, err := record.Seal(&rawRecord{payload}, key)
	if err != nil {
		t.Fatal(err)
	}
	data, err := env.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	return data
}

type rawRecord struct{ payload []byte }

func (*rawRecord) Domain() string                   { return EnvelopeDomain }
func (*rawRecord) Codec() []byte                    { return EnvelopeCodec }
func (r *rawRecord) MarshalRecord() ([]byte, error) { return r.payload, nil }
func (r *rawRecord) UnmarshalRecord(b []byte) error { r.payload = b; return nil }

func TestOpenRefuses(t *testing.T) {
	key, hub := testKey(t)
	otherKey, otherHub := testKey(t)
	good, err := Seal(validListing(hub), key)
	if err != nil {
		t.Fatal(err)
	}
	payload, _ := (&listingRecord{*validListing(hub)}).MarshalRecord()

	flipped := bytes.Clone(good)
	i := bytes.Index(flipped, []byte("Tuesday Hope"))
	flipped[i] = 'W' // the payload changes, the signature does not

	cases := []struct {
		name string
		data []byte
		want error
	}{
		{"bad signature", flipped, ErrBadSignature},
		{"hub is not signer", sealRaw(t, otherKey, payload), ErrNotSigner},
		{"unknown field", sealRaw(t, key, bytes.Replace(payload, []byte(`{`), []byte(`{"extra":1,`), 1)), ErrUnknownKey},
		{"not JSON", sealRaw(t, key, []byte("hello")), ErrMalformed},
		{"two objects", sealRaw(t, key, append(bytes.Clone(payload), payload...)), ErrMalformed},
		{"invalid field", sealRaw(t, key, bytes.Replace(payload, []byte(`"19:30"`), []byte(`"29:30"`), 1)), ErrInvalid},
		{"payload over the cap", sealRaw(t, key, bytes.Replace(payload, []byte(`"name":"`), []byte(`"name":"`+strings.Repeat("x", MaxPayloadSize)), 1)), ErrTooLarge},
		{"envelope over the cap", make([]byte, MaxEnvelopeSize+1), ErrTooLarge},
		{"garbage", []byte{0xff, 0x01, 0x02}, ErrMalformed},
		{"empty", nil, ErrMalformed},
	}
	_ = otherHub
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if _, err := Open(c.data); !errors.Is(err, c.want) {
				t.Fatalf("want %v, got %v", c.want, err)
			}
		})
	}
}

func TestSealRefusesOthersListing(t *testing.T) {
	key, _ := testKey(t)
	_, other := testKey(t)
	if _, err := Seal(validListing(other), key); !errors.Is(err, ErrNotSigner) {
		t.Fatalf("sealed a listing naming another hub: %v", err)
	}
}

func FuzzOpen(f *testing.F) {
	key, hub := testKey(f)
	good, _ := Seal(validListing(hub), key)
	f.Add(good)
	f.Add([]byte{})
	f.Add(good[:len(good)/2])
	if vectors, err := filepath.Glob("testdata/vectors/*.bin"); err == nil {
		for _, v := range vectors {
			if data, err := os.ReadFile(v); err == nil {
				f.Add(data)
			}
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		l, err := Open(data)
		if err != nil {
			if l != nil {
				t.Fatal("listing returned with an error")
			}
			return
		}
		// Whatever opens must be valid and signed by its hub, and read the
		// same when loaded from the store.
		if err := l.Validate(); err != nil {
			t.Fatalf("opened an invalid listing: %v", err)
		}
		stored, err := OpenStored(data)
		if err != nil || stored.ID() != l.ID() || stored.Seq != l.Seq {
			t.Fatalf("OpenStored disagrees with Open: %v", err)
		}
	})
}

func FuzzDecodeListing(f *testing.F) {
	_, hub := testKey(f)
	payload, _ := (&listingRecord{*validListing(hub)}).MarshalRecord()
	f.Add(payload)
	f.Add([]byte(`{"v":1}`))
	f.Add([]byte(`{"day":"monday"}`))
	f.Add([]byte(`{"name":"a","Name":"b"}`))
	f.Add([]byte(`{"name":"a","name":"b"}`))
	f.Add([]byte(`{"contacts":[{"name":null}]}`))
	f.Add([]byte(`{"issued_at":"2026-12-01T00:00:00.5+03:00"}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var l Listing
		err := DecodeListing(data, &l)
		if err != nil {
			if !isRefusal(err) {
				t.Fatalf("a refusal without a reason: %v", err)
			}
			return
		}
		_ = l.Validate() // must not panic
		// What the strict rules accept, the encoder writes back in a form
		// they accept as the same listing.
		again, err := EncodeListing(&l)
		if err != nil {
			t.Fatal(err)
		}
		var l2 Listing
		if err := DecodeListing(again, &l2); err != nil {
			t.Fatalf("re-encoded listing refused: %v\n%s", err, again)
		}
		third, _ := EncodeListing(&l2)
		if !bytes.Equal(again, third) {
			t.Fatalf("encoding is not stable:\n%s\n%s", again, third)
		}
		// Strictness: an accepted payload has no key the schema does not
		// write in exactly that case.
		for _, k := range jsonKeys(data) {
			if !schemaKeys[k] {
				t.Fatalf("accepted a payload with key %q", k)
			}
		}
	})
}

// jsonKeys lists every object key in data, at any depth.
func jsonKeys(data []byte) []string {
	var keys []string
	dec := jsontext.NewDecoder(bytes.NewReader(data))
	for {
		tok, err := dec.ReadToken()
		if err != nil {
			return keys
		}
		// Within an object, the odd tokens are the names.
		if kind, n := dec.StackIndex(dec.StackDepth()); kind == '{' && n%2 == 1 && tok.Kind() == '"' {
			keys = append(keys, tok.String())
		}
	}
}

// isRefusal reports whether err wraps one of the refusal errors.
func isRefusal(err error) bool { return Reason(err) != "other" }
