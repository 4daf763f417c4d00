package node

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"os"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/BurntSushi/toml"
	ma "github.com/multiformats/go-multiaddr"

	"hearth/node/members"
	"hearth/protocol"
	"hearth/protocol/meetingguide"
)

// Config is a hub's config.toml. Every field has a `comment` tag: DefaultTOML
// writes the file from them, and the repository's config.toml is that output,
// checked by a test, so the documented defaults and the code never drift.
type Config struct {
	Name     string         `toml:"name" comment:"The hub's name, shown to members and to other hubs' operators."`
	Network  NetworkConfig  `toml:"network"`
	Listings ListingsConfig `toml:"listings"`
	Meetings MeetingsConfig `toml:"meetings"`
	Web      WebConfig      `toml:"web"`
	Members  MembersConfig  `toml:"members"`
	Help     HelpConfig     `toml:"help"`
	Store    StoreConfig    `toml:"store"`
}

// NetworkConfig is how the hub meets other hubs.
type NetworkConfig struct {
	Listen       []string `toml:"listen" comment:"Multiaddrs to listen on for other hubs (TCP and QUIC)."`
	MDNS         bool     `toml:"mdns" comment:"Find hubs on the local network with mDNS: a village Wi-Fi with no uplink works."`
	Policy       string   `toml:"policy" comment:"Whose listings to accept: \"open\" (any hub not blocked) or \"trusted\" (only hubs marked trusted)."`
	Peers        []string `toml:"peers" comment:"Hubs to stay connected to, as full multiaddrs with /p2p/PEERID (besides those added with 'hearth peers add')."`
	ConnLow      int      `toml:"conn_low" comment:"The connection manager trims connections down to this many..."`
	ConnHigh     int      `toml:"conn_high" comment:"...when there are more than this many. Operator-added peers are never trimmed."`
	SyncInterval Duration `toml:"sync_interval" comment:"How often to run catch-up sync with each connected hub, besides on every new connection."`
	SyncStreams  int      `toml:"sync_streams" comment:"Most catch-up sync rounds this hub serves at once (one per hub); it runs half as many itself."`
}

// ListingsConfig is how this hub's own listings live.
type ListingsConfig struct {
	Lifetime        Duration `toml:"lifetime" comment:"How long a listing this hub issues stays valid (at most 180 days): a dead hub's listings fade out."`
	RenewBefore     Duration `toml:"renew_before" comment:"Re-issue this hub's listings when they have less than this left."`
	DefaultTimezone string   `toml:"default_timezone" comment:"The hub's IANA time zone: its \"today\" on the page, the CLI, the API and the print, and the zone of meetings added without --timezone; empty = this machine's zone ('hearth status' warns)."`
}

// MeetingsConfig is about importing and finding meetings.
type MeetingsConfig struct {
	ConferenceProviders []string `toml:"conference_providers" comment:"Online meeting hosts that imports accept without a warning (a host matches itself and its subdomains)."`
}

// WebConfig is the member page and JSON API.
type WebConfig struct {
	Listen       string   `toml:"listen" comment:"HOST:PORT of the member page. 127.0.0.1 is this machine only; a LAN address lets phones on the hub's Wi-Fi in (see README: use TLS)."`
	AllowedHosts []string `toml:"allowed_hosts" comment:"Host names the page answers to besides the listen address, localhost and 127.0.0.1 (a DNS name or LAN name)."`
	TLSCert      string   `toml:"tls_cert" comment:"PEM certificate file; with tls_key, the page is served over HTTPS."`
	TLSKey       string   `toml:"tls_key" comment:"PEM private key file for tls_cert."`
	SessionIdle  Duration `toml:"session_idle" comment:"A member is signed out after this long without a request."`
	// A check-in posted after the member was signed out is kept, sealed,
	// until they sign in again: these bound how many and for how long.
	HeldForms int      `toml:"held_forms" comment:"How many forms posted after a sign-out (a check-in written slowly) the hub keeps, sealed in memory, for their member to sign in and save; past it, the page gives the member their words back to copy."`
	HeldFor   Duration `toml:"held_for" comment:"How long such a form is kept for its member to sign in again."`
	// Without TLS, anyone on the network can read PINs and check-ins as
	// they pass: serving beyond this machine that way must be a choice.
	AllowPlainHTTPOnLAN bool `toml:"allow_plain_http_on_lan" comment:"Serve the page without TLS on an address other devices can reach; PINs and check-ins then cross the network readable by anyone on it (see README)."`
}

// MembersConfig is about member accounts.
type MembersConfig struct {
	SelfSignup bool `toml:"self_signup" comment:"Let members make their own account on the page; off means the operator runs 'hearth members add'."`
	// Each PIN check holds argon2id's memory (19 MiB) until it ends, so
	// this bounds the hub's memory under a burst of sign-ins or sign-ups.
	PINChecksAtOnce int `toml:"pin_checks_at_once" comment:"How many PIN checks (sign-ins, new accounts) may run at once, 19 MiB each; more wait their turn, so a burst cannot exhaust memory."`
	// A code lives in the node's memory only; a longer life gives someone
	// who glimpsed it longer to use it, and each member may try only a
	// few wrong codes, so minutes are enough.
	BuddyCodeLifetime Duration `toml:"buddy_code_lifetime" comment:"How long a code one member gives another to become buddies works (once, and until the hub restarts)."`
}

// HelpConfig is what the help page and an unsafe check-in show.
type HelpConfig struct {
	CrisisLines []string `toml:"crisis_lines" comment:"Crisis lines shown on every help page and after a check-in that says the member is not safe, as \"Name: number\". Empty: the pages say the operator has not set them ('hearth init --country CC' fills them for some countries)."`
}

// StoreConfig is about the node's Badger store.
type StoreConfig struct {
	GCInterval Duration `toml:"gc_interval" comment:"How often to reclaim space in the value log."`
}

// DefaultConfig is the configuration of a hub with an empty config.toml.
func DefaultConfig() Config {
	return Config{
		Network: NetworkConfig{
			// 4141 is unassigned and away from IPFS's 4001, so a hub runs beside an IPFS node.
			Listen: []string{"/ip4/0.0.0.0/tcp/4141", "/ip4/0.0.0.0/udp/4141/quic-v1"},
			MDNS:   true,
			Policy: PolicyOpen,
			Peers:  []string{},
			// A hub talks to tens of hubs, not thousands; small limits keep a
			// single-board computer's memory for the store.
			ConnLow:      32,
			ConnHigh:     96,
			SyncInterval: Duration(10 * time.Minute),
			// A round over a million listings holds a snapshot of 16 MB on
			// each side: eight at once fit a small board.
			SyncStreams: 8,
		},
		Listings: ListingsConfig{
			Lifetime:    Duration(90 * 24 * time.Hour),
			RenewBefore: Duration(30 * 24 * time.Hour),
		},
		Meetings: MeetingsConfig{ConferenceProviders: slices.Clone(meetingguide.DefaultProviders)},
		Web: WebConfig{
			Listen:       "127.0.0.1:7777",
			AllowedHosts: []string{},
			SessionIdle:  Duration(15 * time.Minute),
			// Each is at most one form (16 KiB): 256 of them are 4 MiB.
			HeldForms: 256,
			HeldFor:   Duration(time.Hour),
		},
		Members: MembersConfig{PINChecksAtOnce: members.DefaultKDFSlots, BuddyCodeLifetime: Duration(members.DefaultBuddyCodeLifetime)},
		// No number by default: one that is wrong where the hub is could
		// cost a life. 'hearth init --country' fills them in from a table
		// (crisislines.go); without any, help pages say they are not set.
		Help:  HelpConfig{CrisisLines: []string{}},
		Store: StoreConfig{GCInterval: Duration(10 * time.Minute)},
	}
}

// Peer policies.
const (
	PolicyOpen    = "open"
	PolicyTrusted = "trusted"
)

// Validate checks the configuration before anything starts, so a bad key is
// reported at once with what to do.
func (c *Config) Validate() error {
	for _, a := range c.Network.Listen {
		if _, err := ma.NewMultiaddr(a); err != nil {
			return fmt.Errorf("network.listen: %q is not a multiaddr (like /ip4/0.0.0.0/tcp/4141)", a)
		}
	}
	for _, a := range c.Network.Peers {
		if _, err := ParsePeerAddr(a); err != nil {
			return fmt.Errorf("network.peers: %w", err)
		}
	}
	if c.Network.Policy != PolicyOpen && c.Network.Policy != PolicyTrusted {
		return fmt.Errorf("network.policy: %q: use \"open\" or \"trusted\"", c.Network.Policy)
	}
	if c.Network.ConnLow < 1 || c.Network.ConnHigh < c.Network.ConnLow {
		return fmt.Errorf("network.conn_low/conn_high: need 1 <= conn_low <= conn_high")
	}
	if c.Network.SyncInterval.D() < time.Second {
		return fmt.Errorf("network.sync_interval: at least 1s")
	}
	if c.Network.SyncStreams < 1 || c.Network.SyncStreams > 256 {
		return fmt.Errorf("network.sync_streams: between 1 and 256")
	}
	life, renew := c.Listings.Lifetime.D(), c.Listings.RenewBefore.D()
	if life < time.Hour || life > protocol.MaxLifetime {
		return fmt.Errorf("listings.lifetime: between 1h and %dh", int(protocol.MaxLifetime.Hours()))
	}
	if renew <= 0 || renew >= life {
		return fmt.Errorf("listings.renew_before: more than 0 and less than listings.lifetime")
	}
	if tz := c.Listings.DefaultTimezone; tz != "" {
		if _, err := protocol.LoadTimezone(tz); err != nil {
			return fmt.Errorf("listings.default_timezone: %w", err)
		}
	}
	if _, _, err := net.SplitHostPort(c.Web.Listen); err != nil {
		return fmt.Errorf("web.listen: %q: use HOST:PORT such as 127.0.0.1:7777", c.Web.Listen)
	}
	if (c.Web.TLSCert == "") != (c.Web.TLSKey == "") {
		return fmt.Errorf("web.tls_cert and web.tls_key: set both or neither")
	}
	if c.Web.TLSCert == "" && !c.Web.AllowPlainHTTPOnLAN && !IsLoopback(c.Web.Listen) {
		return fmt.Errorf("web.listen: %s reaches other devices, and without TLS members' PINs would cross the network in clear: make a certificate with 'hearth tls selfsigned' and set web.tls_cert and web.tls_key, or set web.allow_plain_http_on_lan = true (see README: Serving phones on the hub's Wi-Fi)", c.Web.Listen)
	}
	if c.Web.SessionIdle.D() < time.Minute {
		return fmt.Errorf("web.session_idle: at least 1m")
	}
	if n := c.Web.HeldForms; n < 1 || n > 100000 {
		return fmt.Errorf("web.held_forms: between 1 and 100000")
	}
	if d := c.Web.HeldFor.D(); d < time.Minute || d > 24*time.Hour {
		return fmt.Errorf("web.held_for: between 1m and 24h")
	}
	if n := c.Members.PINChecksAtOnce; n < 1 || n > 64 {
		return fmt.Errorf("members.pin_checks_at_once: between 1 and 64")
	}
	if d := c.Members.BuddyCodeLifetime.D(); d < time.Minute || d > 24*time.Hour {
		return fmt.Errorf("members.buddy_code_lifetime: between 1m and 24h")
	}
	if c.Store.GCInterval.D() < time.Minute {
		return fmt.Errorf("store.gc_interval: at least 1m")
	}
	return nil
}

// IsLoopback reports whether a HOST:PORT listen address reaches this
// machine only: localhost or a loopback IP. An empty host, 0.0.0.0, ::,
// any other address or name reaches further.
func IsLoopback(listen string) bool {
	host, _, err := net.SplitHostPort(listen)
	if err != nil {
		return false
	}
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// LoadConfig reads a config.toml over the defaults. Errors name the file and
// line, and unknown keys are errors: a typo must not silently do nothing.
func LoadConfig(path string) (Config, error) {
	c := DefaultConfig()
	data, err := os.ReadFile(path)
	if err != nil {
		return c, fmt.Errorf("config: %w", err)
	}
	md, err := toml.Decode(string(data), &c)
	if err != nil {
		var pe toml.ParseError
		if errors.As(err, &pe) {
			return c, fmt.Errorf("%s:%d: %s", path, pe.Position.Line, pe.Message)
		}
		// Type mismatches come as plain errors: "toml: line 2 (last key "x"): ...".
		if m := tomlLineError.FindStringSubmatch(err.Error()); m != nil {
			return c, fmt.Errorf("%s:%s: %s: %s", path, m[1], m[2], m[3])
		}
		return c, fmt.Errorf("%s: %v", path, err)
	}
	if keys := md.Undecoded(); len(keys) > 0 {
		return c, fmt.Errorf("%s: unknown key %q: see the config.toml in Hearth's repository for every key", path, keys[0].String())
	}
	if err := c.Validate(); err != nil {
		return c, fmt.Errorf("%s: %w", path, err)
	}
	return c, nil
}

var tomlLineError = regexp.MustCompile(`^toml: line (\d+) \(last key "([^"]*)"\): (.*)$`)

// DefaultTOML is config.toml with every key at its default and a comment
// each, from the `comment` tags of Config. `hearth init` writes it.
func DefaultTOML(name string) []byte {
	c := DefaultConfig()
	c.Name = name
	var b bytes.Buffer
	b.WriteString("# Hearth hub configuration. Every key is shown at its default; edit and restart the node.\n")
	writeTOML(&b, reflect.ValueOf(c), "")
	return b.Bytes()
}

func writeTOML(b *bytes.Buffer, v reflect.Value, table string) {
	t := v.Type()
	var subtables []int
	for i := range t.NumField() {
		f := t.Field(i)
		if f.Type.Kind() == reflect.Struct && f.Type != reflect.TypeFor[Duration]() {
			subtables = append(subtables, i)
			continue
		}
		key := f.Tag.Get("toml")
		fmt.Fprintf(b, "\n# %s\n", f.Tag.Get("comment"))
		var line bytes.Buffer
		if err := toml.NewEncoder(&line).Encode(map[string]any{key: v.Field(i).Interface()}); err != nil {
			panic(fmt.Sprintf("config: encode %s: %v", key, err)) // only on a programming error in Config
		}
		b.Write(line.Bytes())
	}
	for _, i := range subtables {
		name := t.Field(i).Tag.Get("toml")
		if table != "" {
			name = table + "." + name
		}
		fmt.Fprintf(b, "\n[%s]", name)
		writeTOML(b, v.Field(i), name)
	}
}

// Duration is a time.Duration written as "15m" in TOML.
type Duration time.Duration

// D is the duration as a time.Duration.
func (d Duration) D() time.Duration { return time.Duration(d) }

// MarshalText writes the duration like "15m0s", trimmed to "15m".
func (d Duration) MarshalText() ([]byte, error) {
	s := time.Duration(d).String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return []byte(s), nil
}

// UnmarshalText reads "90s", "15m", "2160h".
func (d *Duration) UnmarshalText(b []byte) error {
	v, err := time.ParseDuration(string(b))
	if err != nil {
		return fmt.Errorf("%q is not a duration: use a number and a unit, like 90s, 15m or 720h", b)
	}
	*d = Duration(v)
	return nil
}
