package protocol

import "errors"

// Why a listing was refused. Open, CheckFreshness and a hub's own policy
// and freshness steps wrap one of these; callers use errors.Is, Reason turns
// one into the short label hubs count refusals by, and Forged says whether
// gossip rejects or ignores it. PROTOCOL.md lists them in the order a
// listing is checked.
var (
	ErrTooLarge     = errors.New("listing too large")
	ErrMalformed    = errors.New("malformed listing")
	ErrKeyType      = errors.New("signing key is not Ed25519")
	ErrNotCanonical = errors.New("envelope is not in canonical form")
	ErrBadSignature = errors.New("bad signature")
	ErrDuplicateKey = errors.New("duplicate JSON key")
	ErrKeyCase      = errors.New("JSON key in the wrong case")
	ErrUnknownKey   = errors.New("unknown JSON key")
	ErrInvalid      = errors.New("invalid listing")
	ErrHubForm      = errors.New("hub is not the peer ID's canonical text form")
	ErrNotSigner    = errors.New("hub is not the signer")
	ErrFuture       = errors.New("listing issued in the future")
	ErrExpired      = errors.New("listing expired")
	// ErrBlocked: the author is a blocked hub.
	ErrBlocked = errors.New("listing from a blocked hub")
	// ErrUntrusted: the hub runs trusted-only and the author is not trusted.
	ErrUntrusted = errors.New("listing from an untrusted hub")
	// ErrStale: the hub already holds this listing at the same or a newer seq.
	ErrStale = errors.New("stale listing")
	// ErrKeyCollision: the hub holds another listing with the same SyncKey.
	// Two honest IDs collide with odds of 1 in 2^64 a pair; a hub that
	// grinds its slugs to collide would otherwise stall catch-up sync.
	ErrKeyCollision = errors.New("sync key already taken by another listing")
)

// refusals are the refusal errors in the order a listing is checked, each
// with its label and whether it is forged: a correct implementation never
// sends such a listing, so gossip rejects it (lowering the sender's score).
// The others (late, unwanted, already held) are ignored: not relayed, no
// penalty. ONLY APPEND labels: hubs and scripts count by them.
var refusals = []struct {
	err    error
	reason string
	forged bool
}{
	{ErrTooLarge, "too_large", true},
	{ErrMalformed, "malformed", true},
	{ErrKeyType, "key_type", true},
	{ErrNotCanonical, "not_canonical", true},
	{ErrBadSignature, "bad_signature", true},
	{ErrDuplicateKey, "duplicate_key", true},
	{ErrKeyCase, "key_case", true},
	{ErrUnknownKey, "unknown_key", true},
	{ErrInvalid, "invalid", true},
	{ErrHubForm, "hub_form", true},
	{ErrNotSigner, "not_signer", true},
	{ErrFuture, "future", true},
	{ErrExpired, "expired", false},
	{ErrBlocked, "blocked", false},
	{ErrUntrusted, "untrusted", false},
	{ErrStale, "stale", false},
	{ErrKeyCollision, "key_collision", false},
}

// Reasons lists every label Reason returns, in the order listings are
// checked, then "other".
var Reasons = func() []string {
	out := make([]string, 0, len(refusals)+1)
	for _, r := range refusals {
		out = append(out, r.reason)
	}
	return append(out, "other")
}()

// Reason is the short label of a refusal, for counters; "other" if err wraps
// none of the errors above.
func Reason(err error) string {
	for _, r := range refusals {
		if errors.Is(err, r.err) {
			return r.reason
		}
	}
	return "other"
}

// Forged reports whether a refusal proves the sender misbehaved (a forged,
// malformed, non-canonical or oversized listing), rather than the listing
// only being late, unwanted or already held.
func Forged(err error) bool {
	for _, r := range refusals {
		if errors.Is(err, r.err) {
			return r.forged
		}
	}
	return false
}
