package protocol

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/peer"
)

func testKey(t testing.TB) (crypto.PrivKey, string) {
	t.Helper()
	k, _, err := crypto.GenerateEd25519Key(nil)
	if err != nil {
		t.Fatal(err)
	}
	id, err := peer.IDFromPrivateKey(k)
	if err != nil {
		t.Fatal(err)
	}
	return k, id.String()
}

func day(d int) *int { return &d }

func validListing(hub string) *Listing {
	now := time.Now().UTC().Truncate(time.Second)
	return &Listing{
		Version: SchemaVersion, Hub: hub, Slug: "tuesday-hope", Seq: 1,
		IssuedAt: now, ExpiresAt: now.Add(30 * 24 * time.Hour),
		Name: "Tuesday Hope", Day: day(2), Time: "19:30", EndTime: "20:30", Timezone: "Africa/Nairobi",
		Types: []string{"O", "D"}, Format: FormatPeerLed, Focus: "alcohol", Region: "Kibera",
	}
}

func TestValidate(t *testing.T) {
	_, hub := testKey(t)
	lat, lon, far := 1.0, 36.8, 200.0
	cases := []struct {
		name   string
		mutate func(*Listing)
		want   string // "" = valid
	}{
		{"valid", func(*Listing) {}, ""},
		{"by appointment", func(l *Listing) { l.Day, l.Time, l.EndTime = nil, "", "" }, ""},
		{"empty name", func(l *Listing) { l.Name = "  " }, "name is empty"},
		{"day 7", func(l *Listing) { l.Day = day(7) }, "day 7"},
		{"time 25:00", func(l *Listing) { l.Time = "25:00" }, "not a time"},
		{"time 7pm", func(l *Listing) { l.Time = "7pm" }, "not a time"},
		{"time with a sign", func(l *Listing) { l.Time = "+7:30" }, "not a time"},
		{"time with a space", func(l *Listing) { l.Time = " 7:30" }, "not a time"},
		{"day without time", func(l *Listing) { l.Time, l.EndTime = "", "" }, "no time"},
		{"time without day", func(l *Listing) { l.Day = nil }, "no day"},
		{"bad timezone", func(l *Listing) { l.Timezone = "Mars/Olympus" }, "IANA"},
		{"local timezone", func(l *Listing) { l.Timezone = "Local" }, "IANA"},
		{"bad url", func(l *Listing) { l.ConferenceURL = "zoom.us/j/1" }, "not a web address"},
		{"javascript url", func(l *Listing) { l.URL = "javascript:alert(1)" }, "not a web address"},
		{"bad format", func(l *Listing) { l.Format = "therapy" }, "format"},
		{"bad focus", func(l *Listing) { l.Focus = "cats" }, "focus"},
		{"bad hub", func(l *Listing) { l.Hub = "nobody" }, "not a peer ID"},
		{"bad slug", func(l *Listing) { l.Slug = "a/b" }, "slug"},
		{"seq 0", func(l *Listing) { l.Seq = 0 }, "seq"},
		{"seq over 2^53-1", func(l *Listing) { l.Seq = MaxSeq + 1 }, "seq"},
		{"lifetime too long", func(l *Listing) { l.ExpiresAt = l.IssuedAt.Add(MaxLifetime + time.Hour) }, "days after"},
		{"expires before issue", func(l *Listing) { l.ExpiresAt = l.IssuedAt }, "after issued_at"},
		{"position", func(l *Listing) { l.Latitude, l.Longitude = &lat, &lon }, ""},
		{"half position", func(l *Listing) { l.Latitude = &lat }, "together"},
		{"off Earth", func(l *Listing) { l.Latitude, l.Longitude = &lat, &far }, "not on Earth"},
		{"on request with address", func(l *Listing) { l.AddressVisibility = AddressOnRequest; l.Address = "1 Main St" }, "on-request"},
		{"on request", func(l *Listing) { l.AddressVisibility = AddressOnRequest }, ""},
		{"bad type", func(l *Listing) { l.Types = []string{"no spaces"} }, "type"},
		{"long notes", func(l *Listing) { l.Notes = strings.Repeat("x", maxText+1) }, "notes"},
		{"schema 2", func(l *Listing) { l.Version = 2 }, "schema version"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			l := validListing(hub)
			c.mutate(l)
			err := l.Validate()
			if c.want == "" {
				if err != nil {
					t.Fatalf("want valid, got %v", err)
				}
				return
			}
			if err == nil || !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("want ErrInvalid containing %q, got %v", c.want, err)
			}
		})
	}
}

// TestValidateHubForm: the hub is written as its peer ID's canonical text
// (12D3KooW... for an Ed25519 key), not any other form that decodes to it.
func TestValidateHubForm(t *testing.T) {
	_, hub := testKey(t)
	id, err := peer.Decode(hub)
	if err != nil {
		t.Fatal(err)
	}
	l := validListing(hub)
	l.Hub = peer.ToCid(id).String()
	if err := l.Validate(); !errors.Is(err, ErrHubForm) || !strings.Contains(err.Error(), hub) {
		t.Fatalf("CID form of the hub: want ErrHubForm naming %s, got %v", hub, err)
	}
}

func TestCheckFreshness(t *testing.T) {
	_, hub := testKey(t)
	l := validListing(hub)
	now := l.IssuedAt
	if err := l.CheckFreshness(now); err != nil {
		t.Fatal(err)
	}
	if err := l.CheckFreshness(l.ExpiresAt); !errors.Is(err, ErrExpired) {
		t.Fatalf("at expiry: %v", err)
	}
	if err := l.CheckFreshness(now.Add(-MaxClockSkew - time.Minute)); !errors.Is(err, ErrFuture) {
		t.Fatalf("issued in the future: %v", err)
	}
	if err := l.CheckFreshness(now.Add(-MaxClockSkew + time.Minute)); err != nil {
		t.Fatalf("within clock skew: %v", err)
	}
}

func TestSlugifyAndFold(t *testing.T) {
	for in, want := range map[string]string{
		"Tuesday Hope":         "tuesday-hope",
		"  Réunion du Soir! ":  "reunion-du-soir",
		"???":                  "meeting",
		"Grupo Esperanza 24h ": "grupo-esperanza-24h",
	} {
		if got := Slugify(in); got != want {
			t.Errorf("Slugify(%q) = %q, want %q", in, got, want)
		}
	}
	if got := Fold("ÉCOLE Ñandú"); got != "ecole nandu" {
		t.Errorf("Fold = %q", got)
	}
}
