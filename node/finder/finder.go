package finder

import (
	"math"
	"slices"
	"strings"
	"sync"
	"time"

	"hearth/protocol"
	"hearth/protocol/meetingguide"
)

// Index holds listings for Search. It is safe for concurrent use: any number
// of Search, Get and Len calls run together; Put and Delete take turns with
// them. Listings passed to Put are shared, not copied, and must not be
// changed afterwards: results hand the same pointers back.
type Index struct {
	defaultZone *time.Location

	mu sync.RWMutex
	// pages hold the entries densely, so a search is one pass over
	// memory; in fixed pages rather than one slice, so growing never copies
	// the lot nor leaves a quarter of it spare.
	pages []*page
	used  uint32            // slots handed out, live or free
	free  []uint32          // slots of deleted entries, reused by Put
	slots map[string]uint32 // listing ID -> slot

	// Interned values: a query compares small integers, not strings. The
	// tables only grow; they are bounded by the distinct codes, regions,
	// hubs and zones ever seen, which are few.
	zones     []*time.Location
	zoneIDs   map[string]uint16
	hubIDs    map[string]uint32
	typeIDs   map[string]uint32
	langIDs   map[string]uint32
	regionIDs map[string]uint32
	attendIDs map[string]uint32
}

// pageSize is the number of entries in a page: about 200 KB.
const pageSize = 1024

// page holds the entries of pageSize slots, the part every query reads
// apart from the rest: a scan of 100,000 listings then reads 6 MB of
// memory, not 20.
type page struct {
	hot  [pageSize]hotEntry
	cold [pageSize]entry
}

func (ix *Index) hotAt(i uint32) *hotEntry { return &ix.pages[i/pageSize].hot[i%pageSize] }
func (ix *Index) at(i uint32) *entry       { return &ix.pages[i/pageSize].cold[i%pageSize] }

// hotEntry is what most queries need to decide on a listing and place it
// in time: one cache line.
type hotEntry struct {
	live       bool
	cancelled  bool
	hasPos     bool
	inactive   bool  // attendance "inactive": not meeting for now
	day        int8  // 0 = Sunday … 6; -1 by appointment
	startMin   int16 // minute of the day the meeting starts, in its zone; -1 by appointment
	startMow   int16 // minute of the week (day*1440 + startMin)
	span       int16 // minutes after the start during which it counts as in progress
	zone       uint16
	attendance uint32
	hub        uint32
	expires    int64 // Unix seconds; 0 if the listing has no expiry
	// Masks of the interned type, language and region IDs: bit n for ID n
	// below 63, bit 63 for any higher ID, whose presence the codes in the
	// entry then confirm. The first 63 of each, the common ones, are
	// decided here without reading further.
	typeMask, langMask, regionMask uint64
	lat, lon                       float32 // radians, for the distance box only
}

func maskBit(id uint32) uint64 { return 1 << min(id, 63) }

// entry is the rest of a listing as Search reads it.
type entry struct {
	sig signature
	// codes holds the interned type codes (sorted), then languages, then
	// regions: one allocation instead of three.
	codes    []uint32
	nTypes   uint16
	nLangs   uint16
	lat, lon float64 // radians
	cosLat   float64
	name     string // folded; a prefix of text
	text     string // folded searchable text, fields joined by '\n'
	id       string
	listing  *protocol.Listing
}

// New returns an empty index whose listings without a time zone are read in
// UTC.
func New() *Index { return NewWithDefault(time.UTC) }

// NewWithDefault returns an empty index for a hub in zone loc (UTC if nil):
// listings without a time zone are read in it (a listing without one was
// most likely written for the hub's own town), and so are Today and
// Tomorrow in a query.
func NewWithDefault(loc *time.Location) *Index {
	ix := &Index{
		defaultZone: loc,
		slots:       make(map[string]uint32),
		zoneIDs:     make(map[string]uint16),
		hubIDs:      make(map[string]uint32),
		typeIDs:     make(map[string]uint32),
		langIDs:     make(map[string]uint32),
		regionIDs:   make(map[string]uint32),
		attendIDs:   make(map[string]uint32),
	}
	if ix.defaultZone == nil {
		ix.defaultZone = time.UTC
	}
	return ix
}

// Len is the number of listings held, cancelled ones included.
func (ix *Index) Len() int {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	return len(ix.slots)
}

// Get returns the listing with this ID ("HUB/slug").
func (ix *Index) Get(id string) (*protocol.Listing, bool) {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	i, ok := ix.slots[id]
	if !ok {
		return nil, false
	}
	return ix.at(i).listing, true
}

// Delete removes the listing with this ID, if held.
func (ix *Index) Delete(id string) {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	i, ok := ix.slots[id]
	if !ok {
		return
	}
	delete(ix.slots, id)
	*ix.at(i) = entry{} // drop the pointers so the listing can be collected
	*ix.hotAt(i) = hotEntry{}
	ix.free = append(ix.free, i)
}

// Put adds l, or replaces the listing with the same ID. The caller decides
// which version wins (seq); Put keeps the last one given.
func (ix *Index) Put(l *protocol.Listing) {
	if l == nil {
		return
	}
	// Folding and parsing are the slow part: done before taking the lock,
	// so searches are not held up behind a bulk load.
	p := ix.prepare(l)
	ix.mu.Lock()
	defer ix.mu.Unlock()
	h, e := p.hot, p.entry
	h.zone = intern(ix.zoneIDs, p.zoneName, func() uint16 {
		ix.zones = append(ix.zones, p.zone)
		return uint16(len(ix.zones) - 1)
	})
	h.hub = internCount(ix.hubIDs, l.Hub)
	h.attendance = internCount(ix.attendIDs, p.attendance)
	e.codes = make([]uint32, 0, len(p.types)+len(p.langs)+len(p.regions))
	for _, t := range p.types {
		e.codes = append(e.codes, internCount(ix.typeIDs, t))
	}
	slices.Sort(e.codes)
	e.codes = slices.Compact(e.codes)
	e.nTypes = uint16(len(e.codes))
	for _, lang := range p.langs {
		e.codes = append(e.codes, internCount(ix.langIDs, lang))
	}
	e.nLangs = uint16(len(p.langs))
	for _, r := range p.regions {
		e.codes = append(e.codes, internCount(ix.regionIDs, r))
	}
	for _, id := range e.typeIDs() {
		h.typeMask |= maskBit(id)
	}
	for _, id := range e.langIDs() {
		h.langMask |= maskBit(id)
	}
	for _, id := range e.regionIDs() {
		h.regionMask |= maskBit(id)
	}
	if i, ok := ix.slots[e.id]; ok {
		*ix.hotAt(i), *ix.at(i) = h, e
		return
	}
	var i uint32
	if n := len(ix.free); n > 0 {
		i = ix.free[n-1]
		ix.free = ix.free[:n-1]
	} else {
		if ix.used%pageSize == 0 {
			ix.pages = append(ix.pages, new(page))
		}
		i = ix.used
		ix.used++
	}
	*ix.hotAt(i), *ix.at(i) = h, e
	ix.slots[e.id] = i
}

// prepared is a listing's entry before its codes are interned.
type prepared struct {
	hot        hotEntry
	entry      entry
	zoneName   string
	zone       *time.Location
	attendance string
	types      []string
	langs      []string
	regions    []string
}

func (ix *Index) prepare(l *protocol.Listing) prepared {
	p := prepared{entry: entry{id: l.ID(), listing: l}}
	p.hot, _ = weeklyOf(l)
	p.hot.live, p.hot.cancelled = true, l.Cancelled
	h, e := &p.hot, &p.entry
	if !l.ExpiresAt.IsZero() {
		h.expires = l.ExpiresAt.Unix()
	}
	p.zoneName, p.zone = ix.zoneOf(l.Timezone)
	if l.Latitude != nil && l.Longitude != nil && !math.IsNaN(*l.Latitude) && !math.IsNaN(*l.Longitude) {
		h.hasPos = true
		e.lat, e.lon = radians(*l.Latitude), radians(*l.Longitude)
		e.cosLat = math.Cos(e.lat)
		h.lat, h.lon = float32(e.lat), float32(e.lon)
	}
	e.name, e.text = searchText(l)
	e.sig = signatureOf(e.text)
	p.attendance = meetingguide.Attendance(l)
	h.inactive = p.attendance == inactive
	for _, t := range l.Types {
		p.types = append(p.types, strings.ToUpper(t))
	}
	p.langs = listingLanguages(l)
	for _, r := range append([]string{l.Region, l.SubRegion}, l.Regions...) {
		if n := normalizeRegion(r); n != "" && !slices.Contains(p.regions, n) {
			p.regions = append(p.regions, n)
		}
	}
	return p
}

// inactive is the attendance (protocol.Attendances, as
// meetingguide.Attendance derives it) of a meeting that is not meeting for
// now: no place to go to and no way to join online.
const inactive = "inactive"

// Inactive reports whether l is not meeting for now (its building is
// closed and it gives no way to join online, or it gives neither): such a
// meeting has no next sitting, comes last in a search, and is never
// offered as something to go to.
func Inactive(l *protocol.Listing) bool { return meetingguide.Attendance(l) == inactive }

// BuildingClosed reports whether l's venue is closed for now (Meeting Guide
// type TC, "location temporarily closed"): whether the meeting goes on
// online or not, its address is no place to go.
func BuildingClosed(l *protocol.Listing) bool { return slices.Contains(l.Types, "TC") }

// zoneOf is MeetingZone for the index, with the zone's name for the zone
// table (protocol.LoadTimezone keeps zones it loaded).
func (ix *Index) zoneOf(name string) (string, *time.Location) {
	if name == "" {
		return "", ix.defaultZone
	}
	loc, err := protocol.LoadTimezone(name)
	if err != nil {
		// One key for every bad name, so they cannot grow the zone table.
		return invalidZone, time.UTC
	}
	return name, loc
}

// invalidZone is the zone key of listings whose zone cannot be loaded.
const invalidZone = "\x00invalid"

// searchText is the folded text Query.Text searches, and the folded name
// (a prefix of it) that orders ties.
func searchText(l *protocol.Listing) (name, text string) {
	parts := []string{l.Location, l.Group, l.Region, l.SubRegion}
	parts = append(parts, l.Regions...)
	parts = append(parts, l.Notes, l.LocationNotes, l.FormattedAddress)
	if l.FormattedAddress == "" {
		// Listings typed in with the CLI often give the parts instead.
		parts = append(parts, l.Address, l.City)
	}
	var b strings.Builder
	// The name alone, so a newline in it cannot move the cut.
	name = fold(l.Name)
	b.WriteString(name)
	for _, s := range parts {
		if s != "" {
			b.WriteByte('\n')
			b.WriteString(s)
		}
	}
	rest := b.String()[len(name):]
	text = name + fold(rest)
	return text[:len(name)], text
}

func (e *entry) typeIDs() []uint32   { return e.codes[:e.nTypes] }
func (e *entry) langIDs() []uint32   { return e.codes[e.nTypes : e.nTypes+e.nLangs] }
func (e *entry) regionIDs() []uint32 { return e.codes[e.nTypes+e.nLangs:] }

func intern[T uint16 | uint32](m map[string]T, k string, add func() T) T {
	if id, ok := m[k]; ok {
		return id
	}
	id := add()
	m[k] = id
	return id
}

// internCount interns k as the next small integer.
func internCount[T uint16 | uint32](m map[string]T, k string) T {
	if id, ok := m[k]; ok {
		return id
	}
	id := T(len(m))
	m[k] = id
	return id
}
