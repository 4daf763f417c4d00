package meetingguide

import (
	"bytes"
	"os"
	"testing"

	"hearth/protocol/meetingguide/meetingguidetest"
)

func benchmarkDecode(b *testing.B, feed []byte, meetings int) {
	b.SetBytes(int64(len(feed)))
	b.ReportAllocs()
	for b.Loop() {
		res, err := Decode(bytes.NewReader(feed), DecodeOptions{Providers: DefaultProviders})
		if err != nil || len(res.Listings) != meetings {
			b.Fatalf("%v, %d listings; want %d", err, len(res.Listings), meetings)
		}
	}
	b.ReportMetric(float64(meetings*b.N)/b.Elapsed().Seconds(), "meetings/s")
}

// BenchmarkDecodeMarin decodes a real feed of 658 meetings.
func BenchmarkDecodeMarin(b *testing.B) {
	feed, err := os.ReadFile("testdata/aasfmarin.json")
	if err != nil {
		b.Fatal(err)
	}
	benchmarkDecode(b, feed, 658)
}

// BenchmarkDecode100k decodes a generated feed of 100,000 meetings, the
// size of a large region's combined feeds.
func BenchmarkDecode100k(b *testing.B) {
	const n = 100_000
	benchmarkDecode(b, meetingguidetest.Feed(n), n)
}

// BenchmarkEncode100k encodes 100,000 listings, as a hub serving a large
// feed does.
func BenchmarkEncode100k(b *testing.B) {
	const n = 100_000
	res := decodeBytes(b, meetingguidetest.Feed(n))
	b.ReportAllocs()
	for b.Loop() {
		if err := Encode(discard{}, res.Listings); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "meetings/s")
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }
