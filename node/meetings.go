package node

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"hearth/node/finder"
	"hearth/protocol"
	"hearth/protocol/meetingguide"
)

// ErrUnknownMeeting is returned for a listing ID the hub does not hold.
var ErrUnknownMeeting = errors.New("no such meeting")

// Meeting is a listing the hub holds, with its ID and where it stands in
// time for the query asked: what Meetings finds, for the page and the CLI.
// Its JSON travels only on the operator socket; what the JSON API and the
// CLI's --json show is its API form.
type Meeting struct {
	ID string `json:"id"`
	*protocol.Listing
	Own        bool       `json:"own"`
	Next       *time.Time `json:"next,omitempty"`
	InProgress bool       `json:"in_progress,omitempty"`
	DistanceKm *float64   `json:"distance_km,omitempty"`
}

func (n *Node) meeting(l *protocol.Listing) Meeting {
	return Meeting{ID: l.ID(), Listing: l, Own: l.Hub == n.id.String()}
}

// APIMeeting is a meeting as the JSON API (GET /api/v1/meetings) and the
// CLI's --json show it: its ID, hub, version and validity, its meeting
// fields, and where it stands in time. It is made from a Meeting by API,
// so the signed listing's own encoding can change without changing it.
// Its attendance is always the one the member page shows
// (meetingguide.Attendance), given or derived; a meeting not meeting for
// now ("inactive") has no next.
type APIMeeting struct {
	ID        string    `json:"id"`
	Hub       string    `json:"hub"`
	Seq       uint64    `json:"seq"`
	IssuedAt  time.Time `json:"issued_at"`
	ExpiresAt time.Time `json:"expires_at"`
	Cancelled bool      `json:"cancelled,omitempty"`
	Draft
	Own        bool       `json:"own"`
	Next       *time.Time `json:"next,omitempty"`
	InProgress bool       `json:"in_progress,omitempty"`
	DistanceKm *float64   `json:"distance_km,omitempty"`
}

// API is m in its API form.
func (m Meeting) API() APIMeeting {
	l := m.Listing
	a := APIMeeting{
		ID: m.ID, Hub: l.Hub, Seq: l.Seq, IssuedAt: l.IssuedAt, ExpiresAt: l.ExpiresAt, Cancelled: l.Cancelled,
		Draft: DraftOf(*l), Own: m.Own, Next: m.Next, InProgress: m.InProgress, DistanceKm: m.DistanceKm,
	}
	a.Attendance = meetingguide.Attendance(l)
	return a
}

// APIMeetings is API of each meeting, [] (not null in JSON) for none.
func APIMeetings(ms []Meeting) []APIMeeting {
	out := make([]APIMeeting, len(ms))
	for i, m := range ms {
		out[i] = m.API()
	}
	return out
}

// Meetings finds listings with the finder: in "next occurrence" order.
func (n *Node) Meetings(_ context.Context, q finder.Query) ([]Meeting, error) {
	results := n.listings.index.Search(q, n.now())
	out := make([]Meeting, 0, len(results))
	for _, r := range results {
		m := n.meeting(r.Listing)
		if !r.Next.IsZero() {
			next := r.Next
			m.Next = &next
		}
		m.InProgress = r.InProgress
		if r.DistanceKm >= 0 {
			d := r.DistanceKm
			m.DistanceKm = &d
		}
		out = append(out, m)
	}
	return out, nil
}

// CountMeetings is how many listings a search finds, whatever its limit:
// the true count beside a page of them.
func (n *Node) CountMeetings(_ context.Context, q finder.Query) (int, error) {
	return n.listings.index.Count(q, n.now()), nil
}

// Meeting returns one listing by ID ("PEERID/slug", or the slug alone for
// this hub's own).
func (n *Node) Meeting(_ context.Context, id string) (Meeting, error) {
	full, err := n.fullID(id)
	if err != nil {
		return Meeting{}, err
	}
	l, ok := n.listings.get(full)
	if !ok {
		return Meeting{}, fmt.Errorf("%w: %s: see 'hearth meetings list --all'", ErrUnknownMeeting, id)
	}
	return n.meeting(l), nil
}

func (n *Node) fullID(id string) (string, error) {
	if !strings.Contains(id, "/") {
		id = n.id.String() + "/" + id
	}
	if _, _, err := protocol.SplitID(id); err != nil {
		return "", err
	}
	return id, nil
}

// AddMeeting publishes a new meeting of this hub; a slug is made from the
// name if the draft has none.
func (n *Node) AddMeeting(ctx context.Context, draft Draft) (Meeting, error) {
	n.ownMu.Lock()
	defer n.ownMu.Unlock()
	l := draft.listing()
	if l.Slug == "" {
		l.Slug = n.freeSlug(protocol.Slugify(l.Name))
	} else if _, ok := n.listings.get(n.id.String() + "/" + l.Slug); ok {
		return Meeting{}, fmt.Errorf("this hub already has a meeting %q: use 'hearth meetings update %s'", l.Slug, l.Slug)
	}
	return n.publishOwn(ctx, &l, nil)
}

// UpdateMeeting re-publishes one of this hub's meetings with new fields
// (all of them: the caller merges, from DraftOf the meeting held), under a
// new seq. The slug stays the meeting's.
func (n *Node) UpdateMeeting(ctx context.Context, id string, draft Draft) (Meeting, error) {
	n.ownMu.Lock()
	defer n.ownMu.Unlock()
	prev, err := n.own(id)
	if err != nil {
		return Meeting{}, err
	}
	l := draft.listing()
	l.Slug, l.Cancelled = prev.Slug, prev.Cancelled
	return n.publishOwn(ctx, &l, prev)
}

// CancelMeeting marks one of this hub's meetings cancelled. The tombstone
// travels like any listing and stays until it expires, so every hub shows
// the meeting as cancelled rather than silently gone.
func (n *Node) CancelMeeting(ctx context.Context, id string) (Meeting, error) {
	n.ownMu.Lock()
	defer n.ownMu.Unlock()
	prev, err := n.own(id)
	if err != nil {
		return Meeting{}, err
	}
	if prev.Cancelled {
		return n.meeting(prev), nil
	}
	l := *prev
	l.Cancelled = true
	return n.publishOwn(ctx, &l, prev)
}

// own resolves one of this hub's own listings.
func (n *Node) own(id string) (*protocol.Listing, error) {
	full, err := n.fullID(id)
	if err != nil {
		return nil, err
	}
	if hub, _, _ := strings.Cut(full, "/"); hub != n.id.String() {
		return nil, fmt.Errorf("%s belongs to another hub: only its own hub can change it", id)
	}
	l, ok := n.listings.get(full)
	if !ok {
		return nil, fmt.Errorf("%w: %s: see 'hearth meetings list --mine --all'", ErrUnknownMeeting, id)
	}
	return l, nil
}

// freeSlug is base, or base-2, base-3…, whichever this hub does not use yet.
func (n *Node) freeSlug(base string) string {
	slug := base
	for i := 2; ; i++ {
		if _, ok := n.listings.get(n.id.String() + "/" + slug); !ok {
			return slug
		}
		slug = fmt.Sprintf("%s-%d", base, i)
	}
}

// publishOwn seals l as this hub's, stores it through Ingest, makes it
// durable, and gossips it. Callers hold ownMu.
func (n *Node) publishOwn(ctx context.Context, l *protocol.Listing, prev *protocol.Listing) (Meeting, error) {
	m, err := n.publishOwnBatch(ctx, l, prev)
	if err != nil {
		return m, err
	}
	// The operator was told it is saved: make it survive a power cut.
	return m, n.store.Sync()
}

// publishOwnBatch is publishOwn without the sync to disk, for callers that
// publish many and sync once. The seq is the clock in milliseconds (or one
// more than prev's): a hub that lost its store still issues seqs that beat
// the copies its peers hold.
func (n *Node) publishOwnBatch(ctx context.Context, l *protocol.Listing, prev *protocol.Listing) (Meeting, error) {
	now := n.now()
	if l.Timezone == "" {
		l.Timezone = n.Zone().String()
	}
	l.Version, l.Hub = protocol.SchemaVersion, n.id.String()
	l.Seq = uint64(now.UnixMilli())
	if prev != nil && l.Seq <= prev.Seq {
		l.Seq = prev.Seq + 1
	}
	l.IssuedAt = now.UTC().Truncate(time.Second)
	l.ExpiresAt = l.IssuedAt.Add(n.cfg.Listings.Lifetime.D())
	envelope, err := protocol.Seal(l, n.key)
	if err != nil {
		return Meeting{}, err
	}
	stored, err := n.Ingest(envelope)
	if err != nil {
		return Meeting{}, err
	}
	n.publish(ctx, envelope)
	return n.meeting(stored), nil
}

// maintainListings drops expired listings and renews this hub's own before
// they expire, so a live hub's meetings never fade out.
func (n *Node) maintainListings(ctx context.Context) {
	now := n.now()
	if _, err := n.listings.remove(n.store, func(l *protocol.Listing) bool { return !l.ExpiresAt.After(now) }); err != nil {
		n.log.Warn("drop expired listings", "err", err)
	}
	n.ownMu.Lock()
	defer n.ownMu.Unlock()
	renewBy := now.Add(n.cfg.Listings.RenewBefore.D())
	mine := n.listings.all(func(l *protocol.Listing) bool {
		return l.Hub == n.id.String() && !l.Cancelled && l.ExpiresAt.Before(renewBy)
	})
	for _, prev := range mine {
		l := *prev
		if _, err := n.publishOwn(ctx, &l, prev); err != nil {
			n.log.Warn("renew listing", "id", prev.ID(), "err", err)
		}
	}
	if len(mine) > 0 {
		n.log.Info("renewed listings", "count", len(mine))
	}
}
