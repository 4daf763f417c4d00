package web

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"hearth/node/members"
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
	mu    sync.Mutex
	bytes float64
	urls  map[network.RequestID]string
	done  []string
}

func (m *transferMeter) reset() {
	m.mu.Lock()
	m.bytes, m.urls, m.done = 0, map[network.RequestID]string{}, nil
	m.mu.Unlock()
}

func (m *transferMeter) read() (float64, []string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.bytes, m.done
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
	acct, err := n.Members().Add(context.Background(), "river", "246813")
	if err != nil {
		b.Fatal(err)
	}
	// A plan as a member writes one: a few lines a step.
	if _, err := acct.EditSafetyPlan(members.PlanEdit{
		members.StepWarningSigns:  {"not sleeping", "staying away from people", "payday"},
		members.StepAlone:         {"walk to the river", "a cold shower", "the radio"},
		members.StepPeoplePlaces:  {"Joy's house", "the Tuesday meeting"},
		members.StepAsk:           {"Mum 0722 123 456", "Joy, my sponsor: 0733 987 654"},
		members.StepProfessionals: {"Dr Osei, Riverside clinic: +254 20 272 6300"},
		members.StepSafer:         {"give the pills to Joy"},
	}); err != nil {
		b.Fatal(err)
	}
	acct.MarkMeeting(ms[0].ID, true)
	acct.MarkMeeting(ms[1].ID, true)

	meter := &transferMeter{}
	meter.reset()
	if err := chromedp.Listen(ctx, func(ev any) {
		meter.mu.Lock()
		defer meter.mu.Unlock()
		switch ev := ev.(type) {
		case *network.EventRequestWillBeSent:
			meter.urls[ev.RequestID] = strings.TrimPrefix(ev.Request.URL, base)
		case *network.EventLoadingFinished:
			// Only requests of this load: a straggler of the last one is
			// not in urls, which reset emptied.
			if u, ok := meter.urls[ev.RequestID]; ok {
				meter.bytes += ev.EncodedDataLength
				meter.done = append(meter.done, u)
			}
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

	load := func(path string) (time.Duration, float64, []string) {
		meter.reset()
		start := time.Now()
		if err := chromedp.Do(ctx, chromedp.Navigate(base+path)); err != nil {
			b.Fatalf("load %s: %v", path, err)
		}
		elapsed := time.Since(start)
		bytes, urls := meter.read()
		return elapsed, bytes, urls
	}
	type weight struct {
		name  string
		bytes float64
	}
	var weights []weight
	measure := func(name, path string) {
		d, bytes, urls := load(path)
		weights = append(weights, weight{name, bytes})
		b.Logf("%-15s %6.0f B, %v under 2G: %s", name, bytes, d.Round(time.Millisecond), strings.Join(urls, " "))
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
		measure(p.name, p.path)
	}
	// And the member pages, signed in.
	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/signin"),
		chromedp.SendKeys(chromedp.ID("nick"), "river"),
		chromedp.SendKeys(chromedp.ID("pin"), "246813")); err != nil {
		b.Fatal(err)
	}
	if _, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS("main form button[type=submit]"))); err != nil {
		b.Fatal(err)
	}
	measure("checkin", "/checkin")
	measure("me", "/me")
	measure("plan", "/me/plan")
	measure("plan-edit", "/me/plan/edit")
	measure("buddies", "/me/buddies")
	measure("my-meetings", "/me/meetings")

	var home, list time.Duration
	b.ResetTimer()
	for b.Loop() {
		d, _, _ := load("/")
		home += d
		d, _, _ = load("/meetings")
		list += d
	}
	b.StopTimer()
	// Reported after the loop: ResetTimer drops metrics reported before it.
	for _, w := range weights {
		b.ReportMetric(w.bytes, "B/"+w.name)
	}
	b.ReportMetric(float64(home.Milliseconds())/float64(b.N), "ms-2G/home")
	b.ReportMetric(float64(list.Milliseconds())/float64(b.N), "ms-2G/meetings")
	b.Log(strings.TrimSpace(fmt.Sprintf("2G load, mean of %d: / %v, /meetings %v", b.N,
		(home / time.Duration(b.N)).Round(time.Millisecond), (list / time.Duration(b.N)).Round(time.Millisecond))))
}
