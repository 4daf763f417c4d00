package meetingguide

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/url"
	"strconv"
	"time"

	"github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/peer"

	"hearth/protocol"
)

// checkHub is a valid peer ID to stand in for the hub while checking a
// decoded listing with protocol's own rules: the real hub is the caller's.
var checkHub = func() string {
	pub, err := crypto.UnmarshalEd25519PublicKey(make([]byte, 32))
	if err != nil {
		panic("meetingguide: check hub key: " + err.Error())
	}
	id, err := peer.IDFromPublicKey(pub)
	if err != nil {
		panic("meetingguide: check hub ID: " + err.Error())
	}
	return id.String()
}()

// checkIssued is the longest issue time a real listing can carry in JSON
// (nanoseconds and a zone offset), so the size check below is never short.
var checkIssued = time.Date(2026, 11, 28, 16, 37, 0, 123456789, time.FixedZone("", -(9*3600+30*60)))

// check tells whether a decoded listing's meeting fields pass
// protocol.Listing.Validate and whether its payload fits
// protocol.MaxPayloadSize once the caller fills the Hearth fields, by
// checking a copy whose Hearth fields take their longest form. Time zones
// are checked through zones, one load per name: loading a zone reads and
// parses its file, which would otherwise be most of the cost of a feed
// where every row names the same zone.
func check(l *protocol.Listing, zones map[string]error) error {
	c := *l
	c.Version = protocol.SchemaVersion
	c.Hub = checkHub
	c.Seq = protocol.MaxSeq
	c.IssuedAt = checkIssued
	c.ExpiresAt = checkIssued.Add(time.Hour)
	if c.Timezone != "" {
		err, ok := zones[c.Timezone]
		if !ok {
			_, err = protocol.LoadTimezone(c.Timezone)
			if err != nil {
				err = fmt.Errorf("%w: %v", protocol.ErrInvalid, err)
			}
			zones[c.Timezone] = err
		}
		if err != nil {
			return err
		}
		c.Timezone = "" // checked; Validate's other schedule rules still run
	}
	if err := c.Validate(); err != nil {
		return err
	}
	c.Timezone = l.Timezone
	payload, err := protocol.EncodeListing(&c)
	if err != nil {
		return err
	}
	if len(payload) > protocol.MaxPayloadSize {
		return fmt.Errorf("%w: %d bytes as a payload, at most %d: shorten its notes", protocol.ErrTooLarge, len(payload), protocol.MaxPayloadSize)
	}
	return nil
}

// maxSlug is the longest slug protocol accepts.
const maxSlug = 128

// slugFor makes the slug of a listing from a feed's slug and a suffix ("" or
// "-d3" for one day of a multi-day row). A slug protocol refuses is made
// safe the same way every time, so a re-import keeps the listing's
// identity: its readable part (Slugify of the unescaped slug) plus a short
// hash of the slug as written, which keeps two unsafe slugs that read alike
// apart.
func slugFor(raw, suffix string) (slug string, renamed bool) {
	if s := raw + suffix; protocol.ValidSlug(s) {
		return s, false
	}
	readable := raw
	if u, err := url.PathUnescape(raw); err == nil {
		readable = u
	}
	sum := sha256.Sum256([]byte(raw))
	return protocol.Slugify(readable) + "-" + hex.EncodeToString(sum[:4]) + suffix, true
}

// numbered is slug with "-n" appended, shortened first if the result would
// pass maxSlug.
func numbered(slug string, n int) string {
	suffix := "-" + strconv.Itoa(n)
	if len(slug)+len(suffix) > maxSlug {
		slug = slug[:maxSlug-len(suffix)]
	}
	return slug + suffix
}
