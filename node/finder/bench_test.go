package finder

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"hearth/protocol"
)

// Generated listings for benchmarks and property tests: a federation of
// hubs in ten cities and time zones, deterministic for a given seed.

type city struct {
	name, region, zone, lang string
	lat, lon                 float64
}

var cities = []city{
	{"London", "England", "Europe/London", "en", 51.5074, -0.1278},
	{"Los Angeles", "California", "America/Los_Angeles", "en", 34.0522, -118.2437},
	{"New York", "New York", "America/New_York", "en", 40.7128, -74.0060},
	{"Tokyo", "Kantō", "Asia/Tokyo", "ja", 35.6762, 139.6503},
	{"Lagos", "Lagos", "Africa/Lagos", "en", 6.5244, 3.3792},
	{"Nairobi", "Nairobi", "Africa/Nairobi", "sw", -1.2921, 36.8219},
	{"Saint-Denis", "Réunion", "Indian/Reunion", "fr", -20.8821, 55.4507},
	{"São Paulo", "São Paulo", "America/Sao_Paulo", "pt", -23.5505, -46.6333},
	{"Mumbai", "Maharashtra", "Asia/Kolkata", "hi", 19.0760, 72.8777},
	{"Sydney", "New South Wales", "Australia/Sydney", "en", -33.8688, 151.2093},
}

var (
	genAdjectives = strings.Fields("New Serenity Hope Sunrise Sunset Daily Open Living Freedom Early Late Sober Steps Happy Destiny Peace Courage Acceptance Gratitude Unity Recovery Friday Monday Women's Men's Young Primary Purpose Keep Simple Easy Does First Things")
	genNouns      = strings.Fields("Group Meeting Circle Fellowship Gathering Club Corner Table House Room Step Study Speakers Discussion Beginners")
	genPlaces     = strings.Fields("Church Hall Library Community Centre Clinic School Mosque Temple Hospital Annexe Basement Chapel Rooms Library Youth Club")
	genSaints     = strings.Fields("Mary Paul John Peter Andrew Luke Mark Anne Joseph Francis Thomas James Michael Bridget Patrick")
	genNoteWords  = strings.Fields("please use the side door rear entrance parking available on street wheelchair access step free bring your own book newcomers welcome coffee tea served literature table chip anniversary last friday of month speaker meeting format discussion topic shared reading big book twelve traditions steps closed open to all anyone with a desire to stop ring bell at gate second floor lift available near bus stop train station quiet please no children allowed masks optional")
	genTypes      = strings.Fields("O C D B SP ST W M Y LGBTQ BE X XB BA MED LIT 11 12x12 TR GR CF A DR H CAN FF ONL")
	genStreets    = strings.Fields("High Station Church Market Mill Park Victoria King Queen New Main Bridge Hill")
	genDistricts  = strings.Fields("North South East West Central Old Town Riverside Harbour Hillside Uptown Downtown Garden")
)

func pick[T any](r *rand.Rand, xs []T) T { return xs[r.IntN(len(xs))] }

// generate makes n listings, the same ones for the same seed.
func generate(n int, seed uint64) []*protocol.Listing {
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	hubs := make([]string, 40)
	for i := range hubs {
		hubs[i] = fmt.Sprintf("12D3KooWHub%03d", i)
	}
	issued := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	out := make([]*protocol.Listing, n)
	for i := range out {
		c := pick(r, cities)
		l := &protocol.Listing{
			Version: protocol.SchemaVersion, Hub: pick(r, hubs), Slug: fmt.Sprintf("m-%06d", i), Seq: 1,
			IssuedAt: issued, ExpiresAt: issued.Add(protocol.MaxLifetime),
			Name:     pick(r, genAdjectives) + " " + pick(r, genAdjectives) + " " + pick(r, genNouns),
			Timezone: c.zone, Region: c.region, SubRegion: pick(r, genDistricts) + " " + c.name,
			Location: "St " + pick(r, genSaints) + "'s " + pick(r, genPlaces),
			Language: c.lang,
		}
		if r.IntN(100) >= 3 {
			l.Day = intp(r.IntN(7))
			start := 6*60 + r.IntN(17*4)*15 // 06:00 to 22:45
			l.Time = fmt.Sprintf("%02d:%02d", start/60, start%60)
			if r.IntN(2) == 0 {
				end := start + 60 + 30*r.IntN(2)
				l.EndTime = fmt.Sprintf("%02d:%02d", end/60%24, end%60)
			}
		}
		for range 1 + r.IntN(5) {
			if t := pick(r, genTypes); !slices.Contains(l.Types, t) {
				l.Types = append(l.Types, t)
			}
		}
		if r.IntN(10) == 0 {
			l.Language = "es"
		}
		if r.IntN(20) == 0 {
			l.Types = append(l.Types, "S")
		}
		words := make([]string, 8+r.IntN(20))
		for j := range words {
			words[j] = pick(r, genNoteWords)
		}
		l.Notes = strings.Join(words, " ")
		if r.IntN(5) == 0 {
			l.ConferenceURL = "https://meet.example.org/" + l.Slug
		}
		if r.IntN(100) < 85 {
			// Spread over about 40 km around the city centre.
			lat := c.lat + (r.Float64()-0.5)*0.7
			lon := c.lon + (r.Float64()-0.5)*0.7/math.Cos(radians(c.lat))
			l.Latitude, l.Longitude = &lat, &lon
			l.FormattedAddress = fmt.Sprintf("%d %s Street, %s, %s, %s", 1+r.IntN(200), pick(r, genStreets), c.name, c.region, "Earth")
		}
		if r.IntN(50) == 0 {
			l.Cancelled = true
		}
		out[i] = l
	}
	return out
}

var (
	benchOnce     sync.Once
	benchListings []*protocol.Listing
	benchIndex    *Index
)

const benchSize = 100_000

func benchData() (*Index, []*protocol.Listing) {
	benchOnce.Do(func() {
		benchListings = generate(benchSize, 1)
		benchIndex = New()
		for _, l := range benchListings {
			benchIndex.Put(l)
		}
	})
	return benchIndex, benchListings
}

// benchQueries are the common queries: what the member page and the CLI ask
// most. Each gets a different "now" and place on each run, so no run is
// answered from a warm path the last one left.
var benchQueries = []struct {
	name  string
	query func(i int) Query
}{
	{"next20", func(int) Query { return Query{Limit: 20} }},
	{"near5km", func(i int) Query {
		c := cities[i%len(cities)]
		return Query{Near: &Point{c.lat + 0.01*float64(i%7), c.lon}, RadiusKm: 5, Limit: 20}
	}},
	{"text", func(i int) Query {
		return Query{Text: []string{"serenity", "reunion", "step study", "wheelchair", "bridget chapel"}[i%5], Limit: 20}
	}},
	{"type+language", func(i int) Query {
		return Query{Types: []string{[]string{"W", "BE", "SP"}[i%3]}, Language: "es", Limit: 20}
	}},
}

func benchNow(i int) time.Time {
	return time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(i*7919) * time.Second % (7 * 24 * time.Hour))
}

// BenchmarkSearch times the common queries over 100,000 listings and
// reports the median and 95th percentile of single queries (p50-ms,
// p95-ms): the figure a member waiting on a page feels.
func BenchmarkSearch(b *testing.B) {
	ix, _ := benchData()
	for _, bq := range benchQueries {
		b.Run(bq.name, func(b *testing.B) {
			var took []time.Duration
			i := 0
			for b.Loop() {
				q, now := bq.query(i), benchNow(i)
				start := time.Now()
				rs := ix.Search(q, now)
				took = append(took, time.Since(start))
				if len(rs) == 0 {
					b.Fatalf("%s: no results", bq.name)
				}
				i++
			}
			reportPercentiles(b, took)
		})
	}
	// Not a common query, but the CLI's `meetings list` with no limit.
	b.Run("all", func(b *testing.B) {
		var took []time.Duration
		i := 0
		for b.Loop() {
			start := time.Now()
			ix.Search(Query{}, benchNow(i))
			took = append(took, time.Since(start))
			i++
		}
		reportPercentiles(b, took)
	})
}

// BenchmarkCount times the true count the member page shows beside a page
// of results (Count, a second pass), for the same common queries, and for
// "today" (the hub's day, read from each listing's next sitting).
func BenchmarkCount(b *testing.B) {
	ix, _ := benchData()
	today := Today
	queries := append(slices.Clone(benchQueries), struct {
		name  string
		query func(i int) Query
	}{"today", func(int) Query { return Query{Day: &today, Limit: 20} }})
	for _, bq := range queries {
		b.Run(bq.name, func(b *testing.B) {
			var took []time.Duration
			i := 0
			for b.Loop() {
				q, now := bq.query(i), benchNow(i)
				start := time.Now()
				n := ix.Count(q, now)
				took = append(took, time.Since(start))
				if n == 0 {
					b.Fatalf("%s: none counted", bq.name)
				}
				i++
			}
			reportPercentiles(b, took)
		})
	}
}

func reportPercentiles(b *testing.B, took []time.Duration) {
	if len(took) == 0 {
		return
	}
	slices.Sort(took)
	at := func(p float64) float64 {
		return float64(took[min(int(p*float64(len(took))), len(took)-1)]) / float64(time.Millisecond)
	}
	b.ReportMetric(at(0.50), "p50-ms")
	b.ReportMetric(at(0.95), "p95-ms")
}

// BenchmarkIndexMemory reports the heap the index takes for 100,000
// listings, beyond the listings themselves (which the node holds anyway),
// and the time to build it.
func BenchmarkIndexMemory(b *testing.B) {
	ls := generate(benchSize, 2)
	var ix *Index
	for b.Loop() {
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		ix = New()
		for _, l := range ls {
			ix.Put(l)
		}
		runtime.GC()
		runtime.ReadMemStats(&after)
		b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/float64(len(ls)), "index-B/listing")
	}
	runtime.KeepAlive(ix)
	runtime.KeepAlive(ls)
}

// BenchmarkPut is the cost of indexing one listing: what a sync of
// thousands of listings adds.
func BenchmarkPut(b *testing.B) {
	ls := generate(10_000, 3)
	ix := New()
	i := 0
	for b.Loop() {
		ix.Put(ls[i%len(ls)])
		i++
	}
}

// With generated data, every common query with a limit returns the first
// results of the same query without one: the short cuts (skipping the
// text and distance checks for listings that cannot make the results) lose
// nothing.
func TestLimitIsAPrefix(t *testing.T) {
	ls := generate(5000, 7)
	ix := New()
	for _, l := range ls {
		ix.Put(l)
	}
	queries := []Query{
		{}, {Text: "serenity"}, {Text: "step st"}, {Text: "chapel bridget"}, {Text: "reunion"},
		{Near: &Point{51.5074, -0.1278}, RadiusKm: 5}, {Near: &Point{-20.8821, 55.4507}, RadiusKm: 8, Text: "hall"},
		{Types: []string{"W"}, Language: "es"}, {Region: "reunion", Window: "evening"}, {Attendance: "hybrid", Day: dayp(3)},
		{IncludeCancelled: true, Text: "group"},
	}
	for qi, q := range queries {
		for i := range 5 {
			now := benchNow(i * 37)
			all := ix.Search(q, now)
			if len(all) == 0 {
				t.Errorf("query %d %+v finds nothing: a weak test", qi, q)
				continue
			}
			for _, n := range []int{1, 20, len(all) + 5} {
				q := q
				q.Limit = n
				got := ids(ix.Search(q, now))
				want := ids(all[:min(n, len(all))])
				if !slices.Equal(got, want) {
					t.Fatalf("query %d %+v limit %d at %v:\n got %v\nwant %v", qi, q, n, now, got, want)
				}
			}
		}
	}
}

// Writers and readers at once: run with -race.
func TestConcurrentPutAndSearch(t *testing.T) {
	ls := generate(2000, 11)
	ix := New()
	for _, l := range ls[:1000] {
		ix.Put(l)
	}
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for w := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; ; i += 2 {
				select {
				case <-stop:
					return
				default:
				}
				l := ls[i%len(ls)]
				if i%5 == 0 {
					ix.Delete(l.ID())
				} else {
					ix.Put(l)
				}
			}
		}()
	}
	now := benchNow(0)
	for i := range 200 {
		for _, bq := range benchQueries {
			for _, r := range ix.Search(bq.query(i), now) {
				if r.Listing == nil || r.Listing.Name == "" {
					t.Fatal("a result with no listing")
				}
			}
		}
		ix.Len()
		ix.Get(ls[i].ID())
	}
	close(stop)
	wg.Wait()
}
