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
}

// Every key of Config has a comment tag, and config.toml shows each key
// once, right under its comment: the file documents every setting.
func TestEveryConfigKeyIsDocumented(t *testing.T) {
	t.Parallel()
	comments := map[string]string{} // "table.key" -> comment
	var walk func(reflect.Type, string)
	walk = func(typ reflect.Type, table string) {
		for i := range typ.NumField() {
			f := typ.Field(i)
			key := f.Tag.Get("toml")
			if table != "" {
				key = table + "." + key
			}
			if f.Type.Kind() == reflect.Struct && f.Type != reflect.TypeFor[Duration]() {
				walk(f.Type, key)
				continue
			}
			if c := f.Tag.Get("comment"); strings.TrimSpace(c) == "" {
				t.Errorf("%s (%s) has no comment tag", key, f.Name)
			}
			comments[key] = f.Tag.Get("comment")
		}
	}
	walk(reflect.TypeFor[Config](), "")
	if len(comments) < 20 {
		t.Fatalf("only %d keys found in Config", len(comments))
	}

	data, err := os.ReadFile(filepath.Join("..", "config.toml"))
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	table, previous := "", ""
	for _, line := range strings.Split(string(data), "\n") {
		switch k, _, isKey := strings.Cut(line, " = "); {
		case strings.HasPrefix(line, "[") && strings.HasSuffix(line, "]"):
			table = strings.Trim(line, "[]")
		case isKey && !strings.HasPrefix(line, "#"):
			key := k
			if table != "" {
				key = table + "." + k
			}
			want, known := comments[key]
			switch {
			case !known:
				t.Errorf("config.toml has %s, which Config lacks", key)
			case previous != "# "+want:
				t.Errorf("config.toml: %s is under %q, want its comment %q", key, previous, "# "+want)
			case seen[key]:
				t.Errorf("config.toml has %s twice", key)
			}
			seen[key] = true
		}
		previous = line
	}
	for key := range comments {
		if !seen[key] {
			t.Errorf("config.toml lacks %s", key)
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
