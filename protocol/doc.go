// Package protocol implements Hearth's wire formats and their rules: meeting
// listings (schema, validation, signed envelopes), the catch-up sync messages,
// and the names, limits and versions that every hub must agree on.
//
// It is pure: no I/O, no storage, no libp2p host. Everything here is what two
// hubs must agree on byte for byte, so changes are append-only and each bump of
// a version constant gets a dated line below it.
package protocol

import (
	"time"

	// Listings name IANA time zones; embedding the database makes validation
	// give the same answer on every machine, with or without /usr/share/zoneinfo.
	_ "time/tzdata"
)

// SchemaVersion is the version of the listing payload ("v" in its JSON).
//
//	1 (2026-11-28): first version.
const SchemaVersion = 1

// Protocol and topic names. Topic names never encode fellowship or place.
const (
	// ListingsTopic is the gossipsub topic all listings of schema v1 travel on.
	ListingsTopic = "/hearth/listings/1"
	// SyncProtocol is the libp2p stream protocol of catch-up sync v1.
	SyncProtocol = "/hearth/sync/1"
	// MDNSService is the mDNS service name hubs advertise on a LAN, so Hearth
	// hubs find each other and not every libp2p program on the Wi-Fi.
	MDNSService = "_hearth._udp"
	// EnvelopeDomain separates listing signatures from any other use of a
	// hub's key: a signature made here is never valid elsewhere.
	EnvelopeDomain = "hearth-listing"
)

// EnvelopeCodec is the payload type in every listing envelope.
var EnvelopeCodec = []byte("/hearth/listing/1")

// Limits.
const (
	// MaxPayloadSize caps a listing's JSON payload.
	MaxPayloadSize = 8 << 10
	// MaxEnvelopeSize caps a sealed listing: the payload plus the public key,
	// signature and framing of the envelope (well under 1 KiB for Ed25519).
	MaxEnvelopeSize = MaxPayloadSize + 1<<10
	// MaxLifetime is how far ahead of its issue time a listing may expire, so a
	// dead hub's listings fade out.
	MaxLifetime = 180 * 24 * time.Hour
	// MaxClockSkew is how far in the future issued_at may be: hubs' clocks drift,
	// especially on boards with no real-time clock.
	MaxClockSkew = 10 * time.Minute
	// MaxGossipRPC caps one gossipsub RPC: one listing with room for the
	// RPC's framing and a few control messages. Larger RPCs are split.
	MaxGossipRPC = 2 * MaxEnvelopeSize
	// MaxSyncFrame caps one sync message. The largest is a request listing what
	// the client has in the buckets that differ: about 12 bytes a listing, so
	// this covers ~80,000 listings in the differing buckets of one round.
	MaxSyncFrame = 1 << 20
)
