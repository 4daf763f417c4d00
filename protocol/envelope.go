package protocol

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-libp2p/core/record"
)

// Why a listing was refused. Open and CheckFreshness wrap one of these;
// callers use errors.Is, and Reason turns one into a short label for counters.
var (
	ErrTooLarge     = errors.New("listing too large")
	ErrBadSignature = errors.New("bad signature")
	ErrMalformed    = errors.New("malformed listing")
	ErrInvalid      = errors.New("invalid listing")
	ErrNotSigner    = errors.New("hub is not the signer")
	ErrExpired      = errors.New("listing expired")
	ErrFuture       = errors.New("listing issued in the future")
	// ErrStale: the hub already holds this listing at the same or a newer seq.
	ErrStale = errors.New("stale listing")
	// ErrBlocked: the author is a blocked hub.
	ErrBlocked = errors.New("listing from a blocked hub")
	// ErrUntrusted: the hub runs trusted-only and the author is not trusted.
	ErrUntrusted = errors.New("listing from an untrusted hub")
)

// Reasons lists every label Reason returns, in a fixed order for display.
var Reasons = []string{"too_large", "bad_signature", "malformed", "invalid", "not_signer", "expired", "future", "stale", "blocked", "untrusted", "other"}

// Reason is the short label of a refusal, for counters; "other" if err wraps
// none of the errors above.
func Reason(err error) string {
	for i, e := range []error{ErrTooLarge, ErrBadSignature, ErrMalformed, ErrInvalid, ErrNotSigner, ErrExpired, ErrFuture, ErrStale, ErrBlocked, ErrUntrusted} {
		if errors.Is(err, e) {
			return Reasons[i]
		}
	}
	return "other"
}

// Forged reports whether a refusal proves the sender misbehaved (a forged,
// malformed or oversized message), rather than only being late or unwanted.
// Gossip rejects the first kind, which lowers the sender's score, and ignores
// the second.
func Forged(err error) bool {
	return errors.Is(err, ErrTooLarge) || errors.Is(err, ErrBadSignature) || errors.Is(err, ErrMalformed) ||
		errors.Is(err, ErrInvalid) || errors.Is(err, ErrNotSigner) || errors.Is(err, ErrFuture)
}

// listingRecord adapts Listing to libp2p's signed-envelope record interface.
type listingRecord struct{ Listing }

func (*listingRecord) Domain() string { return EnvelopeDomain }
func (*listingRecord) Codec() []byte  { return EnvelopeCodec }

func (r *listingRecord) MarshalRecord() ([]byte, error) { return json.Marshal(&r.Listing) }

func (r *listingRecord) UnmarshalRecord(data []byte) error {
	return DecodeListing(data, &r.Listing)
}

// DecodeListing decodes a listing payload strictly: one JSON object, no
// unknown fields, within MaxPayloadSize. It does not Validate.
func DecodeListing(data []byte, l *Listing) error {
	if len(data) > MaxPayloadSize {
		return fmt.Errorf("%w: payload is %d bytes, at most %d", ErrTooLarge, len(data), MaxPayloadSize)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(l); err != nil {
		return fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	if dec.More() {
		return fmt.Errorf("%w: data after the listing", ErrMalformed)
	}
	return nil
}

// Seal validates l and signs it with the hub's key, returning the envelope
// bytes that travel and are stored verbatim. l.Hub must be the key's peer ID.
func Seal(l *Listing, key crypto.PrivKey) ([]byte, error) {
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

// Open checks a sealed listing in the order every arrival takes (size,
// signature, payload decode, field rules, author = signer) and returns the
// listing. Policy and freshness are the caller's next steps.
func Open(data []byte) (*Listing, error) {
	if len(data) > MaxEnvelopeSize {
		return nil, fmt.Errorf("%w: %d bytes, at most %d", ErrTooLarge, len(data), MaxEnvelopeSize)
	}
	env, err := record.UnmarshalEnvelope(data)
	if err != nil {
		return nil, fmt.Errorf("%w: envelope: %v", ErrMalformed, err)
	}
	if !bytes.Equal(env.PayloadType, EnvelopeCodec) {
		return nil, fmt.Errorf("%w: payload type %q", ErrMalformed, env.PayloadType)
	}
	var rec listingRecord
	if _, err := record.ConsumeTypedEnvelope(data, &rec); err != nil {
		if errors.Is(err, ErrTooLarge) || errors.Is(err, ErrMalformed) {
			return nil, err
		}
		return nil, fmt.Errorf("%w: %v", ErrBadSignature, err)
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

// OpenStored decodes a sealed listing that this hub verified with Open before
// storing it, without checking the signature again: a hub with 100,000
// listings then starts in a fraction of a second. Never use it on bytes from
// the network.
func OpenStored(data []byte) (*Listing, error) {
	env, err := record.UnmarshalEnvelope(data)
	if err != nil {
		return nil, fmt.Errorf("%w: envelope: %v", ErrMalformed, err)
	}
	var l Listing
	if err := DecodeListing(env.RawPayload, &l); err != nil {
		return nil, err
	}
	return &l, nil
}
