package node

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"runtime/debug"
	"time"

	"hearth/protocol"
	"hearth/protocol/meetingguide"
)

// MaxFeedBytes is the largest feed ImportMeetings takes: some 60,000
// meetings as real feeds write them (aasfmarin.json is 2 KB a meeting), or
// 300,000 terse ones. A bigger feed is split and imported in parts.
const MaxFeedBytes = 128 << 20

// ErrFeedTooLarge: a feed over MaxFeedBytes, which is not imported.
var ErrFeedTooLarge = fmt.Errorf("the feed is over %d MiB: split it into smaller feeds and import each", MaxFeedBytes>>20)

// ImportOptions are the choices of `hearth meetings import`.
type ImportOptions struct {
	DryRun   bool   `json:"dry_run"`  // report what would change, change nothing
	Prune    bool   `json:"prune"`    // cancel this hub's meetings missing from the feed
	Timezone string `json:"timezone"` // zone for rows without one; "" = the hub's default
}

// URLQuery is o as the operator socket's import call carries it.
func (o ImportOptions) URLQuery() url.Values {
	q := url.Values{}
	if o.DryRun {
		q.Set("dry_run", "")
	}
	if o.Prune {
		q.Set("prune", "")
	}
	if o.Timezone != "" {
		q.Set("timezone", o.Timezone)
	}
	return q
}

func importOptionsFromURL(q url.Values) ImportOptions {
	return ImportOptions{DryRun: q.Has("dry_run"), Prune: q.Has("prune"), Timezone: q.Get("timezone")}
}

// ImportSummary says what an import did (or, dry, would do).
type ImportSummary struct {
	DryRun           bool                   `json:"dry_run"`
	Added            int                    `json:"added"`
	Updated          int                    `json:"updated"`
	Unchanged        int                    `json:"unchanged"`
	Cancelled        int                    `json:"cancelled"`
	Skipped          []meetingguide.Skipped `json:"skipped"`
	UnknownProviders []meetingguide.Flag    `json:"unknown_providers"`
	Repairs          []meetingguide.Repair  `json:"repairs"` // details dropped to keep a meeting
	// ZoneSet is the zone this import made the hub's own
	// (listings.default_timezone, which was empty); ZoneNeedsRestart: the
	// hub was running, and takes it when it next starts.
	ZoneSet          string `json:"zone_set,omitempty"`
	ZoneNeedsRestart bool   `json:"zone_needs_restart,omitempty"`
}

// ImportMeetings brings a Meeting Guide feed in as this hub's meetings.
// Identity is the feed's slug: a row equal to the listing held changes
// nothing (no new seq), a changed row is re-issued, and rows missing from
// the feed are cancelled only with Prune. Invalid JSON imports nothing.
func (n *Node) ImportMeetings(ctx context.Context, feed []byte, opts ImportOptions) (ImportSummary, error) {
	if len(feed) > MaxFeedBytes {
		return ImportSummary{}, fmt.Errorf("nothing imported: %w", ErrFeedTooLarge)
	}
	tz := opts.Timezone
	if tz == "" {
		tz = n.Zone().String()
	} else if _, err := protocol.LoadTimezone(tz); err != nil {
		return ImportSummary{}, err
	}
	res, err := meetingguide.DecodeBytes(feed, meetingguide.DecodeOptions{
		Timezone: tz, Providers: n.cfg.Meetings.ConferenceProviders,
	})
	if err != nil {
		return ImportSummary{}, fmt.Errorf("nothing imported: %w", err)
	}
	sum := ImportSummary{DryRun: opts.DryRun, Skipped: res.Skipped, UnknownProviders: res.UnknownProviders, Repairs: res.Repairs}

	n.ownMu.Lock()
	defer n.ownMu.Unlock()
	inFeed := make(map[string]bool, len(res.Listings))
	for i := range res.Listings {
		// Each row is taken out as it is imported, so a big feed's rows do
		// not stay in memory next to the listings made from them.
		row := res.Listings[i]
		res.Listings[i] = protocol.Listing{}
		l := &row
		inFeed[l.Slug] = true
		prev, held := n.listings.get(n.id.String() + "/" + l.Slug)
		switch {
		case held && !prev.Cancelled && sameMeeting(prev, l):
			sum.Unchanged++
			continue
		case held:
			sum.Updated++
		default:
			sum.Added++
		}
		if opts.DryRun {
			continue
		}
		if _, err := n.publishOwnBatch(ctx, l, prev); err != nil {
			return sum, fmt.Errorf("import %s: %w", l.Slug, err)
		}
	}
	if opts.Prune {
		stale := n.listings.all(func(l *protocol.Listing) bool {
			return l.Hub == n.id.String() && !l.Cancelled && !inFeed[l.Slug]
		})
		for _, prev := range stale {
			sum.Cancelled++
			if opts.DryRun {
				continue
			}
			l := *prev
			l.Cancelled = true
			if _, err := n.publishOwnBatch(ctx, &l, prev); err != nil {
				return sum, fmt.Errorf("cancel %s: %w", prev.Slug, err)
			}
		}
	}
	if !opts.DryRun {
		if err := n.store.Sync(); err != nil {
			return sum, err
		}
		if err := n.adoptZone(opts.Timezone, &sum); err != nil {
			return sum, err
		}
	}
	if len(res.Listings) > manyListings {
		// The decoded rows are garbage now: for a country's feed, hundreds
		// of megabytes the runtime would give back to the system only over
		// minutes. A hub on a small machine wants them back at once.
		debug.FreeOSMemory()
	}
	return sum, nil
}

// adoptZone makes tz the hub's zone if it has none yet: an operator who
// says where a feed's meetings are has said where the hub is, and a hub
// left on its machine's zone (often UTC on a server) would call Tuesday
// night's meetings Wednesday's. It is written in the node directory's
// config.toml, where the operator sees it, if that file leaves it empty
// too.
func (n *Node) adoptZone(tz string, sum *ImportSummary) error {
	if tz == "" || n.cfg.Listings.DefaultTimezone != "" {
		return nil
	}
	path := ConfigPath(n.dir)
	if onDisk, err := LoadConfig(path); err != nil || onDisk.Listings.DefaultTimezone != "" {
		return nil
	}
	if err := SetConfigValue(path, "listings", "default_timezone", tz); err != nil {
		return fmt.Errorf("meetings imported, but the hub's zone was not set: %w", err)
	}
	sum.ZoneSet, sum.ZoneNeedsRestart = tz, n.running() != nil
	return nil
}

// manyListings is the count past which loading or importing listings hands
// its garbage back to the system at once; fewer leave too little to be
// worth a forced collection.
const manyListings = 10_000

// sameMeeting reports whether two listings say the same about the meeting,
// whatever their seq and times.
func sameMeeting(a, b *protocol.Listing) bool {
	strip := func(l *protocol.Listing) []byte {
		c := *l
		c.Version, c.Hub, c.Seq, c.Cancelled = 0, "", 0, false
		c.IssuedAt, c.ExpiresAt = time.Time{}, time.Time{}
		data, _ := json.Marshal(&c)
		return data
	}
	return bytes.Equal(strip(a), strip(b))
}

// ExportMeetings returns a Meeting Guide feed of the listings the hub holds
// (only its own with mine), cancelled ones left out.
func (n *Node) ExportMeetings(_ context.Context, mine bool) ([]byte, error) {
	var b bytes.Buffer
	if err := n.WriteFeed(&b, mine); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// WriteFeed writes the Meeting Guide feed of ExportMeetings to w.
func (n *Node) WriteFeed(w io.Writer, mine bool) error {
	me := n.id.String()
	ls := n.listings.all(func(l *protocol.Listing) bool { return !l.Cancelled && (!mine || l.Hub == me) })
	out := make([]protocol.Listing, len(ls))
	for i, l := range ls {
		out[i] = *l
	}
	return meetingguide.Encode(w, out)
}
