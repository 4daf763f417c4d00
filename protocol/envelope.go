package protocol

import (
	"bytes"
	"errors"
	"fmt"

	"github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-libp2p/core/record"
)

// listingRecord adapts Listing to libp2p's signed-envelope record interface.
type listingRecord struct{ Listing }

func (*listingRecord) Domain() string { return EnvelopeDomain }
func (*listingRecord) Codec() []byte  { return EnvelopeCodec }

func (r *listingRecord) MarshalRecord() ([]byte, error) { return EncodeListing(&r.Listing) }

func (r *listingRecord) UnmarshalRecord(data []byte) error {
	return DecodeListing(data, &r.Listing)
}

// Seal validates l and signs it with the hub's key, returning the envelope
// bytes that travel and are stored verbatim. l.Hub must be the key's peer ID.
func Seal(l *Listing, key crypto.PrivKey) ([]byte, error) {
	if key.Type() != crypto.Ed25519 {
		return nil, fmt.Errorf("protocol: seal: %w", ErrKeyType)
	}
	signer, err := peer.IDFromPrivateKey(key)
	if err != nil {
		return nil, fmt.Errorf("protocol: seal: %w", err)
	}
	if l.Hub != signer.String() {
		return nil, fmt.Errorf("protocol: seal: %w", ErrNotSigner)
	}
	if err := l.Validate(); err != nil {
		return nil, err
	}
	env, err := record.Seal(&listingRecord{*l}, key)
	if err != nil {
		return nil, fmt.Errorf("protocol: seal: %w", err)
	}
	if len(env.RawPayload) > MaxPayloadSize {
		return nil, fmt.Errorf("%w: payload is %d bytes, at most %d", ErrTooLarge, len(env.RawPayload), MaxPayloadSize)
	}
	data, err := env.Marshal()
	if err != nil {
		return nil, fmt.Errorf("protocol: seal: %w", err)
	}
	return data, nil
}

// Open checks a sealed listing in the order every arrival takes (PROTOCOL.md,
// "Validation"): size, envelope, Ed25519 key, canonical form, payload type,
// signature, payload decode, field rules, hub = signer. It returns the
// listing; policy and freshness are the caller's next steps. Every error
// wraps one of the refusal errors.
func Open(data []byte) (*Listing, error) {
	return open(data, true)
}

// OpenStored is Open without checking the signature, for envelopes this hub
// verified with Open before storing them: a hub with 100,000 listings then
// starts in a fraction of a second. Every other rule still applies, so a
// listing stored under older, laxer rules is refused. Never use it on bytes
// from the network.
func OpenStored(data []byte) (*Listing, error) {
	return open(data, false)
}

func open(data []byte, verify bool) (*Listing, error) {
	if len(data) > MaxEnvelopeSize {
		return nil, fmt.Errorf("%w: %d bytes, at most %d", ErrTooLarge, len(data), MaxEnvelopeSize)
	}
	env, err := record.UnmarshalEnvelope(data)
	if errors.Is(err, crypto.ErrBadKeyType) {
		return nil, fmt.Errorf("%w: %v", ErrKeyType, err)
	}
	if err != nil {
		return nil, fmt.Errorf("%w: envelope: %v", ErrMalformed, err)
	}
	if t := env.PublicKey.Type(); t != crypto.Ed25519 {
		return nil, fmt.Errorf("%w: %s key", ErrKeyType, t)
	}
	// The same listing must have the same bytes on every hub: no padding, no
	// field twice, no unknown field, no long-form varint.
	if canonical, err := env.Marshal(); err != nil || !bytes.Equal(canonical, data) {
		return nil, fmt.Errorf("%w: it does not re-encode to the bytes received", ErrNotCanonical)
	}
	if !bytes.Equal(env.PayloadType, EnvelopeCodec) {
		return nil, fmt.Errorf("%w: payload type %q, want %q", ErrMalformed, env.PayloadType, EnvelopeCodec)
	}
	if verify {
		if _, err := record.ConsumeTypedEnvelope(data, &signedPayload{}); err != nil {
			return nil, fmt.Errorf("%w: %v", ErrBadSignature, err)
		}
	}
	var rec listingRecord
	if err := rec.UnmarshalRecord(env.RawPayload); err != nil {
		return nil, err
	}
	l := &rec.Listing
	if err := l.Validate(); err != nil {
		return nil, err
	}
	signer, err := peer.IDFromPublicKey(env.PublicKey)
	if err != nil {
		return nil, fmt.Errorf("%w: signer key: %v", ErrMalformed, err)
	}
	if l.Hub != signer.String() {
		return nil, fmt.Errorf("%w: hub %s, signed by %s", ErrNotSigner, l.Hub, signer)
	}
	return l, nil
}

// signedPayload is a listing envelope's payload left undecoded: Open checks
// the signature first and decodes after, so a decoding error reads as itself.
type signedPayload struct{}

func (*signedPayload) Domain() string { return EnvelopeDomain }
func (*signedPayload) Codec() []byte  { return EnvelopeCodec }
func (*signedPayload) MarshalRecord() ([]byte, error) {
	return nil, errors.New("protocol: not for sealing")
}
func (*signedPayload) UnmarshalRecord([]byte) error { return nil }
