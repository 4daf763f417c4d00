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

func TestLoadConfigErrors(t *testing.T) {
	cases := map[string]struct{ toml, want string }{
		"syntax":       {"name = \"a\"\n[web]\nlisten = = 3\n", "config.toml:3:"},
		"unknown key":  {"[web]\nlisen = \"127.0.0.1:1\"\n", `unknown key "web.lisen"`},
		"wrong type":   {"[network]\nmdns = \"yes\"\n", "config.toml:2:"},
		"bad policy":   {"[network]\npolicy = \"everyone\"\n", `network.policy: "everyone"`},
		"bad duration": {"[web]\nsession_idle = \"soon\"\n", "not a duration"},
		"bad listen":   {"[network]\nlisten = [\"tcp:4141\"]\n", "not a multiaddr"},
		"bad web":      {"[web]\nlisten = \"7777\"\n", "HOST:PORT"},
		"bad timezone": {"[listings]\ndefault_timezone = \"Nowhere/Land\"\n", "IANA"},
		"bad lifetime": {"[listings]\nlifetime = \"5000h\"\n", "listings.lifetime"},
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
