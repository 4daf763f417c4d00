package finder

import (
	"cmp"
	"slices"
	"strings"
	"time"
)

// How Search stays fast: "now" is turned into a minute of the week once per
// zone per query, after which each listing's place in time is integer
// arithmetic on its precomputed start. Cheap filters run first; the text and
// distance checks only for listings that would make the results, which a
// bounded heap decides. Exact times (time.Date, daylight saving and all)
// are worked out only for the results returned.

// Sort keys, in minutes: a meeting in progress gets inProgressKey plus the
// minutes since it started, an upcoming one the minutes until it starts, a
// meeting by appointment appointmentKey; so one integer orders the groups.
const (
	inProgressKey  = -1 << 20
	appointmentKey = 1 << 30
	inactiveKey    = appointmentKey + 1
)

// candidate is a listing that passed the filters, with its sort key.
type candidate struct {
	key  int32
	slot uint32
}

// Search finds the listings matching q and orders them for a member at the
// instant now:
//
//   - meetings in progress first, the most recently started first: one that
//     began five minutes ago is still worth joining, one about to end is not;
//   - then the rest by when they next start, each in its own zone, across
//     the end of the week;
//   - then meetings by appointment, by name;
//   - then meetings not meeting for now (attendance "inactive": a closed
//     building and no way to join online), by name: nobody should walk to
//     a shut door because it came first in a list.
//
// Ties go by name (ignoring case and accents), then ID, so the order is
// stable. Listings whose expires_at has passed are left out: a dead hub's
// meetings fade away even before the node purges them.
func (ix *Index) Search(q Query, now time.Time) []Result {
	s, ok := ix.begin(q, now)
	if !ok {
		return nil
	}
	defer ix.mu.RUnlock()
	for p, page := range ix.pages {
		base := uint32(p * pageSize)
		for j := range min(pageSize, ix.used-base) {
			if c, ok := s.candidate(&page.hot[j], &page.cold[j], base+j); ok && s.admits(c) && s.passesCostly(&page.cold[j]) {
				s.add(c)
			}
		}
	}
	return s.results()
}

// Count is how many listings match q at now: the length of Search(q, now)
// with no limit, without putting them in order.
func (ix *Index) Count(q Query, now time.Time) int {
	s, ok := ix.begin(q, now)
	if !ok {
		return 0
	}
	defer ix.mu.RUnlock()
	n := 0
	for p, page := range ix.pages {
		base := uint32(p * pageSize)
		for j := range min(pageSize, ix.used-base) {
			if _, ok := s.candidate(&page.hot[j], &page.cold[j], base+j); ok && s.passesCostly(&page.cold[j]) {
				n++
			}
		}
	}
	return n
}

// begin readies a search of q at now and, if any listing can match, takes
// the index's read lock, which the caller releases.
func (ix *Index) begin(q Query, now time.Time) (*search, bool) {
	now = now.Round(0) // strip the monotonic reading: times here are wall times
	s, ok := newSearch(q, now, ix.defaultZone)
	if !ok {
		return nil, false
	}
	ix.mu.RLock()
	if !s.resolve(ix) {
		ix.mu.RUnlock()
		return nil, false
	}
	return s, true
}

// candidate is the listing at slot with its sort key, if it passes the
// cheap filters and, for today or tomorrow, sits in that day; the caller
// applies the costly ones (passesCostly) when it needs them.
func (s *search) candidate(h *hotEntry, e *entry, slot uint32) (candidate, bool) {
	if !s.passesHot(h) || s.readsCold && !s.passesCold(e) {
		return candidate{}, false
	}
	c := candidate{key: s.key(h), slot: slot}
	if s.relative && !s.inDays(c.key) {
		return candidate{}, false
	}
	return c, true
}

// search is one Search call's state.
type search struct {
	ix    *Index
	q     Query
	now   time.Time
	nowS  int64 // now in Unix seconds, for expiry
	limit int

	day      int    // weekday; -1: any day
	relative bool   // today or tomorrow: sittings in [from, to), see inDays
	from, to int32  // minutes from now, in real time
	onNow    bool   // meetings in progress count as in the days
	window   [2]int // minutes after midnight; window[0] < 0: any time
	attend   string // canonical attendance; "" any
	text     *textQuery
	geo      *geoQuery
	lang     string
	region   string
	types    []string
	hub      uint32
	hubOnly  bool
	attendID uint32
	langID   uint32
	regionID uint32
	typeIDs  []uint32

	// The masks a listing's hotEntry must cover, and whether some ID is
	// past the masks' exact range so that the entry's codes must decide.
	typeMask, langMask, regionMask uint64
	typeSlow, langSlow, regionSlow bool
	readsCold                      bool // a filter needs the entry, not only the hotEntry

	zones []zoneClock // by zone ID, filled in as listings need them
	found []candidate // a max-heap (worst on top) while limit > 0
}

// newSearch readies the query before the lock is taken: folding text is the
// slowest step and needs no index. hub is the index's zone, which "today"
// is read in. A query no listing can match gives false.
func newSearch(q Query, now time.Time, hub *time.Location) (*search, bool) {
	s := &search{q: q, now: now, nowS: now.Unix(), limit: max(q.Limit, 0), day: -1, window: [2]int{-1, -1}}
	if q.Day != nil {
		switch d := *q.Day; d {
		case Today, Tomorrow:
			s.relative = true
			s.from, s.to, s.onNow = hubDay(hub, now, int(Today-d))
		default:
			wd, ok := d.weekday(hub, now)
			if !ok {
				return nil, false
			}
			s.day = wd
		}
	}
	if q.Attendance != "" {
		a, err := ParseAttendance(q.Attendance)
		if err != nil {
			return nil, false
		}
		s.attend = a
	}
	if q.Window != "" {
		w, err := ParseWindow(q.Window)
		if err != nil {
			return nil, false
		}
		if w != "" {
			s.window = windows[w]
		}
	}
	if strings.TrimSpace(q.Text) != "" {
		t := parseText(q.Text)
		if len(t.words) > 0 {
			s.text = &t
		}
	}
	if q.Near != nil {
		s.geo = newGeoQuery(*q.Near, q.RadiusKm)
	}
	if q.Language != "" {
		s.lang = queryLanguage(q.Language)
	}
	if q.Region != "" {
		s.region = normalizeRegion(q.Region)
	}
	for _, t := range q.Types {
		if t = strings.ToUpper(strings.TrimSpace(t)); t != "" {
			s.types = append(s.types, t)
		}
	}
	return s, true
}

// resolve turns the query's codes into the index's interned IDs. A code the
// index has never seen matches nothing, so the search can stop at once.
func (s *search) resolve(ix *Index) bool {
	s.ix = ix
	var ok bool
	if s.q.Hub != "" {
		if s.hub, ok = ix.hubIDs[s.q.Hub]; !ok {
			return false
		}
		s.hubOnly = true
	}
	if s.attend != "" {
		if s.attendID, ok = ix.attendIDs[s.attend]; !ok {
			return false
		}
	}
	if s.lang != "" {
		if s.langID, ok = ix.langIDs[s.lang]; !ok {
			return false
		}
	}
	if s.region != "" {
		if s.regionID, ok = ix.regionIDs[s.region]; !ok {
			return false
		}
	}
	for _, t := range s.types {
		id, ok := ix.typeIDs[t]
		if !ok {
			return false
		}
		s.typeIDs = append(s.typeIDs, id)
		s.typeMask |= maskBit(id)
		s.typeSlow = s.typeSlow || id >= 63
	}
	if s.lang != "" {
		s.langMask, s.langSlow = maskBit(s.langID), s.langID >= 63
	}
	if s.region != "" {
		s.regionMask, s.regionSlow = maskBit(s.regionID), s.regionID >= 63
	}
	s.readsCold = s.text != nil || s.typeSlow || s.langSlow || s.regionSlow
	s.zones = make([]zoneClock, len(ix.zones))
	return true
}

// passesHot applies the filters that cost a comparison or two and read
// only the hotEntry.
func (s *search) passesHot(h *hotEntry) bool {
	if !h.live || h.cancelled && !s.q.IncludeCancelled {
		return false
	}
	if h.expires != 0 && h.expires <= s.nowS {
		return false
	}
	if s.hubOnly && h.hub != s.hub {
		return false
	}
	if s.day >= 0 && int(h.day) != s.day {
		return false
	}
	if s.window[0] >= 0 && !inWindow(int(h.startMin), s.window) {
		return false
	}
	if s.attend != "" && h.attendance != s.attendID {
		return false
	}
	if h.typeMask&s.typeMask != s.typeMask || h.langMask&s.langMask != s.langMask || h.regionMask&s.regionMask != s.regionMask {
		return false
	}
	if s.geo != nil && s.geo.radiusKm > 0 && !s.geo.inBox(h) {
		return false
	}
	return true
}

// passesCold applies the cheap filters that need the entry: codes past the
// masks' range, and the text signature.
func (s *search) passesCold(e *entry) bool {
	if s.langSlow && !slices.Contains(e.langIDs(), s.langID) {
		return false
	}
	if s.regionSlow && !slices.Contains(e.regionIDs(), s.regionID) {
		return false
	}
	if s.typeSlow {
		for _, t := range s.typeIDs {
			if _, found := slices.BinarySearch(e.typeIDs(), t); !found {
				return false
			}
		}
	}
	if s.text != nil && !e.sig.covers(&s.text.sig) {
		return false
	}
	return true
}

// passesCostly applies the filters that read text or need trigonometry.
func (s *search) passesCostly(e *entry) bool {
	if s.text != nil && !s.text.matches(e.text) {
		return false
	}
	if s.geo != nil && s.geo.radiusKm > 0 && s.geo.distanceKm(e) > s.geo.radiusKm {
		return false
	}
	return true
}

func inWindow(startMin int, w [2]int) bool {
	if startMin < 0 {
		return false // by appointment: no time of day
	}
	if w[0] < w[1] {
		return startMin >= w[0] && startMin < w[1]
	}
	return startMin >= w[0] || startMin < w[1]
}

// hubDay is the span of the hub's day offset days after now's (0 today,
// 1 tomorrow), in real minutes from now's minute: what is left of today,
// from now to the hub's midnight, or the whole of tomorrow, daylight
// saving and all. Meetings in progress count as today's (onNow).
func hubDay(hub *time.Location, now time.Time, offset int) (from, to int32, onNow bool) {
	minute := now.Truncate(time.Minute)
	y, m, d := minute.In(hub).Date()
	minutesTo := func(days int) int32 {
		return int32(time.Date(y, m, d+days, 0, 0, 0, 0, hub).Sub(minute) / time.Minute)
	}
	if offset == 0 {
		return 0, minutesTo(1), true
	}
	return minutesTo(offset), minutesTo(offset + 1), false
}

// inDays reports whether a listing with sort key k sits in the relative
// days the query asks for: it is in progress and those days are today, or
// its next sitting starts within [from, to).
func (s *search) inDays(k int32) bool {
	switch {
	case k >= appointmentKey: // by appointment, or not meeting for now
		return false
	case k < 0:
		return s.onNow
	}
	return k >= s.from && k < s.to
}

// key is e's sort key at s.now.
func (s *search) key(e *hotEntry) int32 {
	switch {
	case e.inactive:
		return inactiveKey
	case e.day < 0:
		return appointmentKey
	}
	z := s.zone(e.zone)
	// Wall minutes since the latest start at or before now, within a week.
	ago := mod(z.minuteOfWeek-int32(e.startMow), minutesPerWeek)
	if elapsed := max(-z.realMinutes(-ago), 0); elapsed < int32(e.span) {
		return inProgressKey + elapsed
	}
	until := mod(int32(e.startMow)-z.minuteOfWeek, minutesPerWeek)
	if until == 0 {
		until = minutesPerWeek // only if span were 0: next week's
	}
	return max(z.realMinutes(until), 1)
}

func mod(a, n int32) int32 {
	a %= n
	if a < 0 {
		a += n
	}
	return a
}

// less orders candidates: by key, then name, then ID.
func (s *search) less(a, b candidate) bool {
	if a.key != b.key {
		return a.key < b.key
	}
	ea, eb := s.ix.at(a.slot), s.ix.at(b.slot)
	if c := strings.Compare(ea.name, eb.name); c != 0 {
		return c < 0
	}
	return ea.id < eb.id
}

// admits reports whether c would be kept: always with no limit, else if the
// heap has room or c beats its worst.
func (s *search) admits(c candidate) bool {
	return s.limit == 0 || len(s.found) < s.limit || s.less(c, s.found[0])
}

// add keeps c; with a limit, s.found is a max-heap of the best so far.
func (s *search) add(c candidate) {
	if s.limit == 0 {
		s.found = append(s.found, c)
		return
	}
	if len(s.found) < s.limit {
		s.found = append(s.found, c)
		s.up(len(s.found) - 1)
		return
	}
	s.found[0] = c
	s.down(0)
}

func (s *search) up(i int) {
	h := s.found
	for i > 0 {
		p := (i - 1) / 2
		if !s.less(h[p], h[i]) {
			return
		}
		h[p], h[i] = h[i], h[p]
		i = p
	}
}

func (s *search) down(i int) {
	h := s.found
	for {
		worst := i
		for _, c := range [2]int{2*i + 1, 2*i + 2} {
			if c < len(h) && s.less(h[worst], h[c]) {
				worst = c
			}
		}
		if worst == i {
			return
		}
		h[i], h[worst] = h[worst], h[i]
		i = worst
	}
}

// results turns the candidates kept into Results, with exact times, in
// order.
func (s *search) results() []Result {
	if len(s.found) == 0 {
		return nil
	}
	type ranked struct {
		Result
		e *entry
	}
	out := make([]ranked, len(s.found))
	for i, c := range s.found {
		h, e := s.ix.hotAt(c.slot), s.ix.at(c.slot)
		r := Result{Listing: e.listing, DistanceKm: -1, Inactive: h.inactive}
		if h.day >= 0 && !h.inactive {
			r.Next, r.InProgress = s.zone(h.zone).occurrence(h, s.now)
		}
		if s.geo != nil && h.hasPos {
			r.DistanceKm = s.geo.distanceKm(e)
		}
		out[i] = ranked{r, e}
	}
	// Sorted by the exact times, which differ from the keys' only when a
	// daylight-saving change falls inside the week ahead.
	group := func(r *ranked) int {
		switch {
		case r.Inactive:
			return 3
		case r.InProgress:
			return 0
		case r.Next.IsZero():
			return 2
		}
		return 1
	}
	slices.SortFunc(out, func(a, b ranked) int {
		ga, gb := group(&a), group(&b)
		if c := cmp.Compare(ga, gb); c != 0 {
			return c
		}
		if c := a.Next.Compare(b.Next); c != 0 {
			if ga == 0 {
				return -c // in progress: latest start first
			}
			return c
		}
		if c := strings.Compare(a.e.name, b.e.name); c != 0 {
			return c
		}
		return strings.Compare(a.e.id, b.e.id)
	})
	results := make([]Result, len(out))
	for i := range out {
		results[i] = out[i].Result
	}
	return results
}
