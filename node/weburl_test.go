package node

import (
	"net"
	"strings"
	"testing"
)

func TestWebURL(t *testing.T) {
	t.Parallel()
	lan := []net.IP{net.ParseIP("192.168.1.10"), net.ParseIP("2001:db8::7")}
	for _, tc := range []struct {
		listen string
		tls    bool
		lan    []net.IP
		want   string
	}{
		{"127.0.0.1:7777", false, lan, "http://127.0.0.1:7777/"},
		{"0.0.0.0:7777", false, lan, "http://192.168.1.10:7777/ http://[2001:db8::7]:7777/"},
		{"[::]:7777", true, lan, "https://192.168.1.10:7777/ https://[2001:db8::7]:7777/"},
		{":7777", false, lan[:1], "http://192.168.1.10:7777/"},
		{"0.0.0.0:7777", false, nil, "http://127.0.0.1:7777/"},
		{"192.168.1.10:443", true, lan, "https://192.168.1.10:443/"},
		{"hub.example.org:443", true, lan, "https://hub.example.org:443/"},
	} {
		if got := strings.Join(webURLs(tc.listen, tc.tls, tc.lan), " "); got != tc.want {
			t.Errorf("%s (TLS %v): %s, want %s", tc.listen, tc.tls, got, tc.want)
		}
	}
	// On this machine: never an address a phone cannot open.
	for _, u := range (Status{Web: "[::]:7777"}).WebURLs() {
		if strings.Contains(u, "[::]") || strings.Contains(u, "0.0.0.0") {
			t.Errorf("WebURLs gave %s", u)
		}
	}
}
