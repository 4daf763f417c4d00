package meetingguide

import (
	"strings"
	"testing"
	"time"

	"hearth/protocol"
)

func validates(l protocol.Listing) bool {
	l.Version, l.Hub, l.Seq = protocol.SchemaVersion, testHub, 1
	l.IssuedAt = time.Now()
	l.ExpiresAt = l.IssuedAt.Add(time.Hour)
	return l.Validate() == nil
}

// protocol.ValidTypeCode, which Decode asks of each code, is Validate's
// rule: a code Decode keeps never costs the meeting at Validate.
func TestTypeCodeRuleMatchesProtocol(t *testing.T) {
	for _, code := range []string{"O", "12x12", "AL-AN", "LGBTQ", "a", "0123456789abcdef", "0123456789abcdefg", "", "Big Book", "A_B", "é", "O,D"} {
		l := protocol.Listing{Slug: "x", Name: "x", Types: []string{code}}
		if ours, theirs := protocol.ValidTypeCode(code), validates(l); ours != theirs {
			t.Errorf("%q: ours %v, protocol %v", code, ours, theirs)
		}
	}
}

// protocol.ValidSlug, which Decode asks of each slug, is Validate's and
// SplitID's rule: Decode never keeps a slug Validate refuses, nor renames
// one it accepts.
func TestSlugRuleMatchesProtocol(t *testing.T) {
	for _, slug := range []string{"a", "A.b_c~d-e", "1234", strings.Repeat("a", 128), strings.Repeat("a", 129), "",
		"-a", ".a", "a b", "a/b", "a%20b", "café", "a\n"} {
		l := protocol.Listing{Slug: slug, Name: "x"}
		if ours, theirs := protocol.ValidSlug(slug), validates(l); ours != theirs {
			t.Errorf("%q: ours %v, protocol %v", slug, ours, theirs)
		}
		_, _, err := protocol.SplitID(testHub + "/" + slug)
		if ours, theirs := protocol.ValidSlug(slug), err == nil; ours != theirs {
			t.Errorf("%q: ours %v, SplitID %v", slug, ours, theirs)
		}
	}
}

// check refuses what Validate refuses, and a listing too large to seal.
func TestCheck(t *testing.T) {
	zones := map[string]error{}
	ok := protocol.Listing{Slug: "x", Name: "x", Day: ptr(1), Time: "19:00", Timezone: "Europe/Paris"}
	if err := check(&ok, zones); err != nil {
		t.Errorf("valid listing: %v", err)
	}
	for _, l := range []protocol.Listing{
		{Slug: "x", Name: "x", Timezone: "Mars/Olympus"},
		{Slug: "x", Name: "x", Timezone: "Local"},
		{Slug: "x", Name: "x", Day: ptr(1)},
		{Slug: "x", Name: "", Day: ptr(1), Time: "19:00"},
		{Slug: "x", Name: "x", Notes: strings.Repeat("é", 3000), GroupNotes: strings.Repeat("x", 3000)},
	} {
		if err := check(&l, zones); err == nil || validates(l) && !strings.Contains(err.Error(), "bytes") {
			t.Errorf("%+v: %v", l, err)
		}
	}
	if ok.Timezone != "Europe/Paris" || ok.Hub != "" {
		t.Error("check changed the listing")
	}
}
