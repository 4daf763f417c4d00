package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"hearth/node"
)

// BenchmarkPINFlood starts `hearth run` (members.self_signup on) and
// fires at its member page at once, each request from its own loopback
// address (127.0.0.2, 127.0.0.3 ...) so no per-client limit stops it:
//
//   - signups-30: 30 sign-ups;
//   - wrong-PINs-40: 40 wrong PINs at 40 nicknames;
//   - one-client-40-nicknames: 40 wrong PINs at 40 nicknames from one address;
//   - one-client-one-member-40: 40 wrong PINs at one member from one address.
//
// It reports the node's resident memory before (idle-RSS-MiB) and its
// peak during the flood (peak-RSS-MiB), how many requests had a PIN
// checked or an account made (checked), were told to wait (429) or that
// the hub was busy (503), and how long the flood took. Each argon2id
// derivation holds 19 MiB, so the peak shows how many ran at once.
func BenchmarkPINFlood(b *testing.B) {
	for _, sc := range []struct {
		name    string
		clients int
		signup  bool
		nick    func(i int) string
	}{
		{"signups-30", 30, true, func(i int) string { return fmt.Sprintf("new%d", i) }},
		{"wrong-PINs-40", 40, false, func(i int) string { return fmt.Sprintf("guess%d", i) }},
		{"one-client-40-nicknames", 1, false, func(i int) string { return fmt.Sprintf("guess%d", i) }},
		{"one-client-one-member-40", 1, false, func(int) string { return "kofi" }},
	} {
		b.Run(sc.name, func(b *testing.B) {
			for b.Loop() {
				b.StopTimer()
				dir := b.TempDir()
				mustRun(b, dir, nil, "init")
				cfg, _ := os.ReadFile(node.ConfigPath(dir))
				os.WriteFile(node.ConfigPath(dir), []byte(strings.Replace(string(cfg), "self_signup = false", "self_signup = true", 1)), 0o600)
				mustRun(b, dir, []string{"HEARTH_PIN=808642"}, "members", "add", "kofi")
				n, _ := startBenchNode(b, dir)
				page := regexp.MustCompile(`member page: (\S+)`).FindStringSubmatch(n.stdout.String())[1]
				time.Sleep(settle)
				b.ReportMetric(mib(procStatus(b, n, "VmRSS")), "idle-RSS-MiB")

				requests := 40
				if sc.signup {
					requests = 30
				}
				forms := make([]*floodClient, requests)
				for i := range forms {
					forms[i] = newFloodClient(b, page, fmt.Sprintf("127.0.0.%d", 2+i%sc.clients), sc.signup, sc.nick(i))
				}
				counts := map[int]int{}
				var mu sync.Mutex
				var wg sync.WaitGroup
				start := time.Now()
				b.StartTimer()
				for _, f := range forms {
					wg.Go(func() {
						code := f.post(b)
						mu.Lock()
						counts[code]++
						mu.Unlock()
					})
				}
				wg.Wait()
				b.StopTimer()
				b.ReportMetric(time.Since(start).Seconds(), "flood-s")
				b.ReportMetric(mib(procStatus(b, n, "VmHWM")), "peak-RSS-MiB")
				b.ReportMetric(float64(counts[http.StatusSeeOther]+counts[http.StatusUnauthorized]), "checked")
				b.ReportMetric(float64(counts[http.StatusTooManyRequests]), "429")
				b.ReportMetric(float64(counts[http.StatusServiceUnavailable]), "503")
				for code := range counts {
					if code != http.StatusSeeOther && code != http.StatusUnauthorized && code != http.StatusTooManyRequests && code != http.StatusServiceUnavailable {
						b.Errorf("%d answers with status %d", counts[code], code)
					}
				}
				n.kill()
				b.StartTimer()
			}
		})
	}
}

// mustRun is mustHearth for a benchmark.
func mustRun(b *testing.B, dir string, env []string, args ...string) {
	b.Helper()
	if r, err := runHearth(dir, env, args...); err != nil || r.code != 0 {
		b.Fatalf("hearth %v: %v %s", args, err, r)
	}
}

// floodClient is one phone: its own source address and cookies, with the
// form it will post already loaded.
type floodClient struct {
	http   *http.Client
	target string
	form   url.Values
}

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

func newFloodClient(b *testing.B, page, source string, signup bool, nick string) *floodClient {
	b.Helper()
	jar, _ := cookiejar.New(nil)
	dialer := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(source)}}
	c := &floodClient{http: &http.Client{
		Jar:     jar,
		Timeout: time.Minute,
		Transport: &http.Transport{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			return dialer.DialContext(ctx, network, addr)
		}},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
	path := "signin"
	c.form = url.Values{"nick": {nick}, "pin": {"000000"}}
	if signup {
		path = "signup"
		c.form = url.Values{"nick": {nick}, "pin": {"730518"}, "pin2": {"730518"}}
	}
	c.target = page + path
	res, err := c.http.Get(c.target)
	if err != nil {
		b.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	m := csrfField.FindSubmatch(body)
	if m == nil {
		b.Fatalf("GET %s from %s: %d, no form", c.target, source, res.StatusCode)
	}
	c.form.Set("csrf", string(m[1]))
	return c
}

func (c *floodClient) post(b *testing.B) int {
	res, err := c.http.PostForm(c.target, c.form)
	if err != nil {
		b.Error(err)
		return 0
	}
	io.Copy(io.Discard, res.Body)
	res.Body.Close()
	return res.StatusCode
}
