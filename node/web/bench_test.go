package web

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// Emulated 2G, as Chromium's throttling does it: about 250 kbit/s down,
// 50 kbit/s up, 300 ms round trip.
const (
	twoGDown    = 250 * 1000 / 8 // bytes per second
	twoGUp      = 50 * 1000 / 8
	twoGLatency = 300 // ms
)

// transferMeter adds up the bytes on the wire (headers included, after
// compression) of every request a page load makes.
type transferMeter struct {
	mu       sync.Mutex
	bytes    float64
	requests int
}

func (m *transferMeter) reset() {
	m.mu.Lock()
	m.bytes, m.requests = 0, 0
	m.mu.Unlock()
}

func (m *transferMeter) read() (float64, int) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.bytes, m.requests
}

// BenchmarkPageWeight2G reports the transfer size of each page (a cold
// load: no cache) and the time to the load event of / and /meetings under
// emulated 2G. It only reports; it never fails on a time.
//
//	go test -run '^$' -bench PageWeight2G -benchtime 3x ./node/web
func BenchmarkPageWeight2G(b *testing.B) {
	ctx := newTab(b)
	n, base := runningHub(b)
	ms := addSoonMeetings(b, n, 24)
	if err := n.Members().Add("river", "2468"); err != nil {
		b.Fatal(err)
	}

	meter := &transferMeter{}
	if err := chromedp.Listen(ctx, func(ev any) {
		if ev, ok := ev.(*network.EventLoadingFinished); ok {
			meter.mu.Lock()
			meter.bytes += ev.EncodedDataLength
			meter.requests++
			meter.mu.Unlock()
		}
	}); err != nil {
		b.Fatal(err)
	}
	throttle := chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		if _, err := chromedp.Call(ctx, network.Enable, network.EnableParams{}); err != nil {
			return err
		}
		if _, err := chromedp.Call(ctx, network.SetCacheDisabled, network.SetCacheDisabledParams{CacheDisabled: true}); err != nil {
			return err
		}
		_, err := chromedp.Call(ctx, network.EmulateNetworkConditionsByRule, network.EmulateNetworkConditionsByRuleParams{
			MatchedNetworkConditions: []*network.Conditions{{
				Latency: twoGLatency, DownloadThroughput: twoGDown, UploadThroughput: twoGUp,
				ConnectionType: network.ConnectionTypeCellular2g,
			}},
		})
		return err
	})
	if err := chromedp.Do(ctx, throttle); err != nil {
		b.Fatalf("emulate 2G: %v", err)
	}

	load := func(path string) (time.Duration, float64, int) {
		meter.reset()
		start := time.Now()
		if err := chromedp.Do(ctx, chromedp.Navigate(base+path)); err != nil {
			b.Fatalf("load %s: %v", path, err)
		}
		elapsed := time.Since(start)
		bytes, reqs := meter.read()
		return elapsed, bytes, reqs
	}

	// Transfer size of every page a visitor sees, once.
	pages := []struct{ name, path string }{
		{"home", "/"},
		{"meetings", "/meetings"},
		{"meetings-today", "/meetings?day=today"},
		{"meeting", meetingURL(ms[0].ID)},
		{"help", "/help"},
		{"signin", "/signin"},
	}
	for _, p := range pages {
		d, bytes, reqs := load(p.path)
		b.ReportMetric(bytes, "B/"+p.name)
		b.Logf("%-15s %6.0f B in %d requests, %v under 2G", p.name, bytes, reqs, d.Round(time.Millisecond))
	}
	// And the member pages, signed in.
	form := url.Values{"nick": {"river"}, "pin": {"2468"}}
	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/signin"),
		chromedp.SendKeys(chromedp.ID("nick"), form.Get("nick")),
		chromedp.SendKeys(chromedp.ID("pin"), form.Get("pin"))); err != nil {
		b.Fatal(err)
	}
	if _, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS("main form button[type=submit]"))); err != nil {
		b.Fatal(err)
	}
	for _, p := range []struct{ name, path string }{{"checkin", "/checkin"}, {"me", "/me"}} {
		d, bytes, reqs := load(p.path)
		b.ReportMetric(bytes, "B/"+p.name)
		b.Logf("%-15s %6.0f B in %d requests, %v under 2G", p.name, bytes, reqs, d.Round(time.Millisecond))
	}

	var home, list time.Duration
	b.ResetTimer()
	for b.Loop() {
		d, _, _ := load("/")
		home += d
		d, _, _ = load("/meetings")
		list += d
	}
	b.StopTimer()
	b.ReportMetric(float64(home.Milliseconds())/float64(b.N), "ms-2G/home")
	b.ReportMetric(float64(list.Milliseconds())/float64(b.N), "ms-2G/meetings")
	b.Log(strings.TrimSpace(fmt.Sprintf("2G load, mean of %d: / %v, /meetings %v", b.N,
		(home / time.Duration(b.N)).Round(time.Millisecond), (list / time.Duration(b.N)).Round(time.Millisecond))))
}
