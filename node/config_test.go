package node

import (
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the repository's config.toml from DefaultTOML")

// The repository's config.toml is every key at its default: loading it
// must give DefaultConfig, and it must be what DefaultTOML writes.
func TestRepoConfigIsTheDefaults(t *testing.T) {
	path := filepath.Join("..", "config.toml")
	if *update {
		if err := os.WriteFile(path, DefaultTOML(""), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := LoadConfig(path)
	if err != nil {
		t.Fatal(err)
	}
	if want := DefaultConfig(); !reflect.DeepEqual(got, want) {
		t.Fatalf("config.toml loads as\n%+v\nwant the defaults\n%+v", got, want)
	}
	data, _ := os.ReadFile(path)
	if string(data) != string(DefaultTOML("")) {
		t.Fatal("config.toml differs from DefaultTOML: run go test ./node -run TestRepoConfig -update")
	}
	for _, line := range strings.Split(string(data), "\n") {
		if k, _, ok := strings.Cut(line, " = "); ok && !strings.HasPrefix(k, "#") {
			if !strings.Contains(string(data), "\n# ") {
				t.Fatalf("key %s has no comment", k)
			}
		}
	}
}

// TestPlainHTTPBeyondThisMachine: a page other devices can reach is
// served without TLS only when the operator says so.
func TestPlainHTTPBeyondThisMachine(t *testing.T) {
	t.Parallel()
	for listen, loopback := range map[string]bool{
		"127.0.0.1:7777": true, "localhost:7777": true, "[::1]:7777": true, "127.0.0.2:80": true,
		"0.0.0.0:7777": false, "[::]:7777": false, ":7777": false, "192.168.1.10:7777": false, "hub.lan:7777": false,
	} {
		c := DefaultConfig()
		c.Web.Listen = listen
		if err := c.Validate(); (err == nil) != loopback {
			t.Errorf("%s without TLS: %v", listen, err)
		}
		c.Web.AllowPlainHTTPOnLAN = true
		if err := c.Validate(); err != nil {
			t.Errorf("%s with allow_plain_http_on_lan: %v", listen, err)
		}
		c.Web.AllowPlainHTTPOnLAN = false
		c.Web.TLSCert, c.Web.TLSKey = "cert.pem", "key.pem"
		if err := c.Validate(); err != nil {
			t.Errorf("%s with TLS: %v", listen, err)
		}
	}
}

func TestLoadConfigErrors(t *testing.T) {
	cases := map[string]struct{ toml, want string }{
		"syntax":                {"name = \"a\"\n[web]\nlisten = = 3\n", "config.toml:3:"},
		"unknown key":           {"[web]\nlisen = \"127.0.0.1:1\"\n", `unknown key "web.lisen"`},
		"wrong type":            {"[network]\nmdns = \"yes\"\n", "config.toml:2:"},
		"bad policy":            {"[network]\npolicy = \"everyone\"\n", `network.policy: "everyone"`},
		"bad duration":          {"[web]\nsession_idle = \"soon\"\n", "not a duration"},
		"bad listen":            {"[network]\nlisten = [\"tcp:4141\"]\n", "not a multiaddr"},
		"bad web":               {"[web]\nlisten = \"7777\"\n", "HOST:PORT"},
		"bad timezone":          {"[listings]\ndefault_timezone = \"Nowhere/Land\"\n", "IANA"},
		"bad lifetime":          {"[listings]\nlifetime = \"5000h\"\n", "listings.lifetime"},
		"plain HTTP on the LAN": {"[web]\nlisten = \"0.0.0.0:7777\"\n", "'hearth tls selfsigned'"},
		"plain HTTP on an IP":   {"[web]\nlisten = \"192.168.1.10:7777\"\n", "web.allow_plain_http_on_lan = true"},
		"PIN checks":            {"[members]\npin_checks_at_once = 0\n", "members.pin_checks_at_once"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "config.toml")
			os.WriteFile(path, []byte(c.toml), 0o600)
			_, err := LoadConfig(path)
			if err == nil || !strings.Contains(err.Error(), c.want) || strings.Contains(err.Error(), "\n") {
				t.Fatalf("want one line containing %q, got %v", c.want, err)
			}
		})
	}
}
