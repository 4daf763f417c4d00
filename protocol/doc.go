// Package protocol implements Hearth's wire formats and their rules: meeting
// listings (schema, validation, signed envelopes), the catch-up sync messages,
// and the names, limits and versions that every hub must agree on.
//
// It is pure: no I/O, no storage, no libp2p host. Everything here is what two
// hubs must agree on byte for byte, so changes are append-only and each bump of
// a version constant gets a dated line below it. PROTOCOL.md, at the
// repository root, is the specification other implementations build from;
// testdata/vectors holds the test vectors it describes.
package protocol

import (
	"encoding/binary"
	"time"

	// Listings name IANA time zones; embedding the database makes validation
	// give the same answer on every machine, with or without /usr/share/zoneinfo.
	_ "time/tzdata"
)

// SchemaVersion is the version of the listing payload ("v" in its JSON).
//
//	1 (2026-11-28): first version.
//	1 (2026-12-01): frozen by PROTOCOL.md, with strict decoding; a change is a version 2.
const SchemaVersion = 1

// Protocol and topic names. Topic names never encode fellowship or place.
// ONLY APPEND: a version 2 adds its own names (PROTOCOL.md, "Versions").
//
//	2026-12-01: /hearth/sync/1 is rateless set reconciliation; the bucket
//	sync it replaced was never deployed.
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
)

// Catch-up sync limits (PROTOCOL.md, "Catch-up sync"). Every frame has a
// small cap, whatever the number of listings the hubs hold: a round sends
// more frames, never bigger ones.
//
//	2026-12-01: sync v1, set reconciliation by rateless IBLT.
const (
	// MaxSyncFrame caps one sync frame, its type byte included: a sealed
	// listing with room to spare.
	MaxSyncFrame = 16 << 10
	// MaxFilterHubs caps the hubs a Hello names.
	MaxFilterHubs = 2000
	// MaxSymbols caps the coded symbols of one round (8 MiB to hold): enough
	// to decode some 160,000 differing items. A client whose difference is
	// larger asks for the server's items instead (an Offer).
	MaxSymbols = 1 << 18
	// MaxSymbolsPerFrame, MaxItemsPerFrame and MaxKeysPerFrame are how many
	// coded symbols, items and keys fill a frame.
	MaxSymbolsPerFrame = (MaxSyncFrame - 1 - binary.MaxVarintLen64) / CodedSymbolSize
	MaxItemsPerFrame   = (MaxSyncFrame - 1) / 16
	MaxKeysPerFrame    = (MaxSyncFrame - 1) / 8
	// SyncIdleTimeout: a sync stream on which nothing arrives for this long
	// is reset, on both sides.
	SyncIdleTimeout = 30 * time.Second
	// SyncFullRoundInterval: a server serves a peer at most one round
	// beyond InSync in this time, and answers Busy in between. A round that
	// finds the sets equal is always served.
	SyncFullRoundInterval = time.Minute
)
